"""The derivation-time corpus: the problems the test suite derives and checks.

Taken from the tests themselves (tests/test_cookbook.py, test_coverage.py,
test_hessian.py) plus the seed notes' results (tests/test_seeds.py writes them inline),
so the benchmark measures what the engine is known to get right. The tables are read
from the test files as data (``ast``), not imported: the benchmark needs no pytest.

>>> len(problems()) >= 60
True
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass

TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")

W_a = {"W": ("m", "n"), "a": ("n", 1)}
W_x = {"W": ("m", "n"), "x": ("n", 1)}
W_X = {"W": ("m", "n"), "X": ("n", "b")}

#: Seed notes (tests/test_seeds.py): (formula, wrt, shapes).
SEEDS = [
    ("W*a", "W", W_a),
    ("W*x", "W", W_x),
    ("W*X", "W", W_X),
    ("W*X", "X", W_X),
    ("(c'*x)*(B*x)", "x", {"c": ("n", 1), "x": ("n", 1), "B": ("m", "n")}),
    ("(B*x)'*(C*x)", "x", {"B": ("m", "n"), "C": ("m", "n"), "x": ("n", 1)}),
    ("A*(B*x)", "x", {"A": ("m", "m"), "B": ("m", "n"), "x": ("n", 1)}),
    ("f(W*x)", "W", W_x),
    ("f(W*X)", "W", W_X),
    ("f(W*X)", "X", W_X),
    ("sum(tanh(W*X))", "W", W_X),
    ("norm(W*X - Y)^2", "W", {**W_X, "Y": ("m", "b")}),
]

#: Cookbook Jacobians written inline in tests/test_cookbook.py.
COOKBOOK_JACOBIANS = [
    ("inv(X)", "X", {"X": ("n", "n")}),
    ("X'", "X", {"X": ("m", "n")}),
    ("X .* A", "X", {"X": ("m", "n"), "A": ("m", "n")}),
    ("kron(X, A)", "X", {"X": ("m", "n"), "A": ("p", "q")}),
]


@dataclass(frozen=True)
class Problem:
    name: str
    formula: str
    wrt: str
    shapes: dict

    def key(self):
        return self.formula, self.wrt, tuple(sorted(self.shapes.items()))


def test_tables(module: str) -> dict:
    """The module-level tables of ``tests/<module>.py``: names bound to literals (tuples,
    lists, dicts, strings, numbers, and names bound so before them), read, not run."""
    with open(os.path.join(TESTS, module + ".py"), encoding="utf-8") as file:
        tree = ast.parse(file.read())
    tables: dict = {}

    def value(node):
        if isinstance(node, ast.Name):
            return tables[node.id]
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [value(item) for item in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Dict):
            found = {}
            for key, item in zip(node.keys, node.values, strict=True):
                found.update(value(item) if key is None else {value(key): value(item)})
            return found
        return ast.literal_eval(node)

    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name):
            try:
                tables[node.targets[0].id] = value(node.value)
            except (ValueError, KeyError, TypeError):
                continue  # not a table of data
    return tables


def problems() -> list[Problem]:
    """Every distinct (formula, variable, shapes) of the sources above, in a fixed order."""
    GRADIENTS = test_tables("test_cookbook")["GRADIENTS"]  # noqa: N806 - the tests' names
    coverage = test_tables("test_coverage")
    CASES, SHAPES = coverage["CASES"], coverage["SHAPES"]  # noqa: N806
    HESSIANS = test_tables("test_hessian")["HESSIANS"]  # noqa: N806

    found = [Problem(f"seed: {f} wrt {w}", f, w, s) for f, w, s in SEEDS]
    found += [Problem(f"cookbook {name}", f, w, s) for name, f, w, s, _ in GRADIENTS]
    found += [Problem(f"cookbook: {f} wrt {w}", f, w, s) for f, w, s in COOKBOOK_JACOBIANS]
    found += [Problem(f"coverage: {f} wrt {w}", f, w, SHAPES) for f, w in CASES]
    found += [Problem(f"hessian test: {h[0]} wrt {h[1]}", h[0], h[1], h[2]) for h in HESSIANS]
    unique, seen = [], set()
    for problem in found:
        if problem.key() not in seen:
            seen.add(problem.key())
            unique.append(problem)
    return unique

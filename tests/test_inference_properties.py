"""The inference against the random problems of tests/strategies.py, which declare every
shape. Derived without the shapes, each problem must end in one of:

- "instance": shapes inferred of which the declared ones are an instance (a renaming of
  the sizes, a scalar being 1 x 1): the inferred reading is the declared one, or more
  general;
- "open": one MatDerivError naming the names whose shapes the formula leaves open and
  asking for -s;
- "scalar reading": the declared reading reads a 1 x 1 *matrix* as a scalar (A0*A1*A2
  with A0 1 x n and A1 n x 1 scaling A2), which nothing in the text shows; the
  inference takes the formula's matrix reading instead, itself well typed;

never in shapes that are none of these. And every derivation with inferred shapes is
judged as tests/oracle.py judges (every result against central finite differences, the
formula against its text read independently): verified, or refused with one clear
error, never wrong, never a crash.
"""

from __future__ import annotations

import collections
import random
from unittest import mock

import sympy
from oracle import judge
from strategies import Problem, random_problem

import matderiv
import matderiv.syntax.builder
import matderiv.syntax.calls
from matderiv import MatDerivError
from matderiv.api.derivation import read_formula
from matderiv.expressions import is_matrix
from matderiv.syntax.grammar import as_scalar, is_one_by_one

PROBLEMS = 150


def declared_reading(problem) -> tuple[dict, bool]:
    """The declared shapes of the formula's names, and whether building it with them
    reads a 1 x 1 matrix as a scalar anywhere."""
    seen = []

    def recording(expr):
        if is_one_by_one(expr):
            seen.append(expr)
        return as_scalar(expr)
    with mock.patch.object(matderiv.syntax.builder, "as_scalar", recording), \
            mock.patch.object(matderiv.syntax.calls, "as_scalar", recording):
        read, _ = read_formula(problem.formula, problem.shapes)
    return _shapes(read.env, read.inferred.names), bool(seen)


def is_instance(inferred: dict, declared: dict) -> bool:
    """Some substitution of the inferred sizes gives the declared shapes."""
    one = sympy.Integer(1)
    substitution, products = {}, []
    for name, shape in declared.items():
        for got, wanted in zip(inferred[name] or (one, one), shape or (one, one), strict=True):
            if got.is_Symbol:
                if substitution.setdefault(got, wanted) != wanted:
                    return False
            else:
                products.append((got, wanted))
    return all(got.xreplace(substitution) == wanted for got, wanted in products)


def test_the_substitution_test_has_teeth():
    n, m, p, q = (sympy.Symbol(s, integer=True, positive=True) for s in "nmpq")
    one = sympy.Integer(1)
    assert is_instance({"A": (n, m), "x": (m, one)}, {"A": (p, n), "x": (n, one)})
    assert is_instance({"A": (n, m * p), "X": (m, p), "k": (q, one)},
                       {"A": (n, q), "X": (q, one), "k": ()})
    assert not is_instance({"A": (n, m * p), "X": (m, p)}, {"A": (n, q), "X": (q, q)})
    assert not is_instance({"A": (n, n)}, {"A": (m, p)})
    assert not is_instance({"A": (n, one)}, {"A": (n, m)})
    assert not is_instance({"A": (n, m), "B": (m, p)}, {"A": (n, m), "B": (p, p)})


def test_random_problems_infer_their_declared_shapes_or_ask():
    outcomes = collections.Counter()
    for seed in range(PROBLEMS):
        problem = random_problem(random.Random(seed))
        try:
            declared, scalar_reading = declared_reading(problem)
        except MatDerivError:
            outcomes["not well typed as declared"] += 1
            continue
        try:
            inferred = matderiv.derive(problem.formula, wrt=problem.wrt).shapes
        except MatDerivError as error:
            assert "leaves the shapes of" in str(error) and "-s" in str(error), (
                f"matderiv derive {problem}: {error}")
            outcomes["open"] += 1
            continue
        if is_instance(inferred, declared):
            outcomes["instance"] += 1
        else:
            assert scalar_reading, f"matderiv derive {problem}: inferred {inferred}"
            outcomes["scalar reading"] += 1
        outcome = judge(Problem(problem.formula, problem.wrt, {}), points=1)
        assert outcome.kind in ("verified", "unsupported"), (
            f"{outcome.kind}: matderiv derive {problem.formula!r} --wrt {problem.wrt}\n"
            f"{outcome.detail}")
        outcomes["checked: " + outcome.kind] += 1
    print(dict(outcomes))  # (seeds 0-149: 141 instance, 5 scalar reading, 2 open, 2 not
    # well typed as declared; of the 146 inferred, 138 verified and 8 refused)
    typed = PROBLEMS - outcomes["not well typed as declared"]
    assert outcomes["instance"] >= 0.85 * typed, outcomes
    assert outcomes["checked: verified"] >= 0.85 * typed, outcomes


def _shapes(env, names) -> dict:
    return {name: tuple(env[name].shape) if is_matrix(env[name]) else () for name in names}

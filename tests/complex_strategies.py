"""Random well-typed formulas over complex names, for the Wirtinger property test.

Names: complex Z, A (n x n), z, w (n x 1), Hermitian H (n x n), real B (n x n). A
formula is an n x n matrix, a vector, a complex scalar or (half the time) a real scalar
built by norm(.)^2, real, imag, abs or z'*H*z, so that gradients are drawn as often as
Jacobians. Each uses ', .', conj, inv, det, tr, sum, exp, log, sqrt, .*, real, imag,
abs, norm.

>>> import random
>>> problem = random_complex_problem(random.Random(1))
>>> problem.wrt in ("Z", "z", "B")
True

Run (the figure in docs/complex.md):
``python tests/complex_strategies.py 200`` prints how many were right, refused, wrong.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass

COMPLEX = ("Z", "A", "z", "w")
HERMITIAN = ("H",)
SHAPES = {"Z": ("n", "n"), "A": ("n", "n"), "B": ("n", "n"), "H": ("n", "n"),
          "z": ("n", 1), "w": ("n", 1)}


@dataclass(frozen=True)
class ComplexProblem:
    formula: str
    wrt: str

    def __str__(self) -> str:
        flags = " ".join(f"--complex {n}" for n in COMPLEX if n in self.formula)
        return f"{self.formula!r} --wrt {self.wrt} {flags} --hermitian H"


def _matrix(rng, depth):
    if depth <= 0 or rng.random() < 0.3:
        return rng.choice(["Z", "A", "B", "Z'", "Z.'", "conj(Z)", "A'"])
    choice = rng.randrange(9)
    left, right = _matrix(rng, depth - 1), _matrix(rng, depth - 1)
    inverted = rng.choice(["Z", "A*Z", "Z.'"])
    return [f"{left}*{right}", f"({left} + {right})", f"inv({inverted})",
            f"({left})'", f"({left}).'", f"exp({left})", f"(({left}).*({right}))",
            f"real({left})", f"imag({left})"][choice]


def _vector(rng, depth):
    if depth <= 0 or rng.random() < 0.3:
        return rng.choice(["z", "w", "conj(z)"])
    choice = rng.randrange(4)
    return [f"{_matrix(rng, depth - 1)}*{_vector(rng, depth - 1)}",
            f"({_vector(rng, depth - 1)} + {_vector(rng, depth - 1)})",
            f"abs({_vector(rng, depth - 1)})", f"conj({_vector(rng, depth - 1)})"][choice]


def _complex_scalar(rng, depth):
    choice = rng.randrange(5)
    return [f"tr({_matrix(rng, depth)})", f"({_vector(rng, depth)})'*{_vector(rng, depth)}",
            f"({_vector(rng, depth)}).'*{_matrix(rng, depth)}*{_vector(rng, depth)}",
            f"sum({_matrix(rng, depth)})", f"det({rng.choice(['Z', 'A*Z', 'Z*B'])})"][choice]


def _real_scalar(rng, depth):
    choice = rng.randrange(10)
    return [f"norm({_matrix(rng, depth)})^2", f"real({_complex_scalar(rng, depth)})",
            f"imag({_complex_scalar(rng, depth)})", f"abs({_complex_scalar(rng, depth)})^2",
            f"({_vector(rng, depth)})'*H*{_vector(rng, depth)}",
            f"norm({_vector(rng, depth)})^2", f"log(norm({_matrix(rng, depth)})^2)",
            f"exp(real({_complex_scalar(rng, depth)}))",
            f"sqrt(abs({_complex_scalar(rng, depth)})^2 + 1)",
            f"real({_complex_scalar(rng, depth)})*imag({_complex_scalar(rng, depth)})"][choice]


def random_complex_problem(rng: random.Random, depth: int = 2) -> ComplexProblem:
    while True:
        kind = rng.randrange(4)
        formula = [_real_scalar, _real_scalar, _complex_scalar, _matrix][kind](rng, depth)
        for wrt in rng.sample(["Z", "z", "B"], 3):
            if _occurs(wrt, formula):
                return ComplexProblem(formula, wrt)


def _occurs(name: str, formula: str) -> bool:
    import re
    return re.search(rf"\b{name}\b", formula) is not None


def run(count: int, seed: int = 0) -> dict:
    """Derive and check ``count`` random problems: {"right", "refused", "wrong"} counts,
    and the wrong ones' text."""
    from matderiv import MatDerivError, derive
    rng = random.Random(seed)
    tally: dict = {"right": 0, "refused": 0, "wrong": 0, "wrong_problems": []}
    for _ in range(count):
        problem = random_complex_problem(rng)
        names = [n for n in COMPLEX if _occurs(n, problem.formula)]
        shapes = {n: s for n, s in SHAPES.items() if _occurs(n, problem.formula)}
        try:
            d = derive(problem.formula, wrt=problem.wrt, shapes=shapes, complex=names,
                       hermitian=[n for n in HERMITIAN if n in shapes])
            d.check(points=2)
            tally["right"] += 1
        except MatDerivError as error:
            if "WRONG" in str(error):
                tally["wrong"] += 1
                tally["wrong_problems"].append(f"{problem}: {error}")
            else:
                tally["refused"] += 1
    return tally


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    result = run(count, int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    print(f"{count} random complex formulas: {result['right']} right, {result['refused']} "
          f"refused, {result['wrong']} wrong")
    for line in result["wrong_problems"]:
        print("  WRONG", line)

"""Random formulas through the spectral and matrix functions, each derived and checked
against finite differences: a tally of verified, refused, wrong and crashed.

    python scripts/fuzz_spectral.py --count 200 --seed 1

A formula is built from templates (tr(C*expm(M)), eigmax(M + M'), norm(M, 2),
tr(D*pinv(T*M)), expm(M) by its Jacobian, ...) around random inner matrices M of X,
sometimes multiplied or added. "refused" is a clear MatDerivError (a shape that does
not fit, a missing rule); "wrong" is a check that found a disagreement.
"""

from __future__ import annotations

import argparse
import random

import matderiv
from matderiv.errors import MatDerivError

INNER = ["X", "X'", "X*A", "A*X + B", "X .* A", "tanh(X)", "X*X", "A*X*B", "sin(X) + X'"]
SHAPES = {"X": ("n", "n"), "A": ("n", "n"), "B": ("n", "n"), "C": ("n", "n"),
          "T": ("m", "n"), "D": ("m", "n")}


def formula(rng: random.Random) -> str:
    def m():
        return rng.choice(INNER)

    def pd():
        inner = m()
        return f"({inner})'*({inner}) + I(n)"

    def sym(template):
        inner = m()
        return template.format(m=inner)

    scalars = [lambda: f"tr(C*expm({m()}))", lambda: f"tr(logm({pd()}))",
               lambda: f"tr(C*sqrtm({pd()}))", lambda: sym("eigmax({m} + ({m})')"),
               lambda: sym("eigmin(({m})'*({m}))"), lambda: f"norm({m()}, 2)",
               lambda: f"nucnorm({m()})", lambda: f"tr(D*pinv(T*{m()}))",
               lambda: f"tr(C*logm({pd()}))", lambda: sym("eigmax(expm({m} + ({m})'))"),
               lambda: f"tr(expm({m()})*expm({m()}))"]
    matrices = [lambda: f"expm({m()})", lambda: f"logm({pd()})", lambda: f"sqrtm({pd()})",
                lambda: f"pinv(T*{m()})", lambda: f"expm({m()})*C",
                lambda: sym("eigmax({m} + ({m})')*X")]
    if rng.random() < 0.65:
        text = rng.choice(scalars)()
        if rng.random() < 0.4:
            text += " * " + rng.choice(scalars)()
        elif rng.random() < 0.3:
            text += " + " + rng.choice(scalars)()
        return text
    return rng.choice(matrices)()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    tally = {"verified": 0, "refused": 0, "wrong": 0, "crashed": 0}
    for number in range(options.count):
        text = formula(rng)
        try:
            matderiv.derive(text, wrt="X", shapes=SHAPES).check()
            tally["verified"] += 1
        except MatDerivError as error:
            wrong = "is WRONG" in str(error) or "internal error" in str(error)
            tally["wrong" if wrong else "refused"] += 1
            if wrong:
                print(f"WRONG {number} (seed {options.seed}): {text}: {error}")
        except Exception as error:  # noqa: BLE001 - a crash is what this looks for
            tally["crashed"] += 1
            print(f"CRASH {number} (seed {options.seed}): {text}: {type(error).__name__}: "
                  f"{error}")
    print(", ".join(f"{value} {key}" for key, value in tally.items()))


if __name__ == "__main__":
    main()

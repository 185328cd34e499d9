"""Derive random formulas to orders 1 to 3 and by a second variable; check each result.

    python scripts/fuzz_orders.py --count 300 --seed 1

For each formula of tests/strategies.py: ``derivative(k)`` for k = 1, 2, 3 (stopping at
the first order refused), its index notation, and ``check(order=k)``; for a scalar
formula with another matrix or vector name, the mixed Hessian by it and
``check(wrt2=...)``. Prints a tally: verified, refused with a clear error (a missing
rule, a formula undefined at the random points), index notation shown or not, and the
wrong and crashing ones (each printed as a line to rerun). Exit code 1 when anything
was wrong or crashed.
"""

from __future__ import annotations

import argparse
import collections
import random
import signal
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from strategies import random_problem  # noqa: E402

import matderiv  # noqa: E402
from matderiv.errors import MatDerivError  # noqa: E402


class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout


def _is_wrong(error: MatDerivError) -> bool:
    """A disagreement with finite differences or a failed internal comparison, as
    opposed to a refusal (a missing rule, a point where F is undefined)."""
    text = str(error)
    return "internal error" in text or "finite differences" in text and "differ" in text


def _orders(d, tally, line) -> None:
    for k in (1, 2, 3):
        try:
            d.derivative(k)
        except MatDerivError:
            tally[f"order {k} refused"] += 1
            return
        tally[f"order {k} index notation" if d.index_notation(k) is not None
              else f"order {k} closed form only"] += 1
        try:
            d.check(order=k, points=1)
            tally[f"order {k} verified"] += 1
        except MatDerivError as error:
            if _is_wrong(error):
                tally["wrong"] += 1
                print(f"WRONG order {k}: {line}: {error.one_line()}")
            else:
                tally[f"order {k} check refused"] += 1


def _mixed(d, problem, tally, line) -> None:
    others = [name for name, shape in problem.shapes.items()
              if name != problem.wrt and shape != () and name in problem.formula]
    if not d.is_scalar or not others:
        return
    try:
        d.hessian(wrt=others[0])
        d.check(wrt2=others[0], points=1)
        tally["mixed verified"] += 1
    except MatDerivError as error:
        if _is_wrong(error):
            tally["wrong"] += 1
            print(f"WRONG mixed by {others[0]}: {line}: {error.one_line()}")
        else:
            tally["mixed refused"] += 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=int, default=120,
                        help="seconds one formula may take before it counts as a crash")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _alarm)
    rng = random.Random(args.seed)
    tally = collections.Counter()
    for _ in range(args.count):
        problem = random_problem(rng)
        shapes = " ".join(f"-s {n}={','.join(map(str, s))}" for n, s in problem.shapes.items())
        line = f"matderiv derive {problem.formula!r} --wrt {problem.wrt} {shapes}"
        signal.alarm(args.timeout)
        try:
            d = matderiv.derive(problem.formula, wrt=problem.wrt, shapes=problem.shapes)
            _orders(d, tally, line)
            _mixed(d, problem, tally, line)
        except MatDerivError:
            tally["derive refused"] += 1
        except _Timeout:
            tally["crash (timeout)"] += 1
            print(f"TIMEOUT: {line}")
        except Exception as error:  # noqa: BLE001 - a crash is what this counts
            tally["crash"] += 1
            print(f"CRASH: {line}: {type(error).__name__}: {error}")
        finally:
            signal.alarm(0)
    print(f"seed {args.seed}, {args.count} formulas: "
          + ", ".join(f"{key} {value}" for key, value in sorted(tally.items())))
    return 1 if tally["wrong"] or tally["crash"] or tally["crash (timeout)"] else 0


if __name__ == "__main__":
    sys.exit(main())

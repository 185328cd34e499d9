"""Derive thousands of random formulas and check every result against finite differences.

    python scripts/fuzz.py                      # 10,000 formulas, seed 0
    python scripts/fuzz.py --count 500 --seed 7 --log fuzz-failures.txt
    python scripts/fuzz.py --infer --count 1000  # each without its shapes: inferred

Prints "N expressions, N verified, N unsupported, N wrong" and the crash count, the
share of formulas refused at any stage (the derivation, the gradient, the Jacobians,
the Hessian, the generated NumPy code) split into refusals about the formula itself
(nowhere defined at the random points, a constant beyond floating point), "cannot
identify" (a missing identification rule) and the others, and writes every wrong,
crashing or refused formula (as a CLI command line) with its message to the log file.
The formulas come from tests/strategies.py, the outcomes from tests/oracle.py: the
same property the test suite checks on a few hundred.
With --infer each formula is derived without its shapes, which are inferred; it also
tallies how the shapes inferred compare with those declared (tests/oracle.py's
``shapes_outcome``; an inconsistent one is logged and counts as wrong).
Exit code 1 when anything was wrong or crashed.
"""

from __future__ import annotations

import argparse
import collections
import random
import signal
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from oracle import SHAPE_OUTCOMES, Outcome, judge, shapes_outcome  # noqa: E402
from strategies import Problem, random_problem  # noqa: E402


class _Timeout(BaseException):  # not caught as a failure of the formula
    pass


def _alarm(signum, frame):
    raise _Timeout


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0,
                        help="first formula number: two processes can share one run "
                             "(--count 5000 and --start 5000 --count 5000)")
    parser.add_argument("--depth", type=int, default=4, help="largest nesting of a formula")
    parser.add_argument("--timeout", type=int, default=60,
                        help="seconds one formula may take before it counts as a crash")
    parser.add_argument("--proof", action="store_true",
                        help="also build (and so check) each element-wise proof")
    parser.add_argument("--infer", action="store_true",
                        help="derive each formula without its shapes (inferred), and tally "
                             "how the shapes inferred compare with those declared")
    parser.add_argument("--log", default="fuzz-failures.txt")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _alarm)
    counts: collections.Counter = collections.Counter()
    reasons: collections.Counter = collections.Counter()
    kinds: collections.Counter = collections.Counter()
    shapes: collections.Counter = collections.Counter()
    started = time.monotonic()
    with open(args.log, "w", encoding="utf-8") as log:
        for number in range(args.start, args.start + args.count):
            problem = random_problem(random.Random(f"{args.seed}-{number}"), args.depth)
            signal.alarm(args.timeout)
            try:
                if args.infer:
                    kind, detail = shapes_outcome(problem)
                    shapes[kind] += 1
                    if kind == "inconsistent":
                        log.write(f"[inconsistent shapes] seed {args.seed}-{number}: "
                                  f"matderiv derive {problem}\n    {detail}\n")
                    if kind not in ("inferred", "scalar reading"):
                        continue
                    problem = Problem(problem.formula, problem.wrt, {})
                outcome = judge(problem, seed=number, proof=args.proof)
            except _Timeout:
                outcome = Outcome("crash", f"took more than {args.timeout} s")
            finally:
                signal.alarm(0)
            counts[outcome.kind] += 1
            if outcome.kind == "unsupported":
                reasons[_reason(outcome.detail)] += 1
            if outcome.kind == "unsupported":
                kinds[refusal_kind(outcome.detail)] += 1
            if outcome.kind in ("wrong", "crash", "unsupported"):
                log.write(f"[{outcome.kind}] seed {args.seed}-{number}: matderiv derive "
                          f"{problem}\n    {outcome.detail.replace(chr(10), chr(10) + '    ')}\n")
                log.flush()
            if (number + 1 - args.start) % 500 == 0:
                print(f"  {number + 1 - args.start} done, {_line(counts)}, "
                      f"{time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    elapsed = time.monotonic() - started
    print(f"{sum(counts.values())} expressions, {counts['verified']} verified, "
          f"{counts['unsupported']} unsupported, {counts['wrong']} wrong; "
          f"{counts['crash']} crashes ({elapsed:.0f} s; failures in {args.log})")
    refused = counts["unsupported"]
    share = 100 * refused / max(1, sum(counts.values()))
    print(f"refused at some stage: {refused} ({share:.1f}%): "
          + ", ".join(f"{kinds[kind]} {kind}" for kind in REFUSAL_KINDS))
    if args.infer:
        print("shapes: " + ", ".join(f"{shapes[kind]} {kind}" for kind in SHAPE_OUTCOMES))
    print("most common refusals:")
    for reason, count in reasons.most_common(8):
        print(f"  {count:6d}  {reason}")
    return 1 if counts["wrong"] or counts["crash"] or shapes["inconsistent"] else 0


#: Refusals by cause: the formula itself, a missing identification rule, the rest
#: (budgets, an operation with no differential rule, code not written).
REFUSAL_KINDS = ("about the formula", "cannot identify", "other")
_ABOUT_THE_FORMULA = ("not finite or singular at every random point", "beyond floating point",
                      "is singular at these values")


def refusal_kind(detail: str) -> str:
    """Which of REFUSAL_KINDS a refusal's message is."""
    if detail.startswith("cannot identify"):
        return "cannot identify"
    if any(marker in detail for marker in _ABOUT_THE_FORMULA):
        return "about the formula"
    return "other"


def _line(counts) -> str:
    return ", ".join(f"{counts[k]} {k}" for k in ("verified", "unsupported", "wrong", "crash"))


def _reason(detail: str) -> str:
    """The message without the formula-specific part, to tally refusals by kind."""
    return detail.split(":")[0][:90]


if __name__ == "__main__":
    sys.exit(main())

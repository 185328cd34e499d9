"""Dump every output matderiv gives for a fixed set of problems, to compare two versions.

    PYTHONHASHSEED=0 python scripts/snapshot.py --random 400 > before.txt
    (change the code)
    PYTHONHASHSEED=0 python scripts/snapshot.py --random 400 > after.txt
    cmp before.txt after.txt

A refactoring that changes no behaviour leaves the dump byte-identical. The problems are
the benchmark corpus (the problems the tests derive), the seed notes' and the README's
command lines, claims, and ``--random N`` formulas from tests/strategies.py. For each it
writes the results (SymPy's ``srepr``, so a different form shows even when it prints
alike), the rules used, the rules proof in text and LaTeX, generated NumPy code and the
JSON report of the command line, or the error a result gives. ``--elementwise`` adds
element-wise proofs of the corpus. The script imports the matderiv of the checkout it
lies in and uses its public API and CLI only; the corpus comes from that checkout's
tests. To compare with an older version, copy the script into that checkout and run it
there.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's matderiv
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sympy  # noqa: E402
from click.testing import CliRunner  # noqa: E402

import matderiv  # noqa: E402
from matderiv.cli import main as cli_main  # noqa: E402

#: Command lines whose whole output is compared (README examples and error cases).
COMMANDS = [
    ["derive", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1", "--check"],
    ["derive", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1", "--vec", "row"],
    ["derive", "W*X", "--wrt", "X", "-s", "W=m,n", "-s", "X=n,b"],
    ["derive", "f(W*X)", "--wrt", "W", "-s", "W=m,n", "-s", "X=n,b"],
    ["derive", "x'*A*x", "--wrt", "x", "-s", "x=n", "-s", "A=n,n", "--hessian", "--check"],
    ["derive", "logdet(X)", "--wrt", "X", "-s", "X=n,n", "--hessian"],
    ["derive", "A*X*B", "--wrt", "X", "-s", "A=p,m", "-s", "X=m,n", "-s", "B=n,q", "--tensor"],
    ["derive", "A*x", "--wrt", "x", "-s", "A=m,n", "-s", "x=n", "--layout", "denominator"],
    ["derive", "tr(A*X*B)", "--wrt", "X", "-s", "A=p,m", "-s", "X=m,n", "-s", "B=n,p",
     "--format", "json"],
    ["derive", "tr(A*X*B)", "--wrt", "X", "-s", "A=p,m", "-s", "X=m,n", "-s", "B=n,p",
     "--format", "latex"],
    ["derive", "sum(log(1 + exp(-y .* (X*w))))", "--wrt", "w", "-s", "X=n,d", "-s", "w=d",
     "-s", "y=n", "--hessian"],
    ["derive", "log(sum(exp(W*x))) - y'*W*x", "--wrt", "W", "-s", "W=k,d", "-s", "x=d",
     "-s", "y=k"],
    ["derive", "W*b", "--wrt", "W", "-s", "W=m,n", "-s", "b=m,1"],
    ["derive", "abs(w)", "--wrt", "w", "-s", "w=n"],
    ["derive", "W*", "--wrt", "W", "-s", "W=m,n"],
    ["prove", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1", "--style", "both"],
    ["prove", "tr(A*X*B)", "--wrt", "X", "-s", "A=p,m", "-s", "X=m,n", "-s", "B=n,p",
     "--format", "latex"],
    ["prove", "x'*A*x", "--wrt", "x", "-s", "x=n", "-s", "A=n,n", "--hessian", "--format", "md"],
    ["check", "logdet(X)", "--wrt", "X", "-s", "X=n,n", "--claim", "inv(X)"],
    ["check", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1", "--claim", "kron(I(m), a')"],
    ["check", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1", "--claim", "kron(a', I(m))",
     "--format", "json"],
    ["check", "x'*A*x", "--wrt", "x", "-s", "x=n", "-s", "A=n,n", "--claim", "2*A*x",
     "--format", "md"],
    ["check", "tr(A*X)", "--wrt", "X", "-s", "A=n,n", "-s", "X=n,n", "--claim", "A",
     "--format", "latex"],
    ["codegen", "x'*A*x", "--wrt", "x", "-s", "x=n,1", "-s", "A=n,n", "--hessian"],
    ["codegen", "sum(tanh(W*x))", "--wrt", "W", "-s", "W=m,n", "-s", "x=n,1", "--backend",
     "jax"],
    ["codegen", "kron(X, A)", "--wrt", "X", "-s", "X=m,n", "-s", "A=p,q", "--jvp",
     "--backend", "torch"],
    ["rules"],
]

#: Claims checked through the API (formula, wrt, shapes, claim, kind).
CLAIMS = [
    ("W*a", "W", {"W": "m,n", "a": "n,1"}, "kron(a', I(m))", None),
    ("W*a", "W", {"W": "m,n", "a": "n,1"}, "kron(a, I(m))", None),
    ("logdet(X)", "X", {"X": "n,n"}, "inv(X)'", None),
    ("x'*A*x", "x", {"x": "n", "A": "n,n"}, "A + A'", "hessian"),
    ("x'*A*x", "x", {"x": "n", "A": "n,n"}, "2*A*x", None),
    ("f(W*X)", "W", {"W": "m,n", "X": "n,b"}, "f'(W*X)*X'", None),
    ("tr(A*X*B)", "X", {"A": "p,m", "X": "m,n", "B": "n,p"}, "B*A", None),
]


def attempt(function, *args, **kwargs):
    """``function(*args, **kwargs)``, or the error it raises, as text."""
    try:
        return function(*args, **kwargs)
    except matderiv.MatDerivError as error:
        return f"<MatDerivError: {error}>"


def dump_problem(out, formula, wrt, shapes, elementwise: bool):
    out.write(f"=== {formula!r} wrt {wrt} {json.dumps(shapes, sort_keys=True)}\n")
    try:
        d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    except matderiv.MatDerivError as error:
        out.write(f"derive: <MatDerivError: {error}>\n")
        return
    if d.is_scalar:
        out.write(f"gradient: {attempt(lambda: sympy.srepr(d.gradient()))}\n")
        out.write(f"rules gradient: {attempt(lambda: d.rules_used('gradient'))}\n")
        out.write(f"hessian: {attempt(lambda: sympy.srepr(d.hessian()))}\n")
    for vec in ("col", "row"):
        for layout in ("numerator", "denominator"):
            found = attempt(lambda v, lay: sympy.srepr(d.jacobian(vec=v, layout=lay)), vec, layout)
            out.write(f"jacobian {vec} {layout}: {found}\n")
        out.write(f"rules jacobian-{vec}: {attempt(d.rules_used, 'jacobian-' + vec)}\n")
    out.write(f"tensor: {attempt(lambda: sympy.srepr(d.tensor()))}\n")
    kind = "gradient" if d.is_scalar else "jacobian"
    out.write(f"proof text:\n{attempt(lambda: d.proof_text('rules', kind=kind))}\n")
    out.write(f"proof latex:\n{attempt(lambda: d.latex('rules', kind=kind))}\n")
    out.write(f"proof row:\n{attempt(lambda: d.proof_text('rules', kind='jacobian', vec='row'))}\n")
    if d.is_scalar:
        out.write(f"proof hessian:\n{attempt(lambda: d.proof_text('rules', kind='hessian'))}\n")
    for code_kind in (["gradient", "hessian"] if d.is_scalar else ["jacobian", "jvp"]):
        out.write(f"codegen {code_kind}:\n{attempt(d.to_source, code_kind)}\n")
    out.write(f"repr latex: {attempt(d._repr_latex_)}\n")
    if elementwise:
        out.write("elementwise:\n"
                  f"{attempt(lambda: d.proof_text('elementwise', kind=kind))}\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=400, help="random formulas to add")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--elementwise", action="store_true",
                        help="also the element-wise proofs of the corpus (slow)")
    parser.add_argument("--elementwise-random", action="store_true",
                        help="also the element-wise proofs of the random formulas (slower)")
    parser.add_argument("--skip-corpus", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    out = sys.stdout
    if not args.skip_corpus:
        from corpus import problems
        for problem in problems():
            dump_problem(out, problem.formula, problem.wrt, problem.shapes, args.elementwise)
        runner = CliRunner()
        for command in COMMANDS:
            result = runner.invoke(cli_main, command)
            out.write(f"=== $ matderiv {' '.join(command)}\nexit {result.exit_code}\n"
                      f"{result.output}\n")
        for formula, wrt, shapes, claim, kind in CLAIMS:
            d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
            verdict = attempt(lambda v: json.dumps(v.to_dict(), sort_keys=True,
                                                   ensure_ascii=False),
                              attempt(d.check_claim, claim, kind=kind))
            out.write(f"=== claim {claim!r} of {formula!r}\n{verdict}\n")
    from strategies import random_problem
    for number in range(args.random):
        problem = random_problem(random.Random(f"{args.seed}-{number}"))
        dump_problem(out, problem.formula, problem.wrt, problem.shapes,
                     args.elementwise_random)
    return 0


if __name__ == "__main__":
    sys.exit(main())

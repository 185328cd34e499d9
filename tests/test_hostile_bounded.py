"""Hostile input, bounded: every class of defect the second review found (issue 20), run
as real commands in one subprocess limited to 2.5 GB of address space (``ulimit -v``),
each within its time. A command must end in its result or in one clear line on stderr
(exit code 2), naming the cause: never a traceback, a MemoryError, a hang or an
allocation it did not budget for (those show as a crash or a killed process here).

The cases are samples of classes; tests/test_defects_ii.py holds the API-level
regressions with numeric checks.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

#: The driver's address space: SymPy and NumPy take about 0.5 GB of it.
MEMORY_LIMIT = 2_500_000_000
W_A = ["-s", "W=m,n", "-s", "a=n,1"]
NET3 = ["sum((W3*tanh(W2*tanh(W1*x + b1) + b2) + b3 - y).^2)", "--wrt", "W1", "-s", "W1=h,n",
        "-s", "x=n", "-s", "b1=h", "-s", "W2=h,h", "-s", "b2=h", "-s", "W3=k,h", "-s", "b3=k",
        "-s", "y=k"]
# A 6-layer network: its element-wise proof took about 20 s, and about 3 s since its
# printing no longer rebuilds index sums (the 3-layer one, once past 4 s, now takes
# about 1 s): a budget of 1 s still stops it.
NET6 = ["sum((tanh(W6*tanh(W5*tanh(W4*tanh(W3*tanh(W2*tanh(W1*x)))))) - y).^2)", "--wrt",
        "W1", "-s", "W1=h,n", "-s", "x=n", "-s", "W2=h,h", "-s", "W3=h,h", "-s", "W4=h,h",
        "-s", "W5=h,h", "-s", "W6=k,h", "-s", "y=k"]
CHAIN = "*".join(["inv(X)"] * 12)

# (name, args, exit code, text expected in stdout or stderr, seconds at most)
CASES = [
    # -- misreading: powers group to the right --------------------------------------
    ("2^3^2 is 512", ["derive", "2^3^2*X", "--wrt", "X", "-s", "X=n,n"], 0, "512", 20),
    ("X**2**3 is X^8", ["derive", "tr(X**2**3)", "--wrt", "X", "-s", "X=n,n", "--check"], 0,
     "8 (Xᵀ)^7", 20),
    # -- numbers of unbounded size ----------------------------------------------------
    ("huge exponent", ["derive", "1e99999999*X", "--wrt", "X", "-s", "X=n,n"], 2,
     "out of range", 10),
    ("tiny exponent", ["derive", "1e-99999999*X", "--wrt", "X", "-s", "X=n,n"], 2,
     "out of range", 10),
    ("4300-digit number", ["derive", "1e999999*X", "--wrt", "X", "-s", "X=n,n"], 2,
     "out of range", 10),
    ("eager power", ["derive", "2^9999999999*X", "--wrt", "X", "-s", "X=n,n"], 2,
     "digits", 10),
    ("growing product", ["derive", "2^1000*X*2^1000", "--wrt", "X", "-s", "X=n,n"], 2,
     "digits", 10),
    ("half-integer power", ["derive", "2^(999999999/2)*X", "--wrt", "X", "-s", "X=n,n"], 2,
     "digits", 10),
    ("huge size", ["derive", "W*a", "--wrt", "W", "-s", "W=99999999999999999999,n",
                   "-s", "a=n,1"], 2, "beyond the limit", 10),
    ("non-ASCII digit", ["derive", "W*a", "--wrt", "W", "-s", "W=٣,n", "-s", "a=n,1"], 2,
     "not a name or a positive integer", 10),
    # -- arrays allocated without knowing their size -----------------------------------
    ("kron at 30", ["derive", "kron(X,X,X)", "--wrt", "X", "-s", "X=30,30"], 0, "K(900, 30)",
     30),
    ("kron at 30, checked", ["derive", "kron(X,X,X)", "--wrt", "X", "-s", "X=30,30",
                             "--check"], 0, "same shape pattern", 60),
    ("W 100000 square, checked", ["derive", "W*a", "--wrt", "W", "-s", "W=100000,100000",
                                  "-s", "a=100000,1", "--check"], 0, "same shape pattern", 30),
    ("claim I(100000)", ["check", "X", "--wrt", "X", "-s", "X=n,n", "--claim", "I(100000)"],
     1, "ill-formed", 30),
    ("claim I(0)", ["check", "X", "--wrt", "X", "-s", "X=n,n", "--claim", "I(0)"], 1,
     "ill-formed", 30),
    ("element-wise kron at 12", ["prove", "kron(A,X)", "--wrt", "X", "-s", "A=12,12",
                                 "-s", "X=12,12", "--style", "elementwise"], 0,
     "Sizes given. The sizes given are integers", 30),  # proved on the twin (n12)
    # -- time: one budget for the whole command ----------------------------------------
    ("inverse of a sum at 6", ["prove", "inv(A+B)", "--wrt", "A", "-s", "A=6,6", "-s",
                               "B=6,6", "--style", "elementwise"], 0,
     "Sizes given. The sizes given are integers", 15),  # proved on the twin (n6)
    ("chain of 12 inverses", ["prove", CHAIN, "--wrt", "X", "-s", "X=n,n", "--style",
                              "elementwise", "--seconds", "4"], 2, "time budget", 12),
    ("det(X^8), both proofs", ["prove", "det(X^8)", "--wrt", "X", "-s", "X=n,n", "--style",
                               "both", "--seconds", "4"], 2, "time budget", 12),
    ("3-layer network, both proofs", ["prove", *NET3, "--style", "both", "--seconds", "4"],
     0, "checked exactly", 12),
    ("6-layer network, both proofs", ["prove", *NET6, "--style", "both", "--seconds", "1"],
     2, "time budget", 12),
    # -- crashes and withheld results ---------------------------------------------------
    ("tanh of logdet of a sum", ["derive", "tanh(logdet((X + A)/2))", "--wrt", "X", "-s",
                                 "X=n,n", "-s", "A=n,n", "--check"], 0, "agrees", 30),
    ("sqrt of a squared norm", ["derive", "sqrt(norm(2 + x)^2)", "--wrt", "x", "-s", "x=n",
                                "--check"], 0, "agrees", 30),
    ("trace of a non-square Kronecker", ["derive", "tr(kron(b, B))*sum(X)", "--wrt", "X",
                                         "-s", "b=2,1", "-s", "B=1,2", "-s", "X=m,n",
                                         "--check"], 0, "agrees", 30),
    ("cancels to 0", ["derive", "det(X*A^2)/det(X)", "--wrt", "X", "-s", "X=n,n", "-s",
                      "A=n,n", "--check"], 0, "= 0", 30),
    ("X ./ X", ["derive", "norm((X ./ X)*det(A))^2", "--wrt", "X", "-s", "X=n,n", "-s",
                "A=n,n", "--check"], 0, "agrees", 30),
    ("wide X'X", ["derive", "tr(A*X*inv(X'*X)*X')", "--wrt", "X", "-s", "A=n,n", "-s",
                  "X=n,d", "--check"], 0, "agrees", 30),
    ("claim where X'X is singular", ["check", "logdet(X'*X)", "--wrt", "X", "-s", "X=m,n",
                                     "--claim", "2*X*inv(X'*X)"], 0, "correct", 30),
    ("undefined everywhere", ["derive", "X./(X-X)", "--wrt", "X", "-s", "X=n,n"], 2,
     "defined nowhere", 10),
    # -- generated code -----------------------------------------------------------------
    ("scalar broadcast in codegen", ["codegen", "sum(X*(b + 2))", "--wrt", "X", "-s", "X=m,n",
                                     "-s", "b=n,1"], 0, "def gradient_X", 20),
    ("function named V", ["codegen", "V(X)", "--wrt", "X", "-s", "X=m,n", "--jvp"], 0,
     "V1", 20),
    ("sizes named like the direction", ["codegen", "V*W", "--wrt", "W", "-s", "V=V1,V_dir",
                                        "-s", "W=V_dir,direction", "--jvp"], 0, "V2", 20),
    ("--name np", ["codegen", "W*a", "--wrt", "W", *W_A, "--name", "np"], 2,
     "generated code uses", 10),
    ("a matrix named float", ["codegen", "float*a", "--wrt", "a", "-s", "float=m,n", "-s",
                              "a=n,1"], 2, "generated code uses", 10),
    # -- output channels ------------------------------------------------------------------
    ("strict JSON", ["check", "sum(X.^2)", "--wrt", "X", "-s", "X=n,n", "--claim", "log(X)",
                     "--format", "json"], 1, "null", 30),
    ("batch from /dev/zero", ["prove", "--batch", "/dev/zero"], 2, "not a regular file", 10),
    ("batch through a link to /dev/zero", ["prove", "--batch", "{tmp}/zero.toml"], 2,
     "not a regular file", 10),
    ("batch from a pipe", ["prove", "--batch", "{tmp}/pipe"], 2, "not a regular file", 10),
    ("oversized batch", ["prove", "--batch", "{tmp}/big.toml"], 2, "the limit is", 10),
    ("-o to a pipe nothing reads", ["prove", "W*a", "--wrt", "W", *W_A, "-o", "{tmp}/pipe"],
     2, "pipe that nothing reads", 10),
    ("-o over a read-only file", ["prove", "W*a", "--wrt", "W", *W_A, "-o",
                                  "{tmp}/read-only.tex"], 2, "read-only", 10),
    ("escape sequence in a batch name", ["check", "--batch", "{tmp}/names.toml"], 2,
     "\\x1b[2J", 30),
    ("-s name with an escape", ["derive", "W*a", "--wrt", "W", "-s", "\x1b[2J=m,n"], 2,
     "\\x1b[2J", 10),
    # -- readers of the output -------------------------------------------------------------
    ("brackets in statements", ["derive", "det(X)*tr(X)", "--wrt", "X", "-s", "X=n,n"], 0,
     "∂(det(X)*tr(X))/∂X", 20),
    ("--hessian --vec row", ["derive", "logdet(X)", "--wrt", "X", "-s", "X=n,n",
                             "--hessian", "--vec", "row", "--check"], 0, "∂vecr(X)", 30),
    ("--hessian --tensor", ["derive", "x'*A*x", "--wrt", "x", "-s", "x=n", "-s", "A=n,n",
                            "--hessian", "--tensor"], 2, "give one of", 10),
]


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Every case run once, in one subprocess under the memory limit."""
    tmp = tmp_path_factory.mktemp("hostile")
    os.symlink("/dev/zero", tmp / "zero.toml")
    os.mkfifo(tmp / "pipe")
    (tmp / "big.toml").write_text("a" * 2_000_000)
    (tmp / "read-only.tex").write_text("kept")
    os.chmod(tmp / "read-only.tex", 0o444)
    (tmp / "names.toml").write_text(
        '[[claim]]\nname = "seed \\u001b[2J\\nsecond line"\nformula = "W*a"\nwrt = "W"\n'
        'shapes = { W = "m,n", a = "n,1" }\nclaim = "oops("\n', encoding="utf-8")
    cases = [[arg.replace("{tmp}", str(tmp)) for arg in args] for _, args, *_ in CASES]
    (tmp / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "PYTHONWARNINGS": "ignore"}
    run = subprocess.run([sys.executable, str(HERE / "hostile_driver.py"),
                          str(tmp / "cases.json")], capture_output=True, text=True,
                         timeout=900, preexec_fn=_limit, env=env, cwd=tmp)
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == len(CASES), (run.returncode, run.stderr[-3000:])
    return dict(zip([case[0] for case in CASES], lines, strict=True))


@pytest.mark.parametrize("name, args, code, expected, seconds", CASES,
                         ids=[case[0] for case in CASES])
def test_hostile_command_is_bounded_and_clear(outcomes, name, args, code, expected, seconds):
    outcome = outcomes[name]
    assert outcome["crashed"] is None, outcome["crashed"]
    assert outcome["exit"] == code, (outcome["stdout"], outcome["stderr"])
    assert expected in outcome["stdout"] + outcome["stderr"], (outcome["stdout"],
                                                               outcome["stderr"])
    assert outcome["seconds"] <= seconds, outcome["seconds"]
    if code == 2:  # one clear line per failure, never a traceback
        errors = [line for line in outcome["stderr"].splitlines() if line]
        assert errors and all(line.startswith("matderiv: error:") for line in errors)
        assert "Traceback" not in outcome["stderr"] and "MemoryError" not in outcome["stderr"]

"""The command line: results, formats, and bad input as one line with exit code 2."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from matderiv.cli import main

SEED = ["derive", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1"]


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_derive_text():
    out = run(*SEED)
    assert out.exit_code == 0, out.output
    assert "∂vec(W a)/∂vec(W) = aᵀ ⊗ I_m" in out.output
    assert "vec stacks columns" in out.output


def test_derive_row_convention_and_check():
    out = run(*SEED, "--vec", "row", "--check")
    assert out.exit_code == 0, out.output
    assert "I_m ⊗ aᵀ" in out.output and "agrees with central finite differences" in out.output


def test_derive_gradient_latex():
    out = run("derive", "f(W*X)", "--wrt", "X", "-s", "W=m,n", "-s", "X=n,b", "--format", "latex")
    assert out.exit_code == 0, out.output
    assert r"W^{T} f'\left(W X\right)" in out.output


def test_derive_json():
    out = run(*SEED, "--format", "json", "--check")
    data = json.loads(out.output)
    assert data["result"]["latex"] == r"a^{T} \otimes I_{m}"
    assert data["vec"] == "col" and "numerator layout" in data["convention"]
    assert data["check"]["passed"] is True
    assert data["rules"] == ["d-linear", "vec-product"]


def test_scalar_shape_and_vector_shorthand():
    out = run("derive", "k*x'*A*x", "--wrt", "x", "-s", "k=", "-s", "x=n", "-s", "A=n,n",
              "--check")
    assert out.exit_code == 0, out.output
    assert "k (A + Aᵀ) x" in out.output


def test_errors_exit_2_with_one_line():
    for args in (["derive", "W*b", "--wrt", "W", "-s", "W=m,n", "-s", "b=m,1"],
                 ["derive", "W*(a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1"],
                 ["derive", "W*a", "--wrt", "W", "-s", "W"],
                 ["rules", "--phase", "nope"]):
        out = subprocess.run([sys.executable, "-m", "matderiv.cli", *args],
                             capture_output=True, text=True)
        assert out.returncode == 2, (args, out.stderr)
        assert out.stderr.count("\n") == 1 and out.stderr.startswith("matderiv: error:")
        assert "Traceback" not in out.stderr


def test_missing_wrt_is_a_usage_error():
    out = subprocess.run([sys.executable, "-m", "matderiv.cli", "derive", "W*a"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "--wrt" in out.stderr
    # click's usage, hint and message on three lines, made one like every other error
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("matderiv: error:")


def test_help_has_examples():
    assert "matderiv derive 'W*a'" in run("--help").output
    assert "Example" in run("derive", "--help").output
    assert "Example" in run("rules", "--help").output


def test_a_declared_function_name_is_announced_as_abstract():
    from click.testing import CliRunner

    from matderiv.cli import main
    out = CliRunner().invoke(main, ["derive", "sum(phi(W*x))", "--wrt", "W", "-s", "W=m,n",
                                    "-s", "x=n", "--function", "phi"])
    assert out.exit_code == 0
    assert "note: phi is not a built-in function: phi(·) is read as an abstract" in out.output
    # relu is built in now; an undeclared long name is an error that says how to declare
    out = CliRunner().invoke(main, ["derive", "sum(relu(W*x))", "--wrt", "W", "-s", "W=m,n",
                                    "-s", "x=n"])
    assert out.exit_code == 0 and "step(W x) xᵀ" in out.output
    assert "relu'(0) = step(0) = 0" in out.output
    out = CliRunner().invoke(main, ["derive", "sum(phi(W*x))", "--wrt", "W", "-s", "W=m,n",
                                    "-s", "x=n"])
    assert out.exit_code == 2 and "--function phi" in out.output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_disk_on_stdout_is_one_error_line_not_a_traceback():
    with open("/dev/full", "w") as full:
        out = subprocess.run([sys.executable, "-m", "matderiv.cli", "derive", "W*a",
                              "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1"],
                             stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr.strip() == ("matderiv: error: cannot write the output: "
                                  "No space left on device")

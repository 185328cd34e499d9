"""Regression tests for the defects a fresh-eyes review found; each is checked numerically."""

import os
import subprocess
import sys

import pytest

import matderiv
from matderiv.render.text import to_text


@pytest.mark.parametrize("formula, wrt, shapes, gradient_text", [
    # factor-right once bound the coefficient 2 as L and built 2 + R as 2·𝟏.
    ("x'*A*x - x'*x", "x", {"x": ("n", 1), "A": ("n", "n")}, "(A + Aᵀ) x - 2 x"),
    ("tr(X'*A*X) + tr(X'*X)", "X", {"X": ("n", "p"), "A": ("n", "n")}, "2 X + (A + Aᵀ) X"),
])
def test_scalar_coefficient_is_not_spread_into_ones(formula, wrt, shapes, gradient_text):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    assert to_text(d.gradient()) == gradient_text
    d.check(hessian=True)


def test_jacobian_with_scalar_coefficient_in_a_sum():
    d = matderiv.derive("X'*B - X'", wrt="X", shapes={"X": ("m", "p"), "B": ("m", "m")})
    assert "𝟏" not in to_text(d.jacobian())
    d.check()


def test_trace_of_kronecker_of_vectors_is_not_tr_times_tr():
    # SymPy's Trace(kron(a, b')).doit() returns tr(a) tr(b) for non-square factors.
    d = matderiv.derive("tr(kron(a, b'))*X", wrt="X",
                        shapes={"a": ("n", 1), "b": ("n", 1), "X": ("m", "n")})
    assert "tr(a)" not in to_text(d.jacobian())
    d.check()


def test_transpose_after_a_power_applies_to_the_power():
    d = matderiv.derive("X^2'", wrt="X", shapes={"X": ("n", "n")})
    assert to_text(d.expr) == "(X^2)ᵀ"
    d.check()


def test_hessian_of_a_negative_power_terminates():
    d = matderiv.derive("tr(inv(X))", wrt="X", shapes={"X": ("n", "n")})
    d.check(hessian=True)


@pytest.mark.parametrize("formula, shapes", [
    ("2^X", {"X": ("n", "n")}),
    ("(k*a)'*b'*X'", {"a": ("1", "m"), "b": ("n", 1), "X": ("p", "n"), "k": ()}),
])
def test_odd_input_is_one_error_not_a_crash(formula, shapes):
    try:
        d = matderiv.derive(formula, wrt="X", shapes=shapes)
        (d.gradient() if d.is_scalar else d.jacobian())
        d.check()
    except matderiv.MatDerivError:
        pass  # one clear error is the acceptable alternative to a verified result


def test_singular_point_is_an_error_not_a_traceback():
    d = matderiv.derive("inv(A*X*B)", wrt="X",
                        shapes={"A": ("n", "m"), "X": ("m", "p"), "B": ("p", "n")})
    try:
        d.check()
    except matderiv.MatDerivError as error:
        assert "singular" in str(error) or "WRONG" not in str(error)


def test_elementwise_proof_with_a_scalar_symbol():
    d = matderiv.derive("k*X", wrt="X", shapes={"X": ("m", "n"), "k": ()})
    assert "every entry" in d.proof_text("elementwise")


def test_elementwise_proof_keeps_both_product_rule_terms():
    d = matderiv.derive("f(X)*X", wrt="X", shapes={"X": ("m", "n")})
    assert "every entry" in d.proof_text("elementwise")


def test_text_brackets_a_sum_under_a_power():
    d = matderiv.derive("tr(X)^2", wrt="X", shapes={"X": ("n", "n")})
    text = d.proof_text("elementwise")
    assert "(Σ_{k=1..n} X_kk)^2" in text and "_k=" not in text


def test_huge_values_do_not_make_a_right_gradient_wrong():
    d = matderiv.derive("sum(X) - det(exp(C))", wrt="X", shapes={"X": ("m", "n"), "C": ("m", "m")})
    d.check()


@pytest.mark.parametrize("formula, wrt, shapes", [
    ("det(X)", "X", {"X": ("n", "n")}),
    ("sum(log(1 + exp(B*x)))", "x", {"B": ("m", "n"), "x": ("n", 1)}),
])
def test_hessian_check_is_not_noisy(formula, wrt, shapes):
    matderiv.derive(formula, wrt=wrt, shapes=shapes).check(hessian=True)


def test_output_file_permissions_and_symlinks(tmp_path):
    real = tmp_path / "real.tex"
    real.write_text("old")
    link = tmp_path / "link.tex"
    link.symlink_to(real)
    out = subprocess.run([sys.executable, "-m", "matderiv.cli", "prove", "W*a", "--wrt", "W",
                          "-s", "W=m,n", "-s", "a=n,1", "-o", str(link)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert link.is_symlink() and real.read_text().startswith(r"\documentclass")
    new = tmp_path / "new.txt"
    subprocess.run([sys.executable, "-m", "matderiv.cli", "prove", "W*a", "--wrt", "W",
                    "-s", "W=m,n", "-s", "a=n,1", "-o", str(new)], check=True,
                   capture_output=True)
    assert os.stat(new).st_mode & 0o044  # readable by others, like any new file


def test_no_warning_noise_on_stderr():
    out = subprocess.run([sys.executable, "-m", "matderiv.cli", "derive", "logdet(X'*X)",
                          "--wrt", "X", "-s", "X=m,n", "--check"], capture_output=True, text=True)
    assert "Warning" not in out.stderr


def test_no_trace_of_kronecker_rewrite_inside_canonical_forms():
    # MatAdd/Transpose.doit run Trace.doit on coefficients: tr(C0 kron C3') -> tr(C0) tr(C3).
    d = matderiv.derive("tr(kron(C0, kron(C3', C4 + C5)))*((tr(X')*C6 - C7)*(tr(X)*C8)')",
                        wrt="X", shapes={"C0": ("1", "n"), "C3": ("1", "n"), "C4": ("1", "1"),
                                         "C5": ("1", "1"), "C6": ("p", "n"), "C7": ("p", "n"),
                                         "C8": ("m", "n"), "X": ("n", "n")})
    assert "Trace(C0)" not in str(d.jacobian())
    d.check()


def test_check_draws_again_where_the_formula_is_singular():
    """X'X is singular for a wide X: --check used to call a right result WRONG there."""
    for formula, shapes in [("logdet(X'*X)", {"X": "n,k"}),
                            ("x'*inv(X'*X)*x", {"X": "n,k", "x": "k,1"})]:
        wrt = "X" if formula.startswith("logdet") else "x"
        report = matderiv.derive(formula, wrt=wrt, shapes=shapes).check()
        assert report.points == 3
        assert all(s["n"] >= s["k"] for s in report.sizes)


def test_check_says_when_the_formula_is_nowhere_defined():
    # X*ones(n, n) has rank 1: singular at every size the check draws (2 to 5).
    d = matderiv.derive("logdet(X*ones(n, n))", wrt="X", shapes={"X": "n,n"})
    with pytest.raises(matderiv.MatDerivError,
                       match="cannot check the result: the formula is not defined"):
        d.check()


def test_formula_starting_with_minus_gets_a_hint():
    from click.testing import CliRunner

    from matderiv.cli import main
    out = CliRunner().invoke(main, ["derive", "-x'*A*x", "--wrt", "x", "-s", "x=n", "-s",
                                    "A=n,n"])
    assert out.exit_code == 2
    assert "after '--'" in out.output and "in brackets" in out.output
    good = CliRunner().invoke(main, ["derive", "--wrt", "x", "-s", "x=n", "-s", "A=n,n", "--",
                                     "-x'*A*x"])
    assert good.exit_code == 0 and "-(A + Aᵀ) x" in good.output


def test_missing_backend_is_one_clear_error():
    import importlib.util
    if importlib.util.find_spec("jax") is not None:
        pytest.skip("jax is installed")
    d = matderiv.derive("x'*A*x", wrt="x", shapes={"x": "n,1", "A": "n,n"})
    with pytest.raises(matderiv.MatDerivError, match="jax backend needs jax"):
        d.to_function("gradient", backend="jax")

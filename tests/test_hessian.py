"""Hessians d²F/d vec(X) d vec(X)' of scalar formulas: textbook form and finite differences.

(Issue 4, in progress: the Hessian is the Jacobian of the gradient.)
"""

import numpy as np
import pytest
from helpers import build_expected

import matderiv
from matderiv.numeric.differences import assert_close, numeric_hessian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values

HESSIANS = [
    ("x'*A*x", "x", {"x": ("n", 1), "A": ("n", "n")}, "A + A'"),
    ("norm(A*x - b)^2", "x", {"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)}, "2*A'*A"),
    ("a'*X'*X*b", "X", {"a": ("n", 1), "X": ("m", "n"), "b": ("n", 1)},
     "kron(a*b' + b*a', I(m))"),
    ("tr(X'*A*X)", "X", {"X": ("m", "n"), "A": ("m", "m")}, "kron(I(n), A + A')"),
    ("logdet(X)", "X", {"X": ("n", "n")}, "-kron(inv(X), inv(X)')*K(n, n)"),
    ("sum(exp(x))", "x", {"x": ("n", 1)}, "diag(exp(x))"),
    ("tr(A*X)", "X", {"A": ("n", "n"), "X": ("n", "n")}, "0*I(n*n)"),
]


@pytest.mark.parametrize("formula, wrt, shapes, expected", HESSIANS, ids=[h[0] for h in HESSIANS])
def test_hessian(formula, wrt, shapes, expected):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    H = d.hessian()
    assert H == build_expected(expected, d), f"{formula}: {H}"
    rng = np.random.default_rng(5)
    for _ in range(2):
        values = random_values(d.expr, d.variable, rng)
        assert_close(evaluate(H, values), numeric_hessian(d.expr, d.variable, values),
                     what=f"Hessian of {formula}", rtol=1e-4, atol=1e-5)
    d.check(hessian=True)


def test_logistic_regression_hessian_numerically():
    d = matderiv.derive("sum(log(1 + exp(-y .* (X*w))))", wrt="w",
                        shapes={"X": ("n", "d"), "w": ("d", 1), "y": ("n", 1)})
    report = d.check(hessian=True)
    assert "Hessian" in report.checked


def test_hessian_of_abstract_f_is_refused_not_guessed():
    d = matderiv.derive("f(W*x)", wrt="W", shapes={"W": ("m", "n"), "x": ("n", 1)})
    with pytest.raises(matderiv.MatDerivError, match="no differential rule"):
        d.hessian()


def test_cli_hessian_flag_states_and_checks_it():
    from click.testing import CliRunner

    from matderiv.cli import main
    out = CliRunner().invoke(main, ["derive", "x'*A*x", "--wrt", "x", "-s", "x=n,1", "-s",
                                    "A=n,n", "--hessian", "--check"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("∂²(xᵀ A x)/∂vec(x)∂vec(x)ᵀ = A + Aᵀ\n")
    assert "Hessian" in out.output.split("check:")[1]


def test_prove_hessian_proves_the_gradient_then_its_jacobian():
    from click.testing import CliRunner

    from matderiv.cli import main
    out = CliRunner().invoke(main, ["prove", "x'*A*x", "--wrt", "x", "-s", "x=n,1", "-s",
                                    "A=n,n", "--hessian", "--style", "both"])
    assert out.exit_code == 0, out.output
    statements = [line for line in out.output.splitlines() if "roof that" in line]
    assert statements == ["Proof that ∂(xᵀ A x)/∂x = (A + Aᵀ) x",
                          "Element-wise proof that ∂(xᵀ A x)/∂x = (A + Aᵀ) x",
                          "Proof that ∂vec((A + Aᵀ) x)/∂vec(x) = A + Aᵀ",
                          "Element-wise proof that ∂vec((A + Aᵀ) x)/∂vec(x) = A + Aᵀ"]


def test_hessian_of_a_linear_formula_has_no_proof_but_is_zero():
    d = matderiv.derive("tr(A*X)", wrt="X", shapes={"A": "n,n", "X": "n,n"})
    assert d.hessian().is_ZeroMatrix
    with pytest.raises(matderiv.MatDerivError, match="Hessian is 0"):
        d.proof(kind="hessian")

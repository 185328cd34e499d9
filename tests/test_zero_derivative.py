"""A formula that does not depend on the variable, or whose differential pushes to 0,
has the zero of the right shape as its derivative, with a note; never an error. The
zero is proven (d-constant, or dF = 0), and checked against finite differences."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from sympy import ZeroMatrix
from sympy.tensor.array.expressions import Reshape

import matderiv
from matderiv.api.report import derivation_report
from matderiv.numeric.differences import assert_close, numeric_gradient, numeric_jacobian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values


def _zero_everywhere(d, points=3):
    """Every result of ``d`` is zero and has its shape at random points and sizes, and
    so do central finite differences."""
    rng = np.random.default_rng(2)
    for _ in range(points):
        values = random_values(d.expr, d.variable, rng)
        for vec in ("col", "row"):
            expected = numeric_jacobian(d.expr, d.variable, values, vec=vec)
            assert not np.any(expected)
            assert_close(evaluate(d.jacobian(vec=vec), values), expected, what="J")
            assert_close(evaluate(d.jacobian(vec=vec, layout="denominator"), values),
                         expected.T, what="J'")
        if d.is_scalar:
            expected = numeric_gradient(d.expr, d.variable, values)
            assert_close(evaluate(d.gradient(), values), expected, what="gradient")
            assert np.shape(evaluate(d.gradient(), values)) == np.shape(expected)
    assert d.check(hessian=d.is_scalar).passed


def test_a_scalar_formula_that_does_not_hold_the_variable():
    d = matderiv.derive("tr(A)", wrt="X", shapes={"A": ("n", "n"), "X": ("m", "n")})
    m, n = d.env["m"], d.env["n"]
    assert d.gradient() == ZeroMatrix(m, n)  # X's shape
    assert d.jacobian() == ZeroMatrix(1, m * n)
    assert d.jacobian(layout="denominator") == ZeroMatrix(m * n, 1)
    assert d.hessian() == ZeroMatrix(m * n, m * n)
    assert d.tensor().shape == (1, 1, m, n)
    _zero_everywhere(d)
    report = derivation_report(d, kind="gradient")
    assert report["notes"][0] == "the formula does not depend on X: its derivative is zero"
    assert report["statement"]["text"] == "∂tr(A)/∂X = 0"


def test_a_matrix_formula_that_does_not_hold_the_variable():
    d = matderiv.derive("W*a", wrt="X", shapes={"W": ("m", "n"), "a": ("n", 1),
                                                 "X": ("p", "q")})
    m, p, q = d.env["m"], d.env["p"], d.env["q"]
    # rows: the entries of F; columns: the entries of X
    assert d.jacobian() == ZeroMatrix(m, p * q)
    assert d.jacobian(vec="row", layout="denominator") == ZeroMatrix(p * q, m)
    assert d.tensor().shape == (m, 1, p, q)
    _zero_everywhere(d)


@pytest.mark.parametrize("formula, wrt, shapes, note", [
    ("x - x", "x", {"x": ("n", 1)}, "the derivative with respect to x is identically zero"),
    ("X^0", "X", {"X": ("n", "n")},
     "the formula, read as I_n, does not depend on X: its derivative is zero"),
    ("X*X - X^2", "X", {"X": ("n", "n")},
     "the derivative with respect to X is identically zero"),
    ("sum(X) - sum(X')", "X", {"X": ("n", "n")},
     "the derivative with respect to X is identically zero"),
    ("k*A - k*A", "A", {"k": (), "A": (1, 1)},
     "the derivative with respect to A is identically zero"),
])
def test_formulas_whose_derivative_vanishes(formula, wrt, shapes, note):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    assert isinstance(d.jacobian(), ZeroMatrix) and isinstance(d.tensor(), Reshape)
    assert not d.is_scalar or isinstance(d.gradient(), ZeroMatrix)
    _zero_everywhere(d)
    kind = "gradient" if d.is_scalar else "jacobian"
    assert derivation_report(d, kind=kind)["notes"][0] == note


def test_by_a_scalar_that_does_not_occur():
    d = matderiv.derive("A", wrt="t", shapes={"A": ("m", "n"), "t": ()})
    m, n = d.env["m"], d.env["n"]
    assert d.jacobian() == ZeroMatrix(m * n, 1) and d.tensor() == ZeroMatrix(m, n)
    _zero_everywhere(d)
    scalar = matderiv.derive("tr(A)", wrt="t", shapes={"A": ("n", "n"), "t": ()})
    assert scalar.gradient() == 0 and scalar.hessian() == 0
    _zero_everywhere(scalar)


def test_the_proofs_say_the_derivative_is_zero():
    d = matderiv.derive("tr(A)", wrt="X", shapes={"A": ("n", "n"), "X": ("n", "n")})
    rules = " ".join(d.proof_text("rules").split())
    assert "= 0 [d-constant]" in rules
    assert "Here F does not depend on X: dF = 0, and the derivative is zero." in rules
    elementwise = " ".join(d.proof_text("elementwise").split())
    assert "∂F/∂X_pq = 0" in elementwise and "G = 0" in elementwise
    vanishing = matderiv.derive("x - x", wrt="x", shapes={"x": ("n", 1)})
    assert "the derivative is identically zero" in " ".join(vanishing.proof_text().split())


def test_generated_code_returns_zeros_of_the_right_shape():
    d = matderiv.derive("W*a", wrt="X", shapes={"W": ("m", "n"), "a": ("n", 1),
                                                 "X": ("p", "q")})
    arguments = {"W": np.ones((2, 3)), "a": np.ones(3), "X": np.ones((4, 5))}
    assert np.array_equal(d.to_function("jacobian")(**arguments), np.zeros((2, 20)))
    assert np.array_equal(d.to_function("jvp")(**arguments, V=np.ones((4, 5))),
                          np.zeros((2, 1)))
    s = matderiv.derive("tr(A)", wrt="X", shapes={"A": ("n", "n"), "X": ("m", "n")})
    for kind, shape in (("gradient", (4, 3)), ("hessian", (12, 12))):
        assert np.array_equal(s.to_function(kind)(A=np.ones((3, 3)), X=np.ones((4, 3))),
                              np.zeros(shape))
        s.to_function(kind, with_check=True).check()


def test_check_accepts_zero_as_the_zero_of_any_shape():
    d = matderiv.derive("W*a", wrt="X", shapes={"W": ("m", "n"), "a": ("n", 1),
                                                 "X": ("p", "q")})
    for options in ({}, {"vec": "row", "layout": "denominator"}):
        verdict = d.check_claim("0", **options)
        assert verdict.verdict == "correct", verdict.explanation
        assert verdict.claim_expr.shape == verdict.result.shape
    s = matderiv.derive("tr(A)", wrt="X", shapes={"A": ("n", "n"), "X": ("m", "n")})
    for kind in ("gradient", "jacobian", "hessian"):
        assert s.check_claim("0", kind=kind).verdict == "correct"
    # Where the derivative is not zero, "0" is wrong, with a counterexample.
    wrong = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)}) \
        .check_claim("0")
    assert wrong.verdict == "wrong" and wrong.counterexample is not None
    assert wrong.counterexample.claim_value == 0 and wrong.counterexample.true_value != 0


def test_the_cli_answers_zero_with_a_note_and_exit_0():
    from matderiv.cli import main
    runner = CliRunner()
    out = runner.invoke(main, ["derive", "tr(A)", "--wrt", "X", "-s", "A=n,n", "-s", "X=n,n",
                               "--check"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("∂tr(A)/∂X = 0\n")
    assert "  note: the formula does not depend on X: its derivative is zero\n" in out.output
    out = runner.invoke(main, ["derive", "x - x", "--wrt", "x", "-s", "x=n", "--format",
                               "json"])
    report = json.loads(out.output)
    assert out.exit_code == 0 and report["result"]["text"] == "0" and report["shape"] == "n×n"
    assert report["notes"] == ["the derivative with respect to x is identically zero"]
    out = runner.invoke(main, ["check", "tr(A)", "--wrt", "X", "-s", "A=n,n", "-s", "X=n,n",
                               "--claim", "0"])
    assert out.exit_code == 0 and "verdict:    correct" in out.output
    out = runner.invoke(main, ["check", "tr(X)", "--wrt", "X", "-s", "X=n,n", "--claim", "0"])
    assert out.exit_code == 1 and "verdict:    wrong" in out.output

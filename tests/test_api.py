"""The Python API: SymPy results with the user's symbolic sizes, SymPy input, evaluate()."""

import numpy as np
import pytest
from helpers import expect
from sympy import Identity, KroneckerProduct, Symbol

import matderiv
from matderiv.numeric.differences import numeric_jacobian
from matderiv.numeric.points import random_values


def test_results_are_sympy_in_the_users_sizes():
    d = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
    m = Symbol("m", integer=True, positive=True)
    a = matderiv.vector("a", "n")
    assert d.jacobian() == KroneckerProduct(a.T, Identity(m))
    assert d.jacobian().shape == (m, m * Symbol("n", integer=True, positive=True))


def test_derive_accepts_sympy_expressions():
    W, a = matderiv.matrix("W", "m", "n"), matderiv.vector("a", "n")
    d = matderiv.derive(W * a, wrt=W)
    m = Symbol("m", integer=True, positive=True)
    assert d.jacobian() == KroneckerProduct(a.T, Identity(m))
    d.check()


def test_integer_sizes_work_too():
    expect("W*a", "W", {"W": (3, 2), "a": (2, 1)}, jacobian="kron(a', I(3))")


def test_results_are_simplified():
    # No identity factors, no zero terms, like terms collected.
    d = matderiv.derive("tr(X^2) + tr(X^2)", wrt="X", shapes={"X": ("n", "n")})
    assert str(d.gradient()) == "4*X.T"
    d.check()


def test_scalar_times_matrix_and_one_by_one_as_scalar():
    shapes = {"x": ("n", 1), "a": ("n", 1)}
    expect("sqrt((x-a)'*(x-a))", "x", shapes,
           gradient="(x - a)/sqrt((x-a)'*(x-a))")
    expect("0.5*(W*x)'*(W*x)", "W", {"W": ("m", "n"), "x": ("n", 1)}, gradient="W*x*x'")


def test_evaluate_matches_numpy():
    rng = np.random.default_rng(3)
    W, a = rng.normal(size=(4, 3)), rng.normal(size=(3, 1))
    shapes = {"W": ("m", "n"), "a": ("n", 1)}
    d = matderiv.derive("W*a", wrt="W", shapes=shapes)
    J = d.jacobian()
    expected = np.kron(a.T, np.eye(4))
    assert np.allclose(matderiv.evaluate(J, {"W": W, "a": a}, shapes=shapes), expected)
    assert np.allclose(matderiv.evaluate(J, {"a": a.ravel(), "m": 4}), expected)
    assert np.allclose(d.evaluate(J, {"W": W, "a": a}), expected)
    with pytest.raises(matderiv.MatDerivError, match="size m is not known"):
        matderiv.evaluate(J, {"a": a})


def test_commutation_matrix_numerically():
    d = matderiv.derive("X'", wrt="X", shapes={"X": ("m", "n")})
    X = np.arange(6.0).reshape(2, 3)
    K = d.evaluate(d.jacobian(), {"X": X})
    assert np.array_equal(K @ X.reshape(-1, order="F"), X.T.reshape(-1, order="F"))


def test_check_refuses_a_wrong_answer():
    """The numeric check is not a rubber stamp: a wrong closed form is caught."""
    from matderiv.numeric.differences import assert_close
    d = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
    values = random_values(d.expr, d.variable, np.random.default_rng(0))
    wrong = np.kron(np.eye(values["m"]), values["a"].T)  # the row-stacking answer
    with pytest.raises(matderiv.MatDerivError, match="WRONG"):
        assert_close(wrong, numeric_jacobian(d.expr, d.variable, values), what="claim")


def test_inconsistent_sizes_in_evaluate():
    d = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
    with pytest.raises(matderiv.MatDerivError, match="size n"):
        d.evaluate(d.jacobian(), {"W": np.zeros((2, 3)), "a": np.zeros((4, 1))})


def test_steps_record_every_rule():
    d = matderiv.derive("tr(A*X*B)", wrt="X",
                        shapes={"A": ("p", "m"), "X": ("m", "n"), "B": ("n", "p")})
    assert d.rules_used() == ["d-trace", "d-linear", "trace-as-inner", "inner-product"]
    step = d.steps()[0]
    assert str(step.before) == "d(Trace(A*X*B))" and step.rule.name == "d-trace"

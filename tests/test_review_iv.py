"""The fourth review's findings (issues 22, 23, 24 and 26, after their merge) as
regressions; each derivative checked against finite differences computed here from F
written in NumPy, not through matderiv's own check."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import matderiv


def _vech(matrix):
    return np.concatenate([matrix[j:, j] for j in range(matrix.shape[0])])


def _second_difference(f, point, u, v, h=1e-4):
    return (f(point + h * u + h * v) - f(point + h * u - h * v) - f(point - h * u + h * v)
            + f(point - h * u - h * v)) / (4 * h * h)


@pytest.mark.parametrize("formula, f", [
    ("log(det(S))", lambda s: np.log(np.linalg.det(s))),
    ("tr(S*S*S)", lambda s: np.trace(s @ s @ s)),
])
def test_hessian_by_a_symmetric_matrix_at_sizes_too_large_to_evaluate(formula, f):
    # was: "a formula given as a SymPy expression cannot be derived again" for a formula
    # given as text: the symmetric gradient's derivation had no way to its twin
    big = matderiv.derive(formula, wrt="S", shapes={"S": (100000, 100000)},
                          symmetric=["S"])
    named = matderiv.derive(formula, wrt="S", shapes={"S": ("n", "n")}, symmetric=["S"])
    n = sympy.Symbol("n", integer=True, positive=True)
    hessian = named.hessian()
    assert big.hessian() == hessian.subs(n, 100000)
    big.check(hessian=True)
    rng = np.random.default_rng(4)
    size = 3
    b = rng.standard_normal((size, size))
    s = (b + b.T) / 2 + size * np.eye(size)
    h = np.asarray(named.evaluate(hessian, {"S": s}), dtype=float)
    for _ in range(3):
        u, v = rng.standard_normal((2, size, size))
        u, v = u + u.T, v + v.T
        expected = _second_difference(f, s, u, v)
        assert _vech(u) @ h @ _vech(v) == pytest.approx(expected, rel=1e-5, abs=1e-6)


def test_evaluate_refuses_complex_values_instead_of_dropping_their_imaginary_parts():
    # was: matderiv.evaluate(J, {"z": z, ...}) cast complex arrays to float (a warning only)
    # and returned a wrong number; the derivation's own code evaluates complex values
    shapes = {"A": (2, 2), "z": (2, 1)}
    d = matderiv.derive("real(z'*A*z)", wrt="z", shapes=shapes, complex=["z", "A"])
    rng = np.random.default_rng(5)
    z = rng.standard_normal((2, 1)) + 1j * rng.standard_normal((2, 1))
    a = rng.standard_normal((2, 2)) + 1j * rng.standard_normal((2, 2))
    values = {"z": z, "A": a, "zbar": z.conj(), "Abar": a.conj()}
    with pytest.raises(matderiv.MatDerivError, match="complex"):
        matderiv.evaluate(d.gradient(), values,
                          shapes={**shapes, "zbar": (2, 1), "Abar": (2, 2)})
    gradient = np.asarray(d.to_function("gradient")(z=z, A=a)).reshape(2, 1)

    def f(point):
        return float(np.real(point.conj().T @ a @ point).item())

    for _ in range(3):
        v = rng.standard_normal((2, 1)) + 1j * rng.standard_normal((2, 1))
        h = 1e-6
        difference = (f(z + h * v) - f(z - h * v)) / (2 * h)
        # dF = 2 Re <G, dz>, G = dF/dzbar
        assert difference == pytest.approx(2 * np.real(np.sum(gradient.conj() * v)), rel=1e-6)


@pytest.mark.parametrize("field", ["symmetric", "diagonal", "complex", "hermitian",
                                   "functions"])
@pytest.mark.parametrize("value", ["S", [1], [["S"]], [None], {"S": 1}])
def test_a_list_field_of_the_json_api_given_something_else_is_refused_by_name(field, value):
    # was: "internal error: KeyError: <class 'list'>" (HTTP 500) for "symmetric": "S"
    from matderiv.api.service import check_request, codegen_request, derive_request
    base = {"formula": "tr(A*S)", "wrt": "S", field: value}
    for answer, request in ((derive_request, base), (codegen_request, base),
                            (check_request, {**base, "claim": "A'"})):
        with pytest.raises(matderiv.MatDerivError, match=field):
            answer(request)


def test_a_power_of_the_nuclear_norm_prints_its_subscript_before_the_exponent():
    # was: ∂(‖X‖_^*2)/∂X (the "**" of the power met the norm's "*")
    from matderiv.render import to_text
    d = matderiv.derive("nucnorm(X)^3", wrt="X", shapes={"X": ("n", "n")})
    assert to_text(d.expr) == "‖X‖_*^3"
    assert "‖X‖_*^2" in to_text(d.gradient())
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 3))

    def f(point):
        return np.linalg.svd(point, compute_uv=False).sum() ** 3

    gradient = np.asarray(d.evaluate(d.gradient(), {"X": x}), dtype=float)
    for _ in range(3):
        v = rng.standard_normal((3, 3))
        difference = (f(x + 1e-6 * v) - f(x - 1e-6 * v)) / 2e-6
        assert np.sum(gradient * v) == pytest.approx(difference, rel=1e-6)


def test_the_self_test_of_generated_code_runs_where_the_formula_is_defined():
    # was: tr(logm(X*X')) with X inferred n x m had its self-test point drawn 4 x 2, where
    # X X' is singular: _check() ended in numpy's LinAlgError
    d = matderiv.derive("tr(logm(X*X'))", wrt="X")
    function = d.to_function("gradient", with_check=True)
    assert function.check() < 1e-6
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 4))

    def f(point):  # tr logm(P) = log det P for a positive definite P
        return np.log(np.linalg.det(point @ point.T))

    gradient = np.asarray(function(X=x), dtype=float)
    for _ in range(3):
        v = rng.standard_normal((2, 4))
        difference = (f(x + 1e-6 * v) - f(x - 1e-6 * v)) / 2e-6
        assert np.sum(gradient * v) == pytest.approx(difference, rel=1e-6)
    with pytest.raises(matderiv.MatDerivError, match="without --with-check"):
        matderiv.derive("tr(logm(X*X'))", wrt="X", shapes={"X": (4, 2)}).to_source(
            with_check=True)


def test_third_derivative_at_sizes_whose_square_passes_the_size_limit():
    # A rule's sizes (I(40000**2)) may pass the limit on what a user writes (10^9).
    named = matderiv.derive("sum(exp(X))", wrt="X", shapes={"X": ("n", "n")})
    third = named.derivative(order=3)
    # entries δ_ik δ_jl δ_kp δ_lq exp(X_ij), checked here by hand at n = 2
    x = np.random.default_rng(9).standard_normal((2, 2))
    expected = np.zeros((2,) * 6)
    for i in range(2):
        for j in range(2):
            expected[i, j, i, j, i, j] = np.exp(x[i, j])
    assert np.allclose(np.asarray(named.evaluate(third, {"X": x}), dtype=float), expected)
    big = matderiv.derive("sum(exp(X))", wrt="X", shapes={"X": (40000, 40000)})
    n = sympy.Symbol("n", integer=True, positive=True)
    assert big.derivative(order=3) == third.subs(n, 40000)


def test_pinv_of_a_structurally_rank_deficient_square_product_is_refused():
    # T T' (T 3 x 2) is 3 x 3 of rank at most 2 at any values: never of full column
    # rank, which pinv's derivative rule assumes. Refused where it is read, by its place.
    with pytest.raises(matderiv.MatDerivError, match="rank at most 2") as caught:
        matderiv.derive("x'*pinv(T*T')*x", wrt="T", shapes={"T": (3, 2), "x": (3, 1)})
    assert caught.value.span is not None
    for formula, shapes in [("pinv(x*y')", {"x": (3, 1), "y": (3, 1)}),
                            ("pinv(T*T' + x*x')", {"T": (4, 2), "x": (4, 1)})]:
        with pytest.raises(matderiv.MatDerivError, match="rank at most"):
            matderiv.derive(formula, wrt="x", shapes=shapes)
    # whose structure allows full column rank: derived, and right by differences
    rng = np.random.default_rng(10)
    for formula, shapes in [("x'*pinv(T'*T)*y", {"T": (3, 2), "x": (2, 1), "y": (2, 1)}),
                            ("x'*pinv(T*T' + A)*x", {"T": (3, 2), "x": (3, 1), "A": (3, 3)})]:
        d = matderiv.derive(formula, wrt="T", shapes=shapes)
        values = {name: rng.standard_normal(shape) for name, shape in shapes.items()}

        def f(point, d=d, values=values):
            return np.asarray(d.evaluate(d.expr, {**values, "T": point}), dtype=float).item()

        v = rng.standard_normal(shapes["T"])
        difference = (f(values["T"] + 1e-6 * v) - f(values["T"] - 1e-6 * v)) / 2e-6
        gradient = np.asarray(d.evaluate(d.gradient(), values), dtype=float)
        assert np.sum(gradient * v) == pytest.approx(difference, rel=1e-5)

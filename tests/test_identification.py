"""Issue 22, identification: every differential the differential phase produces is
brought to <G, dX> or J vec(dX). The formulas an independent fuzz found refused —
a vector or matrix times a *sum* of inner products, vec((<g, dx> + <h, dx>) v), and
Kronecker products inside scalars — each in its textbook form where one is stated,
and every one checked against central finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import build_expected, expect

import matderiv
from matderiv.expressions import MatDiff, Unvec, Vec, Vecr
from matderiv.numeric.differences import assert_close, numeric_gradient, numeric_jacobian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values, well_conditioned

QUADRATIC = {"x": ("n", 1), "A": ("n", "n")}


def hessian_checked(formula, wrt, shapes, *, points=3, seed=3):
    """The Hessian, compared at random points with differences of the gradient, itself
    compared with differences of F (second differences of F lose too many digits where
    F is large), and by ``check(hessian=True)``."""
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    G, H = d.gradient(), d.hessian()
    rng = np.random.default_rng(seed)
    checked = 0
    for _ in range(10 * points):
        values = random_values(d.expr, d.variable, rng)
        if not well_conditioned(d.expr, values, {}):
            continue  # det(X'X) of a wide X: F is constant there, its Hessian says nothing
        checked += 1
        if checked > points:
            break
        scale = 1 + float(np.max(np.abs(evaluate(G, values))))
        assert_close(evaluate(G, values), numeric_gradient(d.expr, d.variable, values),
                     what=f"the gradient of {formula}", rtol=1e-5, atol=1e-7 * scale)
        assert_close(evaluate(H, values), numeric_jacobian(G, d.variable, values),
                     what=f"the Hessian of {formula}", rtol=1e-5, atol=1e-7 * scale)
    assert checked, f"no random point where {formula} is well conditioned"
    d.check(hessian=True)
    assert not H.has(MatDiff)
    return d, H


def test_hessian_of_squared_quadratic_form_is_the_textbook_one():
    d, H = hessian_checked("(x'*A*x)^2", "x", QUADRATIC)
    expected = "2*((x'*A*x)*(A + A') + (A + A')*x*x'*(A + A'))"
    assert H == build_expected(expected, d), H
    assert d.check_claim(expected, kind="hessian").verdict == "correct"


def test_rayleigh_quotient_hessian():
    d, H = hessian_checked("x'*A*x/(x'*x)", "x", QUADRATIC)
    # The usual form: (A + A')/(x'x) - 2 R I/(x'x) - 2 ((A + A') x x' + x x' (A + A'))/(x'x)^2
    # + 8 R x x'/(x'x)^2, R = x'Ax / x'x.
    usual = ("(A + A')/(x'*x) - 2*(x'*A*x)/(x'*x)^2*I(n) "
             "- 2*((A + A')*x*x' + x*x'*(A + A'))/(x'*x)^2 + 8*(x'*A*x)/(x'*x)^3*x*x'")
    assert d.check_claim(usual, kind="hessian").verdict == "correct"
    assert not H.has(Vec, Vecr, Unvec)  # in closed form, no vec left over


def test_hessian_of_distance_is_the_textbook_one():
    d, H = hessian_checked("sqrt((x-a)'*(x-a))", "x", {"x": ("n", 1), "a": ("n", 1)})
    expected = "I(n)/sqrt((x-a)'*(x-a)) - ((x-a)'*(x-a))^(-3/2)*(x-a)*(x-a)'"
    assert H == build_expected(expected, d), H


def test_hessian_of_trace_times_determinant():
    d, H = hessian_checked("tr(X)*det(X)", "X", {"X": ("n", "n")})
    # det X (tr X vec(X^-T) vec(X^-T)' + vec(I) vec(X^-T)' + vec(X^-T) vec(I)'
    #        - tr X (X^-1 ⊗ X^-T) K)
    textbook = ("det(X)*(tr(X)*vec(inv(X)')*vec(inv(X)')' + vec(I(n))*vec(inv(X)')' "
                "+ vec(inv(X)')*vec(I(n))' - tr(X)*kron(inv(X), inv(X)')*K(n, n))")
    assert d.check_claim(textbook, kind="hessian").verdict == "correct"


def test_hessian_of_gram_determinant():
    d, H = hessian_checked("det(X'*X)", "X", {"X": ("m", "n")})
    # with P = X (X'X)^-1: 4 det(X'X) vec(P) vec(P)' + 2 det(X'X) ((X'X)^-1 ⊗ (I - P X')
    # - ((X'X)^-1 X' ⊗ P) K)
    P = "X*inv(X'*X)"
    textbook = (f"4*det(X'*X)*vec({P})*vec({P})' + 2*det(X'*X)*(kron(inv(X'*X), I(m) - {P}*X') "
                f"- kron(inv(X'*X)*X', {P})*K(m, n))")
    assert d.check_claim(textbook, kind="hessian").verdict == "correct"


def test_hessian_of_sum_of_squared_softmax():
    d, H = hessian_checked("sum(softmax(x).^2)", "x", {"x": ("n", 1)})
    # s = softmax(x), S = diag(s) - s s' (its Jacobian): H = 2 S S + 2 (diag(s .* s)
    # - s (s .* s)' - (s .* s) s' - (s's) S + 2 (s's) s s' ... checked as a claim in the
    # chain-rule form 2 S'S + 2 sum_i s_i d²s_i:
    textbook = ("2*(diag(softmax(x)) - softmax(x)*softmax(x)')^2 + 2*(diag(softmax(x).^2) "
                "- softmax(x)*(softmax(x).^2)' - (softmax(x).^2)*softmax(x)' "
                "- (softmax(x)'*softmax(x))*(diag(softmax(x)) - 2*softmax(x)*softmax(x)'))")
    assert d.check_claim(textbook, kind="hessian").verdict == "correct"


def test_jacobian_of_quadratic_form_times_vector_is_the_textbook_one():
    expect("(x'*A*x)*(A*x)", "x", QUADRATIC, jacobian="(x'*A*x)*A + A*x*x'*(A + A')")


def test_gradient_of_sum_of_kronecker_product():
    shapes = {"A": ("m", "n"), "B": ("p", "q")}
    expect("sum(kron(A, B))", "A", shapes, gradient="sum(B)*ones(m, n)")
    expect("sum(kron(A, B))", "B", shapes, gradient="sum(A)*ones(p, q)")


def test_kronecker_products_of_vectors():
    V = {"x": ("n", 1), "y": ("m", 1)}
    expect("kron(x, y)", "x", V, jacobian="kron(I(n), y)")
    expect("kron(x, y)", "y", V, jacobian="kron(x, I(m))")
    expect("sum(kron(x, y))", "x", V, gradient="sum(y)*ones(n, 1)")
    d, H = hessian_checked("sum(kron(x, x))", "x", {"x": ("n", 1)})
    assert H == build_expected("2*ones(n, n)", d), H


@pytest.mark.parametrize("formula, wrt, shapes", [
    ("tr(kron(A, X))", "X", {"A": ("m", "n"), "X": ("n", "m")}),   # factors not square
    ("tr(kron(X, B))", "X", {"X": ("m", "n"), "B": ("n", "m")}),
    ("logsumexp(kron(a, X))", "X", {"a": ("m", 1), "X": ("p", "q")}),
    ("sum(exp(kron(X, B)))", "X", {"X": ("m", "n"), "B": ("p", "q")}),
    ("x'*kron(A, B)*x", "x", {"x": ("m*p", 1), "A": ("m", "m"), "B": ("p", "p")}),
    ("sum(kron(A, X).^2)", "X", {"A": ("m", "n"), "X": ("p", "q")}),
    ("mean(kron(A, X))", "X", {"A": ("m", 1), "X": ("p", "q")}),
])
def test_kronecker_products_inside_scalars(formula, wrt, shapes):
    d, H = hessian_checked(formula, wrt, shapes, points=2)
    assert not d.gradient().has(MatDiff)


@pytest.mark.parametrize("formula, wrt, shapes", [
    ("softmax(softmax(x))", "x", {"x": ("n", 1)}),
    ("softmax(softmax(X, 1), 2)", "X", {"X": ("m", "n")}),
    ("max(x, k)", "x", {"x": ("n", 1), "k": ()}),
    ("max(x, k)", "k", {"x": ("n", 1), "k": ()}),
    ("min(X, k)*A", "X", {"X": ("m", "n"), "k": (), "A": ("n", "p")}),
    ("sigmoid(tr(A + X'))*B", "X", {"A": ("n", "n"), "X": ("n", "n"), "B": ("m", "p")}),
    ("norm(X^2)*X", "X", {"X": ("n", "n")}),
    ("logsumexp(softmax(x))*y", "x", {"x": ("n", 1), "y": ("m", 1)}),
])
def test_nested_scalar_functions_times_matrices(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    for vec in ("col", "row"):
        assert not d.jacobian(vec=vec).has(MatDiff)
    d.check()


@pytest.mark.parametrize("formula, wrt, shapes", [
    ("sigmoid(logdet(X))", "X", {"X": ("n", "n")}),
    ("norm(softmax(X, 1))", "X", {"X": ("m", "n")}),
    ("exp(sum(softmax(X, 1)))", "X", {"X": ("m", "n")}),
    ("dot(softmax(x), a)", "x", {"x": ("n", 1), "a": ("n", 1)}),
    ("sigmoid(norm(X))", "X", {"X": ("m", "n")}),
])
def test_hessians_of_nested_scalar_functions(formula, wrt, shapes):
    hessian_checked(formula, wrt, shapes, points=2)


def test_commutation_matrix_and_kronecker_product_inside_a_trace():
    # tr(K (X ⊗ X)) = tr(X X) (Magnus & Neudecker, Thm 3.1 (xiii)): its gradient is 2 X'
    d = matderiv.derive("tr(K(n, n)*kron(X, X))", wrt="X", shapes={"X": ("n", "n")})
    assert not d.gradient().has(MatDiff)
    d.check()
    assert d.check_claim("2*X'").verdict == "correct"


def test_a_declared_one_by_one_matrix_in_kron_scales():
    d = matderiv.derive("kron(a, B)", wrt="B", shapes={"a": (1, 1), "B": ("m", "n")})
    assert d.jacobian() == build_expected("a*I(m*n)", d)
    d.check()
    d = matderiv.derive("kron(u'*v, B)", wrt="v", shapes={"u": ("k", 1), "v": ("k", 1),
                                                             "B": ("m", "n")})
    d.check()
    with pytest.raises(matderiv.MatDerivError, match="kron takes matrices"):
        matderiv.derive("kron(B, 2)", wrt="B", shapes={"B": ("m", "n")})

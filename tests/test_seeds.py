"""Every result of the two seed notes (../shared/seeds/), each checked numerically too.

Seed 1: d(Wa)/d vec(W) = aᵀ ⊗ I_m. Seed 2: the W-tilde (row-stacking) Jacobians of
items 5-8, the product / inner-product / linear-map rules of items 1-3, and the
gradients "as matrix" of z = f(Y), Y = W X of items 9-11.
"""

import pytest
from helpers import expect

W_a = {"W": ("m", "n"), "a": ("n", 1)}
W_x = {"W": ("m", "n"), "x": ("n", 1)}
W_X = {"W": ("m", "n"), "X": ("n", "b")}


def test_seed1_jacobian_of_Wa_is_aT_kron_I():
    expect("W*a", "W", W_a, jacobian="kron(a', I(m))")


def test_seed2_item5_row_stacking_is_I_kron_aT():
    expect("W*x", "W", W_x, jacobian_row="kron(I(m), x')", jacobian="kron(x', I(m))")


def test_seed2_item6_YWX_wrt_W():
    expect("W*X", "W", W_X, jacobian="kron(X', I(m))", jacobian_row="kron(I(m), X')")


def test_seed2_items7_8_YWX_wrt_X():
    expect("W*X", "X", W_X, jacobian="kron(I(b), W)", jacobian_row="kron(W, I(b))")


def test_seed2_item1_product_rule_scalar_times_vector():
    d = expect("(c'*x)*(B*x)", "x", {"c": ("n", 1), "x": ("n", 1), "B": ("m", "n")},
               jacobian="(c'*x)*B + B*x*c'")
    assert "d-product" in d.rules_used("jacobian-col")


def test_seed2_item2_inner_product_rule():
    d = expect("(B*x)'*(C*x)", "x", {"B": ("m", "n"), "C": ("m", "n"), "x": ("n", 1)},
               gradient="(B'*C + C'*B)*x", jacobian="x'*(B'*C + C'*B)")
    assert "d-product" in d.rules_used()


def test_seed2_item2_dot_notation():
    expect("dot(B*x, C*x)", "x", {"B": ("m", "n"), "C": ("m", "n"), "x": ("n", 1)},
           gradient="(B'*C + C'*B)*x")


def test_seed2_item3_linear_map():
    d = expect("A*(B*x)", "x", {"A": ("m", "m"), "B": ("m", "n"), "x": ("n", 1)},
               jacobian="A*B")
    assert d.rules_used("jacobian-col")[0] == "d-linear"


@pytest.mark.parametrize("formula, wrt, shapes, gradient", [
    ("f(W*x)", "W", W_x, "f'(W*x)*x'"),              # item 9
    ("f(W*X)", "W", W_X, "f'(W*X)*X'"),              # item 10
    ("f(W*X)", "X", W_X, "W'*f'(W*X)"),              # item 11
])
def test_seed2_items9_11_abstract_f(formula, wrt, shapes, gradient):
    expect(formula, wrt, shapes, gradient=gradient)


def test_seed2_item10_concrete_f_tanh():
    expect("sum(tanh(W*X))", "W", W_X, gradient="(1 - tanh(W*X).^2)*X'")


def test_seed2_item11_concrete_f_tanh_wrt_X():
    expect("sum(tanh(W*X))", "X", W_X, gradient="W'*(1 - tanh(W*X).^2)")


def test_seed2_items10_11_least_squares():
    shapes = {**W_X, "Y": ("m", "b")}
    expect("norm(W*X - Y)^2", "W", shapes, gradient="2*(W*X - Y)*X'")
    expect("norm(W*X - Y)^2", "X", shapes, gradient="2*W'*(W*X - Y)")

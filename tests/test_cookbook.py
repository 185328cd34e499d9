"""Standard results of The Matrix Cookbook, chapter 2, in their simplified textbook form.

Equation numbers are those of the 2012 edition (Petersen & Pedersen); a result that
is not numbered there names its section instead. Every result is compared
symbolically and checked against finite differences (tests/helpers.py). The whole
chapter, equation by equation, is in tests/test_cookbook_ch2.py; this table also
feeds the all-proofs document of tests/test_proofs.py.
"""

import pytest
from helpers import expect

SQ = {"X": ("n", "n"), "A": ("n", "n"), "B": ("n", "n")}

GRADIENTS = [
    # (name, formula, wrt, shapes, textbook gradient)
    ("eq70_aTXb", "a'*X*b", "X", {"a": ("m", 1), "X": ("m", "n"), "b": ("n", 1)}, "a*b'"),
    ("eq71_aTXTb", "a'*X'*b", "X", {"a": ("n", 1), "X": ("m", "n"), "b": ("m", 1)}, "b*a'"),
    ("eq81_xTAx", "x'*A*x", "x", {"x": ("n", 1), "A": ("n", "n")}, "(A + A')*x"),
    ("eq100_trXA", "tr(A*X)", "X", {"A": ("n", "m"), "X": ("m", "n")}, "A'"),
    ("eq103_trXTA", "tr(X'*A)", "X", {"X": ("m", "n"), "A": ("m", "n")}, "A"),
    ("eq101_trAXB", "tr(A*X*B)", "X", {"A": ("p", "m"), "X": ("m", "n"), "B": ("n", "p")},
     "A'*B'"),
    ("eq111_trXAXT", "tr(X*A*X')", "X", {"X": ("m", "n"), "A": ("n", "n")}, "X*(A + A')"),
    ("eq106_trX2", "tr(X^2)", "X", {"X": ("n", "n")}, "2*X'"),
    ("eq49_det", "det(X)", "X", {"X": ("n", "n")}, "det(X)*inv(X)'"),
    ("eq57_logdet", "logdet(X)", "X", {"X": ("n", "n")}, "inv(X)'"),
    ("eq124_trAinvXB", "tr(A*inv(X)*B)", "X", SQ, "-inv(X)'*A'*B'*inv(X)'"),
    ("sec2_6_least_squares", "norm(A*x - b)^2", "x",
     {"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)}, "2*A'*(A*x - b)"),
    ("elementwise_sum_exp", "sum(exp(X))", "X", {"X": ("m", "n")}, "exp(X)"),
]


@pytest.mark.parametrize("name, formula, wrt, shapes, gradient", GRADIENTS,
                         ids=[g[0] for g in GRADIENTS])
def test_cookbook_gradient(name, formula, wrt, shapes, gradient):
    expect(formula, wrt, shapes, gradient=gradient)


def test_eq40_jacobian_of_inverse():
    expect("inv(X)", "X", {"X": ("n", "n")}, jacobian="-kron(inv(X)', inv(X))",
           jacobian_row="-kron(inv(X), inv(X)')")


def test_jacobian_of_transpose_is_commutation_matrix():
    expect("X'", "X", {"X": ("m", "n")}, jacobian="K(m, n)", jacobian_row="K(n, m)")


def test_jacobian_of_hadamard_is_diagonal():
    expect("X .* A", "X", {"X": ("m", "n"), "A": ("m", "n")}, jacobian="diag(vec(A))",
           jacobian_row="diag(vecr(A))")


def test_jacobian_of_kronecker_magnus_neudecker_thm_3_10():
    expect("kron(X, A)", "X", {"X": ("m", "n"), "A": ("p", "q")},
           jacobian="kron(I(n), K(q, m), I(p))*kron(I(m*n), vec(A))")
    expect("kron(A, X)", "X", {"X": ("m", "n"), "A": ("p", "q")},
           jacobian="kron(I(q), K(n, p), I(m))*kron(vec(A), I(m*n))")

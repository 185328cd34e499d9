"""The element-wise proof's exact check in polynomials (proofs/polynomial_check.py).

It says True only where every entry of the formula equals the closed form's as a
polynomial in independent unknowns (the matrices' entries, each function value): a wrong
closed form is never "checked exactly", and a proof whose last equality fails is refused.
"""

import time

import pytest
import sympy
from sympy import Dummy, MatrixSymbol, Sum, Symbol

import matderiv
from matderiv.expressions import Elementwise
from matderiv.proofs import elementwise as E
from matderiv.proofs.entry_checks import exact_at, size_sets
from matderiv.proofs.polynomial_check import same_entries

NETWORK = ("sum((W2*tanh(W1*x + b1) + b2 - y).^2)", "W1",
           {"W1": "h,n", "x": "n,1", "b1": "h,1", "W2": "m,h", "b2": "m,1", "y": "m,1"})

n = Symbol("n", integer=True, positive=True)
i = Symbol("i", integer=True, nonnegative=True)
k = Dummy("k", integer=True, nonnegative=True)
A, x = MatrixSymbol("A", n, n), MatrixSymbol("x", n, 1)
COLUMN = [((r,), (r, 0)) for r in range(3)]


def test_a_product_and_its_transpose():
    formula = Sum(A[i, k] * x[k, 0], (k, 0, n - 1))           # (A x)_i
    assert same_entries(formula, (i,), A * x, {n: 3}, COLUMN) is True
    assert same_entries(formula, (i,), A.T * x, {n: 3}, COLUMN) is False
    assert same_entries(formula, (i,), 2 * A * x, {n: 3}, COLUMN) is False


def test_function_values_are_unknowns_of_their_own():
    tanh_ax = Elementwise("tanh", A * x)
    formula = sympy.tanh(Sum(A[i, k] * x[k, 0], (k, 0, n - 1)))
    assert same_entries(formula, (i,), tanh_ax, {n: 2}, COLUMN[:2]) is True
    assert same_entries(formula, (i,), Elementwise("sigmoid", A * x), {n: 2}, COLUMN[:2]) \
        is False
    # exp(a) exp(b) = exp(a + b) is true, but not as polynomials in the unknowns exp(a),
    # exp(b), exp(a + b): the check does not say "equal" (the proof falls back on SymPy)
    product = sympy.exp(A[i, 0]) * sympy.exp(A[i, 1])
    exp_of_sum = Elementwise("exp", A * sympy.OneMatrix(n, 1))
    assert same_entries(product, (i,), exp_of_sum, {n: 2}, COLUMN[:2]) is False


def test_an_inverse_goes_to_fractions():
    formula = Sum(sympy.Inverse(A)[i, k] * x[k, 0], (k, 0, n - 1))
    assert same_entries(formula, (i,), sympy.Inverse(A) * x, {n: 2}, COLUMN[:2]) is True
    assert same_entries(formula, (i,), sympy.Inverse(A).T * x, {n: 2}, COLUMN[:2]) is False
    # without fractions the check stops short and says nothing
    assert same_entries(formula, (i,), sympy.Inverse(A) * x, {n: 2}, COLUMN[:2],
                        fractions=False) is None


def test_network_checked_exactly_at_both_size_sets():
    d = matderiv.derive(*NETWORK[:2], shapes=NETWORK[2])
    proof = d.proof("elementwise", kind="gradient")
    text = proof.sections[-1].text
    assert "checked exactly at every entry for sizes h=2, m=3, n=2 and h=3, m=2, n=3" in text
    assert "numerically at every entry" in text
    d.check()


@pytest.mark.parametrize("wrong", ["transposed factor", "sigmoid for tanh", "half"])
def test_a_wrong_network_gradient_is_never_checked_and_is_refused(wrong):
    d = matderiv.derive(*NETWORK[:2], shapes=NETWORK[2])
    right = d.gradient()
    env = d.env
    W1, W2, x_, b1, b2, y = (env[name] for name in ("W1", "W2", "x", "b1", "b2", "y"))
    hidden = W1 * x_ + b1
    if wrong == "transposed factor":   # W2' (W2 h + b2 - y) ∘ (1 - h^2) x' with h = b1 + W1 x
        residual = W2 * Elementwise("tanh", hidden) + b2 - y
        bad = 2 * sympy.HadamardProduct(W2.T * residual, Elementwise("tanh", hidden)) * x_.T
    elif wrong == "sigmoid for tanh":
        bad = right.xreplace({Elementwise("tanh", hidden): Elementwise("sigmoid", hidden)})
    else:
        bad = right / 2
    assert bad != right
    indices, _ = E._index_symbols(d)
    partial = E.differentiate_entry(E._index_form(d.expr), d.variable[indices[2], indices[3]])
    d.gradient = lambda: bad
    for sizes in size_sets(d):
        assert not exact_at(d, "gradient", "col", partial, indices, sizes, 20.0,
                            time.monotonic())
    with pytest.raises(matderiv.MatDerivError, match="element-wise proof refused"):
        d.proof("elementwise", kind="gradient")

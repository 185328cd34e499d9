"""The element-wise proof's float walk of an entry formula (proofs/entry_values.py) gives
the value SymPy's way gives (indices put in with subs, sums done with doit), at every
entry, and index sums evaluated without closed-form searches are the same expressions."""

import itertools

import numpy as np
import pytest
import sympy

import matderiv
from matderiv.numeric.points import random_values, size_symbols
from matderiv.proofs import elementwise as E
from matderiv.proofs.entry_checks import inverses_as_values, numeric_value
from matderiv.proofs.entry_values import EntryValues
from matderiv.proofs.index_sums import evaluate_sums, write_out_sums

FORMULAS = [
    ("sum((W2*tanh(W1*x + b1) + b2 - y).^2)", "W1", None),
    ("log(sum(exp(W*x))) - y'*W*x", "W", {"W": ("k", "d"), "x": ("d", 1), "y": ("k", 1)}),
    ("det(A0 + A1')", "A0", {"A0": "m,m", "A1": "m,m"}),
    ("W'*tanh(W*x)", "W", {"W": ("m", "n"), "x": ("n", 1)}),
    ("sum(sigmoid(W*x))", "W", {"W": ("m", "n"), "x": ("n", 1)}),
    ("kron(A, X)", "X", {"A": ("m", "m"), "X": ("n", "n")}),
]


def _partial(d):
    (i, j, p, q), _ = E._index_symbols(d)
    X, F = d.variable, d.expr
    element = X[p, 0] if X.shape[1] == 1 else X[p, q]
    if d.is_scalar:
        entry = E._index_form(F if not E.is_matrix(F) else F[0, 0])
    else:
        entry = E._entry(F, i, 0 if F.shape[1] == 1 else j)
    return E.differentiate_entry(entry, element), (i, j, p, q), entry, element


@pytest.mark.parametrize("formula, wrt, shapes", FORMULAS, ids=[f[0] for f in FORMULAS])
def test_float_walk_matches_sympy(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    partial, indices, entry, element = _partial(d)
    # the derivative's expression is what SymPy's doit gives
    assert evaluate_sums(sympy.diff(entry, element)) == sympy.diff(entry, element).doit()
    sizes = {s.name: 2 + k % 2 for k, s in enumerate(size_symbols(d.expr, d.variable))}
    values = random_values(d.expr, d.variable, np.random.default_rng(5), sizes=sizes)
    substitution = {sympy.Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}
    formula_at, values = inverses_as_values(partial.subs(substitution), values, None)
    walk = EntryValues(values, None, lambda expr: numeric_value(expr.doit(), values, None))
    checked = 0
    for at in itertools.product(*[range(2)] * 4):  # every size is 2 or more
        bound = dict(zip(indices, at, strict=True))
        try:
            expected = numeric_value(formula_at.subs(bound).doit(), values, None)
        except (IndexError, ValueError, matderiv.MatDerivError):
            continue  # an index beyond this size set's matrix
        assert walk.at(formula_at, bound) == pytest.approx(expected, rel=1e-10, abs=1e-12)
        checked += 1
        if checked == 8:  # SymPy's way is slow; eight entries each
            break
    assert checked


def test_sums_written_out_are_the_sums():
    n = sympy.Symbol("n", integer=True, positive=True)
    k, l_ = sympy.Dummy("k", integer=True), sympy.Dummy("l", integer=True)
    A = sympy.MatrixSymbol("A", 3, 2)
    total = sympy.Sum(A[k, l_] * sympy.KroneckerDelta(k, 1), (k, 0, 2), (l_, 0, 1))
    assert write_out_sums(total) == A[1, 0] + A[1, 1] == total.doit()
    assert write_out_sums(sympy.Sum(A[k, 0], (k, 0, n - 1))) == \
        sympy.Sum(A[k, 0], (k, 0, n - 1))  # an unknown range stays a sum

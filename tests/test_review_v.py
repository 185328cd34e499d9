"""Review of the session's element-wise proofs and product chains (c858907..a61eb83).

Gaps found by the review; none gave a wrong result: a refused proof (an inverse power
inside a product), a crash of the SymPy fallback (Kronecker chains), a scalar by a scalar
never checked exactly. Each test checks its derivative against finite differences.
"""

import sys

import pytest

import matderiv
from matderiv.proofs import elementwise as E

SQUARE = {"X": "n,n", "A": "n,n", "B": "n,n"}


@pytest.mark.parametrize("formula", ["A*X^-2*B", "tr(A*X^-2)", "A*X^-3*B*X"])
def test_an_inverse_power_inside_a_product_has_an_elementwise_proof(formula):
    """X^-k as a factor of a product had no entry the index rules could differentiate
    (SymPy's entry of (X⁻¹)^k): the proof was refused, while X^-k alone was proved."""
    sys.path.insert(0, "tests")
    from test_index_rules import _compare

    d = matderiv.derive(formula, wrt="X", shapes=SQUARE)
    d.check()  # the closed form itself agrees with finite differences
    text = d.proof("elementwise").sections[-1].text
    assert "checked exactly at every entry" in text and "checked numerically" in text
    # the entry's derivative, by the index rules, against SymPy's and central differences
    assert _compare(formula, "X", SQUARE, seed=7) > 0


@pytest.mark.parametrize("formula", ["kron(X, A)*kron(B, X)", "kron(X, X')*kron(X, A)"])
def test_sympy_fallback_differentiates_an_entry_of_a_kronecker_product_chain(formula):
    """SymPy's sum of a delta with a range, δ(p, Mod(k, n), (0, n - 1)), failed
    ('Tuple' object has no attribute 'diff'): sympy_derivative (the index rules' fallback,
    and the reference of tests/test_index_rules.py) raised on a chain of Kronecker
    products. The sum now stands; both derivatives agree with central differences."""
    sys.path.insert(0, "tests")
    from test_index_rules import _compare

    d = matderiv.derive(formula, wrt="X", shapes=SQUARE)
    d.check()
    assert _compare(formula, "X", SQUARE, seed=7) > 0


BY_T = ("x'*inv(A + t*B)*x", "t", {"A": "n,n", "B": "n,n", "x": "n,1", "t": ""})


def test_a_scalar_by_a_scalar_is_checked_exactly_and_a_wrong_one_is_not():
    """dF/dt of a scalar F is a scalar closed form, not a matrix: the polynomial check
    said nothing about it ("checked numerically" only) before it read the scalar as the
    result's one entry."""
    import time

    from matderiv.proofs.entry_checks import exact_at, size_sets

    d = matderiv.derive(*BY_T[:2], shapes=BY_T[2])
    d.check()
    text = d.proof("elementwise").sections[-1].text
    assert "checked exactly at every entry for sizes n=2" in text
    (i, j, p, q), _ = E._index_symbols(d)
    F = d.expr[0, 0] if E.is_matrix(d.expr) else d.expr
    partial = E.differentiate_entry(E._index_form(F), d.variable)
    right, B = d.gradient(), d.env["B"]
    for bad in (2 * right, right.xreplace({B: B.T}), right.xreplace({B: d.env["A"]})):
        assert bad != right
        d.gradient = lambda bad=bad: bad
        assert not exact_at(d, "gradient", "col", partial, (i, j, p, q), size_sets(d)[0],
                            20.0, time.monotonic())
        with pytest.raises(matderiv.MatDerivError, match="element-wise proof refused"):
            d.proof("elementwise")

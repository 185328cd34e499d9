r"""Places where SymPy breaks on matrix expressions, mended where SymPy still does.

``MatAdd`` inherits ``Add.as_content_primitive``, which pulls each term's numeric
content out and rebuilds the sum from scalar products ``Mul(1/2, X)``: for matrices it
raises "Mix of Matrix and Scalar symbols". SymPy's ``factor_terms`` calls it on every
sum it meets, and its assumption system calls ``factor_terms`` through ``arg()`` and
``Abs()`` (is tanh(log det((X + A)/2)) finite? is sqrt(norm(2 + x)^2) real?). A sum of
matrices is given no content here: ``(1, the sum)``, which is what the inherited method
means to compute and cannot. The mend is made only while SymPy still inherits the
broken method, and it changes nothing else.

``KroneckerProduct._eval_trace`` writes tr(A ⊗ B) = tr(A) tr(B) for any factors, and
``Trace.doit`` (which SymPy's own printers reach, asking whether a product can take out
a minus sign) then fails on non-square ones: b ⊗ Bᵀ for a column b is square, its
factors are not. The identity needs square factors; for others the trace is left as it
is.

A Kronecker product has the precedence of a product in SymPy's printers, so SymPy's own
display of the product (X⁻¹ ⊗ X⁻ᵀ) K, a notebook's ``_repr_latex_`` of a Hessian, drops
the brackets and reads as X⁻¹ ⊗ (X⁻ᵀ K). A Kronecker product inside a product is
bracketed, as matderiv's own printers do.

>>> from sympy import MatrixSymbol, factor_terms, Determinant, KroneckerProduct, Trace
>>> X, A = MatrixSymbol("X", 2, 2), MatrixSymbol("A", 2, 2)
>>> factor_terms(Determinant(X/2 + A/2))
Determinant((1/2)*A + (1/2)*X)
>>> b, B = MatrixSymbol("b", 2, 1), MatrixSymbol("B", 1, 2)
>>> Trace(KroneckerProduct(b, B)).doit(), Trace(KroneckerProduct(X, A)).doit()
(Trace(KroneckerProduct(b, B)), Trace(A)*Trace(X))
>>> from sympy import Identity, latex
>>> K = MatrixSymbol("K", 4, 4)
>>> latex(-KroneckerProduct(X, A) * K), latex(KroneckerProduct(X, A) + Identity(4))
('- \\left(X \\otimes A\\right) K', '\\mathbb{I} + X \\otimes A')
"""

from __future__ import annotations

from sympy import Add, KroneckerProduct, MatAdd, S
from sympy.printing.precedence import PRECEDENCE, PRECEDENCE_TRADITIONAL


def _no_content(self, radical=False, clear=True):
    """A sum of matrices has no scalar content to pull out: (1, itself)."""
    return S.One, self


if MatAdd.as_content_primitive is Add.as_content_primitive:
    MatAdd.as_content_primitive = _no_content


_KRONECKER_TRACE = KroneckerProduct._eval_trace


def _trace_of_square_factors(self):
    """tr(A ⊗ B) = tr(A) tr(B) where every factor is square; else None (left as it is)."""
    if all(factor.is_square is True for factor in self.args):
        return _KRONECKER_TRACE(self)
    return None


if getattr(_KRONECKER_TRACE, "__name__", "") == "_eval_trace":
    KroneckerProduct._eval_trace = _trace_of_square_factors


if "KroneckerProduct" not in PRECEDENCE_TRADITIONAL:
    # (the LaTeX printer compares with this table; a negative product's level is Add's)
    PRECEDENCE_TRADITIONAL["KroneckerProduct"] = PRECEDENCE["Add"]

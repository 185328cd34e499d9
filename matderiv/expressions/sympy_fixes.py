r"""Places where SymPy breaks on matrix expressions, mended where SymPy still does.

``MatAdd`` and ``MatMul`` inherit ``Add.as_content_primitive`` and ``Mul``'s, which pull
each term's numeric content out and rebuild the sum from scalar products ``Mul(1/2, X)``:
for matrices that raises "Mix of Matrix and Scalar symbols", or hands det a scalar
(A + X)/2. SymPy's ``factor_terms`` calls it on every sum it meets, and its assumption
system calls ``factor_terms`` through ``arg()`` and ``Abs()`` (is tanh(log det((X + A)/2))
finite? is sqrt(det((X + A)/2)^2) real?). A sum or product of matrices is given no content
here: ``(1, itself)``, which is what the inherited method means to compute and cannot. The
mend is made only while SymPy still inherits the broken method, and it changes nothing
else.

``KroneckerProduct._eval_trace`` writes tr(A ⊗ B) = tr(A) tr(B) for any factors, and
``Trace.doit`` (which SymPy's own printers reach, asking whether a product can take out
a minus sign) then fails on non-square ones: b ⊗ Bᵀ for a column b is square, its
factors are not. The identity needs square factors; for others the trace is left as it
is.

An entry of an inverse is differentiated by an entry of a matrix with
∂(M⁻¹)_ij = -Σ (M⁻¹)_ik ∂M_kl (M⁻¹)_lj, but by a scalar t SymPy differentiates the
whole inverse first and fails ("Mix of Matrix and Scalar symbols"). By a scalar, the
same sum is taken (an element-wise proof by t writes (X + t I)⁻¹ entry by entry).

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
>>> from sympy import Inverse, Symbol, Identity, latex
>>> t, i, j = Symbol("t"), Symbol("i", integer=True), Symbol("j", integer=True)
>>> n = Symbol("n", integer=True, positive=True)
>>> Y = MatrixSymbol("Y", n, n)
>>> print(Inverse(Y + t*Identity(n))[i, j].diff(t))  # doctest: +NORMALIZE_WHITESPACE
-Sum(KroneckerDelta(_z1, _z2, (0, n - 1))*((t*I + Y)**(-1))[_z2, j]*((t*I + Y)**(-1))[i, _z1],
     (_z1, 0, n - 1), (_z2, 0, n - 1))
>>> K = MatrixSymbol("K", 4, 4)
>>> latex(-KroneckerProduct(X, A) * K), latex(KroneckerProduct(X, A) + Identity(4))
('- \\left(X \\otimes A\\right) K', '\\mathbb{I} + X \\otimes A')
"""

from __future__ import annotations

from sympy import Add, Dummy, Inverse, KroneckerProduct, MatAdd, MatMul, Mul, S, Sum
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.precedence import PRECEDENCE, PRECEDENCE_TRADITIONAL


def _no_content(self, radical=False, clear=True):
    """A sum or product of matrices has no scalar content to pull out: (1, itself)."""
    return S.One, self


if MatAdd.as_content_primitive is Add.as_content_primitive:
    MatAdd.as_content_primitive = _no_content
# A product of matrices likewise: Mul's method would give (1/2, A) for (1/2) A, and
# factor_terms would rebuild a scalar product from them inside det((X + A)/2).
if MatMul.as_content_primitive is Mul.as_content_primitive:
    MatMul.as_content_primitive = _no_content


_KRONECKER_TRACE = KroneckerProduct._eval_trace


def _trace_of_square_factors(self):
    """tr(A ⊗ B) = tr(A) tr(B) where every factor is square; else None (left as it is)."""
    if all(factor.is_square is True for factor in self.args):
        return _KRONECKER_TRACE(self)
    return None


if getattr(_KRONECKER_TRACE, "__name__", "") == "_eval_trace":
    KroneckerProduct._eval_trace = _trace_of_square_factors


_ELEMENT_DERIVATIVE = MatrixElement._eval_derivative


def _entry_derivative(self, v):
    """∂(M⁻¹)_ij/∂t = -Σ_kl (M⁻¹)_ik ∂M_kl/∂t (M⁻¹)_lj for a scalar t, as SymPy writes it
    by an entry of a matrix; anything else as SymPy does it."""
    inverse = self.args[0]
    if isinstance(v, MatrixElement) or not isinstance(inverse, Inverse):
        return _ELEMENT_DERIVATIVE(self, v)
    i, j = self.args[1:]
    k, c = Dummy("z1"), Dummy("z2")
    inside = inverse.args[0]
    rows, cols = inside.shape
    return -Sum(inverse[i, k] * inside[k, c].diff(v) * inverse[c, j], (k, 0, rows - 1),
                (c, 0, cols - 1))


if getattr(_ELEMENT_DERIVATIVE, "__name__", "") == "_eval_derivative":
    MatrixElement._eval_derivative = _entry_derivative


if "KroneckerProduct" not in PRECEDENCE_TRADITIONAL:
    # (the LaTeX printer compares with this table; a negative product's level is Add's)
    PRECEDENCE_TRADITIONAL["KroneckerProduct"] = PRECEDENCE["Add"]

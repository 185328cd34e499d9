"""Products and sums of two matrices that are known to fit, with their shapes remembered.

``mat_mul`` and ``mat_add`` check the sizes of every two neighbouring factors (every
term) of the flat product (sum) they build. Where two matrices are joined whose own
parts were checked when they were built (by those constructors, or by SymPy's, which
validate theirs) and whose sizes where they meet are known to fit, only the joint needs
a check, and the caller has made it: these build the same node without the others, and
remember its shape (which a rule's result is asked next).

>>> from sympy import MatrixSymbol
>>> from matderiv.expressions import mat_mul
>>> A, x = MatrixSymbol("A", 3, 2), MatrixSymbol("x", 2, 1)
>>> product = joined_product(mat_mul(2, A), x)
>>> product == mat_mul(mat_mul(2, A), x), shape_of(product)
(True, (3, 1))
"""

from __future__ import annotations

from sympy import Basic, MatAdd, MatMul
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.matrices.expressions.special import GenericZeroMatrix

from .construct import _SHAPES, coefficient_of, mat_add, shape_of


def joined_product(left, right, shape=None):
    """``mat_mul(left, right)`` of two matrices, ``left``'s columns ``right``'s rows;
    ``shape``: the product's, if known."""
    factors = (left.args if isinstance(left, MatMul) else (left,)) + \
        (right.args if isinstance(right, MatMul) else (right,))
    # (the parts of SymPy nodes are SymPy nodes: each has is_Matrix)
    scalars = [f for f in factors if not f.is_Matrix]
    if not scalars:
        product = Basic.__new__(MatMul, *factors)
    else:
        matrices = [f for f in factors if f.is_Matrix]
        coeff = coefficient_of(scalars)
        product = Basic.__new__(MatMul, *matrices) if coeff == 1 else \
            Basic.__new__(MatMul, coeff, *matrices)
    _SHAPES.remember(product, shape or (shape_of(left)[0], shape_of(right)[1]))
    return product


def joined_sum(left, right):
    """``mat_add(left, right)`` of two matrices of one shape."""
    terms = (left.args if isinstance(left, MatAdd) else (left,)) + \
        (right.args if isinstance(right, MatAdd) else (right,))
    if any(not isinstance(t, MatrixExpr) or isinstance(t, GenericZeroMatrix) for t in terms):
        return mat_add(left, right)  # (SymPy's constructor converts or drops them)
    total = Basic.__new__(MatAdd, *terms)
    _SHAPES.remember(total, shape_of(left))
    return total

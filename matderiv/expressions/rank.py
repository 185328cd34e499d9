"""An upper bound on a matrix expression's rank, from its structure and integer sizes.

A product has rank at most its narrowest dimension (T Tᵀ with T 3 x 2: at most 2), a
sum at most the sum of its terms' ranks, a Kronecker or Hadamard product at most the
product of its factors' ranks, an outer product of vectors 1. pinv's derivative needs a
matrix of full column rank (Golub & Pereyra, with A⁺A = I); a matrix whose structure
bounds its rank below its column count can never be one, at any values.

>>> from sympy import MatrixSymbol
>>> T, x = MatrixSymbol("T", 3, 2), MatrixSymbol("x", 3, 1)
>>> rank_at_most(T * T.T), rank_at_most(T.T * T), rank_at_most(T * T.T + x * x.T)
(2, 2, 3)
"""

from __future__ import annotations

from sympy import HadamardProduct, KroneckerProduct, MatAdd, MatMul, OneMatrix, Transpose

from .construct import is_matrix, shape_of


def rank_at_most(expr) -> int | None:
    """An integer the rank of ``expr`` cannot exceed, or None where a size is symbolic."""
    rows, cols = shape_of(expr)
    if not (rows.is_Integer and cols.is_Integer):
        return None
    full = min(int(rows), int(cols))
    bound = _structural_bound(expr)
    return full if bound is None else min(full, bound)


def _structural_bound(expr) -> int | None:
    if isinstance(expr, OneMatrix):
        return 1
    if isinstance(expr, Transpose):
        return rank_at_most(expr.arg)
    if isinstance(expr, MatMul):
        bounds = [rank_at_most(f) for f in expr.args if is_matrix(f)]
        return _smallest(bounds)
    if isinstance(expr, MatAdd):
        bounds = [rank_at_most(term) for term in expr.args]
        return None if None in bounds else sum(bounds)
    if isinstance(expr, (KroneckerProduct, HadamardProduct)):
        bounds = [rank_at_most(f) for f in expr.args]
        if None in bounds:
            return None
        product = 1
        for bound in bounds:
            product *= bound
        return product
    return None


def _smallest(bounds) -> int | None:
    known = [b for b in bounds if b is not None]
    return min(known) if known else None


__all__ = ["rank_at_most"]

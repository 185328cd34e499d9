"""Structured variables: a symmetric or a diagonal matrix, and the matrices that state
derivatives by one (Magnus & Neudecker's duplication matrix D_n, and vech).

A structured matrix is a ``MatrixSymbol`` of its own class, so every stage sees the
structure where it sees the symbol: random points draw it symmetric (diagonal), rules
may ask ``symmetric(X)``, and the derivation states its convention. Nothing else
changes: SymPy treats it as the matrix symbol it is (Sᵀ stays Sᵀ until a rule says
Sᵀ = S).

>>> from sympy import Symbol
>>> n = Symbol("n", integer=True, positive=True)
>>> S = SymmetricMatrixSymbol("S", n, n)
>>> structure_of(S), str(S), DuplicationMatrix(3).shape
('symmetric', 'S', (9, 6))
"""

from __future__ import annotations

from functools import cached_property

import sympy
from sympy import Integer, KroneckerDelta, MatrixSymbol, Max, Min, floor
from sympy.matrices.expressions.matexpr import MatrixExpr

from .construct import shape_of
from .differentials import MatDiff
from .sizes import as_size, size_product


class SymmetricMatrixSymbol(MatrixSymbol):
    """A square matrix symbol declared symmetric: S = Sᵀ (``derive(..., symmetric=)``)."""

    structure = "symmetric"


class DiagonalMatrixSymbol(MatrixSymbol):
    """A square matrix symbol declared diagonal (``derive(..., diagonal=)``)."""

    structure = "diagonal"


#: The structures a matrix variable may be declared with, and their classes.
STRUCTURES = {"symmetric": SymmetricMatrixSymbol, "diagonal": DiagonalMatrixSymbol}


def structure_of(expr) -> str | None:
    """"symmetric", "diagonal" or None: the declared structure of a matrix symbol, or of
    its differential d(S) (which has the same structure)."""
    if isinstance(expr, MatDiff):
        expr = expr.arg
    return getattr(expr, "structure", None) if isinstance(expr, MatrixSymbol) else None


def structured(symbol, structure: str):
    """``symbol`` (a square MatrixSymbol) as a symbol of the declared structure."""
    return STRUCTURES[structure](symbol.name, *symbol.shape)


def plain(symbol):
    """The plain MatrixSymbol of a structured one (the same name and shape)."""
    return MatrixSymbol(symbol.name, *symbol.shape)


def stacking_by(variable, op: str) -> str:
    """What a Jacobian or Hessian is taken by: ``op`` ("vec" or "vecr") of a general
    matrix; the free entries of a structured one, "vech" (symmetric) or "diag"."""
    return {"symmetric": "vech", "diagonal": "diag"}.get(structure_of(variable), op)


def vech_index(row, col, n):
    """The position in vech of entry (row, col), row >= col, of an n x n matrix: vech
    stacks the columns of the lower triangle (Magnus & Neudecker)."""
    return col * n - col * (col - 1) / 2 + row - col


class DuplicationMatrix(MatrixExpr):
    """D(n), Magnus & Neudecker's duplication matrix: the n² x n(n+1)/2 matrix with
    D(n) vech(S) = vec(S) for every symmetric n x n S.

    >>> DuplicationMatrix(2).as_explicit().tolist()
    [[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]]
    """

    def __new__(cls, n):
        return super().__new__(cls, as_size(n))

    @property
    def n(self):
        return self.args[0]

    @cached_property
    def shape(self):
        n = self.n
        return (size_product(n, n), half_vectorized_size(n))

    def _entry(self, i, j, **kwargs):
        # Row i of vec(S) is S[i % n, i // n]: 1 in the column of vech holding that entry.
        n = self.n
        row, col = i % n, floor(i / n)
        return KroneckerDelta(j, vech_index(Max(row, col), Min(row, col), n))

    def _sympystr(self, printer):
        return "D(%s)" % printer._print(self.n)

    def _latex(self, printer):
        return r"D_{%s}" % printer._print(self.n)


class Vech(MatrixExpr):
    """vech(S): the lower triangle of a square S, columns stacked (n(n+1)/2 x 1)."""

    def __new__(cls, arg):
        return super().__new__(cls, arg)

    @property
    def arg(self):
        return self.args[0]

    @cached_property
    def shape(self):
        return (half_vectorized_size(shape_of(self.arg)[0]), Integer(1))

    def _sympystr(self, printer):
        return "vech(%s)" % printer._print(self.arg)

    def _latex(self, printer):
        return r"\operatorname{vech}\left(%s\right)" % printer._print(self.arg)


def half_vectorized_size(n):
    """n(n+1)/2, the length of vech of an n x n matrix."""
    return sympy.Integer(int(n) * (int(n) + 1) // 2) if n.is_Integer else n * (n + 1) / 2


__all__ = ["DiagonalMatrixSymbol", "DuplicationMatrix", "STRUCTURES", "SymmetricMatrixSymbol",
           "Vech", "half_vectorized_size", "plain", "stacking_by", "structure_of", "structured",
           "vech_index"]

"""Matrices SymPy lacks, so results stay SymPy expressions: K(m, n), f(X) entry by entry,
softmax, f'(Y), vec and vecr.

Each class prints itself in plain text and LaTeX, knows its shape, and gives its
entries (``_entry``) so ``as_explicit()`` works for concrete sizes.

>>> from sympy import symbols, MatrixSymbol
>>> m, n = symbols("m n", integer=True, positive=True)
>>> CommutationMatrix(m, n).shape
(m*n, m*n)
>>> str(Elementwise("tanh", MatrixSymbol("X", m, n)))
'tanh(X)'
"""

from __future__ import annotations

from functools import cached_property

import sympy
from sympy import Integer, KroneckerDelta, floor
from sympy.matrices.expressions.matexpr import MatrixExpr

from .construct import shape_of
from .functions import BINARY, ELEMENTWISE, as_str, function_name, latex_name
from .sizes import as_size, size_product


class CommutationMatrix(MatrixExpr):
    """K(m, n), the mn x mn permutation with K(m, n) vec(A) = vec(A') for A of shape m x n.

    This is Magnus & Neudecker's K_{mn}; its transpose (and inverse) is K(n, m).
    """

    def __new__(cls, m, n):
        return super().__new__(cls, as_size(m), as_size(n))

    @cached_property  # asked very often, and through every level of a deep formula
    def shape(self):
        size = size_product(*self.args)
        return (size, size)

    def _entry(self, i, j, **kwargs):
        m, n = self.args
        # Row i of K holds vec(A')_i = A[i // n, i % n], which is vec(A)_{(i % n) m + i // n}.
        return KroneckerDelta(j, (i % n) * m + floor(i / n))

    def _eval_transpose(self):
        m, n = self.args
        return CommutationMatrix(n, m)

    def _eval_inverse(self):
        return self._eval_transpose()

    def doit(self, **hints):
        m, n = self.args
        if m == 1 or n == 1:
            return sympy.Identity(m * n)
        return self

    def _sympystr(self, printer):
        return "K(%s, %s)" % (printer._print(self.args[0]), printer._print(self.args[1]))

    def _latex(self, printer):
        return r"K_{%s,%s}" % (printer._print(self.args[0]), printer._print(self.args[1]))


class _ShapedLikeArg(MatrixExpr):
    """A matrix of its argument's shape; the argument is its last arg."""

    @property
    def arg(self):
        return self.args[-1]

    @cached_property  # asked very often, and through every level of a deep formula
    def shape(self):
        return shape_of(self.arg)


class Elementwise(_ShapedLikeArg):
    """A scalar function applied to every entry of a matrix: ``tanh(X)``."""

    def __new__(cls, name, arg):
        return super().__new__(cls, as_str(name), arg)

    @property
    def function(self) -> str:
        return function_name(self.args[0])

    def _entry(self, i, j, **kwargs):
        return ELEMENTWISE[self.function](self.arg._entry(i, j, **kwargs))

    def _sympystr(self, printer):
        return "%s(%s)" % (self.function, printer._print(self.arg))

    def _latex(self, printer):
        return r"%s\left(%s\right)" % (latex_name(self.function), printer._print(self.arg))


class ElementwiseBinary(_ShapedLikeArg):
    """``max(A, B)`` or ``min(A, B)``, entry by entry, of two matrices of one shape."""

    def __new__(cls, name, left, right):
        return super().__new__(cls, as_str(name), left, right)

    @property
    def function(self) -> str:
        return function_name(self.args[0])

    @property
    def left(self):
        return self.args[1]

    @property
    def right(self):
        return self.args[2]

    def _entry(self, i, j, **kwargs):
        return BINARY[self.function](self.left._entry(i, j, **kwargs),
                                     self.right._entry(i, j, **kwargs))

    def _sympystr(self, printer):
        return "%s(%s, %s)" % (self.function, printer._print(self.left),
                               printer._print(self.right))

    def _latex(self, printer):
        return r"%s\left(%s, %s\right)" % (latex_name(self.function),
                                            printer._print(self.left),
                                            printer._print(self.right))


class Softmax(_ShapedLikeArg):
    """``softmax(Z) = exp(Z) / sum(exp(Z))``, normalised over all entries (for a vector,
    the usual softmax); its entries are positive and sum to 1."""

    def _entry(self, i, j, **kwargs):
        k, m = sympy.Dummy("k", integer=True), sympy.Dummy("m", integer=True)
        rows, cols = self.arg.shape
        total = sympy.Sum(sympy.exp(self.arg._entry(k, m, **kwargs)),
                          (k, 0, rows - 1), (m, 0, cols - 1))
        return sympy.exp(self.arg._entry(i, j, **kwargs)) / total

    def _sympystr(self, printer):
        return "softmax(%s)" % printer._print(self.arg)

    def _latex(self, printer):
        return r"\operatorname{softmax}\left(%s\right)" % printer._print(self.arg)


class _AlongAxis(_ShapedLikeArg):
    """A function of a matrix along an axis, MATLAB's numbering: 1 goes down each column,
    2 along each row. Its args are (axis, argument)."""

    def __new__(cls, axis, arg):
        return super().__new__(cls, Integer(axis), arg)

    @property
    def axis(self) -> int:
        return int(self.args[0])

    def _sums(self, term, i, j):
        """Σ over the axis of ``term(row, col)``, at the line of entry (i, j)."""
        k = sympy.Dummy("k", integer=True)
        rows, cols = self.arg.shape
        if self.axis == 1:
            return sympy.Sum(term(k, j), (k, 0, rows - 1))
        return sympy.Sum(term(i, k), (k, 0, cols - 1))


class AxisSoftmax(_AlongAxis):
    """``softmax(A, 1)``: each column normalised (exp over its sum); ``softmax(A, 2)``:
    each row. Its entries are positive and each column (row) sums to 1."""

    def _entry(self, i, j, **kwargs):
        total = self._sums(lambda r, c: sympy.exp(self.arg._entry(r, c, **kwargs)), i, j)
        return sympy.exp(self.arg._entry(i, j, **kwargs)) / total

    def _sympystr(self, printer):
        return "softmax(%s, %d)" % (printer._print(self.arg), self.axis)

    def _latex(self, printer):
        return r"\operatorname{softmax}\left(%s, %d\right)" % (printer._print(self.arg),
                                                               self.axis)


class AxisLogSumExp(_AlongAxis):
    """``logsumexp(A, 1)``: log of each column's sum of exponentials, a row (1 x n);
    ``logsumexp(A, 2)``: of each row's, a column (m x 1)."""

    @cached_property
    def shape(self):
        rows, cols = shape_of(self.arg)
        return (Integer(1), cols) if self.axis == 1 else (rows, Integer(1))

    def _entry(self, i, j, **kwargs):
        return sympy.log(self._sums(lambda r, c: sympy.exp(self.arg._entry(r, c, **kwargs)),
                                    i, j))

    def _sympystr(self, printer):
        return "logsumexp(%s, %d)" % (printer._print(self.arg), self.axis)

    def _latex(self, printer):
        return r"\operatorname{logsumexp}\left(%s, %d\right)" % (printer._print(self.arg),
                                                                 self.axis)


class Unvec(MatrixExpr):
    """vec⁻¹(v): the column v of m n entries read back into an m x n matrix, column by
    column, so that vec(unvec(v, m, n)) = v. A gradient by X of a formula written with
    vec(X) is the unvec of a column."""

    def __new__(cls, column, rows, cols):
        return super().__new__(cls, column, as_size(rows), as_size(cols))

    @property
    def arg(self):
        return self.args[0]

    @property
    def shape(self):
        return self.args[1], self.args[2]

    def _entry(self, i, j, **kwargs):
        return self.arg._entry(i + j * self.args[1], 0, **kwargs)

    def _sympystr(self, printer):
        return "unvec(%s, %s, %s)" % tuple(printer._print(a) for a in self.args)

    def _latex(self, printer):
        return r"\operatorname{vec}^{-1}_{%s\times %s}\left(%s\right)" % (
            printer._print(self.args[1]), printer._print(self.args[2]),
            printer._print(self.arg))


class DiagEmbedding(MatrixExpr):
    """Δ(n), the n² x n matrix with Δ(n) u = vec(diag(u)) for a column u, and
    Δ(n)' vec(X) = diag(X), the diagonal of an n x n X: its columns are e_i ⊗ e_i."""

    def __new__(cls, n):
        return super().__new__(cls, as_size(n))

    @cached_property
    def shape(self):
        n = self.args[0]
        return (size_product(n, n), n)

    def _entry(self, i, j, **kwargs):
        return KroneckerDelta(i, j * (self.args[0] + 1))

    def _sympystr(self, printer):
        return "Delta(%s)" % printer._print(self.args[0])

    def _latex(self, printer):
        return r"\Delta_{%s}" % printer._print(self.args[0])


class AbstractGradient(MatrixExpr):
    """``f'(Y)``: the gradient of an abstract f at Y, of Y's shape, entries dz/dY_ij."""

    def __new__(cls, name, arg):
        return super().__new__(cls, as_str(name), arg)

    @property
    def function(self) -> str:
        return function_name(self.args[0])

    @property
    def arg(self):
        return self.args[1]

    @cached_property  # asked very often, and through every level of a deep formula
    def shape(self):
        return self.arg.shape

    def _entry(self, i, j, **kwargs):
        # An entry of an unknown gradient is itself unknown: f'(Y)_ij.
        from sympy.matrices.expressions.matexpr import MatrixElement
        return MatrixElement(self, i, j)

    def _sympystr(self, printer):
        return "%s'(%s)" % (self.function, printer._print(self.arg))

    def _latex(self, printer):
        return r"%s'\left(%s\right)" % (self.function, printer._print(self.arg))



class _Stacked(MatrixExpr):
    """A matrix stacked into one column; subclasses say in which order."""

    operator = ""

    def __new__(cls, arg):
        return super().__new__(cls, arg)

    @property
    def arg(self):
        return self.args[0]

    @cached_property  # asked very often, and through every level of a deep formula
    def shape(self):
        rows, cols = shape_of(self.arg)
        return (size_product(rows, cols), Integer(1))

    def _sympystr(self, printer):
        return "%s(%s)" % (self.operator, printer._print(self.arg))

    def _latex(self, printer):
        return r"\operatorname{%s}\left(%s\right)" % (self.operator, printer._print(self.arg))


class Vec(_Stacked):
    """vec(A): the columns of A stacked into one column (Magnus & Neudecker)."""

    operator = "vec"

    def _entry(self, i, j, **kwargs):
        rows = self.arg.shape[0]
        return self.arg._entry(i % rows, floor(i / rows), **kwargs)


class Vecr(_Stacked):
    """vecr(A): the rows of A stacked into one column (seed 2's W-tilde); vecr(A) = vec(A')."""

    operator = "vecr"

    def _entry(self, i, j, **kwargs):
        cols = self.arg.shape[1]
        return self.arg._entry(floor(i / cols), i % cols, **kwargs)


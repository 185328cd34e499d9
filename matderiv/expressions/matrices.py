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
from .functions import ELEMENTWISE, as_str, function_name
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
        name = r"\sigma" if self.function == "sigmoid" else "\\" + self.function
        if self.function == "sqrt":
            name = r"\operatorname{sqrt}"
        return r"%s\left(%s\right)" % (name, printer._print(self.arg))


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


#: Every assumption SymPy knows, but commutativity: for the scalars below SymPy deduces
#: nothing (each is None) from no facts, and took tens of microseconds to deduce it for
#: each new object after every clear_cache(), hundreds for a product holding one (its


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


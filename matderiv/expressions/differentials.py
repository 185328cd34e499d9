"""The differentials d(M) of a matrix and d(s) of a scalar, pushed inward by the rules.

>>> from sympy import MatrixSymbol
>>> X = MatrixSymbol("X", 2, 2)
>>> str(MatDiff(X)), str(MatDiff(X * X))
('dX', 'd(X**2)')
"""

from __future__ import annotations

import sympy

from .matrices import _ShapedLikeArg
from .scalars import OpaqueScalar


def _diff_str(printer, arg) -> str:
    text = printer._print(arg)
    return "d" + text if getattr(arg, "is_symbol", False) or isinstance(arg, sympy.MatrixSymbol) \
        else "d(%s)" % text


def _diff_latex(printer, arg) -> str:
    text = printer._print(arg)
    if isinstance(arg, (sympy.MatrixSymbol, sympy.Symbol)):
        return r"\mathrm{d}%s" % text
    return r"\mathrm{d}\left(%s\right)" % text


class MatDiff(_ShapedLikeArg):
    """The differential d(M) of a matrix expression, pushed inward one rule at a time."""

    def _sympystr(self, printer):
        return _diff_str(printer, self.arg)

    def _latex(self, printer):
        return _diff_latex(printer, self.arg)


class ScalarDiff(OpaqueScalar):
    """The differential d(s) of a scalar expression."""

    is_commutative = True

    def __new__(cls, arg):
        return super().__new__(cls, arg)

    @property
    def arg(self):
        return self.args[0]

    def _sympystr(self, printer):
        return _diff_str(printer, self.arg)

    def _latex(self, printer):
        return _diff_latex(printer, self.arg)


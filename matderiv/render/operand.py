"""What ∂ applies to in a statement: the formula in brackets unless it is one name or one
function applied, so ∂(det(X) tr(X))/∂X never reads as the derivative of det(X) alone.

>>> from sympy import MatrixSymbol, Trace, Determinant
>>> X = MatrixSymbol("X", 2, 2)
>>> operand_text(Determinant(X)), operand_text(Determinant(X) * Trace(X))
('det(X)', '(det(X)*tr(X))')
>>> operand_latex(Determinant(X) * Trace(X))
'\\\\left(\\\\det\\\\left(X\\\\right) \\\\operatorname{tr}\\\\left(X\\\\right)\\\\right)'
"""

from __future__ import annotations

import sympy
from sympy import Determinant, MatrixSymbol, Trace

from ..expressions import (
    AbstractFunction,
    AxisLogSumExp,
    AxisSoftmax,
    Elementwise,
    ElementwiseBinary,
    FrobeniusNorm,
    LogSumExp,
    Softmax,
    SumEntries,
    VectorNorm,
)
from .latex import to_latex
from .text import to_text

#: A name, or one function applied to its argument: ∂ applies to it without brackets.
_SINGLE = (MatrixSymbol, sympy.Symbol, Trace, Determinant, SumEntries, FrobeniusNorm,
           AbstractFunction, Elementwise, Softmax, sympy.Function, AxisSoftmax,
           AxisLogSumExp, LogSumExp, VectorNorm, ElementwiseBinary)


def needs_brackets(expr, text: str) -> bool:
    """Whether ``expr`` (printed ``text``) must be bracketed after ∂."""
    return " " in text or not isinstance(expr, _SINGLE)


def operand_text(expr) -> str:
    text = to_text(expr)
    return f"({text})" if needs_brackets(expr, text) else text


def operand_latex(expr) -> str:
    text = to_latex(expr)
    return r"\left(%s\right)" % text if needs_brackets(expr, to_text(expr)) else text

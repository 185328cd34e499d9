"""The same problems for the peers: SymPy's ``MatrixExpr.diff`` and ``array_derive``.

matderiv builds formulas with objects SymPy lacks (sum of entries, element-wise f,
norms, a 1 x 1 matrix read as a scalar).  ``plain_sympy`` rewrites them into SymPy's
own vocabulary, so that both peers see the very formula matderiv differentiates:
``sum(A)`` is 1ᵀ A 1, ``norm(A)`` is sqrt(tr(AᵀA)), ``tanh(X)`` is X.applyfunc(tanh).
A formula with no SymPy equivalent (an abstract f) raises ``Unsupported``.
"""

from __future__ import annotations

import sympy
from sympy import OneMatrix, Trace
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from matderiv.objects import (
    ELEMENTWISE,
    AbstractFunction,
    AbstractGradient,
    CommutationMatrix,
    Elementwise,
    FrobeniusNorm,
    Inner,
    ScalarOf,
    SumEntries,
    Vec,
    Vecr,
)


class Unsupported(Exception):
    """The formula has no plain SymPy form."""


def _lambda(name):
    x = sympy.Dummy("x")
    return sympy.Lambda(x, ELEMENTWISE[name](x))


def plain_sympy(expr):
    """``expr`` with matderiv's own objects replaced by SymPy ones (same value)."""
    if isinstance(expr, (AbstractFunction, AbstractGradient, CommutationMatrix, Vec, Vecr)):
        raise Unsupported(type(expr).__name__)
    args = [plain_sympy(a) if isinstance(a, sympy.Basic) else a for a in expr.args]
    if isinstance(expr, ScalarOf):
        return Trace(args[0])  # a 1 x 1 matrix's only entry
    if isinstance(expr, SumEntries):
        matrix = args[0]
        return Trace(OneMatrix(1, matrix.shape[0]) * matrix * OneMatrix(matrix.shape[1], 1))
    if isinstance(expr, FrobeniusNorm):
        return sympy.sqrt(Trace(args[0].T * args[0]))
    if isinstance(expr, Inner):
        return Trace(args[0].T * args[1])
    if isinstance(expr, Elementwise):
        return ElementwiseApplyFunction(_lambda(expr.function), args[1])
    if not expr.args or isinstance(expr, (sympy.MatrixSymbol, sympy.Symbol)):
        return expr
    return expr.func(*args)


def sympy_diff(expr, variable):
    """SymPy's matrix derivative (``MatrixExpr.diff``), as SymPy users call it."""
    return plain_sympy(expr).diff(variable)


def sympy_array_derive(expr, variable):
    """SymPy's array-expression derivative of the formula."""
    from sympy.tensor.array.expressions import array_derive, convert_matrix_to_array
    return array_derive(convert_matrix_to_array(plain_sympy(expr)), variable)

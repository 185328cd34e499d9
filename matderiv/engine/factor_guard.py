"""A cheap test before matching a product pattern: each of its operands other than a
name matches one factor of the product, so the product needs a factor of that
operand's class (``root_types``) — ``L*(-A + -B)*R`` needs a sum among its factors.

Many rules of a phase fail on most products they are tried on; this refuses most of
those failures before the matcher splits the product every way it can.

>>> from sympy import MatrixSymbol
>>> from matderiv.syntax import parse
>>> A, B, X = (MatrixSymbol(n, 2, 2) for n in "ABX")
>>> needed = factor_types(parse("L*(A + B)*R"))
>>> may_have_factors(needed, A*X*B), may_have_factors(needed, A*(X + B))
(False, True)
"""

from __future__ import annotations

import sympy
from sympy import MatMul

from ..expressions import is_matrix
from ..syntax import tree
from .matcher import _operands, root_types


def factor_types(pattern) -> tuple:
    """For a product pattern, the classes (a tuple each) of the factors it needs, one
    entry per operand that is not a name; else ()."""
    if not (isinstance(pattern, tree.Binary) and pattern.op in ("*", "@")):
        return ()
    found = (root_types(p) for p in _operands(pattern, ("*", "@"))
             if not isinstance(p, tree.Name))
    return tuple(classes for classes in found if classes is not None)


def may_have_factors(needed, expr) -> bool:
    """False when a class of ``needed`` is among no factor of ``expr`` (a matrix
    product's factors; any other expression is its own only factor). A scalar
    product's factors match in any order and a product's scalar coefficient is built
    from its scalar parts: those are always let through."""
    if not needed:
        return True
    if isinstance(expr, MatMul):
        factors = expr.args
        if any(not is_matrix(f) for f in factors):
            return True
    elif isinstance(expr, sympy.Mul) and not is_matrix(expr):
        return True
    else:
        factors = (expr,)
    return all(any(isinstance(f, classes) for f in factors) for classes in needed)


__all__ = ["factor_types", "may_have_factors"]

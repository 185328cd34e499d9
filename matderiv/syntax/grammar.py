"""The grammar's function names, and how a 1 x 1 matrix is read: as a scalar wherever a
scalar fits, as on paper.

>>> FUNCTIONS["kron"] is None, FUNCTIONS["tr"]
(True, 1)
"""

from __future__ import annotations

import sympy
from sympy import ZeroMatrix

from ..expressions import ELEMENTWISE, ScalarOf, is_matrix, shape_of

#: Functions of the formula grammar, each with its arity, for error messages and docs.
FUNCTIONS = {
    "tr": 1, "det": 1, "logdet": 1, "inv": 1, "kron": None, "sum": 1, "norm": None, "dot": 2,
    "inner": 2, "vec": 1, "vecr": 1, "I": 1, "K": 2, "diag": 1, "ones": None, "softmax": 1,
    **{name: 1 for name in ELEMENTWISE},
}

#: Functions only the rule catalog uses: the differential, 1 x 1 as scalar, dimensions.
RULE_FUNCTIONS = {"d": 1, "scalar": 1, "rows": 1, "cols": 1}


def describe_shape(expr) -> str:
    if not is_matrix(expr):
        return "scalar"
    rows, cols = shape_of(expr)
    return f"{rows}x{cols}"


def is_one_by_one(expr) -> bool:
    return is_matrix(expr) and shape_of(expr)[0] == 1 and shape_of(expr)[1] == 1


def as_scalar(expr):
    """A 1 x 1 matrix read as a scalar; scalars unchanged."""
    if is_one_by_one(expr):
        return expr.matrix if isinstance(expr, ScalarOf) else ScalarOf(expr)
    return expr


def scalar_as_matrix(expr):
    """The inverse of ``as_scalar`` where a 1 x 1 matrix is needed."""
    if isinstance(expr, ScalarOf):
        return expr.matrix
    return expr


def zero_like(expr):
    """The zero of expr's shape."""
    return ZeroMatrix(*shape_of(expr)) if is_matrix(expr) else sympy.Integer(0)


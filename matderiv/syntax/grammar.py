"""The grammar's function names, and how a 1 x 1 matrix is read: as a scalar wherever a
scalar fits, as on paper.

>>> FUNCTIONS["kron"] is None, FUNCTIONS["tr"], FUNCTIONS["sum"]
(True, 1, (1, 2))
>>> is_abstract_name("f1"), is_abstract_name("phi")
(True, False)
"""

from __future__ import annotations

import difflib
import re

import sympy
from sympy import ZeroMatrix

from ..expressions import ALIASES, BINARY, ELEMENTWISE, ScalarOf, is_matrix, shape_of

#: Functions of the formula grammar, each with its number of arguments (a tuple: any of
#: them; None: two or more, or as the builder checks), for error messages and docs.
#: ``sum``, ``mean``, ``softmax`` and ``logsumexp`` take an optional axis, MATLAB's
#: numbering: 1 down each column, 2 along each row.
FUNCTIONS = {
    "tr": 1, "det": 1, "logdet": 1, "inv": 1, "kron": None, "sum": (1, 2), "mean": (1, 2),
    "norm": (1, 2), "dot": 2, "inner": 2, "vec": 1, "vecr": 1, "unvec": 3, "I": 1, "K": 2,
    "Delta": 1, "D": 1, "diag": 1, "ones": (1, 2), "softmax": (1, 2), "logsumexp": (1, 2),
    "square": 1, "conj": 1, "real": 1, "imag": 1, **{name: 1 for name in ELEMENTWISE},
    **{name: 1 for name in ALIASES},
    **{name: 2 for name in BINARY},
    # spectral and matrix functions, and the objects their derivatives are written with
    "eigmax": 1, "eigmin": 1, "eigvec_max": 1, "eigvec_min": 1, "nucnorm": 1,
    "specnorm": 1, "svd_uv1": 1, "svd_uv": 1, "expm": 1, "logm": 1, "sqrtm": 1, "pinv": 1,
    "frechet_expm": (1, 2), "frechet_logm": (1, 2), "frechet_sqrtm": (1, 2),
}

#: Functions whose name standing alone, not called, is a matrix as any other name: D(n)
#: is the duplication matrix, D alone a matrix (a diagonal D, most often).
BARE_NAMES = frozenset({"D"})

#: A name that stays an abstract function without being declared, as on paper: one
#: letter, then optionally digits (f, g, h, f1, g2). Other names must be declared
#: (``functions=["phi"]``, ``--function phi``), so that a misspelt tanh is an error.
_ABSTRACT_NAME = re.compile(r"[A-Za-z][0-9]*\Z")


def is_abstract_name(name: str) -> bool:
    """Whether ``name`` applied to a matrix is an abstract function without declaring it."""
    return bool(_ABSTRACT_NAME.match(name)) and name not in FUNCTIONS


def nearest_functions(name: str) -> list[str]:
    """The grammar functions ``name`` most likely misspells, best first (tann -> tan, tanh)."""
    found = difflib.get_close_matches(name, list(FUNCTIONS), n=2, cutoff=0.75)
    if name.lower() in FUNCTIONS and name.lower() not in found:
        found.insert(0, name.lower())
    return found


#: Names users reach for that matderiv has no rule for, and what to write instead.
NOT_SUPPORTED = {
    **{name: "matrix decompositions have no rule in matderiv"
       for name in ("eig", "eigvals", "svd", "chol", "qr", "lu")},
}


#: Functions only the rule catalog uses: the differential, 1 x 1 as scalar, dimensions,
#: and a finite sum over an integer index (``syntax/index_sums.py``).
RULE_FUNCTIONS = {"d": 1, "scalar": 1, "rows": 1, "cols": 1, "vech": 1, "sum_for": 4}


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


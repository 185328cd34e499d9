"""Where the element-wise proof's checks look: two sets of small concrete sizes, and
the position of each entry ∂F_ij/∂X_pq in the result under the convention in force.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> [sorted(sizes.items()) for sizes in size_sets(d)]
[[('m', 2), ('n', 3)], [('m', 3), ('n', 2)]]
"""

from __future__ import annotations

import itertools

import numpy as np
from sympy import Symbol

from ..expressions import is_matrix
from ..numeric.points import size_symbols


def size_sets(derivation) -> list[dict]:
    """The two sets of concrete sizes (size name -> int) the checks use."""
    dims = size_symbols(derivation.expr, derivation.variable)
    choices = [(2, 3, 2, 3), (3, 2, 3, 2)]
    return [{d.name: c[k % len(c)] + (k // len(c)) for k, d in enumerate(dims)}
            for c in choices]


def size_substitution(sizes: dict) -> dict:
    """{size symbol: int} for ``sizes`` given by name."""
    return {Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}


def x_shape_at(variable, substitution) -> tuple[int, int]:
    """The variable's concrete shape; a scalar t is 1 x 1 here (one column of J)."""
    if not is_matrix(variable):
        return (1, 1)
    return tuple(int(d.xreplace(substitution)) for d in variable.shape)


def f_shape_at(derivation, substitution) -> tuple[int, int]:
    """The formula's concrete shape (1 x 1 for a scalar)."""
    if derivation.is_scalar:
        return (1, 1)
    return tuple(int(d.xreplace(substitution)) for d in derivation.expr.shape)


def positions(derivation, kind, vec, f_shape, x_shape):
    """(i, j, p, q) with the row and column of ∂F_ij/∂X_pq in the result, 0-based."""
    order = "F" if vec == "col" else "C"
    for i, j in itertools.product(range(f_shape[0]), range(f_shape[1])):
        for p, q in itertools.product(range(x_shape[0]), range(x_shape[1])):
            if kind == "gradient":
                yield (i, j, p, q), (p, q)
                continue
            row = int(np.ravel_multi_index((i, j), f_shape, order=order))
            col = int(np.ravel_multi_index((p, q), x_shape, order=order))
            yield (i, j, p, q), ((col, row) if derivation.layout == "denominator" else (row, col))


__all__ = ["f_shape_at", "positions", "size_sets", "size_substitution", "x_shape_at"]

"""The element-wise proof's last equality, checked at every entry before it is shown.

Two checks, at two sets of small sizes (2 and 3, alternating over the size names):

- **numeric**: the entry formula (``entry_values``: a float walk) against the closed form
  (``numeric.evaluate``) at random values, every entry; a mismatch refuses the proof;
- **exact**: the same entries compared as polynomials in the matrices' entries, each
  function value an unknown of its own (``polynomial_check``); where that cannot show
  the equality (an identity between function values), SymPy's simplification of the
  written-out entries decides at the first size set (``symbolic_check``), as all proofs
  were checked before.

The proof states which checks held, at which sizes.

>>> from matderiv import derive
>>> from .elementwise import elementwise_proof
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> elementwise_proof(d).sections[-1].text.split(":")[1].split("(")[0].strip()
'checked exactly at every entry for sizes m=2, n=3 and m=3, n=2'
"""

from __future__ import annotations

import time

import numpy as np
import sympy
from sympy import Determinant
from sympy.matrices.expressions.matexpr import MatrixElement

from ..errors import MatDerivError
from ..expressions import AbstractFunction
from ..numeric.evaluate import evaluate
from ..numeric.points import random_values, stand_in_functions
from .entry_positions import (
    f_shape_at,
    positions,
    size_sets,
    size_substitution,
    x_shape_at,
)
from .entry_values import EntryValues
from .polynomial_check import same_entries
from .symbolic_check import symbolic_check

#: Most entries of a result the exact check compares (each a walk of the entry formula).
MAX_EXACT_ENTRIES = 5000


def _result(derivation, kind, vec):
    return derivation.gradient() if kind == "gradient" else derivation.jacobian(vec=vec)


def verify_entries(derivation, kind, vec, partial, indices, budget: float) -> str:
    """Compare the entry formula with the closed form at every entry; raise if any
    differ. Returns what was checked, in words."""
    started = time.monotonic()
    numeric = _verify_numerically(derivation, kind, vec, partial, indices, budget)
    exact = []
    for number, sizes in enumerate(size_sets(derivation)):
        # At the first size set the polynomial check may go on to fractions, and SymPy
        # decides what it does not show; at the second, polynomials only (cheap or
        # nothing: fractions of 3 x 3 inverses took seconds).
        first = number == 0
        if exact_at(derivation, kind, vec, partial, indices, sizes, budget, started,
                    fractions=first) or (first and _by_sympy(derivation, kind, vec, partial,
                                                             indices, sizes, budget)):
            exact.append(sizes)
    if not exact:
        return numeric
    shown = " and ".join(", ".join(f"{k}={v}" for k, v in sizes.items()) for sizes in exact)
    return (f"checked exactly at every entry for sizes {shown} (every matrix entry kept a "
            f"symbol), and {numeric}")


def exact_at(derivation, kind, vec, partial, indices, sizes, budget, started,
             fractions=True) -> bool:
    """True when the polynomial check shows every entry equal at ``sizes``."""
    substitution = size_substitution(sizes)
    f_shape = f_shape_at(derivation, substitution)
    x_shape = x_shape_at(derivation.variable, substitution)
    if f_shape[0] * f_shape[1] * x_shape[0] * x_shape[1] > MAX_EXACT_ENTRIES:
        return False
    return same_entries(partial, indices, _result(derivation, kind, vec), substitution,
                        positions(derivation, kind, vec, f_shape, x_shape), budget,
                        started, fractions) is True


def _by_sympy(derivation, kind, vec, partial, indices, sizes, budget) -> bool:
    try:
        return symbolic_check(derivation, kind, vec, partial, indices, sizes, budget)
    except (TypeError, ValueError, NotImplementedError, AttributeError, ZeroDivisionError):
        return False


def _verify_numerically(derivation, kind, vec, partial, indices, budget) -> str:
    """At every entry, with random values, for two sets of sizes; raise on a mismatch."""
    rng = np.random.default_rng(11)
    started = time.monotonic()
    functions = stand_in_functions(derivation.abstract_functions)
    X = derivation.variable
    described = []
    for sizes in size_sets(derivation):
        values = random_values(derivation.expr, X, rng, sizes=sizes)
        substitution = size_substitution(sizes)
        closed = np.atleast_2d(evaluate(_result(derivation, kind, vec), values,
                                        functions=functions))
        x_shape = x_shape_at(X, substitution)
        f_shape = f_shape_at(derivation, substitution)
        formula, values = inverses_as_values(partial, values, functions)
        entries = EntryValues(values, functions,
                              lambda expr, values=values: numeric_value(expr.doit(), values,
                                                                        functions),
                              substitution)
        for (i, j, p, q), at in positions(derivation, kind, vec, f_shape, x_shape):
            if time.monotonic() - started > budget:
                raise MatDerivError(f"no element-wise proof: checking its entries took "
                                    f"more than {budget:.0f} s")
            value = entries.at(formula, dict(zip(indices, (i, j, p, q), strict=True)))
            expected = closed[at]
            if not np.isclose(value, expected, rtol=1e-7, atol=1e-9):
                raise MatDerivError(
                    f"element-wise proof refused: at sizes {sizes} the entry formula "
                    f"gives {value:.6g} but the closed form has {expected:.6g} "
                    f"(i={i + 1}, j={j + 1}, p={p + 1}, q={q + 1})")
        described.append(", ".join(f"{k}={v}" for k, v in sizes.items()))
    return ("checked numerically at every entry, with random values, for sizes "
            + " and ".join(described))


def inverses_as_values(formula, values, functions):
    """``formula`` with each inverse or negative matrix power stood in for by a plain
    matrix holding its value at ``values`` (returned with them).

    ``doit()`` on an entry of (A + X)^-1 inverts the matrix symbolically, entry by
    entry: for 3 x 3 sums that took minutes (logdet(X + A) ran out of its 60 s budget).
    The numeric check needs only the inverse's value.
    """
    inverses = [node for node in formula.atoms(sympy.Inverse, sympy.MatPow)
                if isinstance(node, sympy.Inverse) or node.exp.is_negative]
    if not inverses:
        return formula, values
    values, stand_ins = dict(values), {}
    for number, node in enumerate(sorted(inverses, key=sympy.default_sort_key)):
        # A name the formula parser cannot produce, so it clashes with no symbol.
        stand_in = sympy.MatrixSymbol(f"⟨inverse {number}⟩", *node.shape)
        values[stand_in.name] = np.atleast_2d(evaluate(node, values, functions=functions))
        stand_ins[node] = stand_in
    return formula.xreplace(stand_ins), values


def numeric_value(expr, values, functions) -> float:
    """Evaluate a concrete-index formula: matrix entries become numbers."""
    replacements = {}
    for element in expr.atoms(MatrixElement):
        parent, row, col = element.args
        matrix = np.atleast_2d(evaluate(parent, values, functions=functions))
        replacements[element] = sympy.Float(matrix[int(row), int(col)])
    for node in expr.atoms(Determinant, AbstractFunction):
        replacements[node] = sympy.Float(evaluate(node, values, functions=functions))
    for symbol in expr.free_symbols:
        if symbol.name in values and not isinstance(values[symbol.name], np.ndarray):
            replacements[symbol] = sympy.Float(values[symbol.name])
    value = expr.xreplace(replacements)
    for element in value.atoms(MatrixElement):  # entries of entries (inverse inside det)
        raise MatDerivError(f"cannot evaluate {element}")
    return float(sympy.N(value))


__all__ = ["MAX_EXACT_ENTRIES", "f_shape_at", "inverses_as_values", "numeric_value",
           "positions", "size_sets", "size_substitution", "verify_entries", "x_shape_at"]

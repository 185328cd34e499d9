"""Central finite differences, and the comparison of a closed form with them.

>>> import numpy as np
>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> from matderiv.numeric.points import random_values
>>> values = random_values(d.expr, d.variable, np.random.default_rng(0))
>>> numeric_jacobian(d.expr, d.variable, values).shape == (values["m"], values["m"] * values["n"])
True
"""


from __future__ import annotations

import numpy as np

from ..errors import MatDerivError
from .evaluate import MAX_ENTRIES, evaluate


def _flat(value, order) -> np.ndarray:
    return np.atleast_2d(np.asarray(value, dtype=float)).reshape(-1, order=order)


def numeric_jacobian(expr, variable, values, *, functions=None, vec="col", h=1e-6):
    """Central differences of vec(expr) (vecr for vec="row") by vec(variable)."""
    order = "F" if vec == "col" else "C"
    base = np.array(values[variable.name], dtype=float)
    _within_budget(base.size)
    columns = []
    for k in range(base.size):
        index = np.unravel_index(k, base.shape, order=order)
        step = h * max(1.0, abs(base[index]))
        plus, minus = base.copy(), base.copy()
        plus[index] += step
        minus[index] -= step
        f_plus = evaluate(expr, {**values, variable.name: plus}, functions=functions)
        f_minus = evaluate(expr, {**values, variable.name: minus}, functions=functions)
        columns.append((_flat(f_plus, order) - _flat(f_minus, order)) / (2 * step))
        _within_budget(base.size, columns[0].size)
    return np.stack(columns, axis=1)


#: Most entries of the variable that finite differences step through (two evaluations
#: of the formula each).
MAX_DIFFERENCE_STEPS = 4096


def _within_budget(steps: int, rows: int = 1) -> None:
    """Refuse differences that would take too long or too much memory, before they do."""
    if steps > MAX_DIFFERENCE_STEPS or steps * rows > MAX_ENTRIES:
        raise MatDerivError(f"finite differences by {steps:,} entries of the variable, for "
                            f"{rows:,} entries of the formula, are beyond the numeric budget "
                            f"({MAX_DIFFERENCE_STEPS:,} steps, {MAX_ENTRIES:,} numbers)",
                            kind="budget")


def numeric_gradient(expr, variable, values, *, functions=None, h=1e-6):
    """G[i, j] = d expr / d X[i, j] for a scalar (or 1 x 1) expr."""
    row = numeric_jacobian(expr, variable, values, functions=functions, vec="col", h=h)
    if row.shape[0] != 1:
        raise MatDerivError("numeric_gradient needs a scalar expression")
    shape = np.asarray(values[variable.name]).shape
    return row.reshape(shape, order="F")


def assert_close(computed, expected, *, what, rtol=1e-5, atol=1e-6, dtype=float):
    """Raise MatDerivError naming the worst entry when computed differs from expected
    (``dtype=complex`` compares complex arrays: Wirtinger derivatives)."""
    computed = np.atleast_2d(np.asarray(computed, dtype=dtype))
    expected = np.atleast_2d(np.asarray(expected, dtype=dtype))
    if computed.shape != expected.shape:
        raise MatDerivError(f"{what}: shape {computed.shape}, finite differences give "
                            f"{expected.shape}")
    if not np.all(np.isfinite(expected)):
        raise MatDerivError(f"{what}: the formula is not finite at the random point")
    error = np.abs(computed - expected)
    bound = atol + rtol * np.abs(expected)
    if not np.all(error <= bound) or not np.all(np.isfinite(computed)):
        excess = np.where(np.isfinite(error), error - bound, np.inf)  # NaN is the worst
        where = np.unravel_index(int(np.argmax(excess)), error.shape)
        raise MatDerivError(f"{what} is WRONG: entry {tuple(int(i) for i in where)} is "
                            f"{computed[where]:.6g}, finite differences give {expected[where]:.6g}")
    return float(np.max(error)) if error.size else 0.0


def assert_jacobians_close(derivation, vec, expected, values, *, functions=None, rtol,
                           atol) -> float:
    """Both layouts of ``derivation``'s Jacobian (``vec``) against ``expected``, the
    numerator-layout Jacobian found by differences (the denominator layout against its
    transpose); the largest deviation. Raises as ``assert_close`` does."""
    worst = 0.0
    for layout in ("numerator", "denominator"):
        computed = evaluate(derivation.jacobian(vec=vec, layout=layout), values,
                            functions=functions)
        worst = max(worst, assert_close(
            computed, expected if layout == "numerator" else expected.T,
            what=f"the Jacobian (vec={vec}, {layout} layout)", rtol=rtol, atol=atol))
    return worst


def numeric_hessian(expr, variable, values, *, functions=None, h=1e-4):
    """Central differences of the numeric gradient: d² expr / d vec(X) d vec(X)'."""
    base = np.array(values[variable.name], dtype=float)
    columns = []
    for k in range(base.size):
        index = np.unravel_index(k, base.shape, order="F")
        step = h * max(1.0, abs(base[index]))
        plus, minus = base.copy(), base.copy()
        plus[index] += step
        minus[index] -= step
        g_plus = numeric_gradient(expr, variable, {**values, variable.name: plus},
                                  functions=functions)
        g_minus = numeric_gradient(expr, variable, {**values, variable.name: minus},
                                   functions=functions)
        columns.append((_flat(g_plus, "F") - _flat(g_minus, "F")) / (2 * step))
    return np.stack(columns, axis=1)


"""Finite differences by a structured variable: along symmetric (diagonal) directions.

A symmetric S has n(n+1)/2 free entries, vech(S); a diagonal D has n, diag(D). The
derivative by them is stepped along the basis directions E_kl = e_k e_l' + e_l e_k'
(k > l), E_kk = e_k e_k' (diagonal: E_kk only), so F is only ever evaluated at symmetric
(diagonal) points. From those differences:

- the Jacobian d vec(F) / d vech(S) (= J D(n)), or d vec(F) / d diag(D) (= J Delta(n));
- the Cookbook's gradient C_kl = C_lk = dF / d vech(S)_kl, and the symmetric gradient
  G = (C + diag(diag(C))) / 2, the one symmetric matrix with <G, E> = dF(S)[E] for every
  symmetric E; for a diagonal D, G = diag(dF / d D_ii).

``check_directions`` also compares <G, E> with differences along random symmetric
(diagonal) directions E, and checks that G is symmetric (diagonal).

>>> import numpy as np
>>> from matderiv import derive
>>> d = derive("logdet(S)", "S", {"S": "n,n"}, symmetric=["S"])
>>> S = np.array([[2.0, 0.5], [0.5, 1.0]])
>>> G = structured_gradient(d.expr, d.variable, {"S": S, "n": 2}, convention="symmetric")
>>> bool(np.allclose(G, np.linalg.inv(S)))
True
"""

from __future__ import annotations

import numpy as np

from ..errors import MatDerivError
from ..expressions.structured import structure_of
from .differences import _within_budget, assert_close, assert_jacobians_close
from .evaluate import evaluate


def free_entries(variable, n: int) -> list[tuple[int, int]]:
    """The free entries (row, col), row >= col, in vech's (diag's) order; refused, before
    anything is made, where there are more than finite differences may step through."""
    count = n * (n + 1) // 2 if structure_of(variable) == "symmetric" else n
    _within_budget(count)
    if structure_of(variable) == "diagonal":
        return [(k, k) for k in range(n)]
    return [(row, col) for col in range(n) for row in range(col, n)]


def direction(row: int, col: int, n: int) -> np.ndarray:
    """The basis direction of free entry (row, col): e_row e_col' + e_col e_row' (once on
    the diagonal)."""
    e = np.zeros((n, n))
    e[row, col] = e[col, row] = 1.0
    return e


def _flat(value, order) -> np.ndarray:
    return np.atleast_2d(np.asarray(value, dtype=float)).reshape(-1, order=order)


def coordinate_jacobian(expr, variable, values, *, functions=None, vec="col", h=1e-6):
    """Central differences of vec(expr) (vecr for vec="row") by the free entries of the
    structured ``variable``: d vec(F) / d vech(S), or d vec(F) / d diag(D)."""
    order = "F" if vec == "col" else "C"
    base = np.array(values[variable.name], dtype=float)
    n = base.shape[0]
    free = free_entries(variable, n)
    step = h * max(1.0, float(np.max(np.abs(base))))
    columns = []
    for row, col in free:
        e = direction(row, col, n)
        plus = evaluate(expr, {**values, variable.name: base + step * e}, functions=functions)
        minus = evaluate(expr, {**values, variable.name: base - step * e}, functions=functions)
        columns.append((_flat(plus, order) - _flat(minus, order)) / (2 * step))
        _within_budget(len(free), columns[0].size)
    return np.stack(columns, axis=1)


def from_coordinates(row, variable, n: int, convention: str) -> np.ndarray:
    """The gradient, as a matrix, from dF by the free entries (``row``, vech's order)."""
    row = np.asarray(row, dtype=float).ravel()
    if structure_of(variable) == "diagonal":
        return np.diag(row)
    cookbook = np.zeros((n, n))
    for value, (i, j) in zip(row, free_entries(variable, n), strict=True):
        cookbook[i, j] = cookbook[j, i] = value
    if convention == "cookbook":
        return cookbook
    return (cookbook + np.diag(np.diag(cookbook))) / 2


def to_coordinates(gradient, variable, convention: str) -> np.ndarray:
    """dF by the free entries, from the gradient as a matrix (the inverse of
    ``from_coordinates``): the Hessian is checked as their Jacobian."""
    gradient = np.asarray(gradient, dtype=float)
    n = gradient.shape[0]
    if structure_of(variable) == "diagonal":
        return np.diag(gradient).copy()
    if convention != "cookbook":
        gradient = 2 * gradient - np.diag(np.diag(gradient))
    return np.array([gradient[i, j] for i, j in free_entries(variable, n)])


def structured_gradient(expr, variable, values, *, functions=None, convention="symmetric"):
    """The gradient by a structured variable from central differences (see the module)."""
    row = coordinate_jacobian(expr, variable, values, functions=functions)
    if row.shape[0] != 1:
        raise MatDerivError("a gradient needs a scalar expression")
    n = np.asarray(values[variable.name]).shape[0]
    return from_coordinates(row, variable, n, convention)


def coordinate_hessian(gradient, variable, values, *, functions=None, convention="symmetric",
                       h=1e-6):
    """Central differences, along the free entries, of dF by the free entries, computed
    from the closed-form ``gradient`` (itself checked against F first)."""
    base = np.array(values[variable.name], dtype=float)
    n = base.shape[0]
    free = free_entries(variable, n)
    _within_budget(len(free), len(free))
    step = h * max(1.0, float(np.max(np.abs(base))))
    columns = []
    for row, col in free:
        e = direction(row, col, n)
        plus = evaluate(gradient, {**values, variable.name: base + step * e},
                        functions=functions)
        minus = evaluate(gradient, {**values, variable.name: base - step * e},
                         functions=functions)
        columns.append((to_coordinates(plus, variable, convention)
                        - to_coordinates(minus, variable, convention)) / (2 * step))
    return np.stack(columns, axis=1)


def check_directions(expr, variable, values, gradient, *, functions=None,
                     convention="symmetric", rng=None, count=3, atol=1e-6, rtol=1e-5) -> float:
    """<G, E> against central differences of F along ``count`` random symmetric
    (diagonal) directions E, G the symmetric gradient; and G symmetric (diagonal).
    Returns the largest deviation; raises on a mismatch."""
    rng = rng if rng is not None else np.random.default_rng(0)
    gradient = np.asarray(gradient, dtype=float)
    structure = structure_of(variable)
    off = gradient - np.diag(np.diag(gradient)) if structure == "diagonal" \
        else gradient - gradient.T
    if np.max(np.abs(off), initial=0.0) > atol + rtol * np.max(np.abs(gradient), initial=0.0):
        raise MatDerivError(f"the gradient by the {structure} {variable} is WRONG: it is not "
                            f"{structure}")
    symmetric = gradient if convention != "cookbook" or structure == "diagonal" \
        else (gradient + np.diag(np.diag(gradient))) / 2
    base = np.array(values[variable.name], dtype=float)
    step = 1e-6 * max(1.0, float(np.max(np.abs(base))))
    worst = 0.0
    for _ in range(count):
        e = rng.uniform(-1.0, 1.0, size=base.shape)
        e = np.diag(np.diag(e)) if structure == "diagonal" else (e + e.T) / 2
        plus = float(np.asarray(evaluate(expr, {**values, variable.name: base + step * e},
                                         functions=functions)).ravel()[0])
        minus = float(np.asarray(evaluate(expr, {**values, variable.name: base - step * e},
                                          functions=functions)).ravel()[0])
        worst = max(worst, assert_close(np.sum(symmetric * e), (plus - minus) / (2 * step),
                                        what=f"<G, E> along a {structure} direction E",
                                        rtol=rtol, atol=atol))
    return worst


def check_point(derivation, values, functions, rtol, atol, hessian) -> tuple[float, list]:
    """Every result of a derivation by a structured variable against central differences
    along its free entries, at one point: (largest deviation, what was checked)."""
    expr, variable = derivation.expr, derivation.variable
    convention = getattr(derivation, "symmetric_convention", "symmetric")
    worst, checked = 0.0, []
    if derivation.is_scalar:
        gradient = derivation.gradient()
        computed = evaluate(gradient, values, functions=functions)
        expected = structured_gradient(expr, variable, values, functions=functions,
                                       convention=convention)
        worst = max(worst, assert_close(computed, expected, what="the gradient", rtol=rtol,
                                        atol=atol))
        worst = max(worst, check_directions(expr, variable, values, computed,
                                            functions=functions, convention=convention,
                                            rtol=rtol, atol=atol))
        checked.append(f"gradient, {structure_of(variable)} directions")
        if hessian:
            g_scale = float(np.max(np.abs(computed), initial=0.0))
            expected = coordinate_hessian(gradient, variable, values, functions=functions,
                                          convention=convention)
            for vec in ("col", "row"):
                computed = evaluate(derivation.hessian(layout="numerator", vec=vec), values,
                                    functions=functions)
                worst = max(worst, assert_close(computed, expected,
                                                what=f"the Hessian (vec={vec})", rtol=rtol,
                                                atol=atol + 1e-8 * g_scale))
            checked.append("Hessian")
    for vec in ("col", "row"):
        expected = coordinate_jacobian(expr, variable, values, functions=functions, vec=vec)
        worst = max(worst, assert_jacobians_close(derivation, vec, expected, values,
                                                  functions=functions, rtol=rtol, atol=atol))
        checked.append(f"Jacobian vec={vec}")
    return worst, checked


__all__ = ["check_directions", "check_point", "coordinate_hessian", "coordinate_jacobian",
           "direction", "free_entries", "from_coordinates", "structured_gradient", "to_coordinates"]

"""``Derivation.check()``: every closed form against finite differences, at random points
with random concrete sizes, in both vec conventions.

>>> from matderiv import derive
>>> derive("tr(A*X*B)", wrt="X", shapes={"A": "p,m", "X": "m,n", "B": "n,p"}).check().passed
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import MatDerivError
from ..expressions import MatDiff, matrix_symbol
from ..expressions.contains import distinct_nodes
from .differences import assert_close, numeric_gradient, numeric_jacobian
from .evaluate import evaluate, evaluate_all
from .points import random_values, stand_in_functions


@dataclass(frozen=True)
class CheckReport:
    """What was checked: how many points, at which sizes, the largest deviation."""

    points: int
    sizes: tuple
    max_error: float
    checked: tuple

    @property
    def passed(self) -> bool:
        return True  # a failed check raises instead

    @property
    def summary(self) -> str:
        sizes = "; ".join(", ".join(f"{k}={v}" for k, v in s.items()) or "fixed"
                          for s in self.sizes)
        return (f"agrees with central finite differences ({', '.join(self.checked)}) at "
                f"{self.points} random points, sizes {sizes}; largest deviation "
                f"{self.max_error:.1e}")


def verify(derivation, *, points: int = 3, seed: int = 0, rtol: float = 1e-5,
           atol: float = 1e-6, hessian: bool = False) -> CheckReport:
    """Raise MatDerivError if a result differs from finite differences; else a report."""
    rng = np.random.default_rng(seed)
    functions = stand_in_functions(derivation.abstract_functions)
    expr, variable = derivation.expr, derivation.variable
    worst, sizes, checked = 0.0, [], []
    attempts = 0
    while len(sizes) < points:
        attempts += 1
        if attempts > MAX_ATTEMPTS * points:
            raise MatDerivError(
                f"cannot check the result: the formula is not defined (a singular or "
                f"ill-conditioned matrix is inverted or has its determinant taken) at "
                f"{attempts - 1 - len(sizes)} of {attempts - 1} random points and sizes"
                + (f"; it was checked at {len(sizes)}" if sizes else ""))
        values = random_values(expr, variable, rng)
        value = _value_or_none(expr, values, functions)
        if value is None:
            continue  # F is not defined here (X'X singular when X is wide): draw again
        sizes.append({k: v for k, v in values.items() if isinstance(v, int)})
        # Central differences lose about eps |F| / h to rounding: allow for it, so a
        # huge F (det of a large matrix) is not called wrong for a right derivative.
        scale = float(np.max(np.abs(value)))
        atol_f = atol + 1e-8 * scale
        if derivation.is_scalar and hessian:
            # Differences of the gradient, itself checked against F below: one level of
            # finite differences instead of two.
            gradient = derivation.gradient()
            expected = numeric_jacobian(gradient, variable, values, functions=functions)
            computed = evaluate(derivation.hessian(layout="numerator"), values,
                                functions=functions)
            g_scale = float(np.max(np.abs(evaluate(gradient, values, functions=functions))))
            worst = max(worst, assert_close(computed, expected, what="the Hessian",
                                            rtol=1e-5, atol=atol + 1e-8 * g_scale))
            checked.append("Hessian")
        if derivation.is_scalar:
            expected = numeric_gradient(expr, variable, values, functions=functions)
            computed = evaluate(derivation.gradient(), values, functions=functions)
            worst = max(worst, assert_close(computed, expected, what="the gradient",
                                            rtol=rtol, atol=atol_f))
            checked.append("gradient")
        for vec in ("col", "row"):
            expected = numeric_jacobian(expr, variable, values, functions=functions, vec=vec)
            for layout in ("numerator", "denominator"):
                computed = evaluate(derivation.jacobian(vec=vec, layout=layout), values,
                                    functions=functions)
                worst = max(worst, assert_close(
                    computed, expected if layout == "numerator" else expected.T,
                    what=f"the Jacobian (vec={vec}, {layout} layout)", rtol=rtol, atol=atol_f))
            checked.append(f"Jacobian vec={vec}")
            if vec == "row":  # T[i, j, k, l] holds the vecr Jacobian's entries, row-major
                computed = evaluate(derivation.tensor(), values, functions=functions)
                worst = max(worst, assert_close(computed.reshape(expected.shape), expected,
                                                what="the tensor", rtol=rtol, atol=atol_f))
                checked.append("tensor")
    return CheckReport(points, tuple(sizes), worst, tuple(dict.fromkeys(checked)))


#: Random points tried per point wanted, where the formula may be undefined at some.
MAX_ATTEMPTS = 8


#: Condition number past which a point is too close to singular to decide anything.
MAX_CONDITION = 1e8


def _value_or_none(expr, values, functions):
    """F at the point, or None where it is not defined or nearly so: an inverted or
    determinant-taken matrix that is singular or ill-conditioned (X'X for a wide X)."""
    import sympy
    try:
        for node in distinct_nodes(expr):
            if isinstance(node, (sympy.Inverse, sympy.Determinant)) or (
                    isinstance(node, sympy.MatPow) and node.exp.is_negative):
                inside = node.arg if not isinstance(node, sympy.MatPow) else node.base
                matrix = np.atleast_2d(evaluate(inside, values, functions=functions))
                if not np.all(np.isfinite(matrix)) or np.linalg.cond(matrix) > MAX_CONDITION:
                    return None
        value = np.asarray(evaluate(expr, values, functions=functions), dtype=float)
    except MatDerivError as error:
        if "singular" in str(error):
            return None
        raise
    return value  # a value that overflows is reported as such, not drawn again


def assert_same_differential(one, other, derivation) -> None:
    """Two forms of dF (holding d(variable)) have one value: dX drawn as a random matrix."""
    stand_in = matrix_symbol(f"d{derivation.variable}", *derivation.variable.shape)
    replace = {MatDiff(derivation.variable): stand_in}
    assert_same_value(one.xreplace(replace), other.xreplace(replace), derivation,
                      values_of=one.xreplace(replace))


def assert_same_value(before, after, derivation, *, seed: int = 3, values_of=None) -> None:
    """Simplification must not change the value: compare at one random point.

    A safety net under SymPy's canonical forms and the simplification rules. Points
    where the expression cannot be evaluated (not finite) are skipped.
    """
    rng = np.random.default_rng(seed)
    try:
        values = random_values(derivation.expr if values_of is None else values_of,
                               derivation.variable, rng)
        functions = stand_in_functions(derivation.abstract_functions)
        a, b = (np.asarray(v, dtype=float) for v in
                evaluate_all((before, after), values, functions=functions))
    except MatDerivError:
        return
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return
    largest = np.abs(a).max(initial=0)
    if max(largest, np.abs(b).max(initial=0)) > 1e8:
        return  # an ill-conditioned point (a nearly singular inverse) decides nothing
    # np.allclose(a, b, rtol=1e-8, atol=1e-10 (1 + max |a|)), for finite a, b of one shape
    if a.shape != b.shape or not np.all(
            np.abs(a - b) <= 1e-10 * (1 + largest) + 1e-8 * np.abs(b)):
        raise MatDerivError(f"internal error: simplifying {before} gave {after}, which has "
                            "another value; the result is withheld (please report this)")

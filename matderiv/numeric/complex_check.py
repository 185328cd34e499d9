"""The numeric check of a complex derivation: Wirtinger derivatives from finite
differences along real and imaginary directions, at random complex points.

With Z = X + iY, central differences give ∂F/∂X_kl and ∂F/∂Y_kl, and

    ∂F/∂Z_kl = (∂F/∂X_kl − i ∂F/∂Y_kl) / 2,    ∂F/∂Z̄_kl = (∂F/∂X_kl + i ∂F/∂Y_kl) / 2

(Kreutz-Delgado, CR-calculus, eq. (21); Hjørungnes 2011, Definition 2.2). Every result
of the derivation is compared with these, the conjugate symbol always holding the
conjugate value: this checks the meaning of the result, not only the algebra of the
independent Z and Z̄ the engine derived in.

>>> from matderiv import derive
>>> d = derive("z'*z", wrt="z", shapes={"z": ("n", 1)}, complex=["z"])
>>> complex_check(d).passed
True
"""

from __future__ import annotations

import numpy as np
import sympy
from sympy import MatrixSymbol

from ..errors import MatDerivError
from .complex_values import complex_evaluate, complex_evaluate_with_scale, random_complex_values
from .differences import MAX_DIFFERENCE_STEPS, assert_close
from .points import random_values
from .verify import CheckReport


def _flat(value) -> np.ndarray:
    return np.atleast_2d(np.asarray(value, dtype=complex)).reshape(-1, order="F")


def point(derivation, rng) -> dict:
    """A random complex point of the derivation's formula (conjugates kept conjugate)."""
    return random_complex_values(derivation.expr, derivation.variable, rng,
                                 derivation.conjugate_names, derivation.hermitian)


def wirtinger_differences(derivation, values, h: float = 1e-6, scale: list | None = None):
    """(∂vec F/∂vec Z, ∂vec F/∂vec Z̄) by central differences, each (entries of F) x
    (entries of Z); for a real variable X, (∂vec F/∂vec X, None). ``scale``, a list, gets
    the largest magnitude met on the way (rounding in the differences scales with it)."""
    scale = scale if scale is not None else []
    name = derivation.variable.name
    bar = derivation.conjugate_names.get(name)
    # A real variable stays real (relu(X) of a real X keeps its meaning).
    base = np.asarray(values[name], dtype=complex if bar is not None else float)
    if base.size * 2 > MAX_DIFFERENCE_STEPS:
        raise MatDerivError(f"finite differences by {base.size:,} complex entries are beyond "
                            f"the numeric budget ({MAX_DIFFERENCE_STEPS:,} steps)",
                            kind="budget")

    def at(value):
        moved = {**values, name: value}
        if bar is not None:
            moved[bar] = np.conj(value)
        value, magnitude = complex_evaluate_with_scale(derivation.expr, moved)
        scale.append(magnitude)
        return _flat(value)

    def along(direction):
        columns = []
        for k in range(base.size):
            index = np.unravel_index(k, base.shape, order="F")
            step = h * max(1.0, abs(base[index]))
            plus, minus = base.copy(), base.copy()
            plus[index] += direction * step
            minus[index] -= direction * step
            with np.errstate(all="ignore"):
                columns.append((at(plus) - at(minus)) / (2 * step))
        return np.stack(columns, axis=1)

    by_x = along(1.0)
    if bar is None:
        return by_x, None
    by_y = along(1j)
    return (by_x - 1j * by_y) / 2, (by_x + 1j * by_y) / 2


def is_real_valued(derivation, points: int = 2, seed: int = 11) -> tuple[bool, complex]:
    """Whether F is real at ``points`` random complex points where it is finite, and its
    value at the first point where it is not real (or at the last point)."""
    rng = np.random.default_rng(seed)
    value, seen = 0j, 0
    for _ in range(4 * points):
        value = complex(np.asarray(complex_evaluate(derivation.expr, point(derivation, rng)))
                        .reshape(-1)[0])
        if not np.isfinite(value):
            continue  # not defined here (a singular inverse, log 0): another point
        if not abs(value.imag) <= 1e-9 * (1.0 + abs(value.real)):
            return False, value
        seen += 1
        if seen == points:
            return True, value
    raise MatDerivError("the formula is not finite at random complex points, so whether it "
                        "is real (and has a gradient) cannot be told")


def complex_check(derivation, *, points: int = 3, seed: int = 0, rtol: float = 1e-5,
                  atol: float = 1e-6, h: float = 1e-6) -> CheckReport:
    """Check every result of a complex derivation (``api.complex.ComplexDerivation``)
    against Wirtinger finite differences at ``points`` random complex points."""
    rng = np.random.default_rng(seed)
    symbols = tuple(s for s in derivation.env.values() if isinstance(s, MatrixSymbol))
    results = derivation.results_to_check()
    worst, sizes = 0.0, []
    for _ in range(points):
        values = point(derivation, rng)
        sizes.append({k: v for k, v in values.items() if isinstance(v, int)})
        magnitudes: list = []
        by_z, by_zbar = wirtinger_differences(derivation, values, h, magnitudes)
        # Rounding in the differences scales with the largest derivative, not with each
        # entry (an exact 0 beside entries of 10^3 is found as 10^-7), and with the largest
        # part of F on the way, divided by the step (terms of 10^3 cancelling to 0).
        scale = max(float(np.abs(m).max(initial=0)) for m in (by_z, by_zbar) if m is not None)
        scale = max(scale, 1e-3 * max(magnitudes, default=0.0))
        for what, result, conjugate in results:
            expected = by_zbar if conjugate else by_z
            computed = complex_evaluate(result, values, symbols=symbols)
            if what == "gradient":
                shape = np.asarray(values[derivation.variable.name]).shape
                expected = expected.reshape(shape, order="F")
            elif np.ndim(computed) < 2:
                computed = np.full(expected.shape, computed)
            worst = max(worst, assert_close(computed, expected, what=what, rtol=rtol,
                                            atol=atol * (1 + scale), dtype=complex))
    checked = tuple(what for what, _, _ in results)
    return CheckReport(points=points, sizes=tuple(sizes), max_error=worst, checked=checked)


def assert_same_complex_value(before, after, derivation, *, seed: int = 3,
                              attempts: int = 6) -> str:
    """The safety net under the engine's rewrites (``verify.assert_same_value``) for
    formulas in Z and Zbar that hold i: the two forms compared at a random point where
    every complex matrix (``derivation.complex_names``), Zbar too, is complex and drawn
    on its own (a rewrite is an identity in independent variables); real names stay
    real. Returns "checked" or "skipped"; raises if they differ."""
    rng = np.random.default_rng(seed)
    for _ in range(attempts):
        try:
            values = random_values(sympy.Tuple(before, after), derivation.variable, rng)
            for name, value in list(values.items()):
                if isinstance(value, np.ndarray) and name in derivation.complex_names:
                    values[name] = value + 0.3j * rng.uniform(-1.0, 1.0, size=value.shape)
            symbols = tuple(s for s in derivation.env.values() if isinstance(s, MatrixSymbol))
            a, scale_a = complex_evaluate_with_scale(before, values, symbols=symbols)
            b, scale_b = complex_evaluate_with_scale(after, values, symbols=symbols)
            a, b = np.asarray(a), np.asarray(b)
        except MatDerivError as error:
            if error.kind == "budget":  # no symbolic twin confirms complex results
                raise MatDerivError("the sizes are too large to check each rewrite at complex "
                                    "points; give sizes as names (-s Z=n,n)",
                                    kind="budget") from None
            continue
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            continue
        scale = max(scale_a, scale_b)
        if scale > 1e12:
            continue  # a huge part (a nearly singular inverse) decides nothing
        if a.shape != b.shape and a.size * b.size != 1 or not np.all(
                np.abs(a - b) <= 1e-10 + 1e-12 * scale + 1e-8 * np.abs(b)):
            raise MatDerivError(f"internal error: simplifying {before} gave {after}, which "
                                "has another value; the result is withheld (please report "
                                "this)")
        return "checked"
    return "skipped"


__all__ = ["assert_same_complex_value", "complex_check", "is_real_valued",
           "wirtinger_differences"]

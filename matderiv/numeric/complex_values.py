"""Numeric evaluation at complex values, and random complex points.

``evaluate`` works in float64; a formula over complex names (``matderiv.syntax.
complex_reading``) is evaluated here with the same handlers in complex128, except those
that cast to float, which are replaced. Only what the complex grammar can build is
needed: the holomorphic functions, products, sums, transposes, inverses, traces,
determinants, Kronecker and Hadamard products, inner products, vec.

>>> from sympy import MatrixSymbol
>>> Z = MatrixSymbol("Z", 2, 2)
>>> complex_evaluate(sympy.Trace(Z), {"Z": np.array([[1j, 0], [0, 2]])})
(2+1j)
"""

from __future__ import annotations

import numpy as np
import sympy
from sympy import Determinant, MatrixSymbol, Trace

from ..errors import MatDerivError
from ..expressions import Elementwise, Inner, ScalarOf, SumEntries, is_matrix
from ..expressions.contains import atoms_of
from . import evaluate as real
from .points import random_values

#: Complex counterparts of the element-wise functions the complex grammar allows
#: (principal branches of log and sqrt).
_FUNCTIONS = {
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
    "tan": np.tan, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh,
}
_SCALAR_FUNCTIONS = {sympy.exp: np.exp, sympy.log: np.log, sympy.sin: np.sin,
                     sympy.cos: np.cos, sympy.tan: np.tan, sympy.tanh: np.tanh,
                     sympy.sinh: np.sinh, sympy.cosh: np.cosh}


def _as_matrix(value, symbol) -> np.ndarray:
    array = np.asarray(value, dtype=complex)
    if array.ndim < 2:
        array = array.reshape(symbol.shape[0] if symbol.shape[1] == 1 else 1, -1) \
            if array.ndim == 1 else array.reshape(1, 1)
    return array


def _function(ev, expr):
    function = _SCALAR_FUNCTIONS.get(expr.func)
    if function is None:
        raise MatDerivError(f"no complex value for {expr.func.__name__}")
    return complex(function(*(complex(ev(a)) for a in expr.args)))


def _power(ev, expr):
    return np.power(np.asarray(ev(expr.base), dtype=complex), ev(expr.exp))


_HANDLERS = {
    **real._HANDLERS,
    MatrixSymbol: lambda ev, e: _as_matrix(ev.values[e.name], e),
    sympy.Symbol: lambda ev, e: complex(ev.values[e.name]) if e.name in ev.values
    else float(ev.sizes[e]),
    sympy.Pow: _power,
    Trace: lambda ev, e: complex(np.trace(ev(e.arg))),
    Determinant: lambda ev, e: complex(np.linalg.det(ev(e.arg))),
    ScalarOf: lambda ev, e: complex(ev(e.matrix)[0, 0]),
    SumEntries: lambda ev, e: complex(np.sum(ev(e.matrix))),
    Inner: lambda ev, e: complex(np.sum(ev(e.args[0]) * ev(e.args[1]))),
    sympy.Function: _function,
}


def _elementwise(ev, expr):
    function = _FUNCTIONS.get(expr.function)
    if function is None:
        raise MatDerivError(f"no complex value for {expr.function} of a complex matrix")
    return function(ev(expr.arg))


_HANDLERS[Elementwise] = _elementwise


class _ComplexEvaluator(real._Evaluator):
    """``evaluate``'s evaluator in complex128 where a part holds a complex value (a name
    given a complex array, or i); a part of real names alone is evaluated as
    ``evaluate`` does it (relu(B), abs(B) of a real B keep their real meaning)."""

    def __init__(self, values, sizes, functions):
        super().__init__(values, sizes, functions)
        self.complex_names = {name for name, value in values.items() if np.iscomplexobj(value)}
        self._real = real._Evaluator(values, sizes, functions)

    def holds_complex(self, expr) -> bool:
        return expr.has(sympy.I) or any(
            s.name in self.complex_names for s in atoms_of(expr, MatrixSymbol, sympy.Symbol))

    def _evaluate(self, expr):
        if not self.holds_complex(expr):
            return self._real(expr)
        handler = _HANDLERS.get(type(expr))
        if handler is None:
            handler = next((h for cls, h in _HANDLERS.items() if isinstance(expr, cls)), None)
        if handler is None:
            if not is_matrix(expr) and expr.is_number:
                return complex(expr)
            raise MatDerivError(f"cannot evaluate {type(expr).__name__} at complex values")
        result = handler(self, expr)
        if is_matrix(expr):
            result = np.asarray(result, dtype=complex)
            if result.ndim < 2:
                result = np.broadcast_to(result, self.shape(expr)).copy()
        return result


def complex_evaluate(expr, values, *, symbols=()):
    """``expr`` at complex ``values`` (name -> array or number): a complex or an array.
    ``symbols`` are further MatrixSymbols whose arrays fix sizes the result lacks."""
    return complex_evaluate_with_scale(expr, values, symbols=symbols)[0]


def complex_evaluate_with_scale(expr, values, *, symbols=()) -> tuple:
    """``complex_evaluate``, and the largest magnitude of any part on the way (finite
    ones), which rounding errors scale with (``evaluate_with_scale``'s)."""
    sizes_from = {k: (np.real(v) if isinstance(v, np.ndarray) else v) for k, v in values.items()}
    evaluator = _ComplexEvaluator(values, real.infer_sizes(expr, sizes_from, symbols), None)
    evaluator.check_budget(expr)
    with np.errstate(all="ignore"):
        try:
            result = evaluator(expr)
        except np.linalg.LinAlgError:
            raise MatDerivError("an inverse does not exist at these complex values") from None
        scale = 0.0
        for value in [*evaluator.computed(), *evaluator._real.computed()]:
            magnitudes = np.abs(np.asarray(value))
            finite = magnitudes[np.isfinite(magnitudes)]
            if finite.size:
                scale = max(scale, float(finite.max()))
    if isinstance(result, np.ndarray) and not is_matrix(expr):
        result = complex(result.reshape(-1)[0])
    return result, scale


def random_complex_values(expr, variable, rng, conjugates, hermitian=()) -> dict:
    """Random values as ``random_values`` draws them, made complex: each complex name
    gets an imaginary part (0.3 times uniform in [-1, 1]: log and sqrt stay off their cut,
    inverted matrices well conditioned), each conjugate symbol the conjugate value, and
    each Hermitian name a positive definite B Bᴴ + n I.

    ``conjugates`` maps each complex name to its conjugate's name.
    """
    values = random_values(expr, variable, rng)
    for name, bar in conjugates.items():
        # A name may occur only conjugated (A'*z holds Abar alone), or not at all.
        drawn = values.get(name, values.get(bar))
        if drawn is None:
            continue
        base = np.asarray(drawn, dtype=float)
        values[name] = base + 0.3j * rng.uniform(-1.0, 1.0, size=base.shape)
        values[bar] = np.conj(values[name])
    for name in hermitian:
        if name not in values:
            continue
        base = np.asarray(values[name], dtype=float)
        rows = base.shape[0]
        b = base + 0.3j * rng.uniform(-1.0, 1.0, size=base.shape)
        values[name] = b @ b.conj().T / rows + np.eye(rows)
    return values


__all__ = ["complex_evaluate", "complex_evaluate_with_scale", "random_complex_values"]

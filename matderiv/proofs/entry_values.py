"""The value of an entry formula (index sums, deltas, matrix entries) at given indices.

The element-wise proof checks its entry formula against the closed form at every entry.
Putting the indices in with ``subs`` and summing with ``doit()`` built a new SymPy
expression per entry and summed it symbolically; here the formula is walked once per
entry with floats, the sums being loops over their (small) ranges, and each matrix it
reads evaluated once. A node this walk does not know is handed back to SymPy (the old
way, ``fallback``), so nothing is left unchecked.

>>> import numpy as np
>>> from sympy import Dummy, KroneckerDelta, MatrixSymbol, Sum, Symbol
>>> k, p = Dummy("k", integer=True), Symbol("p", integer=True)
>>> A = MatrixSymbol("A", 2, 2)
>>> values = EntryValues({"A": np.array([[1.0, 2.0], [3.0, 4.0]])}, None, None)
>>> values.at(Sum(A[k, 1] * KroneckerDelta(k, p), (k, 0, 1)), {p: 1})
4.0
"""

from __future__ import annotations

import math

import numpy as np
import sympy
from sympy import Determinant, KroneckerDelta, Sum
from sympy.matrices.expressions.matexpr import MatrixElement

from ..expressions import AbstractFunction
from ..numeric.evaluate import evaluate

#: SymPy's functions of one argument and their float counterparts (others: ``fallback``).
_FLOAT_FUNCTIONS = {
    sympy.exp: math.exp, sympy.tanh: math.tanh, sympy.sin: math.sin, sympy.cos: math.cos,
    sympy.tan: math.tan, sympy.sinh: math.sinh, sympy.cosh: math.cosh,
    sympy.atan: math.atan,
}


class EntryValues:
    """Entry formulas evaluated at ``values`` (arrays by name); ``fallback(expr)`` gives
    the value of a formula with every index put in, SymPy's way."""

    def __init__(self, values, functions, fallback, sizes=None):
        self.values, self.functions, self.fallback = values, functions, fallback
        # The integer sizes (size symbol -> int), put in with the indices where SymPy
        # evaluates a node (the walk reads them from ``values`` by name).
        self.sizes = {s: sympy.Integer(v) for s, v in (sizes or {}).items()}
        self._matrices: dict = {}
        self._values: dict = {}
        self._free_symbols: dict = {}

    def at(self, formula, indices: dict) -> float:
        """The value of ``formula`` with each index symbol set to its integer."""
        return self._walk(formula, dict(indices))

    def _matrix(self, parent):
        if parent not in self._matrices:
            self._matrices[parent] = np.atleast_2d(
                evaluate(parent, self.values, functions=self.functions))
        return self._matrices[parent]

    def _by_sympy(self, expr, at) -> float:
        """A node the float walk does not know (a case split, mod, a complex power): its
        value SymPy's way, with the indices in force put in."""
        bound = {**self.sizes, **{s: sympy.Integer(v) for s, v in at.items()}}
        return self.fallback(expr.xreplace(bound))

    def _walk(self, expr, at):
        """The value of ``expr``; a sum's or a function's remembered with the values of
        the symbols free in it (tanh(b_r + Σ_s W_rs x_s) is summed once per r, not once
        per term of the sums around it)."""
        if not isinstance(expr, (Sum, sympy.Function)):
            return self._node(expr, at)
        key = (expr, tuple(at.get(s) for s in self._free(expr)))
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = self._node(expr, at)
        return found

    def _free(self, expr) -> tuple:
        """The symbols free in ``expr`` (summation indices of its own sums left out)."""
        found = self._free_symbols.get(expr)
        if found is None:
            if expr.is_Symbol:
                symbols = {expr}
            else:
                symbols = set()
                for arg in expr.args:
                    symbols.update(self._free(arg))
                if isinstance(expr, Sum):
                    symbols.difference_update(limit[0] for limit in expr.limits)
            found = self._free_symbols[expr] = tuple(symbols)
        return found

    def _node(self, expr, at):
        if expr.is_Number or expr.is_NumberSymbol:
            return float(expr)
        if expr.is_Symbol:
            if expr in at:
                return at[expr]
            value = self.values.get(expr.name)
            if value is None or isinstance(value, np.ndarray):
                return self._by_sympy(expr, at)
            return float(value)
        if isinstance(expr, MatrixElement):
            parent, row, col = expr.args
            return float(self._matrix(parent)[self._index(row, at), self._index(col, at)])
        if isinstance(expr, sympy.Add):
            return sum(self._walk(a, at) for a in expr.args)
        if isinstance(expr, sympy.Mul):
            product = 1.0
            for factor in expr.args:
                product *= self._walk(factor, at)
                if product == 0.0:  # a delta that is 0: the rest need not be read
                    return 0.0
            return product
        if isinstance(expr, sympy.Pow):
            base, exponent = self._walk(expr.base, at), self._walk(expr.exp, at)
            if base < 0 and not float(exponent).is_integer() or (base == 0 and exponent < 0):
                return self._by_sympy(expr, at)
            return base ** exponent
        if isinstance(expr, KroneckerDelta):
            return float(self._index(expr.args[0], at) == self._index(expr.args[1], at))
        if isinstance(expr, Sum):
            return self._sum(expr.function, list(expr.limits), at)
        if isinstance(expr, (Determinant, AbstractFunction)) and not (
                expr.free_symbols & set(at)):
            return float(self._matrix(expr)[0, 0])
        if type(expr) in _FLOAT_FUNCTIONS and len(expr.args) == 1:
            try:
                return _FLOAT_FUNCTIONS[type(expr)](self._walk(expr.args[0], at))
            except (OverflowError, ValueError):  # exp(800): SymPy's value, as before
                return self._by_sympy(expr, at)
        if isinstance(expr, sympy.log) and len(expr.args) == 1:
            argument = self._walk(expr.args[0], at)
            if argument <= 0:
                return self._by_sympy(expr, at)
            return math.log(argument)
        if isinstance(expr, sympy.Function) and len(expr.args) == 1 and not isinstance(
                expr, AbstractFunction):
            # sigmoid, softplus, ...: SymPy's own numeric value at a float argument
            return float(sympy.N(expr.func(sympy.Float(self._walk(expr.args[0], at)))))
        return self._by_sympy(expr, at)

    def _index(self, expr, at) -> int:
        value = float(self._walk(expr, at))
        if not value.is_integer():
            raise ValueError(f"index {expr} is not an integer: {value}")
        return int(value)

    def _sum(self, body, limits, at):
        (index, low, high), rest = limits[0], limits[1:]
        total, outer = 0.0, at.get(index)
        for value in range(self._index(low, at), self._index(high, at) + 1):
            at[index] = value
            total += self._sum(body, rest, at) if rest else self._walk(body, at)
        if outer is None:
            at.pop(index, None)
        else:
            at[index] = outer
        return total


__all__ = ["EntryValues"]

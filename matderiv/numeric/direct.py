"""A formula's value read straight from its text: a second, independent reading.

The numeric check compares the derivatives with finite differences of the formula as
matderiv built it; a formula misread (2^3^2 grouped the wrong way) would be checked
against the same misreading. This module reads the text again by a different route —
a recursive-descent parser written from the grammar's table of precedences, evaluating
with NumPy as it goes, sharing nothing with the Pratt parser, the Builder or SymPy but
the tokenizer — so that ``verify`` can compare the two readings at each random point.

>>> import numpy as np
>>> float(direct_value("2^3^2", {}))
512.0
>>> direct_value("tr(A*B')", {"A": np.eye(2), "B": np.ones((2, 2))})
2.0

A construct it does not know makes it return None (no second reading), never a guess.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..syntax.parser import tokenize


class _NoReading(Exception):
    """This reader cannot read the formula: the check is made without it."""


#: Most numbers an array of this reader may hold, as the evaluator's budget: beyond it
#: there is no second reading (ones(30000, 30000) is not made).
_MAX_ENTRIES = 10_000_000


def _sized(*sizes) -> None:
    """Refuse, before it is made, an array of more than _MAX_ENTRIES numbers."""
    total = 1
    for size in sizes:
        total *= size
    if total > _MAX_ENTRIES:
        raise _NoReading


def direct_value(text: str, values: dict, functions: dict | None = None):
    """The value of formula ``text`` at ``values`` (names -> arrays or numbers, sizes ->
    ints): a float or a 2-D array; None where this reader does not know a construct."""
    return direct_reading(text, values, functions)[0]


def direct_reading(text: str, values: dict, functions: dict | None = None):
    """(``direct_value``, the largest magnitude of any sum's or product's operands on the
    way): rounding errors scale with it (tr(X) + 1e12 - 1e12 loses digits of tr(X) that
    the exact reading keeps). A product of numbers that underflows to 0 is no reading."""
    try:
        reader = _Reader(text, values, functions or {})
        with np.errstate(all="ignore"):
            value = reader.sum()
            if reader.peek()[1] != "":
                return None, 0.0
        return _finished(value), reader.scale
    except (_NoReading, KeyError, ValueError, TypeError, IndexError, ArithmeticError,
            np.linalg.LinAlgError, RecursionError):
        return None, 0.0


def _finished(value):
    value = np.asarray(value, dtype=float)
    if value.ndim == 2 and value.shape == (1, 1):
        return float(value[0, 0])
    return float(value) if value.ndim == 0 else value


def _is_matrix(value) -> bool:
    return isinstance(value, np.ndarray) and value.ndim == 2


def _is_one_by_one(value) -> bool:
    return _is_matrix(value) and value.shape == (1, 1)


def _scalar(value) -> float:
    """A number, or a 1 x 1 matrix read as one."""
    if _is_matrix(value):
        if value.shape != (1, 1):
            raise _NoReading
        return float(value[0, 0])
    return float(value)


def _matrix(value) -> np.ndarray:
    """A matrix; a number is a 1 x 1 one (at concrete sizes a 1 x m matrix with m = 1
    reads as a number here where the builder, seeing m, kept a matrix)."""
    if _is_matrix(value):
        return value
    return np.array([[float(value)]])


_FUNCTIONS = {
    "exp": np.exp, "log": np.log, "tanh": np.tanh, "sin": np.sin, "cos": np.cos,
    "sqrt": np.sqrt, "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float))),
    "abs": np.abs, "sign": np.sign, "relu": lambda x: np.where(np.asarray(x) > 0, x, 0.0),
    "step": lambda x: np.where(np.asarray(x) > 0, 1.0, 0.0), "tan": np.tan,
    "atan": np.arctan, "arctan": np.arctan, "asin": np.arcsin, "arcsin": np.arcsin,
    "acos": np.arccos, "arccos": np.arccos, "sinh": np.sinh, "cosh": np.cosh,
    "log1p": np.log1p, "expm1": np.expm1,
    "softplus": lambda x: np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0),
    "square": np.square,
}


class _Reader:
    """Recursive descent, one method per level of the grammar's precedence table:
    sum < product < unary sign < power (to the right) < postfix transpose."""

    def __init__(self, text, values, functions):
        self.tokens = [(t.kind, t.text) for t in tokenize(text)]
        self.pos = 0
        self.values = values
        self.functions = functions
        self.scale = 0.0

    def noted(self, *values):
        """The last of ``values``, each magnitude noted in ``scale``."""
        for value in values:
            magnitudes = np.abs(np.asarray(value, dtype=float))
            finite = magnitudes[np.isfinite(magnitudes)]
            if finite.size:
                self.scale = max(self.scale, float(finite.max()))
        return values[-1]

    def peek(self, ahead: int = 0):
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self, text=None):
        token = self.tokens[self.pos]
        if text is not None and token[1] != text:
            raise _NoReading
        self.pos += 1
        return token

    # sum := product (('+' | '-') product)*
    def sum(self):
        value = self.product()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            op = self.take()[1]
            other = self.product()
            value = self.noted(value, other, _add(value, other if op == "+" else
                                                  _negate(other)))
        return value

    # product := unary (('*' | '@' | '/' | '.*' | './') unary)*
    def product(self):
        value = self.unary()
        while self.peek()[1] in ("*", "@", "/", ".*", "./"):
            op = self.take()[1]
            other = self.unary()
            if not _is_matrix(value) and not _is_matrix(other) and value and other and \
                    op in ("*", "/") and not (float(value) * float(other) if op == "*"
                                              else float(value) / float(other)):
                raise _NoReading  # a product of numbers that underflows to 0
            self.noted(value, other)
            if op in ("*", "@"):
                value = _multiply(value, other)
            elif op == "/":
                value = _multiply(value, 1.0 / _scalar(other))
            elif op == ".*":
                value = _hadamard(value, other)
            else:
                value = _hadamard(value, _elementwise_power(other, -1.0))
        return value

    # unary := ('-' | '+') unary | power
    def unary(self):
        if self.peek()[1] in ("-", "+") and self.peek()[0] == "op":
            op = self.take()[1]
            value = self.unary()
            return _negate(value) if op == "-" else value
        return self.power()

    # power := postfix (('^' | '.^') exponent postfix*)*
    def power(self):
        value = self.postfix(self.primary())
        while self.peek()[1] in ("^", ".^"):
            op = self.take()[1]
            value = self.postfix(_power(value, self.exponent(), op))
        return value

    # exponent := ('-' | '+') exponent | primary (('^' | '.^') exponent)?
    # (powers group to the right, and a postfix transpose after them is the power's)
    def exponent(self):
        if self.peek()[1] in ("-", "+") and self.peek()[0] == "op":
            op = self.take()[1]
            value = self.exponent()
            return _negate(value) if op == "-" else value
        value = self.primary()
        if self.peek()[1] in ("^", ".^"):
            op = self.take()[1]
            value = _power(value, self.exponent(), op)
        return value

    def postfix(self, value):
        while self.peek()[1] in ("'", ".T", ".'"):
            self.take()
            value = value.T if _is_matrix(value) else value
        return value

    # primary := number | name | name '(' args ')' | name "'" '(' args ')' | '(' sum ')'
    def primary(self):
        kind, text = self.take()
        if kind == "num":
            return float(Fraction(text))
        if text == "(":
            value = self.sum()
            self.take(")")
            return value
        if kind != "name":
            raise _NoReading
        if self.peek()[1] == "'" and self.peek(1)[1] == "(":
            self.take()
            return self.call(text, prime=True)
        if self.peek()[1] == "(":
            return self.call(text)
        value = self.values[text]
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return int(value)  # a size
        return np.atleast_2d(np.asarray(value, dtype=float)) if np.ndim(value) else float(value)

    def call(self, name, prime=False):
        self.take("(")
        args = []
        if self.peek()[1] != ")":
            args.append(self.sum())
            while self.peek()[1] == ",":
                self.take()
                args.append(self.sum())
        self.take(")")
        if prime or name not in _CALLS:
            return self.abstract(name, args, prime)
        return _CALLS[name](*args)

    def abstract(self, name, args, prime):
        if name not in self.functions or len(args) != 1 or name in self.values:
            raise _NoReading
        argument = args[0]
        if not _is_matrix(argument):
            raise _NoReading
        return self.functions[name][1 if prime else 0](argument)


# -- the grammar's operations, on NumPy values ---------------------------------------

def _negate(value):
    return -value


def _add(left, right):
    if _is_matrix(left) and _is_matrix(right):
        if left.shape == right.shape:
            return left + right
        if _is_one_by_one(left) or _is_one_by_one(right):
            return _add(_as_scalar_if_one(left), _as_scalar_if_one(right))
        raise _NoReading
    if _is_matrix(left) or _is_matrix(right):
        matrix, scalar = (left, right) if _is_matrix(left) else (right, left)
        if _is_one_by_one(matrix):
            return float(matrix[0, 0]) + float(scalar)
        return matrix + float(scalar)  # entry by entry, as on paper
    return float(left) + float(right)


def _as_scalar_if_one(value):
    return float(value[0, 0]) if _is_one_by_one(value) else value


def _multiply(left, right):
    if _is_matrix(left) and _is_matrix(right):
        if left.shape[1] == right.shape[0]:
            return left @ right
        if _is_one_by_one(left):
            return float(left[0, 0]) * right
        if _is_one_by_one(right):
            return float(right[0, 0]) * left
        raise _NoReading
    return left * right


def _hadamard(left, right):
    if _is_matrix(left) and _is_matrix(right) and left.shape == right.shape:
        return left * right
    left, right = _as_scalar_if_one(left), _as_scalar_if_one(right)
    if _is_matrix(left) and _is_matrix(right):
        raise _NoReading  # shapes the grammar refuses
    return left * right


def _elementwise_power(base, exponent):
    exponent = _scalar(exponent)
    if _is_matrix(base) and not _is_one_by_one(base):
        return np.power(base, exponent)
    return float(np.power(_scalar(base), exponent))


def _power(base, exponent, op):
    if op == ".^":
        return _elementwise_power(base, exponent)
    exponent = _scalar(exponent)
    if not _is_matrix(base) or _is_one_by_one(base):
        return float(np.power(_scalar(base), exponent))
    if base.shape[0] != base.shape[1] or exponent != int(exponent):
        raise _NoReading
    power = int(exponent)
    if power < 0:
        base, power = np.linalg.inv(base), -power
    return np.linalg.matrix_power(base, power)


def _square(value):
    if _is_matrix(value) and value.shape[0] != value.shape[1]:
        raise _NoReading
    return value


def _trace(value):
    return float(np.trace(_square(value))) if _is_matrix(value) else float(value)


def _det(value):
    return float(np.linalg.det(_square(value))) if _is_matrix(value) else float(value)


def _inv(value):
    return np.linalg.inv(_square(value)) if _is_matrix(value) and not _is_one_by_one(value) \
        else 1.0 / _scalar(value)


def _kron(*values):
    if len(values) < 2:
        raise _NoReading
    result = _matrix(values[0])
    for value in values[1:]:
        _sized(result.size, _matrix(value).size)
        result = np.kron(result, _matrix(value))
    return result


def _axis(value) -> int:
    """MATLAB's axis (1 down each column, 2 along each row) as NumPy's."""
    axis = _scalar(value)
    if axis not in (1.0, 2.0):
        raise _NoReading
    return int(axis) - 1


def _sum(value, *axis):
    if axis:
        return np.sum(_matrix(value), axis=_axis(axis[0]), keepdims=True)
    return float(np.sum(value)) if _is_matrix(value) else float(value)


def _mean(value, *axis):
    if axis:
        return np.mean(_matrix(value), axis=_axis(axis[0]), keepdims=True)
    return float(np.mean(value)) if _is_matrix(value) else float(value)


def _norm(value, *order):
    if not _is_matrix(value) or _is_one_by_one(value):
        return abs(_scalar(value))
    if not order:
        return float(np.sqrt(np.sum(value * value)))
    p = _scalar(order[0])
    if 1 not in value.shape or p != int(p) or p < 1:
        raise _NoReading
    return float(np.sum(np.abs(value) ** p) ** (1.0 / p))


def _logsumexp(value, *axis):
    value = _matrix(value)
    along = _axis(axis[0]) if axis else None
    top = np.max(value, axis=along, keepdims=True)
    total = top + np.log(np.sum(np.exp(value - top), axis=along, keepdims=True))
    return total if axis else float(total.reshape(-1)[0])


def _extremum(pick):
    def apply(left, right):
        if _is_matrix(left) and _is_matrix(right) and left.shape != right.shape \
                and not (_is_one_by_one(left) or _is_one_by_one(right)):
            raise _NoReading
        left, right = _as_scalar_if_one(left), _as_scalar_if_one(right)
        result = pick(left, right)
        return result if _is_matrix(result) else float(result)
    return apply


def _unvec(value, rows, cols):
    column = _matrix(value)
    rows, cols = _size(rows), _size(cols)
    if column.shape != (rows * cols, 1):
        raise _NoReading
    return column.reshape(cols, rows).T


def _delta(size):
    n = _size(size)
    _sized(n, n, n)
    delta = np.zeros((n * n, n))
    for i in range(n):
        delta[i * n + i, i] = 1.0  # Δ u = vec(diag(u))
    return delta


def _inner(left, right):
    if _is_matrix(left) and _is_matrix(right) and left.shape == right.shape:
        return float(np.sum(left * right))
    return _scalar(left) * _scalar(right)


def _size(value) -> int:
    if isinstance(value, int):
        return value
    number = _scalar(value)
    if number != int(number) or number < 1:
        raise _NoReading
    return int(number)


def _identity(size):
    _sized(_size(size), _size(size))
    return np.eye(_size(size))


def _ones(rows, cols=1):
    _sized(_size(rows), _size(cols))
    return np.ones((_size(rows), _size(cols)))


def _commutation(m, n):
    m, n = _size(m), _size(n)
    _sized(m, n, m, n)
    k = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            k[i * n + j, j * m + i] = 1.0  # K vec(A) = vec(A') for A of shape m x n
    return k


def _diag(value):
    matrix = _matrix(value)
    if matrix.shape == (1, 1):
        return float(matrix[0, 0])
    if 1 in matrix.shape:
        return np.diag(matrix.ravel())
    if matrix.shape[0] != matrix.shape[1]:
        raise _NoReading
    return np.diag(matrix).reshape(-1, 1)


def _softmax(value, *axis):
    if not _is_matrix(value) or _is_one_by_one(value):
        return 1.0
    along = _axis(axis[0]) if axis else None
    shifted = np.exp(value - np.max(value, axis=along, keepdims=True))
    return shifted / np.sum(shifted, axis=along, keepdims=True)


def _applied(name):
    function = _FUNCTIONS[name]

    def apply(value):
        if _is_matrix(value) and not _is_one_by_one(value):
            return function(value)
        return float(function(_scalar(value)))
    return apply


_CALLS = {
    "tr": _trace, "det": _det, "logdet": lambda value: float(np.log(_det(value))),
    "inv": _inv, "kron": _kron, "sum": _sum,
    "norm": _norm, "dot": _inner, "inner": _inner,
    "vec": lambda value: _matrix(value).reshape(-1, 1, order="F"),
    "vecr": lambda value: _matrix(value).reshape(-1, 1, order="C"),
    "I": _identity, "K": _commutation, "ones": _ones, "diag": _diag, "softmax": _softmax,
    "mean": _mean, "logsumexp": _logsumexp, "unvec": _unvec, "Delta": _delta,
    "max": _extremum(np.maximum), "min": _extremum(np.minimum),
    # Of real values (complex names are checked by matderiv.numeric.complex_check).
    "conj": lambda value: value, "real": lambda value: value,
    "imag": lambda value: 0.0 * value,
    **{name: _applied(name) for name in _FUNCTIONS},
}

__all__ = ["direct_reading", "direct_value"]

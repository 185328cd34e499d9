"""Numeric evaluation of any expression matderiv builds or returns.

Sizes are read off the arrays given (``m``, ``n`` from W's shape) or given directly.
The Jacobian of W a holds no W, so ``shapes`` says which sizes W's array gives.

>>> import numpy as np
>>> from matderiv import derive
>>> shapes = {"W": ("m", "n"), "a": ("n", 1)}
>>> d = derive("W*a", wrt="W", shapes=shapes)
>>> values = {"W": np.zeros((2, 3)), "a": np.array([1.0, 2.0, 3.0])}
>>> evaluate(d.jacobian(), values, shapes=shapes).shape
(2, 6)
"""

from __future__ import annotations

import math

import numpy as np
import sympy
from sympy import (
    Determinant,
    HadamardPower,
    HadamardProduct,
    Identity,
    Inverse,
    KroneckerProduct,
    MatAdd,
    MatMul,
    MatPow,
    MatrixSymbol,
    OneMatrix,
    Trace,
    Transpose,
    ZeroMatrix,
)
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf

from ..errors import MatDerivError
from ..expressions import (
    BINARY,
    ELEMENTWISE,
    AbstractFunction,
    AbstractGradient,
    AxisLogSumExp,
    AxisSoftmax,
    CommutationMatrix,
    DiagEmbedding,
    Elementwise,
    ElementwiseBinary,
    FrobeniusNorm,
    Inner,
    LogSumExp,
    ScalarOf,
    Softmax,
    SumEntries,
    Unvec,
    Vec,
    Vecr,
    VectorNorm,
    is_matrix,
    size_symbol,
)
from ..expressions.contains import atoms_of, distinct_nodes
from ..expressions.structured import DuplicationMatrix, Vech
from .matrix_functions import HANDLERS as SPECTRAL_HANDLERS
from .matrix_functions import posed_argument
from .sizes_at import (
    BOUNDED,
    LEAVES,
    MAX_ENTRIES,  # noqa: F401 (numeric checks import it from here)
    SizesAt,
    is_array,
)


def _sigmoid(x):
    return 0.5 + 0.5 * np.tanh(0.5 * np.asarray(x, dtype=float))  # no overflow


#: Each element-wise function's NumPy counterpart; the non-smooth ones as their
#: functions define them at the kinks (sign(0) = step(0) = 0).
_NUMPY_FUNCTIONS = {
    "exp": np.exp, "log": np.log, "tanh": np.tanh, "sin": np.sin, "cos": np.cos,
    "sqrt": np.sqrt, "sigmoid": _sigmoid, "abs": np.abs, "sign": np.sign,
    "relu": lambda x: np.maximum(x, 0.0), "step": lambda x: np.heaviside(x, 0.0),
    "tan": np.tan, "atan": np.arctan, "asin": np.arcsin, "acos": np.arccos,
    "sinh": np.sinh, "cosh": np.cosh, "log1p": np.log1p, "expm1": np.expm1,
    "softplus": lambda x: np.logaddexp(0.0, x),
}
_SCALAR_FUNCTIONS = {
    **{ELEMENTWISE[name]: function for name, function in _NUMPY_FUNCTIONS.items()
       if name != "sqrt"},
    sympy.Abs: np.abs, sympy.sign: np.sign,
    BINARY["max"]: np.maximum, BINARY["min"]: np.minimum,
}
_BINARY_FUNCTIONS = {"max": np.maximum, "min": np.minimum}


def commutation_matrix(m: int, n: int) -> np.ndarray:
    """K(m, n) as an array: K vec(A) = vec(A') for A of shape m x n."""
    k = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            k[i * n + j, j * m + i] = 1.0
    return k


def infer_sizes(expr, values, symbols=()) -> dict:
    """Dimension symbol -> int, from the shapes of the given arrays.

    ``symbols`` are further MatrixSymbols whose declared shapes tell which sizes an
    array gives (W's array gives m and n even where the result holds no W).
    """
    return sizes_given(values, atoms_of(expr, MatrixSymbol) | set(symbols))


def sizes_given(values, symbols) -> dict:
    """Dimension symbol -> int: the sizes ``values`` gives (``m=3``), and those the
    arrays of the MatrixSymbols ``symbols`` give by their declared shapes."""
    sizes: dict = {}
    for name, value in values.items():
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            sizes[size_symbol(name)] = int(value)
    for symbol in symbols:
        if type(symbol) is MatrixSymbol:  # (its name and shape, read from its parts)
            name, shape = symbol._args[0].name, symbol._args[1:]
        else:
            name, shape = symbol.name, symbol.shape
        if name not in values:
            continue
        array = _as_matrix(values[name], symbol)
        for declared, actual in zip(shape, array.shape, strict=True):
            if declared.is_Integer:
                if int(declared) != actual:
                    raise MatDerivError(f"{symbol.name} has {actual} where its shape says "
                                        f"{declared}")
            elif declared.is_Symbol:
                if sizes.setdefault(declared, actual) != actual:
                    raise MatDerivError(f"size {declared} is {sizes[declared]} elsewhere but "
                                        f"{actual} in {symbol.name}")
    return sizes


def _as_matrix(value, symbol) -> np.ndarray:
    if type(value) is np.ndarray and value.ndim == 2 and value.dtype == np.float64:
        return value  # (as random_values draws them)
    array = np.asarray(value)
    if np.iscomplexobj(array):
        # Casting to float would drop the imaginary part with no more than a warning.
        if np.any(np.imag(array) != 0):
            raise MatDerivError(f"value of {symbol.name} is complex, and evaluate works in real "
                                "numbers: evaluate results by complex names with their "
                                "derivation's to_function")
        array = np.real(array)
    array = np.asarray(array, dtype=float)
    if array.ndim == 0:
        array = array.reshape(1, 1)
    elif array.ndim == 1:
        array = array.reshape(-1, 1) if symbol.shape[1] == 1 else array.reshape(1, -1)
    if array.ndim != 2:
        raise MatDerivError(f"value of {symbol.name} must be a matrix, not {array.ndim}-D")
    return array

_FLOAT = np.dtype(float)


class _Evaluator(SizesAt):
    def __init__(self, values, sizes, functions):
        super().__init__(sizes)
        self.values = values
        self.functions = functions or {}
        # Each distinct subexpression is evaluated once: a derivative's tree repeats
        # its parts (an L-layer network's gradient holds each layer's output L times).
        self._done: dict = {}

    def computed(self):
        """Every value computed so far, one per distinct part."""
        return self._done.values()

    def __call__(self, expr):
        found = self._done.get(expr)
        if found is None:
            # Shared between its uses (and possibly the caller's own array): the
            # handlers never write into an array they are given.
            found = self._done[expr] = self._evaluate(expr)
        return found

    def _evaluate(self, expr):
        kind = type(expr)
        if kind is MatrixSymbol:  # (_matrix_symbol, where the value is as drawn)
            value = self.values.get(expr._args[0].name)
            if type(value) is np.ndarray and value.ndim == 2 and value.dtype is _FLOAT:
                return value
        elif kind is Transpose:  # (its part's value: a 2-D float array, as made below)
            return self(expr._args[0]).T
        handler = _HANDLERS.get(kind)
        if handler is None and is_array(expr):
            _register_array_handlers()
            handler = _HANDLERS.get(type(expr))
        if handler is None:
            handler = _inherited_handler(type(expr))
        if handler is None:
            if not is_matrix(expr) and expr.is_number:
                return float(expr)
            raise MatDerivError(f"cannot evaluate {type(expr).__name__}: {expr}")
        result = handler(self, expr)
        if getattr(expr, "is_Matrix", False):  # (is_matrix(expr))
            if type(result) is not np.ndarray or result.dtype is not _FLOAT \
                    or result.ndim < 2:  # (else np.asarray gives it back as it is)
                result = np.asarray(result, dtype=float)
                if result.ndim < 2:
                    result = np.broadcast_to(result, self.shape(expr)).copy()
        return result


def _matrix_symbol(ev, expr):
    if expr.name not in ev.values:
        raise MatDerivError(f"no value given for {expr.name}")
    return _as_matrix(ev.values[expr.name], expr)


def _symbol(ev, expr):
    if expr.name in ev.values:
        return float(ev.values[expr.name])
    if expr in ev.sizes:
        return float(ev.sizes[expr])
    raise MatDerivError(f"no value given for {expr.name}")


def _product(ev, expr):
    result = None  # (the empty product 1.0: 1.0 * x is x, without a copy of x)
    for arg in expr._args:
        value = ev(arg)
        if result is None:
            float_array = isinstance(value, np.ndarray) and value.dtype == np.float64
            result = value if float_array else 1.0 * value
        elif isinstance(result, np.ndarray) and isinstance(value, np.ndarray):
            result = result @ value
        else:
            result = result * value
    return 1.0 if result is None else result


def _sum(ev, expr):
    return sum(ev(arg) for arg in expr.args)


def _trace(value) -> float:
    return float(value.trace() if type(value) is np.ndarray else np.trace(value))


def _pow(ev, expr):
    # NumPy's power overflows to inf (reported as "not finite"); float ** raises.
    value = np.power(np.asarray(ev(expr.base), dtype=float), np.asarray(ev(expr.exp),
                                                                         dtype=float))
    return float(value) if value.ndim == 0 else value


def _mat_pow(ev, expr):
    exponent = int(expr.exp)
    base = ev(expr.base)
    if exponent < 0:
        base, exponent = np.linalg.inv(base), -exponent
    return np.linalg.matrix_power(base, exponent)


def _abstract(ev, expr, index):
    if expr.function not in ev.functions:
        raise MatDerivError(f"no numeric stand-in given for the abstract function {expr.function}")
    return ev.functions[expr.function][index](ev(expr.arg))


def _vec(order):
    return lambda ev, expr: ev(expr.arg).reshape(-1, 1, order=order)


_HANDLERS = {
    MatrixSymbol: _matrix_symbol,
    sympy.Symbol: _symbol,
    sympy.Add: _sum,
    sympy.Mul: _product,
    sympy.Pow: _pow,
    MatAdd: _sum,
    MatMul: _product,
    MatPow: _mat_pow,
    Transpose: lambda ev, e: ev(e._args[0]).T,
    Inverse: lambda ev, e: np.linalg.inv(ev(e.arg)),
    Trace: lambda ev, e: _trace(ev(e._args[0])),
    Determinant: lambda ev, e: float(np.linalg.det(ev(e.arg))),
    HadamardProduct: lambda ev, e: np.prod([ev(a) for a in e.args], axis=0),
    HadamardPower: lambda ev, e: ev(e.base) ** ev(e.exp),
    KroneckerProduct: lambda ev, e: _kron([ev(a) for a in e.args]),
    Identity: lambda ev, e: np.eye(ev.size(e.rows)),
    ZeroMatrix: lambda ev, e: np.zeros(ev.shape(e)),
    OneMatrix: lambda ev, e: np.ones(ev.shape(e)),
    DiagMatrix: lambda ev, e: np.diag(ev(e.args[0]).ravel()),
    CommutationMatrix: lambda ev, e: commutation_matrix(ev.size(e.args[0]), ev.size(e.args[1])),
    Elementwise: lambda ev, e: _NUMPY_FUNCTIONS[e.function](ev(e.arg)),
    Softmax: lambda ev, e: _softmax(ev(e.arg)),
    AxisSoftmax: lambda ev, e: _softmax(ev(e.arg), axis=e.axis - 1),
    LogSumExp: lambda ev, e: float(_logsumexp(ev(e.matrix)).item()),
    AxisLogSumExp: lambda ev, e: _logsumexp(ev(e.arg), axis=e.axis - 1),
    VectorNorm: lambda ev, e: float(np.linalg.norm(ev(e.matrix).ravel(), ord=e.p)),
    ElementwiseBinary: lambda ev, e: _BINARY_FUNCTIONS[e.function](ev(e.left), ev(e.right)),
    DiagonalOf: lambda ev, e: np.diag(ev(e.arg)).reshape(-1, 1),
    Unvec: lambda ev, e: ev(e.arg).reshape(ev.shape(e), order="F"),
    DiagEmbedding: lambda ev, e: _diag_embedding(ev.size(e.args[0])),
    DuplicationMatrix: lambda ev, e: duplication_matrix(ev.size(e.args[0])),
    Vech: lambda ev, e: _vech(ev(e.arg)),
    AbstractFunction: lambda ev, e: float(_abstract(ev, e, 0)),
    AbstractGradient: lambda ev, e: _abstract(ev, e, 1),
    ScalarOf: lambda ev, e: float(ev(e.matrix)[0, 0]),
    FrobeniusNorm: lambda ev, e: float(np.linalg.norm(ev(e.matrix))),
    SumEntries: lambda ev, e: float(np.sum(ev(e.matrix))),
    Inner: lambda ev, e: float(np.sum(ev(e.args[0]) * ev(e.args[1]))),
    Vec: _vec("F"),
    Vecr: _vec("C"),
    sympy.Function: lambda ev, e: _SCALAR_FUNCTIONS[e.func](*(ev(a) for a in e.args)),
}


_HANDLERS.update(SPECTRAL_HANDLERS)  # spectral and matrix functions (matrix_functions.py)


_INHERITED: dict = {}  # class -> the first handler of a class it is a subclass of (or None)


def _inherited_handler(cls):
    """The first handler, in ``_HANDLERS``' order, of a class ``cls`` is a subclass of
    (None: a number, or nothing to evaluate it by), found once per class (as long as
    the handlers are not added to: adding them empties this)."""
    try:
        return _INHERITED[cls]
    except KeyError:
        pass
    found = next((candidate for base, candidate in _HANDLERS.items()
                  if issubclass(cls, base)), None)
    _INHERITED[cls] = found
    return found


def _register_array_handlers():
    """Array expressions (the 4-index tensor), imported only when one is evaluated."""
    from sympy.tensor.array.expressions import (
        ArrayAdd,
        ArrayTensorProduct,
        PermuteDims,
        Reshape,
    )
    _HANDLERS.update({
        ArrayTensorProduct: lambda ev, e: _outer([ev(a) for a in e.args]),
        PermuteDims: lambda ev, e: np.transpose(ev(e.expr), e.permutation.array_form),
        ArrayAdd: _sum,
        Reshape: lambda ev, e: np.reshape(ev(e.expr), tuple(ev.size(s) for s in e.shape)),
    })
    _INHERITED.clear()  # (a class may now have a handler of its own kind)


def _outer(values):
    """Outer product of arrays, scalar factors multiplying it."""
    result = np.asarray(1.0)
    for value in values:
        result = np.multiply.outer(result, value) if np.ndim(value) else result * value
    return result


def _softmax(z, axis=None):
    """Over all entries, or along an axis (NumPy's: 0 down each column)."""
    shifted = np.exp(z - np.max(z, axis=axis, keepdims=True))  # no overflow
    return shifted / np.sum(shifted, axis=axis, keepdims=True)


def _logsumexp(z, axis=None):
    top = np.max(z, axis=axis, keepdims=True)
    return top + np.log(np.sum(np.exp(z - top), axis=axis, keepdims=True))


def duplication_matrix(n: int) -> np.ndarray:
    """D(n) as an array: D vech(S) = vec(S) for a symmetric n x n S (Magnus & Neudecker).

    >>> duplication_matrix(2).astype(int).tolist()
    [[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]]
    """
    d = np.zeros((n * n, n * (n + 1) // 2))
    column = 0
    for col in range(n):
        for row in range(col, n):
            d[row + col * n, column] = d[col + row * n, column] = 1.0
            column += 1
    return d


def _vech(matrix) -> np.ndarray:
    """vech(S): the lower triangle of S, columns stacked."""
    n = matrix.shape[0]
    return np.concatenate([matrix[col:, col] for col in range(n)]).reshape(-1, 1)


def _diag_embedding(n: int) -> np.ndarray:
    """Δ(n): column i is e_i ⊗ e_i, so Δ u = vec(diag(u))."""
    delta = np.zeros((n * n, n))
    delta[np.arange(n) * (n + 1), np.arange(n)] = 1.0
    return delta


def _kron(arrays):
    result = arrays[0]
    for array in arrays[1:]:
        result = _kron2(result, array)
    return result


def _kron2(a, b):
    """np.kron(a, b): the same products, without np.kron's general-rank set-up (which
    cost more than the product itself at the sizes the checks use)."""
    if np.ndim(a) != 2 or np.ndim(b) != 2:
        return np.kron(a, b)
    (p, q), (r, s) = a.shape, b.shape
    return (a[:, None, :, None] * b[None, :, None, :]).reshape(p * r, q * s)


def evaluate(expr, values, *, functions=None, shapes=None):
    """Evaluate ``expr`` at ``values`` (name -> number or array): a float or a 2-D array.

    ``shapes`` (as for ``derive``) declares names that are not in ``expr`` but whose
    arrays fix its sizes; ``functions`` maps an abstract function's name to numeric
    (f, grad f) stand-ins.
    """
    return evaluate_all((expr,), values, functions=functions, shapes=shapes)[0]


def evaluate_all(exprs, values, *, functions=None, shapes=None) -> list:
    """``[evaluate(expr, values) for expr in exprs]``, each part they share evaluated
    once (a result and its simplified form share most of their parts).

    >>> A = MatrixSymbol("A", 2, 2)
    >>> [float(v) for v in evaluate_all([sympy.Trace(A), sympy.Trace(A.T)], {"A": np.eye(2)})]
    [2.0, 2.0]
    """
    return evaluate_with_scale(exprs, values, functions=functions, shapes=shapes)[0]


def evaluate_with_scale(exprs, values, *, functions=None, shapes=None) -> tuple[list, float]:
    """``evaluate_all``, and the largest magnitude of any part on the way (finite ones):
    rounding errors scale with it, not with the result (terms of 10^7 that cancel to 0
    leave about 10^-9).

    >>> A = MatrixSymbol("A", 2, 2)
    >>> evaluate_with_scale([A.T - A], {"A": 1e7 * np.eye(2)})
    ([array([[0., 0.],
           [0., 0.]])], 10000000.0)
    """
    evaluation = Evaluation(exprs, values, functions=functions, shapes=shapes)
    return [evaluation.value(expr) for expr in exprs], evaluation.scale()


# What ``Evaluation`` asks of a part, by its class (bits): it has a size to check
# (a matrix or an array); it is a matrix symbol; ``well_conditioned_at`` looks at it;
# it is a matrix of a class in BOUNDED; it is one of the LEAVES.
_SIZED, _SYMBOL, _POSED, _BOUNDED, _SIZES_LEAF = 1, 2, 4, 16, 32
_EVALUATION_KINDS: dict = {}


def _evaluation_kind(node) -> int:
    """The bits of ``node``, remembered for its class where they are its class's (a
    class whose is_Matrix is not a plain attribute is asked at each node)."""
    if not isinstance(node, sympy.Basic):
        return 0
    kind = _SIZED if is_matrix(node) or is_array(node) else 0
    if isinstance(node, MatrixSymbol):
        kind |= _SYMBOL
    if isinstance(node, (Inverse, Determinant, MatPow)) or posed_argument(node) is not None:
        kind |= _POSED  # (a MatPow whose exponent is negative, there)
    if type(node) in BOUNDED:
        kind |= _BOUNDED
    if type(node) in LEAVES:
        kind |= _SIZES_LEAF
    if type(getattr(type(node), "is_Matrix", False)) is bool:
        _EVALUATION_KINDS[type(node)] = kind
    return kind


class Evaluation:
    """Values of ``exprs`` and of their parts at one point, each distinct part evaluated
    once, whoever asks: a check that first looks at the matrices a form inverts, then at
    the forms' values, evaluates the shared parts once. Every array ``exprs`` needs is
    within the budget before anything is evaluated.

    >>> A = MatrixSymbol("A", 2, 2)
    >>> evaluation = Evaluation([A.T * A], {"A": np.eye(2)})
    >>> evaluation.value(A.T).tolist(), evaluation.scale()
    ([[1.0, 0.0], [0.0, 1.0]], 1.0)
    """

    def __init__(self, exprs, values, *, functions=None, shapes=None):
        if isinstance(shapes, dict):
            from ..syntax.shapes import declare
            declared = [s for s in declare(shapes).values() if isinstance(s, MatrixSymbol)]
        else:
            declared = list(shapes or ())
        # One walk over all the expressions: their matrix symbols give the sizes, and
        # every distinct part is within the budget (each expression's parts in turn, a
        # part shared with one before it already checked: as check_budget of each).
        self.nodes = nodes = []
        sized, symbols, leaves, bounded = [], set(), [], True
        #: The parts ``well_conditioned_at`` looks at (inverted, determinant-taken,
        #: spectral or matrix functions), in the order of ``nodes``.
        self.posed_parts = posed = []
        for node in distinct_nodes(*exprs):
            nodes.append(node)
            kind = _EVALUATION_KINDS.get(type(node))
            if kind is None:
                kind = _evaluation_kind(node)
            if kind & _SIZED:
                sized.append(node)
                if not kind & _BOUNDED:
                    bounded = False
                elif kind & _SIZES_LEAF:
                    leaves.append(node)
            if kind & _SYMBOL:
                symbols.add(node)
            if kind & _POSED:
                posed.append(node)
        self._evaluator = _Evaluator(values, sizes_given(values, symbols.union(declared)),
                                     functions)
        self._evaluator.check_budget_of(sized, leaves if bounded else None)

    def value(self, expr):
        """``expr`` (a part of the expressions, or one of them) at the point."""
        with np.errstate(all="ignore"):
            return self._value(expr)

    def values(self, *exprs) -> list:
        """``[self.value(expr) for expr in exprs]``, in turn (one errstate for all)."""
        with np.errstate(all="ignore"):
            return [self._value(expr) for expr in exprs]

    def _value(self, expr):
        try:
            result = self._evaluator(expr)
        except np.linalg.LinAlgError:
            from ..render import to_text
            raise MatDerivError(f"{to_text(expr)} is singular at these values (an inverse "
                                "does not exist)") from None
        if isinstance(result, np.ndarray) and not is_matrix(expr) and not is_array(expr):
            result = float(result.reshape(-1)[0])
        return result

    def scale(self) -> float:
        """The largest finite magnitude of any value computed so far."""
        values = self._evaluator.computed()
        # The arrays of up to _GATHERED numbers (most values: a few numbers each; a
        # Kronecker product at the check's sizes: hundreds) in one reduction: the
        # largest finite magnitude is the same, whatever arrays the numbers are in.
        arrays = [value.reshape(-1) for value in values if type(value) is np.ndarray
                  and value.dtype is _FLOAT and value.size <= _GATHERED]
        scale = 0.0
        if len(arrays) != len(values):
            for value in values:
                if isinstance(value, float):
                    if math.isfinite(value):
                        scale = max(scale, abs(value))
                    continue
                if type(value) is np.ndarray and value.dtype is _FLOAT:
                    if value.size <= _GATHERED:
                        continue  # (among the arrays already)
                else:
                    value = np.asarray(value, dtype=float)
                if value.size > _GATHERED:  # a large one alone, not copied
                    scale = max(scale, _largest_finite(value))
                else:
                    arrays.append(value.reshape(-1))
        if arrays:
            scale = max(scale, _largest_finite(np.concatenate(arrays)))
        return scale


#: Arrays up to this many numbers are gathered into one reduction by ``scale``
#: (copied: 32 kB each at most); a larger one is reduced alone.
_GATHERED = 4096


def _largest_finite(values) -> float:
    """The largest finite magnitude among ``values`` (0.0 where there is none)."""
    if values.size:
        top, bottom = float(values.max()), float(values.min())
        if math.isfinite(top) and math.isfinite(bottom):  # (no array of magnitudes)
            return max(abs(top), abs(bottom))
    with np.errstate(all="ignore"):
        magnitudes = np.abs(values)
        largest = float(magnitudes.max(initial=0.0))
        if not math.isfinite(largest):  # an inf or nan among them: the others
            finite = magnitudes[np.isfinite(magnitudes)]
            largest = float(finite.max()) if finite.size else 0.0
    return largest

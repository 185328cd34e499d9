"""Values of entry formulas and closed forms in an ``EntryAlgebra`` (polynomial_check.py).

``scalar_value(algebra, expr, at)`` walks an entry formula with its indices bound to
integers (``at``): sums are loops, Kronecker deltas 0 or 1, matrix entries read from
``matrix_value``. ``matrix_value(algebra, expr)`` gives a matrix expression's entries as
a list of rows, one handler per kind of node, each the definition of the node (a
product's entries are sums of products, softmax(Z)_ij = exp(Z_ij) / Σ exp(Z_kl)). Both
map a function value to the same unknown for the same arguments, so the closed form and
the entry formula meet in one ring. A node without a handler raises ``Undecided``: the
check then says nothing, it never guesses.

>>> from sympy import MatrixSymbol, Symbol
>>> from .polynomial_check import EntryAlgebra
>>> n = Symbol("n", integer=True, positive=True)
>>> A = MatrixSymbol("A", n, n)
>>> algebra = EntryAlgebra({n: 2}, 16, "integers", float("inf"))
>>> matrix_value(algebra, A * A.T)[0][1]
u0*u2 + u1*u3
"""

from __future__ import annotations

import itertools

import sympy
from sympy import (
    Determinant,
    HadamardPower,
    HadamardProduct,
    Identity,
    Inverse,
    KroneckerDelta,
    KroneckerProduct,
    MatAdd,
    MatMul,
    MatPow,
    MatrixSymbol,
    OneMatrix,
    Piecewise,
    Sum,
    Trace,
    Transpose,
    ZeroMatrix,
)
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf
from sympy.matrices.expressions.matexpr import MatrixElement

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
)
from ..expressions.structured import DuplicationMatrix, Vech

#: Most entries of any one matrix the check writes out.
MAX_ENTRIES = 20_000


class Undecided(Exception):
    """The exact check cannot say: a node it has no handler for, a float, a budget."""


# --- scalars: entry formulas, and the scalar parts of closed forms --------------------


def scalar_value(algebra, expr, at):
    """The value of a scalar expression with the index symbols of ``at`` bound.

    Each node's value is remembered with the values of the symbols free in it: a
    formula reads tanh(b_r + Σ_s W_rs x_s) once per r, not once per term of the sums
    around it."""
    handler = _SCALARS.get(type(expr))
    if handler is None:
        handler = next((h for cls, h in _SCALAR_KINDS if isinstance(expr, cls)), None)
        if handler is None:
            raise Undecided(f"no exact value for {type(expr).__name__}")
    if not expr.args:
        return handler(algebra, expr, at)
    key = (expr, tuple(at.get(s) for s in free_in(algebra, expr)))
    found = algebra.values.get(key)
    if found is None:
        found = algebra.values[key] = handler(algebra, expr, at)
    return found


def free_in(algebra, expr) -> tuple:
    """The symbols free in ``expr`` that an index may be bound to (not sizes)."""
    found = algebra.free.get(expr)
    if found is None:
        if expr.is_Symbol:
            symbols = set() if expr in algebra.sizes else {expr}
        else:
            symbols = set()
            for arg in expr.args:
                symbols.update(free_in(algebra, arg))
            if isinstance(expr, Sum):
                symbols.difference_update(limit[0] for limit in expr.limits)
        found = algebra.free[expr] = tuple(symbols)
    return found


def index_value(algebra, expr, at) -> int:
    """An index (or a size) at the bound indices: an integer."""
    if expr.is_Integer:
        return int(expr)
    if expr.is_Symbol:
        found = at.get(expr)
        if found is None:
            found = algebra.size_values.get(expr)
        if found is None:
            raise Undecided(f"the index {expr} is not bound")
        return found
    bound = {**algebra.sizes, **{s: sympy.Integer(v) for s, v in at.items()}}
    value = expr.xreplace(bound)
    if not value.is_Integer:
        raise Undecided(f"the index {expr} is not an integer")
    return int(value)


def _number(algebra, expr, at):
    return algebra.constant(expr) if expr.is_Rational else algebra.number(expr)


def _symbol(algebra, expr, at):
    found = at.get(expr)
    if found is None:
        found = algebra.size_values.get(expr)
    if found is not None:
        return algebra.constant(found)
    return algebra.unknown(("symbol", expr))  # a scalar of the formula, t or k


def _add(algebra, expr, at):
    total = algebra.zero
    for arg in expr.args:
        total = total + scalar_value(algebra, arg, at)
    return total


def _mul(algebra, expr, at):
    factors = []
    for arg in expr.args:
        factor = scalar_value(algebra, arg, at)
        if not factor:  # a delta that is 0: the rest need not be read
            return factor
        factors.append(factor)
    # Fewest terms first: a product of sums costs the product of their lengths.
    factors.sort(key=algebra.terms)
    product = factors[0]
    for factor in factors[1:]:
        product = product * factor
    return product


def _pow(algebra, expr, at):
    return algebra.power(scalar_value(algebra, expr.base, at),
                         scalar_value(algebra, expr.exp, at))


def _sum(algebra, expr, at):
    algebra.check_time()
    return _summed(algebra, expr.function, list(expr.limits), dict(at))


def _summed(algebra, body, limits, at):
    (index, low, high), rest = limits[0], limits[1:]
    total = algebra.zero
    for value in range(index_value(algebra, low, at), index_value(algebra, high, at) + 1):
        at[index] = value
        total = total + (_summed(algebra, body, rest, at) if rest
                         else scalar_value(algebra, body, at))
    return total


def _element(algebra, expr, at):
    parent, row, col = expr.args
    matrix = matrix_value(algebra, parent)
    row, col = index_value(algebra, row, at), index_value(algebra, col, at)
    if not (0 <= row < len(matrix) and 0 <= col < len(matrix[0])):
        raise Undecided(f"the entry {expr} lies outside its matrix")
    return matrix[row][col]


def _delta(algebra, expr, at):
    first, second = (index_value(algebra, a, at) for a in expr.args[:2])
    if len(expr.args) == 3:  # δ(i, j, (low, high)) is 0 outside its range
        low, high = (index_value(algebra, a, at) for a in expr.args[2])
        if not low <= first <= high:
            return algebra.zero
    return algebra.one if first == second else algebra.zero


def _piecewise(algebra, expr, at):
    bound = {**algebra.sizes, **{s: sympy.Integer(v) for s, v in at.items()}}
    for value, condition in expr.args:
        decided = condition.xreplace(bound)
        if decided is sympy.true:
            return scalar_value(algebra, value, at)
        if decided is not sympy.false:
            raise Undecided(f"the case {condition} at these indices")
    raise Undecided("no case of a case split holds")


def _function(algebra, expr, at):
    return algebra.apply(expr.func, [scalar_value(algebra, a, at) for a in expr.args])


def _of_matrix(reader):
    """A scalar made of matrices (det, trace, f(M), norms): read off their values."""
    return lambda algebra, expr, at: reader(algebra, expr)


def _determinant(algebra, matrix):
    size = len(matrix)
    if size > 4:
        raise Undecided("a determinant beyond 4 x 4")
    if size == 1:
        return matrix[0][0]
    total = algebra.zero
    rest = [row for row in matrix[1:]]
    for col in range(size):
        if not matrix[0][col]:
            continue
        minor = [row[:col] + row[col + 1:] for row in rest]
        term = matrix[0][col] * _determinant(algebra, minor)
        total = total + term if col % 2 == 0 else total - term
    return total


def _entries(matrix):
    return [value for row in matrix for value in row]


def _total(algebra, values):
    total = algebra.zero
    for value in values:
        total = total + value
    return total


def _vector_norm(algebra, expr):
    # As the entry form writes it: (Σ |a|^p)^(1/p), and Σ |a| for p = 1.
    absolute = ELEMENTWISE["abs"]
    p = algebra.constant(expr.p)
    total = _total(algebra, [algebra.power(algebra.apply(absolute, [a]), p)
                             for a in _entries(matrix_value(algebra, expr.matrix))])
    return total if expr.p == 1 else algebra.power(total, algebra.constant(
        sympy.Rational(1, expr.p)))


def _inner(algebra, expr):
    left, right = (matrix_value(algebra, a) for a in expr.args)
    return _total(algebra, [a * b for a, b in zip(_entries(left), _entries(right),
                                                  strict=True)])


def _matrix_key(matrix):
    return tuple(tuple(row) for row in matrix)


_SCALAR_READERS = {
    Determinant: lambda al, e: _determinant(al, matrix_value(al, e.arg)),
    Trace: lambda al, e: _total(al, [row[n] for n, row in
                                     enumerate(matrix_value(al, e.arg))]),
    ScalarOf: lambda al, e: matrix_value(al, e.matrix)[0][0],
    SumEntries: lambda al, e: _total(al, _entries(matrix_value(al, e.matrix))),
    Inner: _inner,
    FrobeniusNorm: lambda al, e: al.power(
        _total(al, [v * v for v in _entries(matrix_value(al, e.matrix))]),
        al.constant(sympy.Rational(1, 2))),
    LogSumExp: lambda al, e: al.apply(sympy.log, [_total(al, [
        al.apply(sympy.exp, [v]) for v in _entries(matrix_value(al, e.matrix))])]),
    VectorNorm: _vector_norm,
    AbstractFunction: lambda al, e: al.unknown(
        ("f", e.function, _matrix_key(matrix_value(al, e.arg)))),
}

_SCALARS = {
    sympy.Integer: _number, sympy.Rational: _number, sympy.core.numbers.One: _number,
    sympy.core.numbers.Zero: _number, sympy.core.numbers.NegativeOne: _number,
    sympy.core.numbers.Half: _number,
    sympy.Symbol: _symbol, sympy.Dummy: _symbol,
    sympy.Add: _add, sympy.Mul: _mul, sympy.Pow: _pow, Sum: _sum,
    MatrixElement: _element, KroneckerDelta: _delta, Piecewise: _piecewise,
    **{cls: _of_matrix(reader) for cls, reader in _SCALAR_READERS.items()},
}

#: Looked up by isinstance where the type is not in _SCALARS, in this order.
_SCALAR_KINDS = (
    (sympy.Number, _number),
    (sympy.NumberSymbol, _number),
    (sympy.Symbol, _symbol),
    (sympy.Function, _function),
    (sympy.Max, _function),
    (sympy.Min, _function),
)


# --- matrices: closed forms, and the matrices whose entries a formula reads -----------


def matrix_value(algebra, expr):
    """A matrix expression's entries (a list of rows), remembered per expression."""
    found = algebra.matrices.get(expr)
    if found is None:
        if not is_matrix(expr):
            raise Undecided(f"{expr} is not a matrix")
        rows, cols = (index_value(algebra, d, {}) for d in expr.shape)
        if rows * cols > MAX_ENTRIES:
            raise Undecided(f"a matrix of {rows} x {cols}")
        algebra.check_time()
        handler = _MATRICES.get(type(expr))
        if handler is None:
            handler = next((h for cls, h in _MATRICES.items() if isinstance(expr, cls)), None)
        if handler is None:
            raise Undecided(f"no exact value for {type(expr).__name__}")
        found = algebra.matrices[expr] = handler(algebra, expr, rows, cols)
    return found


def _filled(rows, cols, entry):
    return [[entry(i, j) for j in range(cols)] for i in range(rows)]


def _symbol_entries(algebra, expr, rows, cols):
    return _filled(rows, cols, lambda i, j: algebra.unknown(("entry", expr.name, i, j)))


def _identity(algebra, expr, rows, cols):
    return _filled(rows, cols, lambda i, j: algebra.one if i == j else algebra.zero)


def _mat_add(algebra, expr, rows, cols):
    parts = [matrix_value(algebra, a) for a in expr.args]
    return _filled(rows, cols, lambda i, j: _total(algebra, [p[i][j] for p in parts]))


def _product(algebra, left, right):
    inner = range(len(right))
    return [[_total(algebra, [row[k] * right[k][j] for k in inner if row[k]])
             for j in range(len(right[0]))] for row in left]


def _scaled(algebra, matrix, factor):
    if not algebra.field and factor.is_ground:  # a number: each coefficient times it
        number = factor.LC
        return [[value.mul_ground(number) for value in row] for row in matrix]
    return [[factor * value for value in row] for row in matrix]


def _mat_mul(algebra, expr, rows, cols):
    factor, result = algebra.one, None
    for arg in expr.args:
        if is_matrix(arg):
            value = matrix_value(algebra, arg)
            result = value if result is None else _product(algebra, result, value)
        else:
            factor = factor * scalar_value(algebra, arg, {})
    return _scaled(algebra, result, factor)


def _inverse(algebra, matrix):
    """The inverse by the adjugate: entries are cofactors over the determinant."""
    size = len(matrix)
    determinant = _determinant(algebra, matrix)
    if size == 1:
        return [[algebra.divide(algebra.one, determinant)]]

    def cofactor(i, j):
        minor = [row[:j] + row[j + 1:] for n, row in enumerate(matrix) if n != i]
        value = _determinant(algebra, minor)
        return value if (i + j) % 2 == 0 else -value
    return [[algebra.divide(cofactor(j, i), determinant) for j in range(size)]
            for i in range(size)]


def _mat_pow(algebra, expr, rows, cols):
    power = expr.exp
    if not power.is_Integer:
        raise Undecided(f"the matrix power {power}")
    base = matrix_value(algebra, expr.base)
    if power < 0:
        base, power = _inverse(algebra, base), -power
    result = _identity(algebra, None, rows, cols)
    for _ in range(int(power)):
        result = _product(algebra, result, base)
    return result


def _hadamard(algebra, expr, rows, cols):
    parts = [matrix_value(algebra, a) for a in expr.args]

    def entry(i, j):
        value = algebra.one
        for part in parts:
            value = value * part[i][j]
        return value
    return _filled(rows, cols, entry)


def _hadamard_power(algebra, expr, rows, cols):
    base, exponent = matrix_value(algebra, expr.base), scalar_value(algebra, expr.exp, {})
    return _filled(rows, cols, lambda i, j: algebra.power(base[i][j], exponent))


def _kronecker(algebra, expr, rows, cols):
    result = matrix_value(algebra, expr.args[0])
    for arg in expr.args[1:]:
        right = matrix_value(algebra, arg)
        result = [[a * b for a in left_row for b in right_row]
                  for left_row in result for right_row in right]
    return result


def _elementwise(algebra, expr, rows, cols):
    arg = matrix_value(algebra, expr.arg)
    if expr.function == "sqrt":  # SymPy's sqrt(u) is the power u^(1/2)
        half = algebra.constant(sympy.Rational(1, 2))
        return _filled(rows, cols, lambda i, j: algebra.power(arg[i][j], half))
    function = ELEMENTWISE[expr.function]
    return _filled(rows, cols, lambda i, j: algebra.apply(function, [arg[i][j]]))


def _elementwise_binary(algebra, expr, rows, cols):
    left, right = matrix_value(algebra, expr.left), matrix_value(algebra, expr.right)
    function = BINARY[expr.function]
    return _filled(rows, cols, lambda i, j: algebra.apply(function, [left[i][j], right[i][j]]))


def _exponentials(algebra, expr):
    return [[algebra.apply(sympy.exp, [v]) for v in row] for row in matrix_value(algebra,
                                                                                 expr.arg)]


def _softmax(algebra, expr, rows, cols):
    exponentials = _exponentials(algebra, expr)
    total = _total(algebra, _entries(exponentials))
    return _filled(rows, cols, lambda i, j: algebra.divide(exponentials[i][j], total))


def _axis_totals(algebra, expr):
    """Σ of exp over each column (axis 1) or row (axis 2), as the entry form sums."""
    exponentials = _exponentials(algebra, expr)
    if expr.axis == 1:
        return exponentials, [_total(algebra, column) for column in zip(*exponentials, strict=True)]
    return exponentials, [_total(algebra, row) for row in exponentials]


def _axis_softmax(algebra, expr, rows, cols):
    exponentials, totals = _axis_totals(algebra, expr)
    return _filled(rows, cols, lambda i, j: algebra.divide(
        exponentials[i][j], totals[j] if expr.axis == 1 else totals[i]))


def _axis_logsumexp(algebra, expr, rows, cols):
    _, totals = _axis_totals(algebra, expr)
    logs = [algebra.apply(sympy.log, [t]) for t in totals]
    return [logs] if expr.axis == 1 else [[value] for value in logs]


def _columns(matrix):
    """The columns of a matrix (its transpose's rows)."""
    return [list(col) for col in zip(*matrix, strict=True)]


def _column(values):
    return [[value] for value in values]


def _commutation(algebra, expr, rows, cols):
    m, n = (index_value(algebra, a, {}) for a in expr.args)
    result = _filled(rows, cols, lambda i, j: algebra.zero)
    for i, j in itertools.product(range(m), range(n)):
        result[i * n + j][j * m + i] = algebra.one
    return result


def _duplication(algebra, expr, rows, cols):
    n = index_value(algebra, expr.n, {})
    result = _filled(rows, cols, lambda i, j: algebra.zero)
    column = 0
    for col in range(n):
        for row in range(col, n):
            result[row + col * n][column] = result[col + row * n][column] = algebra.one
            column += 1
    return result


def _vech(algebra, expr, rows, cols):
    matrix = matrix_value(algebra, expr.arg)
    return _column([matrix[row][col] for col in range(len(matrix))
                    for row in range(col, len(matrix))])


def _unvec(algebra, expr, rows, cols):
    column = _entries(matrix_value(algebra, expr.arg))
    return _filled(rows, cols, lambda i, j: column[i + j * rows])


def _diag_embedding(algebra, expr, rows, cols):
    n = cols
    return _filled(rows, cols, lambda i, j: algebra.one if i == j * (n + 1) else algebra.zero)


def _diag_matrix(algebra, expr, rows, cols):
    values = _entries(matrix_value(algebra, expr.args[0]))
    return _filled(rows, cols, lambda i, j: values[i] if i == j else algebra.zero)


def _abstract_gradient(algebra, expr, rows, cols):
    key = _matrix_key(matrix_value(algebra, expr.arg))
    return _filled(rows, cols, lambda i, j: algebra.unknown(("f'", expr.function, key, i, j)))


_MATRICES = {
    MatrixSymbol: _symbol_entries,
    Identity: _identity,
    ZeroMatrix: lambda al, e, r, c: _filled(r, c, lambda i, j: al.zero),
    OneMatrix: lambda al, e, r, c: _filled(r, c, lambda i, j: al.one),
    MatAdd: _mat_add,
    MatMul: _mat_mul,
    Transpose: lambda al, e, r, c: _columns(matrix_value(al, e.arg)),
    Inverse: lambda al, e, r, c: _inverse(al, matrix_value(al, e.arg)),
    MatPow: _mat_pow,
    HadamardProduct: _hadamard,
    HadamardPower: _hadamard_power,
    KroneckerProduct: _kronecker,
    Elementwise: _elementwise,
    ElementwiseBinary: _elementwise_binary,
    Softmax: _softmax,
    AxisSoftmax: _axis_softmax,
    AxisLogSumExp: _axis_logsumexp,
    CommutationMatrix: _commutation,
    DuplicationMatrix: _duplication,
    Vech: _vech,
    Vec: lambda al, e, r, c: _column([v for col in _columns(matrix_value(al, e.arg)) for v in col]),
    Vecr: lambda al, e, r, c: _column(_entries(matrix_value(al, e.arg))),
    Unvec: _unvec,
    DiagEmbedding: _diag_embedding,
    DiagMatrix: _diag_matrix,
    DiagonalOf: lambda al, e, r, c: _column([row[n] for n, row in
                                             enumerate(matrix_value(al, e.arg))]),
    AbstractGradient: _abstract_gradient,
}


__all__ = ["MAX_ENTRIES", "Undecided", "index_value", "matrix_value", "scalar_value"]

"""One entry of a matrix expression written with index sums (the element-wise proof's
"Entry" section, and the entries its derivative rules read).

Traces, sums of entries, inner products and norms become Σ over their indices; matrix
products are summed through SymPy's ``_entry``. Summation indices are Dummies that know
they are non-negative integers.

>>> from sympy import MatrixSymbol, Symbol, Trace
>>> n = Symbol("n", integer=True, positive=True)
>>> X = MatrixSymbol("X", n, n)
>>> index_form(Trace(X))
Sum(X[_k, _k], (_k, 0, n - 1))
"""

from __future__ import annotations

import sympy
from sympy import Add, Dummy, Expr, KroneckerDelta, MatrixSymbol, Mul, Pow, S, Sum, Tuple
from sympy.core.sorting import default_sort_key
from sympy.core.sympify import _sympify
from sympy.matrices.expressions.matexpr import MatrixElement

from ..expressions import (
    ELEMENTWISE,
    Elementwise,
    FrobeniusNorm,
    Inner,
    LogSumExp,
    ScalarOf,
    SumEntries,
    VectorNorm,
    is_matrix,
)
from .index_sums import evaluate_sums

#: What a summation index is: it counts entries.
INDEX = dict(integer=True, nonnegative=True)


def index_form(expr):
    """Scalars written with index sums, so that an entry can be differentiated."""
    if not isinstance(expr, sympy.Basic) or not expr.args:
        return expr
    if is_matrix(expr) or isinstance(expr, MatrixElement):
        return expr
    args = [index_form(a) for a in expr.args]
    if any(new is not old for new, old in zip(args, expr.args, strict=True)):
        expr = expr.func(*args)
    if isinstance(expr, ScalarOf):
        return index_form(expr.matrix[0, 0])
    if isinstance(expr, sympy.Trace):
        k = Dummy("k", **INDEX)
        return Sum(entry(expr.arg, k, k), (k, 0, expr.arg.shape[0] - 1))
    if isinstance(expr, SumEntries):
        return sum_all(expr.matrix, lambda k, c: entry(expr.matrix, k, c))
    if isinstance(expr, Inner):
        left, right = expr.args
        return sum_all(left, lambda k, c: entry(left, k, c) * entry(right, k, c))
    if isinstance(expr, FrobeniusNorm):
        return sympy.sqrt(sum_all(expr.matrix, lambda k, c: entry(expr.matrix, k, c) ** 2))
    if isinstance(expr, LogSumExp):
        return sympy.log(sum_all(expr.matrix, lambda k, c: sympy.exp(entry(expr.matrix, k, c))))
    if isinstance(expr, VectorNorm):
        absolute = ELEMENTWISE["abs"]
        total = sum_all(expr.matrix,
                        lambda k, c: absolute(entry(expr.matrix, k, c)) ** expr.p)
        return total if expr.p == 1 else total ** sympy.Rational(1, expr.p)
    return expr


def sum_all(matrix, body):
    """Σ_k Σ_l body(k, l) over every entry (k, l) of ``matrix``; a dimension of size 1
    has no sum (Σ_{l=1..1} is written as its one term, l = 0)."""
    indices, limits = [], []
    for name, size in zip("kl", matrix.shape, strict=True):
        if size == 1:
            indices.append(S.Zero)
            continue
        index = Dummy(name, **INDEX)
        indices.append(index)
        limits.append((index, 0, size - 1))
    total = body(*indices)
    return Sum(total, *limits) if limits else total


def entry(matrix, i, j):
    """Entry (i, j) of a matrix expression with its scalar parts in index form."""
    matrix = _inverses_written_out(matrix)
    if not hasattr(matrix, "_entry"):
        return index_form(matrix[i, j])
    # (_sympify, the strict one, takes numbers and SymPy objects only: 0 -> Integer(0))
    return index_form(entry_of(matrix, _sympify(i), _sympify(j), True))


def entry_of(matrix, i, j, expand=None):
    """``matrix._entry(i, j, expand=expand)`` (``expand`` None: not passed), the same
    expression SymPy's ``_entry`` builds, node for node and with its summation indices
    made in the same order, for the nodes of most formulas; without SymPy's check of each
    index against the matrix's shape (every index here is valid by construction), which
    asked the assumptions of each index and took most of the time of writing an entry.
    Other nodes are SymPy's (and matderiv's own ``_entry``)."""
    build = _ENTRIES.get(type(matrix))
    if build is None:
        if isinstance(matrix, MatrixSymbol):
            return element_of(matrix, i, j)
        return matrix._entry(i, j) if expand is None else matrix._entry(i, j, expand=expand)
    return build(matrix, i, j, expand)


def _product_entry(matrix, i, j, expand):
    coefficient, matrices = matrix.as_coeff_matrices()
    if len(matrices) == 1:  # SymPy: coeff * matrices[0][i, j]
        return coefficient * entry_of(matrices[0], i, j)
    ranges = [factor.shape[1] - 1 for factor in matrices[:-1]]
    if any(isinstance(factor, sympy.ImmutableMatrix) for factor in matrices):
        return matrix._entry(i, j) if expand is None else matrix._entry(i, j, expand=expand)
    inner = [Dummy("i_%i" % n) for n in range(1, len(matrices))]
    indices = [i, *inner, j]
    body = Mul.fromiter(entry_of(factor, indices[n], indices[n + 1])
                        for n, factor in enumerate(matrices))
    total = coefficient * Sum(body, *zip(inner, [0] * len(ranges), ranges, strict=True))
    if expand is not False and any(isinstance(r, (sympy.Integer, int)) for r in ranges):
        # SymPy sums a range of known length with doit(), which also searches every
        # other sum for a closed form (seconds for the entry of a gradient times x');
        # evaluate_sums gives doit()'s expression without the searches.
        return evaluate_sums(total)
    return total


def _inverses_written_out(matrix):
    """M^-k and (M⁻¹)^k as the product of k inverses: SymPy gives them no entries it can
    differentiate. Any other matrix as it is."""
    if isinstance(matrix, sympy.MatPow) and matrix.exp.is_Integer and (
            matrix.exp < 0 or isinstance(matrix.base, sympy.Inverse)):
        power = int(matrix.exp)
        base = sympy.Inverse(matrix.base) if power < 0 else matrix.base
        return sympy.MatMul(*[base] * abs(power)) if abs(power) > 1 else base
    return matrix


def _power_entry(matrix, i, j, expand):
    """A power's entry; one of inverses (a factor of a product: A X^-2 B) written out."""
    written = _inverses_written_out(matrix)
    if written is not matrix:
        return entry_of(written, i, j, expand)
    return matrix._entry(i, j) if expand is None else matrix._entry(i, j, expand=expand)


def _identity_entry(matrix, i, j, expand):
    if i == j:
        return S.One
    if i.is_Integer and j.is_Integer:
        return S.Zero
    return delta(i, j, (0, matrix.cols - 1))


def _hadamard_power_entry(matrix, i, j, expand):
    base, exponent = matrix.base, matrix.exp
    if not base.is_Matrix or exponent.is_Matrix:
        return matrix._entry(i, j) if expand is None else matrix._entry(i, j, expand=expand)
    return Pow(entry_of(base, i, j, expand), exponent)


_ENTRIES = {
    MatrixSymbol: lambda matrix, i, j, expand: element_of(matrix, i, j),
    sympy.MatAdd: lambda matrix, i, j, expand: Add(*[entry_of(a, i, j, expand)
                                                     for a in matrix.args]),
    sympy.MatMul: _product_entry,
    sympy.Transpose: lambda matrix, i, j, expand: entry_of(
        matrix.arg, j, i, False if expand is None else expand),
    sympy.HadamardProduct: lambda matrix, i, j, expand: Mul(*[entry_of(a, i, j, expand)
                                                             for a in matrix.args]),
    sympy.HadamardPower: _hadamard_power_entry,
    sympy.MatPow: _power_entry,
    sympy.Identity: _identity_entry,
    sympy.ZeroMatrix: lambda matrix, i, j, expand: S.Zero,
    sympy.OneMatrix: lambda matrix, i, j, expand: S.One,
    Elementwise: lambda matrix, i, j, expand: applied(ELEMENTWISE[matrix.function],
                                                      entry_of(matrix.arg, i, j, expand)),
}


def applied(function, *args):
    """``function(*args)``, without the function's ``eval`` where it could only ask the
    assumptions of a whole index sum (is it zero? for tanh, most of the time of writing
    an entry) and come back empty-handed: where no argument is a number or starts with a
    minus sign (tanh(-u) is still written -tanh(u), as SymPy writes it). The value is the
    same; only rewrites such as exp(log(u)) = u are left undone."""
    if not isinstance(function, type) or not issubclass(function, sympy.Function) or any(
            a.is_number or a.could_extract_minus_sign() for a in args):
        return function(*args)
    return function(*args, evaluate=False)


def element_of(matrix, row, col):
    """``MatrixElement(matrix, row, col)`` for indices known to be valid (summation
    indices over the matrix's own ranges), without SymPy's check of them, which asks the
    assumptions of each index."""
    return Expr.__new__(MatrixElement, matrix, row, col)


def delta(first, second, delta_range=None):
    """``KroneckerDelta(first, second, delta_range)`` as SymPy builds it; between two
    distinct index symbols without SymPy's evaluation, which asks their assumptions and
    the range's (is m - 1 - i < 0?) to come to the same delta, its arguments in canonical
    order."""
    if first == second:
        return S.One
    if not (first.is_Symbol and second.is_Symbol) or _decided(first) or _decided(second):
        return KroneckerDelta(first, second, delta_range) if delta_range is not None \
            else KroneckerDelta(first, second)
    if default_sort_key(second) < default_sort_key(first):
        first, second = second, first
    args = (first, second) if delta_range is None else (first, second, Tuple(*delta_range))
    return KroneckerDelta(*args, evaluate=False)


def _decided(symbol) -> bool:
    """True when a symbol's assumptions could decide a delta (a sign, or SymPy's Fermi
    levels): SymPy's own evaluation is used then."""
    facts = symbol.assumptions0
    return bool(facts.get("positive") or facts.get("negative") or facts.get("zero")
                or facts.get("nonpositive") or facts.get("below_fermi")
                or facts.get("above_fermi"))


__all__ = ["INDEX", "applied", "delta", "element_of", "entry", "entry_of", "index_form", "sum_all"]

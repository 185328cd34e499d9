"""A derivative of any order in index notation: D_ijk = δ_ijk exp(x)_i, read off its
closed form.

The k-th derivative's closed form is a matrix B whose entries, row by row, are those of
the array D (``api.higher``); its rows stand for F's axes and the first k - 1 copies of
X's, its columns for the last copy. Every structured matrix the engine writes has entries
that are products of Kronecker deltas and entries of its parts, by the way its rows and
columns split into indices:

    (A ⊗ B)_(ac),(bd) = A_ab B_cd          K(m, n)_(ab),(ba') = δ_aa' δ_bb'
    I_ab = δ_ab      Δ(n)_(ab),c = δ_abc      vecr(A)_(ab) = A_ab      vec(A)_(ba) = A_ab
    diag(v)_ab = δ_ab v_a      (A ∘ B)_ab = A_ab B_ab      (A B)_ab = Σ_c A_ac B_cb

A term is then a number of deltas and entries, summed over the indices inside products;
indices tied to an axis by deltas are renamed to it (Σ_c δ_ac x_c = x_a), which leaves
the textbook form. Where a matrix's rows do not split the way its context needs (a
generic A of size n² × n² met by two indices of size n), there is no index form, and
``index_form`` answers None: the closed form is then shown as it is. The form is data;
``numeric.orders.check_index_form`` compares it with the closed form before it is shown.

>>> from matderiv import derive
>>> d = derive("sum(exp(x))", wrt="x", shapes={"x": "n"})
>>> [(t.deltas, [(str(m), i, p) for m, i, p in t.factors]) for t in index_form(
...     d.derivative_matrix(3), d.derivative_axes(3), 1, "ijk").terms]
[([('i', 'j', 'k')], [('exp(x)', ('i',), 1)])]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy
from sympy import (
    HadamardPower,
    HadamardProduct,
    Identity,
    KroneckerProduct,
    MatAdd,
    MatMul,
    OneMatrix,
    Transpose,
    ZeroMatrix,
)
from sympy.core.sympify import _sympify
from sympy.matrices.expressions.diagonal import DiagMatrix

from ..expressions import CommutationMatrix, DiagEmbedding, Vec, Vecr, is_matrix

#: Terms at most in one index form; past it the closed form is shown as it is.
MAX_TERMS = 64


@dataclass(frozen=True)
class IndexTerm:
    """coefficient · Π δ(deltas) · Π factor entries, summed over ``summed``.

    ``deltas``: tuples of index names that are all equal (δ_ijk); ``factors``: (matrix,
    (row index, column index), power) with a size-1 index left out (a column's x_i).
    """

    coefficient: object
    deltas: list
    factors: list
    summed: list  # (name, size)


@dataclass(frozen=True)
class IndexForm:
    axes: tuple       # the names of D's axes, in order
    sizes: tuple      # their sizes
    terms: list


class _Unsplit(Exception):
    """A matrix's rows or columns do not split into the indices its context has."""


class _Index:
    """One index of a term, with its range; ``name`` is set for D's axes."""

    def __init__(self, size, name=None):
        self.size, self.name = size, name


def index_form(matrix, axes: tuple, columns: int, names: str, sum_names: str = "abcdefgh"):
    """The index form of the closed form ``matrix`` of an array with axes ``axes``
    (sizes), whose last ``columns`` axes are the matrix's columns; ``names`` names the
    axes and ``sum_names`` the indices summed over. None where there is no such form.
    """
    free = [_Index(size, name) for size, name in zip(axes, names[:len(axes)], strict=True)]
    rows, cols = free[:len(free) - columns], free[len(free) - columns:]
    try:
        raw = _walk(matrix, rows, cols)
    except _Unsplit:
        return None
    if len(raw) > MAX_TERMS:
        return None
    terms = _collected([_tidy(term, free, sum_names) for term in raw])
    return IndexForm(tuple(names[:len(free)]), tuple(axes), terms)


def _collected(terms) -> list:
    """Terms equal but for their coefficient added up; zeros left out."""
    collected = {}
    for term in terms:
        key = (tuple(term.deltas), tuple(sorted(term.factors, key=str)), tuple(term.summed))
        if key in collected:
            before = collected[key]
            term = IndexTerm(before.coefficient + term.coefficient, term.deltas,
                             before.factors, term.summed)
        collected[key] = term
    return [t for t in collected.values() if sympy.expand(t.coefficient) != 0]


# -- walking the closed form: each node's entry as (coefficient, deltas, factors) --------

def _walk(expr, rows, cols) -> list:
    """[(coefficient, [(index, index), ...] deltas, [(matrix, rows, cols)] factors)]."""
    rows, cols = _drop_ones(rows), _drop_ones(cols)
    if not is_matrix(expr):
        if rows or cols:
            raise _Unsplit
        return [(expr, [], [])]
    if isinstance(expr, ZeroMatrix):
        return []
    if isinstance(expr, MatAdd):
        return [t for arg in expr.args for t in _walk(arg, rows, cols)]
    if isinstance(expr, MatMul):
        return _product(expr, rows, cols)
    if isinstance(expr, Transpose):
        return _walk(expr.arg, cols, rows)
    if isinstance(expr, KroneckerProduct):
        return _kronecker(expr.args, rows, cols)
    if isinstance(expr, Identity):
        return [(1, _pairwise(rows, cols), [])]
    if isinstance(expr, OneMatrix):
        return [(1, [], [])]
    if isinstance(expr, CommutationMatrix):
        m, n = expr.args
        (a, b), (b2, a2) = _split(rows, (m, n)), _split(cols, (n, m))
        return [(1, _pairwise(a, a2) + _pairwise(b, b2), [])]
    if isinstance(expr, DiagEmbedding):
        n = expr.args[0]
        (a, b), (c,) = _split(rows, (n, n)), _split(cols, (n,))
        return [(1, _pairwise(a, b) + _pairwise(b, c), [])]
    if isinstance(expr, (Vecr, Vec)) and not cols:
        r, c = expr.arg.shape
        if isinstance(expr, Vecr):
            first, second = _split(rows, (r, c))
        else:
            second, first = _split(rows, (c, r))
        return _walk(expr.arg, first, second)
    if isinstance(expr, DiagMatrix):
        vector = expr.args[0]
        return [(c, d + _pairwise(rows, cols), f) for c, d, f in _walk(vector, rows, [])]
    if isinstance(expr, HadamardProduct):
        return _products([_walk(arg, rows, cols) for arg in expr.args])
    if isinstance(expr, sympy.MatPow) and expr.exp.is_Integer and 1 < expr.exp <= 8:
        return _product(sympy.MatMul(*[expr.base] * int(expr.exp), evaluate=False), rows, cols)
    if isinstance(expr, HadamardPower) and expr.exp.is_Integer and expr.exp > 0:
        return _products([_walk(expr.base, rows, cols)] * int(expr.exp))
    # An entry of a transpose is one of the matrix: (Aᵀ)_ab = A_ba, (A⁻ᵀ)_ab = (A⁻¹)_ba.
    if isinstance(expr, sympy.Inverse) and isinstance(expr.arg, Transpose):
        return _walk(sympy.Inverse(expr.arg.arg), cols, rows)
    return [(1, [], [(expr, _one(rows), _one(cols))])]


def _product(expr, rows, cols) -> list:
    coefficient = sympy.Mul(*[a for a in expr.args if not is_matrix(a)])
    matrices = [a for a in expr.args if is_matrix(a)]
    if len(matrices) == 1:
        return [(coefficient * c, d, f) for c, d, f in _walk(matrices[0], rows, cols)]
    # The inner dimension between neighbours splits as finely as either side needs.
    inner = [[_Index(s) for s in _finer(_natural(left, 1), _natural(right, 0), left.shape[1])]
             for left, right in zip(matrices, matrices[1:], strict=False)]
    bounds = [rows, *inner, cols]
    parts = [_walk(m, bounds[n], bounds[n + 1]) for n, m in enumerate(matrices)]
    return [(coefficient * c, d, f) for c, d, f in _products(parts)]


def _kronecker(factors, rows, cols) -> list:
    row_parts = _split(rows, tuple(f.shape[0] for f in factors))
    col_parts = _split(cols, tuple(f.shape[1] for f in factors))
    parts = zip(factors, row_parts, col_parts, strict=True)
    return _products([_walk(f, r, c) for f, r, c in parts])


def _products(parts) -> list:
    terms = []
    for chosen in itertools.product(*parts):
        coefficient, deltas, factors = sympy.Integer(1), [], []
        for c, d, f in chosen:
            coefficient, deltas, factors = coefficient * c, deltas + d, factors + f
        terms.append((coefficient, deltas, factors))
        if len(terms) > MAX_TERMS:
            raise _Unsplit
    return terms


def _natural(expr, side: int) -> tuple:
    """How a side (0 rows, 1 columns) of ``expr`` splits by its own structure, sizes 1
    left out; () for a side that splits any way (the identity's)."""
    return tuple(s for s in _natural_sizes(expr, side) if s != 1)


def _natural_sizes(expr, side: int) -> tuple:
    size = expr.shape[side]
    if isinstance(expr, Identity):
        return ()
    if isinstance(expr, Transpose):
        return _natural(expr.arg, 1 - side)
    if isinstance(expr, KroneckerProduct):
        # each factor's part of the index at least, in its place (an identity's whole)
        return tuple(s for f in expr.args for s in (_natural(f, side) or (f.shape[side],)))
    if isinstance(expr, CommutationMatrix):
        m, n = expr.args
        return (m, n) if side == 0 else (n, m)
    if isinstance(expr, DiagEmbedding) and side == 0:
        return (expr.args[0], expr.args[0])
    if isinstance(expr, Vecr) and side == 0:
        return (*_natural(expr.arg, 0), *_natural(expr.arg, 1))
    if isinstance(expr, Vec) and side == 0:
        return (*_natural(expr.arg, 1), *_natural(expr.arg, 0))
    if isinstance(expr, MatMul):
        matrices = [a for a in expr.args if is_matrix(a)]
        return _natural(matrices[0] if side == 0 else matrices[-1], side)
    if isinstance(expr, (MatAdd, HadamardProduct)):
        return _natural(expr.args[0], side)
    return (size,)


def _finer(one: tuple, other: tuple, size) -> tuple:
    finer = one if len(one) >= len(other) else other
    return finer or (size,)


def _split(indices, sizes: tuple) -> list:
    """``indices`` (slowest first) cut into consecutive runs of the products ``sizes``."""
    indices = list(indices)
    runs = []
    for size in sizes:
        run, product = [], sympy.Integer(1)
        while _different(product, size):
            if not indices or _larger(product * indices[0].size, size):
                raise _Unsplit
            index = indices.pop(0)
            run.append(index)
            product = product * index.size
        runs.append(run)
    if indices:
        raise _Unsplit
    return runs


def _different(a, b) -> bool:
    return sympy.expand(a - b) != 0


def _larger(a, b) -> bool:
    """Whether a product of sizes ``a`` overshoots ``b``: it does not divide it."""
    numerator, denominator = sympy.fraction(sympy.cancel(b / a))
    if denominator != 1:
        return True
    return bool(numerator.is_number and not (numerator.is_Integer and numerator >= 1))


def _drop_ones(indices) -> list:
    return [i for i in indices if i.size != 1]


def _one(indices):
    """The one index of a generic matrix's side; none for a side of size 1."""
    if len(indices) > 1:
        raise _Unsplit
    return indices[0] if indices else None


def _pairwise(one, other) -> list:
    """δ between two sides of one size, index by index (a row-major composite index is
    equal to another of the same split when each part is)."""
    if len(one) != len(other) or any(_different(a.size, b.size)
                                     for a, b in zip(one, other, strict=True)):
        raise _Unsplit
    return list(zip(one, other, strict=True))


# -- tidying a term: deltas summed away, indices named -----------------------------

def _tidy(term, free, sum_names) -> IndexTerm:
    coefficient, deltas, factors = term
    coefficient = _sympify(coefficient)
    parent = {}

    def find(index):
        while parent.get(index, index) is not index:
            index = parent[index]
        return index

    order = {index: n for n, index in enumerate(free)}
    for a, b in deltas:
        a, b = find(a), find(b)
        if a is b:
            continue
        # The root is an axis where there is one, the first axis where there are two.
        if order.get(b, len(order)) < order.get(a, len(order)):
            a, b = b, a
        parent[b] = a
    used = {find(i) for _, r, c in factors for i in (r, c) if i is not None}
    kept_deltas, summed, names = [], [], {}
    for index in free:
        names[index] = index.name
    classes = {}
    for index in {i for pair in deltas for i in pair} | set(free) | used:
        classes.setdefault(find(index), []).append(index)
    spare = iter(sum_names)
    for root, members in classes.items():
        axes = sorted((m for m in members if m in order), key=order.get)
        if len(axes) > 1:
            kept_deltas.append(tuple(a.name for a in axes))
        if root in order:
            continue
        if root in used:
            names[root] = next(spare)
            summed.append((names[root], root.size))
        else:  # an index tied to no axis and in no entry: Σ_a δ_ab... = its range
            coefficient = coefficient * root.size
    position = {index.name: n for n, index in enumerate(free)}
    kept_deltas.sort(key=lambda d: [position[n] for n in d])
    powers = {}  # equal entries, as a power: tanh(z)_i tanh(z)_i = tanh(z)_i²
    for m, r, c in factors:
        entry = (m, tuple(names[find(i)] for i in (r, c) if i is not None))
        powers[entry] = powers.get(entry, 0) + 1
    # Entries in the order of their indices: the axes', then those summed over.
    rank = {name: n for n, name in enumerate([f.name for f in free] + [s for s, _ in summed])}
    entries = sorted(((m, indices, power) for (m, indices), power in powers.items()),
                     key=lambda e: [rank[i] for i in e[1]])
    return IndexTerm(coefficient, kept_deltas, entries, summed)

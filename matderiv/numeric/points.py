"""Random points: concrete sizes and values where a formula is defined and well
conditioned, and numeric stand-ins for abstract functions.

>>> import numpy as np
>>> from sympy import MatrixSymbol, Symbol
>>> n = Symbol("n", integer=True, positive=True)
>>> X = MatrixSymbol("X", n, n)
>>> values = random_values(X.I, X, np.random.default_rng(0))
>>> values["X"].shape == (values["n"], values["n"])
True
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import sympy
from sympy import Determinant, HadamardPower, Inverse, MatPow, MatrixSymbol

from ..errors import MatDerivError
from ..expressions import AbstractFunction, AbstractGradient, Elementwise, FrobeniusNorm
from ..expressions.contains import atoms_of, distinct_nodes
from ..expressions.structured import structure_of
from .evaluate import MAX_ENTRIES, evaluate
from .matrix_functions import posed_argument, well_posed


class ValueNeeds(NamedTuple):
    """What the random values of an expression must be (``value_needs``)."""

    symbols: set  # its matrix symbols, in the order met (random_values adds the variable)
    positive: bool  # their entries must be positive (log, sqrt, x.^(1/2), x.^-1 want it)
    inverted: set  # the square ones to make well conditioned (inv, det, logm, sqrtm)
    free_symbols: set | None  # expr.free_symbols; None: ask SymPy (see value_needs)
    functions: tuple  # the abstract functions' names, sorted


def value_needs(expr) -> ValueNeeds:
    """What the random values of ``expr`` must be, from one walk over it: its matrix
    symbols (``atoms_of(expr, MatrixSymbol)``), whether their entries must be positive
    (log, sqrt, fractional or negative element-wise powers want them), the square
    matrices inside inv, det, log det, negative powers, logm or sqrtm, to be made well
    conditioned, ``expr.free_symbols`` (None where a part has free symbols of its own
    kind, a structured matrix symbol or a bound variable: then SymPy is asked), and the
    names of its abstract functions (a derivation's ``abstract_functions`` where
    ``expr`` is its formula).

    Most parts (products, sums, transposes, traces) need nothing looked at: each
    class is classified once (``_node_kind``), and only the parts that may matter are
    asked.

    >>> from sympy import MatrixSymbol, Symbol
    >>> X, t = MatrixSymbol("X", 2, 2), Symbol("t")
    >>> needs = value_needs(t * sympy.Trace(X.I))
    >>> needs.symbols == needs.inverted == {X}, needs.positive, needs.free_symbols == {X, t}
    (True, False, True)
    """
    symbols, positive, inverted, free, functions = set(), False, set(), set(), set()
    seen: set = set()
    stack = [expr]
    while stack:  # (distinct_nodes(expr), inline: its order, each node once)
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        kind = _NODE_KINDS.get(type(node))
        if kind is None:
            kind = _node_kind(node)
        if kind & _OWN_FREE:
            free = None  # (SymPy's own free_symbols, in random_values)
        elif kind & _SELF_FREE and free is not None:
            free.add(node)
        if kind & _MATRIX_SYMBOL:
            symbols.add(node)
        if kind & _ABSTRACT:
            functions.add(node.function)
        if kind & _LOOK:
            if not positive:
                positive = _wants_positive(node)
            posed = posed_argument(node)
            if posed is not None and posed[0] in ("logm", "sqrtm"):
                # diagonally dominant: every eigenvalue has a positive real part
                inverted |= {s for s in atoms_of(posed[1], MatrixSymbol)
                             if s.shape[0] == s.shape[1]}
            if isinstance(node, (Inverse, Determinant)) or (isinstance(node, MatPow)
                                                            and node.exp < 0):
                inverted |= {s for s in atoms_of(node, MatrixSymbol)
                             if s.shape[0] == s.shape[1]}
        if type(node) is not MatrixSymbol and isinstance(node, sympy.Basic):
            stack.extend(reversed(node._args))
    return ValueNeeds(symbols, positive, inverted, free, tuple(sorted(functions)))


# What a part's class asks of ``value_needs`` (bits): it is a matrix symbol; it may
# want positive entries, be inverted or be a matrix function (look at it); it is its
# own free symbol (a Symbol, a MatrixSymbol); its free symbols are not its parts';
# it is an abstract function or its gradient.
_MATRIX_SYMBOL, _LOOK, _SELF_FREE, _OWN_FREE, _ABSTRACT = 1, 2, 4, 8, 16
_NODE_KINDS: dict = {}


def _node_kind(node) -> int:
    """The bits of ``node``'s class, found once per class."""
    cls = type(node)
    kind = _MATRIX_SYMBOL if isinstance(node, MatrixSymbol) else 0
    if (isinstance(node, (Elementwise, sympy.log, HadamardPower, sympy.Pow, Inverse,
                          Determinant, MatPow))
            or posed_argument(node) is not None):  # (a matrix function by class)
        kind |= _LOOK
    owner = next((k for k in cls.__mro__ if "free_symbols" in k.__dict__), None)
    if cls is MatrixSymbol or owner is sympy.Symbol:
        kind |= _SELF_FREE
    elif owner is not sympy.Basic:
        kind |= _OWN_FREE  # (a structured MatrixSymbol: {itself}, not its sizes)
    if isinstance(node, (AbstractFunction, AbstractGradient)):
        kind |= _ABSTRACT
    _NODE_KINDS[cls] = kind
    return kind


def _wants_positive(node) -> bool:
    if isinstance(node, Elementwise) and node.function in ("log", "sqrt"):
        return True
    if isinstance(node, sympy.log) and not isinstance(node.args[0], Determinant):
        return True
    if isinstance(node, (HadamardPower, sympy.Pow)) and not isinstance(node.args[0],
                                                                        FrobeniusNorm):
        exponent = node.args[1]
        if exponent.is_number and (not exponent.is_integer or exponent < 0):
            return True
    return False


def matrix_symbols(expr, variable) -> frozenset:
    """The matrices of ``expr``, and the variable if it is one (it may not occur, as in
    a derivative that is zero; a scalar variable is not a matrix)."""
    symbols = atoms_of(expr, MatrixSymbol)
    return symbols | {variable} if isinstance(variable, MatrixSymbol) else symbols


def size_symbols(expr, variable) -> list:
    """The sizes to draw: those of the matrices, and those the formula names alone
    (m in I(m)), sorted by name."""
    return _size_symbols(matrix_symbols(expr, variable), expr.free_symbols)


def _size_symbols(symbols, free_symbols) -> list:
    return sorted({d for s in symbols
                   for d in (s._args[1:] if type(s) is MatrixSymbol else s.shape)
                   if d.is_Symbol}
                  | {s for s in free_symbols
                     if isinstance(s, sympy.Symbol) and s.is_integer and s.is_positive},
                  key=printed_name)


def printed_name(symbol) -> str:
    """``str(symbol)``: a symbol's or matrix symbol's name, read without the printer
    (which costs microseconds a call, and symbols are sorted at every check).

    >>> printed_name(MatrixSymbol("W", 2, 3)), printed_name(sympy.Symbol("m"))
    ('W', 'm')
    """
    return symbol.name if type(symbol) in (sympy.Symbol, MatrixSymbol) else str(symbol)


def smallest_sizes(expr, variable) -> dict:
    """Sizes 2 and 3 in turn for the size names: a formula too large to evaluate at the
    usual random sizes (2 to 5) may still be evaluated there.

    >>> from sympy import MatrixSymbol, Symbol
    >>> m, n = (Symbol(s, integer=True, positive=True) for s in "mn")
    >>> smallest_sizes(MatrixSymbol("W", m, n), MatrixSymbol("W", m, n))
    {'m': 2, 'n': 3}
    """
    return {dim.name: 2 + i % 2 for i, dim in enumerate(size_symbols(expr, variable))}


def random_values(expr, variable, rng, sizes=None, needs=None) -> dict:
    """Distinct small sizes (2..5) for the dimensions and random values for every symbol.

    ``needs``: ``value_needs(expr)``, where the caller has it (drawing several points
    of one expression: its symbols gain the variable once, the same set each time).
    """
    symbols, positive, inverted, free_symbols, _ = needs or value_needs(expr)
    if isinstance(variable, MatrixSymbol):
        symbols.add(variable)  # (as matrix_symbols)
    dims = None
    if free_symbols is not None:
        dims = _size_symbols(symbols, free_symbols)
        if len(dims) > 1 and len({printed_name(dim) for dim in dims}) != len(dims):
            dims = None  # two sizes of one name: their order is the sets', SymPy's below
    if dims is None:
        free_symbols = expr.free_symbols
        dims = _size_symbols(symbols, free_symbols)
    given = {str(k): v for k, v in sizes.items()} if sizes else {}
    # A random order of the sizes: rng.permutation([2, 3, 4, 5]), the same draws and
    # the same order (both shuffle in place by random_interval), without an array.
    pool = [2, 3, 4, 5]
    rng.shuffle(pool)
    values: dict = {}
    for i, dim in enumerate(dims):
        values[dim.name] = int(given.get(dim.name, pool[i % len(pool)]))
    ordered = sorted(symbols, key=printed_name)
    shapes = [_shape_at(symbol._args[1:] if type(symbol) is MatrixSymbol else symbol.shape,
                        values, dims) for symbol in ordered]
    for symbol, (rows, cols) in zip(ordered, shapes, strict=True):
        if rows * cols > MAX_ENTRIES:  # refused before anything is drawn
            raise MatDerivError(
                f"{symbol.name} is {rows}×{cols} ({rows * cols:,} numbers): numeric checks "
                f"work within {MAX_ENTRIES:,} numbers per array", kind="budget")
    for symbol, (rows, cols) in zip(ordered, shapes, strict=True):
        if positive:
            array = rng.uniform(0.5, 1.5, size=(rows, cols))
        else:
            array = rng.uniform(-1.0, 1.0, size=(rows, cols))
        if symbol in inverted:  # (square: only a square matrix is inverted)
            array.flat[::rows + 1] += rows  # (array + rows I: x + 0.0 is x off the diagonal)
        # (a plain matrix symbol has no structure: structured_value gives array back)
        values[symbol.name] = (array if type(symbol) is MatrixSymbol
                               else structured_value(symbol, array))
    scalars = (free_symbols | {variable}) - symbols
    for symbol in sorted(scalars, key=printed_name):
        if isinstance(symbol, sympy.Symbol) and not symbol.is_integer:
            values[symbol.name] = float(rng.uniform(0.5, 1.5))
    return values


def _shape_at(shape, values, dims) -> tuple[int, int]:
    """A matrix symbol's shape in integers, its sizes given by name in ``values`` (each
    a size of ``dims``); a size such as n**2 with the sizes put in."""
    found = []
    for size in shape:
        if size.is_Symbol:
            found.append(int(values[size.name]))
        elif size.is_Integer:
            found.append(int(size))
        else:
            found.append(int(size.xreplace({dim: sympy.Integer(values[dim.name])
                                             for dim in dims})))
    return found[0], found[1]


def structured_value(symbol, array):
    """``array`` made symmetric ((A + A')/2) or diagonal where ``symbol`` is declared so;
    a diagonally dominant array (an inverted one) stays so, and positive definite."""
    structure = structure_of(symbol)
    if structure == "symmetric":
        return (array + array.T) / 2
    if structure == "diagonal":
        return np.diag(np.diag(array))
    return array


def _weights(shape, seed):
    i, j = np.indices(shape)
    return 0.5 + 0.3 * np.sin(i + 2 * j + seed), 0.2 * np.cos(3 * i + j + seed)


def stand_in_functions(names) -> dict:
    """Smooth numeric stand-ins (f, grad f) for abstract functions, for checks only.

    f(Y) = sum(C .* sin(Y)) + 0.5 * sum(D .* Y)^2, with fixed C and D of Y's shape.
    """
    functions = {}
    for seed, name in enumerate(sorted(names), start=1):
        def f(y, seed=seed):
            c, d = _weights(y.shape, seed)
            return float(np.sum(c * np.sin(y)) + 0.5 * np.sum(d * y) ** 2)

        def grad(y, seed=seed):
            c, d = _weights(y.shape, seed)
            return c * np.cos(y) + np.sum(d * y) * d
        functions[name] = (f, grad)
    return functions


#: Condition number past which a point is too close to singular to decide anything.
MAX_CONDITION = 1e8


def value_or_none(expr, values, functions):
    """F at the point, or None where it is not defined or nearly so: an inverted or
    determinant-taken matrix that is singular or ill-conditioned (X'X for a wide X)."""
    try:
        if not well_conditioned(expr, values, functions):
            return None
        value = np.asarray(evaluate(expr, values, functions=functions), dtype=float)
    except MatDerivError as error:
        if "singular" in str(error):
            return None
        raise
    return value  # a value that overflows is reported as such, not drawn again


def well_conditioned(expr, values, functions) -> bool:
    """Every matrix ``expr`` inverts or takes the determinant of is finite and well
    conditioned at the point (condition number at most MAX_CONDITION), and every
    spectral or matrix function's argument is where its derivative is well posed (a
    simple extreme eigenvalue, full rank, no eigenvalue on the negative real axis).
    (The value check asks ``well_conditioned_at`` of its ``Evaluation``.)"""
    return _parts_well_conditioned(
        distinct_nodes(expr), lambda part: evaluate(part, values, functions=functions))


def well_conditioned_at(evaluation) -> bool:
    """``well_conditioned`` of each expression ``evaluation`` was made for, in turn, at
    its point: each distinct part looked at once (a result and its simplified form
    share most of theirs), each distinct inverted matrix's condition computed once
    (only the parts that may be looked at: ``evaluation.posed_parts``)."""
    return _parts_well_conditioned(evaluation.posed_parts, evaluation.value)


def _parts_well_conditioned(nodes, value) -> bool:
    conditioned = set()  # matrices found well conditioned (equal parts, equal values)
    for node in nodes:
        posed = posed_argument(node)
        if posed is not None and not well_posed(posed[0], value(posed[1])):
            return False  # a repeated extreme eigenvalue, a rank-deficient X, ...
        if isinstance(node, (sympy.Inverse, sympy.Determinant)) or (
                isinstance(node, sympy.MatPow) and node.exp.is_negative):
            inside = node.arg if not isinstance(node, sympy.MatPow) else node.base
            if inside in conditioned:
                continue
            if not condition_within(np.atleast_2d(value(inside)), MAX_CONDITION):
                return False
            conditioned.add(inside)
    return True


def condition_within(matrix, largest: float) -> bool:
    """``np.all(np.isfinite(matrix)) and not np.linalg.cond(matrix) > largest``: the
    same singular values and quotient as NumPy's cond (which gives inf where the
    smallest is 0), without its general set-up.

    >>> condition_within(np.diag([1.0, 1e-9]), 1e8), condition_within(np.eye(2), 1e8)
    (False, True)
    """
    if not np.isfinite(matrix).all():
        return False
    if matrix.size == 0:
        np.linalg.cond(matrix)  # raises as cond does
    singular = np.linalg.svd(matrix, compute_uv=False)
    smallest = float(singular[-1])
    return smallest != 0.0 and not float(singular[0]) / smallest > largest


#: Random points drawn for a generated module's self-test before giving up.
SELF_TEST_DRAWS = 24


def defined_point(expr, variable, rng, functions=None) -> dict:
    """Random values (``random_values``, sizes drawn anew each time) where ``expr`` is
    defined and well conditioned: the point a generated module's self-test is run at
    (``logm(X*X')`` is not defined where X is tall, at any values).

    >>> from sympy import MatrixSymbol, Trace, Inverse
    >>> X = MatrixSymbol("X", 2, 2)
    >>> sorted(defined_point(Trace(Inverse(X)), X, np.random.default_rng(0)))
    ['X']
    """
    for _ in range(SELF_TEST_DRAWS):
        values = random_values(expr, variable, rng)
        if value_or_none(expr, values, functions) is not None:
            return values
    raise MatDerivError(f"no random point where the formula is defined and well conditioned "
                        f"was found in {SELF_TEST_DRAWS} draws, so the generated code has no "
                        "self-test: generate it without --with-check")

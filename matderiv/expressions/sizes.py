"""Sizes of matrices: declared size symbols, their products, and sized constants.

A size is a positive integer Symbol (a declared name such as ``n``), a whole number, or
a sum or product of them (``m*n``, the rows of a Kronecker product). The constructors
here skip SymPy's dimension checks where every size is known to be one, which cost
SymPy's assumption system milliseconds per product of sizes after every clear_cache().

>>> m = size_symbol("m")
>>> sized(sympy.ZeroMatrix, m, 2).shape, size_product(m, Integer(3))
((m, 2), 3*m)
"""

from __future__ import annotations

import sympy
from sympy import Expr, Integer
from sympy.core.symbol import Str
from sympy.matrices.expressions.matexpr import MatrixExpr

from .memo import ExpressionMemo, IdentityMemo, KeyMemo


def as_size(value):
    """A matrix size as SymPy: ints become Integers; SymPy sizes pass through."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Integer(value)
    if isinstance(value, sympy.Basic):
        return value
    raise TypeError(f"a size must be an int or a SymPy expression, not {value!r}")



def size_symbol(name: str) -> sympy.Symbol:
    """``Symbol(name, integer=True, positive=True)``, a declared size.

    After each clear_cache() SymPy deduces a new Symbol's facts from its assumptions
    anew (about 30 us a size); every size has the same facts, so a size is given those
    of one made once, as SymPy's own cache gives every size it keeps one set of facts.

    >>> n = size_symbol("n")
    >>> n == sympy.Symbol("n", integer=True, positive=True), n.is_positive, n.is_integer
    (True, True, True)
    """
    # One object per name until SymPy's cache is cleared: sizes are compared and looked
    # up everywhere (shapes, dicts of sizes), and two equal Symbols that are distinct
    # objects compare their assumptions, at microseconds a time.
    found = _SIZE_SYMBOLS.get(name)
    if found is None:
        _SIZE_SYMBOLS._make_room()
        found = _SIZE_SYMBOLS[name] = sympy.Symbol(name, integer=True, positive=True) \
            if _SIZE_FACTS is None else _symbol_with_facts(name, _SIZE_FACTS)
    return found


def _symbol_with_facts(name, facts):
    symbol = Expr.__new__(sympy.Symbol)
    symbol.name = name
    for slot, value in facts:
        setattr(symbol, slot, value)
    return symbol


def _size_facts():
    """The slots holding a size Symbol's facts, with their values; None where this
    SymPy's Symbol is built otherwise (then sizes are made by SymPy itself)."""
    slots = ("_assumptions", "_assumptions_orig", "_assumptions0")
    every_slot = {slot for cls in sympy.Symbol.__mro__ for slot in cls.__dict__.get(
        "__slots__", ()) if not isinstance(cls.__dict__.get("__slots__"), str)}
    if every_slot != {"name", "_mhash", "_args", *slots}:
        return None  # a Symbol holds more than Basic.__new__ and the three fact slots set
    template = sympy.Symbol("n", integer=True, positive=True)
    facts = tuple((slot, getattr(template, slot)) for slot in slots)
    made = _symbol_with_facts("m", facts)
    real = sympy.Symbol("m", integer=True, positive=True)
    same = (made == real and hash(made) == hash(real) and sympy.srepr(made) == sympy.srepr(real)
            and made.assumptions0 == real.assumptions0 and made.sort_key() == real.sort_key())
    return facts if same else None


_SIZE_FACTS = _size_facts()
_SIZE_SYMBOLS = KeyMemo("matderiv.expressions.sizes.size_symbol")


_COMPOSITE_SIZES = IdentityMemo("matderiv.expressions.sizes.is_size")


def is_size(n) -> bool:
    """Built from declared sizes (positive integer symbols) and whole numbers by + and *.

    >>> m = sympy.Symbol("m", integer=True, positive=True)
    >>> is_size(m * (m + 1)), is_size(m**2), is_size(m - 1), is_size(sympy.Symbol("k"))
    (True, True, False, False)
    """
    if isinstance(n, sympy.Integer):
        return n.p >= 0  # (its value as a Python int: n >= 0 builds a SymPy relation)
    if isinstance(n, sympy.Symbol):
        # Its facts as deduced from what was stated (assumptions0 holds the same facts,
        # but builds a new dict on every call).
        known = n._assumptions
        return bool(known.get("integer") and known.get("positive"))
    if isinstance(n, (sympy.Mul, sympy.Add)):
        # (remembered: tidy, canonical and the rule walks each meet the sizes m n of a
        # Kronecker product or a vec once more)
        entry = _COMPOSITE_SIZES.get(id(n))
        if entry is not None and entry[0] is n:
            return entry[1]
        return _COMPOSITE_SIZES.remember(n, all(is_size(a) for a in n._args))
    if isinstance(n, sympy.Pow):  # n*n is n**2 (a Kronecker product of X with X)
        return is_size(n.base) and isinstance(n.exp, sympy.Integer) and n.exp.p > 0
    return False


_SIZED = ExpressionMemo("matderiv.expressions.sizes.sized")


def sized(cls, *dims):
    """``cls(*dims)`` for Identity, ZeroMatrix or OneMatrix, without SymPy's dimension
    check when every dim is a size (``is_size``).

    That check asks the assumption system whether m*n is a nonnegative integer, which
    took milliseconds for every product of sizes after each clear_cache(): most of the
    time of a small derivation such as W a.

    >>> m = sympy.Symbol("m", integer=True, positive=True)
    >>> sized(sympy.ZeroMatrix, m * 2, 1).shape
    (2*m, 1)
    """
    dims = tuple(Integer(d) if isinstance(d, int) else d for d in dims)
    found = _SIZED.get((cls, dims))
    if found is None:  # one per kind and size (the matcher asks for I(n) at every try)
        found = _SIZED.remember((cls, dims), MatrixExpr.__new__(cls, *dims)
                                if all(is_size(d) for d in dims) else cls(*dims))
    return found


def matrix_symbol(name: str, rows, cols):
    """``MatrixSymbol(name, rows, cols)``, without SymPy's dimension check when both are
    sizes (as ``sized``).

    >>> m = sympy.Symbol("m", integer=True, positive=True)
    >>> matrix_symbol("W", m, 3).shape
    (m, 3)
    """
    rows, cols = (Integer(d) if isinstance(d, int) else d for d in (rows, cols))
    if is_size(rows) and is_size(cols):
        return MatrixExpr.__new__(sympy.MatrixSymbol, Str(name), rows, cols)
    return sympy.MatrixSymbol(name, rows, cols)


def identity(n):
    """Identity(n): ``sized(Identity, n)``."""
    return sized(sympy.Identity, n)



_SIZE_PRODUCTS = ExpressionMemo("matderiv.expressions.sizes.size_product")


def size_product(*sizes):
    """``sizes[0] * sizes[1] * ...``, multiplied two at a time as SymPy's Kronecker
    product shape does (m+1, 2, n give n(2m + 2), as there), each product remembered: the
    size m n of vec(X) or of a Kronecker product is asked for every new node holding it.

    >>> m, n = sympy.Symbol("m"), sympy.Symbol("n")
    >>> size_product(m, n), size_product(Integer(1), n), size_product(m + 1, Integer(2), n)
    (m*n, n, n*(2*m + 2))
    """
    found = sizes[0]
    for size in sizes[1:]:
        product = _SIZE_PRODUCTS.get((found, size))
        if product is None:
            product = _SIZE_PRODUCTS.remember((found, size), _times(found, size))
        found = product
    return found


def _times(one, other):
    """``one * other``, built directly where SymPy's Mul would only sort its factors:
    after each clear_cache() SymPy's Mul costs tens of microseconds, and sizes such as
    m n are multiplied for every new Kronecker product or vec.

    >>> m, n = sympy.Symbol("m"), sympy.Symbol("n")
    >>> _times(n, m) == n * m, _times(Integer(1), n) is n, _times(Integer(2), Integer(3))
    (True, True, 6)
    """
    # (A size is SymPy's, never a Float: 1 is the one object S.One. Asking == 1 of a
    # Symbol sympifies the 1 first, and assumptions0 builds a dict on every call; sizes
    # made by size_symbol share one dict of facts.)
    if one is sympy.S.One:
        return other
    if other is sympy.S.One:
        return one
    if isinstance(one, Integer) and isinstance(other, Integer):
        return Integer(int(one) * int(other))
    if type(one) is sympy.Symbol and type(other) is sympy.Symbol and one.name != other.name \
            and (one._assumptions0 is other._assumptions0
                 or one.assumptions0 == other.assumptions0):  # (else Mul orders otherwise)
        first, second = sorted((one, other), key=lambda s: s.name)
        return sympy.Mul._from_args((first, second), is_commutative=True)
    # n n is n**2 and n**k n is n**(k+1): SymPy's Pow costs a tenth of its Mul, which
    # would find the common base (the vec of an n x n matrix has n**2 rows).
    power = _power_of_symbol(one, other)
    if power is not None:
        return power
    power = _power_of_symbol(other, one)
    if power is not None:
        return power
    return one * other


def _power_of_symbol(one, symbol):
    """``one * symbol`` as a Pow when ``symbol`` is a Symbol and ``one`` is it or a
    positive integer power of it, else None."""
    if type(symbol) is not sympy.Symbol:
        return None
    if one == symbol:
        return sympy.Pow(symbol, 2)
    if isinstance(one, sympy.Pow) and one.base == symbol and isinstance(one.exp, Integer) \
            and one.exp.p > 0:
        return sympy.Pow(symbol, one.exp + 1)
    return None


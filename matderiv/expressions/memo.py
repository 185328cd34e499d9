"""Results remembered by expression, emptied by SymPy's ``clear_cache()``.

SymPy expressions are immutable and hash by value, so a pure function of an expression
can keep its answers. Each memo registers with SymPy's cache list, so ``clear_cache()``
empties it as it empties SymPy's own caches (benchmarks clear it before every call).

>>> from sympy import Symbol
>>> squares = ExpressionMemo("squares")
>>> squares.remember(Symbol("x"), 4)
4
>>> squares.get(Symbol("x"))
4
"""

from __future__ import annotations

from sympy import Basic
from sympy.core.cache import CACHE


class _ClearedWithSymPy(dict):
    """A bounded dict that SymPy's ``clear_cache()`` empties (it clears every item of
    ``sympy.core.cache.CACHE`` that has ``__wrapped__`` and ``cache_clear``)."""

    __wrapped__ = None
    limit = 50_000

    def __init__(self, name):
        super().__init__()
        self.__name__ = name
        CACHE.append(self)

    def cache_clear(self):
        self.clear()

    def _make_room(self):
        if len(self) >= self.limit:
            self.clear()


class ExpressionMemo(_ClearedWithSymPy):
    """A dict from expressions to results, registered with SymPy's ``clear_cache``."""

    def remember(self, key, value):
        """Store and return ``value``, interned: one object per distinct expression."""
        if len(self) >= self.limit:  # (_make_room, inline: memos are asked constantly)
            self.clear()
        value = interned(value)
        self[key] = value
        return value


class KeyMemo(_ClearedWithSymPy):
    """A dict from plain keys (a name, a tuple of numbers) to the one object made for
    each, registered with SymPy's ``clear_cache``."""


class IdentityMemo(_ClearedWithSymPy):
    """Results by object identity, for cheap structural facts (does it hold a trace?).

    A lookup by value compares an equal copy with the stored key node by node; by
    identity it costs nothing, and a copy is recomputed from its parts, which are
    usually the very objects already stored. Keeps each key alive, so an id is never
    reused while it is stored. (The hottest callers read an entry themselves, ``entry =
    memo.get(id(expr))``, the key in ``entry[0]``: a call less on every node.)

    >>> from sympy import MatrixSymbol
    >>> sizes = IdentityMemo("sizes")
    >>> A = MatrixSymbol("A", 2, 2)
    >>> sizes.remember(A, 3), sizes.lookup(A), sizes.lookup(MatrixSymbol("B", 2, 2))
    (3, 3, None)
    """

    def lookup(self, expr):
        found = self.get(id(expr))
        return found[1] if found is not None and found[0] is expr else None

    def remember(self, expr, value):
        if len(self) >= self.limit:  # (_make_room, inline)
            self.clear()
        self[id(expr)] = (expr, value)
        return value


_INTERNED = ExpressionMemo("matderiv.expressions.memo.interned")


def interned(expr):
    """The one stored object equal to ``expr`` (``expr`` itself the first time).

    Comparing two equal SymPy trees that are distinct objects walks both whole; equal
    trees built from the same interned parts compare part by part by identity. So
    memo lookups stay cheap on deep formulas.

    >>> from sympy import MatrixSymbol
    >>> A = MatrixSymbol("A", 2, 2)
    >>> interned(A*A) is interned(A*A)
    True
    """
    if not isinstance(expr, Basic):
        return expr  # False == 0 == S.Zero, with one hash: never mix them up
    if len(_INTERNED) >= _INTERNED.limit:  # (_make_room, inline)
        _INTERNED.clear()
    found = _INTERNED.setdefault(expr, expr)
    return found if type(found) is type(expr) else expr

"""A few terms added to a canonical scalar sum by insertion, as SymPy's ``Add`` would.

Pushing d(.) through a sum of N traces rebuilds d(t1) + (d(t2) + ... + d(tN)) level by
level: SymPy's ``Add`` flattens the inner sum and sorts all its terms again, comparing
them node by node (``Basic.compare``), at each level: a quarter of the derivation of a
sum of 64 traces. The inner sum is canonical already (sorted, like terms collected), so
where a new term is no number and has no like term in it, SymPy's result is the inner
sum with the term inserted at its sorted place: found by binary search.

>>> from sympy import Symbol
>>> a, b, c = Symbol("a"), Symbol("b"), Symbol("c")
>>> added_in_order([b, a + c]).args
(a, b, c)
>>> added_in_order([2*a, a + c]) is None  # like terms: left to SymPy
True
>>> added_in_order([c, a]).args  # (plain terms, no sum: sorted)
(a, c)
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cmp_to_key

import sympy
from sympy.core.basic import Basic

_ORDER = cmp_to_key(Basic.compare)  # SymPy's order of a sum's terms (``_addsort``)

#: By class: whether a term of that class takes the plain path through ``Add.flatten``
#: (no number, order term, matrix, tensor or interval; no constructor postprocessor).
_PLAIN: dict = {}


def _plain_class(cls) -> bool:
    found = _PLAIN.get(cls)
    if found is None:
        from sympy.calculus.accumulationbounds import AccumBounds
        from sympy.matrices.expressions import MatrixExpr
        from sympy.series.order import Order
        from sympy.tensor.tensor import TensExpr
        special = (sympy.Number, sympy.Add, Order, AccumBounds, MatrixExpr, TensExpr,
                   type(sympy.S.ComplexInfinity), type(sympy.S.NaN))
        found = _PLAIN[cls] = issubclass(cls, sympy.Expr) and \
            not issubclass(cls, special) and \
            not any(k in Basic._constructor_postprocessor_mapping for k in cls.__mro__)
    return found


def _like_key(term):
    """What ``Add.flatten`` collects like terms by: the term without its coefficient."""
    return term.as_coeff_Mul()[1] if term.is_Mul else term


def scalar_sum(*terms):
    """``sympy.Add(*terms)``, put together by ``added_in_order`` where it can be.

    >>> from sympy import Symbol
    >>> scalar_sum(Symbol("b"), Symbol("a"))
    a + b
    """
    total = added_in_order(terms)
    return sympy.Add(*terms) if total is None else total


def added_in_order(args):
    """``sympy.Add(*args)`` where ``args`` are one canonical scalar sum and terms that
    insert into it plainly, or plain terms alone (sorted: a rule's inner(G, A) +
    inner(G, B)); None where that is not so (the caller asks SymPy)."""
    sums = [a for a in args if type(a) is sympy.Add]
    if len(sums) > 1 or len(args) < 2:
        return None
    if sums:
        total = sums[0]
        terms = list(total.args)
        if total.is_commutative is not True or terms[0].is_Number:
            return None
    else:
        total, terms = None, []
    new = [a for a in args if a is not total]
    keys = {_like_key(t) for t in terms}
    for term in new:
        if not _plain_class(type(term)) or term.is_commutative is not True:
            return None
        if term.is_Pow and term.base.is_Number:
            return None  # (SymPy evaluates 2**3 and such on the way)
        key = _like_key(term)
        if key in keys or (key is not term and key.is_Add):
            return None
        keys.add(key)
        place = bisect_left(terms, _ORDER(term), key=_ORDER)
        if place < len(terms) and terms[place].compare(term) == 0:
            return None  # a tie (sign and SymPy's sign of x): Add's order is its own
        terms.insert(place, term)
    return sympy.Add._from_args(terms, True) if total is None else total._new_rawargs(*terms)

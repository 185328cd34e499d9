"""The terms of a sum, matched against a rule's term patterns without trying every pair.

A sum pattern such as ``L*C + R*C + S`` (factor-right) looks for two terms that end
alike. Each term is matched against each term pattern once, alone, and the bindings
remembered (``fresh_matches``: a term recurs, rebuilt, in many sums on the way to a
result); they are then joined with what earlier patterns bound (``joined``), which
gives what matching under those bindings gives, in the same order. A term pattern
that shares a variable with earlier patterns finds its terms through a ``TermIndex``
(the terms by the value that variable takes in them): linear in the terms of a sum,
where trying every pair was quadratic. ``rest_of_sum`` builds the rest ``S`` without
checking and canonicalising its terms again. The matcher (``matcher._match_terms``)
passes its ``match`` in.

>>> joined({"C": 1}, {"C": 1, "L": 2}), joined({"C": 1}, {"C": 3})
({'C': 1, 'L': 2}, None)
"""

from __future__ import annotations

import sympy
from sympy import MatAdd
from sympy.matrices.expressions.special import GenericZeroMatrix

from ..expressions import mat_add, shape_of
from ..expressions.memo import ExpressionMemo, IdentityMemo
from ..expressions.tidy import run_of_sum

EMPTY = "__empty__"  # bindings key: the context variables that matched no factor

_FRESH = ExpressionMemo("matderiv.engine.terms.fresh")
_RESTS = IdentityMemo("matderiv.engine.terms.rests")


def fresh_matches(match, pattern, expr) -> tuple:
    """Every binding of ``pattern`` to ``expr`` alone, in ``match``'s order, remembered
    by value."""
    by_pattern = _FRESH.get(expr)
    if by_pattern is None:
        _FRESH._make_room()
        by_pattern = _FRESH[expr] = {}
    found = by_pattern.get(id(pattern))
    if found is None or found[0] is not pattern:  # (the pattern is kept: ids stay unique)
        found = by_pattern[id(pattern)] = (pattern, tuple(match(pattern, expr)))
    return found[1]


def joined(bindings, found):
    """``found`` (bindings made from none) added to ``bindings``, or None where the two
    bind a name to different values: what matching under ``bindings`` gives."""
    if not bindings:
        return dict(found)
    together = dict(bindings)
    for name, value in found.items():
        if name == EMPTY:
            together[EMPTY] = bindings.get(EMPTY, frozenset()) | value
        elif name not in bindings:
            together[name] = value
        elif not bindings[name] == value:
            return None
    return together


class TermIndex:
    """A sum's terms by the value one variable of a term pattern takes in them."""

    def __init__(self, match, pattern, args, key):
        self.by_value: dict = {}
        for i, arg in enumerate(args):
            for found in fresh_matches(match, pattern, arg):
                self.by_value.setdefault(found[key], []).append((i, found))

    def get(self, value):
        """(index of the term, its bindings) where the variable takes ``value``."""
        return self.by_value.get(value, ())


def rest_of_sum(total):
    """How the rest of a matrix sum (a run of its terms) is built: ``mat_add(*run)``,
    whose checks (no nested sum or zero, one shape) hold for every run once they hold
    for all the terms, so they are made once per sum, not for each run a rule tries."""
    found = _RESTS.lookup(total)
    if found is None:
        terms = total.args
        shape = shape_of(terms[0]) if terms else None
        if all(isinstance(t, sympy.MatrixExpr) and not isinstance(t, (MatAdd, GenericZeroMatrix))
               and shape_of(t) == shape for t in terms):
            found = lambda run: run_of_sum(total, run)  # noqa: E731
        else:
            found = lambda run: mat_add(*run)  # noqa: E731
        _RESTS.remember(total, found)
    return found

"""The conditions a rule may state in its ``when`` list, each a named predicate.

A condition is written ``name(var, ...)`` in the catalog; ``constant(A, B)`` means
every one of A, B is constant.

>>> from sympy import MatrixSymbol
>>> X = MatrixSymbol("X", 2, 2)
>>> CONDITIONS["square"](X, context=None)
True
"""

from __future__ import annotations

import re

from ..errors import MatDerivError
from ..expressions import is_matrix, is_symmetric, shape_of
from ..expressions.contains import depends_on, holds_differential
from ..expressions.structured import structure_of
from .matcher import CONTEXT_VARIABLES


def constant(expr, *, context) -> bool:
    """Does not vary: free of any differential and, while differentials are being
    pushed inward, of the variable too. (Once dF is linear in dX, a factor such as
    A x in dx' A x is a constant of the linear map dX -> dF.)"""
    if holds_differential(expr):
        return False
    return context.phase != "differential" or not depends_on(expr, context.variable)


def varying(expr, *, context) -> bool:
    """Not ``constant``: its differential may be nonzero (a term of the product rule
    with a constant factor's differential is zero, and is not written)."""
    return not constant(expr, context=context)


def linear(expr, *, context) -> bool:
    """Holds a differential (in the identification phase, the terms are linear in dX)."""
    return holds_differential(expr)


def scalar(expr, *, context) -> bool:
    return not is_matrix(expr)


def symbolic(expr, *, context) -> bool:
    """A scalar that is not a number (numbers are SymPy's to place)."""
    return not is_matrix(expr) and not expr.is_number


def matrix(expr, *, context) -> bool:
    return is_matrix(expr)


def square(expr, *, context) -> bool:
    return is_matrix(expr) and shape_of(expr)[0] == shape_of(expr)[1]


def integer(expr, *, context) -> bool:
    return not is_matrix(expr) and bool(expr.is_Integer)


def power(expr, *, context) -> bool:
    """An integer exponent of at least 2."""
    return not is_matrix(expr) and bool(expr.is_Integer) and expr >= 2


def negative_power(expr, *, context) -> bool:
    """An integer exponent of at most -2 (SymPy writes inv(X)*inv(X) as X**(-2)); -1 is
    the inverse, whose own rule d-inverse applies."""
    return not is_matrix(expr) and bool(expr.is_Integer) and expr <= -2


def one_by_one(expr, *, context) -> bool:
    """A 1 x 1 matrix (a Kronecker factor of one entry only scales the other)."""
    return is_matrix(expr) and shape_of(expr)[0] == 1 and shape_of(expr)[1] == 1


def column(expr, *, context) -> bool:
    return is_matrix(expr) and shape_of(expr)[1] == 1


def row(expr, *, context) -> bool:
    return is_matrix(expr) and shape_of(expr)[0] == 1


def structurally_symmetric(expr, *, context) -> bool:
    """A square matrix symmetric by its structure alone (X + X', X'X, A' diag(x) A)."""
    return is_matrix(expr) and is_symmetric(expr)


def shaped(expr, rows, cols, *, context) -> bool:
    """A matrix of ``rows`` x ``cols`` (bound sizes): unvec(vec(A), m, n) is A only then."""
    return is_matrix(expr) and tuple(shape_of(expr)) == (rows, cols)


def symmetric(expr, *, context) -> bool:
    """A matrix declared symmetric or diagonal (``derive(..., symmetric=["S"])``), or its
    differential: a diagonal matrix is symmetric too."""
    return structure_of(expr) is not None


def diagonal(expr, *, context) -> bool:
    """A matrix declared diagonal (``derive(..., diagonal=["D"])``), or its differential."""
    return structure_of(expr) == "diagonal"


CONDITIONS = {f.__name__: f for f in (constant, varying, linear, scalar, symbolic, matrix,
                                      square, integer, power, negative_power, column, row,
                                      one_by_one, structurally_symmetric, symmetric,
                                      diagonal)}


def alike(one, other, *, context) -> bool:
    """Two matrices of one shape: diag(a b') is a .* b only for a and b alike (diag(a c')
    of a 1 x 1 c is the diagonal matrix of a column, not a diagonal)."""
    return is_matrix(one) and is_matrix(other) and \
        tuple(shape_of(one)) == tuple(shape_of(other))


#: Conditions relating their arguments, written ``shaped(A, m, n)``: each is given all.
RELATIONS = {"shaped": shaped, "alike": alike}

_CONDITION = re.compile(r"\s*([a-z_]+)\s*\(\s*([A-Za-z_][\w\s,]*)\)\s*\Z")


def parse_condition(text: str) -> tuple[str, tuple[str, ...]]:
    """``"constant(L, R)"`` -> ``("constant", ("L", "R"))``."""
    found = _CONDITION.match(text)
    if not found or (found.group(1) not in CONDITIONS and found.group(1) not in RELATIONS
                     and found.group(1) != "nonempty"):
        raise MatDerivError(f"unknown rule condition {text!r}; known: "
                            f"{', '.join(sorted(CONDITIONS | RELATIONS))}, nonempty")
    names = tuple(part.strip() for part in found.group(2).split(","))
    return found.group(1), names


def check(condition, bindings, context, empty_key) -> bool:
    """Whether a parsed condition holds; ``nonempty(L, R)``: L or R took a factor."""
    name, names = condition
    if name == "nonempty":
        return not set(names) <= bindings.get(empty_key, frozenset())
    if name in RELATIONS:
        return RELATIONS[name](*(bindings[n] for n in names), context=context)
    test = CONDITIONS[name]
    return all(test(bindings[n], context=context) for n in names)


def compiled(conditions, empty_key):
    """One test ``holds(bindings, context)`` for a rule's parsed conditions, all of
    them: ``check`` over each, with the lookups of names and predicates done once (a
    rule's conditions are asked on every match the rule finds).

    >>> from sympy import MatrixSymbol
    >>> holds = compiled([parse_condition("matrix(A, B)")], "")
    >>> holds({"A": MatrixSymbol("A", 2, 2), "B": 1}, None)
    False
    """
    tests = []
    for name, names in conditions:
        if name == "nonempty":
            tests.append(lambda b, c, names=frozenset(names):
                         not names <= b.get(empty_key, frozenset()))
        elif name in RELATIONS:
            tests.append(lambda b, c, test=RELATIONS[name], names=names:
                         test(*(b[n] for n in names), context=c))
        elif len(names) == 1:
            tests.append(lambda b, c, test=CONDITIONS[name], n=names[0]: test(b[n], context=c))
        else:
            tests.append(lambda b, c, test=CONDITIONS[name], names=names:
                         all(test(b[n], context=c) for n in names))
    tests = tuple(tests)
    if len(tests) == 1:
        return tests[0]

    def holds(bindings, context):
        for test in tests:
            if not test(bindings, context):
                return False
        return True
    return holds


class BindingChecks:
    """A rule's conditions, as tests its match plan (``engine/match_plans.py``) makes
    where a match binds the names they ask about.

    A name's value never changes once bound, so a value that fails a condition of its
    name fails it in every match below: the match is cut there (the rule's ``holds``
    still decides on the whole bindings). Asked: the one-name conditions
    (``constant(c)``) where a name is bound, ``constant`` of a context variable factor by
    factor (a run is constant when each of its factors is, and every longer run holds
    the first varying one), and ``nonempty(L, R)`` when the last of them takes no
    factor. Not asked where the commutative matcher matches a term alone (those
    matches are remembered for every rule and context alike).
    """

    def __init__(self, conditions, counter=None):
        self.counter = counter  # (a list: counter[0] counts the nodes matched; tests)
        by_name: dict = {}
        self.constant_runs: frozenset = frozenset()
        self.nonempty: tuple = ()
        for condition, names in conditions:
            if condition == "nonempty":
                if all(name in CONTEXT_VARIABLES for name in names):
                    self.nonempty += (frozenset(names),)
            elif condition in CONDITIONS:
                for name in names:
                    if name not in CONTEXT_VARIABLES:
                        by_name.setdefault(name, []).append(CONDITIONS[condition])
                    elif condition == "constant":
                        self.constant_runs |= {name}
        self.by_name = {name: tuple(tests) for name, tests in by_name.items()}

    def run_test(self, name):
        """The test of each factor of a run ``name`` takes, or None."""
        return CONDITIONS["constant"] if name in self.constant_runs else None

    def others_nonempty(self, name) -> tuple:
        """The other names of each ``nonempty`` group of ``name``."""
        return tuple(group - {name} for group in self.nonempty if name in group)

    def unconditional(self):
        """The same without conditions (for the commutative matcher)."""
        return BindingChecks((), self.counter)


__all__ = ["CONDITIONS", "RELATIONS", "parse_condition", "check", "compiled", "BindingChecks"]

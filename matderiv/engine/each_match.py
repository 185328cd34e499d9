"""Rules summed over every match (``each = true``): the product rule over a whole chain.

A product pattern ``L*M*R`` (``L`` and ``R`` context variables, ``M`` one factor) matches
a product of n factors in n ways, one per factor. A rule marked ``each`` writes the sum
of its result over all of them, so

    d(L*M*R) => L*d(M)*R     (each, when varying(M), nonempty(L, R))

is d(A1 A2 ... An) = sum over k of A1...A(k-1) dAk A(k+1)...An, in one application: the
terms of the chain, all at once and side by side, where d(A B) = dA B + A dB applied n
times nests each sum inside the product before it (n levels, which every later stage
distributed again: time n^2). Conditions choose the matches summed; a condition may
only leave out matches whose term is zero (``varying(M)``: dM = 0 for a constant M), or
the sum is wrong. A result that does not build (shapes) for one match stops the rule,
never drops a term.

The matches of a product pattern are its splits only when the product is ordered: a
scalar product is commutative, its matches are orderings of its factors (each factor
would be counted once per ordering), so an ``each`` rule never applies to one.

>>> from sympy import MatrixSymbol
>>> from matderiv.engine.catalog import catalog
>>> from matderiv.engine.rewrite import Context
>>> from matderiv.expressions import MatDiff
>>> X, A = MatrixSymbol("X", 2, 2), MatrixSymbol("A", 2, 2)
>>> from matderiv.expressions.tidy import tidy
>>> tidy(each_match(catalog().rule("d-product"), MatDiff(X*A*X), Context(X))[0])
dX*A*X + X*A*dX
"""

from __future__ import annotations

import sympy

from ..errors import MatDerivError
from ..expressions import is_matrix, mat_add, shape_of
from ..syntax import tree
from ..syntax.grammar import zero_like

#: Most matches one ``each`` rule may sum (a product of more factors is refused).
MAX_EACH_MATCHES = 1_000


def check_each_pattern(rule) -> None:
    """An ``each`` rule's pattern must be a product, or d(.) of one: its matches are
    the splits of the product (raises MatDerivError otherwise)."""
    if _product_of(rule.pattern_tree) is None:
        raise MatDerivError(f"rule {rule.name}: an 'each' rule's pattern must be a "
                            "product or d(product)")


def _product_of(pattern):
    """The product pattern an ``each`` pattern splits (itself, or what d(.) holds)."""
    if isinstance(pattern, tree.Call) and pattern.name == "d" and not pattern.prime:
        pattern = pattern.args[0]
    if isinstance(pattern, tree.Binary) and pattern.op in ("*", "@"):
        return pattern
    return None


def each_match(rule, expr, context):
    """(the sum of ``rule``'s result over every match at ``expr`` whose conditions hold,
    {"matches": the bindings}), or None when no match holds or the product is a
    commutative (scalar) one."""
    differentiated = _product_of(rule.pattern_tree) is not rule.pattern_tree
    product = getattr(expr, "arg", None) if differentiated else expr
    if isinstance(product, sympy.Mul) and not is_matrix(product):
        return None  # (orderings, not splits: see the module's docstring)
    matches, terms = [], []
    for bindings in rule.match_plan.matches(expr, context):
        if not rule.holds(bindings, context):
            continue
        if len(matches) == MAX_EACH_MATCHES:
            raise MatDerivError(f"rule {rule.name}: more than {MAX_EACH_MATCHES} terms; "
                                "the formula is too large")
        try:
            term = rule.instantiate(bindings)
        except MatDerivError:
            return None  # a term that does not build: the rule does not apply
        matches.append(bindings)
        if not (term == 0 or (is_matrix(term) and term.is_ZeroMatrix)):
            terms.append(term)
    if not matches:
        return None
    if not terms:
        return zero_like(expr) if is_matrix(expr) else sympy.Integer(0), \
            {"matches": tuple(matches)}
    result = mat_add(*terms) if is_matrix(terms[0]) else sympy.Add(*terms)
    if (shape_of(result) if is_matrix(result) else ()) != \
            (shape_of(expr) if is_matrix(expr) else ()):
        raise MatDerivError(f"rule {rule.name} is wrong: it turned {expr} into {result}")
    return result, {"matches": tuple(matches)}

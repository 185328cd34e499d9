"""A cheap test before matching a product pattern: each of its operands other than a
name matches one factor of the product, so the product needs a factor of that
operand's class (``root_types``) — ``L*(-A + -B)*R`` needs a sum among its factors.

Many rules of a phase fail on most products they are tried on; this refuses most of
those failures before the matcher splits the product every way it can.

>>> from sympy import MatrixSymbol
>>> from matderiv.syntax import parse
>>> A, B, X = (MatrixSymbol(n, 2, 2) for n in "ABX")
>>> needed = factor_types(parse("L*(A + B)*R"))
>>> may_have_factors(needed, A*X*B), may_have_factors(needed, A*(X + B))
(False, True)

A sum pattern's operands but the last each take one term (the last the rest, or, where
the rest ``S`` is empty, the one before it may take the rest): ``c*A + c*B + S`` needs
a product among the terms, and so does ``L*C + R*C + S`` with ``nonempty(L, R)``
(a context variable takes a factor only of a product).

>>> needed = term_types(parse("L*C + R*C + S"), [("L", "R")])
>>> may_have_terms(needed, A*X + X*B), may_have_terms(needed, A + X)
(True, False)
"""

from __future__ import annotations

import sympy
from sympy import MatAdd, MatMul

from ..expressions import is_matrix
from ..syntax import tree
from .matcher import CONTEXT_VARIABLES, _operands, product_factors, root_types, variables


def factor_types(pattern) -> tuple:
    """For a product pattern, the classes (a tuple each) of the factors it needs, one
    entry per operand that is not a name; else ()."""
    if not (isinstance(pattern, tree.Binary) and pattern.op in ("*", "@")):
        return ()
    found = (root_types(p) for p in _operands(pattern, ("*", "@"))
             if not isinstance(p, tree.Name))
    return tuple(classes for classes in found if classes is not None)


def term_types(pattern, nonempty=()) -> tuple:
    """For a sum pattern, the classes (a tuple each) of the terms it needs; else ()."""
    if not (isinstance(pattern, tree.Binary) and pattern.op == "+"):
        return ()
    operands = _operands(pattern, ("+",))
    single = operands[:-1]  # each takes one term (the last of them maybe the rest: a sum)
    needed = [classes for classes in (root_types(p, nonempty) for p in single)
              if classes is not None and not issubclass(MatAdd, classes)
              and not issubclass(sympy.Add, classes)]
    last = variables(operands[-1])
    contexts = [_context_names(p) for p in single]
    for names in nonempty:
        # each name a context variable of a product operand taking one term (or the
        # rest, a sum: then it takes nothing), and nowhere else: one must take a factor
        if names and all(name not in last and any(name in c for c in contexts)
                         and all(name in c or name not in variables(p)
                                 for p, c in zip(single, contexts, strict=True))
                         for name in names):
            needed.append((MatMul, sympy.Mul))
    return tuple(needed)


def shared_ends(pattern) -> tuple:
    """For a sum pattern, the ends ("first", "last") at which two of its one-term
    operands are products with one variable there: ``L*C + R*C + S`` ends both in C,
    so two terms of a sum it matches end in one factor (C takes a run of trailing
    factors, and equal runs end alike); ``C*L + C*R + S`` begins both in C (one factor)."""
    if not (isinstance(pattern, tree.Binary) and pattern.op == "+"):
        return ()
    seen = {"first": [], "last": []}
    for operand in _operands(pattern, ("+",))[:-1]:
        if not (isinstance(operand, tree.Binary) and operand.op in ("*", "@")):
            continue
        factors = _operands(operand, ("*", "@"))
        for end, factor in (("first", factors[0]), ("last", factors[-1])):
            if isinstance(factor, tree.Name) and factor.id not in CONTEXT_VARIABLES:
                seen[end].append(factor.id)
    return tuple(end for end, names in seen.items() if len(names) > len(set(names)))


def may_share_ends(ends, expr) -> bool:
    """False when ``expr``, a sum of matrices, has no two terms whose factors
    (``product_factors``: a term that is no product is its own) begin, or end, alike
    at each of ``ends``, and no term begins, or ends, in a sum. (Where the rest of the
    sum is empty, the last operand may take the other terms together: a sum, which
    begins and ends in itself, as in C + R*C with C = A + B.) A scalar sum's products
    match in any order: let through."""
    if not ends or not isinstance(expr, MatAdd) or any(not is_matrix(t) for t in expr.args):
        return True
    if any(isinstance(t, MatMul) and any(isinstance(f, MatMul) for f in t.args)
           for t in expr.args):
        return True  # a product not flat (tidy flattens them): its ends are not its factors'
    for end in ends:
        at = 0 if end == "first" else -1
        found = [product_factors(term)[at] for term in expr.args]
        if len(set(found)) == len(found) and not any(isinstance(f, MatAdd) for f in found):
            return False
    return True


def may_match_sum(needed, expr) -> bool:
    """``may_have_terms`` and ``may_share_ends``: ``needed`` is (term classes, ends)."""
    classes, ends = needed
    return may_have_terms(classes, expr) and may_share_ends(ends, expr)


def _context_names(pattern) -> frozenset:
    """The context variables of a product pattern with another operand (each of which
    takes a factor): of a single factor they take nothing."""
    if not (isinstance(pattern, tree.Binary) and pattern.op in ("*", "@")):
        return frozenset()
    operands = _operands(pattern, ("*", "@"))
    context = {p.id for p in operands if isinstance(p, tree.Name) and p.id in CONTEXT_VARIABLES}
    return frozenset(context) if len(context) < len(operands) else frozenset()


def may_have_terms(needed, expr) -> bool:
    """False when a class of ``needed`` is among no term of the sum ``expr``."""
    terms = expr.args
    return all(any(isinstance(t, classes) for t in terms) for classes in needed)


def may_have_factors(needed, expr) -> bool:
    """False when a class of ``needed`` is among no factor of ``expr`` (a matrix
    product's factors; any other expression is its own only factor). A scalar
    product's factors match in any order and a product's scalar coefficient is built
    from its scalar parts: those are always let through."""
    if not needed:
        return True
    if isinstance(expr, MatMul):
        factors = expr.args
        if any(not is_matrix(f) for f in factors):
            return True
    elif isinstance(expr, sympy.Mul) and not is_matrix(expr):
        return True
    else:
        factors = (expr,)
    return all(any(isinstance(f, classes) for f in factors) for classes in needed)


__all__ = ["factor_types", "may_have_factors", "term_types", "may_have_terms", "shared_ends",
           "may_share_ends", "may_match_sum"]

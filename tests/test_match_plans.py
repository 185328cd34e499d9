"""A rule's compiled pattern (``MatchPlan``) matches as the matcher interprets its tree.

``Rule.apply`` matches with the plan; ``matcher.match`` interpreting the rule's pattern
tree is the reference. Every match a rule's plan is asked for while deriving the rules'
own examples is made both ways, to the last binding, and compared: the same bindings,
equal and of one class, with their names in the same order, the matches in the same
order; with the rule's conditions, the same once those that fail them are left out.
Each example's derivative is checked numerically by tests/test_rules.py.
"""

from __future__ import annotations

import sympy
from sympy import HadamardProduct, MatrixSymbol, symbols

import matderiv
from matderiv.engine import conditions
from matderiv.engine.catalog import catalog
from matderiv.engine.match_plans import MatchPlan
from matderiv.engine.matcher import EMPTY, match
from matderiv.expressions import MatDiff, mat_mul
from matderiv.syntax.parser import parse

m, n = symbols("m n", integer=True, positive=True)


def _same_bindings(one, other) -> bool:
    return list(one) == list(other) and all(
        type(one[k]) is type(other[k]) and one[k] == other[k] for k in one)


def _same_matches(planned, reference) -> bool:
    return len(planned) == len(reference) and all(
        _same_bindings(a, b) for a, b in zip(planned, reference, strict=True))


def test_every_match_in_the_examples_is_the_interpreted_one(monkeypatch):
    compiled = MatchPlan.matches
    bare: dict = {}  # pattern -> its plan without conditions
    seen, differ = set(), []

    def both(plan, expr, context=None):
        planned = list(compiled(plan, expr, context))
        reference = list(match(plan.pattern, expr))
        if plan.pattern not in bare:
            bare[plan.pattern] = MatchPlan(plan.pattern)
        unconditioned = list(compiled(bare[plan.pattern], expr))
        holds = conditions.compiled(plan.conditions, EMPTY)
        seen.add(id(plan))
        if not _same_matches(unconditioned, reference) or not _same_matches(
                [b for b in planned if holds(b, context)],
                [b for b in reference if holds(b, context)]):
            differ.append((plan.pattern, expr, planned, reference))
        return iter(planned)

    monkeypatch.setattr(MatchPlan, "matches", both)
    for rule in catalog():
        for example in rule.examples:
            d = matderiv.derive(example.formula, wrt=example.wrt, shapes=example.shapes,
                                **example.options)
            d.gradient() if d.is_scalar else d.jacobian(example.vec)
    assert differ == []
    assert len(seen) > 200  # (most rules were tried)


def test_context_variables_products_sums_and_scalars_match_alike():
    A, B, C, X = (MatrixSymbol(s, n, n) for s in "ABCX")
    x, y = symbols("x y")
    cases = [
        ("L*X*R", [A * X * B, A, 2 * A * B, mat_mul(3, A)]),
        ("L*X*A*R", [A * X * A * B * X * A]),
        ("L*A*L", [A * B * A]),
        ("d(L*M*R)", [MatDiff(A * X * B)]),
        ("A*B", [A * X * B, A, x * y * A]),
        ("c*M", [3 * A * B, x * y]),
        ("L*C + R*C + S", [A * C + B * C + X, A * C + B * C]),
        ("A + B + S", [A + B, A + B + C]),
        ("-A + -B", [-A - B, -A + B]),
        ("a .* b", [HadamardProduct(A, B, C)]),
        ("a .* S", [HadamardProduct(A, B)]),
        ("x^2", [x**2, A**2]),
        ("kron(A, B)", [sympy.KroneckerProduct(A, B, C)]),
        ("inv(X)", [A.I, A**2, sympy.Inverse(A * B)]),
        ("inv(X)*X", [A.I * A]),
        ("tr(L*X*R)", [sympy.Trace(A * B), sympy.Trace(A)]),
        ("c*x + c*y + S", [2 * x + 2 * y + x * y]),
    ]
    for text, exprs in cases:
        plan = MatchPlan(parse(text))
        for expr in exprs:
            assert _same_matches(list(plan.matches(expr)), list(match(plan.pattern, expr))), \
                (text, expr)

"""A rule's compiled result (``RulePlan``) builds what the Builder builds from its tree.

``Rule.instantiate`` builds a result with the plan; the Builder interpreting the rule's
result tree in rule mode is the reference. Every rule application made while deriving the
rules' own examples is built both ways and compared node for node, errors included; each
example's derivative is checked numerically by tests/test_rules.py.
"""

from __future__ import annotations

import pytest
import sympy
from sympy import MatrixSymbol, symbols

import matderiv
from matderiv.engine.catalog import Rule, catalog
from matderiv.engine.matcher import EMPTY
from matderiv.errors import MatDerivError
from matderiv.expressions import MatDiff, mat_mul
from matderiv.syntax.builder import Builder
from matderiv.syntax.parser import parse
from matderiv.syntax.rule_plans import RulePlan

m, n = symbols("m n", integer=True, positive=True)


def _interpreted(rule, bindings):
    """The reference: the rule's result tree built by the Builder in rule mode."""
    env = {k: v for k, v in bindings.items() if k != EMPTY and not k.startswith("fn:")}
    functions = {k[3:]: v for k, v in bindings.items() if k.startswith("fn:")}
    return Builder(env, source=rule.result, rule_mode=True,
                   functions=functions).build(rule.result_tree)


def _outcome(build, *args):
    try:
        return build(*args)
    except MatDerivError:
        return MatDerivError


def _same(one, other) -> bool:
    """Equal as SymPy trees (== compares classes and parts), and printed alike."""
    return type(one) is type(other) and one == other and sympy.srepr(one) == sympy.srepr(other)


def test_every_application_in_the_examples_builds_as_interpreted(monkeypatch):
    compiled = Rule.instantiate
    seen, differ = set(), []

    def both(rule, bindings):
        planned = _outcome(compiled, rule, bindings)
        reference = _outcome(_interpreted, rule, bindings)
        seen.add(rule.name)
        if not (planned is reference is MatDerivError or
                MatDerivError not in (planned, reference) and _same(planned, reference)):
            differ.append((rule.name, bindings, planned, reference))
        if planned is MatDerivError:
            raise MatDerivError("a rule's result does not build at these shapes")
        return planned

    monkeypatch.setattr(Rule, "instantiate", both)
    for rule in catalog():
        for example in rule.examples:
            d = matderiv.derive(example.formula, wrt=example.wrt, shapes=example.shapes,
                                **example.options)
            d.gradient() if d.is_scalar else d.jacobian(example.vec)
    assert differ == []
    assert len(seen) > 150  # (most rules were applied)


def test_a_result_that_does_not_build_raises_in_rule_mode():
    # inner(G, M) of two shapes: the rule is skipped for these bindings (Rule.apply)
    rule = catalog().rule("inner-transpose")
    G, M = MatrixSymbol("G", m, n), MatDiff(MatrixSymbol("X", m, n))
    with pytest.raises(MatDerivError):
        rule.instantiate({"G": G, "M": M})
    with pytest.raises(MatDerivError):
        _interpreted(rule, {"G": G, "M": M})


def test_a_number_too_long_is_refused_as_by_the_builder():
    X = MatrixSymbol("X", n, n)
    plan = RulePlan(parse("c*d(X)"), "c*d(X)")
    too_long = sympy.Integer(10) ** 5000
    with pytest.raises(MatDerivError):
        plan.build({"c": too_long, "X": X}, {})
    with pytest.raises(MatDerivError):
        plan.build({"c": sympy.Integer(2), "X": mat_mul(too_long, X)}, {})
    assert plan.build({"c": sympy.Integer(2), "X": X}, {}) == mat_mul(2, MatDiff(X))


@pytest.mark.parametrize("result", [
    "A*B + c*A*B - A'", "kron(A, B')*vec(A*B) - 1", "inner(A, B')*c/c", "f'(A)*d(A)",
    "sum_for(j, 0, k - 1, A^j*d(A)*A^(k - 1 - j))", "(1 - tanh(A).^2) .* d(A)",
    "I(rows(A)*cols(A))", "-c*A .^ 2 ./ A", "scalar(x'*x)*x + x*(x'*x)", "f(A)"])
def test_plan_matches_the_builder_on_hand_written_results(result):
    A, B, x = MatrixSymbol("A", n, n), MatrixSymbol("B", n, n), MatrixSymbol("x", n, 1)
    env = {"A": A, "B": B, "x": x, "c": symbols("c"), "k": sympy.Integer(3)}
    functions = {"f": "g"}
    tree = parse(result)
    planned = _outcome(RulePlan(tree, result).build, dict(env), functions)
    reference = _outcome(Builder(dict(env), source=result, rule_mode=True,
                                 functions=functions).build, tree)
    assert planned is reference is MatDerivError or _same(planned, reference)


@pytest.mark.parametrize("result", ["A + c", "A*x'", "unknown_name*A", "tr(A, B)", "d(A, B)"])
def test_plan_raises_where_the_builder_does(result):
    A, x = MatrixSymbol("A", n, n), MatrixSymbol("x", m, 1)
    env = {"A": A, "x": x, "c": symbols("c")}
    with pytest.raises(MatDerivError):
        Builder(dict(env), source=result, rule_mode=True).build(parse(result))
    with pytest.raises(MatDerivError):
        RulePlan(parse(result), result).build(dict(env), {})

"""The cheap tests that spare work must never change an answer.

``factor_guard`` refuses a product pattern where no factor has the class an operand
needs: over the rule examples, every expression a rule is tried on is matched again
without the guard, and the guard may refuse only where nothing matches. The shapes
inference is skipped when every name is declared (``_declared_names``): there it must
give what the inference gives."""

import pytest

import matderiv
from matderiv.engine import catalog as catalog_module
from matderiv.engine.catalog import catalog
from matderiv.engine.matcher import match
from matderiv.syntax import inference
from matderiv.syntax.builder import parse_formula
from matderiv.syntax.shapes import declare

EXAMPLES = [e for rule in catalog() for e in rule.examples]


@pytest.fixture()
def guarded_against_match(monkeypatch):
    """Rule.apply that checks, wherever the guard refuses, that no match exists."""
    refused = []
    original = catalog_module.Rule.apply

    def apply(rule, expr, context):
        guard = rule.part_guard
        if guard is not None and (rule.root_types is None or isinstance(expr, rule.root_types)) \
                and not guard[0](guard[1], expr.args[0] if guard[2] else expr):
            assert next(iter(match(rule.pattern_tree, expr)), None) is None, \
                (rule.name, expr)
            refused.append(rule.name)
        return original(rule, expr, context)

    monkeypatch.setattr(catalog_module.Rule, "apply", apply)
    return refused


def test_the_factor_guard_refuses_only_what_cannot_match(guarded_against_match):
    for example in EXAMPLES:
        try:
            derivation = matderiv.derive(example.formula, wrt=example.wrt,
                                         shapes=example.shapes, **example.options)
            derivation.gradient() if derivation.is_scalar else derivation.jacobian()
        except matderiv.MatDerivError:
            continue  # (an example of a Hessian rule, say: its first derivative stops)
    # the guard was asked, and refused some products and some sums
    assert {"factor-negation", "factor-right"} <= set(guarded_against_match)


def test_the_sum_guard_lets_the_rest_of_a_sum_share_an_end():
    """``L*C + R*C + S`` with S empty: R*C may take the other terms together, so C may
    be a sum that no single term ends in (A + B + L (A + B): R empty, C = A + B)."""
    from sympy import MatAdd, MatMul, MatrixSymbol
    A, B, X = (MatrixSymbol(n, 2, 2) for n in "ABX")
    for rule_name, total in (("factor-right", MatAdd(A, B, MatMul(X, MatAdd(A, B)))),
                             ("factor-left", MatAdd(A, B, MatMul(MatAdd(A, B), X)))):
        rule = catalog().rule(rule_name)
        test, needed, _ = rule.part_guard
        assert next(iter(match(rule.pattern_tree, total)), None) is not None
        assert test(needed, total)
        # and with no end shared, and no sum to share one, it refuses
        assert not test(needed, MatAdd(MatMul(A, X), MatMul(X, B)))


def test_names_without_inference_are_the_inferences():
    skipped = 0
    for example in [e for rule in catalog() for e in rule.examples]:
        declared = declare(example.shapes)
        tree = parse_formula(example.formula, "text", declared)
        names = inference._declared_names(tree, declared)
        if names is not None:
            skipped += 1
            assert inference.infer_shapes(tree, declared) == \
                inference.Inferred({}, (), names), example.formula
    assert skipped


@pytest.mark.parametrize("text, shapes", [
    ("A*y", {"A": "n,n"}),                 # y undeclared
    ("I(n)*X", {"X": "n,n"}),              # a function of sizes
    ("sum(X, k)", {"X": "n,n", "k": ()}),  # sum along an axis not written as 1 or 2
    ("sum(X, 3)", {"X": "n,n"}),
    ("f'(X)", {"X": "n,n"}),               # an abstract gradient
    ("f(X, X)", {"X": "n,n"}),             # a call of the wrong arity
    ("kron(X)", {"X": "n,n"}),
    ("unvec(x, n, n)", {"x": "n,1"}),      # a call the inference has no rule for
])
def test_the_inference_runs_where_it_may_find_something(text, shapes):
    declared = declare(shapes)
    assert inference._declared_names(parse_formula(text, "text", declared), declared) is None


@pytest.mark.parametrize("text, shapes", [
    # With every name declared, these rules make no free size: skipped, the inference
    # would find nothing (an abstract f(Y) is a scalar; a sum without an axis, or along
    # axis 1 or 2, has its argument's sizes; kron multiplies them).
    ("f(X)", {"X": "n,n"}),
    ("sum(X, 1)", {"X": "n,n"}),
    ("mean(W*x, 2)' * y", {"W": "m,n", "x": "n,1", "y": "m,1"}),
    ("logsumexp(W*x) + g(x*x')", {"W": "m,n", "x": "n,1"}),
    ("kron(A, B, A)*x", {"A": "2,n", "B": "m,m", "x": "n*m*n,1"}),
])
def test_the_inference_is_skipped_where_it_finds_nothing(text, shapes):
    declared = declare(shapes)
    tree = parse_formula(text, "text", declared)
    names = inference._declared_names(tree, declared)
    assert names is not None
    assert inference.infer_shapes(tree, declared) == inference.Inferred({}, (), names)

"""Derivation work grows with the result, not faster (issue 24).

Work is counted, not timed (the machine is shared): the pattern matches the engine tries
(every pattern node a rule's match plan matches, its parts included: each call of the
interpreted matcher's ``match``). A sum of N traces has a
gradient of N terms, so its work must grow linearly; the Jacobian of X^N has N terms
and, since the product rule writes them all at once (d-product over every factor),
its work grows linearly too: not quadratically (the nested product rule, whose every
level distributed over the terms below it), nor as N⁴ as it did before that. Every
result is also checked against finite differences.
"""

import numpy as np
import pytest
from sympy.core.cache import clear_cache

import matderiv
from matderiv.engine.catalog import Rule
from matderiv.engine.match_plans import MatchPlan
from matderiv.numeric.differences import assert_close, numeric_jacobian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values


def _sum_of_traces(count):
    shapes = {"X": ("n", "n"), **{f"A{i}": ("n", "n") for i in range(count)}}
    return " + ".join(f"tr(A{i}*X)" for i in range(count)), shapes


def _chain(count):
    return "*".join(["X"] * count), {"X": ("n", "n")}


def _work(monkeypatch, formula, shapes):
    """(matches tried, the derivation) for the gradient or Jacobian of ``formula``."""
    calls, plans = [0], {}

    def counted_plan(rule):  # (each rule's plan, compiled to count what it matches)
        if rule.name not in plans:
            plans[rule.name] = MatchPlan(rule.pattern_tree, rule.conditions, counter=calls)
        return plans[rule.name]

    clear_cache()
    with monkeypatch.context() as patch:
        patch.setattr(Rule, "match_plan", property(counted_plan))
        d = matderiv.derive(formula, wrt="X", shapes=shapes)
        d.gradient() if d.is_scalar else d.jacobian()
    return calls[0], d


def _checked(d, seed=2):
    values = random_values(d.expr, d.variable, np.random.default_rng(seed), {"n": 3})
    result = d.gradient() if d.is_scalar else d.jacobian()
    expected = numeric_jacobian(d.expr, d.variable, values)
    got = evaluate(result, values)
    if d.is_scalar:
        got = np.asarray(got).reshape(-1, order="F").reshape(1, -1)
    assert_close(got, expected, what=f"result of {d.formula}")


def test_sum_of_traces_work_is_linear(monkeypatch):
    small, d_small = _work(monkeypatch, *_sum_of_traces(16))
    large, d_large = _work(monkeypatch, *_sum_of_traces(64))
    assert large / small <= 4 * 1.5, (small, large)  # 4 times the terms
    _checked(d_small)
    _checked(d_large)


@pytest.mark.parametrize("small, large, bound", [(8, 16, 4 * 1.5), (16, 32, 2 * 1.25),
                                                 (32, 64, 2 * 1.25)])
def test_chain_work(monkeypatch, small, large, bound):
    """Twice the factors: at most twice the work (and a margin) from 16 factors on; the
    product rule writes a chain's terms at once. At 8 the fixed work still weighs, and
    four times is allowed."""
    few, d_few = _work(monkeypatch, *_chain(small))
    many, d_many = _work(monkeypatch, *_chain(large))
    assert many / few <= bound, (few, many)
    if small <= 16:
        _checked(d_few)
        _checked(d_many)

"""Time and size budgets: a derivation that would run away stops with a clear error."""

import time

import pytest
import sympy

import matderiv
from matderiv import MatDerivError
from matderiv.engine import rewrite

SH = {"X": ("n", "n"), "Y": ("n", "n")}
# The product rule on k factors builds k terms of k factors: quadratic growth.
LONG_PRODUCT = "*".join(["X", "Y"] * 30)


def test_size_budget_stops_a_growing_expression():
    started = time.monotonic()
    with pytest.raises(MatDerivError, match="beyond 300 nodes .*size budget"):
        matderiv.derive(LONG_PRODUCT, wrt="X", shapes=SH, max_nodes=300)
    assert time.monotonic() - started < 10


def test_time_budget_stops_a_long_derivation():
    # 120 factors took 1.3 s or more without a time budget (LONG_PRODUCT, 60 factors,
    # took 0.26 s cold and 0.18 s with memos warmed by earlier tests, and so finished
    # inside a 0.2 s budget). Since the product rule writes all its terms at once, the
    # differential of 120 factors takes about 0.1 s, and their Jacobian more than 1 s:
    # the budget holds for each result too, so one of the two stops. The size budget is
    # lifted: only time may stop it.
    started = time.monotonic()
    with pytest.raises(MatDerivError, match="after 0.1 s .*time budget"):
        matderiv.derive("*".join(["X", "Y"] * 60), wrt="X", shapes=SH, seconds=0.1,
                        max_nodes=10**7).jacobian()
    assert time.monotonic() - started < 5


def test_budgets_apply_to_each_result_too():
    d = matderiv.derive("tr(X*Y*X*Y*X)", wrt="X", shapes=SH, max_nodes=10_000)
    d.budget["max_nodes"] = 20  # the Jacobian's own phases are held to it as well
    with pytest.raises(MatDerivError, match="size budget"):
        d.jacobian()


def test_module_settings_are_the_defaults(monkeypatch):
    monkeypatch.setattr(rewrite, "MAX_NODES", 300)
    with pytest.raises(MatDerivError, match="size budget"):
        matderiv.derive(LONG_PRODUCT, wrt="X", shapes=SH)
    monkeypatch.setattr(rewrite, "MAX_NODES", 5_000)
    # (d-product writes LONG_PRODUCT's 30 terms of 60 factors in one step, beyond 5,000
    # nodes: a shorter chain, whose d-product and d-transpose are 2 steps)
    monkeypatch.setattr(rewrite, "MAX_STEPS", 1)
    with pytest.raises(MatDerivError, match="step budget"):
        matderiv.derive("*".join(["X'", "Y"] * 10), wrt="X", shapes=SH)


def test_small_formulas_are_well_inside_the_budgets():
    d = matderiv.derive("tr(X'*Y*X) + logdet(X)", wrt="X", shapes=SH, seconds=30,
                        max_nodes=2_000)
    d.check(hessian=True)


@pytest.mark.parametrize("options", [{"seconds": 0}, {"seconds": -1}, {"max_nodes": "many"},
                                     {"max_nodes": True}])
def test_bad_budgets_are_refused(options):
    with pytest.raises(MatDerivError, match="must be a positive number"):
        matderiv.derive("X", wrt="X", shapes=SH, **options)


def test_elementwise_proof_has_a_hard_deadline_inside_sympy():
    """det(A0 + A1') once kept SymPy busy for four minutes in one call (a symbolic 3 x 3
    inverse, now avoided); the deadline stops any such call. Here one call inside the
    proof's numeric check (evaluating a matrix the entry formula reads) is made to run on
    as such calls did."""
    import time
    from unittest import mock

    import matderiv.proofs.elementwise
    import matderiv.proofs.entry_values

    def runs_on(expr, values, functions=None):  # a single call that does not return
        while True:
            sympy.expand((sympy.Symbol("a") + 1) ** 30)

    d = matderiv.derive("det(A0 + A1')", wrt="A0", shapes={"A0": "m,m", "A1": "m,m"})
    started = time.monotonic()
    with mock.patch.object(matderiv.proofs.elementwise, "HARD_LIMIT", 2.0), \
            mock.patch.object(matderiv.proofs.entry_values, "evaluate", runs_on), \
            pytest.raises(matderiv.MatDerivError, match="no element-wise proof: it took more"):
        d.proof("elementwise")
    assert time.monotonic() - started < 10

"""Never wrong, never crashes: random formulas are verified or refused, never miscomputed.

Every formula the strategy draws (tests/strategies.py) must either give results that
agree with central finite differences (tests/oracle.py: gradient, Jacobian in both vec
conventions and both layouts, Hessian, tensor), or end in one MatDerivError saying
what is not supported. A wrong number or any other exception fails the test, which
prints the formula as a command line. Examples are fixed (derandomized) so CI is
repeatable; ``python scripts/fuzz.py`` runs thousands more on demand.
"""

import random
from unittest import mock

from hypothesis import HealthCheck, given, settings
from oracle import Outcome, classify_error, judge
from strategies import Problem, problems, random_problem

import matderiv
import matderiv.proofs.elementwise
from matderiv import MatDerivError

_CI = settings(derandomize=True, deadline=None, database=None, print_blob=False,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much])


def _explain(problem, outcome: Outcome) -> str:
    return f"{outcome.kind}: matderiv derive {problem}\n{outcome.detail}"


@settings(_CI, max_examples=200)
@given(problems())
def test_every_result_agrees_with_finite_differences_or_is_refused(problem):
    outcome = judge(problem, points=2)
    assert outcome.kind in ("verified", "unsupported"), _explain(problem, outcome)


@settings(_CI, max_examples=30)
@given(problems(max_depth=2))
def test_elementwise_proof_is_checked_or_refused(problem):
    """The element-wise proof checks its entry formula against the closed form itself."""
    # A short time budget: a refused proof is an acceptable outcome, a slow suite is not.
    with mock.patch.object(matderiv.proofs.elementwise, "TIME_BUDGET", 3.0), \
            mock.patch.object(matderiv.proofs.elementwise, "HARD_LIMIT", 10.0):
        try:
            derivation = matderiv.derive(problem.formula, wrt=problem.wrt,
                                         shapes=problem.shapes)
            derivation.proof("elementwise")
        except Exception as error:  # noqa: BLE001 - sorted by classify_error
            outcome = classify_error(error)
            assert outcome.kind == "unsupported", _explain(problem, outcome)


def test_the_strategy_covers_the_grammar_and_is_mostly_well_typed():
    drawn = [random_problem(random.Random(seed)) for seed in range(300)]
    text = " ".join(p.formula for p in drawn)
    for construct in ("tr(", "det(", "logdet(", "inv(", "^-1", "kron(", ".*", "exp(", "log(",
                      "tanh(", "sigmoid(", ".^2", "'", "norm(", "dot(", "sum(", "I(", "^2",
                      " + ", " - ", "*"):
        assert construct in text, construct
    built = 0
    for problem in drawn:
        try:
            matderiv.derive(problem.formula, wrt=problem.wrt, shapes=problem.shapes)
            built += 1
        except MatDerivError as error:
            assert "unknown name" not in str(error), problem  # the strategy declares all
    assert built >= 0.9 * len(drawn)
    assert sum(p.wrt == "X" for p in drawn) >= len(drawn) // 4
    assert any(p.shapes[p.wrt][1:] == (1,) for p in drawn)  # vectors as well as matrices
    assert any(p.shapes[p.wrt] == () for p in drawn)  # and scalars: derivatives by k


def test_the_oracle_catches_a_wrong_result():
    """The property has teeth: a corrupted Jacobian is called wrong, not verified."""
    problem = Problem("W*a", "W", {"W": ("m", "n"), "a": ("n", 1)})
    real = matderiv.Derivation.jacobian

    def corrupted(self, vec="col", layout=None):
        return 2 * real(self, vec=vec, layout=layout)
    with mock.patch.object(matderiv.Derivation, "jacobian", corrupted):
        assert judge(problem).kind == "wrong"
    assert judge(problem).kind == "verified"

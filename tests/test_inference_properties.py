"""The inference against the random problems of tests/strategies.py, which declare every
shape. Derived without the shapes, each problem must end in one of (tests/oracle.py's
``shapes_outcome``):

- "inferred": shapes of which the declared ones are an instance (a renaming of the
  sizes, a scalar being 1 x 1): the inferred reading is the declared one, or more
  general;
- "open": one MatDerivError naming the names whose shapes the formula leaves open and
  asking for -s;
- "scalar reading": the declared reading reads a 1 x 1 *matrix* as a scalar (A0*A1*A2
  with A0 1 x n and A1 n x 1 scaling A2), which nothing in the text shows; the
  inference takes the formula's matrix reading instead, itself well typed;

never "inconsistent". And every derivation with inferred shapes is judged as
tests/oracle.py judges (every result against central finite differences, the formula
against its text read independently): verified, or refused with one clear error, never
wrong, never a crash. ``python scripts/fuzz.py --infer`` runs thousands.
"""

from __future__ import annotations

import collections
import random

import sympy
from oracle import is_instance, judge, shapes_outcome
from strategies import Problem, random_problem

import matderiv

PROBLEMS = 150


def test_the_substitution_test_has_teeth():
    n, m, p, q = (sympy.Symbol(s, integer=True, positive=True) for s in "nmpq")
    one = sympy.Integer(1)
    assert is_instance({"A": (n, m), "x": (m, one)}, {"A": (p, n), "x": (n, one)})
    assert is_instance({"A": (n, m * p), "X": (m, p), "k": (q, one)},
                       {"A": (n, q), "X": (q, one), "k": ()})
    assert not is_instance({"A": (n, m * p), "X": (m, p)}, {"A": (n, q), "X": (q, q)})
    assert not is_instance({"A": (n, n)}, {"A": (m, p)})
    assert not is_instance({"A": (n, one)}, {"A": (n, m)})
    assert not is_instance({"A": (n, m), "B": (m, p)}, {"A": (n, m), "B": (p, p)})


def test_the_outcomes_are_told_apart():
    assert shapes_outcome(Problem("W*a", "W", {"W": ("m", "n"), "a": ("n", 1)}))[0] == \
        "inferred"
    assert shapes_outcome(Problem("A0*A1*A2", "A2", {"A0": (1, "n"), "A1": ("n", 1),
                                                     "A2": ("m", "p")}))[0] == "scalar reading"
    assert shapes_outcome(Problem("kron(A, B)*vec(X)", "X", {
        "A": ("p", "m"), "B": ("q", "n"), "X": ("m", "n")}))[0] == "open"
    assert shapes_outcome(Problem("W*b", "W", {"W": ("m", "n"), "b": ("m", 1)}))[0] == \
        "not well typed as declared"
    # (and a formula its own declarations do not type is left out, as is one refused
    # with its shapes as without)
    assert shapes_outcome(Problem("A*B", "A", {"A": ("m", "n"), "B": ("p", "q")}))[0] == \
        "not well typed as declared"


def test_a_formula_refused_with_and_without_shapes_is_told_apart(monkeypatch):
    # (log(1)*sum(X) was one until a zero derivative was answered: the classifier is
    # tested with a derive that refuses every formula it is given)
    import oracle

    def refuse(*args, **kwargs):
        raise matderiv.MatDerivError("no rule brings the term to the form J vec(dX)")
    monkeypatch.setattr(oracle.matderiv, "derive", refuse)
    monkeypatch.setattr(oracle, "declared_reading", lambda problem: ({}, False))
    assert shapes_outcome(Problem("tr(X)", "X", {"X": ("n", "n")}))[0] == \
        "refused either way"


def test_a_point_where_the_formula_is_not_defined_is_not_checked():
    """(X X')^-1 for a wide X is singular: the oracle skips such points, as check() does,
    and checks it where X is tall (found by scripts/fuzz.py --infer, seed 0-3383)."""
    problem = Problem("(X*X')^-1", "X", {})
    assert matderiv.derive(problem.formula, "X").shapes["X"] != () and \
        judge(problem, seed=3383).kind == "verified"
    assert judge(Problem(problem.formula, "X", {"X": ("n", "m")}), seed=3383).kind == \
        "verified"


def test_random_problems_infer_their_declared_shapes_or_ask():
    outcomes = collections.Counter()
    for seed in range(PROBLEMS):
        problem = random_problem(random.Random(seed))
        kind, detail = shapes_outcome(problem)
        assert kind != "inconsistent", f"matderiv derive {problem}: {detail}"
        outcomes[kind] += 1
        if kind in ("inferred", "scalar reading"):
            outcome = judge(Problem(problem.formula, problem.wrt, {}), points=1)
            assert outcome.kind in ("verified", "unsupported"), (
                f"{outcome.kind}: matderiv derive {problem.formula!r} --wrt {problem.wrt}\n"
                f"{outcome.detail}")
            outcomes["checked: " + outcome.kind] += 1
    print(dict(outcomes))  # (seeds 0-149: 141 inferred, 5 scalar reading, 2 open, 2 not
    # well typed as declared; of the 146 derived, 138 verified and 8 refused)
    typed = PROBLEMS - outcomes["not well typed as declared"]
    assert outcomes["inferred"] >= 0.85 * typed, outcomes
    assert outcomes["checked: verified"] >= 0.85 * typed, outcomes

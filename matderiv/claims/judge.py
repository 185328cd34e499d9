"""Check a claimed derivative: confirm it, or refute it with a counterexample.

A claim is a closed form written in the formula grammar (``kron(a', I(m))``,
``f'(W*X)*X'``). It is compared with matderiv's own result in the convention asked
(gradient, Jacobian with vec or vecr and a layout, Hessian) and, when it differs, with
the result in every other convention. Numbers decide: the claim and the result are
evaluated at random well-conditioned points for several concrete size sets, smallest
sizes first, so a wrong claim is refuted by its smallest counterexample; a symbolic
match after canonical simplification only adds a sentence to the explanation.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> check_claim(d, "kron(a', I(m))").verdict
'correct'
>>> check_claim(d, "kron(I(m), a')").flag
'--jacobian --vec row'
"""

from __future__ import annotations

import sympy

from ..errors import MatDerivError, guarded
from ..expressions import is_matrix
from ..expressions.tidy import canonical
from ..numeric.sample import Sampler
from ..render import to_text
from ..render.shapes import shape_text as name_shape_text
from ..syntax.grammar import zero_like
from . import explain
from .claim_text import IllFormed, build_claim
from .diagnose import counterexample, diagnose
from .readings import (
    Verdict,
    asked_reading,
    other_readings,
    result_of,
    same_shape,
    shape_of,
    shape_text,
)

# -- the check ------------------------------------------------------------------


@guarded
def check_claim(derivation, claim, kind: str | None = None, vec: str = "col",
                layout: str | None = None, *, seed: int = 0, syntax: str = "text",
                wrt2=None) -> Verdict:
    """Judge ``claim`` (text in the formula grammar, or in LaTeX with ``syntax="latex"``,
    or a SymPy expression).

    ``kind`` is "gradient", "jacobian" or "hessian"; None takes the gradient for a scalar
    formula and the Jacobian otherwise, or the other of the two when only its shape fits.
    ``wrt2`` (with kind "hessian"): the claim is the mixed Hessian by X and wrt2.
    """
    asked = asked_reading(derivation, kind, vec, layout, wrt2)
    text = claim if isinstance(claim, str) else to_text(claim)
    base = {"claim": text, "formula": derivation.formula, "wrt": str(derivation.variable),
            "by_scalar": not is_matrix(derivation.variable),
            "inferred": tuple((name, name_shape_text(shape)) for name, shape
                              in getattr(derivation, "inferred_shapes", {}).items())}
    try:
        claim_expr = build_claim(derivation, claim, syntax)
    except IllFormed as reason:
        return Verdict("ill-formed", f"The claim is ill-formed: {reason}.", claim_expr=None,
                       result=result_of(derivation, asked), reading=asked, reason=str(reason),
                       **base)
    truth = result_of(derivation, asked)  # the convention asked must exist: else bad input
    if not is_matrix(claim_expr) and claim_expr == 0:
        claim_expr = zero_like(truth)  # "0" claims the zero of whatever shape the result has
    claim_shape = shape_of(claim_expr)

    def fits(reading) -> bool:
        # Another convention that matderiv cannot derive here is simply not a candidate.
        try:
            return same_shape(claim_shape, shape_of(result_of(derivation, reading)))
        except MatDerivError:
            return False

    others = other_readings(derivation, asked)
    if kind is None and not fits(asked):
        # The kind was not given: a claim shaped like the Jacobian is read as one.
        same_flags = [r for r in others if r.vec == vec and r.layout == asked.layout]
        asked = next((r for r in same_flags if fits(r)), asked)
        others = other_readings(derivation, asked)
    sampler = Sampler(derivation, claim_expr, seed=seed)
    return _judge(derivation, sampler, claim_expr, asked, others, fits, base)


def _judge(derivation, sampler, claim_expr, asked, others, fits, base) -> Verdict:
    result = result_of(derivation, asked)
    variable = derivation.variable
    if fits(asked):
        sampler.evaluate_result(asked, result)
        if sampler.first_difference(asked) is None:
            _need_enough(sampler, asked)
            symbolic = symbolically_equal(claim_expr, result)
            return Verdict("correct", explain.correct(asked, result, sampler, symbolic, variable),
                           claim_expr=claim_expr, result=result, reading=asked,
                           evidence=sampler.evidence(asked), symbolic_match=symbolic, **base)
    fitting = [r for r in others if fits(r)]
    for reading in fitting:
        other = result_of(derivation, reading)
        sampler.evaluate_result(reading, other)
        if sampler.first_difference(reading) is None and sampler.enough(reading):
            return Verdict("correct in another convention",
                           explain.another(asked, reading, result, other, sampler,
                                          variable, claim_expr),
                           claim_expr=claim_expr, result=result, reading=asked,
                           flag=reading.flags, evidence=sampler.evidence(reading), **base)
    if fits(asked) or fitting:
        judged = asked if fits(asked) else fitting[0]
        truth = result if judged == asked else result_of(derivation, judged)
        sample = sampler.first_difference(judged)
        if sample is None:  # it agrees, but at too few points to say so
            _need_enough(sampler, judged)
        example = counterexample(sample, judged)
        diagnoses = diagnose(derivation, sampler, claim_expr, judged, truth)
        return Verdict("wrong", explain.wrong(asked, judged, truth, example, diagnoses,
                                              variable),
                       claim_expr=claim_expr, result=truth, reading=judged,
                       counterexample=example, diagnoses=tuple(diagnoses),
                       evidence=sampler.evidence(judged), **base)
    sampler.evaluate_result(asked, result)
    diagnoses = diagnose(derivation, sampler, claim_expr, asked, result, shapes_differ=True)
    return Verdict("ill-formed", explain.ill_formed(asked, result, claim_expr, diagnoses,
                                                    variable),
                   claim_expr=claim_expr, result=result, reading=asked,
                   diagnoses=tuple(diagnoses), reason=(
                       f"the claim is {shape_text(shape_of(claim_expr))}, the derivative "
                       f"{shape_text(shape_of(result))}"), **base)


def _need_enough(sampler, reading):
    if not sampler.enough(reading):
        raise MatDerivError("could not find enough points where both the claim and matderiv's "
                            f"result can be evaluated ({sampler.evidence(reading)}); "
                            "no verdict")


def symbolically_equal(claim_expr, result) -> bool:
    """Equal after SymPy's canonical forms (a shortcut for the explanation only)."""
    try:
        return bool(canonical(claim_expr) == canonical(result)
                    or sympy.expand(claim_expr).doit() == sympy.expand(result).doit())
    except (TypeError, ValueError, AttributeError, NotImplementedError):
        return False


"""Why a claim is wrong: the claim compared with transformations of the true result.

Each diagnosis is a numeric comparison, at the checker's random points, of the claim
with something built from matderiv's result: its transpose, a multiple of it, the result
with one additive term dropped, with a transpose removed or added on one factor, with
the factors of a Kronecker product swapped, or the result at points where the square
matrices are symmetric. Nothing here knows a particular formula.

>>> from fractions import Fraction
>>> factor_words(Fraction(1, 2))
'the claim is 1/2 times the true result: a factor 2 is missing'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy
from sympy import (
    Basic,
    Inverse,
    KroneckerProduct,
    MatAdd,
    MatrixSymbol,
    Transpose,
)

from ..expressions.tidy import canonical
from ..numeric.sample import agree
from ..render import to_text
from .readings import Counterexample, same_shape, shape_of, well_shaped

#: Most alternative forms of the result tried per claim: keeps a check fast.
MAX_VARIANTS = 40


@dataclass(frozen=True)
class Diagnosis:
    """What the claim is, in words, and (for a transformation of the result) its form.

    ``words`` is plain text that also reads in LaTeX; ``form`` is the transformed
    result the claim equals, ``truth`` the true result it was made from.
    """

    words: str
    form: Basic | None = None
    truth: Basic | None = None

    @property
    def text(self) -> str:
        if self.form is None:
            return self.words
        return (f"{self.words}: the claim equals {to_text(self.form)}, the true result is "
                f"{to_text(self.truth)}")

    def __str__(self) -> str:
        return self.text


def counterexample(sample, reading) -> Counterexample:
    """The sizes and values of a point where claim and result differ, and one entry."""
    truth = sample.results[reading]
    claim = sample.claim
    if claim is None:
        entry, claim_value = (0, 0), float("nan")
    else:
        gap = np.abs(claim - truth)
        entry = np.unravel_index(int(np.argmax(gap)), gap.shape)
        claim_value = float(claim[entry])
    values = {k: v for k, v in sample.values.items() if not isinstance(v, int)}
    return Counterexample(dict(sample.sizes), values, (int(entry[0]) + 1, int(entry[1]) + 1),
                          claim_value, float(truth[entry]))


def _points(sampler, reading, per_set: int = 2) -> list:
    """A few points of each size set where both the claim and the result have values."""
    chosen, counts = [], {}
    for sample in sampler.usable(reading):
        key = tuple(sample.sizes.items())
        if sample.claim is not None and counts.get(key, 0) < per_set:
            counts[key] = counts.get(key, 0) + 1
            chosen.append(sample)
    return chosen


def diagnose(derivation, sampler, claim_expr, reading, truth, *,
             shapes_differ: bool = False) -> list[Diagnosis]:
    """Every transformation of the true result that the claim equals, in words."""
    points = _points(sampler, reading)
    if not points:
        return []
    claims = [p.claim for p in points]
    truths = [p.results[reading] for p in points]
    found = []
    if all(agree(c, t.T) for c, t in zip(claims, truths, strict=True)):
        found.append(Diagnosis(_transpose_words(reading, derivation.variable)))
    if shapes_differ:
        return found
    factor = _common_factor(claims, truths)
    if factor is not None:
        found.append(Diagnosis(factor_words(factor)))
    for words, variant in variants(truth):
        if not same_shape(shape_of(variant), shape_of(claim_expr)):
            continue
        if all(agree(p.claim, _value(sampler, variant, p.values)) for p in points):
            found.append(Diagnosis(words, variant, canonical(truth)))
    symmetric = _symmetric_only(derivation, sampler, claim_expr, truth, points)
    if symmetric:
        found.append(Diagnosis(symmetric))
    return found


def _value(sampler, variant, values):
    """A variant's value, or None: a diagnosis is a bonus and never stops a verdict."""
    try:
        return sampler.value(variant, values)
    except (ValueError, TypeError, np.linalg.LinAlgError):
        return None


def _transpose_words(reading, variable) -> str:
    if reading.kind == "gradient":
        return (f"the claim is the transpose of the gradient: it puts the derivative by "
                f"{variable}_ij at (j, i), as the numerator-layout convention (Minka's) does, "
                f"while the gradient as a matrix has the shape of {variable}")
    return "the claim is the transpose of the true result"


def _common_factor(claims, truths):
    """c when the claim is c times the result at every point (c != 1), else None."""
    factors = []
    for claim, truth in zip(claims, truths, strict=True):
        norm = float(np.sum(truth * truth))
        if norm < 1e-12:
            return None
        factors.append(float(np.sum(claim * truth)) / norm)
    c = factors[0]
    if not all(abs(f - c) <= 1e-7 * (1 + abs(c)) for f in factors):
        return None
    if not all(agree(claim, c * truth) for claim, truth in zip(claims, truths, strict=True)):
        return None
    if abs(c - 1) < 1e-9:
        return None
    nice = Fraction(c).limit_denominator(24)
    return nice if abs(float(nice) - c) < 1e-9 * (1 + abs(c)) else c


def factor_words(c) -> str:
    """'the claim is 1/2 times the true result: a factor 2 is missing', and the like."""
    if c == 0:
        return "the claim is zero where the true result is not"
    if c == -1:
        return "the sign is wrong: the claim is minus the true result"
    if isinstance(c, Fraction):
        text = str(c)
        if c.numerator == 1 and c.denominator > 1:
            return f"the claim is {text} times the true result: a factor {c.denominator} is missing"
        if c.denominator == 1:
            return f"the claim is {text} times the true result: a factor {text} too many"
        return f"the claim is {text} times the true result"
    return f"the claim is {c:.6g} times the true result"


def _square_symbols(derivation):
    return sorted((s for s in derivation.expr.atoms(MatrixSymbol)
                   if s != derivation.variable and s.shape[0] == s.shape[1]
                   and s.shape[0] != 1), key=str)


def _symmetric_only(derivation, sampler, claim_expr, truth, points):
    """Words when the claim holds once the formula's square matrices are symmetric."""
    squares = _square_symbols(derivation)
    if not squares:
        return None
    for point in points:
        values = dict(point.values)
        for symbol in squares:
            array = np.asarray(values[symbol.name], dtype=float)
            values[symbol.name] = (array + array.T) / 2
        if not agree(sampler.value(claim_expr, values), sampler.value(truth, values)):
            return None
    names = ", ".join(s.name for s in squares)
    return (f"the claim holds only when {names} {'is' if len(squares) == 1 else 'are'} "
            "symmetric; the true result holds for every value")


def variants(truth):
    """(words, expression): the result with one term dropped, one transpose removed or
    added, or one Kronecker product's factors swapped."""
    found, seen = [], {str(canonical(truth))}

    def add(words, make):
        try:
            variant = make()
            if not well_shaped(variant):  # xreplace does not check shapes
                return
            variant = canonical(variant)
        except (TypeError, ValueError, AttributeError, sympy.ShapeError):
            return
        if str(variant) not in seen and len(found) < MAX_VARIANTS:
            seen.add(str(variant))
            found.append((words, variant))

    expanded = sympy.expand(truth)
    terms = expanded.args if isinstance(expanded, MatAdd | sympy.Add) else ()
    for term in terms:
        rest = [t for t in terms if t is not term]
        add(f"a term of the product rule is missing ({to_text(term)})",
            lambda rest=rest, expanded=expanded: expanded.func(*rest).doit())
    nodes = list(sympy.preorder_traversal(truth))
    # Removals first: where adding and removing a transpose give the same claim,
    # "missing" is the mistake people make (inv(X) for inv(X)').
    for node in nodes:
        if isinstance(node, Transpose):
            add("a transpose is missing", lambda node=node: truth.xreplace({node: node.arg}))
    for node in nodes:
        if isinstance(node, KroneckerProduct):
            add("the factors of the Kronecker product are in the wrong order",
                lambda node=node: truth.xreplace({node: KroneckerProduct(*reversed(node.args))}))
    for node in nodes:
        if isinstance(node, MatrixSymbol | Inverse) and node.shape[0] == node.shape[1] \
                and node.shape[0] != 1:
            add("a transpose too many", lambda node=node: truth.xreplace({node: Transpose(node)}))
    return found

"""Random well-conditioned points, smallest sizes first, for comparing closed forms.

A claim and matderiv's results are evaluated at the same points: a few points for each
of several concrete size sets (all sizes 1, all 2, distinct sizes, ...), so that the
first point where two forms differ is a smallest counterexample. Every result is
checked against central finite differences once per size set before it is trusted.

>>> from sympy import symbols
>>> [sorted(s.values()) for s in size_sets(symbols("m n"))]
[[1, 1], [2, 2], [2, 3], [3, 4], [3, 3]]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import MatDerivError
from .differences import assert_close, numeric_gradient, numeric_jacobian
from .evaluate import evaluate, evaluate_with_scale
from .points import matrix_symbols, random_values, stand_in_functions, value_or_none

#: Random points per size set: the first ones have entries rounded to one decimal, so a
#: counterexample is readable; the others are full-precision random values.
READABLE_POINTS = 2
POINTS = 4

#: Draws for one point where the formula may be undefined (a singular X'X).
DRAWS = 4


@dataclass
class Sample:
    """One random point: concrete sizes and values; claim and results evaluated there."""

    sizes: dict
    values: dict
    readable: bool
    claim: np.ndarray | None = None
    results: dict = field(default_factory=dict)
    scales: dict = field(default_factory=dict)  # reading -> largest part on its way


def size_sets(dims, more: bool = False) -> list[dict]:
    """Concrete sizes, smallest first: all 1, all 2, then distinct sizes, then all 3.

    ``more``: a further few with the distinct sizes in other orders (for a formula
    defined only where, say, m > n: X'X of an m x n X is singular when m < n).
    """
    k = len(dims)
    candidates = [[1] * k, [2] * k, [2 + i % 4 for i in range(k)],
                  [2 + (i + 1) % 4 for i in range(k)], [3] * k, [4] * k]
    if more:
        candidates = [[2 + (k - 1 - i) % 4 for i in range(k)],
                      [2 + (k - i) % 4 for i in range(k)], [3 + (k - 1 - i) % 3 for i in range(k)],
                      [5 - i % 3 for i in range(k)]]
    sets, seen = [], set()
    for sizes in candidates:
        if tuple(sizes) not in seen:
            seen.add(tuple(sizes))
            sets.append({d.name: s for d, s in zip(dims, sizes, strict=True)})
    return sets if more else sets[:5]


def _readable(values) -> dict:
    """Entries rounded to one decimal (never exactly 0), so a counterexample reads well."""
    rounded = {}
    for name, value in values.items():
        if isinstance(value, np.ndarray):
            r = np.round(value, 1)
            rounded[name] = np.where(r == 0, 0.1, r)
        elif isinstance(value, float):
            rounded[name] = round(value, 1) or 0.1
        else:
            rounded[name] = value
    return rounded


def _as_array(value) -> np.ndarray:
    return np.atleast_2d(np.asarray(value, dtype=float))


def agree(a, b, rounding: float = 0.0) -> bool:
    """Equal within rounding: both are closed forms, no finite differences involved.
    ``rounding``: the largest part on the way to ``b`` (its terms may cancel)."""
    if a is None or b is None or a.shape != b.shape:
        return False
    scale = 1.0 + max(float(np.max(np.abs(b), initial=0.0)), rounding)
    return bool(np.all(np.isfinite(a)) and np.allclose(a, b, rtol=1e-7, atol=1e-9 * scale))


class Sampler:
    """Random well-conditioned points, smallest sizes first, and evaluation there."""

    def __init__(self, derivation, claim_expr, seed: int = 0):
        self.derivation = derivation
        self.claim_expr = claim_expr
        self.functions = stand_in_functions(derivation.abstract_functions)
        expr, variable = derivation.expr, derivation.variable
        symbols = matrix_symbols(expr, variable)
        dims = sorted({d for s in symbols for d in s.shape if d.is_Symbol}, key=str)
        rng = np.random.default_rng(seed)
        self.samples: list[Sample] = []
        self.size_sets = size_sets(dims)
        self._draw(self.size_sets, rng, POINTS if dims else 2 * POINTS)
        defined = {tuple(s.sizes.items()) for s in self.samples}
        undefined = [s for s in self.size_sets if tuple(s.items()) not in defined]
        if len(defined) < min(3, len(self.size_sets)) or any(
                len(set(s.values())) > 1 for s in undefined):
            # Not defined at some sizes that differ (logdet(X'X) needs m >= n): the
            # distinct sizes in other orders too, so that a claim true only where m = n
            # (2 inv(X X') X) is not confirmed on square sizes alone.
            extra = [s for s in size_sets(dims, more=True) if s not in self.size_sets]
            self.size_sets += extra
            self._draw(extra, rng, POINTS)
        self._evaluate_claim()
        self._checked: set = set()

    def _draw(self, sets, rng, points):
        """``points`` points for each size set where the formula is defined and every
        inverted matrix well conditioned (a few draws each; none where it never is)."""
        expr, variable = self.derivation.expr, self.derivation.variable
        for sizes in sets:
            for index in range(points):
                for _ in range(DRAWS):
                    values = random_values(expr, variable, rng, sizes=sizes)
                    readable = index < READABLE_POINTS
                    if readable:
                        values = _readable(values)
                    if self._defined(values):
                        self.samples.append(Sample(sizes, values, readable))
                        break

    def _defined(self, values) -> bool:
        expr = self.derivation.expr
        try:
            value = value_or_none(expr, values, self.functions)
        except MatDerivError:
            return False
        return value is not None and bool(np.all(np.isfinite(value)))

    def value(self, expr, values):
        """expr at values as a 2-D array, or None where it cannot be evaluated."""
        try:
            with np.errstate(all="ignore"):
                result = _as_array(evaluate(expr, values, functions=self.functions))
        except MatDerivError:
            return None
        return result if np.all(np.isfinite(result)) else None

    def _evaluate_claim(self):
        for sample in self.samples:
            sample.claim = self.value(self.claim_expr, sample.values)

    def evaluate_result(self, reading, result):
        """Evaluate a result at every point; check it against finite differences once per
        size set, so no verdict rests on an unchecked result."""
        first_of_set = set()
        for sample in self.samples:
            if reading in sample.results:
                continue
            sample.results[reading] = self.value(result, sample.values)
            if sample.results[reading] is not None:
                sample.scales[reading] = evaluate_with_scale(
                    [result], sample.values, functions=self.functions)[1]
            key = tuple(sample.sizes.items())
            if key not in first_of_set and sample.results[reading] is not None:
                first_of_set.add(key)
                self._check_against_differences(reading, sample)

    def _check_against_differences(self, reading, sample):
        d, values, functions = self.derivation, sample.values, self.functions
        if reading.kind == "gradient":
            expected = numeric_gradient(d.expr, d.variable, values, functions=functions)
        elif reading.kind == "jacobian":
            expected = numeric_jacobian(d.expr, d.variable, values, functions=functions,
                                        vec=reading.vec)
        else:
            # Differences of the closed-form gradient, itself checked against F first.
            gradient = evaluate(d.gradient(), values, functions=functions)
            assert_close(gradient, numeric_gradient(d.expr, d.variable, values,
                                                    functions=functions),
                         rtol=1e-5, atol=1e-6 + 1e-8 * self._scale(d.expr, values),
                         what="internal error: matderiv's own gradient")
            by = d.second_variable(reading.wrt2)  # X again, or the second variable
            expected = numeric_jacobian(d.gradient(), by, values, functions=functions,
                                        vec=reading.vec)
        if reading.layout == "denominator" and reading.kind != "gradient":
            expected = expected.T
        scale = self._scale(d.gradient() if reading.kind == "hessian" else d.expr, values)
        assert_close(sample.results[reading], expected, rtol=1e-5, atol=1e-6 + 1e-8 * scale,
                     what=f"internal error: matderiv's own {reading.kind}")

    def _scale(self, expr, values) -> float:
        """Largest entry of expr, or of any part on its way: finite differences lose about
        eps times it to rounding (det(X^3) - det(X)^3 cancels to noise of det(X^3)'s
        size)."""
        value = _as_array(evaluate(expr, values, functions=self.functions))
        inner = evaluate_with_scale([expr], values, functions=self.functions)[1]
        return max(float(np.max(np.abs(value))), inner)

    def usable(self, reading) -> list[Sample]:
        """Points where the true result in this reading can be evaluated."""
        return [s for s in self.samples if s.results.get(reading) is not None]

    def first_difference(self, reading) -> Sample | None:
        """The first point (smallest sizes first) where the claim and the result differ."""
        for sample in self.usable(reading):
            if not agree(sample.claim, sample.results[reading],
                         sample.scales.get(reading, 0.0)):
                return sample
        return None

    def evidence(self, reading) -> str:
        usable = self.usable(reading)
        sets = sorted({tuple(s.sizes.items()) for s in usable}, key=lambda t: [v for _, v in t])
        sizes = "; ".join(", ".join(f"{k}={v}" for k, v in t) for t in sets) or "fixed sizes"
        return (f"{len(usable)} random well-conditioned points over {len(sets) or 1} size "
                f"set{'s' * (len(sets) != 1)} ({sizes})")

    def enough(self, reading) -> bool:
        """Several sizes and several points: one lucky agreement never confirms a claim."""
        usable = self.usable(reading)
        sets = {tuple(s.sizes.items()) for s in usable}
        return len(usable) >= 6 and (len(sets) >= 3 or len(self.size_sets) == 1)

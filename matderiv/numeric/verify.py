"""``Derivation.check()``: every closed form against finite differences, at random points
with random concrete sizes, in both vec conventions.

>>> from matderiv import derive
>>> derive("tr(A*X*B)", wrt="X", shapes={"A": "p,m", "X": "m,n", "B": "n,p"}).check().passed
True
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass

import numpy as np
import sympy

from ..errors import MatDerivError
from ..expressions import MatDiff, ScalarDiff, matrix_symbol
from ..expressions.structured import structure_of
from ..expressions.tidy import canonical
from . import structured
from .differences import (
    assert_close,
    assert_jacobians_close,
    numeric_gradient,
    numeric_jacobian,
)
from .direct import direct_reading
from .evaluate import Evaluation, evaluate, evaluate_with_scale
from .points import (
    random_values,
    smallest_sizes,
    stand_in_functions,
    value_needs,
    value_or_none,
    well_conditioned_at,
)


@dataclass(frozen=True)
class CheckReport:
    """What was checked: how many points, at which sizes, the largest deviation."""

    points: int
    sizes: tuple
    max_error: float
    checked: tuple
    pattern: str = ""  # how the sizes were named where the given ones are too large

    @property
    def passed(self) -> bool:
        return True  # a failed check raises instead

    @property
    def summary(self) -> str:
        sizes = "; ".join(", ".join(f"{k}={v}" for k, v in s.items()) or "fixed"
                          for s in self.sizes)
        text = (f"agrees with central finite differences ({', '.join(self.checked)}) at "
                f"{self.points} random points, sizes {sizes}; largest deviation "
                f"{self.max_error:.1e}")
        if self.pattern:
            text += (f" (the sizes given are too large to evaluate: checked at small sizes "
                     f"of the same shape pattern, {self.pattern}, the results being these "
                     "with the sizes put in)")
        return text


def verify(derivation, *, points: int = 3, seed: int = 0, rtol: float = 1e-5,
           atol: float = 1e-6, hessian: bool = False, order: int = 1,
           wrt2=None) -> CheckReport:
    """Raise MatDerivError if a result differs from finite differences; else a report.

    ``order`` k > 1 also checks the derivatives of orders 2 to k, each against finite
    differences of the one before; ``wrt2`` Y the mixed Hessian by X and Y (scalar F).

    Where the sizes given are too large to evaluate (a 100000 x 100000 W), the check
    runs at small sizes of the same shape pattern: the derivation with those sizes
    named (``symbolic_twin``), whose results must be these with the sizes put in.
    """
    options = {"points": points, "seed": seed, "rtol": rtol, "atol": atol, "hessian": hessian,
               "higher": {"order": order, "wrt2": wrt2}}
    try:
        return _verify_at(derivation, **options)
    except MatDerivError as error:
        if error.kind != "budget":
            raise
    twin, substitution = derivation.symbolic_twin()
    if not substitution:
        raise MatDerivError("cannot check the result: it is too large to evaluate even at "
                            "the smallest sizes (sizes 2 and 3)", kind="budget")
    for what, result_of in _results_checked(derivation, hessian, **options["higher"]):
        if not same_at_sizes(result_of(twin), result_of(derivation), substitution):
            raise MatDerivError(f"cannot check {what} at these sizes: they are too large to "
                                "evaluate, and with the sizes named the derivation gives "
                                "another form; name the sizes to have it checked")
    report = _verify_at(twin, **options)
    named = ", ".join(f"{value} as {symbol}" for symbol, value in substitution.items())
    return CheckReport(report.points, report.sizes, report.max_error, report.checked, named)


def _results_checked(derivation, hessian: bool, order: int = 1, wrt2=None):
    """(what, result of a derivation) for each result ``_verify_at`` checks."""
    found = [(f"the derivative of order {k}", lambda d, k=k: d.derivative_matrix(k))
             for k in range(2, order + 1)]
    if wrt2 is not None:
        found.append(("the mixed Hessian", lambda d: d.hessian(wrt=wrt2, layout="numerator")))
    if derivation.is_scalar:
        found.append(("the gradient", lambda d: d.gradient()))
        if hessian:
            for vec in ("col", "row"):
                found.append((f"the Hessian (vec={vec})",
                              lambda d, vec=vec: d.hessian(layout="numerator", vec=vec)))
    for vec in ("col", "row"):
        for layout in ("numerator", "denominator"):
            found.append((f"the Jacobian (vec={vec}, {layout} layout)",
                          lambda d, vec=vec, layout=layout: d.jacobian(vec=vec, layout=layout)))
    return found


def _verify_at(derivation, *, points, seed, rtol, atol, hessian, higher) -> CheckReport:
    rng = np.random.default_rng(seed)
    functions = stand_in_functions(derivation.abstract_functions)
    expr, variable = derivation.expr, derivation.variable
    worst, sizes, checked = 0.0, [], []
    attempts, fixed = 0, None
    while len(sizes) < points:
        attempts += 1
        if attempts > MAX_ATTEMPTS * points:
            raise MatDerivError(
                f"cannot check the result: the formula is not defined (a singular or "
                f"ill-conditioned matrix is inverted or has its determinant taken), or its "
                f"derivative's closed form is 0/0 (a norm of a vector that is 0), at "
                f"{attempts - 1 - len(sizes)} of {attempts - 1} random points and sizes"
                + (f"; it was checked at {len(sizes)}" if sizes else ""))
        try:
            values = random_values(expr, variable, rng, sizes=fixed)
            value = value_or_none(expr, values, functions)
            if value is None:
                continue  # F is not defined here (X'X singular when X is wide): draw again
            _same_reading(derivation, values, value, functions)
            if not _closed_form_finite(derivation, values, functions):
                continue
            errors, names = _check_point(derivation, values, value, functions, rtol, atol,
                                         hessian, higher)
        except MatDerivError as error:
            smallest = smallest_sizes(expr, variable)
            if error.kind != "budget" or fixed is not None or not smallest:
                raise
            fixed = smallest  # too large at the usual sizes: the smallest ones from now on
            continue
        sizes.append({k: v for k, v in values.items() if isinstance(v, int)})
        worst = max(worst, errors)
        checked += names
    return CheckReport(points, tuple(sizes), worst, tuple(dict.fromkeys(checked)))


def _closed_form_finite(derivation, values, functions) -> bool:
    """Whether the derivative's closed form is finite where F is: the gradient of
    norm(relu(v)) is relu(v)/norm(relu(v)), 0/0 wherever relu(v) = 0, a set of random
    points of positive measure, where F is 0 and so is its derivative. The closed form
    holds where it is finite; such a point is not one to check it at."""
    result = derivation.gradient() if derivation.is_scalar else derivation.jacobian()
    value = np.asarray(evaluate(result, values, functions=functions), dtype=float)
    # Only 0/0 (NaN, no infinity): an overflow is reported as not finite, not skipped.
    return bool(np.all(np.isfinite(value)) or np.any(np.isinf(value)))


def _check_point(derivation, values, value, functions, rtol, atol, hessian, higher):
    """Every result against central differences at one point: (largest deviation, the
    names of what was checked)."""
    expr, variable = derivation.expr, derivation.variable
    worst, checked = _check_higher(derivation, values, functions, atol, **higher)
    # Central differences lose about eps |F| / h to rounding: allow for it, so a
    # huge F (det of a large matrix) is not called wrong for a right derivative.
    scale = float(np.max(np.abs(value)))
    # ... and with the largest part on F's way: det(X^8) - det(X)^8 cancels to rounding
    # noise of det(X^8)'s size, which the differences divide by their step.
    scale = max(scale, evaluate_with_scale([expr], values, functions=functions)[1])
    atol_f = atol + 1e-8 * scale
    if structure_of(variable):  # along symmetric (diagonal) directions only
        return structured.check_point(derivation, values, functions, rtol, atol_f, hessian)
    if derivation.is_scalar and hessian:
        # Differences of the gradient, itself checked against F below: one level of
        # finite differences instead of two.
        gradient = derivation.gradient()
        g_scale = float(np.max(np.abs(evaluate(gradient, values, functions=functions))))
        for vec in ("col", "row"):
            expected = numeric_jacobian(gradient, variable, values, functions=functions,
                                        vec=vec)
            computed = evaluate(derivation.hessian(layout="numerator", vec=vec), values,
                                functions=functions)
            worst = max(worst, assert_close(computed, expected,
                                            what=f"the Hessian (vec={vec})", rtol=1e-5,
                                            atol=atol + 1e-8 * g_scale))
        checked.append("Hessian")
    if derivation.is_scalar:
        expected = numeric_gradient(expr, variable, values, functions=functions)
        computed = evaluate(derivation.gradient(), values, functions=functions)
        worst = max(worst, assert_close(computed, expected, what="the gradient",
                                        rtol=rtol, atol=atol_f))
        checked.append("gradient")
    for vec in ("col", "row"):
        expected = numeric_jacobian(expr, variable, values, functions=functions, vec=vec)
        worst = max(worst, assert_jacobians_close(derivation, vec, expected, values,
                                                  functions=functions, rtol=rtol, atol=atol_f))
        checked.append(f"Jacobian vec={vec}")
        if vec == "row":  # T[i, j, k, l] holds the vecr Jacobian's entries, row-major
            computed = evaluate(derivation.tensor(), values, functions=functions)
            worst = max(worst, assert_close(np.reshape(computed, expected.shape), expected,
                                            what="the tensor", rtol=rtol, atol=atol_f))
            checked.append("tensor")
    return worst, checked


def _check_higher(derivation, values, functions, atol, order, wrt2):
    """Higher orders and the mixed Hessian (``numeric.orders``): (deviation, names)."""
    worst, checked = 0.0, []
    if order > 1:
        from .orders import check_orders
        worst, checked = check_orders(derivation, values, functions, order=order, atol=atol)
    if wrt2 is not None and str(wrt2) in values:  # a Y that F lacks: the zero, exactly
        from .orders import check_mixed
        error, names = check_mixed(derivation, values, functions, wrt2=wrt2, atol=atol)
        worst, checked = max(worst, error), checked + names
    return worst, checked


def _same_reading(derivation, values, value, functions) -> None:
    """The formula as built has the value its text has, read again by an independent
    route (``direct``): a misreading would otherwise be checked against itself."""
    text = getattr(derivation, "text", None)
    if text is None:
        return
    if getattr(derivation, "syntax", "text") != "text":
        return  # the second reader reads the grammar, not LaTeX
    direct, direct_scale = direct_reading(text, values, functions)
    if direct is None:
        return  # a construct the second reader does not know: no second reading
    direct = np.atleast_2d(np.asarray(direct, dtype=float))
    built = np.atleast_2d(np.asarray(value, dtype=float))
    if not (np.all(np.isfinite(direct)) and np.all(np.isfinite(built))):
        return
    # rounding in either reading scales with the largest number on its way
    scale = 1.0 + max(float(np.max(np.abs(built), initial=0.0)), direct_scale)
    if direct.shape != built.shape or not np.allclose(direct, built, rtol=1e-6,
                                                        atol=1e-9 * scale):
        from ..render import to_text
        raise MatDerivError(
            f"internal error: the formula was read as {to_text(derivation.expr)}, which "
            f"does not have the value of the text {text!r} at a random point; the result "
            "is withheld (please report this)")


#: Random points tried per point wanted, where the formula may be undefined at some.
MAX_ATTEMPTS = 8




def assert_same_differential(one, other, derivation) -> None:
    """Two forms of dF (holding d(variable)) have one value: dX drawn as a random matrix
    (dt, by a scalar t, as a random number)."""
    variable = derivation.variable
    if isinstance(variable, sympy.Symbol):
        replace = {ScalarDiff(variable): sympy.Symbol(f"d{variable}", real=True)}
    else:
        replace = {MatDiff(variable): matrix_symbol(f"d{variable}", *variable.shape)}
    assert_same_value(one.xreplace(replace), other.xreplace(replace), derivation,
                      values_of=one.xreplace(replace))


#: Random points tried for one comparison of two forms, where a form may be undefined.
SAME_VALUE_ATTEMPTS = 6


def assert_same_value(before, after, derivation, *, seed: int = 3, values_of=None) -> str:
    """Simplification must not change the value: compare at a random point.

    A safety net under SymPy's canonical forms and the simplification rules. The point
    is one where every inverted matrix of both forms is well conditioned (a few are
    drawn); the tolerance scales with the largest part on the way, where rounding
    happens (terms of 10^7 cancelling to 0). Returns "checked"; "skipped" where no
    point was usable; "budget" where the sizes are too large to evaluate (the caller
    then confirms the result another way). Raises if the two forms differ.
    """
    rng = _fresh_generator(seed)  # (as default_rng(seed))
    source = derivation.expr if values_of is None else values_of
    try:
        needs = value_needs(source)  # (once for all the points drawn)
    except MatDerivError:
        needs = None  # (met again in the loop, as each point is drawn)
    # The formula's abstract functions are the derivation's (found by the same walk).
    functions = stand_in_functions(needs.functions if values_of is None and needs
                                   else derivation.abstract_functions)
    sizes = None
    for _ in range(SAME_VALUE_ATTEMPTS):
        try:
            values = random_values(source, derivation.variable, rng, sizes=sizes,
                                   needs=needs)
            evaluation = Evaluation((before, after), values, functions=functions)
            if not well_conditioned_at(evaluation):  # before's parts, then after's
                continue
            a, b = evaluation.values(before, after)
            scale = evaluation.scale()
        except MatDerivError as error:
            if error.kind == "budget":
                if sizes is not None:
                    return "budget"
                sizes = smallest_sizes(source, derivation.variable)  # try those first
                continue
            continue  # not defined at this point (singular): another one
        if type(a) is float and type(b) is float:  # (two numbers: as the arrays below)
            if not (math.isfinite(a) and math.isfinite(b)):
                continue
            if scale > 1e12:
                continue
            if not abs(a - b) <= _tolerance(b, scale):
                raise _another_value(before, after)
            return "checked"
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            continue
        if scale > 1e12:
            continue  # a huge part (a nearly singular inverse) decides nothing
        if a.shape != b.shape or not (np.abs(a - b) <= _tolerance(b, scale)).all():
            raise _another_value(before, after)
        return "checked"
    return "skipped"


def _tolerance(b, scale):
    """How far two forms of one value ``b`` (a number or an array) may be apart: a little
    absolutely, relative to the largest part met on the way (where rounding happens),
    and relative to the value."""
    return 1e-10 + 1e-12 * scale + 1e-8 * abs(b)


def _another_value(before, after) -> MatDerivError:
    return MatDerivError(f"internal error: simplifying {before} gave {after}, which has "
                         "another value; the result is withheld (please report this)")


_GENERATORS = threading.local()  # each thread's generators, by seed


def _fresh_generator(seed: int) -> np.random.Generator:
    """``np.random.default_rng(seed)`` as it starts: this thread's generator for the
    seed, put back to its first state (a third of the cost of making one anew: the
    state is set from the one its seed sequence gave, not derived again). A value
    check draws all its points before the next one starts.

    >>> _fresh_generator(3).uniform() == np.random.default_rng(3).uniform()
    True
    """
    made = getattr(_GENERATORS, "by_seed", None)
    if made is None:
        made = _GENERATORS.by_seed = {}
    found = made.get(seed)
    if found is None:
        if len(made) >= 8:
            made.clear()  # (one seed is used; a few at most are kept)
        bits = np.random.PCG64(_seed_sequence(seed))
        found = made[seed] = (np.random.Generator(bits), bits, bits.state)
        return found[0]
    generator, bits, state = found
    bits.state = state
    return generator


@functools.lru_cache(maxsize=8)
def _seed_sequence(seed: int) -> np.random.SeedSequence:
    """The seed sequence ``np.random.default_rng(seed)`` starts from, made once per seed
    (its bit generator is made from it afresh each time; making the sequence is half
    of default_rng's cost). A SeedSequence is not changed by making generators from it.

    >>> rng = np.random.Generator(np.random.PCG64(_seed_sequence(3)))
    >>> rng.uniform() == np.random.default_rng(3).uniform()
    True
    """
    return np.random.SeedSequence(seed)


def same_at_sizes(twin_result, result, substitution) -> bool:
    """``twin_result`` (at named sizes) with the sizes put in is ``result``, in SymPy's
    canonical form (a sum's terms may come in another order)."""
    placed = twin_result.xreplace(substitution)
    return placed == result or canonical(placed) == canonical(result)

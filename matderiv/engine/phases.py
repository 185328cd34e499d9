"""The phases of a derivation, run one way: differential (push ``d`` inward),
identification (bring dF to ``<G, dX>`` or ``J vec(dX)``), simplification.

Each phase is a named rule set from the catalog, and every rule application is
recorded, so a proof is the recorded trace. A phase that rewrites a result checks that
the value is kept through ``same_value(before, after)``, which the caller gives (the
numeric check, ``matderiv.numeric.verify``); the engine itself computes no numbers.

>>> from sympy import MatrixSymbol
>>> A, X = MatrixSymbol("A", 2, 3), MatrixSymbol("X", 3, 4)
>>> start, dF, pushes = differentiate(A * X, X, {"max_seconds": None, "max_nodes": None})
>>> dF
A*dX
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Basic, MatAdd, MatMul, ZeroMatrix

from ..errors import MatDerivError
from ..expressions import (
    Inner,
    MatDiff,
    ScalarDiff,
    ScalarOf,
    Vec,
    Vecr,
    identity,
    is_matrix,
    mat_add,
    mat_mul,
    sized,
)
from ..expressions.contains import holds_differential, holds_matrix_differential
from ..expressions.content import pull_numeric_content
from ..expressions.tidy import canonical, is_zero, tidy
from .catalog import catalog
from .rewrite import Context, ProofStep, bottom_up, push_inward, simplify_bottom_up


@dataclass(frozen=True)
class Phase:
    """A finished phase: its name, the expression it started from, the result, the steps.

    ``canonical`` is the start in SymPy's canonical form (transposes distributed,
    identities dropped), where the phase's rule steps begin; None when no such step.
    """

    name: str
    start: Basic
    result: Basic
    steps: tuple[ProofStep, ...]
    canonical: Basic | None = None



def differentiate(expr, variable, budget, same_differential=None):
    """d(expr) pushed inward to d(variable): (the start d(F), dF, the Pushes behind it).

    ``budget``: ``max_seconds`` and ``max_nodes`` (None: the rewrite module's settings).
    """
    start = MatDiff(expr) if is_matrix(expr) else ScalarDiff(expr)
    context = Context(variable, **budget)
    differential, pushes = push_inward(start, catalog().phase("differential"), context,
                                       same_differential)
    return start, differential, pushes


def identify_gradient(differential, variable, budget, same_value) -> tuple[Phase, Phase]:
    """Identification and simplification of the gradient G in dF = <G, dX>."""
    context = Context(variable, phase="identification", **budget)
    start = _read_as_scalar(differential) if is_matrix(differential) else differential
    steps: list[ProofStep] = []
    identified = bottom_up(start, catalog().phase("gradient"), context, steps)
    raw = collect_gradient(identified, MatDiff(variable))
    identification = Phase("gradient", start, identified, tuple(steps))
    return identification, simplify(raw, context, same_value)


def _read_as_scalar(differential):
    """dF of a 1 x 1 F, read as a scalar: (dF); the number 0 where dF is zero."""
    return sympy.Integer(0) if is_zero(differential) else ScalarOf(differential)


def identify_jacobian(differential, variable, vec, budget, same_value) -> tuple[Phase, Phase]:
    """Identification and simplification of J in vec(dF) = J vec(dX) (vecr for vec="row")."""
    context = Context(variable, phase="identification", **budget)
    stack = Vec if vec == "col" else Vecr
    start = stack(differential)
    steps: list[ProofStep] = []
    identified = bottom_up(start, catalog().phase(
        "gradient", "vec" if vec == "col" else "vecr"), context, steps)
    raw = collect_jacobian(identified, stack(MatDiff(variable)))
    identification = Phase("jacobian-" + vec, start, identified, tuple(steps))
    return identification, simplify(raw, context, same_value)


def identify_derivative(differential, variable, budget, same_value, *,
                        scalar: bool = False) -> tuple[Phase, Phase]:
    """By a scalar variable t: identification and simplification of D in dF = D dt.

    D has F's shape (``scalar``: F is a scalar, or a 1 x 1 matrix read as one, and so is
    D): it is dF/dt, and vec(D) is the Jacobian d vec(F) / dt.
    """
    context = Context(variable, phase="identification", **budget)
    start = _read_as_scalar(differential) if scalar and is_matrix(differential) \
        else differential
    steps: list[ProofStep] = []
    identified = bottom_up(start, catalog().phase("scalar"), context, steps)
    raw = collect_derivative(identified, ScalarDiff(variable))
    identification = Phase("scalar", start, identified, tuple(steps))
    return identification, simplify(raw, context, same_value)


def jacobian_of_scalar(gradient_phases, variable, vec, budget, same_value) -> tuple:
    """The Jacobian of a scalar F: the row vec(G)' (vecr(G)') after the gradient's phases."""
    context = Context(variable, phase="identification", **budget)
    stack = Vec if vec == "col" else Vecr
    row = sympy.Transpose(stack(gradient_phases[-1].result))
    return (*gradient_phases, simplify(row, context, same_value))


def jacobian_by_scalar(derivative_phases, vec, variable, budget, same_value) -> tuple:
    """By a scalar t, the Jacobian d vec(F) / dt = vec(D) (vecr(D) for vec="row"), a
    column, after the phases of D in dF = D dt; for scalar F, D itself."""
    derivative = derivative_phases[-1].result
    if not is_matrix(derivative):
        return derivative_phases
    context = Context(variable, phase="identification", **budget)
    stacked = (Vec if vec == "col" else Vecr)(derivative)
    steps: list[ProofStep] = []
    factored = simplify_bottom_up(stacked, catalog().phase("stack"), context, steps)
    return (*derivative_phases, Phase("stack-" + vec, stacked, factored, tuple(steps)),
            simplify(factored, context, same_value))


def denominator_phase(numerator, same_value) -> Phase:
    """Denominator layout: the transpose of the numerator-layout Jacobian, as a phase
    (a scalar, the Jacobian of a scalar by a scalar, is its own transpose)."""
    if not is_matrix(numerator):
        return Phase("layout", numerator, numerator, ())
    transposed = pull_numeric_content(canonical(sympy.Transpose(numerator)))
    same_value(sympy.Transpose(numerator), transposed)
    return Phase("layout", numerator, transposed, ())


def simplify(expr, context, same_value) -> Phase:
    """The simplification phase: rules to a fixed point, SymPy's canonical form between.

    ``same_value(before, after)`` raises when the result's value differs from the start's.
    """
    steps: list[ProofStep] = []
    start = tidy(expr)
    first = pull_numeric_content(canonical(start))
    rules, done = catalog().phase("simplification"), {}
    expr = simplify_bottom_up(first, rules, context, steps, done)
    result = pull_numeric_content(canonical(expr))
    # SymPy's canonical form can open new work for the rules (a .* a becomes a.^2):
    # go round again, a few times at most (``done`` skips the parts left as they were).
    for _ in range(3):
        if result == expr:
            break
        expr = simplify_bottom_up(result, rules, context, steps, done)
        result = pull_numeric_content(canonical(expr))
    if result != start:  # nothing to check (nor NumPy to import) when nothing changed
        same_value(start, result)
    return Phase("simplification", start, result, tuple(steps), first)


def collect_gradient(expr, differential):
    """G from a sum of terms c <G, dX>; raise if a term is not in that form."""
    if expr is sympy.S.Zero or (expr.is_Number and expr == 0):  # (== 0 sympifies the 0)
        return ZeroMatrix(*differential.shape)
    if isinstance(expr, sympy.Add):
        return mat_add(*[collect_gradient(term, differential) for term in expr.args])
    if isinstance(expr, Inner) and expr.args[1] == differential:
        return expr.args[0]
    if isinstance(expr, sympy.Mul):
        linear = [a for a in expr.args if holds_matrix_differential(a)]
        if len(linear) == 1:
            constant = sympy.Mul(*[a for a in expr.args if not holds_matrix_differential(a)])
            return mat_mul(constant, collect_gradient(linear[0], differential))
    raise MatDerivError(f"cannot identify the gradient: no rule brings the term {expr} "
                        f"to the form <G, {differential}>")


def collect_derivative(expr, differential):
    """D from a sum of terms D_k dt (dt a scalar differential); raise if a term is not in
    that form. Sums and constant factors are taken as they stand (linearity)."""
    if expr == differential:
        return sympy.Integer(1)
    if isinstance(expr, ZeroMatrix) or expr == 0:
        return expr
    if isinstance(expr, (sympy.Add, MatAdd)):
        return (mat_add if is_matrix(expr) else sympy.Add)(
            *[collect_derivative(term, differential) for term in expr.args])
    if isinstance(expr, (sympy.Mul, MatMul)):
        linear = [k for k, a in enumerate(expr.args) if holds_differential(a)]
        if len(linear) == 1:
            k = linear[0]
            factors = [*expr.args[:k], collect_derivative(expr.args[k], differential),
                       *expr.args[k + 1:]]
            return mat_mul(*factors) if is_matrix(expr) else sympy.Mul(*factors)
    raise MatDerivError(f"cannot identify the derivative: no rule brings the term {expr} "
                        f"to the form D {differential}")


def collect_jacobian(expr, stacked):
    """J from a sum of terms J_k vec(dX); raise if a term is not in that form."""
    if expr == stacked:
        return identity(stacked.shape[0])
    if isinstance(expr, ZeroMatrix) or (isinstance(expr, (Vec, Vecr))
                                        and isinstance(expr.arg, ZeroMatrix)):
        return sized(ZeroMatrix, expr.shape[0], stacked.shape[0])  # F does not vary
    if isinstance(expr, MatAdd):
        return mat_add(*[collect_jacobian(term, stacked) for term in expr.args])
    if isinstance(expr, MatMul):
        args = list(expr.args)
        last = args[-1]
        rest = args[:-1]
        if is_matrix(last) and holds_matrix_differential(last) and \
                not any(holds_matrix_differential(a) for a in rest):
            if last == stacked and any(is_matrix(a) for a in rest):
                return mat_mul(*rest)  # J vec(dX): J, not J I (which tidy takes apart)
            return mat_mul(*rest, collect_jacobian(last, stacked))
    raise MatDerivError(f"cannot identify the Jacobian: no rule brings the term {expr} "
                        f"to the form J {stacked}")


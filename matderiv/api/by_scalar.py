"""Derivatives by a scalar variable t (declared with shape ``()``), and zero derivatives.

By a scalar, the differential is identified as dF = D dt with D of F's shape (rules in
``rules/identification/4-scalar.toml``): D is dF/dt, the gradient of a scalar F (a
scalar), and vec(D) the Jacobian d vec(F) / dt, a column with one row per entry of F.
The tensor ∂F_ij/∂t has F's axes only: it is D. The Hessian of a scalar F is d²F/dt²,
a scalar. A Derivation asks this module for these results when its variable is a
scalar; the engine finds them (``identify_derivative``, ``jacobian_by_scalar``).

>>> from matderiv import derive
>>> d = derive("inv(X + t*I(n))", wrt="t", shapes={"X": ("n", "n"), "t": ()})
>>> d.tensor()
-(t*I + X)**(-2)
>>> d.jacobian()
-vec((t*I + X)**(-2))
"""

from __future__ import annotations

import re

import sympy
from sympy import ZeroMatrix

from ..engine.phases import Phase, identify_derivative, jacobian_by_scalar
from ..expressions import is_matrix, size_product
from ..expressions.contains import depends_on
from ..expressions.tidy import is_zero
from ..render import to_text


def is_scalar_variable(variable) -> bool:
    """A scalar t (a Symbol), not a matrix symbol."""
    return not is_matrix(variable)


def derivative_phases(derivation) -> tuple[Phase, ...]:
    """Identification and simplification of D in dF = D dt, remembered."""
    cache = derivation._cache
    if "derivative" not in cache:
        cache["derivative"] = identify_derivative(
            derivation.differential, derivation.variable, derivation.budget,
            derivation._same_value, scalar=derivation.is_scalar)
    return cache["derivative"]


def jacobian_phases(derivation, vec: str) -> tuple[Phase, ...]:
    """The phases behind d vec(F) / dt (vecr with vec="row"): D's, then vec(D)."""
    return jacobian_by_scalar(derivative_phases(derivation), vec, derivation.variable,
                              derivation.budget, derivation._same_value)


def tensor(derivation):
    """∂F_ij/∂t: F's axes only, the matrix D of dF = D dt (a scalar for scalar F)."""
    result = derivative_phases(derivation)[-1].result
    derivation._confirm(result, lambda twin: twin.tensor())
    return result


def zero_hessian(variable):
    """The Hessian of a formula whose gradient does not depend on the variable."""
    if is_scalar_variable(variable):
        return sympy.Integer(0)
    size = size_product(*variable.shape)
    return ZeroMatrix(size, size)


def zero_note(derivation, result) -> str | None:
    """Why a result is zero, for the report: F does not depend on the variable, or its
    derivative vanishes identically; None for a result that is not zero."""
    if not is_zero(result):
        return None
    name = derivation.variable
    if not depends_on(derivation.expr, name):
        if derivation.text is not None and re.search(rf"\b{re.escape(str(name))}\b",
                                                     derivation.text):
            # X^0 is read as I: say what the formula became.
            return (f"the formula, read as {to_text(derivation.expr)}, does not depend on "
                    f"{name}: its derivative is zero")
        return f"the formula does not depend on {name}: its derivative is zero"
    return f"the derivative with respect to {name} is identically zero"


__all__ = ["derivative_phases", "is_scalar_variable", "jacobian_phases", "tensor",
           "zero_hessian", "zero_note"]

"""The symbolic twin of a derivation: the same formula with its integer sizes named.

Numbers decide whether a result is right, but a 100000 x 100000 W cannot be evaluated.
Its twin, where W is n100000 x n100000, can be, at small sizes of the same shape pattern
(square stays square, 1 stays 1); and the twin's results with n100000 put back to 100000
must be the derivation's own. Both the safety net under each rewrite and ``check()`` use
it where the sizes given are too large.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": (30, 30), "a": (30, 1)})
>>> twin, sizes = d.symbolic_twin()
>>> twin.jacobian(), sizes
(KroneckerProduct(a.T, I), {n30: 30})
"""

from __future__ import annotations

import sympy
from sympy import MatrixSymbol

from ..errors import MatDerivError


def symbolic_twin(derivation, derive) -> tuple:
    """(twin, {size symbol: integer}); the derivation itself and {} where it has no
    integer size to name. ``derive`` is the API's derive (the twin is derived again)."""
    if derivation.text is None:
        raise MatDerivError("the sizes are too large to evaluate, and a formula given as a "
                            "SymPy expression cannot be derived again with its sizes named: "
                            "give it as text, or with symbolic sizes")
    env = derivation.env
    taken, names, shapes = set(env), {}, {}
    for name in env:
        value = env[name]
        if isinstance(value, MatrixSymbol):
            shapes[name] = tuple(_named_size(d, names, taken) for d in value.shape)
        elif not value.is_integer:
            shapes[name] = ()
    if not names:
        return derivation, {}
    budget = derivation.budget
    try:
        twin = derive(derivation.text, wrt=derivation.variable.name, shapes=shapes,
                      layout=derivation.layout, seconds=budget["max_seconds"],
                      max_nodes=budget["max_nodes"], syntax=derivation.syntax,
                      functions=derivation.functions)
    except MatDerivError as error:
        raise MatDerivError(f"the sizes are too large to evaluate, and the formula cannot be "
                            f"derived with them named ({error.one_line()}): name the sizes "
                            "to have it checked") from None
    return twin, {twin.env[name]: sympy.Integer(value) for value, name in names.items()}


def twin_of(derivation) -> tuple:
    """The twin of ``derivation``, or of the derivation it was made inside (the gradient's
    derivation, for the Hessian, is that of the twin's gradient)."""
    parent = getattr(derivation, "_parent", None)
    if parent is None:
        return derivation.symbolic_twin()
    twin, substitution = twin_of(parent)
    # How it was made inside its parent (a higher order, a second variable), else the
    # Hessian's gradient derivation.
    path = getattr(derivation, "_inside_parent", None)
    return (path(twin) if path else twin.gradient_derivation()), substitution


def confirm(derivation, result, twin_result_of) -> None:
    """Raise unless ``result`` is the twin's (``twin_result_of(twin)``) with the sizes put
    in; nothing to confirm where there is no integer size to name."""
    from ..numeric.verify import same_at_sizes
    twin, substitution = twin_of(derivation)
    if not substitution:
        return  # the value check was skipped, as at a point where F is not defined
    if not same_at_sizes(twin_result_of(twin), result, substitution):
        raise MatDerivError(
            "internal error: a simplification could not be checked at these sizes, and the "
            "same derivation with the sizes named gives another form; the result is "
            "withheld (name the sizes, e.g. -s W=m,n, to derive it symbolically)")


def _named_size(size, names: dict, taken: set):
    """``size`` as a shape entry of the twin: an integer of 2 or more becomes a name (n30
    for 30; one name per integer), anything else stays as it is."""
    if not size.is_Integer:
        return str(size)
    value = int(size)
    if value < 2:
        return value
    if value not in names:
        name = f"n{value}"
        while name in taken:
            name += "_"
        taken.add(name)
        names[value] = name
    return names[value]

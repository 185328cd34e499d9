"""Shared test helpers: derive, compare with the expected textbook form, check numerically.

``expect`` builds the expected result with matderiv's own grammar (``kron(a', I(m))``),
compares it symbolically with the engine's result, and evaluates both against central
finite differences at random points: a symbolic match alone never passes a test.
"""

from __future__ import annotations

import numpy as np

import matderiv
from matderiv.expressions.tidy import canonical
from matderiv.numeric.differences import assert_close, numeric_gradient, numeric_jacobian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values, stand_in_functions
from matderiv.render import to_text
from matderiv.syntax.builder import Builder


def build_expected(text, derivation, *, shielded=True):
    """The expected closed form, written in the formula grammar, brought to the canonical
    form results are given in: SymPy's, traces and determinants kept whole (``canonical``),
    numbers in front (2 (x - a), not 2x - 2a).

    ``shielded=False`` uses SymPy's deep doit instead, which also rewrites inside traces and
    determinants (det(AXB) -> det(A) det(X) det(B)).
    """
    from matderiv.expressions.content import pull_numeric_content
    built = Builder(derivation.env, source=text).build_text(text)
    return pull_numeric_content(canonical(built) if shielded else built.doit())


def numeric_reference(derivation, kind, vec, values, functions):
    if kind == "gradient":
        return numeric_gradient(derivation.expr, derivation.variable, values, functions=functions)
    return numeric_jacobian(derivation.expr, derivation.variable, values, functions=functions,
                            vec=vec)


def expect(formula, wrt, shapes, *, gradient=None, jacobian=None, jacobian_row=None,
           points=3, seed=1, shielded=False):
    """Assert the textbook form(s) given and check each numerically; return the Derivation.

    ``shielded``: build the expected forms as ``build_expected(..., shielded=True)`` does.
    """
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    claims = [("gradient", "col", gradient), ("jacobian", "col", jacobian),
              ("jacobian", "row", jacobian_row)]
    claims = [c for c in claims if c[2] is not None]
    assert claims, "expect() needs at least one expected result"
    rng = np.random.default_rng(seed)
    functions = stand_in_functions(d.abstract_functions)
    for kind, vec, text in claims:
        result = d.gradient() if kind == "gradient" else d.jacobian(vec=vec)
        expected = build_expected(text, d, shielded=shielded)
        assert result == expected, (
            f"{formula} wrt {wrt} ({kind}, vec={vec}): got {to_text(result)}, "
            f"expected {to_text(expected)}")
        for _ in range(points):
            values = random_values(d.expr, d.variable, rng)
            reference = numeric_reference(d, kind, vec, values, functions)
            assert_close(evaluate(result, values, functions=functions), reference,
                         what=f"{formula} {kind} vec={vec}")
            assert_close(evaluate(expected, values, functions=functions), reference,
                         what=f"expected form of {formula} {kind} vec={vec}")
    d.check()
    return d


def network_loss(layers):
    """The squared loss of an L-layer tanh network (W1 ... WL, input x, target y), and
    its shapes: the deep formula the scaling benchmark derives.

    >>> network_loss(2)[0]
    'sum((W2*tanh(W1*x) - y).^2)'
    """
    inner = "x"
    for i in range(1, layers):
        inner = f"tanh(W{i}*{inner})"
    shapes = {f"W{i}": (f"d{i}", f"d{i - 1}") for i in range(1, layers + 1)}
    shapes.update(x=("d0", 1), y=(f"d{layers}", 1))
    return f"sum((W{layers}*{inner} - y).^2)", shapes

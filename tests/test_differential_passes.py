"""The differential phase runs depth first; the proof's per-pass lines are laid out from
the same rule applications afterwards, and must end where the derivation ended."""

import pytest
from helpers import network_loss
from sympy import MatrixSymbol

import matderiv
from matderiv.errors import MatDerivError
from matderiv.expressions import MatDiff

# Found by a random search: the replayed passes build the terms in another order
# (a nested Hadamard product, the factors of a sum) than the depth-first result.
REORDERED = [
    ("log(0.5)*(A0 - A1) - (A2 + A3) .* (0.5*A2)", "A2",
     {"A0": ("p", "n"), "A1": ("p", "n"), "A2": ("p", "n"), "A3": ("p", "n")}),
    ("logdet(X)*(X + X)*(X .* A0*A1)", "X",
     {"X": ("m", "m"), "A0": ("m", "m"), "A1": ("m", "q")}),
    ("kron(A0, A1)'*(kron(X, A2)*kron(X, A3))' - exp(X .* X)^3", "X",
     {"X": ("m", "m"), "A0": ("m", "m"), "A1": ("m", 1), "A2": (1, "q"), "A3": ("q", "m")}),
]


@pytest.mark.parametrize("formula, wrt, shapes", REORDERED)
def test_proof_lines_end_at_the_derivations_differential(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    lines = d.differential_lines
    assert lines and lines[-1].expr == d.differential
    assert "Differential" in d.proof_text()
    d.check()


def test_a_different_value_is_refused():
    d = matderiv.derive("A*X", wrt="X", shapes={"A": ("m", "m"), "X": ("m", "n")})
    A, X = MatrixSymbol("A", d.variable.shape[0], d.variable.shape[0]), d.variable
    d._same_differential(A * MatDiff(X) + MatDiff(X), MatDiff(X) + A * MatDiff(X))
    with pytest.raises(MatDerivError, match="internal error"):
        d._same_differential(A * MatDiff(X), A.T * MatDiff(X))


def test_deep_network_one_pass_per_layer_and_each_rewrite_once():
    formula, shapes = network_loss(6)
    d = matderiv.derive(formula, wrt="W1", shapes=shapes)
    lines = d.differential_lines
    befores = [step.before for line in lines for step in line.steps]
    assert len(befores) == len(set(befores))  # no d(.) is rewritten twice
    assert len(lines) >= 6  # at least one pass per layer, as on paper
    assert lines[-1].expr == d.differential
    d.check()  # gradient and Jacobians against finite differences

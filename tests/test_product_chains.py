"""The product rule over a whole chain at once (issue 24): ``d-product`` (an ``each``
rule: d(A1 ... An) = sum over k of A1...A(k-1) dAk A(k+1)...An) and ``d-matrix-power``
(``sum_for``: d(A^k) = sum over j of A^j dA A^(k-1-j)).

Every result here is checked against central finite differences at random points.
"""

import numpy as np
import pytest
import sympy
from sympy import MatrixSymbol

import matderiv
from matderiv import MatDerivError
from matderiv.engine.catalog import catalog
from matderiv.engine.each_match import each_match
from matderiv.engine.rewrite import Context
from matderiv.expressions import MatDiff, ScalarDiff
from matderiv.expressions.tidy import canonical
from matderiv.numeric.differences import assert_close, numeric_jacobian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values
from matderiv.syntax.builder import Builder
from matderiv.syntax.index_sums import MAX_INDEX_SUM_TERMS


def _checked(formula, shapes, wrt="X", seeds=(1, 2)):
    """The derivation of ``formula``, its Jacobian (or gradient) checked numerically."""
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    result = d.gradient() if d.is_scalar else d.jacobian()
    for seed in seeds:
        values = random_values(d.expr, d.variable, np.random.default_rng(seed))
        got = evaluate(result, values)
        if d.is_scalar:
            got = np.asarray(got).reshape(-1, order="F").reshape(1, -1)
        assert_close(got, numeric_jacobian(d.expr, d.variable, values),
                     what=f"result of {formula}")
    return d


SQUARE = {"X": ("n", "n"), "A": ("n", "n"), "B": ("n", "n")}


@pytest.mark.parametrize("count", [2, 3, 5, 8])
def test_jacobian_of_a_chain_of_x(count):
    d = _checked("*".join(["X"] * count), {"X": ("n", "n")})
    assert len(sympy.Add.make_args(d.jacobian())) == count  # one Kronecker term each


@pytest.mark.parametrize("formula", ["X^4", "B*X^5", "(A*X)^3", "X^3*A*X^2", "inv(X)^3",
                                     "tr(X^6*A)", "(X + A)^3*B"])
def test_powers(formula):
    _checked(formula, SQUARE)


@pytest.mark.parametrize("formula, shapes", [
    ("A*X*B*X'*C", {"A": ("m", "n"), "X": ("n", "p"), "B": ("p", "p"), "C": ("n", "q")}),
    ("X*A*X*A*X", SQUARE),
    ("X'*X*X'", {"X": ("n", "p")}),
    ("inv(X)*A*X", SQUARE),
    ("X*inv(X + A)*B", SQUARE),
    ("tr(X)*X*X", SQUARE),            # a coefficient that varies: its own term
    ("t*X*A*X", {**SQUARE, "t": ()}),  # a constant coefficient: no term
    ("tr(X*A*X'*B*X)", SQUARE),
    ("a'*X*X*X*b", {"X": ("n", "n"), "a": ("n", 1), "b": ("n", 1)}),
    ("(X.*X)*X*exp(X)", SQUARE),
    ("tr(X)*tr(X')*tr(A*X)", SQUARE),  # a scalar product: d-scalar-product
])
def test_mixed_chains(formula, shapes):
    _checked(formula, shapes)


def test_one_term_per_varying_factor_in_one_step():
    d = _checked("A*X*B*X'*C", {"A": ("m", "n"), "X": ("n", "p"), "B": ("p", "p"),
                                "C": ("n", "q")})
    lines = d.differential_lines
    assert [step.rule.name for step in lines[0].steps] == ["d-product"]
    assert isinstance(lines[0].expr, sympy.MatAdd) and len(lines[0].expr.args) == 2
    # (two varying factors, two terms; the constants A, B, C make none)


def test_proof_lists_the_chain_rules():
    proof = matderiv.derive("X*X*X", wrt="X", shapes={"X": ("n", "n")}).proof_text()
    differential = proof.split("Identification")[0]
    assert differential.count("[d-product]") == 1  # all three terms in one step
    assert "d-product: d(L*M*R) => L*d(M)*R   summed over every match" in proof
    power = matderiv.derive("X^3", wrt="X", shapes={"X": ("n", "n")}).proof_text()
    assert "d-matrix-power: d(A^k) => sum_for(j, 0, k - 1, A^j*d(A)*A^(k - 1 - j))" in power
    assert power.split("Identification")[0].count("[d-matrix-power]") == 1


def test_scalar_products_are_not_split_as_chains():
    # A scalar product is commutative: its matches are orderings, not splits; summed,
    # each factor would count once per ordering.
    x, y, z = sympy.symbols("x y z")
    step = each_match(catalog().rule("d-product"), ScalarDiff(x * y * z), Context(x))
    assert step is None


def test_each_rule_sums_every_split():
    X, A = MatrixSymbol("X", 3, 3), MatrixSymbol("A", 3, 3)
    result, bindings = each_match(catalog().rule("d-product"), MatDiff(X * A * X * A),
                                  Context(X))
    dX = MatDiff(X)
    assert canonical(result) == canonical(dX * A * X * A + X * A * dX * A)
    assert len(bindings["matches"]) == 2  # the constant A's are left out


def test_index_sum_builds_each_term():
    A = MatrixSymbol("A", 2, 2)
    built = Builder({"A": A, "k": sympy.Integer(4)}, rule_mode=True).build_text(
        "sum_for(j, 1, k - 1, A^j*A')")
    assert canonical(built) == canonical(A * A.T + A**2 * A.T + A**3 * A.T)
    scalar = Builder({"k": sympy.Integer(3)}, rule_mode=True).build_text("sum_for(i, 0, k, i^2)")
    assert scalar == 0 + 1 + 4 + 9


@pytest.mark.parametrize("text, message", [
    ("sum_for(j, 0, k - 4, A^j)", "no terms"),
    ("sum_for(A, 0, k, A)", "already bound"),
    ("sum_for(j, 0, A, A^j)", "must be an integer"),
    ("sum_for(j, 1/2, k, A^j)", "must be an integer"),
    (f"sum_for(j, 0, {MAX_INDEX_SUM_TERMS}, A)", "limit"),
    ("sum_for(2, 0, k, A)", "index as a name"),
])
def test_index_sum_errors(text, message):
    A = MatrixSymbol("A", 2, 2)
    with pytest.raises(MatDerivError, match=message):
        Builder({"A": A, "k": sympy.Integer(3)}, rule_mode=True).build_text(text)


def test_index_sums_are_for_rules_only():
    with pytest.raises(MatDerivError):
        matderiv.derive("sum_for(j, 0, 2, X)", wrt="X", shapes={"X": ("n", "n")})


def test_a_power_of_a_power_is_written_as_one_power():
    # d-matrix-power on (X^3)^3 writes (X^3)^j as X^(3j), which SymPy merges with the
    # powers of X beside it: the result is X^9's, not one with (X^3)^2 X^2 in it.
    nested = _checked("(X^3)^3", {"X": ("n", "n")})
    flat = _checked("X^9", {"X": ("n", "n")})
    assert nested.jacobian() == flat.jacobian()
    assert len(sympy.Add.make_args(flat.jacobian())) == 9


def test_outer_products_of_a_chain_are_collected():
    # vec(x dx' x) = (x' ⊗ x) vec(dx'): kron-row-column writes x' ⊗ x as x x', which
    # SymPy collects with the x x' of the other term.
    d = matderiv.derive("(x'*x)*(x'*x)", wrt="x", shapes={"x": ("n", 1)})
    text = str(d.hessian())
    assert "KroneckerProduct" not in sympy.srepr(d.hessian()), text
    d.check(hessian=True)

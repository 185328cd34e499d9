"""The 4-index derivative T[i, j, k, l] = ∂F_ij/∂X_kl (issue 4), and seed 2's item 8."""

import numpy as np
import pytest
from sympy import Identity, KroneckerProduct
from sympy.tensor.array.expressions import ArrayTensorProduct, PermuteDims, Reshape

import matderiv
from matderiv.engine.tensor import tensor_from_col_jacobian
from matderiv.numeric.differences import numeric_jacobian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values, stand_in_functions
from matderiv.render import to_latex, to_text


def numeric_tensor(d, values, functions=None):
    """Central differences, laid out as T[i, j, k, l] (the vecr Jacobian, row-major)."""
    f_shape = np.atleast_2d(evaluate(d.expr, values, functions=functions)).shape
    x_shape = np.asarray(values[d.variable.name]).shape
    jacobian = numeric_jacobian(d.expr, d.variable, values, functions=functions, vec="row")
    return jacobian.reshape(*f_shape, *x_shape)


def assert_tensor_right(d, tensor, points=3, seed=4):
    rng = np.random.default_rng(seed)
    functions = stand_in_functions(d.abstract_functions)
    for _ in range(points):
        values = random_values(d.expr, d.variable, rng)
        expected = numeric_tensor(d, values, functions)
        computed = evaluate(tensor, values, functions=functions)
        assert computed.shape == expected.shape
        assert np.allclose(computed, expected, rtol=1e-5, atol=1e-6), (
            f"tensor of {d.formula} is WRONG: largest error "
            f"{np.max(np.abs(computed - expected)):.2e}")


INDEX_FORMS = [
    ("A*X*B", "X", {"A": "p,m", "X": "m,n", "B": "n,q"}, "A_ik (Bᵀ)_jl"),
    ("W*a", "W", {"W": "m,n", "a": "n,1"}, "δ_ik (aᵀ)_jl"),
    ("W*X", "X", {"W": "m,n", "X": "n,b"}, "W_ik δ_jl"),
    ("X'", "X", {"X": "m,n"}, "δ_il δ_jk"),
    ("X'*W'", "X", {"W": "m,n", "X": "n,b"}, "δ_il W_jk"),
    ("X*X", "X", {"X": "n,n"}, "δ_ik (Xᵀ)_jl + X_ik δ_jl"),
    ("inv(X)", "X", {"X": "n,n"}, "-(X⁻¹)_ik (X⁻ᵀ)_jl"),
    ("2*A*X - 3*X*B", "X", {"A": "n,n", "X": "n,n", "B": "n,n"},
     "2 A_ik δ_jl - 3 δ_ik (Bᵀ)_jl"),
    # No Kronecker structure: the reshape of the vecr Jacobian, stated as such.
    ("X.*A", "X", {"X": "m,n", "A": "m,n"}, "reshape(diag(vecr(A)), (m, n, m, n))_ijkl"),
    ("tr(A*X)", "X", {"A": "n,n", "X": "n,n"}, "reshape(Aᵀ, (1, 1, n, n))_ijkl"),
    ("exp(A*x)", "x", {"A": "m,n", "x": "n,1"}, "reshape(diag(exp(A x)) A, (m, 1, n, 1))_ijkl"),
]


@pytest.mark.parametrize("formula, wrt, shapes, text", INDEX_FORMS, ids=[c[0] for c in INDEX_FORMS])
def test_tensor_in_index_form(formula, wrt, shapes, text):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    tensor = d.tensor()
    f_shape = (1, 1) if d.is_scalar else tuple(d.expr.shape)
    assert tensor.shape == (*f_shape, *d.variable.shape)
    assert to_text(tensor) == text
    assert to_latex(tensor)  # renders
    assert_tensor_right(d, tensor)
    # The same numbers as the vec Jacobian, reshaped and permuted (documented relation).
    assert_tensor_right(d, tensor_from_col_jacobian(d.jacobian(), f_shape, d.variable.shape))


def test_kronecker_jacobian_is_a_permuted_outer_product():
    d = matderiv.derive("A*X*B", wrt="X", shapes={"A": "p,m", "X": "m,n", "B": "n,q"})
    A, B = d.env["A"], d.env["B"]
    assert d.tensor() == PermuteDims(ArrayTensorProduct(A, B.T), (0, 2, 1, 3))


def test_seed_2_item_8_reshape_then_permute_axes():
    """Y = W X; seed 2 differentiates Yᵀ = Xᵀ Wᵀ by Xᵀ in the row (W-tilde) convention, gets
    the block diagonal diag(W, ..., W) = I_b ⊗ W, reshapes it to (b, m, b, n) and permutes
    the axes (2, 1, 4, 3) to obtain ∂Y/∂X. Z stands for Xᵀ."""
    shapes = {"W": "m,n", "Z": "b,n"}
    transposed = matderiv.derive("Z*W'", wrt="Z", shapes=shapes)
    J = transposed.jacobian(vec="row")
    b, m, n = (transposed.env[k] for k in "bmn")
    assert J == KroneckerProduct(Identity(b), transposed.env["W"])
    A = Reshape(J, (b, m, b, n))
    from_the_note = PermuteDims(A, (1, 0, 3, 2))

    d = matderiv.derive("W*X", wrt="X", shapes={"W": "m,n", "X": "n,b"})
    assert d.tensor().shape == from_the_note.shape == (m, b, n, b)
    # Exactly, entry by entry, with the entries of W kept as symbols.
    sizes = {b: 2, m: 2, n: 3}
    assert from_the_note.xreplace(sizes).as_explicit() == d.tensor().xreplace(sizes).as_explicit()
    # And numerically, against finite differences of Y = W X, at random sizes.
    rng = np.random.default_rng(8)
    for _ in range(3):
        values = random_values(d.expr, d.variable, rng)
        expected = numeric_tensor(d, values)
        note = evaluate(from_the_note, {**values, "b": values["b"]})
        assert np.allclose(note, expected, atol=1e-6)
        assert np.allclose(evaluate(d.tensor(), values), expected, atol=1e-6)


def test_scalar_formula_tensor_has_two_unit_axes():
    d = matderiv.derive("tr(A*X*B)", wrt="X", shapes={"A": "p,m", "X": "m,n", "B": "n,p"})
    assert d.tensor().shape[:2] == (1, 1)
    assert_tensor_right(d, d.tensor())


def test_check_covers_the_tensor_and_cli_prints_it():
    from click.testing import CliRunner

    from matderiv.cli import main
    d = matderiv.derive("W*X", wrt="X", shapes={"W": "m,n", "X": "n,b"})
    assert "tensor" in d.check().checked
    out = CliRunner().invoke(main, ["derive", "A*X*B", "--wrt", "X", "-s", "A=p,m", "-s",
                                    "X=m,n", "-s", "B=n,q", "--tensor"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("∂(A X B)_ij/∂X_kl = A_ik (Bᵀ)_jl\n")
    assert "axes (row of F, column of F, row of X, column of X)" in out.output


@pytest.mark.parametrize("shapes", [((2, 3), (4, 5)), ((1, 1), (3, 2)), ((3, 1), (1, 4)),
                                    ((2, 2), (1, 1)), ((2, 3), (3, 2), (1, 2))])
def test_numeric_kronecker_product_is_numpys(shapes):
    from sympy import MatrixSymbol
    rng = np.random.default_rng(1)
    names = "ABC"[:len(shapes)]
    values = {n: rng.normal(size=s) for n, s in zip(names, shapes, strict=True)}
    expected = values[names[0]]
    for n in names[1:]:
        expected = np.kron(expected, values[n])
    kron = KroneckerProduct(*(MatrixSymbol(n, *s) for n, s in zip(names, shapes, strict=True)))
    assert np.array_equal(evaluate(kron, values), expected)

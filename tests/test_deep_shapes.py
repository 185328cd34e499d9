"""Shapes of deep formulas: found once per node (``objects.shape_of``), and a product's
Hadamard and elementwise factors stood in for by plain matrices while SymPy
canonicalises it (``tidy.shielded_doit``). Both must change nothing but the time."""

import pytest
import sympy
from helpers import network_loss
from sympy import HadamardPower, HadamardProduct, Inverse, MatrixSymbol, Symbol
from sympy.matrices.exceptions import ShapeError

import matderiv
from matderiv.expressions import Elementwise, hadamard_product, mat_add, mat_mul, rebuilt, shape_of
from matderiv.expressions.sympy_canonical import shielded_doit

m = Symbol("m", integer=True, positive=True)
n = Symbol("n", integer=True, positive=True)
A, B = MatrixSymbol("A", m, m), MatrixSymbol("B", m, m)
C = MatrixSymbol("C", m, n)
H = HadamardProduct(A, B)       # an opaque square factor
T = Elementwise("tanh", A * C)  # an opaque m x n factor
P = HadamardPower(C, 2)


def test_shape_of_agrees_with_sympy_on_every_node_of_a_deep_gradient():
    formula, shapes = network_loss(8)
    gradient = matderiv.derive(formula, wrt="W1", shapes=shapes).gradient()
    nodes = [e for e in sympy.preorder_traversal(gradient) if getattr(e, "is_Matrix", False)]
    assert len(nodes) > 50
    for node in nodes:
        assert shape_of(node) == node.shape


def test_deep_network_gradient_against_finite_differences():
    formula, shapes = network_loss(12)
    d = matderiv.derive(formula, wrt="W1", shapes=shapes)
    d.check()  # gradient and Jacobians against central finite differences


PRODUCTS = [
    sympy.MatMul(H, H, evaluate=False),                     # a power: H^2
    sympy.MatMul(A, H, H, C, evaluate=False),               # a power inside
    sympy.MatMul(Inverse(H), H, C, evaluate=False),         # cancels to C
    sympy.MatMul(H, Inverse(H), evaluate=False),            # cancels to I
    sympy.MatMul(H.T, H, C, evaluate=False),                # a transposed factor
    sympy.MatMul(sympy.Identity(m), H, sympy.Identity(m), T, evaluate=False),
    sympy.MatMul(2, H, 3, T, evaluate=False),               # numbers gathered in front
    sympy.MatMul(T, T.T, H, evaluate=False),
    sympy.MatMul(P.T, A, T, evaluate=False),
    sympy.MatMul(2, mat_add(H, A), evaluate=False),         # 2 (H + A): distributed
    sympy.MatMul(A, H, Inverse(sympy.MatMul(A, H)), C, evaluate=False),  # cancels
    sympy.MatMul(Inverse(sympy.MatMul(A, H)), A, H, evaluate=False),     # cancels
    sympy.MatMul(sympy.MatPow(H, 2), H, Inverse(H.T), evaluate=False),
]


@pytest.mark.parametrize("product", PRODUCTS, ids=str)
def test_stand_ins_leave_sympys_canonical_product_unchanged(product):
    assert shielded_doit(product) == product.doit(deep=False)


def test_unchecked_constructions_still_refuse_mismatched_sizes():
    # Where sizes differ, SymPy's own constructor decides, as before (it raises for
    # numbers; symbolic sizes it leaves to matderiv's parser, which checks them).
    D, E = MatrixSymbol("D", 2, 3), MatrixSymbol("E", 2, 2)
    with pytest.raises(ShapeError):
        mat_mul(D, E)
    with pytest.raises(ShapeError):
        mat_mul(5, D, D)
    with pytest.raises(ShapeError):
        mat_add(D, E)
    with pytest.raises(ShapeError):
        hadamard_product(E, D)
    with pytest.raises(ShapeError):
        rebuilt(D * D.T, [D, E])
    with pytest.raises(ShapeError):
        rebuilt(sympy.MatAdd(E, E), [E, D])
    assert mat_mul(2, A, C).args == (2, A, C)
    assert mat_mul(2, C, A) == sympy.MatMul(2, C, A)  # unchecked symbolic sizes: as SymPy
    assert mat_mul(A, C).shape == (m, n)


@pytest.mark.parametrize("expr, args", [
    (A * C, [sympy.Integer(2), A, C]), (A * C, [H, C]), (A * B, [A, sympy.Identity(m)]),
    (A + B, [A, A]), (A + B, [H, B.T]), (HadamardProduct(A, B), [B, H]),
    (HadamardProduct(C, C), [T, P]), (A * B, [sympy.Symbol("k"), B]),
], ids=str)
def test_rebuilt_is_the_node_sympys_constructor_builds(expr, args):
    assert rebuilt(expr, args) == expr.func(*args)
    assert type(rebuilt(expr, args)) is type(expr.func(*args))


def test_kronecker_shapes_are_sympys_for_compound_sizes():
    one, two, three = (MatrixSymbol(name, size, 1) for name, size in
                       [("u", m + 1), ("v", 2), ("w", n)])
    for product in [sympy.KroneckerProduct(one, two, three),
                    sympy.KroneckerProduct(three, one, two, one)]:
        assert shape_of(product) == product.shape
        assert str(shape_of(product)) == str(product.shape)


def test_a_generic_zero_is_left_to_sympys_constructor():
    from sympy.matrices.expressions.special import GenericZeroMatrix
    assert rebuilt(A + B, [GenericZeroMatrix(), B]) == sympy.MatAdd(GenericZeroMatrix(), B)
    assert mat_add(GenericZeroMatrix(), B) == sympy.MatAdd(GenericZeroMatrix(), B)

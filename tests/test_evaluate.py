"""matderiv.evaluate and matderiv.check against hand-written numpy, node type by node type."""

import numpy as np
import pytest
import sympy
from matderiv.evaluate import evaluate
from sympy import (
    Abs,
    Determinant,
    HadamardPower,
    HadamardProduct,
    Identity,
    Inverse,
    KroneckerProduct,
    MatAdd,
    MatMul,
    MatPow,
    MatrixSymbol,
    OneMatrix,
    Rational,
    Symbol,
    Trace,
    Transpose,
    ZeroMatrix,
)
from sympy.matrices.expressions.diagonal import DiagMatrix

from matderiv import check
from matderiv.build import Builder
from matderiv.check import assert_close, numeric_gradient, numeric_jacobian, random_values
from matderiv.errors import MatDerivError
from matderiv.objects import (
    AbstractFunction,
    AbstractGradient,
    CommutationMatrix,
    Elementwise,
    FrobeniusNorm,
    Inner,
    MatDiff,
    ScalarDiff,
    ScalarOf,
    SumEntries,
    Vec,
    Vecr,
    sigmoid,
)
from matderiv.shapes import declare

m, n, p = (Symbol(s, integer=True, positive=True) for s in "mnp")
A, B, X, Y = (MatrixSymbol(s, m, n) for s in "ABXY")
S, T = MatrixSymbol("S", n, n), MatrixSymbol("T", n, n)
a, b = MatrixSymbol("a", n, 1), MatrixSymbol("b", m, 1)
x, y = Symbol("x", real=True), Symbol("y", real=True)

RNG = np.random.default_rng(7)
VALUES = {
    "A": RNG.uniform(-1, 1, (2, 3)), "B": RNG.uniform(-1, 1, (2, 3)),
    "X": RNG.uniform(-1, 1, (2, 3)), "Y": RNG.uniform(0.5, 1.5, (2, 3)),
    "S": RNG.uniform(-1, 1, (3, 3)) + 3 * np.eye(3), "T": RNG.uniform(-1, 1, (3, 3)),
    "a": RNG.uniform(-1, 1, (3, 1)), "b": RNG.uniform(-1, 1, (2, 1)),
    "x": 0.7, "y": -0.4,
}
V = VALUES


def ev(expr, **extra):
    return evaluate(expr, {**VALUES, **extra})


def commutation(m, n):
    """K(m, n) built entry by entry from its definition K vec(A) = vec(A')."""
    K = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            K[j + i * n, i + j * m] = 1.0  # vec(A')[j + i n] = A[i, j] = vec(A)[i + j m]
    return K


def vec(M):
    return M.reshape(-1, 1, order="F")


# -- scalars ------------------------------------------------------------------

@pytest.mark.parametrize("expr, expected", [
    (sympy.Integer(3), 3.0),
    (Rational(1, 4), 0.25),
    (sympy.Float(2.5), 2.5),
    (sympy.pi, np.pi),
    (sympy.E, np.e),
    (x, 0.7),
    (x + 2 * y, 0.7 - 0.8),
    (x * y, 0.7 * -0.4),
    (x ** 3, 0.7 ** 3),
    (1 / x, 1 / 0.7),
    (sympy.sqrt(x), np.sqrt(0.7)),
    (sympy.exp(x), np.exp(0.7)),
    (sympy.log(x), np.log(0.7)),
    (sympy.sin(x), np.sin(0.7)),
    (sympy.cos(x), np.cos(0.7)),
    (sympy.tanh(y), np.tanh(-0.4)),
    (Abs(y), 0.4),
    (sigmoid(y), 1 / (1 + np.exp(0.4))),
])
def test_scalar_nodes(expr, expected):
    value = ev(expr)
    assert isinstance(value, float)
    assert value == pytest.approx(expected, rel=1e-14)


def test_python_numbers_and_dimension_symbols():
    assert evaluate(2, {}) == 2.0
    assert ev(n * x) == pytest.approx(3 * 0.7)  # n = 3 read off the arrays


# -- matrices -----------------------------------------------------------------

def test_matrix_symbol_and_vector_orientation():
    r = MatrixSymbol("r", 1, n)
    col = evaluate(a, {"a": [1.0, 2.0, 3.0]})
    row = evaluate(r, {"r": [1.0, 2.0, 3.0]})
    assert col.shape == (3, 1) and row.shape == (1, 3)
    assert col.dtype == np.float64
    result = ev(X)
    assert np.array_equal(result, V["X"])
    result[0, 0] = 99.0  # a copy, not the caller's array
    assert V["X"][0, 0] != 99.0


def test_products_sums_and_scalar_coefficients():
    assert np.allclose(ev(MatAdd(A, B, X)), V["A"] + V["B"] + V["X"])
    assert np.allclose(ev(X * S * a), V["X"] @ V["S"] @ V["a"])
    assert np.allclose(ev(MatMul(3, x, X, a)), 3 * 0.7 * V["X"] @ V["a"])
    assert np.allclose(ev(x * X + y * B), 0.7 * V["X"] - 0.4 * V["B"])
    assert np.allclose(ev(Transpose(X) * B), V["X"].T @ V["B"])


def test_one_by_one_mixes_with_scalars():
    inner = a.T * a  # a 1 x 1 matrix
    value = ev(MatMul(2, inner))
    assert value.shape == (1, 1) and value[0, 0] == pytest.approx(2 * float(V["a"].T @ V["a"]))
    assert ev(2 * ScalarOf(inner)) == pytest.approx(value[0, 0])
    env = declare({"a": ("n", 1), "x": ("n", 1), "B": ("n", "n")})
    expr = Builder(env).build_text("(a'*x)*(B*x)")
    xs = V["a"][::-1].copy()
    got = evaluate(expr, {"a": V["a"], "x": xs, "B": V["T"]})
    assert np.allclose(got, float(V["a"].T @ xs) * (V["T"] @ xs))


def test_inverse_powers_trace_determinant():
    Si = np.linalg.inv(V["S"])
    assert np.allclose(ev(Inverse(S)), Si)
    assert np.allclose(ev(MatPow(S, 3)), V["S"] @ V["S"] @ V["S"])
    assert np.allclose(ev(MatPow(S, -2)), Si @ Si)
    assert np.allclose(ev(MatPow(S, 0)), np.eye(3))
    assert ev(Trace(S * T)) == pytest.approx(np.trace(V["S"] @ V["T"]))
    assert ev(Determinant(S)) == pytest.approx(np.linalg.det(V["S"]))
    assert ev(sympy.log(Determinant(S))) == pytest.approx(np.log(np.linalg.det(V["S"])))
    with pytest.raises(MatDerivError, match="singular"):
        evaluate(Inverse(S), {"S": np.ones((3, 3))})


def test_hadamard_and_kronecker():
    assert np.allclose(ev(HadamardProduct(A, B, X)), V["A"] * V["B"] * V["X"])
    assert np.allclose(ev(HadamardPower(Y, 2)), V["Y"] ** 2)
    assert np.allclose(ev(HadamardPower(Y, Rational(-1, 2))), V["Y"] ** -0.5)
    assert np.allclose(ev(KroneckerProduct(A, S)), np.kron(V["A"], V["S"]))
    three = ev(KroneckerProduct(a, b.T, S))
    assert three.shape == (9, 6)
    assert np.allclose(three, np.kron(np.kron(V["a"], V["b"].T), V["S"]))


def test_constant_matrices_with_dimension_expressions():
    assert np.array_equal(ev(Identity(m * n)), np.eye(6))
    assert np.array_equal(ev(ZeroMatrix(m, n)), np.zeros((2, 3)))
    assert np.array_equal(ev(OneMatrix(n, 1)), np.ones((3, 1)))
    assert np.array_equal(evaluate(Identity(p), {"p": 4}), np.eye(4))
    assert np.allclose(ev(X + ZeroMatrix(m, n)), V["X"])


def test_diag_and_matrix_element():
    assert np.allclose(ev(DiagMatrix(a)), np.diag(V["a"].ravel()))
    assert ev(X[1, 2]) == V["X"][1, 2]
    assert ev((X * S)[0, 1]) == pytest.approx((V["X"] @ V["S"])[0, 1])


def test_commutation_matrix():
    K = ev(CommutationMatrix(m, n))
    A_ = V["A"]
    assert np.array_equal(K, commutation(2, 3))
    assert np.array_equal(K @ vec(A_), vec(A_.T))
    assert np.array_equal(ev(CommutationMatrix(n, m)), K.T)
    assert np.array_equal(evaluate(CommutationMatrix(4, 1), {}), np.eye(4))
    # through the grammar: K(m, n) vec(X) = vec(X')
    env = declare({"X": ("m", "n")})
    expr = Builder(env).build_text("K(m,n)*vec(X)")
    assert np.array_equal(evaluate(expr, {"X": A_}), vec(A_.T))


def test_vec_and_vecr():
    M = np.arange(6.0).reshape(2, 3)  # [[0, 1, 2], [3, 4, 5]]
    assert ev(Vec(X), X=M).ravel().tolist() == [0, 3, 1, 4, 2, 5]
    assert ev(Vecr(X), X=M).ravel().tolist() == [0, 1, 2, 3, 4, 5]
    assert ev(Vec(X), X=M).shape == (6, 1) == ev(Vecr(X), X=M).shape
    assert np.array_equal(ev(Vecr(X), X=M), ev(Vec(X.T), X=M))


@pytest.mark.parametrize("name, function", [
    ("exp", np.exp), ("log", np.log), ("tanh", np.tanh), ("sin", np.sin),
    ("cos", np.cos), ("sqrt", np.sqrt), ("sigmoid", lambda t: 1 / (1 + np.exp(-t))),
])
def test_elementwise(name, function):
    assert np.allclose(ev(Elementwise(name, Y)), function(V["Y"]), rtol=1e-14)


def test_scalar_functions_of_matrices():
    assert ev(FrobeniusNorm(X)) == pytest.approx(np.sqrt(np.sum(V["X"] ** 2)))
    assert ev(SumEntries(X)) == pytest.approx(np.sum(V["X"]))
    assert ev(Inner(A, B)) == pytest.approx(np.sum(V["A"] * V["B"]))
    assert ev(ScalarOf(a.T * a)) == pytest.approx(float(V["a"].T @ V["a"]))
    assert ev(sympy.exp(ScalarOf(b.T * X * a))) == pytest.approx(
        np.exp(float(V["b"].T @ V["X"] @ V["a"])))
    with pytest.raises(MatDerivError, match="scalar"):
        ev(ScalarOf(X))


def test_abstract_functions():
    functions = {"f": (lambda M: float(np.sum(M ** 3)), lambda M: 3 * M ** 2)}
    assert evaluate(AbstractFunction("f", X), VALUES, functions=functions) == \
        pytest.approx(np.sum(V["X"] ** 3))
    assert np.allclose(evaluate(AbstractGradient("f", X * S), VALUES, functions=functions),
                       3 * (V["X"] @ V["S"]) ** 2)
    with pytest.raises(MatDerivError, match="abstract function f"):
        ev(AbstractFunction("f", X))


def test_built_expressions():
    env = declare({"W": ("m", "n"), "a": ("n", 1)})
    expr = Builder(env).build_text("W*a")
    W = np.arange(6.0).reshape(2, 3)
    assert np.allclose(evaluate(expr, {"W": W, "a": [1.0, 0.0, -1.0]}), W @ [[1], [0], [-1]])
    env = declare({"X": ("n", "n")})
    expr = Builder(env).build_text("logdet(X) + sum(tanh(X)) + X.^2 + 2")
    M = np.eye(3) * 2
    assert np.allclose(evaluate(expr, {"X": M}),
                       np.log(8) + np.sum(np.tanh(M)) + M ** 2 + 2)


# -- sizes and errors ---------------------------------------------------------

def test_sizes_are_inferred_or_given():
    assert ev(Identity(n)).shape == (3, 3)
    assert evaluate(OneMatrix(m, n), {"m": 2, "n": np.int64(5)}).shape == (2, 5)
    assert evaluate(b * a.T, {"b": np.ones(2), "a": np.ones(3), "m": 2}).shape == (2, 3)


def test_inconsistent_sizes():
    with pytest.raises(MatDerivError, match="size n is 3"):
        evaluate(X * a, {"X": np.zeros((2, 3)), "a": np.zeros((4, 1))})
    with pytest.raises(MatDerivError, match="size m is 5"):
        evaluate(X, {"X": np.zeros((2, 3)), "m": 5})
    fixed = MatrixSymbol("F", 2, 2)
    with pytest.raises(MatDerivError, match="F is declared 2x2"):
        evaluate(fixed, {"F": np.zeros((2, 3))})


def test_missing_values_and_sizes():
    with pytest.raises(MatDerivError, match="no value given for a"):
        evaluate(X * a, {"X": np.zeros((2, 3))})
    with pytest.raises(MatDerivError, match="no value given for x"):
        evaluate(x * Trace(S), {"S": np.eye(3)})
    with pytest.raises(MatDerivError, match="size p is not known"):
        evaluate(Identity(p), {})


@pytest.mark.parametrize("expr", [MatDiff(X), ScalarDiff(x), X + MatDiff(X),
                                  sympy.Function("g")(x)])
def test_cannot_evaluate(expr):
    with pytest.raises(MatDerivError, match="cannot evaluate"):
        ev(expr)


# -- check.py -----------------------------------------------------------------

def test_random_values_sizes_and_reproducibility():
    expr = X * a + x * b
    values = random_values(expr, X, np.random.default_rng(1))
    assert {values["m"], values["n"]} <= {2, 3, 4, 5} and values["m"] != values["n"]
    assert all(type(values[d]) is int for d in "mn")
    assert values["X"].shape == (values["m"], values["n"])
    assert values["a"].shape == (values["n"], 1) and isinstance(values["x"], float)
    assert np.all(np.abs(values["X"]) <= 1)
    again = random_values(expr, X, np.random.default_rng(1))
    assert all(np.array_equal(values[k], again[k]) for k in values)
    given = random_values(expr, X, np.random.default_rng(1), sizes={"n": 7})
    assert given["n"] == 7 and given["a"].shape == (7, 1) and given["m"] != 7


def test_random_values_keep_functions_defined():
    values = random_values(Elementwise("log", X), X, np.random.default_rng(2))
    assert values["X"].min() >= 0.5
    values = random_values(x ** Rational(1, 2) * Trace(S), x, np.random.default_rng(2))
    assert values["x"] >= 0.5 and values["S"].min() >= 0.5
    values = random_values(Trace(Inverse(S)) + SumEntries(X), S, np.random.default_rng(2))
    k = values["n"]
    assert np.all(np.diag(values["S"]) >= k - 1) and np.all(np.abs(values["X"]) <= 1)
    values = random_values(sympy.log(Determinant(S * T)), S, np.random.default_rng(2))
    assert np.linalg.det(values["S"] @ values["T"]) > 0


def test_test_functions_are_smooth_and_their_gradients_right():
    functions = check.test_functions(["g", "f"])
    f, grad_f = functions["f"]
    Y0 = np.random.default_rng(3).uniform(-1, 1, (3, 2))
    i, j = np.indices(Y0.shape)
    C, D = 0.5 + 0.3 * np.sin(i + 2 * j + 1), 0.2 * np.cos(3 * i + j)
    assert f(Y0) == pytest.approx(np.sum(C * np.sin(Y0)) + 0.5 * np.sum(D * Y0) ** 2)
    assert functions["g"][0](Y0) != f(Y0)
    values = {"X": Y0.T}
    assert_close(evaluate(AbstractGradient("f", X), values, functions=functions),
                 numeric_gradient(AbstractFunction("f", X), X, values, functions=functions),
                 what="f'")


def test_numeric_jacobian_of_W_a_in_both_conventions():
    W, av = MatrixSymbol("W", m, n), MatrixSymbol("a", n, 1)
    values = random_values(W * av, W, np.random.default_rng(4))
    I_m = np.eye(values["m"])
    col = numeric_jacobian(W * av, W, values)
    row = numeric_jacobian(W * av, W, values, vec="row")
    assert col.shape == (values["m"], values["m"] * values["n"])
    assert_close(col, np.kron(values["a"].T, I_m), what="vec convention", rtol=1e-8)
    assert_close(row, np.kron(I_m, values["a"].T), what="vecr convention", rtol=1e-8)
    with pytest.raises(MatDerivError, match="vec must be"):
        numeric_jacobian(W * av, W, values, vec="column")


def test_numeric_jacobian_of_a_transpose_is_the_commutation_matrix():
    values = {"X": np.random.default_rng(5).uniform(-1, 1, (2, 3))}
    assert_close(numeric_jacobian(X.T, X, values), commutation(2, 3), what="dX'/dX")
    assert_close(numeric_jacobian(X.T, X, values, vec="row"), commutation(3, 2),
                 what="dX'/dX in vecr")


def test_numeric_gradients():
    Am, Xm, Bm = MatrixSymbol("A", p, m), MatrixSymbol("X", m, n), MatrixSymbol("B", n, p)
    expr = Trace(Am * Xm * Bm)
    values = random_values(expr, Xm, np.random.default_rng(6))
    G = numeric_gradient(expr, Xm, values)
    assert G.shape == values["X"].shape
    assert_close(G, values["A"].T @ values["B"].T, what="grad tr(AXB)")  # (B A)'
    assert numeric_jacobian(expr, Xm, values).shape == (1, values["X"].size)
    # a scalar variable
    scalar = x ** 2 * Trace(S)
    values = random_values(scalar, x, np.random.default_rng(6))
    assert numeric_gradient(scalar, x, values) == pytest.approx(
        2 * values["x"] * np.trace(values["S"]), rel=1e-7)
    with pytest.raises(MatDerivError, match="scalar"):
        numeric_gradient(Xm.T, Xm, values | {"X": np.ones((2, 3))})


def test_assert_close():
    assert assert_close(np.ones((2, 2)), np.ones((2, 2)) + 1e-9, what="ok") < 1e-8
    assert_close(3.0, np.array([[3.0]]), what="scalar vs 1x1")
    wrong = np.zeros((2, 3))
    wrong[1, 2] = 0.5
    with pytest.raises(MatDerivError, match=r"claim is WRONG.*entry \(1, 2\).*0\.5"):
        assert_close(wrong, np.zeros((2, 3)), what="claim")
    with pytest.raises(MatDerivError, match="shape"):
        assert_close(np.zeros((2, 3)), np.zeros((3, 2)), what="claim")
    with pytest.raises(MatDerivError, match="WRONG"):
        assert_close(np.array([[np.nan]]), np.zeros((1, 1)), what="claim")
    with pytest.raises(MatDerivError, match="not finite"):
        assert_close(np.zeros((1, 1)), np.array([[np.inf]]), what="claim")

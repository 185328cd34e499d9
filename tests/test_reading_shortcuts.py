"""The shortcuts of reading a formula must never change what is read: each is compared
here with the general way it stands in for, on many random inputs, errors included.

- ``declare`` checks a (rows, cols) or () tuple of plain names and whole numbers at
  once; a list of the same sizes goes the general way.
- ``Builder.multiply`` makes a product of matrices with nothing to gather at once
  (``joined_product``), where ``mat_mul`` would flatten and check it.
- ``tr``, ``det``, ``logdet`` and ``inv`` make their node directly from a square matrix,
  where SymPy's constructors would check its shape again; a transpose ``M'`` is made
  without sympifying M again.
- ``_folded_constants`` and ``check_numbers`` decide by a node's class what to look at.
"""

import random

import pytest
import sympy
from sympy import Determinant, Inverse, MatrixSymbol, Trace

from matderiv.errors import MatDerivError
from matderiv.expressions import mat_mul
from matderiv.expressions.joined import joined_product
from matderiv.syntax import builder as builder_module
from matderiv.syntax.builder import Builder, _folded_constants
from matderiv.syntax.parser import parse
from matderiv.syntax.shapes import declare
from tests.strategies import random_problem

NAMES = ["W", "x", "A", "k", "n", "m", "p", "I", "K", "tr", "x1", "_y", "1x", "é", "", "a b", 3,
         None, "def"]
SIZES = ["m", "n", "p", "x", "W", 1, 2, 7, 0, -1, True, False, 10**12, 2.0, None, "", " n",
         "n ", "n*m", "n^2", "2*n", "é", "m,n", "3", "٣", sympy.Integer(2),
         sympy.Symbol("q", integer=True, positive=True), sympy.Integer(-2)]


def _declared(shapes):
    """("env", names, symbols, shapes) of ``declare(shapes)``, or ("error", message)."""
    try:
        env = declare(shapes)
        return ("env", list(env), [sympy.srepr(env[name]) for name in env],
                [getattr(env[name], "shape", None) for name in env])
    except (MatDerivError, ValueError, TypeError) as error:
        return ("error", type(error).__name__, str(error))


def _random_shape(rng):
    return tuple(rng.choice(SIZES) for _ in range(rng.choice((0, 1, 2, 2, 2, 2, 3))))


@pytest.mark.parametrize("seed", range(3))
def test_declared_tuples_are_what_lists_of_the_same_sizes_give(seed):
    rng = random.Random(seed)
    plain = 0
    for _ in range(1500):
        shapes = {rng.choice(NAMES): _random_shape(rng) for _ in range(rng.randint(1, 5))}
        if rng.random() < 0.5:  # mostly plain declarations, the shortcut's
            shapes = {rng.choice(NAMES[:11]): rng.choice(
                [("m", "n"), ("n", 1), (), (3, "p"), ("n", "n"), (1, 1)])
                for _ in range(rng.randint(1, 6))}
        as_lists = {name: list(shape) for name, shape in shapes.items()}
        found = _declared(shapes)
        assert found == _declared(as_lists), shapes
        plain += found[0] == "env"
    assert plain > 500


def _square_matrices():
    """Square matrix texts of several kinds, over n x n, m x n and n x 1 names."""
    return ["X", "A*X", "X'", "X.T*A", "inv(X)", "X .* A", "kron(X, A)", "X^2", "A*B'", "I(n)",
            "ones(n, n)", "W'*W", "W*W'", "x*x'", "x'*x", "X + A", "2*X", "X*2*A", "-X",
            "A*X*B*X", "(A*X)*(B*X)", "X*(A*B)", "x'*A*x", "exp(X)", "X - A", "X*(2*A)",
            "(x'*x)*X", "sum(X)*A", "K(n, n)", "kron(X, A)*kron(A, X)"]


SHAPES = {"X": ("n", "n"), "A": ("n", "n"), "B": ("n", "n"), "W": ("m", "n"), "x": ("n", 1)}


def _built(text):
    return Builder(declare(SHAPES), source=text).build_text(text)


def _same(left, right) -> bool:
    return type(left) is type(right) and sympy.srepr(left) == sympy.srepr(right) \
        and left == right


@pytest.mark.parametrize("text", _square_matrices())
def test_square_functions_make_what_sympys_constructors_make(text):
    matrix = _built(text)
    if not getattr(matrix, "is_Matrix", False):
        return  # (a 1 x 1 read as a scalar: its functions are the scalar's)
    assert _same(_built(f"tr({text})"), Trace(matrix))
    assert _same(_built(f"det({text})"), Determinant(matrix))
    assert _same(_built(f"logdet({text})"), sympy.log(Determinant(matrix)))
    assert _same(_built(f"inv({text})"), Inverse(matrix))
    assert _same(_built(f"({text})'"), sympy.Transpose(matrix))


@pytest.mark.parametrize("text", ["tr(W)", "det(x)", "inv(W*A)", "logdet(W')"])
def test_square_functions_still_refuse_what_is_not_square(text):
    with pytest.raises(MatDerivError, match="needs a square matrix"):
        _built(text)


def _factors(rng, n):
    """Random matrix factors, chained n x n, with products and coefficients among them."""
    X, A, B = (MatrixSymbol(name, n, n) for name in "XAB")
    pieces = [X, A, B, X.T, Inverse(A), sympy.HadamardProduct(A, B)]
    factor = rng.choice(pieces)
    roll = rng.random()
    if roll < 0.3:
        return mat_mul(factor, rng.choice(pieces))
    if roll < 0.45:
        return mat_mul(rng.choice([2, sympy.Rational(1, 3), sympy.Symbol("k")]), factor,
                       rng.choice(pieces))
    return factor


@pytest.mark.parametrize("seed", range(2))
def test_a_product_of_two_matrices_is_mat_muls(seed):
    rng = random.Random(seed)
    n = sympy.Symbol("n", integer=True, positive=True)
    for _ in range(400):
        left, right = _factors(rng, n), _factors(rng, n)
        assert _same(joined_product(left, right), mat_mul(left, right)), (left, right)


def _folded_by_isinstance(expr):
    """``_folded_constants`` as it was written first, asking each node's classes."""
    complex_constant = False
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, builder_module._UNDEFINED):
            return True, complex_constant
        if isinstance(node, sympy.core.numbers.ImaginaryUnit):
            complex_constant = True
        elif node.args and not isinstance(node, MatrixSymbol):
            stack += node.args
    return False, complex_constant


def test_folded_constants_are_found_as_by_each_nodes_classes():
    X = MatrixSymbol("X", 2, 2)
    x = sympy.Symbol("x")
    exprs = [sympy.log(sympy.Integer(-1)) + 1, sympy.zoo * x, x + sympy.I, Trace(X) + sympy.oo,
             sympy.I * Trace(X) * sympy.exp(x + sympy.I * sympy.pi / 3), -sympy.oo + x,
             mat_mul(2, X, X), mat_mul(sympy.I, X), sympy.sqrt(-2) * x, sympy.nan]
    rng = random.Random(0)
    for _ in range(300):
        problem = random_problem(rng)
        exprs.append(Builder(declare(problem.shapes)).build(parse(problem.formula)))
    for expr in exprs:
        assert _folded_constants(expr) == _folded_by_isinstance(expr), expr


def test_numbers_are_checked_in_every_class_that_may_hold_one():
    """``check_numbers`` is asked where ``has_long_number`` says (products, sums and
    numbers with a long number first), and refuses exactly those; a value of any other
    class, or with short numbers, passes it, as it always passed."""
    builder = Builder({})
    big, x, X = sympy.Integer(10) ** 500, sympy.Symbol("x"), MatrixSymbol("X", 2, 2)
    for value in (big, big * x, big + x, mat_mul(big, X), sympy.Rational(1, big)):
        assert builder_module.has_long_number(value)
        with pytest.raises(MatDerivError, match="digits"):
            builder.check_numbers(value, None)
    for value in (X, Trace(X), x, 3 * x + 1, mat_mul(sympy.Rational(2, 3), X),
                  sympy.Integer(10) ** 40):
        assert not builder_module.has_long_number(value)
        builder.check_numbers(value, None)  # (refuses nothing)

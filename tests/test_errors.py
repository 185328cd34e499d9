"""Bad input: one MatDerivError naming the cause and the place; nothing is evaluated."""

import pytest
import sympy

import matderiv
from matderiv import MatDerivError

SH = {"W": ("m", "n"), "a": ("n", 1), "X": ("n", "n"), "b": ("m", 1)}


@pytest.mark.parametrize("formula, message, column", [
    ("W*", "ends where an operand was expected", 3),
    ("(W*a", r"unbalanced '\('", 1),
    ("W*a)", r"unbalanced '\)'", 4),
    ("W a", "missing operator", 3),
    ("W*$", r"unexpected character '\$'", 3),
    ("W.__class__", "attribute access is not allowed", 2),
    ("tr(X,)", "operand", 6),
    # a name is refused whole, from its first letter, where a non-ASCII letter follows
    # ASCII ones (the tokenizer reads ASCII names at once, and must not stop short)
    ("W*abcé", "name 'abcé' has non-ASCII letters", 3),
    ("W.Té", "attribute access is not allowed", 2),
    ("W*1.5.T2", "attribute access is not allowed", 6),
])
def test_syntax_errors_name_the_position(formula, message, column):
    with pytest.raises(MatDerivError, match=message) as info:
        matderiv.derive(formula, wrt="W", shapes=SH)
    assert f"column {column}" in str(info.value)
    assert "^" in str(info.value)  # the caret under the formula


@pytest.mark.parametrize("formula, wrt, message", [
    ("W*tr", "W", "'tr' is a function: write tr"),  # (an undeclared Q is inferred)
    ("W*b", "W", "cannot multiply mxn by mx1"),
    ("det(W)", "W", "det needs a square matrix"),
    ("inv(W)", "W", "inv needs a square matrix"),
    ("logdet(W*a)", "W", "needs a square matrix"),
    ("W*a", "Z", "not a name of the formula"),
    ("W + a", "W", "cannot add"),
    ("X .* W", "X", "element-wise product"),
    ("X^0.5", "X", "must be an integer"),
    ("W(a)", "W", "cannot be read"),
    ("", "W", "empty"),
])
def test_semantic_errors(formula, wrt, message):
    with pytest.raises(MatDerivError, match=message):
        matderiv.derive(formula, wrt=wrt, shapes=SH)


@pytest.mark.parametrize("shapes, message", [
    ({"W": ("m", 0)}, "must be positive"),
    ({"W": ("m", -2)}, "must be positive"),
    ({"W": ("m", "n+1")}, "not a name or a positive integer"),
    ({"W": ("m", "n", "p")}, "has 3 sizes"),
    ({"W": ("m", "W")}, "names both a matrix and a size"),
    ({"W": ("m", sympy.Integer(-2))}, "must be positive"),  # a SymPy size, checked as an int
])
def test_bad_shapes(shapes, message):
    with pytest.raises(MatDerivError, match=message):
        matderiv.derive("W", wrt="W", shapes=shapes)
    # A declaration the formula does not use is checked all the same (symbols are made
    # only when looked up; their declarations are checked at once).
    unused = {"x": ("n", 1), **shapes}
    with pytest.raises(MatDerivError, match=message):
        matderiv.derive("x", wrt="x", shapes=unused)


def test_declared_names_are_the_symbols_sympy_would_make():
    import sympy

    from matderiv.syntax.shapes import declare
    env = declare({"W": ("m", "n"), "a": ("n",), "k": (), "B": (" m ", 2)})
    assert list(env) == ["W", "a", "k", "B", "m", "n"] and len(env) == 6
    m, n = (sympy.Symbol(s, integer=True, positive=True) for s in "mn")
    assert dict(env) == {"W": sympy.MatrixSymbol("W", m, n), "a": sympy.MatrixSymbol("a", n, 1),
                         "k": sympy.Symbol("k", real=True), "B": sympy.MatrixSymbol("B", m, 2),
                         "m": m, "n": n}
    assert env["W"].shape[0] is env["B"].shape[0] is env["m"]  # one size, made once
    assert "W" in env and "p" not in env and env.get("p") is None
    assert env.copy() == dict(env) and repr(env) == repr(dict(env))
    # a SymPy size is named by its name, as before (a Dummy prints otherwise)
    with pytest.raises(MatDerivError, match="names both a matrix and a size"):
        declare({"W": ("m", sympy.Dummy("p")), "p": ()})


@pytest.mark.parametrize("formula", [
    "__import__('os').system('id')", "lambda: 0", "().__class__.__bases__", "f(x=1)",
    "'text'", "(x := 1)", "W\x00a",
])
def test_code_is_never_run(formula):
    with pytest.raises(MatDerivError):
        matderiv.derive(formula, wrt="W", shapes=SH)


def test_limits_are_errors_not_crashes():
    with pytest.raises(MatDerivError, match="nested more than"):
        matderiv.derive("(" * 300 + "W" + ")" * 300, wrt="W", shapes=SH)
    with pytest.raises(MatDerivError, match="more than 4000 tokens"):
        matderiv.derive("W" + "+W" * 5000, wrt="W", shapes=SH)
    with pytest.raises(MatDerivError, match="characters long"):
        matderiv.derive("W" + "+W" * 20000, wrt="W", shapes=SH)
    with pytest.raises(MatDerivError, match="beyond the limit"):
        matderiv.derive("X^1000000", wrt="X", shapes=SH)


def test_gradient_of_matrix_formula_is_refused():
    with pytest.raises(MatDerivError, match="not a scalar"):
        matderiv.derive("W*a", wrt="W", shapes=SH).gradient()


def test_bad_vec_convention():
    with pytest.raises(MatDerivError, match="vec must be"):
        matderiv.derive("W*a", wrt="W", shapes=SH).jacobian(vec="diag")

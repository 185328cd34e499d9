"""Shapes inferred from the formula (matderiv/syntax/inference.py): what each operation
fixes, how a choice between readings is made, declared shapes winning, contradictions
reported where they are, open shapes asked for, sizes named; every derivative taken
with inferred shapes is checked against finite differences."""

import re

import pytest
import sympy

import matderiv
from matderiv import MatDerivError
from matderiv.syntax import FUNCTIONS
from matderiv.syntax.inference import CALL_SHAPES, SIZE_NAMES, infer_shapes, infer_text
from matderiv.syntax.latex import parse_latex
from matderiv.syntax.shapes import declare
from matderiv.syntax.unify import MATRIX, Sizes

# -- what each operation fixes ----------------------------------------------------------

#: (formula, the shapes inferred for it, nothing declared)
RULES = [
    # products fix inner sizes; transposes swap
    ("W*a", {"W": ("n", "m"), "a": ("m", 1)}),
    ("W*X", {"W": ("n", "m"), "X": ("m", "p")}),
    ("A*X*B", {"A": ("n", "m"), "X": ("m", "p"), "B": ("p", "q")}),
    ("X'*Y", {"X": ("n", "m"), "Y": ("n", "p")}),
    ("x'*A*x + b'*x", {"x": ("n", 1), "A": ("n", "n"), "b": ("n", 1)}),
    # sums, element-wise products and inner products: equal shapes
    ("A .* B + C", {"A": ("n", "m"), "B": ("n", "m"), "C": ("n", "m")}),
    ("A ./ B - C", {"A": ("n", "m"), "B": ("n", "m"), "C": ("n", "m")}),
    ("dot(U, V)", {"U": ("n", "m"), "V": ("n", "m")}),
    ("inner(u, v)", {"u": ("n", 1), "v": ("n", 1)}),
    ("W*x + b", {"W": ("n", "m"), "x": ("m", 1), "b": ("n", 1)}),
    # square arguments
    ("tr(A*X*B)", {"A": ("n", "m"), "X": ("m", "p"), "B": ("p", "n")}),
    ("logdet(X)", {"X": ("n", "n")}),
    ("det(X) + tr(Y)", {"X": ("n", "n"), "Y": ("m", "m")}),
    ("inv(X)*A", {"X": ("n", "n"), "A": ("n", "m")}),
    ("X^-1", {"X": ("n", "n")}),
    ("X^3*Y", {"X": ("n", "n"), "Y": ("n", "m")}),
    # scalars by position: divisors, exponents
    ("X/Y", {"X": ("n", "m"), "Y": ()}),
    ("X.^k", {"X": ("n", "m"), "k": ()}),
    ("2^k*X", {"k": (), "X": ("n", "m")}),
    ("x/norm(x)", {"x": ("n", 1)}),
    # functions of the grammar
    ("sum(exp(A))", {"A": ("n", "m")}),
    ("norm(A*x - b)^2", {"A": ("n", "m"), "x": ("m", 1), "b": ("n", 1)}),
    ("norm(X, 2)", {"X": ("n", 1)}),
    ("softmax(z)", {"z": ("n", 1)}),
    ("sigmoid(W*x)", {"W": ("n", "m"), "x": ("m", 1)}),
    ("diag(v)*A", {"v": ("n", 1), "A": ("n", "m")}),
    ("kron(A, B)", {"A": ("n", "m"), "B": ("p", "q")}),
    ("kron(x, y)'*Z", {"x": ("n", 1), "y": ("m", 1), "Z": ("n*m", "p")}),
    ("A*vec(X)", {"A": ("n", "m*p"), "X": ("m", "p")}),
    ("vecr(X)'*a", {"X": ("n", "m"), "a": ("n*m", 1)}),
    ("f(W*X)", {"W": ("n", "m"), "X": ("m", "p")}),
    ("f'(Y) .* G", {"Y": ("n", "m"), "G": ("n", "m")}),
    # sizes written by name or number
    ("I(k)*X", {"X": ("k", "n")}),
    ("X*ones(3)", {"X": ("n", 3)}),
    ("ones(m, n)'*X", {"X": ("m", "p")}),
    ("K(m, n)*vec(X)", {"X": ("m", "n")}),
    ("b*ones(k)' + W*X", {"b": ("n", 1), "W": ("n", "m"), "X": ("m", "k")}),
]


@pytest.mark.parametrize("formula, shapes", RULES, ids=[r[0] for r in RULES])
def test_each_operation_fixes_what_it_says(formula, shapes):
    assert infer_text(formula).shapes == shapes


def test_names_written_as_sizes_are_sizes():
    inferred = infer_text("I(k)*X + ones(k, p*q)*K(p, q)*ones(p*q, k) + p*X")
    assert inferred.sizes == ("k", "p", "q") and inferred.shapes == {"X": ("k", "k")}
    matderiv.derive("I(k)*X + ones(k, p*q)*K(p, q)*ones(p*q, k) + p*X", "X").check()


def test_every_function_of_the_grammar_has_a_shape_rule():
    """Adding a function to the grammar is one entry in CALL_SHAPES: this says which."""
    assert set(FUNCTIONS) <= set(CALL_SHAPES), set(FUNCTIONS) - set(CALL_SHAPES)


def test_a_function_without_a_shape_rule_asks_for_shapes(monkeypatch):
    monkeypatch.delitem(CALL_SHAPES, "softmax")
    with pytest.raises(MatDerivError, match=r"cannot be inferred through softmax\(\.\.\.\)"):
        infer_text("sum(softmax(z))")
    # with every name declared there is nothing to infer: the Builder decides alone
    declared = declare({"z": ("n", 1)})
    assert infer_shapes(_tree("sum(softmax(z))"), declared).shapes == {}
    assert infer_shapes(parse_latex(r"\mathbf{x}"), declare({"x": ("n", 1)})).shapes == {}
    # a rule gives None for a form it has no rule for (unvec, say)
    with pytest.raises(MatDerivError, match=r"cannot be inferred through unvec") as caught:
        infer_text("x + tr(unvec(v, n, n))")
    assert caught.value.span == (7, 21)
    assert infer_text("sum(A)").shapes == {"A": ("n", "m")}
    assert infer_text("sum(A, 1)*x").shapes == {"A": ("n", "m"), "x": ("m", 1)}


# -- choosing between readings ------------------------------------------------------------

#: (formula, shapes): where a 1 x 1 could scale or multiply, add or broadcast.
READINGS = [
    # 1. capitals are matrices; other names columns (vectors, or scalars where 1 x 1)
    ("X", {"X": ("n", "m")}),
    ("x", {"x": ("n", 1)}),
    ("exp(x) + 1", {"x": ("n", 1)}),
    # 2. a small-letter factor on the left scales ...
    ("a*B", {"a": (), "B": ("n", "m")}),
    ("c*x", {"c": (), "x": ("n", 1)}),
    ("-k*X", {"k": (), "X": ("n", "m")}),
    ("lambda*norm(w)^2 + norm(X*w - y)^2",
     {"lambda": (), "w": ("n", 1), "X": ("m", "n"), "y": ("m", 1)}),
    # ... unless a row or a number stands on its right
    ("x*y'", {"x": ("n", 1), "y": ("m", 1)}),
    ("x*2", {"x": ("n", 1)}),
    # a small-letter name added to a 1 x 1 that is not a number is a scalar
    ("c + tr(X)", {"c": (), "X": ("n", "n")}),
    ("tr(X) - c", {"X": ("n", "n"), "c": ()}),
    ("x + y + tr(X)", {"x": (), "y": (), "X": ("n", "n")}),
    ("(a + b - 1)*X", {"a": (), "b": (), "X": ("n", "m")}),
    ("(x - y)*(x - y)'", {"x": ("n", 1), "y": ("n", 1)}),
    # a number is a scalar, meeting every entry
    ("x + 1", {"x": ("n", 1)}),
    ("1 + exp(X)", {"X": ("n", "m")}),
    # 3. otherwise capitals keep their sizes free: the small letter is the scalar
    ("X + k", {"X": ("n", "m"), "k": ()}),
    ("X .* a", {"X": ("n", "m"), "a": ()}),
    ("exp(k)*X", {"k": (), "X": ("n", "m")}),
    ("dot(k, X)", {"k": (), "X": ("n", "m")}),
    # ... and a 1 x 1 product scales what follows, as on paper
    ("(a'*x)*(A*x)", {"a": ("n", 1), "x": ("n", 1), "A": ("m", "n")}),
    ("x'*y*Z", {"x": ("n", 1), "y": ("n", 1), "Z": ("m", "p")}),
    # what the formula fixes wins over the conventions
    ("tr(x)", {"x": ()}),
    ("X^k", {"X": (), "k": ()}),
    ("x'*x*X + y", {"x": ("n", 1), "X": ("m", "p"), "y": ()}),
    # a name the Builder needs as a matrix stays one when it is 1 x 1
    ("tr(a)*kron(a, B)", {"a": (1, 1), "B": ("n", "m")}),
    ("f(k) + tr(k)", {"k": (1, 1)}),
]


@pytest.mark.parametrize("formula, shapes", READINGS, ids=[r[0] for r in READINGS])
def test_a_choice_between_readings_follows_the_conventions(formula, shapes):
    assert infer_text(formula).shapes == shapes


@pytest.mark.parametrize("formula, wrt", [
    ("x'*A*x + b'*x", "x"), ("x'*A*x + b'*x", "A"), ("W*a", "W"), ("f(W*X)", "W"),
    ("tr(A*X*B)", "X"), ("norm(A*x - b)^2", "x"), ("A*X*B", "X"), ("logdet(X)", "X"),
    ("f(W*X)", "X"), ("f'(Y) .* G", "G"),
    ("sum((W2*tanh(W1*x + b1) + b2 - y).^2)", "W1"),
    ("sum(log(1 + exp(-y .* (X*w))))", "w"), ("log(sum(exp(W*x))) - y'*W*x", "W"),
    ("a*B", "B"), ("lambda*norm(w)^2 + norm(X*w - y)^2", "w"), ("c + tr(X)", "X"),
    ("X + k", "X"), ("x*y'", "x"), ("(a'*x)*(A*x)", "x"), ("A*vec(X)", "A"),
    ("kron(x, y)'*Z", "y"), ("a'*K(m, n)*vec(X)", "a"), ("diag(v)*A", "A"),
    ("tr(a)*kron(a, B)", "B"), ("b*ones(k)' + W*X", "W"), ("x/norm(x)", "x"),
    ("softmax(z)", "z"), ("norm(X, 2)", "X"), ("dot(k, X)", "X"), ("X/Y", "X"),
])
def test_every_derivative_with_inferred_shapes_agrees_with_finite_differences(formula, wrt):
    derivation = matderiv.derive(formula, wrt=wrt)
    assert derivation.inferred_shapes and derivation.check().max_error < 1e-6
    if derivation.is_scalar and not derivation.abstract_functions:  # (f'' is not known)
        derivation.check(hessian=True)


# -- declared shapes win --------------------------------------------------------------------

def test_declared_shapes_win_and_the_rest_is_inferred_from_them():
    d = matderiv.derive("W*x + b", wrt="W", shapes={"W": ("m", "n")})
    m, n = (sympy.Symbol(s, integer=True, positive=True) for s in "mn")
    assert d.shapes == {"W": (m, n), "x": (n, 1), "b": (m, 1)}
    assert d.inferred_shapes == {"x": (n, 1), "b": (m, 1)} and d.inferred == ("x", "b")
    d.check()
    d = matderiv.derive("W*x + b", wrt="x", shapes={"W": (3, 4)})
    assert d.inferred_shapes == {"x": (4, 1), "b": (3, 1)} and d.jacobian().shape == (3, 4)
    d.check()


def test_declarations_against_the_conventions():
    # a small-letter name declared a column: a*B is an outer product, B a row
    assert infer_shapes(_tree("a*B"), declare({"a": ("n", 1)})).shapes == {"B": (1, "m")}
    # a capital declared a vector, a small letter declared a matrix
    assert infer_shapes(_tree("X'*A*X"), declare({"X": ("n", 1)})).shapes == {"A": ("n", "n")}
    assert infer_shapes(_tree("w*x"), declare({"w": ("m", "n")})).shapes == {"x": ("n", 1)}
    d = matderiv.derive("w*x", wrt="w", shapes={"w": ("m", "n")})
    d.check()
    # a declared scalar, and a declared 1 x 1 matrix
    assert infer_shapes(_tree("k*X + Y"), declare({"k": ()})).shapes == {
        "X": ("n", "m"), "Y": ("n", "m")}
    assert infer_shapes(_tree("A*B"), declare({"A": (1, 1)})).shapes == {"B": ("n", "m")}


def test_none_and_empty_shapes_both_infer_and_sympy_input_is_as_it_was():
    one, other = matderiv.derive("W*a", "W"), matderiv.derive("W*a", "W", {})
    assert one.shapes == other.shapes and one.jacobian() == other.jacobian()
    W, a = matderiv.matrix("W", "m", "n"), matderiv.vector("a", "n")
    d = matderiv.derive(W * a, wrt=W)
    assert d.inferred == () and d.inferred_shapes == {}
    assert d.shapes == {"W": W.shape, "a": a.shape}


def test_latex_trees_are_inferred_alike():
    d = matderiv.derive(r"\operatorname{tr}(A X B) + \mathbf{x}^\top \Sigma \mathbf{x}",
                        wrt="X", syntax="latex")
    assert d.inferred_shapes == matderiv.derive("tr(A*X*B) + x'*Sigma*x", "X").inferred_shapes
    assert [str(s) for s in d.shapes["Sigma"]] == ["q", "q"]
    d.check()


# -- contradictions and open shapes ------------------------------------------------------------

@pytest.mark.parametrize("formula, shapes, message, column", [
    # the formula against itself
    ("tr(ones(2, 3)) + X", {}, "tr needs a square matrix", 1),
    ("ones(2, 3)*X + ones(3, 2)*X", {}, r"cannot multiply 3x2 by 3xn", 16),
    # against a declaration: the Builder's usual error, with the shapes inferred there
    ("x'*A*x", {"A": ("m", "n")}, r"cannot multiply 1xn by mx1: n columns against m rows "
     r"\(with the shapes inferred: x m×1; declare them with -s\)", 1),
    ("W*b", {"W": ("m", "n"), "b": ("m", 1)}, r"cannot multiply mxn by mx1: n columns "
     r"against m rows at column 1 of 'W\*b'$", 1),
    ("W*x + V*x", {"W": ("m", "n"), "V": ("p", "n")}, r"cannot add mx1 and px1", 1),
])
def test_a_contradiction_is_the_builders_error_at_its_place(formula, shapes, message, column):
    with pytest.raises(MatDerivError) as caught:
        matderiv.derive(formula, wrt=next(n for n in "XxWA" if n in formula), shapes=shapes)
    assert re.search(message, caught.value.one_line()), caught.value.one_line()
    assert caught.value.span[0] + 1 == column


def test_a_size_fixed_only_through_a_product_is_asked_for():
    with pytest.raises(MatDerivError) as caught:
        matderiv.derive("kron(A, B)*vec(X)", wrt="X")
    message = caught.value.one_line()
    assert message.startswith("the formula leaves the shapes of A, B and X open: it fixes "
                              "only the product m*q = r*s of their sizes; declare them with "
                              "-s (e.g. -s A=n,m) at column 1")
    with pytest.raises(MatDerivError, match="leaves the shapes of A and B open"):
        matderiv.derive("kron(A, B)*ones(6)", wrt="A")
    assert infer_text("kron(X, X) + I(9)").shapes == {"X": (3, 3)}
    # declaring one of them settles it: a product of free sizes against as many known
    # sizes takes them in order
    d = matderiv.derive("kron(A, B)*vec(X)", wrt="A", shapes={"X": ("m", "n")})
    assert [[str(s) for s in shape] for shape in d.inferred_shapes.values()] == [
        ["p", "m"], ["q", "n"]]
    d.check()
    d = matderiv.derive("kron(A, B)*ones(6)", wrt="B", shapes={"A": (2, 2)})
    assert d.inferred_shapes == {"B": (sympy.Symbol("n", integer=True, positive=True), 3)}
    d.check()


def test_a_product_of_sizes_can_be_declared_as_it_is_inferred():
    env = declare({"v": ("m*n", 1), "W": ("2*p", "3*4"), "u": ("1*n",)}, sizes=["q"])
    m, n, p, q = (env[s] for s in "mnpq")
    assert env["v"].shape == (m * n, 1) and env["W"].shape == (2 * p, 12)
    assert env["u"].shape == (n, 1) and list(env) == ["v", "W", "u", "m", "n", "p", "q"]
    for bad in ("m*", "m**n", "m*n+1", "m*0"):
        with pytest.raises(MatDerivError, match="not a name or a positive integer|positive"):
            declare({"v": (bad, 1)})
    with pytest.raises(MatDerivError, match="beyond the limit"):
        declare({"v": ("100000*100000", 1)})
    inferred = matderiv.derive("A*vec(X)", wrt="A")
    again = matderiv.derive("A*vec(X)", wrt="A", shapes={
        name: tuple(str(s) for s in shape) for name, shape in inferred.shapes.items()})
    assert again.shapes == inferred.shapes and again.inferred == ()
    again.check()


# -- naming the free sizes ------------------------------------------------------------------

def test_free_sizes_are_named_in_order_of_appearance_avoiding_names_in_use():
    assert infer_text("B*A").shapes == {"B": ("n", "m"), "A": ("m", "p")}
    assert infer_text("n*X + m").shapes == {"n": (), "X": ("p", "q"), "m": ()}
    inferred = infer_shapes(_tree("W*x + A*y"), declare({"W": ("n", "m")}))
    assert inferred.shapes == {"x": ("m", 1), "A": ("n", "p"), "y": ("p", 1)}
    chain = "*".join(f"A{i}" for i in range(12))
    names = [shape[1] for shape in infer_text(chain).shapes.values()]
    assert names == [*SIZE_NAMES[1:], "n1", "m1", "p1"]
    assert infer_text(chain).shapes == infer_text(chain).shapes  # the same every time


# -- the unifier ----------------------------------------------------------------------------

def test_the_unifier_solves_products_and_undoes_what_it_tried():
    sizes = Sizes()
    a, b, c = sizes.free(MATRIX), sizes.free(), sizes.free()
    mark = sizes.mark()
    assert sizes.unify(a, sizes.number(4)) and sizes.find(a).value == 4
    sizes.undo(mark)
    assert sizes.find(a).value is None and sizes.find(a).origin == MATRIX
    # a*2 = 6 fixes a; b*c = 1 fixes both; m*n = b*m fixes b
    assert sizes.unify(sizes.product([a, sizes.number(2)]), sizes.number(6))
    assert sizes.text(a) == "3"
    assert sizes.unify(sizes.product([b, c]), sizes.one) and sizes.is_one(b)
    g, h = sizes.free(), sizes.free()  # g*g = 9 and h*h = m*m*4: roots
    assert sizes.unify(sizes.product([g, g]), sizes.number(9)) and sizes.text(g) == "3"
    assert sizes.unify(sizes.product([h, h]), sizes.product(
        [sizes.named("m"), sizes.number(4), sizes.named("m")])) and sizes.text(h) == "2*m"
    assert not sizes.unify(sizes.product([sizes.free()] * 2), sizes.number(8))
    d, e = sizes.free(), sizes.free()
    assert sizes.unify(sizes.product([sizes.named("m"), sizes.named("n")]),
                       sizes.product([d, sizes.named("m")])) and sizes.text(d) == "n"
    # what cannot hold: 3 = 4, m = n, m*e = n (a name cannot be divided out), 2*e = 3
    assert not sizes.unify(sizes.number(3), sizes.number(4))
    assert not sizes.unify(sizes.named("m"), sizes.named("n"))
    assert not sizes.unify(sizes.product([sizes.named("m"), e]), sizes.named("n"))
    assert not sizes.unify(sizes.product([sizes.number(2), e]), sizes.number(3))
    # e = e*f: f is 1
    f = sizes.free()
    assert sizes.unify(e, sizes.product([e, f])) and sizes.is_one(f)
    # p*q = r*s waits; then it is open
    p, q, r, s = (sizes.free() for _ in range(4))
    assert sizes.unify(sizes.product([p, q]), sizes.product([r, s]))
    failed, still_open = sizes.settle()
    assert failed == [] and len(still_open) == 1
    assert sizes.unify(r, p)  # now it says q = s
    assert sizes.settle() == ([], []) and sizes.find(q) is sizes.find(s)


def _tree(text):
    from matderiv.syntax.parser import parse
    return parse(text)

"""The printers' own order of terms and factors (render/term_order.py) is SymPy's, term for
term: checked against SymPy's own methods on the entry formulas of element-wise proofs
and on random sums and products of index sums, numbers, powers and functions."""

import random

import pytest
from sympy import (
    Add,
    Dummy,
    MatrixSymbol,
    Mul,
    Pow,
    Rational,
    Sum,
    Symbol,
    default_sort_key,
    exp,
    log,
    preorder_traversal,
    tanh,
)
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter
from test_proofs import PROVEN

import matderiv
from matderiv.render.latex import MatrixLatexPrinter, to_latex
from matderiv.render.term_order import (
    holds_bounded_sum,
    ordered_factors,
    ordered_terms,
    sort_key,
)
from matderiv.render.text import TextPrinter, to_text


class SymPyOrder(TextPrinter):
    """The text printer with SymPy's own order (the slow way)."""

    def _as_ordered_terms(self, expr, order=None):
        return StrPrinter._as_ordered_terms(self, expr, order)

    def _print_Mul(self, expr):
        return StrPrinter._print_Mul(self, expr)


class SymPyLatexOrder(MatrixLatexPrinter):
    """The LaTeX printer with SymPy's own order of terms."""

    def _as_ordered_terms(self, expr, order=None):
        return LatexPrinter._as_ordered_terms(self, expr, order)


def _check(expr):
    """Every part of ``expr`` is ordered and printed as SymPy does."""
    assert to_text(expr) == SymPyOrder().doprint(expr)
    assert to_latex(expr) == SymPyLatexOrder({"mat_symbol_style": "plain"}).doprint(expr)
    for node in preorder_traversal(expr):
        if not hasattr(node, "sort_key"):
            continue
        assert sort_key(node) == default_sort_key(node)
        if isinstance(node, Add) and not node.is_Matrix:
            assert ordered_terms(node) == node.as_ordered_terms()
        if type(node) is Mul:
            assert ordered_factors(node) == node.as_ordered_factors()


@pytest.mark.parametrize("formula, wrt, shapes", PROVEN, ids=[p[0] for p in PROVEN])
def test_elementwise_lines_in_sympys_order(formula, wrt, shapes):
    proof = matderiv.derive(formula, wrt=wrt, shapes=shapes).proof("elementwise")
    for section in proof.sections:
        for line in section.lines:
            _check(line.rhs)


def _random_expr(rng, parts, depth):
    if depth == 0 or rng.random() < 0.15:
        return rng.choice(parts)
    kind = rng.choice(["add", "mul", "mul", "pow", "sum", "sum", "fn", "neg"])
    if kind == "add":
        return Add(*(_random_expr(rng, parts, depth - 1) for _ in range(rng.randint(2, 3))))
    if kind == "mul":
        return Mul(*(_random_expr(rng, parts, depth - 1) for _ in range(rng.randint(2, 3))))
    if kind == "pow":
        return Pow(_random_expr(rng, parts, depth - 1),
                   rng.choice([2, -1, -2, Rational(1, 2), Rational(-3, 2)]))
    if kind == "neg":
        return rng.choice([-1, -2, Rational(1, 3), Rational(-5, 2)]) * \
            _random_expr(rng, parts, depth - 1)
    if kind == "fn":
        return rng.choice([tanh, exp, log])(_random_expr(rng, parts, depth - 1))
    k = Dummy("k", integer=True) if rng.random() < 0.3 else Symbol("k", integer=True)
    n = Symbol("n", integer=True, positive=True)
    A = MatrixSymbol("A", n, n)
    body = _random_expr(rng, parts + [A[k, k]], depth - 1) * A[k, 0]
    high = rng.choice([n - 1, 2, n + 1])  # a bound with a free symbol, or none
    return Sum(body, (k, 0, high))


@pytest.mark.parametrize("seed", range(60))
def test_random_sums_in_sympys_order(seed):
    rng = random.Random(seed)
    n = Symbol("n", integer=True, positive=True)
    A, x = MatrixSymbol("A", n, n), MatrixSymbol("x", n, 1)
    i, j = Symbol("i", integer=True), Symbol("j", integer=True)
    k = Symbol("k", integer=True)
    parts = [A[i, j], x[j, 0], x[0, 0], Symbol("t"), Rational(3), Rational(-1, 2), n,
             Sum(A[i, k] * x[k, 0], (k, 0, n - 1))]
    expr = _random_expr(rng, parts, 4)
    _check(expr)


def test_a_bounded_sum_is_found_inside_products():
    n, k = Symbol("n", integer=True, positive=True), Symbol("k", integer=True)
    x = MatrixSymbol("x", n, 1)
    inside = tanh(Sum(x[k, 0], (k, 0, n - 1))) * x[0, 0]
    assert holds_bounded_sum(inside) and not holds_bounded_sum(tanh(x[0, 0]))
    assert not holds_bounded_sum(Sum(x[k, 0], (k, 0, 2)))  # no free bound: SymPy decides

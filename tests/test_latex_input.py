r"""LaTeX in: ``derive(r"\operatorname{tr}(A X B)", ..., syntax="latex")`` reads as the
formula grammar does, errors point at the LaTeX column, and matderiv's own LaTeX output
parses back to the same formula (over the benchmark corpus and random formulas)."""

from __future__ import annotations

import os
import random
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import matderiv
from matderiv import MatDerivError
from matderiv.cli import main
from matderiv.numeric.evaluate import evaluate_all
from matderiv.numeric.points import random_values
from matderiv.render import to_latex
from matderiv.syntax import Builder, declare

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "benchmarks"))
sys.path.insert(0, HERE)

SQUARE = {"X": ("n", "n"), "A": ("n", "n"), "B": ("n", "n")}
AXB = {"A": ("p", "m"), "X": ("m", "n"), "B": ("n", "p")}
LSQ = {"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)}
W_X = {"W": ("m", "n"), "X": ("n", "b")}

#: (LaTeX, the same formula in the grammar, variable, shapes)
SAME = [
    (r"\operatorname{tr}(A X B)", "tr(A*X*B)", "X", AXB),
    (r"\mathrm{tr}(AXB)", "tr(A*X*B)", "X", AXB),
    (r"\text{tr}\left( A X B \right)", "tr(A*X*B)", "X", AXB),
    (r"X^\top", "X'", "X", {"X": ("m", "n")}),
    (r"X^T A", "X'*A", "X", SQUARE),
    (r"X^{-1}", "inv(X)", "X", SQUARE),
    (r"X^{-\top}", "inv(X)'", "X", SQUARE),
    (r"X^{-T} \odot A", "inv(X)' .* A", "X", SQUARE),
    (r"\det X", "det(X)", "X", SQUARE),
    (r"\log\det X", "logdet(X)", "X", SQUARE),
    (r"\log \det(X^\top X)", "logdet(X'*X)", "X", {"X": ("m", "n")}),
    (r"\operatorname{sum}(\log(X))", "sum(log(X))", "X", SQUARE),
    (r"\operatorname{sum}\exp(X)", "sum(exp(X))", "X", SQUARE),
    (r"\|x\|", "norm(x)", "x", {"x": ("n", 1)}),
    (r"\|A x - b\|_2^2", "norm(A*x - b)^2", "x", LSQ),
    (r"\left\Vert A x - b \right\Vert_2^{2}", "norm(A*x - b)^2", "x", LSQ),
    (r"\|W X - Y\|_F^2", "norm(W*X - Y)^2", "W", {**W_X, "Y": ("m", "b")}),
    (r"a^\top X \otimes B", "kron(a'*X, B)", "X", {"a": ("m", 1), "X": ("m", "n"),
                                                  "B": ("p", "q")}),
    (r"X \circ A", "X .* A", "X", SQUARE),
    (r"2 \cdot x^T A x", "2*x'*A*x", "x", {"x": ("n", 1), "A": ("n", "n")}),
    (r"\frac{1}{2} \mathbf{x}^\top A \mathbf{x}", "x'*A*x/2", "x",
     {"x": ("n", 1), "A": ("n", "n")}),
    (r"\frac{x^T A x}{x^T x}", "(x'*A*x)/(x'*x)", "x", {"x": ("n", 1), "A": ("n", "n")}),
    (r"\boldsymbol{\beta}^T X^T X \boldsymbol{\beta}", "beta'*X'*X*beta", "beta",
     {"beta": ("n", 1), "X": ("m", "n")}),
    (r"\sigma(W x)", "sigmoid(W*x)", "W", {"W": ("m", "n"), "x": ("n", 1)}),
    (r"f(W X)", "f(W*X)", "X", W_X),
    (r"\tanh\left(W_1 x + b_1\right)", "tanh(W1*x + b1)", "W1",
     {"W1": ("h", "n"), "x": ("n", 1), "b1": ("h", 1)}),
    (r"W_{1} x", "W_1*x", "W_1", {"W_1": ("m", "n"), "x": ("n", 1)}),
    (r"A(X + B)", "A*(X + B)", "X", SQUARE),
    (r"\exp(\operatorname{tr} X) \det X", "exp(tr(X))*det(X)", "X", SQUARE),
    (r"e^{x^T x}", "exp(x'*x)", "x", {"x": ("n", 1)}),
    (r"\log(1 + \exp(-y \odot (X w)))", "log(1 + exp(-y .* (X*w)))", "w",
     {"X": ("n", "d"), "w": ("d", 1), "y": ("n", 1)}),
    (r"\left\langle x, A x \right\rangle", "dot(x, A*x)", "x", {"x": ("n", 1),
                                                                  "A": ("n", "n")}),
    (r"\mathbf{1}_n^\top \exp(x)", "ones(n)'*exp(x)", "x", {"x": ("n", 1)}),
    (r"I_n \otimes X", "kron(I(n), X)", "X", {"X": ("m", "n")}),
    (r"\lambda \|X\|_F^2", "lambda*norm(X)^2", "X", {"X": ("m", "n"), "lambda": ()}),
    (r"\sqrt{x^T x}", "sqrt(x'*x)", "x", {"x": ("n", 1)}),
    (r"X^{\circ 2}", "X.^2", "X", {"X": ("m", "n")}),
    (r"\operatorname{tr}(X^3)", "tr(X^3)", "X", SQUARE),
]


@pytest.mark.parametrize("latex, text, wrt, shapes", SAME, ids=[s[1] for s in SAME])
def test_latex_reads_as_the_grammar_does(latex, text, wrt, shapes):
    from_latex = matderiv.derive(latex, wrt=wrt, shapes=shapes, syntax="latex")
    from_text = matderiv.derive(text, wrt=wrt, shapes=shapes)
    assert from_latex.expr == from_text.expr
    assert from_latex.formula == latex
    from_latex.check()  # and the derivative is right, against finite differences


#: (LaTeX, the column (1-based) the error names, part of the message)
ERRORS = [
    (r"\operatorname{tr}(A X B", 18, "unbalanced '('"),
    (r"\foo X", 1, r"unknown LaTeX command \foo"),
    (r"A X \otimes", 12, "formula ends"),
    (r"X^{", 4, "formula ends"),
    (r"\frac{X}", 9, r"\frac needs a braced argument"),
    (r"X + |X|", 5, r"write \|x\| for a norm"),
    (r"\|X\|_3", 1, "induced (operator) 3-norm"),
    (r"\|X\|_q", 7, "a norm's subscript"),
    (r"X + \det(A)", 5, "det needs a square matrix"),  # (an undeclared Q is inferred)
    (r"A B", 1, "cannot multiply"),
    (r"\left X", 1, r"\left must be followed by a bracket"),
    (r"X \# A", 3, "unknown LaTeX command"),
    (r"\operatorname{tr}(A) + \mathbf{}", 31, "empty"),
]


@pytest.mark.parametrize("latex, column, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_an_error_names_the_column_of_the_latex_source(latex, column, message):
    with pytest.raises(MatDerivError) as caught:
        matderiv.derive(latex, wrt="X", shapes={"X": ("m", "n"), "A": ("m", "n"),
                                                "B": ("m", "n")}, syntax="latex")
    assert message in caught.value.message
    assert caught.value.span is not None and caught.value.span[0] + 1 == column


@pytest.mark.parametrize("latex", [
    r"\operatorname{__import__}(X)", r"\mathrm{exec}('1')", "X.__class__", r"\input{/etc/passwd}",
    r"\def\x{X}", "X; import os", "\\" * 3])
def test_code_like_latex_is_refused_never_run(latex):
    with pytest.raises(MatDerivError):
        matderiv.derive(latex, wrt="X", shapes={"X": ("m", "n")}, syntax="latex")


def test_unknown_syntax_is_bad_input():
    with pytest.raises(MatDerivError, match="syntax must be"):
        matderiv.derive("X", wrt="X", shapes={"X": ("m", "n")}, syntax="mathml")


def test_deep_nesting_is_bounded():
    deep = r"\left(" * 150 + "X" + r"\right)" * 150
    with pytest.raises(MatDerivError, match="nested more than"):
        matderiv.derive(deep, wrt="X", shapes={"X": ("m", "n")}, syntax="latex")


def test_matderivs_own_latex_parses_back_to_the_same_formula_over_the_corpus():
    from corpus import problems

    checked = 0
    for problem in problems():
        env = declare(problem.shapes)
        expr = Builder(env).build_text(problem.formula)
        again = Builder(env).build_text(to_latex(expr), "latex")
        assert again == expr, (problem.formula, to_latex(expr))
        checked += 1
    assert checked >= 60


def test_matderivs_own_latex_parses_back_to_the_same_value_over_random_formulas():
    """Random formulas of the whole grammar: their LaTeX is read back to an expression of
    the same value (a product's scalar factors may be grouped otherwise, and X^{-T} is
    both (X^{-1})^T and (X^T)^{-1}: one matrix)."""
    from strategies import random_problem

    compared = 0
    for seed in range(150):
        problem = random_problem(random.Random(seed))
        env = declare(problem.shapes)
        try:
            expr = Builder(env).build_text(problem.formula)
        except MatDerivError:
            continue
        latex = to_latex(expr)
        if r"\left|" in latex:
            continue  # |a| of a scalar: bars are not read (|X| would be ambiguous)
        again = Builder(env).build_text(latex, "latex")
        assert getattr(again, "shape", None) == getattr(expr, "shape", None)
        values = random_values(expr, env[problem.wrt], np.random.default_rng(seed))
        try:
            one, other = evaluate_all((expr, again), values)
        except MatDerivError:
            continue  # not defined at this point (a singular inverse)
        np.testing.assert_allclose(np.asarray(other, dtype=float),
                                   np.asarray(one, dtype=float), rtol=1e-9, atol=1e-9,
                                   err_msg=f"seed {seed}: {problem.formula} -> {latex}")
        compared += 1
    assert compared >= 100


def test_cli_reads_latex_and_says_where_it_is_wrong():
    runner = CliRunner()
    good = runner.invoke(main, ["derive", r"\operatorname{tr}(A X B)", "--syntax", "latex",
                                "--wrt", "X", "-s", "A=p,m", "-s", "X=m,n", "-s", "B=n,p"])
    assert good.exit_code == 0, good.output
    assert good.output.startswith("∂(tr(A X B))/∂X = Aᵀ Bᵀ")
    bad = runner.invoke(main, ["derive", r"\operatorname{tr}(A X B", "--syntax", "latex",
                               "--wrt", "X", "-s", "A=p,m", "-s", "X=m,n", "-s", "B=n,p"])
    assert bad.exit_code == 2
    assert "no matching ')' at column 18" in bad.output
    assert "Traceback" not in bad.output


def test_a_claim_in_latex_is_judged():
    d = matderiv.derive(r"\log\det X", wrt="X", shapes={"X": ("n", "n")}, syntax="latex")
    assert d.check_claim(r"X^{-\top}", syntax="latex").verdict == "correct"
    assert d.check_claim(r"X^{-1}", syntax="latex").verdict == "wrong"
    runner = CliRunner()
    run = runner.invoke(main, ["check", r"\operatorname{tr}(A X B)", "--syntax", "latex",
                               "--wrt", "X", "-s", "A=p,m", "-s", "X=m,n", "-s", "B=n,p",
                               "--claim", r"A^\top B^\top"])
    assert run.exit_code == 0, run.output
    assert "verdict:    correct" in run.output

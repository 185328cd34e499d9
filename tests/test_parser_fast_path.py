"""Plain formula text is read at once (``parser._parse_plain``); anything else goes to the
general tokenizer and parser. The fast path must never change a tree or an error: on
random texts, from well-formed formulas to junk, it gives the general path's tree or
stands aside (None), and it stands aside wherever the general path raises."""

import random

import pytest

from matderiv.errors import MatDerivError
from matderiv.syntax import parser
from matderiv.syntax.limits import MAX_DEPTH
from tests.strategies import random_problem

#: Pieces of text: names, numbers (plain and not), operators, spaces and junk.
PIECES = ["A", "x", "W1", "X_2", "tr", "f", "g", "inv", "kron", "sum", "T", "e", "E", "n",
          "(", ")", ",", "'", ".T", ".'", ".", "*", "**", "+", "-", "/", "^", ".^", ".*",
          "./", "@", " ", "  ", "\t", "2", "0.5", "10", "1e3", "2E-2", ".5", "3.",
          "1" * 41, "é", "abé", "\n", "#", "[", "=", "٣", "_", "x1.T2"]


def _general(text):
    """The general path's answer: ("tree", tree) or ("error", message, span)."""
    try:
        return ("tree", parser._parse_general(text))
    except MatDerivError as error:
        return ("error", error.message, error.span)


def _agree(text) -> bool:
    """Whether the fast path agrees with the general path on ``text``; True if it read
    the text itself."""
    fast = parser._parse_plain(text)
    general = _general(text)
    if fast is None:
        return False
    assert general == ("tree", fast), text
    return True


def _junk(rng) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12)))


def _well_formed(rng) -> str:
    """A formula of the grammar, sometimes with spaces taken out or put in."""
    text = random_problem(rng).formula
    if rng.random() < 0.3:
        text = text.replace(" ", "")
    if rng.random() < 0.3:
        text = text.replace("*", " * ").replace("(", "( ")
    return text


@pytest.mark.parametrize("seed", range(4))
def test_the_fast_path_gives_the_general_paths_tree_or_stands_aside(seed):
    rng = random.Random(seed)
    read = 0
    for _ in range(1500):
        read += _agree(_junk(rng))
        read += _agree(_well_formed(rng))
    assert read > 1200, read  # (most well-formed formulas are plain)


@pytest.mark.parametrize("text", [
    "W*X", "x'*A*x", "tr(A*inv(X)*B)", "(x'*x)*(x'*x)", "sum(log(1 + exp(-y .* (W*x))))",
    "0.5*norm(W*x-y)^2 + 0.1*norm(W)^2", "X^2'", "X^-1", "2^3^2", "-x^2", "f'(X)", "A.T*B.'",
    "X**2", "kron(A, B, C)", "g()", "((A))", "a - -b", "x' '", "X.^2./Y", "A@B",
])
def test_plain_formulas_are_read_at_once(text):
    assert _agree(text)


@pytest.mark.parametrize("text", [
    "W*", "W*(X", "W*X)", "W X", "tr(X,)", "2e3*X", ".5*X", "W*abcé", "W.Té", "W*1.5.T2",
    "X^" + "1" * 41, "W.__class__", "f'(X", "(", ")", "x'(", "tr(X", "tr(X Y)", "A + + ",
])
def test_what_is_not_plain_is_left_to_the_general_path(text):
    assert parser._parse_plain(text) is None


@pytest.mark.parametrize("make", [
    lambda k: "-" * k + "x",
    lambda k: "x" + "^x" * k,
    lambda k: "(" * k + "x" + ")" * k,
    lambda k: "x" + "'" * k,
    lambda k: "x^-" * k + "x",
    lambda k: "f(" * k + "x" + ")" * k,
])
def test_deep_formulas_reach_the_depth_limit_only_in_the_general_path(make):
    """Near the depth limit the fast path reads what it may and leaves the rest."""
    for k in range(MAX_DEPTH // 4, MAX_DEPTH + 2):
        _agree(make(k))
    assert _general(make(MAX_DEPTH + 1))[0] == "error"

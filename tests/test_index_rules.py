"""The element-wise proof's own index rules (proofs/index_rules.py) against SymPy's diff.

For each formula (a fixed list and random ones from tests/strategies.py, seeds printed),
one entry is written with index sums and differentiated twice: by the index rules, and
by SymPy's ``diff`` (the way every proof differentiated before). At every entry of two
small size sets, with random values, both derivatives agree, and they agree with central
finite differences of the entry itself. A node the rules do not cover goes to SymPy,
never to a guessed or zero derivative.
"""

import itertools
import random

import numpy as np
import pytest
import sympy
from strategies import random_problem
from sympy import Derivative, Dummy, KroneckerDelta, MatrixSymbol, Sum, Symbol

import matderiv
from matderiv.numeric.points import random_values, stand_in_functions
from matderiv.proofs import elementwise as E
from matderiv.proofs.entry_checks import inverses_as_values, numeric_value, size_sets
from matderiv.proofs.entry_values import EntryValues
from matderiv.proofs.index_rules import entry_derivative, summed_away, sympy_derivative

FORMULAS = [
    ("sum((W2*tanh(W1*x + b1) + b2 - y).^2)", "W1",
     {"W1": "h,n", "x": "n,1", "b1": "h,1", "W2": "m,h", "b2": "m,1", "y": "m,1"}),
    ("W*a", "W", {"W": "m,n", "a": "n,1"}),
    ("f(W*X)", "X", {"W": "m,n", "X": "n,b"}),
    ("logdet(X + A)", "X", {"X": "n,n", "A": "n,n"}),
    ("x'*inv(X + A)*x", "X", {"X": "n,n", "A": "n,n", "x": "n,1"}),
    ("det(A0' + A0)", "A0", {"A0": "m,m"}),
    ("softmax(X^2, 2)", "X", {"X": "m,m"}),
    ("log(sum(exp(W*x))) - y'*W*x", "W", {"W": "k,d", "x": "d,1", "y": "k,1"}),
    ("norm(A*x - b)", "x", {"A": "m,n", "x": "n,1", "b": "m,1"}),
    ("X'' .* (X^3)'", "X", {"X": "n,n"}),
    ("sum(sigmoid(W*x)) + tr(softplus(W'*W))", "W", {"W": "m,n", "x": "n,1"}),
    ("kron(A, X)", "X", {"A": "m,m", "X": "n,n"}),
    ("x'*inv(A + t*B)*x", "t", {"A": "n,n", "B": "n,n", "x": "n,1"}),
]


def _random_formulas(count):
    found = []
    for number in range(count):
        problem = random_problem(random.Random(f"index-rules-{number}"))
        found.append((problem.formula, problem.wrt, problem.shapes))
    return found


def _entry_and_element(d):
    (i, j, p, q), _ = E._index_symbols(d)
    F, X = d.expr, d.variable
    if not E.is_matrix(X):
        element = X
    else:
        element = X[p, 0] if X.shape[1] == 1 else X[p, q]
    if d.is_scalar:
        entry = E._index_form(F if not E.is_matrix(F) else F[0, 0])
    else:
        entry = E._entry(F, i, 0 if F.shape[1] == 1 else j)
    return entry, element, (i, j, p, q)


def _value(formula, values, functions, substitution, bound):
    formula, values = inverses_as_values(formula, values, functions)
    walk = EntryValues(values, functions,
                       lambda expr: numeric_value(expr.doit(), values, functions), substitution)
    return walk.at(formula, bound)


def _compare(formula, wrt, shapes, seed):
    try:
        d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
        entry, element, indices = _entry_and_element(d)
        E._refuse_explicit_inverses(d.expr)
        E._refuse_reshapes(d.expr)
        E._refuse_spectral(d.expr)
    except matderiv.MatDerivError:
        return 0  # no element-wise proof of this one: nothing to compare
    ours = entry_derivative(entry, element)
    theirs = sympy_derivative(entry, element)
    if theirs.has(Derivative):
        assert ours.has(Derivative) or ours != 0  # never a guessed zero
        return 0
    assert not ours.has(Derivative), f"{formula}: the rules left a derivative SymPy knows"
    rng = np.random.default_rng(seed)
    functions = stand_in_functions(d.abstract_functions)
    X = d.variable
    checked = 0
    for sizes in size_sets(d):
        substitution = {Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}
        values = random_values(d.expr, X, rng, sizes=sizes)
        f_shape = (1, 1) if d.is_scalar else tuple(int(s.subs(substitution))
                                                   for s in d.expr.shape)
        x_shape = (1, 1) if not E.is_matrix(X) else tuple(int(s.subs(substitution))
                                                           for s in X.shape)
        positions = list(itertools.product(range(f_shape[0]), range(f_shape[1]),
                                           range(x_shape[0]), range(x_shape[1])))
        for at in positions[:12]:
            bound = dict(zip(indices, at, strict=True))
            try:
                _value(entry, values, functions, substitution, bound)
            except TypeError:
                continue  # the entry is not real at these values (log1p(x), x < -1)
            new = _value(ours, values, functions, substitution, bound)
            old = _value(theirs, values, functions, substitution, bound)
            assert new == pytest.approx(old, rel=1e-8, abs=1e-10), (formula, sizes, at)
            # central differences of the entry itself, by X[p, q] (or by the scalar t)
            h = 1e-6
            shifted = []
            for sign in (1, -1):
                moved = dict(values)
                if E.is_matrix(X):
                    array = np.array(np.atleast_2d(values[X.name]), dtype=float)
                    array[at[2], at[3]] += sign * h
                    moved[X.name] = array
                else:
                    moved[X.name] = values[X.name] + sign * h
                try:
                    shifted.append(_value(entry, moved, functions, substitution, bound))
                except (TypeError, ValueError, ZeroDivisionError):
                    break  # the entry is not real there (log of a negative number)
            if len(shifted) < 2:
                continue
            difference = (shifted[0] - shifted[1]) / (2 * h)
            assert new == pytest.approx(difference, rel=1e-4, abs=1e-6), (formula, sizes, at)
            checked += 1
    return checked


@pytest.mark.parametrize("formula, wrt, shapes", FORMULAS, ids=[f[0] for f in FORMULAS])
def test_index_rules_agree_with_sympy_and_finite_differences(formula, wrt, shapes):
    assert _compare(formula, wrt, shapes, seed=3)


def test_index_rules_on_random_formulas():
    """Random formulas (seeds index-rules-0 ... -24), each entry differentiated both ways."""
    compared = 0
    for number, (formula, wrt, shapes) in enumerate(_random_formulas(25)):
        try:
            compared += bool(_compare(formula, wrt, shapes, seed=number))
        except AssertionError as error:
            raise AssertionError(f"seed index-rules-{number}: {formula!r} wrt {wrt} "
                                 f"{shapes}: {error}") from None
    assert compared >= 10


def test_a_node_without_a_rule_goes_to_sympy_never_to_zero():
    n = Symbol("n", integer=True, positive=True)
    X = MatrixSymbol("X", n, 1)
    p, i = Symbol("p", integer=True, nonnegative=True), Symbol("i", integer=True,
                                                                 nonnegative=True)
    g = sympy.Function("g")  # no derivative known: SymPy leaves one, the proof refuses
    unknown = entry_derivative(g(X[i, 0]), X[p, 0])
    assert unknown.has(Derivative) and unknown != 0
    absolute = entry_derivative(sympy.Abs(X[i, 0]), X[p, 0])  # SymPy's own rule for Abs
    assert absolute == sympy_derivative(sympy.Abs(X[i, 0]), X[p, 0]) and absolute != 0


def test_a_delta_over_another_range_is_not_summed_away():
    m, n = Symbol("m", integer=True, positive=True), Symbol("n", integer=True, positive=True)
    k, p = Dummy("k", integer=True), Symbol("p", integer=True)
    a = MatrixSymbol("a", n, 1)
    over_n = summed_away(KroneckerDelta(k, p, (0, n - 1)) * a[k, 0], ((k, 0, n - 1),))
    assert over_n == a[p, 0]
    over_m = summed_away(KroneckerDelta(k, p, (0, m - 1)) * a[k, 0], ((k, 0, n - 1),))
    assert isinstance(over_m, Sum)  # p need not lie in 0..n-1: the sum stays

"""Scalar sums built without SymPy's re-sort (issue 24) are SymPy's own sums.

``added_in_order`` inserts terms into a canonical sum and ``run_of_scalar_sum`` takes a
run of its terms: each is compared, argument by argument, with ``sympy.Add`` on random
sums (terms with coefficients, like terms, numbers, powers, traces), and a sum of traces
derived through them is checked against finite differences.
"""

import random

import numpy as np
import sympy
from sympy import MatrixSymbol, Rational, Symbol, Trace

import matderiv
from matderiv.expressions.functions import sign
from matderiv.expressions.sorted_sum import added_in_order, scalar_sum
from matderiv.expressions.tidy import run_of_scalar_sum, tidy
from matderiv.numeric.differences import assert_close, numeric_gradient
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values

n = Symbol("n", integer=True, positive=True)
_SYMBOLS = [Symbol(name) for name in "abcxyz"]
_MATRICES = [MatrixSymbol(name, n, n) for name in "ABX"]


def _random_term(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(_SYMBOLS)
    if kind == 1:
        return Rational(rng.randint(-3, 3), rng.randint(1, 2)) * rng.choice(_SYMBOLS)
    if kind == 2:
        return Trace(rng.choice(_MATRICES) * rng.choice(_MATRICES))
    if kind == 3:
        return rng.choice(_SYMBOLS) ** rng.randint(2, 3)
    if kind == 4:
        return rng.choice([Rational(rng.randint(-4, 4)), sympy.Integer(2) ** 3])
    return rng.randint(1, 3) * rng.choice(_SYMBOLS) * Trace(rng.choice(_MATRICES))


def test_inserting_terms_gives_sympys_sum():
    rng, inserted = random.Random(24), 0
    for _ in range(2000):
        total = sympy.Add(*[_random_term(rng) for _ in range(rng.randint(2, 8))])
        new = [_random_term(rng) for _ in range(rng.randint(1, 3))]
        args = [total, *new] if rng.random() < 0.5 else [*new, total]
        found = added_in_order(args)
        if found is None:
            continue
        expected = sympy.Add(*args)
        assert found == expected and found.args == expected.args, (args, found, expected)
        inserted += 1
    assert inserted > 200  # the fast path was taken, not only refused


def test_plain_terms_alone_give_sympys_sum():
    """No sum among the terms (a rule's inner(G, A) + inner(G, B)): sorted as SymPy's
    Add sorts them, is_commutative as SymPy sets it; like terms, numbers and the
    special atoms left to SymPy."""
    rng, built = random.Random(25), 0
    specials = [sympy.S.ComplexInfinity, sympy.S.NaN, sympy.oo, sympy.pi]
    for _ in range(3000):
        terms = [_random_term(rng) for _ in range(rng.randint(2, 5))]
        if rng.random() < 0.05:
            terms.append(rng.choice(specials))
        found = added_in_order(terms)
        expected = sympy.Add(*terms)
        if found is None:
            continue
        assert found == expected and found.args == expected.args, (terms, found, expected)
        assert type(found) is type(expected) and found.is_commutative is True
        built += 1
    assert built > 300


def test_a_run_of_a_sum_is_sympys_sum_and_tidy():
    rng = random.Random(7)
    for _ in range(500):
        total = tidy(sympy.Add(*[_random_term(rng) for _ in range(rng.randint(3, 9))]))
        if not isinstance(total, sympy.Add):
            continue
        start = rng.randrange(len(total.args) - 1)
        end = rng.randint(start + 2, len(total.args))
        run = total.args[start:end]
        rest = run_of_scalar_sum(total, run)
        expected = sympy.Add(*run)
        assert rest == expected and rest.args == expected.args
        assert tidy(rest) == rest


def test_a_sum_of_traces_derived_through_them_is_right():
    count = 12
    shapes = {"X": ("n", "n"), **{f"A{i}": ("n", "n") for i in range(count)}}
    formula = " + ".join(f"{i + 1}*tr(A{i}*X)" for i in range(count)) + " + tr(X)"
    derivation = matderiv.derive(formula, wrt="X", shapes=shapes)
    gradient = derivation.gradient()
    rng = np.random.default_rng(3)
    values = random_values(derivation.expr, derivation.variable, rng, {"n": 3})
    assert_close(np.asarray(evaluate(gradient, values), dtype=float),
                 numeric_gradient(derivation.expr, derivation.variable, values),
                 what=f"gradient of {formula}")


def test_terms_sympy_compares_as_equal_are_left_to_sympy():
    """Two terms Basic.compare ranks alike though they differ (matderiv's sign and
    SymPy's sign of one x; two undefined functions f of one name): Add's order of them
    is the order they came in, which a binary search does not give."""
    x = sympy.Symbol("x")
    f, f_real = sympy.Function("f"), sympy.Function("f", real=True)
    for one, other in [(sign(x), sympy.sign(x)), (f(x), f_real(x))]:
        assert one.compare(other) == 0 and one != other  # (the case this is about)
        for terms in ([one, other], [other, one], [x + 1, one, other], [other, sympy.pi, one]):
            found = scalar_sum(*terms)
            expected = sympy.Add(*terms)
            assert found == expected and found.args == expected.args
            assert [type(a) for a in found.args] == [type(a) for a in expected.args], terms

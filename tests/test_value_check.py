"""The value check under every simplification (``assert_same_value``): it passes a
rewrite that keeps the value, refuses one that does not, and looks at the matrices both
forms invert as checking each form alone would."""

import numpy as np
import pytest
import sympy
from sympy import Inverse, KroneckerProduct, MatMul, MatrixSymbol, Trace, Transpose

import matderiv
from matderiv.errors import MatDerivError
from matderiv.numeric.evaluate import Evaluation
from matderiv.numeric.points import random_values, well_conditioned, well_conditioned_at
from matderiv.numeric.verify import assert_same_value

SHAPES = {"A": ("n", "n"), "B": ("n", "n"), "X": ("n", "n"), "a": ("n", 1), "b": ("n", 1)}


def _derivation():
    d = matderiv.derive("a'*inv(X)*A*B*b + tr(X)", wrt="X", shapes=SHAPES)
    symbols = {s.name: s for s in d.expr.atoms(MatrixSymbol)}
    return d, symbols


def test_a_rewrite_that_keeps_the_value_is_checked():
    d, s = _derivation()
    A, B, X, a = s["A"], s["B"], s["X"], s["a"]
    for before, after in [
        (Transpose(MatMul(A, Inverse(X))), MatMul(Inverse(Transpose(X)), Transpose(A))),
        (MatMul(2, A, B) + MatMul(A, B), MatMul(3, A, B)),
        (KroneckerProduct(Inverse(X), A.T), KroneckerProduct(Inverse(X), Transpose(A))),
        (Trace(MatMul(A, B)) * a, Trace(MatMul(B, A)) * a),
    ]:
        assert assert_same_value(before, after, d) == "checked"


def test_a_rewrite_that_changes_the_value_is_refused():
    d, s = _derivation()
    A, B, X, a, b = s["A"], s["B"], s["X"], s["a"], s["b"]
    for before, after in [
        (MatMul(Inverse(X), A), MatMul(A, Inverse(X))),
        (Transpose(MatMul(A, B)), MatMul(A.T, B.T)),
        (MatMul(2, A, B) + MatMul(A, B), MatMul(2, A, B)),
        (KroneckerProduct(A, B), KroneckerProduct(B, A)),
        (MatMul(a.T, Inverse(X), b), MatMul(b.T, Inverse(X), a)),
        (Trace(Inverse(X)) * A, Trace(X) * A),
    ]:
        with pytest.raises(MatDerivError, match="has another value"):
            assert_same_value(before, after, d)


def test_both_forms_are_looked_at_where_each_alone_would_be():
    """well_conditioned_at (one walk over both forms, each inverted matrix once) says
    what well_conditioned of each form in turn says, at well and ill-conditioned points."""
    d, s = _derivation()
    A, X = s["A"], s["X"]
    forms = [(MatMul(Inverse(X), A), MatMul(Inverse(Transpose(X)), A.T)),
             (Trace(Inverse(MatMul(A, X))) * A, MatMul(Inverse(X), Inverse(A))),
             (MatMul(A, X), MatMul(X, A))]
    rng = np.random.default_rng(5)
    answers = set()
    for k in range(40):
        values = random_values(d.expr, d.variable, rng)
        if k % 2:  # a nearly singular X or A
            name = "X" if k % 4 == 1 else "A"
            values[name] = values[name].copy()
            values[name][-1] = values[name][0] * (1 + 1e-12)
        for before, after in forms:
            evaluation = Evaluation((before, after), values)
            expected = (well_conditioned(before, values, {})
                        and well_conditioned(after, values, {}))
            assert well_conditioned_at(evaluation) == expected
            answers.add(expected)
    assert answers == {True, False}


def test_the_check_draws_its_point_as_default_rng_does():
    d, _ = _derivation()
    from matderiv.numeric.verify import _seed_sequence
    ours = random_values(d.expr, d.variable, np.random.Generator(
        np.random.PCG64(_seed_sequence(3))))
    theirs = random_values(d.expr, d.variable, np.random.default_rng(3))
    assert ours.keys() == theirs.keys()
    assert all(np.array_equal(ours[k], theirs[k]) for k in ours)


def test_the_scale_is_the_largest_finite_magnitude_on_the_way():
    A = MatrixSymbol("A", 9, 9)
    values = {"A": np.arange(81.0).reshape(9, 9) - 100.0}
    values["A"][2, 3] = np.inf
    evaluation = Evaluation((sympy.Trace(A), A.T), values)
    evaluation.value(A.T)
    evaluation.value(sympy.Trace(A))
    finite = np.abs(values["A"][np.isfinite(values["A"])])  # (the inf left out)
    trace = abs(float(np.trace(values["A"])))
    assert evaluation.scale() == max(float(finite.max()), trace) == 540.0
    assert Evaluation((A.T,), values).scale() == 0.0  # nothing computed yet

"""The value check's short ways give what the general ways give: the same random
points (``random_values`` against the general walk, SymPy's free_symbols and
``rng.permutation``), the same generator (``default_rng``), the same budget refusal (the
first part in the walk's order), the same scale, and the same verdict on forms that keep
or change the value. A changed point could turn an accepted result into a refused one.

The references below are the general forms, as they stood before the short ways."""

import random

import numpy as np
import pytest
import sympy
from strategies import random_problem
from sympy import Determinant, Inverse, MatPow, MatrixSymbol

from matderiv.api.derivation import read_formula
from matderiv.errors import MatDerivError
from matderiv.expressions import AbstractFunction, AbstractGradient
from matderiv.expressions.contains import atoms_of, distinct_nodes
from matderiv.numeric import evaluate as evaluation_module
from matderiv.numeric.evaluate import MAX_ENTRIES, Evaluation, _Evaluator, sizes_given
from matderiv.numeric.matrix_functions import posed_argument
from matderiv.numeric.points import (
    _shape_at,
    _size_symbols,
    _wants_positive,
    printed_name,
    random_values,
    smallest_sizes,
    stand_in_functions,
    structured_value,
    value_needs,
    well_conditioned_at,
)
from matderiv.numeric.verify import (
    SAME_VALUE_ATTEMPTS,
    _fresh_generator,
    _seed_sequence,
    assert_same_value,
)


def _reference_needs(expr):
    symbols, positive, inverted = set(), False, set()
    for node in distinct_nodes(expr):
        if isinstance(node, MatrixSymbol):
            symbols.add(node)
        if not positive:
            positive = _wants_positive(node)
        posed = posed_argument(node)
        if posed is not None and posed[0] in ("logm", "sqrtm"):
            inverted |= {s for s in atoms_of(posed[1], MatrixSymbol) if s.shape[0] == s.shape[1]}
        if isinstance(node, (Inverse, Determinant)) or (isinstance(node, MatPow)
                                                        and node.exp < 0):
            inverted |= {s for s in atoms_of(node, MatrixSymbol) if s.shape[0] == s.shape[1]}
    return symbols, positive, inverted


def _reference_random_values(expr, variable, rng, sizes=None) -> dict:
    symbols, positive, inverted = _reference_needs(expr)
    if isinstance(variable, MatrixSymbol):
        symbols.add(variable)
    free_symbols = expr.free_symbols
    dims = _size_symbols(symbols, free_symbols)
    given = {str(k): v for k, v in (sizes or {}).items()}
    pool = list(rng.permutation([2, 3, 4, 5]))
    values: dict = {}
    for i, dim in enumerate(dims):
        values[dim.name] = int(given.get(dim.name, pool[i % len(pool)]))
    ordered = sorted(symbols, key=printed_name)
    shapes = [_shape_at(symbol.shape, values, dims) for symbol in ordered]
    for symbol, (rows, cols) in zip(ordered, shapes, strict=True):
        if rows * cols > MAX_ENTRIES:
            raise MatDerivError(
                f"{symbol.name} is {rows}×{cols} ({rows * cols:,} numbers): numeric checks "
                f"work within {MAX_ENTRIES:,} numbers per array", kind="budget")
    for symbol, (rows, cols) in zip(ordered, shapes, strict=True):
        if positive:
            array = rng.uniform(0.5, 1.5, size=(rows, cols))
        else:
            array = rng.uniform(-1.0, 1.0, size=(rows, cols))
        if symbol in inverted:
            array = array + rows * np.eye(rows)
        values[symbol.name] = structured_value(symbol, array)
    scalars = (free_symbols | {variable}) - symbols
    for symbol in sorted(scalars, key=printed_name):
        if isinstance(symbol, sympy.Symbol) and not symbol.is_integer:
            values[symbol.name] = float(rng.uniform(0.5, 1.5))
    return values


class _Formula:
    """What the value check asks of a derivation: its formula, variable and abstract
    functions (as ``Derivation.abstract_functions``)."""

    def __init__(self, expr, variable):
        self.expr, self.variable = expr, variable
        self.abstract_functions = tuple(sorted(
            {node.function for node in distinct_nodes(expr)
             if isinstance(node, (AbstractFunction, AbstractGradient))}))


def _formulas(count):
    """(expr, variable) of random well-typed formulas, some with symmetric matrices."""
    found = []
    for seed in range(count):
        problem = random_problem(random.Random(seed))
        structures = {}
        if seed % 5 == 0:  # symmetric squares: structured symbols, SymPy's free symbols
            structures = {name: "symmetric" for name, shape in problem.shapes.items()
                          if len(shape) == 2 and shape[0] == shape[1]}
        try:
            read, expr = read_formula(problem.formula, problem.shapes, structures=structures)
        except MatDerivError:
            continue
        found.append((expr, read.env.get(problem.wrt)))
    for text, shapes in [("f(X*a) + tr(g(X))", {"X": "n,n", "a": "n,1"}),
                         ("t*sum(log(X)) + logdet(X)", {"X": "n,n"})]:
        read, expr = read_formula(text, shapes, functions=("f", "g"))
        found.append((expr, read.env.get("X")))
    return found


FORMULAS = _formulas(160)


def _outcome(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except MatDerivError as error:
        return f"{error.kind}: {error}"


def _same_values(ours, theirs):
    if isinstance(ours, str) or isinstance(theirs, str):
        return ours == theirs
    return (list(ours) == list(theirs)
            and all(type(ours[k]) is type(theirs[k]) and np.array_equal(ours[k], theirs[k])
                    for k in ours))


def test_random_values_draws_what_the_general_walk_draws():
    """The same sizes, arrays, order of names and errors, and the generator left in the
    same state, on random formulas, given sizes, sizes too large and two forms at once."""
    assert len(FORMULAS) > 100
    for index, (expr, variable) in enumerate(FORMULAS):
        sources = [expr] if index % 3 else [expr, sympy.Tuple(expr, expr)]
        for source in sources:
            for sizes in (None, {"n": 3}, smallest_sizes(source, variable),
                          {"m": 10 ** 4, "n": 10 ** 4, "p": 10 ** 4}):
                ours_rng, theirs_rng = np.random.default_rng(index), np.random.default_rng(index)
                ours = _outcome(random_values, source, variable, ours_rng, sizes)
                theirs = _outcome(_reference_random_values, source, variable, theirs_rng,
                                  sizes)
                assert _same_values(ours, theirs), (str(source), sizes)
                assert ours_rng.uniform() == theirs_rng.uniform()


def test_needs_reused_for_several_points_draw_the_same_points():
    for index, (expr, variable) in enumerate(FORMULAS[:40]):
        needs = value_needs(expr)
        ours_rng, theirs_rng = np.random.default_rng(index), np.random.default_rng(index)
        for _ in range(3):
            ours = _outcome(random_values, expr, variable, ours_rng, needs=needs)
            theirs = _outcome(_reference_random_values, expr, variable, theirs_rng)
            assert _same_values(ours, theirs), str(expr)


def test_the_needs_name_the_derivations_abstract_functions():
    for expr, variable in FORMULAS:
        assert value_needs(expr).functions == _Formula(expr, variable).abstract_functions
    assert value_needs(FORMULAS[-2][0]).functions == ("f", "g")


def test_the_check_generator_starts_as_default_rng_each_time():
    for seed in (3, 0, 3, 7, 3):
        ours, theirs = _fresh_generator(seed), np.random.default_rng(seed)
        assert ours.permutation(4).tolist() == theirs.permutation(4).tolist()
        assert np.array_equal(ours.uniform(-1, 1, (3, 2)), theirs.uniform(-1, 1, (3, 2)))
        assert ours.integers(0, 10 ** 9) == theirs.integers(0, 10 ** 9)
        assert ours.standard_normal() == theirs.standard_normal()


def _reference_budget(exprs, values, functions=None) -> str:
    """Each distinct part in turn, its size from a fresh evaluator: the first one over
    the budget refused (or the first error met)."""
    from matderiv.numeric.sizes_at import _shortened
    from matderiv.render import to_text
    nodes = list(distinct_nodes(*exprs))
    symbols = {node for node in nodes if isinstance(node, MatrixSymbol)}
    evaluator = _Evaluator(values, sizes_given(values, symbols), functions)
    for node in nodes:
        if isinstance(node, sympy.Basic) and (node.is_Matrix
                                              or evaluation_module.is_array(node)):
            entries = evaluator.entries(node)
            if entries > MAX_ENTRIES:
                shape = "×".join(str(evaluator.size(s)) for s in node.shape)
                return (f"budget: evaluating {_shortened(to_text(node))} needs an array of "
                        f"{shape} ({entries:,} numbers); numbers are evaluated within "
                        f"{MAX_ENTRIES:,} per array")
    return "within"


def test_the_budget_refuses_the_first_part_too_large_in_the_walks_order():
    m, n = (sympy.Symbol(s, integer=True, positive=True) for s in "mn")
    A, B, x = MatrixSymbol("A", m, n), MatrixSymbol("B", n, m), MatrixSymbol("x", n, 1)
    K = sympy.KroneckerProduct
    forms = [(K(A, B) * K(B, A), A * B), (A * B * A, K(A * B, B * A)),
             (K(x, A.T), (K(x, A.T)).T), (K(A, B).T, K(B.T, A.T)),
             (K(B * A, B * A).T + K(B * A, B * A), K(A * B, A * B))]
    # Products, sums and transposes alone (their sizes are their leaves' sizes),
    # where the leaves' largest size squared is past the budget and a part is or not.
    forms += [(B * A, (B * A).T), (A.T * A, A.T * A + (A.T * A).T), (A * B, A * (B * A) * B),
              (x.T * B * A * x, x.T * (B * A).T * x)]
    answers = set()
    for size, other in [(3, 4), (40, 41), (60, 61), (100, 101), (1000, 1001), (5000, 2),
                        (2, 5000), (3163, 3162), (3162, 3162)]:
        values = {"A": np.zeros((size, other)), "B": np.zeros((other, size)),
                  "x": np.zeros((other, 1))}
        for before, after in forms:
            expected = _reference_budget((before, after), values)
            found = _outcome(_evaluation_made, (before, after), values)
            assert found == expected
            answers.add(expected.split(":")[0])
    assert answers == {"within", "budget"}


def _evaluation_made(exprs, values) -> str:
    Evaluation(exprs, values)
    return "within"


def _reference_scale(values) -> float:
    scale = 0.0
    for value in values:
        if isinstance(value, float):
            if np.isfinite(value):
                scale = max(scale, abs(value))
        else:
            finite = np.abs(np.asarray(value, dtype=float))
            finite = finite[np.isfinite(finite)]
            if finite.size:
                scale = max(scale, float(finite.max()))
    return scale


def test_the_scale_is_the_largest_finite_magnitude_of_every_value():
    rng = np.random.default_rng(1)
    A = MatrixSymbol("A", 9, 9)
    for k in range(60):
        values = {"A": rng.uniform(-10, 10, (9, 9)) * 10.0 ** rng.integers(-3, 9)}
        if k % 3 == 1:
            values["A"][rng.integers(9), rng.integers(9)] = [np.inf, -np.inf, np.nan][k % 9 // 3]
        evaluation = Evaluation((sympy.Trace(A * A), A.T * A, 2 * A), values)
        for form in (sympy.Trace(A * A), A.T * A):
            evaluation.value(form)
        computed = list(evaluation._evaluator.computed())
        assert evaluation.scale() == _reference_scale(computed)


def _reference_same_value(before, after, derivation, seed=3) -> str:
    """``assert_same_value`` as it was: default_rng, the general random values, each
    form's value asked alone, the comparison in arrays."""
    rng = np.random.default_rng(seed)
    functions = stand_in_functions(derivation.abstract_functions)
    source, sizes = derivation.expr, None
    for _ in range(SAME_VALUE_ATTEMPTS):
        try:
            values = _reference_random_values(source, derivation.variable, rng, sizes=sizes)
            evaluation = Evaluation((before, after), values, functions=functions)
            if not well_conditioned_at(evaluation):
                continue
            a, b = evaluation.value(before), evaluation.value(after)
            scale = evaluation.scale()
        except MatDerivError as error:
            if error.kind == "budget":
                if sizes is not None:
                    return "budget"
                sizes = smallest_sizes(source, derivation.variable)
                continue
            continue
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            continue
        if scale > 1e12:
            continue
        if a.shape != b.shape or not (np.abs(a - b) <= 1e-10 + 1e-12 * scale
                                      + 1e-8 * np.abs(b)).all():
            raise MatDerivError(f"internal error: simplifying {before} gave {after}, which "
                                "has another value; the result is withheld (please report "
                                "this)")
        return "checked"
    return "skipped"


@pytest.mark.parametrize("part", range(4))
def test_the_checks_verdict_is_the_general_ones_on_kept_and_changed_values(part):
    """Forms that keep the value, change it a little (around the tolerance) or a lot:
    the same verdict ("checked", "skipped", "budget" or the refusal) either way."""
    verdicts = set()
    for expr, variable in FORMULAS[part::4]:
        derivation = _Formula(expr, variable)
        forms = [expr, 2 * expr, expr * (1 + 1e-7), expr * (1 + 1e-9), expr * (1 + 1e-11)]
        if expr.is_Matrix and expr.shape[0] == expr.shape[1]:
            forms.append(expr.T)
        for after in forms:
            ours = _outcome(assert_same_value, expr, after, derivation)
            theirs = _outcome(_reference_same_value, expr, after, derivation)
            assert ours == theirs, (str(expr), str(after))
            verdicts.add("refused" if "has another value" in ours else ours)
    assert {"checked", "refused"} <= verdicts


def test_a_generator_made_once_per_seed_is_the_seed_sequences():
    assert _seed_sequence(3) is _seed_sequence(3)

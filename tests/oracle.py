"""The property every formula must have: a verified result, or one clear refusal.

``judge(problem)`` derives a Problem (tests/strategies.py) and sorts the outcome:

- "verified": the gradient (scalar F), the Jacobian in both vec conventions and both
  layouts, the Hessian (scalar F) and, where the API has it, the 4-index tensor agree
  with central finite differences at random points, sizes 1-4 (distinct), float64;
  and the generated NumPy code of each (gradient, Hessian, both Jacobians) computes
  the value of the closed form it was generated from (``code=True``, the default);
- "unsupported": a MatDerivError saying what is not supported, at any stage (the
  derivation, a result, or its code); or a point where the formula itself is not
  finite or singular, so nothing can be checked there;
- "wrong": a number that disagrees with finite differences, the worst defect;
- "crash": any other exception, or a MatDerivError that is an internal failure in
  disguise (SymPy/NumPy failing inside, a withheld simplification, RecursionError).

>>> from strategies import Problem
>>> judge(Problem("W*a", "W", {"W": ("m", "n"), "a": ("n", 1)})).kind
'verified'
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

import numpy as np
from sympy import MatrixSymbol

import matderiv
from matderiv import MatDerivError
from matderiv.numeric.differences import assert_close, numeric_gradient, numeric_jacobian
from matderiv.numeric.direct import direct_value
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values, stand_in_functions, well_conditioned

#: What deriving a problem without its shapes may end in (``shapes_outcome``): the
#: declared shapes an instance of those inferred; one error asking for -s; a declared
#: reading that reads a 1 x 1 matrix as a scalar (which no text shows); and the defect.
SHAPE_OUTCOMES = ("inferred", "open", "scalar reading", "not well typed as declared",
                  "refused either way", "inconsistent")

#: Messages of a MatDerivError that reports an internal failure, not a refusal.
INTERNAL_MARKERS = ("failed inside SymPy/NumPy", "internal error", "nested too deeply",
                    "is wrong: it turned")  # a rule whose result has another shape


@dataclass(frozen=True)
class Outcome:
    kind: str  # "verified", "unsupported", "wrong", "crash"
    detail: str = ""


class _Wrong(Exception):
    pass


class _NotCheckable(Exception):
    pass


def classify_error(error: BaseException) -> Outcome:
    """A MatDerivError is "unsupported" unless it hides an internal failure."""
    if isinstance(error, MatDerivError):
        text = str(error)
        if "is WRONG" in text:
            return Outcome("wrong", text)
        if any(marker in text for marker in INTERNAL_MARKERS):
            return Outcome("crash", text)
        return Outcome("unsupported", text.splitlines()[0])
    return Outcome("crash", "".join(traceback.format_exception(error)).strip())


def judge(problem, *, points: int = 2, seed: int = 0, tensor: bool = True,
          proof: bool = False, code: bool = True) -> Outcome:
    """Derive ``problem`` and check every result (and, with ``code``, the NumPy code
    generated for it) at ``points`` random points."""
    try:
        derivation = matderiv.derive(problem.formula, wrt=problem.wrt, shapes=problem.shapes)
        results = _results(derivation, tensor)
        functions = _generated(derivation) if code else {}
        rng = np.random.default_rng(seed)
        checked = 0
        for _ in range(points):
            try:
                _check_point(derivation, results, rng, functions)
                checked += 1
            except _NotCheckable:
                continue
        if proof:
            derivation.proof("elementwise")  # checks itself; raises if its entries disagree
        if not checked:
            return Outcome("unsupported", "not finite or singular at every random point")
        return Outcome("verified")
    except _Wrong as wrong:
        return Outcome("wrong", str(wrong))
    except Exception as error:  # noqa: BLE001 - sorting every failure is the point
        return classify_error(error)


def _results(derivation, tensor: bool) -> dict:
    results = {}
    if derivation.is_scalar:
        results["gradient"] = derivation.gradient()
        results["hessian"] = derivation.hessian(layout="numerator")
    for vec in ("col", "row"):
        for layout in ("numerator", "denominator"):
            results[vec, layout] = derivation.jacobian(vec=vec, layout=layout)
    if tensor and hasattr(derivation, "tensor"):
        results["tensor"] = derivation.tensor()
    return results


def _generated(derivation) -> dict:
    """The NumPy code of each result, compiled: {result key: function}. A refusal to
    write it is a MatDerivError, sorted as any other."""
    kinds = [("gradient", "gradient", "col"), ("hessian", "hessian", "col")] \
        if derivation.is_scalar else []
    kinds += [(("col", "numerator"), "jacobian", "col"), (("row", "numerator"), "jacobian", "row")]
    return {key: derivation.to_function(kind, vec=vec) for key, kind, vec in kinds}


def _check_code(derivation, results, generated, values, functions, atol) -> None:
    """Each generated function at the point against the closed form it was made from."""
    import inspect
    for key, function in generated.items():
        arguments = {}
        for name in inspect.signature(function).parameters:
            if name in values:
                arguments[name] = values[name]
            elif name.endswith("_grad") and name[:-5] in functions:
                arguments[name] = functions[name[:-5]][1]
            elif name in functions:
                arguments[name] = functions[name][0]
        try:
            computed = np.asarray(function(**arguments), dtype=float)
        except Exception as error:  # noqa: BLE001 - the code failing to run is a crash
            raise RuntimeError(f"the generated code of {key} fails: {error!r}") from error
        expected = np.asarray(evaluate(results[key], values, functions=functions), dtype=float)
        if not np.all(np.isfinite(expected)):
            continue
        expected = np.atleast_2d(expected)
        if computed.ndim < 2 and computed.size == expected.size:
            computed = computed.reshape(expected.shape)  # a column given as a 1-D array
        bound = atol + 1e-8 * float(np.max(np.abs(expected), initial=0.0)) \
            + 1e-6 * np.abs(expected)
        if computed.shape != expected.shape or not np.all(np.abs(computed - expected) <= bound):
            what = key if isinstance(key, str) else f"Jacobian (vec={key[0]})"
            raise _Wrong(f"the generated code of the {what} computes another value than "
                         f"its closed form at sizes {_shown(values)}")


def _sizes(derivation, rng) -> dict:
    """Distinct sizes 1-4 for the size names (more names: 1-4 again).

    Every declared size, not only those of the formula's matrices: I(q) may name one.
    """
    symbols = derivation.expr.atoms(MatrixSymbol)
    if isinstance(derivation.variable, MatrixSymbol):
        symbols |= {derivation.variable}
    names = sorted({d.name for s in symbols for d in s.shape if d.is_Symbol}
                   | {name for name, value in derivation.env.items()
                      if getattr(value, "is_Symbol", False) and value.is_integer})
    pool = [int(v) for v in rng.permutation([1, 2, 3, 4])]
    return {name: pool[i % 4] for i, name in enumerate(names)}


def _check_point(derivation, results, rng, generated=None) -> None:
    expr, variable = derivation.expr, derivation.variable
    functions = stand_in_functions(derivation.abstract_functions)
    sizes = _sizes(derivation, rng)
    values = {**sizes, **random_values(expr, variable, rng, sizes=sizes)}
    if not well_conditioned(expr, values, functions):
        # F is not defined at these sizes (X X' inverted for a wide X, of rank m < n):
        # finite differences say nothing here, as matderiv's own check() knows
        raise _NotCheckable
    try:
        value = np.asarray(evaluate(expr, values, functions=functions), dtype=float)
        jacobians = {vec: numeric_jacobian(expr, variable, values, functions=functions, vec=vec)
                     for vec in ("col", "row")}
    except MatDerivError as error:
        if "singular" in str(error):
            raise _NotCheckable from None
        raise
    if not (np.all(np.isfinite(value)) and all(np.all(np.isfinite(j))
                                                for j in jacobians.values())):
        raise _NotCheckable
    # A closed form that is 0/0 here (norm(relu(v)) where relu(v) = 0) holds elsewhere.
    if not np.all(np.isfinite(np.asarray(evaluate(results["col", "numerator"], values,
                                                   functions=functions), dtype=float))):
        raise _NotCheckable
    # The formula as built against its text read again independently: a misreading
    # (2^3^2 grouped the wrong way) would otherwise be checked against itself.
    direct = direct_value(derivation.text, _every_name(derivation, values, rng), functions)
    if direct is None:
        raise _Wrong(f"the independent reader cannot read {derivation.text!r}")
    direct = np.atleast_2d(np.asarray(direct, dtype=float))
    if np.all(np.isfinite(direct)) and (direct.shape != np.atleast_2d(value).shape or not
                                        np.allclose(direct, np.atleast_2d(value), rtol=1e-6,
                                                    atol=1e-9 * (1 + np.max(np.abs(value))))):
        raise _Wrong(f"the formula was built with another value than its text has, at sizes "
                     f"{_shown(values)}")
    atol = 1e-6 + 1e-8 * float(np.max(np.abs(value), initial=0.0))
    if generated:
        # Both sides are exact in floating point: they differ by rounding, of the order of
        # F's own size where a result is a small difference of large parts.
        _check_code(derivation, results, generated, values, functions,
                    1e-9 + 1e-8 * float(np.max(np.abs(value), initial=0.0)))

    def compare(computed, expected, what, tolerance=atol):
        try:
            assert_close(np.asarray(evaluate(computed, values, functions=functions)), expected,
                         what=what, rtol=1e-5, atol=tolerance)
        except MatDerivError as error:
            if "WRONG" in str(error) or "shape" in str(error):
                raise _Wrong(f"{error} at sizes {_shown(values)}") from None
            raise

    for vec, layout in (("col", "numerator"), ("col", "denominator"),
                        ("row", "numerator"), ("row", "denominator")):
        expected = jacobians[vec] if layout == "numerator" else jacobians[vec].T
        compare(results[vec, layout], expected, f"the Jacobian (vec={vec}, {layout})")
    if "gradient" in results:
        expected = numeric_gradient(expr, variable, values, functions=functions)
        compare(results["gradient"], expected, "the gradient")
        # The Hessian against differences of the gradient just checked against F.
        gradient = results["gradient"]
        expected = numeric_jacobian(gradient, variable, values, functions=functions)
        scale = float(np.max(np.abs(evaluate(gradient, values, functions=functions)),
                            initial=0.0))
        if np.all(np.isfinite(expected)):
            compare(results["hessian"], expected, "the Hessian", 1e-6 + 1e-8 * scale)
    if "tensor" in results:
        f_shape = np.atleast_2d(value).shape
        x_shape = np.asarray(values[variable.name]).shape
        if not x_shape and derivation.is_scalar:
            f_shape = ()  # by a scalar t, F's axes only: a scalar F's dF/dt has none
        expected = jacobians["row"].reshape((*f_shape, *x_shape))  # T[i,j,k,l] = dF_ij/dX_kl
        computed = np.asarray(evaluate(results["tensor"], values, functions=functions),
                              dtype=float)
        if computed.shape != expected.shape:
            raise _Wrong(f"the tensor has shape {computed.shape}, finite differences give "
                         f"{expected.shape} at sizes {_shown(values)}")
        rows = int(np.prod(expected.shape[:2]))  # F's entries
        try:
            assert_close(computed.reshape(rows, -1), expected.reshape(rows, -1),
                         what="the tensor", rtol=1e-5, atol=atol)
        except MatDerivError as error:
            raise _Wrong(f"{error} at sizes {_shown(values)}") from None


def _every_name(derivation, values, rng) -> dict:
    """``values`` with a value for every declared name too, also one the built formula
    lost (k in (k - k)*X, which SymPy makes 0): the text still names it."""
    complete = dict(values)
    sizes = {name: value for name, value in values.items() if isinstance(value, int)}
    for name in derivation.env:
        if name in complete:
            continue
        symbol = derivation.env[name]
        if isinstance(symbol, MatrixSymbol):
            shape = [int(d.xreplace({derivation.env[k]: v for k, v in sizes.items()
                                     if k in derivation.env})) for d in symbol.shape]
            complete[name] = rng.uniform(0.5, 1.5, size=shape)
        elif not symbol.is_integer:
            complete[name] = float(rng.uniform(0.5, 1.5))
    return complete


def _shown(values) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items() if isinstance(v, int))


def shapes_outcome(problem) -> tuple[str, str]:
    """(one of SHAPE_OUTCOMES, detail): ``problem`` derived without its shapes, the
    shapes inferred against those it declares."""
    try:
        declared, scalar_reading = declared_reading(problem)
    except MatDerivError as error:
        return "not well typed as declared", error.one_line()
    try:
        inferred = matderiv.derive(problem.formula, wrt=problem.wrt).shapes
    except MatDerivError as error:
        if "leaves the shapes of" in str(error) and "-s" in str(error):
            return "open", error.one_line()
        try:
            matderiv.derive(problem.formula, wrt=problem.wrt, shapes=problem.shapes)
        except MatDerivError:
            return "refused either way", error.one_line()  # (log(1)*sum(X): X not in it)
        return "inconsistent", f"refused: {error.one_line()}"
    if is_instance(inferred, declared):
        return "inferred", ""
    if scalar_reading:
        return "scalar reading", f"inferred {inferred}"
    return "inconsistent", f"inferred {inferred}"


def declared_reading(problem) -> tuple[dict, bool]:
    """The declared shapes of the formula's names, and whether building it with them
    reads a 1 x 1 matrix as a scalar anywhere (the Builder's ``as_scalar``)."""
    from unittest import mock

    import matderiv.syntax.builder
    import matderiv.syntax.calls
    from matderiv.api.derivation import read_formula
    from matderiv.expressions import is_matrix
    from matderiv.syntax.grammar import as_scalar, is_one_by_one
    seen = []

    def recording(expr):
        if is_one_by_one(expr):
            seen.append(expr)
        return as_scalar(expr)
    with mock.patch.object(matderiv.syntax.builder, "as_scalar", recording), \
            mock.patch.object(matderiv.syntax.calls, "as_scalar", recording):
        read, _ = read_formula(problem.formula, problem.shapes)
    env = read.env
    return ({name: tuple(env[name].shape) if is_matrix(env[name]) else ()
             for name in read.inferred.names}, bool(seen))


def is_instance(inferred: dict, declared: dict) -> bool:
    """Some substitution of the inferred sizes gives the declared shapes (a scalar
    being 1 x 1)."""
    import sympy
    one = sympy.Integer(1)
    substitution, products = {}, []
    for name, shape in declared.items():
        for got, wanted in zip(inferred[name] or (one, one), shape or (one, one), strict=True):
            if got.is_Symbol:
                if substitution.setdefault(got, wanted) != wanted:
                    return False
            else:
                products.append((got, wanted))
    return all(got.xreplace(substitution) == wanted for got, wanted in products)

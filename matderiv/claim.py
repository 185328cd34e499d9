"""Check a claimed derivative: confirm it, or refute it with a counterexample.

A claim is a closed form written in the formula grammar (``kron(a', I(m))``,
``f'(W*X)*X'``). It is compared with matderiv's own result in the convention asked
(gradient, Jacobian with vec or vecr and a layout, Hessian) and, when it differs, with
the result in every other convention. Numbers decide: the claim and the result are
evaluated at random well-conditioned points for several concrete size sets, smallest
sizes first, so a wrong claim is refuted by its smallest counterexample; a symbolic
match after canonical simplification only adds a sentence to the explanation.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> check_claim(d, "kron(a', I(m))").verdict
'correct'
>>> check_claim(d, "kron(I(m), a')").flag
'--jacobian --vec row'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy
from sympy import (
    Basic,
    Determinant,
    HadamardProduct,
    Inverse,
    MatAdd,
    MatMul,
    MatPow,
    MatrixSymbol,
    Trace,
)

from . import syntax
from .build import FUNCTIONS, Builder
from .errors import MatDerivError, guarded
from .objects import AbstractFunction, AbstractGradient, is_matrix
from .render import to_text
from .sample import Sampler
from .tidy import canonical

#: The four verdicts, and the exit code of each (0 only for a claim right as asked).
EXIT_CODES = {"correct": 0, "correct in another convention": 1, "wrong": 1, "ill-formed": 1}

KINDS = ("gradient", "jacobian", "hessian")

@dataclass(frozen=True)
class Reading:
    """One convention a derivative can be written in: kind, vec or vecr, layout."""

    kind: str
    vec: str = "col"
    layout: str = "numerator"

    @property
    def flags(self) -> str:
        """The command-line flags that give this reading (`matderiv derive`, `check`)."""
        parts = [f"--{self.kind}"]
        if self.kind != "gradient":
            if self.vec == "row":
                parts.append("--vec row")
            if self.layout == "denominator":
                parts.append("--layout denominator")
        return " ".join(parts)

    def describe(self, variable) -> str:
        """In words: 'the Jacobian ∂vecr(F)/∂vecr(W) (vecr, rows stacked; numerator layout)'."""
        x = str(variable)
        if self.kind == "gradient":
            return f"the gradient ∂F/∂{x} as a matrix of {x}'s shape"
        stack = "vec" if self.vec == "col" else "vecr"
        words = "vec, columns stacked" if self.vec == "col" else "vecr, rows stacked"
        if self.kind == "jacobian":
            name = f"the Jacobian ∂{stack}(F)/∂{stack}({x})"
        else:
            name = f"the Hessian ∂²F/∂{stack}({x})∂{stack}({x})ᵀ"
        return f"{name} ({words}; {self.layout} layout)"


@dataclass(frozen=True)
class Counterexample:
    """Concrete sizes and values where the claim and the true result differ.

    ``entry`` counts rows and columns from 1, as in the notes people check.
    """

    sizes: dict
    values: dict
    entry: tuple[int, int]
    claim_value: float
    true_value: float

    def to_dict(self) -> dict:
        return {"sizes": dict(self.sizes),
                "values": {k: np.asarray(v).tolist() for k, v in self.values.items()},
                "entry": list(self.entry), "claim_value": self.claim_value,
                "true_value": self.true_value}


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one claim, with the evidence for it.

    ``result`` is matderiv's result in the convention the claim is judged in
    (``reading``); ``flag`` reproduces the claim when it is right in another convention.
    """

    verdict: str
    explanation: str
    claim: str
    claim_expr: Basic | None
    result: Basic | None
    reading: Reading
    formula: str = ""
    wrt: str = ""
    flag: str | None = None
    counterexample: Counterexample | None = None
    diagnoses: tuple = ()
    evidence: str = ""
    symbolic_match: bool = False
    reason: str = ""  # why an ill-formed claim is, in one short line


    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict, "formula": self.formula, "wrt": self.wrt,
            "claim": self.claim,
            "claim_text": to_text(self.claim_expr) if self.claim_expr is not None else None,
            "kind": self.reading.kind, "vec": self.reading.vec, "layout": self.reading.layout,
            "result": to_text(self.result) if self.result is not None else None,
            "flag": self.flag, "diagnoses": [str(d) for d in self.diagnoses],
            "counterexample": self.counterexample.to_dict() if self.counterexample else None,
            "evidence": self.evidence, "symbolic_match": self.symbolic_match,
            "reason": self.reason or None,
            "explanation": self.explanation, "exit_code": self.exit_code,
        }


# -- the claim's text ------------------------------------------------------------


class IllFormed(Exception):
    """The claim cannot be the derivative: a foreign name, or no well-formed expression."""


def formula_names(derivation) -> dict:
    """The names a claim may use: the formula's symbols and their sizes."""
    env = {}
    for symbol in derivation.expr.free_symbols | {derivation.variable}:
        if isinstance(symbol, (MatrixSymbol, sympy.Symbol)) and hasattr(symbol, "name"):
            env[symbol.name] = symbol
            for size in getattr(symbol, "shape", ()):
                if size.is_Symbol:
                    env[size.name] = size
    return env


def _names(node):
    """(matrix and size names, function names) used in a syntax tree."""
    if isinstance(node, syntax.Name):
        return {node.id}, set()
    names, functions = set(), set()
    if isinstance(node, syntax.Call):
        if node.prime or node.name not in FUNCTIONS:
            functions.add(node.name)
    for child in _children(node):
        more_names, more_functions = _names(child)
        names |= more_names
        functions |= more_functions
    return names, functions


def _children(node):
    if isinstance(node, syntax.Unary | syntax.Postfix):
        return (node.operand,)
    if isinstance(node, syntax.Binary):
        return (node.left, node.right)
    if isinstance(node, syntax.Call):
        return node.args
    return ()


def build_claim(derivation, claim):
    """The claim as a SymPy expression; IllFormed if it cannot be a derivative here.

    Text that does not parse is bad input: MatDerivError, as for a formula.
    """
    env = formula_names(derivation)
    functions = set(derivation.abstract_functions)
    if isinstance(claim, Basic):
        foreign = {s.name for s in claim.free_symbols if getattr(s, "name", None) not in env}
        foreign |= {a.function for a in claim.atoms(AbstractFunction, AbstractGradient)
                    if a.function not in functions}
        if foreign:
            raise IllFormed(_foreign_message(sorted(foreign), derivation))
        if not well_shaped(claim):
            raise IllFormed("the claim is not a well-formed expression: the shapes of a "
                            "product, sum or inverse in it do not conform")
        return claim
    if not isinstance(claim, str):
        raise MatDerivError(f"a claim must be text or a SymPy expression, "
                            f"not {type(claim).__name__}")
    try:
        tree = syntax.parse(claim)
    except MatDerivError as error:
        # Bad input, as for a formula, but say that it is the claim that is bad.
        raise MatDerivError(f"claim: {error.message.replace('formula', 'claim')}",
                            source=claim, span=error.span) from None
    names, called = _names(tree)
    foreign = sorted((names - set(env)) | (called - functions))
    if foreign:
        raise IllFormed(_foreign_message(foreign, derivation))
    try:
        return Builder(env, source=claim).build(tree)
    except MatDerivError as error:
        raise IllFormed(f"the claim is not a well-formed expression: {error.one_line()}") \
            from None


def well_shaped(expr) -> bool:
    """Products, sums, element-wise products and inverses in expr have conforming shapes.

    Text claims are checked as they are built; a SymPy claim, or a form made with
    ``xreplace``, is not.
    """
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, MatMul):
            shapes = [a.shape for a in node.args if is_matrix(a)]
            if any(left[1] != right[0] for left, right in zip(shapes, shapes[1:],
                                                                strict=False)):
                return False
        elif isinstance(node, MatAdd | HadamardProduct):
            if len({a.shape for a in node.args}) > 1:
                return False
        elif isinstance(node, Inverse | Trace | Determinant | MatPow):
            if node.args[0].shape[0] != node.args[0].shape[1]:
                return False
    return True


def _foreign_message(names, derivation) -> str:
    listed = ", ".join(repr(n) for n in names)
    plural = "names" if len(names) > 1 else "name"
    return (f"the claim uses the {plural} {listed}, which the formula {derivation.formula} "
            "does not have, so it cannot be its derivative")


# -- readings -------------------------------------------------------------------


def asked_reading(derivation, kind, vec, layout) -> Reading:
    if kind is not None and kind not in KINDS:
        raise MatDerivError(f"kind must be gradient, jacobian or hessian, not {kind!r}")
    if vec not in ("col", "row"):
        raise MatDerivError(f"vec must be 'col' or 'row', not {vec!r}")
    layout = layout or derivation.layout
    if layout not in ("numerator", "denominator"):
        raise MatDerivError(f"layout must be 'numerator' or 'denominator', not {layout!r}")
    if kind in ("gradient", "hessian") and not derivation.is_scalar:
        rows, cols = derivation.expr.shape
        raise MatDerivError(f"the formula is a {rows}x{cols} matrix, not a scalar: it has a "
                            f"Jacobian, not a {kind} (use --jacobian)")
    if kind is None:
        kind = "gradient" if derivation.is_scalar else "jacobian"
    return Reading(kind, vec if kind != "gradient" else "col", layout)


def other_readings(derivation, asked: Reading) -> list[Reading]:
    """Every other convention for the same derivative, the asked kind's first."""
    if asked.kind == "hessian":
        kinds = ["hessian"]
    else:
        kinds = ["jacobian", "gradient"] if derivation.is_scalar else ["jacobian"]
        kinds.sort(key=lambda k: k != asked.kind)
    readings = []
    for kind in kinds:
        if kind == "gradient":
            readings.append(Reading("gradient"))
            continue
        for vec in (asked.vec, "row" if asked.vec == "col" else "col"):
            for layout in ("numerator", "denominator"):
                readings.append(Reading(kind, vec, layout))
    return [r for r in readings if r != asked]


def result_of(derivation, reading: Reading):
    if reading.kind == "gradient":
        return derivation.gradient()
    if reading.kind == "jacobian":
        return derivation.jacobian(vec=reading.vec, layout=reading.layout)
    return derivation.gradient_derivation().jacobian(vec=reading.vec, layout=reading.layout)


def shape_of(expr) -> tuple:
    return tuple(expr.shape) if is_matrix(expr) else (sympy.Integer(1), sympy.Integer(1))


def same_shape(a, b) -> bool:
    return all(sympy.expand(x - y) == 0 for x, y in zip(a, b, strict=True))


def shape_text(shape) -> str:
    """'m×(mn)': a product of sizes in brackets, as in the notes."""
    def size(s):
        text = to_text(s).replace("*", "")
        return text if s.is_Symbol or s.is_Integer else f"({text})"
    return "×".join(size(s) for s in shape)


# -- the check ------------------------------------------------------------------


@guarded
def check_claim(derivation, claim, kind: str | None = None, vec: str = "col",
                layout: str | None = None, *, seed: int = 0) -> Verdict:
    """Judge ``claim`` (text in the formula grammar, or a SymPy expression).

    ``kind`` is "gradient", "jacobian" or "hessian"; None takes the gradient for a scalar
    formula and the Jacobian otherwise, or the other of the two when only its shape fits.
    """
    asked = asked_reading(derivation, kind, vec, layout)
    text = claim if isinstance(claim, str) else to_text(claim)
    base = {"claim": text, "formula": derivation.formula, "wrt": str(derivation.variable)}
    try:
        claim_expr = build_claim(derivation, claim)
    except IllFormed as reason:
        return Verdict("ill-formed", f"The claim is ill-formed: {reason}.", claim_expr=None,
                       result=result_of(derivation, asked), reading=asked, reason=str(reason),
                       **base)
    claim_shape = shape_of(claim_expr)
    result_of(derivation, asked)  # the convention asked must exist: else bad input

    def fits(reading) -> bool:
        # Another convention that matderiv cannot derive here is simply not a candidate.
        try:
            return same_shape(claim_shape, shape_of(result_of(derivation, reading)))
        except MatDerivError:
            return False

    others = other_readings(derivation, asked)
    if kind is None and not fits(asked):
        # The kind was not given: a claim shaped like the Jacobian is read as one.
        same_flags = [r for r in others if r.vec == vec and r.layout == asked.layout]
        asked = next((r for r in same_flags if fits(r)), asked)
        others = other_readings(derivation, asked)
    sampler = Sampler(derivation, claim_expr, seed=seed)
    return _judge(derivation, sampler, claim_expr, asked, others, fits, base)


def _judge(derivation, sampler, claim_expr, asked, others, fits, base) -> Verdict:
    from . import explain
    from .diagnose import counterexample, diagnose
    result = result_of(derivation, asked)
    variable = derivation.variable
    if fits(asked):
        sampler.evaluate_result(asked, result)
        if sampler.first_difference(asked) is None:
            _need_enough(sampler, asked)
            symbolic = symbolically_equal(claim_expr, result)
            return Verdict("correct", explain.correct(asked, result, sampler, symbolic, variable),
                           claim_expr=claim_expr, result=result, reading=asked,
                           evidence=sampler.evidence(asked), symbolic_match=symbolic, **base)
    fitting = [r for r in others if fits(r)]
    for reading in fitting:
        other = result_of(derivation, reading)
        sampler.evaluate_result(reading, other)
        if sampler.first_difference(reading) is None and sampler.enough(reading):
            return Verdict("correct in another convention",
                           explain.another(asked, reading, result, other, sampler,
                                          variable, claim_expr),
                           claim_expr=claim_expr, result=result, reading=asked,
                           flag=reading.flags, evidence=sampler.evidence(reading), **base)
    if fits(asked) or fitting:
        judged = asked if fits(asked) else fitting[0]
        truth = result if judged == asked else result_of(derivation, judged)
        sample = sampler.first_difference(judged)
        if sample is None:  # it agrees, but at too few points to say so
            _need_enough(sampler, judged)
        example = counterexample(sample, judged)
        diagnoses = diagnose(derivation, sampler, claim_expr, judged, truth)
        return Verdict("wrong", explain.wrong(asked, judged, truth, example, diagnoses,
                                              variable),
                       claim_expr=claim_expr, result=truth, reading=judged,
                       counterexample=example, diagnoses=tuple(diagnoses),
                       evidence=sampler.evidence(judged), **base)
    sampler.evaluate_result(asked, result)
    diagnoses = diagnose(derivation, sampler, claim_expr, asked, result, shapes_differ=True)
    return Verdict("ill-formed", explain.ill_formed(asked, result, claim_expr, diagnoses,
                                                    variable),
                   claim_expr=claim_expr, result=result, reading=asked,
                   diagnoses=tuple(diagnoses), reason=(
                       f"the claim is {shape_text(shape_of(claim_expr))}, the derivative "
                       f"{shape_text(shape_of(result))}"), **base)


def _need_enough(sampler, reading):
    if not sampler.enough(reading):
        raise MatDerivError("could not find enough points where both the claim and matderiv's "
                            f"result can be evaluated ({sampler.evidence(reading)}); "
                            "no verdict")


def symbolically_equal(claim_expr, result) -> bool:
    """Equal after SymPy's canonical forms (a shortcut for the explanation only)."""
    try:
        return bool(canonical(claim_expr) == canonical(result)
                    or sympy.expand(claim_expr).doit() == sympy.expand(result).doit())
    except (TypeError, ValueError, AttributeError, NotImplementedError):
        return False

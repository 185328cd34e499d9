"""What a claim is judged in and what a judgement holds: the readings (conventions) of a
derivative, verdicts with their evidence and counterexamples, and shape helpers.

>>> Reading("jacobian", "row", "denominator").flags
'--jacobian --vec row --layout denominator'
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
    Trace,
)

from ..errors import MatDerivError
from ..expressions import is_matrix
from ..render import to_text

#: The four verdicts, and the exit code of each (0 only for a claim right as asked).
EXIT_CODES = {"correct": 0, "correct in another convention": 1, "wrong": 1, "ill-formed": 1}

KINDS = ("gradient", "jacobian", "hessian")

@dataclass(frozen=True)
class Reading:
    """One convention a derivative can be written in: kind, vec or vecr, layout; for a
    mixed Hessian, the second variable ``wrt2``."""

    kind: str
    vec: str = "col"
    layout: str = "numerator"
    wrt2: str | None = None

    @property
    def flags(self) -> str:
        """The command-line flags that give this reading (`matderiv derive`, `check`)."""
        parts = [f"--{self.kind}"] + ([f"--wrt2 {self.wrt2}"] if self.wrt2 else [])
        if self.kind != "gradient":
            if self.vec == "row":
                parts.append("--vec row")
            if self.layout == "denominator":
                parts.append("--layout denominator")
        return " ".join(parts)

    def describe(self, variable, by_scalar: bool | None = None) -> str:
        """In words: 'the Jacobian ∂vecr(F)/∂vecr(W) (vecr, rows stacked; numerator layout)'.

        ``by_scalar``: the variable is a scalar t (None: a SymPy Symbol is one).
        """
        x = str(variable)
        if by_scalar or (by_scalar is None and isinstance(variable, sympy.Symbol)):
            return self._by_scalar(x)
        if self.kind == "gradient":
            return f"the gradient ∂F/∂{x} as a matrix of {x}'s shape"
        stack = "vec" if self.vec == "col" else "vecr"
        words = "vec, columns stacked" if self.vec == "col" else "vecr, rows stacked"
        if self.kind == "jacobian":
            name = f"the Jacobian ∂{stack}(F)/∂{stack}({x})"
        elif self.wrt2:
            name = f"the mixed Hessian ∂²F/∂{stack}({x})∂{stack}({self.wrt2})ᵀ"
        else:
            name = f"the Hessian ∂²F/∂{stack}({x})∂{stack}({x})ᵀ"
        return f"{name} ({words}; {self.layout} layout)"


    def _by_scalar(self, t: str) -> str:
        if self.kind == "gradient":
            return f"the derivative ∂F/∂{t} by the scalar {t}"
        if self.kind == "hessian":
            return f"the second derivative ∂²F/∂{t}²"
        stack = "vec" if self.vec == "col" else "vecr"
        words = "a column" if self.layout == "numerator" else "a row (denominator layout)"
        return f"the Jacobian ∂{stack}(F)/∂{t} ({stack}, {words})"


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
    by_scalar: bool = False  # the variable is a scalar t
    inferred: tuple = ()  # (name, shape) of the formula's shapes inferred, not declared


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
            "inferred": dict(self.inferred),
        }



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



# -- readings -------------------------------------------------------------------


def asked_reading(derivation, kind, vec, layout, wrt2=None) -> Reading:
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
    if wrt2 is not None:
        if kind != "hessian":
            raise MatDerivError("a second variable (wrt2) is for a mixed Hessian: give it "
                                "with kind hessian (--hessian)")
        derivation.mixed_derivation(wrt2)  # a scalar formula, and a variable of it
        wrt2 = str(derivation.second_variable(wrt2))
    if kind is None:
        kind = "gradient" if derivation.is_scalar else "jacobian"
    return Reading(kind, vec if kind != "gradient" else "col", layout, wrt2)


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
                readings.append(Reading(kind, vec, layout, asked.wrt2))
    return [r for r in readings if r != asked]


def result_of(derivation, reading: Reading):
    if reading.kind == "gradient":
        return derivation.gradient()
    if reading.kind == "jacobian":
        return derivation.jacobian(vec=reading.vec, layout=reading.layout)
    return derivation.mixed_derivation(reading.wrt2).jacobian(vec=reading.vec,
                                                              layout=reading.layout)


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



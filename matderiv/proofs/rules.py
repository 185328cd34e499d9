"""Rules proofs, generated from the recorded trace, never written per formula.

A rules proof ("Version 1" of seed 1) is the chain of equalities the engine walked:
the differential pushed inward pass by pass, then identification and simplification,
each line naming the catalog rules that justify it.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> [line.rules for line in rules_proof(d, "jacobian").sections[0].lines]
[(), ('d-linear',)]
"""

from __future__ import annotations

from sympy import Symbol

from ..engine.conventions import stated_convention
from ..errors import MatDerivError
from ..expressions import is_matrix
from ..expressions.contains import depends_on
from ..expressions.structured import structure_of
from ..expressions.tidy import is_zero, tidy
from .data import Line, Proof, Section, stated_shapes
from .structured import structure_section, structured_conclusion


def _chain(start, steps):
    """Replay local rule steps on the whole expression: one line per step.

    A step whose left side no longer stands literally in the expression (the engine
    tidied around it) is shown on its own, as 'where before = after'.
    """
    current, lines = start, []
    for step in steps:
        replaced = current.xreplace({step.before: step.after})
        if replaced != current:
            current = tidy(replaced)
            lines.append(Line(current, (step.rule.name,)))
        else:
            lines.append(Line(step.after, (step.rule.name,), lhs=step.before))
    return current, lines


def rules_proof(derivation, kind: str = "jacobian", vec: str = "col") -> Proof:
    """The rule-by-rule proof of ``derivation``'s gradient or Jacobian."""
    if kind not in ("gradient", "jacobian"):
        raise MatDerivError(f"unknown kind {kind!r}: gradient or jacobian")
    if kind == "gradient":
        result = derivation.gradient()
        phases = derivation.gradient_phases()
    else:
        result = derivation.jacobian(vec=vec)
        phases = derivation.jacobian_phases(vec)
    cited: dict = {}
    differential = [Line(derivation.differential_start)]
    for line in derivation.differential_lines:
        names = tuple(dict.fromkeys(step.rule.name for step in line.steps))
        differential.append(Line(line.expr, names))
        for step in line.steps:
            cited.setdefault(step.rule.name, step.rule)
    sections = [Section("Differential", tuple(differential),
                        "Push d inward, one rule at a time, until only d"
                        f"{derivation.variable} is left.")]
    for index, phase in enumerate(phases):
        for step in phase.steps:
            cited.setdefault(step.rule.name, step.rule)
        if phase.name == "layout":
            sections.append(Section("Layout", (Line(phase.start), Line(phase.result,
                                                                       ("transpose",))),
                                     "Denominator layout is the transpose of this Jacobian: "
                                     f"one row per entry of {derivation.variable}."))
        elif phase.name in ("structure", "convention"):
            if not phase.steps:
                continue
            _, lines = _chain(phase.start, phase.steps)
            heading, text = structure_section(phase.name, derivation, kind)
            sections.append(Section(heading, (Line(phase.start), *lines), text))
        elif phase.name == "simplification":
            if not phase.steps and phase.start == phase.result:
                continue
            lines = [Line(phase.start)]
            if phase.canonical != phase.start:
                lines.append(Line(phase.canonical, ("canonical form",)))
            end, chained = _chain(phase.canonical, phase.steps)
            lines += chained
            if end != phase.result:
                lines.append(Line(phase.result, ("canonical form",)))
            sections.append(Section("Simplification", tuple(lines),
                                    "Bring the result to its short textbook form."))
        else:
            _, lines = _chain(phase.start, phase.steps)
            if phase.name == "scalar" and index + 1 < len(phases):
                lines.append(Line(phases[index + 1].start, lhs=Symbol("D")))  # dF = D dt
            heading = "Stacking" if phase.name.startswith("stack") else "Identification"
            sections.append(Section(heading, (Line(phase.start), *lines),
                                    _identification_text(phase.name, derivation)))
    sections.append(Section("Conclusion", (), _conclusion(derivation, kind, vec)))
    stated = stated_convention(derivation, kind, vec, derivation.layout)
    return Proof("rules", kind, vec if kind == "jacobian" else None, derivation.expr,
                 derivation.variable, result, stated, tuple(sections),
                 tuple(cited.values()), derivation.layout if kind == "jacobian" else "numerator",
                 *stated_shapes(derivation))



def _identification_text(phase: str, derivation) -> str:
    x = derivation.variable
    if phase.startswith("stack"):
        stack = "vec" if phase.endswith("col") else "vecr"
        return (f"dF = D d{x} gives {stack}(dF) = {stack}(D) d{x}; a scalar factor of D "
                f"goes in front of {stack}.")
    if phase == "scalar":
        return (f"Bring dF to the form D d{x}, D of F's shape: d{x} is a scalar, and "
                "each rule takes it out of one linear operation.")
    if phase == "gradient":
        return f"Bring each term to the form <G, d{x}> = tr(G' d{x})."
    stack = "vec" if phase.endswith("col") else "vecr"
    return f"Bring {stack}(dF) to the form J {stack}(d{x})."


def _conclusion(derivation, kind, vec) -> str:
    text = structured_conclusion(derivation, kind, vec) if structure_of(derivation.variable) \
        else _identified(derivation, kind, vec)
    zero = _zero_words(derivation)
    return f"{text} {zero}" if zero else text


def _zero_words(derivation) -> str:
    """A proven zero, said so: dF pushed to 0."""
    if not is_zero(derivation.differential):
        return ""
    x = derivation.variable
    if not depends_on(derivation.expr, x):
        return f"Here F does not depend on {x}: dF = 0, and the derivative is zero."
    return f"Here dF = 0 for every d{x}: the derivative is identically zero."


def _identified(derivation, kind, vec) -> str:
    x = derivation.variable
    if not is_matrix(x):  # by a scalar t: dF = D dt
        if kind == "gradient" or derivation.is_scalar:
            return f"Since dF = D d{x} for every d{x}, D is the derivative dF/d{x}."
        stack = "vec" if vec == "col" else "vecr"
        text = (f"Since dF = D d{x} for every d{x}, {stack}(dF) = {stack}(D) d{x}: the "
                f"Jacobian d {stack}(F) / d{x} is the column {stack}(D).")
        if derivation.layout == "denominator":
            text += " In denominator layout the result is its transpose, a row."
        return text
    if kind == "gradient":
        return (f"Since dF = <G, d{x}> for every d{x}, G is the gradient "
                f"dF/d{x} (as a matrix of {x}'s shape).")
    stack = "vec" if vec == "col" else "vecr"
    text = (f"Since {stack}(dF) = J {stack}(d{x}) for every d{x}, J is the Jacobian "
            f"d {stack}(F) / d {stack}({x}).")
    if derivation.layout == "denominator":
        text += " In denominator layout the result is its transpose J'."
    return text



__all__ = ["Proof", "Section", "Line", "rules_proof"]

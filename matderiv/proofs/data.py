"""A proof as data: its sections of lines, each line naming the rules that justify it.

Renderers (``matderiv.render``) turn a Proof into text or LaTeX; nothing here prints.

>>> from sympy import Symbol
>>> Line(Symbol("x"), ("d-linear",)).rules
('d-linear',)
"""

from __future__ import annotations

from dataclasses import dataclass

from sympy import Basic


@dataclass(frozen=True)
class Line:
    """``lhs = rhs`` (lhs None: continues the chain ``= rhs``), justified by ``rules``."""

    rhs: Basic
    rules: tuple[str, ...] = ()
    lhs: Basic | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[Line, ...]
    text: str = ""


@dataclass(frozen=True)
class Proof:
    """A finished proof: what it proves, its sections, and the rules it cites."""

    style: str
    kind: str
    vec: str
    formula: Basic
    variable: Basic
    result: Basic
    convention: str
    sections: tuple[Section, ...]
    rules: tuple  # the Rule records cited, in order of first use
    layout: str = "numerator"  # of a Jacobian: "numerator" or "denominator" (transposed)
    # The formula's names and their shapes ((rows, cols) or () for a scalar), stated
    # when some were inferred from the formula (those named in ``inferred``).
    shapes: tuple = ()
    inferred: tuple = ()


def stated_shapes(derivation) -> tuple[tuple, tuple]:
    """(shapes, inferred) for a Proof: every name's shape, when some were inferred."""
    if not getattr(derivation, "inferred", ()):
        return (), ()
    return tuple(derivation.shapes.items()), tuple(derivation.inferred)


__all__ = ["Line", "Proof", "Section", "stated_shapes"]

"""A Proof as plain Unicode text that reads well at 80 columns.

>>> from matderiv import derive
>>> print(derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)}).proof_text())
... # doctest: +ELLIPSIS
Proof that ∂vec(W a)/∂vec(W) = aᵀ ⊗ I_m
...
"""

from __future__ import annotations

import textwrap

from ..expressions import is_matrix
from ..expressions.structured import stacking_by
from .operand import operand_text
from .shapes import shapes_sentence
from .text import to_text

WIDTH = 80


def statement_text(proof) -> str:
    f, x, r = to_text(proof.formula), to_text(proof.variable), to_text(proof.result)
    if proof.kind == "gradient":
        return f"∂{operand_text(proof.formula)}/∂{x} = {r}"
    op = "vec" if proof.vec == "col" else "vecr"
    by = x if not is_matrix(proof.variable) else \
        f"{stacking_by(proof.variable, op)}({x})"  # by a scalar t: ∂vec(F)/∂t
    if proof.layout == "denominator":
        return f"(∂{op}({f})/∂{by})ᵀ = {r}"
    return f"∂{op}({f})/∂{by} = {r}"


def _line(line, first: bool, style: str = "rules") -> list[str]:
    rhs = to_text(line.rhs)
    if line.lhs is not None and style == "elementwise":
        body = f"    {to_text(line.lhs)} = {rhs}"
    elif line.lhs is not None:
        body = f"  where {to_text(line.lhs)} = {rhs}"
    else:
        body = ("    " if first else "  = ") + rhs
    tag = f"[{', '.join(line.rules)}]" if line.rules else ""
    if not tag:
        return [body]
    if len(body) + 2 + len(tag) <= WIDTH:
        return [body + " " * (WIDTH - len(body) - len(tag)) + tag]
    return [body, " " * (WIDTH - len(tag)) + tag]


def proof_to_text(proof) -> str:
    """The whole proof, with the rules it cites listed at the end."""
    title = "Proof" if proof.style == "rules" else "Element-wise proof"
    heading = f"{title} that {statement_text(proof)}"
    if len(heading) > WIDTH:  # the statement on a line of its own
        heading = f"{title} that\n    {statement_text(proof)}"
    out = [heading, *textwrap.wrap(f"Convention: {proof.convention}", WIDTH)]
    if proof.inferred:
        out += textwrap.wrap(shapes_sentence(dict(proof.shapes), proof.inferred), WIDTH)
    out.append("")
    for section in proof.sections:
        heading = section.heading + (f". {section.text}" if section.text else ".")
        out += textwrap.wrap(heading, WIDTH)
        for i, line in enumerate(section.lines):
            out += _line(line, first=i == 0, style=proof.style)
        out.append("")
    if proof.rules:
        out.append("Rules used:")
        for rule in proof.rules:
            out += textwrap.wrap(f"{rule.name}: {rule}", WIDTH, initial_indent="  ",
                                 subsequent_indent="      ", break_long_words=False)
            if rule.source:
                out += textwrap.wrap(f"({rule.source})", WIDTH, initial_indent="    ",
                                     subsequent_indent="    ")
    return "\n".join(out).rstrip() + "\n"

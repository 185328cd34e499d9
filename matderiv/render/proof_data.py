"""A Proof as JSON-ready data, each line's mathematics in LaTeX, for a page to typeset
line by line (KaTeX renders one formula at a time, not a LaTeX document).

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> data = proof_to_data(d.proof("rules"))
>>> data["sections"][1]["lines"][1]["rules"]
['vec-product']
"""

from __future__ import annotations

from .latex import to_latex
from .proof_latex import statement_latex
from .shapes import shape_text


def proof_to_data(proof) -> dict:
    """The statement, convention, sections (heading, text, lines) and rules cited."""
    sections = []
    for section in proof.sections:
        lines = [{"lhs": to_latex(line.lhs) if line.lhs is not None else None,
                  "rhs": to_latex(line.rhs), "rules": list(line.rules)}
                 for line in section.lines]
        sections.append({"heading": section.heading, "text": section.text, "lines": lines})
    return {"style": proof.style, "kind": proof.kind, "vec": proof.vec,
            "statement": statement_latex(proof), "convention": proof.convention,
            "sections": sections,
            "shapes": {name: shape_text(shape) for name, shape in proof.shapes},
            "inferred": list(proof.inferred),
            "rules": [{"name": rule.name, "latex": rule.latex, "source": rule.source}
                      for rule in proof.rules]}

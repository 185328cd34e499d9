r"""A Proof as LaTeX ready for a paper: a fragment, or a whole document for pdflatex.

Each result is a proposition (its statement and convention), followed by its proof
(amsthm's ``proof``, closed by ∎). Each equation of the proof cites its rules at the
right margin (``\tag*``; amsmath moves a tag below an equation too wide to share its
row); the rules' statements close the proof. Equations wider than the text are broken
into rows (``breaking``), mathematics in the prose is typeset as such (``prose``). A
fragment needs ``amsmath``, ``amssymb``, ``amsthm`` and a ``proposition`` theorem
environment, as the document's preamble has them.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> tex = proof_to_latex(d.proof("rules"))
>>> tex.splitlines()[0], r"\tag*{\small (vec-product)}" in tex
('\\begin{proposition}', True)
"""

from __future__ import annotations

from ..expressions import is_matrix
from ..expressions.structured import stacking_by
from .breaking import rows, width
from .latex import to_latex
from .operand import operand_latex
from .prose import escape, prose_latex
from .shapes import shapes_latex

__all__ = ["document", "escape", "proof_to_latex", "statement_latex"]

#: Characters of typeset mathematics (``breaking.width``, about 7.8 pt each at 11 pt)
#: that fit a row of the 6.5 in text block, with room to spare; a tag may move below.
ROW = 54


def statement_latex(proof) -> str:
    """The statement on one line: '∂vec(F)/∂vec(X) = J' or '∂F/∂X = G'."""
    return "%s = %s" % (_fraction(proof, _operand(proof)), to_latex(proof.result))


def _operand(proof) -> str:
    """F as what ∂ applies to: in brackets, for a gradient, unless one name or function."""
    return operand_latex(proof.formula) if proof.kind == "gradient" else to_latex(proof.formula)


def _fraction(proof, f: str) -> str:
    x = to_latex(proof.variable)
    if proof.kind == "gradient":
        return r"\frac{\partial\, %s}{\partial %s}" % (f, x)
    op = "vec" if proof.vec == "col" else "vecr"
    by = x if not is_matrix(proof.variable) else \
        r"\operatorname{%s}\left(%s\right)" % (stacking_by(proof.variable, op), x)
    fraction = r"\frac{\partial \operatorname{%s}\left(%s\right)}{\partial %s}" % (op, f, by)
    if proof.layout == "denominator":
        fraction = r"\left(%s\right)^{T}" % fraction
    return fraction


def _rows(first: str, latex: str, rules=()) -> list[str]:
    """``first`` (an alignment prefix such as ``&=``) then ``latex`` broken into rows,
    continuation rows indented; the rules' tag on the last row, or on a row of its own
    below when they do not fit beside it (amsmath would let it run into the margin).
    What ``first`` takes of the row is taken from every row (they align after it)."""
    room = max(ROW - width(first) - 2, ROW // 3)
    pieces = rows(latex, room)
    out = [f"{first} {pieces[0]}"] + [rf"&\quad {piece}" for piece in pieces[1:]]
    if rules:
        tag = r" \tag*{\small (%s)}" % escape(", ".join(rules))
        # the tag's small roman letters are about 0.6 of a character of mathematics
        if width(pieces[-1]) + 0.6 * len(", ".join(rules)) + 4 > room:
            out.append("&" + tag)
        else:
            out[-1] += tag
    return out


def _align(lines: list[str]) -> list[str]:
    return [r"\begin{align*}", " \\\\\n".join(lines), r"\end{align*}"]


def _statement(proof) -> list[str]:
    """The proposition's display: F named first when it is long, then the result."""
    f = to_latex(proof.formula)
    if width(_fraction(proof, f)) > ROW // 2:
        lines = _rows("F &=", f) + _rows(_fraction(proof, "F") + " &=", to_latex(proof.result))
    else:
        lines = _rows(_fraction(proof, _operand(proof)) + " &=", to_latex(proof.result))
    return _align(lines)


def proof_to_latex(proof) -> str:
    """A LaTeX fragment: the proposition, then its proof, each equation's rules cited."""
    names = (str(proof.variable),)
    title = "Element-wise proof" if proof.style == "elementwise" else "Proof by rules"
    out = [r"\begin{proposition}", *_statement(proof),
           r"in the convention: %s." % prose_latex(proof.convention, names),
           *([shapes_latex(dict(proof.shapes), proof.inferred)] if proof.inferred else []),
           r"\end{proposition}", r"\begin{proof}[%s]" % title]
    for section in proof.sections:
        out.append(r"\emph{%s.} %s" % (escape(section.heading),
                                       prose_latex(section.text, names)))
        if not section.lines:
            out.append("")
            continue
        lines = []
        for i, line in enumerate(section.lines):
            if line.lhs is not None and proof.style == "elementwise":
                lhs = to_latex(line.lhs)
                if width(lhs) > ROW // 2:  # a long entry: its name alone on the left
                    lines += [r"&%s" % row for row in rows(lhs, ROW - 4)]
                    lhs = ""
                lines += _rows(lhs + " &=", to_latex(line.rhs))
            elif line.lhs is not None:
                lines += [r"&\text{where } %s" % to_latex(line.lhs),
                          *_rows("&=", to_latex(line.rhs), line.rules)]
            elif i == 0:
                lines += _rows("&", to_latex(line.rhs))
            else:
                lines += _rows("&=", to_latex(line.rhs), line.rules)
        out += _align(lines)
    if proof.rules:
        out.append(r"\noindent\emph{Rules used.}")
        out.append(r"\begin{description}")
        for rule in proof.rules:
            source = r"\newline{\small %s}" % prose_latex(rule.source) if rule.source else ""
            out.append(r"\item[%s] $%s$%s" % (escape(rule.name), rule.latex, source))
        out.append(r"\end{description}")
    out.append(r"\end{proof}")
    return "\n".join(out) + "\n"


PREAMBLE = [
    r"\documentclass[11pt]{article}",
    r"\usepackage[margin=1in]{geometry}",
    r"\usepackage{amsmath,amssymb,amsthm}",
    r"\allowdisplaybreaks",
    r"\setlength{\emergencystretch}{3em}",  # a line with long inline mathematics stretches
    r"\newtheorem{proposition}{Proposition}",
]


def document(fragments, *, title: str = "Matrix derivatives", names=None) -> str:
    """A standalone document holding several proofs, each in a section titled by its
    name (``names``, e.g. a batch file's entry names), or numbered."""
    head = [*PREAMBLE,
            r"\title{%s}" % escape(title), r"\date{}", r"\begin{document}", r"\maketitle",
            r"\section*{Conventions}",
            r"$\operatorname{vec}$ stacks the columns of a matrix, "
            r"$\operatorname{vecr}$ stacks its rows ($\operatorname{vecr}A = "
            r"\operatorname{vec}A^T$). A Jacobian $\partial\operatorname{vec}F/\partial"
            r"\operatorname{vec}X$ has one row per entry of $F$ and one column per entry of "
            r"$X$ (numerator layout). A gradient of a scalar $F$ is the matrix of $X$'s shape "
            r"with entries $\partial F/\partial X_{ij}$. $K_{m,n}$ is the commutation matrix: "
            r"$K_{m,n}\operatorname{vec}A = \operatorname{vec}A^T$ for $A$ of size $m\times n$."
            r" Each equation cites the rules that justify it at the right margin."]
    body = []
    for i, fragment in enumerate(fragments, start=1):
        heading = escape(names[i - 1]) if names else "%d." % i
        body += [r"\section*{%s}" % heading, fragment]
    return "\n".join(head + body + [r"\end{document}"]) + "\n"

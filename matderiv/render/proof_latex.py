r"""A Proof as LaTeX: a fragment (amsmath only) or a whole document for pdflatex.

Each equation carries its rule names in the margin column of ``align*``; the rules'
statements follow the proof.
"""

from __future__ import annotations

from .latex import to_latex

_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}", "'": "'"}


def escape(text: str) -> str:
    """Plain text made safe for LaTeX (ASCII only; other characters spelled out)."""
    out = "".join(_ESCAPES.get(ch, ch) for ch in text)
    replacements = {"∂": r"$\partial$", "⊗": r"$\otimes$", "ᵀ": r"$^T$", "δ": r"$\delta$",
                    "·": r"$\cdot$", "Σ": r"$\Sigma$", "−": "-", "—": "--", "–": "--"}
    for old, new in replacements.items():
        out = out.replace(old, new)
    return out.encode("ascii", "replace").decode("ascii")


def statement_latex(proof) -> str:
    f, x, r = to_latex(proof.formula), to_latex(proof.variable), to_latex(proof.result)
    if proof.kind == "gradient":
        return r"\frac{\partial\, %s}{\partial %s} = %s" % (f, x, r)
    op = "vec" if proof.vec == "col" else "vecr"
    fraction = (r"\frac{\partial \operatorname{%s}\left(%s\right)}{\partial \operatorname{%s}"
                r"\left(%s\right)}" % (op, f, op, x))
    if proof.layout == "denominator":
        fraction = r"\left(%s\right)^{T}" % fraction
    return "%s = %s" % (fraction, r)


def _tag(rules) -> str:
    return r"&& \text{(%s)}" % escape(", ".join(rules)) if rules else ""


def proof_to_latex(proof) -> str:
    """A LaTeX fragment: the statement, each section as an align*, the rules cited."""
    out = [r"\[ %s \]" % statement_latex(proof),
           r"\noindent\emph{Convention:} %s." % escape(proof.convention)]
    for section in proof.sections:
        out.append(r"\paragraph{%s.} %s" % (escape(section.heading), escape(section.text)))
        if not section.lines:
            continue
        out.append(r"\begin{align*}")
        rows = []
        for i, line in enumerate(section.lines):
            if line.lhs is not None and proof.style == "elementwise":
                rows.append(r"%s &= %s" % (to_latex(line.lhs), to_latex(line.rhs)))
            elif line.lhs is not None:
                rows.append(r"&\text{where } %s = %s %s" % (to_latex(line.lhs),
                                                            to_latex(line.rhs), _tag(line.rules)))
            elif i == 0:
                rows.append(r"& %s" % to_latex(line.rhs))
            else:
                rows.append(r"&= %s %s" % (to_latex(line.rhs), _tag(line.rules)))
        out.append(" \\\\\n".join(rows))
        out.append(r"\end{align*}")
    if proof.rules:
        out.append(r"\paragraph{Rules used.}")
        out.append(r"\begin{description}")
        for rule in proof.rules:
            source = f" ({escape(rule.source)})" if rule.source else ""
            out.append(r"\item[%s] $%s$%s" % (escape(rule.name), rule.latex, source))
        out.append(r"\end{description}")
    return "\n".join(out) + "\n"


def document(fragments, *, title: str = "Matrix derivatives", names=None) -> str:
    """A standalone document (article, amsmath, amssymb) holding several proofs, each
    in a section titled by its name (``names``), or numbered."""
    head = [r"\documentclass[11pt]{article}",
            r"\usepackage{amsmath,amssymb}", r"\allowdisplaybreaks",
            r"\title{%s}" % escape(title), r"\date{}", r"\begin{document}", r"\maketitle",
            r"\section*{Conventions}",
            r"$\operatorname{vec}$ stacks the columns of a matrix, "
            r"$\operatorname{vecr}$ stacks its rows ($\operatorname{vecr}A = "
            r"\operatorname{vec}A^T$). A Jacobian $\partial\operatorname{vec}F/\partial"
            r"\operatorname{vec}X$ has one row per entry of $F$ and one column per entry of "
            r"$X$ (numerator layout). A gradient of a scalar $F$ is the matrix of $X$'s shape "
            r"with entries $\partial F/\partial X_{ij}$. $K_{m,n}$ is the commutation matrix: "
            r"$K_{m,n}\operatorname{vec}A = \operatorname{vec}A^T$ for $A$ of size $m\times n$."]
    body = []
    for i, fragment in enumerate(fragments, start=1):
        heading = escape(names[i - 1]) if names else "%d." % i
        body += [r"\section*{%s}" % heading, fragment]
    return "\n".join(head + body + [r"\end{document}"]) + "\n"

"""Verdicts on claims as text, Markdown, LaTeX, and a table for a batch.

Renderers read a finished ``Verdict``; they never evaluate or compare anything.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> verdict_to_text(d.check_claim("kron(a', I(m))")).splitlines()[0]
'verdict:    correct'
"""

from __future__ import annotations

import textwrap

from .escape import markdown_cell, printable, tex_escape
from .latex import to_latex
from .text import to_text

WIDTH = 80


def _claim_text(verdict) -> str:
    return to_text(verdict.claim_expr) if verdict.claim_expr is not None else verdict.claim


def _lines(verdict) -> list[tuple[str, str]]:
    lines = [("verdict", verdict.verdict),
             ("formula", f"{verdict.formula}, with respect to {verdict.wrt}"),
             ("claim", _claim_text(verdict))]
    if verdict.result is not None:
        lines.append(("matderiv", to_text(verdict.result)))
        lines.append(("convention", f"{verdict.reading.describe(verdict.wrt, verdict.by_scalar)} "
                                    f"[{verdict.reading.flags}]"))
    if verdict.flag:
        lines.append(("reproduce", f"the claim is the result with {verdict.flag}"))
    if verdict.inferred:
        shapes = ", ".join(f"{name} {shape}" for name, shape in verdict.inferred)
        lines.append(("shapes", f"{shapes} (inferred; declare with -s to change them)"))
    return lines


def verdict_to_text(verdict) -> str:
    """A few labelled lines, then the explanation wrapped to 80 columns."""
    width = max(len(label) for label, _ in _lines(verdict)) + 2
    head = [f"{label + ':':{width}}{value}" for label, value in _lines(verdict)]
    body = textwrap.fill(verdict.explanation, WIDTH)
    return "\n".join(head) + "\n\n" + body + "\n"


def verdict_to_markdown(verdict) -> str:
    head = [f"- **{label}**: `{value}`" if label in ("claim", "matderiv", "formula")
            else f"- **{label}**: {value}" for label, value in _lines(verdict)]
    return "\n".join(head) + "\n\n" + verdict.explanation + "\n"


def _diagnosis_latex(diagnosis) -> str:
    if diagnosis.form is None:
        return tex_escape(diagnosis.words)
    return (f"{tex_escape(diagnosis.words)}: the claim equals ${to_latex(diagnosis.form)}$, "
            f"the true result is ${to_latex(diagnosis.truth)}$")


def _array_latex(value) -> str:
    import numpy as np
    array = np.atleast_2d(np.asarray(value, dtype=float))
    if array.size == 1:
        return f"{array[0, 0]:.4g}"
    rows = [" & ".join(f"{x:.4g}" for x in row) for row in array]
    return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"


def _example_latex(example) -> str:
    sizes = ", ".join(f"${k} = {v}$" for k, v in example.sizes.items())
    values = ", ".join(f"${to_latex_name(k)} = {_array_latex(v)}$"
                       for k, v in example.values.items())
    row, col = example.entry
    return (f"sizes {sizes} and {values}; entry $({row}, {col})$: the claim gives "
            f"${example.claim_value:.6g}$, the true value is ${example.true_value:.6g}$")


def verdict_to_latex(verdict) -> str:
    """A LaTeX fragment (amsmath only): claim, matderiv's result, verdict and evidence."""
    items = [rf"\item[Formula] \texttt{{{tex_escape(verdict.formula)}}} with respect to "
             rf"${to_latex_name(verdict.wrt)}$"]
    if verdict.claim_expr is not None:
        items.append(rf"\item[Claim] ${to_latex(verdict.claim_expr)}$")
    else:
        items.append(rf"\item[Claim] \texttt{{{tex_escape(verdict.claim)}}}")
    if verdict.result is not None:
        items.append(rf"\item[matderiv] ${to_latex(verdict.result)}$ "
                     rf"(\texttt{{{tex_escape(verdict.reading.flags)}}})")
    items.append(rf"\item[Verdict] {verdict.verdict}")
    if verdict.flag:
        items.append(rf"\item[Reproduced by] \texttt{{{tex_escape(verdict.flag)}}}")
    if verdict.counterexample is not None:
        items.append(rf"\item[Counterexample] {_example_latex(verdict.counterexample)}")
    for diagnosis in verdict.diagnoses:
        items.append(rf"\item[Diagnosis] {_diagnosis_latex(diagnosis)}")
    if verdict.evidence:
        items.append(rf"\item[Checked at] {tex_escape(verdict.evidence)}")
    if verdict.inferred:
        shapes = ", ".join(f"{name} {shape}" for name, shape in verdict.inferred)
        shapes = tex_escape(shapes).replace("×", r"$\times$")
        items.append(rf"\item[Shapes] {shapes} (inferred from the formula)")
    return "\\begin{description}\n" + "\n".join(items) + "\n\\end{description}\n"


def to_latex_name(name: str) -> str:
    return name.replace("_", r"\_")


# -- a table of many claims -----------------------------------------------------------


def _note(verdict) -> str:
    if verdict.verdict == "ill-formed":
        return "; ".join([verdict.reason, *(d.words for d in verdict.diagnoses)])
    if verdict.flag:
        return f"reproduced by {verdict.flag}"
    if verdict.diagnoses:
        return verdict.diagnoses[0].words
    if verdict.counterexample is not None:
        example = verdict.counterexample
        return f"differs at entry {example.entry}, sizes " + ", ".join(
            f"{k}={v}" for k, v in example.sizes.items())
    return ""


def table_rows(entries) -> list[tuple[str, str, str, str, str]]:
    """(name, verdict, claim, matderiv, note) for each entry; an error names its cause."""
    rows = []
    for entry in entries:
        if entry.error:
            rows.append((printable(entry.name), "error", printable(entry.claim or ""), "",
                         printable(entry.error)))
        else:
            v = entry.verdict
            result = to_text(v.result) if v.result is not None else ""
            rows.append((printable(entry.name), v.verdict, printable(_claim_text(v)), result,
                         _note(v)))
    return rows


HEADER = ("name", "verdict", "claim", "matderiv", "note")


def table_to_text(entries) -> str:
    rows = [HEADER, *table_rows(entries)]
    widths = [min(40, max(len(r[i]) for r in rows)) for i in range(4)]
    lines = []
    for row in rows:
        cells = [f"{row[i][:widths[i]]:{widths[i]}}" for i in range(4)]
        lines.append("  ".join(cells + [row[4]]).rstrip())
    return "\n".join(lines) + "\n"


def table_to_markdown(entries) -> str:
    def cell(text, code=False):
        text = markdown_cell(text)
        return f"`{text}`" if code and text else text
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for name, verdict, claim, result, note in table_rows(entries):
        lines.append(f"| {cell(name)} | {verdict} | {cell(claim, True)} | "
                     f"{cell(result, True)} | {cell(note)} |")
    return "\n".join(lines) + "\n"


def table_to_latex(entries) -> str:
    lines = [r"\begin{tabular}{lllll}", r"\hline",
             " & ".join(HEADER) + r" \\", r"\hline"]
    for entry in entries:
        if entry.error:
            lines.append(f"{tex_escape(entry.name)} & error & \\texttt{{"
                         f"{tex_escape(entry.claim or '')}}} & & {tex_escape(entry.error)} \\\\")
            continue
        v = entry.verdict
        claim = (f"${to_latex(v.claim_expr)}$" if v.claim_expr is not None
                 else f"\\texttt{{{tex_escape(v.claim)}}}")
        result = f"${to_latex(v.result)}$" if v.result is not None else ""
        note = tex_escape(_note(v)).replace("×", r"$\times$")
        lines.append(f"{tex_escape(entry.name)} & {v.verdict} & {claim} & {result} & "
                     f"{note} \\\\")
    lines += [r"\hline", r"\end{tabular}"]
    return "\n".join(lines) + "\n"

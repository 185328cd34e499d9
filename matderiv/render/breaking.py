r"""Long LaTeX formulas broken into rows that fit the text width, as a paper does.

A printer's LaTeX is cut at its outermost level only: before a ``+``, ``-``, ``\otimes``
or ``\circ`` when it can, else between two factors. A bracket too wide for one row is
opened on one row and closed on a later one (``\left( ... \right.`` then ``\left. ...
\right)``), so each row stays balanced. Widths are counted in characters of the typeset
formula (commands as one, sub- and superscripts at full size: an overestimate).

>>> rows(r"a^{T} \otimes I_{m}", 40)
['a^{T} \\otimes I_{m}']
>>> rows(r"A + B + C", 3)
['A + B', '+ C']
"""

from __future__ import annotations

import re

_OPERATORS = ("+", "-", r"\otimes", r"\circ", "=")
_DELIMITER = re.compile(r"\\(left|right)(\\[a-zA-Z]+|\\[{}|]|[()\[\].|])")


def width(latex: str) -> int:
    """The typeset width of ``latex`` in characters, roughly (never an underestimate)."""
    text = _DELIMITER.sub("x", latex)
    text = re.sub(r"\\(operatorname|mathrm|mathbf|text)\{([^{}]*)\}", r"\2", text)
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}",
                  lambda m: "x" * max(len(m.group(1)), len(m.group(2))), text)
    text = re.sub(r"\\(tanh|log|exp|sin|cos|det|sqrt)\b", lambda m: m.group(1), text)
    text = re.sub(r"\\[a-zA-Z]+", "x", text)
    return len(re.sub(r"[{}^_ ]", "", text))


def _tokens(latex: str) -> list[str]:
    """``latex`` cut at its spaces of depth 0 (outside braces and \\left...\\right)."""
    tokens, depth, start, i = [], 0, 0, 0
    while i < len(latex):
        match = _DELIMITER.match(latex, i)
        if match:
            depth += 1 if match.group(1) == "left" else -1
            i = match.end()
            continue
        ch = latex[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == " " and depth == 0:
            if i > start:
                tokens.append(latex[start:i])
            start = i + 1
        i += 1
    if start < len(latex):
        tokens.append(latex[start:])
    return tokens


def rows(latex: str, limit: int) -> list[str]:
    """``latex`` as rows no wider than ``limit`` where it can be cut; each row balanced."""
    if width(latex) <= limit:
        return [latex]
    out: list[str] = []
    row: list[str] = []
    for token in _tokens(latex):
        row.append(token)
        if len(row) > 1 and width(" ".join(row)) > limit:
            cut = _cut(row)
            if cut:
                out.append(" ".join(row[:cut]))
                row = row[cut:]
    if row:
        out.append(" ".join(row))
    return [piece for row_text in out for piece in _opened(row_text, limit)]


def _cut(row: list[str]) -> int:
    """Where a row that overflows is cut: before its last operator, else between its last
    two factors that may part (never after an operator, nor before a lone superscript);
    0 when it cannot be cut."""
    allowed = [k for k in range(1, len(row)) if row[k - 1] not in _OPERATORS
               and not row[k].startswith(("^", "_", "\\right"))]
    operators = [k for k in allowed if row[k] in _OPERATORS]
    if operators:
        return operators[-1]
    return allowed[-1] if allowed else 0


def _opened(row: str, limit: int) -> list[str]:
    """A row still too wide that is one bracketed factor: its inside on rows of its own."""
    if width(row) <= limit:
        return [row]
    opening = re.search(r"\\left([(\[]|\\\{|\\langle|\\Vert|\\\|)", row)
    if opening is None:
        return [row]
    close = _matching_right(row, opening.start())
    if close is None:
        return [row]
    closing = _DELIMITER.match(row, close)
    head, inner, tail = row[:opening.end()], row[opening.end():close], row[closing.end():]
    inner_rows = rows(inner, max(limit - 4, 10))
    if len(inner_rows) == 1:
        return [row]
    right, left = closing.group(0), r"\left."
    pieces = [head + " " + inner_rows[0] + r" \right."]
    pieces += [left + " " + middle + r" \right." for middle in inner_rows[1:-1]]
    pieces.append(left + " " + inner_rows[-1] + " " + right + tail)
    return pieces


def _matching_right(latex: str, start: int) -> int | None:
    depth = 0
    for match in _DELIMITER.finditer(latex, start):
        depth += 1 if match.group(1) == "left" else -1
        if depth == 0:
            return match.start()
    return None

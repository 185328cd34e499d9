"""A user's own text (a batch entry's name, a claim, a path) shown safely: on one line,
with control characters written as escapes, so a name holding an escape sequence cannot
clear a terminal and a newline cannot split a table row.

>>> printable("seed 1\\x1b[2J\\nmore")
'seed 1\\\\x1b[2J\\\\nmore'
>>> markdown_cell("a | b")
'a \\\\| b'
"""

from __future__ import annotations


def printable(text) -> str:
    """``text`` on one line: every character that is not printable (escape, newline,
    tab, a zero-width or right-to-left mark) written as its Python escape."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def markdown_cell(text) -> str:
    """``text`` for a Markdown table cell: printable, its bars escaped."""
    return printable(text).replace("|", r"\|")


def tex_escape(text) -> str:
    """Plain text for a LaTeX paragraph: printable, special characters escaped."""
    replace = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "^": r"\^{}",
               "#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$", "~": r"\~{}"}
    return "".join(replace.get(ch, ch) for ch in printable(text))

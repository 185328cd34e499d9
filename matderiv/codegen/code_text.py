"""Pieces of generated Python text: numbers, scaling, and outer parentheses.

>>> strip_parens("(a + b)"), parenthesised("a + b"), strip_parens("(a) + (b)")
('a + b', '(a + b)', '(a) + (b)')
"""

from __future__ import annotations


def number_code(expr) -> str:
    """A SymPy number as Python text: integers plainly, rationals as a division."""
    if expr.is_Integer:
        return str(int(expr))
    if expr.is_Rational:
        return f"({int(expr.p)} / {int(expr.q)})"
    if expr.is_extended_real is False:  # i in a result over complex names
        return f"({complex(expr)!r})"
    value = float(expr)
    return repr(value) if value >= 0 else f"({value!r})"


def scaled(coefficient, code: str, printer) -> str:
    """``coefficient * code``, the coefficient printed by ``printer``; 1 and -1 plainly."""
    if coefficient == 1:
        return code
    if coefficient == -1:
        return f"(-{code})"
    return f"({printer.value(coefficient)} * {code})"


def parenthesised(code: str) -> str:
    """``code`` in one pair of outer parentheses."""
    return code if code.startswith("(") and balanced_outer(code) else f"({code})"


def strip_parens(code: str) -> str:
    """One pair of outer parentheses dropped where they enclose the whole text."""
    return code[1:-1] if code.startswith("(") and balanced_outer(code) else code


def balanced_outer(code: str) -> bool:
    """Whether the first "(" of ``code`` closes at its last character."""
    depth = 0
    for i, ch in enumerate(code):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(code) - 1:
            return False
    return code.endswith(")")


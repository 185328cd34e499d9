"""An index form (``engine.index_form``) as text or LaTeX: δ_ijk exp(x_i).

It reads the form's attributes only: terms of a coefficient, deltas (δ_ijk: all its
indices equal), entries (a matrix, its indices, a power) and the indices summed over.

>>> from types import SimpleNamespace as Term
>>> from sympy import MatrixSymbol, Integer, Symbol
>>> x = MatrixSymbol("x", Symbol("n"), 1)
>>> form = Term(terms=[Term(coefficient=Integer(6), deltas=[("i", "j")],
...                         factors=[(x, ("i",), 2)], summed=[])])
>>> index_text(form), index_latex(form)
('6 δ_ij x_i²', '6 \\\\delta_{ij} x_{i}^{2}')
"""

from __future__ import annotations

import sympy
from sympy import MatrixSymbol
from sympy.core.sympify import _sympify

from ..expressions import Elementwise
from .latex import to_latex
from .text import to_text

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(number: int) -> str:
    """2 -> '²'; 1 -> '' (∂ rather than ∂¹)."""
    return "" if number == 1 else str(number).translate(_SUPERSCRIPTS)


def index_text(form) -> str:
    """The terms joined by + and -, in Unicode."""
    return _joined([_term(t, _TEXT) for t in form.terms]) or "0"


def index_latex(form) -> str:
    return _joined([_term(t, _LATEX) for t in form.terms]) or "0"


def _joined(parts) -> str:
    text = ""
    for negative, body in parts:
        if not text:
            text = ("-" if negative else "") + body
        else:
            text += (" - " if negative else " + ") + body
    return text


def _term(term, style) -> tuple:
    coefficient = _sympify(term.coefficient)
    negative = coefficient.could_extract_minus_sign()
    if negative:
        coefficient = -coefficient
    pieces = [] if coefficient == 1 else [style.scalar(coefficient)]
    if term.summed:
        pieces.append(style.sum([name for name, _ in term.summed]))
    pieces += [style.delta(names) for names in term.deltas]
    pieces += [style.entry(matrix, indices, power) for matrix, indices, power in term.factors]
    return negative, " ".join(pieces) or "1"


def _scalar(value, printer, bracket) -> str:
    """A coefficient as on paper: 6 (aᵀ x), each factor of a product on its own."""
    if isinstance(value, sympy.Mul):
        return " ".join(_scalar(arg, printer, bracket)
                        for arg in sympy.Mul.make_args(value))
    text = printer(value)
    return bracket % text if isinstance(value, sympy.Add) else text


class _TEXT:
    @staticmethod
    def scalar(value) -> str:
        return _scalar(value, to_text, "(%s)")

    @staticmethod
    def sum(names) -> str:
        return "Σ_" + "".join(names)

    @staticmethod
    def delta(names) -> str:
        return "δ_" + "".join(names)

    @staticmethod
    def entry(matrix, indices, power) -> str:
        sub = "".join(indices)
        arg = getattr(matrix, "arg", None)
        text = to_text(matrix)
        if isinstance(matrix, MatrixSymbol):
            text = f"{text}_{sub}"
        elif isinstance(matrix, Elementwise) and isinstance(arg, MatrixSymbol) and \
                text.endswith(f"({to_text(arg)})"):
            text = f"{text[:-1]}_{sub})"  # exp(x)_i is exp(x_i)
        else:
            text = f"({text})_{sub}"
        return text + superscript(power)


class _LATEX:
    @staticmethod
    def scalar(value) -> str:
        return _scalar(value, to_latex, r"\left(%s\right)")

    @staticmethod
    def sum(names) -> str:
        return r"\sum_{%s}" % ",".join(names)

    @staticmethod
    def delta(names) -> str:
        return r"\delta_{%s}" % "".join(names)

    @staticmethod
    def entry(matrix, indices, power) -> str:
        sub = "".join(indices)
        arg = getattr(matrix, "arg", None)
        text = to_latex(matrix)
        inner = r"\left(%s\right)" % to_latex(arg) if arg is not None else None
        if isinstance(matrix, MatrixSymbol):
            text = "%s_{%s}" % (text, sub)
        elif isinstance(matrix, Elementwise) and isinstance(arg, MatrixSymbol) and \
                text.endswith(inner):
            text = text[:-len(inner)] + r"\left(%s_{%s}\right)" % (to_latex(arg), sub)
        else:
            text = r"\left(%s\right)_{%s}" % (text, sub)
        return text + ("" if power == 1 else "^{%d}" % power)

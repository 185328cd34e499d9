"""The shapes of a formula's names, as text and LaTeX: ``x n×1, A n×n, k scalar``.

A shape is () for a scalar or (rows, cols) in SymPy sizes, as ``Derivation.shapes``
gives them.

>>> from sympy import Symbol
>>> n = Symbol("n")
>>> shapes_text({"x": (n, 1), "A": (n, n), "k": ()})
'x n×1, A n×n, k scalar'
>>> inferred_note({"x": (n, 1)})
'shapes inferred: x n×1 (declare with -s to change them)'
"""

from __future__ import annotations

from .latex import to_latex
from .text import to_text


def shape_text(shape) -> str:
    """``n×1``, ``m×n*p``, or ``scalar``."""
    return "×".join(to_text(size) for size in shape) if shape else "scalar"


def shapes_text(shapes: dict) -> str:
    return ", ".join(f"{name} {shape_text(shape)}" for name, shape in shapes.items())


def inferred_note(inferred: dict) -> str:
    """The note a result carries when some of its shapes were inferred."""
    return f"shapes inferred: {shapes_text(inferred)} (declare with -s to change them)"


def shapes_sentence(shapes: dict, inferred) -> str:
    """A proof's line: ``Shapes: x n×1, A n×n (inferred from the formula).``"""
    inferred = [name for name in shapes if name in inferred]
    which = "" if len(inferred) == len(shapes) else f"{', '.join(inferred)} "
    return f"Shapes: {shapes_text(shapes)} ({which}inferred from the formula)."


def shapes_latex(shapes: dict, inferred) -> str:
    """The same as a LaTeX sentence: ``where $x$ is $n \\times 1$, ...``."""
    times = r" \times "
    parts = [f"${to_latex_name(name)}$ is a scalar" if not shape else
             f"${to_latex_name(name)}$ is ${times.join(to_latex(s) for s in shape)}$"
             for name, shape in shapes.items()]
    inferred = [name for name in shapes if name in inferred]
    which = "" if len(inferred) == len(shapes) else \
        ", ".join(f"${to_latex_name(name)}$" for name in inferred) + " "
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"where {listed} ({which}inferred from the formula)."


def to_latex_name(name: str) -> str:
    from sympy import Symbol
    return to_latex(Symbol(name))

"""Renderers: they read finished results, proofs and verdicts and never do mathematics.

It owns the printers of expressions (``text``: Unicode as on paper; ``latex``), of the
4-index tensor's index notation (``index``), of proofs (``proof_text``,
``proof_latex``: fragments and standalone documents) and of claim verdicts (``claim``).
It may import ``matderiv.expressions`` only, to know matderiv's own objects; proofs and
verdicts are read through their attributes.

>>> from sympy import MatrixSymbol
>>> to_text(MatrixSymbol("X", 2, 2).T), to_latex(MatrixSymbol("X", 2, 2).T)
('Xᵀ', 'X^{T}')
"""

from .latex import to_latex
from .text import to_text

__all__ = ["to_latex", "to_text"]

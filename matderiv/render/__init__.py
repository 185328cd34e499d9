"""Renderers: they read finished results and never do mathematics."""

from .latex import to_latex
from .text import to_text

__all__ = ["to_latex", "to_text"]

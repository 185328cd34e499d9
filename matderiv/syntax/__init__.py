"""Formula text -> SymPy expression: the grammar, its limits, shapes.

It owns the tokenizer and Pratt parser (``parser``, into the records of ``tree``), the
limits of a formula (``limits``), the ``Builder`` that turns a tree into a SymPy
expression with every shape checked (for formulas, rule results and claims alike), the
declared shapes (``shapes``: ``declare``, ``matrix``, ``vector``, ``scalar``) and the
shapes a formula implies for the names left undeclared (``inference``, unifying sizes as
unknowns with ``unify``). It may import ``matderiv.errors`` and ``matderiv.expressions``
only. Nothing in it is ever evaluated: text is read by our own parser, never by ``eval``
or ``sympify``.

>>> env = declare({"W": ("m", "n"), "a": ("n", 1)})
>>> Builder(env).build_text("W*a").shape
(m, 1)
"""

from .builder import Builder
from .grammar import FUNCTIONS, RULE_FUNCTIONS
from .parser import parse, tokenize
from .shapes import declare, matrix, scalar, vector

__all__ = ["Builder", "FUNCTIONS", "RULE_FUNCTIONS", "declare", "matrix", "parse", "scalar",
           "tokenize", "vector"]

"""The scalar functions applied entry by entry, and the names of function nodes.

>>> sorted(ELEMENTWISE)[:3]
['cos', 'exp', 'log']
>>> sigmoid(0).rewrite(sympy.exp)
1/2
"""

from __future__ import annotations

import sympy
from sympy.core.symbol import Str


def function_name(arg) -> str:
    """The name a function node holds (a SymPy Str) as text."""
    return arg.name if isinstance(arg, Str) else str(arg)


def as_str(name):
    """A function's name as the SymPy Str a node holds."""
    # Rebuilding a node with func(*args) passes the Str back in.
    return name if isinstance(name, Str) else Str(name)


class sigmoid(sympy.Function):
    """The logistic function 1 / (1 + exp(-x))."""

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sympy.exp(-x))

    def _latex(self, printer, exp=None):
        # (the LaTeX printer passes ``exp`` for a power: sigma(x)^2)
        text = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return text if exp is None else r"%s^{%s}" % (text, exp)


#: Element-wise function names and the scalar function each applies to an entry.
ELEMENTWISE = {
    "exp": sympy.exp,
    "log": sympy.log,
    "tanh": sympy.tanh,
    "sigmoid": sigmoid,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "sqrt": sympy.sqrt,
}


"""The scalar functions applied entry by entry, and the names of function nodes.

Smooth functions are SymPy's own (exp, tanh, atan, ...). The non-smooth ones are
matderiv's, each with the derivative it chooses where there is none, stated here and in
its rule: abs'(0) = sign(0) = 0, relu'(0) = step(0) = 0, sign' = step' = 0; max(a, b)
takes its derivative from b at a tie (min likewise).

>>> sorted(ELEMENTWISE)[:4]
['abs', 'acos', 'asin', 'atan']
>>> sigmoid(0).rewrite(sympy.exp), relu(-2), step(0), absolute(-3), maximum(2, 5)
(1/2, 0, 0, 3, 5)
>>> x = sympy.Symbol("x")
>>> relu(x).diff(x), absolute(x).diff(x), softplus(x).diff(x)
(step(x), sign(x), sigmoid(x))
"""

from __future__ import annotations

import sympy
from sympy.codegen.cfunctions import expm1, log1p
from sympy.core.symbol import Str


def function_name(arg) -> str:
    """The name a function node holds (a SymPy Str) as text."""
    return arg.name if isinstance(arg, Str) else str(arg)


def as_str(name):
    """A function's name as the SymPy Str a node holds."""
    # Rebuilding a node with func(*args) passes the Str back in.
    return name if isinstance(name, Str) else Str(name)


def _named_latex(name: str):
    def latex(self, printer, exp=None):
        # (the LaTeX printer passes ``exp`` for a power: relu(x)^2)
        text = r"\operatorname{%s}\left(%s\right)" % (name, printer._print(self.args[0]))
        return text if exp is None else r"%s^{%s}" % (text, exp)
    return latex


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


class step(sympy.Function):
    """The unit step: 1 for x > 0, else 0 (step(0) = 0); relu' and the derivative of
    max. Its own derivative is 0 wherever it has one."""

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_extended_real:
            return sympy.Integer(1) if x > 0 else sympy.Integer(0)
        return None

    def fdiff(self, argindex=1):
        return sympy.Integer(0)

    _latex = _named_latex("step")


class relu(sympy.Function):
    """max(x, 0); relu'(x) = step(x), so relu'(0) = 0."""

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_extended_real:
            return sympy.Max(x, 0)
        return None

    def fdiff(self, argindex=1):
        return step(self.args[0])

    _latex = _named_latex("relu")


class softplus(sympy.Function):
    """log(1 + exp(x)); its derivative is sigmoid(x)."""

    @classmethod
    def eval(cls, x):
        return sympy.log(2) if x == 0 else None

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sympy.log(1 + sympy.exp(x))

    def _eval_evalf(self, prec):
        # softplus(1) is a number (log(1 + e)): evalf must give it, or a constant such
        # as softplus(1)*X is taken for one beyond floating point and refused.
        return self.rewrite(sympy.log)._eval_evalf(prec)

    _latex = _named_latex("softplus")


class _Sign(sympy.Function):
    """sign(x): -1, 0 or 1 (sign(0) = 0); its derivative is 0 wherever it has one."""

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_extended_real:
            return sympy.sign(x)
        return None

    def fdiff(self, argindex=1):
        return sympy.Integer(0)

    _latex = _named_latex("sign")


class _Absolute(sympy.Function):
    """|x| of a real x; its derivative is sign(x), so abs'(0) = 0 (a subgradient)."""

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_extended_real:
            return abs(x)
        return None

    def fdiff(self, argindex=1):
        return sign(self.args[0])

    def _latex(self, printer, exp=None):
        text = r"\left|%s\right|" % printer._print(self.args[0])
        return text if exp is None else r"%s^{%s}" % (text, exp)


# Named as the grammar writes them (printing uses the class's name); in Python the
# builtins keep theirs.
sign = type("sign", (_Sign,), {"__module__": __name__})
absolute = type("abs", (_Absolute,), {"__module__": __name__})


class _Extremum(sympy.Function):
    """max or min of two real numbers; at a tie the derivative is the second one's."""

    nargs = 2
    _pick = None  # sympy.Max or sympy.Min

    @classmethod
    def eval(cls, a, b):
        if a.is_number and b.is_number and a.is_extended_real and b.is_extended_real:
            return cls._pick(a, b)
        return None

    def fdiff(self, argindex=1):
        a, b = self.args
        first = step(a - b) if self._pick is sympy.Max else step(b - a)
        return first if argindex == 1 else 1 - first

    def _latex(self, printer, exp=None):
        name = r"\max" if self._pick is sympy.Max else r"\min"
        text = r"%s\left(%s, %s\right)" % (name, printer._print(self.args[0]),
                                          printer._print(self.args[1]))
        return text if exp is None else r"%s^{%s}" % (text, exp)


maximum = type("max", (_Extremum,), {"__module__": __name__, "_pick": sympy.Max})
minimum = type("min", (_Extremum,), {"__module__": __name__, "_pick": sympy.Min})


#: Element-wise function names and the scalar function each applies to an entry.
ELEMENTWISE = {
    "exp": sympy.exp,
    "log": sympy.log,
    "tanh": sympy.tanh,
    "sigmoid": sigmoid,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "sqrt": sympy.sqrt,
    "abs": absolute,
    "sign": sign,
    "relu": relu,
    "step": step,
    "tan": sympy.tan,
    "atan": sympy.atan,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "log1p": log1p,
    "expm1": expm1,
    "softplus": softplus,
}

#: Other names the grammar reads as element-wise functions, and whose they are.
ALIASES = {"arctan": "atan", "arcsin": "asin", "arccos": "acos"}

#: Element-wise functions of two arguments (max(A, B) entry by entry).
BINARY = {"max": maximum, "min": minimum}

#: Functions without a derivative everywhere, and the derivative matderiv takes there.
NON_SMOOTH = {
    "abs": "abs'(0) = sign(0) = 0",
    "sign": "sign' = 0 (sign(0) = 0)",
    "relu": "relu'(0) = step(0) = 0",
    "step": "step' = 0 (step(0) = 0)",
    "max": "at a tie max(a, b) takes the derivative of b",
    "min": "at a tie min(a, b) takes the derivative of b",
}

#: How each element-wise function is named in LaTeX.
LATEX_NAMES = {
    "exp": r"\exp", "log": r"\log", "tanh": r"\tanh", "sigmoid": r"\sigma", "sin": r"\sin",
    "cos": r"\cos", "tan": r"\tan", "atan": r"\arctan", "asin": r"\arcsin",
    "acos": r"\arccos", "sinh": r"\sinh", "cosh": r"\cosh", "max": r"\max", "min": r"\min",
}


def latex_name(name: str) -> str:
    """``\\tanh``, or ``\\operatorname{relu}`` for a name LaTeX has no command for."""
    return LATEX_NAMES.get(name, r"\operatorname{%s}" % name)

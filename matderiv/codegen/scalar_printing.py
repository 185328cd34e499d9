"""Printing scalars: traces without forming products, log det without det, norms,
inner products, abstract functions and SymPy's scalar arithmetic.

A part of the printer (``Printer``), by concern.
"""

from __future__ import annotations

import sympy
from sympy import (
    Determinant,
    MatAdd,
    Trace,
)

from ..errors import MatDerivError
from ..expressions import is_matrix, sigmoid
from .backends import BINARY_CODE, scalar_function_name
from .code_text import scaled, strip_parens
from .structure import trace_rest


class ScalarPrinting:
    """The printer's methods for scalar-valued nodes.

    Mixed into ``Printer``, which provides ``ns`` (the array module's name in the
    code), ``functions`` (the abstract functions the code calls) and ``value(expr)``.
    """

    ns: str
    functions: set

    # scalars
    def _print_Trace(self, expr):
        arg = expr.arg
        if isinstance(arg, MatAdd):
            return "(" + " + ".join(self.value(Trace(a)) for a in arg.args) + ")"
        rest = trace_rest(expr)
        if rest is not None:
            # tr(A R) = sum(A .* R'): the product A R is never formed.
            coefficient = sympy.Mul(*[a for a in arg.args if not is_matrix(a)])
            first = self.value([a for a in arg.args if is_matrix(a)][0])
            return scaled(coefficient, f"{self.ns}.sum({first} * {self.value(rest)}.T)", self)
        return f"{self.ns}.trace({strip_parens(self.value(arg))})"

    def _print_Determinant(self, expr):
        return f"{self.ns}.linalg.det({strip_parens(self.value(expr.arg))})"

    def _print_log(self, expr):
        if isinstance(expr.args[0], Determinant):
            # log det without forming det, which overflows long before its log does.
            return f"{self.ns}.linalg.slogdet({strip_parens(self.value(expr.args[0].arg))})[1]"
        return f"{self.ns}.log({strip_parens(self.value(expr.args[0]))})"

    def _print_Function(self, expr):
        if isinstance(expr, sigmoid):
            return f"(0.5 + 0.5 * {self.ns}.tanh(0.5 * {self.value(expr.args[0])}))"
        binary = BINARY_CODE.get(type(expr).__name__)
        if binary is not None and len(expr.args) == 2:
            args = [strip_parens(self.value(a)) for a in expr.args]
            if self.ns == "torch":  # torch.maximum takes tensors only
                args = [f"torch.as_tensor({a}, dtype=_dtype)" for a in args]
            return f"{self.ns}.{binary}({args[0]}, {args[1]})"
        name = scalar_function_name(expr.func)
        if name is None:
            raise MatDerivError(f"code generation does not support the function {expr.func}")
        return self.function_code(name, expr.args[0])

    def _print_ScalarOf(self, expr):
        return f"{self.value(expr.matrix)}[0, 0]"

    def _print_SumEntries(self, expr):
        return f"{self.ns}.sum({strip_parens(self.value(expr.matrix))})"

    def _print_LogSumExp(self, expr):
        matrix = self.named(expr.matrix)
        top = self.temp(self.reduced("max", matrix))
        return f"({top} + {self.ns}.log({self.ns}.sum({self.ns}.exp({matrix} - {top}))))"

    def _print_VectorNorm(self, expr):
        vector = strip_parens(self.value(expr.matrix))
        if expr.p == 1:
            return f"{self.ns}.sum({self.ns}.abs({vector}))"
        return f"({self.ns}.sum({self.ns}.abs({vector}) ** {expr.p}) ** (1.0 / {expr.p}))"

    def _print_FrobeniusNorm(self, expr):
        matrix = self.value(expr.matrix)
        return f"{self.ns}.sqrt({self.ns}.sum({matrix} * {matrix}))"

    def _print_Inner(self, expr):
        return f"{self.ns}.sum({self.value(expr.args[0])} * {self.value(expr.args[1])})"

    def _print_AbstractFunction(self, expr):
        self.functions.add(expr.function)
        return f"{expr.function}({strip_parens(self.value(expr.arg))})"

    def _print_Add(self, expr):
        return "(" + " + ".join(self.value(a) for a in expr.args) + ")"

    def _print_Mul(self, expr):
        return "(" + " * ".join(self.value(a) for a in expr.args) + ")"

    def _print_Pow(self, expr):
        base, exponent = self.value(expr.base), expr.exp
        if exponent == -1:
            return f"(1 / {base})"
        if exponent == sympy.Rational(1, 2):
            return f"{self.ns}.sqrt({strip_parens(base)})"
        return f"({base} ** {self.value(exponent)})"


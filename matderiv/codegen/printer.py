"""The printer: a result expression -> Python text, one node at a time, each part
needed twice computed once into a temporary.

A printer, not a mathematician: it rewrites only the way a result is computed, never
what it is. Its methods are split by concern: matrices here, products
(``products.ProductPrinting``) and scalars (``scalar_printing.ScalarPrinting``).
"""

from __future__ import annotations

from collections import Counter

import sympy
from sympy import (
    KroneckerProduct,
    MatMul,
)

from ..errors import MatDerivError
from ..expressions import CommutationMatrix, is_matrix
from .backends import BINARY_CODE, Backend, function_template
from .code_text import number_code, parenthesised, scaled, strip_parens
from .products import ProductPrinting
from .scalar_printing import ScalarPrinting
from .spectral_printing import SpectralPrinting
from .structure import (
    broadcast_part,
    is_atom_expr,
    is_diagonal,
    is_formed_product,
    is_fresh,
    is_structured,
    transpose_pairs,
    transposed,
)

# -- the printer ---------------------------------------------------------------------


class Printer(ProductPrinting, ScalarPrinting, SpectralPrinting):
    """Code for a result, line by line: ``value(expr)`` is the code of ``expr``."""

    def __init__(self, backend: Backend, sizes: dict, functions: set, counts: Counter):
        self.backend = backend
        self.ns = backend.ns
        self.sizes = sizes            # dimension Symbol -> variable name
        self.functions = functions    # abstract function names the code calls
        self.counts = counts
        self.lines: list[str] = []
        self.helpers: list[str] = []  # names of NUMPY_HELPERS the code calls
        self.memo: dict = {}
        self.temporaries = 0

    # values and temporaries
    def temp(self, code: str) -> str:
        self.temporaries += 1
        name = f"_t{self.temporaries}"
        self.lines.append(f"{name} = {strip_parens(code)}")
        return name

    def value(self, expr) -> str:
        """Code for ``expr``; a node needed more than once is computed once."""
        if expr in self.memo:
            return self.memo[expr]
        code = self._dispatch(expr)
        if self.counts.get(expr, 0) > 1 and not is_atom_expr(expr):
            code = self.temp(code)
        self.memo[expr] = code
        return code

    def helper(self, name: str) -> str:
        """The name of a module-level helper, which the module then defines."""
        if name not in self.helpers:
            self.helpers.append(name)
        return name

    def size(self, expr) -> str:
        expr = sympy.Integer(expr) if isinstance(expr, int) else expr
        if expr.is_Integer:
            return str(int(expr))
        missing = [s for s in expr.free_symbols if s not in self.sizes]
        if missing:
            raise MatDerivError(f"size {missing[0]} is not carried by any argument")
        text = str(expr.subs({s: sympy.Symbol(n) for s, n in self.sizes.items()}))
        if "/" in text:  # n(n+1)/2, the length of vech: an integer, divided exactly
            numerator, denominator = sympy.fraction(sympy.factor(expr))
            return f"({self.size(numerator)} // {self.size(denominator)})"
        return text if expr.is_Symbol else f"({text})"

    def constant(self, function: str, *sizes) -> str:
        shape = ", ".join(self.size(s) for s in sizes)
        if function != "eye":
            shape = f"({shape})"
        return f"{self.ns}.{function}({shape}{self.backend.constant_dtype})"

    # dispatch
    def _dispatch(self, expr) -> str:
        for cls in type(expr).__mro__:
            method = getattr(self, "_print_" + cls.__name__, None)
            if method is not None:
                return method(expr)
        if not is_matrix(expr) and expr.is_number:
            return number_code(expr)
        raise MatDerivError(f"code generation does not support {type(expr).__name__}: {expr}")

    # leaves
    def _print_MatrixSymbol(self, expr):
        return expr.name

    def _print_Symbol(self, expr):
        if expr in self.sizes:
            return self.sizes[expr]
        return expr.name

    def _print_Identity(self, expr):
        return self.constant("eye", expr.rows)

    def _print_ZeroMatrix(self, expr):
        return self.constant("zeros", *expr.shape)

    def _print_OneMatrix(self, expr):
        return self.constant("ones", *expr.shape)

    def _print_CommutationMatrix(self, expr):
        m, n = expr.args
        return self.apply(expr, self.constant("eye", m * n))

    def _print_DiagMatrix(self, expr):
        return f"{self.ns}.diagflat({self.value(expr.args[0])})"

    def _print_KroneckerProduct(self, expr):
        code = self.value(expr.args[0])
        for arg in expr.args[1:]:
            code = f"{self.ns}.kron({code}, {self.value(arg)})"
        return code

    # matrix operations
    def _print_Transpose(self, expr):
        if isinstance(expr.arg, (KroneckerProduct, CommutationMatrix)):
            return self.value(transposed(expr.arg))
        return f"{self.value(expr.arg)}.T"

    def _print_Inverse(self, expr):
        return f"{self.ns}.linalg.inv({strip_parens(self.value(expr.arg))})"

    def _print_MatPow(self, expr):
        exponent = int(expr.exp)
        base = self.value(expr.base)
        if exponent < 0:
            base, exponent = f"{self.ns}.linalg.inv({strip_parens(base)})", -exponent
        if exponent == 1:
            return base
        if exponent == 2:
            return f"({base} @ {base})"
        return f"{self.ns}.linalg.matrix_power({strip_parens(base)}, {exponent})"

    def _print_MatAdd(self, expr):
        if is_diagonal(expr):
            return self.materialise_diagonal(expr)
        full = [t for t in expr.args if broadcast_part(t) is None]
        terms = []
        paired = transpose_pairs(expr.args) if self.backend.name == "numpy" else {}
        for term in expr.args:
            if term in paired:
                # c M + c M' in one tiled pass (see _plus_transpose); M' is skipped.
                if paired[term] is not None:
                    coefficient, matrix = paired[term]
                    terms.append(scaled(coefficient, f"{self.helper('_plus_transpose')}("
                                         f"{strip_parens(self.value(matrix))})", self))
                continue
            part = broadcast_part(term) if full else None
            # Beside a full-shape term, 1 (for a matrix of ones), a column v (for v 1ᵀ) or
            # a row r (for 1 r) broadcast to the same sum without forming the matrix.
            terms.append(self.value(term) if part is None else
                         "1" if part == 1 else self.value(part))
        return "(" + " + ".join(terms) + ")"

    def _print_HadamardProduct(self, expr):
        return "(" + " * ".join(self.value(a) for a in expr.args) + ")"

    def _print_HadamardPower(self, expr):
        base, exponent = self.value(expr.base), expr.exp
        if exponent == -1:
            return f"(1 / {base})"
        if exponent == 2 and base.isidentifier():
            return f"({base} * {base})"
        return f"({base} ** {self.value(exponent)})"

    def _print_Elementwise(self, expr):
        if expr.function == "sigmoid":
            # 1 / (1 + exp(-x)) overflows for large -x; this form does not.
            arg = strip_parens(self.value(expr.arg))
            return f"(0.5 + 0.5 * {self.ns}.tanh(0.5 * {parenthesised(arg)}))"
        return self.function_code(expr.function, expr.arg)

    def function_code(self, name: str, arg) -> str:
        """Element-wise function ``name`` applied to the code of ``arg``."""
        template = function_template(self.backend.name, name)
        code = strip_parens(self.value(arg))
        if template.count("{x}") > 1 and not code.isidentifier():
            code = self.temp(code)
        return template.format(ns=self.ns, x=code)

    def _print_ElementwiseBinary(self, expr):
        return (f"{self.ns}.{BINARY_CODE[expr.function]}({strip_parens(self.value(expr.left))}, "
                f"{strip_parens(self.value(expr.right))})")

    def named(self, expr) -> str:
        """The code of ``expr`` as a name (a temporary unless it is one)."""
        code = self.value(expr)
        return code if code.isidentifier() else self.temp(code)

    def reduced(self, how: str, code: str, axis=None) -> str:
        """``{ns}.max`` or ``sum`` of ``code``, over all entries or along NumPy's ``axis``,
        keeping the axis (torch spells it amax, dim and keepdim)."""
        torch = self.ns == "torch"
        function = "amax" if torch and how == "max" else how
        if axis is None:
            return f"{self.ns}.{function}({code})"
        keep = f"dim={axis}, keepdim=True" if torch else f"axis={axis}, keepdims=True"
        return f"{self.ns}.{function}({code}, {keep})"

    def _print_Softmax(self, expr):
        # exp(z - max z) / sum: the same value, without overflow.
        arg = self.named(expr.arg)
        shifted = self.temp(f"{self.ns}.exp({arg} - {self.reduced('max', arg)})")
        return f"({shifted} / {self.reduced('sum', shifted)})"

    def _print_AxisSoftmax(self, expr):
        arg, axis = self.named(expr.arg), expr.axis - 1
        shifted = self.temp(f"{self.ns}.exp({arg} - {self.reduced('max', arg, axis)})")
        return f"({shifted} / {self.reduced('sum', shifted, axis)})"

    def _print_AxisLogSumExp(self, expr):
        arg, axis = self.named(expr.arg), expr.axis - 1
        top = self.temp(self.reduced("max", arg, axis))
        exps = f"{self.ns}.exp({arg} - {top})"
        return f"({top} + {self.ns}.log({self.reduced('sum', exps, axis)}))"

    def _print_DiagonalOf(self, expr):
        return f"{self.ns}.diag({strip_parens(self.value(expr.arg))}).reshape(-1, 1)"

    def _print_Unvec(self, expr):
        # column by column: the row-major reshape to n x m, transposed
        rows, cols = expr.shape
        return (f"{self.value(expr.arg)}.reshape({self.size(cols)}, {self.size(rows)})"
                ".T")

    def _print_DiagEmbedding(self, expr):
        n = self.size(expr.args[0])
        return f"{self.constant('eye', expr.shape[0])}[:, ::{n} + 1]"

    def _print_DuplicationMatrix(self, expr):
        # D(n) formed (n² x n(n+1)/2, ones at vec positions (k, l) and (l, k) of column
        # (k, l)): the columns of I(n²) at the lower triangle, plus those at the upper
        # one off the diagonal.
        n = self.size(expr.args[0])
        eye = self.constant("eye", expr.shape[0])
        pairs = f"for j in range({n}) for i in range(j, {n})"
        lower = f"[i + j * {n} {pairs}]"
        upper = f"[j + i * {n} {pairs}]"
        mask = f"[float(i != j) {pairs}]"
        return f"({eye}[:, {lower}] + {eye}[:, {upper}] * {self.ns}.asarray({mask}))"

    def _print_Vec(self, expr):
        # Column stacking = row stacking of the transpose; .T works in every backend.
        return f"{self.value(expr.arg)}.T.reshape(-1, 1)"

    def _print_Vecr(self, expr):
        return f"{self.value(expr.arg)}.reshape(-1, 1)"

    def _print_AbstractGradient(self, expr):
        self.functions.add(expr.function)
        return f"{expr.function}_grad({strip_parens(self.value(expr.arg))})"

    def _print_MatMul(self, expr):
        coefficient = sympy.Mul(*[a for a in expr.args if not is_matrix(a)])
        matrices = [a for a in expr.args if is_matrix(a)]
        if is_diagonal(expr):
            code = self.materialise_diagonal(MatMul(*matrices))
        elif is_formed_product(matrices):
            return self.formed_product(self.formed_coefficient(coefficient, matrices))
        elif (coefficient != 1 and len(matrices) == 2 and self.backend.name == "numpy"
              and not any(is_structured(m) for m in matrices)):
            # c A B: c scales a factor made by this call if it is smaller than A B, which
            # only run time knows; else the product (both in place).
            codes = [self.value(m) for m in matrices]
            fresh = next((name for name, m, code in zip("AB", matrices, codes, strict=True)
                          if is_fresh(m, code)), "")
            return (f"{self.helper('_scaled_product')}({strip_parens(self.value(coefficient))}, "
                    f"{strip_parens(codes[0])}, {strip_parens(codes[1])}, {fresh!r})")
        else:
            code = self.product(matrices)
        return scaled(coefficient, code, self)


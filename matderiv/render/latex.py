r"""LaTeX (amsmath only): ``a^{T} \otimes I_{m}``, ``X^{-T}``, ``K_{m,n}``.

>>> from sympy import MatrixSymbol, Identity, KroneckerProduct, symbols
>>> m, n = symbols("m n", integer=True, positive=True)
>>> to_latex(KroneckerProduct(MatrixSymbol("a", n, 1).T, Identity(m)))
'a^{T} \\otimes I_{m}'
"""

from __future__ import annotations

from sympy import Add, Basic, Determinant, Inverse, MatMul, MatrixSymbol, Mul, Transpose
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence_traditional

from ..expressions.conjugate import ConjugateMatrixSymbol
from .term_order import ordered_terms


def _negative(expr) -> bool:
    """A product printed with a minus sign: its scalar coefficient is a negative number.

    SymPy asks ``could_extract_minus_sign``, which compares a matrix product with its
    negation, and a matrix's negation is built by a deep ``doit()``: that rewrote the
    term before printing it (so the LaTeX could show another form than the text), or
    failed inside SymPy (a Kronecker product with a scaled factor)."""
    if not isinstance(expr, MatMul):
        return False
    first = expr.args[0]
    return not first.is_Matrix and first.is_Number and bool(first.is_extended_negative)


def _negated(product):
    """-product, for a ``_negative`` product, built as it is (no doit)."""
    first, rest = product.args[0], product.args[1:]
    if first == -1:
        return rest[0] if len(rest) == 1 else Basic.__new__(MatMul, *rest)
    return Basic.__new__(MatMul, -first, *rest)


class MatrixLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with sized identities, X^{-T} and amsmath-only output."""

    def _as_ordered_terms(self, expr, order=None):
        # SymPy's order, without the rebuild of each index sum SymPy's own way costs.
        if (order or self.order) is None:
            return ordered_terms(expr)
        return super()._as_ordered_terms(expr, order)

    def parenthesize(self, item, level, is_neg=False, strict=False) -> str:
        # SymPy's, with a product's precedence read off its sign (``_negative``).
        if isinstance(item, MatMul):
            prec_val = PRECEDENCE["Add"] if _negative(item) else PRECEDENCE["Mul"]
        else:
            prec_val = precedence_traditional(item)
        if is_neg and strict:
            return self._add_parens(self._print(item))
        if (prec_val < level) or ((not strict) and prec_val <= level):
            return self._add_parens(self._print(item))
        return self._print(item)

    def _print_MatAdd(self, expr):
        # SymPy's _print_Add, each minus sign read off the term (``_negative``).
        tex = ""
        for i, term in enumerate(self._as_ordered_terms(expr)):
            if i == 0:
                pass
            elif _negative(term):
                tex += " - "
                term = _negated(term)
            else:
                tex += " + "
            term_tex = self._print(term)
            if self._needs_add_brackets(term):
                term_tex = r"\left(%s\right)" % term_tex
            tex += term_tex
        return tex

    def _print_MatMul(self, expr):
        # SymPy's, its sign read off the coefficient (``_negative``), and its factors
        # bracketed alike with or without the sign: SymPy bracketed a negative product's
        # factors at the level of a sum, so -(A ⊗ B) vec(dX) read - A ⊗ B vec(dX).
        level = PRECEDENCE["Mul"]

        def parens(x):
            if isinstance(x, Mul) and not isinstance(x, MatMul):
                return self._print(x)
            return self.parenthesize(x, level, False)

        args = list(expr.args)
        if _negative(expr):
            args = args[1:] if args[0] == -1 else [-args[0], *args[1:]]
            return "- " + " ".join(map(parens, args))
        return " ".join(map(parens, args))

    def _print_Identity(self, expr):
        return r"I_{%s}" % self._print(expr.rows)

    def _print_OneMatrix(self, expr):
        return r"\mathbf{1}_{%s\times %s}" % (self._print(expr.rows), self._print(expr.cols))

    def _print_ZeroMatrix(self, expr):
        return r"0_{%s\times %s}" % (self._print(expr.rows), self._print(expr.cols))

    def _operand(self, expr, *bare) -> str:
        r"""``expr`` under a superscript ^{-1}, ^{-T}, ^{\circ k}: bare only when it is a
        plain symbol (SymPy's own rule for ^{T} and powers) or of a class in ``bare``.
        Without the brackets (A + X)^{-1} read A + X^{-1}, and a superscripted operand
        made a double superscript."""
        text = self._print(expr)
        return text if isinstance(expr, (MatrixSymbol, *bare)) else r"\left(%s\right)" % text

    def _print_Transpose(self, expr):
        if isinstance(expr.arg, Inverse):
            return r"%s^{-T}" % self._operand(expr.arg.arg)
        if isinstance(expr.arg, ConjugateMatrixSymbol):  # \bar{Z}^T = Z^H
            return r"%s^{H}" % self._conjugated(expr.arg)
        return super()._print_Transpose(expr)

    def _print_ConjugateMatrixSymbol(self, expr):
        name = self._conjugated(expr)
        return r"\bar{%s}" % name if len(expr.conjugate_of) == 1 else r"\overline{%s}" % name

    def _conjugated(self, expr) -> str:
        """Z's own LaTeX, for the symbol of Z̄."""
        return self._print(MatrixSymbol(expr.conjugate_of, *expr.shape))

    def _print_Inverse(self, expr):
        if isinstance(expr.arg, Transpose):
            return r"%s^{-T}" % self._operand(expr.arg.arg)
        return r"%s^{-1}" % self._operand(expr.arg)

    def _print_Trace(self, expr):
        return r"\operatorname{tr}\left(%s\right)" % self._print(expr.arg)

    def _print_Determinant(self, expr):
        return r"\det\left(%s\right)" % self._print(expr.arg)

    def _print_log(self, expr, exp=None):
        if isinstance(expr.args[0], Determinant):
            return r"\log\det\left(%s\right)" % self._print(expr.args[0].arg)
        return super()._print_log(expr, exp)

    def _print_DiagMatrix(self, expr):
        return r"\operatorname{diag}\left(%s\right)" % self._print(expr.args[0])

    _print_DiagonalOf = _print_DiagMatrix

    def _print_HadamardPower(self, expr):
        from ..expressions import Elementwise  # tanh(X)^{\circ 2}: the call brackets itself
        return r"%s^{\circ %s}" % (self._operand(expr.base, Elementwise),
                                    self._print(expr.exp))


    def _print_MatrixElement(self, expr):
        parent, i, j = expr.args
        name = self._print(parent)
        if not parent.is_symbol or "_" in name or "^" in name:
            name = r"\left(%s\right)" % name  # (b_{2})_{l}: never a double subscript
        indices = [i] if parent.shape[1] == 1 and j == 0 else [i, j]
        sep = "" if all(index.is_Symbol for index in indices) else ","
        return r"%s_{%s}" % (name, sep.join(self._print(index) for index in indices))

    def _print_KroneckerDelta(self, expr, exp=None):
        i, j = expr.args[:2]
        sep = "" if i.is_Symbol and j.is_Symbol else ","
        return r"\delta_{%s%s%s}" % (self._print(i), sep, self._print(j))

    def _print_Sum(self, expr):
        limits = "".join(r"\sum_{%s=%s}^{%s} " % (self._print(k), self._print(lo + 1),
                                                  self._print(hi + 1))
                         for k, lo, hi in expr.limits)
        body = self._print(expr.function)
        if isinstance(expr.function, Add):
            body = r"\left(%s\right)" % body
        return limits + body

    def _print_Derivative(self, expr):
        return r"\frac{\partial %s}{\partial %s}" % (self._print(expr.expr),
                                                   self._print(expr.variables[0]))

    # -- the 4-index tensor: T_{ijkl} = A_{ik} (B^{T})_{jl} ---------------------
    def _index_form(self, expr):
        from sympy import Identity

        from .index import INDEX_LETTERS, index_terms
        parts = []
        for coefficient, factors in index_terms(expr):
            if coefficient is None:
                shape = ", ".join(self._print(s) for s in factors.shape)
                parts.append(r"\operatorname{reshape}\left(%s, (%s)\right)_{%s}"
                             % (self._print(factors.expr), shape,
                                INDEX_LETTERS[:len(factors.shape)]))
                continue
            text = " ".join(
                r"\delta_{%s}" % idx if isinstance(m, Identity) else
                (r"%s_{%s}" % (self._print(m), idx) if isinstance(m, MatrixSymbol) else
                 r"\left(%s\right)_{%s}" % (self._print(m), idx)) for m, idx in factors)
            sign = "-" if coefficient.could_extract_minus_sign() else ""
            magnitude = -coefficient if sign else coefficient
            if magnitude != 1:
                text = r"%s %s" % (self.parenthesize(magnitude, 50), text)
            parts.append(sign + text)
        parts.sort(key=lambda part: part.startswith("-"))
        out = parts[0]
        for part in parts[1:]:
            out += part if part.startswith("-") else " + " + part
        return out

    _print_ArrayAdd = _print_PermuteDims = _print_Reshape = _index_form


def to_latex(expr) -> str:
    """A LaTeX fragment of a result (amsmath only, no \\mathbb)."""
    return MatrixLatexPrinter({"mat_symbol_style": "plain"}).doprint(expr)

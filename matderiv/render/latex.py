r"""LaTeX (amsmath only): ``a^{T} \otimes I_{m}``, ``X^{-T}``, ``K_{m,n}``.

>>> from sympy import MatrixSymbol, Identity, KroneckerProduct, symbols
>>> m, n = symbols("m n", integer=True, positive=True)
>>> to_latex(KroneckerProduct(MatrixSymbol("a", n, 1).T, Identity(m)))
'a^{T} \\otimes I_{m}'
"""

from __future__ import annotations

from sympy import Add, Determinant, Inverse, MatrixSymbol, Transpose
from sympy.printing.latex import LatexPrinter


class MatrixLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with sized identities, X^{-T} and amsmath-only output."""

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
        return super()._print_Transpose(expr)

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

    def _print_HadamardPower(self, expr):
        from ..objects import Elementwise  # tanh(X)^{\circ 2}: the call brackets itself
        return r"%s^{\circ %s}" % (self._operand(expr.base, Elementwise),
                                    self._print(expr.exp))


    def _print_MatrixElement(self, expr):
        parent, i, j = expr.args
        name = self._print(parent)
        if not parent.is_symbol:
            name = r"\left(%s\right)" % name
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

        from .index import index_terms
        parts = []
        for coefficient, factors in index_terms(expr):
            if coefficient is None:
                shape = ", ".join(self._print(s) for s in factors.shape)
                parts.append(r"\operatorname{reshape}\left(%s, (%s)\right)_{ijkl}"
                             % (self._print(factors.expr), shape))
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

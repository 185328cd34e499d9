"""Plain Unicode text, as on paper: ``aᵀ ⊗ I_m``, ``f'(W X) Xᵀ``, ``X⁻ᵀ``.

>>> from sympy import MatrixSymbol, Identity, KroneckerProduct, symbols
>>> m, n = symbols("m n", integer=True, positive=True)
>>> a = MatrixSymbol("a", n, 1)
>>> to_text(KroneckerProduct(a.T, Identity(m)))
'aᵀ ⊗ I_m'
"""

from __future__ import annotations

import sympy
from sympy import (
    Determinant,
    HadamardProduct,
    Inverse,
    KroneckerProduct,
    MatAdd,
    MatMul,
    MatPow,
    MatrixSymbol,
    Transpose,
)
from sympy.core.function import AppliedUndef, UndefinedFunction
from sympy.printing.str import StrPrinter

from ..expressions import ScalarOf
from ..expressions.conjugate import ConjugateMatrixSymbol
from .term_order import ordered_terms, product_text

_SIMPLE = (MatrixSymbol, sympy.Symbol, sympy.Identity, sympy.ZeroMatrix, sympy.OneMatrix)


def _size(size) -> str:
    text = str(size).replace("**", "^").replace("*", "")
    return text if len(text) == 1 or str(size).isdigit() else f"({text})"


#: (printer class, type) -> the name of the method that prints objects of that type.
_METHODS: dict = {}


def _method_name(printer, kind):
    """The ``_print_...`` method ``Printer._print`` picks for objects of type ``kind``
    (none of them printing themselves), or None (SymPy's printer then decides)."""
    classes = kind.__mro__
    if AppliedUndef in classes:
        classes = classes[classes.index(AppliedUndef):]
    if UndefinedFunction in classes:
        classes = classes[classes.index(UndefinedFunction):]
    if sympy.Function in classes:
        i = classes.index(sympy.Function)
        classes = tuple(c for c in classes[:i] if c.__name__ == classes[0].__name__
                        or c.__name__.endswith("Base")) + classes[i:]
    for cls in classes:
        if getattr(printer, "_print_" + cls.__name__, None) is not None:
            return "_print_" + cls.__name__
    return None


class TextPrinter(StrPrinter):
    """SymPy's str printer with the notation of the seed notes."""

    # Our objects' own _sympystr gives grammar-like str(); here the paper notation wins.
    printmethod = "_matderiv_text"

    def _print(self, expr, **kwargs) -> str:
        # SymPy's dispatch (Printer._print), its choice of method remembered per type:
        # it walks the type's whole MRO building method names at every node.
        name = _METHODS.get((type(self), type(expr)))
        if name is None:
            name = _method_name(self, type(expr))
            if name is None or hasattr(expr, self.printmethod):
                return super()._print(expr, **kwargs)
            _METHODS[(type(self), type(expr))] = name
        elif hasattr(expr, self.printmethod):
            return super()._print(expr, **kwargs)
        self._print_level += 1
        try:
            return getattr(self, name)(expr, **kwargs)
        finally:
            self._print_level -= 1

    def _as_ordered_terms(self, expr, order=None):
        # SymPy's order, without the rebuild of each index sum SymPy's own way costs.
        if (order or self.order) is None:
            return ordered_terms(expr)
        return super()._as_ordered_terms(expr, order)

    def _print_Mul(self, expr):
        text = product_text(self, expr)  # SymPy's, without its rebuild of index sums
        return super()._print_Mul(expr) if text is None else text

    def _group(self, expr, strong=False) -> str:
        text = self._print(expr)
        loose = (MatAdd, sympy.Add) + ((MatMul, KroneckerProduct, HadamardProduct, MatPow)
                                         if strong else (KroneckerProduct, HadamardProduct))
        if isinstance(expr, loose) or (strong and isinstance(expr, sympy.Mul)):
            return f"({text})"
        return text

    def _operand(self, expr) -> str:
        """``expr`` as the operand of a postfix ᵀ, ⁻¹, ⁻ᵀ or ^k: in parentheses when it is
        loose or carries a postfix of its own ((Xᵀ)^2, not Xᵀ^2; (Xᵀ)⁻ᵀ, not Xᵀ⁻ᵀ;
        (X^∘2)⁻¹, not X^∘2⁻¹).
        Inverse is a MatPow to SymPy, so ``_group`` already puts it in parentheses."""
        text = self._group(expr, strong=True)
        return f"({text})" if isinstance(expr, (Transpose, sympy.HadamardPower)) else text

    def _print_Transpose(self, expr):
        arg = expr.arg
        if isinstance(arg, Inverse):
            return self._operand(arg.arg) + "⁻ᵀ"
        if isinstance(arg, ConjugateMatrixSymbol):  # Z̄ᵀ = Zᴴ
            return arg.conjugate_of + "ᴴ"
        return self._operand(arg) + "ᵀ"

    def _print_ConjugateMatrixSymbol(self, expr):
        # z̄ with a combining macron over one letter; conj(W1) where it would sit on a digit
        name = expr.conjugate_of
        return name + "\u0304" if len(name) == 1 else f"conj({name})"

    def _print_Inverse(self, expr):
        if isinstance(expr.arg, Transpose):
            return self._operand(expr.arg.arg) + "⁻ᵀ"
        return self._operand(expr.arg) + "⁻¹"

    def _print_MatPow(self, expr):
        return f"{self._operand(expr.base)}^{self._print(expr.exp)}"

    def _print_HadamardPower(self, expr):
        return f"{self._operand(expr.base)}^∘{self._print(expr.exp)}"

    def _print_Identity(self, expr):
        return "I_" + _size(expr.rows)

    def _print_ZeroMatrix(self, expr):
        return "0"

    def _print_OneMatrix(self, expr):
        # A row of ones is written 𝟏ᵀ, as in b 𝟏ᵀ (a column repeated along a batch).
        return "𝟏ᵀ" if expr.rows == 1 and expr.cols != 1 else "𝟏"

    def _print_KroneckerProduct(self, expr):
        # xᵀa ⊗ I reads ambiguously: products inside a Kronecker factor get brackets.
        return " ⊗ ".join(self._print(a) if isinstance(a, MatPow) else
                          self._group(a, strong=True) for a in expr.args)

    def _print_HadamardProduct(self, expr):
        return " ∘ ".join(self._group(a) for a in expr.args)

    def _print_MatMul(self, expr):
        coeff, matrices = expr.as_coeff_matrices()
        parts = []
        if coeff == -1:
            prefix = "-"
        elif not coeff.is_Number and coeff.could_extract_minus_sign():
            prefix = "-" + self._group(-coeff, strong=True) + " "
        elif coeff != 1:
            prefix = self._group(coeff, strong=True) + " " if not coeff.is_Number \
                else self._print(coeff) + " "
        else:
            prefix = ""
        for m in matrices:
            parts.append(self._group(m) if not isinstance(m, MatAdd) else f"({self._print(m)})")
        return prefix + " ".join(parts)

    def _print_MatAdd(self, expr):
        # Positive terms first, as on paper: 1 - tanh(X)^2 rather than -tanh(X)^2 + 1.
        terms = sorted((self._print(t) for t in expr.args), key=lambda t: t.startswith("-"))
        text = terms[0]
        for term in terms[1:]:
            text += " - " + term[1:] if term.startswith("-") else " + " + term
        return text

    def _print_Pow(self, expr, rational=False):
        if isinstance(expr.base, sympy.Sum):  # (Σ_k X_kk)^2, not Σ_k X_kk^2
            return f"({self._print(expr.base)})^{self._print(expr.exp)}"
        # The nuclear norm's subscript (‖X‖_*) is kept out of the "**" -> "^" of the power:
        # ‖X‖_*^2, not ‖X‖_^*2.
        text = super()._print_Pow(expr, rational).replace("‖_*", "‖_\0")
        return text.replace("**", "^").replace("‖_\0", "‖_*")

    def _print_Function(self, expr):
        if len(expr.args) == 1 and isinstance(expr.args[0], ScalarOf):
            return expr.func.__name__ + self._print(expr.args[0])
        return super()._print_Function(expr)

    def _print_MatrixElement(self, expr):
        parent, i, j = expr.args
        name = self._print(parent) if isinstance(parent, _SIMPLE) else \
            f"({self._print(parent)})"
        indices = [i] if parent.shape[1] == 1 and j == 0 else [i, j]
        if all(index.is_Symbol for index in indices):
            return f"{name}_{''.join(map(self._print, indices))}"
        return f"{name}_({', '.join(map(self._print, indices))})"

    def _print_KroneckerDelta(self, expr):
        i, j = expr.args[:2]
        if i.is_Symbol and j.is_Symbol:
            return f"δ_{self._print(i)}{self._print(j)}"
        return f"δ_({self._print(i)}, {self._print(j)})"

    def _print_Sum(self, expr):
        limits = " ".join(f"Σ_{{{self._print(k)}={self._print(lo + 1)}..{self._print(hi + 1)}}}"
                          for k, lo, hi in expr.limits)
        body = self._print(expr.function)
        if isinstance(expr.function, sympy.Add):
            body = f"({body})"
        return f"{limits} {body}"

    def _print_Piecewise(self, expr):
        (value, condition), (otherwise, _) = expr.args
        return f"{self._print(value)} if {self._print(condition)}, else {self._print(otherwise)}"

    def _print_Equality(self, expr):
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_And(self, expr):
        return " and ".join(self._print(a) for a in expr.args)

    def _print_Derivative(self, expr):
        return f"∂{self._print(expr.expr)}/∂{self._print(expr.variables[0])}"

    def _print_Trace(self, expr):
        return f"tr({self._print(expr.arg)})"

    def _print_Determinant(self, expr):
        return f"det({self._print(expr.arg)})"

    def _print_log(self, expr):
        if isinstance(expr.args[0], Determinant):
            return f"log det({self._print(expr.args[0].arg)})"
        if isinstance(expr.args[0], ScalarOf):
            return "log" + self._print(expr.args[0])
        return f"log({self._print(expr.args[0])})"

    def _print_DiagMatrix(self, expr):
        return f"diag({self._print(expr.args[0])})"

    def _print_CommutationMatrix(self, expr):
        m, n = expr.args
        return f"K({self._print(m)}, {self._print(n)})"

    def _print_SumEntries(self, expr):
        return f"sum({self._print(expr.matrix)})"

    def _print_AbstractFunction(self, expr):
        return f"{expr.function}({self._print(expr.arg)})"

    def _print_AbstractGradient(self, expr):
        return f"{expr.function}'({self._print(expr.arg)})"

    def _print_Vec(self, expr):
        return f"{expr.operator}({self._print(expr.arg)})"

    _print_Vecr = _print_Vec

    def _print_Softmax(self, expr):
        return f"softmax({self._print(expr.arg)})"

    def _print_Elementwise(self, expr):
        if expr.function == "abs":
            return f"|{self._print(expr.arg)}|"
        return f"{expr.function}({self._print(expr.arg)})"

    def _print_abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_ElementwiseBinary(self, expr):
        return f"{expr.function}({self._print(expr.left)}, {self._print(expr.right)})"

    def _print_AxisSoftmax(self, expr):
        return f"softmax({self._print(expr.arg)}, {expr.axis})"

    def _print_AxisLogSumExp(self, expr):
        return f"logsumexp({self._print(expr.arg)}, {expr.axis})"

    def _print_LogSumExp(self, expr):
        return f"logsumexp({self._print(expr.matrix)})"

    def _print_VectorNorm(self, expr):
        return f"‖{self._print(expr.matrix)}‖_{expr.p}"

    def _print_DiagonalOf(self, expr):
        return f"diag({self._print(expr.arg)})"

    def _print_Unvec(self, expr):
        rows, cols = expr.shape
        return f"unvec({self._print(expr.arg)}, {self._print(rows)}, {self._print(cols)})"

    def _print_DiagEmbedding(self, expr):
        return f"Δ_{_size(expr.args[0])}"

    def _print_DuplicationMatrix(self, expr):
        return f"D_{_size(expr.args[0])}"

    def _print_Vech(self, expr):
        return f"vech({self._print(expr.arg)})"

    def _print_Inner(self, expr):
        return f"⟨{self._print(expr.args[0])}, {self._print(expr.args[1])}⟩"

    def _print_FrobeniusNorm(self, expr):
        return f"‖{self._print(expr.matrix)}‖_F"

    def _print_ScalarOf(self, expr):
        matrix = expr.matrix
        if isinstance(matrix, MatMul) and matrix.as_coeff_matrices()[0] == -1:
            # -(yᵀ W x), so that a sum prints "a - (yᵀ W x)", not "a + (-yᵀ W x)"
            return f"-({self._print(MatMul(*matrix.as_coeff_matrices()[1]))})"
        return f"({self._print(matrix)})"

    # -- the 4-index tensor: T_ijkl = A_ik (Bᵀ)_jl -----------------------------
    def _index_form(self, expr) -> str:
        from .index import INDEX_LETTERS, index_terms
        parts = []
        for coefficient, factors in index_terms(expr):
            if coefficient is None:
                shape = ", ".join(self._print(s) for s in factors.shape)
                letters = INDEX_LETTERS[:len(factors.shape)]  # one per axis
                parts.append(f"reshape({self._print(factors.expr)}, ({shape}))_{letters}")
                continue
            text = " ".join(
                (f"δ_{idx}" if isinstance(m, sympy.Identity) else
                 f"{self._print(m) if isinstance(m, _SIMPLE) else '(' + self._print(m) + ')'}"
                 f"_{idx}") for m, idx in factors)
            if coefficient == -1:
                text = "-" + text
            elif coefficient != 1:
                text = f"{self._group(coefficient, strong=True)} {text}"
            parts.append(text)
        parts.sort(key=lambda part: part.startswith("-"))
        out = parts[0]
        for part in parts[1:]:
            out += " - " + part[1:] if part.startswith("-") else " + " + part
        return out

    _print_ArrayAdd = _print_PermuteDims = _print_Reshape = _index_form

    def _print_MatDiff(self, expr):
        arg = expr.arg
        return "d" + self._print(arg) if isinstance(arg, _SIMPLE) else f"d({self._print(arg)})"

    _print_ScalarDiff = _print_MatDiff


def to_text(expr) -> str:
    """Unicode text of a result, for terminals."""
    return TextPrinter().doprint(expr)




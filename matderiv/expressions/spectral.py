"""Spectral functions and matrix functions: objects SymPy lacks, and the results their
derivatives are written with.

Scalars: ``eigmax(S)``, ``eigmin(S)`` (extreme eigenvalues of a symmetric S),
``norm(X, 2)`` (the spectral norm, largest singular value) and ``nucnorm(X)`` (the
nuclear norm, sum of singular values). Matrices: ``expm``, ``logm``, ``sqrtm`` (primary
matrix functions of a square X), ``pinv`` (the pseudo-inverse of a full-column-rank X),
and the results: ``eigvec_max(S)`` (the unit eigenvector of eigmax; only v v' is used,
which its sign leaves unchanged), ``svd_uv1(X)`` = u1 v1' (top singular pair),
``svd_uv(X)`` = U V' (thin SVD), ``frechet_expm(X, E)`` (the Fréchet derivative L(X, E)
of expm at X applied to E) and ``frechet_expm(X)``, its Kronecker (Jacobian) form
∫₀¹ e^{sX'} ⊗ e^{(1-s)X} ds with vec(L(X, E)) = frechet_expm(X) vec(E); likewise for
logm and sqrtm. Their entries have no closed form: ``_entry`` gives an unevaluated entry.

>>> from sympy import MatrixSymbol, symbols
>>> n = symbols("n", integer=True, positive=True)
>>> X = MatrixSymbol("X", n, n)
>>> str(EigMax(X.T * X)), str(FrechetExpm(X, X.T)), FrechetExpmMatrix(X).shape
('eigmax(X.T*X)', 'frechet_expm(X, X.T)', (n**2, n**2))
>>> is_symmetric(X + X.T), is_symmetric(X.T * X + sympy.Identity(n)), is_symmetric(X)
(True, True, False)
"""

from __future__ import annotations

from functools import cached_property

import sympy
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from .construct import shape_of
from .matrices import Elementwise
from .scalars import _OfOneMatrix
from .sizes import size_product
from .structured import structure_of

# -- scalars ---------------------------------------------------------------------------


class _SpectralScalar(_OfOneMatrix):
    """A spectral scalar of one matrix; ``paper`` is its form on a terminal."""

    paper = ""

    def _matderiv_text(self, printer):
        return (self.paper or self.text) % printer._print(self.matrix)


class EigMax(_SpectralScalar):
    """``eigmax(S)``, the largest eigenvalue of a symmetric S."""

    text, latex = "eigmax(%s)", r"\lambda_{\max}\left(%s\right)"


class EigMin(_SpectralScalar):
    """``eigmin(S)``, the smallest eigenvalue of a symmetric S."""

    text, latex = "eigmin(%s)", r"\lambda_{\min}\left(%s\right)"


class SpectralNorm(_SpectralScalar):
    """``norm(X, 2)``, the spectral norm of a matrix: its largest singular value."""

    text, latex, paper = "norm(%s, 2)", r"\left\Vert %s\right\Vert_2", "‖%s‖_2"


class NuclearNorm(_SpectralScalar):
    """``nucnorm(X)``, the nuclear (trace) norm: the sum of X's singular values."""

    text, latex, paper = "nucnorm(%s)", r"\left\Vert %s\right\Vert_*", "‖%s‖_*"


# -- matrices --------------------------------------------------------------------------


class _MatrixOf(MatrixExpr):
    """A matrix made of one matrix ``arg``, of ``arg``'s shape unless a subclass says;
    printed ``text % arg`` and ``latex % arg``. Its entries have no closed form."""

    text = latex = "%s"

    def __new__(cls, arg):
        return super().__new__(cls, arg)

    @property
    def arg(self):
        return self.args[0]

    @cached_property
    def shape(self):
        return shape_of(self.arg)

    def _entry(self, i, j, **kwargs):
        return MatrixElement(self, i, j)

    def _sympystr(self, printer):
        return self.text % printer._print(self.arg)

    _matderiv_text = _sympystr

    def _latex(self, printer):
        return self.latex % printer._print(self.arg)


class EigvecMax(_MatrixOf):
    """``eigvec_max(S)``: a unit eigenvector v of the largest eigenvalue of a symmetric S
    (a column; its sign is arbitrary, v v' is not). The gradient of eigmax(S) is v v'
    where that eigenvalue is simple."""

    text, latex = "eigvec_max(%s)", r"v_{\max}\left(%s\right)"

    @cached_property
    def shape(self):
        return (shape_of(self.arg)[0], sympy.Integer(1))


class EigvecMin(EigvecMax):
    """``eigvec_min(S)``: a unit eigenvector of the smallest eigenvalue of a symmetric S."""

    text, latex = "eigvec_min(%s)", r"v_{\min}\left(%s\right)"


class SvdUV1(_MatrixOf):
    """``svd_uv1(X)`` = u1 v1': the top left and right singular vectors of X, as their
    outer product (of X's shape; unique where the largest singular value is simple)."""

    text, latex = "svd_uv1(%s)", r"u_1 v_1^T\!\left(%s\right)"


class SvdUV(_MatrixOf):
    """``svd_uv(X)`` = U V' of the thin SVD X = U Σ V' (of X's shape; unique where X has
    full rank): the orthogonal polar factor of X."""

    text, latex = "svd_uv(%s)", r"U V^T\!\left(%s\right)"


class Expm(_MatrixOf):
    """``expm(X)``, the matrix exponential Σ X^k / k! of a square X."""

    text, latex = "expm(%s)", r"\operatorname{expm}\left(%s\right)"
    function = "expm"


class Logm(_MatrixOf):
    """``logm(X)``, the principal matrix logarithm of a square X with no eigenvalue on the
    closed negative real axis."""

    text, latex = "logm(%s)", r"\operatorname{logm}\left(%s\right)"
    function = "logm"


class Sqrtm(_MatrixOf):
    """``sqrtm(X)``, the principal square root of a square X with no eigenvalue on the
    closed negative real axis."""

    text, latex = "sqrtm(%s)", r"\operatorname{sqrtm}\left(%s\right)"
    function = "sqrtm"


class Pinv(_MatrixOf):
    """``pinv(X)``, the Moore-Penrose pseudo-inverse of an m x n X of full column rank
    (m >= n): (X'X)^-1 X', of shape n x m."""

    text, latex = "pinv(%s)", r"%s^{+}"

    @cached_property
    def shape(self):
        rows, cols = shape_of(self.arg)
        return (cols, rows)

    def _latex(self, printer):
        from sympy.printing.precedence import PRECEDENCE, precedence
        inner = printer._print(self.arg)
        if precedence(self.arg) < PRECEDENCE["Atom"] or not isinstance(
                self.arg, sympy.MatrixSymbol):
            inner = r"\left(%s\right)" % inner
        return r"%s^{+}" % inner

    def _matderiv_text(self, printer):
        inner = printer._print(self.arg)
        return inner + "⁺" if isinstance(self.arg, sympy.MatrixSymbol) else f"({inner})⁺"


class _Frechet(MatrixExpr):
    """L_f(X, E): the Fréchet derivative of the matrix function f at X applied to E (of
    X's shape): f(X + E) = f(X) + L_f(X, E) + o(|E|). Linear in E."""

    function = ""
    latex_name = ""

    def __new__(cls, point, direction):
        return super().__new__(cls, point, direction)

    @property
    def point(self):
        return self.args[0]

    @property
    def direction(self):
        return self.args[1]

    @cached_property
    def shape(self):
        return shape_of(self.point)

    def _entry(self, i, j, **kwargs):
        return MatrixElement(self, i, j)

    def _sympystr(self, printer):
        return "frechet_%s(%s, %s)" % (self.function, printer._print(self.point),
                                       printer._print(self.direction))

    _matderiv_text = _sympystr

    def _latex(self, printer):
        return r"L_{%s}\left(%s, %s\right)" % (self.latex_name, printer._print(self.point),
                                               printer._print(self.direction))


class FrechetExpm(_Frechet):
    """L_exp(X, E) = ∫₀¹ e^{sX} E e^{(1-s)X} ds (Higham, Functions of Matrices, (10.15))."""

    function, latex_name = "expm", r"\exp"


class FrechetLogm(_Frechet):
    """L_log(X, E) = ∫₀¹ (t(X - I) + I)^-1 E (t(X - I) + I)^-1 dt (Higham, (11.10))."""

    function, latex_name = "logm", r"\log"


class FrechetSqrtm(_Frechet):
    """L_sqrt(X, E): the L with X^{1/2} L + L X^{1/2} = E (Higham, (6.5)-(6.6))."""

    function, latex_name = "sqrtm", r"\surd"


class _FrechetMatrix(MatrixExpr):
    """The Kronecker (Jacobian) form of a Fréchet derivative: the n² x n² matrix K with
    vec(L_f(X, E)) = K vec(E). Printed in LaTeX in closed form."""

    function = ""
    latex = "%s"

    def __new__(cls, point):
        return super().__new__(cls, point)

    @property
    def point(self):
        return self.args[0]

    @property
    def arg(self):
        return self.args[0]

    @cached_property
    def shape(self):
        n = shape_of(self.point)[0]
        size = size_product(n, n)
        return (size, size)

    def _entry(self, i, j, **kwargs):
        return MatrixElement(self, i, j)

    def _sympystr(self, printer):
        return "frechet_%s(%s)" % (self.function, printer._print(self.point))

    _matderiv_text = _sympystr

    def _latex(self, printer):
        from sympy.printing.precedence import PRECEDENCE, precedence
        point = printer._print(self.point)
        if precedence(self.point) < PRECEDENCE["Atom"]:
            point = r"\left(%s\right)" % point
        return self.latex.replace("@", point)


class FrechetExpmMatrix(_FrechetMatrix):
    """``frechet_expm(X)`` = ∫₀¹ e^{sX'} ⊗ e^{(1-s)X} ds, the Jacobian of expm at X."""

    function = "expm"
    latex = r"\int_0^1 e^{s @^T} \otimes e^{(1-s) @}\,\mathrm{d}s"


class FrechetLogmMatrix(_FrechetMatrix):
    """``frechet_logm(X)`` = ∫₀¹ (t(X - I) + I)^-T ⊗ (t(X - I) + I)^-1 dt, the Jacobian of
    logm at X."""

    function = "logm"
    latex = (r"\int_0^1 \left(t(@ - I) + I\right)^{-T} \otimes \left(t(@ - I) + I\right)^{-1}"
             r"\,\mathrm{d}t")


class FrechetSqrtmMatrix(_FrechetMatrix):
    """``frechet_sqrtm(X)`` = (I ⊗ X^{1/2} + X^{T/2} ⊗ I)^-1, the Jacobian of sqrtm at X."""

    function = "sqrtm"
    latex = r"\left(I \otimes @^{1/2} + @^{T/2} \otimes I\right)^{-1}"


#: The matrix functions, their Fréchet derivatives applied, and their Kronecker forms.
MATRIX_FUNCTIONS = {"expm": Expm, "logm": Logm, "sqrtm": Sqrtm}
FRECHET = {"expm": FrechetExpm, "logm": FrechetLogm, "sqrtm": FrechetSqrtm}
FRECHET_MATRIX = {"expm": FrechetExpmMatrix, "logm": FrechetLogmMatrix,
                  "sqrtm": FrechetSqrtmMatrix}

#: What a result holding each object assumes, said in its notes.
ASSUMPTIONS = {
    EigvecMax: "eigvec_max(S) is a unit eigenvector of the largest eigenvalue of S; the "
               "gradient v v' assumes that eigenvalue is simple (S symmetric)",
    EigvecMin: "eigvec_min(S) is a unit eigenvector of the smallest eigenvalue of S; the "
               "gradient v v' assumes that eigenvalue is simple (S symmetric)",
    SvdUV1: "svd_uv1(X) = u1 v1' of the top singular pair of X; the gradient of norm(X, 2) "
            "assumes the largest singular value is simple (and nonzero)",
    SvdUV: "svd_uv(X) = U V' of the thin SVD X = U S V'; the gradient of nucnorm(X) "
           "assumes X has full rank",
    Pinv: "pinv(X) assumes X has full column rank (as many rows as columns at least): "
          "the derivative of X+ is Golub & Pereyra's for that case",
    Logm: "logm(X) is the principal logarithm: X has no eigenvalue on the closed "
          "negative real axis",
    Sqrtm: "sqrtm(X) is the principal square root: X has no eigenvalue on the closed "
           "negative real axis",
}


def assumptions(expr) -> list[str]:
    """The assumptions of the objects in ``expr``, in ASSUMPTIONS' order."""
    found = {type(node) for node in sympy.preorder_traversal(expr)}
    found |= {EigvecMax for node in sympy.preorder_traversal(expr) if isinstance(node, EigMax)}
    found |= {EigvecMin for node in sympy.preorder_traversal(expr) if isinstance(node, EigMin)}
    found |= {SvdUV1 for node in sympy.preorder_traversal(expr)
              if isinstance(node, SpectralNorm)}
    found |= {SvdUV for node in sympy.preorder_traversal(expr) if isinstance(node, NuclearNorm)}
    return [text for cls, text in ASSUMPTIONS.items() if cls in found]


# -- structural symmetry ---------------------------------------------------------------

def is_symmetric(expr) -> bool:
    """Whether ``expr`` is symmetric by its structure alone, for every value of its
    matrices: X + X', X'X, A' diag(x) A, X'X + I, inv(S) and powers of a symmetric S, ...

    >>> from sympy import MatrixSymbol
    >>> A, X = MatrixSymbol("A", 3, 2), MatrixSymbol("X", 3, 3)
    >>> is_symmetric(A * A.T), is_symmetric(A.T * X * A), is_symmetric(A.T * (X + X.T) * A)
    (True, False, True)
    """
    rows, cols = shape_of(expr)
    if rows != cols:
        return False
    if rows == 1 or isinstance(expr, (sympy.Identity, sympy.ZeroMatrix, sympy.OneMatrix)):
        return True
    if structure_of(expr) in ("symmetric", "diagonal"):  # declared: derive(symmetric=[...])
        return True
    from sympy.matrices.expressions.diagonal import DiagMatrix
    if isinstance(expr, DiagMatrix):
        return True
    if isinstance(expr, sympy.MatAdd):
        # (transposes pushed to the leaves first: (S + X')' is S' + X, two terms)
        return _symmetric_sum(_terms(expr)) or _transpose_is_itself(expr)
    if isinstance(expr, sympy.HadamardProduct):
        return all(is_symmetric(term) for term in expr.args) or _transpose_is_itself(expr)
    if isinstance(expr, sympy.MatMul):
        # (transposes pushed to the leaves first: (X A)' (X A) is A' X' X A)
        normal = _normal(expr)
        factors = [f for f in (normal.args if isinstance(normal, sympy.MatMul) else (normal,))
                   if getattr(f, "is_Matrix", False)]
        return _palindrome(factors) or _transpose_is_itself(expr)
    if isinstance(expr, (sympy.Inverse, Expm, Logm, Sqrtm)):
        return is_symmetric(expr.arg)
    if isinstance(expr, sympy.MatPow):
        return is_symmetric(expr.base)
    if isinstance(expr, sympy.HadamardPower):
        return is_symmetric(expr.base)
    if isinstance(expr, sympy.KroneckerProduct):
        return all(is_symmetric(a) for a in expr.args)
    if isinstance(expr, Elementwise):
        return is_symmetric(expr.arg)
    return _transpose_is_itself(expr)


def _symmetric_sum(terms) -> bool:
    """Each term symmetric, or paired with its transpose: A X B + (A X B)' + X'X."""
    left = list(terms)
    while left:
        term = left.pop()
        if is_symmetric(term):
            continue
        partner = _normal(sympy.Transpose(term))
        match = next((i for i, other in enumerate(left) if _normal(other) == partner), None)
        if match is None:
            return False
        left.pop(match)
    return True


def _terms(expr) -> list:
    """The terms of a sum, each transpose of a sum opened: S + (A + B)' has three."""
    found = []
    for term in expr.args:
        normal = _normal(term)
        found += list(normal.args) if isinstance(normal, sympy.MatAdd) else [term]
    return found


def _normal(expr):
    """A form in which a matrix and the same written otherwise compare equal:
    transposes pushed to the leaves ((A X B)' = B' X' A')."""
    try:
        return expr.doit()
    except Exception:  # noqa: BLE001 - SymPy may fail on its own objects: compare as is
        return expr


def _palindrome(factors) -> bool:
    """F1 ... Fk with F(k+1-i) = Fi' and a symmetric middle factor (if k is odd)."""
    count = len(factors)
    for i in range(count // 2):
        if sympy.Transpose(factors[i]).doit() != factors[count - 1 - i]:
            return False
    return count % 2 == 0 or is_symmetric(factors[count // 2])


def _transpose_is_itself(expr) -> bool:
    try:
        return sympy.Transpose(expr).doit() == expr
    except Exception:  # noqa: BLE001 - SymPy may fail on its own objects: not known
        return False

"""Printing spectral and matrix functions: module-level NumPy helpers (expm by Padé
scaling and squaring, sqrtm by Denman-Beavers, logm by inverse scaling and squaring,
Fréchet derivatives by the block-triangular identity), and a Fréchet derivative's
Kronecker form applied to what stands right of it without being formed.

A part of the printer (``Printer``), by concern. NumPy only: the JAX and PyTorch code of
these functions is refused, naming the function (they are not tested here).
"""

from __future__ import annotations

from ..errors import MatDerivError
from ..expressions import FRECHET_MATRIX
from .code_text import strip_parens

#: The helpers' text, emitted once before the generated ``def`` where it is used.
SPECTRAL_HELPERS = {
    "_expm": '''
def _expm(A):
    """e^A by scaling and squaring with the degree-13 Pade approximant (Higham 2005);
    A may be a stack (..., n, n)."""
    b = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
         1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
         33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
    norm = float(np.max(np.sum(np.abs(A), axis=-2)))
    s = max(0, int(np.ceil(np.log2(norm / 5.371920351148152)))) if norm > 5.37 else 0
    A = A / 2.0 ** s
    I = np.broadcast_to(np.eye(A.shape[-1]), A.shape)
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A2 @ A4
    U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4
             + b[3] * A2 + b[1] * I)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 \\
        + b[0] * I
    R = np.linalg.solve(V - U, V + U)
    for _ in range(s):
        R = R @ R
    return R
''',
    "_sqrtm": '''
def _sqrtm(A):
    """The principal square root by the Denman-Beavers iteration; A may be a stack."""
    scale = float(np.max(np.sum(np.abs(A), axis=-2)))
    if scale == 0.0:
        return np.zeros_like(A)
    Y = A / scale
    Z = np.broadcast_to(np.eye(A.shape[-1]), A.shape).copy()
    for _ in range(100):
        Y_next = (Y + np.linalg.inv(Z)) / 2
        Z = (Z + np.linalg.inv(Y)) / 2
        change = np.max(np.abs(Y_next - Y)) / max(np.max(np.abs(Y_next)), 1e-300)
        Y = Y_next
        if change < 1e-15:
            break
    return Y * np.sqrt(scale)
''',
    "_logm": '''
def _logm(A):
    """The principal logarithm by inverse scaling and squaring: square roots until A is
    within 1/4 of I, then log(I + B) by 10-point Gauss-Legendre quadrature."""
    I = np.broadcast_to(np.eye(A.shape[-1]), A.shape)
    k = 0
    while np.max(np.sum(np.abs(A - I), axis=-2)) > 0.25 and k < 60:
        A, k = _sqrtm(A), k + 1
    B = A - I
    nodes, weights = np.polynomial.legendre.leggauss(10)
    return 2.0 ** k * sum(w / 2 * np.linalg.solve(I + (t + 1) / 2 * B, B)
                          for t, w in zip(nodes, weights))
''',
    "_frechet": '''
def _frechet(f, X, E):
    """L_f(X, E): the upper right block of f([[X, E], [0, X]]); E may be a stack."""
    n = X.shape[-1]
    factor = max(float(np.max(np.sum(np.abs(X), axis=-2))), 1.0) / max(
        float(np.max(np.sum(np.abs(E), axis=-2))), 1e-300)
    block = np.zeros(E.shape[:-2] + (2 * n, 2 * n))
    block[..., :n, :n] = X
    block[..., n:, n:] = X
    block[..., :n, n:] = E * factor
    return f(block)[..., :n, n:] / factor
''',
    "_frechet_apply": '''
def _frechet_apply(f, X, V):
    """K V for the Kronecker form K of L_f at X (vec(L_f(X, E)) = K vec(E)), column by
    column without forming K: each column of V is vec(E) of an n x n E."""
    n = X.shape[0]
    E = V.T.reshape(-1, n, n).swapaxes(-1, -2)  # column k of V as E_k (column-major)
    L = _frechet(f, X, E)
    return L.swapaxes(-1, -2).reshape(V.shape[1], n * n).T
''',
    "_eigvec": '''
def _eigvec(S, largest):
    """A unit eigenvector of the largest (smallest) eigenvalue of the symmetric S."""
    _, vectors = np.linalg.eigh((S + S.T) / 2)
    return vectors[:, [-1 if largest else 0]]
''',
    "_svd_uv": '''
def _svd_uv(X, top):
    """u1 v1' (top) or U V' of the thin SVD of X."""
    U, _, Vt = np.linalg.svd(X, full_matrices=False)
    return np.outer(U[:, 0], Vt[0]) if top else U @ Vt
''',
}

#: Helpers a helper calls, emitted with it.
HELPER_NEEDS = {"_logm": ("_sqrtm",), "_frechet_apply": ("_frechet",)}


class SpectralPrinting:
    """The printer's methods for spectral and matrix functions (NumPy only).

    Mixed into ``Printer``, which provides ``backend``, ``value(expr)`` and
    ``helper(name)``.
    """

    def numpy_only(self, what: str) -> None:
        if self.backend.name != "numpy":
            raise MatDerivError(f"code for {what} is written for NumPy only (backend "
                                f"numpy); the {self.backend.name} code of it is not generated")

    def uses(self, name: str) -> str:
        for needed in HELPER_NEEDS.get(name, ()):
            self.uses(needed)
        return self.helper(name)

    def arg_code(self, expr) -> str:
        return strip_parens(self.value(expr))

    def _print_EigMax(self, expr):
        self.numpy_only("eigmax")
        return f"float(np.linalg.eigvalsh({self.arg_code(expr.matrix)})[-1])"

    def _print_EigMin(self, expr):
        self.numpy_only("eigmin")
        return f"float(np.linalg.eigvalsh({self.arg_code(expr.matrix)})[0])"

    def _print_SpectralNorm(self, expr):
        self.numpy_only("norm(X, 2)")
        return f"float(np.linalg.norm({self.arg_code(expr.matrix)}, 2))"

    def _print_NuclearNorm(self, expr):
        self.numpy_only("nucnorm")
        return f"float(np.linalg.norm({self.arg_code(expr.matrix)}, 'nuc'))"

    def _print_EigvecMax(self, expr):
        self.numpy_only("eigvec_max")
        return f"{self.uses('_eigvec')}({self.arg_code(expr.arg)}, True)"

    def _print_EigvecMin(self, expr):
        self.numpy_only("eigvec_min")
        return f"{self.uses('_eigvec')}({self.arg_code(expr.arg)}, False)"

    def _print_SvdUV1(self, expr):
        self.numpy_only("svd_uv1")
        return f"{self.uses('_svd_uv')}({self.arg_code(expr.arg)}, True)"

    def _print_SvdUV(self, expr):
        self.numpy_only("svd_uv")
        return f"{self.uses('_svd_uv')}({self.arg_code(expr.arg)}, False)"

    def _print_Pinv(self, expr):
        self.numpy_only("pinv")
        return f"np.linalg.pinv({self.arg_code(expr.arg)})"

    def _matrix_function(self, expr):
        self.numpy_only(expr.function)
        return f"{self.uses('_' + expr.function)}({self.arg_code(expr.arg)})"

    _print_Expm = _print_Logm = _print_Sqrtm = _matrix_function

    def _frechet_applied(self, expr):
        self.numpy_only(f"frechet_{expr.function}")
        function = self.uses("_" + expr.function)
        return (f"{self.uses('_frechet')}({function}, {self.arg_code(expr.point)}, "
                f"{self.arg_code(expr.direction)})")

    _print_FrechetExpm = _print_FrechetLogm = _print_FrechetSqrtm = _frechet_applied

    def _frechet_matrix(self, expr):
        """The Kronecker form itself (a Jacobian): applied to the identity, by columns."""
        n = expr.shape[0]
        return self.apply_frechet(expr, self.constant("eye", n))

    _print_FrechetExpmMatrix = _print_FrechetLogmMatrix = _frechet_matrix
    _print_FrechetSqrtmMatrix = _frechet_matrix

    def apply_frechet(self, operator, rhs: str) -> str:
        """K V without forming K (n² x n²): L_f(X, E) for each column vec(E) of V."""
        self.numpy_only(f"frechet_{operator.function}")
        function = self.uses("_" + operator.function)
        return (f"{self.uses('_frechet_apply')}({function}, "
                f"{self.arg_code(operator.point)}, {strip_parens(rhs)})")


def is_frechet_matrix(expr) -> bool:
    return isinstance(expr, tuple(FRECHET_MATRIX.values()))

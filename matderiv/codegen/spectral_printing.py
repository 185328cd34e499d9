"""Printing spectral and matrix functions: module-level NumPy helpers (expm by Padé
scaling and squaring, sqrtm by Denman-Beavers, logm by inverse scaling and squaring,
Fréchet derivatives by the block-triangular identity), and a Fréchet derivative's
Kronecker form applied to what stands right of it without being formed.

A part of the printer (``Printer``), by concern. The helpers are written once, with
what NumPy, JAX and PyTorch share, and emitted with the backend's module name.
"""

from __future__ import annotations

from ..expressions import FRECHET_MATRIX
from .code_text import strip_parens

#: The helpers' text, emitted once before the generated ``def`` where it is used; ``NS``
#: stands for the array module (np, jnp or torch): each helper is written with what the
#: three share (no in-place writes, which JAX has not; Python floats for step counts).
SPECTRAL_HELPERS = {
    "_expm": '''
def _expm(A):
    """e^A by scaling and squaring with the degree-13 Pade approximant (Higham 2005);
    A may be a stack (..., n, n)."""
    b = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
         1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
         33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
    norm = float(NS.max(NS.sum(NS.abs(A), axis=-2)))
    s = 0
    while norm > 5.371920351148152:
        norm, s = norm / 2, s + 1
    A = A / 2.0 ** s
    I = NS.eye(A.shape[-1], dtype=A.dtype) + 0 * A
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A2 @ A4
    U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4
             + b[3] * A2 + b[1] * I)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 \\
        + b[0] * I
    R = NS.linalg.solve(V - U, V + U)
    for _ in range(s):
        R = R @ R
    return R
''',
    "_sqrtm": '''
def _sqrtm(A):
    """The principal square root by the Denman-Beavers iteration; A may be a stack."""
    scale = float(NS.max(NS.sum(NS.abs(A), axis=-2)))
    if scale == 0.0:
        return 0 * A
    Y = A / scale
    Z = NS.eye(A.shape[-1], dtype=A.dtype) + 0 * A
    for _ in range(100):
        Y_next = (Y + NS.linalg.inv(Z)) / 2
        Z = (Z + NS.linalg.inv(Y)) / 2
        change = float(NS.max(NS.abs(Y_next - Y))) / max(float(NS.max(NS.abs(Y_next))), 1e-300)
        Y = Y_next
        if change < 1e-15:
            break
    return Y * scale ** 0.5
''',
    "_logm": '''
def _logm(A):
    """The principal logarithm by inverse scaling and squaring: square roots until A is
    within 1/4 of I, then log(I + B) by 10-point Gauss-Legendre quadrature on [0, 1]."""
    I = NS.eye(A.shape[-1], dtype=A.dtype) + 0 * A
    k = 0
    while float(NS.max(NS.sum(NS.abs(A - I), axis=-2))) > 0.25 and k < 60:
        A, k = _sqrtm(A), k + 1
    B = A - I
    nodes = (0.013046735741414128, 0.06746831665550773, 0.16029521585048778,
             0.2833023029353764, 0.4255628305091844, 0.5744371694908156,
             0.7166976970646236, 0.8397047841495122, 0.9325316833444923, 0.9869532642585859)
    weights = (0.03333567215434407, 0.0747256745752902, 0.109543181257991,
               0.13463335965499826, 0.1477621123573764, 0.1477621123573764,
               0.13463335965499826, 0.109543181257991, 0.0747256745752902,
               0.03333567215434407)
    total = 0 * B
    for t, w in zip(nodes, weights):
        total = total + w * NS.linalg.solve(I + t * B, B)
    return 2.0 ** k * total
''',
    "_frechet": '''
def _frechet(f, X, E):
    """L_f(X, E): the upper right block of f([[X, E], [0, X]]); E may be a stack."""
    n = X.shape[-1]
    factor = max(float(NS.max(NS.sum(NS.abs(X), axis=-2))), 1.0) / max(
        float(NS.max(NS.sum(NS.abs(E), axis=-2))), 1e-300)
    X = X + 0 * E
    top = NS.concatenate([X, E * factor], axis=-1)
    bottom = NS.concatenate([0 * X, X], axis=-1)
    return f(NS.concatenate([top, bottom], axis=-2))[..., :n, n:] / factor
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
    vectors = NS.linalg.eigh((S + S.T) / 2)[1]
    return vectors[:, -1:] if largest else vectors[:, :1]
''',
    "_svd_uv": '''
def _svd_uv(X, top):
    """u1 v1' (top) or U V' of the thin SVD of X."""
    U, _, Vt = NS.linalg.svd(X, full_matrices=False)
    return NS.outer(U[:, 0], Vt[0]) if top else U @ Vt
''',
}


def helper_text(name: str, ns: str) -> str:
    """The text of helper ``name`` for the array module ``ns`` (np, jnp or torch)."""
    return SPECTRAL_HELPERS[name].replace("NS.", ns + ".")


#: Helpers a helper calls, emitted with it.
HELPER_NEEDS = {"_logm": ("_sqrtm",), "_frechet_apply": ("_frechet",)}

#: Singular values of a matrix, by array module.
_SINGULAR_VALUES = {"np": "np.linalg.svd({}, compute_uv=False)",
                    "jnp": "jnp.linalg.svd({}, compute_uv=False)",
                    "torch": "torch.linalg.svdvals({})"}


class SpectralPrinting:
    """The printer's methods for spectral and matrix functions.

    Mixed into ``Printer``, which provides ``ns``, ``value(expr)``, ``constant(...)`` and
    ``helper(name)``.
    """

    def uses(self, name: str) -> str:
        for needed in HELPER_NEEDS.get(name, ()):
            self.uses(needed)
        return self.helper(name)

    def arg_code(self, expr) -> str:
        return strip_parens(self.value(expr))

    def _print_EigMax(self, expr):
        return f"{self.ns}.linalg.eigvalsh({self.arg_code(expr.matrix)})[-1]"

    def _print_EigMin(self, expr):
        return f"{self.ns}.linalg.eigvalsh({self.arg_code(expr.matrix)})[0]"

    def _print_SpectralNorm(self, expr):
        return f"{_SINGULAR_VALUES[self.ns].format(self.arg_code(expr.matrix))}[0]"

    def _print_NuclearNorm(self, expr):
        return f"{self.ns}.sum({_SINGULAR_VALUES[self.ns].format(self.arg_code(expr.matrix))})"

    def _print_EigvecMax(self, expr):
        return f"{self.uses('_eigvec')}({self.arg_code(expr.arg)}, True)"

    def _print_EigvecMin(self, expr):
        return f"{self.uses('_eigvec')}({self.arg_code(expr.arg)}, False)"

    def _print_SvdUV1(self, expr):
        return f"{self.uses('_svd_uv')}({self.arg_code(expr.arg)}, True)"

    def _print_SvdUV(self, expr):
        return f"{self.uses('_svd_uv')}({self.arg_code(expr.arg)}, False)"

    def _print_Pinv(self, expr):
        return f"{self.ns}.linalg.pinv({self.arg_code(expr.arg)})"

    def _matrix_function(self, expr):
        return f"{self.uses('_' + expr.function)}({self.arg_code(expr.arg)})"

    _print_Expm = _print_Logm = _print_Sqrtm = _matrix_function

    def _frechet_applied(self, expr):
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
        function = self.uses("_" + operator.function)
        return (f"{self.uses('_frechet_apply')}({function}, "
                f"{self.arg_code(operator.point)}, {strip_parens(rhs)})")


def is_frechet_matrix(expr) -> bool:
    return isinstance(expr, tuple(FRECHET_MATRIX.values()))

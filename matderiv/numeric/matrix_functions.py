"""Matrix functions and spectral results in NumPy: expm, logm, sqrtm, their Fréchet
derivatives (applied, and in Kronecker form), extreme eigenpairs, singular vectors,
the pseudo-inverse, and where each is well posed.

No eigendecomposition is used for the matrix functions, which would be inexact for a
non-normal X: expm is scaling and squaring with the degree-13 Padé approximant (Higham,
SIAM J. Matrix Anal. Appl. 26 (2005)); sqrtm is the Denman-Beavers iteration; logm is
inverse scaling and squaring (square roots until X is near I, then log(I + B) by
Gauss-Legendre quadrature of ∫₀¹ B (I + tB)⁻¹ dt, which is the diagonal Padé
approximant). A Fréchet derivative L_f(X, E) is the upper right block of
f([[X, E], [0, X]]) (Mathias 1996; Higham, Functions of Matrices, 2008, Thm 3.6). Every
function takes stacks of matrices (..., n, n), so a Kronecker form's n² columns are one
batch.

>>> import numpy as np
>>> X = np.array([[0.0, 1.0], [0.0, 0.0]])
>>> np.round(expm(X), 12).tolist()
[[1.0, 1.0], [0.0, 1.0]]
>>> root = sqrtm(np.array([[4.0, 1.0], [0.0, 9.0]]))
>>> bool(np.allclose(root, [[2.0, 0.2], [0.0, 3.0]]))
True
"""

from __future__ import annotations

import numpy as np

from ..errors import MatDerivError

#: Padé coefficients of degree 13 and the norm below which it is exact in double
#: precision (Higham 2005, Table 2.3).
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
           1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
           33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152

#: Gauss-Legendre nodes on [0, 1] for log(I + B); with |B| <= 1/4 exact to rounding.
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(10)
_NODES, _WEIGHTS = (_NODES + 1) / 2, _WEIGHTS / 2


def _one_norm(a) -> np.ndarray:
    return np.max(np.sum(np.abs(a), axis=-2), axis=-1)


def expm(a):
    """e^A by scaling and squaring with the degree-13 Padé approximant."""
    a = np.asarray(a, dtype=float)
    norm = float(np.max(_one_norm(a))) if a.size else 0.0
    if not np.isfinite(norm):
        return np.full_like(a, np.nan)
    s = max(0, int(np.ceil(np.log2(norm / _THETA13)))) if norm > _THETA13 else 0
    a = a / 2.0 ** s
    b = _PADE13
    ident = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a2 @ a4
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2)
             + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * ident)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 \
        + b[0] * ident
    result = np.linalg.solve(v - u, v + u)
    for _ in range(s):
        result = result @ result
    return result


def sqrtm(a, iterations: int = 100):
    """The principal square root by the Denman-Beavers iteration
    Y ← (Y + Z⁻¹)/2, Z ← (Z + Y⁻¹)/2 from Y = A, Z = I (Higham 2008, (6.15))."""
    a = np.asarray(a, dtype=float)
    scale = float(np.max(_one_norm(a))) if a.size else 1.0
    if scale == 0.0 or not np.isfinite(scale):
        return np.zeros_like(a) if scale == 0.0 else np.full_like(a, np.nan)
    y = a / scale
    z = np.broadcast_to(np.eye(a.shape[-1]), a.shape).copy()
    for _ in range(iterations):
        y_inv, z_inv = np.linalg.inv(y), np.linalg.inv(z)
        y_next, z_next = (y + z_inv) / 2, (z + y_inv) / 2
        change = np.max(_one_norm(y_next - y)) / max(np.max(_one_norm(y_next)), 1e-300)
        y, z = y_next, z_next
        if change < 1e-15:
            break
    return y * np.sqrt(scale)


def logm(a):
    """The principal logarithm by inverse scaling and squaring: k square roots until
    |A^(1/2^k) - I| <= 1/4, then 2^k log(I + B) by 10-point Gauss-Legendre quadrature."""
    a = np.asarray(a, dtype=float)
    ident = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    k = 0
    while np.max(_one_norm(a - ident)) > 0.25:
        if k == 60 or not np.all(np.isfinite(a)):
            return np.full_like(a, np.nan)
        a, k = sqrtm(a), k + 1
    b = a - ident
    total = sum(w * np.linalg.solve(ident + t * b, b) for t, w in zip(_NODES, _WEIGHTS,
                                                                      strict=True))
    return 2.0 ** k * total


MATRIX_FUNCTIONS = {"expm": expm, "logm": logm, "sqrtm": sqrtm}


def frechet(name: str, x, e):
    """L_f(X, E), the upper right block of f([[X, E], [0, X]]) (E scaled to X's size and
    back: the identity is exact for any E, rounding is not)."""
    x, e = np.asarray(x, dtype=float), np.asarray(e, dtype=float)
    n = x.shape[-1]
    size = max(float(np.max(_one_norm(x))), 1.0)
    scale = np.max(_one_norm(e), axis=None) if e.size else 0.0
    if scale == 0.0:
        return np.zeros(np.broadcast_shapes(x.shape, e.shape))
    factor = size / scale
    shape = np.broadcast_shapes(x.shape, e.shape)
    block = np.zeros(shape[:-2] + (2 * n, 2 * n))
    block[..., :n, :n] = x
    block[..., n:, n:] = x
    block[..., :n, n:] = e * factor
    return MATRIX_FUNCTIONS[name](block)[..., :n, n:] / factor


def frechet_matrix(name: str, x):
    """The n² x n² Kronecker form K with vec(L_f(X, E)) = K vec(E): column k n + l (the
    column-major index of E's entry (l, k)) is vec(L_f(X, e_l e_k'))."""
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    basis = np.zeros((n * n, n, n))
    for column in range(n * n):
        basis[column, column % n, column // n] = 1.0
    applied = frechet(name, x[None, :, :], basis)
    return np.stack([block.reshape(-1, order="F") for block in applied], axis=1)


def extreme_eigvec(s, largest: bool):
    """A unit eigenvector of the largest (smallest) eigenvalue of the symmetric part of S."""
    s = np.asarray(s, dtype=float)
    _, vectors = np.linalg.eigh((s + s.T) / 2)
    return vectors[:, -1 if largest else 0].reshape(-1, 1)


def extreme_eigval(s, largest: bool) -> float:
    values = np.linalg.eigvalsh((np.asarray(s, dtype=float) + np.asarray(s).T) / 2)
    return float(values[-1] if largest else values[0])


def top_singular_pair(x):
    """u1 v1' of the largest singular value."""
    u, _, vt = np.linalg.svd(np.asarray(x, dtype=float), full_matrices=False)
    return np.outer(u[:, 0], vt[0])


def polar_factor(x):
    """U V' of the thin SVD X = U S V'."""
    u, _, vt = np.linalg.svd(np.asarray(x, dtype=float), full_matrices=False)
    return u @ vt


def pinv(x):
    """The pseudo-inverse of a matrix of full column rank: the least-squares solution."""
    x = np.asarray(x, dtype=float)
    if x.shape[0] < x.shape[1]:
        raise MatDerivError("pinv of a matrix with fewer rows than columns is not of full "
                            "column rank: singular at these values")
    return np.linalg.pinv(x)


#: Closest two singular values or eigenvalues may be, relative to the largest, for a
#: point to be one where the simple-eigenvalue (full-rank) derivative is well posed.
MIN_GAP = 1e-6


def well_posed(kind: str, value) -> bool:
    """Whether the argument ``value`` of a spectral or matrix function is where its
    derivative's assumptions hold, well away from where they fail."""
    value = np.atleast_2d(np.asarray(value, dtype=float))
    if not np.all(np.isfinite(value)):
        return False
    if kind in ("eigmax", "eigmin"):
        values = np.linalg.eigvalsh((value + value.T) / 2)
        if len(values) < 2:
            return True
        gap = values[-1] - values[-2] if kind == "eigmax" else values[1] - values[0]
        return bool(gap > MIN_GAP * max(np.max(np.abs(values)), 1.0))
    singular = np.linalg.svd(value, compute_uv=False)
    top = max(float(singular[0]), 1e-300)
    if kind == "specnorm":
        return bool(len(singular) < 2 or singular[0] - singular[1] > MIN_GAP * top) \
            and singular[0] > 0
    if kind in ("nucnorm", "pinv"):
        full = kind == "nucnorm" or value.shape[0] >= value.shape[1]
        return full and bool(singular[-1] > 1e-8 * top)
    # logm, sqrtm: no eigenvalue on or near the closed negative real axis
    eigenvalues = np.linalg.eigvals(value)
    near = (eigenvalues.real <= 1e-8 * top) & (np.abs(eigenvalues.imag) <= 1e-6 * top)
    return not bool(np.any(near)) and bool(np.min(np.abs(eigenvalues)) > 1e-8 * top)


def _handlers() -> dict:
    """The evaluator's handler (evaluator, expression) -> value of each object."""
    from ..expressions import spectral as s

    def frechet_handler(ev, e):
        return frechet(e.function, ev(e.point), ev(e.direction))

    return {
        s.EigMax: lambda ev, e: extreme_eigval(ev(e.matrix), True),
        s.EigMin: lambda ev, e: extreme_eigval(ev(e.matrix), False),
        s.SpectralNorm: lambda ev, e: float(np.linalg.norm(ev(e.matrix), 2)),
        s.NuclearNorm: lambda ev, e: float(np.linalg.norm(ev(e.matrix), "nuc")),
        s.EigvecMax: lambda ev, e: extreme_eigvec(ev(e.arg), True),
        s.EigvecMin: lambda ev, e: extreme_eigvec(ev(e.arg), False),
        s.SvdUV1: lambda ev, e: top_singular_pair(ev(e.arg)),
        s.SvdUV: lambda ev, e: polar_factor(ev(e.arg)),
        s.Pinv: lambda ev, e: pinv(ev(e.arg)),
        **{cls: (lambda ev, e: MATRIX_FUNCTIONS[e.function](ev(e.arg)))
           for cls in s.MATRIX_FUNCTIONS.values()},
        **{cls: frechet_handler for cls in s.FRECHET.values()},
        **{cls: (lambda ev, e: frechet_matrix(e.function, ev(e.point)))
           for cls in s.FRECHET_MATRIX.values()},
    }


#: The argument of each object whose derivative assumes something of it (``kind`` as
#: ``well_posed`` reads it), for the checks' random points.
_POSED_KINDS: dict = {}


def posed_argument(node):
    """(kind, argument) where ``node`` is a spectral or matrix function, else None."""
    if not _POSED_KINDS:  # (built at first use: the expressions import this module)
        from ..expressions import spectral as s
        _POSED_KINDS.update({
            s.EigMax: "eigmax", s.EigvecMax: "eigmax", s.EigMin: "eigmin",
            s.EigvecMin: "eigmin", s.SpectralNorm: "specnorm", s.SvdUV1: "specnorm",
            s.NuclearNorm: "nucnorm", s.SvdUV: "nucnorm", s.Pinv: "pinv", s.Logm: "logm",
            s.Sqrtm: "sqrtm", s.FrechetLogm: "logm", s.FrechetSqrtm: "sqrtm",
            s.FrechetLogmMatrix: "logm", s.FrechetSqrtmMatrix: "sqrtm"})
    kind = _POSED_KINDS.get(type(node))
    if kind is None:
        return None
    return kind, node.args[0]


HANDLERS = _handlers()

"""The independent reader's spectral and matrix functions: by eigendecomposition, a
route that shares nothing with ``matrix_functions`` (Padé, Denman-Beavers, the
block-triangular identity).

A matrix function is V f(Λ) V⁻¹ of a diagonalizable X = V Λ V⁻¹ (random points are, with
probability one); its Fréchet derivative is Daleckii and Krein's
L_f(X, E) = V (F ∘ (V⁻¹ E V)) V⁻¹, with F_ij the divided difference of f at λ_i, λ_j
(Higham, Functions of Matrices, 2008, Thm 3.11). The pseudo-inverse is NumPy's (by the
SVD), the eigenvalues NumPy's ``eigvalsh``.

>>> import numpy as np
>>> X = np.array([[1.0, 2.0], [0.0, 3.0]])
>>> np.round(CALLS["expm"](X), 6).tolist() == np.round([[np.e, np.e ** 3 - np.e],
...                                                    [0.0, np.e ** 3]], 6).tolist()
True
"""

from __future__ import annotations

import numpy as np

_SCALAR = {"expm": np.exp, "logm": np.log, "sqrtm": np.sqrt}
_DERIVATIVE = {"expm": np.exp, "logm": lambda z: 1 / z, "sqrtm": lambda z: 0.5 / np.sqrt(z)}


class NoReading(Exception):
    """Not read here: the direct reader makes no second reading."""


def _square(value) -> np.ndarray:
    value = np.atleast_2d(np.asarray(value, dtype=float))
    if value.shape[0] != value.shape[1]:
        raise NoReading
    return value


def _eig(value):
    values, vectors = np.linalg.eig(_square(value).astype(complex))
    if np.linalg.cond(vectors) > 1e8:
        raise NoReading  # (nearly) defective: no reading by eigenvectors
    return values, vectors, np.linalg.inv(vectors)


def _function(name):
    def apply(value):
        values, vectors, inverse = _eig(value)
        return np.real(vectors @ np.diag(_SCALAR[name](values)) @ inverse)
    return apply


def _divided_differences(name, values):
    f, df = _SCALAR[name], _DERIVATIVE[name]
    diff = values[:, None] - values[None, :]
    close = np.abs(diff) < 1e-10 * max(1.0, float(np.max(np.abs(values))))
    safe = np.where(close, 1.0, diff)
    return np.where(close, df(values)[:, None] + 0 * diff,
                    (f(values)[:, None] - f(values)[None, :]) / safe)


def _frechet(name):
    def apply(point, *direction):
        values, vectors, inverse = _eig(point)
        weights = _divided_differences(name, values)
        n = len(values)
        if direction:
            e = _square(direction[0])
            if e.shape != (n, n):
                raise NoReading
            return np.real(vectors @ (weights * (inverse @ e @ vectors)) @ inverse)
        # vec(V (F ∘ (V⁻¹ E V)) V⁻¹) = (V⁻ᵀ ⊗ V) diag(vec F) (Vᵀ ⊗ V⁻¹) vec(E)
        left = np.kron(inverse.T, vectors)
        right = np.kron(vectors.T, inverse)
        return np.real(left @ (weights.reshape(-1, order="F")[:, None] * right))
    return apply


def _symmetric(value) -> np.ndarray:
    value = _square(value)
    if not np.allclose(value, value.T, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(value).max())):
        raise NoReading
    return (value + value.T) / 2


def _eigvec(largest):
    def apply(value):
        values, vectors = np.linalg.eigh(_symmetric(value))
        return vectors[:, [-1 if largest else 0]]
    return apply


def _singular(kind):
    def apply(value):
        u, _, vt = np.linalg.svd(np.atleast_2d(np.asarray(value, dtype=float)),
                                 full_matrices=False)
        return np.outer(u[:, 0], vt[0]) if kind == "top" else u @ vt
    return apply


def _norm_of(order):
    def apply(value):
        value = np.atleast_2d(np.asarray(value, dtype=float))
        if 1 in value.shape:
            return float(np.sqrt(np.sum(value * value)))
        return float(np.linalg.norm(value, order))
    return apply


def _pinv(value):
    value = np.atleast_2d(np.asarray(value, dtype=float))
    if value.shape[0] < value.shape[1]:
        raise NoReading
    return np.linalg.pinv(value)


CALLS = {
    "eigmax": lambda value: float(np.linalg.eigvalsh(_symmetric(value))[-1]),
    "eigmin": lambda value: float(np.linalg.eigvalsh(_symmetric(value))[0]),
    "eigvec_max": _eigvec(True), "eigvec_min": _eigvec(False),
    "svd_uv1": _singular("top"), "svd_uv": _singular("polar"),
    "specnorm": _norm_of(2), "nucnorm": _norm_of("nuc"), "pinv": _pinv,
    **{name: _function(name) for name in _SCALAR},
    **{"frechet_" + name: _frechet(name) for name in _SCALAR},
}

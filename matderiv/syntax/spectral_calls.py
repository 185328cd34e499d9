"""Building the spectral and matrix-function calls: ``eigmax(S)``, ``eigmin(S)``,
``nucnorm(X)``, ``specnorm(X)`` (= ``norm(X, 2)`` of a matrix), ``expm``, ``logm``,
``sqrtm``, ``pinv``, and the objects their derivatives are written with
(``eigvec_max``, ``svd_uv1``, ``svd_uv``, ``frechet_expm(X, E)``, ``frechet_expm(X)``,
...), which a claim may write too.

A part of the ``Builder``, by concern. eigmax and eigmin take a symmetric argument:
one symmetric by its structure (X + X', X'X, A' diag(x) A, X'X + I); any other is
refused, naming the symmetric part (X + X')/2 as what to write. pinv takes a matrix of
full column rank: a matrix with fewer rows than columns, where both are numbers, is
refused. Of a scalar they are the scalar functions (expm(s) = exp(s), pinv(s) = 1/s).

>>> from matderiv.syntax import Builder
>>> from matderiv.syntax.shapes import declare
>>> env = declare({"X": ("n", "n"), "A": ("m", "n")})
>>> str(Builder(env).build_text("eigmax(X'*X) + tr(expm(X))"))
'eigmax(X.T*X) + Trace(expm(X))'
>>> Builder(env).build_text("pinv(A)").shape
(n, m)
"""

from __future__ import annotations

import sympy

from ..expressions import (
    ELEMENTWISE,
    FRECHET,
    FRECHET_MATRIX,
    MATRIX_FUNCTIONS,
    EigMax,
    EigMin,
    EigvecMax,
    EigvecMin,
    FrobeniusNorm,
    NuclearNorm,
    Pinv,
    SpectralNorm,
    SvdUV,
    SvdUV1,
    is_matrix,
    is_symmetric,
    shape_of,
)
from ..expressions.rank import rank_at_most
from .grammar import as_scalar, describe_shape, is_one_by_one, scalar_as_matrix

#: The scalar function each matrix function is, of a scalar.
_OF_A_SCALAR = {"expm": sympy.exp, "logm": sympy.log, "sqrtm": sympy.sqrt}


class SpectralCalls:
    """The Builder's methods for spectral functions and matrix functions.

    Mixed into ``Builder``, which provides ``error(message, node)``, ``square(name,
    value, node)`` and ``nonzero(value, what, node)``.
    """

    rule_mode: bool
    source: str | None

    def symmetric(self, name, value, node):
        """A square ``value`` that is symmetric by its structure, or an error."""
        value = self.square(name, value, node)
        if is_matrix(value) and not is_one_by_one(value) and not is_symmetric(value):
            argument = "M"
            span = getattr(node.args[0], "span", None) if node.args else None
            if self.source and span and span[1] - span[0] <= 40:
                argument = self.source[span[0]:span[1]]
            self.error(f"{name} needs a symmetric argument, and this one is not symmetric "
                       f"by its structure (as X + X', X'*X or A'*diag(x)*A are); to take "
                       f"its symmetric part write {name}(({argument} + ({argument})')/2)",
                       node)
        return value

    def call_eigmax(self, node, value):
        value = self.symmetric("eigmax", value, node)
        return EigMax(value) if is_matrix(value) and not is_one_by_one(value) \
            else as_scalar(value)

    def call_eigmin(self, node, value):
        value = self.symmetric("eigmin", value, node)
        return EigMin(value) if is_matrix(value) and not is_one_by_one(value) \
            else as_scalar(value)

    def call_eigvec_max(self, node, value):
        value = self.symmetric("eigvec_max", value, node)
        return EigvecMax(value) if is_matrix(value) and not is_one_by_one(value) \
            else sympy.Integer(1)

    def call_eigvec_min(self, node, value):
        value = self.symmetric("eigvec_min", value, node)
        return EigvecMin(value) if is_matrix(value) and not is_one_by_one(value) \
            else sympy.Integer(1)

    def spectral_norm(self, value):
        """norm(X, 2) of a matrix: its largest singular value (of a vector, its length)."""
        value = scalar_as_matrix(value)
        if not is_matrix(value) or is_one_by_one(value):
            return ELEMENTWISE["abs"](as_scalar(value))
        if 1 in shape_of(value):
            return FrobeniusNorm(value)
        return SpectralNorm(value)

    def call_specnorm(self, node, value):
        return self.spectral_norm(value)

    def call_nucnorm(self, node, value):
        value = scalar_as_matrix(value)
        if not is_matrix(value) or is_one_by_one(value):
            return ELEMENTWISE["abs"](as_scalar(value))
        if 1 in shape_of(value):
            return FrobeniusNorm(value)  # one singular value: the vector's length
        return NuclearNorm(value)

    def singular_result(self, cls, name, node, value):
        value = scalar_as_matrix(value)
        if not is_matrix(value):
            self.error(f"{name} takes a matrix", node)
        return cls(value)

    def call_svd_uv1(self, node, value):
        return self.singular_result(SvdUV1, "svd_uv1", node, value)

    def call_svd_uv(self, node, value):
        return self.singular_result(SvdUV, "svd_uv", node, value)

    def matrix_function(self, name, node, value):
        value = self.square(name, value, node)
        if name == "logm":
            value = self.nonzero(value, "the argument of logm", node)
        if not is_matrix(value) or is_one_by_one(value):
            result = _OF_A_SCALAR[name](as_scalar(value))
            if result.is_number and not self.rule_mode:
                self.representable(result, name, node)
            return result
        return MATRIX_FUNCTIONS[name](value)

    def call_expm(self, node, value):
        return self.matrix_function("expm", node, value)

    def call_logm(self, node, value):
        return self.matrix_function("logm", node, value)

    def call_sqrtm(self, node, value):
        return self.matrix_function("sqrtm", node, value)

    def frechet(self, name, node, point, *direction):
        """frechet_f(X, E): L_f(X, E) of E of X's shape; frechet_f(X): its n² x n²
        Kronecker form."""
        point = self.square(f"frechet_{name}", point, node)
        if not is_matrix(point):
            self.error(f"frechet_{name} takes a square matrix", node)
        if not direction:
            return FRECHET_MATRIX[name](point)
        direction = scalar_as_matrix(direction[0])
        if not is_matrix(direction) or shape_of(direction) != shape_of(point):
            what = describe_shape(direction) if is_matrix(direction) else "a scalar"
            self.error(f"frechet_{name}(X, E) needs E of X's shape "
                       f"({describe_shape(point)}), not {what}", node)
        return FRECHET[name](point, direction)

    def call_frechet_expm(self, node, point, *direction):
        return self.frechet("expm", node, point, *direction)

    def call_frechet_logm(self, node, point, *direction):
        return self.frechet("logm", node, point, *direction)

    def call_frechet_sqrtm(self, node, point, *direction):
        return self.frechet("sqrtm", node, point, *direction)

    def call_pinv(self, node, value):
        value = scalar_as_matrix(value)
        if not is_matrix(value) or is_one_by_one(value):
            value = self.nonzero(as_scalar(value), "the pseudo-inverted scalar", node)
            return sympy.Pow(value, -1)
        rows, cols = shape_of(value)
        if rows == 1 or (rows.is_Integer and cols.is_Integer and rows < cols):
            self.error(f"pinv(X) is taken of a matrix of full column rank, so X has at least "
                       f"as many rows as columns; this one is {describe_shape(value)}: for "
                       "a wide X of full row rank write pinv(X')'", node)
        bound = rank_at_most(value)
        if bound is not None and cols.is_Integer and bound < int(cols):
            self.error(f"pinv(X) is taken of a matrix of full column rank, but this "
                       f"{describe_shape(value)} matrix has rank at most {bound} at any values "
                       "(a product through a narrower dimension): its pseudo-inverse is not "
                       "differentiable by the full-rank formula", node)
        return Pinv(value)

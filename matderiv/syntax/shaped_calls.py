"""Building the calls that reshape or reduce: ``sum(A, 2)``, ``mean``, ``softmax(A, dim)``,
``logsumexp``, ``norm(x, p)``, ``diag``, ``unvec``, ``Delta``, ``D``, ``max(A, B)``,
``square``.

A part of the ``Builder``, by concern. An axis is MATLAB's: 1 goes down each column, 2
along each row. Where an operation is written with others (``sum(A, 2)`` is A 𝟏,
``mean`` a scaled sum, ``square(A)`` is A.^2) it is built so, and the existing rules
differentiate it; a vector along its length is the vector's own case (softmax(x, 1) of
a column is softmax(x)).

>>> from matderiv.syntax import Builder
>>> from matderiv.syntax.shapes import declare
>>> env = declare({"Z": ("m", "n")})
>>> Builder(env).build_text("sum(Z, 2)").shape, Builder(env).build_text("softmax(Z, 1)")
((m, 1), softmax(Z, 1))
"""

from __future__ import annotations

import sympy
from sympy import OneMatrix, Transpose, ZeroMatrix
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf

from ..expressions import (
    BINARY,
    ELEMENTWISE,
    AxisLogSumExp,
    AxisSoftmax,
    DiagEmbedding,
    ElementwiseBinary,
    FrobeniusNorm,
    LogSumExp,
    Softmax,
    SumEntries,
    Unvec,
    VectorNorm,
    is_matrix,
    mat_mul,
    shape_of,
    size_product,
)
from ..expressions.structured import DuplicationMatrix, Vech
from .grammar import as_scalar, describe_shape, is_one_by_one, scalar_as_matrix
from .limits import MAX_NORM_ORDER


class ShapedCalls:
    """The Builder's methods for calls that reshape or reduce a matrix.

    Mixed into ``Builder``, which provides ``rule_mode``, ``error(message, node)``,
    ``multiply(left, right, node)``, ``hadamard_power(base, exponent, node)`` and
    ``dimension(value, node)``.
    """

    rule_mode: bool

    def axis(self, name, value, node) -> int:
        """An axis argument: 1 (down each column) or 2 (along each row)."""
        value = as_scalar(value)
        if is_matrix(value) or value not in (1, 2):
            self.error(f"the axis of {name} is 1 (down each column) or 2 (along each row)",
                       node)
        return int(value)

    def call_sum(self, node, value, *axis):
        if axis:
            return self.sum_along(value, self.axis("sum", axis[0], node), node)
        return SumEntries(value) if is_matrix(value) and not is_one_by_one(value) \
            else as_scalar(value)

    def sum_along(self, value, axis, node):
        """sum(A, 1) = 𝟏ᵀA (a row of column sums), sum(A, 2) = A𝟏 (a column of row sums)."""
        value = scalar_as_matrix(value)
        if not is_matrix(value):
            return value
        rows, cols = shape_of(value)
        if (rows, cols)[axis - 1] == 1:
            return as_scalar(value)  # each line has one entry
        if axis == 1:
            return as_scalar(mat_mul(OneMatrix(1, rows), value))
        return as_scalar(mat_mul(value, OneMatrix(cols, 1)))

    def call_mean(self, node, value, *axis):
        value = scalar_as_matrix(value)
        if not is_matrix(value):
            return value
        rows, cols = shape_of(value)
        if axis:
            along = self.axis("mean", axis[0], node)
            count = (rows, cols)[along - 1]
            total = self.sum_along(value, along, node)
        else:
            count = size_product(rows, cols)
            total = self.call_sum(node, value)
        return self.multiply(sympy.Pow(count, -1), total, node) if count != 1 else total

    def call_norm(self, node, value, *order):
        # norm(x, 2) (LaTeX \|x\|_2) is the Euclidean norm of a vector; of a matrix it is
        # the spectral norm (SpectralCalls), which is not the Frobenius norm.
        p = 2
        if order:
            p = as_scalar(order[0])
            if is_matrix(p) or not p.is_Integer or not 1 <= p <= MAX_NORM_ORDER:
                self.error(f"the order p of norm(x, p) is an integer from 1 to "
                           f"{MAX_NORM_ORDER}", node)
            p = int(p)
        value = scalar_as_matrix(value)
        if not is_matrix(value) or is_one_by_one(value):
            return ELEMENTWISE["abs"](as_scalar(value))
        if order and p == 2 and 1 not in shape_of(value):
            return self.spectral_norm(value)  # the largest singular value
        if order and 1 not in shape_of(value):
            self.error(f"norm(X, {p}) of a {describe_shape(value)} matrix X is its induced "
                       f"(operator) {p}-norm, which matderiv does not differentiate; write "
                       "the Frobenius norm norm(X) (\\|X\\|_F), the spectral norm norm(X, 2), "
                       "or the norm of vec(X)", node)
        return FrobeniusNorm(value) if p == 2 else VectorNorm(value, p)

    def call_Delta(self, node, size):
        return DiagEmbedding(self.dimension(size, node))

    def call_D(self, node, size):
        """D(n), the duplication matrix: D(n) vech(S) = vec(S) for a symmetric n x n S."""
        return DuplicationMatrix(self.dimension(size, node))

    def call_vech(self, node, value):
        """vech(S) (in rules only): the lower triangle of a square S, columns stacked."""
        return Vech(value)

    def call_diag(self, node, value):
        """diag(v): the diagonal matrix of a vector (a row or a column); diag(X): the
        column of a square matrix's diagonal, as in MATLAB."""
        value = scalar_as_matrix(value)
        if not is_matrix(value) or is_one_by_one(value):
            return value  # the diagonal of a 1 x 1 matrix, or its diagonal matrix
        rows, cols = shape_of(value)
        if cols == 1:
            return DiagMatrix(value)
        if rows == 1:
            return DiagMatrix(value.T)
        if rows != cols:
            self.error(f"diag takes a vector or a square matrix, not a {describe_shape(value)} "
                       "matrix", node)
        return DiagonalOf(value)

    def call_unvec(self, node, column, rows, cols):
        """unvec(v, m, n): the column v (m n entries) read back into an m x n matrix, column
        by column: vec(unvec(v, m, n)) = v."""
        rows, cols = self.dimension(rows, node), self.dimension(cols, node)
        column = scalar_as_matrix(column)
        entries = size_product(rows, cols)
        if not is_matrix(column) or shape_of(column)[1] != 1 or \
                sympy.expand(shape_of(column)[0] - entries) != 0:
            self.error(f"unvec(v, {rows}, {cols}) needs a column of {entries} entries, not "
                       f"{describe_shape(column) if is_matrix(column) else 'a scalar'}", node)
        if rows == 1 or cols == 1:
            return as_scalar(column if cols == 1 else Transpose(column))
        return Unvec(column, rows, cols)

    def call_softmax(self, node, value, *axis):
        value = scalar_as_matrix(value)
        if not is_matrix(value) or is_one_by_one(value):
            return sympy.Integer(1)  # a single entry, normalised by itself
        if not axis:
            return Softmax(value)
        along = self.axis("softmax", axis[0], node)
        rows, cols = shape_of(value)
        if (rows, cols)[along - 1] == 1:
            return OneMatrix(rows, cols)  # each line has one entry
        if (cols, rows)[along - 1] == 1:
            return Softmax(value)  # a vector along its length
        return AxisSoftmax(along, value)

    def call_logsumexp(self, node, value, *axis):
        value = scalar_as_matrix(value)
        if not is_matrix(value) or is_one_by_one(value):
            return value  # log exp a = a
        if not axis:
            return LogSumExp(value)
        along = self.axis("logsumexp", axis[0], node)
        rows, cols = shape_of(value)
        if (rows, cols)[along - 1] == 1:
            return value
        if (cols, rows)[along - 1] == 1:
            return LogSumExp(value)
        return AxisLogSumExp(along, value)

    def call_square(self, node, value):
        return self.hadamard_power(value, sympy.Integer(2), node)

    def extremum(self, name, node, left, right):
        """max(A, B), min(A, B) entry by entry; a scalar stands for a matrix of it."""
        left, right = as_scalar(left), as_scalar(right)
        if not is_matrix(left) and not is_matrix(right):
            return BINARY[name](left, right)
        if is_matrix(left) and is_matrix(right) and shape_of(left) != shape_of(right):
            self.error(f"{name} entry by entry of {describe_shape(left)} and "
                       f"{describe_shape(right)}", node)
        shape = shape_of(left) if is_matrix(left) else shape_of(right)
        left, right = (v if is_matrix(v) else ZeroMatrix(*shape) if v == 0 else
                       mat_mul(v, OneMatrix(*shape)) for v in (left, right))
        return ElementwiseBinary(name, left, right)

    def call_max(self, node, left, right):
        return self.extremum("max", node, left, right)

    def call_min(self, node, left, right):
        return self.extremum("min", node, left, right)

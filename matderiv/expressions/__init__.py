"""The vocabulary every stage speaks: SymPy objects matderiv adds, and fast, canonical
ways to build them.

It owns the matrices and scalars SymPy lacks (``CommutationMatrix``, ``Elementwise``,
``Vec``, ``AbstractFunction``, the differentials ``MatDiff``/``ScalarDiff``, ...), sizes
and the constructors that check shapes once per node (``mat_mul``, ``shape_of``), the
memos that remember results per subexpression, containment tests (``contains``), and
the clean-up between rule applications (``tidy``, ``canonical``, ``content``). It may
import SymPy and ``matderiv.errors`` only; every other stage imports it.

>>> from sympy import MatrixSymbol
>>> X = MatrixSymbol("X", 2, 2)
>>> mat_mul(2, MatDiff(X), X).args
(2, dX, X)
"""

from . import sympy_fixes  # noqa: F401 - mends SymPy where it breaks on matrices
from .construct import hadamard_product, is_matrix, mat_add, mat_mul, rebuilt, shape_of
from .differentials import MatDiff, ScalarDiff
from .functions import ALIASES, BINARY, ELEMENTWISE, NON_SMOOTH, sigmoid
from .matrices import (
    AbstractGradient,
    AxisLogSumExp,
    AxisSoftmax,
    CommutationMatrix,
    DiagEmbedding,
    Elementwise,
    ElementwiseBinary,
    Softmax,
    Unvec,
    Vec,
    Vecr,
)
from .scalars import (
    AbstractFunction,
    FrobeniusNorm,
    Inner,
    LogSumExp,
    OpaqueScalar,
    ScalarOf,
    SumEntries,
    VectorNorm,
)
from .sizes import identity, is_size, matrix_symbol, size_product, size_symbol, sized
from .spectral import (
    FRECHET,
    FRECHET_MATRIX,
    MATRIX_FUNCTIONS,
    EigMax,
    EigMin,
    EigvecMax,
    EigvecMin,
    Expm,
    FrechetExpm,
    FrechetExpmMatrix,
    FrechetLogm,
    FrechetLogmMatrix,
    FrechetSqrtm,
    FrechetSqrtmMatrix,
    Logm,
    NuclearNorm,
    Pinv,
    SpectralNorm,
    Sqrtm,
    SvdUV,
    SvdUV1,
    is_symmetric,
)

__all__ = [
    "ALIASES", "AbstractFunction", "AbstractGradient", "AxisLogSumExp", "AxisSoftmax", "BINARY",
    "CommutationMatrix", "DiagEmbedding", "ELEMENTWISE", "Elementwise", "ElementwiseBinary",
    "FrobeniusNorm", "Inner", "LogSumExp", "MatDiff", "NON_SMOOTH", "OpaqueScalar",
    "ScalarDiff", "ScalarOf", "Softmax", "SumEntries", "Unvec", "Vec", "VectorNorm", "Vecr",
    "hadamard_product", "identity", "is_matrix", "is_size",
    "mat_add", "mat_mul", "matrix_symbol", "rebuilt", "shape_of", "sigmoid", "size_product",
    "size_symbol", "sized",
    # spectral and matrix functions (spectral.py)
    "EigMax", "EigMin", "EigvecMax", "EigvecMin", "Expm", "FRECHET", "FRECHET_MATRIX",
    "FrechetExpm", "FrechetExpmMatrix", "FrechetLogm", "FrechetLogmMatrix", "FrechetSqrtm",
    "FrechetSqrtmMatrix", "Logm", "MATRIX_FUNCTIONS", "NuclearNorm", "Pinv", "SpectralNorm",
    "Sqrtm", "SvdUV", "SvdUV1", "is_symmetric",
]

"""Products, sums and Hadamard products built with their sizes checked once per node.

SymPy's constructors check the sizes of a product by asking each factor's shape through
the whole tree below it; ``shape_of`` remembers a node's shape, so building a deep
formula (an L-layer network's gradient) stays linear in its size.

>>> from sympy import MatrixSymbol
>>> A, x = MatrixSymbol("A", 3, 2), MatrixSymbol("x", 2, 1)
>>> mat_mul(2, A, x).args, shape_of(mat_add(A * x, A * x))
((2, A, x), (3, 1))
"""

from __future__ import annotations

import sympy
from sympy.core.sympify import _sympify
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.matrices.expressions.special import GenericIdentity, GenericZeroMatrix

from .memo import IdentityMemo, interned
from .sizes import size_product


def is_matrix(expr) -> bool:
    """True for matrix expressions (including 1 x 1 ones), False for scalars."""
    return bool(getattr(expr, "is_Matrix", False))


def _factors(expr):
    return expr._args if isinstance(expr, sympy.MatMul) else (expr,)


def _terms(expr):
    return expr._args if isinstance(expr, sympy.MatAdd) else (expr,)



_SHAPES = IdentityMemo("matderiv.expressions.construct.shape_of")
#: The nodes whose shape is remembered; by class, whether it is one of them (a dict
#: lookup by type is cheaper than isinstance against five classes, asked ~100 000
#: times in the Jacobian of X^32).
_COMPOSITE_CLASSES = (sympy.MatMul, sympy.MatAdd, sympy.HadamardProduct, sympy.Transpose,
                      sympy.KroneckerProduct)
_COMPOSITE: dict = {}


def shape_of(expr):
    """``expr.shape``, computed once per distinct subexpression.

    SymPy recomputes a product's shape from its first and last factors, a Hadamard
    product's or a sum's from its first term, on every query: through every level of a
    deep formula (an L-layer network's gradient nests L products), O(depth) each time.
    A Kronecker product's shape multiplies its factors' sizes (SymPy arithmetic) on
    every query.

    >>> from sympy import MatrixSymbol
    >>> A, x = MatrixSymbol("A", 3, 2), MatrixSymbol("x", 2, 1)
    >>> shape_of(sympy.HadamardProduct(A * x, A * x))
    (3, 1)
    """
    composite = _COMPOSITE.get(type(expr))
    if composite is None:
        composite = _COMPOSITE[type(expr)] = issubclass(type(expr), _COMPOSITE_CLASSES)
    if composite:
        entry = _SHAPES.get(id(expr))  # (IdentityMemo.lookup, inline: asked constantly)
        if entry is not None and entry[0] is expr:
            return entry[1]
        return _SHAPES.remember(expr, _shape_from_parts(expr))
    if type(expr) is sympy.MatrixSymbol:  # (its parts are its name and sizes)
        parts = expr._args
        return parts[1], parts[2]
    return expr.shape


def _shape_from_parts(expr):
    if isinstance(expr, sympy.MatMul):
        matrices = [a for a in expr._args if is_matrix(a)]
        return shape_of(matrices[0])[0], shape_of(matrices[-1])[1]
    if isinstance(expr, sympy.Transpose):
        rows, cols = shape_of(expr.arg)
        return cols, rows
    if isinstance(expr, sympy.KroneckerProduct):  # as SymPy's shape, from known parts
        rows, cols = zip(*(shape_of(a) for a in expr._args), strict=True)
        return size_product(*rows), size_product(*cols)
    return shape_of(expr._args[0])


def _product(coeff, args, matrices=None):
    """MatMul(coeff, *args), its factors' sizes checked here (by ``shape_of``) rather
    than by SymPy, which asks each factor's shape through the whole tree. ``matrices``:
    the matrix factors, when ``args`` holds scalars too."""
    matrices = args if matrices is None else matrices
    args = args if coeff == 1 else [coeff, *args]
    for left, right in zip(matrices, matrices[1:], strict=False):
        if shape_of(left)[1] != shape_of(right)[0]:
            return sympy.MatMul(*args)  # SymPy's own check (and ShapeError)
    return sympy.Basic.__new__(sympy.MatMul, *args)


def coefficient_of(scalars):
    """The product of a matrix product's scalar factors: ``Mul(*scalars)``, whose
    constructor is skipped for the common cases (Mul() is 1, Mul(c) is c)."""
    if not scalars:
        return sympy.S.One
    if len(scalars) == 1:
        scalar = scalars[0]
        return scalar if isinstance(scalar, sympy.Basic) else _sympify(scalar)
    return sympy.Mul(*scalars)


def mat_mul(*factors):
    """A flat product: nested products are spliced in, scalar factors multiplied together.

    >>> from sympy import MatrixSymbol
    >>> A, B = MatrixSymbol("A", 2, 2), MatrixSymbol("B", 2, 2)
    >>> mat_mul(mat_mul(2, A), mat_mul(3, B)).args
    (6, A, B)
    """
    scalars, matrices = [], []
    for factor in factors:
        for f in (factor._args if isinstance(factor, sympy.MatMul) else (factor,)):
            (matrices if getattr(f, "is_Matrix", False) else scalars).append(f)
    if not matrices:
        return sympy.Mul(*scalars)
    coeff = coefficient_of(scalars)
    if (coeff is sympy.S.One or coeff == 1) and len(matrices) == 1:
        return matrices[0]
    return _product(coeff, matrices)


def transposed(matrix):
    """``matrix'``, as ``tidy`` would leave it: a transpose undone, a square identity or
    ones matrix its own transpose. (A rule's R' with R bound to I builds I' otherwise,
    and tidying it rebuilds every node above it.)

    >>> A = sympy.MatrixSymbol("A", 2, 3)
    >>> transposed(A), transposed(A.T), transposed(sympy.Identity(2))
    (A.T, A, I)
    """
    if isinstance(matrix, sympy.Transpose):
        return matrix.arg
    if isinstance(matrix, (sympy.Identity, sympy.OneMatrix)):
        rows, cols = shape_of(matrix)
        if rows == cols:
            return matrix
    return interned(sympy.Basic.__new__(sympy.Transpose, matrix))  # (A' is built often)


def kronecker(*matrices):
    """``KroneckerProduct(*matrices)`` of SymPy matrices, built without converting
    them again (SymPy's constructor sympifies each and checks it is a matrix, which it
    is here); all identities give SymPy's Identity, as there.

    >>> A, B = sympy.MatrixSymbol("A", 2, 3), sympy.MatrixSymbol("B", 3, 3)
    >>> kronecker(A, B) == sympy.KroneckerProduct(A, B)
    True
    """
    if all(a.is_Identity for a in matrices) or \
            not all(isinstance(a, sympy.Basic) and a.is_Matrix for a in matrices):
        return sympy.KroneckerProduct(*matrices)
    return sympy.Basic.__new__(sympy.KroneckerProduct, *matrices)


def without_identity(left, right):
    """Of a product ``left right`` that fits, the factor other than an identity, as
    ``tidy`` would leave the product (SymPy's canonical product drops identities); None
    where neither is an identity. (A rule's L*dX*R with L bound to I builds I dX R
    otherwise, and tidying it rebuilds the product and every node above it.)

    >>> A = sympy.MatrixSymbol("A", 2, 3)
    >>> without_identity(sympy.Identity(2), A), without_identity(A, A.T) is None
    (A, True)
    """
    if type(left) is sympy.Identity:
        return right
    if type(right) is sympy.Identity:
        return left
    return None


def mat_add(*terms):
    """A flat sum of matrices."""
    flat = [t for term in terms for t in _terms(term)]
    return flat[0] if len(flat) == 1 else _same_shape(sympy.MatAdd, flat)


def hadamard_product(*factors):
    """HadamardProduct(*factors), their sizes checked by ``shape_of``."""
    return _same_shape(sympy.HadamardProduct, factors)


def _same_shape(cls, args):
    """cls(*args) for a sum or Hadamard product of matrices of one shape, checked here
    (see ``_product``)."""
    if any(not isinstance(a, MatrixExpr) or isinstance(a, GenericZeroMatrix) for a in args):
        return cls(*args)  # SymPy's constructor converts or drops them
    shape = shape_of(args[0])
    if any(shape_of(a) != shape for a in args):
        return cls(*args)  # SymPy's own check (and ShapeError)
    return sympy.Basic.__new__(cls, *args)


def rebuilt(expr, args):
    """``expr.func(*args)``, for a product, sum or Hadamard product with its sizes
    checked by ``shape_of`` (SymPy's constructors ask every factor's shape through the
    whole tree below it); the same node SymPy's constructor builds.

    >>> from sympy import MatrixSymbol
    >>> A, B = MatrixSymbol("A", 2, 2), MatrixSymbol("B", 2, 2)
    >>> rebuilt(A * B, [sympy.Integer(2), B]), rebuilt(A + B, [A, A])
    (2*B, A + A)
    """
    if not all(isinstance(a, sympy.Basic) for a in args):
        return expr.func(*args)  # SymPy's constructor converts them
    if isinstance(expr, sympy.MatMul):
        matrices = [a for a in args if is_matrix(a)]
        if matrices and not any(isinstance(a, GenericIdentity) for a in args):
            return _product(sympy.Integer(1), list(args), matrices)
    elif isinstance(expr, (sympy.MatAdd, sympy.HadamardProduct)) and args:
        return _same_shape(type(expr), list(args))
    return expr.func(*args)


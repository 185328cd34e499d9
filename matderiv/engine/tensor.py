"""The 4-index derivative T[i, j, k, l] = ∂F_ij / ∂X_kl, as a SymPy array expression.

Axis order: (row of F, column of F, row of X, column of X); a scalar F has rows and
columns 1, so T has shape (1, 1, p, q). T holds the same numbers as either Jacobian:

- vecr stacks rows, the row-major order of a reshape, so T = reshape(J_row, (m, n, p, q));
- vec stacks columns, so T = permute_axes(reshape(J_col, (n, m, q, p)), (1, 0, 3, 2)),
  which is seed 2's item 8: reshape to (b, m, b, n), then ``permute_axes(2, 1, 4, 3)``
  counting axes from 1.

Where the vecr Jacobian is a Kronecker product the tensor is an outer product with its
axes permuted, which is the form the textbooks write with indices:
(A ⊗ B)[(i, j), (k, l)] = A_ik B_jl, and (A ⊗ B) K gives A_il B_jk.

>>> from matderiv import derive
>>> d = derive("A*X*B", wrt="X", shapes={"A": "p,m", "X": "m,n", "B": "n,q"})
>>> d.tensor()
PermuteDims(ArrayTensorProduct(A, B.T), (3)(1 2))
>>> d.tensor().shape
(p, q, m, n)
"""

from __future__ import annotations

import sympy
from sympy import Identity, KroneckerProduct, MatAdd, MatMul
from sympy.tensor.array.expressions import ArrayAdd, ArrayTensorProduct, PermuteDims, Reshape

from ..expressions import CommutationMatrix, is_matrix

#: ATP(A, B) has axes (i, k, j, l) when T_ijkl = A_ik B_jl, and (i, l, j, k) when
#: T_ijkl = A_il B_jk (a Kronecker product followed by a commutation matrix).
_KRONECKER_AXES = (0, 2, 1, 3)
_COMMUTED_AXES = (0, 2, 3, 1)


def tensor_shape(f_shape, x_shape) -> tuple:
    return (*f_shape, *x_shape)


def tensor_from_row_jacobian(jacobian, f_shape, x_shape):
    """T from the vecr Jacobian: Kronecker terms as permuted outer products, else a reshape.

    >>> from sympy import MatrixSymbol, symbols
    >>> m, n = symbols("m n", integer=True, positive=True)
    >>> W = MatrixSymbol("W", m, n)
    >>> tensor_from_row_jacobian(KroneckerProduct(W, Identity(2)), (m, 2), (n, 2))
    PermuteDims(ArrayTensorProduct(W, I), (3)(1 2))
    """
    shape = tensor_shape(f_shape, x_shape)
    terms = list(jacobian.args) if isinstance(jacobian, MatAdd) else [jacobian]
    converted = [_term(term, f_shape, x_shape, shape) for term in terms]
    return converted[0] if len(converted) == 1 else ArrayAdd(*converted)


def tensor_from_col_jacobian(jacobian, f_shape, x_shape):
    """T from the vec Jacobian, by seed 2's reshape and axis permutation (no structure)."""
    reshaped = Reshape(jacobian, (f_shape[1], f_shape[0], x_shape[1], x_shape[0]))
    return PermuteDims(reshaped, (1, 0, 3, 2))


def _term(term, f_shape, x_shape, shape):
    coefficient, core = _split_coefficient(term)
    structured = _structured(core, f_shape, x_shape)
    if structured is None:
        return Reshape(term, shape)
    if coefficient == 1:
        return structured
    # A number rides on the outer product, where SymPy's array algebra keeps it.
    product, axes = structured.args[0], structured.args[1]
    return PermuteDims(ArrayTensorProduct(coefficient, *product.args), axes)


def _split_coefficient(term):
    if isinstance(term, MatMul):
        scalars = [a for a in term.args if not is_matrix(a)]
        matrices = [a for a in term.args if is_matrix(a)]
        core = matrices[0] if len(matrices) == 1 else MatMul(*matrices)
        return sympy.Mul(*scalars), core
    return sympy.Integer(1), term


def _structured(core, f_shape, x_shape):
    """A ⊗ B, (A ⊗ B) K or K alone, when the factors' sizes match F's and X's axes."""
    (m, n), (p, q) = f_shape, x_shape
    if isinstance(core, CommutationMatrix) and tuple(core.args) == (q, p) and (m, n) == (q, p):
        # K alone is (I ⊗ I) K: the transpose, T_ijkl = δ_il δ_jk.
        return PermuteDims(ArrayTensorProduct(Identity(m), Identity(n)), _COMMUTED_AXES)
    if isinstance(core, KroneckerProduct) and len(core.args) == 2:
        a, b = core.args
        if a.shape == (m, p) and b.shape == (n, q):
            return PermuteDims(ArrayTensorProduct(a, b), _KRONECKER_AXES)
    if isinstance(core, MatMul) and len(core.args) == 2:
        kron, commutation = core.args
        if (isinstance(kron, KroneckerProduct) and len(kron.args) == 2
                and isinstance(commutation, CommutationMatrix)):
            a, b = kron.args
            # K(s, t) vec(V) = vec(V') for V of shape s x t; after a vecr Jacobian it
            # takes vecr(X) to vecr(X'), so (A ⊗ B) K has entries A_il B_jk.
            if (a.shape == (m, q) and b.shape == (n, p)
                    and tuple(commutation.args) == (q, p)):
                return PermuteDims(ArrayTensorProduct(a, b), _COMMUTED_AXES)
    return None


__all__ = ["tensor_from_row_jacobian", "tensor_from_col_jacobian", "tensor_shape"]

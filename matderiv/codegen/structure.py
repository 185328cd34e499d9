"""What the printer needs to know of a result's structure: which operators are applied
instead of formed (diagonal, Kronecker, commutation, inverse), how often each part is
needed, and the pairs and patterns it computes in one pass.

>>> from sympy import Identity, MatrixSymbol
>>> is_diagonal(Identity(3)), is_structured(MatrixSymbol("A", 3, 3))
(True, False)
"""

from __future__ import annotations

from collections import Counter

import sympy
from sympy import (
    HadamardPower,
    HadamardProduct,
    Identity,
    Inverse,
    KroneckerProduct,
    MatAdd,
    MatMul,
    MatPow,
    MatrixSymbol,
    OneMatrix,
    Trace,
    Transpose,
)
from sympy.matrices.expressions.diagonal import DiagMatrix

from ..expressions import CommutationMatrix, Elementwise, is_matrix


def is_diagonal(expr) -> bool:
    """Diagonal matrices the printer keeps as a column of their diagonal."""
    if isinstance(expr, (DiagMatrix, Identity)):
        return True
    if isinstance(expr, Transpose):
        return is_diagonal(expr.arg)
    if isinstance(expr, MatMul):
        matrices = [a for a in expr.args if is_matrix(a)]
        return bool(matrices) and all(is_diagonal(a) for a in matrices)
    if isinstance(expr, MatAdd):
        return all(is_diagonal(a) for a in expr.args)
    return False


def is_structured(expr) -> bool:
    """Operators applied to a right-hand side instead of being formed."""
    return isinstance(expr, (KroneckerProduct, CommutationMatrix, Inverse)) \
        or is_diagonal(expr) or (isinstance(expr, Transpose)
                                  and isinstance(expr.arg, (KroneckerProduct, CommutationMatrix)))


def is_formed_product(factors) -> bool:
    """Structured factors only, one a Kronecker product: nothing dense to apply them to,
    so the Kronecker product is formed (``ProductPrinting.formed_product``)."""
    return all(is_structured(f) and not isinstance(f, Inverse) for f in factors) and any(
        isinstance(f, KroneckerProduct) for f in factors)


def transposed(expr):
    """Transpose pushed into Kronecker products and commutation matrices."""
    if isinstance(expr, KroneckerProduct):
        return KroneckerProduct(*[Transpose(a) for a in expr.args])
    if isinstance(expr, CommutationMatrix):
        return CommutationMatrix(expr.args[1], expr.args[0])
    return Transpose(expr)


def one_inverse_form(expr):
    """inv(X') is written inv(X)' so one inverse serves both (common subexpressions)."""
    if isinstance(expr, Inverse) and isinstance(expr.arg, Transpose):
        return Transpose(Inverse(one_inverse_form(expr.arg.arg)))
    if isinstance(expr, MatPow) and not isinstance(expr, Inverse) and expr.exp == -1:
        return one_inverse_form(Inverse(expr.base))
    if not expr.args or isinstance(expr, (MatrixSymbol, sympy.Symbol)):
        return expr
    args = [one_inverse_form(a) if isinstance(a, sympy.Basic) else a for a in expr.args]
    if all(a is b for a, b in zip(args, expr.args, strict=True)):
        return expr
    return expr.func(*args)


def count_uses(expr, counts: Counter) -> None:
    """How often each subexpression is needed; a shared node's inside counts once."""
    counts[expr] += 1
    if counts[expr] == 1:
        for arg in expr.args:
            if isinstance(arg, sympy.Basic):
                count_uses(arg, counts)
        rest = trace_rest(expr)
        if rest is not None:
            # tr(A R) is printed as sum(A .* R'): R may be shared with the rest.
            count_uses(rest, counts)


def trace_rest(expr):
    """R of a trace tr(c A R) that is printed as c sum(A .* R'), else None."""
    if not isinstance(expr, Trace) or not isinstance(expr.arg, MatMul):
        return None
    matrices = [a for a in expr.arg.args if is_matrix(a)]
    if len(matrices) < 2 or any(is_structured(m) for m in matrices):
        return None
    return matrices[1] if len(matrices) == 2 else MatMul(*matrices[1:])



def broadcast_part(term):
    """What broadcasts to ``term`` in a sum: 1 for ones(m, n), the scalar c for
    c ones(m, n), v for v*ones(1, n) (v a column), r for ones(m, 1)*r (r a row); None for
    any other term."""
    if isinstance(term, OneMatrix):
        return 1
    if not isinstance(term, MatMul):
        return None
    coefficient = sympy.Mul(*[a for a in term.args if not is_matrix(a)])
    matrices = [a for a in term.args if is_matrix(a)]
    if len(matrices) == 1 and isinstance(matrices[0], OneMatrix):
        return coefficient
    if len(matrices) == 2 and coefficient == 1:
        left, right = matrices
        if isinstance(right, OneMatrix) and right.shape[0] == 1 and left.shape[1] == 1:
            return left
        if isinstance(left, OneMatrix) and left.shape[1] == 1 and right.shape[0] == 1:
            return right
    return None


def transpose_pairs(terms) -> dict:
    """Terms of a sum that pair up as c M and c M' (M square, not symmetric as written):
    the first of a pair -> (c, M), its partner -> None.  Terms of no pair are absent."""
    paired: dict = {}
    for i, term in enumerate(terms):
        if term in paired or not term.is_square or is_diagonal(term) \
                or isinstance(term, (KroneckerProduct, CommutationMatrix)):
            continue
        transposed = term.T
        if transposed == term:
            continue
        partner = next((t for t in terms[i + 1:] if t == transposed and t not in paired),
                       None)
        if partner is None:
            continue
        coefficient = sympy.Integer(1)
        matrix = term
        if isinstance(term, MatMul):
            coefficient = sympy.Mul(*[a for a in term.args if not is_matrix(a)])
            matrices = [a for a in term.args if is_matrix(a)]
            matrix = matrices[0] if len(matrices) == 1 else MatMul(*matrices)
        paired[term], paired[partner] = (coefficient, matrix), None
    return paired


def is_weighted_gram(groups) -> bool:
    """Groups of a product R' D R: dense runs either side of a diagonal D, the left run
    the transpose of the right one."""
    if len(groups) != 3 or not isinstance(groups[0], list) \
            or not isinstance(groups[2], list) or not is_diagonal(groups[1]):
        return False
    left, right = (g[0] if len(g) == 1 else MatMul(*g) for g in (groups[0], groups[2]))
    return left.T == right


def group_diagonals(factors):
    """Runs of dense factors as lists; each structured factor (diagonal runs merged) alone."""
    groups: list = []
    for factor in factors:
        if isinstance(factor, Identity):
            continue
        if is_diagonal(factor):
            if groups and not isinstance(groups[-1], list) and is_diagonal(groups[-1]):
                groups[-1] = MatMul(groups[-1], factor)
            else:
                groups.append(factor)
        elif is_structured(factor):
            groups.append(factor)
        elif groups and isinstance(groups[-1], list):
            groups[-1].append(factor)
        else:
            groups.append([factor])
    return groups


def is_fresh(expr, code: str) -> bool:
    """Whether ``code`` makes a new array no other name refers to (an elementwise result,
    not an argument, a view or a temporary used again), which may be changed in place."""
    return not code.isidentifier() and isinstance(
        expr, (HadamardProduct, HadamardPower, Elementwise, MatAdd))


def is_atom_expr(expr) -> bool:
    """Leaves and free views (a transposed name): never worth a temporary."""
    if isinstance(expr, Transpose):
        return isinstance(expr.arg, MatrixSymbol)
    return isinstance(expr, (MatrixSymbol, sympy.Symbol)) or (
        not is_matrix(expr) and expr.is_number)


def sorted_sums(expr):
    """Each matrix sum and Hadamard product with its terms in one order, so that F and its
    gradient, printed together, share A x - b however each wrote it (these products
    commute: only the order of the terms in the code changes)."""
    if not isinstance(expr, sympy.Basic) or not expr.args or isinstance(expr, MatrixSymbol):
        return expr
    args = [sorted_sums(a) if isinstance(a, sympy.Basic) else a for a in expr.args]
    if isinstance(expr, (sympy.MatAdd, sympy.HadamardProduct)):
        args = sorted(args, key=sympy.default_sort_key)
        return sympy.Basic.__new__(type(expr), *args)
    if all(a is b for a, b in zip(args, expr.args, strict=True)):
        return expr
    return expr.func(*args)


"""How a 4-index tensor reads with indices: T_ijkl = A_ik (Bᵀ)_jl + ...

It only reads the structure ``matderiv.engine.tensor`` builds (permuted outer products, sums,
reshapes); the printers turn the pieces into text or LaTeX.

>>> from sympy import MatrixSymbol
>>> from sympy.tensor.array.expressions import ArrayTensorProduct, PermuteDims
>>> A, B = MatrixSymbol("A", 2, 3), MatrixSymbol("B", 4, 5)
>>> [(str(m), idx) for m, idx in index_terms(PermuteDims(ArrayTensorProduct(A, B),
...                                                      (0, 2, 1, 3)))[0][1]]
[('A', 'ik'), ('B', 'jl')]
"""

from __future__ import annotations

import sympy
from sympy.tensor.array.expressions import ArrayAdd, ArrayTensorProduct, PermuteDims, Reshape

LETTERS = "ijkl"
#: The names of a reshaped array's axes, in order (a derivative of any order has up to 12).
INDEX_LETTERS = "ijklpqrstuvw"


def index_terms(expr) -> list[tuple]:
    """[(coefficient, [(matrix, "ik"), ...])] per term, or (None, reshaped) for a reshape."""
    terms = expr.args if isinstance(expr, ArrayAdd) else (expr,)
    return [_term(term) for term in terms]


def _term(term):
    if isinstance(term, Reshape):
        return None, term
    if isinstance(term, PermuteDims) and isinstance(term.expr, ArrayTensorProduct):
        # Output axis s is input axis perm[s]: input axis perm[s] carries letter s.
        perm = term.permutation.array_form
        letter_of = {perm[s]: LETTERS[s] for s in range(len(perm))}
        coefficient, factors, axis = sympy.Integer(1), [], 0
        for arg in term.expr.args:
            if not hasattr(arg, "shape"):
                coefficient *= arg
                continue
            factors.append((arg, letter_of[axis] + letter_of[axis + 1]))
            axis += 2
        return coefficient, factors
    return None, term


def is_tensor(expr) -> bool:
    return isinstance(expr, (ArrayAdd, PermuteDims, Reshape, ArrayTensorProduct))

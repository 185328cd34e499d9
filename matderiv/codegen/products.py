"""Printing products: dense runs as matrix products (``multi_dot`` for chains), and
structured factors (Kronecker, commutation, diagonal, inverse) applied to what stands
right of them without being formed.

A part of the printer (``Printer``), by concern.
"""

from __future__ import annotations

import sympy
from sympy import (
    Identity,
    Inverse,
    KroneckerProduct,
    MatAdd,
    MatMul,
    Transpose,
)
from sympy.matrices.expressions.diagonal import DiagMatrix

from ..errors import MatDerivError
from ..expressions import CommutationMatrix, is_matrix
from .code_text import parenthesised, scaled, strip_parens
from .cost import fused_kron_commutation
from .spectral_printing import is_frechet_matrix
from .structure import (
    group_diagonals,
    is_diagonal,
    is_formed_product,
    is_weighted_gram,
    transposed,
)


class ProductPrinting:
    """The printer's methods for products and the operators it applies.

    Mixed into ``Printer``, which provides what they use: the attributes below, and
    ``value(expr)`` (an expression's code), ``temp(code)`` (a temporary's name),
    ``size(expr)`` and ``constant(function, *sizes)``.
    """

    backend: object   # the Backend the code is written for
    ns: str           # its module's name in the code: np, jnp or torch
    counts: dict      # how often each part is needed
    memo: dict        # the code of each part printed so far

    # products: dense runs with multi_dot, structured factors applied to their right side
    def product(self, factors) -> str:
        if is_formed_product(factors):
            return self.formed_product(factors)
        groups = group_diagonals(factors)
        if self.backend.name == "numpy" and is_weighted_gram(groups):
            # R' diag(w) R: symmetric, so half the work where the weights allow (see the
            # helper _weighted_gram).
            weights = self.diagonal(groups[1])
            if weights != "1":
                return (f"{self.helper('_weighted_gram')}({strip_parens(self.chain(groups[2]))}, "
                        f"{strip_parens(weights)})")
        # The rightmost group is the start value; structured operators cannot start.
        value = None
        index = len(groups)
        while index > 0:
            index -= 1
            group = groups[index]
            if value is None:
                if isinstance(group, list):
                    run_start = index
                    while run_start > 0 and isinstance(groups[run_start - 1], list):
                        run_start -= 1
                    dense = [f for g in groups[run_start:index + 1] for f in g]
                    value = self.chain(dense)
                    index = run_start
                elif is_diagonal(group) and index > 0 and isinstance(groups[index - 1], list):
                    # M diag(d) scales M's columns: M * d'.
                    run_start = index - 1
                    while run_start > 0 and isinstance(groups[run_start - 1], list):
                        run_start -= 1
                    dense = [f for g in groups[run_start:index] for f in g]
                    value = f"({self.chain(dense)} * {self.diagonal(group)}.T)"
                    index = run_start
                else:
                    value = self.value(group)
                continue
            if isinstance(group, list):
                run_start = index
                while run_start > 0 and isinstance(groups[run_start - 1], list):
                    run_start -= 1
                dense = [f for g in groups[run_start:index + 1] for f in g]
                value = self.chain(dense, tail=value)
                index = run_start
            else:
                value = self.apply(group, value)
        return value

    def formed_product(self, factors) -> str:
        """A product of structured factors only, one a Kronecker product, with nothing
        to apply them to (a Hessian such as -(X⁻¹ ⊗ X⁻ᵀ) K): the Kronecker product is
        formed entry by entry (``kron``; the last one, where there are several), the
        factors left of it applied to it, those right of it applied to its transpose:
        (M F)ᵀ = Fᵀ Mᵀ. A commutation matrix or a diagonal moves or scales entries, so
        the whole costs the result's size, where applying them all to an identity cost
        (n²)² n.
        """
        at = _formed_at(factors)
        kron = factors[at]
        if fused_kron_commutation(factors):
            # (P ⊗ Q) K: entry ((i, k), (j, l)) is P[i, l] Q[k, j], written in one pass.
            (p1, q1), (p2, q2) = kron.args[0].shape, kron.args[1].shape
            return (f"({self.value(kron.args[0])}[:, None, None, :] * "
                    f"{self.value(kron.args[1])}[None, :, :, None]).reshape("
                    f"{self.size(p1 * p2)}, {self.size(q1 * q2)})")
        steps = [lambda value, f=f: self.apply(f, value) for f in reversed(factors[:at])]
        steps += [lambda value, f=f: f"{parenthesised(self.apply(transposed(f), f'{value}.T'))}.T"
                  for f in factors[at + 1:]]
        value = self._print_KroneckerProduct(kron)
        for step in steps:
            value = step(value if value.isidentifier() else self.temp(value))
        return value

    def formed_coefficient(self, coefficient, factors):
        """``coefficient`` (c P ⊗ Q ...) moved onto the Kronecker product's first factor,
        the smallest array, where ``formed_product`` writes the product: one pass less."""
        if coefficient == 1:
            return factors
        at = _formed_at(factors)
        args = factors[at].args
        kron = KroneckerProduct(MatMul(coefficient, args[0]), *args[1:])
        return [*factors[:at], kron, *factors[at + 1:]]

    def chain(self, dense, tail=None) -> str:
        codes = [self.value(f) for f in dense] + ([tail] if tail is not None else [])
        if len(codes) == 1:
            return codes[0]
        if len(codes) == 2:
            return f"({codes[0]} @ {codes[1]})"
        return f"{self.ns}.linalg.multi_dot([{', '.join(strip_parens(c) for c in codes)}])"

    def apply(self, operator, rhs: str) -> str:
        """Code for ``operator @ rhs`` that never forms a structured operator."""
        if isinstance(operator, Transpose) and isinstance(
                operator.arg, (KroneckerProduct, CommutationMatrix)):
            operator = transposed(operator.arg)
        if is_diagonal(operator):
            diagonal = self.diagonal(operator)
            return rhs if diagonal == "1" else f"({diagonal} * {rhs})"
        if isinstance(operator, Inverse):
            if self.counts.get(operator, 0) > 1 or operator in self.memo:
                return f"({self.value(operator)} @ {rhs})"
            return (f"{self.ns}.linalg.solve({strip_parens(self.value(operator.arg))}, "
                    f"{strip_parens(rhs)})")
        if isinstance(operator, CommutationMatrix):
            m, n = operator.args
            # Row i*n + j of K is row j*m + i: K vec(A) = vec(A') for A of shape m x n.
            return (f"{self.ns}.swapaxes({rhs}.reshape({self.size(n)}, {self.size(m)}, -1), "
                    f"0, 1).reshape({self.size(m * n)}, -1)")
        if isinstance(operator, KroneckerProduct):
            return self.apply_kronecker(operator, rhs)
        if is_frechet_matrix(operator):
            return self.apply_frechet(operator, rhs)
        if isinstance(operator, MatMul):
            coefficient = sympy.Mul(*[a for a in operator.args if not is_matrix(a)])
            value = rhs
            for factor in reversed([a for a in operator.args if is_matrix(a)]):
                value = self.apply(factor, value)
            return scaled(coefficient, value, self)
        if isinstance(operator, MatAdd):
            rhs_name = rhs if rhs.isidentifier() else self.temp(rhs)
            return "(" + " + ".join(self.apply(t, rhs_name)
                                    for t in operator.args) + ")"
        return f"({self.value(operator)} @ {rhs})"

    def apply_kronecker(self, operator, rhs: str) -> str:
        """(P ⊗ R) M without forming P ⊗ R: M as (q_P, q_R, k), R on axis 1, P on axis 0.

        Row (i, r) of (P ⊗ R) M is sum over (j, s) of P[i, j] R[r, s] M[(j, s), k].
        """
        left = operator.args[0]
        right = operator.args[1] if len(operator.args) == 2 \
            else KroneckerProduct(*operator.args[1:])
        (p1, q1), (p2, q2) = left.shape, right.shape
        stacked = f"{rhs}.reshape({self.size(q1)}, {self.size(q2)}, -1)"
        if isinstance(right, Identity):
            inner = stacked
        elif isinstance(right, (KroneckerProduct, CommutationMatrix)):
            # R on a matrix whose columns are all (j, k) pairs, then back to (q_P, p_R, k).
            flat = f"{self.ns}.swapaxes({stacked}, 0, 1).reshape({self.size(q2)}, -1)"
            applied = self.apply(right, self.temp(flat))
            inner = (f"{self.ns}.swapaxes({applied}.reshape({self.size(p2)}, "
                     f"{self.size(q1)}, -1), 0, 1)")
        else:
            inner = f"({self.value(right)} @ {stacked})"
        if not isinstance(left, Identity):
            # P on axis 0: (q_P, p_R, k) -> (q_P, p_R k), P applied (formed or not).
            inner = self.apply(left, f"{parenthesised(inner)}.reshape({self.size(q1)}, -1)")
        return f"{parenthesised(inner)}.reshape({self.size(p1 * p2)}, -1)"

    # diagonal matrices, kept as the column of their diagonal
    def diagonal(self, expr) -> str:
        """The diagonal of a diagonal expression as a column (or a scalar that broadcasts)."""
        if isinstance(expr, Transpose):
            return self.diagonal(expr.arg)
        if isinstance(expr, DiagMatrix):
            arg = expr.args[0]
            code = self.value(arg)
            return f"{code}.T" if arg.shape[1] != 1 and arg.shape[0] == 1 else code
        if isinstance(expr, Identity):
            return "1"
        if isinstance(expr, MatMul):
            coefficient = sympy.Mul(*[a for a in expr.args if not is_matrix(a)])
            parts = [self.diagonal(a) for a in expr.args if is_matrix(a)]
            parts = [p for p in parts if p != "1"] or ["1"]
            code = parts[0] if len(parts) == 1 else "(" + " * ".join(parts) + ")"
            return scaled(coefficient, code, self)
        if isinstance(expr, MatAdd):
            return "(" + " + ".join(self.diagonal(a) for a in expr.args) + ")"
        raise MatDerivError(f"not a diagonal matrix: {expr}")  # pragma: no cover

    def materialise_diagonal(self, expr) -> str:
        diagonal = self.diagonal(expr)
        if diagonal == "1":
            return self.constant("eye", expr.shape[0])
        ones = self.constant("ones", expr.shape[0], 1)
        return f"{self.ns}.diagflat({ones} * {diagonal})"


def _formed_at(factors) -> int:
    """Where the Kronecker product ``formed_product`` forms stands: the last one."""
    return max(k for k, f in enumerate(factors) if isinstance(f, KroneckerProduct))

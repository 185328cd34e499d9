"""What evaluating a result costs, the way the printer evaluates it: floating-point
operations (``flops``) and array entries read and written (``words``), as SymPy
expressions in the sizes, so the printer can choose between two ways of computing one
value, and a generated function can state its cost.

Counted: a product ``A B`` of (m × k)(k × n) as 2 m k n flops (a chain in the order
``chain_order`` picks, as ``multi_dot`` does), a sum or Hadamard product of m × n
matrices as m n per ``+`` or ``*``, an element-wise function as one flop an entry, an
inverse or a determinant of n × n as 2 n³ (``solve`` against k columns as 2/3 n³ +
2 n² k), a Kronecker product formed as one flop an entry. Structured operators that
are applied, not formed, cost what applying them does: a commutation matrix or an
identity moves entries (no flops), a diagonal scales rows, (P ⊗ Q) M is Q and P
applied to M's blocks. A transpose is free. Each node shared by a result is counted
once, as the printer computes it once.

Choices compare ``nominal`` costs: every size set to ``NOMINAL`` and a word moved
counted as ``WORD`` flops, since sums, scaled copies and matrix-vector products are
bound by memory, not arithmetic: ((A + Aᵀ) x costs less in flops than A x + Aᵀ x, and
takes twice the time.)

>>> from sympy import MatrixSymbol, Symbol
>>> n = Symbol("n", integer=True, positive=True)
>>> A, x = MatrixSymbol("A", n, n), MatrixSymbol("x", n, 1)
>>> flops(A * x + A.T * x)
4*n**2 + n
"""

from __future__ import annotations

import sympy
from sympy import (
    Determinant,
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
    ZeroMatrix,
)
from sympy.core.sympify import _sympify
from sympy.matrices.expressions.diagonal import DiagMatrix

from ..expressions import CommutationMatrix, is_matrix, mat_mul
from .structure import is_diagonal

#: The size every symbolic size takes when two ways are compared.
NOMINAL = 1000
#: A word read or written, in flops, when two ways are compared (memory-bound parts).
WORD = 4


class Cost:
    """flops and words of evaluating expressions, each shared node counted once."""

    def __init__(self):
        self.flops = sympy.S.Zero
        self.words = sympy.S.Zero
        self.seen: set = set()

    def add(self, flops, words):
        self.flops += flops
        self.words += words

    def of(self, expr):
        """Count ``expr`` (once, however often it is asked)."""
        if not isinstance(expr, sympy.Basic) or expr in self.seen or not expr.args \
                or isinstance(expr, (MatrixSymbol, sympy.Symbol)):
            return
        self.seen.add(expr)
        if isinstance(expr, MatMul):
            self._product(expr)
        elif isinstance(expr, (MatAdd, HadamardProduct)):
            for arg in expr.args:
                self.of(arg)
            self.add((len(expr.args) - 1) * _entries(expr), (len(expr.args) + 1) * _entries(expr))
        elif isinstance(expr, Transpose):
            self.of(expr.arg)
        elif isinstance(expr, (Inverse, Determinant)) or (
                isinstance(expr, MatPow) and expr.exp == -1):
            self.of(expr.args[0])
            n = expr.args[0].shape[0]
            self.add(2 * n**3, 2 * n**2)
        elif isinstance(expr, MatPow) and expr.exp.is_Integer:
            self.of(expr.base)
            n, power = expr.base.shape[0], int(expr.exp)
            # (inverted once, then) |k| - 1 products
            self.add(2 * n**3 * (abs(power) - 1 + (power < 0)), 3 * n**2 * abs(power))
        elif isinstance(expr, KroneckerProduct):
            for arg in expr.args:
                self.of(arg)
            self.add(_entries(expr), _entries(expr))
        elif isinstance(expr, (Identity, ZeroMatrix, OneMatrix, CommutationMatrix)):
            return  # formed only where nothing is applied to: entries moved, no flops
        else:  # element-wise functions, powers, traces, scalars: one flop an entry
            for arg in expr.args:
                self.of(arg)
            size = _entries(expr) if is_matrix(expr) else sum(
                (_entries(a) for a in expr.args if is_matrix(a)), sympy.S.One)
            if isinstance(expr, Trace):
                size = expr.arg.shape[0]
            self.add(size, 2 * size)

    def _product(self, expr):
        coefficient = sympy.Mul(*[a for a in expr.args if not is_matrix(a)])
        matrices = [a for a in expr.args if is_matrix(a)]
        rows, cols = expr.shape
        if all(_applied(m) for m in matrices) and any(
                isinstance(m, KroneckerProduct) for m in matrices):
            # Nothing dense to apply them to: the Kronecker product is formed, entry by
            # entry, with the coefficient on its first factor, and the others move or
            # scale its entries (``ProductPrinting.formed_product``; (P ⊗ Q) K in the
            # same pass).
            kron = next(m for m in matrices if isinstance(m, KroneckerProduct))
            for factor in matrices:
                self._inside(factor)
            if coefficient != 1:
                self.add(_entries(kron.args[0]), 2 * _entries(kron.args[0]))
            passes = 1 if fused_kron_commutation(matrices) else len(matrices)
            self.add(passes * rows * cols, 2 * passes * rows * cols)
            return
        if coefficient != 1:
            self.add(rows * cols, 2 * rows * cols)
        pending: list = []
        value = None  # the shape of what the factors so far have made
        for factor in reversed(matrices):
            if _applied(factor) and (pending or value is not None):
                value = self._chain(pending, value)
                pending = []
                self._inside(factor)
                self._apply(factor, value[1])
                value = (factor.shape[0], value[1])
            else:
                self.of(factor)
                pending.append(factor)
        self._chain(pending, value)

    def _chain(self, pending, value):
        """Count the chain of ``pending`` (right to left) times the value's shape."""
        shapes = [f.shape for f in reversed(pending)] + ([value] if value is not None else [])
        if len(shapes) > 1:
            self.add(*chain_cost(shapes))
        return (shapes[0][0], shapes[-1][1])

    def _inside(self, operator):
        """Count what an applied operator is made of (its factors), not the operator."""
        if isinstance(operator, Transpose):
            operator = operator.arg
        for arg in operator.args:
            if isinstance(arg, sympy.Basic) and is_matrix(arg):
                self.of(arg)

    def _apply(self, operator, k):
        """``operator`` applied to a matrix of ``k`` columns."""
        if isinstance(operator, Transpose):
            operator = operator.arg
        rows, cols = operator.shape
        if isinstance(operator, KroneckerProduct):
            (p1, q1), (p2, q2) = operator.args[0].shape, \
                (_rows(operator.args[1:]), _cols(operator.args[1:]))
            # Q on each of the q1 k blocks of M, then P on the result's p2 k columns.
            flops = 2 * q1 * k * p2 * q2 * (0 if isinstance(operator.args[-1], Identity) else 1) \
                + 2 * p1 * q1 * p2 * k * (0 if isinstance(operator.args[0], Identity) else 1)
            self.add(flops, 2 * (rows + cols) * k)
        elif isinstance(operator, (Inverse, MatPow)):
            n = rows
            self.add(sympy.Rational(2, 3) * n**3 + 2 * n**2 * k, n**2 + 2 * n * k)
        elif isinstance(operator, (CommutationMatrix, Identity)):
            self.add(0, 2 * rows * k if isinstance(operator, CommutationMatrix) else 0)
        else:  # a diagonal: scales rows
            self.add(rows * k, 2 * rows * k)


def fused_kron_commutation(factors) -> bool:
    """(P ⊗ Q) K(q_P, q_Q): written in one pass, entry ((i, k), (j, l)) = P[i, l] Q[k, j]."""
    if len(factors) != 2 or not isinstance(factors[0], KroneckerProduct):
        return False
    kron = factors[0]
    return len(kron.args) == 2 and factors[1] == CommutationMatrix(
        kron.args[0].shape[1], kron.args[1].shape[1])


def _applied(factor) -> bool:
    if isinstance(factor, Transpose):
        factor = factor.arg
    return isinstance(factor, (KroneckerProduct, CommutationMatrix, Identity, DiagMatrix)) or (
        isinstance(factor, Inverse))


def _rows(args):
    return sympy.Mul(*[a.shape[0] for a in args])


def _cols(args):
    return sympy.Mul(*[a.shape[1] for a in args])


def _entries(expr):
    if not is_matrix(expr):
        return sympy.S.One
    rows, cols = expr.shape
    return rows * cols


def chain_cost(shapes) -> tuple:
    """(flops, words) of the product of matrices of ``shapes``, in the cheapest order at
    the nominal sizes (the classic dynamic programme; ``multi_dot`` picks it at run time).

    >>> from sympy import Symbol
    >>> n = Symbol("n")
    >>> chain_cost([(n, n), (n, n), (n, 1)])
    (4*n**2, 2*n**2 + 4*n)
    """
    count = len(shapes)
    best: dict = {(i, i): (0, sympy.S.Zero, sympy.S.Zero) for i in range(count)}
    for length in range(2, count + 1):
        for i in range(count - length + 1):
            j = i + length - 1
            options = []
            for split in range(i, j):
                left, right = best[(i, split)], best[(split + 1, j)]
                m, k, n = shapes[i][0], shapes[split][1], shapes[j][1]
                flops = left[1] + right[1] + 2 * m * k * n
                words = left[2] + right[2] + m * k + k * n + m * n
                options.append((nominal(flops, words), flops, words))
            best[(i, j)] = min(options, key=lambda option: option[0])
    _, flops, words = best[(0, count - 1)]
    return sympy.expand(flops), sympy.expand(words)


def nominal(flops, words=0) -> float:
    """A cost as one number, every size ``NOMINAL``, a word ``WORD`` flops."""
    total = _sympify(flops) + WORD * _sympify(words)
    return float(total.subs({s: NOMINAL for s in total.free_symbols}))


def flops(expr):
    """Floating-point operations of evaluating ``expr`` as the printer does."""
    cost = Cost()
    cost.of(expr)
    return sympy.expand(cost.flops)


def cost(expr) -> float:
    """``nominal`` cost (flops and words) of evaluating ``expr``."""
    counted = Cost()
    counted.of(expr)
    return nominal(counted.flops, counted.words)


def planned(expr):
    """``expr`` with each product multiplied out over one of its sums where that costs
    less (``cost``): (A + Aᵀ) x becomes A x + Aᵀ x (two matrix-vector products read A
    twice; forming the sum writes and reads a whole matrix more), ((P ⊗ Q) + (R ⊗ S)) K
    two Kronecker products formed (not their sum times K formed). The same value; the
    printer writes the plan, so ``flops(planned(expr))`` is what the code computes.

    >>> from sympy import MatrixSymbol, Symbol
    >>> n = Symbol("n", integer=True, positive=True)
    >>> A, x = MatrixSymbol("A", n, n), MatrixSymbol("x", n, 1)
    >>> planned((A + A.T) * x), planned((A + A.T) * A)
    (A*x + A.T*x, (A + A.T)*A)
    """
    if not isinstance(expr, sympy.Basic) or not expr.args or isinstance(expr, MatrixSymbol):
        return expr
    args = [planned(a) for a in expr.args]
    if any(a is not b for a, b in zip(args, expr.args, strict=True)):
        expr = expr.func(*args)
    if not isinstance(expr, MatMul):
        return expr
    coefficient = sympy.Mul(*[a for a in expr.args if not is_matrix(a)])
    matrices = [a for a in expr.args if is_matrix(a)]
    best, found = cost(expr), None
    for at, factor in enumerate(matrices):
        if not isinstance(factor, MatAdd) or is_diagonal(factor):
            continue  # (a sum of diagonals is applied as one)
        terms = [mat_mul(coefficient, *matrices[:at], term, *matrices[at + 1:])
                 for term in factor.args]
        spent = cost(MatAdd(*terms))
        if spent < best:
            best, found = spent, terms
    return expr if found is None else MatAdd(*[planned(t) for t in found])

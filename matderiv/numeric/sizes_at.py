"""Sizes and shapes in integers at a point, and the budget of the values there: every
array an expression needs is counted before anything is allocated (a 27000 x 27000
commutation matrix is 5.8 GB).

>>> from sympy import KroneckerProduct, MatrixSymbol, Symbol
>>> n = Symbol("n", integer=True, positive=True)
>>> A = MatrixSymbol("A", n, n)
>>> SizesAt({n: 3}).shape(KroneckerProduct(A, A.T))
(9, 9)
>>> try:
...     SizesAt({n: 100}).check_budget(KroneckerProduct(A, A))
... except MatDerivError as error:
...     print(error.kind, str(error)[:46])
budget evaluating A ⊗ A needs an array of 10000×10000
"""

from __future__ import annotations

import numpy as np
import sympy
from sympy import (
    HadamardProduct,
    Identity,
    Inverse,
    KroneckerProduct,
    MatAdd,
    MatMul,
    MatPow,
    MatrixSymbol,
    OneMatrix,
    Transpose,
    ZeroMatrix,
)

from ..errors import MatDerivError
from ..expressions import is_matrix
from ..expressions.construct import shape_of
from ..expressions.contains import distinct_nodes

#: Most numbers one array may hold when an expression is evaluated (80 MB of float64).
MAX_ENTRIES = 10_000_000


def _shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _integer_size(expr, sizes):
    """A size in Python integers from its parts (n, n**2, m*n: a Kronecker product's),
    or None where it has other parts (n*(n + 1)/2): xreplace rebuilds the product with
    SymPy arithmetic, slowly after clear_cache.

    >>> n = sympy.Symbol("n")
    >>> _integer_size(n**2 * 3, {n: 4}), _integer_size(n / 2, {n: 4})
    (48, None)
    """
    if expr.is_Integer:
        return int(expr)
    if expr.is_Symbol:
        found = sizes.get(expr)
        return None if found is None else int(found)
    if expr.is_Mul or expr.is_Add:
        parts = [_integer_size(arg, sizes) for arg in expr.args]
        if any(part is None for part in parts):
            return None
        if expr.is_Add:
            return sum(parts)
        found = 1
        for part in parts:
            found *= part
        return found
    if expr.is_Pow and expr.exp.is_Integer and expr.exp >= 0:
        base = _integer_size(expr.base, sizes)
        return None if base is None else base ** int(expr.exp)
    return None


def is_array(expr) -> bool:
    """True for SymPy's array expressions (the tensor), which have 4 axes, not 2."""
    return type(expr).__module__.startswith("sympy.tensor.array.expressions")


#: The matrices whose every size is one of their parts' sizes (a product's rows are
#: its first factor's), so that none is larger than the largest size of the leaves.
BOUNDED = frozenset({MatrixSymbol, MatMul, MatAdd, Transpose, Inverse, MatPow,
                     HadamardProduct, Identity, ZeroMatrix, OneMatrix})
#: The leaves among them, and where their sizes are among their parts.
LEAVES = {MatrixSymbol: slice(1, 3), Identity: slice(0, 1), ZeroMatrix: slice(0, 2),
          OneMatrix: slice(0, 2)}


class SizesAt:
    """The sizes ``sizes`` (size symbol -> int) give: each size and shape in integers,
    remembered, and the budget (MAX_ENTRIES numbers per array) of expressions."""

    def __init__(self, sizes):
        self.sizes = sizes
        self._sizes: dict = {}
        self._shapes: dict = {}

    def size(self, expr) -> int:
        if not isinstance(expr, sympy.Basic):
            return int(expr)
        found = self._sizes.get(id(expr))  # (by identity: see shape)
        if found is not None and found[0] is expr:
            return found[1]
        found = _integer_size(expr, self.sizes)
        if found is None:
            try:
                found = int(expr.xreplace({k: sympy.Integer(v)
                                           for k, v in self.sizes.items()}))
            except TypeError:
                raise MatDerivError(f"size {expr} is not known: give a value for "
                                    "every matrix that uses it") from None
        self._sizes[id(expr)] = (expr, found)  # (keeps expr alive: its id is not reused)
        return found

    def shape(self, expr) -> tuple[int, int]:
        """``expr``'s shape in integers, composed from its parts' where SymPy composes
        it (a product, sum, transpose or Kronecker product): SymPy's own shape of a
        Kronecker product is a product of sizes, built anew after each clear_cache.

        Remembered by identity: a SymPy expression hashes by a Python call, and the
        parts asked are those of the expressions evaluated (an equal copy is composed
        again, to the same shape)."""
        found = self._shapes.get(id(expr))
        if found is not None and found[0] is expr:
            return found[1]
        found = self._composed_shape(expr)
        self._shapes[id(expr)] = (expr, found)  # (keeps expr alive: its id is not reused)
        return found

    def _composed_shape(self, expr) -> tuple[int, int]:
        if type(expr) is MatrixSymbol:  # (its parts are its name and sizes: shape_of)
            parts = expr._args
            return self.size(parts[1]), self.size(parts[2])
        if isinstance(expr, MatMul):
            matrices = [a for a in expr._args if is_matrix(a)]
            return self.shape(matrices[0])[0], self.shape(matrices[-1])[1]
        if isinstance(expr, (MatAdd, HadamardProduct)):
            return self.shape(expr._args[0])
        if isinstance(expr, Transpose):
            rows, cols = self.shape(expr._args[0])
            return cols, rows
        if isinstance(expr, KroneckerProduct):
            rows = cols = 1
            for factor in expr._args:
                factor_rows, factor_cols = self.shape(factor)
                rows, cols = rows * factor_rows, cols * factor_cols
            return rows, cols
        rows, cols = shape_of(expr)
        return self.size(rows), self.size(cols)

    def _all_within_budget(self, nodes) -> bool:
        """Whether every part among ``nodes`` (a walk from the top) is a matrix within
        MAX_ENTRIES or no array at all (False: an array, which ``check_budget_of``
        looks at itself). The shapes are found bottom-up (most parts come after their
        whole in the walk), each from its parts' already found; shapes are the same in
        any order, and an error is left to ``check_budget_of``, which meets it in the
        walk's order."""
        within = True
        for node in reversed(nodes):
            if not isinstance(node, sympy.Basic):
                continue
            if getattr(node, "is_Matrix", False):
                rows, cols = self.shape(node)
                if rows * cols > MAX_ENTRIES:
                    within = False
            elif is_array(node):
                within = False
        return within

    def entries(self, expr) -> int:
        """How many numbers ``expr``'s value holds (1 for a scalar)."""
        if is_matrix(expr):
            rows, cols = self.shape(expr)
            return rows * cols
        if is_array(expr):
            return int(np.prod([self.size(s) for s in expr.shape], dtype=object))
        return 1

    def check_budget(self, expr) -> None:
        """Refuse, before anything is allocated, a value with more than MAX_ENTRIES
        numbers anywhere in ``expr`` (a 27000 x 27000 commutation matrix is 5.8 GB)."""
        self.check_budget_of(distinct_nodes(expr))

    def check_budget_of(self, nodes, leaves=None) -> None:
        """``check_budget`` of the expression whose distinct nodes are ``nodes``.

        ``leaves``: where every matrix among ``nodes`` is of a ``BOUNDED`` class, the
        ``LEAVES`` among them: no matrix is then larger than the square of their
        largest size, and where that is within the budget, so is every part."""
        if leaves is not None:
            try:
                largest = max((self.size(size) for leaf in leaves
                               for size in leaf._args[LEAVES[type(leaf)]]), default=1)
                if largest * largest <= MAX_ENTRIES:
                    return
            except Exception:  # noqa: BLE001 (met again below, in order: the same error)
                pass
        nodes = nodes if isinstance(nodes, list) else list(nodes)
        try:
            if self._all_within_budget(nodes):
                return
        except Exception:  # noqa: BLE001 (met again below, in order: the same error)
            pass
        # Some part is too large (or an array, or a size is not known): the first one
        # in the walk's order is refused, as each part is looked at in turn.
        shapes = self._shapes
        for node in nodes:
            if getattr(node, "is_Matrix", False) and isinstance(node, sympy.Basic):
                found = shapes.get(id(node))  # (self.entries(node), inline)
                rows, cols = (found[1] if found is not None and found[0] is node
                              else self.shape(node))
                entries = rows * cols
            elif isinstance(node, sympy.Basic) and is_array(node):
                entries = self.entries(node)
            else:
                continue
            if entries > MAX_ENTRIES:
                from ..render import to_text
                shape = "×".join(str(self.size(s)) for s in node.shape)
                raise MatDerivError(
                    f"evaluating {_shortened(to_text(node))} needs an array of {shape} "
                    f"({entries:,} numbers); numbers are evaluated within "
                    f"{MAX_ENTRIES:,} per array", kind="budget")

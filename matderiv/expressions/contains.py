"""Containment tests asked at every node a strategy visits, answered once per
subexpression: ``expr.has(...)`` walks the whole subtree each time, which made rule
application quadratic in the depth of a formula (an L-layer network).

>>> from sympy import MatrixSymbol
>>> from matderiv.expressions import MatDiff
>>> X, A = MatrixSymbol("X", 2, 2), MatrixSymbol("A", 2, 2)
>>> holds_differential(A*MatDiff(X)), holds_differential(A*X)
(True, False)
>>> depends_on(A*X, X), depends_on(A, X)
(True, False)
>>> sorted(map(str, atoms_of(A*X + A, MatrixSymbol)))
['A', 'X']
"""

from __future__ import annotations

from sympy import Basic, MatrixSymbol

from .differentials import MatDiff, ScalarDiff
from .memo import IdentityMemo

_HOLDS_DIFFERENTIAL = IdentityMemo("matderiv.expressions.contains.holds_differential")
_DEPENDS_ON = IdentityMemo("matderiv.expressions.contains.depends_on")
_HOLDS_MATRIX_DIFFERENTIAL = IdentityMemo(
    "matderiv.expressions.contains.holds_matrix_differential")


def holds_differential(expr) -> bool:
    """``expr.has(MatDiff, ScalarDiff)``."""
    if not isinstance(expr, Basic) or type(expr) is MatrixSymbol or not expr._args:
        return False  # (a name, a number, a size symbol: leaves, nothing to remember)
    if isinstance(expr, (MatDiff, ScalarDiff)):
        return True
    entry = _HOLDS_DIFFERENTIAL.get(id(expr))  # (IdentityMemo.lookup, inline)
    if entry is not None and entry[0] is expr:
        return entry[1]
    return _HOLDS_DIFFERENTIAL.remember(expr, any(holds_differential(a) for a in expr._args))


def holds_matrix_differential(expr) -> bool:
    """``expr.has(MatDiff)``: what a gradient or Jacobian is collected by.

    >>> X = MatrixSymbol("X", 2, 2)
    >>> holds_matrix_differential(X * MatDiff(X)), holds_matrix_differential(X.T)
    (True, False)
    """
    if not holds_differential(expr):
        return False  # (remembered already: most parts hold none)
    if isinstance(expr, MatDiff):
        return True
    found = _HOLDS_MATRIX_DIFFERENTIAL.lookup(expr)
    if found is None:
        found = _HOLDS_MATRIX_DIFFERENTIAL.remember(
            expr, any(holds_matrix_differential(a) for a in expr._args))
    return found


def depends_on(expr, variable) -> bool:
    """``expr.has(variable)`` for a symbol ``variable`` (a MatrixSymbol)."""
    if not isinstance(expr, Basic):
        return False
    if expr is variable or (type(expr) is type(variable) and expr == variable):
        return True  # (SymPy's == of two nodes of different classes sympifies first)
    if not expr._args or isinstance(expr, MatrixSymbol):
        return False  # a leaf, or a matrix symbol other than the variable (its parts
        # are a name and sizes)
    answers = _DEPENDS_ON.lookup(expr)  # by variable
    if answers is None:
        answers = _DEPENDS_ON.remember(expr, {})
    found = answers.get(variable)
    if found is None:
        found = answers[variable] = any(depends_on(a, variable) for a in expr._args)
    return found


def distinct_nodes(*exprs):
    """Every distinct node of ``exprs`` once, each expression's in turn
    (``preorder_traversal`` visits a shared part once per occurrence: quadratic on an
    L-layer network's gradient), but not the parts of a matrix symbol: its name and
    sizes, which no caller looks for (and which are half the nodes of a small formula).

    >>> from sympy import MatMul
    >>> A = MatrixSymbol("A", 2, 2)
    >>> A_T = A.T  # (one object: a part met before is not met again)
    >>> list(distinct_nodes(A_T, MatMul(A_T, A)))
    [A.T, A, A.T*A]
    """
    seen: set = set()
    for expr in exprs:
        stack = [expr]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            if isinstance(node, Basic) and type(node) is not MatrixSymbol:
                stack.extend(reversed(node._args))


_ATOMS: dict = {}  # types -> IdentityMemo of the atoms of each subexpression
_NONE: frozenset = frozenset()


def atoms_of(expr, *types) -> frozenset:
    """``expr.atoms(*types)``, remembered per subexpression: the numeric checks ask it
    of a formula, its result and their parts several times."""
    memo = _ATOMS.get(types)
    if memo is None:
        memo = _ATOMS[types] = IdentityMemo(f"matderiv.expressions.contains.atoms_of{types}")
    return _atoms(expr, types, memo)


def _atoms(expr, types, memo) -> frozenset:
    if not expr.args:  # a leaf: nothing to remember
        return frozenset((expr,)) if isinstance(expr, types) else _NONE
    found = memo.lookup(expr)
    if found is None:
        found = frozenset().union(*(_atoms(a, types, memo) for a in expr.args
                                    if isinstance(a, Basic)))
        if isinstance(expr, types):
            found = found | {expr}
        memo.remember(expr, found)
    return found

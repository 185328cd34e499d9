"""The element-wise proof's exact check by SymPy's simplification: the fallback of the
check in polynomials (polynomial_check.py), for the identities between function values
that polynomials do not see (exp(a) exp(b) = exp(a + b): SymPy's ``expand`` does).

At concrete sizes, with every matrix entry kept a symbol, each entry of the formula and
of the closed form is written out, and their difference expanded, then cancelled.

>>> from matderiv import derive
>>> from .elementwise import _index_form, _index_symbols, differentiate_entry
>>> d = derive("exp(x'*a)", wrt="x", shapes={"x": ("n", 1), "a": ("n", 1)})
>>> (i, j, p, q), _ = _index_symbols(d)
>>> partial = differentiate_entry(_index_form(d.expr), d.variable[p, 0])
>>> symbolic_check(d, "gradient", "col", partial, (i, j, p, q), {"n": 2}, 20.0)
True
"""

from __future__ import annotations

import time

import sympy
from sympy import Determinant, Dummy, Sum, Symbol
from sympy.matrices.expressions.matexpr import MatrixElement

from ..expressions import ScalarOf, is_matrix
from .entry_form import INDEX as _INDEX
from .entry_positions import f_shape_at, positions, x_shape_at
from .index_sums import evaluate_sums, write_out_sums

#: Largest number of Jacobian entries compared symbolically (each is one simplification).
MAX_SYMBOLIC_ENTRIES = 100


def _explicit_elements(expr):
    """Entries of inverses and determinants written out in the matrices' own entries."""
    replacements = {}
    for element in expr.atoms(MatrixElement):
        parent = element.args[0]
        if isinstance(parent, sympy.Inverse):
            inverse = parent.arg.as_explicit().inv()
            replacements[element] = inverse[int(element.args[1]), int(element.args[2])]
    for node in expr.atoms(Determinant):
        replacements[node] = node.arg.as_explicit().det()
    for node in expr.atoms(ScalarOf):
        replacements[node] = node.matrix.as_explicit()[0, 0]
    return expr.xreplace(replacements) if replacements else expr


def _same(a, b) -> bool:
    difference = a - b
    if difference == 0 or sympy.expand(difference) == 0:
        return True
    return sympy.cancel(sympy.together(difference)) == 0


def _closed_entry(matrix, row: int, col: int):
    """Entry (row, col) of the closed form at concrete sizes, its index sums written out
    term by term (``matrix[row, col]`` sums them with SymPy's doit, far slower)."""
    if not hasattr(matrix, "_entry"):
        return matrix[row, col]
    return evaluate_sums(write_out_sums(_entry_unsummed(matrix, row, col)))


def _entry_unsummed(matrix, i, j):
    """An entry with its index sums left as sums: SymPy's MatMul sums the entries of the
    factors it multiplies on the spot (``expand`` is not passed down)."""
    if isinstance(matrix, sympy.MatMul):
        coefficient, factors = matrix.as_coeff_matrices()
        if len(factors) == 1:
            return coefficient * _entry_unsummed(factors[0], i, j)
        inner = [Dummy("i", **_INDEX) for _ in factors[1:]]
        indices = [i, *inner, j]
        body = sympy.Mul(*[_entry_unsummed(f, indices[n], indices[n + 1])
                           for n, f in enumerate(factors)])
        return coefficient * Sum(body, *[(k, 0, f.shape[1] - 1)
                                         for k, f in zip(inner, factors, strict=False)])
    if isinstance(matrix, sympy.MatAdd):
        return sympy.Add(*[_entry_unsummed(a, i, j) for a in matrix.args])
    if isinstance(matrix, sympy.HadamardProduct):
        return sympy.Mul(*[_entry_unsummed(a, i, j) for a in matrix.args])
    if isinstance(matrix, sympy.Transpose):
        return _entry_unsummed(matrix.arg, j, i)
    return matrix._entry(i, j, expand=False)


def symbolic_check(derivation, kind, vec, partial, indices, sizes, budget) -> bool:
    """Exact comparison with every matrix entry kept a symbol, at concrete ``sizes``.

    True when every entry agrees exactly; False when undecided (then the numeric
    check alone stands). A definite mismatch is caught by the numeric check.
    """
    substitution = {Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}
    result = derivation.gradient() if kind == "gradient" else derivation.jacobian(vec=vec)
    # xreplace, not subs: subs may replace only some sizes of a MatrixSymbol.
    concrete = result.xreplace(substitution)
    if not is_matrix(concrete):
        return False
    rows, cols = (int(d) for d in concrete.shape)
    if rows * cols > MAX_SYMBOLIC_ENTRIES:
        return False
    x_shape = x_shape_at(derivation.variable, substitution)
    f_shape = f_shape_at(derivation, substitution)
    formula = partial.xreplace(substitution)
    started = time.monotonic()
    for at, (row, col) in positions(derivation, kind, vec, f_shape, x_shape):
        if time.monotonic() - started > budget:
            return False
        at = {index: sympy.Integer(v) for index, v in zip(indices, at, strict=True)}
        entry = _explicit_elements(evaluate_sums(write_out_sums(formula.xreplace(at))))
        # The closed form's entries one at a time: an undecided one stops the check
        # before the others are written out.
        if not _same(entry, _explicit_elements(_closed_entry(concrete, row, col))):
            return False
    return True



__all__ = ["MAX_SYMBOLIC_ENTRIES", "symbolic_check"]

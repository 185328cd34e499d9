"""The same problems for the peers: SymPy's ``MatrixExpr.diff`` and ``array_derive``.

matderiv builds formulas with objects SymPy lacks (sum of entries, element-wise f,
norms, a 1 x 1 matrix read as a scalar).  ``plain_sympy`` rewrites them into SymPy's
own vocabulary, so that both peers see the very formula matderiv differentiates:
``sum(A)`` is 1ᵀ A 1, ``norm(A)`` is sqrt(tr(AᵀA)), ``tanh(X)`` is X.applyfunc(tanh).
A formula with no SymPy equivalent (an abstract f) raises ``Unsupported``.
"""

from __future__ import annotations

import sympy
from sympy import OneMatrix, Trace
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from matderiv.expressions import (
    ELEMENTWISE,
    AbstractFunction,
    AbstractGradient,
    CommutationMatrix,
    Elementwise,
    FrobeniusNorm,
    Inner,
    ScalarOf,
    SumEntries,
    Vec,
    Vecr,
)


class Unsupported(Exception):
    """The formula has no plain SymPy form."""


def _lambda(name):
    x = sympy.Dummy("x")
    return sympy.Lambda(x, ELEMENTWISE[name](x))


def plain_sympy(expr):
    """``expr`` with matderiv's own objects replaced by SymPy ones (same value)."""
    if isinstance(expr, (AbstractFunction, AbstractGradient, CommutationMatrix, Vec, Vecr)):
        raise Unsupported(type(expr).__name__)
    args = [plain_sympy(a) if isinstance(a, sympy.Basic) else a for a in expr.args]
    if isinstance(expr, ScalarOf):
        return Trace(args[0])  # a 1 x 1 matrix's only entry
    if isinstance(expr, SumEntries):
        matrix = args[0]
        return Trace(OneMatrix(1, matrix.shape[0]) * matrix * OneMatrix(matrix.shape[1], 1))
    if isinstance(expr, FrobeniusNorm):
        return sympy.sqrt(Trace(args[0].T * args[0]))
    if isinstance(expr, Inner):
        return Trace(args[0].T * args[1])
    if isinstance(expr, Elementwise):
        return ElementwiseApplyFunction(_lambda(expr.function), args[1])
    if not expr.args or isinstance(expr, (sympy.MatrixSymbol, sympy.Symbol)):
        return expr
    return expr.func(*args)


def sympy_diff(expr, variable):
    """SymPy's matrix derivative (``MatrixExpr.diff``), as SymPy users call it."""
    return plain_sympy(expr).diff(variable)


def sympy_array_derive(expr, variable):
    """SymPy's array-expression derivative of the formula."""
    from sympy.tensor.array.expressions import array_derive, convert_matrix_to_array
    return array_derive(convert_matrix_to_array(plain_sympy(expr)), variable)


# -- is a peer's answer right? ----------------------------------------------------------
#
# A peer's time counts only for a right answer. SymPy's array_derive, for one, treats a
# scalar factor such as exp(tr X) in exp(tr X) X as a constant and returns the rest; a
# fast wrong derivative is no answer. The check is independent of matderiv's own result:
# the peer's expression and the formula are both evaluated by SymPy itself, at small
# sizes and one random point, and compared with central differences of the formula.

CHECK_SIZES = (3, 2, 4, 5)


class Reference:
    """d formula / d variable at one random point, by central differences.

    >>> X = sympy.MatrixSymbol("X", sympy.Symbol("n"), sympy.Symbol("n"))
    >>> reference = Reference(Trace(X * X), X)
    >>> reference.wrong_answer(2 * X.T), reference.wrong_answer(X.T) != ""
    ('', True)
    """

    def __init__(self, formula, variable, seed=0, step=1e-6):
        import numpy as np

        self.sizes = _sizes(formula)
        self.values = _point(formula, self.sizes, np.random.default_rng(seed))
        self.point = variable.subs(self.sizes)
        base = self.values[self.point]
        columns = []
        for index in np.ndindex(base.shape):
            shifted = []
            for sign in (1, -1):
                moved = dict(self.values)
                moved[self.point] = base.copy()
                moved[self.point][index] += sign * step
                shifted.append(_evaluate(formula, self.sizes, moved))
            columns.append((shifted[0] - shifted[1]) / (2 * step))
        # expected[i, j, ...] = d F[...] / d X[i, j]
        self.expected = np.array(columns).reshape(base.shape + columns[0].shape)

    def wrong_answer(self, answer) -> str:
        """Why ``answer`` is not the derivative ("" when it is right).

        The answer's index order is not judged: it is right when its entries, with
        singleton axes dropped, equal the finite differences with d/dX's axes first
        or last.
        """
        import numpy as np

        try:
            got = _evaluate(answer, self.sizes, self.values)
        except Exception as error:  # noqa: BLE001 - SymPy cannot evaluate some answers
            raise Unsupported(f"its answer does not evaluate ({type(error).__name__})") \
                from error
        axes = np.ndim(self.values[self.point])
        last = np.moveaxis(self.expected, list(range(axes)), list(range(-axes, 0)))
        for reference in (self.expected, last):
            # Same size in another shape (axes in an order not accepted above) is no
            # match; np.allclose would raise on shapes that do not broadcast.
            if np.squeeze(got).shape == np.squeeze(reference).shape and np.allclose(
                    np.squeeze(got), np.squeeze(reference), rtol=1e-5, atol=1e-6):
                return ""
        return "wrong (differs from finite differences)"


def _sizes(formula):
    """Each size symbol of the formula's matrices -> a small distinct integer."""
    symbols = set()
    for matrix in formula.atoms(sympy.MatrixSymbol):
        for size in matrix.shape:
            symbols |= size.free_symbols  # (SymPy stores a shape's sizes as SymPy numbers)
    ordered = sorted(symbols, key=str)
    if len(ordered) > len(CHECK_SIZES):
        raise Unsupported("too many sizes to check")
    return dict(zip(ordered, CHECK_SIZES[:len(ordered)], strict=True))


def _point(formula, sizes, rng):
    """Values for the formula's matrices and scalars: entries in (0.5, 1.5), square
    matrices made diagonally dominant, so that logs, roots and inverses are defined."""
    import numpy as np

    values = {}
    for matrix in formula.atoms(sympy.MatrixSymbol):
        rows, cols = (int(k.subs(sizes)) for k in matrix.shape)
        value = rng.uniform(0.5, 1.5, (rows, cols))
        if rows == cols and rows > 1:
            value += rows * np.eye(rows)
        values[matrix.subs(sizes)] = value
    for scalar in formula.free_symbols - set(sizes):
        if isinstance(scalar, sympy.Symbol):
            values[scalar] = np.array(rng.uniform(0.5, 1.5))
    return values


def _evaluate(expr, sizes, values):
    """The value of a matrix, scalar or array expression, as a NumPy array."""
    import numpy as np

    explicit = {symbol: sympy.ImmutableMatrix(value) if value.ndim else sympy.Float(value)
                for symbol, value in values.items()}
    sized = expr.subs(sizes)
    for constant in sized.atoms(sympy.Identity, sympy.ZeroMatrix, OneMatrix):
        explicit[constant] = constant.as_explicit()
    result = sized.xreplace(explicit).doit()
    if hasattr(result, "as_explicit") and not isinstance(result, sympy.MatrixBase):
        result = result.as_explicit()
    if isinstance(result, (sympy.MatrixBase, sympy.NDimArray)):
        return np.array(sympy.Array(result).tolist(), dtype=float)
    return np.array(float(result))

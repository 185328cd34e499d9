"""Derivatives of any order and mixed second derivatives: a part of ``Derivation``.

**Any order.** The k-th derivative D_k of F by X is the array with F's axes and then
k copies of X's axes (a scalar has no axis, a column vector one, any other matrix two):
D_k[f, x_1, ..., x_k] = ∂^k F_f / ∂X_{x_1} ... ∂X_{x_k}. It is found by our own engine,
rule by rule: D_1 is the gradient G (scalar F) or the vecr Jacobian (matrix F), and
each next order is the vecr Jacobian of the matrix before it, which the engine derives
like any formula. Row stacking keeps the order of the axes: the matrix B_k of order k
holds D_k's entries row-major, so D_k = Reshape(B_k, axes) (B_k itself where it has that
shape already). The closed form keeps the user's symbolic sizes. Order 2 of a scalar F
is the Hessian by vecr (the same derivation ``hessian(vec="row")`` makes).

**Several variables.** ``mixed_derivation(Y)`` is the gradient by X derived again by Y;
its Jacobian is ∂²F/∂vec(X)∂vec(Y)ᵀ, one row per entry of X (``hessian(wrt=Y)``).

>>> from matderiv import derive
>>> derive("sum(exp(x))", wrt="x", shapes={"x": "n"}).derivative(order=3)
Reshape(Delta(n)*DiagMatrix(exp(x)), (n, n, n))
>>> derive("x'*A*y", wrt="x", shapes={"x": "n", "y": "m", "A": "n,m"}).hessian(wrt="y")
A
"""

from __future__ import annotations

from sympy import MatrixSymbol, Symbol, ZeroMatrix
from sympy.core.sympify import _sympify
from sympy.tensor.array.expressions import Reshape

from ..errors import MatDerivError, guarded
from ..expressions import is_matrix, size_product
from ..expressions.contains import depends_on
from .by_scalar import is_scalar_variable

#: The highest order ``derivative`` derives: each order is one more derivation of a
#: larger closed form, and the array grows by X's size each time.
MAX_ORDER = 8
#: The most axes a derivative may have (F's, then X's for each order): at size 3 that is
#: 3^12 = 531441 numbers to evaluate, and a letter per axis for the index notation.
MAX_AXES = 12


def axes_of(expr) -> tuple:
    """The axes of a formula's value: () for a scalar (or 1 x 1), (m,) for an m x 1
    column, (m, n) otherwise."""
    if not is_matrix(expr):
        return ()
    rows, cols = expr.shape
    if rows == 1 and cols == 1:
        return ()
    return (rows,) if cols == 1 else (rows, cols)


class HigherDerivatives:
    """``derivative(order=k)`` and ``mixed_derivation(Y)``; mixed into ``Derivation``."""

    @guarded
    def derivative(self, order: int = 1):
        """The k-th derivative as a SymPy array expression: F's axes, then k copies of
        X's axes (a column vector has one axis, a scalar none).

        >>> from matderiv import derive
        >>> derive("(a'*x)^3", wrt="x", shapes={"a": "n", "x": "n"}).derivative(2)
        (6*(a.T*x))*a*a.T
        """
        matrix = self.derivative_matrix(order)
        axes = self.derivative_axes(order)
        if not is_matrix(matrix) or tuple(matrix.shape) == axes:
            return matrix
        return Reshape(matrix, axes)

    def derivative_axes(self, order: int) -> tuple:
        """The axes of the ``order``-th derivative: F's, then X's ``order`` times."""
        order = checked_order(order)
        axes = axes_of(self.expr) + axes_of(self.variable) * order
        if len(axes) > MAX_AXES:
            raise MatDerivError(
                f"the derivative of order {order} has {len(axes)} axes, more than the "
                f"{MAX_AXES} matderiv derives (F has {len(axes_of(self.expr))}, each order "
                f"adds {len(axes_of(self.variable))}): ask for a lower order", kind="budget")
        return axes

    def derivative_matrix(self, order: int):
        """B_k: the k-th derivative as a matrix whose entries, read row by row, are
        D_k's in row-major order (the gradient or the vecr Jacobian for k = 1)."""
        self.derivative_axes(order)  # refuses an order too high
        key = ("order", order)
        if key not in self._cache:
            if order == 1:
                self._cache[key] = (self.gradient() if self.is_scalar
                                    else self.jacobian(vec="row", layout="numerator"))
            else:
                self._cache[key] = self.order_derivation(order).jacobian(
                    vec="row", layout="numerator")
        return self._cache[key]

    def order_derivation(self, order: int):
        """The derivation whose vecr Jacobian is B_order (order ≥ 2): B_(order-1) by X,
        made inside this one (for the Hessian's case, the gradient's derivation)."""
        order = checked_order(order)
        if order < 2:
            raise MatDerivError("order_derivation is for orders 2 and more")
        if order == 2 and self.is_scalar:
            return self.gradient_derivation()  # the Hessian's own, shared with hessian()
        key = ("order-derivation", order)
        if key not in self._cache:
            before = self.derivative_matrix(order - 1)
            self._cache[key] = self._inside(
                before, self.variable, lambda twin: twin.order_derivation(order))
        return self._cache[key]

    def index_notation(self, order: int):
        """The k-th derivative in index notation (``engine.index_form``), compared with the
        closed form at random points first; None where it has none, or where it could
        not be compared (the closed form is shown instead)."""
        key = ("index", order)
        if key not in self._cache:
            self._cache[key] = _checked_index_form(self, order)
        return self._cache[key]

    def mixed_derivation(self, wrt):
        """The gradient by X (F scalar) derived again by ``wrt``: its Jacobian is the mixed
        second derivative ∂²F/∂vec(X)∂vec(Y)ᵀ (None: by X again, the Hessian's)."""
        if not self.is_scalar:
            rows, cols = self.expr.shape
            if wrt is None:
                raise MatDerivError(
                    f"the formula is a {rows}x{cols} matrix, not a scalar: its second "
                    "derivative is an array with F's axes and then the variable's twice, "
                    "derivative(order=2) (--order 2 in the CLI)")
            raise MatDerivError(
                f"the formula is a {rows}x{cols} matrix, not a scalar: a mixed Hessian is "
                "for scalar formulas (derive the Jacobian by one variable, then by the other)")
        if wrt is None:
            return self.gradient_derivation()
        other = self._other_variable(wrt)
        if other == self.variable:
            return self.gradient_derivation()
        key = ("mixed", str(other))
        if key not in self._cache:
            self._cache[key] = self._inside(self.gradient(), other,
                                            lambda twin: twin.mixed_derivation(str(other)))
        return self._cache[key]

    def second_variable(self, wrt):
        """The variable ``wrt`` names (None: X itself), checked to be one of the formula."""
        return self.variable if wrt is None else self._other_variable(wrt)

    def _inside(self, expr, variable, twin_path):
        """A derivation of ``expr`` by ``variable`` made inside this one: its budgets and
        names, and (for checks at sizes too large to evaluate) how to find it in the
        twin (``twin_path``)."""
        if not depends_on(expr, variable):
            return _ConstantMatrix(expr, variable)
        inner = type(self)(expr, variable, env=self.env, names=self.names,
                           inferred=self.inferred, seconds=self.budget["max_seconds"],
                           max_nodes=self.budget["max_nodes"])
        inner._parent = self
        inner._inside_parent = twin_path
        return inner

    def _other_variable(self, wrt):
        if isinstance(wrt, (MatrixSymbol, Symbol)):
            other = wrt
        elif isinstance(wrt, str) and wrt in self.env:
            other = self.env[wrt]
        else:
            raise MatDerivError(f"wrt {wrt!r} is not a name of the formula (declare its "
                                "shape, or pick a name that occurs)")
        if not isinstance(other, (MatrixSymbol, Symbol)) or (
                isinstance(other, Symbol) and other.is_integer):
            raise MatDerivError(f"wrt {other} is not a variable: give the name of a matrix, "
                                "a vector or a scalar of the formula")
        return other


#: Letters for the axes, then for indices summed over; a name of the formula is skipped.
_INDEX_LETTERS = "ijklpqrstuvwxyzabcdefghmno"


def _checked_index_form(derivation, order: int):
    from ..engine.index_form import index_form
    matrix = derivation.derivative_matrix(order)
    axes = derivation.derivative_axes(order)
    taken = set(derivation.env) | {str(s) for s in getattr(matrix, "free_symbols", ())}
    letters = "".join(c for c in _INDEX_LETTERS if c not in taken)
    if not is_matrix(matrix) or len(letters) < len(axes) + 4:
        return None
    # The matrix's columns are the last copy of X's axes; where it is the array itself
    # (a Hessian by a column, a gradient by a matrix), its second axis; a gradient by a
    # column has none.
    if tuple(matrix.shape) == axes:
        columns = 1
    elif order == 1 and derivation.is_scalar:
        columns = 0
    else:
        columns = len(axes_of(derivation.variable))
    form = index_form(matrix, axes, columns, letters[:len(axes)], letters[len(axes):])
    if form is None:
        return None
    same = _same_as_closed_form(derivation, order, form)
    if same is None:  # sizes too large to evaluate: the twin's form, checked, sizes put in
        same = _same_in_twin(derivation, order, form)
    return form if same else None


def _same_in_twin(derivation, order, form) -> bool:
    """The derivation with its sizes named has this form, with the sizes put in, and
    there it is compared with the closed form (``_same_as_closed_form``)."""
    from ..numeric.verify import same_at_sizes
    try:
        twin, substitution = derivation.symbolic_twin()
    except MatDerivError:
        return False
    if not substitution:
        return False
    twin_form = twin.index_notation(order)
    if twin_form is None or not same_at_sizes(twin.derivative_matrix(order),
                                              derivation.derivative_matrix(order),
                                              substitution):
        return False

    def placed(terms):
        return [(t.coefficient.xreplace(substitution), t.deltas,
                 [(m.xreplace(substitution), i, p) for m, i, p in t.factors],
                 [(name, _sympify(size).xreplace(substitution)) for name, size in t.summed])
                for t in terms]
    return placed(twin_form.terms) == placed(form.terms)


def _same_as_closed_form(derivation, order, form):
    """The index form has the closed form's value at two random points: True or False;
    None where the sizes are too large to evaluate at all."""
    import numpy as np

    from ..numeric.orders import index_form_value
    from ..numeric.points import random_values, stand_in_functions
    rng = np.random.default_rng(11)
    functions = stand_in_functions(derivation.abstract_functions)
    compared, budget = 0, 0
    for _ in range(8):
        try:
            values = random_values(derivation.expr, derivation.variable, rng)
            closed = np.asarray(derivation.evaluate(derivation.derivative(order), values,
                                                    functions=functions), dtype=float)
            indexed = index_form_value(form, values, functions)
        except MatDerivError as error:
            budget += error.kind == "budget"
            continue
        except (ValueError, ArithmeticError):
            continue
        if not np.all(np.isfinite(closed)):
            continue
        scale = 1.0 + float(np.max(np.abs(closed), initial=0.0))
        if closed.size != indexed.size or not np.allclose(
                indexed.reshape(-1), closed.reshape(-1), rtol=1e-8, atol=1e-10 * scale):
            return False
        compared += 1
        if compared == 2:
            return True
    return None if budget == 8 else False


def checked_order(order) -> int:
    """``order`` as an int from 1 to MAX_ORDER, or a MatDerivError saying why not."""
    if isinstance(order, bool) or not isinstance(order, int):
        raise MatDerivError(f"order must be a whole number from 1 to {MAX_ORDER}, "
                            f"not {order!r}")
    if order < 1:
        raise MatDerivError(f"order must be 1 or more, not {order}")
    if order > MAX_ORDER:
        raise MatDerivError(f"order {order} is more than the {MAX_ORDER} matderiv derives: "
                            "each order is a derivation of a larger closed form, and the "
                            "array grows by the variable's size", kind="budget")
    return order


class _ConstantMatrix:
    """A matrix that does not depend on the variable: its Jacobian is the zero matrix,
    one row per entry of the matrix, one column per entry of the variable."""

    def __init__(self, expr, variable):
        self.expr, self.variable = expr, variable

    def jacobian(self, vec="col", layout="numerator"):
        rows = size_product(*self.expr.shape) if is_matrix(self.expr) else 1
        cols = 1 if is_scalar_variable(self.variable) else size_product(*self.variable.shape)
        if rows == 1 and cols == 1 and not is_matrix(self.expr):
            from sympy import Integer
            return Integer(0)
        return ZeroMatrix(rows, cols) if layout == "numerator" else ZeroMatrix(cols, rows)

    def rules_used(self, kind="jacobian-col"):
        return []

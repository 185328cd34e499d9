"""SymPy objects that SymPy itself lacks, so results stay SymPy expressions.

Each class prints itself in plain text and LaTeX, knows its shape, and gives its
entries (``_entry``) so ``as_explicit()`` works for concrete sizes.

>>> from sympy import symbols, MatrixSymbol
>>> m, n = symbols("m n", integer=True, positive=True)
>>> CommutationMatrix(m, n).shape
(m*n, m*n)
>>> str(Elementwise("tanh", MatrixSymbol("X", m, n)))
'tanh(X)'
"""

from __future__ import annotations

from functools import cached_property

import sympy
from sympy import Expr, Integer, KroneckerDelta, floor
from sympy.core.assumptions import _assume_defined
from sympy.core.symbol import Str
from sympy.core.sympify import _sympify
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.matrices.expressions.special import GenericIdentity, GenericZeroMatrix

from .memo import ExpressionMemo, IdentityMemo


def _name(arg) -> str:
    return arg.name if isinstance(arg, Str) else str(arg)


def _size(value):
    """A matrix size as SymPy: ints become Integers; SymPy sizes pass through."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Integer(value)
    if isinstance(value, sympy.Basic):
        return value
    raise TypeError(f"a size must be an int or a SymPy expression, not {value!r}")


def _str(name):
    # Rebuilding a node with func(*args) passes the Str back in.
    return name if isinstance(name, Str) else Str(name)


class sigmoid(sympy.Function):
    """The logistic function 1 / (1 + exp(-x))."""

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sympy.exp(-x))

    def _latex(self, printer, exp=None):
        # (the LaTeX printer passes ``exp`` for a power: sigma(x)^2)
        text = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return text if exp is None else r"%s^{%s}" % (text, exp)


#: Element-wise function names and the scalar function each applies to an entry.
ELEMENTWISE = {
    "exp": sympy.exp,
    "log": sympy.log,
    "tanh": sympy.tanh,
    "sigmoid": sigmoid,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "sqrt": sympy.sqrt,
}


class CommutationMatrix(MatrixExpr):
    """K(m, n), the mn x mn permutation with K(m, n) vec(A) = vec(A') for A of shape m x n.

    This is Magnus & Neudecker's K_{mn}; its transpose (and inverse) is K(n, m).
    """

    def __new__(cls, m, n):
        return super().__new__(cls, _size(m), _size(n))

    @cached_property  # asked very often, and through every level of a deep formula
    def shape(self):
        size = size_product(*self.args)
        return (size, size)

    def _entry(self, i, j, **kwargs):
        m, n = self.args
        # Row i of K holds vec(A')_i = A[i // n, i % n], which is vec(A)_{(i % n) m + i // n}.
        return KroneckerDelta(j, (i % n) * m + floor(i / n))

    def _eval_transpose(self):
        m, n = self.args
        return CommutationMatrix(n, m)

    def _eval_inverse(self):
        return self._eval_transpose()

    def doit(self, **hints):
        m, n = self.args
        if m == 1 or n == 1:
            return sympy.Identity(m * n)
        return self

    def _sympystr(self, printer):
        return "K(%s, %s)" % (printer._print(self.args[0]), printer._print(self.args[1]))

    def _latex(self, printer):
        return r"K_{%s,%s}" % (printer._print(self.args[0]), printer._print(self.args[1]))


class _ShapedLikeArg(MatrixExpr):
    """A matrix of its argument's shape; the argument is its last arg."""

    @property
    def arg(self):
        return self.args[-1]

    @cached_property  # asked very often, and through every level of a deep formula
    def shape(self):
        return shape_of(self.arg)


class Elementwise(_ShapedLikeArg):
    """A scalar function applied to every entry of a matrix: ``tanh(X)``."""

    def __new__(cls, name, arg):
        return super().__new__(cls, _str(name), arg)

    @property
    def function(self) -> str:
        return _name(self.args[0])

    def _entry(self, i, j, **kwargs):
        return ELEMENTWISE[self.function](self.arg._entry(i, j, **kwargs))

    def _sympystr(self, printer):
        return "%s(%s)" % (self.function, printer._print(self.arg))

    def _latex(self, printer):
        name = r"\sigma" if self.function == "sigmoid" else "\\" + self.function
        if self.function == "sqrt":
            name = r"\operatorname{sqrt}"
        return r"%s\left(%s\right)" % (name, printer._print(self.arg))


class Softmax(_ShapedLikeArg):
    """``softmax(Z) = exp(Z) / sum(exp(Z))``, normalised over all entries (for a vector,
    the usual softmax); its entries are positive and sum to 1."""

    def _entry(self, i, j, **kwargs):
        k, m = sympy.Dummy("k", integer=True), sympy.Dummy("m", integer=True)
        rows, cols = self.arg.shape
        total = sympy.Sum(sympy.exp(self.arg._entry(k, m, **kwargs)),
                          (k, 0, rows - 1), (m, 0, cols - 1))
        return sympy.exp(self.arg._entry(i, j, **kwargs)) / total

    def _sympystr(self, printer):
        return "softmax(%s)" % printer._print(self.arg)

    def _latex(self, printer):
        return r"\operatorname{softmax}\left(%s\right)" % printer._print(self.arg)


#: Every assumption SymPy knows, but commutativity: for the scalars below SymPy deduces
#: nothing (each is None) from no facts, and took tens of microseconds to deduce it for
#: each new object after every clear_cache(), hundreds for a product holding one (its
#: matrix products ask whether a scalar factor is zero).
_UNKNOWN_FACTS = {"is_" + fact: None for fact in sorted(_assume_defined)
                  if fact != "commutative"}

#: A commutative scalar about which SymPy knows nothing else, stated up front: the answers
#: are those SymPy's assumption system deduces (tests/test_objects.py compares them).
OpaqueScalar = type("OpaqueScalar", (Expr,), {
    "__module__": __name__, "__slots__": (), "is_commutative": True, **_UNKNOWN_FACTS,
    "__doc__": "A commutative scalar SymPy assumes nothing else about."})


class AbstractFunction(OpaqueScalar):
    """An unspecified smooth scalar function of a matrix, ``f(Y)`` (seed 2, items 9-11)."""

    is_commutative = True

    def __new__(cls, name, arg):
        return super().__new__(cls, _str(name), arg)

    @property
    def function(self) -> str:
        return _name(self.args[0])

    @property
    def arg(self):
        return self.args[1]

    def _sympystr(self, printer):
        return "%s(%s)" % (self.function, printer._print(self.arg))

    def _latex(self, printer):
        return r"%s\left(%s\right)" % (self.function, printer._print(self.arg))


class AbstractGradient(MatrixExpr):
    """``f'(Y)``: the gradient of an abstract f at Y, of Y's shape, entries dz/dY_ij."""

    def __new__(cls, name, arg):
        return super().__new__(cls, _str(name), arg)

    @property
    def function(self) -> str:
        return _name(self.args[0])

    @property
    def arg(self):
        return self.args[1]

    @cached_property  # asked very often, and through every level of a deep formula
    def shape(self):
        return self.arg.shape

    def _entry(self, i, j, **kwargs):
        # An entry of an unknown gradient is itself unknown: f'(Y)_ij.
        from sympy.matrices.expressions.matexpr import MatrixElement
        return MatrixElement(self, i, j)

    def _sympystr(self, printer):
        return "%s'(%s)" % (self.function, printer._print(self.arg))

    def _latex(self, printer):
        return r"%s'\left(%s\right)" % (self.function, printer._print(self.arg))


class ScalarOf(OpaqueScalar):
    """A 1 x 1 matrix read as a scalar, as on paper: ``(a'x) (Bx)``."""

    is_commutative = True

    def __new__(cls, matrix):
        return super().__new__(cls, matrix)

    @property
    def matrix(self):
        return self.args[0]

    def _sympystr(self, printer):
        return "(%s)" % printer._print(self.matrix)

    def _latex(self, printer):
        return r"\left(%s\right)" % printer._print(self.matrix)


class FrobeniusNorm(OpaqueScalar):
    """``norm(A)``, the Frobenius norm sqrt(tr(A'A))."""

    is_commutative = True

    def __new__(cls, matrix):
        return super().__new__(cls, matrix)

    @property
    def matrix(self):
        return self.args[0]

    def _sympystr(self, printer):
        return "norm(%s)" % printer._print(self.matrix)

    def _latex(self, printer):
        return r"\left\Vert %s\right\Vert_F" % printer._print(self.matrix)


class SumEntries(OpaqueScalar):
    """``sum(A)``, the sum of all entries of A (1' A 1)."""

    is_commutative = True

    def __new__(cls, matrix):
        return super().__new__(cls, matrix)

    @property
    def matrix(self):
        return self.args[0]

    def _sympystr(self, printer):
        return "sum(%s)" % printer._print(self.matrix)

    def _latex(self, printer):
        return r"\operatorname{sum}\left(%s\right)" % printer._print(self.matrix)


class Inner(OpaqueScalar):
    """The Frobenius inner product <A, B> = tr(A'B) = sum of A .* B."""

    is_commutative = True

    def __new__(cls, left, right):
        return super().__new__(cls, left, right)

    def _sympystr(self, printer):
        return "<%s, %s>" % (printer._print(self.args[0]), printer._print(self.args[1]))

    def _latex(self, printer):
        return r"\left\langle %s, %s\right\rangle" % (
            printer._print(self.args[0]), printer._print(self.args[1]))


def _diff_str(printer, arg) -> str:
    text = printer._print(arg)
    return "d" + text if getattr(arg, "is_symbol", False) or isinstance(arg, sympy.MatrixSymbol) \
        else "d(%s)" % text


def _diff_latex(printer, arg) -> str:
    text = printer._print(arg)
    if isinstance(arg, (sympy.MatrixSymbol, sympy.Symbol)):
        return r"\mathrm{d}%s" % text
    return r"\mathrm{d}\left(%s\right)" % text


class MatDiff(_ShapedLikeArg):
    """The differential d(M) of a matrix expression, pushed inward one rule at a time."""

    def _sympystr(self, printer):
        return _diff_str(printer, self.arg)

    def _latex(self, printer):
        return _diff_latex(printer, self.arg)


class ScalarDiff(OpaqueScalar):
    """The differential d(s) of a scalar expression."""

    is_commutative = True

    def __new__(cls, arg):
        return super().__new__(cls, arg)

    @property
    def arg(self):
        return self.args[0]

    def _sympystr(self, printer):
        return _diff_str(printer, self.arg)

    def _latex(self, printer):
        return _diff_latex(printer, self.arg)


class _Stacked(MatrixExpr):
    """A matrix stacked into one column; subclasses say in which order."""

    operator = ""

    def __new__(cls, arg):
        return super().__new__(cls, arg)

    @property
    def arg(self):
        return self.args[0]

    @cached_property  # asked very often, and through every level of a deep formula
    def shape(self):
        rows, cols = shape_of(self.arg)
        return (size_product(rows, cols), Integer(1))

    def _sympystr(self, printer):
        return "%s(%s)" % (self.operator, printer._print(self.arg))

    def _latex(self, printer):
        return r"\operatorname{%s}\left(%s\right)" % (self.operator, printer._print(self.arg))


class Vec(_Stacked):
    """vec(A): the columns of A stacked into one column (Magnus & Neudecker)."""

    operator = "vec"

    def _entry(self, i, j, **kwargs):
        rows = self.arg.shape[0]
        return self.arg._entry(i % rows, floor(i / rows), **kwargs)


class Vecr(_Stacked):
    """vecr(A): the rows of A stacked into one column (seed 2's W-tilde); vecr(A) = vec(A')."""

    operator = "vecr"

    def _entry(self, i, j, **kwargs):
        cols = self.arg.shape[1]
        return self.arg._entry(floor(i / cols), i % cols, **kwargs)


def size_symbol(name: str) -> sympy.Symbol:
    """``Symbol(name, integer=True, positive=True)``, a declared size.

    After each clear_cache() SymPy deduces a new Symbol's facts from its assumptions
    anew (about 30 us a size); every size has the same facts, so a size is given those
    of one made once, as SymPy's own cache gives every size it keeps one set of facts.

    >>> n = size_symbol("n")
    >>> n == sympy.Symbol("n", integer=True, positive=True), n.is_positive, n.is_integer
    (True, True, True)
    """
    if _SIZE_FACTS is None:
        return sympy.Symbol(name, integer=True, positive=True)
    return _symbol_with_facts(name, _SIZE_FACTS)


def _symbol_with_facts(name, facts):
    symbol = Expr.__new__(sympy.Symbol)
    symbol.name = name
    for slot, value in facts:
        setattr(symbol, slot, value)
    return symbol


def _size_facts():
    """The slots holding a size Symbol's facts, with their values; None where this
    SymPy's Symbol is built otherwise (then sizes are made by SymPy itself)."""
    slots = ("_assumptions", "_assumptions_orig", "_assumptions0")
    every_slot = {slot for cls in sympy.Symbol.__mro__ for slot in cls.__dict__.get(
        "__slots__", ()) if not isinstance(cls.__dict__.get("__slots__"), str)}
    if every_slot != {"name", "_mhash", "_args", *slots}:
        return None  # a Symbol holds more than Basic.__new__ and the three fact slots set
    template = sympy.Symbol("n", integer=True, positive=True)
    facts = tuple((slot, getattr(template, slot)) for slot in slots)
    made = _symbol_with_facts("m", facts)
    real = sympy.Symbol("m", integer=True, positive=True)
    same = (made == real and hash(made) == hash(real) and sympy.srepr(made) == sympy.srepr(real)
            and made.assumptions0 == real.assumptions0 and made.sort_key() == real.sort_key())
    return facts if same else None


_SIZE_FACTS = _size_facts()


def is_size(n) -> bool:
    """Built from declared sizes (positive integer symbols) and whole numbers by + and *.

    >>> m = sympy.Symbol("m", integer=True, positive=True)
    >>> is_size(m * (m + 1)), is_size(m**2), is_size(m - 1), is_size(sympy.Symbol("k"))
    (True, True, False, False)
    """
    if isinstance(n, sympy.Integer):
        return n >= 0
    if isinstance(n, sympy.Symbol):
        # Its facts as deduced from what was stated (assumptions0 holds the same facts,
        # but builds a new dict on every call).
        known = n._assumptions
        return bool(known.get("integer") and known.get("positive"))
    if isinstance(n, (sympy.Mul, sympy.Add)):
        return all(is_size(a) for a in n.args)
    if isinstance(n, sympy.Pow):  # n*n is n**2 (a Kronecker product of X with X)
        return is_size(n.base) and isinstance(n.exp, sympy.Integer) and n.exp > 0
    return False


_SIZED = ExpressionMemo("matderiv.objects.sized")


def sized(cls, *dims):
    """``cls(*dims)`` for Identity, ZeroMatrix or OneMatrix, without SymPy's dimension
    check when every dim is a size (``is_size``).

    That check asks the assumption system whether m*n is a nonnegative integer, which
    took milliseconds for every product of sizes after each clear_cache(): most of the
    time of a small derivation such as W a.

    >>> m = sympy.Symbol("m", integer=True, positive=True)
    >>> sized(sympy.ZeroMatrix, m * 2, 1).shape
    (2*m, 1)
    """
    dims = tuple(Integer(d) if isinstance(d, int) else d for d in dims)
    found = _SIZED.get((cls, dims))
    if found is None:  # one per kind and size (the matcher asks for I(n) at every try)
        found = _SIZED.remember((cls, dims), MatrixExpr.__new__(cls, *dims)
                                if all(is_size(d) for d in dims) else cls(*dims))
    return found


def matrix_symbol(name: str, rows, cols):
    """``MatrixSymbol(name, rows, cols)``, without SymPy's dimension check when both are
    sizes (as ``sized``).

    >>> m = sympy.Symbol("m", integer=True, positive=True)
    >>> matrix_symbol("W", m, 3).shape
    (m, 3)
    """
    rows, cols = (Integer(d) if isinstance(d, int) else d for d in (rows, cols))
    if is_size(rows) and is_size(cols):
        return MatrixExpr.__new__(sympy.MatrixSymbol, Str(name), rows, cols)
    return sympy.MatrixSymbol(name, rows, cols)


def identity(n):
    """Identity(n): ``sized(Identity, n)``."""
    return sized(sympy.Identity, n)


def is_matrix(expr) -> bool:
    """True for matrix expressions (including 1 x 1 ones), False for scalars."""
    return bool(getattr(expr, "is_Matrix", False))


def _factors(expr):
    return expr.args if isinstance(expr, sympy.MatMul) else (expr,)


def _terms(expr):
    return expr.args if isinstance(expr, sympy.MatAdd) else (expr,)


_SIZE_PRODUCTS = ExpressionMemo("matderiv.objects.size_product")


def size_product(*sizes):
    """``sizes[0] * sizes[1] * ...``, multiplied two at a time as SymPy's Kronecker
    product shape does (m+1, 2, n give n(2m + 2), as there), each product remembered: the
    size m n of vec(X) or of a Kronecker product is asked for every new node holding it.

    >>> m, n = sympy.Symbol("m"), sympy.Symbol("n")
    >>> size_product(m, n), size_product(Integer(1), n), size_product(m + 1, Integer(2), n)
    (m*n, n, n*(2*m + 2))
    """
    found = sizes[0]
    for size in sizes[1:]:
        product = _SIZE_PRODUCTS.get((found, size))
        if product is None:
            product = _SIZE_PRODUCTS.remember((found, size), _times(found, size))
        found = product
    return found


def _times(one, other):
    """``one * other``, built directly where SymPy's Mul would only sort its factors:
    after each clear_cache() SymPy's Mul costs tens of microseconds, and sizes such as
    m n are multiplied for every new Kronecker product or vec.

    >>> m, n = sympy.Symbol("m"), sympy.Symbol("n")
    >>> _times(n, m) == n * m, _times(Integer(1), n) is n, _times(Integer(2), Integer(3))
    (True, True, 6)
    """
    if one == 1:
        return other
    if other == 1:
        return one
    if isinstance(one, Integer) and isinstance(other, Integer):
        return Integer(int(one) * int(other))
    if type(one) is sympy.Symbol and type(other) is sympy.Symbol and one.name != other.name \
            and one.assumptions0 == other.assumptions0:  # (else Mul orders them otherwise)
        first, second = sorted((one, other), key=lambda s: s.name)
        return sympy.Mul._from_args((first, second), is_commutative=True)
    # n n is n**2 and n**k n is n**(k+1): SymPy's Pow costs a tenth of its Mul, which
    # would find the common base (the vec of an n x n matrix has n**2 rows).
    power = _power_of_symbol(one, other)
    if power is not None:
        return power
    power = _power_of_symbol(other, one)
    if power is not None:
        return power
    return one * other


def _power_of_symbol(one, symbol):
    """``one * symbol`` as a Pow when ``symbol`` is a Symbol and ``one`` is it or a
    positive integer power of it, else None."""
    if type(symbol) is not sympy.Symbol:
        return None
    if one == symbol:
        return sympy.Pow(symbol, 2)
    if isinstance(one, sympy.Pow) and one.base == symbol and isinstance(one.exp, Integer) \
            and one.exp > 0:
        return sympy.Pow(symbol, one.exp + 1)
    return None


_SHAPES = IdentityMemo("matderiv.objects.shape_of")


def shape_of(expr):
    """``expr.shape``, computed once per distinct subexpression.

    SymPy recomputes a product's shape from its first and last factors, a Hadamard
    product's or a sum's from its first term, on every query: through every level of a
    deep formula (an L-layer network's gradient nests L products), O(depth) each time.
    A Kronecker product's shape multiplies its factors' sizes (SymPy arithmetic) on
    every query.

    >>> from sympy import MatrixSymbol
    >>> A, x = MatrixSymbol("A", 3, 2), MatrixSymbol("x", 2, 1)
    >>> shape_of(sympy.HadamardProduct(A * x, A * x))
    (3, 1)
    """
    if isinstance(expr, (sympy.MatMul, sympy.MatAdd, sympy.HadamardProduct,
                         sympy.Transpose, sympy.KroneckerProduct)):
        found = _SHAPES.lookup(expr)
        if found is None:
            found = _SHAPES.remember(expr, _shape_from_parts(expr))
        return found
    return expr.shape


def _shape_from_parts(expr):
    if isinstance(expr, sympy.MatMul):
        matrices = [a for a in expr.args if is_matrix(a)]
        return shape_of(matrices[0])[0], shape_of(matrices[-1])[1]
    if isinstance(expr, sympy.Transpose):
        rows, cols = shape_of(expr.arg)
        return cols, rows
    if isinstance(expr, sympy.KroneckerProduct):  # as SymPy's shape, from known parts
        rows, cols = zip(*(shape_of(a) for a in expr.args), strict=True)
        return size_product(*rows), size_product(*cols)
    return shape_of(expr.args[0])


def _product(coeff, args, matrices=None):
    """MatMul(coeff, *args), its factors' sizes checked here (by ``shape_of``) rather
    than by SymPy, which asks each factor's shape through the whole tree. ``matrices``:
    the matrix factors, when ``args`` holds scalars too."""
    matrices = args if matrices is None else matrices
    args = args if coeff == 1 else [coeff, *args]
    for left, right in zip(matrices, matrices[1:], strict=False):
        if shape_of(left)[1] != shape_of(right)[0]:
            return sympy.MatMul(*args)  # SymPy's own check (and ShapeError)
    return sympy.Basic.__new__(sympy.MatMul, *args)


def mat_mul(*factors):
    """A flat product: nested products are spliced in, scalar factors multiplied together.

    >>> from sympy import MatrixSymbol
    >>> A, B = MatrixSymbol("A", 2, 2), MatrixSymbol("B", 2, 2)
    >>> mat_mul(mat_mul(2, A), mat_mul(3, B)).args
    (6, A, B)
    """
    flat = [f for factor in factors for f in _factors(factor)]
    scalars = [f for f in flat if not is_matrix(f)]
    matrices = [f for f in flat if is_matrix(f)]
    if not matrices:
        return sympy.Mul(*scalars)
    # (Mul() is 1 and Mul(c) is c: SymPy's constructor, skipped for the common cases)
    coeff = sympy.S.One if not scalars else _sympify(scalars[0]) if len(scalars) == 1 \
        else sympy.Mul(*scalars)
    if coeff == 1 and len(matrices) == 1:
        return matrices[0]
    return _product(coeff, matrices)


def mat_add(*terms):
    """A flat sum of matrices."""
    flat = [t for term in terms for t in _terms(term)]
    return flat[0] if len(flat) == 1 else _same_shape(sympy.MatAdd, flat)


def hadamard_product(*factors):
    """HadamardProduct(*factors), their sizes checked by ``shape_of``."""
    return _same_shape(sympy.HadamardProduct, factors)


def _same_shape(cls, args):
    """cls(*args) for a sum or Hadamard product of matrices of one shape, checked here
    (see ``_product``)."""
    if any(not isinstance(a, MatrixExpr) or isinstance(a, GenericZeroMatrix) for a in args):
        return cls(*args)  # SymPy's constructor converts or drops them
    shape = shape_of(args[0])
    if any(shape_of(a) != shape for a in args):
        return cls(*args)  # SymPy's own check (and ShapeError)
    return sympy.Basic.__new__(cls, *args)


def rebuilt(expr, args):
    """``expr.func(*args)``, for a product, sum or Hadamard product with its sizes
    checked by ``shape_of`` (SymPy's constructors ask every factor's shape through the
    whole tree below it); the same node SymPy's constructor builds.

    >>> from sympy import MatrixSymbol
    >>> A, B = MatrixSymbol("A", 2, 2), MatrixSymbol("B", 2, 2)
    >>> rebuilt(A * B, [Integer(2), B]), rebuilt(A + B, [A, A])
    (2*B, A + A)
    """
    if not all(isinstance(a, sympy.Basic) for a in args):
        return expr.func(*args)  # SymPy's constructor converts them
    if isinstance(expr, sympy.MatMul):
        matrices = [a for a in args if is_matrix(a)]
        if matrices and not any(isinstance(a, GenericIdentity) for a in args):
            return _product(sympy.Integer(1), list(args), matrices)
    elif isinstance(expr, (sympy.MatAdd, sympy.HadamardProduct)) and args:
        return _same_shape(type(expr), list(args))
    return expr.func(*args)

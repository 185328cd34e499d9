"""Code generation: a result expression -> Python source for NumPy, JAX or PyTorch.

A printer, not a mathematician: it rewrites only the way a result is computed, never
what it is.  Products are evaluated as matrix products (a chain of plain matrices with
``multi_dot``, which orders it by the real sizes), ``diag(v) M`` as ``v * M``, traces of
products as ``sum(A * B')``, an inverse multiplying something as ``solve``, and a
Kronecker product, a commutation matrix or a diagonal applied to what stands right of
it without being formed: ``(P ⊗ Q) vec(M) = vec(Q M Pᵀ)``, ``K vec(M) = vec(Mᵀ)``.
Every subexpression that occurs twice is computed once, into a temporary.  In NumPy code
a sum ``c M + c Mᵀ`` is formed tile by tile (a whole-array ``M.T`` strides across memory)
and ``Rᵀ diag(w) R`` as ``Zᵀ Z`` with ``Z = sqrt(w) R`` when every weight is ≥ 0, checked
at run time (NumPy then uses a symmetric rank-k update: half the work).

Arguments are keyword-only and named as in the formula.  Matrices are 2-D arrays;
a vector may be given as a 1-D array or as a column (n, 1) (row vectors as (1, n)); a
scalar as a number.  Sizes are read off the arrays.  Results are 2-D arrays: the
gradient has the variable's shape, a Jacobian or Hessian is (rows, columns), and a
Jacobian-vector product ``jvp`` (argument ``V`` shaped like the variable) is the column
``J vec(V)`` (``J vecr(V)`` with ``vec="row"``).  A Jacobian comes in the derivation's
layout (``derive(..., layout=)``); a Hessian and a jvp always in numerator layout.
Abstract functions f(Y) and f'(Y) are extra callable arguments ``f`` and ``f_grad``.

Only text this module writes is compiled; the user's names enter it after a check that
each is a plain identifier that cannot shadow anything the code uses.

>>> from matderiv import derive
>>> d = derive("sum(tanh(W*x))", wrt="W", shapes={"W": ("m", "n"), "x": ("n", 1)})
>>> print(to_source(d).splitlines()[-1])
    return ((-(np.tanh(W @ x) ** 2)) + 1) @ x.T
"""

from __future__ import annotations

import keyword
import linecache
from collections import Counter
from dataclasses import dataclass

import sympy
from sympy import (
    Determinant,
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

from .errors import MatDerivError
from .objects import (
    CommutationMatrix,
    Elementwise,
    is_matrix,
    sigmoid,
)

KINDS = ("gradient", "jacobian", "hessian", "jvp")


@dataclass(frozen=True)
class Backend:
    """An array library: how generated code imports it and spells what differs."""

    name: str
    imports: str
    ns: str
    constant_dtype: str      # appended to eye/zeros/ones (torch needs the inputs' dtype)
    prepare_matrix: str      # how an array argument is taken in ({} is its name)
    prepare_scalar: str


BACKENDS = {
    "numpy": Backend("numpy", "import numpy as np", "np", "",
                     "np.asarray({}, dtype=float)", "{}"),
    "jax": Backend("jax", "import jax.numpy as jnp", "jnp", "",
                   "jnp.asarray({})", "{}"),
    "torch": Backend("torch", "import torch", "torch", ", dtype=_dtype",
                     "torch.as_tensor({})", "torch.as_tensor({}, dtype=_dtype)"),
}

#: Names the generated code uses itself; a formula name equal to one is refused.
#: (Builtins may be shadowed: generated code calls none.)
RESERVED = {"np", "jnp", "torch", "jax"}

_ELEMENTWISE = {"exp": "exp", "log": "log", "tanh": "tanh", "sin": "sin", "cos": "cos",
                "sqrt": "sqrt"}
_SCALAR_FUNCTIONS = {sympy.exp: "exp", sympy.log: "log", sympy.tanh: "tanh",
                     sympy.sin: "sin", sympy.cos: "cos", sympy.Abs: "abs"}


#: Module-level helpers a NumPy function may call (their names start with "_", which no
#: user name may): the text of each is emitted once, before the ``def``, when it is used.
_NUMPY_HELPERS = {
    "_plus_transpose": '''
def _plus_transpose(M, block=64):
    """M + M' of a square M, tile by tile: a tile's transposed partner is read while it is
    in cache, where a whole-array M.T strides across memory; the result is exactly M + M'
    (and exactly symmetric), each upper tile computed once and mirrored."""
    n = M.shape[0]
    out = np.empty_like(M)
    for i in range(0, n, block):
        for j in range(i, n, block):
            tile = out[i:i + block, j:j + block]
            np.add(M[i:i + block, j:j + block], M[j:j + block, i:i + block].T, out=tile)
            if j != i:
                out[j:j + block, i:i + block] = tile.T
    return out
''',
    "_scaled_product": '''
def _scaled_product(c, A, B, fresh):
    """c A B.  ``fresh`` names a factor ("A" or "B") that is an array of this call's own
    making: c multiplies it in place where it is smaller than A B; otherwise c multiplies
    the product in place.  (Scaling a factor into a new array costs an allocation, which
    is no cheaper than a pass over the product unless the product is much larger.)"""
    if fresh == "A" and A.size < A.shape[0] * B.shape[1]:
        A *= c
        return A @ B
    if fresh == "B" and B.size < A.shape[0] * B.shape[1]:
        B *= c
        return A @ B
    product = A @ B
    product *= c
    return product
''',
    "_weighted_gram": '''
def _weighted_gram(R, w):
    """R' diag(w) R for a column (or number) w of weights.  Where every weight is >= 0 it
    is Z' Z with Z = sqrt(w) R, which NumPy computes with a symmetric rank-k update (half
    the multiplications of a general product); otherwise R' (w R) as written."""
    if np.all(w >= 0):
        Z = np.sqrt(w) * R
        return Z.T @ Z
    return R.T @ (w * R)
''',
}


def _check_identifier(name: str, what: str) -> str:
    """A user's name enters generated code only if it is a plain, harmless identifier."""
    if (not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name)
            or name.startswith("_") or not name.isascii()):
        raise MatDerivError(f"{what} {name!r} cannot be a Python argument name")
    return name


# -- structure of operators ----------------------------------------------------------

def _is_diagonal(expr) -> bool:
    """Diagonal matrices the printer keeps as a column of their diagonal."""
    if isinstance(expr, (DiagMatrix, Identity)):
        return True
    if isinstance(expr, Transpose):
        return _is_diagonal(expr.arg)
    if isinstance(expr, MatMul):
        matrices = [a for a in expr.args if is_matrix(a)]
        return bool(matrices) and all(_is_diagonal(a) for a in matrices)
    if isinstance(expr, MatAdd):
        return all(_is_diagonal(a) for a in expr.args)
    return False


def _is_structured(expr) -> bool:
    """Operators applied to a right-hand side instead of being formed."""
    return isinstance(expr, (KroneckerProduct, CommutationMatrix, Inverse)) \
        or _is_diagonal(expr) or (isinstance(expr, Transpose)
                                  and isinstance(expr.arg, (KroneckerProduct, CommutationMatrix)))


def _transposed(expr):
    """Transpose pushed into Kronecker products and commutation matrices."""
    if isinstance(expr, KroneckerProduct):
        return KroneckerProduct(*[Transpose(a) for a in expr.args])
    if isinstance(expr, CommutationMatrix):
        return CommutationMatrix(expr.args[1], expr.args[0])
    return Transpose(expr)


def _canonical(expr):
    """inv(X') is written inv(X)' so one inverse serves both (common subexpressions)."""
    if isinstance(expr, Inverse) and isinstance(expr.arg, Transpose):
        return Transpose(Inverse(_canonical(expr.arg.arg)))
    if isinstance(expr, MatPow) and not isinstance(expr, Inverse) and expr.exp == -1:
        return _canonical(Inverse(expr.base))
    if not expr.args or isinstance(expr, (MatrixSymbol, sympy.Symbol)):
        return expr
    args = [_canonical(a) if isinstance(a, sympy.Basic) else a for a in expr.args]
    if all(a is b for a, b in zip(args, expr.args, strict=True)):
        return expr
    return expr.func(*args)


def _count(expr, counts: Counter) -> None:
    """How often each subexpression is needed; a shared node's inside counts once."""
    counts[expr] += 1
    if counts[expr] == 1:
        for arg in expr.args:
            if isinstance(arg, sympy.Basic):
                _count(arg, counts)
        rest = _trace_rest(expr)
        if rest is not None:
            # tr(A R) is printed as sum(A .* R'): R may be shared with the rest.
            _count(rest, counts)


def _trace_rest(expr):
    """R of a trace tr(c A R) that is printed as c sum(A .* R'), else None."""
    if not isinstance(expr, Trace) or not isinstance(expr.arg, MatMul):
        return None
    matrices = [a for a in expr.arg.args if is_matrix(a)]
    if len(matrices) < 2 or any(_is_structured(m) for m in matrices):
        return None
    return matrices[1] if len(matrices) == 2 else MatMul(*matrices[1:])


# -- the printer ---------------------------------------------------------------------

class _Printer:
    def __init__(self, backend: Backend, sizes: dict, functions: set, counts: Counter):
        self.b = backend
        self.ns = backend.ns
        self.sizes = sizes            # dimension Symbol -> variable name
        self.functions = functions    # abstract function names the code calls
        self.counts = counts
        self.lines: list[str] = []
        self.helpers: list[str] = []  # names of _NUMPY_HELPERS the code calls
        self.memo: dict = {}
        self.temporaries = 0

    # values and temporaries
    def temp(self, code: str) -> str:
        self.temporaries += 1
        name = f"_t{self.temporaries}"
        self.lines.append(f"{name} = {_strip(code)}")
        return name

    def value(self, expr) -> str:
        """Code for ``expr``; a node needed more than once is computed once."""
        if expr in self.memo:
            return self.memo[expr]
        code = self._dispatch(expr)
        if self.counts.get(expr, 0) > 1 and not _is_atom_expr(expr):
            code = self.temp(code)
        self.memo[expr] = code
        return code

    def helper(self, name: str) -> str:
        """The name of a module-level helper, which the module then defines."""
        if name not in self.helpers:
            self.helpers.append(name)
        return name

    def size(self, expr) -> str:
        expr = sympy.Integer(expr) if isinstance(expr, int) else expr
        if expr.is_Integer:
            return str(int(expr))
        missing = [s for s in expr.free_symbols if s not in self.sizes]
        if missing:
            raise MatDerivError(f"size {missing[0]} is not carried by any argument")
        text = str(expr.subs({s: sympy.Symbol(n) for s, n in self.sizes.items()}))
        return text if expr.is_Symbol else f"({text})"

    def constant(self, function: str, *sizes) -> str:
        shape = ", ".join(self.size(s) for s in sizes)
        if function != "eye":
            shape = f"({shape})"
        return f"{self.ns}.{function}({shape}{self.b.constant_dtype})"

    # dispatch
    def _dispatch(self, expr) -> str:
        for cls in type(expr).__mro__:
            method = getattr(self, "_print_" + cls.__name__, None)
            if method is not None:
                return method(expr)
        if not is_matrix(expr) and expr.is_number:
            return _number(expr)
        raise MatDerivError(f"code generation does not support {type(expr).__name__}: {expr}")

    # leaves
    def _print_MatrixSymbol(self, expr):
        return expr.name

    def _print_Symbol(self, expr):
        if expr in self.sizes:
            return self.sizes[expr]
        return expr.name

    def _print_Identity(self, expr):
        return self.constant("eye", expr.rows)

    def _print_ZeroMatrix(self, expr):
        return self.constant("zeros", *expr.shape)

    def _print_OneMatrix(self, expr):
        return self.constant("ones", *expr.shape)

    def _print_CommutationMatrix(self, expr):
        m, n = expr.args
        return self.apply(expr, self.constant("eye", m * n))

    def _print_DiagMatrix(self, expr):
        return f"{self.ns}.diagflat({self.value(expr.args[0])})"

    def _print_KroneckerProduct(self, expr):
        code = self.value(expr.args[0])
        for arg in expr.args[1:]:
            code = f"{self.ns}.kron({code}, {self.value(arg)})"
        return code

    # matrix operations
    def _print_Transpose(self, expr):
        if isinstance(expr.arg, (KroneckerProduct, CommutationMatrix)):
            return self.value(_transposed(expr.arg))
        return f"{self.value(expr.arg)}.T"

    def _print_Inverse(self, expr):
        return f"{self.ns}.linalg.inv({_strip(self.value(expr.arg))})"

    def _print_MatPow(self, expr):
        exponent = int(expr.exp)
        base = self.value(expr.base)
        if exponent < 0:
            base, exponent = f"{self.ns}.linalg.inv({_strip(base)})", -exponent
        if exponent == 1:
            return base
        if exponent == 2:
            return f"({base} @ {base})"
        return f"{self.ns}.linalg.matrix_power({_strip(base)}, {exponent})"

    def _print_MatAdd(self, expr):
        if _is_diagonal(expr):
            return self.materialise_diagonal(expr)
        full = [t for t in expr.args if _broadcast_part(t) is None]
        terms = []
        paired = _transpose_pairs(expr.args) if self.b.name == "numpy" else {}
        for term in expr.args:
            if term in paired:
                # c M + c M' in one tiled pass (see _plus_transpose); M' is skipped.
                if paired[term] is not None:
                    coefficient, matrix = paired[term]
                    terms.append(_scaled(coefficient, f"{self.helper('_plus_transpose')}("
                                         f"{_strip(self.value(matrix))})", self))
                continue
            part = _broadcast_part(term) if full else None
            # Beside a full-shape term, 1 (for a matrix of ones), a column v (for v 1ᵀ) or
            # a row r (for 1 r) broadcast to the same sum without forming the matrix.
            terms.append(self.value(term) if part is None else
                         "1" if part == 1 else self.value(part))
        return "(" + " + ".join(terms) + ")"

    def _print_HadamardProduct(self, expr):
        return "(" + " * ".join(self.value(a) for a in expr.args) + ")"

    def _print_HadamardPower(self, expr):
        base, exponent = self.value(expr.base), expr.exp
        if exponent == -1:
            return f"(1 / {base})"
        if exponent == 2 and base.isidentifier():
            return f"({base} * {base})"
        return f"({base} ** {self.value(exponent)})"

    def _print_Elementwise(self, expr):
        arg = _strip(self.value(expr.arg))
        if expr.function == "sigmoid":
            # 1 / (1 + exp(-x)) overflows for large -x; this form does not.
            return f"(0.5 + 0.5 * {self.ns}.tanh(0.5 * {_paren(arg)}))"
        return f"{self.ns}.{_ELEMENTWISE[expr.function]}({arg})"

    def _print_Softmax(self, expr):
        # exp(z - max z) / sum: the same value, without overflow.
        arg = self.value(expr.arg)
        if not arg.isidentifier():
            arg = self.temp(arg)
        shifted = self.temp(f"{self.ns}.exp({arg} - {self.ns}.max({arg}))")
        return f"({shifted} / {self.ns}.sum({shifted}))"

    def _print_Vec(self, expr):
        # Column stacking = row stacking of the transpose; .T works in every backend.
        return f"{self.value(expr.arg)}.T.reshape(-1, 1)"

    def _print_Vecr(self, expr):
        return f"{self.value(expr.arg)}.reshape(-1, 1)"

    def _print_AbstractGradient(self, expr):
        self.functions.add(expr.function)
        return f"{expr.function}_grad({_strip(self.value(expr.arg))})"

    def _print_MatMul(self, expr):
        coefficient = sympy.Mul(*[a for a in expr.args if not is_matrix(a)])
        matrices = [a for a in expr.args if is_matrix(a)]
        if _is_diagonal(expr):
            code = self.materialise_diagonal(MatMul(*matrices))
        elif (coefficient != 1 and len(matrices) == 2 and self.b.name == "numpy"
              and not any(_is_structured(m) for m in matrices)):
            # c A B: c scales a factor made by this call if it is smaller than A B, which
            # only run time knows; else the product (both in place).
            codes = [self.value(m) for m in matrices]
            fresh = next((name for name, m, code in zip("AB", matrices, codes, strict=True)
                          if _is_fresh(m, code)), "")
            return (f"{self.helper('_scaled_product')}({_strip(self.value(coefficient))}, "
                    f"{_strip(codes[0])}, {_strip(codes[1])}, {fresh!r})")
        else:
            code = self.product(matrices)
        return _scaled(coefficient, code, self)

    # products: dense runs with multi_dot, structured factors applied to their right side
    def product(self, factors) -> str:
        groups = _group_diagonals(factors)
        if self.b.name == "numpy" and _is_weighted_gram(groups):
            # R' diag(w) R: symmetric, so half the work where the weights allow (see the
            # helper _weighted_gram).
            weights = self.diagonal(groups[1])
            if weights != "1":
                return (f"{self.helper('_weighted_gram')}({_strip(self.chain(groups[2]))}, "
                        f"{_strip(weights)})")
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
                elif _is_diagonal(group) and index > 0 and isinstance(groups[index - 1], list):
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

    def chain(self, dense, tail=None) -> str:
        codes = [self.value(f) for f in dense] + ([tail] if tail is not None else [])
        if len(codes) == 1:
            return codes[0]
        if len(codes) == 2:
            return f"({codes[0]} @ {codes[1]})"
        return f"{self.ns}.linalg.multi_dot([{', '.join(_strip(c) for c in codes)}])"

    def apply(self, operator, rhs: str) -> str:
        """Code for ``operator @ rhs`` that never forms a structured operator."""
        if isinstance(operator, Transpose) and isinstance(
                operator.arg, (KroneckerProduct, CommutationMatrix)):
            operator = _transposed(operator.arg)
        if _is_diagonal(operator):
            diagonal = self.diagonal(operator)
            return rhs if diagonal == "1" else f"({diagonal} * {rhs})"
        if isinstance(operator, Inverse):
            if self.counts.get(operator, 0) > 1 or operator in self.memo:
                return f"({self.value(operator)} @ {rhs})"
            return f"{self.ns}.linalg.solve({_strip(self.value(operator.arg))}, {_strip(rhs)})"
        if isinstance(operator, CommutationMatrix):
            m, n = operator.args
            # Row i*n + j of K is row j*m + i: K vec(A) = vec(A') for A of shape m x n.
            return (f"{self.ns}.swapaxes({rhs}.reshape({self.size(n)}, {self.size(m)}, -1), "
                    f"0, 1).reshape({self.size(m * n)}, -1)")
        if isinstance(operator, KroneckerProduct):
            return self.apply_kronecker(operator, rhs)
        if isinstance(operator, MatMul):
            coefficient = sympy.Mul(*[a for a in operator.args if not is_matrix(a)])
            value = rhs
            for factor in reversed([a for a in operator.args if is_matrix(a)]):
                value = self.apply(factor, value)
            return _scaled(coefficient, value, self)
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
            inner = self.apply(left, f"{_paren(inner)}.reshape({self.size(q1)}, -1)")
        return f"{_paren(inner)}.reshape({self.size(p1 * p2)}, -1)"

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
            return _scaled(coefficient, code, self)
        if isinstance(expr, MatAdd):
            return "(" + " + ".join(self.diagonal(a) for a in expr.args) + ")"
        raise MatDerivError(f"not a diagonal matrix: {expr}")  # pragma: no cover

    def materialise_diagonal(self, expr) -> str:
        diagonal = self.diagonal(expr)
        if diagonal == "1":
            return self.constant("eye", expr.shape[0])
        ones = self.constant("ones", expr.shape[0], 1)
        return f"{self.ns}.diagflat({ones} * {diagonal})"

    # scalars
    def _print_Trace(self, expr):
        arg = expr.arg
        if isinstance(arg, MatAdd):
            return "(" + " + ".join(self.value(Trace(a)) for a in arg.args) + ")"
        rest = _trace_rest(expr)
        if rest is not None:
            # tr(A R) = sum(A .* R'): the product A R is never formed.
            coefficient = sympy.Mul(*[a for a in arg.args if not is_matrix(a)])
            first = self.value([a for a in arg.args if is_matrix(a)][0])
            return _scaled(coefficient, f"{self.ns}.sum({first} * {self.value(rest)}.T)", self)
        return f"{self.ns}.trace({_strip(self.value(arg))})"

    def _print_Determinant(self, expr):
        return f"{self.ns}.linalg.det({_strip(self.value(expr.arg))})"

    def _print_log(self, expr):
        if isinstance(expr.args[0], Determinant):
            # log det without forming det, which overflows long before its log does.
            return f"{self.ns}.linalg.slogdet({_strip(self.value(expr.args[0].arg))})[1]"
        return f"{self.ns}.log({_strip(self.value(expr.args[0]))})"

    def _print_Function(self, expr):
        if isinstance(expr, sigmoid):
            return f"(0.5 + 0.5 * {self.ns}.tanh(0.5 * {self.value(expr.args[0])}))"
        name = _SCALAR_FUNCTIONS.get(expr.func)
        if name is None:
            raise MatDerivError(f"code generation does not support the function {expr.func}")
        return f"{self.ns}.{name}({_strip(self.value(expr.args[0]))})"

    def _print_ScalarOf(self, expr):
        return f"{self.value(expr.matrix)}[0, 0]"

    def _print_SumEntries(self, expr):
        return f"{self.ns}.sum({_strip(self.value(expr.matrix))})"

    def _print_FrobeniusNorm(self, expr):
        matrix = self.value(expr.matrix)
        return f"{self.ns}.sqrt({self.ns}.sum({matrix} * {matrix}))"

    def _print_Inner(self, expr):
        return f"{self.ns}.sum({self.value(expr.args[0])} * {self.value(expr.args[1])})"

    def _print_AbstractFunction(self, expr):
        self.functions.add(expr.function)
        return f"{expr.function}({_strip(self.value(expr.arg))})"

    def _print_Add(self, expr):
        return "(" + " + ".join(self.value(a) for a in expr.args) + ")"

    def _print_Mul(self, expr):
        return "(" + " * ".join(self.value(a) for a in expr.args) + ")"

    def _print_Pow(self, expr):
        base, exponent = self.value(expr.base), expr.exp
        if exponent == -1:
            return f"(1 / {base})"
        if exponent == sympy.Rational(1, 2):
            return f"{self.ns}.sqrt({_strip(base)})"
        return f"({base} ** {self.value(exponent)})"


def _broadcast_part(term):
    """What broadcasts to ``term`` in a sum: 1 for ones(m, n), v for v*ones(1, n) (v a
    column), r for ones(m, 1)*r (r a row); None for any other term."""
    if isinstance(term, OneMatrix):
        return 1
    if isinstance(term, MatMul) and len(term.args) == 2:
        left, right = term.args
        if isinstance(right, OneMatrix) and right.shape[0] == 1 and left.shape[1] == 1:
            return left
        if isinstance(left, OneMatrix) and left.shape[1] == 1 and right.shape[0] == 1:
            return right
    return None


def _transpose_pairs(terms) -> dict:
    """Terms of a sum that pair up as c M and c M' (M square, not symmetric as written):
    the first of a pair -> (c, M), its partner -> None.  Terms of no pair are absent."""
    paired: dict = {}
    for i, term in enumerate(terms):
        if term in paired or not term.is_square or _is_diagonal(term) \
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


def _is_weighted_gram(groups) -> bool:
    """Groups of a product R' D R: dense runs either side of a diagonal D, the left run
    the transpose of the right one."""
    if len(groups) != 3 or not isinstance(groups[0], list) \
            or not isinstance(groups[2], list) or not _is_diagonal(groups[1]):
        return False
    left, right = (g[0] if len(g) == 1 else MatMul(*g) for g in (groups[0], groups[2]))
    return left.T == right


def _group_diagonals(factors):
    """Runs of dense factors as lists; each structured factor (diagonal runs merged) alone."""
    groups: list = []
    for factor in factors:
        if isinstance(factor, Identity):
            continue
        if _is_diagonal(factor):
            if groups and not isinstance(groups[-1], list) and _is_diagonal(groups[-1]):
                groups[-1] = MatMul(groups[-1], factor)
            else:
                groups.append(factor)
        elif _is_structured(factor):
            groups.append(factor)
        elif groups and isinstance(groups[-1], list):
            groups[-1].append(factor)
        else:
            groups.append([factor])
    return groups


def _is_fresh(expr, code: str) -> bool:
    """Whether ``code`` makes a new array no other name refers to (an elementwise result,
    not an argument, a view or a temporary used again), which may be changed in place."""
    return not code.isidentifier() and isinstance(
        expr, (HadamardProduct, HadamardPower, Elementwise, MatAdd))


def _is_atom_expr(expr) -> bool:
    """Leaves and free views (a transposed name): never worth a temporary."""
    if isinstance(expr, Transpose):
        return isinstance(expr.arg, MatrixSymbol)
    return isinstance(expr, (MatrixSymbol, sympy.Symbol)) or (
        not is_matrix(expr) and expr.is_number)


def _number(expr) -> str:
    if expr.is_Integer:
        return str(int(expr))
    if expr.is_Rational:
        return f"({int(expr.p)} / {int(expr.q)})"
    value = float(expr)
    return repr(value) if value >= 0 else f"({value!r})"


def _scaled(coefficient, code: str, printer: _Printer) -> str:
    if coefficient == 1:
        return code
    if coefficient == -1:
        return f"(-{code})"
    return f"({printer.value(coefficient)} * {code})"


def _paren(code: str) -> str:
    return code if code.startswith("(") and _balanced_outer(code) else f"({code})"


def _strip(code: str) -> str:
    """One pair of outer parentheses dropped where they enclose the whole text."""
    return code[1:-1] if code.startswith("(") and _balanced_outer(code) else code


def _balanced_outer(code: str) -> bool:
    depth = 0
    for i, ch in enumerate(code):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(code) - 1:
            return False
    return code.endswith(")")


# -- putting a function together -------------------------------------------------

def _result(derivation, kind: str, vec: str):
    if kind == "gradient":
        return derivation.gradient()
    if kind == "hessian":
        return derivation.hessian(layout="numerator")
    return derivation.jacobian(vec=vec, layout="numerator" if kind == "jvp" else None)


def _arguments(derivation):
    """The formula's own matrices and scalars (not every declared name), sorted by name."""
    expr = derivation.expr
    matrices = sorted(expr.atoms(MatrixSymbol) | {derivation.variable}, key=lambda s: s.name)
    dimension_symbols = {d for s in matrices for d in s.shape if d.is_Symbol}
    scalars = sorted((s for s in expr.free_symbols
                      if isinstance(s, sympy.Symbol) and s not in dimension_symbols),
                     key=lambda s: s.name)
    return matrices, scalars


def to_source(derivation, kind: str | None = None, *, vec: str = "col",
              backend: str = "numpy", name: str | None = None) -> str:
    """A self-contained Python module (imports and one ``def``) evaluating a result."""
    kind = kind or ("gradient" if derivation.is_scalar else "jacobian")
    if kind not in KINDS:
        raise MatDerivError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if vec not in ("col", "row"):
        raise MatDerivError(f"vec must be 'col' or 'row', not {vec!r}")
    if backend not in BACKENDS:
        raise MatDerivError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    chosen = BACKENDS[backend]
    variable = derivation.variable
    name = _check_identifier(name or f"{kind}_{variable.name}", "function name")
    expr = _canonical(_result(derivation, kind, vec))

    matrices, scalars = _arguments(derivation)
    reserved = RESERVED | {name}
    for symbol in [*matrices, *scalars]:
        _check_identifier(symbol.name, "name")
        if symbol.name in reserved:
            raise MatDerivError(f"the name {symbol.name!r} is used by the generated code; "
                                "rename it in the formula")
    sizes: dict = {}
    header: list[str] = []
    if chosen.name == "torch":
        # Constants (eye, zeros) take the inputs' dtype: torch does not mix them in @.
        header.append(f"_dtype = torch.as_tensor({matrices[0].name}).dtype")
    for symbol in matrices:
        rows, cols = symbol.shape
        taken = chosen.prepare_matrix.format(symbol.name)
        if cols == 1 or rows == 1:
            taken += ".reshape(-1, 1)" if cols == 1 else ".reshape(1, -1)"
        header.append(f"{symbol.name} = {taken}")
        for axis, size in enumerate(symbol.shape):
            if size.is_Symbol and size not in sizes:
                _check_identifier(size.name, "size")
                if size.name in reserved:
                    raise MatDerivError(f"the size name {size.name!r} is used by the "
                                        "generated code; rename it")
                sizes[size] = size.name
                header.append(f"{sizes[size]} = {symbol.name}.shape[{axis}]")
    for symbol in scalars:
        if chosen.prepare_scalar != "{}":
            header.append(f"{symbol.name} = {chosen.prepare_scalar.format(symbol.name)}")

    counts: Counter = Counter()
    _count(expr, counts)
    functions: set = set()
    printer = _Printer(chosen, sizes, functions, counts)
    parameters = [s.name for s in matrices] + [s.name for s in scalars]
    taken = set(parameters) | set(sizes.values()) | reserved
    if kind == "jvp":
        # The direction is V unless the formula has a V of its own.
        direction = next(n for n in ("V", "V_dir", "direction", "dX") if n not in taken)
        rows, cols = variable.shape
        header.append(f"{direction} = {chosen.prepare_matrix.format(direction)}.reshape("
                      f"{printer.size(rows)}, {printer.size(cols)})")
        stacked = f"{direction}.T.reshape(-1, 1)" if vec == "col" \
            else f"{direction}.reshape(-1, 1)"
        result = printer.apply(expr, printer.temp(stacked))
        parameters.append(direction)
    else:
        result = printer.value(expr)
    for function in sorted(functions):
        for parameter in (function, f"{function}_grad"):
            _check_identifier(parameter, "function")
            if parameter in taken:
                raise MatDerivError(f"the abstract function's argument {parameter!r} "
                                    "clashes with a name of the formula; rename one")
            parameters.append(parameter)
    result = _strip(result)

    from .render import to_text
    # The formula as matderiv read it, never the user's raw text: only our own rendering
    # of parsed, checked names reaches the source that to_function compiles.
    formula = _one_line(to_text(derivation.expr))
    what = {"gradient": f"the gradient of {formula} with respect to {variable}",
            "jacobian": f"the Jacobian d {'vec' if vec == 'col' else 'vecr'}(F) / d "
                        f"{'vec' if vec == 'col' else 'vecr'}({variable}) of F = "
                        f"{formula}",
            "hessian": f"the Hessian d2F / d vec({variable}) d vec({variable})' of F = "
                       f"{formula}",
            "jvp": f"J {'vec' if vec == 'col' else 'vecr'}(V), the Jacobian of F = "
                   f"{formula} by {variable} applied to V (shaped like "
                   f"{variable}), without forming J"}[kind]
    body = header + printer.lines + [f"return {result}"]
    docstring = f"{what}.\n\n    Result: {_one_line(to_text(_result(derivation, kind, vec)))}"
    lines = [f'"""Generated by matderiv ({chosen.name}): {_docstring(_one_line(what))}."""',
             "", chosen.imports, "", ""]
    for helper in printer.helpers:
        lines += [*_NUMPY_HELPERS[helper].strip("\n").splitlines(), "", ""]
    lines += [f"def {name}(*, {', '.join(parameters)}):",
             f'    """{_docstring(docstring)}"""']
    lines += ["    " + line for line in body]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _docstring(text: str) -> str:
    # Rendered text only (see above); still keep it from closing the docstring.
    text = "".join(ch if ch.isprintable() or ch == "\n" else "?" for ch in text)
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_function(derivation, kind: str | None = None, *, vec: str = "col",
                backend: str = "numpy", name: str | None = None):
    """The generated function, compiled: call it with the formula's names as keywords."""
    source = to_source(derivation, kind, vec=vec, backend=backend, name=name)
    filename = f"<matderiv-{derivation.variable.name}-{abs(hash(source)):x}>"
    # Only our own text is compiled; the user's names in it were checked as identifiers.
    code = compile(source, filename, "exec")
    namespace: dict = {"__name__": "matderiv_generated"}
    try:
        exec(code, namespace)  # noqa: S102 - generated code, see above
    except ModuleNotFoundError as error:
        raise MatDerivError(f"the {backend} backend needs {error.name}, which is not "
                            f"installed (pip install '.[bench]' installs jax and torch)") from None
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    function_name = name or f"{kind or ('gradient' if derivation.is_scalar else 'jacobian')}" \
                            f"_{derivation.variable.name}"
    function = namespace[function_name]
    function.source = source
    return function

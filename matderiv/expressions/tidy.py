"""Canonical clean-up between rule applications: zeros vanish, products flatten.

``tidy`` rebuilds an expression bottom-up, dropping zero terms and factors, flattening
nested sums and products and removing identity factors (SymPy's own MatMul/MatAdd
canonicalisation), and nothing else: it never reorders what a proof shows.

>>> from sympy import MatrixSymbol, ZeroMatrix, MatAdd, MatMul, Identity
>>> A = MatrixSymbol("A", 2, 2)
>>> tidy(MatAdd(MatMul(Identity(2), A), ZeroMatrix(2, 2)))
A
"""


from __future__ import annotations

from operator import is_

import sympy
from sympy import (
    Basic,
    HadamardProduct,
    Identity,
    KroneckerProduct,
    MatAdd,
    MatMul,
    MatrixSymbol,
    OneMatrix,
    Trace,
    Transpose,
    ZeroMatrix,
)
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf

from .construct import hadamard_product, is_matrix, mat_add, mat_mul, shape_of
from .differentials import MatDiff, ScalarDiff
from .matrices import CommutationMatrix, Unvec, Vec, Vecr
from .memo import ExpressionMemo, IdentityMemo, interned
from .scalars import FrobeniusNorm, Inner, ScalarOf, SumEntries
from .sizes import is_size, sized
from .sorted_sum import added_in_order
from .sympy_canonical import LEAVES, is_identity, shielded_doit

_ZERO_IF_ANY_ZERO = (Trace, SumEntries, ScalarOf, FrobeniusNorm, Inner, ScalarDiff)
_NOT_FINITE = (sympy.S.Infinity, sympy.S.NegativeInfinity, sympy.S.ComplexInfinity,
               sympy.S.NaN)


# Without these, each rule application re-canonicalised the whole subtree below it,
# which made deep formulas (an L-layer network) cost O(L^3).
_TIDIED = IdentityMemo("matderiv.expressions.tidy.tidy")
_REBUILT = ExpressionMemo("matderiv.expressions.tidy.rebuild")
_REBUILT_FROM_PARTS = ExpressionMemo("matderiv.expressions.tidy.rebuild_from_parts")
_CANONICAL = IdentityMemo("matderiv.expressions.tidy.canonical")


def is_zero(expr) -> bool:
    """A zero matrix, or the number 0.

    >>> is_zero(ZeroMatrix(2, 2)), is_zero(sympy.Integer(0)), is_zero(sympy.Symbol("x"))
    (True, True, False)
    """
    if isinstance(expr, ZeroMatrix):
        return True
    if isinstance(expr, Basic):
        # Only a number equals 0 (SymPy's == of anything else with 0 is False, after
        # sympifying the 0: asked of every part tidy rebuilds); no matrix is a number.
        return expr.is_Number and expr == 0
    return expr == 0


def tidy(expr):
    """Rebuild ``expr`` with zeros removed and products and sums flattened."""
    if not isinstance(expr, Basic) or not expr._args or type(expr) in LEAVES:
        return expr
    entry = _TIDIED.get(id(expr))  # (IdentityMemo.lookup, inline: asked at every node)
    if entry is not None and entry[0] is expr:
        return entry[1]
    return _TIDIED.remember(expr, interned(rebuild(expr, [tidy(arg) for arg in expr._args])))


def run_of_sum(total, run):
    """The sum of ``run``, terms of the matrix sum ``total`` in their order, which must
    all be matrices of one shape, none a sum or zero (so ``mat_add(*run)`` is this).

    A run of a tidy sum's terms is tidy, and a run of a canonical sum's canonical (no
    zero, nothing to flatten, no like terms, in sorted order): remembered as such, so
    the rest of a sum a rule takes one term off is not canonicalised again, term by
    term, each time (kron-distribute on a sum of k terms took O(k^2)).

    >>> from sympy import MatrixSymbol
    >>> A, B, C = (MatrixSymbol(name, 2, 2) for name in "ABC")
    >>> total = tidy(A + B + C)
    >>> tidy(total) is total  # (known to be tidy)
    True
    >>> rest = run_of_sum(total, total.args[1:])
    >>> rest, tidy(rest) is rest
    (B + C, True)
    """
    if len(run) == 1:
        return run[0]
    rest = Basic.__new__(MatAdd, *run)
    if _TIDIED.lookup(total) is total:
        _TIDIED.remember(rest, rest)
    if _CANONICAL.lookup(total) is total:
        _CANONICAL.remember(rest, rest)
    return rest


def run_of_scalar_sum(total, run):
    """``total._new_rawargs(*run)``: the scalar sum of ``run``, a run of the canonical
    scalar sum ``total``'s terms in their order; remembered as tidy and canonical where
    ``total`` is (a run of a sorted sum with no like terms is one, and the terms of a
    tidy sum are tidy), so that taking the terms off a sum one by one (``d-sum``) does
    not sort the rest again each time.

    >>> from sympy import Symbol
    >>> a, b, c = Symbol("a"), Symbol("b"), Symbol("c")
    >>> total = tidy(a + b + c)
    >>> rest = run_of_scalar_sum(total, total.args[1:])
    >>> rest, tidy(rest) is rest
    (b + c, True)
    """
    rest = total._new_rawargs(*run)
    if len(run) > 1:
        if tidy(total) == total:  # (remembered: asked once per sum)
            _TIDIED.remember(rest, rest)
        canonical_total = _CANONICAL.lookup(total)
        if canonical_total is not None and canonical_total == total:
            _CANONICAL.remember(rest, rest)
    return rest


def rebuild(expr, args):
    """``expr.func(*args)``, canonicalised as ``tidy`` describes."""
    if len(args) == len(expr._args) and all(map(is_, args, expr._args)):
        if isinstance(expr, MatrixSymbol) or _kept_as_it_is(expr, args):
            return expr  # built again from the same parts, it is equal
        # The same node again (bottom_up walks unchanged parts once per rule applied).
        done = _REBUILT.get(expr)
        if done is None:
            done = _REBUILT.remember(expr, _rebuild(expr, args))
        return done
    # The same parts again (a rule's result rebuilt in each pass that walks it). SymPy's
    # == is structural (1.0 != 1), so equal keys are equal trees, rebuilt alike.
    key = (expr.func, *args)
    done = _REBUILT_FROM_PARTS.get(key)
    if done is None:
        done = _REBUILT_FROM_PARTS.remember(key, _rebuild(expr, args))
    return done


def _kept_as_it_is(expr, args) -> bool:
    """Whether ``_rebuild(expr, expr.args)`` gives ``expr`` back (equal), known from
    the classes of its parts alone: a transpose, vec or differential of a nonzero matrix
    other than those that cancel, a Kronecker product of bare nonzero factors, an
    identity, zero or ones matrix, a size."""
    kind = _KEPT_KINDS.get(type(expr))
    if kind is None:
        kind = _KEPT_KINDS[type(expr)] = next(
            (k for k, classes in _KEPT_CLASSES if issubclass(type(expr), classes)), "")
    if kind == "stacked":
        return not is_zero(args[0])
    if kind == "transpose":
        arg = args[0]
        return not (is_zero(arg) or isinstance(arg, (Transpose, Identity, OneMatrix)))
    if kind == "kronecker":
        return not any(is_zero(a) or isinstance(a, MatMul) for a in args) and \
            not all(is_identity(a) for a in args)
    if kind == "constant":
        return True  # (``sized`` would build an equal one)
    if kind == "size":
        # A size such as m n (of I(mn) in a Jacobian): SymPy's Mul would only sort its
        # factors again, at tens of microseconds after each clear_cache().
        return is_size(expr)
    return False


#: What ``_kept_as_it_is`` asks of a node, by the first of these classes it is of
#: (found once per class: asked of every node the walks rebuild).
_KEPT_CLASSES = (("stacked", (Vec, Vecr, MatDiff)), ("transpose", Transpose),
                 ("kronecker", KroneckerProduct), ("constant", (Identity, ZeroMatrix, OneMatrix)),
                 ("size", (sympy.Mul, sympy.Add, sympy.Pow)))
_KEPT_KINDS: dict = {}


def _rebuild(expr, args):
    if isinstance(expr, MatMul):
        if any(is_zero(a) for a in args):
            return sized(ZeroMatrix, *shape_of(expr))
        product = expr if _flat_product(expr, args) else mat_mul(*args)
        return shielded_doit(product) if isinstance(product, MatMul) else product
    if isinstance(expr, MatAdd):
        terms = [a for a in args if not is_zero(a)]
        if not terms:
            return sized(ZeroMatrix, *shape_of(expr))
        # (a flat sum of its own parts is the sum mat_add would build again: kept, so
        # that what holds it is not rebuilt for a new copy)
        total = expr if _flat_sum(expr, terms) else mat_add(*terms)
        return shielded_doit(total) if isinstance(total, MatAdd) else total
    if isinstance(expr, HadamardProduct):
        if any(is_zero(a) for a in args):
            return sized(ZeroMatrix, *shape_of(expr))
        kept = [a for a in args if not isinstance(a, OneMatrix)]
        if not kept:
            return sized(OneMatrix, *shape_of(expr))
        return kept[0] if len(kept) == 1 else hadamard_product(*kept)
    if isinstance(expr, (KroneckerProduct, Vec, Vecr, MatDiff)):
        if any(is_zero(a) for a in args):
            return sized(ZeroMatrix, *shape_of(expr))
    if isinstance(expr, (Unvec, DiagMatrix, DiagonalOf)) and is_zero(args[0]):
        return sized(ZeroMatrix, *shape_of(expr))  # (an unvec's other parts are sizes)
    if isinstance(expr, KroneckerProduct):
        return _kronecker(args)
    if isinstance(expr, Transpose):
        arg = args[0]
        if is_zero(arg):
            return sized(ZeroMatrix, *shape_of(expr))
        if isinstance(arg, Transpose):
            return arg.arg
        if isinstance(arg, (Identity, OneMatrix)) and shape_of(arg)[0] == shape_of(arg)[1]:
            return arg
        return Transpose(arg)
    if isinstance(expr, _ZERO_IF_ANY_ZERO) and any(is_zero(a) for a in args):
        return sympy.Integer(0)
    if isinstance(expr, sympy.Mul) and any(is_zero(a) for a in args) and \
            not any(a.has(*_NOT_FINITE) for a in args):
        # SymPy's Mul asks whether each other factor is finite (0 * oo is nan), and
        # asking it of tanh(log det(2X)) fails inside SymPy (arg() rebuilds det(2X) as
        # a scalar product). Without an infinity among them no factor is known to be
        # infinite, and SymPy's answer is 0.
        return sympy.Integer(0)
    if isinstance(expr, ScalarOf) and not is_matrix(args[0]):
        return args[0]
    if isinstance(expr, (Identity, ZeroMatrix, OneMatrix)):
        return sized(expr.func, *args)
    if type(expr) is sympy.Add:
        total = added_in_order(args)  # a term added to a sum: no sort of the whole
        if total is None:
            total = sympy.Add(*args)
        if type(total) is sympy.Add:
            # SymPy's sum is canonical: built again from its own terms it is itself.
            # (Pushing d(.) through a sum of N traces makes N sums, 2 to N terms, and
            # each was sorted again when next tidied: N^2 log N.)
            _REBUILT.remember(total, total)
        return total
    return expr.func(*args)


def _flat_product(expr, args) -> bool:
    """Whether ``mat_mul(*args)`` would build ``expr`` again: ``args`` are its parts, and
    it is flat (a rule's result, just built by mat_mul): no part a product, a scalar (not
    1) only in front, two parts or more. (mat_mul would check the sizes of neighbouring
    factors again; a product's were checked when it was built.)"""
    if len(args) < 2 or len(args) != len(expr._args) or not all(map(is_, args, expr._args)):
        return False
    first = args[0]
    if isinstance(first, MatMul) or not is_matrix(first) and first == 1:
        return False
    return all(is_matrix(a) and not isinstance(a, MatMul) for a in args[1:])


def _flat_sum(expr, terms) -> bool:
    """Whether ``mat_add(*terms)`` would build ``expr`` again: ``terms`` are its parts,
    two or more, none a sum (mat_add would splice it in)."""
    return len(terms) >= 2 and len(terms) == len(expr._args) and \
        all(map(is_, terms, expr._args)) and not any(isinstance(t, MatAdd) for t in terms)


def _kronecker(args):
    """kron(c A, B C) -> c kron(A, B C): scalars in front, bare matrices inside.

    SymPy's KroneckerProduct.doit extracts such scalars itself but rebuilds the other
    factors as scalar products (B*C as a Mul), and then fails ("Mix of Matrix and
    Scalar symbols"); with the scalars already out it has nothing to extract.
    """
    coefficient, bare = sympy.Integer(1), []
    for arg in args:
        if isinstance(arg, MatMul):
            scalar, matrices = arg.as_coeff_matrices()
            coefficient *= scalar
            arg = mat_mul(*matrices) if len(matrices) > 1 else matrices[0]
        bare.append(arg)
    product = KroneckerProduct(*bare)
    return product if coefficient == 1 else mat_mul(coefficient, product)



#: transpose, mixed Kronecker products). Trace.doit is not among them: for a Kronecker
#: product of non-square factors it returns tr(a) tr(b), which is wrong.
_SAFE_DOIT = (MatMul, MatAdd, Transpose, HadamardProduct, KroneckerProduct)


def canonical(expr):
    """SymPy's canonical form, node by node, through the nodes whose doit is safe."""
    if not isinstance(expr, Basic) or not expr._args or type(expr) in LEAVES:
        return expr
    done = _CANONICAL.lookup(expr)
    if done is None:
        done = _CANONICAL.remember(expr, interned(_canonical_node(
            rebuild(expr, [canonical(arg) for arg in expr._args]))))
    return done


def _canonical_node(rebuilt):
    if isinstance(rebuilt, _SAFE_DOIT):
        return shielded_doit(rebuilt)
    if isinstance(rebuilt, CommutationMatrix):
        return rebuilt.doit()  # K(m, 1) and K(1, n) are identities
    return rebuilt


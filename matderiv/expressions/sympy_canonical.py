"""SymPy's canonical forms of products, sums and Hadamard products, found without SymPy
wherever SymPy would give the expression back unchanged or only sorted.

SymPy's canonicalisation (``doit(deep=False)``) asks every factor's shape through the
whole tree below it and builds the inverse of each square factor to compare it with
its neighbour; most nodes ``tidy`` rebuilds are canonical already. Each shortcut here is
checked rule by rule against SymPy's own strategies (tests/test_canonical_products.py).

>>> from sympy import MatrixSymbol
>>> A, B = MatrixSymbol("A", 2, 3), MatrixSymbol("B", 3, 3)
>>> sympy_keeps_product(MatMul(2, A, B)), sympy_keeps_product(MatMul(A, B, B))
(True, False)
"""

from __future__ import annotations

from operator import is_

import sympy
from sympy import (
    Basic,
    Expr,
    HadamardProduct,
    Identity,
    Inverse,
    KroneckerProduct,
    MatAdd,
    MatMul,
    MatPow,
    MatrixBase,
    MatrixExpr,
    MatrixSymbol,
    OneMatrix,
    Trace,
    Transpose,
    ZeroMatrix,
    default_sort_key,
)
from sympy.core.symbol import Str
from sympy.matrices.expressions import hadamard, matadd
from sympy.matrices.expressions.permutation import PermutationMatrix
from sympy.strategies import condition, do_one, exhaust, flatten, glom, rm_id, sort, unpack

from .construct import is_matrix, shape_of
from .matrices import CommutationMatrix, Elementwise
from .memo import IdentityMemo
from .sizes import matrix_symbol

_SHIELDABLE = IdentityMemo("matderiv.expressions.sympy_canonical.shieldable")
_KEEPS_PRODUCT = IdentityMemo("matderiv.expressions.sympy_canonical.keeps_product")
_SORT_KEYS = IdentityMemo("matderiv.expressions.sympy_canonical.sort_key")
_COEFF_MMUL = IdentityMemo("matderiv.expressions.sympy_canonical.coeff_mmul")

#: Nodes every pass here leaves as they are: a name (a Str) and a matrix symbol (whose
#: parts are a name and sizes), answered without a memo lookup or a visit to its parts.
LEAVES = frozenset({Str, MatrixSymbol})
_NOTHING: frozenset = frozenset()


def shielded_doit(expr):
    """``expr.doit(deep=False)`` with traces and determinants kept as they are, and a
    product's elementwise factors stood in for by plain matrices of their shape.

    MatAdd.doit and Transpose.doit call doit deeply on scalar coefficients, and SymPy's
    Trace.doit turns tr(a kron b') into tr(a) tr(b) even for non-square a, b (wrong).
    SymPy's product rules never look inside a Hadamard product or an elementwise
    function, but they ask its shape many times, and SymPy finds that through every
    level below it (an L-layer network's gradient nests L of them).
    """
    if isinstance(expr, MatMul) and (is_matrix(expr.args[0]) or not _shieldable(expr.args[0])):
        # (SymPy asks whether the coefficient is zero: of its shielded form, and asking
        # it of log det(2X) itself fails inside SymPy)
        known = canonical_product_if_known(expr)
        if known is not None:
            return known
    # In a fixed order: SymPy orders a sum's terms by their stand-ins' creation, and a
    # frozenset's order changes with Python's string hashing from run to run.
    shieldable = _shieldable(expr)
    shields = {node: sympy.Dummy("shield") for node in sorted(shieldable, key=sort_key)} \
        if shieldable else {}
    if isinstance(expr, MatAdd) and not shields:
        # (with shields, SymPy sorts the terms by their stand-ins)
        known = canonical_sum_if_known(expr)
        if known is not None:
            return known
    if isinstance(expr, MatMul):
        shields.update(_stand_ins(expr, shields))
    if not shields:
        return _doit(expr)
    shielded = _restore(expr, shields)  # (xreplace, without SymPy's shape checks)
    done = None
    if isinstance(shielded, MatMul):
        done = canonical_product_if_known(shielded)
    elif isinstance(shielded, MatAdd):  # (its terms sorted by the stand-ins' keys)
        done = canonical_sum_if_known(shielded)
    if done is None:
        done = _doit(shielded)
    return _restore(done, {stand_in: node for node, stand_in in shields.items()})


def sympy_keeps_product(product) -> bool:
    """True when SymPy's MatMul canonicalisation (``matmul.canonicalize``, what
    ``MatMul.doit(deep=False)`` runs) would give ``product`` back unchanged.

    Checked rule by rule, from the factors' types and sizes alone: most products tidy
    rebuilds are already canonical, and SymPy finds that out slowly (it asks every
    factor's shape through the tree below it, and builds the inverse of each square
    factor to compare it with its neighbour). False means only "ask SymPy".

    >>> from sympy import MatrixSymbol
    >>> A, B = MatrixSymbol("A", 2, 3), MatrixSymbol("B", 3, 3)
    >>> [sympy_keeps_product(MatMul(*factors)) for factors in [(2, A, B), (A, B, B), (A, B.I, B)]]
    [True, False, False]
    """
    found = _KEEPS_PRODUCT.lookup(product)  # (asked again by canonical() after tidy)
    if found is None:
        found = _KEEPS_PRODUCT.remember(product, _keeps_product(product))
    return found


def _keeps_product(product) -> bool:
    args = product.args
    if len(args) < 2:  # unpack
        return False
    matrices = args[1:] if not is_matrix(args[0]) else args
    coefficient = args[0] if matrices is not args else None
    if any(not is_matrix(m) for m in matrices):
        return False  # factor_in_front would gather the scalars in front
    if coefficient is not None and (_is_one(coefficient) or _is_zero_scalar(coefficient)
                                    or (len(args) == 2 and coefficient.is_Rational
                                        and isinstance(args[1], MatAdd))):
        return False  # rm_id(1), any_zeros, distribute_monom
    for factor in matrices:
        if isinstance(factor, (MatMul, ZeroMatrix, MatrixBase, PermutationMatrix)) \
                or (is_identity(factor) and len(matrices) > 1) or factor.is_zero:
            return False  # flatten, any_zeros, merge_explicit, permutations, remove_ids
        if isinstance(factor, Inverse) and isinstance(factor.arg, MatMul):
            return False  # combine_powers cancels X (X Y)^-1 ...
    not_square = [_not_square(m) for m in matrices]
    for k, (left, right) in enumerate(zip(matrices, matrices[1:], strict=False)):
        if isinstance(left, OneMatrix) and isinstance(right, OneMatrix):
            return False  # combine_one_matrices
        if not_square[k] or not_square[k + 1]:
            continue  # combine_powers leaves this pair as it is
        left_base = left.args[0] if isinstance(left, MatPow) else left
        right_base = right.args[0] if isinstance(right, MatPow) else right
        # (equal trees hash alike, and each hash is kept: most pairs differ by hash)
        if left_base is right_base or (hash(left_base) == hash(right_base)
                                       and left_base == right_base):
            return False  # combine_powers: A A^2 -> A^3
        if isinstance(right_base, MatrixBase):
            continue
        # combine_powers compares left_base with right_base.inverse(): only a matrix
        # of a class that inverse can return may be equal to it.
        inverse_classes = _inverse_classes(type(right_base))
        if inverse_classes is None:
            return False
        if isinstance(left_base, KroneckerProduct) and isinstance(right_base, KroneckerProduct):
            if len(left_base.args) == len(right_base.args):
                return False  # it may be the product of the inverses, factor by factor
        elif isinstance(left_base, inverse_classes):
            return False
    return True


def _is_one(scalar) -> bool:
    """``scalar == 1`` (SymPy's rm_id): the Integer 1 is one object, S.One; a Float may
    equal 1 too; no other expression does."""
    return scalar is sympy.S.One or (scalar.is_Float and scalar == 1)


def _is_zero_scalar(scalar) -> bool:
    """``scalar.is_zero is True`` (what SymPy's any_zeros asks), cheaply for a product:
    a product is zero only where one of its factors is (Mul._eval_is_zero), and SymPy's
    own answer asks each factor whether it is finite as well, about 0.1 ms for a
    product of stand-ins after each clear_cache()."""
    if scalar.is_Integer:  # (0 is one object, S.Zero; asking is_zero costs more)
        return scalar is sympy.S.Zero
    if isinstance(scalar, sympy.Mul) and not any(f.is_zero for f in scalar.args):
        return False
    return scalar.is_zero is True


def canonical_product_if_known(product):
    """SymPy's canonical form of ``product`` when it is found without SymPy, else None:
    ``product`` itself when SymPy keeps it, or ``product`` without its identity factors
    when SymPy keeps that (SymPy removes them first, then finds nothing else to do).

    >>> from sympy import MatrixSymbol, Identity
    >>> A, B = MatrixSymbol("A", 2, 3), MatrixSymbol("B", 3, 3)
    >>> known = canonical_product_if_known
    >>> known(MatMul(2, Identity(2), A, B)), known(MatMul(B, B))
    (2*A*B, None)
    """
    if sympy_keeps_product(product):
        return product
    args = product.args
    kept = [a for a in args if not (is_matrix(a) and is_identity(a))]
    if len(kept) == len(args) or not any(is_matrix(a) for a in kept) or kept[0] == 1:
        return None
    if len(kept) == 1:
        return kept[0]  # unpack
    shorter = Basic.__new__(MatMul, *kept)
    return shorter if sympy_keeps_product(shorter) else None


def sympy_keeps_sum(total) -> bool:
    """True when ``_canonical_sum`` (SymPy's MatAdd canonicalisation) would give
    ``total`` back unchanged: no zero or nested sum, no like terms, each product term
    canonical (``sympy_keeps_product``; like terms are rebuilt through it), and the
    terms in SymPy's sorted order.

    >>> from sympy import MatrixSymbol, MatAdd
    >>> A, B = MatrixSymbol("A", 2, 2), MatrixSymbol("B", 2, 2)
    >>> [sympy_keeps_sum(MatAdd(*terms)) for terms in [(A, B), (B, A), (A, 2*A), (A*B, A)]]
    [True, False, False, True]
    """
    return canonical_sum_if_known(total) is total


def canonical_sum_if_known(total):
    """SymPy's canonical form of ``total`` when it is found without SymPy, else None:
    ``total`` itself when SymPy keeps it, or its terms sorted when sorting them is all
    SymPy would do (its last rule, ``sort``; the sorted sum is then left as it is).

    >>> from sympy import MatrixSymbol, MatAdd, Basic
    >>> A, B = MatrixSymbol("A", 2, 2), MatrixSymbol("B", 2, 2)
    >>> known = canonical_sum_if_known
    >>> known(Basic.__new__(MatAdd, B, A)).args, known(Basic.__new__(MatAdd, A, 2*A))
    ((A, B), None)
    """
    terms = total.args
    if len(terms) < 2:  # unpack
        return None
    like = set()
    for term in terms:
        if not is_matrix(term) or isinstance(term, (MatAdd, ZeroMatrix, MatrixBase)):
            return None  # rm_id(0), flatten, merge_explicit
        if isinstance(term, MatMul):
            if not sympy_keeps_product(term):
                return None
            like.add(term.args if is_matrix(term.args[0]) else term.args[1:])
        else:
            like.add((term,))
    if len(like) < len(terms):
        return None  # glom: like terms are combined
    return _sorted_args(total)


def _sorted_args(node):
    """``node`` when its args are in default_sort_key order, else ``node`` rebuilt with
    them sorted, as SymPy's ``sort(default_sort_key)`` strategy rebuilds it (with
    Basic.__new__; Python's sort is stable, as SymPy's is, for args with equal keys).

    Neighbours are compared part by part (``compare_keys``), each key built only as far
    as it decides: most sums and products are in order already."""
    args = node.args
    if all(compare_keys(one, other) <= 0 for one, other in zip(args, args[1:], strict=False)):
        return node
    keys = [sort_key(a) for a in args]
    order = sorted(range(len(args)), key=keys.__getitem__)
    return Basic.__new__(type(node), *[args[i] for i in order])


def compare_keys(one, other) -> int:
    """-1, 0 or 1 as ``sort_key(one)`` is below, equal to or above ``sort_key(other)``,
    built only as far as it decides: a key built from parts (class key, the number of
    parts, their keys, and the same ending) is compared a part at a time.

    >>> from sympy import MatrixSymbol
    >>> A, B = MatrixSymbol("A", 2, 2), MatrixSymbol("B", 2, 2)
    >>> compare_keys(A * B, B), compare_keys(B * A, A * B), compare_keys(B.T, B.T)
    (-1, 1, 0)
    """
    if one is other:
        return 0
    known, other_known = _SORT_KEYS.lookup(one), _SORT_KEYS.lookup(other)
    if known is None or other_known is None:
        parts, other_parts = _key_parts(one), _key_parts(other)
        if parts is not None and other_parts is not None:
            if parts[0] != other_parts[0]:  # the class keys
                return -1 if parts[0] < other_parts[0] else 1
            if len(parts[1]) != len(other_parts[1]):
                return -1 if len(parts[1]) < len(other_parts[1]) else 1
            for part, other_part in zip(parts[1], other_parts[1], strict=True):
                if isinstance(part, Basic) and isinstance(other_part, Basic):
                    found = compare_keys(part, other_part)
                elif isinstance(part, Basic) or isinstance(other_part, Basic):
                    found = _compared(sort_key(part) if isinstance(part, Basic) else part,
                                      sort_key(other_part) if isinstance(other_part, Basic)
                                      else other_part)
                else:
                    found = _compared(part, other_part)
                if found:
                    return found
            return 0  # (the same ending)
        known, other_known = sort_key(one), sort_key(other)
    return _compared(known, other_known)


def _compared(one, other) -> int:
    return 0 if one == other else (-1 if one < other else 1)


def _key_parts(term):
    """(class key, parts) where ``sort_key(term)`` is (class key, (len(parts), their
    keys), 1, 1), a part that is no expression standing for itself; else None."""
    cls = type(term)
    head = _CLASS_KEYS.get(cls)
    if head is None:
        head = _CLASS_KEYS[cls] = cls.class_key()
    if _key_of_parts(cls, term):
        return head, term.args
    if cls is Str:
        return head, (term.name,)
    if cls is MatMul and _MATMUL_KEY_IS_EXPRS:
        commutative, rest = term.args_cnc()
        return head, (*sorted(commutative, key=sort_key), *rest)
    return None


_CLASS_KEYS: dict = {}  # class -> its class_key() (a classmethod building a tuple)


def canonical_hadamard_if_known(product):
    """SymPy's ``hadamard.canonicalize(product)`` when it is found without SymPy, else
    None: ``product`` itself when no factor is a Hadamard product (flatten), a matrix of
    ones (rm_id) or a zero matrix (absorb), or repeated (HadamardPower), and the factors
    are in sorted order; the factors sorted when that is all SymPy would do. SymPy
    rebuilds the product on its way, asking each factor's shape through the tree below
    it (quadratic in the depth of an L-layer network's gradient).

    >>> from sympy import MatrixSymbol, HadamardProduct
    >>> A, B = MatrixSymbol("A", 2, 2), MatrixSymbol("B", 2, 2)
    >>> known = canonical_hadamard_if_known
    >>> known(HadamardProduct(B, A)).args, known(HadamardProduct(A, A))
    ((A, B), None)
    """
    factors = product.args
    if len(factors) < 2 or len(set(factors)) < len(factors):
        return None  # unpack, HadamardPower
    if any(isinstance(f, (HadamardProduct, OneMatrix, ZeroMatrix)) for f in factors):
        return None  # flatten, rm_id, absorb
    shape = shape_of(factors[0])
    if any(shape_of(f) != shape for f in factors):
        return None  # SymPy's rebuilt product raises ShapeError
    return _sorted_args(product)


def is_identity(matrix) -> bool:
    """``matrix.is_Identity is True``. SymPy's OneMatrix answers it by building
    Eq(rows, 1) & Eq(cols, 1), which holds only for the literal shape (1, 1)."""
    if isinstance(matrix, OneMatrix):
        return shape_of(matrix) == (1, 1)
    return matrix.is_Identity is True


def _not_square(matrix) -> bool:
    """SymPy's ``is_square is False``: sizes that are different integers."""
    rows, cols = shape_of(matrix)
    return isinstance(rows, sympy.Integer) and isinstance(cols, sympy.Integer) and rows != cols


def _inverse_classes(cls):
    """The classes ``M.inverse()`` may return for a square M of class ``cls``, or None
    when unknown. MatrixExpr's inverse is Inverse(M); a Kronecker product's is the
    Kronecker product of its factors' inverses, Identity when they all are, or
    Inverse(M) when a factor is not square; K(m, n)'s is K(n, m)."""
    if cls.inverse is not MatrixExpr.inverse:
        return None
    if cls._eval_inverse is MatrixExpr._eval_inverse:
        return (Inverse,)
    if cls._eval_inverse is _KRONECKER_INVERSE:
        return (KroneckerProduct, Inverse, Identity)
    if cls is CommutationMatrix:
        return (CommutationMatrix,)
    return None


_KRONECKER_INVERSE = KroneckerProduct._eval_inverse


#: Factors SymPy's MatMul rules treat as opaque matrices (no rule of matmul.canonicalize
#: inspects their parts, and their inverse is the default Inverse(M)).
_OPAQUE_FACTORS = (HadamardProduct, sympy.HadamardPower, Elementwise)


def _stand_ins(product, shields):
    """A plain MatrixSymbol of the same shape for each opaque factor of ``product``
    (under transposes too), equal factors sharing one."""
    found = {}
    for arg in product.args:
        while isinstance(arg, Transpose):
            arg = arg.arg
        if isinstance(arg, _OPAQUE_FACTORS) and arg not in found and arg not in shields:
            # A name the formula parser cannot produce, so it clashes with no symbol.
            found[arg] = matrix_symbol(f"⟨factor {len(found)}⟩", *shape_of(arg))
    return found


def _restore(expr, back):
    """``expr.xreplace(back)``, rebuilding products, sums and Hadamard products
    without SymPy's shape check: each stand-in has its original's shape."""
    if expr in back:
        return back[expr]
    if not isinstance(expr, Basic) or not expr.args:
        return expr
    args = [_restore(a, back) for a in expr.args]
    if all(map(is_, args, expr.args)):
        return expr
    if isinstance(expr, (MatMul, MatAdd, HadamardProduct)):
        return Basic.__new__(type(expr), *args)
    return expr.func(*args)


def _doit(expr):
    """``expr.doit(deep=False)``, or expr itself where SymPy's canonicalisation fails.

    MatMul/MatAdd.doit reach KroneckerProduct.doit, whose extract_commutative rebuilds
    a factor such as 2*A or A*B as a scalar product and raises (TypeError "Mix of Matrix
    and Scalar symbols", AttributeError "is_Identity"). The expression unchanged has
    the same value; it is only less canonical.
    """
    try:
        if isinstance(expr, MatAdd):
            return _canonical_sum(expr)
        if isinstance(expr, HadamardProduct) and not any(
                isinstance(a, sympy.MatrixBase) for a in expr.args):
            # HadamardProduct.doit ignores deep=False and redoes every factor deeply.
            known = canonical_hadamard_if_known(expr)
            return known if known is not None else hadamard.canonicalize(expr)
        if isinstance(expr, KroneckerProduct) and sympy_keeps_kronecker(expr):
            return expr
        if isinstance(expr, Transpose):
            if type(expr.arg)._eval_transpose is MatrixExpr._eval_transpose:
                return expr  # Transpose.doit would build Transpose(arg) again
            if isinstance(expr.arg, MatMul):
                known = canonical_transpose_if_known(expr)
                if known is not None:
                    return known
        return expr.doit(deep=False)
    except (TypeError, AttributeError):
        if not expr.has(KroneckerProduct):
            raise
        return expr


def sympy_keeps_kronecker(product) -> bool:
    """True when ``KroneckerProduct.doit(deep=False)`` gives ``product`` back (equal):
    its factors, two or more, are not all identities (the constructor's Identity) nor
    all explicit matrices, none is a Kronecker product (flatten), and none has a scalar
    part (extract_commutative: a matrix that is no product has none; a product of
    matrices alone has none).

    >>> from sympy import MatrixSymbol
    >>> A, B = MatrixSymbol("A", 2, 3), MatrixSymbol("B", 3, 3)
    >>> sympy_keeps_kronecker(KroneckerProduct(A, B.T)), sympy_keeps_kronecker(
    ...     KroneckerProduct(A, MatMul(2, B)))
    (True, False)
    """
    factors = product.args
    if len(factors) < 2 or all(is_identity(f) for f in factors) or all(
            isinstance(f, MatrixBase) for f in factors):
        return False  # unpack, Identity, explicit_kronecker_product
    for factor in factors:
        if not isinstance(factor, MatrixExpr) or factor.__class__ is KroneckerProduct \
                or factor.is_commutative is not False:
            return False
        if factor.is_Mul and not (type(factor) is MatMul and all(
                is_matrix(a) and a.is_commutative is False for a in factor.args)):
            return False  # args_cnc would find scalars in front
    return True


def canonical_transpose_if_known(transpose):
    """SymPy's ``Transpose(M).doit(deep=False)`` of a product M when it is found without
    SymPy, else None.

    SymPy's MatMul._eval_transpose transposes each factor (``transpose``), in reverse
    order, and runs a deep doit over the product of those (about 65 us for A'X b after
    each clear_cache()). Where each factor is a matrix symbol, its transpose, inverse,
    or transposed inverse (so each transposed factor is one too, which a deep doit builds
    again equal) and the one scalar, if any, is a number or a symbol, the result is the
    canonical form of that product of transposed factors (canonical_product_if_known).

    >>> from sympy import MatrixSymbol
    >>> A, X = MatrixSymbol("A", 2, 3), MatrixSymbol("X", 2, 2)
    >>> canonical_transpose_if_known(Transpose(MatMul(2, A.T, X.I)))
    2*X.T**(-1)*A
    """
    product = transpose.arg
    coefficient, transposed = None, []
    for factor in reversed(product.args):
        if not is_matrix(factor):
            if coefficient is not None or not _doit_keeps_scalar(factor):
                return None  # (two scalars: SymPy multiplies them)
            coefficient = factor
            continue
        flipped = _transposed_factor(factor)
        if flipped is None:
            return None
        transposed.append(flipped)
    if coefficient is None:
        if len(transposed) < 2:
            return None
        # (SymPy's product is 1 times these: its canonicalisation drops the 1 first
        # thing, and leaves the rest as it leaves the product without it)
        return canonical_product_if_known(Basic.__new__(MatMul, *transposed))
    return canonical_product_if_known(Basic.__new__(MatMul, coefficient, *transposed))


def _doit_keeps_scalar(scalar) -> bool:
    """A number or a commutative symbol: its doit is itself (SymPy's as_coeff_matrices
    raises for a noncommutative one)."""
    return scalar.is_Number or (type(scalar) in (sympy.Symbol, sympy.Dummy)
                                and scalar.is_commutative is True)


def _transposed_factor(factor):
    """``transpose(factor)`` (as SymPy's Transpose.doit(deep=False) builds it) for a
    plain matrix symbol X (sizes names or numbers), X', X^-1, (X^-1)' or (X')^-1, whose
    deep doit builds it again equal; else None."""
    cls = type(factor)
    if cls is MatrixSymbol:
        return Transpose(factor) if _plain_sizes(factor) else None
    if cls is Inverse and factor.args[1] is not sympy.S.NegativeOne:
        return None
    inner = factor.args[0] if cls in (Transpose, Inverse) else None
    if type(inner) is MatrixSymbol and _plain_sizes(inner):
        return inner if cls is Transpose else Inverse(Transpose(inner))  # X', X^-1
    if type(inner) in (Transpose, Inverse) and type(inner) is not cls and (
            type(inner) is Transpose or inner.args[1] is sympy.S.NegativeOne):
        symbol = inner.args[0]
        if type(symbol) is MatrixSymbol and _plain_sizes(symbol):
            return Inverse(symbol)  # (X^-1)' and (X')^-1: X^-1
    return None


def _plain_sizes(symbol) -> bool:
    """The sizes of a matrix symbol are names or numbers (a deep doit keeps them)."""
    return all(size.is_Symbol or size.is_Integer for size in symbol.args[1:])


def _combine_like_terms(count, matrix):
    """c M for like terms, built shallow: SymPy's own combine computes ``count * matrix``,
    which runs a deep doit over M for every term of every sum it canonicalises."""
    if count == 1:
        return matrix
    # SymPy's canonicalisation of count * M flattens a product M (without a coefficient:
    # glom's M is a term's matrix part) to count * M's factors before anything else
    # applies, so their canonical forms are the same.
    factors = matrix.args if isinstance(matrix, MatMul) else (matrix,)
    if all(is_matrix(f) for f in factors):
        known = canonical_product_if_known(Basic.__new__(MatMul, count, *factors))
        if known is not None:
            return known
    return MatMul(count, matrix).doit(deep=False)


def sort_key(term):
    """``default_sort_key(term)``, remembered per subexpression: a sum's terms are
    sorted, and their order checked, each time the sum is rebuilt, and SymPy's key walks
    the whole term. Where a class keeps Basic.sort_key, its key is built here as SymPy
    builds it, from its parts' remembered keys.

    >>> from sympy import MatrixSymbol
    >>> A = MatrixSymbol("A", 2, 2)
    >>> sort_key(A.T * A + 2 * A) == default_sort_key(A.T * A + 2 * A)
    True
    """
    found = _SORT_KEYS.lookup(term)
    if found is None:
        cls = type(term)
        if _key_of_parts(cls, term):
            args = term.args
            found = (cls.class_key(), (len(args), tuple(
                sort_key(a) if isinstance(a, Basic) else a for a in args)), *_ONE_KEYS)
        elif cls is Str:  # Atom.sort_key, which prints the name to read it
            found = (cls.class_key(), (1, (term.name,)), *_ONE_KEYS)
        elif cls is MatMul and _MATMUL_KEY_IS_EXPRS:
            # Expr.sort_key of a MatMul (its own coefficient-free term, a product): its
            # factors as_ordered_factors gives them, the commutative ones sorted first.
            commutative, rest = term.args_cnc()
            factors = sorted(commutative, key=sort_key) + rest
            found = (cls.class_key(), (len(factors), tuple(sort_key(f) for f in factors)),
                     *_ONE_KEYS)
        else:
            found = default_sort_key(term)
        _SORT_KEYS.remember(term, found)
    return found


def _key_of_parts(cls, term) -> bool:
    """Whether ``term``'s default_sort_key is Basic's: (class key, its parts' keys, 1,
    1). So it is under Basic.sort_key, and under Expr.sort_key of a node that is its own
    coefficient-free term and no power, sum, product or atom. (By class: these are the
    class's methods and flags; asked for every part two sort keys are compared by.)"""
    found = _KEY_OF_PARTS.get(cls)
    if found is None:
        found = _KEY_OF_PARTS[cls] = (
            cls.sort_key is Basic.sort_key and cls._sorted_args is Basic._sorted_args) or (
            cls.sort_key is Expr.sort_key and cls.as_coeff_Mul in _COEFFICIENT_FREE
            and not (cls.is_Atom or cls.is_Pow or cls.is_Add or cls.is_Mul))
    return found


_KEY_OF_PARTS: dict = {}


_ONE_KEYS = (sympy.S.One.sort_key(), sympy.S.One)  # the end of every Basic.sort_key

#: as_coeff_Mul methods that give (1, the node) for a node that is no product: Expr's,
#: and every matrix expression's (MatrixExpr's).
_COEFFICIENT_FREE = (Expr.as_coeff_Mul, MatrixExpr.as_coeff_Mul)

#: MatMul keys Expr.sort_key, with MatrixExpr's as_coeff_Mul (no coefficient taken
#: out), as a product (is_Mul) ordering its factors by Mul.as_ordered_factors.
_MATMUL_KEY_IS_EXPRS = (
    MatMul.sort_key is sympy.Expr.sort_key and MatMul.as_coeff_Mul is MatrixExpr.as_coeff_Mul
    and MatMul.is_Mul and not (MatMul.is_Add or MatMul.is_Pow or MatMul.is_Atom)
    and MatMul.as_ordered_factors is sympy.Mul.as_ordered_factors)


def _coeff_mmul(term):
    """``term.as_coeff_mmul()``, remembered (SymPy's glom asks it twice per term and
    round, and it rebuilds the product, checking its shapes, each time)."""
    found = _COEFF_MMUL.lookup(term)
    if found is None:
        found = _COEFF_MMUL.remember(term, term.as_coeff_mmul())
    return found


#: MatAdd.doit(deep=False), rule for rule as SymPy's matadd.canonicalize, but with like
#: terms combined shallow (see _combine_like_terms).
_canonical_sum = exhaust(condition(lambda x: isinstance(x, MatAdd), do_one(
    rm_id(lambda x: x == 0 or isinstance(x, ZeroMatrix)),
    unpack,
    flatten,
    glom(lambda term: unpack(_coeff_mmul(term)[1]), lambda term: _coeff_mmul(term)[0],
         _combine_like_terms),
    matadd.merge_explicit,
    sort(sort_key))))


def _shieldable(expr) -> frozenset:
    """``expr.atoms(Trace, Determinant)``, remembered per subexpression (it is asked at
    every node that tidy rebuilds, and a fresh traversal each time is quadratic)."""
    if type(expr) in LEAVES:
        return _NOTHING
    found = _SHIELDABLE.lookup(expr)
    if found is None:
        found = _NOTHING  # (most parts hold none: no new set for each)
        for arg in expr._args:
            if isinstance(arg, Basic):
                held = _shieldable(arg)
                if held:
                    found = found | held if found else held
        if isinstance(expr, (Trace, sympy.Determinant)):
            found = found | {expr}
        _SHIELDABLE.remember(expr, found)
    return found


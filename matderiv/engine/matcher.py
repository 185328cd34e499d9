"""Match a rule's pattern (a syntax tree) against a SymPy expression.

A small purpose-built matcher, chosen over ``sympy.unify`` (no empty context, nested
results, seconds per failed match on sums of 6-10 terms) and matchpy (inactive since
2021). Patterns are written in the formula grammar; every name in a pattern is a
variable. Products are associative and not commutative, so a product pattern is
matched by a linear scan over the factors:

* ``L`` and ``R`` are *context* variables: they match any run of factors, possibly
  none; an empty run is the identity of the right size.  ``vec(L*d(X)*R)`` therefore
  matches ``vec(A dX B)``, ``vec(dX B)`` and ``vec(dX)`` alike.
* the last variable of a product pattern takes all remaining factors (``d(A*B)``
  splits off the first factor); every other variable takes exactly one factor.

Sums, scalar products and Hadamard products are commutative: a variable may take any
one term, and the last variable takes the rest (``S``, the *rest* variable of a sum,
may take none).

Rules match through their compiled plans (``match_plans.MatchPlan``), which give the
bindings this matcher gives, in its order; this matcher is their reference, and the
tables below (which classes a call matches) serve both.

>>> from sympy import MatrixSymbol
>>> from matderiv.syntax import parse
>>> A, X = MatrixSymbol("A", 2, 2), MatrixSymbol("X", 2, 2)
>>> found = next(match(parse("L*X*R"), A*X))
>>> found["L"], found["X"], found["R"]
(I, A, X)
"""

from __future__ import annotations

from fractions import Fraction

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
    OneMatrix,
    Trace,
    Transpose,
)
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf

from ..expressions import (
    BINARY,
    ELEMENTWISE,
    FRECHET,
    FRECHET_MATRIX,
    MATRIX_FUNCTIONS,
    AbstractFunction,
    AbstractGradient,
    AxisLogSumExp,
    AxisSoftmax,
    CommutationMatrix,
    DiagEmbedding,
    EigMax,
    EigMin,
    EigvecMax,
    EigvecMin,
    Elementwise,
    ElementwiseBinary,
    FrobeniusNorm,
    Inner,
    LogSumExp,
    MatDiff,
    NuclearNorm,
    Pinv,
    ScalarDiff,
    ScalarOf,
    Softmax,
    SpectralNorm,
    SumEntries,
    SvdUV,
    SvdUV1,
    Unvec,
    Vec,
    Vecr,
    VectorNorm,
    identity,
    is_matrix,
    mat_mul,
    shape_of,
    sized,
)
from ..expressions.memo import IdentityMemo
from ..expressions.structured import DuplicationMatrix, Vech
from ..expressions.tidy import run_of_scalar_sum
from ..syntax import tree
from ..syntax.grammar import FUNCTIONS, RULE_FUNCTIONS
from .terms import EMPTY, TermIndex, fresh_matches, joined, rest_of_sum

CONTEXT_VARIABLES = ("L", "R")
REST_VARIABLE = "S"

_UNARY_CLASSES = {
    "tr": Trace, "det": Determinant, "inv": Inverse, "sum": SumEntries, "norm": FrobeniusNorm,
    "vec": Vec, "vecr": Vecr, "scalar": ScalarOf, "diag": (DiagMatrix, DiagonalOf),
    "softmax": Softmax, "logsumexp": LogSumExp, "Delta": DiagEmbedding,
    "eigmax": EigMax, "eigmin": EigMin, "eigvec_max": EigvecMax, "eigvec_min": EigvecMin,
    "specnorm": SpectralNorm, "nucnorm": NuclearNorm, "svd_uv1": SvdUV1, "svd_uv": SvdUV,
    "pinv": Pinv, **MATRIX_FUNCTIONS,
    **{"frechet_" + name: cls for name, cls in FRECHET_MATRIX.items()},
    "D": DuplicationMatrix, "vech": Vech,
}
#: Calls of several arguments, by (name, number of arguments): each matches an object
#: whose ``_call_args`` are its arguments in the grammar's order.
_CALL_CLASSES = {
    ("softmax", 2): AxisSoftmax, ("logsumexp", 2): AxisLogSumExp, ("norm", 2): VectorNorm,
    ("unvec", 3): Unvec,
    **{("frechet_" + name, 2): cls for name, cls in FRECHET.items()},
}


def _call_classes(pattern) -> tuple:
    """The classes a call pattern matches, or () (not by its class alone)."""
    name = pattern.name
    found = _CALL_CLASSES.get((name, len(pattern.args)))
    if found is None and len(pattern.args) == 1:
        found = _UNARY_CLASSES.get(name)
    if found is None:
        return ()
    found = found if isinstance(found, tuple) else (found,)
    return found + (MatPow,) if name == "inv" else found


def _call_args(expr) -> tuple:
    """An object's arguments as the grammar writes them: softmax(A, 2), not (2, A)."""
    if isinstance(expr, (AxisSoftmax, AxisLogSumExp)):
        return (expr.arg, expr.args[0])
    return expr.args


def variables(pattern) -> set[str]:
    """The names a pattern binds (function variables are prefixed ``fn:``)."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, tree.Name):
            found.add(node.id)
        elif isinstance(node, tree.Call):
            if node.prime or (node.name not in FUNCTIONS and node.name not in RULE_FUNCTIONS):
                found.add("fn:" + node.name)
            for arg in node.args:
                walk(arg)
        for child in ("operand", "left", "right"):
            if hasattr(node, child):
                walk(getattr(node, child))

    walk(pattern)
    return found


def root_types(pattern, nonempty=()):
    """The classes an expression must belong to for ``pattern`` to match it, or None.

    A cheap test before matching: ``d(inv(X))`` can only match a differential, ``A + B``
    only a sum. It mirrors the type tests at the top of each matcher below.
    ``nonempty``: the name tuples of the rule's ``nonempty(...)`` conditions. A product
    pattern matches any expression as its only factor, with its context variables
    empty. Each other operand takes at least one factor: with two of them, or one and
    a context variable that must take a factor, it matches only a product of two or
    more factors.

    >>> from matderiv.syntax import parse
    >>> root_types(parse("L*M*R")), root_types(parse("L*M*R"), [("L", "R")])
    (None, (<class 'sympy.matrices.expressions.matmul.MatMul'>, <class 'sympy.core.mul.Mul'>))
    >>> root_types(parse("A*B")) == root_types(parse("L*M*R"), [("L", "R")])
    True
    """
    if isinstance(pattern, tree.Binary) and pattern.op in ("*", "@"):
        operands = _operands(pattern, ("*", "@"))
        context = {p.id for p in operands
                   if isinstance(p, tree.Name) and p.id in CONTEXT_VARIABLES}
        others = sum(not (isinstance(p, tree.Name) and p.id in CONTEXT_VARIABLES)
                     for p in operands)
        if others >= 2 or (others and any(names and set(names) <= context
                                          for names in nonempty)):
            return (MatMul, sympy.Mul)  # the only classes product_factors splits
    if isinstance(pattern, tree.Call) and not pattern.prime:
        name = pattern.name
        if _call_classes(pattern):
            return _call_classes(pattern)
        if name in ELEMENTWISE:
            return (Elementwise, sympy.Pow if name == "sqrt" else ELEMENTWISE[name])
        if name in BINARY:
            return (ElementwiseBinary, BINARY[name])
        return {"d": (MatDiff, ScalarDiff), "inner": (Inner,), "dot": (Inner,),
                "kron": (KroneckerProduct,), "logdet": (sympy.log,)}.get(name)
    if isinstance(pattern, tree.Binary):
        return {"+": (MatAdd, sympy.Add), ".*": (HadamardProduct,),
                ".^": (HadamardPower,), "^": (MatPow, sympy.Pow)}.get(pattern.op)
    if isinstance(pattern, tree.Postfix):
        return (Transpose,)
    return None


# -- heads: a necessary condition, checked before matching ----------------------
#
# Each node of a pattern below other than a name or a number, outside a unary minus,
# must match a part of the expression, or a value the matcher builds from its parts
# (a run of factors, the rest of a sum, a product's scalar coefficient), which is a
# product, sum, Hadamard or Kronecker product of them: of a class listed here only when
# the expression holds one (a Kronecker product of identities may become an identity,
# but the identities are in the expression). So ``L*inv(X)*R`` needs an inverse
# somewhere in the expression, ``d(X')`` a differential and a transpose; rules whose
# heads are missing are not tried at all (tests/test_canonical_products.py checks it).

_HEAD_CLASSES = (Trace, Determinant, Inverse, MatPow, SumEntries, FrobeniusNorm, Vec, Vecr,
                 ScalarOf, DiagMatrix, Softmax, MatDiff, ScalarDiff, Inner, KroneckerProduct,
                 Transpose, HadamardProduct, HadamardPower, CommutationMatrix, Identity,
                 OneMatrix, AbstractGradient, AbstractFunction, Elementwise, DiagonalOf,
                 AxisSoftmax, LogSumExp, AxisLogSumExp, VectorNorm, Unvec, DiagEmbedding,
                 ElementwiseBinary, EigMax, EigMin, EigvecMax, EigvecMin, SpectralNorm,
                 NuclearNorm, SvdUV1, SvdUV, Pinv, *MATRIX_FUNCTIONS.values(),
                 *FRECHET.values(), *FRECHET_MATRIX.values(), DuplicationMatrix, Vech)
_TYPE_HEADS: dict = {}
_HEADS = IdentityMemo("matderiv.engine.matcher.heads")


def _bits(*classes) -> int:
    return sum(1 << _HEAD_CLASSES.index(c) for c in classes)


def _type_heads(cls) -> int:
    found = _TYPE_HEADS.get(cls)
    if found is None:
        found = _TYPE_HEADS[cls] = sum(1 << i for i, head in enumerate(_HEAD_CLASSES)
                                       if issubclass(cls, head))
    return found


def heads(expr) -> int:
    """The head classes (a bit each) of the nodes of ``expr``, remembered per node.

    >>> from sympy import MatrixSymbol
    >>> X = MatrixSymbol("X", 2, 2)
    >>> heads(Trace(X.T)) == _bits(Trace, Transpose), heads(X)
    (True, 0)
    """
    if not isinstance(expr, sympy.Basic) or not expr._args or type(expr) is sympy.MatrixSymbol:
        return _type_heads(type(expr))  # (a matrix symbol's parts are a name and sizes)
    entry = _HEADS.get(id(expr))  # (IdentityMemo.lookup, inline)
    if entry is not None and entry[0] is expr:
        return entry[1]
    found = _type_heads(type(expr))
    for arg in expr._args:
        found |= heads(arg)
    return _HEADS.remember(expr, found)


def required_heads(pattern) -> tuple[int, ...]:
    """Masks of head classes: an expression ``pattern`` matches holds one class of each.

    >>> from matderiv.syntax import parse
    >>> required_heads(parse("L*inv(X)*R")) == (_bits(Inverse, MatPow),)
    True
    """
    own = ()
    if isinstance(pattern, tree.Call):
        name = pattern.name
        if pattern.prime:
            own = (_bits(AbstractGradient),)
        elif _call_classes(pattern):
            own = (_bits(*_call_classes(pattern)),)
        elif name in ("I", "K", "ones"):
            own = (_bits({"I": Identity, "K": CommutationMatrix, "ones": OneMatrix}[name]),)
        else:
            own = {"d": (_bits(MatDiff, ScalarDiff),), "logdet": (_bits(Determinant),),
                   "inner": (_bits(Inner),), "dot": (_bits(Inner),),
                   "kron": (_bits(KroneckerProduct),)}.get(name, ())
            if name not in FUNCTIONS and name not in RULE_FUNCTIONS and name not in ELEMENTWISE:
                own = (_bits(AbstractFunction),)
        children = pattern.args
    elif isinstance(pattern, tree.Binary):
        own = {".*": (_bits(HadamardProduct),), ".^": (_bits(HadamardPower),)}.get(pattern.op, ())
        children = (pattern.left, pattern.right)
    elif isinstance(pattern, tree.Postfix):
        own, children = (_bits(Transpose),), (pattern.operand,)
    elif isinstance(pattern, tree.Unary) and pattern.op == "+":
        children = (pattern.operand,)
    else:  # names, numbers, and a negation (the matcher negates the expression)
        children = ()
    found = list(own)
    for child in children:
        found += [mask for mask in required_heads(child) if mask not in found]
    return tuple(found)


def match(pattern, expr, bindings=None):
    """An iterator over every binding dict under which ``pattern`` matches ``expr``.

    Returns the node matcher's own generator rather than wrapping it in one more (a
    match nests a call per pattern node, and each wrapper was a generator frame to
    resume on every binding: about 5% of a derivation).
    """
    return _MATCHERS[type(pattern)](pattern, expr, {} if bindings is None else bindings)


def _bind(name, value, bindings):
    if name in bindings:
        if bindings[name] == value:
            yield bindings
        return
    yield {**bindings, name: value}


def _match_name(pattern, expr, bindings):
    yield from _bind(pattern.id, expr, bindings)


_NUMBERS: dict = {}  # a rule's number text -> its Rational (made once, not per match)


def _number(text):
    value = _NUMBERS.get(text)
    if value is None:
        value = _NUMBERS[text] = sympy.Rational(*Fraction(text).as_integer_ratio())
    return value


def _match_num(pattern, expr, bindings):
    value = _number(pattern.value)
    if not is_matrix(expr) and expr == value:
        yield bindings
    # A number in a rule's matrix sum stands for that number times the all-ones matrix,
    # as the rule's result is built (exp(A) + 1 is exp(A) + 𝟏).
    elif isinstance(expr, OneMatrix) and value == 1:
        yield bindings
    elif isinstance(expr, MatMul) and expr.as_coeff_matrices()[0] == value and \
            [type(m) for m in expr.as_coeff_matrices()[1]] == [OneMatrix]:
        yield bindings


def _match_postfix(pattern, expr, bindings):
    if isinstance(expr, Transpose):
        yield from match(pattern.operand, expr.arg, bindings)


def _match_unary(pattern, expr, bindings):
    if pattern.op == "+":
        yield from match(pattern.operand, expr, bindings)
        return
    negated = mat_mul(-1, expr) if is_matrix(expr) else -expr
    coeff = negated.as_coeff_mmul()[0] if is_matrix(negated) else negated.as_coeff_Mul()[0]
    if _leading_coefficient(expr) < 0 or coeff == 1:
        yield from match(pattern.operand, negated, bindings)


def _leading_coefficient(expr):
    if isinstance(expr, MatMul):
        coeff = expr.as_coeff_matrices()[0]
    elif isinstance(expr, sympy.Mul):
        coeff = expr.as_coeff_Mul()[0]
    else:
        return 1
    return coeff if coeff.is_number and coeff.is_real else 1


def _flatten(pattern, op):
    if isinstance(pattern, tree.Binary) and pattern.op in op:
        return _flatten(pattern.left, op) + _flatten(pattern.right, op)
    return [pattern]


# Patterns are the catalog's, alive as long as it is: their flattened operands and the
# names they bind are worked out once per node (by identity; each entry keeps its node).
_OPERANDS: dict = {}
_NAMES: dict = {}


def _operands(pattern, op) -> tuple:
    """``_flatten(pattern, op)``, remembered per pattern node."""
    found = _OPERANDS.get((id(pattern), op))
    if found is None or found[0] is not pattern:
        found = _OPERANDS[(id(pattern), op)] = (pattern, tuple(_flatten(pattern, op)))
    return found[1]


def _binds(pattern, name) -> bool:
    """Whether ``name`` is a variable of ``pattern`` (``variables``, remembered)."""
    found = _NAMES.get(id(pattern))
    if found is None or found[0] is not pattern:
        found = _NAMES[id(pattern)] = (pattern, frozenset(variables(pattern)))
    return name in found[1]


def _match_binary(pattern, expr, bindings):
    op = pattern.op
    if op in ("*", "@"):
        yield from _match_product(_operands(pattern, ("*", "@")), expr, bindings)
    elif op == "+":
        yield from _match_sum(_operands(pattern, ("+",)), expr, bindings)
    elif op == ".*":
        if isinstance(expr, HadamardProduct):
            yield from _match_commutative(_operands(pattern, (".*",)), list(expr.args), bindings,
                                          lambda args: HadamardProduct(*args)
                                          if len(args) > 1 else args[0],
                                          empty=sized(OneMatrix, *shape_of(expr)))
    elif op == "^":
        if isinstance(expr, MatPow) or (isinstance(expr, sympy.Pow) and not is_matrix(expr)):
            base, exponent = expr.args
            for b in match(pattern.left, base, bindings):
                yield from match(pattern.right, exponent, b)
    elif op == ".^":
        if isinstance(expr, HadamardPower):
            for b in match(pattern.left, expr.base, bindings):
                yield from match(pattern.right, expr.exp, b)


# -- products ---------------------------------------------------------------

def product_factors(expr) -> list:
    """The factors of a product, its scalar coefficient (if not 1) first."""
    if isinstance(expr, MatMul):
        args = expr.args
        if all(getattr(a, "is_Matrix", False) for a in args[1:]):
            # (as_coeff_matrices, which builds Mul(*scalars), where there is at most
            # one scalar, the first factor: Mul of one factor is that factor)
            if getattr(args[0], "is_Matrix", False):
                return list(args)
            if args[0].is_commutative is not False:
                return list(args) if args[0] != 1 else list(args[1:])
        coeff, matrices = expr.as_coeff_matrices()
        return ([coeff] if coeff != 1 else []) + list(matrices)
    if isinstance(expr, sympy.Mul):
        return list(expr.args)
    return [expr]


def _run_value(run):
    if len(run) == 1:
        return run[0]
    return mat_mul(*run)


def _match_product(patterns, expr, bindings):
    factors = product_factors(expr)
    if not is_matrix(expr) and isinstance(expr, sympy.Mul):
        yield from _match_commutative(patterns, factors, bindings, lambda args: sympy.Mul(*args))
        return
    shape = shape_of(expr) if is_matrix(expr) else None
    yield from _match_sequence(patterns, factors, 0, shape, bindings)


def _empty_value(shape, at_start):
    if shape is None:
        return sympy.Integer(1)
    return identity(shape[0] if at_start else shape[1])


def _match_sequence(patterns, factors, start, shape, bindings):
    """Match patterns against factors[start:], consuming all of them."""
    if not patterns:
        if start == len(factors):
            yield bindings
        return
    first, rest = patterns[0], patterns[1:]
    remaining = len(factors) - start
    if isinstance(first, tree.Name) and first.id in CONTEXT_VARIABLES:
        # A run is built (a SymPy product) only once the rest matches, unless the rest
        # must compare it; the bindings come out as if it had been bound first.
        later = first.id in bindings or any(_binds(p, first.id) for p in rest)
        for k in range(0, remaining + 1):
            if k == 0:
                value = _empty_value(shape, at_start=start == 0)
                b = {**bindings, EMPTY: bindings.get(EMPTY, frozenset()) | {first.id}}
            elif not later:
                for b2 in _match_sequence(rest, factors, start + k, shape, bindings):
                    found = {key: b2[key] for key in bindings}
                    found[first.id] = _run_value(factors[start:start + k])
                    found.update((key, v) for key, v in b2.items() if key not in found)
                    yield found
                continue
            else:
                value, b = _run_value(factors[start:start + k]), bindings
            for b2 in _bind(first.id, value, b):
                yield from _match_sequence(rest, factors, start + k, shape, b2)
        return
    if remaining == 0:
        return
    if isinstance(first, tree.Name) and not rest:
        yield from _bind(first.id, _run_value(factors[start:]), bindings)
        return
    for b in match(first, factors[start], bindings):
        yield from _match_sequence(rest, factors, start + 1, shape, b)


def _match_commutative(patterns, args, bindings, combine, empty=sympy.S.Zero, whole=None):
    """Each pattern but the last takes one argument (any); the last takes the rest.

    The rest variable ``S`` may take nothing: then it is ``empty``, the identity of the
    operation (𝟏 for a Hadamard product).

    Each argument is matched against each term pattern once, alone (``fresh_matches``,
    remembered), and the bindings are joined after; a term pattern that shares a
    variable with what earlier patterns bound looks its arguments up by that variable's
    value (``terms.TermIndex``) instead of trying every one. So ``L*C + R*C + S`` costs time
    linear in the terms of a sum, not quadratic. The bindings come out in the same
    order, and equal, as matching each argument under the bindings would give.
    """
    yield from _match_terms(patterns, args, (), bindings, combine, empty, {}, whole)


def _match_terms(patterns, args, taken, bindings, combine, empty, indexes, whole=None):
    """``_match_commutative`` over the arguments not ``taken`` (their indices)."""
    if not patterns:
        if len(taken) == len(args):
            yield bindings
        return
    first, rest = patterns[0], patterns[1:]
    if not rest:
        if not taken and whole is not None:  # all of them: the whole expression
            yield from match(first, whole, bindings)
            return
        if len(args) - len(taken) > 1 and _takes_no_sum(first, bindings):
            return  # (without building the sum of the rest)
        left = [arg for i, arg in enumerate(args) if i not in taken]
        if isinstance(first, tree.Name) and first.id == REST_VARIABLE and not left:
            yield from _bind(first.id, empty, bindings)
        elif left:
            yield from match(first, combine(left) if len(left) > 1 else left[0], bindings)
        return
    for i, b in _term_matches(first, args, taken, bindings, indexes):
        yield from _match_terms(rest, args, (*taken, i), b, combine, empty, indexes, whole)


def _takes_no_sum(pattern, bindings) -> bool:
    """Whether the product ``pattern`` cannot match a sum under ``bindings``: a sum is
    one factor, which context variables leave to the only other operand, and that
    operand is a name bound to something else than a sum (or there are two of them)."""
    if not (isinstance(pattern, tree.Binary) and pattern.op in ("*", "@")):
        return False
    others = [p for p in _operands(pattern, ("*", "@"))
              if not (isinstance(p, tree.Name) and p.id in CONTEXT_VARIABLES)]
    if len(others) != 1:
        return len(others) > 1
    other = others[0]
    return isinstance(other, tree.Name) and other.id in bindings and \
        not isinstance(bindings[other.id], (MatAdd, sympy.Add))


def _term_matches(pattern, args, taken, bindings, indexes):
    """(i, bindings) for each argument ``args[i]`` (``i`` not in ``taken``, in order)
    that ``pattern`` matches under ``bindings``, in the order ``match`` yields them."""
    key = next((name for name in sorted(variables_of(pattern))
                if isinstance(bindings.get(name), sympy.MatrixExpr)), None)
    if key is None:
        candidates = ((i, found) for i, arg in enumerate(args) if i not in taken
                      for found in fresh_matches(match, pattern, arg))
    else:
        index = indexes.get((id(pattern), key))
        if index is None:
            index = indexes[(id(pattern), key)] = TermIndex(match, pattern, args, key)
        candidates = ((i, found) for i, found in index.get(bindings[key]) if i not in taken)
    for i, found in candidates:
        found = joined(bindings, found)
        if found is not None:
            yield i, found


def variables_of(pattern) -> frozenset:
    """``variables(pattern)``, remembered per pattern node."""
    _binds(pattern, "")
    return _NAMES[id(pattern)][1]


def _match_sum(patterns, expr, bindings):
    if isinstance(expr, MatAdd):
        terms, combine = list(expr.args), rest_of_sum(expr)
    elif isinstance(expr, sympy.Add):
        # The rest of a sum is a run of its terms in their order: SymPy's canonical sum
        # of them, built without sorting them again (Add(*ts) would, each time a rule
        # such as d-sum takes one term off).
        terms, combine = list(expr.args), lambda ts: run_of_scalar_sum(expr, ts)
    else:
        return
    if isinstance(patterns[-1], tree.Name) and patterns[-1].id == REST_VARIABLE \
            and is_matrix(expr):
        # The rest of a matrix sum may be empty: the zero matrix.
        rest_zero = sized(sympy.ZeroMatrix, *shape_of(expr))
        for b in _match_commutative(patterns[:-1], terms, bindings, combine, whole=expr):
            yield from _bind(REST_VARIABLE, rest_zero, b)
    yield from _match_commutative(patterns, terms, bindings, combine, whole=expr)


# -- calls ------------------------------------------------------------------

def _match_call(pattern, expr, bindings):
    name = pattern.name
    if pattern.prime:
        if isinstance(expr, AbstractGradient):
            for b in _bind("fn:" + name, expr.function, bindings):
                yield from match(pattern.args[0], expr.arg, b)
        return
    classes = _call_classes(pattern)
    if classes:
        if name == "inv" and isinstance(expr, MatPow):
            if expr.exp == -1:
                yield from match(pattern.args[0], expr.base, bindings)
        elif isinstance(expr, classes):
            yield from _match_all(list(pattern.args), list(_call_args(expr)), bindings)
        return
    if name in BINARY:
        if isinstance(expr, ElementwiseBinary) and expr.function == name:
            yield from _match_all(list(pattern.args), [expr.left, expr.right], bindings)
        elif not is_matrix(expr) and expr.func is BINARY[name]:
            yield from _match_all(list(pattern.args), list(expr.args), bindings)
        return
    if name in ("I", "K", "ones"):
        cls = {"I": Identity, "K": CommutationMatrix, "ones": OneMatrix}[name]
        if isinstance(expr, cls):
            sizes = (expr.rows,) if name == "I" else expr.args if name == "K" else shape_of(expr)
            yield from _match_all(list(pattern.args), list(sizes), bindings)
        return
    if name == "d":
        if isinstance(expr, (MatDiff, ScalarDiff)):
            yield from match(pattern.args[0], expr.arg, bindings)
        return
    if name == "logdet":
        if isinstance(expr, sympy.log) and isinstance(expr.args[0], Determinant):
            yield from match(pattern.args[0], expr.args[0].arg, bindings)
        return
    if name in ("inner", "dot"):
        if isinstance(expr, Inner):
            for b in match(pattern.args[0], expr.args[0], bindings):
                yield from match(pattern.args[1], expr.args[1], b)
        return
    if name == "kron":
        if isinstance(expr, KroneckerProduct):
            yield from _match_kron(list(pattern.args), list(expr.args), bindings)
        return
    if name in ELEMENTWISE:
        if isinstance(expr, Elementwise) and expr.function == name:
            yield from match(pattern.args[0], expr.arg, bindings)
        elif not is_matrix(expr) and _is_scalar_function(expr, name):
            yield from match(pattern.args[0], expr.args[0], bindings)
        return
    if name not in FUNCTIONS and name not in RULE_FUNCTIONS and isinstance(expr, AbstractFunction):
        for b in _bind("fn:" + name, expr.function, bindings):
            yield from match(pattern.args[0], expr.arg, b)


def _match_all(patterns, values, bindings):
    if len(patterns) != len(values):
        return
    if not patterns:
        yield bindings
        return
    for b in match(patterns[0], values[0], bindings):
        yield from _match_all(patterns[1:], values[1:], b)


def _is_scalar_function(expr, name) -> bool:
    if name == "sqrt":
        return isinstance(expr, sympy.Pow) and expr.exp == sympy.Rational(1, 2)
    if name == "log" and isinstance(expr, sympy.log) and isinstance(expr.args[0], Determinant):
        return True
    return expr.func is ELEMENTWISE[name]


def _match_kron(patterns, args, bindings):
    if len(patterns) == 1:
        value = args[0] if len(args) == 1 else KroneckerProduct(*args)
        yield from match(patterns[0], value, bindings)
        return
    if len(args) < len(patterns):
        return
    for b in match(patterns[0], args[0], bindings):
        yield from _match_kron(patterns[1:], args[1:], b)


_MATCHERS = {
    tree.Name: _match_name,
    tree.Num: _match_num,
    tree.Postfix: _match_postfix,
    tree.Unary: _match_unary,
    tree.Binary: _match_binary,
    tree.Call: _match_call,
}

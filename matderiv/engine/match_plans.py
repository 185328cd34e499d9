"""A rule's pattern, compiled once into a plan that matches it against expressions.

``matcher.match(pattern, expr)`` interprets the pattern's syntax tree on every try: it
looks up a matcher by the class of each node, works out which objects a call pattern
matches, and nests a generator per node, resumed on every binding. A ``MatchPlan`` makes
those decisions once per rule and keeps, for each node, a small function that does what
the matcher does there, in the same order: it gives the same bindings, equal and in the
same order, with the same keys in the same order (tests/test_match_plans.py compares
the two on every rule tried while deriving the rules' examples). Three things are
cheaper than interpreting:

* a node that can match in one way only (a name, a number, a transpose, a call whose
  arguments each match in one way) is a function returning the bindings or None, not
  a generator;
* in a product, a context variable tries only the runs that leave the rest of the
  pattern as many factors as it can take (``R`` at the end takes all that is left, and
  only that); the runs skipped are those on which the rest matches nothing;
* a product's factors, and the identity an empty run stands for, are worked out once
  per expression, not at each rule that tries it.

>>> from sympy import MatrixSymbol
>>> from matderiv.syntax import parse
>>> A, X = MatrixSymbol("A", 2, 2), MatrixSymbol("X", 2, 2)
>>> [sorted(b) for b in MatchPlan(parse("L*X*R")).matches(A*X)]
[['L', 'R', 'X', '__empty__'], ['L', 'R', 'X', '__empty__']]
>>> next(iter(MatchPlan(parse("L*X*R")).matches(A*X)))["X"]
A
"""

from __future__ import annotations

from itertools import islice

import sympy
from sympy import (
    HadamardPower,
    HadamardProduct,
    Identity,
    KroneckerProduct,
    MatAdd,
    MatMul,
    MatPow,
    OneMatrix,
    Transpose,
)

from ..expressions import (
    BINARY,
    ELEMENTWISE,
    AbstractFunction,
    AbstractGradient,
    CommutationMatrix,
    Elementwise,
    ElementwiseBinary,
    Inner,
    MatDiff,
    ScalarDiff,
    identity,
    is_matrix,
    shape_of,
    sized,
)
from ..expressions.construct import coefficient_of
from ..expressions.memo import IdentityMemo
from ..expressions.tidy import run_of_scalar_sum
from ..syntax import tree
from ..syntax.grammar import FUNCTIONS, RULE_FUNCTIONS
from .conditions import BindingChecks
from .matcher import (
    CONTEXT_VARIABLES,
    REST_VARIABLE,
    _binds,
    _call_args,
    _call_classes,
    _is_scalar_function,
    _leading_coefficient,
    _number,
    _operands,
    _run_value,
    mat_mul,
    product_factors,
    variables_of,
)
from .terms import EMPTY, TermIndex, fresh_matches, joined, rest_of_sum


class MatchPlan:
    """The plan of one pattern: ``matches(expr)`` is ``matcher.match(pattern, expr)``."""

    def __init__(self, pattern, conditions=(), counter=None):
        self.pattern = pattern
        self.conditions = tuple(conditions)
        _, self._many = _compiled(pattern, BindingChecks(self.conditions, counter))

    def matches(self, expr, context=None):
        """The bindings under which the pattern matches ``expr``, in the matcher's order
        (with conditions: those of them under which the conditions may hold)."""
        return self._many(expr, {}, context)


# Each node compiles to (one, many): ``many(expr, bindings, context)`` an iterable of
# bindings; ``one(expr, bindings, context)`` the only bindings or None, where the node
# matches in one way at most (else ``one`` is None).

def _compiled(node, checks):
    one, many = _COMPILERS[type(node)](node, checks)
    if checks.counter is None:
        return one, many
    return _counted(one, checks.counter), _counted(many, checks.counter)


def _counted(match, counter):
    """``match``, counting its calls in ``counter[0]`` (a node matched, as each call of
    ``matcher.match``: tests/test_growth.py counts the work of a derivation)."""
    if match is None:
        return None

    def counted(expr, bindings, context):
        counter[0] += 1
        return match(expr, bindings, context)
    return counted


def _single(one):
    def many(expr, bindings, context):
        found = one(expr, bindings, context)
        return () if found is None else (found,)
    return one, many


def _never(expr, bindings, context):
    return None


def _binder(name, tests=()):
    """``matcher._bind``: the bindings with ``name`` bound to the value, if it may be
    (and the value passes ``tests``, the conditions of ``name``)."""
    if not tests:
        def bind(value, bindings, context):
            if name in bindings:
                return bindings if bindings[name] == value else None
            return {**bindings, name: value}
        return bind

    def bind_checked(value, bindings, context):
        if name in bindings:
            return bindings if bindings[name] == value else None
        for test in tests:
            if not test(value, context=context):
                return None
        return {**bindings, name: value}
    return bind_checked


def _compiled_name(node, checks):
    return _single(_binder(node.id, checks.by_name.get(node.id, ())))


def _compiled_num(node, checks):
    value = _number(node.value)
    one_matrix = value == 1

    def match_num(expr, bindings, context):
        if not is_matrix(expr) and expr == value:
            return bindings
        if isinstance(expr, OneMatrix) and one_matrix:  # (a number in a matrix sum)
            return bindings
        if isinstance(expr, MatMul) and expr.as_coeff_matrices()[0] == value and \
                [type(m) for m in expr.as_coeff_matrices()[1]] == [OneMatrix]:
            return bindings
        return None
    return _single(match_num)


def _node_of(values_of, children, exact=True):
    """The node that matches its ``children`` against the values ``values_of(expr)``
    (None where the node does not match ``expr`` at all), the i-th child the i-th value,
    in turn (``matcher._match_all``; ``exact``: only as many values as children)."""
    count = len(children)
    ones = tuple(one for one, _ in children)
    if None not in ones and count <= 2:
        first, second = (ones + (None,))[:2]

        def match_one(expr, bindings, context):
            values = values_of(expr)
            if values is None or exact and len(values) != count:
                return None
            if first is None:
                return bindings
            bindings = first(values[0], bindings, context)
            return bindings if second is None or bindings is None else \
                second(values[1], bindings, context)
        return _single(match_one)
    if None not in ones[:-1]:  # (one way each but the last: no generator of its own)
        heads, last = ones[:-1], children[-1][1]

        def match_last_many(expr, bindings, context):
            values = values_of(expr)
            if values is None or exact and len(values) != count:
                return ()
            for match_one, value in zip(heads, values, strict=False):
                bindings = match_one(value, bindings, context)
                if bindings is None:
                    return ()
            return last(values[count - 1], bindings, context)
        return None, match_last_many
    manys = tuple(many for _, many in children)

    def match_many(expr, bindings, context):
        values = values_of(expr)
        if values is None or exact and len(values) != count:
            return ()
        return _each(manys, values, 0, bindings, context)
    return None, match_many


def _each(manys, values, i, bindings, context):
    if i == len(manys):
        yield bindings
        return
    for found in manys[i](values[i], bindings, context):
        yield from _each(manys, values, i + 1, found, context)


def _compiled_postfix(node, checks):
    return _node_of(lambda expr: (expr.arg,) if isinstance(expr, Transpose) else None,
                    [_compiled(node.operand, checks)], exact=False)


def _compiled_unary(node, checks):
    operand = _compiled(node.operand, checks)
    if node.op == "+":
        return operand

    def negated(expr):
        value = mat_mul(-1, expr) if is_matrix(expr) else -expr
        if _leading_coefficient(expr) < 0:
            return (value,)
        # (as_coeff_matrices()[0]: the product of the scalar factors, without SymPy's
        # Mul, built anew after each clear_cache)
        coeff = coefficient_of([a for a in value._args if not is_matrix(a)]) \
            if isinstance(value, MatMul) else \
            sympy.S.One if is_matrix(value) else value.as_coeff_Mul()[0]
        return (value,) if coeff is sympy.S.One or (coeff.is_Number and coeff == 1) else None
    return _node_of(negated, [operand], exact=False)


def _compiled_binary(node, checks):
    op = node.op
    if op in ("*", "@"):
        return None, _compiled_product(_operands(node, ("*", "@")), checks)
    if op == "+":
        return None, _compiled_sum(_operands(node, ("+",)), checks)
    if op == ".*":
        return None, _compiled_hadamard(_operands(node, (".*",)), checks)
    children = [_compiled(node.left, checks), _compiled(node.right, checks)]
    if op == "^":
        return _node_of(lambda expr: expr.args if isinstance(expr, MatPow) or (
            isinstance(expr, sympy.Pow) and not is_matrix(expr)) else None, children,
            exact=False)
    if op == ".^":
        return _node_of(lambda expr: (expr.base, expr.exp)
                        if isinstance(expr, HadamardPower) else None, children, exact=False)
    return _single(_never)


# -- calls ------------------------------------------------------------------

def _compiled_call(node, checks):
    """The cases of ``matcher._match_call``, decided once per node."""
    name, children = node.name, [_compiled(arg, checks) for arg in node.args]
    if node.prime:
        return _node_of(lambda expr: (expr.function, expr.arg)
                        if isinstance(expr, AbstractGradient) else None,
                        [_single(_binder("fn:" + name)), children[0]])
    classes = _call_classes(node)
    if classes:
        if name == "inv":  # (an inverse is a power of -1; no other power matches)
            return _inverse(children, classes)
        return _node_of(lambda expr: _call_args(expr) if isinstance(expr, classes) else None,
                        children)
    if name in BINARY:
        function = BINARY[name]
        return _node_of(lambda expr: (expr.left, expr.right)
                        if isinstance(expr, ElementwiseBinary) and expr.function == name
                        else expr.args if not is_matrix(expr) and expr.func is function
                        else None, children)
    if name in ("I", "K", "ones"):
        cls = {"I": Identity, "K": CommutationMatrix, "ones": OneMatrix}[name]
        sizes = (lambda expr: (expr.rows,)) if name == "I" else \
            (lambda expr: expr.args) if name == "K" else shape_of
        return _node_of(lambda expr: tuple(sizes(expr)) if isinstance(expr, cls) else None,
                        children)
    if name == "d":
        return _node_of(lambda expr: (expr.arg,) if isinstance(expr, (MatDiff, ScalarDiff))
                        else None, children[:1], exact=False)
    if name == "logdet":
        return _node_of(lambda expr: (expr.args[0].arg,) if isinstance(expr, sympy.log) and
                        isinstance(expr.args[0], sympy.Determinant) else None,
                        children[:1], exact=False)
    if name in ("inner", "dot"):
        return _node_of(lambda expr: expr.args if isinstance(expr, Inner) else None,
                        children[:2], exact=False)
    if name == "kron":
        return None, _compiled_kron(children)
    if name in ELEMENTWISE:
        return _node_of(lambda expr: (expr.arg,) if isinstance(expr, Elementwise) and
                        expr.function == name else expr.args
                        if not is_matrix(expr) and _is_scalar_function(expr, name) else None,
                        children[:1], exact=False)
    if name not in FUNCTIONS and name not in RULE_FUNCTIONS:
        return _node_of(lambda expr: (expr.function, expr.arg)
                        if isinstance(expr, AbstractFunction) else None,
                        [_single(_binder("fn:" + name)), children[0]])
    return _single(_never)


def _inverse(children, classes):
    """inv(A): the base of a power of -1, or the argument of another of ``classes``."""
    base_one, base_many = _node_of(lambda expr: (expr.base,), children[:1], exact=False)
    call_one, call_many = _node_of(_call_args, children)
    if base_one is not None and call_one is not None:
        def match_inverse(expr, bindings, context):
            if isinstance(expr, MatPow):
                return base_one(expr, bindings, context) if expr.exp == -1 else None
            return call_one(expr, bindings, context) if isinstance(expr, classes) else None
        return _single(match_inverse)

    def match_inverses(expr, bindings, context):
        if isinstance(expr, MatPow):
            return base_many(expr, bindings, context) if expr.exp == -1 else ()
        return call_many(expr, bindings, context) if isinstance(expr, classes) else ()
    return None, match_inverses


def _compiled_kron(children):
    """``matcher._match_kron``: one factor per pattern; the last takes the rest."""
    last = children[-1][1]
    heads = [many for _, many in children[:-1]]

    def many(expr, bindings, context):
        if not isinstance(expr, KroneckerProduct):
            return ()
        args = expr.args
        if not heads:
            return last(args[0] if len(args) == 1 else KroneckerProduct(*args), bindings,
                        context)
        if len(args) < len(children):
            return ()
        return _kron_from(0, args, bindings, context)

    def _kron_from(i, args, bindings, context):
        if i == len(heads):
            rest = args[i:]
            yield from last(rest[0] if len(rest) == 1 else KroneckerProduct(*rest), bindings,
                            context)
            return
        for found in heads[i](args[i], bindings, context):
            yield from _kron_from(i + 1, args, found, context)
    return many


# -- products ---------------------------------------------------------------

_PRODUCTS = IdentityMemo("matderiv.engine.match_plans.products")
_IDENTITIES = IdentityMemo("matderiv.engine.match_plans.identities")


def _product_parts(expr) -> tuple:
    """(``product_factors(expr)``, whether it is a scalar product), remembered per
    expression (the product rules of a phase try the same products)."""
    found = _PRODUCTS.lookup(expr)
    if found is None:
        scalar = isinstance(expr, sympy.Mul) and not is_matrix(expr)
        found = _PRODUCTS.remember(expr, (tuple(product_factors(expr)), scalar))
    return found


def _identity(size):
    """``identity(size)``, remembered by size (an empty run is asked for at every try)."""
    found = _IDENTITIES.lookup(size)
    if found is None:
        found = _IDENTITIES.remember(size, identity(size))
    return found


def _compiled_product(operands, checks):
    """``matcher._match_product``: a sequence over a matrix product's factors, the
    commutative match over a scalar product's."""
    sequence = _compiled_sequence(operands, checks)
    commutative = _compiled_terms(operands, checks)

    def many(expr, bindings, context):
        factors, scalar = _product_parts(expr)
        if scalar:
            return commutative(factors, (), bindings, _scalar_product, sympy.S.Zero, {}, None)
        return sequence(factors, 0, expr, bindings, context)
    return many


def _scalar_product(args):
    return sympy.Mul(*args)


def _takes(pattern, last) -> tuple:
    """(fewest, most or None) factors a product's operand takes (``last``: the last)."""
    if isinstance(pattern, tree.Name) and pattern.id in CONTEXT_VARIABLES:
        return 0, None
    if isinstance(pattern, tree.Name) and last:
        return 1, None
    return 1, 1


def _compiled_sequence(patterns, checks):
    """``step(factors, start, product, bindings, context)``: ``matcher._match_sequence``
    over ``patterns`` (``factors`` those of ``product``, whose shape is asked only for an
    empty run), each position compiled, from the last one back."""
    def end(factors, start, product, bindings, context):
        return (bindings,) if start == len(factors) else ()
    step, fewest, most = end, 0, 0
    for i in range(len(patterns) - 1, -1, -1):
        first, rest = patterns[i], patterns[i + 1:]
        if isinstance(first, tree.Name) and first.id in CONTEXT_VARIABLES and not rest:
            step = _last_context_step(first.id, checks)
        elif isinstance(first, tree.Name) and first.id in CONTEXT_VARIABLES:
            step = _context_step(first.id, any(_binds(p, first.id) for p in rest), step,
                                 (fewest, most), checks)
        elif isinstance(first, tree.Name) and not rest:
            step = _last_name_step(_binder(first.id, checks.by_name.get(first.id, ())))
        else:
            step = _operand_step(_compiled(first, checks), step, fewest, most)
        low, high = _takes(first, not rest)
        fewest, most = fewest + low, None if most is None or high is None else most + high
    return step


def _operand_step(node, following, fewest, most):
    """One factor for an operand, then the rest (which takes ``fewest``..``most``)."""
    one, many = node

    if one is not None:
        def step(factors, start, product, bindings, context):
            left = len(factors) - start - 1
            if left < fewest or (most is not None and left > most):
                return ()
            found = one(factors[start], bindings, context)
            return () if found is None else following(factors, start + 1, product, found,
                                                      context)
        return step

    def step_many(factors, start, product, bindings, context):
        left = len(factors) - start - 1
        if left < fewest or (most is not None and left > most):
            return
        for found in many(factors[start], bindings, context):
            yield from following(factors, start + 1, product, found, context)
    return step_many


def _last_name_step(bind):
    def step(factors, start, product, bindings, context):
        if start == len(factors):
            return ()
        found = bind(_run_value(factors[start:]), bindings, context)
        return () if found is None else (found,)
    return step


def _context_step(name, bound_later, following, takes, checks):
    """A context variable's runs, shortest first, as ``matcher._match_sequence`` tries
    them: the bindings come out as if it had been bound first, though a run is built
    only once the rest matches (unless the rest must compare it). Only the runs that
    leave the rest (which ``takes`` (fewest, most) factors) what it can take are tried,
    and with conditions (``BindingChecks``), only those whose factors may hold them."""
    fewest, most = takes
    factor_test, nonempty = checks.run_test(name), checks.others_nonempty(name)
    alone = frozenset((name,))

    def step(factors, start, product, bindings, context):
        remaining = len(factors) - start
        later = bound_later or name in bindings
        checked = start  # (the factors before it pass factor_test)
        for k in range(0 if most is None else max(0, remaining - most), remaining - fewest + 1):
            if factor_test is not None:
                while checked < start + k and factor_test(factors[checked], context=context):
                    checked += 1
                if checked < start + k:
                    return  # (a longer run holds the same factor)
            if k == 0:
                empty = bindings.get(EMPTY, alone)  # (the context variables left empty)
                if nonempty and any(others <= empty for others in nonempty):
                    continue
                b = {**bindings, EMPTY: empty | alone}
                if not later:
                    for found in following(factors, start, product, b, context):
                        yield _inserted(found, len(b), name, _empty_run(product, start))
                    continue
                value = _empty_run(product, start)
            elif not later:
                for found in following(factors, start + k, product, bindings, context):
                    yield _inserted(found, len(bindings), name,
                                    _run_value(factors[start:start + k]))
                continue
            else:
                value, b = _run_value(factors[start:start + k]), bindings
            if name in b:
                if b[name] == value:
                    yield from following(factors, start + k, product, b, context)
            else:
                yield from following(factors, start + k, product, {**b, name: value}, context)
    return step


def _empty_run(product, start):
    """An empty run of factors at ``start``: the identity of the size there (1 in a
    scalar)."""
    if not is_matrix(product):
        return sympy.Integer(1)
    return _identity(shape_of(product)[0 if start == 0 else 1])


def _inserted(found, count, name, value):
    """``found`` (bindings made from ``count`` earlier ones, which a match keeps first
    and in order) with ``name`` bound to ``value`` right after those: as if bound
    before the rest of the pattern matched, though built only for a match."""
    items = iter(found.items())
    ordered = dict(islice(items, count))
    ordered[name] = value
    ordered.update(items)
    return ordered


def _last_context_step(name, checks):
    """A context variable that ends a product takes the factors left, in one way:
    ``_context_step`` with nothing after it, with no generator of its own."""
    factor_test, nonempty = checks.run_test(name), checks.others_nonempty(name)
    alone = frozenset((name,))

    def step(factors, start, product, bindings, context):
        if factor_test is not None:
            for factor in factors[start:]:
                if not factor_test(factor, context=context):
                    return ()
        if start == len(factors):
            empty = bindings.get(EMPTY, alone)
            if nonempty and any(others <= empty for others in nonempty):
                return ()
            bindings, value = {**bindings, EMPTY: empty | alone}, _empty_run(product, start)
        else:
            value = _run_value(factors[start:])
        if name in bindings:
            return (bindings,) if bindings[name] == value else ()
        return ({**bindings, name: value},)
    return step


# -- commutative operations ---------------------------------------------------
#
# Compiled without conditions: a term is matched alone once, and remembered for every
# rule and context (``terms.fresh_matches``).

def _compiled_terms(patterns, checks):
    """``terms(args, taken, bindings, combine, empty, indexes, whole)``:
    ``matcher._match_terms`` over ``patterns``."""
    if not patterns:
        def end(args, taken, bindings, combine, empty, indexes, whole):
            return (bindings,) if len(taken) == len(args) else ()
        return end
    first, rest = patterns[0], patterns[1:]
    _, many = _compiled(first, checks.unconditional())
    if not rest:
        return _last_term(first, many)
    following = _compiled_terms(rest, checks)
    names = tuple(sorted(variables_of(first)))
    pattern_id = id(first)

    def match_alone(pattern, expr):  # (``fresh_matches`` asks match(pattern, expr))
        return many(expr, {}, None)

    def terms(args, taken, bindings, combine, empty, indexes, whole):
        key = next((name for name in names
                    if isinstance(bindings.get(name), sympy.MatrixExpr)), None)
        if key is None:
            candidates = ((i, found) for i, arg in enumerate(args) if i not in taken
                          for found in fresh_matches(match_alone, first, arg))
        else:
            index = indexes.get((pattern_id, key))
            if index is None:
                index = indexes[(pattern_id, key)] = TermIndex(match_alone, first, args, key)
            candidates = ((i, found) for i, found in index.get(bindings[key]) if i not in taken)
        for i, found in candidates:
            found = joined(bindings, found)
            if found is not None:
                yield from following(args, (*taken, i), found, combine, empty, indexes, whole)
    return terms


def _last_term(pattern, many):
    """The last pattern of a commutative operation takes the rest (``_match_terms``)."""
    no_sum = _no_sum_test(pattern)
    is_rest = isinstance(pattern, tree.Name) and pattern.id == REST_VARIABLE
    bind_rest = _binder(REST_VARIABLE)

    def last(args, taken, bindings, combine, empty, indexes, whole):
        if not taken and whole is not None:  # all of them: the whole expression
            return many(whole, bindings, None)
        if len(args) - len(taken) > 1 and no_sum(bindings):
            return ()  # (without building the sum of the rest)
        left = [arg for i, arg in enumerate(args) if i not in taken]
        if is_rest and not left:
            found = bind_rest(empty, bindings, None)
            return () if found is None else (found,)
        if left:
            return many(combine(left) if len(left) > 1 else left[0], bindings, None)
        return ()
    return last


def _no_sum_test(pattern):
    """``matcher._takes_no_sum``, its pattern's part decided once."""
    if not (isinstance(pattern, tree.Binary) and pattern.op in ("*", "@")):
        return lambda bindings: False
    others = [p for p in _operands(pattern, ("*", "@"))
              if not (isinstance(p, tree.Name) and p.id in CONTEXT_VARIABLES)]
    if len(others) != 1:
        answer = len(others) > 1
        return lambda bindings: answer
    other = others[0]
    if not isinstance(other, tree.Name):
        return lambda bindings: False
    name = other.id
    return lambda bindings: name in bindings and \
        not isinstance(bindings[name], (MatAdd, sympy.Add))


def _compiled_sum(patterns, checks):
    """``matcher._match_sum``: a sum's terms; the rest ``S`` of a matrix sum may be
    the zero matrix."""
    all_terms = _compiled_terms(patterns, checks)
    rest_last = isinstance(patterns[-1], tree.Name) and patterns[-1].id == REST_VARIABLE
    but_rest = _compiled_terms(patterns[:-1], checks) if rest_last else None
    bind_rest = _binder(REST_VARIABLE)

    def many(expr, bindings, context):
        if isinstance(expr, MatAdd):
            combine = rest_of_sum(expr)
        elif isinstance(expr, sympy.Add):
            def combine(ts):
                return run_of_scalar_sum(expr, ts)
        else:
            return ()
        if rest_last and is_matrix(expr):
            return _with_empty_rest(expr, combine, bindings)
        return all_terms(expr.args, (), bindings, combine, sympy.S.Zero, {}, expr)

    def _with_empty_rest(expr, combine, bindings):
        rest_zero = sized(sympy.ZeroMatrix, *shape_of(expr))
        for b in but_rest(expr.args, (), bindings, combine, sympy.S.Zero, {}, expr):
            found = bind_rest(rest_zero, b, None)
            if found is not None:
                yield found
        yield from all_terms(expr.args, (), bindings, combine, sympy.S.Zero, {}, expr)
    return many


def _compiled_hadamard(patterns, checks):
    terms = _compiled_terms(patterns, checks)
    rest_last = isinstance(patterns[-1], tree.Name) and patterns[-1].id == REST_VARIABLE

    def many(expr, bindings, context):
        if not isinstance(expr, HadamardProduct):
            return ()
        # (the identity of the operation, for an empty rest: built only if it can be)
        empty = sized(OneMatrix, *shape_of(expr)) if rest_last else None
        return terms(expr.args, (), bindings, _hadamard, empty, {}, None)
    return many


def _hadamard(args):
    return HadamardProduct(*args) if len(args) > 1 else args[0]


_COMPILERS = {tree.Name: _compiled_name, tree.Num: _compiled_num,
              tree.Postfix: _compiled_postfix, tree.Unary: _compiled_unary,
              tree.Binary: _compiled_binary, tree.Call: _compiled_call}

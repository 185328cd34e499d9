"""A rule's result, compiled once into a plan that builds it from the rule's bindings.

``Builder(env, rule_mode=True).build(tree)`` interprets the result's syntax tree on every
application: it looks up a method by the class of each node, checks the arity of each
call, converts each number written in the rule, and asks each node for oversized
numbers. A ``RulePlan`` makes those decisions once per rule, when it is compiled, and
keeps, for each node, a small function that does what the Builder does there, in the same
order, with the same methods: the result is the same expression, and a result that does
not build (shapes) raises the same MatDerivError, which makes ``Rule.apply`` skip those
bindings. Where the Builder's case is plain (a product or sum of two matrices that fit,
an inner product of one shape, a transpose or differential) the plan builds the node
directly (``expressions/joined.py``), and asks for oversized numbers only where there can
be one. A node it has no shortcut for (an abstract function, a call written wrongly) is
built by ``Builder.build`` itself. tests/test_rule_plans.py compares the two on every
rule application of the rules' examples.

>>> from sympy import MatrixSymbol, symbols
>>> from matderiv.syntax.parser import parse
>>> n = symbols("n", integer=True, positive=True)
>>> X = MatrixSymbol("X", n, n)
>>> plan = RulePlan(parse("-inv(X)*d(X)*inv(X)"), "-inv(X)*d(X)*inv(X)")
>>> plan.build({"X": X}, {})
-X**(-1)*dX*X**(-1)
"""

from __future__ import annotations

import sympy
from sympy import Basic
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..errors import MatDerivError
from ..expressions import Inner, MatDiff, ScalarDiff, Vec, Vecr, is_matrix, shape_of
from ..expressions.construct import transposed, without_identity
from ..expressions.joined import joined_product, joined_sum
from ..expressions.memo import interned
from . import tree
from .builder import Builder, has_long_number
from .grammar import FUNCTIONS, RULE_FUNCTIONS
from .index_sums import build_index_sum


def _checked(builder, value, node):
    """``value``, after ``builder.check_numbers(value, node)`` where it may refuse it."""
    if has_long_number(value):
        builder.check_numbers(value, node)
    return value


class RulePlan:
    """The plan of one rule result: ``build(env, functions)`` is
    ``Builder(env, source=source, rule_mode=True, functions=functions).build(node)``."""

    def __init__(self, node, source: str):
        self.source = source
        self._root = _compiled(node)
        # sum_for binds its index in the Builder's names while it builds its body
        self._binds_names = _holds_call(node, "sum_for")

    def build(self, env, functions):
        """The result over ``env`` (names -> values, left as they are) and ``functions``
        (the abstract function names the pattern bound -> the user's)."""
        return self._root(Builder(dict(env) if self._binds_names else env, source=self.source,
                                  rule_mode=True, functions=functions))


def _holds_call(node, name: str) -> bool:
    if isinstance(node, tree.Call) and node.name == name:
        return True
    return any(_holds_call(child, name) for child in (
        *getattr(node, "args", ()), *(getattr(node, part, None) for part in
                                      ("operand", "left", "right")))
        if child is not None)


def _interpreted(node):
    """The plan of a node built as the Builder builds it (no shortcut)."""
    return lambda builder: builder.build(node)


def _compiled(node):
    compile_node = _COMPILERS.get(type(node))
    return _interpreted(node) if compile_node is None else compile_node(node)


def _compiled_num(node):
    value = Builder.build_num(None, node)
    try:
        Builder({}, rule_mode=True).check_numbers(value, node)
    except MatDerivError:
        return _interpreted(node)  # (raises each time, as the Builder does)
    return lambda builder: value


def _compiled_name(node):
    name = node.id

    def build_name(builder):
        env = builder.env
        if name not in env:
            return builder.build(node)  # (raises: an unbound name)
        return _checked(builder, env[name], node)
    return build_name


def _compiled_unary(node):
    operand = _compiled(node.operand)
    if node.op == "+":
        return lambda builder: _checked(builder, operand(builder), node)
    return lambda builder: _checked(builder, builder.negate(operand(builder)), node)


def _compiled_postfix(node):
    operand = _compiled(node.operand)

    def build_postfix(builder):
        # (a transpose holds no number; a scalar is its operand, already checked)
        value = operand(builder)
        return transposed(value) if is_matrix(value) else value
    return build_postfix


def _constructor(cls):
    """``cls``, or where its constructor is ``MatrixExpr.__new__``, which only converts
    its arguments to SymPy, the same without that (a value built here is SymPy)."""
    if cls.__new__ is not MatrixExpr.__new__:
        return cls
    return lambda value: Basic.__new__(cls, value) if isinstance(value, Basic) else cls(value)


def _compiled_product(node, left, right):
    def build_product(builder):
        a, b = left(builder), right(builder)
        if getattr(a, "is_Matrix", False) and getattr(b, "is_Matrix", False):
            rows, inner = shape_of(a)
            inner_b, cols = shape_of(b)
            if inner == inner_b:  # (Builder.multiply's first case)
                kept = without_identity(a, b)
                return _checked(builder, joined_product(a, b, (rows, cols))
                                if kept is None else kept, node)
        return _checked(builder, builder.multiply(a, b, node), node)
    return build_product


def _compiled_binary(node):
    left, right, op = _compiled(node.left), _compiled(node.right), node.op
    if op in ("*", "@"):
        return _compiled_product(node, left, right)
    if op in ("+", "-"):
        return _compiled_sum(node, left, right)
    if op == "./":
        def build_quotient(builder):
            a, b = left(builder), right(builder)
            return _checked(builder, builder.hadamard(
                a, builder.hadamard_power(b, sympy.Integer(-1), node), node), node)
        return build_quotient
    method = _BINARY_METHODS.get(op)
    if method is None:
        return _interpreted(node)  # (raises: an unknown operator)

    def build_binary(builder):
        a = left(builder)
        return _checked(builder, method(builder, a, right(builder), node), node)
    return build_binary


_BINARY_METHODS = {"/": Builder.divide, ".*": Builder.hadamard, "^": Builder.power,
                   ".^": Builder.hadamard_power}


def _compiled_sum(node, left, right):
    # In a rule, only a number written in the rule is spread over a matrix.
    spread = isinstance(node.left, tree.Num) or isinstance(node.right, tree.Num)
    negated = node.op == "-"

    def build_sum(builder):
        a, b = left(builder), right(builder)
        if getattr(a, "is_Matrix", False) and getattr(b, "is_Matrix", False):
            if negated:
                b = builder.negate(b)
            if shape_of(a) == shape_of(b):
                return _checked(builder, joined_sum(a, b), node)  # (Builder.add's case)
            return _checked(builder, builder.add(a, b, node), node)
        if not spread and is_matrix(a) != is_matrix(b):
            builder.error("a rule result adds a scalar to a matrix", node)
        return _checked(builder, builder.add(a, builder.negate(b) if negated else b, node),
                        node)
    return build_sum


def _compiled_call(node):
    name = node.name
    if node.prime or name not in FUNCTIONS and name not in RULE_FUNCTIONS:
        return _interpreted(node)  # an abstract function or its gradient
    arity = FUNCTIONS.get(name, RULE_FUNCTIONS.get(name))
    if isinstance(arity, int) and len(node.args) != arity or \
            isinstance(arity, tuple) and len(node.args) not in arity:
        return _interpreted(node)  # (raises: the number of arguments)
    if name == "sum_for":
        return _compiled_index_sum(node)
    method = getattr(Builder, "call_" + name, None)
    if method is None:
        return _interpreted(node)
    args = tuple(_compiled(arg) for arg in node.args)
    if name in _NO_NUMBER:
        matrix, scalar = (_constructor(cls) for cls in _NO_NUMBER[name])
        (arg,) = args

        def build_wrapper(builder):
            if name in builder.functions:  # (an abstract function variable of that name)
                return builder.build(node)
            value = arg(builder)
            # (the one stored copy: d(X) and vec(d(X)) are built again by many rules, and
            # a new copy under a product makes tidy rebuild the product)
            return interned(matrix(value) if is_matrix(value) else scalar(value))
        return build_wrapper
    if name in ("inner", "dot"):
        return _compiled_inner(node, method, *args)
    if len(args) == 1:
        (arg,) = args

        def build_call1(builder):
            if name in builder.functions:
                return builder.build(node)
            return _checked(builder, method(builder, node, arg(builder)), node)
        return build_call1

    def build_call(builder):
        if name in builder.functions:
            return builder.build(node)
        return _checked(builder, method(builder, node, *[a(builder) for a in args]), node)
    return build_call


def _compiled_index_sum(node):
    """sum_for(j, a, b, T) (``build_index_sum``), its bounds and body built by plans."""
    plans = {id(part): (part, _compiled(part)) for part in node.args[1:]}

    def build_index_sum_for(builder):
        if "sum_for" in builder.functions:
            return builder.build(node)

        def build(part):
            found = plans.get(id(part))
            return found[1](builder) if found is not None and found[0] is part \
                else builder.build(part)
        return _checked(builder, build_index_sum(builder, node, build), node)
    return build_index_sum_for


def _compiled_inner(node, method, left, right):
    name = node.name

    def build_inner(builder):
        if name in builder.functions:
            return builder.build(node)
        a, b = left(builder), right(builder)
        if getattr(a, "is_Matrix", False) and getattr(b, "is_Matrix", False) and \
                shape_of(a) == shape_of(b):
            return Inner(a, b)  # (CallBuilding.call_inner's case; it holds no number)
        return _checked(builder, method(builder, node, a, b), node)
    return build_inner


def _itself(value):
    return value


#: Calls whose result holds no number to check (``call_d``, ``call_vec``, ``call_vecr``):
#: (class for a matrix argument, for a scalar one).
_NO_NUMBER = {"d": (MatDiff, ScalarDiff), "vec": (Vec, _itself), "vecr": (Vecr, _itself)}

_COMPILERS = {tree.Num: _compiled_num, tree.Name: _compiled_name, tree.Unary: _compiled_unary,
              tree.Postfix: _compiled_postfix, tree.Binary: _compiled_binary,
              tree.Call: _compiled_call}

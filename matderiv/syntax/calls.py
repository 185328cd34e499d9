"""Building a call: ``tr(A)``, ``kron(A, B)``, ``tanh(X)``, ``sum(A, 2)``, ``f(Y)``, ...

A part of the ``Builder``, by concern: its methods for the grammar's functions. An axis
is MATLAB's: 1 goes down each column, 2 along each row. Where an operation is written
with others (``sum(A, 2)`` is A 𝟏, ``mean`` a scaled sum, ``square(A)`` is A.^2) it is
built so, and the existing rules differentiate it.
"""

from __future__ import annotations

import sympy
from sympy import (
    Basic,
    Determinant,
    Inverse,
    OneMatrix,
    Trace,
    ZeroMatrix,
)

from ..expressions import (
    ALIASES,
    ELEMENTWISE,
    AbstractFunction,
    AbstractGradient,
    CommutationMatrix,
    Elementwise,
    Inner,
    MatDiff,
    ScalarDiff,
    ScalarOf,
    Vec,
    Vecr,
    identity,
    is_matrix,
    is_size,
    shape_of,
)
from ..expressions.construct import coefficient_of, kronecker
from . import tree
from .grammar import (
    FUNCTIONS,
    NOT_SUPPORTED,
    RULE_FUNCTIONS,
    as_scalar,
    describe_shape,
    is_abstract_name,
    is_one_by_one,
    nearest_functions,
    scalar_as_matrix,
)
from .index_sums import build_index_sum
from .limits import MAX_SIZE


class CallBuilding:
    """The Builder's methods for function calls: ``call_<name>`` for each function.

    Mixed into ``Builder``, which provides the attributes below and ``build(node)``,
    ``error(message, node)``, ``multiply(left, right, node)`` and ``negate(value)``.
    """

    env: dict          # names -> SymPy objects
    functions: dict    # abstract function names a rule binds -> the user's names
    abstract: frozenset  # abstract function names the user declared (phi)
    rule_mode: bool    # building a rule's result (not a user's formula)

    def build_call(self, node):
        name = node.name
        if not self.rule_mode and name in self.env:
            self.declared_name_called(node)
        if node.prime:
            return self.abstract_gradient(node)
        known = name in FUNCTIONS or (self.rule_mode and name in RULE_FUNCTIONS)
        if not known or name in self.functions:
            return self.abstract_function(node)
        arity = FUNCTIONS.get(name, RULE_FUNCTIONS.get(name))
        if isinstance(arity, int) and len(node.args) != arity or \
                isinstance(arity, tuple) and len(node.args) not in arity:
            counts = " or ".join(map(str, arity)) if isinstance(arity, tuple) else str(arity)
            self.error(f"{name} takes {counts} argument{'s' * (counts != '1')}, "
                       f"not {len(node.args)}", node)
        if name == "sum_for":  # (its body is built once per value of its index)
            return build_index_sum(self, node)
        args = [self.build(arg) for arg in node.args]
        return getattr(self, "call_" + name)(node, *args)

    def declared_name_called(self, node):
        """``K(m, n)`` where the user declared a matrix K: a declared name is a variable,
        and a variable is not called (products are written with ``*``)."""
        name = node.name
        value = self.env[name]
        what = f"a {describe_shape(value)} matrix" if is_matrix(value) else \
            "a size" if is_size(value) else "a scalar"
        grammar = (f"; the grammar's function {name}(...) is not available while a "
                   f"variable has its name: rename the variable") if name in FUNCTIONS else ""
        self.error(f"{name!r} is declared as {what}, so {name}(...) cannot be read: write "
                   f"{name}*(...) for a product{grammar}", node)

    def square(self, name, value, node):
        value = scalar_as_matrix(value)
        if not is_matrix(value):
            return value
        if shape_of(value)[0] != shape_of(value)[1]:
            self.error(f"{name} needs a square matrix, but its argument is "
                       f"{describe_shape(value)}", node)
        return value

    # Trace(M), Determinant(M) and Inverse(M) of a matrix ``square`` has found square:
    # SymPy's constructors check that again, through M's shape (a product's from its
    # factors), and then make the node as here.
    def call_tr(self, node, value):
        value = self.square("tr", value, node)
        return Basic.__new__(Trace, value) if is_matrix(value) else value

    def call_det(self, node, value):
        value = self.square("det", value, node)
        return Basic.__new__(Determinant, value) if is_matrix(value) else value

    def call_logdet(self, node, value):
        value = self.nonzero(self.square("logdet", value, node), "the matrix of logdet", node)
        return sympy.log(Basic.__new__(Determinant, value) if is_matrix(value) else value)

    def call_inv(self, node, value):
        value = self.nonzero(self.square("inv", value, node), "the inverted matrix", node)
        if not is_matrix(value):
            return sympy.Pow(value, -1)
        return Basic.__new__(Inverse, value, sympy.S.NegativeOne)

    def call_kron(self, node, *values):
        if len(values) < 2:
            self.error("kron takes two or more arguments", node)
        values = [scalar_as_matrix(v) for v in values]
        # A 1 x 1 matrix read as a scalar (a' x, softmax(a) of a 1 x 1 a) is one:
        # s ⊗ B = s B. Numbers and scalar names are no matrices: kron(W, 2) is refused.
        if any(not is_matrix(v) and not self._names_a_matrix(arg)
               for v, arg in zip(values, node.args, strict=True)):
            self.error("kron takes matrices (use * to scale by a scalar)", node)
        matrices = [v for v in values if is_matrix(v)]
        scale = coefficient_of([v for v in values if not is_matrix(v)])
        if not matrices:
            return scale
        product = kronecker(*matrices) if len(matrices) > 1 else matrices[0]
        return product if scale is sympy.S.One or scale == 1 else \
            self.multiply(scale, product, node)

    def _names_a_matrix(self, node) -> bool:
        """Whether the text ``node`` names a matrix anywhere (``a'*x``, ``sum(A)``)."""
        if isinstance(node, tree.Name):
            return node.id in self.env and is_matrix(self.env[node.id])
        if isinstance(node, tree.Call) and node.name in ("I", "ones", "K", "Delta"):
            return True
        return any(self._names_a_matrix(child) for child in
                   (*getattr(node, "args", ()), *(getattr(node, part, None) for part in
                                                  ("operand", "left", "right")))
                   if child is not None)

    def call_dot(self, node, left, right):
        return self.call_inner(node, left, right)

    def call_inner(self, node, left, right):
        left, right = scalar_as_matrix(left), scalar_as_matrix(right)
        if not is_matrix(left) or not is_matrix(right):
            return self.multiply(as_scalar(left), as_scalar(right), node)
        if shape_of(left) != shape_of(right):
            self.shape_error(lambda: f"inner product of {describe_shape(left)} and "
                             f"{describe_shape(right)}", node)
        return Inner(left, right)

    def call_vec(self, node, value):
        return Vec(value) if is_matrix(value) else value

    def call_vecr(self, node, value):
        return Vecr(value) if is_matrix(value) else value

    def dimension(self, value, node):
        value = as_scalar(value)
        if is_matrix(value) or not is_size(value) or value == 0:
            self.error("a size must be a dimension name or a positive integer", node)
        # The limit is on what a user writes. A rule's sizes are products of the formula's
        # (I(rows(M)*cols(M)) of a 40000 x 40000 M is 1.6e9): they are exact integers,
        # never allocated, and a rule refused for one left a derivative unidentified.
        if value.is_Integer and value > MAX_SIZE and not self.rule_mode:
            self.error(f"size {value} is beyond the limit of {MAX_SIZE:,}", node)
        return value

    def call_I(self, node, size):
        return identity(self.dimension(size, node))

    def call_K(self, node, rows, cols):
        return CommutationMatrix(self.dimension(rows, node), self.dimension(cols, node))

    def call_ones(self, node, *sizes):
        if len(sizes) not in (1, 2):
            self.error("ones takes one or two sizes", node)
        rows = self.dimension(sizes[0], node)
        cols = self.dimension(sizes[1], node) if len(sizes) == 2 else sympy.Integer(1)
        return OneMatrix(rows, cols)

    def call_d(self, node, value):
        return MatDiff(value) if is_matrix(value) else ScalarDiff(value)

    # conj, real and imag of a real matrix: itself, itself, 0. Complex names are read by
    # matderiv.syntax.complex_reading, which overrides these three.
    def call_conj(self, node, value):
        return value

    def call_real(self, node, value):
        return value

    def call_imag(self, node, value):
        return ZeroMatrix(*shape_of(value)) if is_matrix(value) else sympy.Integer(0)

    def call_scalar(self, node, value):
        return as_scalar(value)

    def call_rows(self, node, value):
        return shape_of(value)[0] if is_matrix(value) else sympy.Integer(1)

    def call_cols(self, node, value):
        return shape_of(value)[1] if is_matrix(value) else sympy.Integer(1)

    def elementwise(self, name, node, value):
        if name == "log":
            self.nonzero(value, "the argument of log", node)
        if is_matrix(value) and not is_one_by_one(value):
            return Elementwise(name, value)
        result = ELEMENTWISE[name](as_scalar(value))
        if result.is_number and not self.rule_mode:
            self.representable(result, name, node)
        return result

    def representable(self, constant, name, node):
        """Refuse a constant beyond floating point: exp(exp(100)) is about 10^(10^43), and
        SymPy, asked its sign or its sine, overflows or works for minutes."""
        try:
            magnitude = abs(complex(constant.evalf(8)))
        except (TypeError, ValueError, OverflowError, ArithmeticError):
            magnitude = float("inf")
        if not magnitude <= 1e300:
            self.error(f"the constant {name}(...) is beyond floating point (about 1e300); "
                       "numbers are evaluated in floating point", node)

    def unknown_function(self, node):
        """A call of a name that is neither the grammar's nor an abstract function."""
        name = node.name
        how = (f"to use an abstract function of that name, declare it: "
               f"functions=[{name!r}] (CLI --function {name})")
        if name in NOT_SUPPORTED:
            self.error(f"{NOT_SUPPORTED[name]}; {how}", node)
        near = nearest_functions(name)
        guess = f" (did you mean {' or '.join(near)}?)" if near else ""
        self.error(f"unknown function {name!r}{guess}; {how}", node)

    def abstract_function(self, node):
        if not self.rule_mode and node.name not in self.abstract \
                and not is_abstract_name(node.name):
            self.unknown_function(node)
        name = self.functions.get(node.name, node.name)
        if name in self.env:
            self.error(f"{name!r} is a {describe_shape(self.env[name])} "
                       "matrix, not a function", node)
        if len(node.args) != 1:
            self.error(f"abstract function {name} takes one matrix argument", node)
        value = self.build(node.args[0])
        return AbstractFunction(name, scalar_as_matrix(value) if is_matrix(value)
                                else self.need_matrix(name, value, node))

    def abstract_gradient(self, node):
        name = self.functions.get(node.name, node.name)
        if name in FUNCTIONS or name in self.env or not self.rule_mode and \
                name not in self.abstract and not is_abstract_name(name):
            self.error(f"{name}' is not defined: only an abstract function has a "
                       "gradient written f'(Y)", node)
        if len(node.args) != 1:
            self.error(f"{name}' takes one matrix argument", node)
        value = self.build(node.args[0])
        if not is_matrix(value):
            self.need_matrix(name, value, node)
        return AbstractGradient(name, scalar_as_matrix(value))

    def need_matrix(self, name, value, node):
        if isinstance(value, ScalarOf):
            return value.matrix
        self.error(f"abstract function {name} needs a matrix or vector argument", node)


def _make_elementwise(name):
    def call(self, node, value):
        return self.elementwise(name, node, value)
    call.__name__ = "call_" + name
    return call


for _name in ELEMENTWISE:
    setattr(CallBuilding, "call_" + _name, _make_elementwise(_name))
for _alias, _name in ALIASES.items():
    setattr(CallBuilding, "call_" + _alias, _make_elementwise(_name))


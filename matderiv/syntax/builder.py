"""Syntax tree -> SymPy expression, checking shapes as it goes.

User formulas, rule patterns' results and claims all go through ``Builder``, so the
meaning of ``*``, ``'``, ``.*`` or ``tr`` is defined once. A 1 x 1 matrix is read as a
scalar wherever a scalar fits, as on paper.

>>> from sympy import MatrixSymbol, symbols
>>> m, n = symbols("m n", integer=True, positive=True)
>>> env = {"W": MatrixSymbol("W", m, n), "a": MatrixSymbol("a", n, 1)}
>>> Builder(env).build_text("W*a").shape
(m, 1)
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy
from sympy import (
    HadamardPower,
    Identity,
    Inverse,
    MatPow,
    MatrixSymbol,
    OneMatrix,
    Transpose,
)
from sympy.core.numbers import ComplexInfinity, ImaginaryUnit, Infinity, NaN, NegativeInfinity

from ..errors import MatDerivError
from ..expressions import (
    FrobeniusNorm,
    Inner,
    SumEntries,
    hadamard_product,
    is_matrix,
    mat_add,
    mat_mul,
    shape_of,
)
from ..expressions.construct import transposed, without_identity
from ..expressions.joined import joined_product
from ..expressions.sorted_sum import scalar_sum
from ..expressions.tidy import canonical, is_zero
from .calls import CallBuilding
from .grammar import (
    BARE_NAMES,
    FUNCTIONS,
    RULE_FUNCTIONS,
    as_scalar,
    describe_shape,
    is_one_by_one,
)
from .latex import parse_latex
from .limits import MAX_MATRIX_POWER, MAX_NUMBER_DIGITS
from .parser import parse
from .shaped_calls import ShapedCalls
from .spectral_calls import SpectralCalls
from .tree import Binary, Num

#: MAX_NUMBER_DIGITS decimal digits, in bits.
_MAX_BITS = int(MAX_NUMBER_DIGITS * math.log2(10)) + 1


def _is_sum(node) -> bool:
    return isinstance(node, Binary) and node.op in ("+", "-")


def _integer_coefficient_bits(term) -> int:
    """Bits of the largest numeric coefficient of a scalar's terms, or _MAX_BITS when one
    is not an integer (sums of fractions grow their denominators)."""
    bits = 0
    for part in sympy.Add.make_args(term):
        coefficient = part.as_coeff_Mul()[0]
        if not coefficient.is_Integer:
            return _MAX_BITS
        bits = max(bits, abs(int(coefficient)).bit_length())
    return bits


#: (Builder class, tree node class) -> its build_ method.
_BUILD_METHODS: dict = {}


class Builder(CallBuilding, ShapedCalls, SpectralCalls):
    """Builds SymPy expressions from syntax trees over an environment of names.

    ``env`` maps names to SymPy objects: MatrixSymbols, scalar Symbols, dimension
    Symbols, or (for rules) whatever a pattern variable matched. ``functions`` maps
    abstract function names bound by a rule pattern to the user's names; ``abstract``
    are the names the user declared as abstract functions (besides f, g1, ...).
    """

    def __init__(self, env, *, source: str | None = None, rule_mode: bool = False,
                 functions: dict | None = None, abstract=()):
        self.env = env
        self.source = source
        self.rule_mode = rule_mode
        self.functions = functions or {}
        self.abstract = frozenset(abstract)

    def build_text(self, text: str, syntax: str = "text", tree=None):
        """Build formula text: ``syntax`` "text" (the grammar) or "latex"; ``tree``: its
        syntax tree, if it has been read already."""
        self.source = text
        expr = self.build(tree if tree is not None else parse_formula(text, syntax, self.env))
        # SymPy folds constants at once: log(0) is zoo, log(-1) is I*pi.
        undefined, complex_constant = _folded_constants(expr)
        if undefined:
            raise MatDerivError("the formula has an undefined or infinite constant "
                                "(such as log(0) or 0^-1)", source=text, span=(0, len(text)))
        if complex_constant:
            raise MatDerivError("the formula has a complex constant (such as log(-1)); "
                                "matderiv works with real matrices", source=text,
                                span=(0, len(text)))
        return expr

    # -- errors -----------------------------------------------------------
    def error(self, message: str, node):
        raise MatDerivError(message, source=self.source, span=getattr(node, "span", None))

    def shape_error(self, describe, node):
        """A shape mismatch: ``describe()`` gives the message. A rule's result that does
        not build for a match is only skipped (``Rule.apply``), so it is refused without
        printing its shapes (SymPy's printer cost more than the rest of the match)."""
        if self.rule_mode:
            raise MatDerivError("a rule's result does not build at these shapes")
        self.error(describe(), node)

    # -- dispatch ---------------------------------------------------------
    def build(self, node):
        method = _BUILD_METHODS.get(key := (type(self), type(node)))
        if method is None:  # the method's name looked up once per class of node
            method = _BUILD_METHODS[key] = getattr(type(self),
                                                   "build_" + type(node).__name__.lower())
        value = method(self, node)
        if has_long_number(value):  # (the one case check_numbers refuses)
            self.check_numbers(value, node)
        return value

    def check_numbers(self, value, node):
        """Refuse an exact number of more than MAX_NUMBER_DIGITS digits (numbers are kept
        exact: 1/2 + 1/3 + ... or 2^1000 * X * 2^1000 grow as they are built)."""
        if isinstance(value, sympy.MatMul) or (isinstance(value, (sympy.Mul, sympy.Add))
                                               and not value.is_number):
            value = value.args[0]
        if isinstance(value, sympy.Rational) and max(
                abs(value.p).bit_length(), value.q.bit_length()) > _MAX_BITS:
            self.error(f"a number in the formula has more than {MAX_NUMBER_DIGITS} digits; "
                       "numbers are kept exact, so they are limited", node)

    def build_num(self, node):
        value = Fraction(node.value)
        return sympy.Rational(value.numerator, value.denominator)

    def build_name(self, node):
        if node.id in self.env:
            return self.env[node.id]
        if (node.id in FUNCTIONS and node.id not in BARE_NAMES) or \
                node.id in RULE_FUNCTIONS and self.rule_mode:
            self.error(f"{node.id!r} is a function: write {node.id}(...)", node)
        self.error(f"unknown name {node.id!r}: declare its shape (e.g. -s {node.id}=m,n)", node)

    def build_unary(self, node):
        value = self.build(node.operand)
        return value if node.op == "+" else self.negate(value)

    def build_postfix(self, node):
        value = self.build(node.operand)
        if not is_matrix(value):
            return value
        # (a rule's result as tidy leaves it: I' is I; a formula as written: Transpose(M))
        return transposed(value) if self.rule_mode else sympy.Basic.__new__(Transpose, value)

    def build_binary(self, node):
        if node.op in ("+", "-") and not self.rule_mode and _is_sum(node.left):
            return self.build_sum(node)
        left = self.build(node.left)
        right = self.build(node.right)
        op = node.op
        if op in ("+", "-"):
            if self.rule_mode and is_matrix(left) != is_matrix(right) and not (
                    isinstance(node.left, Num) or isinstance(node.right, Num)):
                # In a rule, only a number written in the rule is spread over a matrix
                # (1 - tanh(A).^2); a bound scalar added to a matrix is a failed match.
                self.error("a rule result adds a scalar to a matrix", node)
            return self.add(left, self.negate(right) if op == "-" else right, node)
        if op in ("*", "@"):
            return self.multiply(left, right, node)
        if op == "/":
            return self.divide(left, right, node)
        if op == ".*":
            return self.hadamard(left, right, node)
        if op == "./":
            return self.hadamard(left, self.hadamard_power(right, sympy.Integer(-1), node), node)
        if op == "^":
            return self.power(left, right, node)
        if op == ".^":
            return self.hadamard_power(left, right, node)
        self.error(f"unknown operator {op!r}", node)

    def build_sum(self, node):
        """A chain ``a + b - c + ...``, built left to right as its binary nodes say,
        but with a run of scalar terms added at once: SymPy sorts a sum each time a term
        is added, O(N^2 log N) for N traces. Adding scalars raises no error, so the
        errors are the same; the sums in between are not built, and each would have
        passed ``check_numbers``: every coefficient is an integer, and all of them
        together stay below the limit (else the run is added term by term, checked).
        """
        levels = []
        while isinstance(node, Binary) and node.op in ("+", "-"):
            levels.append(node)
            node = node.left
        levels.reverse()
        value, run = self.build(node), None  # run: scalar terms not yet added to value
        for k, level in enumerate(levels):
            right = self.build(level.right)
            if level.op == "-":
                right = self.negate(right)
            if not is_matrix(value) and not is_matrix(right):
                if run is None:
                    run = [value]
                run.append(right)
                continue
            value, run = self._add_run(run, levels, levels[k - 1]) if run else value, None
            value = self.add(value, right, level)
            if level is not levels[-1]:
                self.check_numbers(value, level)
        return self._add_run(run, levels, levels[-1]) if run else value

    def _add_run(self, run, levels, last):
        """The scalars ``run`` added; the levels ending at ``last`` checked as built."""
        bits = max(_integer_coefficient_bits(term) for term in run)
        if bits + len(run).bit_length() < _MAX_BITS:
            return sympy.Add(*run)
        end = levels.index(last)
        value = run[0]
        for term, level in zip(run[1:], levels[end - len(run) + 2:end + 1], strict=True):
            value = value + term
            if level is not levels[-1]:
                self.check_numbers(value, level)
        return value

    # -- arithmetic -------------------------------------------------------
    @staticmethod
    def negate(value):
        return mat_mul(-1, value) if is_matrix(value) else -value

    def add(self, left, right, node):
        if is_matrix(left) and is_matrix(right):
            if shape_of(left) != shape_of(right):
                if is_one_by_one(left) or is_one_by_one(right):
                    return self.add(as_scalar(left), as_scalar(right), node)
                self.shape_error(lambda: f"cannot add {describe_shape(left)} and "
                                 f"{describe_shape(right)}" + _broadcast_hint(left, right),
                                 node)
            return mat_add(left, right)
        if not is_matrix(left) and not is_matrix(right):
            return scalar_sum(left, right)
        matrix, scalar = (left, right) if is_matrix(left) else (right, left)
        if is_one_by_one(matrix):
            return as_scalar(matrix) + scalar
        # Element-wise broadcasting, as on paper: 1 + exp(X) adds 1 to every entry.
        return mat_add(matrix, mat_mul(scalar, OneMatrix(*shape_of(matrix))))

    def multiply(self, left, right, node):
        if not is_matrix(left) or not is_matrix(right):
            if is_matrix(left) or is_matrix(right):
                return mat_mul(left, right)
            return left * right
        if shape_of(left)[1] == shape_of(right)[0]:
            kept = without_identity(left, right) if self.rule_mode else None
            return joined_product(left, right) if kept is None else kept
        if is_one_by_one(left):
            return mat_mul(as_scalar(left), right)
        if is_one_by_one(right):
            return mat_mul(as_scalar(right), left)
        self.shape_error(lambda: f"cannot multiply {describe_shape(left)} by "
                         f"{describe_shape(right)}: {shape_of(left)[1]} columns against "
                         f"{shape_of(right)[0]} rows", node)

    def divide(self, left, right, node):
        right = as_scalar(right)
        if is_matrix(right):
            self.error(f"cannot divide by a {describe_shape(right)} matrix "
                       "(use inv(A) or ./ for element-wise division)", node)
        if right == 0:
            self.error("division by zero", node)
        self.nonzero(right, "the divisor", node)
        return self.multiply(left, sympy.Pow(right, -1), node)

    def hadamard(self, left, right, node):
        if not is_matrix(left) or not is_matrix(right):
            return self.multiply(as_scalar(left), as_scalar(right), node)
        if shape_of(left) != shape_of(right):
            if is_one_by_one(left) or is_one_by_one(right):
                return self.multiply(as_scalar(left), as_scalar(right), node)
            self.shape_error(lambda: "cannot take the element-wise product of "
                             f"{describe_shape(left)} and {describe_shape(right)}", node)
        return hadamard_product(left, right)

    def constant_exponent(self, exponent, node):
        exponent = as_scalar(exponent)
        if is_matrix(exponent) or not exponent.is_number:
            self.error("the exponent must be a number", node)
        return exponent

    def power(self, base, exponent, node):
        if is_matrix(exponent) and not is_one_by_one(exponent):
            self.error("an exponent must be a scalar (use exp(X) for the element-wise "
                       "exponential)", node)
        if self.rule_mode and not is_matrix(exponent) and not exponent.is_number:
            # Rules write A^(k-1) with k bound to an integer; it is checked when bound.
            if is_matrix(base):
                return MatPow(base, exponent)
            return base ** exponent
        if not is_matrix(base) or (is_one_by_one(base) and not self.rule_mode):
            # (in a rule's result a 1 x 1 base stays a matrix: see hadamard_power)
            return self.scalar_power(as_scalar(base), as_scalar(exponent), node)
        exponent = self.constant_exponent(exponent, node)
        if _negative(exponent):
            self.nonzero(base, "the inverted matrix", node)
        if shape_of(base)[0] != shape_of(base)[1]:
            self.error(f"cannot raise a non-square {describe_shape(base)} matrix to a power", node)
        if not exponent.is_integer:
            self.error("a matrix power must be an integer (use .^ for element-wise powers)", node)
        if abs(exponent) > MAX_MATRIX_POWER:
            self.error(f"matrix power {exponent} is beyond the limit of {MAX_MATRIX_POWER}", node)
        if exponent == 0:
            return Identity(shape_of(base)[0])
        if exponent < 0:
            base, exponent = Inverse(base), -exponent
        if self.rule_mode and type(base) is MatPow and base.exp.is_Integer and base.exp > 0:
            # (B^a)^j = B^(a j): a rule's A^j of A = B^a (d-matrix-power on (B^3)^3) is
            # written so that SymPy merges it with the powers of B beside it.
            base, exponent = base.base, base.exp * exponent
        return base if exponent == 1 else MatPow(base, exponent)

    def nonzero(self, value, what: str, node):
        """Refuse a formula defined nowhere: ``value`` (a denominator, an inverted
        matrix, the argument of log) is zero everywhere (X - X, sum(X - X), det(X - X))."""
        if self.rule_mode or not is_zero(_zero_folded(canonical(value))):
            return value
        self.error(f"{what} is zero everywhere (it simplifies to 0), so the formula is "
                   "defined nowhere", node)

    def scalar_power(self, base, exponent, node):
        """base ** exponent, refused before SymPy computes a number too large to keep
        (2^9999999999 would take gigabytes)."""
        if isinstance(base, sympy.Rational) and isinstance(exponent, sympy.Rational) \
                and abs(base) not in (0, 1):
            digits = abs(float(exponent)) * max(math.log10(abs(base.p)), math.log10(base.q))
            if digits > MAX_NUMBER_DIGITS:
                shown = exponent if exponent.is_Integer else f"({exponent})"
                self.error(f"{base}^{shown} has about {digits:.3g} digits; exact numbers "
                           f"are limited to {MAX_NUMBER_DIGITS}", node)
        elif base.is_number and isinstance(exponent, sympy.Rational) and abs(exponent) > 1:
            # (2^(1/2))^(10^300): SymPy would work out 2^(5 10^299) exactly.
            try:
                magnitude = abs(float(base.evalf(20)))
                digits = abs(float(exponent)) * abs(math.log10(magnitude)) \
                    if magnitude not in (0.0, 1.0) else 0.0
            except (TypeError, ValueError, OverflowError):
                digits = math.inf
            if digits > MAX_NUMBER_DIGITS or abs(exponent) > 10**6:
                shown = str(exponent) if len(str(exponent)) <= 20 else f"{float(exponent):.3g}"
                self.error(f"a number raised to the power {shown} has about {digits:.3g} "
                           f"digits; exact numbers are limited to {MAX_NUMBER_DIGITS}", node)
        if exponent.is_number and _negative(exponent):
            self.nonzero(base, "the divisor", node)
        return base ** exponent

    def hadamard_power(self, base, exponent, node):
        # A 1 x 1 matrix is read as a scalar in a formula, but a rule's result keeps the
        # shape of what it rewrites: d(A.^2) for a 1 x 1 A (SymPy writes A .* A so) is
        # 2 A .* dA, a 1 x 1 matrix, not the scalar 2 a da.
        if not is_matrix(base) or (is_one_by_one(base) and not self.rule_mode):
            return self.scalar_power(as_scalar(base), as_scalar(exponent), node)
        if self.rule_mode and not is_matrix(exponent) and not exponent.is_number:
            return HadamardPower(base, exponent)
        exponent = self.constant_exponent(exponent, node)
        if _negative(exponent):
            self.nonzero(base, "the divisor", node)
        return base if exponent == 1 else HadamardPower(base, exponent)



def _negative(number) -> bool:
    """``number.is_negative``, a Rational's read off its numerator: SymPy's assumption
    system deduces every fact of a new Integer to answer (all new after clear_cache).

    >>> _negative(sympy.Integer(-2)), _negative(sympy.Rational(1, 2)), _negative(sympy.pi)
    (True, False, False)
    """
    if isinstance(number, sympy.Rational):
        return number.p < 0
    return bool(number.is_negative)


def has_long_number(value) -> bool:
    """Whether ``value``, or its first part in a product or sum, is an exact number of
    more than _MAX_BITS bits: ``check_numbers`` refuses nothing else, and is asked only
    then (a value's class and one number decide, without SymPy's is_number).

    >>> has_long_number(sympy.Integer(2) ** 4000 * sympy.Symbol("x")), has_long_number(3)
    (True, False)
    """
    number = value._args[0] if isinstance(value, (sympy.MatMul, sympy.Mul, sympy.Add)) \
        else value
    return isinstance(number, sympy.Rational) and (number.p.bit_length() > _MAX_BITS
                                                   or number.q.bit_length() > _MAX_BITS)


#: The constants SymPy folds an undefined or infinite value to (log(0) is zoo, 0^-1 zoo).
_UNDEFINED = (ComplexInfinity, NaN, Infinity, NegativeInfinity)


def _folded_constants(expr) -> tuple[bool, bool]:
    """(has an undefined or infinite constant, has the imaginary unit), in one walk:
    ``expr.has(zoo, nan, oo, -oo)`` and ``has(I)`` walked the tree seven times (once per
    pattern, and again for each pattern's matcher).

    >>> _folded_constants(sympy.log(sympy.Integer(-1)) + 1)
    (False, True)
    """
    complex_constant = False
    stack = [expr]
    while stack:
        node = stack.pop()
        kind = _CONSTANT_KINDS.get(type(node))
        if kind is None:
            kind = _CONSTANT_KINDS[type(node)] = _constant_kind(node)
        if kind == "walk":
            if node.args:
                stack += node.args
        elif kind == "undefined":
            return True, complex_constant
        elif kind == "imaginary":
            complex_constant = True
    return False, complex_constant


def _constant_kind(node) -> str:
    """What ``_folded_constants`` sees in a node of this class: "undefined" (zoo, nan,
    oo, -oo), "imaginary" (I), "name" (a MatrixSymbol: a name and its sizes, not walked)
    or "walk" (its parts are looked at)."""
    if isinstance(node, _UNDEFINED):
        return "undefined"
    if isinstance(node, ImaginaryUnit):
        return "imaginary"
    return "name" if isinstance(node, MatrixSymbol) else "walk"


#: Node class -> ``_constant_kind`` of its nodes.
_CONSTANT_KINDS: dict = {}


def _zero_folded(expr):
    """``expr`` with a trace, sum, determinant, norm or inner product of a zero matrix
    made 0 (SymPy keeps det(0) and sum(0) whole), so that X/sum(X - X) is seen to divide
    by zero."""
    if not isinstance(expr, sympy.Basic) or not expr.args or is_matrix(expr):
        return expr
    args = [_zero_folded(a) for a in expr.args]
    if isinstance(expr, (sympy.Trace, sympy.Determinant, SumEntries, FrobeniusNorm, Inner)) \
            and any(isinstance(a, sympy.ZeroMatrix) for a in expr.args):
        return sympy.Integer(0)
    if any(a is not b for a, b in zip(args, expr.args, strict=True)):
        return expr.func(*args)
    return expr


#: The front ends: each reads text into the same syntax tree.
SYNTAXES = ("text", "latex")


def parse_formula(text: str, syntax: str = "text", names=()):
    """The syntax tree of ``text`` read as ``syntax``; ``names`` are the declared names
    (the LaTeX reader splits ``AX`` into A X unless AX is declared)."""
    if syntax == "latex":
        return parse_latex(text, names=names)
    if syntax != "text":
        raise MatDerivError(f"syntax must be 'text' or 'latex', not {syntax!r}")
    return parse(text)


def _broadcast_hint(left, right) -> str:
    """A column added to every column of a matrix is written b*ones(k)', as on paper."""
    for column, matrix in ((left, right), (right, left)):
        if shape_of(column)[1] == 1 and shape_of(column)[0] == shape_of(matrix)[0]:
            return (f" (to add the column to each of the {shape_of(matrix)[1]} columns, write "
                    f"it times ones({shape_of(matrix)[1]})')")
    return ""


"""Numbers outside: 2x - 2a -> 2 (x - a), A (2x) -> 2 A x, (2a) .* b -> 2 (a .* b).

>>> from sympy import MatrixSymbol
>>> x, a = MatrixSymbol("x", 2, 1), MatrixSymbol("a", 2, 1)
>>> pull_numeric_content(mat_add(mat_mul(2, x), mat_mul(-2, a)))
2*(-a + x)
"""

from __future__ import annotations

import math
from fractions import Fraction
from operator import is_

import sympy
from sympy import (
    Basic,
    HadamardProduct,
    MatAdd,
    MatMul,
)

from .construct import hadamard_product, is_matrix, mat_add, mat_mul, rebuilt
from .memo import IdentityMemo, interned
from .sympy_canonical import LEAVES, shielded_doit

_PULLED = IdentityMemo("matderiv.expressions.content.pull_numeric_content")


def pull_numeric_content(expr):
    """2x - 2a -> 2 (x - a), A (2x) -> 2 A x, (2a) .* b -> 2 (a .* b): numbers outside.

    SymPy distributes a numeric coefficient over a sum (2 (x - a) becomes 2x - 2a).
    That is longer than the textbook's 2 Aᵀ(Ax - b), and inside a product with a
    symbolic coefficient it hides cancellations such as
    (1 / (2 sqrt(u))) (2x - 2a) = (x - a) / sqrt(u). This puts the common numeric
    factor of a sum's terms in front of the sum, and moves numbers out of products
    and Hadamard products to the front.
    """
    if not isinstance(expr, Basic) or not expr._args or type(expr) in LEAVES:
        return expr
    done = _PULLED.lookup(expr)
    if done is None:
        args = [pull_numeric_content(a) for a in expr._args]
        unchanged = all(map(is_, args, expr._args))
        done = _PULLED.remember(expr, interned(_pull_numeric_content(
            expr if unchanged else rebuilt(expr, args))))
    return done


def _pull_numeric_content(expr):
    if isinstance(expr, MatAdd):
        content = _numeric_content(expr.args)
        if content is None:
            return expr
        inner = shielded_doit(mat_add(*[mat_mul(1 / content, t) for t in expr.args]))
        return MatMul(content, inner)
    if isinstance(expr, HadamardProduct):
        coefficients = [_coefficient(a) for a in expr.args]
        pulled = sympy.Mul(*coefficients)
        if pulled == 1:
            return expr
        stripped = [mat_mul(1 / c, a) if c != 1 else a
                    for a, c in zip(expr.args, coefficients, strict=True)]
        return MatMul(pulled, shielded_doit(hadamard_product(*stripped)))
    if not isinstance(expr, MatMul):
        return expr
    if not any(isinstance(a, MatMul) for a in expr.args) and all(
            a.is_commutative or is_matrix(a) for a in expr.args):
        return expr  # only a product factor has a number to pull out (as_coeff_matrices
        # builds the scalars' product after each clear_cache(), and raises for
        # noncommutative ones)
    coeff, matrices = expr.as_coeff_matrices()
    pulled, kept = sympy.Integer(1), []
    for factor in matrices:
        content = _coefficient(factor)
        if content != 1:
            factor = factor.args[1] if len(factor.args) == 2 else \
                MatMul(*product_args(factor)[1:])
            pulled *= content
        kept.append(factor)
    return MatMul(coeff * pulled, *kept) if pulled != 1 else expr


def _numeric_content(terms):
    """The common rational factor of a sum's terms, if it is worth pulling out."""
    coefficients = [t.as_coeff_matrices()[0] if isinstance(t, MatMul) else sympy.S.One
                    for t in terms]
    if all(c.is_Rational for c in coefficients):
        content = rational_gcd(coefficients)
    elif any(c is sympy.S.One or c is sympy.S.NegativeOne for c in coefficients):
        return None  # the gcd divides 1: nothing to pull out (and no expanding to see so)
    elif rational_gcd([c.expand().as_content_primitive()[0] for c in coefficients]) == 1:
        # SymPy's gcd_list builds polynomials of the expanded coefficients (about 0.4 ms
        # a call; expanding makes log(4) 2 log(2)). A constant gcd of integer polynomials
        # divides each one's content, so with contents of gcd 1 it can only be +-1 (or
        # a Float, or not a number): nothing to pull out.
        return None
    else:
        content = sympy.gcd_list(coefficients)
    if content.is_Rational and content not in (0, 1) and content > 0:
        return content
    return None


def rational_gcd(numbers):
    """``sympy.gcd_list(numbers)`` for Rationals, computed as it does (over ZZ when all
    are integers, else QQ, stopping at 1) without the polynomial machinery.

    >>> from sympy import Rational
    >>> rational_gcd([Rational(1, 2), Rational(3, 4)]), rational_gcd([Rational(-6)])
    (1/4, -6)
    """
    values = [Fraction(int(n.p), int(n.q)) for n in numbers]
    integers = all(v.denominator == 1 for v in values)
    result = values[0]
    for value in values[1:]:
        result = Fraction(math.gcd(result.numerator, value.numerator),
                          1 if integers else math.lcm(result.denominator, value.denominator))
        if result == 1:
            break
    return sympy.Rational(result.numerator, result.denominator)


def _coefficient(factor):
    """The leading number of a MatMul (2 in 2 A x), else 1."""
    if isinstance(factor, MatMul):
        coeff = factor.as_coeff_matrices()[0]
        if coeff.is_Rational:
            return coeff
    return sympy.Integer(1)


def product_args(factor):
    coeff, matrices = factor.as_coeff_matrices()
    return [coeff, *matrices]


#: Nodes whose own doit() only canonicalises (flatten, drop identities, distribute a

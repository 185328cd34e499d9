"""The order SymPy's printers give terms and factors, found without rebuilding index sums.

SymPy orders an Add's terms (``Expr.as_ordered_terms``) by asking each factor of each
term whether it ``is_number``, and a product's factors (``Mul.as_ordered_factors``) by
``sort_key``, which orders the terms of every sum inside them the same way. For an index
sum Σ_{k=0..n-1}, ``is_number`` is ``not free_symbols``, and ``Sum.free_symbols``
replaces each summation index by itself: that rebuilds the whole summand, every SymPy
object in it made anew (tanh of a new argument asks all its assumptions). Printing the
derivative of the 2-layer network's entry spent 4 ms there, most of the text of its
element-wise proof.

A sum whose last limit has a bound with a free symbol (n in n - 1) has that symbol among
its free symbols (nothing after the last limit takes it out), so it is not a number:
that answer is given here without the rebuild. Everything else is SymPy's own, step for
step (``ordered_terms`` is ``Expr.as_ordered_terms``, ``sort_key`` is ``Expr.sort_key``,
``product_text`` is ``StrPrinter._print_Mul``, with that one answer), and a node that
holds no such sum, or whose class has methods of its own, is handed to SymPy itself: the
order is SymPy's, term for term.

>>> from sympy import Sum, MatrixSymbol, Symbol, tanh
>>> n, k = Symbol("n", integer=True, positive=True), Symbol("k", integer=True)
>>> x = MatrixSymbol("x", n, 1)
>>> total = Sum(x[k, 0] ** 2, (k, 0, n - 1))
>>> expr = x[0, 0] - 1 + total
>>> ordered_terms(expr) == expr.as_ordered_terms()
True
>>> product = 2 * tanh(total) * x[1, 0] * total
>>> ordered_factors(product) == product.as_ordered_factors()
True
"""

from __future__ import annotations

from sympy import (
    Add,
    Expr,
    Function,
    Mul,
    Number,
    NumberSymbol,
    Pow,
    Rational,
    S,
)
from sympy import __version__ as sympy_version
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.core.exprtools import decompose_power
from sympy.core.mul import _keep_coeff
from sympy.printing.precedence import precedence

from ..expressions.memo import IdentityMemo

_HOLDS = IdentityMemo("matderiv.render.term_order.holds_bounded_sum")


def is_bounded_sum(expr) -> bool:
    """Whether ``expr`` is an index sum (with SymPy's own free_symbols and is_number)
    whose last limit has a bound with a free symbol: then it is not a number."""
    if not isinstance(expr, ExprWithLimits):
        return False
    kind = type(expr)
    if kind.is_number is not ExprWithLimits.is_number or \
            kind.free_symbols is not ExprWithLimits.free_symbols:
        return False
    last = expr.limits[-1] if expr.limits else ()
    return len(last) > 1 and any(bound.free_symbols for bound in last[1:])


def holds_bounded_sum(expr) -> bool:
    """Whether a bounded index sum (``is_bounded_sum``) is part of ``expr``."""
    if not expr.args:
        return False
    found = _HOLDS.lookup(expr)
    if found is None:
        found = _HOLDS.remember(expr, is_bounded_sum(expr) or any(
            holds_bounded_sum(a) for a in expr.args))
    return found


def is_number(expr) -> bool:
    """``expr.is_number`` (``Expr.is_number``: all its parts are numbers)."""
    if is_bounded_sum(expr):
        return False
    if type(expr).is_number is Expr.is_number and holds_bounded_sum(expr):
        return all(is_number(a) for a in expr.args)
    return expr.is_number


#: The steps here are SymPy 1.14's (checked against it by tests/test_term_order.py);
#: with another SymPy, whose steps may differ, SymPy's own methods are asked instead.
SAME_SYMPY = sympy_version.split(".")[:2] == ["1", "14"]


def ordered_terms(expr) -> list:
    """``expr.as_ordered_terms()`` (the default order)."""
    if not SAME_SYMPY or not isinstance(expr, Add) or expr.is_Matrix or \
            not holds_bounded_sum(expr) or \
            type(expr).as_ordered_terms is not Expr.as_ordered_terms or \
            type(expr).as_terms is not Expr.as_terms:
        return expr.as_ordered_terms()
    special = _number_then_negative_product(expr.args)
    if special is not None:
        return special
    found = _as_terms(expr.args)
    if any(term.is_Order for term, _ in found):
        return expr.as_ordered_terms()
    key, reverse = expr._parse_order(None)
    return [term for term, _ in sorted(found, key=key, reverse=reverse)]


def ordered_factors(expr) -> list:
    """``expr.as_ordered_factors()`` of a product."""
    if not SAME_SYMPY or type(expr).as_ordered_factors is not Mul.as_ordered_factors or \
            not holds_bounded_sum(expr):
        return expr.as_ordered_factors()
    commutative, rest = expr.args_cnc()
    commutative.sort(key=sort_key)
    return commutative + rest


def sort_key(expr):
    """``default_sort_key(expr)`` (``Expr.sort_key``, for an expression that holds a
    bounded index sum)."""
    if type(expr).sort_key is not Expr.sort_key or not holds_bounded_sum(expr):
        return expr.sort_key(order=None)  # (default_sort_key's call, without its imports)
    coeff, base = expr.as_coeff_Mul()
    if base.is_Pow:
        base, exp = base.as_base_exp()
        if base is S.Exp1:
            base, exp = Function("exp")(exp), S.One
    else:
        exp = S.One
    if base.is_Dummy:
        args = (base.sort_key(),)
    elif base.is_Atom:
        args = (str(base),)
    else:
        if base.is_Add:
            parts = ordered_terms(base)
        elif base.is_Mul:
            parts = ordered_factors(base)
        else:
            parts = base.args
        args = tuple([sort_key(part) for part in parts])
    return base.class_key(), (len(args), tuple(args)), sort_key(exp), coeff


def _number_then_negative_product(terms):
    """As ``Expr.as_ordered_terms``: a positive number and a product with a negative
    coefficient keep that order (1 - 2 x), else None."""
    def key(x):
        return not isinstance(x, (Number, NumberSymbol))
    add_args = sorted(terms, key=key)
    if (len(add_args) == 2 and isinstance(add_args[0], (Number, NumberSymbol))
            and isinstance(add_args[1], Mul)):
        mul_args = sorted(Mul.make_args(add_args[1]), key=key)
        if (len(mul_args) == 2 and isinstance(mul_args[0], Number)
                and add_args[0].is_positive and mul_args[0].is_negative):
            return add_args
    return None


def _as_terms(terms) -> list:
    """``Expr.as_terms()[0]`` of the Add with these terms."""
    gens, found = set(), []
    for term in terms:
        coeff, rest = term.as_coeff_Mul()
        coeff = _complex(coeff)
        cpart, ncpart = {}, []
        if rest is not S.One:
            for factor in Mul.make_args(rest):
                if is_number(factor):
                    try:
                        coeff *= complex(factor)
                    except (TypeError, ValueError):
                        pass
                    else:
                        continue
                if factor.is_commutative:
                    base, exp = decompose_power(factor)
                    cpart[base] = exp
                    gens.add(base)
                else:
                    ncpart.append(factor)
        found.append((term, ((coeff.real, coeff.imag), cpart, tuple(ncpart))))
    indices = {g: i for i, g in enumerate(sorted(gens, key=sort_key))}
    result = []
    for term, (coeff, cpart, ncpart) in found:
        monom = [0] * len(indices)
        for base, exp in cpart.items():
            monom[indices[base]] = exp
        result.append((term, (coeff, tuple(monom), ncpart)))
    return result


def _complex(number) -> complex:
    """``complex(number)``: SymPy's goes through ``evalf``; an integer that a float
    holds exactly is that float."""
    if number.is_Integer and abs(number.p) < 2 ** 53:
        return complex(int(number.p))
    return complex(number)


def product_text(printer, expr):
    """``StrPrinter._print_Mul`` for a product that holds a bounded index sum, its
    factors in ``ordered_factors``' order; None for any other product (and for an
    unevaluated one, which SymPy prints as it stands): the caller asks SymPy."""
    args = expr.args
    if not SAME_SYMPY or not holds_bounded_sum(expr) or args[0] is S.One or any(
            isinstance(a, Number) or a.is_Pow and all(ai.is_Integer for ai in a.args)
            for a in args[1:]):
        return None
    prec = precedence(expr)
    c, e = expr.as_coeff_Mul()
    if c < 0:
        expr = _keep_coeff(-c, e)
        sign = "-"
    else:
        sign = ""
    a, b, pow_paren = [], [], []  # numerator, denominator, (x*y)**-1 to bracket

    def apow(i):
        base, exp = i.as_base_exp()
        eargs = list(Mul.make_args(exp))
        if eargs[0] is S.NegativeOne:
            eargs = eargs[1:]
        else:
            eargs[0] = -eargs[0]
        exp = Mul._from_args(eargs)
        if isinstance(i, Pow):
            return i.func(base, exp, evaluate=False)
        return i.func(exp, evaluate=False)
    for item in ordered_factors(expr) if printer.order not in ("old", "none") \
            else Mul.make_args(expr):
        if (item.is_commutative and isinstance(item, Pow)
                and bool(item.exp.as_coeff_Mul()[0] < 0)):
            if item.exp is not S.NegativeOne:
                b.append(apow(item))
            else:
                if len(item.args[0].args) != 1 and isinstance(item.base, (Mul, Pow)):
                    pow_paren.append(item)
                b.append(item.base)
        elif item.is_Rational and item is not S.Infinity:
            if item.p != 1:
                a.append(Rational(item.p))
            if item.q != 1:
                b.append(Rational(item.q))
        else:
            a.append(item)
    a = a or [S.One]
    a_str = [printer.parenthesize(x, prec, strict=False) for x in a]
    b_str = [printer.parenthesize(x, prec, strict=False) for x in b]
    for item in pow_paren:
        if item.base in b:
            b_str[b.index(item.base)] = "(%s)" % b_str[b.index(item.base)]
    if not b:
        return sign + "*".join(a_str)
    if len(b) == 1:
        return sign + "*".join(a_str) + "/" + b_str[0]
    return sign + "*".join(a_str) + "/(%s)" % "*".join(b_str)


__all__ = ["holds_bounded_sum", "is_bounded_sum", "ordered_factors", "ordered_terms",
           "product_text", "sort_key"]

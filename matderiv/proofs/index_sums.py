"""Index sums evaluated as far as they can be, without SymPy's search for closed forms.

An element-wise proof differentiates one entry written with index sums; SymPy's
``doit()`` then sums the Kronecker deltas away, and also tries, on every other sum, to
find a closed form (Gosper, hypergeometric terms, ``hypersimp``). An index sum whose
summation index appears only as an index of matrix entries has none: that search always
fails, and it took most of the time of a proof (a second per sum of a 2-layer network).
``evaluate_sums`` does what ``doit()`` does, sum by sum and limit by limit in the same
order, but leaves such a sum as it stands at once: the result is the same expression.

>>> from sympy import Dummy, KroneckerDelta, MatrixSymbol, Sum, Symbol
>>> n, k = Symbol("n", integer=True, positive=True), Dummy("k", integer=True)
>>> p = Symbol("p", integer=True, nonnegative=True)
>>> A = MatrixSymbol("A", n, n)
>>> evaluate_sums(Sum(KroneckerDelta(k, p) * A[k, 0], (k, 0, n - 1)))
Piecewise((A[p, 0], p <= n - 1), (0, True))
>>> evaluate_sums(Sum(A[k, 0], (k, 0, n - 1)))   # no closed form: left at once
Sum(A[_k, 0], (_k, 0, n - 1))
"""

from __future__ import annotations

import sympy
from sympy import KroneckerDelta, Piecewise, Sum
from sympy.concrete.summations import _dummy_with_inherited_properties_concrete, eval_sum
from sympy.core.basic import Basic
from sympy.matrices.expressions.matexpr import MatrixElement


def evaluate_sums(expr):
    """``expr.doit()`` for an entry in index form, without hopeless closed-form searches."""
    if not isinstance(expr, Basic) or not expr.args:
        return expr
    if isinstance(expr, Sum):
        return _evaluate_sum(Sum(evaluate_sums(expr.function), *expr.limits))
    node = expr.func(*[evaluate_sums(a) for a in expr.args])
    if not isinstance(node, Basic) or not node.args or type(node).doit is Basic.doit:
        return node
    return node.doit(deep=False)


def _evaluate_sum(total):
    """Sum.doit with its body already evaluated: each summation index first becomes a
    dummy that knows its range (a one-point range makes δ(0, l) one), as SymPy does."""
    stand_ins = {}
    for limit in total.limits:
        dummy = _dummy_with_inherited_properties_concrete(limit)
        if dummy:
            stand_ins[limit[0]] = dummy
    if not stand_ins:
        return _sum_limits(total)
    back = {v: k for k, v in stand_ins.items()}
    return _sum_limits(total.xreplace(stand_ins)).xreplace(back)


def _sum_limits(total):
    """Sum over the limits in order; stop at the first that cannot be summed (leaving the
    rest of them as a sum, as SymPy's Sum.doit does)."""
    body = total.function
    for n, (index, low, high) in enumerate(total.limits):
        if high - low == -1:
            return sympy.S.Zero
        summed = None if _has_no_closed_form(body, index, low, high) else \
            _sum_or_none(body, (index, low, high))
        if summed is None:
            return total if n == 0 else Sum(body, *total.limits[n:])
        body = summed
    return body if isinstance(body, Piecewise) else evaluate_sums(body)


def _sum_or_none(body, limit):
    """SymPy's sum of ``body`` over ``limit``, or None where SymPy cannot take it: its
    delta summation differentiates a delta's range, δ(p, Mod(k, n), (0, n - 1)) of a
    chain of Kronecker products, and fails on it (the sum then stands as it is)."""
    try:
        return eval_sum(body, limit)
    except AttributeError:
        return None


def _has_no_closed_form(body, index, low, high) -> bool:
    """True when ``index`` appears in ``body`` only as an index of matrix entries, over a
    range of unknown length, with no delta or case split on it: no sum formula applies."""
    if not body.has(index) or (high - low).is_Integer:
        return False
    if any(node.has(index) for node in body.atoms(KroneckerDelta, Piecewise)):
        return False
    entries = body.atoms(MatrixElement)
    if any(entry.args[0].has(index) for entry in entries):
        return False
    return not body.xreplace({entry: sympy.Dummy() for entry in entries
                              if entry.has(index)}).has(index)


def write_out_sums(expr):
    """Every index sum over a range of known length written out term by term (the
    exact check's entries at concrete sizes): ``xreplace`` per term, without SymPy's
    search for a shorter form, which the check does not need.

    >>> from sympy import MatrixSymbol, Sum, Symbol
    >>> k, A = Symbol("k", integer=True), MatrixSymbol("A", 2, 2)
    >>> write_out_sums(Sum(A[k, k], (k, 0, 1)))
    A[0, 0] + A[1, 1]
    """
    if not isinstance(expr, Basic) or not expr.args:
        return expr
    if isinstance(expr, Sum):
        body = write_out_sums(expr.function)
        if not all((high - low).is_Integer for _, low, high in expr.limits):
            return evaluate_sums(Sum(body, *expr.limits))
        terms = [body]
        for index, low, high in expr.limits:
            terms = [term.xreplace({index: value}) for term in terms
                     for value in range(int(low), int(high) + 1)]
        return sympy.Add(*terms)
    return expr.func(*[write_out_sums(a) for a in expr.args])


__all__ = ["evaluate_sums", "write_out_sums"]

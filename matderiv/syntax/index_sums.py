"""A finite sum in a rule's result: ``sum_for(j, a, b, T)`` is T(a) + T(a+1) + ... + T(b).

Rules only (``RULE_FUNCTIONS``): the bounds are numbers or bound variables (an integer
exponent k), and the body T is built once per value of the index ``j`` by the same
Builder, with ``j`` bound to that integer. So the product rule of a matrix power is one
rule application that writes all its terms at once,

    d(A^k) => sum_for(j, 0, k - 1, A^j*d(A)*A^(k - 1 - j))

(d(A^3) = dA A^2 + A dA A + A^2 dA), not k nested applications of d(A B) = dA B + A dB,
whose nested sums each later stage distributes again (time k^2 for a k-term result).

>>> from sympy import MatrixSymbol, Integer
>>> from matderiv.syntax.builder import Builder
>>> A = MatrixSymbol("A", 2, 2)
>>> Builder({"A": A, "k": Integer(3)}, rule_mode=True).build_text("sum_for(j, 0, k - 1, A^j)")
I + A**2 + A
"""

from __future__ import annotations

import sympy

from ..expressions import is_matrix, mat_add, shape_of
from .tree import Name

#: Most terms one ``sum_for`` may write (a rule result is bounded as a formula is).
MAX_INDEX_SUM_TERMS = 1_000


def build_index_sum(builder, node, build=None):
    """``sum_for(j, a, b, T)`` built by ``builder``: the sum of T for j = a, ..., b.
    ``build(part)``: how its parts are built (``builder.build``, or a rule's plan)."""
    build = builder.build if build is None else build
    index, lower, upper, body = node.args
    if not isinstance(index, Name):
        builder.error("sum_for takes its index as a name first: sum_for(j, a, b, T)", index)
    if index.id in builder.env:
        builder.error(f"the index {index.id!r} of sum_for is already bound", index)
    first, last = (_integer_bound(builder, bound, build) for bound in (lower, upper))
    count = last - first + 1
    if count < 1:
        builder.error(f"sum_for from {first} to {last} has no terms (its zero has no "
                      "shape)", node)
    if count > MAX_INDEX_SUM_TERMS:
        builder.error(f"sum_for from {first} to {last} would write {count} terms; the "
                      f"limit is {MAX_INDEX_SUM_TERMS}", node)
    terms = []
    try:
        for value in range(first, last + 1):
            builder.env[index.id] = sympy.Integer(value)
            terms.append(build(body))
    finally:
        builder.env.pop(index.id, None)
    if all(is_matrix(term) for term in terms):
        if len({tuple(shape_of(term)) for term in terms}) > 1:
            builder.error("the terms of sum_for differ in shape", node)
        return mat_add(*terms)
    if any(is_matrix(term) for term in terms):
        builder.error("sum_for adds matrices and scalars", node)
    return sympy.Add(*terms)


def _integer_bound(builder, node, build) -> int:
    value = build(node)
    if is_matrix(value) or not value.is_Integer:
        builder.error("a bound of sum_for must be an integer", node)
    return int(value)

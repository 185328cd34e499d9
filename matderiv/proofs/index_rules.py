"""∂(entry)/∂X_pq by index rules, one rule per node: the element-wise proof's "Derivative".

An entry in index form (``entry_form``) is a tree of sums, products, powers, matrix
entries, Kronecker deltas and scalar functions. Each node has its rule, the rules a
person uses on paper:

    Σ_k g                 Σ_k ∂g, then Σ_k δ_kp g(k) = g(p) (deltas summed away at once)
    a + b,  a b           ∂a + ∂b,  ∂a b + a ∂b
    u^c  (c free of X)    c u^(c-1) ∂u
    X_ab                  δ_ap δ_bq
    (M⁻¹)_ab              -Σ_kl (M⁻¹)_ak ∂M_kl (M⁻¹)_lb
    f(u)                  f'(u) ∂u, f' being the function's own derivative (SymPy's fdiff,
                          as the catalog's element-wise rules state it)
    det(M)                Σ_kl det(M) (M⁻¹)_lk ∂M_kl   (Jacobi's formula)
    f(M), f abstract      Σ_kl f'(M)_kl ∂M_kl

Each distinct node is differentiated once. SymPy's own ``diff`` gave the same derivative
(tests/test_index_rules.py compares them on random index expressions) but spent most of
an element-wise proof's time in its index calculus: assumptions asked of every index, and
a search for the closed form of every sum. A node none of the rules covers (a case split,
Abs, a power whose exponent holds X, an entry of a matrix function) is still
differentiated by SymPy, as every node was before (``sympy_derivative``): a node is never
given a derivative by guess, and never zero unless it does not hold X.

>>> from sympy import MatrixSymbol, Symbol
>>> from .entry_form import entry
>>> m, n = Symbol("m", integer=True, positive=True), Symbol("n", integer=True, positive=True)
>>> W, a = MatrixSymbol("W", m, n), MatrixSymbol("a", n, 1)
>>> i, p, q = (Symbol(s, integer=True, nonnegative=True) for s in "ipq")
>>> entry_derivative(entry(W * a, i, 0), W[p, q])
KroneckerDelta(i, p, (0, m - 1))*a[q, 0]
"""

from __future__ import annotations

import sympy
from sympy import (
    Add,
    Derivative,
    Determinant,
    Dummy,
    Function,
    Inverse,
    KroneckerDelta,
    Mul,
    Pow,
    S,
    Sum,
    Symbol,
    Tuple,
)
from sympy.core.function import ArgumentIndexError
from sympy.core.sympify import _sympify
from sympy.matrices.expressions.matexpr import MatrixElement

from ..expressions import AbstractFunction, AbstractGradient
from .entry_form import INDEX, applied, delta, element_of, entry
from .index_sums import evaluate_sums


def entry_derivative(expr, element):
    """∂expr/∂element: ``element`` is an entry X[p, q] of a matrix or a scalar symbol."""
    return deltas_summed(_IndexRules(element)(expr))


def deltas_summed(expr):
    """Every sum whose index a delta fixes summed away (``summed_away``), also in the
    parts the rules left as they were (δ_kl of an identity in the formula)."""
    if not expr.args or not expr.has(KroneckerDelta):
        return expr
    args = [deltas_summed(a) for a in expr.args]
    if isinstance(expr, Sum):
        return summed_away(args[0], expr.limits)
    if all(new is old for new, old in zip(args, expr.args, strict=True)):
        return expr
    return expr.func(*args)


class _IndexRules:
    """The rules above for one variable; remembers each node's derivative."""

    def __init__(self, element):
        self.element = element
        if isinstance(element, MatrixElement):
            self.target, self.row, self.col = element.args
        else:
            self.target = element
        self._derivatives: dict = {}
        self._mentions: dict = {}

    def mentions(self, expr) -> bool:
        """True when ``expr`` holds the variable (the matrix X, or the scalar t)."""
        found = self._mentions.get(expr)
        if found is None:
            found = self._mentions[expr] = expr == self.target or any(
                self.mentions(a) for a in expr.args)
        return found

    def __call__(self, expr):
        if not self.mentions(expr):
            return S.Zero
        found = self._derivatives.get(expr)
        if found is None:
            found = self._derivatives[expr] = self._rule(expr)
        return found

    def _rule(self, expr):
        if expr == self.target:
            return S.One
        rule = _RULES.get(type(expr))
        if rule is None:
            rule = next((r for cls, r in _RULES.items() if isinstance(expr, cls)), None)
        derivative = rule(self, expr) if rule is not None else None
        return self.by_sympy(expr) if derivative is None else derivative

    def by_sympy(self, expr):
        """SymPy's derivative of a node the rules do not cover."""
        return sympy_derivative(expr, self.element)

    def summed(self, body, limits):
        return summed_away(body, limits)


def _add(rules, expr):
    return Add(*[rules(a) for a in expr.args])


def _mul(rules, expr):
    args = expr.args
    terms = []
    for n, factor in enumerate(args):
        if rules.mentions(factor):
            derivative = rules(factor)
            if derivative != 0:
                terms.append(Mul(*args[:n], derivative, *args[n + 1:]))
    return Add(*terms)


def _pow(rules, expr):
    base, exponent = expr.args
    if rules.mentions(exponent):
        return None  # u^v with v holding X: SymPy's rule, with log(u)
    return Mul(exponent, Pow(base, exponent - 1), rules(base))


def _sum(rules, expr):
    limits = expr.limits
    if any(rules.mentions(bound) for _, low, high in limits for bound in (low, high)):
        return None
    inner = rules(expr.function)
    return S.Zero if inner == 0 else rules.summed(inner, limits)


def _matrix_entry(rules, expr):
    parent, row, col = expr.args
    if parent == rules.target:
        # ∂X_ab/∂X_pq = δ_ap δ_bq, each delta knowing the range of its indices.
        rows, cols = parent.shape
        return Mul(delta(row, rules.row, (0, rows - 1)), delta(col, rules.col, (0, cols - 1)))
    if isinstance(parent, Inverse):
        # ∂(M⁻¹)_ab = -Σ_kl (M⁻¹)_ak ∂M_kl (M⁻¹)_lb
        matrix = parent.arg
        k, c = Dummy("z1", **INDEX), Dummy("z2", **INDEX)
        inner = rules(entry(matrix, k, c))
        if inner == 0:
            return S.Zero
        body = Mul(element_of(parent, row, k), inner, element_of(parent, c, col))
        rows, cols = matrix.shape
        return -rules.summed(body, ((k, 0, rows - 1), (c, 0, cols - 1)))
    return None  # an entry of another matrix holding X: SymPy's (which may not know it)


def _through_entries(rules, expr, weight):
    """Σ_kl weight(k, l) ∂M_kl over the entries of the matrix M of ``expr``."""
    matrix = expr.arg
    k, c = Dummy("k", **INDEX), Dummy("l", **INDEX)
    inner = rules(entry(matrix, k, c))
    if inner == 0:
        return S.Zero
    rows, cols = matrix.shape
    return rules.summed(Mul(weight(k, c), inner), ((k, 0, rows - 1), (c, 0, cols - 1)))


def _determinant(rules, expr):
    # Jacobi: ∂det(M)/∂M_kl = det(M) (M⁻¹)_lk
    matrix = expr.arg
    inverse = matrix.arg if isinstance(matrix, Inverse) else Inverse(matrix)  # (M⁻¹)⁻¹ = M
    return _through_entries(rules, expr, lambda k, c: expr * element_of(inverse, c, k))


def _abstract(rules, expr):
    gradient = AbstractGradient(expr.function, expr.arg)
    return _through_entries(rules, expr, lambda k, c: element_of(gradient, k, c))


def _function(rules, expr):
    """The chain rule through f'(u), for functions that take their derivative from
    ``fdiff`` as SymPy's own Function does (not Abs, sign, Max: SymPy's rules)."""
    if type(expr)._eval_derivative is not Function._eval_derivative:
        return None
    terms = []
    for n, arg in enumerate(expr.args, start=1):
        if not rules.mentions(arg):
            continue
        try:
            outer = _outer_derivative(expr, n)
        except ArgumentIndexError:
            return None
        if outer.has(Derivative, sympy.Subs):
            return None  # f' unknown: SymPy's way, which says so
        terms.append(Mul(outer, rules(arg)))
    return Add(*terms)


def _outer_derivative(expr, n):
    """f'(u), the derivative of ``expr`` = f(u, ...) by its n-th argument: ``fdiff`` at
    stand-ins for the arguments, which are then put in (``substitute``: f(u) built as the
    entry built it, without asking the assumptions of u again)."""
    stand_ins = [Dummy() for _ in expr.args]
    at_stand_ins = expr.func(*stand_ins)
    if not isinstance(at_stand_ins, type(expr)):
        return expr.fdiff(n)  # f of bare symbols evaluates to something else: as it is
    return substitute(at_stand_ins.fdiff(n), dict(zip(stand_ins, expr.args, strict=True)))


#: The rule of each kind of node (looked up by type, then by isinstance in this order).
_RULES = {
    Add: _add,
    Mul: _mul,
    Pow: _pow,
    Sum: _sum,
    MatrixElement: _matrix_entry,
    Determinant: _determinant,
    AbstractFunction: _abstract,
    Function: _function,
}


def summed_away(body, limits):
    """Σ over ``limits`` of ``body``, every summation index that a Kronecker delta fixes
    summed away: Σ_k δ_kp g(k) = g(p); and a sum over one index value, its one term.

    Valid because p lies in k's range: a delta with its range stated is summed only over
    that same range; one without (an identity's entries, δ_ij of I) compares two indices
    of one dimension of one matrix, which is the range its summation index runs over.
    A sum of terms is summed term by term; terms whose remaining indices agree stay
    under one Σ.

    >>> from sympy import MatrixSymbol, Symbol
    >>> n = Symbol("n", integer=True, positive=True)
    >>> k, p = Dummy("k", integer=True), Symbol("p", integer=True)
    >>> a = MatrixSymbol("a", n, 1)
    >>> summed_away(KroneckerDelta(k, p, (0, n - 1)) * a[k, 0], ((k, 0, n - 1),))
    a[p, 0]
    """
    limits = tuple(tuple(_sympify(bound) for bound in limit) for limit in limits)
    indices = {limit[0] for limit in limits}
    groups: dict = {}
    for term in _distributed(Add.make_args(body), indices):
        term, left = _collapse(term, limits)
        groups.setdefault(left, []).append(term)
    return Add(*[_sum_of(terms, left) for left, terms in groups.items()])


def _sum_of(terms, limits):
    """Σ over ``limits`` of the sum of ``terms``; the factors of a single term that no
    summation index enters are written before the Σ (Σ_k c g(k) = c Σ_k g(k))."""
    if not limits:
        return Add(*terms)
    if len(terms) > 1:
        return Sum(Add(*terms), *limits)
    indices = [limit[0] for limit in limits]
    inside, outside = [], []
    for factor in Mul.make_args(terms[0]):
        (inside if any(factor.has(k) for k in indices) else outside).append(factor)
    if not inside:
        inside = [S.One]
    return Mul(*outside, Sum(Mul(*inside), *limits))


def _distributed(terms, indices):
    """The terms with every factor that is a sum holding a delta of a summation index
    multiplied out: (δ_kp a + δ_kq b) c = δ_kp a c + δ_kq b c, so that each delta meets
    its Σ_k."""
    found = []
    for term in terms:
        factors = Mul.make_args(term)
        split = next((n for n, f in enumerate(factors) if isinstance(f, Add) and any(
            d.args[0] in indices or d.args[1] in indices
            for d in f.atoms(KroneckerDelta))), None)
        if split is None:
            found.append(term)
            continue
        rest = factors[:split] + factors[split + 1:]
        found.extend(_distributed([Mul(part, *rest) for part in factors[split].args], indices))
    return found


def _collapse(term, limits):
    """``term`` with each index of ``limits`` that one of its deltas fixes put in, and the
    limits left over."""
    left = list(limits)
    progress = True
    while progress and left:
        progress = False
        for limit in left:
            found = _fixing_delta(term, limit)
            if found is not None:
                delta, value = found
                rest = list(Mul.make_args(term))
                rest.remove(delta)
                term = substitute(Mul(*rest), {limit[0]: value})
                left.remove(limit)
                progress = True
                break
    for limit in list(left):
        index, low, high = limit
        if low == high:  # Σ_{k=a..a} g(k) = g(a)
            term = substitute(term, {index: low})
            left.remove(limit)
    return term, tuple(left)


def _fixing_delta(term, limit):
    """A factor δ(k, e) of ``term`` fixing the summation index k to e, and e; or None."""
    index, low, high = limit
    for factor in Mul.make_args(term):
        if not isinstance(factor, KroneckerDelta):
            continue
        first, second = factor.args[:2]
        if first == index:
            value = second
        elif second == index:
            value = first
        else:
            continue
        if value.has(index):
            continue
        if len(factor.args) == 3 and factor.args[2] != Tuple(low, high):
            continue  # a delta over another range (never made so): left as it stands
        return factor, value
    return None


def substitute(expr, mapping):
    """``expr.xreplace(mapping)`` for index symbols (one index for another, or a name for
    display), rebuilt without SymPy's checks where an index cannot change them: a matrix
    entry without the check of its indices (``element_of``), a function of an argument
    that is not a number without its ``eval``, which asks the assumptions of the whole
    argument (tanh of a sum of index sums: most of the time of building a derivative)
    and rewrites it only into an equal form. Deltas, sums and products are built as
    SymPy builds them (a delta of equal indices is 1)."""
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    args = [substitute(a, mapping) for a in expr.args]
    if all(new is old for new, old in zip(args, expr.args, strict=True)):
        return expr
    if isinstance(expr, MatrixElement):
        return element_of(*args)
    if isinstance(expr, Function) and not isinstance(expr, _INDEX_FUNCTIONS):
        return applied(expr.func, *args)
    return expr.func(*args)


#: Functions of indices, evaluated whenever an index is put in (δ_pp = 1).
_INDEX_FUNCTIONS = (KroneckerDelta, sympy.Mod, sympy.floor, sympy.Max, sympy.Min)


def sympy_derivative(expr, element):
    """SymPy's ∂expr/∂element, with the chain rule through det(M) and abstract f(Y) (which
    SymPy does not know): how every entry was differentiated before the rules above, now
    for the nodes they do not cover."""
    opaque = [a for a in sympy.preorder_traversal(expr)
              if isinstance(a, (Determinant, AbstractFunction))]
    if not opaque:
        derivative = sympy.diff(expr, element)
        if isinstance(element, Symbol):
            # By a scalar t, SymPy's doit() would rewrite the index sums of inverse
            # entries as matrix products, at a cost that grows beyond any budget
            # (x'(A + tB)⁻¹x): the sums stay, only their Kronecker deltas are summed away.
            return collapse_deltas(derivative)
        return collapse_deltas(evaluate_sums(derivative))
    node = opaque[0]
    stand_in = Dummy("s")
    replaced = expr.xreplace({node: stand_in})
    outer = sympy.diff(replaced, stand_in).xreplace({stand_in: node})
    matrix = node.arg
    k, c = Dummy("k", **INDEX), Dummy("l", **INDEX)
    if isinstance(node, Determinant):
        # Jacobi: ∂det(M)/∂M_kc = det(M) (M⁻¹)_ck
        weight = node * sympy.Inverse(matrix)[c, k]
    else:
        weight = MatrixElement(AbstractGradient(node.function, matrix), k, c)
    inner = sympy_derivative(entry(matrix, k, c), element)
    rows, cols = matrix.shape
    chain = evaluate_sums(Sum(weight * inner, (k, 0, rows - 1), (c, 0, cols - 1)))
    rest = sympy_derivative(replaced, element).xreplace({stand_in: node})
    return collapse_deltas(evaluate_sums(outer * chain + rest))


def collapse_deltas(expr):
    """Σ_l δ_lq g(l) = g(q): eliminate every summation index fixed by a Kronecker delta.

    Valid because the other index of the delta (an entry index) lies in the summation
    range (both index the same dimension).
    """
    if not isinstance(expr, sympy.Basic) or not expr.args:
        return expr
    expr = expr.func(*[collapse_deltas(a) for a in expr.args])
    if not isinstance(expr, Sum):
        return expr
    body, limits = expr.function, list(expr.limits)
    for limit in list(limits):
        index = limit[0]
        for term in sympy.Mul.make_args(body):
            if isinstance(term, sympy.KroneckerDelta) and index in term.args[:2]:
                other = term.args[1] if term.args[0] == index else term.args[0]
                if not other.has(index):
                    body = body.xreplace({term: 1}).xreplace({index: other})
                    limits.remove(limit)
                    break
    return Sum(body, *limits) if limits else body


__all__ = ["collapse_deltas", "entry_derivative", "substitute", "summed_away",
           "sympy_derivative"]

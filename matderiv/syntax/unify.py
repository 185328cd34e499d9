"""Sizes as unknowns, for shape inference: union-find with a trail that can be undone.

A size is free (an unknown), a whole number, a named size (declared, or written in a
formula's ``I(n)``), or a product of sizes (the rows of ``kron(A, B)``, the length of
``vec(X)``). ``unify`` makes two sizes equal or answers False when they cannot be;
everything it does can be taken back (``mark``, ``undo``), so that a reading of the
formula can be tried and dropped. An equation between products that does not fix its
factors (a*b = p*q) waits in ``pending`` until more is known (``settle``).

Each free size remembers where it came from (``origin``): the rows of a small-letter
name (a column that may turn out 1 x 1, a scalar), a size of a capital name (a matrix),
or an expression. Inference weighs readings by which of them a reading makes 1.

>>> sizes = Sizes()
>>> a, b = sizes.free(), sizes.free()
>>> sizes.unify(a, sizes.number(3)), sizes.unify(b, a), sizes.find(b).value
(True, True, 3)
>>> p, q = sizes.free(), sizes.free()
>>> sizes.unify(sizes.product([p, q]), sizes.product([sizes.named("m"), q])), sizes.text(p)
(True, 'm')
"""

from __future__ import annotations

import math

#: Where a free size comes from: an expression, a small-letter name's rows, a capital
#: name's rows or columns.
EXPRESSION, VECTOR, MATRIX = 0, 1, 2


class Size:
    """A node of the union-find: its ``value`` (None while free, an int, a size name,
    or a tuple of factor Sizes) is the value of its whole class when it is the root."""

    __slots__ = ("parent", "value", "origin", "rank")

    def __init__(self, value=None, origin: int = EXPRESSION):
        self.parent: Size | None = None
        self.value = value
        self.origin = origin
        self.rank = 0


class Sizes:
    """The sizes of one inference, with the trail of every change and the equations
    between products that wait for more to be known."""

    def __init__(self):
        self.trail: list[tuple] = []
        self.pending: list[tuple] = []  # (left, right, where) equations of products
        self.one = Size(1)
        self._named: dict[str, Size] = {}

    # -- making sizes --------------------------------------------------------
    def free(self, origin: int = EXPRESSION) -> Size:
        return Size(None, origin)

    def number(self, value: int) -> Size:
        return self.one if value == 1 else Size(value)

    def named(self, name: str) -> Size:
        if name not in self._named:
            self._named[name] = Size(name)
        return self._named[name]

    def product(self, factors) -> Size:
        factors = [f for f in factors if not self.is_one(f)]
        if not factors:
            return self.one
        return factors[0] if len(factors) == 1 else Size(tuple(factors))

    # -- reading -------------------------------------------------------------
    def find(self, size: Size) -> Size:
        while size.parent is not None:
            size = size.parent
        return size

    def is_one(self, size: Size) -> bool:
        return self.find(size).value == 1

    def factors(self, size: Size) -> tuple[int, list, list]:
        """(whole number, size names, free roots) whose product ``size`` is, in the
        order written."""
        root = self.find(size)
        value = root.value
        if value is None:
            return 1, [], [root]
        if isinstance(value, int):
            return value, [], []
        if isinstance(value, str):
            return 1, [value], []
        number, names, free = 1, [], []
        for factor in value:
            n, more_names, more_free = self.factors(factor)
            number, names, free = number * n, names + more_names, free + more_free
        return number, names, free

    def text(self, size: Size, names: dict | None = None) -> str:
        """The size as ``-s`` writes it (``m*n``); ``names`` names free roots."""
        number, named, free = self.factors(size)
        parts = ([str(number)] if number != 1 or not (named or free) else []) + named + [
            (names or {}).get(root, "?") for root in free]
        return "*".join(parts)

    # -- trying and taking back ----------------------------------------------
    def mark(self) -> tuple[int, int]:
        return len(self.trail), len(self.pending)

    def undo(self, mark: tuple[int, int]) -> None:
        changes, pending = mark
        while len(self.trail) > changes:
            size, parent, origin, rank = self.trail.pop()
            size.parent, size.origin, size.rank = parent, origin, rank
        del self.pending[pending:]

    def _link(self, child: Size, root: Size, origin: int | None = None) -> None:
        self.trail.append((child, child.parent, child.origin, child.rank))
        self.trail.append((root, root.parent, root.origin, root.rank))
        child.parent = root
        if origin is not None:
            root.origin = origin
        if child.rank == root.rank:
            root.rank += 1

    # -- equations -----------------------------------------------------------
    def unify(self, a: Size, b: Size, where=None) -> bool:
        """Make ``a`` and ``b`` equal; False where they cannot be (3 and 4, m and n)."""
        ra, rb = self.find(a), self.find(b)
        if ra is rb:
            return True
        if ra.value is None and rb.value is None:
            child, root = (ra, rb) if ra.rank <= rb.rank else (rb, ra)
            self._link(child, root, max(ra.origin, rb.origin))
            return True
        if ra.value is None or rb.value is None:
            free, other = (ra, rb) if ra.value is None else (rb, ra)
            if not any(f is free for f in self.factors(other)[2]):
                self._link(free, other)
                return True
        return self._equate(ra, rb, where)

    def _equate(self, a: Size, b: Size, where) -> bool:
        """Two products (or numbers, or names) made equal, as far as that fixes them."""
        (na, names_a, free_a), (nb, names_b, free_b) = _cancelled(self.factors(a),
                                                                  self.factors(b))
        if not free_a and not free_b:
            return na == nb == 1 and not names_a and not names_b
        if free_a and free_b:
            for (n, names, free), other in (((na, names_a, free_a), (nb, names_b, free_b)),
                                            ((nb, names_b, free_b), (na, names_a, free_a))):
                if len(free) == 1 and n == 1 and not names:
                    return self.unify(free[0], self._made(*other))
            self.pending.append((a, b, where))
            return True
        known, (n, names, free) = ((na, names_a), (nb, names_b, free_b)) if not free_a \
            else ((nb, names_b), (na, names_a, free_a))
        if names or n != 1:
            # what is left on the free side must divide what is known: after cancelling
            # it shares nothing with it, so it must be 1
            return False
        if len(free) == 1:
            return self.unify(free[0], self._made(known[0], known[1], []))
        if known == (1, []):
            return all(self.unify(f, self.one) for f in free)
        if all(f is free[0] for f in free):  # n*n = 9, n*n = m*m: a k-th root
            root = _root(*known, len(free))
            return root is not None and self.unify(free[0], self._made(*root, []))
        self.pending.append((a, b, where))
        return True

    def _made(self, number: int, names: list, free: list) -> Size:
        return self.product(([self.number(number)] if number != 1 else [])
                            + [self.named(n) for n in names] + list(free))

    def settle(self) -> tuple[list, list]:
        """Solve the waiting equations as far as they can be; then a product of free
        sizes equal to a product of as many named sizes takes them in order (the
        vec(X) of K(m, n) vec(X) is m x n). Returns (failed, open): equations that
        cannot hold, and those that fix only a product, each as (left, right, where)."""
        failed: list[tuple] = []
        for default in (False, True):
            changed = True
            while changed and self.pending:
                changed = False
                waiting, self.pending = self.pending, []
                for a, b, where in waiting:
                    if default and self._in_order(a, b):
                        changed = True
                        continue
                    count = len(self.pending)
                    if not self._equate(self.find(a), self.find(b), where):
                        failed.append((a, b, where))
                    changed = changed or len(self.pending) == count
        return failed, list(self.pending)

    def _in_order(self, a: Size, b: Size) -> bool:
        (na, names_a, free_a), (nb, names_b, free_b) = _cancelled(self.factors(a),
                                                                  self.factors(b))
        for (n, names, free), (m, names2, free2) in (
                ((na, names_a, free_a), (nb, names_b, free_b)),
                ((nb, names_b, free_b), (na, names_a, free_a))):
            if n == m == 1 and not free and not names2 and len(names) == len(free2) > 1:
                pairs = zip(free2, names, strict=True)
                return all(self.unify(f, self.named(name)) for f, name in pairs)
        return False


def _root(number: int, names: list, k: int):
    """(number, names) whose k-th power is number * names, if there is one."""
    root = round(number ** (1 / k))
    root = next((r for r in (root - 1, root, root + 1) if r > 0 and r ** k == number), None)
    counts = {name: names.count(name) for name in names}
    if root is None or any(count % k for count in counts.values()):
        return None
    return root, [name for name in dict.fromkeys(names) for _ in range(counts[name] // k)]


def _cancelled(left: tuple, right: tuple) -> tuple[tuple, tuple]:
    """Both sides of an equation of products with their common factors divided out."""
    (na, names_a, free_a), (nb, names_b, free_b) = left, right
    common = math.gcd(na, nb)
    names_a, names_b = _without_common(names_a, names_b, lambda x, y: x == y)
    free_a, free_b = _without_common(free_a, free_b, lambda x, y: x is y)
    return (na // common, names_a, free_a), (nb // common, names_b, free_b)


def _without_common(left: list, right: list, same) -> tuple[list, list]:
    right = list(right)
    kept = []
    for item in left:
        match = next((i for i, other in enumerate(right) if same(item, other)), None)
        if match is None:
            kept.append(item)
        else:
            del right[match]
    return kept, right

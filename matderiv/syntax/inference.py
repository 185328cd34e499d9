"""Shapes inferred from the formula: every name a formula uses that has no declared shape
gets one, from what the formula itself says, as a reader of the formula on paper would.

>>> inferred = infer_shapes(parse("x'*A*x + b'*x"))
>>> inferred.shapes
{'x': ('n', 1), 'A': ('n', 'n'), 'b': ('n', 1)}

Each name starts with a shape of unknown sizes (``unify.Sizes``); each operation of
the syntax tree equates sizes (unification), as a product fixes its inner sizes:

========================================  ==============================================
written                                   what it fixes
========================================  ==============================================
``A*B``                                   A's columns = B's rows, or a 1 x 1 side scales
``A + B``, ``A .* B``, ``dot(A, B)``      equal shapes, or a 1 x 1 side meets every entry
``A'``                                    rows and columns swapped
``tr``, ``det``, ``logdet``, ``inv``,     a square argument
``A^k``
``x/k``, ``A^k``, ``A.^k``                k 1 x 1 (with a non-number k, A 1 x 1 too)
``kron(A, B)``, ``vec(A)``, ``K(m, n)``   sizes that are products (m*n)
``I(n)``, ``ones(k)``, ``ones(m, n)``     sizes by name or number
``diag(v)``, ``norm(x, 2)``               a column (a vector)
``sum``, ``norm``, ``f(Y)``               a 1 x 1 result; ``f'(Y)`` has Y's shape
``exp(X)`` and every element-wise         X's shape
function, ``softmax``
========================================  ==============================================

That is ``CALL_SHAPES`` for the functions: one entry each (a new function of the grammar
needs one; a test checks that every function has it).

A 1 x 1 matrix reads as a scalar wherever a scalar fits, so ``a*B`` can be a scalar
scaling B or a product with a's columns = B's rows. Such choices are made by these
conventions, in order, each choice as soon as the formula reaches it, left to right:

1. A capitalised name (A, W1, Sigma) is a matrix; any other name (x, b, lambda) is a
   column: a vector, or a scalar where it is 1 x 1.
2. A small-letter name (or a sum of them and numbers, ``a + b``) written as a factor on
   the left (``a*B``, ``c*x``, ``lambda*norm(w)^2``) is a scalar, unless on its right
   stands a row (``x*y'``, an outer product) or a number (``x*2``); one added to a 1 x 1
   that is not a number (``c + tr(X)``) is a scalar. A number is a scalar: ``x + 1``
   adds 1 to every entry.
3. Otherwise the reading that makes the fewest sizes of capitalised names 1, then the
   fewest of the other names; between equals, the product (or equal shapes) first.

Declared shapes win: their sizes are fixed, and a reading against them is not taken.
Where the formula contradicts itself or a declaration, the ``Builder`` then reports it
as it always has. Free sizes are named n, m, p, q, r, ... in order of first appearance
(skipping the formula's and the declared names); a name whose sizes end 1 x 1 is a
scalar. Open (an error naming the names, asking for ``-s``): a size fixed only as part
of a product (kron(A, B)*kron(C, D): A's columns times B's as C's rows times D's).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy
from sympy import MatrixSymbol

from ..errors import MatDerivError
from ..expressions import ALIASES, ELEMENTWISE
from .builder import parse_formula
from .grammar import BARE_NAMES, FUNCTIONS
from .limits import MAX_SIZE
from .parser import parse
from .shapes import declare
from .tree import Binary, Call, Name, Num, Postfix, Unary
from .unify import EXPRESSION, MATRIX, VECTOR, Size, Sizes

#: Names given to free sizes, in this order (then n1, m1, ...), skipping names in use.
SIZE_NAMES = ("n", "m", "p", "q", "r", "s", "t", "u", "v", "w")


@dataclass(frozen=True)
class Inferred:
    """What a formula says about the names it uses beyond the declared shapes."""

    shapes: dict   # each undeclared name -> () (a scalar) or (rows, cols) as -s writes them
    sizes: tuple   # size names the formula writes (the n of I(n)) that nothing declares
    names: tuple   # every name of the formula, declared or not, in order of appearance


class Shape:
    """The shape of one node: rows and columns (Sizes); ``number``: made of numbers
    only; ``name``: the undeclared small-letter name it is (``x``, ``-x``), if any."""

    __slots__ = ("rows", "cols", "number", "name")

    def __init__(self, rows: Size, cols: Size, number: bool = False, name: str | None = None):
        self.rows, self.cols, self.number, self.name = rows, cols, number, name


# -- the functions of the grammar: one rule each ------------------------------------------

def _of_sizes(rule):
    """A function of sizes (``I(n)``, ``ones(m, n)``): its arguments are read as sizes."""
    rule.of_sizes = True
    return rule


def _square_scalar(inference, call, args):
    inference.square(args[0], call)
    return inference.scalar()


def _square(inference, call, args):
    inference.square(args[0], call)
    return Shape(args[0].rows, args[0].cols)


def _axis(call) -> int | None:
    """The axis of sum(A, d) and its kind, written as the number 1 or 2; else None."""
    arg = call.args[1]
    return int(arg.value) if isinstance(arg, Num) and arg.value in ("1", "2") else None


def _sum(inference, call, args):
    """sum, mean, logsumexp: a scalar, or along axis 1 a row (1 x n), along 2 a column."""
    if len(args) == 1:
        return inference.scalar()
    axis = _axis(call)
    if axis is None:
        return None
    one = inference.sizes.one
    return Shape(one, args[0].cols) if axis == 1 else Shape(args[0].rows, one)


def _same(inference, call, args):
    return Shape(args[0].rows, args[0].cols, args[0].number)


def _kron(inference, call, args):
    inference.need_matrix(call.args, args)
    sizes = inference.sizes
    return Shape(sizes.product([a.rows for a in args]), sizes.product([a.cols for a in args]))


def _stacked(inference, call, args):
    return Shape(inference.sizes.product([args[0].rows, args[0].cols]), inference.sizes.one)


def _norm(inference, call, args):
    # norm(x, p) is read as a vector's p-norm; norm(X, 2) of a matrix (the spectral norm)
    # needs X's shape declared, as before that norm was differentiated.
    if len(args) == 2:  # norm(x, p), a p-norm: of a vector
        one = inference.sizes.one
        inference.choose(call, [([(args[0].cols, one)], None), ([(args[0].rows, one)], None)])
    return inference.scalar()


def _inner(inference, call, args):
    return inference.meet(args[0], args[1], call, scalar_result=True)


def _diag(inference, call, args):
    """diag(v) of a column v is v's diagonal matrix; diag(X) of a square X its diagonal.
    A small-letter name is read as a vector, a capital as a square."""
    inference.need_matrix(call.args, args)
    one, (arg,) = inference.sizes.one, args
    vector = isinstance(call.args[0], Name) and call.args[0].id[:1].islower()
    return inference.choose(call, [([(arg.cols, one)], Shape(arg.rows, arg.rows)),
                                   ([(arg.rows, arg.cols)], Shape(arg.rows, one))],
                            preferred=0 if vector else 1)


def _extremum(inference, call, args):
    """max(A, B), min(A, B) entry by entry: equal shapes, or a 1 x 1 meeting every entry."""
    return inference.meet(args[0], args[1], call)


def _abstract(inference, call, args):
    """f(Y), an abstract smooth scalar function of a matrix Y."""
    inference.need_matrix(call.args, args)
    return inference.scalar()


@_of_sizes
def _identity(inference, call, sizes):
    return Shape(sizes[0], sizes[0])


@_of_sizes
def _commutation(inference, call, sizes):
    both = inference.sizes.product(sizes)
    return Shape(both, both)


@_of_sizes
def _diagonal_embedding(inference, call, sizes):
    return Shape(inference.sizes.product([sizes[0], sizes[0]]), sizes[0])


@_of_sizes
def _ones(inference, call, sizes):
    return Shape(sizes[0], sizes[1] if len(sizes) > 1 else inference.sizes.one)


def _column_of_square(inference, call, args):
    """eigvec_max(S): a column of S's size."""
    inference.square(args[0], call)
    return Shape(args[0].rows, inference.sizes.one)


def _transposed(inference, call, args):
    """pinv(X): n x m of an m x n X."""
    return Shape(args[0].cols, args[0].rows)


def _frechet(inference, call, args):
    """frechet_expm(X, E): E of X's shape, a square; frechet_expm(X): n² x n²."""
    inference.square(args[0], call)
    if len(args) == 2:
        inference.require([(args[0].rows, args[1].rows), (args[0].cols, args[1].cols)], call)
        return Shape(args[0].rows, args[0].cols)
    both = inference.sizes.product([args[0].rows, args[0].rows])
    return Shape(both, both)


def _any_scalar(inference, call, args):
    return inference.scalar()


#: How each function of the grammar shapes its result: name -> rule(inference, call,
#: args), ``args`` the arguments' Shapes (their Sizes for a function of sizes), giving
#: the result's Shape, or None for a form it has no rule for (then a formula with names
#: to infer is refused, naming the call). A new function of the grammar is one entry
#: here; docs/shapes.md shows how.
CALL_SHAPES = {
    "tr": _square_scalar, "det": _square_scalar, "logdet": _square_scalar, "inv": _square,
    "kron": _kron, "sum": _sum, "mean": _sum, "logsumexp": _sum, "norm": _norm,
    "dot": _inner, "inner": _inner, "vec": _stacked, "vecr": _stacked, "diag": _diag,
    "softmax": _same, "square": _same, "conj": _same, "real": _same, "imag": _same,
    "I": _identity, "K": _commutation, "ones": _ones,
    "Delta": _diagonal_embedding,
    **{name: _same for name in ELEMENTWISE}, **{name: _same for name in ALIASES},
    "max": _extremum, "min": _extremum,
    "unvec": lambda inference, call, args: None,  # (no rule yet: its names are declared)
    "eigmax": _square_scalar, "eigmin": _square_scalar, "eigvec_max": _column_of_square,
    "eigvec_min": _column_of_square, "nucnorm": _any_scalar, "specnorm": _any_scalar,
    "svd_uv1": _same, "svd_uv": _same, "expm": _square, "logm": _square, "sqrtm": _square,
    "pinv": _transposed, "frechet_expm": _frechet, "frechet_logm": _frechet,
    "frechet_sqrtm": _frechet,
    "D": lambda inference, call, args: None,  # n(n+1)/2 columns: its names are declared
}


# -- the inference -------------------------------------------------------------------------

def infer_shapes(tree, declared: Mapping | None = None, *, source: str | None = None
                 ) -> Inferred:
    """The shapes of the names of ``tree`` that ``declared`` (name -> SymPy object, as
    ``declare`` makes) lacks. Raises MatDerivError where the formula leaves a shape open;
    a contradiction is left for the Builder to report where it is."""
    return _Inference(declared or {}, source).run(tree)


class _Inference:
    def __init__(self, declared: Mapping, source: str | None):
        self.declared = declared
        self.source = source
        self.sizes = Sizes()
        self.shapes: dict[str, Shape] = {}      # every name, in order of appearance
        self.size_names: set[str] = set()       # names the formula writes as sizes
        self.matrices: list = []                # (argument, Shape) needed as matrices
        self.words: set[str] = set()            # every word of the formula
        self.unknown: list = []                 # calls no rule shapes

    # -- the walk ------------------------------------------------------------
    def run(self, tree) -> Inferred:
        self.scan(tree)
        self.visit(tree)
        _, still_open = self.sizes.settle()  # (what failed, the Builder reports)
        if self.unknown and any(name not in self.declared for name in self.shapes):
            call = self.unknown[0]
            raise MatDerivError(f"shapes cannot be inferred through {call.name}(...) yet: "
                                "declare the shapes of the names in it (-s)",
                                source=self.source, span=call.span)
        names = self.name_sizes()
        if still_open:
            self.refuse_open(still_open[0], names)
        matrices = self.matrix_names()
        inferred = {name: self.written(name, names, name in matrices) for name in self.shapes
                    if name not in self.declared}
        sizes = tuple(sorted(n for n in self.size_names if n not in self.declared))
        return Inferred(inferred, sizes, tuple(self.shapes))

    def scan(self, tree) -> None:
        """Every word of the formula, and the names written as sizes (the n of I(n))."""
        stack = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, Name):
                self.words.add(node.id)
            elif isinstance(node, Call):
                self.words.add(node.name)
                rule = CALL_SHAPES.get(node.name)
                if getattr(rule, "of_sizes", False) and not node.prime:
                    self.size_names |= {a.id for a in node.args if isinstance(a, Name)
                                        and not isinstance(self.declared.get(a.id),
                                                           MatrixSymbol)}
                stack += node.args
            else:
                stack += [getattr(node, part) for part in ("operand", "left", "right")
                          if hasattr(node, part)]

    def visit(self, node) -> Shape:
        if isinstance(node, Num):
            return Shape(self.sizes.one, self.sizes.one, number=True)
        if isinstance(node, Name):
            return self.visit_name(node)
        if isinstance(node, Unary):
            inner = self.visit(node.operand)
            return Shape(inner.rows, inner.cols, inner.number, inner.name)
        if isinstance(node, Postfix):
            inner = self.visit(node.operand)
            return Shape(inner.cols, inner.rows, inner.number)
        if isinstance(node, Binary):
            return self.visit_binary(node)
        if isinstance(node, Call):
            return self.visit_call(node)
        return self.fresh()

    def visit_name(self, node: Name) -> Shape:
        if node.id in FUNCTIONS and node.id not in BARE_NAMES:
            return self.fresh()  # the Builder says: write tr(...)
        if node.id in self.size_names and node.id not in self.declared:
            return self.scalar()  # a size used as a number: n*X
        shape = self.shapes.get(node.id)
        if shape is None:
            shape = self.shapes[node.id] = self.first_shape(node.id)
        return Shape(shape.rows, shape.cols, name=shape.name)

    def first_shape(self, name: str) -> Shape:
        value = self.declared.get(name)
        if isinstance(value, MatrixSymbol):
            return Shape(*(self.declared_size(size) for size in value.shape))
        if value is not None or name in self.size_names:
            return self.scalar()  # a declared scalar, or a size used as a number
        if name[0].isupper():
            return Shape(self.sizes.free(MATRIX), self.sizes.free(MATRIX))
        return Shape(self.sizes.free(VECTOR), self.sizes.one, name=name)

    def declared_size(self, size) -> Size:
        if isinstance(size, sympy.Integer):
            return self.sizes.number(int(size))
        if isinstance(size, sympy.Symbol):
            return self.sizes.named(size.name)
        if isinstance(size, sympy.Mul):
            return self.sizes.product([self.declared_size(f) for f in size.args])
        if isinstance(size, sympy.Pow) and size.exp.is_Integer and size.exp > 0:
            return self.sizes.product([self.declared_size(size.base)] * int(size.exp))
        return self.sizes.named(str(size))

    def visit_binary(self, node: Binary) -> Shape:
        left, right = self.visit(node.left), self.visit(node.right)
        op, one = node.op, self.sizes.one
        number = left.number and right.number
        if op in ("*", "@"):
            # A small-letter factor on the left scales, unless a row or a number follows.
            scales = (self.undecided(left) and not right.number
                      and not (self.sizes.is_one(right.rows)
                               and not self.sizes.is_one(right.cols)))
            result = self.choose(node, [
                ([(left.cols, right.rows)], Shape(left.rows, right.cols)),
                ([(left.rows, one), (left.cols, one)], Shape(right.rows, right.cols)),
                ([(right.rows, one), (right.cols, one)], Shape(left.rows, left.cols)),
            ], preferred=1 if scales else None)
        elif op in ("+", "-", ".*", "./"):
            result = self.meet(left, right, node, added=op in ("+", "-"))
            if op in ("+", "-") and (left.name or left.number) and (right.name or right.number):
                result.name = left.name or right.name  # x + y, x - 1: still name-like
        elif op == "/":
            self.require([(right.rows, one), (right.cols, one)], node.right)
            result = Shape(left.rows, left.cols)
        elif op in ("^", ".^"):
            self.require([(right.rows, one), (right.cols, one)], node.right)
            if op == "^" and not right.number:  # a symbolic power: of a scalar only
                self.require([(left.rows, one), (left.cols, one)], node)
            elif op == "^":
                self.square(left, node)
            result = Shape(left.rows, left.cols)
        else:
            result = self.fresh()
        result.number = number
        return result

    def visit_call(self, node: Call) -> Shape:
        if node.prime:  # f'(Y): the gradient of an abstract f has Y's shape
            args = [self.visit(arg) for arg in node.args]
            if len(args) != 1:
                return self.fresh()
            self.need_matrix(node.args, args)
            return Shape(args[0].rows, args[0].cols)
        if node.name in FUNCTIONS:
            rule, arity = CALL_SHAPES.get(node.name), FUNCTIONS[node.name]
        else:
            rule, arity = _abstract, 1
        of_sizes = getattr(rule, "of_sizes", False)
        args = [self.size_of(arg) if of_sizes else self.visit(arg) for arg in node.args]
        if not args or isinstance(arity, int) and len(args) != arity or \
                isinstance(arity, tuple) and len(args) not in arity:
            return self.fresh()  # the Builder says how many arguments it takes
        shape = rule(self, node, args) if rule is not None else None
        if shape is None:
            self.unknown.append(node)
            return self.fresh()
        return shape

    def size_of(self, node) -> Size:
        """An argument of I, K or ones: a size name or a whole number."""
        if isinstance(node, Name) and node.id in self.size_names:
            return self.sizes.named(node.id)
        if isinstance(node, Num):
            value = Fraction(node.value)
            if value.denominator == 1 and 1 <= value <= MAX_SIZE:
                return self.sizes.number(int(value))
        if isinstance(node, Binary) and node.op in ("*", "@"):
            return self.sizes.product([self.size_of(node.left), self.size_of(node.right)])
        self.visit(node)  # (the Builder says what a size may be)
        return self.sizes.free()

    # -- constraints ---------------------------------------------------------
    def fresh(self) -> Shape:
        return Shape(self.sizes.free(EXPRESSION), self.sizes.free(EXPRESSION))

    def scalar(self) -> Shape:
        return Shape(self.sizes.one, self.sizes.one)

    def square(self, shape: Shape, node) -> None:
        self.require([(shape.rows, shape.cols)], node)

    def need_matrix(self, args, shapes) -> None:
        """The Builder needs these arguments as matrices (kron, diag, f): where one ends
        1 x 1, its names that end 1 x 1 are 1 x 1 matrices, not scalars."""
        self.matrices += zip(args, shapes, strict=True)

    def matrix_names(self) -> set:
        names = set()
        for arg, shape in self.matrices:
            if self.sizes.is_one(shape.rows) and self.sizes.is_one(shape.cols):
                stack = [arg]
                while stack:
                    node = stack.pop()
                    if isinstance(node, Name):
                        names.add(node.id)
                    elif isinstance(node, Call) and not getattr(
                            CALL_SHAPES.get(node.name), "of_sizes", False):
                        stack += node.args
                    else:
                        stack += [getattr(node, part) for part in ("operand", "left", "right")
                                  if hasattr(node, part)]
        return names

    def require(self, pairs, node) -> None:
        """Sizes that must be equal; if they cannot be, nothing of them is kept, and the
        Builder reports the contradiction where it is."""
        mark = self.sizes.mark()
        if not all(self.sizes.unify(a, b, node) for a, b in pairs):
            self.sizes.undo(mark)

    def undecided(self, shape: Shape) -> bool:
        """An undeclared small-letter name (maybe negated, or summed with others and
        numbers: -x, x + y, c - 1) that may still be a scalar."""
        return shape.name is not None and self.sizes.find(shape.rows).value is None

    def meet(self, left: Shape, right: Shape, node, *, added: bool = False,
             scalar_result: bool = False) -> Shape:
        """A sum, an element-wise product or an inner product: equal shapes, or one
        side 1 x 1 meeting every entry of the other."""
        one = self.sizes.one

        def scalar_but_no_number(shape):
            return (self.sizes.is_one(shape.rows) and self.sizes.is_one(shape.cols)
                    and not shape.number)

        # a small-letter name added to a 1 x 1 that is not a number: a scalar
        joins = added and (self.undecided(left) and scalar_but_no_number(right)
                           or self.undecided(right) and scalar_but_no_number(left))
        return self.choose(node, [
            ([(left.rows, right.rows), (left.cols, right.cols)],
             self.scalar() if scalar_result else Shape(left.rows, left.cols)),
            ([(left.rows, one), (left.cols, one)], Shape(right.rows, right.cols)),
            ([(right.rows, one), (right.cols, one)], Shape(left.rows, left.cols)),
        ], preferred=0 if joins else None)

    def choose(self, node, options, preferred: int | None = None):
        """Take one reading of ``options`` [(pairs of sizes made equal, result)]: the
        ``preferred`` one if it can hold, else the one that makes the fewest sizes 1
        (capital names' first), the earliest among equals. None can hold: the Builder
        reports it, and the first reading's result stands."""
        watched = [(root, root.origin) for pairs, _ in options for pair in pairs
                   for size in pair for root in self.sizes.factors(size)[2]]
        feasible = []
        for index, (pairs, _) in enumerate(options):
            mark = self.sizes.mark()
            if all(self.sizes.unify(a, b, node) for a, b in pairs):
                ones = [origin for root, origin in watched if self.sizes.is_one(root)]
                feasible.append(((ones.count(MATRIX), ones.count(VECTOR)), index))
            self.sizes.undo(mark)
        if not feasible:
            return options[0][1]
        chosen = preferred if preferred in [i for _, i in feasible] else min(feasible)[1]
        for a, b in options[chosen][0]:
            self.sizes.unify(a, b, node)
        return options[chosen][1]

    # -- the answer ----------------------------------------------------------
    def name_sizes(self) -> dict:
        """Free sizes -> names, in order of the names' first appearance, rows first."""
        taken = self.words | set(self.declared) | self.size_names
        fresh = (name for name in (base if round_ == 0 else f"{base}{round_}"
                                   for round_ in itertools.count() for base in SIZE_NAMES)
                 if name not in taken)
        names: dict = {}
        for name, shape in self.shapes.items():
            if name in self.declared:
                continue
            for size in (shape.rows, shape.cols):
                for root in self.sizes.factors(size)[2]:
                    if root not in names:
                        names[root] = next(fresh)
        return names

    def written(self, name: str, names: dict, matrix: bool = True) -> tuple:
        """The shape of ``name`` as ``-s`` writes it: () for a scalar (unless it must be
        a ``matrix``), else two sizes."""
        shape = self.shapes[name]
        if self.sizes.is_one(shape.rows) and self.sizes.is_one(shape.cols) and not matrix:
            return ()
        return tuple(_token(self.sizes.text(size, names)) for size in (shape.rows, shape.cols))

    def refuse_open(self, equation, names: dict):
        left, right, where = equation
        roots = {id(r) for size in (left, right) for r in self.sizes.factors(size)[2]}
        involved = [name for name, shape in self.shapes.items() if name not in self.declared
                    and any(id(r) in roots for size in (shape.rows, shape.cols)
                            for r in self.sizes.factors(size)[2])]
        example = involved[0] if involved else "A"
        shown = ",".join(str(t) for t in self.written(example, names)) if involved else "m,n"
        raise MatDerivError(
            f"the formula leaves the shapes of {_listed(involved)} open: it fixes only the "
            f"product {self.sizes.text(left, names)} = {self.sizes.text(right, names)} of "
            f"their sizes; declare them with -s (e.g. -s {example}={shown})",
            source=self.source, span=getattr(where, "span", None))


def _token(text: str):
    return int(text) if text.isdigit() else text


def _listed(names, most: int = 6) -> str:
    names = list(names) or ["its names"]
    if len(names) > most:
        names = names[:most - 1] + [f"{len(names) - most + 1} more"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def infer_text(text: str) -> Inferred:
    """The shapes of a formula written in the grammar, nothing declared (for doctests
    and a quick look): ``infer_text("W*a").shapes``."""
    return infer_shapes(parse(text), source=text)


@dataclass(frozen=True)
class Shaped:
    """A formula read with its shapes: the syntax tree, the names' SymPy symbols
    (declared and inferred), and the inference."""

    tree: object
    env: Mapping
    inferred: Inferred


def shaped(text: str, shapes=None, syntax: str = "text") -> Shaped:
    """Read ``text`` and give every name a shape: the declared ``shapes`` (as ``declare``
    takes them), the rest inferred. The one way formulas get their shapes."""
    declared = declare(shapes)
    tree = parse_formula(text, syntax, declared)
    names = _declared_names(tree, declared)
    inferred = Inferred({}, (), names) if names is not None else \
        infer_shapes(tree, declared, source=text)
    if inferred.shapes or inferred.sizes:
        env = declare({**(shapes or {}), **inferred.shapes}, sizes=inferred.sizes)
    else:
        env = declared
    return Shaped(tree, env, inferred)


#: Functions whose shape rule makes no free size from declared shapes (nor gives up).
_FIXED_RULES = frozenset(rule for name, rule in CALL_SHAPES.items()
                         if rule not in (_sum, _abstract) and name not in ("unvec", "D")
                         and not getattr(rule, "of_sizes", False))


def _fixed_call(node: Call) -> bool:
    """Whether the inference's rule for this call, with its arguments' shapes fixed,
    makes no free size and does not give up: a rule of ``_FIXED_RULES``, an abstract
    f(Y) (a scalar), or a sum without an axis or along axis 1 or 2 (written so)."""
    if node.name not in FUNCTIONS:
        return len(node.args) == 1  # an abstract f(Y): _abstract
    arity, rule = FUNCTIONS[node.name], CALL_SHAPES.get(node.name)
    if arity is None:  # kron(A, B, ...)
        return len(node.args) >= 2 and rule in _FIXED_RULES
    if len(node.args) not in ((arity,) if isinstance(arity, int) else arity):
        return False
    if rule is _sum:
        return len(node.args) == 1 or _axis(node) is not None
    return rule in _FIXED_RULES


def _declared_names(tree, declared) -> tuple | None:
    """The names of ``tree`` in the order the inference meets them, when every one is
    declared and no part can leave a size open: then the inference would find nothing
    and raise nothing (an open size needs a free one, and only undeclared names, sizes
    and the calls left out here make those), so it is skipped. Else None.

    >>> from matderiv.syntax import parse
    >>> _declared_names(parse("tr(A*X) + x'*x"), declare({"A": "n,n", "X": "n,n", "x": "n,1"}))
    ('A', 'X', 'x')
    >>> _declared_names(parse("A*y"), declare({"A": "n,n"})) is None
    True
    >>> _declared_names(parse("f(A*x) + sum(A, 2)'*x"), declare({"A": "n,n", "x": "n,1"}))
    ('A', 'x')
    """
    names: dict = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        kind = type(node)  # (the records of tree.py have no subclasses)
        if kind is Name:
            name = node.id
            if name not in declared or (name in FUNCTIONS and name not in BARE_NAMES):
                return None
            names[name] = None  # (a name met again keeps its first place)
        elif kind is Binary:
            stack.append(node.right)
            stack.append(node.left)  # the left is met first
        elif kind is Postfix or kind is Unary:
            stack.append(node.operand)
        elif kind is Call:
            if node.prime or not node.args or not _fixed_call(node):
                return None
            stack += reversed(node.args)
        elif kind is not Num:
            return None
    return tuple(names)

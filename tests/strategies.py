"""Random well-typed formulas in matderiv's grammar, for property tests and the fuzzer.

The generator is type-directed: it is asked for an expression of a given shape (or a
scalar) and picks a production that yields that shape, so nearly every draw is well
typed. It covers the whole grammar: products, sums, transposes, traces, inverses and
powers of well-conditioned squares, det and logdet, Hadamard (``.*``) and Kronecker
(``kron``) products, element-wise functions (exp, tanh, sigmoid, log and log1p of
positive things, ``.^2``, atan, sinh, cosh, softplus, expm1, and the non-smooth abs and
relu), max and min entry by entry, softmax along an axis, sums and means along an axis,
the diagonal of a square, norms (Frobenius and vector p-norms), logsumexp, inner
products, scalars and 1 x 1 products.

Sizes are symbolic names (m, n, p, q) or 1; a Kronecker product has sizes that are
products of names (m*n). Leaves are fresh matrix names, declared in ``shapes``.

Two ways to draw, from one generator:

>>> import random
>>> problem = random_problem(random.Random(3))
>>> problem.wrt in problem.shapes and problem.wrt in problem.formula
True

The variable is a matrix or a vector, or sometimes the scalar ``k`` where the formula
names it (a derivative by a scalar: dF/dk, d vec(F)/dk).

and ``problems()``, a hypothesis strategy (``@given(problems())``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from hypothesis import strategies as st

#: Size names a formula may use; a size is a sorted tuple of them (() is 1).
DIMENSIONS = ("m", "n", "p", "q")

# Binding strengths of the text produced, as syntax.py reads it.
_ATOM, _POSTFIX, _POWER, _PRODUCT, _SUM = 100, 40, 30, 20, 10


@dataclass(frozen=True)
class Problem:
    """A formula, the variable to differentiate by, and the shapes of its names."""

    formula: str
    wrt: str
    shapes: dict = field(hash=False)

    def __str__(self) -> str:
        sizes = " ".join(f"-s {k}={','.join(str(s) for s in v)}" for k, v in self.shapes.items())
        return f"{self.formula!r} --wrt {self.wrt} {sizes}"


class _Choices:
    """The generator's source of choices: a random.Random or a hypothesis draw."""

    def __init__(self, *, rng: random.Random | None = None, draw=None):
        self.rng, self.draw = rng, draw

    def integer(self, low: int, high: int) -> int:
        if self.draw is not None:
            return self.draw(st.integers(low, high))
        return self.rng.randint(low, high)

    def choice(self, options):
        options = list(options)
        return options[self.integer(0, len(options) - 1)]

    def chance(self, percent: int) -> bool:
        return self.integer(0, 99) < percent


def _size_text(size: tuple) -> object:
    return size[0] if size else 1


def _wrap(piece, strength: int) -> str:
    text, own = piece
    return text if own >= strength else f"({text})"


class _Maker:
    """Builds one formula; remembers the names it declared."""

    def __init__(self, choices: _Choices, variable_shape: tuple):
        self.c = choices
        self.shapes: dict[str, tuple] = {"X": variable_shape}
        self.leaves = 0

    # -- names --------------------------------------------------------------
    def leaf(self, rows: tuple, cols: tuple) -> tuple[str, int]:
        """X where the shape fits (often), else a matrix name of that shape, new or reused."""
        shape = (_size_text(rows), _size_text(cols))
        if self.shapes["X"] == shape and self.c.chance(60):
            return "X", _ATOM
        same = sorted(n for n, s in self.shapes.items() if s == shape and n != "X")
        if same and self.c.chance(30):
            return self.c.choice(same), _ATOM
        name = f"A{self.leaves}"
        self.leaves += 1
        self.shapes[name] = shape
        return name, _ATOM

    def scalar_name(self) -> tuple[str, int]:
        if "k" not in self.shapes:
            self.shapes["k"] = ()
        return "k", _ATOM

    def dimension(self) -> tuple:
        """A size: often one of X's, so that X fits where a leaf is wanted."""
        if self.c.chance(50):
            return self.c.choice([(d,) if d != 1 else () for d in self.shapes["X"]])
        if self.c.chance(15):
            return ()
        return self.c.choice([(d,) for d in DIMENSIONS])

    def square_size(self) -> tuple:
        rows, cols = self.shapes["X"]
        if rows == cols and self.c.chance(60):
            return (rows,)
        return self.c.choice([(d,) for d in DIMENSIONS])

    # -- matrices -----------------------------------------------------------
    def matrix(self, rows: tuple, cols: tuple, depth: int, positive: bool = False):
        """Text of a matrix expression of shape rows x cols (entries > 0 if positive)."""
        simple = len(rows) <= 1 and len(cols) <= 1
        if depth <= 0:
            return self.leaf(rows, cols) if simple else self.kron(rows, cols, 0, positive)
        options = ["leaf", "product", "sum", "transpose", "hadamard", "elementwise",
                   "scaled", "axis"]
        if not positive or self.c.chance(50):
            options.append("extremum")
        if rows == cols and len(rows) == 1:
            options.append("power")
            if not positive:  # an inverse or I has entries <= 0
                options += ["inverse", "identity"]
        if not simple or self.c.chance(10):
            options.append("kron")
        if not simple or (depth > 1 and self.c.chance(70)):
            options.remove("leaf")  # deeper formulas; leaves come at depth 0
        kind = self.c.choice(options)
        below = depth - 1
        if kind == "leaf":
            return self.leaf(rows, cols)
        if kind == "product":
            inner = self.dimension() if self.c.chance(85) else tuple(sorted(
                self.dimension() + self.dimension()))
            left = self.matrix(rows, inner, below, positive)
            right = self.matrix(inner, cols, below, positive)
            return f"{_wrap(left, _PRODUCT)}*{_wrap(right, _PRODUCT + 1)}", _PRODUCT
        if kind == "sum":
            op = "+" if positive or self.c.chance(60) else "-"
            left = self.matrix(rows, cols, below, positive)
            right = self.matrix(rows, cols, below, positive)
            return f"{_wrap(left, _SUM)} {op} {_wrap(right, _SUM + 1)}", _SUM
        if kind == "transpose":
            return f"{_wrap(self.matrix(cols, rows, below, positive), _POSTFIX)}'", _POSTFIX
        if kind == "hadamard":
            left = self.matrix(rows, cols, below, positive)
            right = self.matrix(rows, cols, below, positive)
            return f"{_wrap(left, _PRODUCT)} .* {_wrap(right, _PRODUCT + 1)}", _PRODUCT
        if kind == "elementwise":
            return self.elementwise(self.matrix, (rows, cols), below, positive)
        if kind == "scaled":
            scale = self.scalar(below, positive=positive)
            body = self.matrix(rows, cols, below, positive)
            return f"{_wrap(scale, _PRODUCT)}*{_wrap(body, _PRODUCT + 1)}", _PRODUCT
        if kind == "inverse":
            inner = self.well_conditioned(rows, below)
            if self.c.chance(50):
                return f"inv({inner[0]})", _ATOM
            return f"{_wrap(inner, _POWER + 1)}^-1", _POWER
        if kind == "power":
            base = self.matrix(rows, rows, below, positive)
            return f"{_wrap(base, _POWER + 1)}^{self.c.choice([2, 3])}", _POWER
        if kind == "identity":
            return f"I({rows[0]})", _ATOM
        if kind == "extremum":  # max(A, B) or min(A, B); a scalar may stand for a matrix
            left = self.matrix(rows, cols, below, positive)[0]
            right = self.matrix(rows, cols, below, positive)[0] if self.c.chance(70) \
                else self.scalar(0, positive)[0]
            return f"{self.c.choice(['max', 'min'])}({left}, {right})", _ATOM
        if kind == "axis":
            return self.along_axis(rows, cols, below, positive)
        return self.kron(rows, cols, below, positive)

    def along_axis(self, rows: tuple, cols: tuple, depth: int, positive: bool):
        """softmax(A, dim) (positive entries), a sum or mean along an axis, or diag."""
        if len(rows) <= 1 and not cols and self.c.chance(40):
            if rows and self.c.chance(50):  # the diagonal of a square
                return f"diag({self.matrix(rows, rows, depth, positive)[0]})", _ATOM
            inner = self.dimension()
            name = self.c.choice(["sum", "mean"])
            return f"{name}({self.matrix(rows, inner, depth, positive)[0]}, 2)", _ATOM
        if len(cols) <= 1 and not rows and self.c.chance(40):
            inner = self.dimension()
            name = self.c.choice(["sum", "mean"])
            return f"{name}({self.matrix(inner, cols, depth, positive)[0]}, 1)", _ATOM
        axis = self.c.choice([1, 2])
        return f"softmax({self.matrix(rows, cols, depth)[0]}, {axis})", _ATOM

    def kron(self, rows: tuple, cols: tuple, depth: int, positive: bool):
        """kron(A, B) with A's and B's sizes multiplying to rows and cols."""
        r1, r2 = self.split(rows)
        c1, c2 = self.split(cols)
        left = self.matrix(r1, c1, depth, positive)
        right = self.matrix(r2, c2, depth, positive)
        return f"kron({left[0]}, {right[0]})", _ATOM

    def split(self, size: tuple) -> tuple[tuple, tuple]:
        if len(size) <= 1:
            return (size, ()) if self.c.chance(50) else ((), size)
        cut = self.c.integer(1, len(size) - 1)
        return size[:cut], size[cut:]

    def well_conditioned(self, size: tuple, depth: int):
        """A square whose leaves check.random_values makes diagonally dominant."""
        def one():
            leaf = self.leaf(size, size)
            return (f"{leaf[0]}'", _POSTFIX) if self.c.chance(30) else leaf
        first = one()
        if depth <= 0 or self.c.chance(40):
            return first
        second = one()
        if self.c.chance(50):
            return f"{first[0]} + {second[0]}", _SUM
        return f"{first[0]}*{second[0]}", _PRODUCT

    def elementwise(self, make, shape, depth: int, positive: bool):
        """exp, tanh, sigmoid, log (of a positive argument) or .^2 of make(*shape)."""
        functions = ["exp", "sigmoid", "square", "softplus", "cosh"] if positive else \
            ["exp", "tanh", "sigmoid", "square", "log", "atan", "sinh", "softplus", "abs",
             "relu", "log1p", "expm1", "square()"]  # log(P) may be negative
        name = self.c.choice(functions)
        if name == "square":
            return f"{_wrap(make(*shape, depth, positive), _POWER + 1)}.^2", _POWER
        if name == "square()":
            return f"square({make(*shape, depth, positive)[0]})", _ATOM
        if name in ("log", "log1p"):
            return f"{name}({make(*shape, depth, True)[0]})", _ATOM
        return f"{name}({make(*shape, depth, positive)[0]})", _ATOM

    # -- scalars ------------------------------------------------------------
    def scalar(self, depth: int, positive: bool = False):
        """Text of a scalar expression (positive if asked)."""
        if depth <= 0:
            if self.c.chance(50):
                return self.scalar_name() if not positive else (self.c.choice(["2", "0.5"]),
                                                                 _ATOM)
            return self.c.choice(["2", "3", "0.5"]), _ATOM
        options = ["trace", "sum", "quadratic", "det", "norm", "inner", "number", "arith",
                   "elementwise", "logsumexp", "pnorm", "mean"]
        if positive:
            options = ["sum", "det", "norm", "number", "arith", "elementwise", "pnorm"]
        kind = self.c.choice(options)
        below = depth - 1
        if kind == "trace":
            size = self.square_size()
            return f"tr({self.matrix(size, size, below)[0]})", _ATOM
        if kind == "sum":
            rows, cols = self.dimension(), self.dimension()
            return f"sum({self.matrix(rows, cols, below, positive)[0]})", _ATOM
        if kind == "quadratic":
            inner = self.dimension()
            left = self.matrix((), inner, below)
            right = self.matrix(inner, (), below)
            return f"{_wrap(left, _PRODUCT)}*{_wrap(right, _PRODUCT + 1)}", _PRODUCT
        if kind == "det":
            size = self.square_size()
            inner = self.well_conditioned(size, below)[0]
            return (f"logdet({inner})" if not positive and self.c.chance(50)
                    else f"det({inner})"), _ATOM
        if kind == "norm":
            rows, cols = self.dimension(), self.dimension()
            norm = f"norm({self.matrix(rows, cols, below)[0]})"
            return (f"{norm}^2", _POWER) if self.c.chance(50) else (norm, _ATOM)
        if kind == "inner":
            rows, cols = self.dimension(), self.dimension()
            left = self.matrix(rows, cols, below)[0]
            right = self.matrix(rows, cols, below)[0]
            return f"dot({left}, {right})", _ATOM
        if kind == "logsumexp":
            rows, cols = self.dimension(), self.dimension()
            return f"logsumexp({self.matrix(rows, cols, below)[0]})", _ATOM
        if kind == "mean":
            rows, cols = self.dimension(), self.dimension()
            return f"mean({self.matrix(rows, cols, below, positive)[0]})", _ATOM
        if kind == "pnorm":
            vector = self.matrix(self.dimension(), (), below)[0]
            return f"norm({vector}, {self.c.choice([1, 3, 4])})", _ATOM
        if kind == "number":
            return self.scalar(0, positive)
        if kind == "arith":
            op = self.c.choice(["+", "*", "^2^k"] if positive else
                               ["+", "-", "*", "^2", "^2^k", "-^2"])
            left = self.scalar(below, positive)
            if op == "^2":
                return f"{_wrap(left, _POWER + 1)}^2", _POWER
            if op == "^2^k":  # powers group to the right: s^2^3 is s^8, not s^6
                return f"{_wrap(left, _POWER + 1)}^2^{self.c.choice([2, 3])}", _POWER
            if op == "-^2":  # a sign binds less than a power: -s^2 is -(s^2)
                return f"-{_wrap(left, _POWER + 1)}^2", _POWER
            strength = _SUM if op in "+-" else _PRODUCT
            right = self.scalar(below, positive)
            return f"{_wrap(left, strength)} {op} {_wrap(right, strength + 1)}", strength
        return self.scalar_function(below, positive)

    def scalar_function(self, depth: int, positive: bool):
        name = self.c.choice(["exp", "sigmoid"] if positive else
                             ["exp", "tanh", "sigmoid", "log"])
        if name == "log":
            return f"log({self.scalar(depth, True)[0]})", _ATOM
        return f"{name}({self.scalar(depth, positive)[0]})", _ATOM


_VARIABLE_SHAPES = (("n", "n"), ("m", "n"), ("n", 1), ("m", "m"))

#: How often a formula that names the scalar k is differentiated by k instead.
SCALAR_VARIABLE_PERCENT = 50


def _make(choices: _Choices, max_depth: int = 4) -> Problem:
    variable_shape = choices.choice(_VARIABLE_SHAPES)
    maker = _Maker(choices, variable_shape)
    depth = choices.integer(min(2, max_depth), max_depth)
    if choices.chance(50):
        formula = maker.scalar(depth)[0]
    else:
        rows, cols = maker.dimension(), maker.dimension()
        formula = maker.matrix(rows, cols, depth)[0]
    used = {name: shape for name, shape in maker.shapes.items() if _occurs(name, formula)}
    candidates = [name for name, shape in used.items() if shape != ()]
    if not candidates:  # no matrix at all (a formula of numbers and k): make X occur
        formula = f"({formula})*sum(X)"
        used["X"] = variable_shape
        candidates = ["X"]
    declared = {size for shape in used.values() for size in shape}
    for size in DIMENSIONS:  # a size only I(q) names still needs declaring
        if size not in declared and _occurs(size, formula):
            used[f"D{size}"] = (size, 1)
    wrt = "X" if "X" in candidates else choices.choice(sorted(candidates))
    if "k" in used and choices.chance(SCALAR_VARIABLE_PERCENT):
        wrt = "k"  # a derivative by a scalar (drawn last: the formula is drawn as before)
    return Problem(formula, wrt, used)


def _occurs(name: str, formula: str) -> bool:
    import re
    return re.search(rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])", formula) is not None


def random_problem(rng: random.Random, max_depth: int = 4) -> Problem:
    """One random problem, drawn with ``rng`` (the fuzzer's way)."""
    return _make(_Choices(rng=rng), max_depth)


@st.composite
def problems(draw, max_depth: int = 4) -> Problem:
    """Hypothesis strategy: a random well-typed Problem (formula, wrt, shapes)."""
    return _make(_Choices(draw=draw), max_depth)

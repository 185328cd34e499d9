"""Declared shapes -> SymPy symbols with the user's symbolic sizes.

A size is a name, a positive integer, or a product of them written ``m*n`` (the length
of vec(X) for an m x n X, or the rows of a Kronecker product).

>>> env = declare({"W": ("m", "n"), "a": ("n", 1), "k": (), "v": ("m*n", 1)})
>>> env["W"].shape, env["k"].is_commutative, env["v"].shape
((m, n), True, (m*n, 1))
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy
from sympy import Basic, MatrixSymbol
from sympy.core.symbol import Str

from ..errors import MatDerivError
from ..expressions import is_size, matrix_symbol, size_symbol
from .limits import MAX_SIZE

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: A size written as a product of names (each possibly to a power) and integers: "m*n",
#: "n^2", "2*k".
_FACTOR = r"\s*(?:[A-Za-z_][A-Za-z0-9_]*(?:\s*\^\s*[0-9]+)?|[0-9]+)\s*"
_PRODUCT = re.compile(rf"{_FACTOR}(?:\*{_FACTOR})*\Z")
#: Most factors in a size written as a product (n^2 is two).
MAX_SIZE_FACTORS = 8


def dimension(size, *, owner: str = "?"):
    """A size: a positive integer, or a name made a positive integer Symbol."""
    return _make_size(_size_token(size, owner))


def _size_token(size, owner):
    """What ``size`` stands for, checked but not yet made: an int, a name, or SymPy's."""
    if _plain(size):
        return size  # (the common case first: a plain name, as _IDENTIFIER has it)
    if isinstance(size, bool):
        raise MatDerivError(f"size {size!r} of {owner} is not a name or a positive integer "
                        "(or a product of them: m*n, n^2)")
    if isinstance(size, int) or (isinstance(size, str) and size.strip().isascii()
                                 and size.strip().isdigit()):
        # (ASCII digits only: int() would read the Arabic-Indic ٣ as 3)
        value = int(size)
        if value <= 0:
            raise MatDerivError(f"size {value} of {owner} must be positive")
        if value > MAX_SIZE:
            raise MatDerivError(f"size {value} of {owner} is beyond the limit of {MAX_SIZE:,}")
        return value
    if isinstance(size, sympy.Basic) and size.is_Integer:
        return _size_token(int(size), owner)
    if isinstance(size, sympy.Basic) and size.is_Symbol:
        return size
    if isinstance(size, str) and _IDENTIFIER.match(size.strip()):
        return size.strip()
    if isinstance(size, str) and size.isascii() and ("*" in size or "^" in size) \
            and _PRODUCT.match(size):
        return _product_token(size, owner)
    raise MatDerivError(f"size {size!r} of {owner} is not a name or a positive integer "
                        "(or a product of them: m*n, n^2)")


def _plain(size) -> bool:
    """A size that is its own token (``_size_token(size) == size``, of its type): a plain
    ASCII name, or a whole number from 1 to MAX_SIZE (not a bool)."""
    kind = type(size)
    return (kind is str and size.isidentifier() and size.isascii()) or \
        (kind is int and 0 < size <= MAX_SIZE)


def _product_token(text: str, owner):
    """``"m*n"`` -> ("m", "n"), its factors in order: names, and one whole number (the
    product of those written) first if it is not 1; a product of numbers is a number."""
    parts = []
    for part in text.split("*"):
        name, _, power = part.partition("^")
        count = int(power) if power.strip() else 1
        if count == 0 or len(parts) + count > MAX_SIZE_FACTORS:
            raise MatDerivError(f"size {text.strip()} of {owner} has more than "
                                f"{MAX_SIZE_FACTORS} factors, or a power 0")
        parts += [name.strip()] * count
    factors = [_size_token(part, owner) for part in parts]
    number = 1
    for factor in factors:
        if isinstance(factor, int):
            number *= factor
    if number > MAX_SIZE:
        raise MatDerivError(f"size {text.strip()} of {owner} is beyond the limit of "
                            f"{MAX_SIZE:,}")
    kept = ((number,) if number != 1 else ()) + tuple(
        factor for factor in factors if not isinstance(factor, int))
    return kept[0] if len(kept) == 1 else kept if kept else 1


def _make_size(token):
    if isinstance(token, int):
        return sympy.Integer(token)
    if isinstance(token, str):
        return size_symbol(token)
    if isinstance(token, tuple):
        return sympy.Mul(*(_make_size(factor) for factor in token))
    return token


def matrix(name: str, rows, cols) -> MatrixSymbol:
    """A matrix symbol with symbolic or integer sizes: ``matrix("W", "m", "n")``."""
    return matrix_symbol(_check_name(name), dimension(rows, owner=name),
                         dimension(cols, owner=name))


def vector(name: str, rows) -> MatrixSymbol:
    """A column vector: ``vector("x", "n")`` is n x 1."""
    return matrix(name, rows, 1)


def scalar(name: str) -> sympy.Symbol:
    """A real scalar symbol."""
    return sympy.Symbol(_check_name(name), real=True)


def _check_name(name) -> str:
    if not isinstance(name, str) or not (name.isidentifier() and name.isascii()):
        raise MatDerivError(f"{name!r} is not a valid name (letters, digits, underscore)")
    # A declared name is a variable even where the grammar has a function of that name
    # (K, I, diag): the builder refuses only calling it, K(m, n).
    return name


def declare(shapes, sizes=()) -> Environment:
    """Turn ``{"W": ("m", "n"), "a": ("n", 1), "k": ()}`` into name -> SymPy symbol.

    Dimension names are put in the environment too, so ``I(m)`` can be written; ``sizes``
    adds size names that no shape uses (the n of a formula's ``I(n)``). Every
    declaration is checked here; its symbol is made when first looked up.
    """
    if shapes is None:
        shapes = {}
    if not isinstance(shapes, dict):
        raise MatDerivError("shapes must be a mapping from names to (rows, cols) tuples")
    recipes: dict = {}
    dims: dict = {}
    callers_sizes = False  # a SymPy size given by the caller, for SymPy to check
    for name, shape in shapes.items():
        if type(shape) is tuple and type(name) is str and name.isidentifier() \
                and name.isascii():
            # The common declarations, (rows, cols) of plain names and whole numbers, and
            # () of a scalar: each size is its own token, checked as below would (this is
            # _plain, inline), in a fraction of the time.
            if len(shape) == 2:
                rows, cols = shape
                if ((type(rows) is str and rows.isidentifier() and rows.isascii())
                        or (type(rows) is int and 0 < rows <= MAX_SIZE)) \
                        and ((type(cols) is str and cols.isidentifier() and cols.isascii())
                             or (type(cols) is int and 0 < cols <= MAX_SIZE)):
                    recipes[name] = shape
                    if type(rows) is str:
                        dims[rows] = rows
                    if type(cols) is str:
                        dims[cols] = cols
                    continue
            elif not shape:
                recipes[name] = ()
                continue
        if isinstance(shape, str):
            shape = tuple(part for part in shape.split(",") if part.strip() != "") \
                if shape.strip() else ()
        if isinstance(shape, (int, sympy.Basic)) or not hasattr(shape, "__len__"):
            raise MatDerivError(f"shape of {name!r} must be (rows, cols), (rows,) or ()")
        shape = tuple(shape)
        if len(shape) > 2:
            raise MatDerivError(f"shape of {name!r} has {len(shape)} sizes; matrices have 2")
        _check_name(name)
        if len(shape) == 1:
            shape = (shape[0], 1)
        recipes[name] = tokens = tuple([_size_token(size, name) for size in shape])
        for token in tokens:
            if type(token) is str:
                dims[token] = token
            elif type(token) is not int:
                for factor in token if isinstance(token, tuple) else (token,):
                    if isinstance(factor, str):
                        dims[factor] = factor
                    elif isinstance(factor, sympy.Basic):
                        callers_sizes = True
                        if factor.is_Symbol:
                            dims[factor.name] = factor
    for size in sizes:
        token = _size_token(size, size)
        if isinstance(token, str):
            dims.setdefault(token, token)
    for dim_name, token in dims.items():
        if dim_name in recipes:
            raise MatDerivError(f"{dim_name!r} names both a matrix and a size")
        recipes[dim_name] = token
    environment = Environment(recipes)
    for name, recipe in recipes.items() if callers_sizes else ():
        if isinstance(recipe, tuple) and any(
                isinstance(token, sympy.Basic) and not is_size(token) for token in recipe):
            environment[name]  # a SymPy size of the caller's: SymPy checks it now
    return environment


class Environment(Mapping):
    """Declared names -> SymPy objects (matrices, scalars, sizes), each made when first
    looked up: a formula uses a few of the names a caller may declare (a test's dozen
    shapes, a command line's every ``-s``), and making a symbol costs SymPy a deduction
    of its assumptions.

    >>> env = declare({"W": ("m", "n"), "k": ()})
    >>> list(env), env["W"].shape, env["m"] is env["W"].shape[0]
    (['W', 'k', 'm', 'n'], (m, n), True)
    """

    def __init__(self, recipes):
        self._recipes = recipes  # name -> (rows, cols) or () in size tokens, or a token
        self._made: dict = {}
        self._sizes: dict = {}  # token -> its size, so each is made once

    def __getitem__(self, name):
        found = self._made.get(name)
        if found is None:
            recipe = self._recipes[name]
            if not isinstance(recipe, tuple):
                found = self._size(recipe)
            elif recipe:  # (rows, cols)
                rows, cols = self._size(recipe[0]), self._size(recipe[1])
                if isinstance(recipe[0], sympy.Basic) or isinstance(recipe[1], sympy.Basic):
                    found = matrix_symbol(name, rows, cols)  # the caller's sizes: checked
                else:
                    # Sizes made of declared names and whole numbers are sizes by making:
                    # matrix_symbol's result, without asking is_size of each (nor
                    # sympifying what is SymPy's already, as MatrixExpr.__new__ would).
                    found = Basic.__new__(MatrixSymbol, Str(name), rows, cols)
            else:
                found = scalar(name)
            self._made[name] = found
        return found

    def replace(self, name, value) -> None:
        """``name`` stands for ``value`` from now on: its symbol made again with more known
        of it (a matrix declared symmetric), before a formula is built from this."""
        if name not in self._recipes:
            raise KeyError(name)
        self._made[name] = value

    def _size(self, token):
        key = (type(token), token)  # True == 1 == Integer(1): keep types apart
        found = self._sizes.get(key)
        if found is None:
            found = self._sizes[key] = _make_size(token)
        return found

    def __contains__(self, name):
        return name in self._recipes

    def __iter__(self):
        return iter(self._recipes)

    def __len__(self):
        return len(self._recipes)

    def __repr__(self):
        return repr(dict(self))

    def copy(self) -> dict:
        """A dict of every name and its symbol (as ``dict.copy`` of the old plain dict)."""
        return dict(self)

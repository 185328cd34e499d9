"""Declared shapes -> SymPy symbols with the user's symbolic sizes.

>>> env = declare({"W": ("m", "n"), "a": ("n", 1), "k": ()})
>>> env["W"].shape, env["k"].is_commutative
((m, n), True)
"""

from __future__ import annotations

import re

import sympy
from sympy import MatrixSymbol

from .build import FUNCTIONS
from .errors import MatDerivError
from .objects import matrix_symbol

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def dimension(size, *, owner: str = "?"):
    """A size: a positive integer, or a name made a positive integer Symbol."""
    if isinstance(size, bool):
        raise MatDerivError(f"size {size!r} of {owner} is not a name or a positive integer")
    if isinstance(size, int) or (isinstance(size, str) and size.strip().isdigit()):
        value = int(size)
        if value <= 0:
            raise MatDerivError(f"size {value} of {owner} must be positive")
        return sympy.Integer(value)
    if isinstance(size, sympy.Basic) and (size.is_Symbol or size.is_Integer):
        return size
    if isinstance(size, str) and _IDENTIFIER.match(size.strip()):
        return sympy.Symbol(size.strip(), integer=True, positive=True)
    raise MatDerivError(f"size {size!r} of {owner} is not a name or a positive integer")


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
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise MatDerivError(f"{name!r} is not a valid name (letters, digits, underscore)")
    if name in FUNCTIONS:
        raise MatDerivError(f"{name!r} is a function of the grammar and cannot name a matrix")
    return name


def declare(shapes) -> dict:
    """Turn ``{"W": ("m", "n"), "a": ("n", 1), "k": ()}`` into name -> SymPy symbol.

    Dimension names are put in the environment too, so ``I(m)`` can be written.
    """
    if shapes is None:
        shapes = {}
    if not isinstance(shapes, dict):
        raise MatDerivError("shapes must be a mapping from names to (rows, cols) tuples")
    env: dict = {}
    dims: dict = {}
    for name, shape in shapes.items():
        if isinstance(shape, str):
            shape = tuple(part for part in shape.split(",") if part.strip() != "") \
                if shape.strip() else ()
        if isinstance(shape, (int, sympy.Basic)) or not hasattr(shape, "__len__"):
            raise MatDerivError(f"shape of {name!r} must be (rows, cols), (rows,) or ()")
        shape = tuple(shape)
        if len(shape) == 0:
            env[name] = scalar(name)
        elif len(shape) == 1:
            env[name] = vector(name, shape[0])
        elif len(shape) == 2:
            env[name] = matrix(name, shape[0], shape[1])
        else:
            raise MatDerivError(f"shape of {name!r} has {len(shape)} sizes; matrices have 2")
        for size in getattr(env[name], "shape", ()):
            if size.is_Symbol:
                dims[size.name] = size
    for dim_name, symbol in dims.items():
        if dim_name in env:
            raise MatDerivError(f"{dim_name!r} names both a matrix and a size")
        env[dim_name] = symbol
    return env

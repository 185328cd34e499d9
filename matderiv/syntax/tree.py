"""The syntax tree of a formula: plain frozen records, each with its span in the text.

The parser makes them; the builder turns them into SymPy; the rule matcher reads rule
patterns written as them.

>>> Binary("*", Name("W", (0, 1)), Name("a", (2, 3)), (0, 3)).op
'*'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class Num:
    value: str
    span: tuple[int, int]


@dataclass(frozen=True)
class Name:
    id: str
    span: tuple[int, int]


@dataclass(frozen=True)
class Unary:
    op: str
    operand: object
    span: tuple[int, int]


@dataclass(frozen=True)
class Binary:
    op: str
    left: object
    right: object
    span: tuple[int, int]


@dataclass(frozen=True)
class Postfix:
    """Transpose, written ``A'`` or ``A.T``."""

    op: str
    operand: object
    span: tuple[int, int]


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    span: tuple[int, int]
    prime: bool = False  # f'(Y): the gradient of an abstract function f


class Token(NamedTuple):
    """A token of formula text (a tuple: a formula makes one per word and operator, and a
    frozen dataclass costs twice as much to make)."""

    kind: str  # "num", "name", "op", "end"
    text: str
    start: int

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.start + max(1, len(self.text)))


"""The claim's text -> a SymPy expression, or why it cannot be a derivative here.

A claim is written in the formula grammar and read by the same parser and builder as a
formula; it may use only the formula's own names, its sizes and abstract functions.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> build_claim(d, "kron(a', I(m))").shape
(m, m*n)
"""

from __future__ import annotations

import sympy
from sympy import Basic, MatrixSymbol

from ..errors import MatDerivError
from ..expressions import AbstractFunction, AbstractGradient
from ..syntax import tree
from ..syntax.builder import Builder, parse_formula
from ..syntax.grammar import FUNCTIONS
from .readings import well_shaped


class IllFormed(Exception):
    """The claim cannot be the derivative: a foreign name, or no well-formed expression."""


def formula_names(derivation) -> dict:
    """The names a claim may use: the formula's symbols and their sizes."""
    env = {}
    for symbol in derivation.expr.free_symbols | {derivation.variable}:
        if isinstance(symbol, (MatrixSymbol, sympy.Symbol)) and hasattr(symbol, "name"):
            env[symbol.name] = symbol
            for size in getattr(symbol, "shape", ()):
                if size.is_Symbol:
                    env[size.name] = size
    return env


def _names(node):
    """(matrix and size names, function names) used in a syntax tree."""
    if isinstance(node, tree.Name):
        return {node.id}, set()
    names, functions = set(), set()
    if isinstance(node, tree.Call):
        if node.prime or node.name not in FUNCTIONS:
            functions.add(node.name)
    for child in _children(node):
        more_names, more_functions = _names(child)
        names |= more_names
        functions |= more_functions
    return names, functions


def _children(node):
    if isinstance(node, tree.Unary | tree.Postfix):
        return (node.operand,)
    if isinstance(node, tree.Binary):
        return (node.left, node.right)
    if isinstance(node, tree.Call):
        return node.args
    return ()


def build_claim(derivation, claim, syntax: str = "text"):
    """The claim as a SymPy expression; IllFormed if it cannot be a derivative here.

    Text that does not parse is bad input: MatDerivError, as for a formula.
    """
    env = formula_names(derivation)
    functions = set(derivation.abstract_functions)
    if isinstance(claim, Basic):
        foreign = {s.name for s in claim.free_symbols if getattr(s, "name", None) not in env}
        foreign |= {a.function for a in claim.atoms(AbstractFunction, AbstractGradient)
                    if a.function not in functions}
        if foreign:
            raise IllFormed(_foreign_message(sorted(foreign), derivation))
        if not well_shaped(claim):
            raise IllFormed("the claim is not a well-formed expression: the shapes of a "
                            "product, sum or inverse in it do not conform")
        return claim
    if not isinstance(claim, str):
        raise MatDerivError(f"a claim must be text or a SymPy expression, "
                            f"not {type(claim).__name__}")
    try:
        parsed = parse_formula(claim, syntax, env)
    except MatDerivError as error:
        # Bad input, as for a formula, but say that it is the claim that is bad.
        raise MatDerivError(f"claim: {error.message.replace('formula', 'claim')}",
                            source=claim, span=error.span) from None
    names, called = _names(parsed)
    foreign = sorted((names - set(env)) | (called - functions))
    if foreign:
        raise IllFormed(_foreign_message(foreign, derivation))
    try:
        return Builder(env, source=claim, abstract=functions).build(parsed)
    except MatDerivError as error:
        raise IllFormed(f"the claim is not a well-formed expression: {error.one_line()}") \
            from None



def _foreign_message(names, derivation) -> str:
    listed = ", ".join(repr(n) for n in names)
    plural = "names" if len(names) > 1 else "name"
    return (f"the claim uses the {plural} {listed}, which the formula {derivation.formula} "
            "does not have, so it cannot be its derivative")



"""Derivatives by a structured variable, and results where a matrix is declared
symmetric or diagonal: the phases after identification (docs/structured.md).

The engine first finds the derivative as for a general matrix: G with dF = <G, dS>, or J
with vec(dF) = J vec(dS). A declared structure then enters by rules of the catalog
(``rules/structure/``), each a proof step:

- ``convention`` rules, applied once: for a symmetric dS, <G, dS> = <(G + G')/2, dS>
  (the gradient on the space of symmetric matrices, Srinivasan & Panda), for a diagonal
  dD, <G, dD> = <diag(diag(G)), dD>; vec(dS) = D(n) vech(dS), vec(dD) = Delta(n) diag(dD)
  for a Jacobian; and, when asked, the Matrix Cookbook's G + G' - diag(diag(G)).
- ``structure`` rules, wherever they apply: S' = S for a declared symmetric S.

>>> from sympy import Symbol
>>> from matderiv.expressions.structured import SymmetricMatrixSymbol
>>> n = Symbol("n", integer=True, positive=True)
>>> S = SymmetricMatrixSymbol("S", n, n)
>>> budget = {"max_seconds": None, "max_nodes": None}
>>> phases = structured_gradient(S.T.I, S, "symmetric", budget, lambda a, b: None)
>>> phases[-1].result
S**(-1)
"""

from __future__ import annotations

from sympy import MatMul, MatrixSymbol, ZeroMatrix

from ..errors import MatDerivError
from ..expressions import Inner, MatDiff, Vec, Vecr, mat_mul
from ..expressions.contains import atoms_of
from ..expressions.structured import Vech, structure_of
from ..expressions.tidy import canonical, tidy
from .catalog import catalog
from .phases import Phase, simplify
from .rewrite import Context, ProofStep, apply_first, simplify_bottom_up

#: The conventions of a gradient by a symmetric variable.
SYMMETRIC_CONVENTIONS = ("symmetric", "cookbook")


#: The convention rules that state vec(dS) (vecr(dS)) by the free entries of S, for
#: a diagonal S first (a diagonal matrix is symmetric too).
STACKING = {"col": ("vec-diagonal-variable", "vec-symmetric-variable"),
            "row": ("vecr-diagonal-variable", "vecr-symmetric-variable")}


def _rules(*names) -> tuple:
    """The catalog's rules of these names, in this order (a convention rule is applied
    at one place, for one purpose: never tried where another one is meant)."""
    return tuple(catalog().rule(name) for name in names)


def has_structure(expr, variable=None) -> bool:
    """Whether ``expr`` (or the variable) holds a matrix declared symmetric or diagonal."""
    if variable is not None and structure_of(variable):
        return True
    return any(structure_of(s) for s in atoms_of(expr, MatrixSymbol))


def structured_gradient(raw, variable, convention, budget, same_value) -> tuple[Phase, ...]:
    """The phases from the general gradient ``raw`` (dF = <raw, dX>) to the result.

    By a symmetric S: <raw, dS> = <sym(raw), dS> with S' = S, simplified; with
    ``convention`` "cookbook", the Cookbook's raw + raw' - diag(diag(raw)) instead (S_ij
    and S_ji one variable); by a diagonal D: diag(diag(raw)).
    By a general X, where another matrix is declared symmetric: S' = S in the result.
    """
    context = Context(variable, phase="identification", **budget)
    steps: list[ProofStep] = []
    if isinstance(raw, ZeroMatrix):
        # F does not vary with the variable: the zero matrix of its shape, whatever its
        # structure (<0, dS> is the number 0, which has no shape).
        return (Phase("structure", raw, raw, ()), simplify(raw, context, same_value))
    if structure_of(variable) == "symmetric" and convention == "cookbook":
        # S_ij and S_ji one variable: dF/dS_ij = G_ij + G_ji (i != j), G_ii (i = j).
        cookbook, step = apply_first(_rules("gradient-cookbook"), raw, context)
        steps.append(step)
        identified = simplify_bottom_up(canonical(cookbook), catalog().phase("structure"),
                                        context, steps)
        return (Phase("convention", raw, identified, tuple(steps)),
                simplify(tidy(identified), context, same_value))
    if structure_of(variable):
        start = Inner(raw, MatDiff(variable))
        found = apply_first(_rules("gradient-diagonal", "gradient-symmetric"), start, context)
        if found is None:  # pragma: no cover - every structure has its rule
            raise MatDerivError(f"no rule states the gradient by the {structure_of(variable)} "
                                f"{variable}")
        identified, step = found
        steps.append(step)
    else:
        start = identified = raw
    identified = simplify_bottom_up(identified, catalog().phase("structure"), context, steps)
    gradient = identified.args[0] if isinstance(identified, Inner) else identified
    return (Phase("structure", start, identified, tuple(steps)),
            simplify(tidy(gradient), context, same_value))


def structured_jacobian(raw, variable, vec, budget, same_value) -> tuple[Phase, ...]:
    """The phases from the general Jacobian ``raw`` (vec(dF) = raw vec(dX)) to the result.

    By a symmetric S: vec(dS) = D(n) vech(dS), so J = raw D(n), d vec(F) / d vech(S);
    by a diagonal D: J = raw Delta(n), d vec(F) / d diag(D) (vecr alike, as for a
    symmetric dS vecr(dS) = vec(dS)). S' = S wherever a symmetric S is declared.
    """
    context = Context(variable, phase="identification", **budget)
    steps: list[ProofStep] = []
    if structure_of(variable):
        stacked = (Vec if vec == "col" else Vecr)(MatDiff(variable))
        start = MatMul(raw, stacked)
        found = apply_first(_rules(*STACKING[vec]), stacked, context)
        if found is None:  # pragma: no cover - every structure has its rule
            raise MatDerivError(f"no rule states the Jacobian by the "
                                f"{structure_of(variable)} {variable}")
        coordinates, step = found
        steps.append(step)
        # coordinates: D(n) vech(dS) or Delta(n) diag(dD); J is raw times its matrix.
        operator = mat_mul(*[a for a in coordinates.args if not a.has(MatDiff)])
        jacobian = simplify_bottom_up(mat_mul(raw, operator), catalog().phase("structure"),
                                      context, steps)
        identified = mat_mul(jacobian, _coordinates_of(coordinates))
    else:
        start = identified = raw
        jacobian = identified = simplify_bottom_up(raw, catalog().phase("structure"),
                                                   context, steps)
    return (Phase("structure", start, identified, tuple(steps)),
            simplify(tidy(jacobian), context, same_value))


def with_structure(expr, variable, budget, same_value) -> tuple[Phase, Phase]:
    """``expr`` (a result) with S' = S for every declared symmetric S, simplified: where a
    result was rewritten after the structure entered (transposed, for denominator
    layout)."""
    context = Context(variable, phase="identification", **budget)
    steps: list[ProofStep] = []
    start = canonical(expr)
    rewritten = simplify_bottom_up(start, catalog().phase("structure"), context, steps)
    return (Phase("structure", start, rewritten, tuple(steps)),
            simplify(tidy(rewritten), context, same_value))


def _coordinates_of(coordinates):
    """vech(dS) or diag(dD): the factor of ``coordinates`` holding the differential."""
    linear = [a for a in coordinates.args if a.has(MatDiff)]
    return linear[0] if len(linear) == 1 else Vech(MatDiff(coordinates))


__all__ = ["SYMMETRIC_CONVENTIONS", "has_structure", "structured_gradient",
           "structured_jacobian", "with_structure"]

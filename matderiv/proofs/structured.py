"""Proofs by a symmetric or diagonal variable: where the structure, and the convention,
enter (docs/structured.md).

The rules proof shows the structure's steps as the rules that make them
(``gradient-symmetric``, ``vec-symmetric-variable``, ``symmetric-transpose``, ...); this
module gives their headings and words. The element-wise proof first differentiates one
entry as for a general matrix (G0_pq = ∂F/∂S_pq with every entry free, checked at every
entry), then says what a symmetric S changes: S_pq and S_qp are one variable, so
∂S_ij/∂S_pq = δ_ip δ_jq + δ_iq δ_jp - δ_ij δ_ip δ_jq, and ∂F/∂S_pq = G0_pq + G0_qp
(p ≠ q) or G0_pp; then the step to the convention's closed form, checked numerically.

>>> from matderiv import derive
>>> d = derive("logdet(S)", "S", {"S": "n,n"}, symmetric=["S"])
>>> [s.heading for s in structured_elementwise_proof(d, "gradient").sections][-3:]
['Symmetric variable', 'Convention', 'Closed form']
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from sympy import Derivative, Rational, Symbol

from ..engine.conventions import stated_convention
from ..errors import MatDerivError
from ..expressions.structured import structure_of
from ..numeric.evaluate import evaluate
from ..numeric.points import random_values, stand_in_functions
from .data import Line, Section


def structure_section(phase_name: str, derivation, kind: str) -> tuple[str, str]:
    """(heading, words) of a rules proof's section for a structure or convention phase."""
    x = derivation.variable
    structure = structure_of(x)
    declared = sorted(s.name for s in derivation.env.values()
                      if structure_of(s) and s != x)
    if phase_name == "convention":
        return ("Convention", f"The Matrix Cookbook's convention (141) takes {x}_ij and "
                f"{x}_ji as one variable: its entry (i, j) is the derivative by that one "
                f"variable, G_ij + G_ji off the diagonal and G_ii on it, for the general "
                f"gradient G; and {x}' = {x}. (The gradient on the space of symmetric "
                f"matrices is (G + G')/2 instead: --symmetric-convention symmetric.)")
    if structure is None:
        return ("Structure", f"{', '.join(declared)} declared symmetric: S' = S.")
    if structure == "symmetric" and kind == "gradient":
        return ("Symmetric variable", f"{x} is symmetric, and so is every d{x}: only the "
                f"symmetric part of G counts in <G, d{x}>. The gradient on the space of "
                f"symmetric matrices is that part, (G + G')/2 (Srinivasan & Panda, "
                f"arXiv:1911.06491); and {x}' = {x}.")
    if structure == "symmetric":
        return ("Symmetric variable", f"{x} is symmetric: its free entries are vech({x}), "
                f"and vec(d{x}) = D_n vech(d{x}) (Magnus & Neudecker); and {x}' = {x}.")
    if kind == "gradient":
        return ("Diagonal variable", f"{x} is diagonal, and so is every d{x}: only the "
                f"diagonal of G counts in <G, d{x}> = sum_i G_ii d{x}_ii.")
    return ("Diagonal variable", f"{x} is diagonal: its free entries are diag({x}), and "
            f"vec(d{x}) = Delta_n diag(d{x}).")


def structured_conclusion(derivation, kind: str, vec: str) -> str:
    """The rules proof's last words by a symmetric or diagonal variable."""
    x = derivation.variable
    structure = structure_of(x)
    if kind == "gradient":
        text = (f"Since dF = <G, d{x}> for every {structure} d{x}, and G is {structure}, G is "
                f"the gradient of F on the space of {structure} matrices.")
        if getattr(derivation, "symmetric_convention", "") == "cookbook" and \
                structure == "symmetric":
            text = (f"Since dF = sum over i >= j of G_ij d{x}_ij for every symmetric d{x}, "
                    f"G_ij being the derivative by {x}_ij and {x}_ji as one variable, G is "
                    "the Matrix Cookbook's derivative (141).")
        return text
    stack = "vec" if vec == "col" else "vecr"
    by = "vech" if structure == "symmetric" else "diag"
    text = (f"Since {stack}(dF) = J {by}(d{x}) for every {structure} d{x}, J is the "
            f"Jacobian d {stack}(F) / d {by}({x}).")
    if derivation.layout == "denominator":
        text += " In denominator layout the result is its transpose J'."
    return text


def structured_elementwise_proof(derivation, kind: str, vec: str = "col"):
    """The element-wise proof by a symmetric (diagonal) variable: the general one, then
    where the structure and the convention enter, then the closed form, checked."""
    from .elementwise import elementwise_proof
    x = derivation.variable
    structure = structure_of(x)
    general = elementwise_proof(derivation.general(), kind, vec)
    sections = list(general.sections)
    sections[-1] = replace(sections[-1], heading="General closed form",
                           lines=tuple(replace(line, lhs=Symbol("J0" if kind == "jacobian"
                                                                else "G0"))
                                       for line in sections[-1].lines),
                           text=sections[-1].text.replace("The closed form", "The closed form "
                                                          "for a general matrix (every entry "
                                                          "free), G0 or J0,"))
    sections += _structure_sections(derivation, kind, x, structure)
    result = derivation.gradient() if kind == "gradient" else derivation.jacobian(vec=vec)
    checked = _check_closed_form(derivation, kind, vec)
    sections.append(Section("Closed form", (Line(result, lhs=Symbol(
        "J" if kind == "jacobian" else "G")),), f"The closed form is this: {checked}."))
    layout = derivation.layout if kind == "jacobian" else "numerator"
    return replace(general, result=result, sections=tuple(sections),
                   convention=stated_convention(derivation, kind, vec, layout))


def _structure_sections(derivation, kind, x, structure) -> list[Section]:
    """The sections that say where the structure and the convention enter."""
    g0 = "J0" if kind == "jacobian" else "G0"
    entry = Symbol(f"{x}_pq")
    if structure == "diagonal":
        text = (f"{x} is diagonal: only {x}_pp varies, and ∂F/∂{x}_pp is {g0}'s entry "
                f"(column, for J0) of {x}_pp; every other entry of {x} stays 0.")
        if kind == "gradient":
            return [Section("Diagonal variable", (Line(Symbol(f"{g0}_pp"), lhs=Derivative(
                Symbol("F"), Symbol(f"{x}_pp"))),), text + " G = diag(diag(G0)).")]
        return [Section("Diagonal variable", (), text + " J = J0 Delta_n.")]
    one = (Line(Symbol("δ_ip δ_jq + δ_iq δ_jp - δ_ij δ_ip δ_jq"),
                lhs=Derivative(Symbol(f"{x}_ij"), entry)),)
    words = (f"{x} is symmetric: {x}_pq and {x}_qp are one variable, so a change of "
             f"{x}_pq (p ≥ q) moves both entries; ∂F/∂{x}_pq, with {x}_pq one variable, "
             f"adds {g0}'s two entries (columns, for J0): ")
    if kind == "jacobian":
        return [Section("Symmetric variable", one, words + "column (p, q) of J0 D_n, p ≥ q, "
                        "is the sum of J0's columns of (p, q) and (q, p) (one column for "
                        "p = q): J = J0 D_n, by vech.")]
    moved = Line(Symbol(f"{g0}_pq") + Symbol(f"{g0}_qp") - Symbol("δ_pq") * Symbol(f"{g0}_pq"),
                 lhs=Derivative(Symbol("F"), entry))
    sections = [Section("Symmetric variable", (*one, moved),
                        words + f"{g0}_pq + {g0}_qp off the diagonal, {g0}_pp on it.")]
    if getattr(derivation, "symmetric_convention", "symmetric") == "cookbook":
        sections.append(Section("Convention", (moved,), (
            "The Matrix Cookbook's convention (141) lays that derivative out at (p, q) and "
            "(q, p): G = G0 + G0' - diag(diag(G0)) = 2 sym(G0) - diag(diag(sym(G0))).")))
    else:
        half = Line(Rational(1, 2) * (Symbol(f"{g0}_pq") + Symbol(f"{g0}_qp")),
                    lhs=Symbol("G_pq"))
        sections.append(Section("Convention", (half,), (
            f"The gradient on the space of symmetric matrices is the symmetric G with dF = "
            f"Σ_ij G_ij d{x}_ij for every symmetric d{x}: off the diagonal dF holds "
            f"(G_pq + G_qp) d{x}_pq = 2 G_pq d{x}_pq, so G_pq is half the derivative above, "
            f"(G0_pq + G0_qp)/2, and G = sym(G0) (Srinivasan & Panda, arXiv:1911.06491). "
            f"The Cookbook's form, the derivative itself, is --symmetric-convention "
            f"cookbook.")))
    return sections


def _check_closed_form(derivation, kind, vec, points: int = 3) -> str:
    """The closed form against the general one put through the structure's step, at
    random symmetric (diagonal) points; raise where they differ."""
    from ..expressions import DiagEmbedding
    from ..expressions.structured import DuplicationMatrix
    x = derivation.variable
    general = derivation.general()
    rng = np.random.default_rng(11)
    functions = stand_in_functions(derivation.abstract_functions)
    convention = getattr(derivation, "symmetric_convention", "symmetric")
    done = 0
    for _ in range(4 * points):
        values = random_values(derivation.expr, x, rng)
        try:
            if kind == "gradient":
                g0 = np.asarray(evaluate(general.gradient(), values, functions=functions))
                if structure_of(x) == "diagonal":
                    expected = np.diag(np.diag(g0))
                else:
                    expected = (g0 + g0.T) / 2
                    if convention == "cookbook":
                        expected = 2 * expected - np.diag(np.diag(expected))
                computed = evaluate(derivation.gradient(), values, functions=functions)
            else:
                j0 = np.asarray(evaluate(general.jacobian(vec=vec), values,
                                         functions=functions))
                n = x.shape[0]
                coordinates = DuplicationMatrix(n) if structure_of(x) == "symmetric" \
                    else DiagEmbedding(n)
                expected = j0 @ np.asarray(evaluate(coordinates, values), dtype=float)
                computed = evaluate(derivation.jacobian(vec=vec, layout="numerator"), values,
                                    functions=functions)
        except MatDerivError:
            continue
        computed = np.asarray(computed, dtype=float)
        if not np.all(np.isfinite(expected)):
            continue
        if computed.shape != expected.shape or not np.allclose(computed, expected, rtol=1e-8,
                                                               atol=1e-10):
            raise MatDerivError("internal error: the closed form by the structured variable "
                                "is not the general one put through the convention's step; "
                                "the proof is withheld (please report this)")
        done += 1
        if done == points:
            break
    if not done:
        raise MatDerivError("no element-wise proof: the formula could not be evaluated at "
                            "random points to check the closed form")
    return (f"it equals the general closed form put through this step at {done} random "
            f"{structure_of(x)} points")


__all__ = ["structure_section", "structured_conclusion", "structured_elementwise_proof"]

"""The element-wise proof at integer sizes, written on the symbolic twin.

Checking a proof's entries at the sizes given (W of 200 × 300) would mean 60000 × 300
entry formulas, each evaluated or simplified: it ran out of its budget at 20 × 30. The
proof is the same at every size, so it is written for the twin (``api.twin``: the same
formula with each integer size named, n200 for 200), checked at small sizes of the same
shape pattern like any proof at named sizes, and its closed form with the sizes put back
is confirmed to be the derivation's own result. A last section says so.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": (30, 40), "a": (40, 1)})
>>> elementwise_at_sizes(d, "jacobian", "col").sections[-1].heading
'Sizes given'
"""

from __future__ import annotations

from dataclasses import replace

from sympy import Symbol

from ..engine.conventions import stated_convention
from ..errors import MatDerivError
from ..numeric.verify import same_at_sizes
from ..proofs.data import Line, Section, stated_shapes
from ..proofs.elementwise import elementwise_proof
from .twin import twin_of


def elementwise_at_sizes(derivation, kind: str, vec: str, prove=elementwise_proof):
    """The element-wise proof of ``derivation`` (``prove(derivation, kind, vec)``): on its
    twin where it has integer sizes of 2 or more (never checked at those sizes), else on
    itself."""
    try:
        twin, substitution = twin_of(derivation)
    except MatDerivError:  # no twin (a formula given as SymPy): the proof as it stands
        substitution = {}
    if not substitution:
        return prove(derivation, kind, vec)
    proof = prove(twin, kind, vec)
    result = derivation.gradient() if kind == "gradient" else derivation.jacobian(vec=vec)
    if not same_at_sizes(proof.result, result, substitution):
        raise MatDerivError("internal error: the element-wise proof with the sizes named "
                            "does not give the result at the sizes given; the proof is "
                            "withheld (please report this)")
    named = ", ".join(f"{name} = {value}" for name, value in
                      sorted(substitution.items(), key=lambda item: int(item[1])))
    given = Section("Sizes given", (Line(result, lhs=Symbol("J" if kind == "jacobian"
                                                            else "G")),),
                    f"The sizes given are integers: the proof above is that of the same "
                    f"formula with them named ({named}), checked at small sizes of the same "
                    f"shape pattern, not at the sizes given. The same steps hold at every "
                    f"size; its closed form with the sizes put in is the result")
    layout = derivation.layout if kind == "jacobian" else "numerator"
    return replace(proof, formula=derivation.expr, variable=derivation.variable,
                   result=result, sections=(*proof.sections, given),
                   convention=stated_convention(derivation, kind, vec, layout),
                   shapes=stated_shapes(derivation)[0], inferred=stated_shapes(derivation)[1])


__all__ = ["elementwise_at_sizes"]

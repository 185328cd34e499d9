"""The one-paragraph explanation of each verdict on a claim (words only, no maths).

>>> from matderiv.claims.readings import Reading
>>> convention_words(Reading("jacobian", "row"), Reading("jacobian", "col"))
'the row-stacking (vecr) form'
"""

from __future__ import annotations

import numpy as np

from ..render import to_text
from .readings import shape_of, shape_text


def convention_words(found, asked) -> str:
    """What differs between the reading the claim fits and the one asked, in words."""
    if found.kind != asked.kind:
        names = {"gradient": "gradient as a matrix", "jacobian": "Jacobian",
                 "hessian": "Hessian"}
        return f"the {names[found.kind]}, not the {names[asked.kind]}"
    parts = []
    if getattr(found, "convention", "") != getattr(asked, "convention", ""):
        parts.append("Matrix Cookbook's (S_ij and S_ji one variable)"
                     if found.convention == "cookbook" else
                     "symmetric-gradient (sym(G), the gradient on symmetric matrices)")
    if found.vec != asked.vec:
        parts.append("row-stacking (vecr)" if found.vec == "row" else "column-stacking (vec)")
    if found.layout != asked.layout:
        parts.append(f"{found.layout}-layout")
    return "the " + ", ".join(parts) + " form"


def correct(reading, result, sampler, symbolic, variable) -> str:
    how = ("It is also symbolically equal to it after canonical simplification. "
           if symbolic else "")
    return (f"The claim is correct: it equals matderiv's result {to_text(result)}, "
            f"{reading.describe(variable)}. They agree numerically at "
            f"{sampler.evidence(reading)}, and matderiv's result agrees with central finite "
            f"differences at each size set. {how}".rstrip())


def another(asked, found, result, other, sampler, variable, claim_expr) -> str:
    from sympy import KroneckerProduct
    kron = ""
    if found.vec != asked.vec and claim_expr.has(KroneckerProduct):
        kron = (" A Kronecker product with its factors in the other order is typically this: "
                "stacking rows instead of columns reorders both vec(F) and vec(X), which "
                "swaps the factors (vec(A X B) = (Bᵀ ⊗ A) vec(X), vecr(A X B) = "
                "(A ⊗ Bᵀ) vecr(X)).")
    return (f"The claim is correct in another convention: it is {convention_words(found, asked)}"
            f": {found.describe(variable)} = {to_text(other)}, and agrees with it at "
            f"{sampler.evidence(found)}. In the convention asked, {asked.describe(variable)}, "
            f"the derivative is {to_text(result)}, so the claim is not right as stated; "
            f"`{found.flags}` reproduces it.{kron}")


def _value(x: float) -> str:
    return "undefined" if np.isnan(x) else f"{x:.6g}"


def example_words(example) -> str:
    sizes = ", ".join(f"{k}={v}" for k, v in example.sizes.items())
    values = "; ".join(f"{k} = {array_text(v)}" for k, v in example.values.items())
    row, col = example.entry
    at = f"with sizes {sizes} and " if sizes else "with "
    return (f"{at}{values}, entry ({row}, {col}) of the claim is "
            f"{_value(example.claim_value)} but the true value is {_value(example.true_value)}")


def array_text(value) -> str:
    array = np.atleast_2d(np.asarray(value, dtype=float))
    if array.size == 1:
        return f"{array[0, 0]:.4g}"
    rows = ["[" + ", ".join(f"{x:.4g}" for x in row) + "]" for row in array]
    return "[" + ", ".join(rows) + "]"


def wrong(asked, judged, truth, example, diagnoses, variable) -> str:
    shape_note = ""
    if judged != asked:
        shape_note = (f" Its shape fits {judged.describe(variable)} rather than "
                      f"{asked.describe(variable)}, and it is wrong even read that way.")
    why = ""
    if diagnoses:
        why = " Diagnosis: " + "; ".join(str(d) for d in diagnoses) + "."
    return (f"The claim is wrong: matderiv's result, {judged.describe(variable)}, is "
            f"{to_text(truth)}.{shape_note} Smallest counterexample: {example_words(example)}."
            f"{why}")


def ill_formed(asked, result, claim_expr, diagnoses, variable) -> str:
    why = (" Diagnosis: " + "; ".join(str(d) for d in diagnoses) + ".") if diagnoses else ""
    return (f"The claim is ill-formed: it is {shape_text(shape_of(claim_expr))}, but "
            f"{asked.describe(variable)} is {shape_text(shape_of(result))}, and no other "
            f"convention gives the claim's shape.{why}")

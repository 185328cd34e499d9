"""A finished complex derivation as plain data, as ``report.derivation_report`` makes it
for real ones: the statement in text and LaTeX, the Wirtinger convention, notes, the
numeric check.

>>> from matderiv import derive
>>> d = derive("z'*H*z", wrt="z", shapes={"z": ("n", 1)}, complex=["z"], hermitian=["H"])
>>> complex_report(d, kind="gradient")["statement"]["text"]
'∂(zᴴ H z)/∂z̄ = H z'
"""

from __future__ import annotations

from ..errors import MatDerivError
from ..render import to_latex, to_text
from ..render.shapes import inferred_note, shape_text
from .report import non_smooth_functions


def complex_report(derivation, kind: str, vec: str = "col", conjugate: bool = False,
                   check: bool = False) -> dict:
    """The report of ``derivation`` (a ``ComplexDerivation``): ``kind`` "gradient" or
    "jacobian" (with ``conjugate``, by Z̄)."""
    f_text, f_tex = to_text(derivation.expr), to_latex(derivation.expr)
    by_conjugate = derivation.is_complex_variable and (kind == "gradient" or conjugate)
    by = derivation.conjugate if by_conjugate else derivation.variable
    x_text, x_tex = to_text(by), to_latex(by)
    if kind == "gradient":
        result = derivation.gradient()
        text = f"∂({f_text})/∂{x_text}"
        tex = r"\frac{\partial (%s)}{\partial %s}" % (f_tex, x_tex)
    elif kind == "jacobian":
        result = derivation.jacobian(vec=vec, conjugate=conjugate)
        op = "vec" if vec == "col" else "vecr"
        text = f"∂{op}({f_text})/∂{op}({x_text})"
        tex = r"\frac{\partial \operatorname{%s}(%s)}{\partial \operatorname{%s}(%s)}" % (
            op, f_tex, op, x_tex)
        if derivation.by_z.layout == "denominator":
            text, tex = f"({text})ᵀ", r"\left(%s\right)^{T}" % tex
    else:
        derivation.hessian() if kind == "hessian" else derivation.tensor()  # refused
        raise MatDerivError(f"unknown kind {kind!r}")
    inferred = {n: tuple(derivation.env[n].shape) if hasattr(derivation.env[n], "shape")
                else () for n in derivation.inferred}
    try:
        rules = derivation.rules_used(kind if kind == "gradient" else f"jacobian-{vec}",
                                      conjugate=conjugate)
    except MatDerivError:
        rules = []  # a zero result by Z̄ of a holomorphic F: no rule was applied
    report = {
        "formula": derivation.formula, "wrt": str(derivation.variable),
        "statement": {"text": f"{text} = {to_text(result)}",
                      "latex": f"{tex} = {to_latex(result)}"},
        "result": {"text": to_text(result), "latex": to_latex(result), "sympy": str(result)},
        "kind": kind, "vec": vec if kind == "jacobian" else None,
        "layout": derivation.by_z.layout if kind == "jacobian" else None,
        "conjugate": bool(by_conjugate),
        "complex": list(derivation.complex_names), "hermitian": list(derivation.hermitian),
        "convention": derivation.convention(kind, vec, conjugate=conjugate),
        "rules": rules,
        "inferred": {name: shape_text(shape) for name, shape in inferred.items()},
        "notes": [f"{name} is not differentiable everywhere: {choice}"
                  for name, choice in non_smooth_functions(derivation.expr)],
    }
    if inferred:
        report["notes"].insert(0, inferred_note(inferred))
    if check:
        report["check"] = {"passed": True, "summary": derivation.check().summary}
    return report


__all__ = ["complex_report"]

"""A finished derivation as plain data: the statement in text and LaTeX, the convention.

The CLI prints this and ``--format json`` dumps it; it holds strings only.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> derivation_report(d, kind="jacobian")["statement"]["text"]
'∂vec(W a)/∂vec(W) = aᵀ ⊗ I_m'
"""

from __future__ import annotations

from ..engine.conventions import convention
from ..errors import MatDerivError
from ..render import to_latex, to_text
from ..render.operand import operand_latex, operand_text
from ..render.shapes import inferred_note, shape_text


def _shape_text(expr) -> str:
    shape = getattr(expr, "shape", None)
    return "scalar" if shape is None else "×".join(to_text(s) for s in shape)


def statement(derivation, kind: str, vec: str = "col") -> dict:
    """'∂vec(F)/∂vec(X) = J' or '∂F/∂X = G', in text and LaTeX."""
    f_text, x_text = to_text(derivation.expr), to_text(derivation.variable)
    f_tex, x_tex = to_latex(derivation.expr), to_latex(derivation.variable)
    # What ∂ applies to: in brackets unless one name or one function applied.
    f_name, f_tex_name = operand_text(derivation.expr), operand_latex(derivation.expr)
    if kind == "gradient":
        result = derivation.gradient()
        text = f"∂{f_name}/∂{x_text} = {to_text(result)}"
        tex = r"\frac{\partial %s}{\partial %s} = %s" % (f_tex_name, x_tex, to_latex(result))
    elif kind == "jacobian":
        result = derivation.jacobian(vec=vec)
        op = "vec" if vec == "col" else "vecr"
        text = f"∂{op}({f_text})/∂{op}({x_text})"
        tex = r"\frac{\partial \operatorname{%s}(%s)}{\partial \operatorname{%s}(%s)}" % (
            op, f_tex, op, x_tex)
        if derivation.layout == "denominator":
            text, tex = f"({text})ᵀ", r"\left(%s\right)^{T}" % tex
        text += f" = {to_text(result)}"
        tex += f" = {to_latex(result)}"
    elif kind == "hessian":
        result = derivation.hessian(vec=vec)
        op = "vec" if vec == "col" else "vecr"
        x_vec = f"{op}({x_text})"
        text = f"∂²{f_name}/∂{x_vec}∂{x_vec}ᵀ"
        tex = (r"\frac{\partial^2 %s}{\partial \operatorname{%s}(%s)\,\partial "
               r"\operatorname{%s}(%s)^{T}}" % (f_tex_name, op, x_tex, op, x_tex))
        if derivation.layout == "denominator":
            text, tex = f"({text})ᵀ", r"\left(%s\right)^{T}" % tex
        text += f" = {to_text(result)}"
        tex += f" = {to_latex(result)}"
    elif kind == "tensor":
        result = derivation.tensor()
        text = f"∂{f_name}_ij/∂{x_text}_kl = {to_text(result)}"
        tex = r"\frac{\partial \left(%s\right)_{ij}}{\partial %s_{kl}} = %s" % (
            f_tex, x_tex, to_latex(result))
    else:
        raise MatDerivError(f"unknown kind {kind!r}: gradient, jacobian, hessian or tensor")
    return {"text": text, "latex": tex, "result": result}


def _rules(derivation, kind, vec) -> list[str]:
    if kind == "hessian":
        return (derivation.rules_used("gradient")
                + derivation.gradient_derivation().rules_used("jacobian-" + vec))
    return derivation.rules_used("gradient" if kind == "gradient" else
                                 "jacobian-" + ("row" if kind == "tensor" else vec))


def derivation_report(derivation, *, kind: str, vec: str = "col", check: bool = False) -> dict:
    """Everything a front end shows about one result, as JSON-ready data."""
    stated = statement(derivation, kind, vec)
    result = stated.pop("result")
    report = {
        "formula": derivation.formula,
        "wrt": str(derivation.variable),
        "shapes": {name: _shape_text(value) for name, value in sorted(derivation.env.items())
                   if hasattr(value, "shape") or not value.is_integer},
        "kind": kind,
        "vec": vec if kind in ("jacobian", "hessian") else None,
        "layout": derivation.layout if kind in ("jacobian", "hessian") else None,
        "convention": convention(kind, vec, derivation.variable, derivation.layout),
        "result": {"text": to_text(result), "latex": to_latex(result), "sympy": str(result)},
        "shape": _shape_text(result),
        "statement": stated,
        "rules": _rules(derivation, kind, vec),
        "inferred": {name: shape_text(shape)
                     for name, shape in derivation.inferred_shapes.items()},
    }
    # A name the grammar does not know, called like a function, is an abstract f: say so,
    # so that abs(w) or relu(W*x) is not mistaken for a built-in.
    report["notes"] = [f"{name} is not a built-in function: {name}(·) is read as an abstract "
                       f"smooth scalar function, its gradient written {name}'(·)"
                       for name in derivation.abstract_functions]
    if derivation.inferred:
        report["notes"].insert(0, inferred_note(derivation.inferred_shapes))
    if check:
        outcome = derivation.check(hessian=kind == "hessian")
        report["check"] = {"passed": True, "summary": outcome.summary,
                           "max_error": outcome.max_error}
    return report

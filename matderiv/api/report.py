"""A finished derivation as plain data: the statement in text and LaTeX, the convention.

The CLI prints this and ``--format json`` dumps it; it holds strings only.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> derivation_report(d, kind="jacobian")["statement"]["text"]
'∂vec(W a)/∂vec(W) = aᵀ ⊗ I_m'
"""

from __future__ import annotations

import sympy

from ..engine.conventions import stated_convention
from ..errors import MatDerivError
from ..expressions import NON_SMOOTH, Elementwise, ElementwiseBinary, VectorNorm
from ..expressions.spectral import assumptions
from ..expressions.structured import stacking_by
from ..render import to_latex, to_text
from ..render.operand import operand_latex, operand_text
from ..render.shapes import inferred_note, shape_text
from .by_scalar import is_scalar_variable, zero_note


def _shape_text(expr) -> str:
    shape = getattr(expr, "shape", None)
    return "scalar" if shape is None else "×".join(to_text(s) for s in shape)


def statement(derivation, kind: str, vec: str = "col") -> dict:
    """'∂vec(F)/∂vec(X) = J' or '∂F/∂X = G', in text and LaTeX."""
    f_text, x_text = to_text(derivation.expr), to_text(derivation.variable)
    f_tex, x_tex = to_latex(derivation.expr), to_latex(derivation.variable)
    # What ∂ applies to: in brackets unless one name or one function applied.
    f_name, f_tex_name = operand_text(derivation.expr), operand_latex(derivation.expr)
    if is_scalar_variable(derivation.variable):
        return _by_scalar(derivation, kind, vec, (f_name, f_tex_name, f_text, f_tex),
                          (x_text, x_tex))
    if kind == "gradient":
        result = derivation.gradient()
        text = f"∂{f_name}/∂{x_text} = {to_text(result)}"
        tex = r"\frac{\partial %s}{\partial %s} = %s" % (f_tex_name, x_tex, to_latex(result))
    elif kind == "jacobian":
        result = derivation.jacobian(vec=vec)
        op = "vec" if vec == "col" else "vecr"
        by = stacking_by(derivation.variable, op)  # vech(S), diag(D): the free entries
        text = f"∂{op}({f_text})/∂{by}({x_text})"
        tex = r"\frac{\partial \operatorname{%s}(%s)}{\partial \operatorname{%s}(%s)}" % (
            op, f_tex, by, x_tex)
        if derivation.layout == "denominator":
            text, tex = f"({text})ᵀ", r"\left(%s\right)^{T}" % tex
        text += f" = {to_text(result)}"
        tex += f" = {to_latex(result)}"
    elif kind == "hessian":
        result = derivation.hessian(vec=vec)
        op = stacking_by(derivation.variable, "vec" if vec == "col" else "vecr")
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


def _by_scalar(derivation, kind, vec, f, x) -> dict:
    """The statement of a derivative by a scalar t: ∂F/∂t, ∂vec(F)/∂t, ∂²F/∂t²,
    ∂F_ij/∂t."""
    (f_name, f_tex_name, f_text, f_tex), (x_text, x_tex) = f, x
    op = "vec" if vec == "col" else "vecr"
    if kind == "gradient":
        result = derivation.gradient()
    elif kind == "hessian":
        result = derivation.hessian(vec=vec)
        text = f"∂²{f_name}/∂{x_text}²"
        tex = r"\frac{\partial^2 %s}{\partial %s^2}" % (f_tex_name, x_tex)
    elif kind == "jacobian":
        result = derivation.jacobian(vec=vec)
        if derivation.is_scalar:  # vec(F) is F
            kind = "gradient"
        else:
            text = f"∂{op}({f_text})/∂{x_text}"
            tex = r"\frac{\partial \operatorname{%s}(%s)}{\partial %s}" % (op, f_tex, x_tex)
            if derivation.layout == "denominator":
                text, tex = f"({text})ᵀ", r"\left(%s\right)^{T}" % tex
    elif kind == "tensor":
        result = derivation.tensor()
        if derivation.is_scalar:
            kind = "gradient"
        else:  # F's axes only: entry (i, j) of the matrix dF/dt
            text = f"∂{f_name}_ij/∂{x_text} = ({to_text(result)})_ij"
            tex = r"\frac{\partial \left(%s\right)_{ij}}{\partial %s} = \left(%s\right)_{ij}" % (
                f_tex, x_tex, to_latex(result))
            return {"text": text, "latex": tex, "result": result}
    else:
        raise MatDerivError(f"unknown kind {kind!r}: gradient, jacobian, hessian or tensor")
    if kind == "gradient":
        text = f"∂{f_name}/∂{x_text}"
        tex = r"\frac{\partial %s}{\partial %s}" % (f_tex_name, x_tex)
    return {"text": f"{text} = {to_text(result)}", "latex": f"{tex} = {to_latex(result)}",
            "result": result}


def _rules(derivation, kind, vec) -> list[str]:
    if kind == "hessian":
        return (derivation.rules_used("gradient")
                + derivation.gradient_derivation().rules_used("jacobian-" + vec))
    return derivation.rules_used("gradient" if kind == "gradient" else
                                 "jacobian-" + ("row" if kind == "tensor" else vec))


def non_smooth_functions(expr) -> list[tuple[str, str]]:
    """The non-smooth functions in ``expr`` and the derivative matderiv takes at their
    kinks, in NON_SMOOTH's order: [("abs", "abs'(0) = sign(0) = 0"), ...]."""
    names = set()
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (Elementwise, ElementwiseBinary)):
            names.add(node.function)
        elif isinstance(node, sympy.Function):
            names.add(type(node).__name__)
        elif isinstance(node, VectorNorm) and node.p == 1:
            names.add("abs")
    return [(name, choice) for name, choice in NON_SMOOTH.items() if name in names]


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
        "convention": stated_convention(derivation, kind, vec, derivation.layout),
        "result": {"text": to_text(result), "latex": to_latex(result), "sympy": str(result)},
        "shape": _shape_text(result),
        "statement": stated,
        "rules": _rules(derivation, kind, vec),
        "inferred": {name: shape_text(shape)
                     for name, shape in derivation.inferred_shapes.items()},
    }
    # An abstract f is said to be one, so that it is not mistaken for a built-in; a
    # non-smooth function states the derivative taken at its kinks.
    report["notes"] = [f"{name} is not a built-in function: {name}(·) is read as an abstract "
                       f"smooth scalar function, its gradient written {name}'(·)"
                       for name in derivation.abstract_functions]
    report["notes"] += [f"{name} is not differentiable everywhere: {choice}"
                        for name, choice in non_smooth_functions(derivation.expr)]
    # A spectral or matrix function's derivative holds where its assumption does.
    report["notes"] += assumptions(derivation.expr)
    zero = zero_note(derivation, result)
    if zero:
        report["notes"].insert(0, zero)
    if derivation.inferred:
        report["notes"].insert(0, inferred_note(derivation.inferred_shapes))
    if check:
        outcome = derivation.check(hessian=kind == "hessian")
        report["check"] = {"passed": True, "summary": outcome.summary,
                           "max_error": outcome.max_error}
    return report

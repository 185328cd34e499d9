"""Reports of a derivative of any order and of a mixed Hessian: statements in text and
LaTeX, with the index notation where there is one, conventions, rules, proofs.

>>> from matderiv import derive
>>> d = derive("sum(exp(x))", wrt="x", shapes={"x": "n"})
>>> order_statement(d, 3)["text"]
'∂³sum(exp(x))/∂x_i∂x_j∂x_k = δ_ijk exp(x_i)'
>>> d = derive("x'*A*y", wrt="x", shapes={"x": "n", "y": "m", "A": "n,m"})
>>> mixed_statement(d, "y")["text"]
'∂²(xᵀ A y)/∂vec(x)∂vec(y)ᵀ = A'
"""

from __future__ import annotations

from ..errors import MatDerivError
from ..render import to_latex, to_text
from ..render.index_notation import index_latex, index_text, superscript
from ..render.operand import operand_latex, operand_text
from .higher import axes_of
from .report import derivation_report


def order_statement(derivation, order: int) -> dict:
    """'∂³F/∂x_i∂x_j∂x_k = δ_ijk exp(x_i)': the index notation where the closed form
    has one, else D_ijk = reshape(B, sizes)_ijk with B the closed form."""
    result = derivation.derivative(order)
    axes = derivation.derivative_axes(order)
    form = derivation.index_notation(order)
    names = form.axes if form is not None else _plain_names(len(axes))
    f_count = len(axes_of(derivation.expr))
    x_count = len(axes_of(derivation.variable))
    f_names, x_names = "".join(names[:f_count]), names[f_count:]
    x_text, x_tex = to_text(derivation.variable), to_latex(derivation.variable)
    f_text, f_tex = operand_text(derivation.expr), operand_latex(derivation.expr)
    if f_names:
        f_text, f_tex = f"{f_text}_{f_names}", r"\left(%s\right)_{%s}" % (
            to_latex(derivation.expr), f_names)
    if x_count:
        copies = ["".join(x_names[n * x_count:(n + 1) * x_count]) for n in range(order)]
        below = "".join(f"∂{x_text}_{c}" for c in copies)
        below_tex = r" \, ".join(r"\partial %s_{%s}" % (x_tex, c) for c in copies)
    else:  # by a scalar t
        below, below_tex = f"∂{x_text}{superscript(order)}", r"\partial %s^{%d}" % (
            x_tex, order) if order > 1 else r"\partial %s" % x_tex
    text = f"∂{superscript(order)}{f_text}/{below}"
    tex = r"\frac{\partial^{%d} %s}{%s}" % (order, f_tex, below_tex) if order > 1 else (
        r"\frac{\partial %s}{%s}" % (f_tex, below_tex))
    if form is not None:
        text += f" = {index_text(form)}"
        tex += f" = {index_latex(form)}"
    else:
        text += f" = {_closed_text(result, names, to_text)}"
        tex += f" = {_closed_text(result, names, to_latex)}"
    return {"text": text, "latex": tex, "result": result, "index": form is not None}


def _plain_names(count: int) -> str:
    from ..render.index import INDEX_LETTERS
    return INDEX_LETTERS[:count]


def _closed_text(result, names, printer) -> str:
    """The closed form with its entries named: reshape(B, (n, n, n))_ijk (the printers
    name a reshape's axes so), B_ij for a matrix, a scalar as it is."""
    from sympy.tensor.array.expressions import Reshape
    if not names or isinstance(result, Reshape):
        return printer(result)
    inner = printer(result)
    return f"({inner})_{names}" if printer is to_text else r"\left(%s\right)_{%s}" % (
        inner, names)


def order_convention(derivation, order: int) -> str:
    f_axes, x_axes = len(axes_of(derivation.expr)), len(axes_of(derivation.variable))
    x = str(derivation.variable)
    times = f"{order} time{'s' if order > 1 else ''}"
    return (f"derivative of order {order}: an array with F's axes ({_axes_words(f_axes)}), "
            f"then {x}'s axes ({_axes_words(x_axes)}) {times}, its entry the derivative of "
            f"that entry of F by those entries of {x}; its closed form holds the entries "
            "row by row")


def _axes_words(count: int) -> str:
    return ("none: a scalar", "one: a column", "two: a matrix")[count]


def mixed_statement(derivation, wrt2, vec: str = "col") -> dict:
    """'∂²F/∂vec(X)∂vec(Y)ᵀ = H', the Jacobian by Y of the gradient by X."""
    result = derivation.hessian(wrt=wrt2, vec=vec)
    other = derivation.second_variable(wrt2)
    op = "vec" if vec == "col" else "vecr"
    f_name, f_tex = operand_text(derivation.expr), operand_latex(derivation.expr)
    x, y = derivation.variable, other
    text = f"∂²{f_name}/∂{op}({to_text(x)})∂{op}({to_text(y)})ᵀ"
    tex = (r"\frac{\partial^2 %s}{\partial \operatorname{%s}(%s)\,\partial "
           r"\operatorname{%s}(%s)^{T}}" % (f_tex, op, to_latex(x), op, to_latex(y)))
    if derivation.layout == "denominator":
        text, tex = f"({text})ᵀ", r"\left(%s\right)^{T}" % tex
    return {"text": f"{text} = {to_text(result)}", "latex": f"{tex} = {to_latex(result)}",
            "result": result}


def mixed_convention(derivation, wrt2, vec: str = "col") -> str:
    op = "vec" if vec == "col" else "vecr"
    x, y = derivation.variable, derivation.second_variable(wrt2)
    text = (f"mixed Hessian: d {op}(G) / d {op}({y}), G the gradient by {x}; one row per "
            f"entry of {x}, one column per entry of {y}")
    if derivation.layout == "denominator":
        text += "; denominator layout, transposed"
    return text


def higher_report(derivation, *, order: int | None = None, wrt2=None, vec: str = "col",
                  check: bool = False) -> dict:
    """``derivation_report``'s data for the derivative of ``order``, or for the mixed
    Hessian by X and ``wrt2``."""
    if (order is None) == (wrt2 is None):
        raise MatDerivError("give either an order or a second variable")
    if wrt2 is not None:
        derivation.mixed_derivation(wrt2)  # a matrix F, or a Y not a variable, says so
    base = derivation_report(derivation, kind="gradient" if derivation.is_scalar
                             else "jacobian")
    if order is not None:
        stated = order_statement(derivation, order)
        rules = _order_rules(derivation, order)
        kind, convention = f"derivative of order {order}", order_convention(derivation, order)
    else:
        stated = mixed_statement(derivation, wrt2, vec)
        rules = (derivation.rules_used("gradient")
                 + derivation.mixed_derivation(wrt2).rules_used("jacobian-" + vec))
        kind, convention = "mixed hessian", mixed_convention(derivation, wrt2, vec)
    result = stated.pop("result")
    shape = getattr(result, "shape", None)
    base.update({
        "kind": kind, "convention": convention, "rules": rules, "statement": stated,
        "vec": vec if wrt2 is not None else None,
        "layout": derivation.layout if wrt2 is not None else None,
        "result": {"text": to_text(result), "latex": to_latex(result), "sympy": str(result)},
        "shape": "scalar" if not shape else "×".join(to_text(s) for s in shape),
    })
    if order is not None:
        base["order"] = order
    else:
        base["wrt2"] = str(wrt2)
    if check:
        outcome = derivation.check(order=order or 1, wrt2=wrt2)
        base["check"] = {"passed": True, "summary": outcome.summary,
                         "max_error": outcome.max_error}
    return base


def _order_rules(derivation, order: int) -> list:
    rules = derivation.rules_used("gradient" if derivation.is_scalar else "jacobian-row")
    for k in range(2, order + 1):
        rules += derivation.order_derivation(k).rules_used("jacobian-row")
    return rules


def mixed_proofs(derivation, wrt2, style: str, vec: str = "col") -> list:
    """The proofs of a mixed Hessian: the gradient's by X, then its Jacobian's by Y."""
    styles = ("rules", "elementwise") if style == "both" else (style,)
    inner = derivation.mixed_derivation(wrt2)
    if not hasattr(inner, "proof"):
        raise MatDerivError(f"the gradient by {derivation.variable} does not depend on "
                            f"{derivation.second_variable(wrt2)}, so the mixed Hessian is 0; "
                            "there is nothing to prove")
    return ([derivation.proof(s, kind="gradient") for s in styles]
            + [inner.proof(s, kind="jacobian", vec=vec) for s in styles])

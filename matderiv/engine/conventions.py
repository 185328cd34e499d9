"""The conventions a result is stated in, in words, for every output that depends on them.

>>> convention("jacobian", "col", layout="denominator").split(";")[0]
'vec stacks columns'
"""

from __future__ import annotations

from ..expressions import is_matrix
from ..expressions.structured import structure_of

CONVENTIONS = {
    "col": "vec stacks columns; J = d vec(F) / d vec(X), one row per entry of F, "
           "one column per entry of X (numerator layout, Magnus & Neudecker)",
    "row": "vecr stacks rows (seed 2's W-tilde); J = d vecr(F) / d vecr(X), "
           "numerator layout",
    "gradient": "gradient as matrix: G has the shape of X and G_ij = dF/dX_ij",
    "hessian": "H = d vec(G) / d vec(X)', the Jacobian of the gradient G: one row and one "
               "column per entry of X, vec stacking columns (symmetric for smooth F)",
    "hessian-row": "H = d vecr(G) / d vecr(X)', the Jacobian of the gradient G: one row and "
                   "one column per entry of X, vecr stacking rows (symmetric for smooth F)",
    "tensor": "T[i,j,k,l] = dF_ij / dX_kl for F m x n and X p x q, axes (row of F, column of F, "
              "row of X, column "
              "of X); T = reshape(J_row, (m, n, p, q)) = reshape(J_col, (n, m, q, p)) with "
              "axes permuted (2, 1, 4, 3)",
    "denominator": "denominator layout, the transpose of numerator layout: one row per "
                   "entry of X, one column per entry of F",
}

#: The same by a scalar variable t ({t} stands for its name).
BY_SCALAR = {
    "col": "vec stacks columns; J = d vec(F) / d{t}, a column with one row per entry of F "
           "(numerator layout)",
    "row": "vecr stacks rows; J = d vecr(F) / d{t}, a column with one row per entry of F "
           "(numerator layout)",
    "gradient": "derivative by the scalar {t}: dF/d{t}, a scalar",
    "hessian": "d²F/d{t}², a scalar",
    "tensor": "T[i,j] = dF_ij / d{t} for F m x n: F's axes only (dF/d{t}, a matrix of F's "
              "shape)",
    "denominator": "denominator layout, the transpose: a row",
}

#: Jacobian layouts: numerator (one row per entry of F, the default) or its transpose.
LAYOUTS = ("numerator", "denominator")


def convention(kind: str, vec: str = "col", variable=None, layout: str = "numerator") -> str:
    """The convention in force, in words, naming the user's variable.

    >>> convention("jacobian", "col", layout="denominator").split(";")[0]
    'vec stacks columns'
    """
    if variable is not None and not is_matrix(variable):
        return _by_scalar(kind, vec, layout).replace("{t}", str(variable))
    if kind == "hessian":
        text = CONVENTIONS["hessian" if vec == "col" else "hessian-row"]
    else:
        text = CONVENTIONS[kind if kind in ("gradient", "tensor") else vec]
    if kind == "hessian" and layout == "denominator":
        text += "; denominator layout, transposed"
    if kind == "jacobian" and layout == "denominator":
        stack = "vec" if vec == "col" else "vecr"
        text = (f"{text.split(';')[0]}; J = (d {stack}(F) / d {stack}(X))', "
                f"{CONVENTIONS['denominator']}")
    if variable is not None:
        name = str(variable)
        text = (text.replace("shape of X", f"shape of {name}").replace("dX_ij", f"d{name}_ij")
                .replace("entry of X", f"entry of {name}").replace("dX_kl", f"d{name}_kl")
                .replace("of X)", f"of {name})")
                .replace("vec(X)", f"vec({name})").replace("vecr(X)", f"vecr({name})"))
    return text


#: By a structured variable ({x} stands for its name), in words, as every output states it.
STRUCTURED = {
    ("symmetric", "gradient", "symmetric"):
        "{x} symmetric: the gradient on the space of symmetric matrices, G = sym(G0) = "
        "(G0 + G0')/2 for the general gradient G0, the one symmetric G with dF = <G, d{x}> "
        "for every symmetric d{x} (Srinivasan & Panda, arXiv:1911.06491; "
        "--symmetric-convention cookbook for the Matrix Cookbook's)",
    ("symmetric", "gradient", "cookbook"):
        "{x} symmetric, the Matrix Cookbook's convention (141): {x}_ij and {x}_ji one "
        "variable, G_ij = dF/d{x}_ij for i >= j, G = 2 sym(G0) - diag(diag(sym(G0))) for the "
        "general gradient G0; not the gradient for <A, B> = tr(A'B) on symmetric matrices "
        "(Srinivasan & Panda, arXiv:1911.06491), which is sym(G0)",
    ("symmetric", "jacobian"):
        "{x} symmetric: J = d {stack}(F) / d vech({x}), one row per entry of F, one column "
        "per entry of vech({x}) (the lower triangle, columns stacked: n(n+1)/2 of them); "
        "{stack}(d{x}) = D_n vech(d{x}) (duplication matrix, Magnus & Neudecker)",
    ("symmetric", "hessian"):
        "{x} symmetric: H = d²F / d vech({x}) d vech({x})' = D_n' H0 D_n, H0 the Jacobian of "
        "the symmetric gradient (Magnus & Neudecker), whichever vec",
    ("diagonal", "gradient"):
        "{x} diagonal: the gradient is the diagonal matrix of dF/d{x}_ii",
    ("diagonal", "jacobian"):
        "{x} diagonal: J = d {stack}(F) / d diag({x}), one row per entry of F, one column per "
        "diagonal entry of {x}; {stack}(d{x}) = Delta_n diag(d{x})",
    ("diagonal", "hessian"):
        "{x} diagonal: H = d²F / d diag({x}) d diag({x})' = Delta_n' H0 Delta_n, H0 the "
        "Jacobian of the diagonal gradient, whichever vec",
}


def stated_convention(derivation, kind: str, vec: str = "col",
                      layout: str = "numerator") -> str:
    """The convention of a derivation's result, in words: ``convention``, or by a
    symmetric (diagonal) variable its own; naming the other matrices declared symmetric.

    >>> from matderiv import derive
    >>> d = derive("logdet(S)", "S", {"S": "n,n"}, symmetric=["S"])
    >>> stated_convention(d, "gradient").split(":")[0]
    'S symmetric'
    """
    variable = derivation.variable
    structure = structure_of(variable)
    if structure is None or kind == "tensor":
        text = convention(kind, vec, variable, layout)
    else:
        key = (structure, kind, getattr(derivation, "symmetric_convention", "symmetric")) \
            if (structure, kind) == ("symmetric", "gradient") else (structure, kind)
        text = STRUCTURED[key].format(x=variable, stack="vec" if vec == "col" else "vecr")
        if kind != "gradient" and layout == "denominator":
            text += f"; {CONVENTIONS['denominator']}".replace("of F", "of F (transposed)")
    others = sorted(s.name for s in getattr(derivation, "env", {}).values()
                    if structure_of(s) and s != variable)
    if others:
        text += f"; declared symmetric or diagonal: {', '.join(others)} (S' = S used)"
    return text


def _by_scalar(kind: str, vec: str, layout: str) -> str:
    """The convention of a derivative by a scalar t.

    >>> print(_by_scalar("jacobian", "col", "denominator"))
    vec stacks columns; J = (d vec(F) / d{t})', denominator layout, the transpose: a row
    """
    if kind != "jacobian":
        return BY_SCALAR[kind]
    text = BY_SCALAR[vec]
    if layout == "denominator":
        stack = "vec" if vec == "col" else "vecr"
        text = f"{text.split(';')[0]}; J = (d {stack}(F) / d{{t}})', {BY_SCALAR['denominator']}"
    return text

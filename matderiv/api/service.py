"""Requests as JSON-ready data: what the web page's API answers, checked field by field.

Each function takes the decoded JSON object of a request and returns a JSON-ready dict,
or raises ``MatDerivError`` with the one-line message the CLI would print. The web stage
only moves these over HTTP, in a worker process with a time limit.

>>> answer = derive_request({"formula": "W*a", "wrt": "W",
...                          "shapes": {"W": "m,n", "a": "n,1"}, "proof": "none"})
>>> answer["statement"]["text"], answer["check"]["passed"]
('∂vec(W a)/∂vec(W) = aᵀ ⊗ I_m', True)
"""

from __future__ import annotations

import json

from ..errors import MatDerivError
from ..expressions import is_matrix
from ..render.shapes import shape_text
from ..syntax import tree
from ..syntax.builder import SYNTAXES
from .derivation import derive, read_formula
from .report import derivation_report

DERIVE_KINDS = ("gradient", "jacobian", "hessian", "tensor")
CODE_KINDS = ("gradient", "value_and_gradient", "jacobian", "hessian", "jvp")
PROOF_STYLES = ("none", "rules", "elementwise", "both")
#: Each request's fields and the JSON types they may have.
_FIELDS = {"formula": str, "wrt": str, "shapes": dict, "kind": (str, type(None)),
           "vec": str, "layout": str, "proof": str, "syntax": str, "check": bool,
           "claim": str, "backend": str, "with_check": bool, "title": str, "functions": list,
           "complex": list, "hermitian": list, "conjugate": bool,
           "symmetric": list, "diagonal": list, "symmetric_convention": str, "order": int,
           "wrt2": str}
#: The fields that declare structured matrices, accepted wherever a formula is derived.
_STRUCTURE = ("symmetric", "diagonal", "symmetric_convention")
_MAX_NAMES = 64


def _field(request: dict, name: str, default=None, choices=None):
    value = request.get(name, default)
    if value is None and default is None and name not in ("kind",):
        raise MatDerivError(f"the request needs {name!r}")
    if not isinstance(value, _FIELDS[name]):
        raise MatDerivError(f"{name!r} must be {_type_name(_FIELDS[name])}, "
                            f"not {type(value).__name__}")
    if isinstance(value, list) and not all(isinstance(item, str) for item in value):
        raise MatDerivError(f"{name!r} must be a list of names (text), not "
                            f"{json.dumps(value)[:80]}")
    if choices is not None and value is not None and value not in choices:
        raise MatDerivError(f"{name!r} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _type_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "text", dict: "an object", bool: "true or false", type(None): "null",
             list: "a list of names", int: "an integer"}
    return " or ".join(names[k] for k in kinds)


def _checked(request, allowed) -> dict:
    if not isinstance(request, dict):
        raise MatDerivError(f"the request must be a JSON object, not {type(request).__name__}")
    unknown = sorted(set(request) - set(allowed))
    if unknown:
        raise MatDerivError(f"unknown field {unknown[0]!r}; the fields are "
                            f"{', '.join(sorted(allowed))}")
    return request


def shapes_of(value: dict) -> dict:
    """``{"W": "m,n", "a": "n", "k": ""}`` -> ``{"W": ("m", "n"), "a": ("n",), "k": ()}``
    (``"k": "scalar"`` too)."""
    if len(value) > _MAX_NAMES:
        raise MatDerivError(f"more than {_MAX_NAMES} shapes")
    shapes = {}
    for name, sizes in value.items():
        if isinstance(sizes, list):
            for size in sizes:  # JSON true is a Python int too: refuse it by name
                if isinstance(size, bool) or not isinstance(size, (str, int)):
                    raise MatDerivError(f"a size of {name!r} must be a name or a positive "
                                        f"integer, not {json.dumps(size)}")
            sizes = ",".join(str(s) for s in sizes)
        if not isinstance(sizes, str):
            raise MatDerivError(f"the shape of {name!r} must be text such as \"m,n\", "
                                f"not {type(sizes).__name__}")
        if sizes.strip() == "scalar":  # as the report writes a scalar's shape
            sizes = ""
        parts = tuple(part.strip() for part in sizes.split(",") if part.strip())
        if len(parts) > 2:
            raise MatDerivError(f"the shape of {name!r} has {len(parts)} sizes; a matrix "
                                "has two")
        shapes[name.strip()] = parts
    return shapes


def _derivation(request: dict, seconds: float | None):
    syntax = _field(request, "syntax", "text", SYNTAXES)
    return derive(_field(request, "formula"), wrt=_field(request, "wrt"),
                  shapes=shapes_of(_field(request, "shapes", {})),
                  layout=_field(request, "layout", "numerator", ("numerator", "denominator")),
                  seconds=seconds, syntax=syntax, functions=_field(request, "functions", []),
                  complex=_field(request, "complex", []),
                  hermitian=_field(request, "hermitian", []), **_structure(request))


def _structure(request: dict) -> dict:
    """derive's structure keywords from the request (docs/structured.md)."""
    names = {key: _field(request, key, []) for key in ("symmetric", "diagonal")}
    if any(len(value) > _MAX_NAMES for value in names.values()):
        raise MatDerivError(f"more than {_MAX_NAMES} structured names")
    convention = _field(request, "symmetric_convention", "symmetric",
                        ("symmetric", "cookbook"))
    return {**names, "symmetric_convention": convention}


def derive_request(request, *, seconds: float | None = None) -> dict:
    """``POST /api/derive``: the report (result as text, LaTeX and SymPy, convention,
    rules, check) and the proofs asked for, each as text and as lines of LaTeX."""
    request = _checked(request, ("formula", "wrt", "shapes", "kind", "vec", "layout", "proof",
                                 "syntax", "check", "functions", "complex", "hermitian",
                                 "conjugate", "order", "wrt2", *_STRUCTURE))
    derivation = _derivation(request, seconds)
    if "order" in request or "wrt2" in request:
        return _higher_request(derivation, request)
    conjugate = _field(request, "conjugate", False)
    kind = _field(request, "kind", None, DERIVE_KINDS) or (
        "gradient" if derivation.is_scalar and not conjugate else "jacobian")
    vec = _field(request, "vec", "col", ("col", "row"))
    style = _field(request, "proof", "both", PROOF_STYLES)
    if request.get("complex") or request.get("hermitian"):
        from .complex_report import complex_report  # Wirtinger derivatives (docs/complex.md)
        report = complex_report(derivation, kind, vec, conjugate)
    elif conjugate:
        raise MatDerivError("'conjugate' needs complex names ('complex': [\"Z\"])")
    else:
        report = derivation_report(derivation, kind=kind, vec=vec)
    if _field(request, "check", True):
        report["check"] = _check(derivation, kind)
    report["syntax"] = request.get("syntax", "text")
    report["proofs"] = {} if style == "none" else _proofs(
        derivation, kind, vec, style, {"conjugate": True} if conjugate else {})
    return report


def _higher_request(derivation, request) -> dict:
    """``/api/derive`` with ``order`` (the derivative of that order, in index notation) or
    ``wrt2`` (the mixed Hessian by ``wrt`` then ``wrt2``), as ``derive --order/--wrt2``."""
    from .higher_report import higher_report, mixed_proofs

    order = _field(request, "order", None) if "order" in request else None
    wrt2 = _field(request, "wrt2", None) if "wrt2" in request else None
    if isinstance(order, bool):  # JSON true is an int to Python
        raise MatDerivError("'order' must be an integer, not a truth value")
    if request.get("complex") or request.get("hermitian") or request.get("conjugate"):
        raise MatDerivError("'order' and 'wrt2' are for real names: complex ones have no "
                            "higher derivatives yet")
    if "kind" in request:
        raise MatDerivError("give 'order' or 'wrt2' without 'kind'")
    vec = _field(request, "vec", "col", ("col", "row"))
    if order is not None and vec != "col":
        raise MatDerivError("'order' gives an array with F's axes, then X's: it has no 'vec'")
    report = higher_report(derivation, order=order, wrt2=wrt2, vec=vec)
    if _field(request, "check", True):
        try:
            outcome = derivation.check(order=order or 1, wrt2=wrt2)
            report["check"] = {"passed": True, "summary": outcome.summary,
                               "max_error": outcome.max_error}
        except MatDerivError as error:
            report["check"] = {"passed": False, "summary": error.one_line(),
                               "max_error": None}
    report["syntax"] = request.get("syntax", "text")
    style = _field(request, "proof", "both", PROOF_STYLES)
    report["proofs"] = {}
    if style != "none" and wrt2 is not None:
        from ..render.proof_data import proof_to_data
        from ..render.proof_text import proof_to_text
        for one in (("rules", "elementwise") if style == "both" else (style,)):
            try:
                proofs = mixed_proofs(derivation, wrt2, one, vec)
                report["proofs"][one] = {"text": "\n".join(proof_to_text(p) for p in proofs),
                                         "parts": [proof_to_data(p) for p in proofs]}
            except MatDerivError as error:
                report["proofs"][one] = {"error": error.one_line()}
    elif style != "none":
        report["proofs"]["rules"] = {"error": "no proof of a derivative of order k is "
                                              "written yet; its rules are in 'rules'"}
    return report


def _check(derivation, kind) -> dict:
    """The numeric check's verdict; a failed check is shown with the result, not instead."""
    try:
        outcome = derivation.check(hessian=kind == "hessian")
    except MatDerivError as error:
        return {"passed": False, "summary": error.one_line(), "max_error": None}
    return {"passed": True, "summary": outcome.summary, "max_error": outcome.max_error}


def _proofs(derivation, kind, vec, style, conjugate=None) -> dict:
    """Each proof asked for, or the reason it could not be given (the result stands)."""
    from ..render.proof_data import proof_to_data
    from ..render.proof_text import proof_to_text

    proof_kind = "jacobian" if kind == "tensor" else kind
    styles = ("rules", "elementwise") if style == "both" else (style,)
    conjugate = conjugate or {}
    out = {}
    for one in styles:
        try:
            proofs = derivation._proofs(one, {"kind": proof_kind, "vec": vec,
                                              **conjugate})
            out[one] = {"text": "\n".join(proof_to_text(p) for p in proofs),
                        "parts": [proof_to_data(p) for p in proofs]}
        except MatDerivError as error:
            out[one] = {"error": error.one_line()}
    return out


def check_request(request, *, seconds: float | None = None) -> dict:
    """``POST /api/check``: the verdict on a claimed derivative, with its evidence."""
    from ..render import to_latex
    from ..render.claim import verdict_to_text

    request = _checked(request, ("formula", "wrt", "shapes", "claim", "kind", "vec", "layout",
                                 "syntax", "functions", *_STRUCTURE))
    derivation = _derivation({**request, "layout": "numerator"}, seconds)
    claim = _field(request, "claim")
    verdict = derivation.check_claim(
        claim, kind=_field(request, "kind", None, ("gradient", "jacobian", "hessian")),
        vec=_field(request, "vec", "col", ("col", "row")),
        layout=_field(request, "layout", "numerator", ("numerator", "denominator")),
        syntax=_field(request, "syntax", "text", SYNTAXES))
    answer = verdict.to_dict()
    answer["text"] = verdict_to_text(verdict)
    answer["result_latex"] = to_latex(verdict.result) if verdict.result is not None else None
    answer["claim_latex"] = to_latex(verdict.claim_expr) \
        if verdict.claim_expr is not None else None
    return answer


def codegen_request(request, *, seconds: float | None = None) -> dict:
    """``POST /api/codegen``: a Python module computing the result."""
    request = _checked(request, ("formula", "wrt", "shapes", "kind", "vec", "layout", "syntax",
                                 "backend", "with_check", "functions", *_STRUCTURE))
    derivation = _derivation(request, seconds)
    kind = _field(request, "kind", None, CODE_KINDS) or (
        "gradient" if derivation.is_scalar else "jacobian")
    backend = _field(request, "backend", "numpy", ("numpy", "jax", "torch"))
    source = derivation.to_source(kind, vec=_field(request, "vec", "col", ("col", "row")),
                                  backend=backend,
                                  with_check=_field(request, "with_check", False))
    return {"kind": kind, "backend": backend, "source": source}


def document_request(request, *, seconds: float | None = None) -> dict:
    """``POST /api/latex``: a standalone LaTeX document of the result and its proofs."""
    from ..render.proof_latex import document

    request = _checked(request, ("formula", "wrt", "shapes", "kind", "vec", "layout", "proof",
                                 "syntax", "title", "functions", *_STRUCTURE))
    derivation = _derivation(request, seconds)
    kind = _field(request, "kind", None, DERIVE_KINDS) or (
        "gradient" if derivation.is_scalar else "jacobian")
    style = _field(request, "proof", "rules", ("rules", "elementwise", "both"))
    formula = _field(request, "formula")
    fragment = derivation.latex(proof=style, kind="jacobian" if kind == "tensor" else kind,
                                vec=_field(request, "vec", "col", ("col", "row")))
    title = _field(request, "title", f"Derivative of {formula}")
    return {"latex": document([fragment], title=title, names=[title])}


def parse_request(request) -> dict:
    """``POST /api/parse``: whether the formula reads, with its shapes (declared or
    inferred), and the names it uses and the shapes inferred for the shapes table; an
    error carries its column."""
    request = _checked(request, ("formula", "shapes", "syntax"))
    syntax = _field(request, "syntax", "text", SYNTAXES)
    formula = _field(request, "formula")
    read, _ = read_formula(formula, shapes_of(_field(request, "shapes", {})), syntax)
    inferred = {name: shape_text(tuple(read.env[name].shape) if is_matrix(read.env[name])
                                 else ()) for name in read.inferred.shapes}
    return {"names": sorted(_names(read.tree)), "inferred": inferred}


def _names(node) -> set:
    """The plain names a syntax tree uses (not functions, not sizes of I_n or ones(n))."""
    if isinstance(node, tree.Name):
        return {node.id}
    if isinstance(node, tree.Call):
        if node.name in ("I", "K", "ones"):
            return set()
        return set().union(*(_names(a) for a in node.args)) if node.args else set()
    found = set()
    for part in ("operand", "left", "right"):
        if hasattr(node, part):
            found |= _names(getattr(node, part))
    return found


def error_data(error: MatDerivError) -> dict:
    """A bad request's answer: the CLI's one-line message, and the column if known."""
    data = {"error": error.one_line()}
    if error.span is not None:
        data["message"] = error.message
        data["span"] = list(error.span)
    return data


def pdf_request(request, *, seconds: float | None = None) -> dict:
    """``POST /api/pdf``: the LaTeX document compiled by pdflatex."""
    from .pdf import pdf_of
    return {"pdf": pdf_of(document_request(request, seconds=seconds)["latex"])}


#: The requests a front end can make, by name.
TASKS = {"derive": derive_request, "check": check_request, "codegen": codegen_request,
         "latex": document_request, "pdf": pdf_request,
         "parse": lambda request, seconds=None: parse_request(request)}

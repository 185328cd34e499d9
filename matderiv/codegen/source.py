"""Code generation: a result expression -> Python source for NumPy, JAX or PyTorch.

A printer, not a mathematician: it rewrites only the way a result is computed, never
what it is.  Products are evaluated as matrix products (a chain of plain matrices with
``multi_dot``, which orders it by the real sizes), ``diag(v) M`` as ``v * M``, traces of
products as ``sum(A * B')``, an inverse multiplying something as ``solve``, and a
Kronecker product, a commutation matrix or a diagonal applied to what stands right of
it without being formed: ``(P ⊗ Q) vec(M) = vec(Q M Pᵀ)``, ``K vec(M) = vec(Mᵀ)``.
Every subexpression that occurs twice is computed once, into a temporary.  In NumPy code
a sum ``c M + c Mᵀ`` is formed tile by tile (a whole-array ``M.T`` strides across memory)
and ``Rᵀ diag(w) R`` as ``Zᵀ Z`` with ``Z = sqrt(w) R`` when every weight is ≥ 0, checked
at run time (NumPy then uses a symmetric rank-k update: half the work).

Arguments are keyword-only and named as in the formula.  Matrices are 2-D arrays;
a vector may be given as a 1-D array or as a column (n, 1) (row vectors as (1, n)); a
scalar as a number.  Sizes are read off the arrays.  Results are 2-D arrays: the
gradient has the variable's shape, a Jacobian or Hessian is (rows, columns), and a
Jacobian-vector product ``jvp`` (argument ``V`` shaped like the variable) is the column
``J vec(V)`` (``J vecr(V)`` with ``vec="row"``).  A Jacobian comes in the derivation's
layout (``derive(..., layout=)``); a Hessian and a jvp always in numerator layout.
Abstract functions f(Y) and f'(Y) are extra callable arguments ``f`` and ``f_grad``.

Only text this module writes is compiled; the user's names enter it after a check that
each is a plain identifier that cannot shadow anything the code uses.

>>> from matderiv import derive
>>> d = derive("sum(tanh(W*x))", wrt="W", shapes={"W": ("m", "n"), "x": ("n", 1)})
>>> print(to_source(d).splitlines()[-1])
    return ((-(np.tanh(W @ x) ** 2)) + 1) @ x.T
"""

from __future__ import annotations

import keyword
import linecache
from collections import Counter

import sympy
from sympy import MatrixSymbol

from ..errors import MatDerivError
from ..expressions import is_matrix, is_size
from ..expressions.structured import stacking_by, structure_of
from .backends import BACKENDS, KINDS, NUMPY_HELPERS, RESERVED
from .code_text import parenthesised, strip_parens
from .cost import flops, planned
from .printer import Printer
from .spectral_printing import helper_text
from .structure import count_uses, one_inverse_form, sorted_sums


def _check_identifier(name: str, what: str) -> str:
    """A user's name enters generated code only if it is a plain, harmless identifier."""
    if (not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name)
            or name.startswith("_") or not name.isascii()):
        raise MatDerivError(f"{what} {name!r} cannot be a Python argument name")
    return name


# -- putting a function together -------------------------------------------------

def _result(derivation, kind: str, vec: str):
    if kind in ("gradient", "value_and_gradient"):
        return derivation.gradient()
    if kind == "hessian":
        return derivation.hessian(layout="numerator", vec=vec)
    if kind == "value":
        return derivation.expr
    return derivation.jacobian(vec=vec, layout="numerator" if kind == "jvp" else None)


def _arguments(derivation):
    """The formula's own matrices and scalars (not every declared name), sorted by name."""
    expr, variable = derivation.expr, derivation.variable
    # The variable is an argument even where F does not depend on it (a zero derivative).
    matrices = expr.atoms(MatrixSymbol) | ({variable} if is_matrix(variable) else set())
    scalars = {s for s in expr.free_symbols if isinstance(s, sympy.Symbol) and not is_size(s)}
    if not is_matrix(variable):
        scalars.add(variable)  # a derivative by a scalar t
    return sorted(matrices, key=lambda s: s.name), sorted(scalars, key=lambda s: s.name)


def to_source(derivation, kind: str | None = None, *, vec: str = "col",
              backend: str = "numpy", name: str | None = None, check_point=None) -> str:
    """A self-contained Python module (imports and one ``def``) evaluating a result.

    ``kind`` "value_and_gradient" returns (F, gradient), sharing their common parts.
    ``check_point`` (the formula's names -> arrays, where F is defined and well
    conditioned) adds ``_check()``, a self-test against central finite differences at
    that point, run when the module is run as a script.
    """
    kind = kind or ("gradient" if derivation.is_scalar else "jacobian")
    if kind not in KINDS:
        raise MatDerivError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if vec not in ("col", "row"):
        raise MatDerivError(f"vec must be 'col' or 'row', not {vec!r}")
    if backend not in BACKENDS:
        raise MatDerivError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if kind == "jvp" and structure_of(derivation.variable):
        raise MatDerivError(f"jvp by the {structure_of(derivation.variable)} "
                            f"{derivation.variable} is not generated (its Jacobian is by the "
                            "free entries); generate the jacobian")
    if kind == "value_and_gradient" and not derivation.is_scalar:
        raise MatDerivError("value_and_gradient needs a scalar formula; this one is a "
                            "matrix: it has a Jacobian, not a gradient")
    chosen = BACKENDS[backend]
    name = _check_identifier(name or f"{kind}_{derivation.variable.name}", "function name")
    functions = [_function(derivation, kind, vec, chosen, name)]
    if check_point is not None:
        from .selfcheck import check_source, helper_kinds
        for helper_kind in helper_kinds(kind):
            functions.append(_function(derivation, helper_kind, vec, chosen,
                                       f"_{helper_kind}_{derivation.variable.name}"))
    what = functions[0].what
    head = f"Generated by matderiv ({chosen.name}): {_one_line(what)}."
    if getattr(derivation, "inferred", ()):
        from ..render.shapes import shapes_text
        head += f"\n\nShapes inferred from the formula: {shapes_text(derivation.shapes)}."
    lines = [f'"""{_docstring(head)}"""', "", chosen.imports, "", ""]
    helpers = [h for f in functions for h in f.helpers]
    for helper in dict.fromkeys(helpers):
        text = NUMPY_HELPERS[helper] if helper in NUMPY_HELPERS else \
            helper_text(helper, chosen.ns)  # (the spectral helpers, for every backend)
        lines += [*text.strip("\n").splitlines(), "", ""]
    for number, function in enumerate(functions):
        lines += function.lines + ([] if number == len(functions) - 1 else ["", ""])
    if check_point is not None:
        lines += ["", "", *check_source(derivation, kind, vec, chosen.name,
                                          [f.name for f in functions],
                                          functions[0].parameters, check_point)]
    return "\n".join(lines) + "\n"


def code_flops(derivation, kind: str | None = None, *, vec: str = "col"):
    """Floating-point operations of the code ``to_source`` writes for ``kind``, in the
    sizes (``cost.flops`` of the plan the printer writes).

    >>> from matderiv import derive
    >>> code_flops(derive("x'*A*x", wrt="x", shapes={"x": ("n", 1), "A": ("n", "n")}))
    4*n**2 + n
    """
    kind = kind or ("gradient" if derivation.is_scalar else "jacobian")
    if kind not in KINDS or kind in ("value", "value_and_gradient"):
        raise MatDerivError(f"kind must be gradient, jacobian, hessian or jvp, not {kind!r}")
    return flops(planned(one_inverse_form(_result(derivation, kind, vec))))


class _Function:
    """One generated ``def``: its name, parameters, lines and the helpers it calls."""

    def __init__(self, name, parameters, lines, helpers, what):
        self.name, self.parameters, self.lines = name, parameters, lines
        self.helpers, self.what = helpers, what


def _function(derivation, kind, vec, chosen, name) -> _Function:
    variable = derivation.variable
    matrices, scalars = _arguments(derivation)
    names, sizes, loose_sizes = _user_names(derivation, _result(derivation, kind, vec),
                                            matrices, scalars)
    if name in RESERVED:
        raise MatDerivError(f"the function name {name!r} is a name the generated code "
                            "uses; choose another")
    if name in names:
        raise MatDerivError(f"the function name {name!r} is also the formula's "
                            f"{names[name]}; choose another")
    header: list[str] = []
    if chosen.name == "torch":
        # Constants (eye, zeros) take the inputs' dtype: torch does not mix them in @.
        # (a formula of scalars only, by a scalar t: the first scalar's, as torch reads it)
        header.append(f"_dtype = torch.as_tensor({(matrices or scalars)[0].name}).dtype")
    carried: set = set()
    for symbol in matrices:
        rows, cols = symbol.shape
        taken = chosen.prepare_matrix.format(symbol.name)
        if cols == 1 or rows == 1:
            taken += ".reshape(-1, 1)" if cols == 1 else ".reshape(1, -1)"
        header.append(f"{symbol.name} = {taken}")
        for axis, size in enumerate(symbol.shape):
            if size.is_Symbol and size not in carried:
                carried.add(size)
                header.append(f"{sizes[size]} = {symbol.name}.shape[{axis}]")
    for symbol in scalars:
        if chosen.prepare_scalar != "{}":
            header.append(f"{symbol.name} = {chosen.prepare_scalar.format(symbol.name)}")

    gradient = None
    if kind == "value_and_gradient":
        gradient = planned(sorted_sums(one_inverse_form(derivation.gradient())))
        expr = sorted_sums(one_inverse_form(derivation.expr))
    elif kind == "value":
        expr = derivation.expr
    else:
        expr = planned(one_inverse_form(_result(derivation, kind, vec)))
    counts: Counter = Counter()
    count_uses(expr, counts)
    if gradient is not None:
        count_uses(gradient, counts)  # what F and its gradient share is computed once
    called: set = set()
    printer = Printer(chosen, sizes, called, counts)
    parameters = [s.name for s in matrices] + [s.name for s in scalars] + \
        [sizes[size] for size in loose_sizes]
    direction = "V"
    if kind == "jvp":
        # The direction is V, or V1, V2, ... where the formula has names of those.
        number = 0
        while direction in names or direction in RESERVED or direction == name:
            number += 1
            direction = f"V{number}"
        if not is_matrix(variable):  # by a scalar t: the direction is a number, J V
            if chosen.prepare_scalar != "{}":
                header.append(f"{direction} = {chosen.prepare_scalar.format(direction)}")
            result = f"{parenthesised(printer.value(expr))} * {direction}"
        else:
            rows, cols = variable.shape
            header.append(f"{direction} = {chosen.prepare_matrix.format(direction)}.reshape("
                          f"{printer.size(rows)}, {printer.size(cols)})")
            stacked = f"{direction}.T.reshape(-1, 1)" if vec == "col" \
                else f"{direction}.reshape(-1, 1)"
            result = strip_parens(printer.apply(expr, printer.temp(stacked)))
        parameters.append(direction)
    elif gradient is not None:
        value = _scalar_code(printer.value(expr), expr)
        result = f"{strip_parens(value)}, {strip_parens(printer.value(gradient))}"
    else:
        result = printer.value(expr)
        result = strip_parens(_scalar_code(result, expr) if kind == "value" else result)
    for function in sorted(called):
        parameters += [function, f"{function}_grad"]

    from ..render import to_text
    # The formula as matderiv read it, never the user's raw text: only our own rendering
    # of parsed, checked names reaches the source that to_function compiles.
    formula = _one_line(to_text(derivation.expr))
    what = _what(kind, vec, variable, formula, direction)
    if structure_of(variable) == "symmetric" and kind in ("gradient", "value_and_gradient"):
        what += (", the Matrix Cookbook's (141)"
                 if getattr(derivation, "symmetric_convention", "") == "cookbook" else
                 ", on the space of symmetric matrices (sym of the general gradient)")
    body = header + printer.lines + [f"return {result}"]
    docstring = f"{what}.\n\n    Result: {_one_line(to_text(_result(derivation, kind, vec)))}"
    lines = [f"def {name}(*, {', '.join(parameters)}):", f'    """{_docstring(docstring)}"""']
    lines += ["    " + line for line in body]
    return _Function(name, parameters, lines, printer.helpers, what)


def _user_names(derivation, result, matrices, scalars) -> tuple[dict, dict, list]:
    """Every name the user's formula brings, checked: the arguments, their sizes, sizes
    only a formula names (I(m)), each abstract function with its gradient. They must be
    plain identifiers, distinct from each other and from the names the code uses.
    Returns (name -> what it is, size symbol -> its name, the sizes no matrix carries)."""
    names: dict = {}
    for symbol in [*matrices, *scalars]:
        _take(names, symbol.name, "name")
    sizes: dict = {}
    for symbol in matrices:
        for size in symbol.shape:
            if size.is_Symbol and size not in sizes:
                sizes[size] = _take(names, size.name, "size")
    loose = sorted((s for s in result.free_symbols | derivation.expr.free_symbols
                    if isinstance(s, sympy.Symbol) and is_size(s) and s not in sizes),
                   key=lambda s: s.name)
    for size in loose:
        sizes[size] = _take(names, size.name, "size")
    for function in sorted(derivation.abstract_functions):
        _take(names, function, "function")
        _take(names, f"{function}_grad", "function's gradient")
    return names, sizes, loose


def _take(names: dict, name: str, what: str) -> str:
    """Record one of the formula's names for the generated code, refusing a name that is
    not a plain identifier, that the code uses itself, or that another name already is."""
    _check_identifier(name, what)
    if name in RESERVED:
        raise MatDerivError(f"the {what} {name!r} is a name the generated code uses "
                            f"({', '.join(sorted(RESERVED))}); rename it in the formula")
    if name in names:
        raise MatDerivError(f"the {what} {name!r} is also the formula's {names[name]}; the "
                            "generated function takes each name once: rename one")
    names[name] = what
    return name


def _scalar_code(code: str, expr) -> str:
    """A 1 x 1 matrix F is returned as a scalar, as an optimiser wants it."""
    if is_matrix(expr) and expr.shape == (1, 1):
        return f"{parenthesised(code)}[0, 0]"
    return code


def _what(kind, vec, variable, formula, direction="V") -> str:
    op = "vec" if vec == "col" else "vecr"
    if not is_matrix(variable):
        return _what_by_scalar(kind, op, variable, formula, direction)
    by = stacking_by(variable, op)  # vech(S), diag(D): by a symmetric, a diagonal variable
    structure = f" ({variable} {structure_of(variable)})" if structure_of(variable) else ""
    return {"gradient": f"the gradient of {formula} with respect to {variable}{structure}",
            "value_and_gradient": f"the value of {formula} and its gradient with respect "
                                  f"to {variable}, sharing their common parts",
            "value": f"the value of {formula}",
            "jacobian": f"the Jacobian d {op}(F) / d {by}({variable}) of F = {formula}",
            "hessian": f"the Hessian d2F / d {by}({variable}) d {by}({variable})' of F = "
                       f"{formula}",
            "jvp": f"J {op}({direction}), the Jacobian of F = {formula} by {variable} applied "
                   f"to {direction} (shaped like {variable}), without forming J"}[kind]


def _what_by_scalar(kind, op, t, formula, direction) -> str:
    return {"gradient": f"the derivative of {formula} by the scalar {t}",
            "value_and_gradient": f"the value of {formula} and its derivative by the scalar "
                                  f"{t}, sharing their common parts",
            "value": f"the value of {formula}",
            "jacobian": f"the Jacobian d {op}(F) / d{t} of F = {formula}",
            "hessian": f"the second derivative d2F / d{t}2 of F = {formula}",
            "jvp": f"J {direction}, the Jacobian d {op}(F) / d{t} of F = {formula} times the "
                   f"number {direction}"}[kind]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _docstring(text: str) -> str:
    # Rendered text only (see above); still keep it from closing the docstring.
    text = "".join(ch if ch.isprintable() or ch == "\n" else "?" for ch in text)
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_function(derivation, kind: str | None = None, *, vec: str = "col",
                backend: str = "numpy", name: str | None = None, check_point=None):
    """The generated function, compiled: call it with the formula's names as keywords."""
    source = to_source(derivation, kind, vec=vec, backend=backend, name=name,
                       check_point=check_point)
    filename = f"<matderiv-{derivation.variable.name}-{abs(hash(source)):x}>"
    # Only our own text is compiled; the user's names in it were checked as identifiers.
    code = compile(source, filename, "exec")
    namespace: dict = {"__name__": "matderiv_generated"}
    try:
        exec(code, namespace)  # noqa: S102 - generated code, see above
    except ModuleNotFoundError as error:
        raise MatDerivError(f"the {backend} backend needs {error.name}, which is not "
                            f"installed (pip install '.[bench]' installs jax and torch)") from None
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    function_name = name or f"{kind or ('gradient' if derivation.is_scalar else 'jacobian')}" \
                            f"_{derivation.variable.name}"
    function = namespace[function_name]
    function.source = source
    function.check = namespace.get("_check")  # the self-test, with check_point
    return function


"""Generated NumPy code of a Wirtinger result (complex names), in complex128.

The engine's result is a formula in Z and Zbar; the code of it is generated as for any
result (``to_source``), every array taken as complex, and a function over the user's
names alone is put in front: it passes ``Zbar = conj(Z)`` (a Hermitian H is passed as
given, and must be Hermitian).

>>> from matderiv import derive
>>> d = derive("z'*H*z", wrt="z", shapes={"z": ("n", 1)}, complex=["z"], hermitian=["H"])
>>> import numpy as np
>>> f = d.to_function("gradient")
>>> f(z=np.array([1j, 1.0]), H=np.eye(2)).ravel()
array([0.+1.j, 1.+0.j])
"""

from __future__ import annotations

import re

from ..errors import MatDerivError
from .source import _arguments, _check_identifier, to_source

#: The line that takes an array argument, as ``to_source`` writes it for NumPy.
_TAKEN = re.compile(r"^(    (\w+) = np\.asarray\(\2, dtype=)float(\))", re.MULTILINE)


def complex_source(derivation, inner, kind: str, *, vec: str = "col",
                   name: str | None = None, conjugate: bool = False) -> str:
    """A module computing ``kind`` ("gradient" or "jacobian", by Z̄ with ``conjugate``)
    of the complex derivation ``derivation``, whose engine derivation is ``inner``."""
    if kind not in ("gradient", "value_and_gradient", "jacobian"):
        raise MatDerivError(f"generated code of the {kind} by complex names is not written "
                            "yet (gradient, value_and_gradient and jacobian are)")
    name = _check_identifier(name or f"{kind}_{derivation.variable.name}"
                             + ("_conjugate" if conjugate else ""), "function name")
    engine_name = f"{name}_in_z_and_zbar"
    source = to_source(inner, kind, vec=vec, backend="numpy", name=engine_name)
    source = _TAKEN.sub(r"\1complex\3", source)
    matrices, scalars = _arguments(inner)
    conjugates = {bar: plain for plain, bar in derivation.conjugate_names.items()}
    own = [s.name for s in matrices + scalars if s.name not in conjugates]
    if derivation.variable.name not in own:
        own.append(derivation.variable.name)
    passed = [f"{n}={n}" for n in sorted(own) if n in {s.name for s in matrices + scalars}]
    passed += [f"{bar}=np.conj(np.asarray({plain}, dtype=complex))"
               for bar, plain in sorted(conjugates.items())
               if bar in {s.name for s in matrices}]
    what = {"gradient": "the conjugate Wirtinger gradient ∂F/∂{v}̄ (dF = 2 Re⟨G, d{v}⟩)",
            "value_and_gradient": "(F, G): the real F and its conjugate Wirtinger gradient "
                                  "G = ∂F/∂{v}̄ (dF = 2 Re⟨G, d{v}⟩)",
            "jacobian": "the Wirtinger Jacobian ∂vec F/∂vec {v}" + ("̄" if conjugate else "")}
    text = what[kind].format(v=derivation.variable.name) if derivation.is_complex_variable \
        else f"the {kind} by the real {derivation.variable.name}"
    lines = ["", "", f"def {name}(*, {', '.join(sorted(own))}):",
             f'    """{text}, of F = {derivation.formula}; arrays may be complex (each '
             'complex name\'s conjugate is passed as np.conj of it)."""',
             *([f"    value, gradient = {engine_name}({', '.join(passed)})",
                # F is real (checked at random points): its rounding's imaginary part goes.
                "    return np.real(value), gradient"] if kind == "value_and_gradient"
               else [f"    return {engine_name}({', '.join(passed)})"]), ""]
    return source.rstrip("\n") + "\n" + "\n".join(lines)


def complex_function(derivation, inner, kind: str, **options):
    """``complex_source`` compiled: the function over the user's names."""
    source = complex_source(derivation, inner, kind, **options)
    namespace: dict = {"__name__": "matderiv_generated"}
    # Only our own text is compiled; the user's names in it were checked as identifiers.
    exec(compile(source, f"<matderiv-complex-{derivation.variable.name}>", "exec"),  # noqa: S102
         namespace)
    name = options.get("name") or f"{kind}_{derivation.variable.name}" + (
        "_conjugate" if options.get("conjugate") else "")
    function = namespace[name]
    function.source = source
    return function


__all__ = ["complex_function", "complex_source"]

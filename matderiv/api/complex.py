"""Derivatives by complex matrices: Wirtinger calculus (``derive(..., complex=["Z"])``).

The formula is read with each complex name Z beside a symbol Zbar for its conjugate
(``matderiv.syntax.complex_reading``), and derived twice by the engine with its real
rules: by Z holding Zbar, and by Zbar holding Z. These are the Wirtinger derivatives
(Brandwood 1983, Theorem 1; Hjørungnes 2011, ch. 3; Kreutz-Delgado, CR-calculus):

    dF = (∂vec F/∂vec Z) vec dZ + (∂vec F/∂vec Z̄) vec dZ̄.

- ``jacobian()`` is ∂vec F/∂vec Z, ``jacobian(conjugate=True)`` ∂vec F/∂vec Z̄ (zero for
  F holomorphic in Z, as inv(Z)).
- For F real, ``gradient()`` is ∂F/∂Z̄ (Z's shape): dF = 2 Re⟨∂F/∂Z̄, dZ⟩ with
  ⟨A, B⟩ = tr(Aᴴ B), and steepest descent moves along −∂F/∂Z̄. A complex-valued F has
  no gradient: it is refused, pointing to the Jacobians.

>>> from matderiv import derive
>>> d = derive("norm(A*z - b)^2", wrt="z", complex=["z", "A", "b"])
>>> d.gradient()
Abar.T*(A*z - b)
"""

from __future__ import annotations

import sympy
from sympy import MatrixSymbol, ZeroMatrix

from ..engine.conventions import convention
from ..errors import MatDerivError, guarded
from ..expressions import is_matrix
from ..syntax.complex_reading import ComplexReading
from ..syntax.grammar import is_one_by_one
from ..syntax.inference import shaped

#: The convention every complex result is stated in.
WIRTINGER = {
    "gradient": "conjugate Wirtinger gradient G = ∂F/∂{Z}\u0304 ({Z}'s shape) of a real F: "
                "dF = 2 Re⟨G, d{Z}⟩ = 2 Re tr(Gᴴ d{Z}), so steepest descent moves along −G "
                "(Brandwood 1983)",
    "jacobian": "Wirtinger Jacobian J = ∂vec F/∂vec {Z}, {Z}\u0304 held fixed: "
                "vec dF = J vec d{Z} + J* vec d{Z}\u0304, J* = ∂vec F/∂vec {Z}\u0304 "
                "(jacobian(conjugate=True))",
    "conjugate": "conjugate Wirtinger Jacobian J* = ∂vec F/∂vec {Z}\u0304, {Z} held fixed: "
                 "vec dF = J vec d{Z} + J* vec d{Z}\u0304, J = ∂vec F/∂vec {Z} (jacobian())",
    "real": "{Z} is real: the ordinary derivative by {Z}, of a formula with complex names",
    "reading": "Z and Z̄ (Zbar) are independent variables (Wirtinger); ' is the conjugate "
               "transpose of a complex name, .' and .T the plain transpose",
}

#: What a complex derivation does not do yet, each refused by this message.
_NOT_YET = "for complex names is not written yet (matderiv does gradient, jacobian, proofs " \
           "and check by complex names; see docs/complex.md)"


class ComplexDerivation:
    """The Wirtinger derivatives of ``expr`` by the complex ``variable`` Z (or by a real
    matrix X in a formula with complex names): two ``Derivation``s of the engine, by Z
    and by Z̄, and the face of their results, proofs and numeric check."""

    def __init__(self, expr, variable, reading: ComplexReading, derivation_of, *,
                 formula: str, names=(), inferred=()):
        self.expr, self.variable, self.reading = expr, variable, reading
        self.formula = self.text = formula
        self.names, self.inferred = tuple(names), tuple(inferred)
        self.complex_names, self.hermitian = reading.complex_names, reading.hermitian
        self.conjugate_names = {name: reading.conjugate_of(name).name
                                for name in self.complex_names}
        self.env = {**reading.env, **{bar: reading.conjugate_of(name)
                                      for name, bar in self.conjugate_names.items()}}
        self.conjugate = self.env[self.conjugate_names[variable.name]] \
            if variable.name in self.conjugate_names else None
        self.by_z = derivation_of(expr, variable, self.env)
        self.by_zbar = derivation_of(expr, self.conjugate, self.env) \
            if self.conjugate is not None and expr.has(self.conjugate) else None
        self._real: tuple | None = None

    @property
    def is_complex_variable(self) -> bool:
        return self.conjugate is not None

    @property
    def is_scalar(self) -> bool:
        return not is_matrix(self.expr) or is_one_by_one(self.expr)

    def is_real(self) -> bool:
        """Whether F is real-valued (numerically, at random complex points)."""
        if self._real is None:
            from ..numeric.complex_check import is_real_valued
            self._real = is_real_valued(self)
        return self._real[0]

    # -- results ----------------------------------------------------------------------
    @guarded
    def gradient(self):
        """∂F/∂Z̄ for real F (see ``WIRTINGER["gradient"]``); by a real X, ∂F/∂X."""
        if not self.is_scalar:
            rows, cols = self.expr.shape
            raise MatDerivError(f"the formula is a {rows}x{cols} matrix, not a scalar: it has "
                                "Jacobians, not a gradient (jacobian(), "
                                "jacobian(conjugate=True))")
        if not self.is_real():
            raise MatDerivError(
                f"the formula is complex-valued (at a random point it is "
                f"{self._real[1]:.4g}), so it has no gradient: a gradient by a complex "
                "matrix is of a real F (a norm, z'*H*z with H hermitian); use jacobian() "
                "and jacobian(conjugate=True) (--jacobian, --conjugate in the CLI)")
        if not self.is_complex_variable:
            return self.by_z.gradient()
        if self.by_zbar is None:
            return ZeroMatrix(*self.variable.shape)
        return self.by_zbar.gradient()

    @guarded
    def jacobian(self, vec: str = "col", layout: str | None = None, conjugate: bool = False):
        """∂vec F/∂vec Z, or with ``conjugate`` ∂vec F/∂vec Z̄ (numerator layout unless
        ``layout="denominator"``; ``vec="row"`` stacks rows)."""
        if not conjugate:
            return self.by_z.jacobian(vec=vec, layout=layout)
        if not self.is_complex_variable:
            raise MatDerivError(f"{self.variable} is real: it has no conjugate Jacobian")
        if self.by_zbar is not None:
            return self.by_zbar.jacobian(vec=vec, layout=layout)
        if vec not in ("col", "row"):
            raise MatDerivError(f"vec must be 'col' or 'row', not {vec!r}")
        rows = 1 if self.is_scalar else self.expr.shape[0] * self.expr.shape[1]
        cols = self.variable.shape[0] * self.variable.shape[1]
        return ZeroMatrix(cols, rows) if (layout or self.by_z.layout) == "denominator" \
            else ZeroMatrix(rows, cols)

    def convention(self, kind: str, vec: str = "col", layout: str | None = None,
                   conjugate: bool = False) -> str:
        """The conventions of a result, in words: the Wirtinger one, then vec's."""
        if not self.is_complex_variable:
            words = [WIRTINGER["real"]]
        elif kind == "gradient":
            words = [WIRTINGER["gradient"]]
        else:
            words = [WIRTINGER["conjugate" if conjugate else "jacobian"]]
        words = [words[0].format(Z=self.variable.name)]
        if kind != "gradient" or not self.is_complex_variable:
            stacking = convention(kind, vec, layout=layout or self.by_z.layout,
                                  variable=self.variable)
            if conjugate:  # the same layout, by the conjugate
                name = self.variable.name
                stacking = stacking.replace("J = ", "J* = ").replace(
                    f"vec({name})", f"vec({name}\u0304)").replace(
                    f"vecr({name})", f"vecr({name}\u0304)").replace(
                    f"entry of {name}", f"entry of {name}\u0304")
            words.append(stacking)
        return "; ".join(words + [WIRTINGER["reading"]])

    def _inner(self, kind: str, conjugate: bool):
        """The engine's derivation behind a result."""
        if kind == "gradient" and self.is_complex_variable or conjugate:
            if self.by_zbar is None:
                raise MatDerivError(f"the formula holds no {self.conjugate}: the result is 0 "
                                    "(F is holomorphic in the variable), there is nothing to "
                                    "prove or compute")
            return self.by_zbar
        return self.by_z

    def rules_used(self, kind: str = "gradient", conjugate: bool = False) -> list[str]:
        """The rules behind a result: "gradient", "jacobian" (= "jacobian-col") or
        "jacobian-row"; with ``conjugate``, the Jacobian by Z̄."""
        inner = self._inner("gradient" if kind == "gradient" else "jacobian", conjugate)
        return inner.rules_used("jacobian-col" if kind == "jacobian" else kind)

    # -- proofs and checks --------------------------------------------------------------
    @guarded
    def proof(self, style: str = "rules", *, kind: str | None = None, vec: str = "col",
              conjugate: bool = False):
        kind = kind or self.default_kind()
        if kind == "gradient":
            self.gradient()  # a complex F is refused here, with its reason
        elif kind != "jacobian":
            raise MatDerivError(f"the {kind} {_NOT_YET}")
        if style == "elementwise" and self.expr.has(sympy.I):
            raise MatDerivError("the element-wise proof of a formula holding i (imag) is not "
                                "written yet; the rules proof is")
        return self._inner(kind, conjugate).proof(style, kind=kind, vec=vec)

    @guarded
    def proof_text(self, style: str = "rules", **options) -> str:
        """The proof as text, after the reading of the formula in Z and Z̄."""
        from ..render.proof_text import proof_to_text
        styles = ("rules", "elementwise") if style == "both" else (style,)
        return "\n".join([self._reading_text(options)]
                         + [proof_to_text(self.proof(s, **options)) for s in styles])

    @guarded
    def latex(self, proof: str = "rules", **options) -> str:
        """A LaTeX fragment: the reading in Z and Z̄, then each proof."""
        from ..render import to_latex
        from ..render.proof_latex import proof_to_latex
        styles = ("rules", "elementwise") if proof == "both" else (proof,)
        reading = (r"\noindent Reading (Wirtinger): $F = %s$, a function of $%s$ and "
                   r"$%s$ taken as independent variables (Brandwood 1983)."
                   % (to_latex(self.expr), to_latex(self.variable), to_latex(self.conjugate))
                   if self.is_complex_variable else
                   r"\noindent Reading: $F = %s$, $%s$ real." % (to_latex(self.expr),
                                                                 to_latex(self.variable)))
        if (options.get("kind") or self.default_kind()) == "gradient" \
                and self.is_complex_variable:
            reading += (r" $F$ is real: $dF = 2\,\mathrm{Re}\,\langle G, dZ\rangle$ with "
                        r"$G = \partial F/\partial \bar{Z}$, the gradient.")
        return "\n".join([reading, ""] + [proof_to_latex(self.proof(s, **options))
                                          for s in styles])

    def default_kind(self) -> str:
        """The gradient for a real scalar F, else the Jacobian."""
        return "gradient" if self.is_scalar and self.is_real() else "jacobian"

    def _reading_text(self, options) -> str:
        from ..render import to_text
        kind = options.get("kind") or self.default_kind()
        by = self.conjugate if (kind == "gradient" and self.is_complex_variable
                                or options.get("conjugate")) else self.variable
        held = self.variable if by is self.conjugate else self.conjugate
        lines = [f"Reading (Wirtinger): F = {to_text(self.expr)}, a function of "
                 f"{self.variable} and its conjugate {self.conjugate} taken as independent "
                 "variables (Brandwood 1983)." if self.is_complex_variable else
                 f"Reading: F = {to_text(self.expr)}, {self.variable} real."]
        if held is not None:
            lines.append(f"The proof differentiates by {by}, holding {held} fixed "
                         f"(d{held} = 0 in this channel).")
        if kind == "gradient" and self.is_complex_variable:
            lines.append("F is real, so ∂F/∂Z = conj(∂F/∂Z̄) and dF = 2 Re⟨∂F/∂Z̄, dZ⟩: "
                         "the gradient is ∂F/∂Z̄.")
        return "\n".join(lines) + "\n"

    def _proofs(self, style, options) -> list:
        """The proofs to show (as ``Derivation._proofs``, for the web API)."""
        styles = ("rules", "elementwise") if style == "both" else (style,)
        return [self.proof(s, **options) for s in styles]

    @guarded
    def check(self, *, hessian: bool = False, **options):
        """Every result against Wirtinger finite differences at random complex points."""
        from ..numeric.complex_check import complex_check
        if hessian:
            raise MatDerivError(f"the Hessian {_NOT_YET}")
        return complex_check(self, **options)

    def results_to_check(self) -> list:
        """(what, result, by Z̄?) for each result the numeric check compares."""
        found = []
        if self.is_scalar and self.is_real():
            found.append(("gradient", self.gradient(), self.is_complex_variable))
        found.append(("jacobian", self.jacobian(), False))
        if self.is_complex_variable:
            found.append(("conjugate jacobian", self.jacobian(conjugate=True), True))
        return found

    @guarded
    def check_claim(self, claim, kind: str | None = None, vec: str = "col",
                    layout: str | None = None, *, syntax: str = "text",
                    conjugate: bool = False):
        """Judge a claimed gradient or Jacobian (text in the complex grammar): a
        ``ComplexVerdict`` naming the usual mistakes (``api.complex_claim``)."""
        from .complex_claim import check_complex_claim
        if syntax != "text" or (layout or "numerator") != "numerator":
            raise MatDerivError("a claim with complex names is text in the grammar, in "
                                "numerator layout")
        return check_complex_claim(self, claim, kind, vec, conjugate)

    # -- not yet for complex names ------------------------------------------------------
    def hessian(self, *args, **kwargs):
        raise MatDerivError(f"the Hessian {_NOT_YET}")

    def tensor(self, *args, **kwargs):
        raise MatDerivError(f"the 4-index tensor {_NOT_YET}")

    def derivative(self, *args, **kwargs):
        raise MatDerivError(f"a derivative of any order {_NOT_YET}")

    @guarded
    def to_source(self, kind: str | None = None, *, vec: str = "col", backend: str = "numpy",
                  name: str | None = None, with_check: bool = False,
                  conjugate: bool = False) -> str:
        """NumPy source (complex128) of the gradient or a Jacobian, over the user's names:
        Zbar is passed as conj(Z) (``matderiv.codegen.complex_source``)."""
        from ..codegen.complex_source import complex_source
        return complex_source(self, *self._code_parts(kind, backend, with_check, conjugate),
                              vec=vec, name=name, conjugate=conjugate)

    source = to_source

    @guarded
    def to_function(self, kind: str | None = None, *, vec: str = "col",
                    backend: str = "numpy", name: str | None = None,
                    with_check: bool = False, conjugate: bool = False):
        """The generated code as a function taking the user's names as keywords."""
        from ..codegen.complex_source import complex_function
        return complex_function(self, *self._code_parts(kind, backend, with_check, conjugate),
                                vec=vec, name=name, conjugate=conjugate)

    def _code_parts(self, kind, backend, with_check, conjugate) -> tuple:
        if backend != "numpy" or with_check:
            raise MatDerivError(f"generated code {_NOT_YET.replace('does', 'generates NumPy')}"
                                " without --with-check")
        kind = kind or ("gradient" if self.is_scalar and not conjugate else "jacobian")
        if kind in ("gradient", "value_and_gradient"):
            self.gradient()  # a complex F is refused here, with its reason
        return self._inner("gradient" if kind == "value_and_gradient" else kind,
                           conjugate), kind


    def __repr__(self) -> str:
        return f"ComplexDerivation({self.formula!r}, wrt={self.variable})"


@guarded
def derive_complex(formula, wrt, shapes=None, *, complex=(), hermitian=(), syntax="text",
                   functions=(), engine, checked_functions, **options) -> ComplexDerivation:
    """``derive`` with complex names: ``complex`` lists complex matrices, ``hermitian``
    complex Hermitian ones (constants, H̄ = Hᵀ). ``options`` are ``derive``'s (layout,
    seconds, max_nodes). ``derive`` calls it, handing over its ``Derivation`` class
    (``engine``) and its check of abstract function names: nothing imports the module
    that defines ``Derivation``."""
    if not isinstance(formula, str) or syntax != "text":
        raise MatDerivError("a formula with complex names must be text in matderiv's grammar "
                            "(not LaTeX, not SymPy): ' is then the conjugate transpose")
    read = shaped(formula, shapes, syntax)
    reading = ComplexReading(read.env, complex, hermitian)
    absent = [n for n in (*reading.complex_names, *reading.hermitian)
              if n not in read.inferred.names]
    if absent:  # declared with -s only: its declaration would change nothing, said or not
        raise MatDerivError(f"{absent[0]!r} is declared complex but the formula does not use "
                            "it")
    abstract = checked_functions(functions, read.env)
    expr = reading.builder(formula, abstract).build_text(formula, syntax, read.tree)
    if not isinstance(wrt, str) or wrt not in read.env:
        raise MatDerivError(f"wrt {wrt!r} is not a name of the formula")
    variable = read.env[wrt]
    if wrt in reading.hermitian:
        raise MatDerivError(f"{wrt} is declared hermitian, a constant: derivatives by a "
                            "Hermitian matrix are not written yet")
    if not isinstance(variable, MatrixSymbol):
        raise MatDerivError(f"wrt {wrt} is a scalar or a size: with complex names, the "
                            "variable must be a matrix or a vector")
    if not (reading.complex_names or reading.hermitian):
        raise MatDerivError("complex is empty: name the complex matrices, or use derive()")

    class WirtingerDerivation(engine):
        """The engine's derivation, its rewrites checked at complex points (the formula
        may hold i, and Z and Zbar are independent)."""

        #: The names whose values are complex: drawn complex in the rewrites' checks.
        complex_names = frozenset(reading.complex_names) | frozenset(reading.hermitian) | {
            reading.conjugate_of(name).name for name in reading.complex_names}

        def _same_value(self, before, after):
            from ..numeric.complex_check import assert_same_complex_value
            assert_same_complex_value(before, after, self)

        def _same_differential(self, one, other):
            from ..expressions import MatDiff, matrix_symbol
            from ..numeric.complex_check import assert_same_complex_value
            replace = {MatDiff(self.variable): matrix_symbol(f"d{self.variable}",
                                                             *self.variable.shape)}
            assert_same_complex_value(one.xreplace(replace), other.xreplace(replace), self)

    def derivation_of(expr, variable, env):
        # No formula text: the text reads as real (a twin, a second reading); the
        # expression in Z and Zbar is the formula the engine derives.
        return WirtingerDerivation(expr, variable, env=env, names=read.inferred.names,
                                   inferred=tuple(read.inferred.shapes), **options)

    return ComplexDerivation(expr, variable, reading, derivation_of, formula=formula,
                             names=read.inferred.names,
                             inferred=tuple(read.inferred.shapes))


__all__ = ["WIRTINGER", "ComplexDerivation", "derive_complex"]

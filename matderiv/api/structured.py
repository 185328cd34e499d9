"""Derivations where matrices are declared symmetric or diagonal (docs/structured.md).

``derive(..., symmetric=["S"])`` makes S a symmetric matrix. The gradient by S is then the
gradient on the space of symmetric matrices, sym(G) = (G + G')/2 for the general G with
dF = <G, dS> (Srinivasan & Panda, arXiv:1911.06491), or with
``symmetric_convention="cookbook"`` the Matrix Cookbook's (141) 2 sym(G) - diag(diag(sym G));
the Jacobian is d vec(F) / d vech(S) = J D(n); the Hessian d²F / d vech(S) d vech(S)'.
``diagonal=["D"]``: the gradient is diag(diag(G)), the Jacobian d vec(F) / d diag(D) =
J Delta(n). Wherever a symmetric matrix is declared, results use S' = S.

>>> from matderiv import derive
>>> derive("logdet(S)", "S", {"S": "n,n"}, symmetric=["S"]).gradient()
S**(-1)
>>> derive("tr(A*S)", "S", {"A": "n,n", "S": "n,n"}, symmetric=["S"]).gradient()
(1/2)*(A + A.T)
"""

from __future__ import annotations

from sympy import MatrixSymbol, Transpose

from ..engine.phases import Phase, identify_jacobian, jacobian_of_scalar, simplify
from ..engine.rewrite import Context
from ..engine.structured import (
    SYMMETRIC_CONVENTIONS,
    structured_gradient,
    structured_jacobian,
    with_structure,
)
from ..errors import MatDerivError, guarded
from ..expressions import DiagEmbedding, is_matrix, mat_mul
from ..expressions.structured import DuplicationMatrix, structure_of, structured
from .by_scalar import is_scalar_variable


class StructuredResults:
    """What a Derivation where some matrices are declared symmetric or diagonal does
    otherwise: by such a variable, its results are stated in the structure's convention.
    A mixin of ``api.derivation.StructuredDerivation`` (with ``Derivation``), whose
    ``plain`` is the plain Derivation (this module does not import that one)."""

    symmetric_convention = "symmetric"
    plain: type  # Derivation, given by the class that mixes this in

    @property
    def structure(self) -> str | None:
        """"symmetric", "diagonal" or None: the structure of the variable."""
        return structure_of(self.variable)

    @property
    def structure_options(self) -> dict:
        """The keywords of ``derive`` that declare this derivation's structures."""
        names = {"symmetric": [], "diagonal": []}
        for symbol in self.env.values():
            if structure_of(symbol):
                names[structure_of(symbol)].append(symbol.name)
        return {"symmetric": tuple(names["symmetric"]), "diagonal": tuple(names["diagonal"]),
                "symmetric_convention": self.symmetric_convention}

    def _general_gradient(self) -> tuple[Phase, ...]:
        """The gradient's phases as for a general matrix: G with dF = <G, dX>."""
        if "general-gradient" not in self._cache:
            self._cache["general-gradient"] = self._identify_gradient()
        return self._cache["general-gradient"]

    def gradient_phases(self) -> tuple[Phase, ...]:
        if "gradient" not in self._cache:
            general = self._general_gradient()
            phases = (*general, *structured_gradient(
                general[-1].result, self.variable, self.symmetric_convention, self.budget,
                self._same_value))
            self._confirm(phases[-1].result, lambda twin: twin.gradient())
            self._cache["gradient"] = phases
        return self._cache["gradient"]

    def symmetric_gradient(self):
        """The gradient on the space of symmetric matrices (whatever the convention)."""
        if self.symmetric_convention != "cookbook" or self.structure != "symmetric":
            return self.gradient()
        if "symmetric-gradient" not in self._cache:
            self._cache["symmetric-gradient"] = structured_gradient(
                self._general_gradient()[-1].result, self.variable, "symmetric", self.budget,
                self._same_value)[-1].result
        return self._cache["symmetric-gradient"]

    def _identify_jacobian(self, vec: str) -> tuple[Phase, ...]:
        if is_scalar_variable(self.variable):
            general = super()._identify_jacobian(vec)
        elif self.is_scalar:
            general = jacobian_of_scalar(self._general_gradient(), self.variable, vec,
                                         self.budget, self._same_value)
        else:
            general = identify_jacobian(self.differential, self.variable, vec, self.budget,
                                        self._same_value)
        return (*general, *structured_jacobian(general[-1].result, self.variable, vec,
                                               self.budget, self._same_value))

    def jacobian_phases(self, vec: str = "col", layout: str | None = None) -> tuple[Phase, ...]:
        phases = super().jacobian_phases(vec, layout)
        if phases[-1].name != "layout":
            return phases
        key = f"jacobian-{vec}-denominator-structured"  # the transpose, with S' = S again
        if key not in self._cache:
            self._cache[key] = (*phases, *with_structure(phases[-1].result, self.variable,
                                                         self.budget, self._same_value))
        return self._cache[key]

    def gradient_derivation(self):
        """By a structured variable, the Hessian's maker: d²F / d vech(S) d vech(S)' =
        D(n)' H D(n), H the Jacobian of the symmetric gradient (Delta(n) for a diagonal)."""
        if not self.structure:
            return super().gradient_derivation()
        if "hessian" not in self._cache:
            gradient = self.symmetric_gradient()
            inner = self.plain(gradient, self.variable, env=self.env, names=self.names,
                               inferred=self.inferred, seconds=self.budget["max_seconds"],
                               max_nodes=self.budget["max_nodes"])
            # At sizes too large to evaluate, the rewrites of H are confirmed in the
            # twin's own symmetric gradient (the inner derivation has no text to rename).
            inner._parent = self
            inner._inside_parent = _inner_of_twin
            self._cache["hessian"] = StructuredHessian(inner, self)
        return self._cache["hessian"]

    def derivative_axes(self, order: int) -> tuple:
        if self.structure:
            raise MatDerivError(f"derivative(order=k) by the {self.structure} {self.variable} "
                                "is not given (its entries are not free): ask for the "
                                "gradient, the Jacobian or the Hessian, by the free entries")
        return super().derivative_axes(order)

    def mixed_derivation(self, wrt):
        if wrt is not None:
            other = self.second_variable(wrt)
            if other != self.variable and (self.structure or structure_of(other)):
                raise MatDerivError("a mixed Hessian by a symmetric or diagonal variable is "
                                    "not given: derive the Hessian by one variable")
        return super().mixed_derivation(wrt)

    @guarded
    def tensor(self):
        if self.structure:
            raise MatDerivError(f"the 4-index tensor by the {self.structure} {self.variable} "
                                "is not given: its entries are not free; ask for the gradient "
                                "or the Jacobian (by vech or diag)")
        return super().tensor()

    @guarded
    def proof(self, style: str = "rules", *, kind: str | None = None, vec: str = "col"):
        if self.structure and kind == "hessian":
            raise MatDerivError(f"no proof is given for the Hessian by the {self.structure} "
                                f"{self.variable} (its result is checked numerically); the "
                                "gradient's proof is")
        if self.structure and style == "elementwise":
            from ..proofs.structured import structured_elementwise_proof
            from .twin_proof import elementwise_at_sizes
            kind = kind or ("gradient" if self.is_scalar else "jacobian")
            return elementwise_at_sizes(self, kind, vec, structured_elementwise_proof)
        return super().proof(style, kind=kind, vec=vec)

    def general(self):
        """The same formula by the same variable, as for a general matrix (the proofs'
        first part: the element-wise derivative before the structure enters)."""
        if "general" not in self._cache:
            self._cache["general"] = self.plain(
                self.expr, self.variable, formula=self.text, env=self.env, layout=self.layout,
                seconds=self.budget["max_seconds"], max_nodes=self.budget["max_nodes"],
                names=self.names, inferred=self.inferred)
        return self._cache["general"]

    def __repr__(self) -> str:
        return f"Derivation({self.formula!r}, wrt={self.variable}, {self.structure_options})"


def _inner_of_twin(twin):
    """The twin's derivation of its symmetric gradient (where the inner one sits in it)."""
    return twin.gradient_derivation().inner


class StructuredHessian:
    """The Hessian by a symmetric (diagonal) variable: C' H C with C = D(n) (Delta(n)),
    H the Jacobian of the symmetric gradient; what ``hessian()`` asks of the gradient's
    derivation."""

    def __init__(self, inner, outer: StructuredResults):
        self.inner, self.outer = inner, outer
        self._results: dict = {}

    def jacobian(self, vec: str = "col", layout: str | None = None):
        layout = layout or self.outer.layout
        key = (vec, layout)
        if key not in self._results:
            outer = self.outer
            general = self.inner.jacobian(vec=vec, layout="numerator")
            right = structured_jacobian(general, outer.variable, vec, outer.budget,
                                        outer._same_value)[-1].result
            n = outer.variable.shape[0]
            left = DuplicationMatrix(n) if outer.structure == "symmetric" else DiagEmbedding(n)
            context = Context(outer.variable, phase="identification", **outer.budget)
            result = simplify(mat_mul(Transpose(left), right), context,
                              outer._same_value).result
            if layout == "denominator":
                result = with_structure(Transpose(result), outer.variable, outer.budget,
                                        outer._same_value)[-1].result
            self._results[key] = result
        return self._results[key]

    def rules_used(self, kind: str = "jacobian-col") -> list[str]:
        return self.inner.rules_used(kind)


def declare_structure(expr, env: dict, symmetric=(), diagonal=()):
    """(expr, env) with the named matrices made symmetric or diagonal; each must be a
    square matrix of the formula, named once."""
    replacements = {}
    for structure, names in (("symmetric", symmetric), ("diagonal", diagonal)):
        if isinstance(names, str) or not isinstance(names, (list, tuple, set, frozenset)):
            raise MatDerivError(f"{structure} must be a list of names, such as [\"S\"]")
        for name in names:
            symbol = env.get(name) if isinstance(name, str) else None
            if not isinstance(symbol, MatrixSymbol) or not is_matrix(symbol):
                raise MatDerivError(f"{name!r} is declared {structure} but is not a matrix of "
                                    "the formula")
            if name in {s.name for s in replacements}:
                raise MatDerivError(f"{name!r} is declared both symmetric and diagonal")
            rows, cols = symbol.shape
            if rows != cols:
                raise MatDerivError(f"{name!r} is declared {structure}, but it is {rows}x{cols}, "
                                    f"not square (declare its shape, e.g. -s {name}=n,n)")
            replacements[symbol] = structured(symbol, structure)
    env = {name: replacements.get(value, value) for name, value in env.items()}
    return expr.xreplace(replacements), env


def checked_convention(convention) -> str:
    if convention not in SYMMETRIC_CONVENTIONS:
        raise MatDerivError(f"symmetric_convention must be 'symmetric' or 'cookbook', not "
                            f"{convention!r}")
    return convention


def square_shapes(shapes, symmetric, diagonal, inferred_shapes) -> dict | None:
    """Shapes to read the formula again with, where a structured matrix was inferred
    non-square (tr(A*S) infers S m x n): the same with it square, n x n; None if none."""
    shapes = dict(shapes or {})
    changed = False
    for name in (*symmetric, *diagonal):
        shape = inferred_shapes.get(name)
        if name not in shapes and shape and len(shape) == 2 and shape[0] != shape[1]:
            shapes[name] = (str(shape[0]), str(shape[0]))
            changed = True
    return shapes if changed else None


__all__ = ["StructuredHessian", "StructuredResults", "checked_convention",
           "declare_structure", "square_shapes"]

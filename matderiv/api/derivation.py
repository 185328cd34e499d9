"""``derive``: formula -> Derivation, the one object holding a result and its steps.

The engine's phases (``matderiv.engine.phases``) find the results; a Derivation runs
them when a result is first asked for, remembers them, and is the face of everything
else: numeric checks, proofs, generated code, claims. They receive the Derivation and
read it; none of them imports this module.

>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> d.jacobian()
KroneckerProduct(a.T, I)
>>> d.jacobian(vec="row")
KroneckerProduct(I, a.T)

Shapes not declared are inferred from the formula (``matderiv.syntax.inference``):

>>> d = derive("x'*A*x + b'*x", wrt="x")
>>> d.inferred_shapes
{'x': (n, 1), 'A': (n, n), 'b': (n, 1)}
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from sympy import Basic, MatrixSymbol, Symbol

from ..engine.conventions import CONVENTIONS, LAYOUTS
from ..engine.phases import (
    Phase,
    denominator_phase,
    differentiate,
    identify_gradient,
    identify_jacobian,
    jacobian_of_scalar,
)
from ..engine.rewrite import ProofStep
from ..errors import MatDerivError, guarded
from ..expressions import AbstractFunction, AbstractGradient, is_matrix
from ..expressions.contains import distinct_nodes
from ..expressions.structured import plain, structured
from ..syntax.builder import Builder
from ..syntax.grammar import FUNCTIONS, is_one_by_one
from ..syntax.inference import shaped
from ..syntax.shapes import declare
from . import by_scalar
from .by_scalar import is_scalar_variable
from .higher import HigherDerivatives
from .structured import StructuredResults, checked_convention, declare_structure, square_shapes
from .twin import confirm, symbolic_twin

__all__ = ["CONVENTIONS", "Derivation", "derive"]


class FormulaShapes:
    """The shapes of a derivation's names: a part of ``Derivation``, by concern."""

    env: Mapping       # names -> SymPy symbols (declared and inferred), sizes too
    names: tuple       # the formula's names, in order of appearance
    inferred: tuple    # those whose shapes were inferred from the formula
    expr: Basic
    text: str | None   # the formula as the user wrote it; None for SymPy input

    @property
    def formula(self) -> str:
        """The formula as written, or printed from ``expr`` when asked (printing a large
        formula, such as the gradient derived again for a Hessian, is not free)."""
        return self.text if self.text is not None else str(self.expr)

    @property
    def shapes(self) -> dict:
        """Each name of the formula (declared or inferred, in order of appearance) ->
        its shape: (rows, cols) in SymPy sizes, or () for a scalar."""
        return _shapes(self.env, self.names or [n for n, v in self.env.items()
                                                if is_matrix(v) or not v.is_integer])

    @property
    def inferred_shapes(self) -> dict:
        """The shapes inferred from the formula, not declared: a part of ``shapes``."""
        return _shapes(self.env, self.inferred)


class Derivation(HigherDerivatives, FormulaShapes):
    """The derivative of ``expr`` with respect to ``variable``, and how it was found."""

    def __init__(self, expr, variable, *, formula: str | None = None, env: Mapping | None = None,
                 layout: str = "numerator", seconds: float | None = None,
                 max_nodes: int | None = None, names: tuple = (), inferred: tuple = ()):
        self.layout = _checked_layout(layout)
        # Time and size budgets of each computation; None: rewrite.MAX_SECONDS, MAX_NODES.
        self.budget = {"max_seconds": _checked_budget("seconds", seconds),
                       "max_nodes": _checked_budget("max_nodes", max_nodes)}
        self.expr = expr
        self.variable = variable
        self.text = formula  # the formula as the user wrote it; None for SymPy input
        self.syntax, self.functions = "text", ()  # text's syntax; declared abstract names
        # A derivation made inside another (the gradient's, for the Hessian) and whether
        # a rewrite's value check was beyond the numeric budget at these sizes.
        self._parent: Derivation | None = None
        self._unconfirmed = False
        self.env = env or {}
        # The formula's names in order of appearance, and those whose shapes were inferred.
        self.names = tuple(names)
        self.inferred = tuple(inferred)
        self._cache: dict = {}
        self.differential_start, self.differential, self._pushes = differentiate(
            expr, variable, self.budget, self._same_differential)

    @property
    def differential_lines(self):
        """The differential's proof, one ProofLine per pass (laid out when first asked)."""
        return self._pushes.lines

    def _same_differential(self, one, other):
        from ..numeric.verify import assert_same_differential
        assert_same_differential(one, other, self)

    def _same_value(self, before, after):
        """The safety net under every rewrite of a result: the value is kept. Where the
        sizes are too large to evaluate, each result is confirmed instead by the same
        derivation at named sizes (``_confirm``)."""
        from ..numeric.verify import assert_same_value
        if assert_same_value(before, after, self) == "budget":
            self._unconfirmed = True

    def _confirm(self, result, twin_result_of):
        """Where a value check was beyond the numeric budget (sizes too large), the
        result must be the symbolic twin's with the sizes put in (``twin.confirm``)."""
        if self._unconfirmed:
            confirm(self, result, twin_result_of)

    def symbolic_twin(self) -> tuple[Derivation, dict]:
        """This derivation with each integer size of 2 or more named, and the sizes:
        (twin, {size symbol: integer}); see ``matderiv.api.twin``."""
        return symbolic_twin(self, derive)

    # -- shapes -----------------------------------------------------------
    @property
    def is_scalar(self) -> bool:
        """True when F is a scalar (or a 1 x 1 matrix, read as one)."""
        return not is_matrix(self.expr) or is_one_by_one(self.expr)

    @cached_property  # (asked at every value check)
    def abstract_functions(self) -> tuple[str, ...]:
        return tuple(sorted({node.function for node in distinct_nodes(self.expr)
                             if isinstance(node, (AbstractFunction, AbstractGradient))}))

    # -- results ----------------------------------------------------------
    @guarded
    def gradient(self):
        """dF/dX "as matrix" (seed 2, items 9-11): X's shape, G_ij = dF/dX_ij (by t: dF/dt)."""
        if not self.is_scalar:
            rows, cols = self.expr.shape
            raise MatDerivError(f"the formula is a {rows}x{cols} matrix, not a scalar: it has "
                                "a Jacobian, not a gradient (jacobian(); --jacobian in the CLI)")
        return self.gradient_phases()[-1].result

    @guarded
    def jacobian(self, vec: str = "col", layout: str | None = None):
        """d vec(F) / d vec(X) (vec="col") or d vecr(F) / d vecr(X) (vec="row"); by t, a column.

        ``layout`` "numerator" (one row per entry of F) or "denominator" (its transpose);
        None takes the derivation's own layout, set by ``derive(..., layout=)``.
        """
        if vec not in ("col", "row"):
            raise MatDerivError(f"vec must be 'col' or 'row', not {vec!r}")
        return self.jacobian_phases(vec, layout)[-1].result

    @guarded
    def tensor(self):
        """T[i, j, k, l] = ∂F_ij / ∂X_kl, a SymPy array of shape (m, n, p, q); by t, dF/dt.

        Kronecker terms of the vecr Jacobian become permuted outer products
        (A ⊗ B -> A_ik B_jl); anything else is the row-major reshape of the vecr
        Jacobian, T = reshape(J_row, (m, n, p, q)). See ``matderiv.engine.tensor``.
        """
        from ..engine.tensor import tensor_from_row_jacobian
        if is_scalar_variable(self.variable):
            return by_scalar.tensor(self)  # ∂F_ij/∂t: F's axes only
        f_shape = (1, 1) if not is_matrix(self.expr) else tuple(self.expr.shape)
        if self.is_scalar:
            from sympy.tensor.array.expressions import Reshape
            return Reshape(self.gradient(), (*f_shape, *self.variable.shape))
        return tensor_from_row_jacobian(self.jacobian(vec="row", layout="numerator"),
                                        f_shape, tuple(self.variable.shape))

    @guarded
    def hessian(self, layout: str | None = None, vec: str = "col", wrt=None):
        """d²F / d vec(X) d vec(X)' for scalar F: the Jacobian of the gradient, vec(G) by vec(X)
        (with vec="row", vecr(G) by vecr(X)); by a scalar t, d²F/dt², a scalar. Symmetric for
        smooth F; its steps are those of ``gradient_derivation()``. ``wrt`` Y: the mixed
        d²F / d vec(X) d vec(Y)', vec(G) by vec(Y) (``mixed_derivation``)."""
        if vec not in ("col", "row"):
            raise MatDerivError(f"vec must be 'col' or 'row', not {vec!r}")
        return self.mixed_derivation(wrt).jacobian(vec=vec, layout=layout or self.layout)

    def gradient_derivation(self) -> Derivation:
        """The gradient G as a formula of its own, derived again by X (for the Hessian)."""
        if "hessian" not in self._cache:
            gradient = self.gradient()
            if not gradient.has(self.variable):
                self._cache["hessian"] = _Constant(by_scalar.zero_hessian(self.variable))
            else:
                inner = Derivation(gradient, self.variable, env=self.env,
                                   names=self.names, inferred=self.inferred,
                                   **_budget_options(self.budget))
                inner._parent = self
                self._cache["hessian"] = inner
        return self._cache["hessian"]

    def gradient_phases(self) -> tuple[Phase, ...]:
        """Identification and simplification of the gradient, with their steps."""
        if "gradient" not in self._cache:
            phases = self._identify_gradient()
            self._confirm(phases[-1].result, lambda twin: twin.gradient())
            self._cache["gradient"] = phases
        return self._cache["gradient"]

    def jacobian_phases(self, vec: str = "col", layout: str | None = None) -> tuple[Phase, ...]:
        """The phases behind the Jacobian; denominator layout adds a last, transposing one."""
        layout = _checked_layout(layout or self.layout)
        key = "jacobian-" + vec
        if key not in self._cache:
            phases = self._identify_jacobian(vec)
            self._confirm(phases[-1].result, lambda twin: twin.jacobian(vec, "numerator"))
            self._cache[key] = phases
        if layout == "numerator":
            return self._cache[key]
        if key + "-denominator" not in self._cache:
            numerator = self._cache[key][-1].result
            phases = (*self._cache[key], denominator_phase(numerator, self._same_value))
            self._confirm(phases[-1].result, lambda twin: twin.jacobian(vec, "denominator"))
            self._cache[key + "-denominator"] = phases
        return self._cache[key + "-denominator"]

    # -- identification ---------------------------------------------------
    def _identify_gradient(self) -> tuple[Phase, ...]:
        if is_scalar_variable(self.variable):
            return by_scalar.derivative_phases(self)
        return identify_gradient(self.differential, self.variable, self.budget,
                                 self._same_value)

    def _identify_jacobian(self, vec: str) -> tuple[Phase, ...]:
        if is_scalar_variable(self.variable):
            return by_scalar.jacobian_phases(self, vec)
        if self.is_scalar:
            return jacobian_of_scalar(self.gradient_phases(), self.variable, vec, self.budget,
                                      self._same_value)
        return identify_jacobian(self.differential, self.variable, vec, self.budget,
                                 self._same_value)

    # -- convenience ------------------------------------------------------
    def steps(self, kind: str = "gradient") -> tuple[ProofStep, ...]:
        """Every rule application behind a result: "gradient", "jacobian-col", "jacobian-row"."""
        differential = tuple(s for line in self.differential_lines for s in line.steps)
        if kind == "gradient":
            phases = self.gradient_phases()
        elif kind in ("jacobian-col", "jacobian-row"):
            phases = self.jacobian_phases(kind.split("-")[1])
        else:
            raise MatDerivError(f"unknown kind {kind!r}")
        return differential + tuple(s for phase in phases for s in phase.steps)

    def rules_used(self, kind: str = "gradient") -> list[str]:
        return [step.rule.name for step in self.steps(kind)]

    @guarded
    def evaluate(self, expr, values, *, functions=None):
        """Evaluate a result (or any expression) at values, sizes read off the arrays."""
        from ..numeric.evaluate import evaluate
        symbols = [s for s in self.env.values() if isinstance(s, MatrixSymbol)]
        return evaluate(expr, values, functions=functions, shapes=symbols)

    @guarded
    def proof(self, style: str = "rules", *, kind: str | None = None, vec: str = "col"):
        """The proof of the result as data: ``style`` "rules" (or "elementwise")."""
        from ..proofs.rules import rules_proof
        kind = kind or ("gradient" if self.is_scalar else "jacobian")
        if is_scalar_variable(self.variable) and self.is_scalar and kind != "hessian":
            kind = "gradient"  # by a scalar t, a scalar F's Jacobian is dF/dt
        if kind == "hessian":
            # The Hessian is the Jacobian of the gradient: its proof is that one's.
            return self._hessian_derivation().proof(style, kind="jacobian", vec=vec)
        if style == "rules":
            return rules_proof(self, kind, vec)
        if style == "elementwise":  # at integer sizes, written on the symbolic twin
            from .twin_proof import elementwise_at_sizes
            return elementwise_at_sizes(self, kind, vec)
        raise MatDerivError(f"unknown proof style {style!r}: rules or elementwise")

    def _hessian_derivation(self) -> Derivation:
        inner = self.gradient_derivation()
        if isinstance(inner, _Constant):
            raise MatDerivError(f"the gradient does not depend on {self.variable}, so the "
                                "Hessian is 0; there is nothing to prove")
        return inner

    def _proofs(self, style, options) -> list:
        """The proofs to show: for the Hessian, the gradient's and then the Hessian's."""
        styles = ("rules", "elementwise") if style == "both" else (style,)
        if options.get("kind") == "hessian":
            first = [self.proof(s, kind="gradient") for s in styles]
            vec = options.get("vec", "col")
            return first + [self.proof(s, kind="hessian", vec=vec) for s in styles]
        return [self.proof(s, **options) for s in styles]

    @guarded
    def proof_text(self, style: str = "rules", **options) -> str:
        """The proof as Unicode text for a terminal."""
        from ..render.proof_text import proof_to_text
        return "\n".join(proof_to_text(p) for p in self._proofs(style, options))

    @guarded
    def latex(self, proof: str = "rules", **options) -> str:
        """A LaTeX fragment: each result a proposition, then its proof (amsmath, amssymb,
        amsthm and a ``proposition`` environment, as ``matderiv.document`` has them)."""
        from ..render.proof_latex import proof_to_latex
        return "\n".join(proof_to_latex(p) for p in self._proofs(proof, options))

    @guarded
    def to_source(self, kind: str | None = None, *, vec: str = "col", backend: str = "numpy",
                  name: str | None = None, with_check: bool = False) -> str:
        """Python source (a module: imports and one def) computing a result efficiently.

        ``kind``: "gradient", "value_and_gradient" ((F, gradient), sharing their work),
        "jacobian", "hessian" or "jvp" (J vec(V) without forming J); ``backend``:
        "numpy", "jax" or "torch". ``with_check`` adds ``_check()``, a self-test against
        finite differences at a random point. See matderiv.codegen.
        """
        from ..codegen import to_source
        return to_source(self, kind, vec=vec, backend=backend, name=name,
                         check_point=self._check_point() if with_check else None)

    def _check_point(self) -> dict:
        """A random point where F is defined and well conditioned, for a self-test."""
        import numpy as np

        from ..numeric.points import defined_point, stand_in_functions
        return defined_point(self.expr, self.variable, np.random.default_rng(7),
                             stand_in_functions(self.abstract_functions))

    source = to_source

    @guarded
    def to_function(self, kind: str | None = None, *, vec: str = "col", backend: str = "numpy",
                    name: str | None = None, with_check: bool = False):
        """The generated code as a function taking the formula's names as keywords.

        >>> import numpy as np
        >>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
        >>> d.to_function("jvp")(W=np.ones((2, 3)), a=np.ones(3), V=np.ones((2, 3))).ravel()
        array([3., 3.])
        """
        from ..codegen import to_function
        return to_function(self, kind, vec=vec, backend=backend, name=name,
                           check_point=self._check_point() if with_check else None)

    def _repr_latex_(self) -> str:
        from ..render.proof_latex import statement_latex
        return "$$%s$$" % statement_latex(self.proof("rules"))

    @guarded
    def check(self, **options):
        """Check every result against central finite differences; raise on a mismatch."""
        from ..numeric.verify import verify
        return verify(self, **options)

    def check_claim(self, claim, kind: str | None = None, vec: str = "col",
                    layout: str | None = None, *, syntax: str = "text", wrt2=None):
        """Judge a claimed derivative (text in the grammar, or SymPy): a ``Verdict``.

        >>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
        >>> d.check_claim("kron(a', I(m))").verdict
        'correct'
        """
        from ..claims import check_claim
        return check_claim(self, claim, kind, vec, layout, syntax=syntax, wrt2=wrt2)

    def __repr__(self) -> str:
        return f"Derivation({self.formula!r}, wrt={self.variable})"


class StructuredDerivation(StructuredResults, Derivation):
    """A Derivation where matrices are declared symmetric or diagonal (``api.structured``;
    docs/structured.md)."""

    plain = Derivation


class _Constant:
    """A gradient that does not depend on X: its Jacobian (the Hessian) is zero."""

    def __init__(self, zero):
        self.zero = zero

    def jacobian(self, vec="col", layout=None):
        return self.zero

    def rules_used(self, kind="jacobian-col"):
        return []


@guarded
def derive(formula, wrt, shapes=None, *, layout: str = "numerator", seconds: float | None = None,
           max_nodes: int | None = None, syntax: str = "text", functions=(), complex=(),
           hermitian=(), symmetric=(), diagonal=(),
           symmetric_convention: str = "symmetric") -> Derivation:
    """Differentiate ``formula`` with respect to ``wrt``.

    ``formula`` is text in matderiv's grammar (with ``shapes`` giving each name's
    shape: ``{"W": ("m", "n"), "a": ("n", 1), "k": ()}``) or a SymPy matrix
    expression built from ``matderiv.matrix``/``vector``/``scalar``. ``layout`` is the
    Jacobian layout: "numerator" (default) or "denominator" (the transpose).
    ``seconds`` and ``max_nodes`` are the time and size budgets of each computation
    (deriving, then each result); one exceeded stops it with a MatDerivError.
    ``syntax="latex"`` reads formula text written in LaTeX: ``"\\operatorname{tr}(A X B)"``.
    ``functions`` names abstract functions besides the one-letter ones (f, g1) that are
    abstract without declaring: ``functions=["phi"]`` makes ``phi(W*x)`` one.
    ``symmetric`` and ``diagonal`` name square matrices declared so; by such a variable
    the gradient is on the space of symmetric (diagonal) matrices, or with
    ``symmetric_convention="cookbook"`` the Matrix Cookbook's (docs/structured.md).

    ``complex`` names complex matrices and ``hermitian`` complex Hermitian ones: the result
    is then a ``ComplexDerivation`` of Wirtinger derivatives (``matderiv.api.complex``).

    Names of a text formula that ``shapes`` leaves out (all of them, with ``shapes``
    None) get the shapes the formula implies (``matderiv.syntax.inference``), free sizes
    named n, m, p, ...; ``Derivation.shapes`` and ``inferred_shapes`` say which. Where
    the formula leaves a shape open, a MatDerivError names it.
    """
    _checked_layout(layout)
    if complex or hermitian:
        if symmetric or diagonal:
            raise MatDerivError("symmetric and diagonal matrices are real here; with complex "
                                "matrices, declare a Hermitian one with hermitian=")
        from .complex import derive_complex
        return derive_complex(formula, wrt, shapes, complex=complex, hermitian=hermitian,
                              syntax=syntax, functions=functions, layout=layout,
                              seconds=seconds, max_nodes=max_nodes, engine=Derivation,
                              checked_functions=checked_functions)
    names, inferred = (), ()
    if isinstance(formula, str):
        structures = _structures(symmetric, diagonal)
        read, expr = read_formula(formula, shapes, syntax, functions, structures)
        if symmetric or diagonal:  # a structured matrix inferred m x n is read n x n
            again = square_shapes(shapes, symmetric, diagonal,
                                  _shapes(read.env, tuple(read.inferred.shapes)))
            if again is not None:
                read, expr = read_formula(formula, again, syntax, functions, structures)
        env, names, inferred = read.env, read.inferred.names, tuple(read.inferred.shapes)
        text = formula
    elif isinstance(formula, Basic):
        expr, text = formula, None
        env = {s.name: s for s in formula.free_symbols if hasattr(s, "name")}
        env.update(declare(shapes))
    else:
        raise MatDerivError(f"a formula must be text or a SymPy expression, "
                            f"not {type(formula).__name__}")
    maker = Derivation
    if symmetric or diagonal or symmetric_convention != "symmetric":
        checked_convention(symmetric_convention)
        if not (symmetric or diagonal):  # said, it would change nothing: say so
            raise MatDerivError("symmetric_convention is for a matrix declared symmetric: "
                                "declare it with symmetric=[...] (--symmetric S)")
        expr, env = declare_structure(expr, env, symmetric, diagonal)
        maker = StructuredDerivation if symmetric or diagonal else Derivation
    variable = _variable(wrt, env, expr)
    derivation = maker(expr, variable, formula=text, env=env, layout=layout,
                       seconds=seconds, max_nodes=max_nodes, names=names, inferred=inferred)
    if maker is not Derivation:
        derivation.symmetric_convention = symmetric_convention
    derivation.syntax = syntax  # how the text reads again (the twin, the second reading)
    derivation.functions = tuple(functions)
    return derivation


def checked_functions(functions, env) -> tuple[str, ...]:
    """The declared abstract function names, each a plain name that is neither the
    grammar's function nor a declared matrix, scalar or size."""
    if isinstance(functions, str) or not isinstance(functions, (list, tuple, set, frozenset)):
        raise MatDerivError("functions must be a list of names, such as [\"phi\"]")
    for name in functions:
        if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
            raise MatDerivError(f"abstract function name {name!r} is not a plain name")
        if name in FUNCTIONS:
            raise MatDerivError(f"{name!r} is a function of the grammar; an abstract "
                                "function needs a name of its own")
        if name in env:
            raise MatDerivError(f"{name!r} is declared with a shape; it cannot also be an "
                                "abstract function")
    return tuple(functions)


def read_formula(text: str, shapes=None, syntax: str = "text", functions=(),
                 structures=None):
    """(read, expr): ``text`` with its shapes, declared or inferred (``syntax.inference.
    shaped``), and built. Every formula text the API takes is read here. ``structures``
    ({"S": "symmetric"}) makes those square matrices structured as the text is built, so
    that what needs a symmetric argument (eigmax(S)) sees S as declared."""
    read = shaped(text, shapes, syntax)
    for name, structure in (structures or {}).items():
        symbol = read.env.get(name)
        if isinstance(symbol, MatrixSymbol) and is_matrix(symbol) \
                and symbol.shape[0] == symbol.shape[1]:
            read.env.replace(name, structured(plain(symbol), structure))
    abstract = checked_functions(functions, read.env)
    try:
        expr = Builder(read.env, source=text, abstract=abstract).build_text(text, syntax,
                                                                            read.tree)
    except MatDerivError as error:
        raise _with_inferred(error, read.env, tuple(read.inferred.shapes)) from None
    return read, expr


def _structures(symmetric, diagonal) -> dict:
    """{name: "symmetric" | "diagonal"} of the names declared so (checked later, by
    ``declare_structure``: here only the well-formed ones are taken)."""
    found = {}
    for structure, names in (("symmetric", symmetric), ("diagonal", diagonal)):
        if isinstance(names, (list, tuple, set, frozenset)):
            found.update({name: structure for name in names if isinstance(name, str)})
    return found


def _with_inferred(error: MatDerivError, env, inferred) -> MatDerivError:
    """A shape error at a place with inferred shapes says what they were: its sizes are
    the inference's names, not the user's."""
    import re

    from ..render.shapes import shapes_text
    if error.span is not None and error.source is not None:
        place = error.source[error.span[0]:error.span[1]]
        inferred = [name for name in inferred if re.search(rf"\b{name}\b", place)]
    if not inferred:
        return error
    shapes = _shapes(env, inferred)
    return MatDerivError(f"{error.message} (with the shapes inferred: {shapes_text(shapes)}; "
                         "declare them with -s)", source=error.source, span=error.span)


def _shapes(env, names) -> dict:
    return {name: tuple(env[name].shape) if is_matrix(env[name]) else ()
            for name in names if name in env}


def _checked_budget(name, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise MatDerivError(f"{name} must be a positive number, not {value!r}")
    return value


def _budget_options(budget) -> dict:
    return {"seconds": budget["max_seconds"], "max_nodes": budget["max_nodes"]}


def _checked_layout(layout) -> str:
    if layout not in LAYOUTS:
        raise MatDerivError(f"layout must be 'numerator' or 'denominator', not {layout!r}")
    return layout


def _variable(wrt, env, expr):
    if isinstance(wrt, Basic):
        variable = wrt
    elif isinstance(wrt, str) and wrt in env:
        variable = env[wrt]
    elif isinstance(wrt, str):
        raise MatDerivError(f"wrt {wrt!r} is not a name of the formula "
                            "(declare its shape, or pick a name that occurs)")
    else:
        raise MatDerivError(f"wrt must be a name, not {type(wrt).__name__}")
    # A matrix, or a real scalar (shape ()); not a size, nor a SymPy expression of them.
    if isinstance(variable, Symbol) and variable.is_integer:
        raise MatDerivError(f"wrt {variable} is a size of the formula, not a variable")
    if not isinstance(variable, (MatrixSymbol, Symbol)):
        raise MatDerivError(f"wrt {variable} is not a variable: give the name of a matrix, a "
                            "vector or a scalar of the formula")
    return variable

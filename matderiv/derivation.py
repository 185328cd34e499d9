"""``derive``: formula -> Derivation, the one object holding a result and its steps.

The phases run one way: differential (push ``d`` inward), identification (bring dF to
``<G, dX>`` or ``J vec(dX)``), simplification. Each phase is a named rule set from the
catalog and every rule application is recorded, so a proof is the recorded trace.

>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> d.jacobian()
KroneckerProduct(a.T, I)
>>> d.jacobian(vec="row")
KroneckerProduct(I, a.T)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy
from sympy import Basic, MatAdd, MatMul, MatrixSymbol, ZeroMatrix

from .build import Builder, is_one_by_one
from .catalog import catalog
from .contains import atoms_of
from .errors import MatDerivError, guarded
from .objects import (
    AbstractFunction,
    AbstractGradient,
    Inner,
    MatDiff,
    ScalarDiff,
    ScalarOf,
    Vec,
    Vecr,
    identity,
    is_matrix,
    mat_add,
    mat_mul,
    sized,
)
from .rewrite import Context, ProofStep, bottom_up, push_inward, simplify_bottom_up
from .shapes import declare
from .tidy import canonical, pull_numeric_content, tidy

CONVENTIONS = {
    "col": "vec stacks columns; J = d vec(F) / d vec(X), one row per entry of F, "
           "one column per entry of X (numerator layout, Magnus & Neudecker)",
    "row": "vecr stacks rows (seed 2's W-tilde); J = d vecr(F) / d vecr(X), "
           "numerator layout",
    "gradient": "gradient as matrix: G has the shape of X and G_ij = dF/dX_ij",
    "hessian": "H = d vec(G) / d vec(X)', the Jacobian of the gradient G: one row and one "
               "column per entry of X, vec stacking columns (symmetric for smooth F)",
    "tensor": "T[i,j,k,l] = dF_ij / dX_kl for F m x n and X p x q, axes (row of F, column of F, "
              "row of X, column "
              "of X); T = reshape(J_row, (m, n, p, q)) = reshape(J_col, (n, m, q, p)) with "
              "axes permuted (2, 1, 4, 3)",
    "denominator": "denominator layout, the transpose of numerator layout: one row per "
                   "entry of X, one column per entry of F",
}

#: Jacobian layouts: numerator (one row per entry of F, the default) or its transpose.
LAYOUTS = ("numerator", "denominator")


def convention(kind: str, vec: str = "col", variable=None, layout: str = "numerator") -> str:
    """The convention in force, in words, naming the user's variable.

    >>> convention("jacobian", "col", layout="denominator").split(";")[0]
    'vec stacks columns'
    """
    text = CONVENTIONS[kind if kind in ("gradient", "tensor", "hessian") else vec]
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


@dataclass(frozen=True)
class Phase:
    """A finished phase: its name, the expression it started from, the result, the steps.

    ``canonical`` is the start in SymPy's canonical form (transposes distributed,
    identities dropped), where the phase's rule steps begin; None when no such step.
    """

    name: str
    start: Basic
    result: Basic
    steps: tuple[ProofStep, ...]
    canonical: Basic | None = None


class Derivation:
    """The derivative of ``expr`` with respect to ``variable``, and how it was found."""

    def __init__(self, expr, variable, *, formula: str | None = None, env: Mapping | None = None,
                 layout: str = "numerator", seconds: float | None = None,
                 max_nodes: int | None = None):
        self.layout = _checked_layout(layout)
        # Time and size budgets of each computation; None: rewrite.MAX_SECONDS, MAX_NODES.
        self.budget = {"max_seconds": _checked_budget("seconds", seconds),
                       "max_nodes": _checked_budget("max_nodes", max_nodes)}
        self.expr = expr
        self.variable = variable
        self.formula = formula if formula is not None else str(expr)
        self.env = env or {}
        self._cache: dict = {}
        start = MatDiff(expr) if is_matrix(expr) else ScalarDiff(expr)
        context = Context(variable, **self.budget)
        self.differential, self._pushes = push_inward(
            start, catalog().phase("differential"), context, self._same_differential)
        self.differential_start = start

    @property
    def differential_lines(self):
        """The differential's proof, one ProofLine per pass (laid out when first asked)."""
        return self._pushes.lines

    def _same_differential(self, one, other):
        from .verify import assert_same_differential
        assert_same_differential(one, other, self)

    # -- shapes -----------------------------------------------------------
    @property
    def is_scalar(self) -> bool:
        """True when F is a scalar (or a 1 x 1 matrix, read as one)."""
        return not is_matrix(self.expr) or is_one_by_one(self.expr)

    @property
    def abstract_functions(self) -> tuple[str, ...]:
        names = {a.function
                 for a in atoms_of(self.expr, AbstractFunction, AbstractGradient)}
        return tuple(sorted(names))

    # -- results ----------------------------------------------------------
    @guarded
    def gradient(self):
        """dF/dX "as matrix" (seed 2, items 9-11): X's shape, G_ij = dF/dX_ij."""
        if not self.is_scalar:
            rows, cols = self.expr.shape
            raise MatDerivError(f"the formula is a {rows}x{cols} matrix, not a scalar: it has "
                                "a Jacobian, not a gradient (jacobian(); --jacobian in the CLI)")
        return self.gradient_phases()[-1].result

    @guarded
    def jacobian(self, vec: str = "col", layout: str | None = None):
        """d vec(F) / d vec(X) (vec="col") or d vecr(F) / d vecr(X) (vec="row").

        ``layout`` "numerator" (one row per entry of F) or "denominator" (its transpose);
        None takes the derivation's own layout, set by ``derive(..., layout=)``.
        """
        if vec not in ("col", "row"):
            raise MatDerivError(f"vec must be 'col' or 'row', not {vec!r}")
        return self.jacobian_phases(vec, layout)[-1].result

    @guarded
    def tensor(self):
        """T[i, j, k, l] = ∂F_ij / ∂X_kl, a SymPy array expression of shape (m, n, p, q).

        Kronecker terms of the vecr Jacobian become permuted outer products
        (A ⊗ B -> A_ik B_jl); anything else is the row-major reshape of the vecr
        Jacobian, T = reshape(J_row, (m, n, p, q)). See ``matderiv.tensor``.
        """
        from .tensor import tensor_from_row_jacobian
        f_shape = (1, 1) if not is_matrix(self.expr) else tuple(self.expr.shape)
        if self.is_scalar:
            from sympy.tensor.array.expressions import Reshape
            return Reshape(self.gradient(), (*f_shape, *self.variable.shape))
        return tensor_from_row_jacobian(self.jacobian(vec="row", layout="numerator"),
                                        f_shape, tuple(self.variable.shape))

    @guarded
    def hessian(self, layout: str | None = None):
        """d²F / d vec(X) d vec(X)' for scalar F: the Jacobian of the gradient, vec(G) by vec(X).

        Symmetric for smooth F; its steps are those of ``gradient_derivation()``.
        """
        return self.gradient_derivation().jacobian(vec="col", layout=layout or self.layout)

    def gradient_derivation(self) -> Derivation:
        """The gradient G as a formula of its own, derived again by X (for the Hessian)."""
        if "hessian" not in self._cache:
            gradient = self.gradient()
            if not gradient.has(self.variable):
                size = self.variable.shape[0] * self.variable.shape[1]
                self._cache["hessian"] = _Constant(ZeroMatrix(size, size))
            else:
                self._cache["hessian"] = Derivation(gradient, self.variable, env=self.env,
                                                    **_budget_options(self.budget))
        return self._cache["hessian"]

    def gradient_phases(self) -> tuple[Phase, ...]:
        """Identification and simplification of the gradient, with their steps."""
        if "gradient" not in self._cache:
            self._cache["gradient"] = self._identify_gradient()
        return self._cache["gradient"]

    def jacobian_phases(self, vec: str = "col", layout: str | None = None) -> tuple[Phase, ...]:
        """The phases behind the Jacobian; denominator layout adds a last, transposing one."""
        layout = _checked_layout(layout or self.layout)
        key = "jacobian-" + vec
        if key not in self._cache:
            self._cache[key] = self._identify_jacobian(vec)
        if layout == "numerator":
            return self._cache[key]
        if key + "-denominator" not in self._cache:
            numerator = self._cache[key][-1].result
            transposed = pull_numeric_content(canonical(sympy.Transpose(numerator)))
            from .verify import assert_same_value
            assert_same_value(sympy.Transpose(numerator), transposed, self)
            self._cache[key + "-denominator"] = (
                *self._cache[key], Phase("layout", numerator, transposed, ()))
        return self._cache[key + "-denominator"]

    # -- identification ---------------------------------------------------
    def _identify_gradient(self) -> tuple[Phase, ...]:
        context = Context(self.variable, phase="identification", **self.budget)
        start = self.differential
        if is_matrix(start):
            start = ScalarOf(start)
        steps: list[ProofStep] = []
        identified = bottom_up(start, catalog().phase("gradient"), context, steps)
        raw = collect_gradient(identified, MatDiff(self.variable))
        identification = Phase("gradient", start, identified, tuple(steps))
        return identification, self._simplify(raw, context)

    def _identify_jacobian(self, vec: str) -> tuple[Phase, ...]:
        context = Context(self.variable, phase="identification", **self.budget)
        stack = Vec if vec == "col" else Vecr
        if self.is_scalar:
            gradient_phases = self.gradient_phases()
            gradient = gradient_phases[-1].result
            row = sympy.Transpose(stack(gradient))
            return (*gradient_phases, self._simplify(row, context))
        start = stack(self.differential)
        steps: list[ProofStep] = []
        identified = bottom_up(start, catalog().phase(
            "gradient", "vec" if vec == "col" else "vecr"), context, steps)
        raw = collect_jacobian(identified, stack(MatDiff(self.variable)))
        identification = Phase("jacobian-" + vec, start, identified, tuple(steps))
        return identification, self._simplify(raw, context)

    def _simplify(self, expr, context) -> Phase:
        steps: list[ProofStep] = []
        start = tidy(expr)
        first = pull_numeric_content(canonical(start))
        rules, done = catalog().phase("simplification"), {}
        expr = simplify_bottom_up(first, rules, context, steps, done)
        result = pull_numeric_content(canonical(expr))
        # SymPy's canonical form can open new work for the rules (a .* a becomes a.^2):
        # go round again, a few times at most (``done`` skips the parts left as they were).
        for _ in range(3):
            if result == expr:
                break
            expr = simplify_bottom_up(result, rules, context, steps, done)
            result = pull_numeric_content(canonical(expr))
        if result != start:  # nothing to check (nor NumPy to import) when nothing changed
            from .verify import assert_same_value
            assert_same_value(start, result, self)
        return Phase("simplification", start, result, tuple(steps), first)

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
        from .numeric import evaluate
        symbols = [s for s in self.env.values() if isinstance(s, MatrixSymbol)]
        return evaluate(expr, values, functions=functions, shapes=symbols)

    @guarded
    def proof(self, style: str = "rules", *, kind: str | None = None, vec: str = "col"):
        """The proof of the result as data: ``style`` "rules" (or "elementwise")."""
        from .proof import rules_proof
        kind = kind or ("gradient" if self.is_scalar else "jacobian")
        if kind == "hessian":
            # The Hessian is the Jacobian of the gradient: its proof is that one's.
            return self._hessian_derivation().proof(style, kind="jacobian", vec="col")
        if style == "rules":
            return rules_proof(self, kind, vec)
        if style == "elementwise":
            from .elementwise import elementwise_proof
            return elementwise_proof(self, kind, vec)
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
            return first + [self.proof(s, kind="hessian") for s in styles]
        return [self.proof(s, **options) for s in styles]

    @guarded
    def proof_text(self, style: str = "rules", **options) -> str:
        """The proof as Unicode text for a terminal."""
        from .render.proof_text import proof_to_text
        return "\n".join(proof_to_text(p) for p in self._proofs(style, options))

    @guarded
    def latex(self, proof: str = "rules", **options) -> str:
        """A LaTeX fragment (amsmath only): the result with its proof(s)."""
        from .render.proof_latex import proof_to_latex
        return "\n".join(proof_to_latex(p) for p in self._proofs(proof, options))

    @guarded
    def to_source(self, kind: str | None = None, *, vec: str = "col", backend: str = "numpy",
                  name: str | None = None) -> str:
        """Python source (a module: imports and one def) computing a result efficiently.

        ``kind``: "gradient", "jacobian", "hessian" or "jvp" (J vec(V) without forming
        J); ``backend``: "numpy", "jax" or "torch". See matderiv.codegen.
        """
        from .codegen import to_source
        return to_source(self, kind, vec=vec, backend=backend, name=name)

    source = to_source

    @guarded
    def to_function(self, kind: str | None = None, *, vec: str = "col", backend: str = "numpy",
                    name: str | None = None):
        """The generated code as a function taking the formula's names as keywords.

        >>> import numpy as np
        >>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
        >>> d.to_function("jvp")(W=np.ones((2, 3)), a=np.ones(3), V=np.ones((2, 3))).ravel()
        array([3., 3.])
        """
        from .codegen import to_function
        return to_function(self, kind, vec=vec, backend=backend, name=name)

    def _repr_latex_(self) -> str:
        from .render.proof_latex import statement_latex
        return "$$%s$$" % statement_latex(self.proof("rules"))

    @guarded
    def check(self, **options):
        """Check every result against central finite differences; raise on a mismatch."""
        from .verify import verify
        return verify(self, **options)

    def check_claim(self, claim, kind: str | None = None, vec: str = "col",
                    layout: str | None = None):
        """Judge a claimed derivative (text in the grammar, or SymPy): a ``Verdict``.

        >>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
        >>> d.check_claim("kron(a', I(m))").verdict
        'correct'
        """
        from .claim import check_claim
        return check_claim(self, claim, kind=kind, vec=vec, layout=layout)

    def __repr__(self) -> str:
        return f"Derivation({self.formula!r}, wrt={self.variable})"


class _Constant:
    """A gradient that does not depend on X: its Jacobian (the Hessian) is zero."""

    def __init__(self, zero):
        self.zero = zero

    def jacobian(self, vec="col", layout=None):
        return self.zero

    def rules_used(self, kind="jacobian-col"):
        return []


def collect_gradient(expr, differential):
    """G from a sum of terms c <G, dX>; raise if a term is not in that form."""
    if expr == 0:
        return ZeroMatrix(*differential.shape)
    if isinstance(expr, sympy.Add):
        return mat_add(*[collect_gradient(term, differential) for term in expr.args])
    if isinstance(expr, Inner) and expr.args[1] == differential:
        return expr.args[0]
    if isinstance(expr, sympy.Mul):
        linear = [a for a in expr.args if a.has(MatDiff)]
        if len(linear) == 1:
            constant = sympy.Mul(*[a for a in expr.args if not a.has(MatDiff)])
            return mat_mul(constant, collect_gradient(linear[0], differential))
    raise MatDerivError(f"cannot identify the gradient: no rule brings the term {expr} "
                        f"to the form <G, {differential}>")


def collect_jacobian(expr, stacked):
    """J from a sum of terms J_k vec(dX); raise if a term is not in that form."""
    if expr == stacked:
        return identity(stacked.shape[0])
    if isinstance(expr, ZeroMatrix):
        return sized(ZeroMatrix, expr.shape[0], stacked.shape[0])
    if isinstance(expr, MatAdd):
        return mat_add(*[collect_jacobian(term, stacked) for term in expr.args])
    if isinstance(expr, MatMul):
        args = list(expr.args)
        last = args[-1]
        rest = args[:-1]
        if is_matrix(last) and last.has(MatDiff) and not any(a.has(MatDiff) for a in rest):
            if last == stacked and any(is_matrix(a) for a in rest):
                return mat_mul(*rest)  # J vec(dX): J, not J I (which tidy takes apart)
            return mat_mul(*rest, collect_jacobian(last, stacked))
    raise MatDerivError(f"cannot identify the Jacobian: no rule brings the term {expr} "
                        f"to the form J {stacked}")


@guarded
def derive(formula, wrt, shapes=None, *, layout: str = "numerator", seconds: float | None = None,
           max_nodes: int | None = None) -> Derivation:
    """Differentiate ``formula`` with respect to ``wrt``.

    ``formula`` is text in matderiv's grammar (with ``shapes`` giving each name's
    shape: ``{"W": ("m", "n"), "a": ("n", 1), "k": ()}``) or a SymPy matrix
    expression built from ``matderiv.matrix``/``vector``/``scalar``. ``layout`` is the
    Jacobian layout: "numerator" (default) or "denominator" (the transpose).
    ``seconds`` and ``max_nodes`` are the time and size budgets of each computation
    (deriving, then each result); one exceeded stops it with a MatDerivError.
    """
    _checked_layout(layout)
    if isinstance(formula, str):
        env = declare(shapes)
        expr = Builder(env, source=formula).build_text(formula)
        text = formula
    elif isinstance(formula, Basic):
        expr, text = formula, None
        env = {s.name: s for s in formula.free_symbols if hasattr(s, "name")}
        env.update(declare(shapes))
    else:
        raise MatDerivError(f"a formula must be text or a SymPy expression, "
                            f"not {type(formula).__name__}")
    variable = _variable(wrt, env, expr)
    return Derivation(expr, variable, formula=text, env=env, layout=layout, seconds=seconds,
                      max_nodes=max_nodes)


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
    if not isinstance(variable, MatrixSymbol):
        raise MatDerivError(f"wrt {variable} is a scalar; derivatives with respect to a scalar "
                            "are not supported yet: declare it as a 1x1 matrix (-s k=1,1)")
    if not expr.has(variable):
        raise MatDerivError(f"{variable} does not occur in the formula, so its derivative "
                            f"with respect to {variable} is zero")
    return variable

"""Rule application with tracing: the proof is simply the list of steps taken.

Strategies are tiny: ``apply_first`` tries a phase's rules in catalog order at one
node; ``push_inward`` applies it at every outermost ``d(.)`` once per pass (one proof
line per pass, as on paper); ``bottom_up`` rewrites children first and repeats at a
node until no rule applies. A missing rule raises; it never returns zero.

>>> from sympy import MatrixSymbol
>>> from matderiv.engine.catalog import catalog
>>> from matderiv.expressions import MatDiff
>>> A, X = MatrixSymbol("A", 2, 3), MatrixSymbol("X", 3, 4)
>>> dF, pushes = push_inward(MatDiff(A*X), catalog().phase("differential"), Context(X))
>>> dF, [step.rule.name for step in pushes.lines[0].steps]
(A*dX, ['d-linear'])
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sympy import Basic, MatAdd, MatrixSymbol
from sympy.core.symbol import Str

from ..errors import MatDerivError
from ..expressions import MatDiff, ScalarDiff
from ..expressions.contains import holds_differential
from ..expressions.memo import IdentityMemo
from ..expressions.tidy import canonical, rebuild, tidy
from .catalog import RuleSet

#: Most rule applications one derivation may take before it is stopped.
MAX_STEPS = 20_000

#: Seconds one computation (derive(), or one result: gradient(), a Jacobian) may take;
#: ``derive(..., seconds=)`` overrides it. Checked between rule applications and at
#: every node a strategy visits, so one slow SymPy call can overrun it.
MAX_SECONDS = 60.0

#: Largest expression, in tree nodes, that a derivation may build (the product rule
#: on a product of k factors builds k terms of k factors); ``derive(..., max_nodes=)``.
MAX_NODES = 5_000


@dataclass(frozen=True)
class ProofStep:
    """One rule application: ``before`` became ``after`` by ``rule`` under ``bindings``."""

    rule: object
    before: Basic
    after: Basic
    bindings: dict

    def __str__(self) -> str:
        return f"{self.before} = {self.after}   [{self.rule.name}]"


@dataclass(frozen=True)
class ProofLine:
    """The whole expression after one pass, and the steps that pass took."""

    expr: Basic
    steps: tuple


@dataclass
class Context:
    """What conditions need to know: the variable, and the budgets (steps, time, size).

    A budget left None takes the module's setting when the context is made.
    """

    variable: Basic
    phase: str = "differential"
    steps_taken: int = 0
    max_steps: int | None = None
    max_seconds: float | None = None
    max_nodes: int | None = None
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self):
        self.max_steps = MAX_STEPS if self.max_steps is None else self.max_steps
        self.max_seconds = MAX_SECONDS if self.max_seconds is None else self.max_seconds
        self.max_nodes = MAX_NODES if self.max_nodes is None else self.max_nodes

    def count(self):
        self.steps_taken += 1
        if self.steps_taken > self.max_steps:
            raise MatDerivError(f"derivation stopped after {self.max_steps} rule applications "
                                "(the step budget); the formula is too large")
        self.check_time()

    def check_time(self):
        if time.monotonic() - self.started > self.max_seconds:
            raise MatDerivError(f"derivation stopped after {self.max_seconds:g} s (the time "
                                "budget, derive(..., seconds=)); the formula is too large")

    def check_size(self, expr):
        if tree_size(expr) > self.max_nodes:
            raise MatDerivError(f"derivation stopped: an expression grew beyond "
                                f"{self.max_nodes} nodes (the size budget, derive(..., "
                                "max_nodes=)); the formula is too large")


_TREE_SIZES = IdentityMemo("matderiv.engine.rewrite.tree_size")


def tree_size(expr) -> int:
    """Nodes of ``expr`` as a tree (as ``preorder_traversal`` counts them), computed once
    per distinct subexpression: a deep formula shares its subtrees, and counting the tree
    by walking it cost O(L^2) per step for an L-layer network.

    >>> from sympy import MatrixSymbol
    >>> A = MatrixSymbol("A", 2, 2)
    >>> tree_size(A*A + A)
    11
    """
    if not isinstance(expr, Basic) or not expr._args:
        return 1
    entry = _TREE_SIZES.get(id(expr))  # (IdentityMemo.lookup, inline)
    if entry is not None and entry[0] is expr:
        return entry[1]
    return _TREE_SIZES.remember(expr, 1 + sum(tree_size(a) for a in expr._args))


def apply_first(rules, expr, context):
    """The first rule of ``rules`` that applies at ``expr``: (after, ProofStep) or None."""
    rules = rules if isinstance(rules, RuleSet) else RuleSet(rules)
    for rule in rules.candidates(expr):
        found = rule.apply(expr, context)
        if found is not None:
            after, bindings = found
            after = tidy(after)  # the proof shows A'G, not A'*I*G
            context.count()
            context.check_size(after)
            return after, ProofStep(rule, expr, after, bindings)
    return None


def _is_differential(expr) -> bool:
    return isinstance(expr, (MatDiff, ScalarDiff))


def _structurally_different(one, other):
    raise MatDerivError(f"internal error: the proof's differential ends in {one}, the "
                        f"derivation's in {other}")


def push_inward(expr, rules, context, same_value=None):
    """Push every d(.) inward to d(variable): the result, and its ProofLines.

    The result is found depth first, each distinct d(.) rewritten once, in time linear
    in the size of the result. The proof's lines (one per pass, as on paper: pass k
    rewrites every d(.) that pass k-1 made) are laid out from those same rule
    applications only when a proof asks for them (``Pushes.lines``).
    """
    pushes = Pushes(expr, rules, context, same_value)
    result = tidy(pushes.push(expr, {}))
    context.check_size(result)
    pushes.result = result
    return result, pushes


class Pushes:
    """The rule applications of one push_inward, by the d(.) they rewrote."""

    def __init__(self, start, rules, context, same_value=None):
        self.start = start
        # Checks two forms of the result have one value (the numeric layer gives it).
        self.same_value = same_value or _structurally_different
        self.rules = rules
        self.context = context
        self.rewrites: dict = {}  # d(.) -> ProofStep
        self.result = None
        self._lines = None

    def push(self, expr, done):
        if not holds_differential(expr) or isinstance(expr, Str):
            return expr
        found = done.get(expr)
        if found is None:
            self.context.check_time()
            if not _is_differential(expr):
                found = rebuild(expr, [self.push(a, done) for a in expr._args])
            elif expr.arg == self.context.variable:
                found = expr
            else:
                found = tidy(self.push(self.rewrite(expr).after, done))
                self.context.check_size(found)
            done[expr] = found
        return found

    def rewrite(self, differential) -> ProofStep:
        step = self.rewrites.get(differential)
        if step is None:
            applied = apply_first(self.rules, differential, self.context)
            if applied is None:
                raise MatDerivError(f"no differential rule applies to {differential}: "
                                    f"{type(differential.arg).__name__} is not supported")
            step = self.rewrites[differential] = applied[1]
        return step

    @property
    def lines(self) -> tuple[ProofLine, ...]:
        """One ProofLine per pass: each outermost d(.) rewritten by its rule, then tidied."""
        if self._lines is None:
            self.context.started = time.monotonic()  # a proof may be asked for much later
            lines, expr = [], self.start
            while True:
                steps: list[ProofStep] = []
                new = self._pass(expr, steps, {})
                if not steps:
                    break
                expr = tidy(new)
                lines.append(ProofLine(expr, tuple(steps)))
            if expr != self.result:
                # The proof must end where the derivation did. The two may differ in
                # the order of the terms of a sum or the factors of a Hadamard product
                # (SymPy's canonical order depends on the order things were built in).
                if canonical(expr) != canonical(self.result):
                    self.same_value(expr, self.result)  # raises if they differ
                if lines:
                    lines[-1] = ProofLine(self.result, lines[-1].steps)
                else:  # no rule applied; only the clean-up (tidy) changed d(F)
                    lines.append(ProofLine(self.result, ()))
            self._lines = tuple(lines)
        return self._lines

    def _pass(self, expr, steps, done):
        if not holds_differential(expr) or isinstance(expr, Str):
            return expr
        found = done.get(expr)
        if found is None:
            if not _is_differential(expr):
                found = expr.func(*[self._pass(a, steps, done) for a in expr.args])
            elif expr.arg == self.context.variable:
                found = expr
            else:
                step = self.rewrite(expr)
                steps.append(step)
                found = step.after
            done[expr] = found
        return found


# The strategies remember what each distinct subexpression became (``done``): a
# derivative repeats its parts (an L-layer network's gradient holds each layer's output
# many times), and each is rewritten, and shown in the proof, once.

def bottom_up(expr, rules, context, steps, done=None):
    """Rewrite the parts holding a differential, children first, to a fixed point."""
    if not holds_differential(expr) or _is_differential(expr):
        return expr
    done = {} if done is None else done
    found = done.get(expr)
    if found is None:
        found = done[expr] = _fixed_point(expr, bottom_up, rules, context, steps, done)
        done.setdefault(found, found)  # no rule applies in it: a fixed point
    return found


def simplify_bottom_up(expr, rules, context, steps, done=None):
    """Like ``bottom_up`` but over the whole expression (results hold no differential)."""
    if not isinstance(expr, Basic) or not expr._args or isinstance(expr, Str) or \
            type(expr) is MatrixSymbol and not rules.may_rewrite_symbols:
        return expr  # (a matrix symbol's parts are its name and sizes)
    done = {} if done is None else done
    found = done.get(expr)
    if found is None:
        found = done[expr] = _fixed_point(expr, simplify_bottom_up, rules, context, steps,
                                          done)
        done.setdefault(found, found)  # no rule applies in it: a fixed point
    return found


def _fixed_point(expr, strategy, rules, context, steps, done):
    """Children first (by ``strategy``), then the node, until no rule applies."""
    context.check_time()
    expr = rebuild(expr, [strategy(arg, rules, context, steps, done) for arg in expr._args])
    found = apply_first(rules, expr, context)
    if found is None:
        return expr
    steps.append(found[1])
    after = tidy(found[0])
    if found[1].rule.spread:
        after = spread(after, found[1].rule, rules, context, steps)
    return strategy(after, rules, context, steps, done)


def spread(expr, rule, rules, context, steps):
    """``rule`` applied again at once to each term of the sum ``expr`` where it is the
    first of ``rules`` to apply, and to the terms that makes, and the sum built once.

    A rule that takes one term off a sum (kron-distribute: (A ⊗ B)(C ⊗ D + S) = AC ⊗ BD
    + (A ⊗ B)S) otherwise builds, and canonicalises, a sum for each term it takes off,
    and every rule of the phase is tried on each of those sums: O(k^2) work for k terms,
    O(N^4) for the Jacobian of X^N. The steps are the same applications, in another
    order; each step's result is shown with its terms tidied, in the rule's order.
    """
    if not isinstance(expr, MatAdd):
        return expr
    pending, kept, changed = list(expr.args), [], False
    while pending:
        term = pending.pop(0)
        found = _first_application(term, rules, context) if isinstance(term, Basic) and \
            term.args and rule in rules.candidates(term) else None
        if found is None or found[0] is not rule:
            kept.append(term)
            continue
        _, after, bindings = found
        parts = [tidy(part) for part in (after.args if isinstance(after, MatAdd) else (after,))]
        after = parts[0] if len(parts) == 1 else Basic.__new__(MatAdd, *parts)
        context.count()
        context.check_size(after)
        steps.append(ProofStep(rule, term, after, bindings))
        changed = True
        pending[:0] = parts
    return tidy(rebuild(expr, kept)) if changed else expr


def _first_application(expr, rules, context):
    """(rule, result, bindings) of the first of ``rules`` that applies at ``expr``."""
    if not isinstance(expr, Basic) or not expr._args:
        return None
    for rule in rules.candidates(expr):
        found = rule.apply(expr, context)
        if found is not None:
            return rule, found[0], found[1]
    return None

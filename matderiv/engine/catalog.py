"""The rule catalog: one small record per rule, loaded from the TOML files in ``rules/``.

A rule prints as ``pattern => result``; its pattern and result are written in the
formula grammar and read by the same parser as user formulas.

>>> rule = catalog().rule("d-inverse")
>>> str(rule)
'd(inv(X)) => -inv(X)*d(X)*inv(X)'
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

from sympy import MatrixSymbol

from ..errors import MatDerivError
from ..expressions import MatDiff, ScalarDiff, Vec, Vecr, is_matrix, shape_of
from ..syntax import tree
from ..syntax.grammar import zero_like
from ..syntax.parser import parse
from ..syntax.rule_plans import RulePlan
from .conditions import compiled, parse_condition
from .each_match import check_each_pattern, each_match
from .factor_guard import (
    factor_types,
    may_have_factors,
    may_match_sum,
    shared_ends,
    term_types,
)
from .match_plans import MatchPlan
from .matcher import EMPTY, heads, required_heads, root_types, variables

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Phases in the order the engine runs them; each is a named rule set.
PHASES = ("differential", "gradient", "vec", "vecr", "scalar", "stack", "simplification",
          "structure", "convention")

_KEYS = {"name", "pattern", "result", "when", "latex", "source", "examples", "phase", "note",
         "spread", "each"}


@dataclass(frozen=True)
class Example:
    """A formula the rule is used for: also a test (derived, used, checked numerically)."""

    formula: str
    wrt: str
    shapes: dict
    vec: str = "col"
    hessian: bool = False  # the rule serves the Hessian (the gradient derived again)
    # Structured variables (docs/structured.md): names declared symmetric or diagonal,
    # and the convention of a gradient by a symmetric one ("symmetric" or "cookbook").
    symmetric: tuple = ()
    diagonal: tuple = ()
    convention: str = "symmetric"

    @property
    def options(self) -> dict:
        """The keywords of ``derive`` that declare the structure, where there is one."""
        if not (self.symmetric or self.diagonal):
            return {}
        return {"symmetric": self.symmetric, "diagonal": self.diagonal,
                "symmetric_convention": self.convention}


@dataclass(frozen=True)
class Rule:
    name: str
    phase: str
    pattern: str
    result: str
    when: tuple[str, ...] = ()
    latex: str = ""
    source: str = ""
    note: str = ""
    examples: tuple[Example, ...] = field(default=(), compare=False)
    file: str = ""
    #: The rule takes one term off a sum (``L*M*(T + S)*R``): applied at once to the
    #: term of its result that holds the rest, until it is spread over the whole sum
    #: (``rewrite.spread``).
    spread: bool = False
    #: The result is the sum of ``result`` over every match of the pattern whose
    #: conditions hold (``d(L*M*R) => L*d(M)*R``: the product rule over all the factors
    #: of a product at once); see ``each_match``.
    each: bool = False

    def __str__(self) -> str:
        text = f"{self.pattern} => {self.result}"
        text += "   summed over every match" if self.each else ""
        return text + (f"   when {', '.join(self.when)}" if self.when else "")

    @cached_property
    def pattern_tree(self):
        return parse(self.pattern)

    @cached_property
    def result_tree(self):
        return parse(self.result)

    @cached_property
    def conditions(self):
        return tuple(parse_condition(text) for text in self.when)

    @cached_property
    def holds(self):
        """``holds(bindings, context)``: whether every condition does (``compiled``)."""
        return compiled(self.conditions, EMPTY)

    @cached_property
    def validated(self) -> bool:
        """True once ``validate`` passed; asked before the rule's first use (the CLI
        starts faster when the rules a command never uses are not parsed)."""
        self.validate()
        return True

    def validate(self) -> None:
        """Parse pattern, result and conditions; every result name must be bound."""
        names = variables(self.pattern_tree)
        for _, args in self.conditions:
            unbound = [a for a in args if a not in names]
            if unbound:
                raise MatDerivError(f"rule {self.name}: condition names unbound {unbound}")
        free = {n for n in variables(self.result_tree) if n.startswith("fn:")} - names
        if free:
            raise MatDerivError(f"rule {self.name}: result uses unbound functions {free}")
        if self.each:
            check_each_pattern(self)

    @cached_property
    def _nonempty(self):
        return [names for condition, names in self.conditions if condition == "nonempty"]

    @cached_property
    def root_types(self):
        return root_types(self.pattern_tree, self._nonempty)

    @cached_property
    def part_guard(self):
        """(test, needed, inside): the classes of factors a product pattern (or the
        product in d(.), vec(.), vecr(.)) needs, or of terms a sum pattern needs, and
        the test of an expression for them (``factor_guard``); None if none."""
        pattern, inside = self.pattern_tree, False
        if isinstance(pattern, tree.Call) and pattern.name in _WRAPPERS and not pattern.prime:
            pattern, inside = pattern.args[0], True
        needed = factor_types(pattern)
        if needed:
            return may_have_factors, needed, inside
        if inside:
            return None
        needed = (term_types(pattern, self._nonempty), shared_ends(pattern))
        return (may_match_sum, needed, inside) if any(needed) else None

    @cached_property
    def required_heads(self):
        return required_heads(self.pattern_tree)

    @cached_property
    def differentiated_types(self):
        """For a pattern d(P), vec(P) or vecr(P), the classes of what d(.), vec(.) or
        vecr(.) holds that P can match, or None."""
        pattern = self.pattern_tree
        if isinstance(pattern, tree.Call) and pattern.name in _WRAPPERS and not pattern.prime:
            return root_types(pattern.args[0], self._nonempty)
        return None

    def may_apply(self, cls, differentiated, found_heads: int) -> bool:
        """False when no expression of class ``cls`` (of a differential: holding a
        ``differentiated``) with ``found_heads`` (``heads``) can match the pattern: a
        cheap necessary condition."""
        return (self.root_types is None or issubclass(cls, self.root_types)) and \
            (differentiated is None or self.differentiated_types is None
             or issubclass(differentiated, self.differentiated_types)) and \
            all(found_heads & mask for mask in self.required_heads)

    def apply(self, expr, context):
        """The rewritten expression and the bindings, or None when the rule does not apply."""
        if self.root_types is not None and not isinstance(expr, self.root_types):
            return None
        self.validated  # noqa: B018 - parses and checks the rule once; raises if malformed
        guard = self.part_guard
        if guard is not None and not guard[0](guard[1], expr.args[0] if guard[2] else expr):
            return None
        if self.each:
            return each_match(self, expr, context)
        holds = self.holds
        for bindings in self.match_plan.matches(expr, context):
            if not holds(bindings, context):
                continue
            try:
                result = self.instantiate(bindings)
            except MatDerivError:
                continue  # the result does not build (shapes) for these bindings
            if is_matrix(expr) and not is_matrix(result) and result == 0:
                result = zero_like(expr)
            if _shape(result) != _shape(expr):
                raise MatDerivError(f"rule {self.name} is wrong: it turned {expr} "
                                    f"({_shape(expr)}) into {result} ({_shape(result)})")
            return result, bindings
        return None

    @cached_property
    def match_plan(self):
        """The pattern compiled once (``MatchPlan``), with the conditions: the bindings
        ``match`` gives, in the same order, less some that fail a condition."""
        return MatchPlan(self.pattern_tree, self.conditions)

    @cached_property
    def result_plan(self):
        """The result compiled once (``RulePlan``): built from bindings as the Builder
        builds ``result_tree``, without interpreting the tree at each application."""
        return RulePlan(self.result_tree, self.result)

    @cached_property
    def binds_functions(self) -> bool:
        """Whether the pattern has function variables (``d(f(Y))``): bound as "fn:f"."""
        return any(name.startswith("fn:") for name in variables(self.pattern_tree))

    def instantiate(self, bindings):
        if self.binds_functions:
            env = {k: v for k, v in bindings.items() if k != EMPTY and not k.startswith("fn:")}
            functions = {k[3:]: v for k, v in bindings.items() if k.startswith("fn:")}
        else:  # (the plan does not change env)
            env = bindings if EMPTY not in bindings else \
                {k: v for k, v in bindings.items() if k != EMPTY}
            functions = {}
        return self.result_plan.build(env, functions)


#: Patterns f(P) whose rules are indexed by the class of what f(.) holds, as well.
_WRAPPERS = ("d", "vec", "vecr")
_WRAPPER_CLASSES = (MatDiff, ScalarDiff, Vec, Vecr)


def _shape(expr):
    return shape_of(expr) if is_matrix(expr) else ()


class RuleSet(tuple):
    """Rules in priority order, and for each kind of expression the ones worth trying.

    >>> rules = catalog().phase("differential")
    >>> from sympy import MatrixSymbol
    >>> from matderiv.expressions import MatDiff
    >>> X = MatrixSymbol("X", 2, 2)
    >>> [rule.name for rule in rules.candidates(MatDiff(X.T))]
    ['d-constant', 'd-transpose']
    """

    @cached_property
    def may_rewrite_symbols(self) -> bool:
        """Whether a rule of the set may apply at a bare matrix symbol (``candidates``
        of one is empty otherwise): a pattern that is a name alone, with conditions.

        >>> catalog().phase("simplification").may_rewrite_symbols
        False
        """
        return any(r.root_types is None or issubclass(MatrixSymbol, r.root_types)
                   for r in self)

    def candidates(self, expr) -> tuple[Rule, ...]:
        """The rules that may apply at ``expr`` (``Rule.may_apply``), in order."""
        table = self.__dict__.setdefault("_table", {})
        differentiated = type(expr.arg) if isinstance(expr, _WRAPPER_CLASSES) else None
        key = (type(expr), differentiated, heads(expr))
        found = table.get(key)
        if found is None:
            found = table[key] = tuple(r for r in self if r.may_apply(*key))
        return found


class Catalog:
    """All rules, by phase, in catalog order (which is their priority)."""

    def __init__(self, rules):
        self.rules = tuple(rules)
        names = [r.name for r in self.rules]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise MatDerivError(f"duplicate rule names in the catalog: {sorted(duplicates)}")
        self._by_name = {r.name: r for r in self.rules}
        self._phases: dict = {}

    def phase(self, *names: str) -> RuleSet:
        """The rules of the named phases, in that order (one RuleSet per request)."""
        found = self._phases.get(names)
        if found is None:
            found = self._phases[names] = RuleSet(r for name in names for r in self.rules
                                                  if r.phase == name)
        return found

    def rule(self, name: str) -> Rule:
        try:
            return self._by_name[name]
        except KeyError:
            raise MatDerivError(f"no rule named {name!r}") from None

    def __iter__(self):
        return iter(self.rules)

    def __len__(self):
        return len(self.rules)


def _catalog_root():
    """Installed: the package matderiv.rules. From a source checkout: ../rules."""
    try:
        return resources.files("matderiv.rules")
    except ModuleNotFoundError:
        source = Path(__file__).resolve().parents[2] / "rules"  # matderiv/engine/ -> ../../
        if not source.is_dir():
            raise MatDerivError("the rule catalog is missing: reinstall matderiv") from None
        return source


def _rule_files():
    root = _catalog_root()
    stack = [root]
    while stack:
        folder = stack.pop()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name, reverse=True):
            if entry.is_dir():
                stack.append(entry)
            elif entry.name.endswith(".toml"):
                yield folder.name if folder != root else "", entry


def _read_rules(folder: str, entry):
    data = tomllib.loads(entry.read_text(encoding="utf-8"))
    for record in data.get("rule", []):
        unknown = set(record) - _KEYS
        if unknown:
            raise MatDerivError(f"{entry.name}: rule {record.get('name')}: unknown keys "
                                f"{sorted(unknown)}")
        phase = record.get("phase", folder)
        if phase not in PHASES:
            raise MatDerivError(f"{entry.name}: rule {record.get('name')}: unknown phase {phase!r}")
        examples = tuple(Example(e["formula"], e["wrt"], dict(e["shapes"]), e.get("vec", "col"),
                                 bool(e.get("hessian", False)),
                                 tuple(e.get("symmetric", ())), tuple(e.get("diagonal", ())),
                                 e.get("convention", "symmetric"))
                         for e in record.get("examples", []))
        rule = Rule(name=record["name"], phase=phase, pattern=record["pattern"],
                    result=record["result"], when=tuple(record.get("when", ())),
                    latex=record.get("latex", ""), source=record.get("source", ""),
                    note=record.get("note", ""), examples=examples,
                    spread=bool(record.get("spread", False)),
                    each=bool(record.get("each", False)),
                    file=f"{folder}/{entry.name}" if folder else entry.name)
        yield rule  # validated before its first use (Rule.validated) and by the tests


@cache
def catalog() -> Catalog:
    """The catalog shipped with matderiv (``rules/``, installed as ``matderiv.rules``)."""
    files = sorted(_rule_files(), key=lambda item: (PHASES.index(item[0])
                                                    if item[0] in PHASES else 99, item[1].name))
    return Catalog(rule for folder, entry in files for rule in _read_rules(folder, entry))


__all__ = ["Rule", "Example", "Catalog", "catalog", "PHASES"]

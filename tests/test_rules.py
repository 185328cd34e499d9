"""The catalog: every rule is a well-formed record, and every example of a rule is a test.

An example is derived, the rule must appear in its trace, and all its results are
checked against finite differences.
"""

from pathlib import Path

import pytest

import matderiv
from matderiv.engine.catalog import PHASES, catalog

RULES = list(catalog())
EXAMPLES = [(rule, example) for rule in RULES for example in rule.examples]


def test_catalog_has_every_phase():
    assert {rule.phase for rule in RULES} == set(PHASES)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_record_is_complete(rule):
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert str(rule).startswith(f"{rule.pattern} => {rule.result}")
    assert rule.latex and rule.source, f"{rule.name} needs a LaTeX statement and a source"
    rule.validate()  # the engine validates a rule before its first use
    assert rule.validated


@pytest.mark.parametrize("rule, example", EXAMPLES,
                         ids=[f"{r.name}:{e.formula}" for r, e in EXAMPLES])
def test_rule_example(rule, example):
    d = matderiv.derive(example.formula, wrt=example.wrt, shapes=example.shapes,
                        **example.options)
    kinds = ["gradient"] if d.is_scalar else []
    kinds += [f"jacobian-{example.vec}"]
    used = {name for kind in kinds for name in d.rules_used(kind)}
    if example.hessian:
        used |= set(d.gradient_derivation().rules_used(f"jacobian-{example.vec}"))
    assert rule.name in used, f"{rule.name} not used for {example.formula}: {sorted(used)}"
    d.check(hessian=example.hessian)


def test_differential_rules_with_examples():
    """Every differential and identification rule is exercised by at least one example."""
    untested = [r.name for r in RULES if r.phase != "simplification" and not r.examples]
    assert untested == []


def test_missing_rule_raises_and_never_returns_zero(monkeypatch):
    # Without the rules that identify a Kronecker product inside a scalar (issue 22 added
    # them), the engine must say so, not answer 0.
    from matderiv.engine import phases
    from matderiv.engine.catalog import Catalog
    full = catalog()
    kron_rules = ("sum-of-kron-left", "sum-of-kron-right", "inner-kron-left", "inner-kron-right")
    monkeypatch.setattr(phases, "catalog", lambda: Catalog(
        r for r in full.rules if r.name not in kron_rules))
    d = matderiv.derive("sum(kron(X, A))", wrt="X", shapes={"X": ("m", "n"), "A": ("p", "q")})
    with pytest.raises(matderiv.MatDerivError, match="cannot identify the gradient"):
        d.gradient()


def test_cli_rules_lists_catalog():
    from click.testing import CliRunner

    from matderiv.cli import main
    out = CliRunner().invoke(main, ["rules", "--phase", "differential"])
    assert out.exit_code == 0
    assert "d-inverse" in out.output and "d(inv(X)) => -inv(X)*d(X)*inv(X)" in out.output


def test_catalog_found_in_a_source_checkout(monkeypatch):
    """Without an install (python cli.py from the repository), rules/ is read directly."""
    import importlib
    # matderiv.catalog is the function; the module is reached by its full name.
    catalog_module = importlib.import_module("matderiv.engine.catalog")

    def not_installed(name):
        raise ModuleNotFoundError(name)
    monkeypatch.setattr(catalog_module.resources, "files", not_installed)
    checkout = Path(catalog_module.__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file():  # matderiv imported from a checkout
        root = catalog_module._catalog_root()
        assert (root / "differential" / "1-structure.toml").is_file()
    else:  # an installed package whose matderiv.rules went missing: one clear error
        with pytest.raises(matderiv.MatDerivError, match="catalog is missing"):
            catalog_module._catalog_root()


def test_a_malformed_rule_raises_at_its_first_use():
    from sympy import MatrixSymbol

    from matderiv.engine.catalog import Rule
    bad = Rule(name="bad", phase="simplification", pattern="A'", result="A", when=("constant(Q)",))
    with pytest.raises(matderiv.MatDerivError, match="unbound"):
        bad.apply(MatrixSymbol("X", 2, 2).T, None)


def test_a_run_of_factors_is_bound_in_pattern_order_and_compared_where_repeated():
    # The matcher builds a context variable's run only once the rest of the product
    # matches, unless the rest names it too; either way the bindings read as written.
    import sympy

    from matderiv.engine.matcher import EMPTY, match
    from matderiv.syntax import parse

    n = sympy.Symbol("n")
    A, B, X = (sympy.MatrixSymbol(s, n, n) for s in "ABX")
    found = list(match(parse("L*inv(M)*R"), A * B * sympy.Inverse(X) * A))
    assert [list(b) for b in found] == [["L", "M", "R"]]
    assert found[0]["L"] == A * B and found[0]["M"] == X and found[0]["R"] == A
    everywhere = [(b["L"], b["R"], b.get(EMPTY)) for b in match(parse("L*R"), A * B)]
    assert everywhere == [(sympy.Identity(n), A * B, frozenset({"L"})), (A, B, None),
                          (A * B, sympy.Identity(n), frozenset({"R"}))]
    # a run named twice is compared: L*X*L matches A X A, not A X B
    assert [b["L"] for b in match(parse("L*X*L"), A * X * A)] == [A]
    assert not [b for b in match(parse("L*X*L"), A * X * B) if b["X"] == X]

"""Derivatives by a scalar t (shape ()): dF = D dt identifies dF/dt = D and d vec(F)/dt =
vec(D), through every feature matrix variables have. Every result is checked against
central finite differences."""

import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy
from click.testing import CliRunner

import matderiv
from matderiv import MatDerivError
from matderiv.numeric.differences import assert_close, numeric_gradient, numeric_jacobian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values, stand_in_functions

sys.path.insert(0, str(Path(__file__).resolve().parent))
from helpers import expect  # noqa: E402

RESOLVENT = {"X": ("n", "n"), "t": ()}
PENCIL = {"A": ("n", "n"), "B": ("n", "n"), "t": ()}


def _at_random_points(d, points=3, seed=5):
    """Random points (with a value for t), and the stand-ins for abstract functions."""
    rng = np.random.default_rng(seed)
    functions = stand_in_functions(d.abstract_functions)
    return [random_values(d.expr, d.variable, rng) for _ in range(points)], functions


# -- textbook forms ---------------------------------------------------------------------

@pytest.mark.parametrize("formula, shapes, forms", [
    ("tr(inv(X + t*I(n)))", RESOLVENT, {"gradient": "-tr((X + t*I(n))^-2)"}),
    ("inv(X + t*I(n))", RESOLVENT, {"jacobian": "-vec((X + t*I(n))^-2)",
                                    "jacobian_row": "-vecr((X + t*I(n))^-2)"}),
    ("det(A + t*B)", PENCIL, {"gradient": "det(A + t*B)*tr(inv(A + t*B)*B)"}),
    ("logdet(A + t*B)", PENCIL, {"gradient": "tr(inv(A + t*B)*B)"}),
    ("(A + t*B)^3", PENCIL,
     {"jacobian": "vec((A + t*B)^2*B + B*(A + t*B)^2 + (A + t*B)*B*(A + t*B))"}),
    ("sin(t*A)", {"A": ("m", "n"), "t": ()}, {"jacobian": "vec(cos(t*A) .* A)"}),
    ("t*exp(t)", {"t": ()}, {"gradient": "t*exp(t) + exp(t)"}),
    ("t^2*A", {"A": ("m", "n"), "t": ()}, {"jacobian": "2*t*vec(A)"}),
])
def test_textbook_forms_by_a_scalar(formula, shapes, forms):
    expect(formula, "t", shapes, **forms)  # each form also against finite differences


def test_a_deep_network_by_a_scalar_is_derived_in_forward_mode_form():
    """t enters every layer: dF = D dt stays nested as the network is (each layer's
    s .* (W dh + b dt) one term), where opening the sums copied each layer's s into
    every term and grew past the size budget at 8 layers."""
    inner, shapes = "t*x", {"t": (), "x": ("n", 1)}
    for i in range(1, 13):
        inner = f"tanh(W{i}*{inner} + t*b{i})"
        shapes.update({f"W{i}": ("n", "n"), f"b{i}": ("n", 1)})
    d = matderiv.derive(f"sum(({inner}).^2)", wrt="t", shapes=shapes)
    assert "hadamard-factor-differential" in d.rules_used()
    assert d.check(points=2).passed
    two = matderiv.derive("tanh(W2*tanh(W1*(t*x) + t*b1) + t*b2)", wrt="t", shapes=shapes)
    # s2 .* (W2 (s1 .* (W1 x + b1)) + b2), s_k = 1 - tanh(...)^2: the forward-mode chain
    expect(two.formula, "t", shapes, jacobian="(1 - tanh(W2*tanh(t*(W1*x + b1)) + t*b2).^2)"
           " .* (W2*((1 - tanh(t*(W1*x + b1)).^2) .* (W1*x + b1)) + b2)", shielded=True)


def test_the_second_derivative_by_a_scalar():
    d = matderiv.derive("tr(inv(X + t*I(n)))", wrt="t", shapes=RESOLVENT)
    hessian = d.hessian()
    assert not isinstance(hessian, sympy.MatrixExpr)  # d²F/dt², a scalar
    two = sympy.Integer(2)
    n = d.env["n"]
    expected = two * sympy.Trace(sympy.MatPow(d.env["X"] + d.env["t"] * sympy.Identity(n), -3))
    values, functions = _at_random_points(d)
    for point in values:
        gradient = numeric_jacobian(d.gradient(), d.variable, point)
        assert_close(evaluate(hessian, point), gradient, what="d²F/dt²")
        assert_close(evaluate(expected, point), gradient, what="2 tr((X + tI)^-3)")
    assert d.check(hessian=True).passed


# -- shapes of every result ---------------------------------------------------------------

def test_every_result_by_a_scalar_has_the_shape_its_convention_says():
    d = matderiv.derive("W*inv(X + t*I(n))*V", wrt="t",
                        shapes={"W": ("m", "n"), "X": ("n", "n"), "V": ("n", "p"), "t": ()})
    m, p = d.env["m"], d.env["p"]
    assert d.jacobian().shape == (m * p, 1)  # one row per entry of F, one column
    assert d.jacobian(vec="row").shape == (m * p, 1)
    assert d.jacobian(layout="denominator").shape == (1, m * p)
    assert d.tensor().shape == (m, p)  # ∂F_ij/∂t: F's axes only
    with pytest.raises(MatDerivError, match="not a scalar"):
        d.gradient()
    values, functions = _at_random_points(d)
    for point in values:
        tensor = np.asarray(evaluate(d.tensor(), point))  # D = dF/dt, F's shape
        by_rows = numeric_jacobian(d.expr, d.variable, point, vec="row")
        assert_close(tensor, by_rows.reshape(tensor.shape), what="the tensor")
        for vec, order in (("col", "F"), ("row", "C")):
            expected = numeric_jacobian(d.expr, d.variable, point, vec=vec)
            jacobian = evaluate(d.jacobian(vec=vec), point)
            assert_close(jacobian, expected, what=vec)
            assert_close(jacobian, tensor.reshape(-1, 1, order=order), what=f"{vec}(D)")
            assert_close(evaluate(d.jacobian(vec=vec, layout="denominator"), point),
                         expected.T, what=vec + " denominator")
    assert d.check().passed


def test_a_scalar_formula_by_a_scalar_has_scalar_results():
    d = matderiv.derive("tr(inv(X + t*I(n)))", wrt="t", shapes=RESOLVENT)
    results = [d.gradient(), d.jacobian(), d.jacobian(vec="row", layout="denominator"),
               d.tensor(), d.hessian()]
    assert not any(isinstance(r, sympy.MatrixExpr) for r in results)
    values, functions = _at_random_points(d)
    for point in values:
        expected = numeric_gradient(d.expr, d.variable, point)
        assert np.shape(expected) == ()
        for result in results[:4]:
            assert_close(evaluate(result, point), expected, what="dF/dt")


def test_a_one_by_one_formula_by_a_scalar_is_a_scalar():
    d = matderiv.derive("x'*inv(A + t*B)*x", wrt="t",
                        shapes={**PENCIL, "x": ("n", 1)})
    assert d.is_scalar and not isinstance(d.gradient(), sympy.MatrixExpr)
    assert "entry-scalar-out" in d.rules_used("gradient")
    assert d.check(hessian=True).passed


def test_the_variable_may_be_a_sympy_symbol_and_not_a_size():
    t = matderiv.scalar("t")
    X = matderiv.matrix("X", "n", "n")
    d = matderiv.derive(sympy.Trace(sympy.Inverse(X + t * sympy.Identity(X.shape[0]))), wrt=t)
    assert d.check().passed
    with pytest.raises(MatDerivError, match="wrt n is a size of the formula, not a variable"):
        matderiv.derive("tr(X)", wrt="n", shapes={"X": ("n", "n")})


# -- proofs and statements ----------------------------------------------------------------

def test_proofs_by_a_scalar():
    d = matderiv.derive("inv(X + t*I(n))", wrt="t", shapes=RESOLVENT)
    rules = d.proof_text("rules")
    assert rules.startswith("Proof that ∂vec((X + t I_n)⁻¹)/∂t = -vec((t I_n + X)^-2)")
    assert "Bring dF to the form D dt" in rules and "is the column vec(D)" in rules
    elementwise = " ".join(d.proof_text("elementwise").split())  # as one line
    assert "∂F_ij/∂t = -Σ_{k=1..n} ((X + t I_n)⁻¹)_ik*((X + t I_n)⁻¹)_kj" in elementwise
    assert "checked numerically at every entry" in elementwise
    assert "row (j-1)·n + i of the Jacobian d vec(F)/dt, a column" in elementwise
    tex = d.latex()
    assert r"\frac{\partial \operatorname{vec}\left(" in tex and r"}{\partial t}" in tex
    scalar = matderiv.derive("tr(inv(X + t*I(n)))", wrt="t", shapes=RESOLVENT)
    text = scalar.proof_text("both", kind="hessian")
    assert "∂(-tr((t I_n + X)^-2))/∂t = 2*tr((t I_n + X)^-3)" in text
    assert "trace-scalar-out" in text
    assert "By the scalar t, the derivative of a scalar F is the scalar ∂F/∂t." in text
    assert text.count("Element-wise proof that") == 2  # the gradient's and d²F/dt²'s


def test_report_statements_by_a_scalar():
    from matderiv.api.report import derivation_report
    d = matderiv.derive("inv(X + t*I(n))", wrt="t", shapes=RESOLVENT)
    report = derivation_report(d, kind="jacobian", check=True)
    assert report["statement"]["text"] == "∂vec((X + t I_n)⁻¹)/∂t = -vec((t I_n + X)^-2)"
    assert report["convention"].startswith("vec stacks columns; J = d vec(F) / dt, a column")
    assert report["shape"] == "n^2×1" and report["check"]["passed"]
    tensor = derivation_report(d, kind="tensor")["statement"]["text"]
    assert tensor == "∂((X + t I_n)⁻¹)_ij/∂t = (-(t I_n + X)^-2)_ij"
    scalar = matderiv.derive("tr(inv(X + t*I(n)))", wrt="t", shapes=RESOLVENT)
    hessian = derivation_report(scalar, kind="hessian", check=True)
    assert hessian["statement"]["text"] == "∂²(tr((X + t I_n)⁻¹))/∂t² = 2*tr((t I_n + X)^-3)"
    assert hessian["statement"]["latex"].startswith(r"\frac{\partial^2 ")
    assert hessian["convention"] == "d²F/dt², a scalar" and hessian["shape"] == "scalar"


# -- generated code -------------------------------------------------------------------------

@pytest.mark.parametrize("formula, shapes", [
    ("inv(X + t*I(n))", RESOLVENT),
    ("tr(inv(X + t*I(n)))", RESOLVENT),
    ("t*exp(t) + sin(t)", {"t": ()}),
])
def test_generated_code_by_a_scalar(formula, shapes):
    d = matderiv.derive(formula, wrt="t", shapes=shapes)
    kinds = ["gradient", "value_and_gradient", "jacobian", "hessian", "jvp"] if d.is_scalar \
        else ["jacobian", "jvp"]
    values, _ = _at_random_points(d, points=2)
    for point in values:
        arguments = {k: v for k, v in point.items() if not isinstance(v, int)}
        for vec in ("col", "row"):
            expected = numeric_jacobian(d.expr, d.variable, point, vec=vec)
            for kind in kinds:
                function = d.to_function(kind, vec=vec, with_check=True)
                function.check()  # the module's own self-test against differences
                if kind == "jvp":
                    got = function(**arguments, V=0.5)
                    assert np.shape(got) == (() if d.is_scalar else expected.shape)
                    assert_close(got, 0.5 * expected, what="jvp")
                elif kind == "hessian":
                    second = numeric_jacobian(d.gradient(), d.variable, point)
                    assert_close(function(**arguments), second, what="hessian")
                else:
                    got = function(**arguments)
                    got = got[1] if kind == "value_and_gradient" else got
                    assert np.shape(got) == (() if d.is_scalar else expected.shape)
                    assert_close(got, expected, what=kind)
    assert "def jacobian_t(*, X, t)" in d.to_source("jacobian") or d.is_scalar


@pytest.mark.parametrize("module", ["jax", "torch"])
@pytest.mark.parametrize("formula, shapes, kind", [
    ("inv(X + t*I(n))", RESOLVENT, "jacobian"), ("inv(X + t*I(n))", RESOLVENT, "jvp"),
    ("tr(inv(X + t*I(n)))", RESOLVENT, "hessian"), ("t*exp(t)", {"t": ()}, "gradient"),
])
def test_other_backends_by_a_scalar_agree_with_numpy(module, formula, shapes, kind):
    library = pytest.importorskip(module)
    if module == "jax":
        library.config.update("jax_enable_x64", True)
    d = matderiv.derive(formula, wrt="t", shapes=shapes)
    values, _ = _at_random_points(d, points=1)
    arguments = {k: v for k, v in values[0].items() if not isinstance(v, int)}
    if kind == "jvp":
        arguments["V"] = 0.7
    expected = d.to_function(kind)(**arguments)
    if module == "torch":
        arguments = {k: library.as_tensor(v, dtype=library.float64)
                     for k, v in arguments.items()}
    computed = np.asarray(d.to_function(kind, backend=module)(**arguments))
    assert np.shape(computed) == np.shape(expected)
    assert_close(computed, expected, what=f"{module} {kind} of {formula}")


# -- claims -----------------------------------------------------------------------------------

def test_claims_of_a_derivative_by_a_scalar():
    d = matderiv.derive("inv(X + t*I(n))", wrt="t", shapes=RESOLVENT)
    assert d.check_claim("-vec(inv(X + t*I(n))^2)").verdict == "correct"
    other = d.check_claim("-vecr(inv(X + t*I(n))^2)'")
    assert other.verdict == "correct in another convention"
    assert other.flag == "--jacobian --vec row --layout denominator"
    wrong = d.check_claim("vec(inv(X + t*I(n))^2)")
    assert wrong.verdict == "wrong" and "the sign is wrong" in wrong.explanation
    assert "the Jacobian ∂vec(F)/∂t (vec, a column)" in wrong.explanation
    scalar = matderiv.derive("tr(inv(X + t*I(n)))", wrt="t", shapes=RESOLVENT)
    assert scalar.check_claim("-tr(inv(X + t*I(n))^2)").verdict == "correct"
    assert scalar.check_claim("2*tr(inv(X + t*I(n))^3)", kind="hessian").verdict == "correct"
    assert scalar.check_claim("-tr(inv(X + t*I(n)))").verdict == "wrong"


# -- command line and web API -------------------------------------------------------------------

def test_the_cli_derives_by_a_scalar():
    from matderiv.cli import main
    runner = CliRunner()
    out = runner.invoke(main, ["derive", "inv(X + t*I(n))", "--wrt", "t", "-s", "X=n,n",
                               "-s", "t=", "--check"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("∂vec((X + t I_n)⁻¹)/∂t = -vec((t I_n + X)^-2)\n")
    assert "check: agrees with central finite differences" in out.output
    out = runner.invoke(main, ["derive", "tr(inv(X + t*I(n)))", "--wrt", "t", "-s", "X=n,n",
                               "-s", "t=", "--hessian", "--format", "json"])
    report = json.loads(out.output)
    assert report["result"]["text"] == "2*tr((t I_n + X)^-3)" and report["wrt"] == "t"
    out = runner.invoke(main, ["check", "inv(X + t*I(n))", "--wrt", "t", "-s", "X=n,n",
                               "-s", "t=", "--claim", "-vec(inv(X + t*I(n))^2)"])
    assert out.exit_code == 0 and "the Jacobian ∂vec(F)/∂t (vec, a column)" in out.output


def test_the_web_api_derives_by_a_scalar():
    from matderiv.api.service import check_request, codegen_request, derive_request
    shapes = {"X": "n,n", "t": ""}
    answer = derive_request({"formula": "inv(X + t*I(n))", "wrt": "t", "shapes": shapes,
                             "proof": "both", "check": True})
    assert answer["result"]["text"] == "-vec((t I_n + X)^-2)" and answer["check"]["passed"]
    assert set(answer["proofs"]) == {"rules", "elementwise"}
    assert all("error" not in proof for proof in answer["proofs"].values())
    verdict = check_request({"formula": "inv(X + t*I(n))", "wrt": "t", "shapes": shapes,
                             "claim": "-vec(inv(X + t*I(n))^2)"})
    assert verdict["verdict"] == "correct"
    code = codegen_request({"formula": "inv(X + t*I(n))", "wrt": "t", "shapes": shapes,
                            "kind": "jvp"})
    assert "def jvp_t(*, X, t, V):" in code["source"]


# -- rules: the class, and what no rule covers ------------------------------------------------

def test_a_term_no_rule_brings_to_d_dt_raises_and_is_never_zero(monkeypatch):
    from sympy.matrices.expressions.diagonal import DiagMatrix

    from matderiv.engine import phases
    from matderiv.engine.catalog import Catalog, catalog
    from matderiv.engine.phases import identify_derivative
    from matderiv.expressions import ScalarDiff
    full = catalog()  # without the rules that take dt out of diag (issue 22 added them)
    monkeypatch.setattr(phases, "catalog", lambda: Catalog(
        r for r in full.rules if r.name not in ("diag-scalar-out", "diag-of-sum")))
    t = sympy.Symbol("t", real=True)
    x = sympy.MatrixSymbol("x", 3, 1)
    no_rule = DiagMatrix(ScalarDiff(t) * x)  # diag(dt x): no rule takes dt out of diag
    with pytest.raises(MatDerivError, match="cannot identify the derivative"):
        identify_derivative(no_rule, t, {"max_seconds": None, "max_nodes": None},
                            lambda before, after: None)


def test_two_forms_of_a_differential_by_a_scalar_are_compared_with_dt_a_number():
    from matderiv.expressions import ScalarDiff
    from matderiv.numeric.verify import assert_same_differential
    d = matderiv.derive("inv(X + t*I(n))", wrt="t", shapes=RESOLVENT)
    inverse = sympy.Inverse(d.env["X"] + d.variable * sympy.Identity(d.env["n"]))
    dt = ScalarDiff(d.variable)
    assert_same_differential(d.differential, sympy.MatMul(-1, dt, inverse, inverse), d)
    with pytest.raises(MatDerivError, match="another value"):
        assert_same_differential(d.differential, sympy.MatMul(dt, inverse), d)


def test_random_formulas_by_a_scalar_are_verified_or_refused():
    """The strategy draws the scalar k as the variable sometimes; those formulas are
    checked like every other (gradient, Jacobians, Hessian, tensor)."""
    from oracle import judge
    from strategies import random_problem
    drawn = (random_problem(random.Random(f"by-scalar-{seed}")) for seed in range(1500))
    problems = [p for p in drawn if p.wrt == "k"][:40]
    assert len(problems) == 40
    outcomes = [judge(p, seed=number) for number, p in enumerate(problems)]
    bad = [(str(p), o) for p, o in zip(problems, outcomes, strict=True)
           if o.kind in ("wrong", "crash")]
    assert bad == []
    assert sum(o.kind == "verified" for o in outcomes) >= 36

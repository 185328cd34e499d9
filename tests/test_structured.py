"""Structured variables (issue 23): derivatives by a symmetric or a diagonal matrix.

Every result is compared with its textbook form (built with matderiv's grammar) and both
are checked numerically at random symmetric (diagonal) points: against central finite
differences by the free entries, <G, E> against differences along random symmetric
(diagonal) directions E, and G symmetric (diagonal). The reference is computed here
from F alone, independently of the results' closed forms.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from click.testing import CliRunner
from helpers import build_expected

import matderiv
from matderiv.cli import main
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values
from matderiv.render import to_text

SQUARE = {"S": "n,n"}


def _f_at(d, values, matrix):
    """F at ``values`` with the variable set to ``matrix``, as a number."""
    return float(np.asarray(evaluate(d.expr, {**values, d.variable.name: matrix})).ravel()[0])


def _free_directions(d, n):
    """The basis of symmetric (diagonal) n x n directions, in vech's (diag's) order."""
    diagonal = d.variable.structure == "diagonal"
    basis = []
    for col in range(n):
        for row in ((col,) if diagonal else range(col, n)):
            e = np.zeros((n, n))
            e[row, col] = e[col, row] = 1.0
            basis.append(e)
    return basis


def _reference_gradient(d, values, convention):
    """The gradient from central differences of F by the free entries (this file's own)."""
    s = values[d.variable.name]
    n, h = s.shape[0], 1e-6
    cookbook = np.zeros((n, n))
    for e in _free_directions(d, n):
        cookbook[e != 0] = (_f_at(d, values, s + h * e) - _f_at(d, values, s - h * e)) / (2 * h)
    if d.variable.structure == "diagonal" or convention == "cookbook":
        return cookbook
    return (cookbook + np.diag(np.diag(cookbook))) / 2


def _reference_jacobian(d, values):
    """d vec(F) / d vech(S) (diag(D)) from central differences (this file's own)."""
    s = values[d.variable.name]
    h = 1e-6
    columns = []
    for e in _free_directions(d, s.shape[0]):
        plus = np.asarray(evaluate(d.expr, {**values, d.variable.name: s + h * e}))
        minus = np.asarray(evaluate(d.expr, {**values, d.variable.name: s - h * e}))
        columns.append((np.atleast_2d(plus) - np.atleast_2d(minus)).reshape(-1, order="F")
                       / (2 * h))
    return np.stack(columns, axis=1)


def _assert_gradient_numerically(d, expected_form, convention, points=3):
    rng = np.random.default_rng(5)
    for _ in range(points):
        values = random_values(d.expr, d.variable, rng)
        s = values[d.variable.name]
        assert np.allclose(s, s.T), "the point drawn is not symmetric"
        reference = _reference_gradient(d, values, convention)
        for what in (d.gradient(), expected_form):
            g = np.asarray(evaluate(what, values), dtype=float)
            assert np.allclose(g, reference, rtol=1e-5, atol=1e-6), (to_text(what), g, reference)
            assert np.allclose(g, g.T), f"{to_text(what)} is not symmetric"
        # <G_sym, E> = dF(S)[E] along random symmetric (diagonal) directions E
        g = np.asarray(evaluate(d.gradient(), values), dtype=float)
        if convention == "cookbook":
            g = (g + np.diag(np.diag(g))) / 2
        for _ in range(3):
            e = rng.uniform(-1, 1, s.shape)
            e = np.diag(np.diag(e)) if d.variable.structure == "diagonal" else (e + e.T) / 2
            h = 1e-6
            step = (_f_at(d, values, s + h * e) - _f_at(d, values, s - h * e)) / (2 * h)
            assert np.isclose(np.sum(g * e), step, rtol=1e-5, atol=1e-6)


def expect_structured(formula, wrt, shapes, *, gradient=None, jacobian=None,
                      convention="symmetric", symmetric=(), diagonal=(), hessian=False):
    """Assert the textbook form(s) given, check them numerically; the Derivation."""
    d = matderiv.derive(formula, wrt, shapes, symmetric=symmetric, diagonal=diagonal,
                        symmetric_convention=convention)
    if gradient is not None:
        expected = build_expected(gradient, d, shielded=True)
        assert d.gradient() == expected, f"got {to_text(d.gradient())}, expected " \
                                         f"{to_text(expected)}"
        _assert_gradient_numerically(d, expected, convention)
    if jacobian is not None:
        expected = build_expected(jacobian, d, shielded=True)
        assert d.jacobian() == expected, f"got {to_text(d.jacobian())}, expected " \
                                         f"{to_text(expected)}"
        rng = np.random.default_rng(9)
        for _ in range(3):
            values = random_values(d.expr, d.variable, rng)
            reference = _reference_jacobian(d, values)
            for what in (d.jacobian(), expected):
                assert np.allclose(np.asarray(evaluate(what, values), dtype=float), reference,
                                   rtol=1e-5, atol=1e-6), to_text(what)
    d.check(hessian=hessian and d.is_scalar)
    return d


# -- the gradient on the space of symmetric matrices, and the Cookbook's -------------

SYMMETRIC_CASES = [
    ("logdet(S)", SQUARE, "inv(S)", "2*inv(S) - diag(diag(inv(S)))"),
    ("tr(A*S)", {"A": "n,n", **SQUARE}, "(A + A')/2", "A + A' - diag(diag(A))"),
    ("x'*S*x", {"x": "n,1", **SQUARE}, "x*x'", "2*x*x' - diag(x.^2)"),
    ("tr(S*S)", SQUARE, "2*S", "2*(2*S - diag(diag(S)))"),
    ("tr(inv(S)*A)", {"A": "n,n", **SQUARE}, "-inv(S)*(A + A')*inv(S)/2",
     "diag(diag(inv(S)*A'*inv(S))) - inv(S)*(A + A')*inv(S)"),
    # The Gaussian log-likelihood in the covariance S, C the scatter matrix.
    ("-logdet(S) - tr(inv(S)*C)", {"C": "n,n", **SQUARE},
     "(inv(S)*(C + C')*inv(S) - 2*inv(S))/2",
     "inv(S)*(C + C')*inv(S) - 2*inv(S) - diag(diag(inv(S)*C'*inv(S) - inv(S)))"),
]


@pytest.mark.parametrize("formula, shapes, symmetric, cookbook", SYMMETRIC_CASES,
                         ids=[c[0] for c in SYMMETRIC_CASES])
def test_gradient_by_a_symmetric_matrix_in_both_conventions(formula, shapes, symmetric,
                                                           cookbook):
    expect_structured(formula, "S", shapes, gradient=symmetric, symmetric=["S"],
                      hessian=True)
    expect_structured(formula, "S", shapes, gradient=cookbook, symmetric=["S"],
                      convention="cookbook", hessian=True)


def test_the_two_conventions_differ_off_the_diagonal_by_a_factor_two():
    """Cookbook = 2 sym(G) - diag(diag(sym G)): twice off the diagonal, equal on it."""
    shapes = {"A": "n,n", **SQUARE}
    one = matderiv.derive("tr(A*S)", "S", shapes, symmetric=["S"])
    two = matderiv.derive("tr(A*S)", "S", shapes, symmetric=["S"],
                          symmetric_convention="cookbook")
    values = random_values(one.expr, one.variable, np.random.default_rng(1))
    g, c = (np.asarray(evaluate(d.gradient(), values)) for d in (one, two))
    assert np.allclose(c, 2 * g - np.diag(np.diag(g)))
    assert not np.allclose(c, g)


def test_a_general_gradient_would_fail_the_symmetric_check(monkeypatch):
    """The check is not toothless: the unsymmetrised gradient A' of tr(A S) is refused."""
    d = matderiv.derive("tr(A*S)", "S", {"A": "n,n", **SQUARE}, symmetric=["S"])
    general = d.general().gradient()
    monkeypatch.setattr(type(d), "gradient", lambda self: general)
    with pytest.raises(matderiv.MatDerivError, match="WRONG"):
        d.check()


def test_a_symmetric_declaration_simplifies_results_elsewhere():
    d = expect_structured("x'*A*x", "x", {"A": "n,n", "x": "n,1"}, symmetric=["A"],
                          hessian=True)
    assert d.gradient() == build_expected("2*A*x", d)
    assert d.hessian() == build_expected("2*A", d)
    d = matderiv.derive("logdet(S)", "S", SQUARE, symmetric=["S"])
    assert to_text(d.hessian(layout="denominator")) == "-D_nᵀ (S⁻¹ ⊗ S⁻¹) D_n"


def test_inferred_shapes_make_a_symmetric_matrix_square():
    d = matderiv.derive("tr(A*S)", "S", symmetric=["S"])
    assert d.shapes["S"][0] == d.shapes["S"][1]
    assert d.gradient() == build_expected("(A + A')/2", d)


# -- Jacobians by vech, via the duplication matrix; Hessians -------------------------

def test_jacobian_of_the_inverse_by_a_symmetric_matrix_uses_the_duplication_matrix():
    d = expect_structured("inv(S)", "S", SQUARE, jacobian="-kron(inv(S), inv(S))*D(n)",
                          symmetric=["S"])
    from matderiv.api.report import derivation_report
    report = derivation_report(d, kind="jacobian")
    assert report["statement"]["text"].startswith("∂vec(S⁻¹)/∂vech(S) = ")
    assert "vech(S)" in report["convention"] and "Magnus & Neudecker" in report["convention"]


def test_jacobian_of_a_product_and_of_a_transpose():
    expect_structured("A*S*B", "S", {"A": "m,n", "B": "n,p", **SQUARE},
                      jacobian="kron(B', A)*D(n)", symmetric=["S"])
    # K(n, n) D(n) = D(n) (Magnus & Neudecker): S' by S is D(n)
    expect_structured("S'", "S", SQUARE, jacobian="D(n)", symmetric=["S"])


def test_hessian_by_a_symmetric_matrix_is_by_vech():
    d = expect_structured("logdet(S)", "S", SQUARE, gradient="inv(S)", symmetric=["S"],
                          hessian=True)
    assert d.hessian() == build_expected("-D(n)'*kron(inv(S), inv(S))*D(n)", d)
    n = 3
    values = random_values(d.expr, d.variable, np.random.default_rng(2), sizes={"n": n})
    h = np.asarray(evaluate(d.hessian(), values), dtype=float)
    assert h.shape == (n * (n + 1) // 2,) * 2 and np.allclose(h, h.T)


def test_duplication_matrix_in_the_grammar_evaluates_prints_and_generates_code():
    d = matderiv.derive("D(n)'*vec(X)", "X", {"X": "n,n"})
    d.check()
    dup = np.asarray(evaluate(matderiv.derive("D(3)", "X", {"X": "3,3"}).expr, {}))
    s = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    vech = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert dup.shape == (9, 6) and np.allclose(dup @ vech, s.reshape(-1, order="F"))
    assert to_text(d.jacobian()) == "D_nᵀ"
    source = matderiv.derive("logdet(S)", "S", SQUARE, symmetric=["S"]).to_source(
        "jacobian", with_check=True)
    namespace: dict = {}
    exec(compile(source, "generated", "exec"), namespace)  # our own generated module
    assert namespace["_check"]() < 1e-6


# -- diagonal variables --------------------------------------------------------------

def test_gradient_and_jacobian_by_a_diagonal_matrix():
    shapes = {"D": "n,n", "x": "n,1"}
    d = expect_structured("x'*D*x", "D", shapes, gradient="diag(x.^2)", diagonal=["D"],
                          hessian=True)
    assert to_text(d.jacobian()) == "vec(x xᵀ)ᵀ Δ_n"
    expect_structured("logdet(D)", "D", {"D": "n,n"}, gradient="diag(diag(inv(D)))",
                      diagonal=["D"], hessian=True)
    expect_structured("D*x", "D", shapes, jacobian="kron(x', I(n))*Delta(n)", diagonal=["D"])
    values = random_values(d.expr, d.variable, np.random.default_rng(0))
    assert np.count_nonzero(values["D"] - np.diag(np.diag(values["D"]))) == 0


# -- claims, outputs, the command line ----------------------------------------------

def test_a_claim_right_only_for_a_symmetric_matrix_is_accepted_when_declared():
    shapes = {"A": "n,n", "x": "n,1"}
    undeclared = matderiv.derive("x'*A*x", "x", shapes).check_claim("2*A*x")
    assert undeclared.verdict == "wrong"
    assert any("symmetric" in str(d) for d in undeclared.diagnoses)
    declared = matderiv.derive("x'*A*x", "x", shapes, symmetric=["A"]).check_claim("2*A*x")
    assert declared.verdict == "correct"
    by_s = matderiv.derive("logdet(S)", "S", SQUARE, symmetric=["S"])
    assert by_s.check_claim("inv(S)").verdict == "correct"
    assert matderiv.derive("logdet(S)", "S", SQUARE).check_claim("inv(S)").verdict == "wrong"


def test_a_claim_in_the_other_convention_is_named_so():
    d = matderiv.derive("logdet(S)", "S", SQUARE, symmetric=["S"])
    verdict = d.check_claim("2*inv(S) - diag(diag(inv(S)))")
    assert verdict.verdict == "correct in another convention"
    assert verdict.flag == "--gradient --symmetric-convention cookbook"
    assert d.check_claim("inv(S)'*2").verdict == "wrong"


def test_every_output_names_the_convention():
    runner = CliRunner()
    text = runner.invoke(main, ["derive", "logdet(S)", "--wrt", "S", "-s", "S=n,n",
                                "--symmetric", "S"]).output
    assert text.startswith("∂(log det(S))/∂S = S⁻¹") and "Srinivasan & Panda" in text
    cookbook = runner.invoke(main, ["derive", "logdet(S)", "--wrt", "S", "-s", "S=n,n",
                                    "--symmetric", "S", "--symmetric-convention", "cookbook",
                                    "--format", "json"])
    assert cookbook.exit_code == 0 and "Cookbook" in cookbook.output
    d = matderiv.derive("logdet(S)", "S", SQUARE, symmetric=["S"])
    assert "symmetric" in d.proof("rules").convention
    assert "gradient-symmetric" in d.rules_used()
    latex = d.latex(proof="both")
    assert "Srinivasan" in latex
    wrong = runner.invoke(main, ["derive", "W*x", "--wrt", "W", "-s", "W=m,n", "-s", "x=n",
                                 "--symmetric", "W"])
    assert wrong.exit_code == 2 and "not square" in wrong.output


def test_the_elementwise_proof_shows_where_the_convention_enters():
    for convention in ("symmetric", "cookbook"):
        d = matderiv.derive("tr(A*S)", "S", {"A": "n,n", **SQUARE}, symmetric=["S"],
                            symmetric_convention=convention)
        proof = d.proof("elementwise")
        headings = [s.heading for s in proof.sections]
        assert headings[-3:] == ["Symmetric variable", "Convention", "Closed form"]
        text = d.proof_text("elementwise")
        assert "∂S_ij/∂S_pq" in text and "G0_pq + G0_qp" in text
        assert proof.result == d.gradient()
    jacobian = matderiv.derive("inv(S)", "S", SQUARE, symmetric=["S"]).proof("elementwise")
    assert "J0 D_n" in jacobian.sections[-2].text


def test_structure_refusals_are_clear():
    d = matderiv.derive("logdet(S)", "S", SQUARE, symmetric=["S"])
    with pytest.raises(matderiv.MatDerivError, match="tensor"):
        d.tensor()
    with pytest.raises(matderiv.MatDerivError, match="jvp"):
        d.to_source("jvp")
    with pytest.raises(matderiv.MatDerivError, match="symmetric_convention"):
        matderiv.derive("logdet(S)", "S", SQUARE, symmetric=["S"], symmetric_convention="x")
    with pytest.raises(matderiv.MatDerivError, match="order"):
        d.derivative(2)
    mixed = matderiv.derive("x'*S*y", "x", {"x": "n,1", "y": "n,1", **SQUARE},
                            symmetric=["S"])
    with pytest.raises(matderiv.MatDerivError, match="mixed Hessian"):
        mixed.mixed_derivation("S")
    with pytest.raises(matderiv.MatDerivError, match="both symmetric and diagonal"):
        matderiv.derive("logdet(S)", "S", SQUARE, symmetric=["S"], diagonal=["S"])


def test_web_api_takes_the_structure_fields():
    from matderiv.api.service import check_request, derive_request
    report = derive_request({"formula": "logdet(S)", "wrt": "S", "shapes": {"S": "n,n"},
                             "symmetric": ["S"], "proof": "none"})
    assert report["result"]["text"] == "S⁻¹" and report["check"]["passed"]
    verdict = check_request({"formula": "logdet(S)", "wrt": "S", "shapes": {"S": "n,n"},
                             "symmetric": ["S"], "symmetric_convention": "cookbook",
                             "claim": "2*inv(S) - diag(diag(inv(S)))"})
    assert verdict["verdict"] == "correct"


def test_batch_entries_declare_structured_variables(tmp_path):
    from matderiv.api.batch import check_entry, derive_entry
    entry = check_entry(1, {"formula": "tr(A*S)", "wrt": "S", "shapes": {"A": "n,n",
                                                                         "S": "n,n"},
                            "symmetric": ["S"], "claim": "(A + A')/2"})
    assert entry.verdict.verdict == "correct"
    derived = derive_entry(1, {"formula": "logdet(S)", "wrt": "S", "shapes": {"S": "n,n"},
                               "symmetric": ["S"], "symmetric_convention": "cookbook"})
    assert derived.derivation.gradient() == build_expected(
        "2*inv(S) - diag(diag(inv(S)))", derived.derivation)


def test_sizes_too_large_to_evaluate_are_checked_by_the_structured_twin():
    d = matderiv.derive("logdet(S) + tr(A*S)", "S", {"S": (300, 300), "A": (300, 300)},
                        symmetric=["S"])
    report = d.check()
    assert report.pattern and "symmetric directions" in ", ".join(report.checked)


# -- spectral and matrix functions of a declared symmetric S ---------------------------

@pytest.mark.parametrize("formula, shapes, gradient", [
    ("eigmax(S)", SQUARE, "eigvec_max(S)*eigvec_max(S)'"),
    ("eigmin(S)", SQUARE, "eigvec_min(S)*eigvec_min(S)'"),
    ("eigmax(S) - eigmin(S)", SQUARE,
     "eigvec_max(S)*eigvec_max(S)' - eigvec_min(S)*eigvec_min(S)'"),
])
def test_an_extreme_eigenvalue_of_a_declared_symmetric_matrix(formula, shapes, gradient):
    # Declared symmetric, S needs no structure of its own for eigmax; v v' is symmetric,
    # so the gradient on the symmetric matrices is v v' itself.
    expect_structured(formula, "S", shapes, gradient=gradient, symmetric=["S"])


def test_an_extreme_eigenvalue_needs_the_declaration():
    with pytest.raises(matderiv.MatDerivError, match="eigmax needs a symmetric argument"):
        matderiv.derive("eigmax(S)", "S", SQUARE)


def test_the_trace_of_a_function_of_a_declared_symmetric_matrix():
    # tr(A logm(S)) by a symmetric S (issue 23): checked along symmetric directions.
    d = matderiv.derive("tr(A*logm(S))", "S", {"A": "n,n", **SQUARE}, symmetric=["S"])
    _assert_gradient_numerically(d, d.gradient(), "symmetric")
    d.check()


# -- Hessians by a diagonal D: Δᵀ(A ⊗ B)Δ = A ∘ B -------------------------------------

@pytest.mark.parametrize("formula, shapes, hessian", [
    ("tr(A*D*B*D)", {"A": "n,n", "B": "n,n", "D": "n,n"}, "A .* B' + B .* A'"),
    ("tr(A*D*A*D)", {"A": "n,n", "D": "n,n"}, "2*(A .* A')"),
    ("x'*D*A*D*x", {"A": "n,n", "D": "n,n", "x": "n,1"}, "x*x' .* A + x*x' .* A'"),
])
def test_a_hessian_by_a_diagonal_matrix_is_a_hadamard_product(formula, shapes, hessian):
    d = matderiv.derive(formula, "D", shapes, diagonal=["D"])
    expected = build_expected(hessian, d, shielded=True)
    assert d.hessian() == expected, f"got {to_text(d.hessian())}"
    rng = np.random.default_rng(11)
    for _ in range(3):  # second differences along e_i e_i', e_j e_j' (this file's own)
        values = random_values(d.expr, d.variable, rng)
        s, h = values["D"], 1e-4
        n = s.shape[0]
        reference = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                ei, ej = np.zeros((n, n)), np.zeros((n, n))
                ei[i, i], ej[j, j] = h, h
                reference[i, j] = (_f_at(d, values, s + ei + ej) - _f_at(d, values, s + ei - ej)
                                   - _f_at(d, values, s - ei + ej)
                                   + _f_at(d, values, s - ei - ej)) / (4 * h * h)
        for what in (d.hessian(), expected):
            got = np.asarray(evaluate(what, values), dtype=float)
            assert np.allclose(got, reference, rtol=1e-5, atol=1e-5), (to_text(what), got)
    d.check(hessian=True)


def test_the_cookbook_convention_without_a_symmetric_matrix_is_refused():
    # It would change nothing: an option that is silently ignored misleads.
    with pytest.raises(matderiv.MatDerivError, match="declared symmetric"):
        matderiv.derive("tr(A*S)", "S", {"A": "n,n", "S": "n,n"},
                        symmetric_convention="cookbook")


@pytest.mark.parametrize("structure, convention", [("symmetric", "symmetric"),
                                                   ("symmetric", "cookbook"),
                                                   ("diagonal", "symmetric")])
def test_a_formula_free_of_the_structured_variable_has_its_zero_matrix(structure, convention):
    """<0, dS> is the number 0: the gradient is still the n x n zero matrix (it was the
    number 0, and check() refused its shape); the Jacobian is a zero row by the free
    entries. expect_structured checks both numerically (check())."""
    d = expect_structured("x'*x + tr(A)", "S", {"x": "n,1", "A": "n,n", **SQUARE},
                          gradient="0*S", convention=convention, **{structure: ["S"]})
    assert isinstance(d.gradient(), sympy.ZeroMatrix)
    assert d.gradient().shape == d.variable.shape
    n = d.variable.shape[0]
    assert isinstance(d.jacobian(), sympy.ZeroMatrix)
    assert d.jacobian().shape == (1, n if structure == "diagonal" else n * (n + 1) / 2)

"""Spectral functions and matrix functions (issue 23): eigmax/eigmin of a symmetric
argument, the spectral and nuclear norms, expm/logm/sqrtm with their Fréchet
derivatives, and the pseudo-inverse.

Every derivative is compared with its textbook form *and* checked against central finite
differences at random points (``expect``, and ``check()`` at points where the
derivative's assumption holds); the numeric objects are checked against independent
computations; generated code agrees with the derivation; claims are judged.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import build_expected, expect

import matderiv
from matderiv.api.report import derivation_report
from matderiv.errors import MatDerivError
from matderiv.numeric import matrix_functions as mf
from matderiv.numeric.direct import direct_value
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values
from matderiv.render import to_latex, to_text
from matderiv.syntax.builder import Builder
from matderiv.syntax.shapes import declare

SQ = {"X": ("n", "n")}
RECT = {"X": ("m", "n")}


# -- spectral functions: textbook forms and finite differences --------------------------

def test_eigmax_of_x_plus_x_transpose_is_twice_v_v_transpose():
    d = expect("eigmax(X + X')", "X", SQ, gradient="2*eigvec_max(X + X')*eigvec_max(X + X')'")
    assert to_text(d.gradient()) == "2 eigvec_max(X + Xᵀ) eigvec_max(X + Xᵀ)ᵀ"


def test_eigmax_of_a_gram_matrix():
    expect("eigmax(X'*X)", "X", RECT, gradient="2*X*eigvec_max(X'*X)*eigvec_max(X'*X)'")


def test_eigmax_of_a_weighted_gram_by_its_weights():
    # dλ = vᵀ Aᵀ diag(dx) A v = <diag(A v vᵀ Aᵀ), dx>: the squares of A v
    expect("eigmax(A'*diag(x)*A)", "x", {"A": ("m", "n"), "x": ("m", 1)},
           gradient="diag(A*eigvec_max(A'*diag(x)*A)*eigvec_max(A'*diag(x)*A)'*A')")


def test_eigmin_and_its_eigenvector():
    expect("eigmin(X'*X + I(n))", "X", RECT,
           gradient="2*X*eigvec_min(X'*X + I(n))*eigvec_min(X'*X + I(n))'")
    expect("eigmin(X + X')", "X", SQ, gradient="2*eigvec_min(X + X')*eigvec_min(X + X')'")


def test_spectral_norm_gradient_is_the_top_singular_pair():
    d = expect("norm(X, 2)", "X", RECT, gradient="svd_uv1(X)")
    assert to_latex(d.expr) == r"\left\Vert X\right\Vert_2"
    expect("norm(W*X, 2)", "W", {"W": ("m", "n"), "X": ("n", "p")},
           gradient="svd_uv1(W*X)*X'")


def test_nuclear_norm_gradient_is_u_v_transpose():
    expect("nucnorm(X)", "X", RECT, gradient="svd_uv(X)")
    expect("nucnorm(A*X)", "X", {"A": ("m", "p"), "X": ("p", "n")}, gradient="A'*svd_uv(A*X)")


def test_the_results_evaluate_to_their_definitions():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3))
    s = x.T @ x
    values = {"X": x}
    env = declare({"X": (5, 3)})

    def value(text):
        return evaluate(Builder(env).build_text(text), values)
    v = value("eigvec_max(X'*X)")
    assert np.allclose(s @ v, np.linalg.eigvalsh(s)[-1] * v) and np.isclose(v.T @ v, 1)
    u_, sv, vt = np.linalg.svd(x, full_matrices=False)
    assert np.allclose(value("svd_uv1(X)"), np.outer(u_[:, 0], vt[0]))
    assert np.allclose(value("svd_uv(X)"), u_ @ vt)
    assert np.isclose(value("norm(X, 2) + nucnorm(X)"), sv[0] + sv.sum())


# -- matrix functions -----------------------------------------------------------------------

def test_trace_of_a_matrix_function_has_its_derivative_transposed():
    expect("tr(expm(X))", "X", SQ, gradient="expm(X)'")
    expect("tr(logm(X))", "X", SQ, gradient="inv(X')")
    expect("tr(sqrtm(X))", "X", SQ, gradient="inv(sqrtm(X)')/2")


def test_trace_against_a_matrix_function_is_the_adjoint_frechet_derivative():
    expect("tr(A*expm(X))", "X", {"A": ("n", "n"), "X": ("n", "n")},
           gradient="frechet_expm(X', A')")
    expect("tr(A*sqrtm(X))", "X", {"A": ("n", "n"), "X": ("n", "n")},
           gradient="frechet_sqrtm(X', A')")


def test_trace_of_a_times_logm_of_a_symmetric_positive_definite_argument():
    # S = X'X + I is symmetric: the gradient by S is L_log(S, A'); by X, through S.
    expect("tr(A*logm(X'*X + I(n)))", "X", {"A": ("n", "n"), "X": ("n", "n")},
           gradient="X*(frechet_logm(X'*X + I(n), A') + frechet_logm(X'*X + I(n), A')')")


@pytest.mark.parametrize("name", ["expm", "logm", "sqrtm"])
def test_jacobian_of_a_matrix_function_is_its_frechet_kronecker_form(name):
    d = expect(f"{name}(X)", "X", SQ, jacobian=f"frechet_{name}(X)",
               jacobian_row=f"frechet_{name}(X')")
    assert str(d.jacobian()) == f"frechet_{name}(X)"


def test_the_kronecker_form_of_expm_prints_as_its_integral():
    d = matderiv.derive("expm(X)", wrt="X", shapes=SQ)
    assert to_latex(d.jacobian()) == (r"\int_0^1 e^{s X^T} \otimes e^{(1-s) X}\,"
                                      r"\mathrm{d}s")


def test_frechet_objects_agree_with_the_integral_and_the_sylvester_equation():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(4, 4)) / 2 + 2 * np.eye(4)
    e = rng.normal(size=(4, 4))
    # ∫₀¹ e^{sX} E e^{(1-s)X} ds by Gauss-Legendre quadrature (20 points: exact here)
    nodes, weights = np.polynomial.legendre.leggauss(20)
    integral = sum(w / 2 * mf.expm((t + 1) / 2 * x) @ e @ mf.expm((1 - t) / 2 * x)
                   for t, w in zip(nodes, weights, strict=True))
    assert np.allclose(mf.frechet("expm", x, e), integral, rtol=1e-10, atol=1e-12)
    # the Kronecker form: ∫₀¹ e^{sXᵀ} ⊗ e^{(1-s)X} ds
    kron = sum(w / 2 * np.kron(mf.expm((t + 1) / 2 * x.T), mf.expm((1 - t) / 2 * x))
               for t, w in zip(nodes, weights, strict=True))
    assert np.allclose(mf.frechet_matrix("expm", x), kron, rtol=1e-10, atol=1e-12)
    root = mf.sqrtm(x)
    low = mf.frechet("sqrtm", x, e)
    assert np.allclose(root @ low + low @ root, e)
    # expm(logm(X)) = X, and the logm Fréchet derivative inverts expm's at logm(X)
    log = mf.logm(x)
    assert np.allclose(mf.expm(log), x)
    assert np.allclose(mf.frechet("expm", log, mf.frechet("logm", x, e)), e)


def test_expm_is_exact_for_a_non_normal_matrix():
    # e^{[[a, b], [0, a]]} = e^a [[1, b], [0, 1]]: eigendecomposition would fail here.
    x = np.array([[0.5, 3.0], [0.0, 0.5]])
    assert np.allclose(mf.expm(x), np.exp(0.5) * np.array([[1, 3.0], [0, 1]]), rtol=1e-14)


# -- the pseudo-inverse ---------------------------------------------------------------------

def test_pinv_golub_pereyra():
    shapes = {"A": (5, 3), "X": (5, 3)}
    expect("tr(A*pinv(X))", "X", shapes,
           gradient="(I(5) - X*pinv(X))*A*inv(X'*X) - pinv(X)'*A'*pinv(X)'")
    d = matderiv.derive("tr(A*pinv(X))", wrt="X", shapes={"A": ("m", "n"), "X": ("m", "n")})
    assert to_text(d.gradient()) == "(I_m - X X⁺) A (Xᵀ X)⁻¹ - X⁺ᵀ Aᵀ X⁺ᵀ"
    assert d.check().max_error < 1e-6  # at full-column-rank points (tall X) only


def test_pinv_jacobian_and_least_squares_solution():
    for formula, shapes in [("pinv(X)", {"X": ("m", "n")}),
                            ("pinv(X)*y", {"X": ("m", "n"), "y": ("m", 1)})]:
        d = matderiv.derive(formula, wrt="X", shapes=shapes)
        report = d.check()
        assert all(sizes["m"] >= sizes["n"] for sizes in report.sizes)


# -- checks, claims, code, proofs, notes ------------------------------------------------

CHECKED = [("eigmax(X + X')", "X", SQ), ("eigmin(X'*X)", "X", RECT),
           ("norm(X, 2)", "X", RECT), ("nucnorm(X)", "X", RECT),
           ("tr(expm(X))", "X", SQ), ("expm(X)", "X", SQ), ("logm(X)", "X", SQ),
           ("sqrtm(X)", "X", SQ),
           ("tr(A*logm(X'*X + I(n)))", "X", {"A": ("n", "n"), "X": ("n", "n")}),
           ("tr(A*pinv(X))", "X", {"A": ("m", "n"), "X": ("m", "n")}),
           ("expm(t*A)", "t", {"A": ("n", "n"), "t": ()})]


@pytest.mark.parametrize("formula, wrt, shapes", CHECKED)
def test_check_agrees_with_finite_differences(formula, wrt, shapes):
    assert matderiv.derive(formula, wrt=wrt, shapes=shapes).check().max_error < 1e-6


@pytest.mark.parametrize("formula, wrt, shapes, right, wrong", [
    ("eigmax(X + X')", "X", SQ, "2*eigvec_max(X + X')*eigvec_max(X + X')'",
     "eigvec_max(X + X')*eigvec_max(X + X')'"),
    ("tr(expm(X))", "X", SQ, "expm(X)'", "expm(X)"),
    ("tr(logm(X))", "X", SQ, "inv(X)'", "inv(X)"),
    ("norm(X, 2)", "X", RECT, "svd_uv1(X)", "svd_uv(X)"),
    ("expm(X)", "X", SQ, "frechet_expm(X)", "kron(expm(X)', expm(X))"),
])
def test_claims_are_judged(formula, wrt, shapes, right, wrong):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    assert d.check_claim(right).verdict == "correct"
    assert d.check_claim(wrong).verdict == "wrong"


CODED = [("eigmax(X'*X)", "X", RECT), ("eigmin(X'*X)", "X", RECT),
         ("norm(X, 2) + nucnorm(X)", "X", RECT),
         ("tr(A*expm(X))", "X", {"A": ("n", "n"), "X": ("n", "n")}),
         ("expm(X)", "X", SQ), ("logm(X)", "X", SQ), ("sqrtm(X)", "X", SQ),
         ("tr(A*logm(X'*X + I(n)))", "X", {"A": ("n", "n"), "X": ("n", "n")}),
         ("tr(A*pinv(X))", "X", {"A": (5, 3), "X": (5, 3)})]


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
@pytest.mark.parametrize("formula, wrt, shapes", CODED)
def test_generated_code_agrees(formula, wrt, shapes, backend):
    if backend != "numpy":
        library = pytest.importorskip(backend)
        if backend == "jax":
            library.config.update("jax_enable_x64", True)
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    kinds = ["gradient", "value_and_gradient"] if d.is_scalar else ["jacobian", "jvp"]
    values = random_values(d.expr, d.variable, np.random.default_rng(3))
    rng = np.random.default_rng(4)
    direction = rng.normal(size=values["X"].shape)
    for kind in kinds:
        # with_check: the module tests itself against finite differences as it is made
        function = d.to_function(kind, backend=backend, with_check=backend == "numpy")
        code = function.__code__
        wanted = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
        arguments = {name: values[name] if name != "V" else direction for name in wanted}
        if backend == "torch":
            import torch
            arguments = {k: torch.as_tensor(v) if not isinstance(v, int) else v
                         for k, v in arguments.items()}
        computed = function(**arguments)
        if kind == "value_and_gradient":
            assert np.isclose(float(computed[0]), d.evaluate(d.expr, values))
            computed = computed[1]
        computed = np.asarray(computed, dtype=float)
        result = d.gradient() if d.is_scalar else d.jacobian()
        expected = d.evaluate(result, values)
        if kind == "jvp":
            expected = expected @ direction.reshape(-1, 1, order="F")
        assert np.allclose(computed.reshape(expected.shape), expected, rtol=1e-9, atol=1e-11)


def test_generated_jvp_applies_the_frechet_derivative_without_forming_it():
    d = matderiv.derive("expm(X)", wrt="X", shapes=SQ)
    source = d.to_source("jvp")
    assert "_frechet_apply(_expm" in source and "kron" not in source
    rng = np.random.default_rng(5)
    x, v = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    applied = np.asarray(d.to_function("jvp")(X=x, V=v)).reshape(-1)
    assert np.allclose(applied, mf.frechet_matrix("expm", x) @ v.reshape(-1, order="F"))


def test_no_elementwise_proof_says_why_and_the_rules_proof_cites_sources():
    d = matderiv.derive("tr(expm(X))", wrt="X", shapes=SQ)
    with pytest.raises(MatDerivError, match="no finite index formula"):
        d.proof_text("elementwise")
    assert "d-expm" in d.rules_used() and "Higham" in d.proof_text("rules")


@pytest.mark.parametrize("formula, shapes, note", [
    ("eigmax(X + X')", SQ, "simple"), ("norm(X, 2)", RECT, "simple"),
    ("nucnorm(X)", RECT, "full rank"), ("tr(A*pinv(X))", {"A": ("m", "n"), "X": ("m", "n")},
                                         "full column rank"),
    ("tr(logm(X))", SQ, "principal logarithm"),
])
def test_results_state_their_assumptions(formula, shapes, note):
    report = derivation_report(matderiv.derive(formula, wrt="X", shapes=shapes),
                               kind="gradient")
    assert any(note in text for text in report["notes"])


# -- the grammar ------------------------------------------------------------------------------

@pytest.mark.parametrize("formula, shapes, message", [
    ("eigmax(X)", SQ, "symmetric argument"),
    ("eigmin(A*X)", {"A": ("n", "n"), "X": ("n", "n")}, r"write eigmin\(\(A\*X \+ \(A\*X\)'\)/2\)"),
    ("expm(X)", RECT, "needs a square matrix"),
    ("pinv(X)", {"X": (2, 3)}, "full column rank"),
    ("norm(X, 3)", SQ, "induced"),
    ("frechet_expm(X, Y)", {"X": ("n", "n"), "Y": ("n", "m")}, "E of X's shape"),
])
def test_bad_calls_are_refused_clearly(formula, shapes, message):
    with pytest.raises(MatDerivError, match=message):
        matderiv.derive(formula, wrt="X", shapes=shapes)


def test_cli_refuses_a_non_symmetric_argument_with_exit_2():
    from click.testing import CliRunner

    from matderiv.cli import main
    result = CliRunner().invoke(main, ["derive", "eigmax(X)", "--wrt", "X", "-s", "X=n,n"])
    assert result.exit_code == 2 and "symmetric" in result.output


def test_latex_input_reads_the_norms_and_the_functions():
    d = matderiv.derive(r"\|X\|_* + \|X\|_2 + \operatorname{tr}(\operatorname{expm}(X))",
                        wrt="X", shapes=SQ, syntax="latex")
    assert to_text(d.gradient()) == "svd_uv(X) + svd_uv1(X) + expm(X)ᵀ"


def test_of_a_scalar_the_matrix_functions_are_the_scalar_ones():
    d = matderiv.derive("expm(s) + logm(s) + sqrtm(s) + pinv(s)", wrt="s", shapes={"s": ()})
    assert d.check().max_error < 1e-6


def test_the_independent_reader_reads_every_function():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4, 4)) / 2 + 3 * np.eye(4)
    e = rng.normal(size=(4, 4))
    for name in ("expm", "logm", "sqrtm"):
        assert np.allclose(direct_value(f"{name}(X)", {"X": x}), mf.MATRIX_FUNCTIONS[name](x))
        assert np.allclose(direct_value(f"frechet_{name}(X, E)", {"X": x, "E": e}),
                           mf.frechet(name, x, e))
    a = rng.normal(size=(5, 3))
    assert np.isclose(direct_value("eigmax(A'*A)", {"A": a}), np.linalg.norm(a, 2) ** 2)
    assert np.allclose(direct_value("pinv(A)*A", {"A": a}), np.eye(3))


def test_hessians_through_matrix_functions_and_their_limits():
    for formula in ("tr(expm(X))", "tr(logm(X))", "tr(sqrtm(X))"):
        d = matderiv.derive(formula, wrt="X", shapes=SQ)
        assert d.check(hessian=True).max_error < 1e-6
    for formula in ("tr(A*pinv(X))", "y'*X*pinv(X)*y"):  # (a projection: y' P y)
        d = matderiv.derive(formula, wrt="X", shapes={"A": ("m", "n"), "X": ("m", "n"),
                                                       "y": ("m", 1)})
        assert d.check(hessian=True).max_error < 1e-6
    d = matderiv.derive("eigmax(X + X')", wrt="X", shapes=SQ)
    with pytest.raises(MatDerivError, match="no differential rule applies"):
        d.hessian()  # (second derivatives of eigenvalues: refused, never zero)


def test_latex_input_reads_extreme_eigenvalues_and_the_pseudo_inverse():
    shapes = {"X": ("m", "n"), "A": ("m", "n")}
    text = r"\lambda_{\max}(X^\top X) - \lambda_\min(X^\top X) + \operatorname{tr}(A X^{+})"
    d = matderiv.derive(text, wrt="X", shapes=shapes, syntax="latex")
    same = matderiv.derive("eigmax(X'*X) - eigmin(X'*X) + tr(A*pinv(X))", wrt="X",
                           shapes=shapes)
    assert d.gradient() == same.gradient() and d.check().max_error < 1e-6
    dagger = matderiv.derive(r"\operatorname{tr}(A X^\dagger)", wrt="X", shapes=shapes,
                             syntax="latex")
    assert dagger.gradient() == matderiv.derive("tr(A*pinv(X))", wrt="X",
                                                shapes=shapes).gradient()
    # a name lambda_1, and x^{+2}, are read as before
    assert str(matderiv.derive(r"\lambda_1 x^{+2}", wrt="x", shapes={"x": ()},
                               syntax="latex").gradient()) == "2*lambda_1*x"


def test_the_structural_symmetry_condition():
    from sympy import Identity, MatrixSymbol
    from sympy.matrices.expressions.diagonal import DiagMatrix

    from matderiv.engine.conditions import CONDITIONS
    symmetric = CONDITIONS["structurally_symmetric"]
    X, A = MatrixSymbol("X", 3, 3), MatrixSymbol("A", 4, 3)
    x = MatrixSymbol("x", 4, 1)
    for yes in (X + X.T, X.T * X, A.T * DiagMatrix(x) * A, X.T * X + Identity(3),
                (X.T * X).inverse(), A * (X + X.T) * A.T):
        assert symmetric(yes, context=None), yes
    B = MatrixSymbol("B", 3, 3)
    assert symmetric(X * B + (X * B).T + X.T * X, context=None)  # a term and its transpose
    assert symmetric(B + X.T + (B + X.T).T, context=None)  # the transpose of a sum
    assert symmetric((X * B).T * (X * B), context=None)  # (X B)' (X B) = B' X' X B
    for no in (X, X * X, A.T * A * X, X + X, X + X.T + B, X.T * B * X):
        assert not symmetric(no, context=None), no


@pytest.mark.parametrize("formula, textbook", [
    ("tr(expm(A + t*B))", "tr(expm(A + t*B)*B)"),
    ("tr(logm(A + t*B + t^2*C))", "tr(inv(A + t*B + t^2*C)*B) + 2*t*tr(inv(A + t*B + t^2*C)*C)"),
    ("tr(sqrtm(A + t*B))", "tr(inv(sqrtm(A + t*B))*B)/2"),
])
def test_by_a_scalar_the_trace_of_a_matrix_function(formula, textbook):
    shapes = {"A": ("n", "n"), "B": ("n", "n"), "C": ("n", "n"), "t": ()}
    d = matderiv.derive(formula, wrt="t", shapes=shapes)
    assert d.check().max_error < 1e-6
    assert d.check_claim(textbook).verdict == "correct"
    assert d.jacobian() == build_expected(textbook, d, shielded=False)


def test_by_a_scalar_a_matrix_function_is_its_frechet_derivative():
    shapes = {"A": ("n", "n"), "B": ("n", "n"), "C": ("n", "n"), "t": ()}
    for name in ("expm", "logm", "sqrtm"):
        d = matderiv.derive(f"{name}(A + t*B + t^2*C)", wrt="t", shapes=shapes)
        assert d.check().max_error < 1e-6
        assert d.check_claim(f"vec(frechet_{name}(A + t*B + t^2*C, B + 2*t*C))").verdict \
            == "correct"


@pytest.mark.parametrize("formula", ["eigmax(X + X')*X", "(a'*(X*X + (X*X)')*a)*X"])
def test_a_matrix_scaled_by_a_sum_of_inner_products(formula):
    d = matderiv.derive(formula, wrt="X", shapes={"X": ("n", "n"), "a": ("n", 1)})
    assert "vec-scalar-sum-term" in d.rules_used("jacobian-col")
    assert d.check().max_error < 1e-6


@pytest.mark.parametrize("formula, shapes", [
    ("eigmax(X'*X)", {"X": ("n", "m")}),
    ("tr(expm(X))", {"X": ("n", "n")}),
    ("tr(A*pinv(X))", {"A": ("n", "m"), "X": ("n", "m")}),
    ("nucnorm(X)", {"X": ("n", "m")}),
    ("tr(C*frechet_expm(X, E))", {"C": ("n", "n"), "X": ("n", "n"), "E": ("n", "n")}),
])
def test_shapes_are_inferred_through_the_new_functions(formula, shapes):
    d = matderiv.derive(formula, wrt="E" if "E" in shapes else "X")
    assert {name: tuple(str(s) for s in shape)
            for name, shape in d.inferred_shapes.items()} == shapes
    assert d.check().max_error < 1e-6


@pytest.mark.parametrize("name", ["expm", "logm", "sqrtm"])
def test_a_frechet_derivative_is_linear_in_its_direction(name):
    shapes = {"X": ("n", "n"), "E": ("n", "n"), "C": ("n", "n")}
    d = matderiv.derive(f"tr(C*frechet_{name}(X'*X + I(n), E))", wrt="E", shapes=shapes)
    d.check()  # (raises where the differences disagree, relative to e^(X'X + I)'s size)
    assert d.check_claim(f"frechet_{name}(X'*X + I(n), C')").verdict == "correct"
    with pytest.raises(MatDerivError, match="no differential rule applies"):
        matderiv.derive(f"tr(frechet_{name}(X, E))", wrt="X", shapes=shapes)

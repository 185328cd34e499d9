"""Complex matrices: Wirtinger derivatives (issue 26).

Every result is checked twice: against the expected closed form (written in the complex
grammar and evaluated at random complex points) and by ``check()``, which compares with
finite differences along real and imaginary directions.
"""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest

import matderiv
from matderiv import MatDerivError, derive
from matderiv.numeric.complex_check import point
from matderiv.numeric.complex_values import complex_evaluate

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import complex_strategies  # noqa: E402


def expected_value(d, text, values):
    """The expected result, written in the complex grammar with d's names, at values."""
    built = d.reading.builder(text).build_text(text)
    symbols = [s for s in d.env.values() if hasattr(s, "shape")]
    return complex_evaluate(built, values, symbols=symbols)


def assert_result(d, result, expected_text, *, points=3):
    """``result`` equals ``expected_text`` at random complex points, and every result of
    ``d`` agrees with Wirtinger finite differences."""
    rng = np.random.default_rng(5)
    symbols = [s for s in d.env.values() if hasattr(s, "shape")]
    for _ in range(points):
        values = point(d, rng)
        got = np.asarray(complex_evaluate(result, values, symbols=symbols))
        want = np.asarray(expected_value(d, expected_text, values))
        assert got.shape == want.shape or got.size == want.size == 1
        np.testing.assert_allclose(got.reshape(want.shape) if got.size == want.size else got,
                                   want, rtol=1e-9, atol=1e-9)
    assert d.check().passed


# -- the examples ----------------------------------------------------------------

def test_least_squares_gradient_is_a_hermitian_times_residual():
    d = derive("norm(A*z - b)^2", wrt="z", shapes={"A": ("m", "n"), "z": ("n", 1)},
               complex=["A", "z", "b"])
    assert str(d.gradient()) == "Abar.T*(A*z - b)"
    assert_result(d, d.gradient(), "A'*(A*z - b)")


def test_hermitian_quadratic_form_gradient_is_h_z():
    d = derive("z'*H*z", wrt="z", shapes={"z": ("n", 1)}, complex=["z"], hermitian=["H"])
    assert str(d.gradient()) == "H*z"
    assert_result(d, d.gradient(), "H*z")
    # ∂F/∂z is the conjugate of ∂F/∂z̄ for a real F: zᴴ H as a row.
    assert_result(d, d.jacobian(), "z'*H")


def test_general_quadratic_form_is_complex_and_has_no_gradient():
    d = derive("z'*A*z", wrt="z", shapes={"z": ("n", 1)}, complex=["z", "A"])
    with pytest.raises(MatDerivError, match="complex-valued.*jacobian"):
        d.gradient()
    assert_result(d, d.jacobian(), "z'*A")            # ∂/∂z, z̄ held fixed
    assert_result(d, d.jacobian(conjugate=True), "(A*z).'")  # ∂/∂z̄
    # Its real part has the gradient (A + Aᴴ) z / 2.
    real_part = derive("real(z'*A*z)", wrt="z", shapes={"z": ("n", 1)}, complex=["z", "A"])
    assert_result(real_part, real_part.gradient(), "(A + A')*z/2")


def test_inverse_is_holomorphic():
    d = derive("inv(X)", wrt="X", complex=["X"])
    assert str(d.jacobian()) == "-(KroneckerProduct(X.T**(-1), X**(-1)))"
    assert_result(d, d.jacobian(), "-kron(inv(X.'), inv(X))")
    conjugate = d.jacobian(conjugate=True)
    assert conjugate.is_ZeroMatrix and conjugate.shape == (d.variable.shape[0] ** 2,) * 2


# -- Matrix Cookbook ch. 4 (complex derivatives) and Hjørungnes 2011 ----------------------

@pytest.mark.parametrize("formula, wrt, names, gradient", [
    ("tr(Z*Z')", "Z", ["Z"], "Z"),                      # ‖Z‖_F²: ∂/∂Z̄ = Z
    ("norm(Z)^2", "Z", ["Z"], "Z"),
    ("real(tr(A*Z))", "Z", ["A", "Z"], "A'/2"),         # dF = Re tr(A dZ): the factor 2
    ("imag(tr(A*Z))", "Z", ["A", "Z"], "-A'/(2*i_)"),
    ("sum(abs(z).^2)", "z", ["z"], "z"),                 # |z|² entry by entry
    ("z'*z", "z", ["z"], "z"),
    ("real(w'*z)", "z", ["w", "z"], "w/2"),
    ("abs(tr(Z))^2", "Z", ["Z"], "tr(Z)*I(n)"),
    ("logdet(Z'*Z)", "Z", ["Z"], "Z*inv(Z'*Z)"),        # Hjørungnes Table 4.3
])
def test_cookbook_gradients_of_real_functions(formula, wrt, names, gradient):
    shapes = {"Z": ("m", "n"), "A": ("n", "m"), "z": ("n", 1), "w": ("n", 1)}
    if formula in ("abs(tr(Z))^2", "logdet(Z'*Z)"):  # square (Z'*Z invertible)
        shapes["Z"] = ("n", "n")
    d = derive(formula, wrt=wrt, shapes={k: v for k, v in shapes.items() if k in names},
               complex=names)
    assert d.is_real()
    if "i_" in gradient:  # i is not in the grammar: -A'/(2i) = i A'/2, checked directly
        rng = np.random.default_rng(1)
        values = point(d, rng)
        got = complex_evaluate(d.gradient(), values, symbols=[d.env["A"], d.env["Z"]])
        np.testing.assert_allclose(got, 1j * values["A"].conj().T / 2, atol=1e-12)
        assert d.check().passed
    else:
        assert_result(d, d.gradient(), gradient)


@pytest.mark.parametrize("formula, jacobian, conjugate", [
    ("tr(A*Z)", "vec(A.').'", None),                    # holomorphic: ∂/∂Z̄ = 0
    ("tr(A*Z')", None, "vec(A).'"),                     # anti-holomorphic: ∂/∂Z = 0
    ("det(Z)", "det(Z)*vec(inv(Z).').'", None),          # Cookbook (Jacobi), holomorphic
    ("A*conj(Z)", None, "kron(I(n), A)"),
    ("Z'", "0*K(n, n)", "K(n, n)"),                    # dZᴴ = (dZ̄)ᵀ
    ("Z*Z", "kron(I(n), Z) + kron(Z.', I(n))", None),
])
def test_cookbook_jacobians(formula, jacobian, conjugate):
    d = derive(formula, wrt="Z", shapes={"Z": ("n", "n"), "A": ("n", "n")},
               complex=[n for n in ("Z", "A") if n in formula])
    for result, text in ((d.jacobian(), jacobian), (d.jacobian(conjugate=True), conjugate)):
        if text is None:
            assert result.is_ZeroMatrix or result == 0
        else:
            assert_result(d, result, text)


def test_transposes_plain_and_conjugate():
    d = derive("z.'*z", wrt="z", shapes={"z": ("n", 1)}, complex=["z"])
    assert_result(d, d.jacobian(), "2*z.'")
    assert d.jacobian(conjugate=True).is_ZeroMatrix
    same = derive("z.T*z", wrt="z", shapes={"z": ("n", 1)}, complex=["z"])
    assert same.jacobian() == d.jacobian()


def test_real_variable_of_a_complex_formula():
    d = derive("norm(A*x - b)^2", wrt="x", shapes={"A": ("m", "n"), "x": ("n", 1)},
               complex=["A", "b"])
    # dF = 2 Re((Ax − b)ᴴ A dx): the ordinary gradient 2 Re(Aᴴ(Ax − b)).
    assert_result(d, d.gradient(), "A'*(A*x - b) + A.'*conj(A*x - b)")
    with pytest.raises(MatDerivError, match="real"):
        d.jacobian(conjugate=True)


# -- proofs show the conjugates ----------------------------------------------------------

def test_proofs_name_the_conjugate_and_the_convention():
    d = derive("z'*H*z", wrt="z", shapes={"z": ("n", 1)}, complex=["z"], hermitian=["H"])
    text = d.proof_text("both")
    assert "zbar" in text and "Brandwood" in text and "2 Re" in text
    assert "Element-wise proof" in text
    assert r"\bar{z}" in d.latex()
    assert "d-transpose" in d.rules_used("gradient")


# -- refusals: one error naming the cause ------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: derive("relu(Z)", wrt="Z", complex=["Z"]), "relu.*no complex rule"),
    (lambda: derive("dot(z, w)", wrt="z", complex=["z", "w"]), "ambiguous"),
    (lambda: derive("f(Z)", wrt="Z", complex=["Z"]), "no complex rule"),
    (lambda: derive("tr(Z)", wrt="Z", complex=["Y"]), "not a name"),
    (lambda: derive("z'*H*z", wrt="H", complex=["z"], hermitian=["H"]), "hermitian"),
    (lambda: derive("tr(Z + Zbar)", wrt="Z", complex=["Z"]), "rename"),
    (lambda: derive("k*tr(Z)", wrt="Z", complex=["Z", "k"]), "scalar"),
    (lambda: derive("tr(Z)", wrt="Z", complex=["Z"]).hessian(), "Hessian"),
    (lambda: derive("tr(Z)", wrt="Z", complex=["Z"]).to_source(backend="jax"),
     "generated code"),
    (lambda: derive("tr(Z)", wrt="Z", complex=["Z"]).to_source(with_check=True),
     "generated code"),
    (lambda: derive("imag(tr(Z))", wrt="Z", complex=["Z"]).proof("elementwise"), "i \\(imag\\)"),
    (lambda: derive("tr(Z)", wrt="Z", complex=["Z"], syntax="latex"), "LaTeX"),
    (lambda: derive("tr(Z)", wrt="Z", complex=["Z"]).check_claim("I(n)", layout="denominator"),
     "numerator"),
    (lambda: derive("Z*A", wrt="Z", complex=["Z"]).gradient(), "not a scalar"),
    (lambda: derive("norm(Z, 1)", wrt="Z", complex=["Z"]), "Frobenius"),
])
def test_refusals(call, message):
    with pytest.raises(MatDerivError, match=message):
        call()


def test_a_wrong_result_is_caught_by_the_complex_check(monkeypatch):
    d = derive("z'*H*z", wrt="z", shapes={"z": ("n", 1)}, complex=["z"], hermitian=["H"])
    wrong = 2 * d.gradient()  # the real-calculus gradient (H + Hᵀ) z̄ confusion: factor 2
    monkeypatch.setattr(type(d), "gradient", lambda self: wrong)
    with pytest.raises(MatDerivError, match="WRONG"):
        d.check()


def test_real_formulas_read_as_before():
    # conj, real and imag of real names, and .' as the transpose.
    assert derive("tr(conj(X).'*A) + tr(real(X)) + sum(imag(X))", wrt="X",
                  shapes={"X": ("n", "n"), "A": ("n", "n")}).check().passed


# -- generated code, claims, the JSON API -----------------------------------------------

@pytest.mark.parametrize("formula, kind, conjugate, names, hermitian", [
    ("norm(A*z - b)^2", "gradient", False, ["A", "z", "b"], []),
    ("imag(z'*A*z)", "gradient", False, ["A", "z"], []),
    ("z'*H*z", "gradient", False, ["z"], ["H"]),
    ("inv(Z)*B", "jacobian", False, ["Z"], []),
    ("Z'*A*Z", "jacobian", True, ["Z", "A"], []),
])
def test_generated_numpy_code_is_complex(formula, kind, conjugate, names, hermitian):
    var = "z" if "z" in names else "Z"
    d = derive(formula, wrt=var, complex=names, hermitian=hermitian)
    function = d.to_function(kind, conjugate=conjugate)
    result = d.gradient() if kind == "gradient" else d.jacobian(conjugate=conjugate)
    values = point(d, np.random.default_rng(3))
    arguments = {n: values[n] for n in d.names}
    got = function(**arguments)
    assert np.iscomplexobj(got)
    np.testing.assert_allclose(got, complex_evaluate(result, values, symbols=[
        s for s in d.env.values() if hasattr(s, "shape")]), rtol=1e-10, atol=1e-12)
    assert d.check().passed


def test_claims_name_the_usual_mistakes():
    d = derive("norm(A*z - b)^2", wrt="z", complex=["A", "z", "b"])
    assert d.check_claim("A'*(A*z - b)").verdict == "correct"
    factor = d.check_claim("2*A'*(A*z - b)")
    assert factor.verdict == "wrong" and factor.explanation.startswith("wrong by a factor 2")
    conjugated = d.check_claim("A.'*conj(A*z - b)")
    assert conjugated.explanation.startswith("the conjugate")
    assert d.check_claim("A.'*(A*z - b)").verdict == "wrong"
    holomorphic = derive("z.'*A*z", wrt="z", complex=["z", "A"])
    assert holomorphic.check_claim("z.'*(A + A.')", kind="jacobian").verdict == "correct"
    other = holomorphic.check_claim("z.'*(A + A.')", conjugate=True)
    assert other.explanation.startswith("the other Jacobian") and other.exit_code == 1


def test_json_api_carries_complex_names():
    from matderiv.api.service import derive_request
    answer = derive_request({"formula": "z'*H*z", "wrt": "z", "complex": ["z"],
                             "hermitian": ["H"]})
    assert answer["statement"]["text"].endswith("= H z")
    assert answer["check"]["passed"] and "2 Re" in answer["convention"]
    assert "zbar" in answer["proofs"]["rules"]["text"]
    zero = derive_request({"formula": "inv(X)", "wrt": "X", "complex": ["X"],
                           "conjugate": True, "proof": "none"})
    assert zero["statement"]["text"].endswith("= 0") and zero["check"]["passed"]
    with pytest.raises(MatDerivError, match="conjugate"):
        derive_request({"formula": "inv(X)", "wrt": "X", "conjugate": True})


# -- CLI -------------------------------------------------------------------------------

def test_cli_complex_gradient_and_conjugate_jacobian():
    run = [sys.executable, "-m", "matderiv.cli"]
    out = subprocess.run(run + ["derive", "norm(A*z - b)^2", "--wrt", "z", "--complex", "z",
                                "--complex", "A", "--complex", "b", "--check"],
                         capture_output=True, text=True, check=True).stdout
    assert "Aᴴ (A z - b)" in out and "2 Re" in out and "agrees" in out
    out = subprocess.run(run + ["derive", "inv(X)", "--wrt", "X", "--complex", "X",
                                "--conjugate"], capture_output=True, text=True).stdout
    assert "= 0" in out
    bad = subprocess.run(run + ["derive", "z'*A*z", "--wrt", "z", "--complex", "z"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "complex-valued" in bad.stderr and "Traceback" not in bad.stderr
    claim = subprocess.run(run + ["check", "z'*H*z", "--wrt", "z", "--complex", "z",
                                  "--hermitian", "H", "--claim", "2*H*z"],
                           capture_output=True, text=True)
    assert claim.returncode == 1 and "factor 2" in claim.stdout
    code = subprocess.run(run + ["codegen", "z'*H*z", "--wrt", "z", "--complex", "z",
                                 "--hermitian", "H"], capture_output=True, text=True,
                          check=True).stdout
    assert "dtype=complex" in code and "def gradient_z(*, H, z):" in code


# -- random formulas ----------------------------------------------------------------------

def test_random_complex_formulas_are_never_wrong():
    tally = complex_strategies.run(40, seed=7)
    assert tally["wrong"] == 0, tally["wrong_problems"]
    assert tally["right"] >= 30  # most draws are derived and checked, not refused


def test_strategy_draws_are_reproducible():
    one = complex_strategies.random_complex_problem(random.Random(4))
    assert one == complex_strategies.random_complex_problem(random.Random(4))
    assert matderiv.derive  # the package imports once for all


@pytest.mark.parametrize("wrt", ["z", "B"])
def test_real_only_functions_keep_their_real_meaning_beside_complex_names(wrt):
    # relu, abs and sign of the real B: evaluated as real; z complex.
    d = derive("norm(relu(B)*z)^2 + sum(abs(B)*abs(z))", wrt=wrt, complex=["z"])
    assert d.is_real()
    assert d.check().passed
    with pytest.raises(MatDerivError, match="relu"):
        derive("sum(relu(B*z))", wrt=wrt, complex=["z"])


def test_docs_examples_print_what_docs_complex_shows():
    import re
    import shlex
    from pathlib import Path

    from click.testing import CliRunner

    from matderiv.cli import main
    docs = Path(__file__).resolve().parents[1] / "docs" / "complex.md"
    if not docs.is_file():
        pytest.skip("docs/complex.md is not beside this copy of the tests")
    blocks = re.findall(r"```text\n(.*?)```", docs.read_text(encoding="utf-8"), flags=re.S)
    commands = 0
    for block in blocks:
        lines = block.rstrip("\n").split("\n")
        for i, line in enumerate(lines):
            if not line.startswith("$ matderiv "):
                continue
            shown = []
            for after in lines[i + 1:]:
                if after.startswith("$ "):
                    break
                shown.append(after)
            out = CliRunner().invoke(main, shlex.split(line[len("$ matderiv "):]))
            assert out.exit_code == 0, out.output
            printed = out.output.split("\n")
            for want, got in zip(shown, printed, strict=False):
                assert got.startswith(want[:-1]) if want.endswith("…") else got == want
            commands += 1
    assert commands >= 4


# -- Matrix Cookbook §4.1.2 (traces) and §4.1.3 (determinants): by Re X and by Im X ------
# The Cookbook states ∂F/∂ReX and ∂F/∂ImX; with Wirtinger's ∂F/∂X and ∂F/∂X̄ (as matrices
# G, Ḡ' of X's shape) they are ∂F/∂ReX = G + Ḡ', ∂F/∂ImX = i (G − Ḡ').

def _re_im(d, values):
    shape = np.asarray(values[d.variable.name]).shape
    symbols = [s for s in d.env.values() if hasattr(s, "shape")]
    by_z = np.asarray(complex_evaluate(d.jacobian(), values, symbols=symbols))
    by_zbar = np.asarray(complex_evaluate(d.jacobian(conjugate=True), values, symbols=symbols))
    by_z = np.broadcast_to(by_z, (1, int(np.prod(shape)))).reshape(shape, order="F")
    by_zbar = np.broadcast_to(by_zbar, (1, int(np.prod(shape)))).reshape(shape, order="F")
    return by_z + by_zbar, 1j * (by_z - by_zbar)


@pytest.mark.parametrize("formula, by_re, by_im", [
    ("tr(A*X')", lambda v: v["A"], lambda v: -1j * v["A"]),
    ("tr(A*conj(X))", lambda v: v["A"].T, lambda v: -1j * v["A"].T),
    ("tr(X*X')", lambda v: 2 * v["X"].real, lambda v: 2 * v["X"].imag),
    ("tr(X*conj(X))", lambda v: 2 * v["X"].real.T, lambda v: 2 * v["X"].imag.T),
    ("tr(X*X.')", lambda v: 2 * v["X"], lambda v: 2j * v["X"]),
    ("tr(conj(X))", lambda v: np.eye(len(v["X"])), lambda v: -1j * np.eye(len(v["X"]))),
])
def test_cookbook_derivatives_by_real_and_imaginary_parts(formula, by_re, by_im):
    d = derive(formula, wrt="X", shapes={"X": ("n", "n"), "A": ("n", "n")},
               complex=[n for n in ("X", "A") if n in formula])
    rng = np.random.default_rng(2)
    for _ in range(3):
        values = point(d, rng)
        re, im = _re_im(d, values)
        np.testing.assert_allclose(re, by_re(values), atol=1e-10)
        np.testing.assert_allclose(im, by_im(values), atol=1e-10)
    assert d.check().passed


def test_cookbook_determinant_of_a_hermitian_form():
    # §4.1.3: F = det(Xᴴ H X), H Hermitian, is real; ∂F/∂X̄ = F H X (Xᴴ H X)⁻¹.
    d = derive("det(X'*H*X)", wrt="X", shapes={"X": ("n", 2)}, complex=["X"],
               hermitian=["H"])
    assert d.is_real()
    assert_result(d, d.gradient(), "det(X'*H*X)*H*X*inv(X'*H*X)")


def test_rayleigh_quotient_of_two_hermitian_matrices():
    # The generalised Rayleigh quotient R: ∂R/∂z̄ = (Hz − R Gz)/(zᴴGz) (Hjørungnes 2011).
    d = derive("(z'*H*z)/(z'*G*z)", wrt="z", shapes={"z": ("n", 1)}, complex=["z"],
               hermitian=["H", "G"])
    assert_result(d, d.gradient(),
                  "(H*z - (z'*H*z)/(z'*G*z)*G*z)/(z'*G*z)")


# -- the reading itself, against NumPy's meaning of the same formula ---------------------
# The numeric check differentiates the formula as read; here the reading is compared with
# the formula's meaning computed directly, so a misreading cannot check itself.

@pytest.mark.parametrize("formula, meaning", [
    ("A'*z", lambda v: v["A"].conj().T @ v["z"]),
    ("A.'*z", lambda v: v["A"].T @ v["z"]),
    ("A.T*z", lambda v: v["A"].T @ v["z"]),
    ("(A*Z)'", lambda v: (v["A"] @ v["Z"]).conj().T),
    ("conj(A*Z)", lambda v: (v["A"] @ v["Z"]).conj()),
    ("real(A*Z) + imag(Z)", lambda v: (v["A"] @ v["Z"]).real + v["Z"].imag),
    ("abs(Z)", lambda v: np.abs(v["Z"])),
    ("abs(Z).^2", lambda v: np.abs(v["Z"]) ** 2),
    ("norm(Z)", lambda v: np.linalg.norm(v["Z"])),
    ("norm(z, 2)^2", lambda v: np.linalg.norm(v["z"]) ** 2),
    ("z'*H*z", lambda v: (v["z"].conj().T @ v["H"] @ v["z"]).item()),
    ("H'*z", lambda v: v["H"].conj().T @ v["z"]),
    ("conj(H)*z", lambda v: v["H"].conj() @ v["z"]),
    ("inv(Z)'", lambda v: np.linalg.inv(v["Z"]).conj().T),
    ("exp(Z)'", lambda v: np.exp(v["Z"]).conj().T),
    ("det(Z')", lambda v: np.linalg.det(v["Z"].conj().T)),
    ("abs(tr(Z))", lambda v: abs(np.trace(v["Z"]))),
    ("imag(z'*z)", lambda v: 0.0),
    ("B'*z", lambda v: v["B"].T @ v["z"]),
])
def test_the_reading_means_what_the_formula_says(formula, meaning):
    shapes = {"A": ("n", "n"), "Z": ("n", "n"), "z": ("n", 1), "H": ("n", "n"),
              "B": ("n", "n")}
    names = [n for n in ("A", "Z", "z") if n in formula]
    used = {k: v for k, v in shapes.items() if k in formula}
    wrt = next(n for n in ("Z", "z", "A", "B") if n in formula)
    d = derive(formula, wrt=wrt, shapes=used, complex=names,
               hermitian=["H"] if "H" in formula else [])
    rng = np.random.default_rng(9)
    for _ in range(3):
        values = point(d, rng)
        got = complex_evaluate(d.expr, values)
        np.testing.assert_allclose(np.asarray(got).reshape(np.shape(meaning(values))),
                                   meaning(values), rtol=1e-12, atol=1e-12)


def test_generated_value_and_gradient_returns_the_real_value():
    d = derive("norm(A*z - b)^2", wrt="z", complex=["A", "z", "b"])
    function = d.to_function("value_and_gradient")
    values = point(d, np.random.default_rng(4))
    value, gradient = function(A=values["A"], b=values["b"], z=values["z"])
    assert np.isrealobj(value)
    np.testing.assert_allclose(value, complex_evaluate(d.expr, values).real, rtol=1e-12)
    np.testing.assert_allclose(gradient, complex_evaluate(d.gradient(), values), rtol=1e-12)
    with pytest.raises(MatDerivError, match="complex-valued"):
        derive("z.'*z", wrt="z", complex=["z"]).to_source("value_and_gradient")


def test_the_complex_check_catches_jacobians_swapped(monkeypatch):
    d = derive("z'*A*z", wrt="z", shapes={"z": ("n", 1)}, complex=["z", "A"])
    by_z, by_zbar = d.jacobian(), d.jacobian(conjugate=True)
    monkeypatch.setattr(type(d), "jacobian",
                        lambda self, vec="col", layout=None, conjugate=False:
                        by_z if conjugate else by_zbar)
    with pytest.raises(MatDerivError, match="WRONG"):
        d.check()


@pytest.mark.parametrize("complex_names, hermitian", [(["Z"], []), (["X"], ["H"])])
def test_a_complex_name_the_formula_does_not_use_is_refused(complex_names, hermitian):
    # Declared with -s only, it would make the output speak of complex names that are not
    # there ("X is real: ... of a formula with complex names").
    with pytest.raises(MatDerivError, match="declared complex but the formula does not use"):
        derive("tr(A*X)", wrt="X", shapes={"X": ("n", "n"), "A": ("n", "n"),
                                           "Z": ("n", "n"), "H": ("n", "n")},
               complex=complex_names, hermitian=hermitian)

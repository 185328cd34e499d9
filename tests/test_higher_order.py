"""Derivatives of any order (derivative(order=k)) and mixed Hessians (hessian(wrt=Y)).

Each example of issue 22 is here with its textbook form, compared symbolically or in
index notation, and numerically twice: against the textbook array built with NumPy, and
against central finite differences of the (k-1)-th derivative at random points with
distinct sizes (``check(order=k)``).
"""

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import build_expected

import matderiv
from matderiv.cli import main
from matderiv.numeric.differences import assert_close, numeric_jacobian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values
from matderiv.render.index_notation import index_latex, index_text


def _points(d, count=3, seed=4):
    rng = np.random.default_rng(seed)
    return [random_values(d.expr, d.variable, rng) for _ in range(count)]


def _differences_of_order_before(d, k, values):
    """The k-th derivative by central differences of the (k-1)-th closed form, as D's
    array (independent of ``check``: the differences are taken here)."""
    before = d.derivative_matrix(k - 1)
    flat = numeric_jacobian(before, d.variable, values, vec="row")
    sizes = tuple(_size(s, values) for s in d.derivative_axes(k))
    return flat.reshape(sizes)


def _size(size, values):
    return int(size.xreplace({s: values[s.name] for s in size.free_symbols}))


# -- the examples of the issue ------------------------------------------------------

def test_third_derivative_of_sum_exp_is_the_diagonal_tensor():
    d = matderiv.derive("sum(exp(x))", wrt="x", shapes={"x": "n"})
    D = d.derivative(order=3)
    assert D.shape == (d.env["n"],) * 3
    assert index_text(d.index_notation(3)) == "δ_ijk exp(x_i)"
    assert index_latex(d.index_notation(3)) == r"\delta_{ijk} \exp\left(x_{i}\right)"
    for values in _points(d):
        x = values["x"].reshape(-1)
        textbook = np.zeros((x.size,) * 3)
        textbook[np.arange(x.size), np.arange(x.size), np.arange(x.size)] = np.exp(x)
        computed = d.evaluate(D, values)
        assert computed.shape == textbook.shape
        assert_close(computed.reshape(-1), textbook.reshape(-1), what="δ_ijk exp(x_i)")
        assert_close(computed.reshape(-1),
                     _differences_of_order_before(d, 3, values).reshape(-1),
                     what="differences of the Hessian", rtol=1e-5, atol=1e-6)
    assert "derivative of order 3" in d.check(order=3).checked


def test_third_derivative_of_a_cubed_inner_product():
    # The issue writes 6(aᵀx) a⊗a⊗a; the third derivative of (aᵀx)³ is the constant
    # 6 a⊗a⊗a (6(aᵀx) a aᵀ is the second). Both are checked against the textbook.
    d = matderiv.derive("(a'*x)^3", wrt="x", shapes={"a": "n", "x": "n"})
    assert d.derivative(2) == d.hessian(vec="row")  # 6 (aᵀx) a aᵀ, numerically below
    assert index_text(d.index_notation(3)) == "6 a_i a_j a_k"
    assert index_text(d.index_notation(2)) == "6 (aᵀ x) a_i a_j"
    for values in _points(d):
        a, x = values["a"].reshape(-1), values["x"].reshape(-1)
        textbook = 6 * np.einsum("i,j,k->ijk", a, a, a)
        computed = d.evaluate(d.derivative(3), values)
        assert_close(computed.reshape(-1), textbook.reshape(-1), what="6 a⊗a⊗a")
        assert_close(computed.reshape(-1),
                     _differences_of_order_before(d, 3, values).reshape(-1),
                     what="differences of the Hessian", rtol=1e-5, atol=1e-6)
        second = d.evaluate(d.derivative(2), values)
        assert_close(second, 6 * (a @ x) * np.outer(a, a), what="6 (aᵀx) a aᵀ")
    d.check(order=4)
    assert index_text(d.index_notation(4)) == "0"


def test_second_derivative_of_a_matrix_square():
    d = matderiv.derive("X*X", wrt="X", shapes={"X": "n,n"})
    assert d.derivative(2).shape == (d.env["n"],) * 6
    # δ_ik δ_lp δ_qj + δ_ip δ_qk δ_lj, as the issue writes it
    assert index_text(d.index_notation(2)) == "δ_ik δ_jq δ_lp + δ_ip δ_jl δ_kq"
    for values in _points(d):
        n = values["X"].shape[0]
        eye = np.eye(n)
        textbook = (np.einsum("ik,lp,qj->ijklpq", eye, eye, eye)
                    + np.einsum("ip,qk,lj->ijklpq", eye, eye, eye))
        computed = d.evaluate(d.derivative(2), values)
        assert_close(computed.reshape(-1), textbook.reshape(-1), what="X X, order 2")
        assert_close(computed.reshape(-1),
                     _differences_of_order_before(d, 2, values).reshape(-1),
                     what="differences of the Jacobian", rtol=1e-5, atol=1e-6)
    d.check(order=3)


@pytest.mark.parametrize("formula, wrt, shapes, order, textbook", [
    # distinct sizes: m x n with m != n
    ("X'*X", "X", {"X": "m,n"}, 2,
     # ∂²(XᵀX)_ij/∂X_kl∂X_pq = δ_li δ_kp δ_qj + δ_kp δ_qi δ_lj
     lambda v: (np.einsum("li,kp,qj->ijklpq", _eye(v, 1), _eye(v, 0), _eye(v, 1))
                + np.einsum("kp,qi,lj->ijklpq", _eye(v, 0), _eye(v, 1), _eye(v, 1)))),
    ("A*X*B", "X", {"A": "p,m", "X": "m,n", "B": "n,q"}, 1,
     lambda v: np.einsum("ik,lj->ijkl", v["A"], v["B"])),
    ("sum(tanh(W*x + b))", "W", {"W": "m,n", "x": "n", "b": "m"}, 3,
     lambda v: _tanh_third(v)),
    ("logdet(X)", "X", {"X": "n,n"}, 3,
     lambda v: _logdet_third(np.linalg.inv(v["X"]))),
])
def test_textbook_arrays_at_distinct_sizes(formula, wrt, shapes, order, textbook):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    assert d.index_notation(order) is not None
    for values in _points(d, seed=8):
        computed = d.evaluate(d.derivative(order), values)
        expected = textbook(values)
        assert computed.shape == expected.shape
        assert_close(computed.reshape(-1), expected.reshape(-1), what=formula, atol=1e-9)
    report = d.check(order=order)
    assert any(len(set(s.values())) > 1 for s in report.sizes) or len(shapes) == 1


def _eye(values, axis):
    return np.eye(values["X"].shape[axis])


def _tanh_third(values):
    """∂³ Σ tanh(z_i) / ∂W_ij ∂W_kl ∂W_pq, z = W x + b: δ_ikp tanh'''(z_i) x_j x_l x_q."""
    z = (values["W"] @ values["x"] + values["b"]).reshape(-1)
    t = np.tanh(z)
    third = -2 * (1 - t ** 2) * (1 - 3 * t ** 2)
    x = values["x"].reshape(-1)
    m = z.size
    diag = np.zeros((m, m, m))
    diag[np.arange(m), np.arange(m), np.arange(m)] = third
    return np.einsum("ikp,j,l,q->ijklpq", diag, x, x, x)


def _logdet_third(inv):
    """∂³ log det X / ∂X_ij ∂X_kl ∂X_pq = (X⁻¹)_li (X⁻¹)_jp (X⁻¹)_qk
    + (X⁻¹)_jk (X⁻¹)_qi (X⁻¹)_lp."""
    return (np.einsum("li,jp,qk->ijklpq", inv, inv, inv)
            + np.einsum("jk,qi,lp->ijklpq", inv, inv, inv))


# -- agreement with the results of order 1 and 2 ---------------------------------------

@pytest.mark.parametrize("formula, wrt, shapes", [
    ("W*a", "W", {"W": "m,n", "a": "n"}),
    ("A*X*B", "X", {"A": "p,m", "X": "m,n", "B": "n,q"}),
    ("inv(X)", "X", {"X": "n,n"}),
    ("tr(X'*A*X)", "X", {"X": "m,n", "A": "m,m"}),
    ("x'*A*x", "x", {"x": "n", "A": "n,n"}),
])
def test_order_one_is_the_tensor(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    for values in _points(d, count=2):
        first = np.asarray(d.evaluate(d.derivative(1), values))
        tensor = np.asarray(evaluate(d.tensor(), values))
        assert_close(first.reshape(-1), tensor.reshape(-1), what="order 1 against tensor()")


@pytest.mark.parametrize("formula, wrt, shapes", [
    ("x'*A*x", "x", {"x": "n", "A": "n,n"}),
    ("logdet(X)", "X", {"X": "n,n"}),
    ("tr(X'*A*X)", "X", {"X": "m,n", "A": "m,m"}),
    ("sum(log(1 + exp(-y .* (X*w))))", "w", {"X": "n,d", "w": "d", "y": "n"}),
])
def test_order_two_of_a_scalar_is_the_hessian(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    assert d.derivative_matrix(2) == d.hessian(vec="row")
    for values in _points(d, count=2):
        second = np.asarray(d.evaluate(d.derivative(2), values)).reshape(-1)
        hessian = np.asarray(evaluate(d.hessian(vec="row"), values)).reshape(-1)
        assert_close(second, hessian, what="order 2 against hessian()")
    d.check(order=2, hessian=True)


def test_a_scalar_variable_has_no_axes():
    d = matderiv.derive("t^5*X", wrt="t", shapes={"t": (), "X": "m,n"})
    assert d.derivative(3).shape == (d.env["m"], d.env["n"])
    for values in _points(d, count=2):
        expected = 60 * values["t"] ** 2 * values["X"]
        assert_close(d.evaluate(d.derivative(3), values), expected, what="60 t² X")
    d.check(order=3)


# -- bounds, errors, and a wrong derivative caught ---------------------------------------

@pytest.mark.parametrize("order, message", [
    (0, "1 or more"), (-2, "1 or more"), (9, "more than the 8"), ("2", "whole number"),
    (True, "whole number"), (2.0, "whole number")])
def test_orders_out_of_range_are_refused(order, message):
    d = matderiv.derive("sum(exp(x))", wrt="x", shapes={"x": "n"})
    with pytest.raises(matderiv.MatDerivError, match=message):
        d.derivative(order)


def test_an_array_with_too_many_axes_is_refused_before_it_is_derived():
    d = matderiv.derive("X*X", wrt="X", shapes={"X": "n,n"})
    with pytest.raises(matderiv.MatDerivError, match="14 axes, more than the 12"):
        d.derivative(6)


def test_check_catches_a_wrong_third_derivative():
    d = matderiv.derive("sum(exp(x))", wrt="x", shapes={"x": "n"})
    d.derivative_matrix(3)
    d._cache[("order", 3)] = 2 * d._cache[("order", 3)]
    with pytest.raises(matderiv.MatDerivError, match="derivative of order 3"):
        d.check(order=3)


def test_a_wrong_index_form_is_never_shown():
    from matderiv.api.higher import _same_as_closed_form
    from matderiv.engine.index_form import IndexTerm
    d = matderiv.derive("sum(exp(x))", wrt="x", shapes={"x": "n"})
    form = d.index_notation(3)
    assert _same_as_closed_form(d, 3, form)
    term = form.terms[0]
    wrong = type(form)(form.axes, form.sizes,
                       [IndexTerm(2 * term.coefficient, term.deltas, term.factors, [])])
    assert not _same_as_closed_form(d, 3, wrong)


def test_a_closed_form_without_index_form_is_shown_as_a_reshape():
    out = CliRunner().invoke(main, ["derive", "kron(X, X)", "--wrt", "X", "-s", "X=m,n",
                                    "--order", "1", "--check"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("∂(X ⊗ X)_ij/∂X_kl = reshape(")
    assert "(m^2, n^2, m, n))_ijkl" in out.output


def test_sizes_too_large_to_evaluate_are_checked_at_named_sizes():
    d = matderiv.derive("sum(exp(x))", wrt="x", shapes={"x": (300, 1)})
    report = d.check(order=3)
    assert report.pattern and "derivative of order 3" in report.checked
    # the index form is compared with the closed form at named sizes, then shown
    assert index_text(d.index_notation(3)) == "δ_ijk exp(x_i)"
    d = matderiv.derive("W*x", wrt="W", shapes={"W": (400, 300), "x": (300, 1)})
    assert index_text(d.index_notation(1)) == "δ_ij x_k"


# -- the mixed Hessian -----------------------------------------------------------------

def test_mixed_hessian_of_a_bilinear_form_is_a():
    d = matderiv.derive("x'*A*y", wrt="x", shapes={"x": "n", "y": "m", "A": "n,m"})
    assert d.hessian(wrt="y") == d.env["A"]
    assert d.hessian(wrt="y", layout="denominator") == d.env["A"].T
    report = d.check(wrt2="y")
    assert "mixed Hessian by y" in report.checked
    for values in _points(d):
        expected = numeric_jacobian(d.gradient(), d.env["y"], values)
        assert_close(evaluate(d.hessian(wrt="y"), values), expected, what="A")


def test_mixed_hessian_of_a_layer_by_w_then_b():
    d = matderiv.derive("sum(tanh(W*x + b))", wrt="W",
                        shapes={"W": "m,n", "x": "n", "b": "m"})
    H = d.hessian(wrt="b")
    assert H == build_expected(
        "-2*kron(x, I(m))*diag((1 - tanh(W*x + b).^2) .* tanh(W*x + b))", d)
    for values in _points(d, seed=2):
        # textbook: ∂²/∂W_ij ∂b_k = -2 δ_ik tanh(z_i)(1 - tanh(z_i)²) x_j, vec(W) by columns
        z = (values["W"] @ values["x"] + values["b"]).reshape(-1)
        t, x = np.tanh(z), values["x"].reshape(-1)
        core = np.einsum("ik,j->ijk", np.diag(-2 * t * (1 - t ** 2)), x)
        expected = core.transpose(1, 0, 2).reshape(z.size * x.size, z.size)
        assert_close(evaluate(H, values), expected, what="the layer's mixed Hessian")
    d.check(wrt2="b", hessian=True)
    assert d.rules_used("gradient")  # the gradient's steps are the first half of its proof


def test_mixed_hessian_by_the_variable_itself_is_the_hessian():
    d = matderiv.derive("x'*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
    assert d.hessian(wrt="x") == d.hessian()


def test_the_hessian_of_a_matrix_formula_points_to_order_two():
    d = matderiv.derive("X*X", wrt="X", shapes={"X": "n,n"})
    with pytest.raises(matderiv.MatDerivError, match=r"derivative\(order=2\)"):
        d.hessian()
    out = _run("derive", "X*X", "--wrt", "X", "-s", "X=n,n", "--hessian")
    assert out.exit_code == 2 and "--order 2" in out.output


def test_mixed_hessian_of_a_matrix_formula_is_refused():
    d = matderiv.derive("X*Y", wrt="X", shapes={"X": "n,n", "Y": "n,n"})
    with pytest.raises(matderiv.MatDerivError, match="not a scalar"):
        d.hessian(wrt="Y")
    with pytest.raises(matderiv.MatDerivError, match="not a name"):
        matderiv.derive("x'*y", wrt="x").hessian(wrt="z")


def test_mixed_hessian_by_a_name_the_gradient_lacks_is_zero():
    d = matderiv.derive("a'*x + b'*y", wrt="x", shapes={"a": "n", "x": "n", "b": "m",
                                                         "y": "m"})
    H = d.hessian(wrt="y")
    assert H.shape == (d.env["n"], d.env["m"]) and H.is_ZeroMatrix
    d.check(wrt2="y")


def test_mixed_hessian_proofs_and_claims():
    d = matderiv.derive("x'*A*y", wrt="x", shapes={"x": "n", "y": "m", "A": "n,m"})
    assert d.check_claim("A", kind="hessian", wrt2="y").verdict == "correct"
    verdict = d.check_claim("A'", kind="hessian", wrt2="y")
    assert verdict.verdict == "correct in another convention"
    assert verdict.flag == "--hessian --wrt2 y --layout denominator"
    assert d.check_claim("2*A", kind="hessian", wrt2="y").verdict == "wrong"
    out = CliRunner().invoke(main, ["prove", "x'*A*y", "--wrt", "x", "-s", "x=n", "-s", "y=m",
                                    "-s", "A=n,m", "--hessian", "--wrt2", "y", "--style",
                                    "both"])
    assert out.exit_code == 0, out.output
    assert out.output.count("roof that") == 4  # rules and element-wise, for G and for H
    assert "Proof that ∂vec(A y)/∂vec(y) = A" in out.output
    assert "= A" in out.output


# -- the command line ------------------------------------------------------------------

def _run(*args):
    return CliRunner().invoke(main, list(args))


def test_cli_order_in_text_and_latex():
    out = _run("derive", "sum(exp(x))", "--wrt", "x", "-s", "x=n", "--order", "3", "--check")
    assert out.exit_code == 0, out.output
    assert out.output.startswith("∂³sum(exp(x))/∂x_i∂x_j∂x_k = δ_ijk exp(x_i)\n")
    assert "derivative of order 3" in out.output
    out = _run("derive", "X*X", "--wrt", "X", "-s", "X=n,n", "--order", "2", "--format",
               "latex")
    assert out.exit_code == 0, out.output
    assert out.output.strip().endswith(
        r"= \delta_{ik} \delta_{jq} \delta_{lp} + \delta_{ip} \delta_{jl} \delta_{kq}")


def test_cli_mixed_hessian():
    out = _run("derive", "sum(tanh(W*x + b))", "--wrt", "W", "-s", "W=m,n", "-s", "x=n",
               "-s", "b=m", "--hessian", "--wrt2", "b", "--check")
    assert out.exit_code == 0, out.output
    assert out.output.startswith("∂²(sum(tanh(W x + b)))/∂vec(W)∂vec(b)ᵀ = -2 (x ⊗ I_m) ")


@pytest.mark.parametrize("args, message", [
    (["--order", "2", "--hessian"], "leave out"),
    (["--wrt2", "y"], "give it with --hessian"),
    (["--order", "100000"], "more than the 8"),
    (["--order", "-1"], "1 or more"),
    (["--order", "two"], "not a valid integer"),
    (["--order", "2", "--vec", "row"], "no vec or layout"),
])
def test_cli_bad_higher_options(args, message):
    out = _run("derive", "x'*A*y", "--wrt", "x", *args)
    assert out.exit_code == 2
    assert message in out.output
    assert "Traceback" not in out.output


# -- docs/higher-order.md shows real output --------------------------------------------

def _doc_examples():
    import re
    import shlex
    from pathlib import Path
    found = [p / "docs" / "higher-order.md" for p in Path(__file__).resolve().parents[1:3]
             if (p / "docs" / "higher-order.md").is_file()]
    if not found:
        return []
    text = found[0].read_text(encoding="utf-8")
    examples = []
    for block in re.findall(r"```text\n(.*?)```", text, flags=re.S):
        lines = block.rstrip("\n").split("\n")
        for i, line in enumerate(lines):
            if line.startswith("$ matderiv "):
                examples.append((shlex.split(line[len("$ matderiv "):]), lines[i + 1]))
    return examples


@pytest.mark.parametrize("words, shown", _doc_examples(),
                         ids=lambda v: " ".join(v)[:50] if isinstance(v, list) else "")
def test_the_doc_shows_what_the_command_prints(words, shown):
    out = _run(*words)
    assert out.exit_code == 0, out.output
    assert out.output.split("\n")[0] == shown


def test_a_zero_mixed_hessian_is_claimed_checked_and_refused_a_proof():
    d = matderiv.derive("tr(A) + a'*x", wrt="x", shapes={"A": "n,n", "a": "n", "x": "n"})
    assert d.check_claim("0", kind="hessian", wrt2="x").verdict == "correct"
    assert d.check_claim("0", kind="hessian", wrt2="A").verdict == "correct"
    d.check(wrt2="x")
    d.check(wrt2="A")
    out = _run("prove", "tr(A) + a'*x", "--wrt", "x", "-s", "A=n,n", "-s", "a=n", "-s", "x=n",
               "--hessian", "--wrt2", "A")
    assert out.exit_code == 2 and "nothing to prove" in out.output


def test_higher_orders_are_refused_for_complex_names():
    with pytest.raises(matderiv.MatDerivError, match="not written yet"):
        matderiv.derive("norm(A*z - b)^2", wrt="z", complex=["z", "A", "b"]).derivative(2)
    for args in (["--order", "2"], ["--hessian", "--wrt2", "A"]):
        out = _run("derive", "norm(A*z - b)^2", "--wrt", "z", "--complex", "z",
                   "--complex", "A", "--complex", "b", *args)
        assert out.exit_code == 2 and "not written yet for complex names" in out.output

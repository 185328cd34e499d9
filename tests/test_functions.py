"""The language people write (issue 21): named element-wise functions, axis-wise
operations, vector norms, diag/vec/unvec inside formulas, and the names policy.

Every derivative is compared with its textbook form *and* checked against central finite
differences at random points (``expect``); each function also has an element-wise proof
(or a plain statement why not), generated code that agrees with the derivation, and a
claim check.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import expect

import matderiv
from matderiv.errors import MatDerivError
from matderiv.numeric.points import random_values
from matderiv.render import to_text

V = {"w": ("n", 1)}
NET = {"W": ("m", "n"), "x": ("n", 1)}


# -- textbook results -----------------------------------------------------------------

def test_gradient_of_l1_is_sign():
    expect("sum(abs(w))", "w", V, gradient="sign(w)")
    expect("norm(w, 1)", "w", V, gradient="sign(w)")


def test_quadratic_form_in_a_diagonal_by_its_vector_is_x_squared():
    expect("x'*diag(v)*x", "v", {"x": ("n", 1), "v": ("n", 1)}, gradient="x .* x")


def test_sum_of_squared_diagonal_is_twice_its_diagonal_matrix():
    expect("sum(diag(X).^2)", "X", {"X": ("n", "n")}, gradient="2*diag(diag(X))")


def test_row_softmax_cross_entropy():
    # softmax(Z, 2) ∘ (Y 1) 1ᵀ - Y: each row of Y sums to its weight
    d = expect("-sum(Y .* log(softmax(Z, 2)))", "Z", {"Y": ("m", "n"), "Z": ("m", "n")},
               gradient="softmax(Z, 2) .* (Y*ones(n)*ones(n)') - Y")
    verdict = d.check_claim("softmax(Z, 2) .* (Y*ones(n)*ones(n)') - Y")
    assert verdict.verdict == "correct"
    assert d.check_claim("softmax(Z, 2) - Y").verdict == "wrong"  # only if rows sum to 1


def test_quadratic_form_in_vec_is_unvec():
    shapes = {"X": ("n", "n"), "A": ("n^2", "n^2")}
    d = expect("vec(X)'*A*vec(X)", "X", shapes, gradient="unvec((A + A')*vec(X), n, n)")
    assert to_text(d.gradient()) == "unvec((A + Aᵀ) vec(X), n, n)"


@pytest.mark.parametrize("formula, gradient", [
    ("sum(relu(W*x))", "step(W*x)*x'"),
    ("sum(softplus(W*x))", "sigmoid(W*x)*x'"),
    ("sum(tan(W*x))", "(1 + tan(W*x).^2)*x'"),
    ("sum(atan(W*x))", "(1 + (W*x).^2).^-1*x'"),
    ("sum(arctan(W*x))", "(1 + (W*x).^2).^-1*x'"),
    ("sum(sinh(W*x))", "cosh(W*x)*x'"),
    ("sum(cosh(W*x))", "sinh(W*x)*x'"),
    ("sum(expm1(W*x))", "exp(W*x)*x'"),
    ("sum(square(W*x))", "2*(W*x)*x'"),
    ("sum(max(W*x, 0))", "step(W*x)*x'"),
    ("logsumexp(W*x)", "softmax(W*x)*x'"),
])
def test_elementwise_gradients_in_their_textbook_forms(formula, gradient):
    expect(formula, "W", NET, gradient=gradient)


def test_arcsin_and_arccos_inside_their_domain():
    shapes = {"X": ("m", "n")}
    expect("sum(asin(X/4))", "X", shapes, gradient="0.25*(1 - (0.25*X).^2).^(-1/2)")
    expect("sum(acos(X/4))", "X", shapes, gradient="-0.25*(1 - (0.25*X).^2).^(-1/2)")


def test_log1p_and_sign():
    shapes = {"X": ("m", "n")}
    expect("sum(log1p(X .* X))", "X", shapes, gradient="2*X .* (1 + X.^2).^-1")
    expect("sum(sign(X) .* X)", "X", shapes, gradient="sign(X)")


@pytest.mark.parametrize("formula, jacobian", [
    ("sum(X, 1)", "kron(I(n), ones(m)')"),
    ("sum(X, 2)", "kron(ones(n)', I(m))"),
    ("mean(X, 2)", "1/n*kron(ones(n)', I(m))"),
    ("mean(X, 1)", "1/m*kron(I(n), ones(m)')"),
])
def test_sums_and_means_along_an_axis(formula, jacobian):
    expect(formula, "X", {"X": ("m", "n")}, jacobian=jacobian)


def test_mean_of_all_entries():
    expect("mean(X)", "X", {"X": ("m", "n")}, gradient="1/(m*n)*ones(m, n)")


@pytest.mark.parametrize("formula", ["softmax(Z, 1)", "softmax(Z, 2)", "logsumexp(Z, 1)",
                                     "logsumexp(Z, 2)", "max(Z, A)", "min(Z, A)",
                                     "diag(Z*Z')", "vecr(Z)", "unvec(vec(Z), m, n)"])
def test_matrix_valued_operations_check_numerically(formula):
    d = matderiv.derive(formula, wrt="Z", shapes={"Z": ("m", "n"), "A": ("m", "n")})
    report = d.check()
    assert report.points >= 3 and report.max_error < 1e-6


@pytest.mark.parametrize("formula, p", [("norm(x, 3)", 3), ("norm(A*x - b, 4)", 4)])
def test_vector_p_norms(formula, p):
    d = matderiv.derive(formula, wrt="x", shapes={"x": ("n", 1), "A": ("m", "n"),
                                                  "b": ("m", 1)})
    assert d.check().max_error < 1e-6
    # the closed form (‖v‖_p^(1-p) |v|^(p-1) ∘ sign(v), chained) against the definition
    rng = np.random.default_rng(5)
    values = random_values(d.expr, d.variable, rng)
    v = values["x"] if "A" not in formula else values["A"] @ values["x"] - values["b"]
    norm = np.sum(np.abs(v) ** p) ** (1 / p)
    direct = norm ** (1 - p) * np.abs(v) ** (p - 1) * np.sign(v)
    if "A" in formula:
        direct = values["A"].T @ direct
    assert np.allclose(d.evaluate(d.gradient(), values), direct, rtol=1e-9, atol=1e-12)


def test_norm_two_of_a_vector_is_the_euclidean_norm():
    d = matderiv.derive("norm(x, 2)", wrt="x", shapes=V | {"x": ("n", 1)})
    assert d.expr == matderiv.derive("norm(x)", wrt="x", shapes={"x": ("n", 1)}).expr


def test_diag_vec_and_friends_differentiate_inside_a_formula():
    shapes = {"X": ("n", "n"), "W": ("m", "n"), "x": ("n", 1), "c": ("m*n", 1)}
    for formula, wrt in [("diag(X*X)", "X"), ("c'*vec(W*x*x')", "W"), ("c'*vecr(W)", "W"),
                         ("tr(diag(W'*W*x))", "W"), ("sum(diag(x)*X)", "x")]:
        d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
        assert d.check().max_error < 1e-6, formula


def test_diagonal_jacobian_uses_the_diagonal_embedding():
    d = expect("diag(X*X)", "X", {"X": ("n", "n")},
               jacobian="Delta(n)'*(kron(I(n), X) + kron(X', I(n)))")
    assert "Δ_n" in to_text(d.jacobian())


# -- non-smooth functions state their choice ---------------------------------------------

def test_non_smooth_choices_are_noted():
    from matderiv.api.report import derivation_report
    d = matderiv.derive("sum(relu(W*x)) + sum(abs(x))", wrt="W", shapes=NET)
    notes = derivation_report(d, kind="gradient")["notes"]
    assert any("relu'(0) = step(0) = 0" in note for note in notes)
    assert any("sign(0) = 0" in note for note in notes)
    rule = matderiv.engine.catalog.catalog().rule("d-relu") \
        if hasattr(matderiv, "engine") else None
    if rule is not None:
        assert "relu'(0)" in rule.note


def test_the_choice_at_a_kink_is_the_one_stated():
    # At exactly 0 the derivative taken is sign(0) = 0 and step(0) = 0.
    d = matderiv.derive("sum(abs(w)) + sum(relu(w))", wrt="w", shapes=V)
    values = {"w": np.array([[0.0], [2.0], [-3.0]])}
    assert np.array_equal(d.evaluate(d.gradient(), values), [[0.0], [2.0], [-1.0]])
    d = matderiv.derive("sum(max(w, v))", wrt="w", shapes=V | {"v": ("n", 1)})
    tie = {"w": np.array([[1.0], [2.0]]), "v": np.array([[1.0], [0.0]])}
    assert np.array_equal(d.evaluate(d.gradient(), tie), [[0.0], [1.0]])


# -- element-wise proofs, code, claims --------------------------------------------------

PROVED = [
    ("sum(abs(w))", "w", V), ("sum(relu(W*x))", "W", NET), ("logsumexp(X)", "X",
                                                            {"X": ("m", "n")}),
    ("norm(w, 3)", "w", V), ("softmax(Z, 2)", "Z", {"Z": ("m", "n")}),
    ("sum(diag(X).^2)", "X", {"X": ("n", "n")}), ("max(W*x, 0)", "W", NET),
    ("sum(atan(X) + sinh(X) + softplus(X))", "X", {"X": ("m", "n")}),
]


@pytest.mark.parametrize("formula, wrt, shapes", PROVED)
def test_elementwise_proofs(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    kind = "gradient" if d.is_scalar else "jacobian"
    text = d.proof_text("elementwise", kind=kind)
    assert "checked" in text and "Closed form" in text


def test_no_elementwise_proof_through_vec_says_why():
    d = matderiv.derive("vec(X)'*A*vec(X)", wrt="X", shapes={"X": ("n", "n"),
                                                             "A": ("n^2", "n^2")})
    with pytest.raises(MatDerivError, match="moves entries to other indices"):
        d.proof_text("elementwise")
    assert "inner-vec" in d.rules_used()  # the rule-by-rule proof stands


CODED = PROVED + [("-sum(Y .* log(softmax(Z, 2)))", "Z", {"Y": ("m", "n"), "Z": ("m", "n")}),
                  ("vec(X)'*A*vec(X)", "X", {"X": ("n", "n"), "A": ("n^2", "n^2")}),
                  ("logsumexp(Z, 1)", "Z", {"Z": ("m", "n")}),
                  ("min(1, a'*w)", "w", V | {"a": ("n", 1)}),
                  ("sum(sign(X) + step(X) + expm1(X) + cosh(X) + log1p(X .* X))", "X",
                   {"X": ("m", "n")})]


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
@pytest.mark.parametrize("formula, wrt, shapes", CODED)
def test_generated_code_agrees(formula, wrt, shapes, backend):
    if backend != "numpy":
        library = pytest.importorskip(backend)
        if backend == "jax":
            library.config.update("jax_enable_x64", True)
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    kind = "gradient" if d.is_scalar else "jacobian"
    rng = np.random.default_rng(3)
    values = random_values(d.expr, d.variable, rng)
    function = d.to_function(kind, backend=backend)
    code = function.__code__
    wanted = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
    arguments = {name: values[name] for name in wanted}
    if backend == "torch":
        import torch
        arguments = {k: torch.as_tensor(v) if not isinstance(v, int) else v
                     for k, v in arguments.items()}
    computed = np.asarray(function(**arguments), dtype=float)
    expected = d.evaluate(d.gradient() if kind == "gradient" else d.jacobian(), values)
    assert np.allclose(computed, expected, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("formula, wrt, shapes, right, wrong", [
    ("sum(abs(w))", "w", V, "sign(w)", "w"),
    ("sum(relu(W*x))", "W", NET, "step(W*x)*x'", "relu(W*x)*x'"),
    ("logsumexp(W*x)", "W", NET, "softmax(W*x)*x'", "exp(W*x)*x'"),
    ("norm(w, 1)", "w", V, "sign(w)", "abs(w)"),
    ("x'*diag(v)*x", "v", {"x": ("n", 1), "v": ("n", 1)}, "square(x)", "x"),
    ("sum(diag(X).^2)", "X", {"X": ("n", "n")}, "2*diag(diag(X))", "2*X"),
    ("vec(X)'*A*vec(X)", "X", {"X": ("n", "n"), "A": ("n^2", "n^2")},
     "unvec(A*vec(X) + A'*vec(X), n, n)", "unvec(A*vec(X), n, n)"),
    ("sum(max(X, A))", "X", {"X": ("m", "n"), "A": ("m", "n")}, "step(X - A)", "step(A - X)"),
])
def test_claims(formula, wrt, shapes, right, wrong):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    assert d.check_claim(right).verdict == "correct"
    assert d.check_claim(wrong).verdict == "wrong"


# -- names ------------------------------------------------------------------------------

def test_one_letter_names_stay_abstract_and_others_need_declaring():
    d = matderiv.derive("f1(W*x)", wrt="W", shapes=NET)
    assert d.abstract_functions == ("f1",)
    with pytest.raises(MatDerivError, match=r"unknown function 'phi'.*functions=\['phi'\]"):
        matderiv.derive("phi(W*x)", wrt="W", shapes=NET)
    d = matderiv.derive("phi(W*x)", wrt="W", shapes=NET, functions=["phi"])
    assert to_text(d.gradient()) == "phi'(W x) xᵀ"
    assert d.check_claim("phi'(W*x)*x'").verdict == "correct"


def test_a_misspelt_function_gets_a_suggestion():
    with pytest.raises(MatDerivError, match="did you mean tan or tanh"):
        matderiv.derive("sum(tann(W*x))", wrt="W", shapes=NET)
    # (expm, logm, sqrtm and pinv are functions now: tests/test_spectral_matrix.py)
    with pytest.raises(MatDerivError, match="matrix decompositions have no rule"):
        matderiv.derive("tr(eig(X))", wrt="X", shapes={"X": ("n", "n")})


def test_declared_names_win_over_grammar_functions():
    d = matderiv.derive("x'*K*x", wrt="x", shapes={"x": ("n", 1), "K": ("n", "n")})
    expect("x'*K*x", "x", {"x": ("n", 1), "K": ("n", "n")}, gradient="(K + K')*x")
    assert d.check().max_error < 1e-6
    with pytest.raises(MatDerivError, match="'K' is declared as .* K\\*\\(\\.\\.\\.\\)"):
        matderiv.derive("x'*K(n, n)*x", wrt="x", shapes={"x": ("n", 1), "K": ("n", "n")})


def test_declared_abstract_names_are_checked():
    for bad in (["tanh"], ["W"], ["no good"], "phi"):
        with pytest.raises(MatDerivError):
            matderiv.derive("W*x", wrt="W", shapes=NET, functions=bad)


@pytest.mark.parametrize("formula, message", [
    ("sum(X, 3)", "axis of sum is 1"), ("norm(X, 1)", "induced"),
    ("norm(x, 0)", "order p"), ("diag(X)", "vector or a square"),
    ("max(X, x)", "max entry by entry"), ("unvec(x, n, n)", "column of n\\*\\*2"),
    ("softmax(X, 0)", "axis of softmax"),
])
def test_bad_calls_are_refused_with_a_reason(formula, message):
    with pytest.raises(MatDerivError, match=message):
        matderiv.derive(formula, wrt="X", shapes={"X": ("m", "n"), "x": ("n", 1)})


def test_product_sizes_can_be_declared():
    d = matderiv.derive("B*vec(W)", wrt="W", shapes={"B": ("k", "m*n"), "W": ("m", "n")})
    assert d.check().max_error < 1e-6
    with pytest.raises(MatDerivError, match="product"):
        matderiv.derive("W", wrt="W", shapes={"W": ("n**2", 1)})


def test_latex_reads_the_new_functions():
    d = matderiv.derive(r"\|x\|_1 + \arctan(x)^\top \mathbf{1}_n", wrt="x",
                        shapes={"x": ("n", 1)}, syntax="latex")
    assert d.check().max_error < 1e-6

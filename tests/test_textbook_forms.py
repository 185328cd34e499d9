"""Issue 4: results in the short textbook form — backpropagation, logistic regression,
softmax cross-entropy, log-sum-exp — each compared in form and checked numerically."""

import pytest
from helpers import build_expected, expect

import matderiv
from matderiv.numeric.differences import assert_close, numeric_hessian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values

NET = {"W1": "h,n", "x": "n,1", "b1": "h,1", "W2": "k,h", "b2": "k,1", "y": "k,1"}
LOSS = "sum((W2*tanh(W1*x + b1) + b2 - y).^2)"
# Backpropagation: delta2 = 2 (W2 h + b2 - y), delta1 = (W2' delta2) .* (1 - h.^2).
H = "tanh(W1*x + b1)"
DELTA2 = f"2*(W2*{H} + b2 - y)"
DELTA1 = f"2*((W2'*(W2*{H} + b2 - y)) .* (1 - {H}.^2))"


@pytest.mark.parametrize("wrt, gradient", [
    ("W1", f"{DELTA1}*x'"),
    ("b1", DELTA1),
    ("W2", f"{DELTA2}*{H}'"),
    ("b2", DELTA2),
])
def test_two_layer_network_backpropagation(wrt, gradient):
    expect(LOSS, wrt, NET, gradient=gradient)


BATCH = {"W1": "h,n", "X": "n,b", "b1": "h,1", "W2": "k,h", "b2": "k,1", "Y": "k,b"}
BATCH_LOSS = "sum((W2*tanh(W1*X + b1*ones(b)') + b2*ones(b)' - Y).^2)"
HB = "tanh(W1*X + b1*ones(b)')"
BATCH_DELTA2 = f"2*(W2*{HB} + b2*ones(b)' - Y)"
BATCH_DELTA1 = f"2*((W2'*(W2*{HB} + b2*ones(b)' - Y)) .* (1 - {HB}.^2))"


@pytest.mark.parametrize("wrt, gradient", [
    ("W1", f"{BATCH_DELTA1}*X'"),
    ("b1", f"{BATCH_DELTA1}*ones(b)"),  # the deltas summed over the batch
    ("W2", f"{BATCH_DELTA2}*{HB}'"),
    ("b2", f"{BATCH_DELTA2}*ones(b)"),
])
def test_two_layer_network_on_a_batch(wrt, gradient):
    expect(BATCH_LOSS, wrt, BATCH, gradient=gradient)


def test_a_column_plus_a_matrix_says_how_to_broadcast():
    with pytest.raises(matderiv.MatDerivError, match=r"times ones\(b\)'"):
        matderiv.derive("sum(W1*X + b1)", wrt="W1", shapes=BATCH)


LOGISTIC = ("sum(log(1 + exp(-y .* (X*w))))", "w", {"X": "n,d", "w": "d,1", "y": "n,1"})
U = "-y .* (X*w)"


def test_logistic_loss_gradient_in_sigmoid_form():
    # exp(u) ./ (1 + exp(u)) is recognised as the sigmoid; 1 + exp(..) adds 1 to each entry.
    d = expect(*LOGISTIC, gradient=f"-X'*(y .* sigmoid({U}))")
    assert "sigmoid-from-exp" in d.rules_used()


def test_logistic_loss_hessian_in_sigmoid_form():
    d = matderiv.derive(*LOGISTIC)
    expected = f"X'*diag(y.^2 .* sigmoid({U}) .* (1 - sigmoid({U})))*X"
    assert d.hessian() == build_expected(expected, d)
    _hessian_numerically(d)


def _hessian_numerically(d):
    import numpy as np
    rng = np.random.default_rng(12)
    for _ in range(3):
        values = random_values(d.expr, d.variable, rng)
        assert_close(evaluate(d.hessian(), values), numeric_hessian(d.expr, d.variable, values),
                     what=f"Hessian of {d.formula}", rtol=1e-4, atol=1e-5)
    d.check(hessian=True)


def test_log_sum_exp_gradient_is_the_softmax():
    expect("log(sum(exp(z)))", "z", {"z": "n,1"}, gradient="softmax(z)")


def test_log_sum_exp_hessian():
    d = matderiv.derive("log(sum(exp(z)))", wrt="z", shapes={"z": "n,1"})
    assert d.hessian() == build_expected("diag(softmax(z)) - softmax(z)*softmax(z)'", d)
    _hessian_numerically(d)


def test_softmax_cross_entropy_textbook_form():
    # log-sum-exp minus the true class score: (softmax(W x) - y) x'.
    expect("log(sum(exp(W*x))) - y'*W*x", "W", {"W": "k,d", "x": "d,1", "y": "k,1"},
           gradient="(softmax(W*x) - y)*x'")


def test_cross_entropy_of_softmax_keeps_sum_y():
    # -y' log softmax(z): sum(y) softmax(z) - y, which is softmax(z) - y for a one-hot y.
    expect("-y'*log(softmax(z))", "z", {"z": "n,1", "y": "n,1"},
           gradient="sum(y)*softmax(z) - y")


def test_softmax_jacobian():
    expect("softmax(W*x)", "x", {"W": "m,n", "x": "n,1"},
           jacobian="(diag(softmax(W*x)) - softmax(W*x)*softmax(W*x)')*W")


def test_sigmoid_layer_gradient():
    expect("sum(log(sigmoid(W*x)))", "W", {"W": "m,n", "x": "n,1"},
           gradient="(1 - sigmoid(W*x))*x'")

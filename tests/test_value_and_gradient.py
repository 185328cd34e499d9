"""Generated code people paste: ``value_and_gradient`` returns (F, gradient) sharing their
work, and ``with_check`` adds a self-test against finite differences that really fails
when the code is wrong."""

from __future__ import annotations

import inspect
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import matderiv
from matderiv import MatDerivError
from matderiv.cli import main
from matderiv.numeric.points import random_values

SCALARS = [
    ("norm(A*x - b)^2", "x", {"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)}),
    ("sum(log(1 + exp(-y .* (X*w))))", "w", {"X": ("n", "d"), "w": ("d", 1), "y": ("n", 1)}),
    ("logdet(X) - tr(A*X)", "X", {"X": ("n", "n"), "A": ("n", "n")}),
    ("x'*A*x", "x", {"x": ("n", 1), "A": ("n", "n")}),
    ("log(sum(exp(W*x))) - y'*W*x", "W", {"W": ("k", "d"), "x": ("d", 1), "y": ("k", 1)}),
    ("sum((W2*tanh(W1*x + b1) + b2 - y).^2)", "W1",
     {"W1": ("h", "n"), "x": ("n", 1), "b1": ("h", 1), "W2": ("k", "h"), "b2": ("k", 1),
      "y": ("k", 1)}),
    ("f(W*X)", "W", {"W": ("m", "n"), "X": ("n", "b")}),
]


def _point(d, function, seed=0):
    values = random_values(d.expr, d.variable, np.random.default_rng(seed))
    return {name: value for name, value in values.items()
            if name in inspect.signature(function).parameters}


def _central_differences(value, X, h=1e-6):
    out = np.zeros_like(X)
    for index in np.ndindex(X.shape):
        step = np.zeros_like(X)
        step[index] = h
        out[index] = (value(X + step) - value(X - step)) / (2 * h)
    return out


@pytest.mark.parametrize("formula, wrt, shapes", SCALARS, ids=[s[0] for s in SCALARS])
def test_value_and_gradient_returns_f_and_its_gradient(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    both = d.to_function("value_and_gradient")
    point = _point(d, both)
    functions = {}
    if d.abstract_functions:
        functions = {"f": lambda Y: np.sum(np.sin(Y)), "f_grad": np.cos}
    value, gradient = both(**point, **functions)
    expected_value = d.evaluate(d.expr, point, functions={
        "f": (functions["f"], functions["f_grad"])} if functions else None)
    assert np.ndim(value) == 0
    np.testing.assert_allclose(value, np.asarray(expected_value, dtype=float).item(),
                               rtol=1e-10)
    np.testing.assert_allclose(gradient, d.to_function("gradient")(**point, **functions),
                               rtol=1e-10, atol=1e-12)

    def f_at(X):
        return both(**{**point, wrt: X}, **functions)[0]

    X = np.asarray(point[wrt], dtype=float)
    np.testing.assert_allclose(np.asarray(gradient).reshape(X.shape),
                               _central_differences(f_at, X), rtol=1e-5, atol=1e-6)


def test_value_and_gradient_share_their_work():
    d = matderiv.derive("norm(A*x - b)^2", wrt="x",
                        shapes={"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)})
    source = d.to_source("value_and_gradient")
    body = source.split("def value_and_gradient_x")[1]
    assert body.count("A @ x") == 1  # the residual A x - b, computed once for both


def test_value_and_gradient_needs_a_scalar():
    d = matderiv.derive("W*x", wrt="W", shapes={"W": ("m", "n"), "x": ("n", 1)})
    with pytest.raises(MatDerivError, match="needs a scalar formula"):
        d.to_source("value_and_gradient")


CHECKED = [
    ("sum(tanh(W*x))", "W", {"W": ("m", "n"), "x": ("n", 1)}, "gradient", "col"),
    ("norm(A*x - b)^2", "x", {"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)},
     "value_and_gradient", "col"),
    ("W*X", "W", {"W": ("m", "n"), "X": ("n", "b")}, "jacobian", "col"),
    ("W*X", "W", {"W": ("m", "n"), "X": ("n", "b")}, "jacobian", "row"),
    ("inv(X)", "X", {"X": ("n", "n")}, "jvp", "col"),
    ("x'*A*x", "x", {"x": ("n", 1), "A": ("n", "n")}, "hessian", "col"),
    ("logdet(X)", "X", {"X": ("n", "n")}, "hessian", "col"),
    ("f(W*X)", "X", {"W": ("m", "n"), "X": ("n", "b")}, "gradient", "col"),
]


@pytest.mark.parametrize("formula, wrt, shapes, kind, vec", CHECKED,
                         ids=[f"{c[0]}-{c[3]}-{c[4]}" for c in CHECKED])
def test_the_self_test_passes_on_right_code(formula, wrt, shapes, kind, vec):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    function = d.to_function(kind, vec=vec, with_check=True)
    assert function.check() < 1e-6


def test_the_self_test_of_a_denominator_layout_jacobian():
    d = matderiv.derive("A*x", wrt="x", shapes={"A": ("m", "n"), "x": ("n", 1)},
                        layout="denominator")
    assert d.to_function("jacobian", with_check=True).check() < 1e-6


@pytest.mark.parametrize("kind", ["gradient", "value_and_gradient", "hessian"])
def test_the_self_test_fails_on_wrong_code(kind):
    """The check asserts something: the same module with its result doubled fails it."""
    d = matderiv.derive("x'*A*x", wrt="x", shapes={"x": ("n", 1), "A": ("n", "n")})
    function = d.to_function(kind, with_check=True)
    right = function.check.__globals__[function.__name__]
    assert function.check() < 1e-6

    def doubled(**arguments):
        if kind == "value_and_gradient":
            value, gradient = right(**arguments)
            return value, 2 * gradient
        return 2 * right(**arguments)

    function.check.__globals__[function.__name__] = doubled
    with pytest.raises(AssertionError, match="disagrees with finite differences"):
        function.check()


def test_codegen_with_check_writes_a_module_that_checks_itself(tmp_path):
    path = tmp_path / "grad.py"
    run = CliRunner().invoke(main, ["codegen", "sum(log(1 + exp(-y .* (X*w))))", "--wrt", "w",
                                    "-s", "X=n,d", "-s", "w=d", "-s", "y=n",
                                    "--value-and-gradient", "--with-check", "-o", str(path)])
    assert run.exit_code == 0, run.output
    script = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                            timeout=120)
    assert script.returncode == 0, script.stderr
    assert "value_and_gradient_w agrees with central finite differences" in script.stdout

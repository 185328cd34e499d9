"""Layouts: numerator (default) and denominator, the transpose, named in every output."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import build_expected

import matderiv
from matderiv.cli import main
from matderiv.numeric.differences import assert_close, numeric_jacobian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values

CASES = [
    # formula, wrt, shapes, numerator form, denominator form (vec stacks columns)
    ("A*x", "x", {"A": ("m", "n"), "x": ("n", 1)}, "A", "A'"),
    ("x'*A*x", "x", {"A": ("n", "n"), "x": ("n", 1)}, "x'*(A + A')", "(A + A')*x"),
    ("W*a", "W", {"W": ("m", "n"), "a": ("n", 1)}, "kron(a', I(m))", "kron(a, I(m))"),
    ("exp(x)", "x", {"x": ("n", 1)}, "diag(exp(x))", "diag(exp(x))"),
]


@pytest.mark.parametrize("formula, wrt, shapes, numerator, denominator", CASES,
                         ids=[c[0] for c in CASES])
def test_denominator_layout_is_the_transpose(formula, wrt, shapes, numerator, denominator):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes, layout="denominator")
    assert d.jacobian() == build_expected(denominator, d)
    assert d.jacobian(layout="numerator") == build_expected(numerator, d)
    rng = np.random.default_rng(2)
    for _ in range(3):
        values = random_values(d.expr, d.variable, rng)
        reference = numeric_jacobian(d.expr, d.variable, values)
        assert_close(evaluate(d.jacobian(), values), reference.T, what="denominator layout")
        assert_close(evaluate(d.jacobian(layout="numerator"), values), reference,
                     what="numerator layout")
    d.check()


def test_the_layout_is_named_in_proofs_and_reports():
    d = matderiv.derive("A*x", wrt="x", shapes={"A": "m,n", "x": "n,1"}, layout="denominator")
    text = d.proof_text("both")
    assert text.count("denominator layout") >= 2
    assert "(∂vec(A x)/∂vec(x))ᵀ = Aᵀ" in text
    assert r"\right)^{T} &= A^{T}" in d.latex()  # the statement, aligned


def test_unknown_layout_is_one_clear_error():
    with pytest.raises(matderiv.MatDerivError, match="layout must be"):
        matderiv.derive("A*x", wrt="x", shapes={"A": "m,n", "x": "n,1"}, layout="mixed")


def test_cli_layout_flag():
    runner = CliRunner()
    args = ["derive", "A*x", "--wrt", "x", "-s", "A=m,n", "-s", "x=n,1"]
    numerator = runner.invoke(main, args)
    denominator = runner.invoke(main, [*args, "--layout", "denominator", "--format", "json"])
    assert numerator.exit_code == 0 and denominator.exit_code == 0, denominator.output
    assert "∂vec(A x)/∂vec(x) = A\n" in numerator.output
    assert "numerator layout" in numerator.output
    report = json.loads(denominator.output)
    assert report["layout"] == "denominator"
    assert report["result"]["text"] == "Aᵀ"
    assert "denominator layout" in report["convention"]
    bad = runner.invoke(main, [*args, "--layout", "sideways"])
    assert bad.exit_code == 2

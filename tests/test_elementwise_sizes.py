"""Element-wise proofs at integer sizes (issue 24): written and checked on the symbolic
twin at small sizes of the same shape pattern, never at the sizes given, and bounded.

At W of 20 × 30 the proof once ran out of its 20 s checking entries at those sizes."""

import time

import numpy as np
import pytest
from click.testing import CliRunner

import matderiv
from matderiv.cli import main
from matderiv.numeric.differences import assert_close, numeric_jacobian
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values
from matderiv.render.text import to_text


def _sections(proof):
    return {s.heading: s for s in proof.sections}


def test_a_proof_at_big_sizes_is_written_on_the_twin_and_bounded():
    runner = CliRunner()
    started = time.monotonic()
    out = runner.invoke(main, ["prove", "tanh(W*x)", "--wrt", "W", "-s", "W=200,300",
                               "-s", "x=300,1", "--style", "both"])
    assert out.exit_code == 0, out.output
    assert time.monotonic() - started < 30  # the budget is 60 s; it takes about 1 s
    text = " ".join(out.output.split())
    assert "Sizes given. The sizes given are integers" in text
    assert "(n200 = 200, n300 = 300)" in text
    assert "checked exactly at every entry for sizes n200=2, n300=3" in text
    assert "not at the sizes given" in text


def test_the_closed_form_at_the_sizes_given_is_checked():
    """The proof's closed form is the derivation's own result at the sizes given; it is
    checked against central differences at those sizes (20 × 30, small enough here)."""
    d = matderiv.derive("tanh(W*x)", wrt="W", shapes={"W": (20, 30), "x": (30, 1)})
    proof = d.proof("elementwise")
    s = _sections(proof)
    assert proof.result == d.jacobian()
    assert to_text(s["Sizes given"].lines[0].rhs) == to_text(d.jacobian())
    assert "for sizes n20=2, n30=3 and n20=3, n30=2" in s["Closed form"].text
    rng = np.random.default_rng(3)
    for _ in range(2):
        values = random_values(d.expr, d.variable, rng)
        assert values["W"].shape == (20, 30)
        assert_close(evaluate(proof.result, values),
                     numeric_jacobian(d.expr, d.variable, values), what="tanh(W*x) at 20 × 30")


@pytest.mark.parametrize("formula, wrt, shapes, kind", [
    ("logdet(X)", "X", {"X": (3, 3)}, "hessian"),     # an inverse of 3 × 3: once refused
    ("inv(A+B)", "A", {"A": (6, 6), "B": (6, 6)}, None),
    ("x'*A*x", "x", {"A": (4, 4), "x": (4, 1)}, "gradient"),
])
def test_proofs_at_integer_sizes_hold_there(formula, wrt, shapes, kind):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    proofs = d._proofs("elementwise", {"kind": kind} if kind else {})
    for proof in proofs:
        assert proof.sections[-1].heading == "Sizes given"
        assert "numerically at every entry" in _sections(proof)["Closed form"].text
    d.check()  # the results themselves, against differences (the twin at these sizes)


def test_a_wrong_result_at_the_sizes_given_is_refused():
    """The twin's proof holds; a result at the sizes given that is not the twin's with the
    sizes put in is refused."""
    d = matderiv.derive("W*x", wrt="W", shapes={"W": (3, 4), "x": (4, 1)})
    wrong = 2 * d.jacobian()
    d.jacobian = lambda vec="col", layout=None: wrong
    with pytest.raises(matderiv.MatDerivError, match="proof is withheld"):
        d.proof("elementwise")


def test_named_sizes_keep_the_proof_as_it_was():
    d = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
    assert "Sizes given" not in _sections(d.proof("elementwise"))


def test_a_symmetric_variable_at_integer_sizes_is_proved_on_the_twin():
    """logdet(S) at S of 30 × 30 once refused: the general proof wrote out a 30 × 30
    determinant. The twin (S of n30 × n30, still symmetric) is proved instead."""
    d = matderiv.derive("logdet(S)", "S", {"S": (30, 30)}, symmetric=["S"])
    proof = d.proof("elementwise")
    headings = [s.heading for s in proof.sections]
    assert "Symmetric variable" in headings and headings[-1] == "Sizes given"
    assert proof.result == d.gradient()
    d.check()  # the result at 30 × 30 against differences (by symmetric directions)

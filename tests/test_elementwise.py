"""Element-wise proofs ("Version 2"): entry sums, the derivative of one entry, the layout,
and the closed form checked at every entry. Read for content; a false one must refuse."""

import pytest
from test_proofs import PROVEN

import matderiv
from matderiv.render.text import to_text


def _sections(proof):
    return {s.heading: s for s in proof.sections}


def test_seed1_version2_regenerated_step_by_step():
    d = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
    s = _sections(d.proof("elementwise"))
    assert list(s) == ["Entry", "Derivative", "Layout", "Closed form"]
    assert to_text(s["Entry"].lines[0].rhs) == "Σ_{k=1..n} W_ik*a_k"          # z_i = Σ W_ij a_j
    assert to_text(s["Derivative"].lines[0].rhs) == "δ_ip*a_q"                 # ∂z_i/∂W_pq
    assert to_text(s["Derivative"].lines[1].rhs) == "a_q if i = p, else 0"      # the case split
    assert "row i and column (q-1)·m + p" in s["Layout"].text                  # the layout
    assert to_text(s["Closed form"].lines[0].rhs) == "aᵀ ⊗ I_m"
    assert "checked exactly at every entry for sizes m=2, n=3" in s["Closed form"].text
    assert "numerically at every entry" in s["Closed form"].text


@pytest.mark.parametrize("formula, wrt, shapes, vec, derivative, layout", [
    ("W*x", "W", {"W": ("m", "n"), "x": ("n", 1)}, "row", "δ_ip*x_q",
     "column (p-1)·n + q"),                                                     # item 5
    ("W*X", "W", {"W": ("m", "n"), "X": ("n", "b")}, "row", "δ_ip*X_qj",
     "row (i-1)·b + j and column (p-1)·n + q"),                                 # item 6
])
def test_seed2_row_stacking_elementwise(formula, wrt, shapes, vec, derivative, layout):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    s = _sections(d.proof("elementwise", vec=vec))
    assert to_text(s["Derivative"].lines[0].rhs) == derivative
    assert layout in s["Layout"].text and "vecr" in s["Layout"].text


def test_seed2_item9_elementwise():
    d = matderiv.derive("f(W*x)", wrt="W", shapes={"W": ("m", "n"), "x": ("n", 1)})
    s = _sections(d.proof("elementwise"))
    assert to_text(s["Derivative"].lines[0].rhs) == "(f'(W x))_p*x_q"   # (f'(y) xᵀ)_pq
    assert "checked exactly" in s["Closed form"].text


@pytest.mark.parametrize("wrt, derivative", [
    ("W", "Σ_{k=1..b} (f'(W X))_pk*X_qk"),      # item 10: (f'(Y) Xᵀ)_pq
    ("X", "Σ_{k=1..m} (f'(W X))_kq*W_kp"),      # item 11: (Wᵀ f'(Y))_pq
])
def test_seed2_items10_11_chain_rule_by_entries(wrt, derivative):
    d = matderiv.derive("f(W*X)", wrt=wrt, shapes={"W": ("m", "n"), "X": ("n", "b")})
    s = _sections(d.proof("elementwise"))
    assert to_text(s["Derivative"].lines[0].rhs) == derivative


@pytest.mark.parametrize("formula, wrt, shapes", PROVEN, ids=[p[0] for p in PROVEN])
def test_elementwise_proof_for_every_proven_result(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    proof = d.proof("elementwise")
    closed = _sections(proof)["Closed form"]
    assert closed.lines[0].rhs == proof.result
    assert "numerically at every entry" in closed.text
    if formula != "kron(X, A)":  # Kronecker Jacobians are over the cost cap for exact checks
        assert "checked exactly at every entry" in closed.text


def test_a_false_closed_form_is_refused(monkeypatch):
    d = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
    wrong = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)}) \
        .jacobian(vec="row")  # I ⊗ aᵀ is not the vec Jacobian
    monkeypatch.setattr(d, "jacobian", lambda vec="col": wrong)
    with pytest.raises(matderiv.MatDerivError, match="element-wise proof refused"):
        d.proof("elementwise")


def test_kronecker_indices_do_not_clash_with_sizes():
    d = matderiv.derive("kron(X, A)", wrt="X", shapes={"X": ("m", "n"), "A": ("p", "q")})
    s = _sections(d.proof("elementwise"))
    assert "count from 0" in s["Entry"].text  # index arithmetic: SymPy's 0-based form
    names = {str(x) for x in s["Derivative"].lines[0].lhs.free_symbols}
    assert not names & {"p", "q", "m", "n"} - {"X_rs"}


def test_cli_prove_both_styles():
    from click.testing import CliRunner

    from matderiv.cli import main
    out = CliRunner().invoke(main, ["prove", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1",
                                    "--style", "both"])
    assert out.exit_code == 0, out.output
    assert "Proof that" in out.output and "Element-wise proof that" in out.output


INVERSES_OF_SUMS = [
    ("logdet(X + A)", {"X": ("n", "n"), "A": ("n", "n")}),
    ("x'*inv(X + A)*x", {"X": ("n", "n"), "A": ("n", "n"), "x": ("n", 1)}),
    ("tr(inv(X)*inv(X))", {"X": ("n", "n")}),
]


@pytest.mark.parametrize("formula, shapes", INVERSES_OF_SUMS, ids=[f for f, _ in INVERSES_OF_SUMS])
def test_elementwise_proof_with_an_inverse_of_a_sum(formula, shapes):
    """The numeric check once expanded each entry of (A + X)^-1 symbolically (doit): the
    proof of logdet(X + A) ran out of its 60 s. It now takes the inverse's value, and a
    wrong closed form is still refused."""
    d = matderiv.derive(formula, wrt="X", shapes=shapes)
    closed = _sections(d.proof("elementwise"))["Closed form"]
    assert "checked exactly at every entry" in closed.text
    assert "numerically at every entry" in closed.text
    d.check()
    wrong = matderiv.derive(formula, wrt="X", shapes=shapes)
    transposed = wrong.gradient().T  # not equal to G: (A + X)^-T is not symmetric
    wrong.gradient = lambda: transposed
    with pytest.raises(matderiv.MatDerivError, match="element-wise proof refused"):
        wrong.proof("elementwise")

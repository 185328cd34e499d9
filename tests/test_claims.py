"""Checking claimed derivatives: the seed notes' results confirmed, the usual mistakes
refuted with their diagnosis and smallest counterexample, the CLI's exit codes and
formats, and batches.

Every verdict rests on the checker's numeric comparison (several size sets, several
random points each, matderiv's result checked against finite differences); the seed
claims are in addition evaluated here against central finite differences directly.
"""

from __future__ import annotations

import doctest
import json
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import numeric_reference
from test_cookbook import GRADIENTS

import matderiv
from matderiv import MatDerivError
from matderiv.cli import main
from matderiv.numeric.differences import assert_close
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values, stand_in_functions

W_a = {"W": ("m", "n"), "a": ("n", 1)}
W_x = {"W": ("m", "n"), "x": ("n", 1)}
W_X = {"W": ("m", "n"), "X": ("n", "b")}
SQUARE = {"A": ("n", "n"), "X": ("n", "n")}


def verdict_of(formula, wrt, shapes, claim, **options):
    return matderiv.derive(formula, wrt=wrt, shapes=shapes).check_claim(claim, **options)


def assert_matches_finite_differences(formula, wrt, shapes, verdict, seed=7):
    """The confirmed claim, evaluated by the test itself against central differences."""
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    rng = np.random.default_rng(seed)
    functions = stand_in_functions(d.abstract_functions)
    reading = verdict.reading
    assert reading.layout == "numerator" and reading.kind in ("gradient", "jacobian")
    for _ in range(2):
        values = random_values(d.expr, d.variable, rng)
        reference = numeric_reference(d, reading.kind, reading.vec, values, functions)
        assert_close(evaluate(verdict.claim_expr, values, functions=functions), reference,
                     what=f"claim {verdict.claim}")


# -- the seed notes, typed as claims in the notes' own conventions ---------------------

SEED_CLAIMS = [
    # seed 1: d(Wa)/d vec(W) = aᵀ ⊗ I_m (column stacking)
    ("seed 1", "W*a", "W", W_a, "kron(a', I(m))", "col"),
    # seed 2 item 5: y = W x, dy/dW-tilde = diag(xᵀ, ..., xᵀ) = I_m ⊗ xᵀ (row stacking)
    ("seed 2 item 5", "W*x", "W", W_x, "kron(I(m), x')", "row"),
    # item 6: Y = W X, dY-tilde/dW-tilde: block diagonal of Xᵀ = I_m ⊗ Xᵀ
    ("seed 2 item 6", "W*X", "W", W_X, "kron(I(m), X')", "row"),
    # items 7-8: Y = W X by X; blocks W in the note's row stacking, I_b ⊗ W by columns
    ("seed 2 items 7-8 (vecr)", "W*X", "X", W_X, "kron(W, I(b))", "row"),
    ("seed 2 items 7-8 (vec)", "W*X", "X", W_X, "kron(I(b), W)", "col"),
    # item 1: v = b(x) u(x) => dv/dx = u b' + b u', with b = c'x, u = B x
    ("seed 2 item 1", "(c'*x)*(B*x)", "x", {"c": ("n", 1), "x": ("n", 1), "B": ("m", "n")},
     "B*x*c' + (c'*x)*B", "col"),
    # item 2: k = <u, v> => dk/dx = vᵀ u' + uᵀ v' (a row), with u = B x, v = C x
    ("seed 2 item 2", "(B*x)'*(C*x)", "x", {"B": ("m", "n"), "C": ("m", "n"), "x": ("n", 1)},
     "(C*x)'*B + (B*x)'*C", "col"),
    ("seed 2 item 2 (dot)", "dot(B*x, C*x)", "x",
     {"B": ("m", "n"), "C": ("m", "n"), "x": ("n", 1)}, "(C*x)'*B + (B*x)'*C", "col"),
    # item 3: v = A u(x) => dv/dx = A u', with u = B x
    ("seed 2 item 3", "A*(B*x)", "x", {"A": ("m", "m"), "B": ("m", "n"), "x": ("n", 1)},
     "A*B", "col"),
    # item 9: z = f(y), y = W x => dz/dW = f'(y) xᵀ (as a matrix)
    ("seed 2 item 9", "f(W*x)", "W", W_x, "f'(W*x)*x'", "col"),
    # item 9, before "as matrix": (dz/dy_1 xᵀ, ..., dz/dy_m xᵀ), 1 x (m n), rows stacked
    ("seed 2 item 9 (row)", "f(W*x)", "W", W_x, "kron(f'(W*x)', x')", "row"),
    # item 9.3: dz/dx is 1 x n, a row: f'(y)ᵀ W (read as the Jacobian by its shape)
    ("seed 2 item 9.3", "f(W*x)", "x", W_x, "f'(W*x)'*W", "col"),
    # item 10: z = f(Y), Y = W X => dz/dW = f'(Y) Xᵀ
    ("seed 2 item 10", "f(W*X)", "W", W_X, "f'(W*X)*X'", "col"),
    # item 10, before "as matrix": (dz/dy_1 Xᵀ, ..., dz/dy_m Xᵀ) in the W-tilde order
    ("seed 2 item 10 (row)", "f(W*X)", "W", W_X, "vecr(f'(W*X)*X')'", "row"),
    # item 11: z = f(Y), Y = W X => dz/dX = Wᵀ f'(Y)
    ("seed 2 item 11", "f(W*X)", "X", W_X, "W'*f'(W*X)", "col"),
]


@pytest.mark.parametrize("name, formula, wrt, shapes, claim, vec", SEED_CLAIMS,
                         ids=[c[0] for c in SEED_CLAIMS])
def test_every_seed_result_is_confirmed(name, formula, wrt, shapes, claim, vec):
    v = verdict_of(formula, wrt, shapes, claim, vec=vec)
    assert v.verdict == "correct", v.explanation
    assert v.exit_code == 0
    assert "over 5 size sets" in v.evidence or "over 4 size sets" in v.evidence, v.evidence
    assert_matches_finite_differences(formula, wrt, shapes, v)


def test_seed2_item1_as_literally_written_is_ill_formed():
    # The note writes (db/dx) u, a 1 x n row times an m-vector: as matrices this has no
    # meaning; u (db/dx), the outer product, is what it stands for (confirmed above).
    v = verdict_of("(c'*x)*(B*x)", "x", {"c": ("n", 1), "x": ("n", 1), "B": ("m", "n")},
                   "c'*(B*x) + (c'*x)*B")
    assert v.verdict == "ill-formed" and "cannot multiply 1xn by mx1" in v.explanation


def test_seed2_item6_display_read_literally_is_refuted():
    # The display of item 6 draws every block as Xᵀ; read literally that is 1_m 1_mᵀ ⊗ Xᵀ,
    # which is wrong: the blocks off the diagonal are zero (item 5 says diag(xᵀ, ...)).
    v = verdict_of("W*X", "W", W_X, "kron(ones(m, m), X')", vec="row")
    assert v.verdict == "wrong"
    assert v.counterexample.sizes["m"] == 2
    _backs(v, "W*X", "W", W_X)


def test_seed2_item11_dz_dXT_is_the_transpose_of_the_gradient():
    # The note's intermediate dz/dXᵀ = (dz/dy) W, i.e. f'(Y)ᵀ W: b x n where X is n x b.
    v = verdict_of("f(W*X)", "X", W_X, "f'(W*X)'*W")
    assert v.verdict == "ill-formed"
    assert "transpose of the gradient" in v.explanation


def test_seed_results_in_the_other_convention_name_the_flag():
    v = verdict_of("W*x", "W", W_x, "kron(I(m), x')")  # the note's W-tilde form, asked by vec
    assert v.verdict == "correct in another convention"
    assert v.flag == "--jacobian --vec row"
    assert "row-stacking (vecr)" in v.explanation
    assert "Kronecker product with its factors in the other order" in v.explanation
    assert v.exit_code == 1


# -- the mistakes people make -----------------------------------------------------------


def _backs(v, formula, wrt, shapes):
    """The counterexample is real: claim and result evaluated there give its numbers."""
    example = v.counterexample
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    functions = stand_in_functions(d.abstract_functions)
    values = {**example.values, **example.sizes}
    claim = np.atleast_2d(evaluate(v.claim_expr, values, functions=functions))
    truth = np.atleast_2d(evaluate(v.result, values, functions=functions))
    row, col = example.entry
    assert claim[row - 1, col - 1] == pytest.approx(example.claim_value)
    assert truth[row - 1, col - 1] == pytest.approx(example.true_value)
    assert abs(example.claim_value - example.true_value) > 1e-6
    reference = numeric_reference(d, v.reading.kind, v.reading.vec,
                                  {k: np.asarray(x, dtype=float) if not isinstance(x, int)
                                   else x for k, x in values.items()}, functions)
    assert_close(truth, reference, what="the true value of the counterexample")


def test_transposed_gradient_is_wrong_with_its_diagnosis():
    v = verdict_of("tr(A*X)", "X", SQUARE, "A")
    assert v.verdict == "wrong" and v.exit_code == 1
    assert "the claim is the transpose of the gradient" in str(v.diagnoses[0])
    assert "Minka" in v.explanation
    assert v.counterexample.sizes == {"n": 2}  # at n = 1 the transpose agrees
    _backs(v, "tr(A*X)", "X", SQUARE)


def test_transposed_gradient_of_a_non_square_matrix_is_ill_formed_and_says_why():
    v = verdict_of("tr(A*X)", "X", {"A": ("m", "n"), "X": ("n", "m")}, "A")
    assert v.verdict == "ill-formed"
    assert "it is m×n" in v.explanation and "is n×m" in v.explanation
    assert "transpose of the gradient" in v.explanation


def test_kronecker_in_the_wrong_order_is_the_other_vec_convention():
    v = verdict_of("W*X", "X", W_X, "kron(W, I(b))")
    assert v.verdict == "correct in another convention"
    assert v.flag == "--jacobian --vec row"
    assert "vecr" in v.explanation and "Kronecker" in v.explanation


def test_kronecker_in_the_wrong_order_when_no_convention_has_it():
    # Whole-result swaps are the vecr form (above); one swapped term of two is not.
    shapes = {"A": ("p", "m"), "X": ("m", "n"), "B": ("n", "q"), "C": ("p", "m"),
              "D": ("n", "q")}
    v = verdict_of("A*X*B + C*X*D", "X", shapes, "kron(B', A) + kron(C, D')")
    assert v.verdict == "wrong", v.explanation
    assert any(d.words == "the factors of the Kronecker product are in the wrong order"
               for d in v.diagnoses), v.diagnoses
    _backs(v, "A*X*B + C*X*D", "X", shapes)
    v = verdict_of("A*X*B", "X", shapes, "kron(A, B')")
    assert v.verdict == "correct in another convention" and "--vec row" in v.flag


def test_missing_factor_2_in_a_quadratic_form():
    shapes = {"B": ("m", "n"), "x": ("n", 1)}
    v = verdict_of("x'*B'*B*x", "x", shapes, "B'*B*x")
    assert v.verdict == "wrong"
    assert "a factor 2 is missing" in str(v.diagnoses[0])
    assert v.counterexample.sizes == {"m": 1, "n": 1}
    _backs(v, "x'*B'*B*x", "x", shapes)


def test_missing_factor_2_in_least_squares():
    shapes = {"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)}
    v = verdict_of("norm(A*x - b)^2", "x", shapes, "A'*(A*x - b)")
    assert v.verdict == "wrong" and "a factor 2 is missing" in v.explanation
    _backs(v, "norm(A*x - b)^2", "x", shapes)


def test_quadratic_form_that_assumes_a_symmetric_matrix():
    shapes = {"A": ("n", "n"), "x": ("n", 1)}
    v = verdict_of("x'*A*x", "x", shapes, "2*A*x")
    assert v.verdict == "wrong"
    assert any("holds only when A is symmetric" in str(d) for d in v.diagnoses)
    _backs(v, "x'*A*x", "x", shapes)


def test_missing_transpose_on_an_inverse():
    v = verdict_of("logdet(X)", "X", {"X": ("n", "n")}, "inv(X)")
    assert v.verdict == "wrong"
    missing = [d for d in v.diagnoses if d.words == "a transpose is missing"]
    assert missing and "X⁻¹" in str(missing[0]) and "X⁻ᵀ" in str(missing[0])
    assert v.counterexample.sizes == {"n": 2}
    _backs(v, "logdet(X)", "X", {"X": ("n", "n")})


def test_dropped_term_of_the_product_rule():
    shapes = {"B": ("m", "n"), "C": ("m", "n"), "x": ("n", 1)}
    v = verdict_of("(B*x)'*(C*x)", "x", shapes, "B'*C*x")
    assert v.verdict == "wrong"
    assert any(d.words.startswith("a term of the product rule is missing")
               for d in v.diagnoses), v.diagnoses
    _backs(v, "(B*x)'*(C*x)", "x", shapes)
    v = verdict_of("tr(X'*A*X)", "X", SQUARE, "A*X")
    assert v.verdict == "wrong"
    assert any("product rule" in str(d) for d in v.diagnoses), v.diagnoses


def test_every_transpose_missing_in_a_product():
    # Regression: a variant made by xreplace (bᵀ -> b) did not conform and crashed.
    shapes = {"a": ("n", 1), "b": ("n", 1), "X": ("n", "n")}
    v = verdict_of("a'*inv(X)*b", "X", shapes, "-inv(X)*a*b'*inv(X)")
    assert v.verdict == "wrong"
    assert v.diagnoses[0].words == "a transpose is missing"
    _backs(v, "a'*inv(X)*b", "X", shapes)
    v = verdict_of("a'*inv(X)*b", "X", shapes, "-inv(X)'*b*a'*inv(X)'")
    assert v.verdict == "wrong" and v.counterexample is not None


def test_wrong_sign():
    v = verdict_of("tr(A*X)", "X", SQUARE, "-A'")
    assert v.verdict == "wrong" and "the sign is wrong" in v.explanation


def test_agreement_at_the_smallest_size_is_not_enough():
    # ones(m, m) is I(m) when m = 1: the claim agrees there and nowhere else.
    v = verdict_of("W*a", "W", W_a, "kron(a', ones(m, m))")
    assert v.verdict == "wrong"
    assert v.counterexample.sizes["m"] == 2
    _backs(v, "W*a", "W", W_a)


def test_denominator_layout_is_another_convention():
    v = verdict_of("A*x", "x", {"A": ("m", "n"), "x": ("n", 1)}, "A'")
    assert v.verdict == "correct in another convention"
    assert v.flag == "--jacobian --layout denominator"
    assert "denominator-layout" in v.explanation
    v = verdict_of("A*x", "x", {"A": ("m", "n"), "x": ("n", 1)}, "A'", layout="denominator")
    assert v.verdict == "correct"


def test_gradient_shaped_claim_asked_as_a_jacobian():
    shapes = {"A": ("n", "n"), "x": ("n", 1)}
    v = verdict_of("x'*A*x", "x", shapes, "(A + A')*x", kind="jacobian")
    assert v.verdict == "correct in another convention"
    assert "--layout denominator" in v.flag or v.flag == "--gradient"


def test_row_claim_for_a_scalar_is_read_as_the_jacobian():
    shapes = {"A": ("n", "n"), "x": ("n", 1)}
    v = verdict_of("x'*A*x", "x", shapes, "x'*(A + A')")
    assert v.verdict == "correct" and v.reading.kind == "jacobian"


def test_claims_use_the_result_grammar():
    # K(m, n), vec and diag in claims, as results need them.
    d = matderiv.derive("logdet(X)", wrt="X", shapes={"X": ("n", "n")})
    assert d.check_claim("-kron(inv(X), inv(X)')*K(n, n)", kind="hessian").correct
    shapes = {"a": ("m", 1), "X": ("m", "n"), "b": ("n", 1)}
    v = verdict_of("a'*X*b", "X", shapes, "vec(a*b')'")  # 1 x mn: read as the Jacobian
    assert v.correct and v.reading.kind == "jacobian"
    assert verdict_of("X'", "X", {"X": ("m", "n")}, "K(m, n)").correct
    assert verdict_of("x .* y", "x", {"x": ("n", 1), "y": ("n", 1)}, "diag(y)").correct


def test_hessian_claims():
    shapes = {"A": ("n", "n"), "x": ("n", 1)}
    assert verdict_of("x'*A*x", "x", shapes, "A + A'", kind="hessian").verdict == "correct"
    v = verdict_of("x'*A*x", "x", shapes, "2*A", kind="hessian")
    assert v.verdict == "wrong"
    assert any("symmetric" in str(d) for d in v.diagnoses)
    ls = {"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)}
    assert verdict_of("norm(A*x - b)^2", "x", ls, "2*A'*A", kind="hessian").correct


# -- ill-formed claims and bad input ---------------------------------------------------


def test_name_not_in_the_formula_is_ill_formed():
    v = verdict_of("W*a", "W", W_a, "kron(b', I(m))")
    assert v.verdict == "ill-formed" and "'b'" in v.explanation and v.exit_code == 1
    v = verdict_of("f(W*X)", "W", W_X, "g'(W*X)*X'")
    assert v.verdict == "ill-formed" and "'g'" in v.explanation


def test_shape_that_no_convention_has_is_ill_formed():
    v = verdict_of("W*a", "W", W_a, "kron(a', I(n))")
    assert v.verdict == "ill-formed"
    assert "n×(n^2)" in v.explanation and "m×(mn)" in v.explanation


def test_claim_with_its_own_shape_error_is_ill_formed():
    v = verdict_of("W*a", "W", W_a, "W*W")
    assert v.verdict == "ill-formed" and "cannot multiply" in v.explanation


def test_claim_that_does_not_parse_is_bad_input():
    d = matderiv.derive("W*a", wrt="W", shapes=W_a)
    with pytest.raises(MatDerivError, match="column"):
        d.check_claim("kron(a', I(m)")
    with pytest.raises(MatDerivError):
        d.check_claim("kron(a', I(m))", kind="tensor")
    with pytest.raises(MatDerivError, match="not a scalar"):
        d.check_claim("kron(a', I(m))", kind="gradient")


def test_claim_as_a_sympy_expression():
    d = matderiv.derive("W*a", wrt="W", shapes=W_a)
    assert d.check_claim(d.jacobian()).verdict == "correct"
    assert d.check_claim(d.jacobian(vec="row")).verdict == "correct in another convention"


def test_json_ready_verdict():
    data = verdict_of("logdet(X)", "X", {"X": ("n", "n")}, "inv(X)").to_dict()
    assert data["verdict"] == "wrong" and data["exit_code"] == 1
    assert data["counterexample"]["sizes"] == {"n": 2}
    json.dumps(data)


def test_module_examples():
    from matderiv.claims import claim_text, diagnose, explain, judge, readings
    from matderiv.numeric import sample
    from matderiv.render import claim as render_claim
    for module in (claim_text, diagnose, explain, judge, readings, sample, render_claim):
        assert doctest.testmod(module).failed == 0


# -- the command line -------------------------------------------------------------------

SEED1 = ["check", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1"]


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_cli_exit_codes():
    out = run(*SEED1, "--claim", "kron(a', I(m))")
    assert out.exit_code == 0 and out.output.startswith("verdict:    correct"), out.output
    out = run(*SEED1, "--claim", "kron(I(m), a')")
    assert out.exit_code == 1 and "correct in another convention" in out.output
    assert "--jacobian --vec row" in out.output
    assert run(*SEED1, "--claim", "kron(I(m), a')", "--vec", "row").exit_code == 0
    out = run(*SEED1, "--claim", "kron(a', ones(m, m))")
    assert out.exit_code == 1 and "Smallest counterexample" in out.output
    assert run(*SEED1, "--claim", "kron(Q, I(m))").exit_code == 1
    out = run(*SEED1, "--claim", "kron(a', I(m)")
    assert out.exit_code == 2 and "matderiv: error:" in out.output
    assert run(*SEED1).exit_code == 2
    for hostile in ("__import__('os').system('id')", "", "W.__class__", "lambda: 0"):
        out = run(*SEED1, "--claim", hostile)
        assert out.exit_code == 2 and "matderiv: error: claim:" in out.output, out.output
        assert out.output.count("\n") == 1
    assert run("check", "W*a", "--wrt", "Z", "-s", "W=m,n", "-s", "a=n,1",
               "--claim", "a").exit_code == 2


def test_cli_kinds_and_formats():
    out = run("check", "x'*A*x", "--wrt", "x", "-s", "A=n,n", "-s", "x=n,1", "--hessian",
              "--claim", "A + A'", "--format", "json")
    assert out.exit_code == 0
    assert json.loads(out.output)["kind"] == "hessian"
    out = run("check", "logdet(X)", "--wrt", "X", "-s", "X=n,n", "--gradient",
              "--claim", "inv(X)", "--format", "latex")
    assert out.exit_code == 1
    assert r"\item[Verdict] wrong" in out.output and r"X^{-T}" in out.output
    assert r"\begin{pmatrix}" in out.output
    out = run(*SEED1, "--claim", "kron(a', I(m))", "--format", "md")
    assert out.exit_code == 0 and "- **verdict**: correct" in out.output


BATCH = """
title = "Claims"

[[claim]]
name = "seed 1"
formula = "W*a"
wrt = "W"
shapes = { W = "m,n", a = "n,1" }
claim = "kron(a', I(m))"

[[claim]]
name = "logdet"
formula = "logdet(X)"
wrt = "X"
shapes = { X = "n,n" }
claim = "inv(X)"

[[claim]]
name = "seed 2 item 5"
formula = "W*x"
wrt = "W"
shapes = { W = "m,n", x = "n,1" }
claim = "kron(I(m), x')"
vec = "row"

[[claim]]
name = "shape"
formula = "W*a"
wrt = "W"
shapes = { W = "m,n", a = "n,1" }
claim = "kron(a', I(n))"
"""

BAD = """
[[claim]]
name = "broken"
formula = "W*"
wrt = "W"
shapes = { W = "m,n" }
claim = "W"
"""


def test_cli_batch_table(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text(BATCH)
    out = run("check", "--batch", str(path))
    assert out.exit_code == 1, out.output
    lines = out.output.splitlines()
    assert lines[0].split()[:2] == ["name", "verdict"]
    assert any(line.startswith("seed 1") and "correct" in line for line in lines)
    assert any(line.startswith("logdet") and "wrong" in line for line in lines)
    assert any(line.startswith("shape") and "ill-formed" in line
               and "the claim is n×(n^2), the derivative m×(mn)" in line for line in lines)
    md = run("check", "--batch", str(path), "--format", "md").output
    assert md.startswith("| name | verdict |") and "| logdet | wrong |" in md
    tex = run("check", "--batch", str(path), "--format", "latex").output
    assert r"\begin{tabular}" in tex and r"a^{T} \otimes I_{m}" in tex
    assert r"n$\times$(n\^{}2)" in tex


def test_cli_batch_with_a_bad_entry(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text(BATCH + BAD)
    out = CliRunner().invoke(main, ["check", "--batch", str(path)])
    assert out.exit_code == 2
    assert "matderiv: error: broken:" in out.output
    assert any(line.startswith("seed 1") and "correct" in line
               for line in out.output.splitlines())
    good = tmp_path / "good.toml"
    good.write_text(BATCH.split("[[claim]]\nname = \"logdet\"")[0])
    assert run("check", "--batch", str(good)).exit_code == 0
    assert run("check", "--batch", str(tmp_path / "missing.toml")).exit_code == 2
    odd = tmp_path / "odd.toml"
    odd.write_text('claim = [1]\n')
    out = run("check", "--batch", str(odd))
    assert out.exit_code == 2 and "entry 1: an entry must be a table" in out.output


def test_readme_shows_real_output(tmp_path):
    from pathlib import Path
    # The repository's README: one level up, or two when CI runs a copy of tests/.
    found = [p / "README.md" for p in Path(__file__).resolve().parents[1:3]
             if (p / "README.md").is_file()]
    if not found:
        pytest.skip("README.md is not beside this copy of the tests")
    readme = found[0].read_text()
    section = readme.split("## Checking a claim", 1)[1]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    out = run("check", "logdet(X)", "--wrt", "X", "-s", "X=n,n", "--claim", "inv(X)")
    assert out.output.strip() == shown.strip()
    batch = section.split("```toml\n", 1)[1].split("```", 1)[0]
    table = section.split("$ matderiv check --batch claims.toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "claims.toml"
    path.write_text(batch)
    assert run("check", "--batch", str(path)).output.strip() == table.strip()


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex is not installed (.ci/run installs texlive-latex-base)")
def test_latex_verdicts_and_table_compile(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text(BATCH)
    parts = [run("check", "--batch", str(path), "--format", "latex").output]
    for claim in ("inv(X)", "inv(X)'", "Q"):
        parts.append(run("check", "logdet(X)", "--wrt", "X", "-s", "X=n,n", "--claim", claim,
                         "--format", "latex").output)
    parts.append(run(*SEED1, "--claim", "kron(I(m), a')", "--format", "latex").output)
    body = "\n".join(parts)
    (tmp_path / "claims.tex").write_text("\\documentclass{article}\\usepackage{amsmath}\n"
                                         "\\begin{document}\n" + body + "\\end{document}\n")
    out = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                          "claims.tex"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stdout[-3000:]


# -- the Cookbook's gradients as claims: confirmed, and refuted when altered -----------


@pytest.mark.parametrize("name, formula, wrt, shapes, gradient", GRADIENTS,
                         ids=[g[0] for g in GRADIENTS])
def test_cookbook_gradients_as_claims(name, formula, wrt, shapes, gradient):
    v = verdict_of(formula, wrt, shapes, gradient, kind="gradient")
    assert v.verdict == "correct", v.explanation
    doubled = verdict_of(formula, wrt, shapes, f"2*({gradient})", kind="gradient")
    assert doubled.verdict == "wrong"
    assert "the claim is 2 times the true result" in str(doubled.diagnoses[0])
    transposed = verdict_of(formula, wrt, shapes, f"({gradient})'", kind="gradient")
    if transposed.verdict == "correct in another convention":  # x a vector: the Jacobian
        assert transposed.flag == "--jacobian" and shapes[wrt][1] == 1
    else:
        assert transposed.verdict in ("wrong", "ill-formed"), transposed.explanation
        assert "transpose of the gradient" in transposed.explanation


def test_numbers_decide_where_canonical_forms_differ():
    # diag(a) 1 = a is not something SymPy's canonical forms know.
    v = verdict_of("a'*x", "x", {"a": ("n", 1), "x": ("n", 1)}, "diag(a)*ones(n)")
    assert v.verdict == "correct" and not v.symbolic_match
    assert "symbolically" not in v.explanation
    assert verdict_of("W*a", "W", W_a, "kron(a', I(m))").symbolic_match


def test_ill_shaped_sympy_claim_is_ill_formed():
    from sympy import Transpose
    d = matderiv.derive("a'*X*b", wrt="X", shapes={"a": ("m", 1), "X": ("m", "n"),
                                                    "b": ("n", 1)})
    gradient = d.gradient()  # a bᵀ
    ill_shaped = gradient.xreplace({Transpose(d.env["b"]): d.env["b"]})  # a b: no product
    v = d.check_claim(ill_shaped)
    assert v.verdict == "ill-formed" and "do not conform" in v.explanation


def test_mutated_results_are_judged_without_crash_or_false_confirmation():
    """Fuzz: small changes to true results (transpose, negate, scale, invert, swap a
    Kronecker product); a claim called correct must match finite differences itself."""
    import random

    import sympy
    from sympy import Inverse, KroneckerProduct, Transpose

    from matderiv.expressions import is_matrix
    rng = random.Random(0)
    cases = [(f, w, s) for _, f, w, s, _ in GRADIENTS] + [
        ("W*a", "W", W_a), ("W*X", "X", W_X), ("f(W*X)", "W", W_X)]
    for formula, wrt, shapes in cases:
        d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
        truth = d.gradient() if d.is_scalar else d.jacobian()
        nodes = [n for n in sympy.preorder_traversal(truth) if is_matrix(n)]
        for _ in range(4):
            node = rng.choice(nodes)
            change = rng.choice([Transpose, lambda n: -n, lambda n: 2 * n, Inverse,
                                 lambda n: KroneckerProduct(*reversed(n.args))
                                 if isinstance(n, KroneckerProduct) else Transpose(n)])
            try:
                claim = truth.xreplace({node: change(node)})
            except (TypeError, ValueError, sympy.ShapeError):
                continue  # SymPy refuses the changed form itself
            try:
                v = d.check_claim(claim)
            except MatDerivError as error:  # e.g. an inverse of a non-square matrix
                assert "internal" not in str(error) and "unsupported" not in str(error)
                continue
            if v.verdict == "wrong":
                assert v.counterexample is not None
            if v.verdict == "correct":
                values = random_values(d.expr, d.variable, np.random.default_rng(1))
                functions = stand_in_functions(d.abstract_functions)
                reference = numeric_reference(d, v.reading.kind, v.reading.vec, values,
                                              functions)
                assert_close(evaluate(claim, values, functions=functions), reference,
                             what=f"{formula}: claim {claim}")

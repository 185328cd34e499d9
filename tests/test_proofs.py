"""Rules proofs ("Version 1"): generated from the trace, read for content, and true.

Every line of an identification chain is evaluated with a random value for dX: each
must equal the first, so a proof that would be false cannot pass.
"""

import shutil
import subprocess

import numpy as np
import pytest
from sympy import MatrixSymbol

import matderiv
from matderiv.expressions import MatDiff
from matderiv.numeric.evaluate import evaluate
from matderiv.numeric.points import random_values, stand_in_functions
from matderiv.render.proof_text import proof_to_text

SEED1 = ("W*a", "W", {"W": ("m", "n"), "a": ("n", 1)})
PROVEN = [
    SEED1,
    ("W*X", "X", {"W": ("m", "n"), "X": ("n", "b")}),
    ("f(W*X)", "W", {"W": ("m", "n"), "X": ("n", "b")}),
    ("f(W*X)", "X", {"W": ("m", "n"), "X": ("n", "b")}),
    ("x'*A*x", "x", {"x": ("n", 1), "A": ("n", "n")}),
    ("tr(A*X*B)", "X", {"A": ("p", "m"), "X": ("m", "n"), "B": ("n", "p")}),
    ("logdet(X)", "X", {"X": ("n", "n")}),
    ("det(X)", "X", {"X": ("n", "n")}),
    ("tr(A*inv(X)*B)", "X", {"X": ("n", "n"), "A": ("n", "n"), "B": ("n", "n")}),
    ("inv(X)", "X", {"X": ("n", "n")}),
    ("X'", "X", {"X": ("m", "n")}),
    ("X .* A", "X", {"X": ("m", "n"), "A": ("m", "n")}),
    ("kron(X, A)", "X", {"X": ("m", "n"), "A": ("p", "q")}),
    ("norm(A*x - b)^2", "x", {"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)}),
    ("sum(tanh(W*X))", "W", {"W": ("m", "n"), "X": ("n", "b")}),
    ("(c'*x)*(B*x)", "x", {"c": ("n", 1), "x": ("n", 1), "B": ("m", "n")}),
]


def test_seed1_version1_regenerated():
    d = matderiv.derive(*SEED1[:2], shapes=SEED1[2])
    proof = d.proof("rules")
    assert [s.heading for s in proof.sections] == ["Differential", "Identification",
                                                  "Conclusion"]
    text = proof_to_text(proof)
    assert "Proof that ∂vec(W a)/∂vec(W) = aᵀ ⊗ I_m" in text
    assert "= dW a" in text and "[d-linear]" in text
    assert "= (aᵀ ⊗ I_m) vec(dW)" in text and "[vec-product]" in text
    assert "vec(L*M*R) => kron(R', L)*vec(M)" in text  # the rule's statement is cited
    assert "Matrix Cookbook (520)" in text


def test_seed2_row_convention_proof_cites_vecr_rule():
    d = matderiv.derive("W*x", wrt="W", shapes={"W": ("m", "n"), "x": ("n", 1)})
    text = d.proof_text(vec="row")
    assert "I_m ⊗ xᵀ" in text and "[vecr-product]" in text and "vecr stacks rows" in text


def _dx_value(derivation, values, rng):
    shape = np.asarray(values[derivation.variable.name]).shape
    return rng.normal(size=shape)


@pytest.mark.parametrize("formula, wrt, shapes", PROVEN, ids=[p[0] for p in PROVEN])
def test_every_identification_line_is_true(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    proof = d.proof("rules")
    rng = np.random.default_rng(7)
    values = random_values(d.expr, d.variable, rng)
    dX = MatrixSymbol("dX__", *d.variable.shape)
    values["dX__"] = _dx_value(d, values, rng)
    functions = stand_in_functions(d.abstract_functions)
    section = next(s for s in proof.sections if s.heading == "Identification")
    chain = [line.rhs for line in section.lines if line.lhs is None]
    first = evaluate(chain[0].xreplace({MatDiff(d.variable): dX}), values, functions=functions)
    for rhs in chain[1:]:
        value = evaluate(rhs.xreplace({MatDiff(d.variable): dX}), values, functions=functions)
        assert np.allclose(value, first), f"false proof line: {rhs}"
    for line in section.lines:
        if line.lhs is not None:  # 'where before = after' lines
            before = evaluate(line.lhs.xreplace({MatDiff(d.variable): dX}), values,
                              functions=functions)
            after = evaluate(line.rhs.xreplace({MatDiff(d.variable): dX}), values,
                             functions=functions)
            assert np.allclose(before, after), f"false step {line.lhs} = {line.rhs}"


@pytest.mark.parametrize("formula, wrt, shapes", PROVEN, ids=[p[0] for p in PROVEN])
def test_proof_ends_in_the_result_and_cites_its_rules(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    proof = d.proof("rules")
    kind = "gradient" if d.is_scalar else "jacobian-col"
    assert [r.name for r in proof.rules] == list(dict.fromkeys(d.rules_used(kind)))
    assert proof.result == (d.gradient() if d.is_scalar else d.jacobian())
    last = [s for s in proof.sections if s.lines][-1].lines[-1].rhs
    if proof.sections[-2].heading == "Simplification":
        assert last == proof.result


def test_latex_fragment_and_notebook_repr():
    d = matderiv.derive(*SEED1[:2], shapes=SEED1[2])
    tex = d.latex()
    assert r"\begin{align*}" in tex and r"\tag*{\small (vec-product)}" in tex
    assert tex.startswith(r"\begin{proposition}") and r"\begin{proof}[Proof by rules]" in tex
    assert r"a^{T} \otimes I_{m}" in tex
    assert d._repr_latex_().startswith("$$") and r"\otimes" in d._repr_latex_()


def test_cli_prove_writes_a_standalone_document(tmp_path):
    from click.testing import CliRunner

    from matderiv.cli import main
    target = tmp_path / "proof.tex"
    out = CliRunner().invoke(main, ["prove", *SEED1[:1], "--wrt", "W", "-s", "W=m,n",
                                    "-s", "a=n,1", "-o", str(target)])
    assert out.exit_code == 0, out.output
    text = target.read_text()
    assert text.startswith(r"\documentclass") and text.rstrip().endswith(r"\end{document}")


def test_cli_prove_unwritable_path_leaves_nothing(tmp_path):
    import subprocess as sp
    import sys
    out = sp.run([sys.executable, "-m", "matderiv.cli", "prove", "W*a", "--wrt", "W", "-s",
                  "W=m,n", "-s", "a=n,1", "-o", str(tmp_path / "missing" / "p.tex")],
                 capture_output=True, text=True)
    assert out.returncode == 2 and "does not exist" in out.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex is not installed (.ci/run installs texlive-latex-base)")
def test_document_of_all_proofs_compiles(tmp_path):
    """Every seed result and every Cookbook result of the test suite, in one document."""
    from test_cookbook import GRADIENTS
    from test_seeds import W_X, W_a, W_x
    seeds = [("W*a", "W", W_a), ("W*x", "W", W_x), ("W*X", "W", W_X), ("W*X", "X", W_X),
             ("f(W*x)", "W", W_x), ("(B*x)'*(C*x)", "x", {"B": ("m", "n"), "C": ("m", "n"),
                                                           "x": ("n", 1)}),
             ("A*(B*x)", "x", {"A": ("m", "m"), "B": ("m", "n"), "x": ("n", 1)})]
    cookbook = [(f, w, s) for _, f, w, s, _ in GRADIENTS]
    derivations = [matderiv.derive(f, wrt=w, shapes=s) for f, w, s in PROVEN + seeds + cookbook]
    (tmp_path / "all.tex").write_text(matderiv.document(derivations, title="All proofs"))
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "all.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / "all.pdf").stat().st_size > 1000


BATCH = """
title = "Seed results"
[[derivation]]
name = "seed 1"
formula = "W*a"
wrt = "W"
shapes = { W = "m,n", a = "n,1" }
[[derivation]]
name = "broken"
formula = "W*b"
wrt = "W"
shapes = { W = "m,n", b = "m,1" }
[[derivation]]
formula = "f(W*X)"
wrt = "X"
shapes = { W = "m,n", X = "n,b" }
vec = "row"
"""


def _cli(*args):
    import subprocess as sp
    import sys
    return sp.run([sys.executable, "-m", "matderiv.cli", *args], capture_output=True, text=True)


def test_batch_derives_good_entries_and_names_the_bad_one(tmp_path):
    batch = tmp_path / "b.toml"
    batch.write_text(BATCH)
    out = _cli("prove", "--batch", str(batch), "--style", "both", "-o", str(tmp_path / "b.tex"))
    assert out.returncode == 2
    assert "matderiv: error: broken: cannot multiply" in out.stderr
    tex = (tmp_path / "b.tex").read_text()
    assert r"\title{Seed results}" in tex
    assert tex.count(r"\section*{") == 3  # conventions + the two good derivations
    assert r"\section*{seed 1}" in tex  # each titled by its entry's name
    assert r"W^{T} f'\left(W X\right)" in tex


def test_batch_file_errors(tmp_path):
    assert "does not exist" in _cli("prove", "--batch", str(tmp_path / "none.toml")).stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("x = [")
    out = _cli("prove", "--batch", str(bad))
    assert out.returncode == 2 and "not valid TOML" in out.stderr
    empty = tmp_path / "empty.toml"
    empty.write_text("title = 'x'\n")
    assert "no [[derivation]]" in _cli("prove", "--batch", str(empty)).stderr


def test_pdf_needs_a_tex_output():
    out = _cli("prove", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1", "--pdf")
    assert out.returncode == 2 and "--pdf needs -o FILE.tex" in out.stderr


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex is not installed (.ci/run installs texlive-latex-base)")
def test_cli_pdf_compiles(tmp_path):
    out = _cli("prove", "f(W*X)", "--wrt", "W", "-s", "W=m,n", "-s", "X=n,b", "--style", "both",
               "-o", str(tmp_path / "p.tex"), "--pdf")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "p.pdf").stat().st_size > 1000


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex is not installed (.ci/run installs texlive-latex-base)")
def test_document_of_all_elementwise_proofs_compiles(tmp_path):
    derivations = [matderiv.derive(f, wrt=w, shapes=s) for f, w, s in PROVEN]
    (tmp_path / "e.tex").write_text(matderiv.document(derivations, proof="both"))
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "e.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]


@pytest.mark.parametrize("formula, wrt, shapes", PROVEN, ids=[p[0] for p in PROVEN])
def test_text_proofs_fit_80_columns(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    for line in d.proof_text("both").splitlines():
        # an equation longer than the page stays whole; everything else is wrapped
        assert len(line) <= 80 or line.startswith(("    ", "  = ")), line


def test_postfix_operands_are_bracketed_once():
    """Inverse is a MatPow to SymPy: (X⁻ᵀ)^3 once bracketed, (Xᵀ)⁻ᵀ not Xᵀ⁻ᵀ. The proof
    of the d-inverse-power example writes both; its gradient is checked numerically."""
    from sympy import Inverse, MatPow, Transpose

    from matderiv.render.text import to_text
    X = MatrixSymbol("X", 3, 3)
    assert to_text(MatPow(Inverse(X.T), 3)) == "(X⁻ᵀ)^3"
    assert to_text(MatPow(Transpose(Inverse(X)), 3)) == "(X⁻ᵀ)^3"
    assert to_text(Transpose(Inverse(X.T))) == "(Xᵀ)⁻ᵀ"
    assert to_text(MatPow(X.T, -3)) == "(Xᵀ)^-3"
    # (a'*inv(X')*inv(X')*inv(X')*b no longer takes d-inverse-power: d-product splits the
    # chain's factors; inside a trace SymPy writes the power)
    d = matderiv.derive("tr(A*inv(X')*inv(X')*inv(X'))", wrt="X",
                        shapes={"X": "n,n", "A": "n,n"})
    text = d.proof_text()
    assert "((" + "X⁻ᵀ))" not in text and "Xᵀ⁻ᵀ" not in text
    assert "[d-inverse-power]" in text
    d.check()


#: Results whose operand under a superscript is compound: LaTeX printed (A + X)^{-1] as
#: A + X^{-1}, (A + X)^{∘-2} as A + X^{∘ -2}, and (X^{∘2})^{-1} as a double superscript.
BRACKETED = [
    ("logdet(X + A)", r"\left(A^{T} + X^{T}\right)^{-1}", "(Aᵀ + Xᵀ)⁻¹"),
    ("sum(1 ./ (X + A))", r"- \left(A + X\right)^{\circ -2}", "-(A + X)^∘-2"),
    ("x'*inv(X+A)*x", r"\left(A^{T} + X^{T}\right)^{-1} x x^{T}", "(Aᵀ + Xᵀ)⁻¹ x xᵀ"),
    ("tr(inv(X.^2))", r"\left(\left(X^{T}\right)^{\circ 2}\right)^{-1}", "((Xᵀ)^∘2)⁻¹"),
]


@pytest.mark.parametrize("formula, latex, text", BRACKETED, ids=[b[0] for b in BRACKETED])
def test_compound_operands_of_superscripts_are_bracketed(formula, latex, text, tmp_path):
    import re

    from matderiv.render.latex import to_latex
    from matderiv.render.text import to_text
    d = matderiv.derive(formula, wrt="X", shapes={"X": "n,n", "A": "n,n", "x": "n,1"})
    gradient = d.gradient()
    assert latex in to_latex(gradient) and text in to_text(gradient)
    document = d.latex()
    assert not re.search(r"\^\{[^{}]*\}\^", document), "a double superscript"
    d.check(hessian=True)
    _assert_compiles(d, tmp_path)


def _assert_compiles(derivation, folder):
    """The derivation's LaTeX document compiles with pdflatex, where it is installed."""
    if shutil.which("pdflatex"):
        (folder / "d.tex").write_text(matderiv.document([derivation]))
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                              "d.tex"], cwd=folder, capture_output=True, text=True,
                             timeout=300)
        assert run.returncode == 0, run.stdout[-3000:]


# Results whose LaTeX SymPy's printer could not write: it negated each negative term by a
# deep doit(), which failed inside SymPy for a Kronecker product with a scaled factor
# (fuzz problem 0-910) and rewrote the term otherwise; sigma(x)^2 lost its power.
SIGNED = [
    ("inv(X + X)*(A + X)^-1", "X", {"X": "n,n", "A": "n,n"},
     r"- \left(\left(\left(A^{T} + X^{T}\right)^{-1} X^{-T}\right) \otimes",
     "-(((Aᵀ + Xᵀ)⁻¹ X⁻ᵀ) ⊗"),
    ("inv(X)", "X", {"X": "n,n"}, r"- \left(X^{-T} \otimes X^{-1}\right)", "-(X⁻ᵀ ⊗ X⁻¹)"),
    ("X .* A - (3*B)'", "X", {"X": "n,n", "A": "n,n", "B": "n,n"},
     r"X \circ A - \left(3 B\right)^{T}", "diag(vec(A))"),
    ("sigmoid(sum(k*X))^2", "X", {"X": "n,n", "k": ""},
     r"\sigma\left(\operatorname{sum}\left(k X\right)\right)^{2}", "sigmoid(sum(k X))^2"),
]


@pytest.mark.parametrize("formula, wrt, shapes, latex, text", SIGNED,
                         ids=[s[0] for s in SIGNED])
def test_signs_in_latex_are_read_off_the_terms(formula, wrt, shapes, latex, text, tmp_path):
    from matderiv.render.latex import to_latex
    from matderiv.render.text import to_text
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    result = d.gradient() if d.is_scalar else d.jacobian()
    document = d.latex()  # the statement and the proof, each term as it was built
    assert latex in to_latex(result) + document and text in to_text(result)
    d.check()
    _assert_compiles(d, tmp_path)

r"""Proofs ready for a paper: every proof of the corpus fits the text width (pdflatex's log
has no overfull box), mathematics in the prose is typeset (no ¡G, dX¿, no literal
underscores), a result is a proposition with its proof, batch sections carry the
entries' names, and ``--pdf`` output is checked as images: pdftoppm turns its pages into
pictures, whose margins must be blank (nothing runs past the text)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import matderiv
from matderiv.render.prose import prose_latex

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "benchmarks"))

needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed (.ci/run installs texlive-latex-base)")
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="pdftoppm and pdftotext are not installed (.ci/run installs poppler-utils)")

LONG = [  # the README's longest results, with both proofs
    ("sum((W2*tanh(W1*x + b1) + b2 - y).^2)", "W1",
     {"W1": ("h", "n"), "x": ("n", 1), "b1": ("h", 1), "W2": ("k", "h"), "b2": ("k", 1),
      "y": ("k", 1)}),
    ("log(sum(exp(W*x))) - y'*W*x", "W", {"W": ("k", "d"), "x": ("d", 1), "y": ("k", 1)}),
    ("sum(log(1 + exp(-y .* (X*w))))", "w", {"X": ("n", "d"), "w": ("d", 1), "y": ("n", 1)}),
]


def _compile(folder, name: str, text: str) -> str:
    (folder / f"{name}.tex").write_text(text)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                          f"{name}.tex"], cwd=folder, capture_output=True, text=True,
                         errors="replace", timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    return (folder / f"{name}.log").read_text(errors="replace")


def _overfull(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("Overfull")]


@needs_pdflatex
def test_no_proof_of_the_corpus_runs_past_the_text(tmp_path):
    from corpus import problems

    derivations = [matderiv.derive(p.formula, wrt=p.wrt, shapes=p.shapes) for p in problems()]
    fragments = [d.latex(proof="rules") for d in derivations]
    fragments += [matderiv.derive(f, wrt=w, shapes=s).latex(proof="both") for f, w, s in LONG]
    fragments += [matderiv.derive("logdet(X)", wrt="X", shapes={"X": ("n", "n")}).latex(
        proof="both", kind="hessian")]
    from matderiv.render.proof_latex import document
    log = _compile(tmp_path, "corpus", document(fragments, title="The corpus"))
    assert not _overfull(log), _overfull(log)[:5]


@needs_pdflatex
def test_the_element_wise_proofs_of_long_results_fit(tmp_path):
    fragments = [matderiv.derive(f, wrt=w, shapes=s).latex(proof="elementwise")
                 for f, w, s in LONG[:2]]
    from matderiv.render.proof_latex import document
    log = _compile(tmp_path, "long", document(fragments))
    assert not _overfull(log), _overfull(log)[:5]


def _pages(pdf, folder, dpi=40):
    """The PDF's pages as grey-level arrays (pdftoppm's PGM), white 255."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), str(folder / "page")],
                   check=True, timeout=120)
    pages = []
    for path in sorted(folder.glob("page-*.pgm")):
        data = path.read_bytes()
        fields = data.split(maxsplit=4)  # P5, width, height, maxval, pixels
        width, height = int(fields[1]), int(fields[2])
        pixels = np.frombuffer(fields[4][:width * height], dtype=np.uint8)
        pages.append(pixels.reshape(height, width))
    return pages


@needs_pdflatex
@needs_poppler
def test_pdf_pages_as_images_keep_their_margins_and_glyphs(tmp_path):
    from click.testing import CliRunner

    from matderiv.cli import main
    formula, wrt, shapes = LONG[0]
    target = tmp_path / "net.tex"
    run = CliRunner().invoke(main, ["prove", formula, "--wrt", wrt, "--style", "both",
                                    *[f"-s{n}={','.join(map(str, s))}" for n, s in
                                      shapes.items()], "-o", str(target), "--pdf"])
    assert run.exit_code == 0, run.output
    pdf = tmp_path / "net.pdf"
    dpi = 40
    pages = _pages(pdf, tmp_path, dpi)
    assert len(pages) >= 2
    margin = int(0.8 * dpi)  # of the 1 in margins: nothing may be drawn there
    for number, page in enumerate(pages, start=1):
        assert page.min() < 100, f"page {number} is blank"
        inked = page[:, -margin:] < 200
        assert not inked.any(), f"page {number}: something runs into the right margin"
        assert not (page[:, :margin] < 200).any(), f"page {number}: ink in the left margin"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for broken in ("¡", "¿", "_", "\\", "textless", "?"):
        assert broken not in text, f"{broken!r} printed in the PDF"
    assert "Proposition 1" in text and "Proof by rules." in text
    assert "Element-wise proof." in text


@needs_pdflatex
@needs_poppler
def test_batch_sections_are_titled_by_the_entries_names(tmp_path):
    (tmp_path / "b.toml").write_text(
        'title = "Two results"\n'
        '[[derivation]]\nname = "Seed one: the Kronecker product"\nformula = "W*a"\n'
        'wrt = "W"\nshapes = { W = "m,n", a = "n,1" }\n'
        '[[derivation]]\nname = "Log det"\nformula = "logdet(X)"\nwrt = "X"\n'
        'shapes = { X = "n,n" }\n')
    run = subprocess.run([sys.executable, "-m", "matderiv.cli", "prove", "--batch",
                          str(tmp_path / "b.toml"), "-o", str(tmp_path / "b.tex"), "--pdf"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    text = subprocess.run(["pdftotext", str(tmp_path / "b.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Seed one: the Kronecker product" in text and "Log det" in text
    assert "\n1.\n" not in text


@pytest.mark.parametrize("sentence, expected", [
    ("Bring each term to the form <G, dX> = tr(G' dX).",
     r"$\langle G, \mathrm{d}X \rangle = \operatorname{tr}(G^{T} \mathrm{d}X)$"),
    ("gradient as matrix: G has the shape of X and G_ij = dF/dX_ij",
     r"$G_{ij} = \partial F / \partial X_{ij}$"),
    ("Since vec(dF) = J vec(dX) for every dX, J is the Jacobian d vec(F) / d vec(X).",
     r"$\partial \operatorname{vec}(F) / \partial \operatorname{vec}(X)$"),
    ("With vec (vec stacks columns), ∂F_ij/∂X_pq sits in row (j-1)·m + i of the Jacobian.",
     r"$(j-1) \cdot m + i$"),
])
def test_prose_mathematics_is_typeset(sentence, expected):
    latex = prose_latex(sentence)
    assert expected in latex
    outside = "".join(latex.split("$")[::2])  # the words, outside the mathematics
    assert not any(ch in outside for ch in "<>_'∂·") and r"\_" not in outside


def test_the_proof_is_a_proposition_and_its_proof():
    d = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
    tex = d.latex(proof="both")
    assert tex.count(r"\begin{proposition}") == 2 and tex.count(r"\end{proof}") == 2
    assert r"\begin{proof}[Element-wise proof]" in tex
    assert r"\tag*{\small (d-linear)}" in tex
    document = matderiv.document([d])
    assert r"\usepackage{amsmath,amssymb,amsthm}" in document
    assert r"\newtheorem{proposition}{Proposition}" in document


@needs_pdflatex
@needs_poppler
def test_a_title_in_another_language_keeps_its_letters_in_the_pdf(tmp_path):
    # A batch entry's name is the section title: accented Latin and Greek letters are
    # set as LaTeX accents and symbols, not replaced by '?' (only scripts plain pdflatex
    # cannot set are).
    batch = tmp_path / "batch.toml"
    batch.write_text('[[derivation]]\nname = "Gradiënt van Łódź, Ω"\nformula = "W*a"\n'
                     'wrt = "W"\nshapes = { W = "m,n", a = "n,1" }\n', encoding="utf-8")
    from click.testing import CliRunner

    from matderiv.cli import main
    out = CliRunner().invoke(main, ["prove", "--batch", str(batch), "-o",
                                    str(tmp_path / "p.tex"), "--pdf"])
    assert out.exit_code == 0, out.output
    text = subprocess.run(["pdftotext", str(tmp_path / "p.pdf"), "-"], capture_output=True,
                          text=True, timeout=60).stdout
    # OT1's Ł is an L with a stroke drawn over it: the PDF's text layer reads an L; the
    # layer holds e + a combining diaeresis and the Ohm sign, the same letters under NFKC.
    import unicodedata
    assert "Gradiënt van Lódź, Ω" in unicodedata.normalize("NFKC", text)

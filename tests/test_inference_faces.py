"""Inferred shapes on every face: the CLI's note (text and JSON), proofs, a claim's
verdict, generated code, batch files, and the web API that fills the page's table."""

import json

import pytest
from click.testing import CliRunner

import matderiv
from matderiv.cli import main

QUADRATIC = ["x'*A*x + b'*x", "--wrt", "x"]
NOTE = "shapes inferred: x n×1, A n×n, b n×1 (declare with -s to change them)"


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_derive_without_shapes_prints_them_as_a_note():
    out = run("derive", *QUADRATIC, "--check")
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0] == "∂(xᵀ A x + bᵀ x)/∂x = (A + Aᵀ) x + b"
    assert f"  note: {NOTE}" in out.output.splitlines()
    assert "agrees with central finite differences" in out.output


def test_a_partial_declaration_notes_only_what_was_inferred():
    out = run("derive", "W*x + b", "--wrt", "W", "-s", "W=m,n", "--format", "json")
    report = json.loads(out.output)
    assert report["inferred"] == {"x": "n×1", "b": "m×1"}
    assert report["shapes"] == {"W": "m×n", "b": "m×1", "x": "n×1"}
    assert report["notes"][0] == ("shapes inferred: x n×1, b m×1 (declare with -s to change "
                                  "them)")
    declared = json.loads(run("derive", "W*x", "--wrt", "W", "-s", "W=m,n", "-s", "x=n",
                              "--format", "json").output)
    assert declared["inferred"] == {} and declared["notes"] == []


def test_an_open_shape_is_one_line_asking_for_s():
    out = run("derive", "kron(A, B)*vec(X)", "--wrt", "A")
    assert out.exit_code == 2
    assert out.output.startswith("matderiv: error: the formula leaves the shapes of A, B and "
                                 "X open") and "declare them with -s" in out.output
    assert len(out.output.strip().splitlines()) == 1
    assert run("derive", "kron(A, B)*vec(X)", "--wrt", "A", "-s", "X=m,n").exit_code == 0


def test_proofs_state_the_shapes_inferred():
    out = run("prove", *QUADRATIC, "--style", "both")
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines.count("Shapes: x n×1, A n×n, b n×1 (inferred from the formula).") == 2
    partial = matderiv.derive("W*a", "W", {"W": ("m", "n")})
    assert "Shapes: W m×n, a n×1 (a inferred from the formula)." in partial.proof_text()
    assert r"where $W$ is $m \times n$ and $a$ is $n \times 1$ ($a$ inferred from the " \
           "formula)." in partial.latex()
    declared = matderiv.derive("W*a", "W", {"W": ("m", "n"), "a": ("n", 1)})
    assert "Shapes" not in declared.proof_text() and "inferred" not in declared.latex()


def test_a_proof_with_inferred_shapes_compiles(tmp_path):
    import shutil
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (.ci/run installs texlive-latex-base)")
    out = run("prove", "lambda*norm(w)^2 + norm(X*w - y)^2", "--wrt", "w", "-o",
              str(tmp_path / "p.tex"), "--pdf")
    assert out.exit_code == 0, out.output
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF-")
    assert "$\\lambda$ is a scalar" in (tmp_path / "p.tex").read_text()


def test_a_claims_verdict_states_the_shapes_inferred():
    out = run("check", *QUADRATIC, "--claim", "(A + A')*x + b")
    assert out.exit_code == 0, out.output
    assert ("shapes:     x n×1, A n×n, b n×1 (inferred; declare with -s to change them)"
            in out.output.splitlines())
    verdict = json.loads(run("check", *QUADRATIC, "--claim", "2*A*x + b", "--format",
                             "json").output)
    assert verdict["verdict"] == "wrong"
    assert verdict["inferred"] == {"x": "n×1", "A": "n×n", "b": "n×1"}
    latex = run("check", *QUADRATIC, "--claim", "2*A*x + b", "--format", "latex").output
    assert r"\item[Shapes] x n$\times$1, A n$\times$n, b n$\times$1 (inferred" in latex


def test_generated_code_states_the_shapes_and_checks_itself(tmp_path):
    out = run("codegen", *QUADRATIC, "--with-check", "-o", str(tmp_path / "g.py"))
    assert out.exit_code == 0, out.output
    source = (tmp_path / "g.py").read_text()
    assert "Shapes inferred from the formula: x n×1, A n×n, b n×1." in source
    namespace = {"__name__": "generated"}
    exec(compile(source, "g.py", "exec"), namespace)  # our own generated module
    namespace["_check"]()  # against finite differences at a random point


def test_batch_entries_without_shapes_infer_them(tmp_path):
    batch = tmp_path / "b.toml"
    batch.write_text('[[derivation]]\nformula = "x\'*A*x"\nwrt = "x"\n\n'
                     '[[derivation]]\nformula = "W*a"\nwrt = "W"\nshapes = { W = "m,n" }\n')
    out = run("prove", "--batch", str(batch))
    assert out.exit_code == 0, out.output
    assert "Shapes: x n×1, A n×n (inferred from the formula)." in out.output
    assert "Shapes: W m×n, a n×1 (a inferred from the formula)." in out.output
    claims = tmp_path / "c.toml"
    claims.write_text('[[claim]]\nformula = "norm(A*x - b)^2"\nwrt = "x"\n'
                      'claim = "2*A\'*(A*x - b)"\n')
    out = run("check", "--batch", str(claims))
    assert out.exit_code == 0 and "correct" in out.output, out.output


def test_the_web_api_answers_the_shapes_inferred():
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from matderiv.web.app import create_app
    from matderiv.web.workers import Workers
    with TestClient(create_app(workers=Workers(limit=2, seconds=30),
                               hosts=("testserver",))) as client:
        _ask_the_web_api(client)


def _ask_the_web_api(client):
    answer = client.post("/api/derive", json={"formula": "x'*A*x + b'*x", "wrt": "x",
                                              "proof": "rules"}).json()
    assert answer["statement"]["text"] == "∂(xᵀ A x + bᵀ x)/∂x = (A + Aᵀ) x + b"
    assert answer["shapes"] == {"A": "n×n", "b": "n×1", "x": "n×1"}  # the page's table
    assert answer["inferred"] == {"x": "n×1", "A": "n×n", "b": "n×1"}
    assert answer["notes"][0] == NOTE and answer["check"]["passed"]
    assert answer["proofs"]["rules"]["parts"][0]["inferred"] == ["x", "A", "b"]
    # what the page sends back once a shape is typed over its placeholder: a scalar too
    typed = client.post("/api/derive", json={"formula": "k*X", "wrt": "X",
                                             "shapes": {"k": "scalar", "X": "n,1"}}).json()
    assert typed["inferred"] == {} and typed["shapes"] == {"X": "n×1", "k": "scalar"}
    parsed = client.post("/api/parse", json={"formula": "W*a", "shapes": {"W": "3,4"}})
    assert parsed.json() == {"names": ["W", "a"], "inferred": {"a": "4×1"}}
    bad = client.post("/api/parse", json={"formula": "kron(A, B)*ones(6)"})
    assert bad.status_code == 400 and "leaves the shapes of A and B open" in bad.json()["error"]
    for task in ("check", "codegen", "latex"):
        request = {"formula": "x'*A*x", "wrt": "x", **({"claim": "(A + A')*x"}
                                                       if task == "check" else {})}
        assert client.post(f"/api/{task}", json=request).status_code == 200, task

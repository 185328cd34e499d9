"""The web page's JSON API: answers as the CLI does, bad and hostile input is a 400 with
one line, and a slow request is stopped at its time limit without holding up others."""

from __future__ import annotations

import json
import shutil
import threading
import time

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the web extra is not installed (pip install '.[web]')")

from starlette.testclient import TestClient  # noqa: E402

import matderiv  # noqa: E402
from matderiv.api.examples import EXAMPLES  # noqa: E402
from matderiv.api.service import derive_request  # noqa: E402
from matderiv.numeric.points import random_values  # noqa: E402
from matderiv.web.app import MAX_BODY, create_app  # noqa: E402
from matderiv.web.workers import Workers  # noqa: E402

SEED = {"formula": "W*a", "wrt": "W", "shapes": {"W": "m,n", "a": "n,1"}}
JSON_TYPE = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(workers=Workers(limit=2, seconds=30),
                               hosts=("testserver",))) as test_client:
        yield test_client


def test_derive_answers_the_seed_with_convention_proofs_and_check(client):
    answer = client.post("/api/derive", json=SEED)
    assert answer.status_code == 200
    report = answer.json()
    assert report["statement"]["text"] == "∂vec(W a)/∂vec(W) = aᵀ ⊗ I_m"
    assert report["result"]["sympy"] == "KroneckerProduct(a.T, I)"
    assert r"\otimes" in report["result"]["latex"]
    assert report["convention"].startswith("vec stacks columns")
    assert report["check"]["passed"] and report["check"]["max_error"] < 1e-6
    rules = report["proofs"]["rules"]["parts"][0]
    assert [line["rules"] for s in rules["sections"] for line in s["lines"]
            if line["rules"]] == [["d-linear"], ["vec-product"]]
    assert "Entry" in report["proofs"]["elementwise"]["text"]
    assert report["shapes"] == {"W": "m×n", "a": "n×1"}  # where inferred shapes will go


@pytest.mark.parametrize("request_, expected", [
    ({**SEED, "vec": "row"}, "I_m ⊗ aᵀ"),
    ({**SEED, "kind": "tensor"}, "δ"),
    ({"formula": "logdet(X)", "wrt": "X", "shapes": {"X": "n,n"}}, "X⁻ᵀ"),
    ({"formula": "x'*A*x", "wrt": "x", "shapes": {"x": "n", "A": "n,n"}, "kind": "hessian"},
     "A + Aᵀ"),
    ({"formula": "A*x", "wrt": "x", "shapes": {"x": "n", "A": "m,n"},
      "layout": "denominator"}, "Aᵀ"),
    ({"formula": r"\operatorname{tr}(A X B)", "wrt": "X", "syntax": "latex",
      "shapes": {"A": "p,m", "X": "m,n", "B": "n,p"}}, "Aᵀ Bᵀ"),
])
def test_derive_takes_every_convention(client, request_, expected):
    report = client.post("/api/derive", json={**request_, "proof": "none"}).json()
    assert expected in report["statement"]["text"]
    assert report["check"]["passed"]


def test_check_refutes_a_wrong_claim_with_a_counterexample(client):
    verdict = client.post("/api/check", json={**SEED, "claim": "2*kron(a', I(m))"}).json()
    assert verdict["verdict"] == "wrong"
    assert verdict["counterexample"]["true_value"] != verdict["counterexample"]["claim_value"]
    assert "counterexample" in verdict["text"]
    right = client.post("/api/check", json={**SEED, "claim": "kron(I(m), a')",
                                            "vec": "col"}).json()
    assert right["verdict"] == "correct in another convention"


def test_codegen_writes_code_that_computes_the_gradient(client):
    request_ = {"formula": "norm(A*x - b)^2", "wrt": "x",
                "shapes": {"A": "m,n", "x": "n,1", "b": "m,1"}}
    answer = client.post("/api/codegen", json={**request_, "kind": "value_and_gradient",
                                               "with_check": True}).json()
    namespace: dict = {}
    exec(compile(answer["source"], "<api>", "exec"), namespace)  # our own generated code
    assert namespace["_check"]() < 1e-6  # its self-test: finite differences agree
    d = matderiv.derive("norm(A*x - b)^2", wrt="x",
                        shapes={"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)})
    point = {k: v for k, v in random_values(d.expr, d.variable,
                                            np.random.default_rng(1)).items()
             if k in ("A", "x", "b")}
    value, gradient = namespace["value_and_gradient_x"](**point)
    expected = 2 * point["A"].T @ (point["A"] @ point["x"] - point["b"])
    np.testing.assert_allclose(gradient, expected, rtol=1e-10)


def test_latex_and_pdf_documents(client):
    latex = client.post("/api/latex", json=SEED).json()["latex"]
    assert latex.startswith(r"\documentclass") and r"\otimes" in latex
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (.ci/run installs texlive-latex-base)")
    pdf = client.post("/api/pdf", json=SEED)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_parse_names_the_formulas_names_and_the_column_of_an_error(client):
    assert client.post("/api/parse", json={"formula": "W*a + b"}).json() == {
        "names": ["W", "a", "b"], "inferred": {"W": "n×m", "a": "m×1", "b": "n×1"}}
    declared = {"formula": "W*a + b", "shapes": {"W": "m,n", "b": "m"}}
    assert client.post("/api/parse", json=declared).json()["inferred"] == {"a": "n×1"}
    bad = client.post("/api/parse", json={"formula": "W*(a + b"})
    assert bad.status_code == 400
    assert bad.json()["span"] == [2, 3] and "column 3" in bad.json()["error"]


def test_examples_are_served_and_each_derives_and_checks():
    assert len(EXAMPLES) >= 10
    for example in EXAMPLES:
        request_ = {k: v for k, v in example.items() if k != "name"}
        report = derive_request({**request_, "proof": "none"})
        assert report["check"]["passed"], example["name"]


def test_the_page_and_its_assets_come_from_this_server(client):
    page = client.get("/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "http" not in policy
    for asset in ("/static/app.js", "/static/app.css", "/static/katex/katex.min.js",
                  "/static/katex/katex.min.css", "/static/katex/fonts/KaTeX_Main-Regular.woff2"):
        assert client.get(asset).status_code == 200, asset
    assert "http://" not in page.text and "https://" not in page.text
    assert client.get("/api/examples").json()["examples"][0]["formula"] == "W*a"


def test_a_function_named_eval_is_only_a_name(client):
    """eval(W) is an unknown function, refused; declared, an abstract f(W) called eval:
    read, never run."""
    error = _is_bad_input(client.post("/api/derive", json={**SEED, "formula": "eval(W)",
                                                           "proof": "none"}))
    assert "unknown function 'eval'" in error
    report = client.post("/api/derive", json={**SEED, "formula": "eval(W)", "proof": "none",
                                              "functions": ["eval"]}).json()
    assert report["result"]["text"] == "eval'(W)"
    assert report["notes"][0].startswith("eval is not a built-in function")


def _is_bad_input(answer) -> str:
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error and "\n" not in error and "Traceback" not in error
    return error


HOSTILE = {
    "a list": [1, 2],
    "null": None,
    "a number formula": {**SEED, "formula": 5},
    "shapes as a list": {**SEED, "shapes": ["W", "m,n"]},
    "a shape as a number": {**SEED, "shapes": {"W": 3}},
    "three sizes": {**SEED, "shapes": {"W": "m,n,p"}},
    "an unknown kind": {**SEED, "kind": "laplacian"},
    "check as text": {**SEED, "check": "yes"},
    "an unknown field": {**SEED, "eval": "1"},
    "no wrt": {"formula": "W*a"},
    "code": {**SEED, "formula": "__import__('os').system('true')"},
    "eval": {**SEED, "formula": "eval('W')"},
    "attributes": {**SEED, "formula": "W.__class__"},
    "a lambda": {**SEED, "formula": "(lambda: W)()"},
    "nested brackets": {**SEED, "formula": "(" * 300 + "W" + ")" * 300},
    "a long formula": {**SEED, "formula": "W*a+" * 5001 + "W*a"},
    "latex input": {**SEED, "formula": r"\input{/etc/passwd}", "syntax": "latex"},
    "control characters": {**SEED, "formula": "W*\x00a"},
    "many shapes": {**SEED, "shapes": {f"A{i}": "m,n" for i in range(100)}},
}


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_json_is_a_400_with_one_line(client, payload):
    _is_bad_input(client.post("/api/derive", json=payload))


@pytest.mark.parametrize("body", [
    b"x" * (MAX_BODY + 1), b"[" * 5000 + b"]" * 5000, b'{"formula": ' * 100, b"\xff\xfe",
    b"", b"{", b"NaN"], ids=["huge", "deep", "unclosed", "not utf-8", "empty", "broken",
                            "nan"])
def test_hostile_bodies_are_a_400_with_one_line(client, body):
    for path in ("/api/derive", "/api/check", "/api/codegen", "/api/parse"):
        _is_bad_input(client.post(path, content=body, headers=JSON_TYPE))


def test_a_declared_huge_body_is_refused_before_it_is_read(client):
    error = _is_bad_input(client.post("/api/derive", content=b"{}",
                                      headers={**JSON_TYPE, "content-length": str(10 ** 9)}))
    assert "64 KB" in error


def test_unknown_paths_and_hosts():
    with TestClient(create_app()) as local:  # answers loopback names only
        assert local.get("/", headers={"host": "attacker.example"}).status_code == 400
        assert local.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200
        missing = local.get("/api/nothing", headers={"host": "localhost"})
        assert missing.status_code == 404 and missing.json()["error"]


# A request well over the 1 s budget: the Hessian of a 4-layer network with both proofs
# (about 10 s; the 3-layer network's, slow before, takes under 1 s since the element-wise
# proofs are built by index rules).
SLOW = {"formula": "sum((W4*tanh(W3*tanh(W2*tanh(W1*x)))).^2)", "wrt": "W1",
        "kind": "hessian", "proof": "both",
        "shapes": {"W1": "h,n", "W2": "h,h", "W3": "h,h", "W4": "k,h", "x": "n,1"}}


def test_a_slow_request_is_stopped_and_does_not_hold_up_others():
    workers = Workers(limit=2, seconds=1, grace=1)
    with TestClient(create_app(workers=workers, hosts=("testserver",))) as test_client:
        slow: dict = {}

        def run_slow():
            started = time.monotonic()
            slow["answer"] = test_client.post("/api/derive", json=SLOW)
            slow["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=run_slow)
        thread.start()
        time.sleep(0.3)
        started = time.monotonic()
        fast = test_client.post("/api/derive", json={**SEED, "proof": "none"})
        fast_seconds = time.monotonic() - started
        thread.join(30)
    assert fast.status_code == 200 and fast_seconds < 2.5
    error = _is_bad_input(slow["answer"])
    assert "took more than 1 s" in error or "budget" in error
    assert slow["seconds"] < 6


def test_serve_without_the_web_extra_says_how_to_install_it(monkeypatch):
    import builtins

    from click.testing import CliRunner

    from matderiv.cli import main

    real_import = builtins.__import__

    def without_uvicorn(name, *args, **kwargs):
        if name == "uvicorn":
            raise ImportError("No module named 'uvicorn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_uvicorn)
    run = CliRunner().invoke(main, ["serve"])
    assert run.exit_code == 2
    assert "pip install 'matderiv[web]'" in run.output


def test_a_check_that_cannot_run_is_shown_with_the_result(client):
    # Sizes too large to evaluate, and a formula that names one of them as a number, so
    # that it cannot be checked at small sizes of the same shape pattern either.
    report = client.post("/api/derive", json={
        "formula": "W*a + ones(1000000000)", "wrt": "W", "proof": "none",
        "shapes": {"W": "1000000000,1000000000", "a": "1000000000,1"}}).json()
    assert report["statement"]["text"].endswith("aᵀ ⊗ I_1000000000")
    assert not report["check"]["passed"]
    assert "too large to evaluate" in report["check"]["summary"]


def test_serve_warns_when_it_is_exposed_and_binds_loopback_by_default(monkeypatch):
    import uvicorn
    from click.testing import CliRunner

    from matderiv.cli import main

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    exposed = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert exposed.exit_code == 0, exposed.output
    assert "warning: listening on 0.0.0.0" in exposed.output
    assert calls[-1]["host"] == "0.0.0.0" and calls[-1]["port"] == 8123
    local = CliRunner().invoke(main, ["serve"])
    assert "warning" not in local.output and calls[-1]["host"] == "127.0.0.1"


def test_json_bodies_stay_json():
    """The service's answers are plain JSON (no SymPy objects leak)."""
    report = derive_request({**SEED, "proof": "both"})
    assert json.loads(json.dumps(report)) == report


@pytest.mark.parametrize("claim", ["log(X)", "sqrt(X)", "exp(exp(X*100))"])
def test_a_wrong_claim_with_values_beyond_json_is_answered_as_json(client, claim):
    answer = client.post("/api/check", json={"formula": "tr(X)", "wrt": "X",
                                             "shapes": {"X": "n,n"}, "claim": claim})
    assert answer.status_code == 200, answer.text
    assert answer.json()["verdict"] in ("wrong", "ill-formed")


@pytest.mark.parametrize("headers, why", [
    ({"content-type": "text/plain"}, "Content-Type: application/json"),
    ({}, "Content-Type: application/json"),
    ({**JSON_TYPE, "origin": "http://attacker.example"}, "another site's page"),
    ({**JSON_TYPE, "origin": "null"}, "another site's page"),
], ids=["text/plain form", "no type", "other origin", "opaque origin"])
def test_a_post_another_sites_page_could_send_is_refused(client, headers, why):
    # A page elsewhere may POST text/plain without a preflight: such a request is refused
    # before its body is read, so no derivation runs for it.
    answer = client.post("/api/derive", content=json.dumps(SEED).encode(), headers=headers)
    assert why in _is_bad_input(answer)


def test_a_post_from_the_page_itself_is_answered(client):
    same = {**JSON_TYPE, "origin": "http://testserver"}
    answer = client.post("/api/derive", content=json.dumps({**SEED, "proof": "none"}),
                         headers=same)
    assert answer.status_code == 200
    assert answer.json()["statement"]["text"] == "∂vec(W a)/∂vec(W) = aᵀ ⊗ I_m"


def test_derive_of_an_order_and_a_mixed_hessian(client):
    third = client.post("/api/derive", json={"formula": "sum(exp(x))", "wrt": "x",
                                              "shapes": {"x": "n,1"}, "order": 3}).json()
    assert third["statement"]["text"] == "∂³sum(exp(x))/∂x_i∂x_j∂x_k = δ_ijk exp(x_i)"
    assert third["check"]["passed"], third["check"]  # finite differences of order 2
    assert "finite differences" in third["check"]["summary"]
    mixed = client.post("/api/derive", json={
        "formula": "x'*A*y", "wrt": "x", "wrt2": "y",
        "shapes": {"x": "n,1", "A": "n,m", "y": "m,1"}}).json()
    assert mixed["statement"]["text"] == "∂²(xᵀ A y)/∂vec(x)∂vec(y)ᵀ = A"
    assert mixed["check"]["passed"] and "mixed Hessian by y" in mixed["check"]["summary"]
    assert "Proof that" in mixed["proofs"]["rules"]["text"]
    for bad in ({"order": True}, {"order": "3"}, {"order": 0}, {"order": 2, "kind": "hessian"},
                {"wrt2": "q"}, {"order": 2, "complex": ["x"]}):
        _is_bad_input(client.post("/api/derive", json={
            "formula": "sum(exp(x))", "wrt": "x", "shapes": {"x": "n,1"}, **bad}))

"""The page in a real browser: ``matderiv serve`` in a process of its own, Debian's
headless Chromium driven by Selenium. Type the seed-1 formula, see the Kronecker product
typeset, open the proof, refute a wrong claim, copy the code; every resource the page
loads comes from the server. A screenshot is saved (``MATDERIV_SCREENSHOT=path`` keeps
a copy: the README's picture is one).

Skipped, with the reason, where Chromium, ChromeDriver, Selenium or the web extra is
missing; ``.ci/run`` installs them all, so there it runs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip("Chromium and ChromeDriver are not installed (on Debian: apt-get install "
                "chromium chromium-driver; .ci/run does)", allow_module_level=True)
pytest.importorskip("selenium", reason="selenium is not installed (pip install '.[test]')")
pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install '.[web]')")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WAIT = 30  # seconds: generous for a loaded CI machine; the steps take well under one


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "matderiv.cli", "serve", "--port",
                                str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as page:
                    assert page.status == 200
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode(errors="replace") \
                        if process.poll() is not None else ""
                    pytest.fail(f"matderiv serve did not start: {output}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="matderiv-chromium-")
    for argument in ("--headless", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                     f"--user-data-dir={profile}", "--window-size=1280,1400"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, condition, what):
    return WebDriverWait(driver, WAIT).until(condition, message=f"waiting for {what}")


def _type(element, text):
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.BACKSPACE)
    element.send_keys(text)


def test_the_page_derives_proves_checks_and_copies(server, browser, tmp_path):
    browser.get(server)
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"),
          "the page to load")

    # An empty shapes table: typing the formula adds a row for each of its names.
    for remove in browser.find_elements(By.CSS_SELECTOR, "#shapes .remove"):
        remove.click()
    formula = browser.find_element(By.ID, "formula")
    _type(formula, "W*")
    error = _wait(browser, lambda d: d.find_element(By.ID, "formula-error").is_displayed()
                  and d.find_element(By.ID, "formula-error"), "the live error")
    assert "column 3" in error.text and "^" in error.text
    formula.send_keys("a")
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#shapes .name")) == 2,
          "a row for W and for a")
    assert not browser.find_element(By.ID, "formula-error").is_displayed()
    for row in browser.find_elements(By.CSS_SELECTOR, "#shapes tbody tr"):
        name = row.find_element(By.CSS_SELECTOR, ".name").get_attribute("value")
        row.find_element(By.CSS_SELECTOR, ".sizes").send_keys({"W": "m,n", "a": "n,1"}[name])
    browser.find_element(By.CSS_SELECTOR, "#wrt option[value=W]").click()
    browser.find_element(By.ID, "derive").click()

    result = _wait(browser, lambda d: d.find_element(By.ID, "result").get_attribute(
        "data-ready") and d.find_element(By.ID, "result"), "the typeset result")
    assert result.find_elements(By.CLASS_NAME, "katex"), "KaTeX typeset the result"
    assert "⊗" in result.text  # aᵀ ⊗ I_m: the Kronecker product
    assert "Checked numerically" in browser.find_element(By.ID, "check").text

    proof = browser.find_element(By.ID, "proof-rules")
    assert proof.get_attribute("open") is None  # folded until asked for
    proof.find_element(By.TAG_NAME, "summary").click()
    _wait(browser, lambda d: "[vec-product]" in proof.text, "the rules proof")
    assert "[d-linear]" in proof.text and "Identification" in proof.text

    claim = browser.find_element(By.ID, "claim")
    claim.send_keys("2*kron(a', I(m))")
    browser.find_element(By.ID, "check-claim").click()
    verdict = _wait(browser, lambda d: d.find_element(By.ID, "verdict-word").text
                    not in ("", "checking…") and d.find_element(By.ID, "verdict"),
                    "the verdict")
    assert browser.find_element(By.ID, "verdict-word").text == "wrong"
    assert "counterexample" in verdict.text

    browser.find_element(By.ID, "codegen").click()
    code = _wait(browser, lambda d: "def jacobian_W" in d.find_element(By.ID, "code").text
                 and d.find_element(By.ID, "code").text, "the generated code")
    browser.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": server.rstrip("/"), "permissions": ["clipboardReadWrite",
                                                      "clipboardSanitizedWrite"]})
    browser.find_element(By.ID, "copy-code").click()
    _wait(browser, lambda d: d.find_element(By.ID, "copy-status").text == "copied",
          "the copy")
    pasted = browser.execute_async_script(
        "const done = arguments[0];"
        "navigator.clipboard.readText().then(done, (e) => done('unreadable: ' + e));")
    assert pasted.strip() == code.strip()  # the clipboard holds the module, as shown

    link = browser.find_element(By.ID, "permalink").get_attribute("href")
    assert "formula=W*a" in link and "shapes=W%3Am%2Cn%3Ba%3An%2C1" in link

    # Nothing came from another host, and the console is clean.
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map((r) => r.name)")
    assert resources and all(r.startswith(server.rstrip("/")) for r in resources), resources
    # (a 400 from the API is the live error typed above: bad input is answered so)
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
              and not ("/api/" in entry["message"] and "status of 400" in entry["message"])]
    assert not severe, severe

    browser.execute_script("window.scrollTo(0, 0)")
    shot = tmp_path / "serve.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    if os.environ.get("MATDERIV_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["MATDERIV_SCREENSHOT"])


def test_shapes_left_empty_are_inferred_and_shown(server, browser):
    browser.get(server)
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"),
          "the page to load")
    for remove in browser.find_elements(By.CSS_SELECTOR, "#shapes .remove"):
        remove.click()
    _type(browser.find_element(By.ID, "formula"), "x'*A*x + b'*x")

    def placeholders(driver):
        rows = driver.find_elements(By.CSS_SELECTOR, "#shapes tbody tr")
        return {row.find_element(By.CSS_SELECTOR, ".name").get_attribute("value"):
                row.find_element(By.CSS_SELECTOR, ".sizes").get_attribute("placeholder")
                for row in rows}
    # as it is typed, each name gets a row showing its inferred shape
    _wait(browser, lambda d: placeholders(d) == {"x": "n,1", "A": "n,n", "b": "n,1"},
          "the shapes inferred as the formula is typed")
    browser.find_element(By.CSS_SELECTOR, "#wrt option[value=x]").click()
    browser.find_element(By.ID, "derive").click()
    result = _wait(browser, lambda d: d.find_element(By.ID, "result").get_attribute(
        "data-ready") and d.find_element(By.ID, "result"), "the result")
    assert "∂" in result.text and "Checked numerically" in browser.find_element(
        By.ID, "check").text
    assert "shapes inferred: x n×1, A n×n, b n×1" in browser.find_element(By.ID, "notes").text
    # a size typed over a placeholder is declared, and the rest follow it
    rows = browser.find_elements(By.CSS_SELECTOR, "#shapes tbody tr")
    row_a = next(r for r in rows if r.find_element(By.CSS_SELECTOR, ".name")
                 .get_attribute("value") == "A")
    row_a.find_element(By.CSS_SELECTOR, ".sizes").send_keys("3,3")
    _wait(browser, lambda d: placeholders(d)["x"] == "3,1", "x following the declared A")
    browser.find_element(By.ID, "derive").click()
    _wait(browser, lambda d: "shapes inferred: x 3×1, b 3×1" in d.find_element(
        By.ID, "notes").text, "the result with A declared")
    assert "shapes=A%3A3%2C3" in browser.find_element(By.ID, "permalink").get_attribute("href")


def test_a_link_reproduces_the_query(server, browser):
    browser.get(server + "?formula=logdet(X)&wrt=X&shapes=X%3An%2Cn&kind=hessian")
    result = _wait(browser, lambda d: d.find_element(By.ID, "result").get_attribute(
        "data-ready") and d.find_element(By.ID, "result"), "the linked result")
    assert "⊗" in result.text  # -(X⁻¹ ⊗ X⁻ᵀ) K(n, n)
    assert browser.find_element(By.CSS_SELECTOR, "input[name=kind][value=hessian]"
                                ).is_selected()


def test_latex_input_on_the_page(server, browser):
    browser.get(server)
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"),
          "the page to load")
    browser.find_element(By.CSS_SELECTOR, "input[name=syntax][value=latex]").click()
    formula = browser.find_element(By.ID, "formula")
    _type(formula, r"\|W a\|_2^2")
    browser.find_element(By.CSS_SELECTOR, "input[name=kind][value=auto]").click()
    browser.find_element(By.ID, "derive").click()
    result = _wait(browser, lambda d: d.find_element(By.ID, "result").get_attribute(
        "data-ready") and "∂" in d.find_element(By.ID, "result").text
        and d.find_element(By.ID, "result"), "the result of the LaTeX formula")
    assert "W" in result.text and "a" in result.text
    _type(formula, r"\|W a")
    error = _wait(browser, lambda d: d.find_element(By.ID, "formula-error").is_displayed()
                  and d.find_element(By.ID, "formula-error"), "the live LaTeX error")
    assert "column 1" in error.text


def test_an_example_is_one_click_away(server, browser):
    from selenium.webdriver.support.ui import Select

    browser.get(server)
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"),
          "the page to load")
    Select(browser.find_element(By.ID, "examples")).select_by_visible_text("least squares")
    result = _wait(browser, lambda d: d.find_element(By.ID, "result").get_attribute(
        "data-ready") and d.find_element(By.ID, "result"), "the example's result")
    assert browser.find_element(By.ID, "formula").get_attribute("value") == "norm(A*x - b)^2"
    assert "∂" in result.text and "Checked numerically" in browser.find_element(
        By.ID, "check").text

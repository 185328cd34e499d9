"""Regressions of the second review's defects (issue 20), at the API, each derivative
checked against finite differences. tests/test_hostile_bounded.py runs the same classes
as commands under a memory limit."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
import sympy

import matderiv
from matderiv import MatDerivError
from matderiv.numeric.differences import numeric_gradient, numeric_jacobian
from matderiv.numeric.direct import direct_value
from matderiv.numeric.evaluate import MAX_ENTRIES, evaluate
from matderiv.numeric.points import random_values, stand_in_functions
from matderiv.syntax import parse


def _checked(formula, wrt, shapes, **options):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    d.check(**options)  # every result against central finite differences
    return d


# -- silent misreading --------------------------------------------------------------

@pytest.mark.parametrize("text, grouped", [
    ("2^3^2", "2^(3^2)"), ("X**2**3", "X^(2^3)"), ("A.^2.^3", "A.^(2.^3)"),
    ("-x^2", "-(x^2)"), ("X^2'", "(X^2)'"), ("2^-1^2", "2^(-(1^2))"), ("X'^2", "(X')^2"),
])
def test_powers_group_to_the_right(text, grouped):
    assert _strip(parse(text)) == _strip(parse(grouped))


def _strip(node):
    """A syntax tree without its spans (which differ with the brackets)."""
    if hasattr(node, "__dataclass_fields__"):
        return (type(node).__name__, *(_strip(getattr(node, f)) for f in
                                       node.__dataclass_fields__ if f != "span"))
    if isinstance(node, tuple):
        return tuple(_strip(n) for n in node)
    return node


def test_power_chain_derivative_is_of_the_right_power():
    d = _checked("tr(X**2**3)", "X", {"X": ("n", "n")})
    X = matderiv.matrix("X", "n", "n")
    assert d.gradient() == 8 * (X.T) ** 7


def test_a_misreading_is_caught_by_the_independent_reading(monkeypatch):
    """Were the parser to group powers to the left again, check() would catch it: the
    text read independently has another value."""
    from matderiv.syntax import parser
    monkeypatch.setattr(parser, "_RIGHT_ASSOC", set())
    d = matderiv.derive("2^3^2*sum(X)", wrt="X", shapes={"X": ("n", "n")})
    assert d.gradient() == 64 * sympy.OneMatrix(*d.variable.shape)  # the misreading
    with pytest.raises(MatDerivError, match="does not have the value of the text"):
        d.check()


@pytest.mark.parametrize("formula, shapes", [
    ("tr(A*X*B) + 2^3^2", {"A": ("p", "m"), "X": ("m", "n"), "B": ("n", "p")}),
    ("sum(tanh(W*x + b).^2) - x'*x/2", {"W": ("m", "n"), "x": ("n", 1), "b": ("m", 1)}),
    ("vec(X)'*kron(A, X)*vec(X)", {"A": ("n", "n"), "X": ("n", "n")}),
    ("logdet(X'*X) + norm(X)^2", {"X": ("m", "n")}),
    ("softmax(W*x) .* (b + 1)", {"W": ("m", "n"), "x": ("n", 1), "b": ("m", 1)}),
    ("f(W*x)*g(W)", {"W": ("m", "n"), "x": ("n", 1)}),
])
def test_the_independent_reader_agrees_with_the_builder(formula, shapes):
    d = matderiv.derive(formula, wrt=sorted(shapes)[0], shapes=shapes)
    functions = stand_in_functions(d.abstract_functions)
    for seed in range(3):
        values = random_values(d.expr, d.variable, np.random.default_rng(seed))
        built = np.atleast_2d(evaluate(d.expr, values, functions=functions))
        direct = np.atleast_2d(direct_value(formula, values, functions))
        assert np.allclose(built, direct, equal_nan=True)


# -- numbers and sizes ------------------------------------------------------------------

@pytest.mark.parametrize("formula, message", [
    ("1e99999999*X", "out of range"), ("1e-301*X", "out of range"),
    ("2^9999999999*X", "digits"), ("2^1000*X*2^1000", "digits"),
    ("(1/3)^2000*X", "digits"), ("X./(X-X)", "defined nowhere"), ("inv(X-X)", "nowhere"),
    ("log(2*X - X - X)", "nowhere"),
])
def test_numbers_and_undefined_formulas_are_refused_at_once(formula, message):
    started = time.monotonic()
    with pytest.raises(MatDerivError, match=message):
        matderiv.derive(formula, wrt="X", shapes={"X": ("n", "n")})
    assert time.monotonic() - started < 5


def test_large_but_bounded_numbers_are_kept_exact():
    d = _checked("1e300*sum(X)", "X", {"X": ("n", "n")})
    assert d.gradient() == sympy.Integer(10) ** 300 * sympy.OneMatrix(*d.variable.shape)


@pytest.mark.parametrize("size, message", [
    ("٣", "not a name or a positive integer"), ("99999999999999999999", "beyond the limit"),
    (sympy.Integer(-2), "must be positive"), ("0", "must be positive"),
])
def test_sizes_are_ascii_positive_and_bounded(size, message):
    with pytest.raises(MatDerivError, match=message):
        matderiv.derive("W*a", wrt="W", shapes={"W": (size, "n"), "a": ("n", 1)})


def test_arrays_are_sized_before_they_are_made():
    X = matderiv.matrix("X", 30, 30)
    big = sympy.KroneckerProduct(X, X, X)
    with pytest.raises(MatDerivError, match="numbers are evaluated within") as raised:
        evaluate(big, {"X": np.ones((30, 30))})
    assert raised.value.kind == "budget" and MAX_ENTRIES < 27000 ** 2


@pytest.mark.parametrize("formula, shapes", [
    ("W*a", {"W": (100000, 100000), "a": (100000, 1)}),
    ("x'*A*x", {"x": (5000, 1), "A": (5000, 5000)}),
    ("kron(X, X, X)", {"X": (30, 30)}),
])
def test_large_integer_sizes_are_checked_at_the_same_shape_pattern(formula, shapes):
    d = matderiv.derive(formula, wrt=sorted(shapes)[-1] if formula != "x'*A*x" else "x",
                        shapes=shapes)
    report = d.check(hessian=d.is_scalar)
    assert report.pattern and "same shape pattern" in report.summary
    twin, sizes = d.symbolic_twin()
    assert all(value > 1 for value in sizes.values())
    assert twin.jacobian().xreplace(sizes) == d.jacobian()


# -- crashes and withheld results ---------------------------------------------------------

@pytest.mark.parametrize("formula, wrt, shapes", [
    ("tanh(logdet((X + A)/2))", "X", {"X": ("n", "n"), "A": ("n", "n")}),
    ("sqrt(norm(2 + x)^2)", "x", {"x": ("n", 1)}),
    ("tr(kron(b, B))*sum(X)", "X", {"b": (2, 1), "B": (1, 2), "X": ("m", "n")}),
    ("tr(kron(b, B))*X", "X", {"b": ("n", 1), "B": (1, "n"), "X": ("m", "n")}),
    ("det(X*A^2)/det(X)", "X", {"X": ("n", "n"), "A": ("n", "n")}),
    ("norm((X ./ X)*det(A))^2", "X", {"X": ("n", "n"), "A": ("n", "n")}),
    ("tr(A*X*inv(X'*X)*X')", "X", {"A": ("n", "n"), "X": ("n", "d")}),
    ("logdet(X'*X)", "X", {"X": ("m", "n")}),
])
def test_right_derivatives_are_given_not_withheld(formula, wrt, shapes):
    d = _checked(formula, wrt, shapes, hessian=False)
    str(d.gradient() if d.is_scalar else d.jacobian())  # SymPy's own printing too


def test_a_right_claim_where_the_formula_needs_tall_matrices():
    d = matderiv.derive("logdet(X'*X)", wrt="X", shapes={"X": ("m", "n")})
    assert d.check_claim("2*X*inv(X'*X)").verdict == "correct"
    assert d.check_claim("X*inv(X'*X)").verdict == "wrong"


# -- generated code -------------------------------------------------------------------------

@pytest.mark.parametrize("formula, wrt, shapes", [
    ("sum(X*(b + 2))", "X", {"X": ("m", "n"), "b": ("n", 1)}),
    ("norm(x' + s)", "x", {"x": ("n", 1), "s": ()}),
    ("tr(I(m))*sum(X)", "X", {"X": ("n", "p"), "D": ("m", 1)}),
])
def test_generated_code_runs_where_a_scalar_is_broadcast(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    gradient = d.to_function("gradient")
    values = random_values(d.expr, d.variable, np.random.default_rng(1))
    names = gradient.__code__.co_varnames[:gradient.__code__.co_kwonlyargcount]
    computed = gradient(**{name: values[name] for name in names})
    expected = numeric_gradient(d.expr, d.variable, values)
    assert np.allclose(np.reshape(computed, expected.shape), expected, atol=1e-6)


# -- outputs ---------------------------------------------------------------------------------

def test_json_is_strict():
    from matderiv.api.jsonable import to_json
    text = to_json({"a": float("nan"), "b": [float("inf"), -float("inf"), np.float64(2.5)]})
    assert text == '{"a": null, "b": ["inf", "-inf", 2.5]}'


def test_free_text_is_printed_on_one_line():
    from matderiv.render.escape import markdown_cell, printable, tex_escape
    assert printable("a\x1b[2J\nb\u200fc") == "a\\x1b[2J\\nb\\u200fc"
    assert "\n" not in markdown_cell("x |\ny") and "\\|" in markdown_cell("x |\ny")
    assert "\n" not in tex_escape("a\nb_c") and "\\_" in tex_escape("a\nb_c")


def test_batch_files_must_be_regular_and_small(tmp_path):
    from matderiv.api.batch import MAX_BATCH_BYTES, read_batch
    os.mkfifo(tmp_path / "pipe")
    for path, message in ((tmp_path / "pipe", "not a regular file"),
                          ("/dev/zero", "not a regular file"), (tmp_path, "directory")):
        with pytest.raises(MatDerivError, match=message):
            read_batch(str(path))
    (tmp_path / "big.toml").write_text("x" * (MAX_BATCH_BYTES + 1))
    with pytest.raises(MatDerivError, match="the limit is"):
        read_batch(str(tmp_path / "big.toml"))


def test_writing_never_waits_and_never_replaces_a_read_only_file(tmp_path):
    from matderiv.cli.output import write_atomically
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(MatDerivError, match="nothing reads"):
        write_atomically(str(tmp_path / "pipe"), "text")
    (tmp_path / "kept.tex").write_text("kept")
    os.chmod(tmp_path / "kept.tex", 0o444)
    with pytest.raises(MatDerivError, match="read-only"):
        write_atomically(str(tmp_path / "kept.tex"), "text")
    assert (tmp_path / "kept.tex").read_text() == "kept"


def test_deadlines_nest_and_the_first_to_run_out_is_reported():
    from matderiv.deadline import deadline
    with pytest.raises(MatDerivError, match="inner"):
        with deadline(5, "outer"):
            with deadline(0.2, "inner"):
                time.sleep(2)
    started = time.monotonic()
    with pytest.raises(MatDerivError, match="outer"):
        with deadline(0.3, "outer"):
            with deadline(5, "inner"):
                time.sleep(2)
    assert time.monotonic() - started < 1.5


# -- readers of the output ----------------------------------------------------------------

def test_the_vecr_hessian_is_the_jacobian_of_the_gradient_by_rows():
    d = _checked("logdet(X) + x'*X*x", "X", {"X": ("n", "n"), "x": ("n", 1)}, hessian=True)
    values = random_values(d.expr, d.variable, np.random.default_rng(2))
    expected = numeric_jacobian(d.gradient(), d.variable, values, vec="row")
    assert np.allclose(evaluate(d.hessian(vec="row"), values), expected, atol=1e-6)
    with pytest.raises(MatDerivError, match="vec must be"):
        d.hessian(vec="rows")


def test_statements_bracket_compound_formulas():
    from matderiv.api.report import statement
    d = matderiv.derive("det(X)*tr(X)", wrt="X", shapes={"X": ("n", "n")})
    assert statement(d, "gradient")["text"].startswith("∂(det(X)*tr(X))/∂X")
    assert r"\left(" in statement(d, "gradient")["latex"].split("=")[0]
    e = matderiv.derive("det(X)", wrt="X", shapes={"X": ("n", "n")})
    assert statement(e, "gradient")["text"].startswith("∂det(X)/∂X")


def test_notebook_display_brackets_the_kronecker_product():
    d = matderiv.derive("logdet(X)", wrt="X", shapes={"X": ("n", "n")})
    assert r"\left(X^{-1} \otimes" in d.hessian()._repr_latex_()


def test_a_pipe_whose_reader_stops_reading_is_given_up_not_waited_for(tmp_path, monkeypatch):
    from matderiv.cli import output
    monkeypatch.setattr(output, "IDLE_READER_SECONDS", 0.5)
    os.mkfifo(tmp_path / "pipe")
    idle = os.open(tmp_path / "pipe", os.O_RDONLY | os.O_NONBLOCK)  # opened, never read
    try:
        started = time.monotonic()
        with pytest.raises(MatDerivError, match="its reader took nothing for 0.5 s"):
            output.write_atomically(str(tmp_path / "pipe"), "x" * 1_000_000)
        assert time.monotonic() - started < 10
    finally:
        os.close(idle)


def test_a_pipe_with_a_reader_gets_every_byte(tmp_path):
    import threading

    from matderiv.cli.output import write_atomically
    os.mkfifo(tmp_path / "pipe")
    reader = os.open(tmp_path / "pipe", os.O_RDONLY | os.O_NONBLOCK)
    received = bytearray()

    def read_all():  # until the writer has come and gone (b"" before it came: retry)
        os.set_blocking(reader, True)
        given_up = time.monotonic() + 30
        while time.monotonic() < given_up:
            chunk = os.read(reader, 4096)
            if chunk:
                received.extend(chunk)
            elif received:
                return
            else:
                time.sleep(0.01)

    thread = threading.Thread(target=read_all)
    thread.start()
    text = "".join(f"line {i}\n" for i in range(100_000))  # far beyond a pipe's buffer
    write_atomically(str(tmp_path / "pipe"), text)
    thread.join(10)
    os.close(reader)
    assert received.decode() == text

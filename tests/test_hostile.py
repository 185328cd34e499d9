"""Hostile and malformed input: one MatDerivError each (CLI: one line, exit 2), nothing run.

tests/test_errors.py and tests/test_cli.py hold the common cases; these are the
adversarial ones of issue 6: code, odd characters, huge input, bad shapes, bad files.
"""

import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

import matderiv
from matderiv import MatDerivError
from matderiv.cli import main
from matderiv.syntax.limits import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_MATRIX_POWER,
    MAX_NUMBER_LENGTH,
    MAX_TOKENS,
)

SH = {"W": ("m", "n"), "a": ("n", 1), "X": ("n", "n"), "Y": ("n", "n")}


def _process(*args, **kwargs):
    """The real command in a subprocess: what a shell user sees."""
    return subprocess.run([sys.executable, "-m", "matderiv.cli", *args], capture_output=True,
                          text=True, timeout=120, **kwargs)


@dataclass
class _Run:
    returncode: int
    stdout: str
    stderr: str


def _cli(*args):
    """The command in this process (fast); stdout and stderr kept apart."""
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()
    out = runner.invoke(main, list(args), prog_name="matderiv")
    return _Run(out.exit_code, out.stdout, out.stderr)


def _one_line_error(out):
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("matderiv: error:"), out.stderr
    assert out.stderr.count("\n") == 1, out.stderr
    assert "Traceback" not in out.stderr


# -- code in formula text ----------------------------------------------------------

def test_code_in_a_formula_is_never_executed(tmp_path):
    witness = tmp_path / "ran"
    for formula in (f"__import__('os').system('touch {witness}')",
                    f"exec(\"open('{witness}', 'w')\")", f"eval('open(\"{witness}\")')",
                    f"W*a + __import__('pathlib').Path('{witness}').touch()"):
        with pytest.raises(MatDerivError):
            matderiv.derive(formula, wrt="W", shapes=SH)
        _one_line_error(_cli("derive", formula, "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1"))
    assert not witness.exists()


@pytest.mark.parametrize("formula, message", [
    ("W.shape", "attribute access"),
    ("W.T.__class__", "attribute access"),
    ("a.T.T.sum", "attribute access"),
    ("tr(X=W)", "unexpected character '='"),
    ("f'{W}'", "unexpected"),
    ('"W"', "unexpected character"),
    ("W[0]", "unexpected character"),
    ("{W}", "unexpected character"),
    ("W; a", "unexpected character"),
    ("W if a else X", "missing operator"),
    ("lambda W: W", "unexpected character ':'"),
])
def test_python_syntax_is_not_the_grammar(formula, message):
    with pytest.raises(MatDerivError, match=message) as info:
        matderiv.derive(formula, wrt="W", shapes=SH)
    assert "column" in str(info.value) and "^" in str(info.value)


# -- syntax errors, control characters, odd Unicode ------------------------------------

@pytest.mark.parametrize("formula, column", [
    ("W*a\x07", 4),                 # a control character (bell)
    ("W\u200b*a", 2),               # a zero-width space
    ("W\u202e*a", 2),               # a right-to-left override
    ("W\uff0aa", 2),                # a full-width asterisk
    ("W*\u03b1", 3),                # a Greek letter as a name
    ("W*a\r\nX", 4),                # a line break
    ("((W*a)", 1),
    ("W*a))", 4),
    ("tr(", 4),
    ("*W", 1),
])
def test_odd_characters_and_syntax_errors_show_the_position(formula, column):
    with pytest.raises(MatDerivError) as info:
        matderiv.derive(formula, wrt="W", shapes=SH)
    text = str(info.value)
    assert f"column {column}" in text, text
    shown, caret = text.splitlines()[1:3]
    assert all(ch.isprintable() for ch in shown)  # control characters shown as '?'
    assert caret.index("^") == column + 1  # two spaces of indent, then the column


def test_control_characters_on_the_command_line_are_one_line():
    out = _process("derive", "W*a\x1b[31m\nX", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1")
    _one_line_error(out)
    assert "\x1b" not in out.stderr


@pytest.mark.parametrize("formula", ["", "   ", "\t"])
def test_empty_formula(formula):
    with pytest.raises(MatDerivError, match="empty"):
        matderiv.derive(formula, wrt="W", shapes=SH)


# -- size: refused by documented limits, quickly, without RecursionError ------------------

@pytest.mark.parametrize("formula, message", [
    ("W+" * 500_000 + "W", f"the limit is {MAX_LENGTH}"),                      # 1 MB
    ("(" * 10_000 + "X" + ")" * 10_000, f"the limit is {MAX_LENGTH}"),
    ("(" * 5_000 + "X" + ")" * 5_000, f"more than {MAX_TOKENS} tokens"),
    ("(" * (MAX_DEPTH + 1) + "X" + ")" * (MAX_DEPTH + 1), f"more than {MAX_DEPTH} levels"),
    ("-" * (MAX_DEPTH + 5) + "X", f"more than {MAX_DEPTH} levels"),
    ("tr(" * (MAX_DEPTH + 1) + "X" + ")" * (MAX_DEPTH + 1), f"more than {MAX_DEPTH} levels"),
    ("X" + "'" * 3_000, f"more than {MAX_DEPTH} levels"),
    ("*".join(["X"] * 1_000), f"more than {MAX_DEPTH} levels"),
    ("+".join(["X"] * 1_000), f"more than {MAX_DEPTH} levels"),
    ("*".join(["X"] * 5_000), f"more than {MAX_TOKENS} tokens"),
    ("X^1000000", f"beyond the limit of {MAX_MATRIX_POWER}"),
    ("X^-1000000", f"beyond the limit of {MAX_MATRIX_POWER}"),
    ("X^" + "9" * 5000, f"the limit is {MAX_NUMBER_LENGTH}"),
])
def test_huge_input_is_refused_by_a_limit(formula, message):
    started = time.monotonic()
    with pytest.raises(MatDerivError, match=message):
        matderiv.derive(formula, wrt="X", shapes=SH)
    assert time.monotonic() - started < 5


def test_huge_formula_on_the_command_line():
    _one_line_error(_process("derive", "X*" * 50_000 + "X", "--wrt", "X", "-s", "X=n,n"))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf - inf, on purpose
def test_huge_scalar_power_is_not_expanded():
    d = matderiv.derive("tr(X)^1000000", wrt="X", shapes=SH)
    assert "1000000" in str(d.gradient())
    with pytest.raises(MatDerivError, match="not finite"):  # overflows, so cannot be checked
        d.check()
    matderiv.derive("tr(X)^1000000/tr(X)^999999", wrt="X", shapes=SH).check()


# -- shapes -------------------------------------------------------------------------

@pytest.mark.parametrize("shapes, message", [
    ({"W": ("m", "1.5")}, "not a name or a positive integer"),
    ({"W": ("m", "")}, "not a name or a positive integer"),
    ({"W": ("m", None)}, "not a name or a positive integer"),
    ({"W": ("m", True)}, "not a name or a positive integer"),
    ({"W": ("m", 2.0)}, "not a name or a positive integer"),
    ({"W": ("m", "n m")}, "not a name or a positive integer"),
    ({"W": ("m", "__import__('os')")}, "not a name or a positive integer"),
    ({"W": 3}, "must be"),
    ({"W": ("m", "n"), "m": ("p", "q")}, "names both a matrix and a size"),
    ({"W.x": ("m", "n")}, "not a valid name"),
    ("W=m,n", "mapping"),
])
def test_bad_sizes_and_names(shapes, message):
    with pytest.raises(MatDerivError, match=message):
        matderiv.derive("W", wrt="W", shapes=shapes)


@pytest.mark.parametrize("formula, message", [
    ("det(W)", "det needs a square matrix"),
    ("logdet(a)", "logdet needs a square matrix"),
    ("inv(W')", "inv needs a square matrix"),
    ("W^2", "non-square"),
    ("tr(W)", "tr needs a square matrix"),
    ("W .* X", "element-wise product of mxn and nxn"),
    ("W .* a", "element-wise product"),
    ("kron(W)", "two or more"),
    ("kron(W, 2)", "kron takes matrices"),
    ("W + X", "cannot add mxn and nxn"),
    ("W(X)", "'W' is declared as a mxn matrix, so W\\(...\\) cannot be read"),
    ("W'(X)", "'W' is declared as a mxn matrix"),
    ("tr'(X)", "only an abstract function has a gradient"),
    ("f(X, X)", "takes one matrix argument"),
    ("X^W", "exponent must be a scalar"),
    ("X / W", "cannot divide by a mxn matrix"),
    ("X / 0", "division by zero"),
    ("exp(X, X)", "takes 1 argument"),
    ("I(W)", "a size must be"),
])
def test_shape_errors(formula, message):
    with pytest.raises(MatDerivError, match=message):
        matderiv.derive(formula, wrt="X", shapes=SH)


def test_conflicting_shapes_for_one_name_on_the_command_line():
    _one_line_error(_cli("derive", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "W=n,n",
                         "-s", "a=n,1"))
    # a size that is also a matrix
    _one_line_error(_cli("derive", "W*n", "--wrt", "W", "-s", "W=m,n", "-s", "n=n,1"))


# -- the command line ---------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["derive", "W*a", "-s", "W=m,n"], "Missing option '--wrt'"),
    (["derive", "W*a", "--wrt", "W", "--bogus"], "No such option"),
    (["derive", "W*a", "--wrt", "W", "--vec", "diag"], "Invalid value for '--vec'"),
    (["derive", "W*a", "--wrt"], "requires an argument"),
    (["derive"], "Missing argument 'FORMULA'"),
    (["nosuch"], "No such command"),
    (["prove", "--batch", "."], "is a directory"),
    (["prove", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1", "--style", "x"],
     "Invalid value for '--style'"),
])
def test_click_usage_errors_are_one_line_with_exit_2(args, message):
    out = _cli(*args)
    _one_line_error(out)
    assert message in out.stderr


def test_usage_errors_say_where_to_look():
    out = _process("derive", "W*a", "--wrt", "W", "--bogus")
    assert "(see 'python -m matderiv.cli derive --help')" in out.stderr


def test_usage_errors_in_process_too():
    out = CliRunner().invoke(main, ["derive", "W*a", "--bogus"])
    assert out.exit_code == 2 and out.output.count("\n") == 1


def test_bare_command_prints_help():
    out = _process()
    assert out.returncode == 0 and "Usage:" in out.stdout


def test_batch_file_that_cannot_be_read(tmp_path):
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    _one_line_error(out := _cli("prove", "--batch", str(binary)))
    assert "not valid TOML" in out.stderr
    missing = tmp_path / "missing.toml"
    _one_line_error(out := _cli("prove", "--batch", str(missing)))
    assert "does not exist" in out.stderr


BATCH = """
[[derivation]]
name = "good"
formula = "W*a"
wrt = "W"
shapes = { W = "m,n", a = "n,1" }
[[derivation]]
name = "hostile"
formula = "__import__('os').system('id')"
wrt = "W"
shapes = { W = "m,n" }
[[derivation]]
name = "wrong type"
formula = 3
wrt = "W"
[[derivation]]
name = "unknown key"
formula = "W*a"
wrt = "W"
run = "id"
[[derivation]]
name = "also good"
formula = "tr(X)"
wrt = "X"
shapes = { X = "n,n" }
"""


def test_batch_with_bad_entries_among_good_ones(tmp_path):
    batch = tmp_path / "b.toml"
    batch.write_text(BATCH)
    out = _cli("prove", "--batch", str(batch), "--format", "text")
    assert out.returncode == 2
    errors = out.stderr.splitlines()
    assert [line.split(":")[2].strip() for line in errors] == ["hostile", "wrong type",
                                                                  "unknown key"]
    assert "W a" in out.stdout and "tr(X)" in out.stdout  # the good ones, still proved


@pytest.mark.parametrize("target", ["missing-folder/p.txt", "."])
def test_unwritable_output_leaves_no_partial_file(tmp_path, target):
    before = sorted(p.name for p in tmp_path.iterdir())
    out = _cli("prove", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1", "-o",
               str(tmp_path / target))
    _one_line_error(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_output_into_a_read_only_folder(tmp_path):
    import os
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: a read-only folder is writable")
        out = _cli("prove", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1",
                   "-o", str(folder / "p.tex"))
        _one_line_error(out)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_huge_concrete_sizes_are_checked_at_the_shape_pattern_not_allocated():
    """A 10^9 x 10^9 W once asked NumPy for exabytes (a MemoryError, a traceback); it is
    checked at small sizes of the same shape pattern instead."""
    from click.testing import CliRunner

    from matderiv.cli import main
    run = CliRunner().invoke(main, ["derive", "W*a", "--wrt", "W", "-s", "W=1000000000,1000000000",
                                    "-s", "a=1000000000,1", "--check"])
    assert run.exit_code == 0, run.output
    assert "same shape pattern" in run.output and "1000000000 as n1000000000" in run.output

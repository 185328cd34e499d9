"""The README shows real output: every ``$ matderiv …`` line of its examples is run, and
what it prints must begin with the lines the README shows under it; the quick start's
command prints exactly its block. (The claim section is tests/test_claims.py's.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from matderiv.cli import main


def _readme() -> str:
    # The repository's README: one level up, or two when CI runs a copy of tests/.
    found = [p / "README.md" for p in Path(__file__).resolve().parents[1:3]
             if (p / "README.md").is_file()]
    if not found:
        pytest.skip("README.md is not beside this copy of the tests")
    return found[0].read_text(encoding="utf-8")


def _examples():
    """(command words, the lines shown under it) for each ``$ matderiv`` line."""
    found = []
    for block in re.findall(r"```text\n(.*?)```", _readme(), flags=re.S):
        lines = block.rstrip("\n").split("\n")
        for i, line in enumerate(lines):
            if not line.startswith("$ matderiv "):
                continue
            shown = []
            for after in lines[i + 1:]:
                if after.startswith("$ "):
                    break
                shown.append(after)
            words = shlex.split(line[len("$ matderiv "):])
            if "--batch" not in words:  # a file of the reader's: test_claims runs it
                found.append((words, shown))
    return found


def run(words):
    return CliRunner().invoke(main, words)


def test_the_readme_has_examples():
    assert len(_examples()) >= 12


@pytest.mark.parametrize("words, shown", _examples(), ids=lambda v: " ".join(v)[:60]
                         if isinstance(v, list) and v and isinstance(v[0], str)
                         and not v[0].startswith("∂") else "")
def test_example_prints_what_the_readme_shows(words, shown):
    out = run(words)
    assert out.exit_code in (0, 2), out.output
    assert out.output.split("\n")[:len(shown)] == shown


def test_quick_start_prints_its_block():
    readme = _readme()
    section = readme.split("## Quick start", 1)[1]
    command = section.split("```sh\n", 1)[1].split("\n", 1)[0]
    words = shlex.split(command.split("/matderiv ", 1)[1])
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    assert run(words).output == shown

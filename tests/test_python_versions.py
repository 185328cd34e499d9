"""matderiv runs on every Python pyproject.toml allows (3.10 up): regular expressions
must not use what only 3.11's ``re`` knows, possessive quantifiers (``*+``, ``++``,
``?+``, ``}+``) and atomic groups (``(?>...)``): 3.10 refuses them when the module is
imported. The suite runs on one Python, so the patterns are read here."""

import ast
import re
from pathlib import Path

import matderiv

PACKAGE = Path(matderiv.__file__).parent
NEWER_ONLY = re.compile(r"(?<!\\)(?:[*+?}]\+|\(\?>)")


def _patterns():
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in (
                    "compile", "match", "fullmatch", "search", "sub", "finditer", "findall"):
                for arg in node.args[:1]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        yield f"{path.relative_to(PACKAGE)}:{node.lineno}", arg.value


def test_patterns_are_read_by_python_3_10():
    found = list(_patterns())
    assert len(found) > 5  # (the tokenizer's among them)
    newer = [(place, pattern) for place, pattern in found if NEWER_ONLY.search(pattern)]
    assert newer == []


def test_the_check_sees_a_possessive_quantifier():
    assert NEWER_ONLY.search(r"[a-z]*+") and NEWER_ONLY.search(r"(?>ab)")
    assert not NEWER_ONLY.search(r"a\*+b") and not NEWER_ONLY.search(r"[a-z]*(?!x)")

"""The house shows the pipeline: stages import one way, modules and classes stay small.

Imports are read with ``ast`` from the source, every one of them: at the top of a
module, inside functions, under ``if``. A module's imports of other modules of its own
stage are free; its imports of other stages must go down the ``MAY_IMPORT`` table, which
is what each stage's ``__init__`` docstring says in words.
"""

from __future__ import annotations

import ast
import importlib
import pathlib
import sys

import pytest

import matderiv

PACKAGE = pathlib.Path(matderiv.__file__).resolve().parent

#: Stage (subpackage, or base module) -> the stages it may import. Read top to bottom,
#: it is the pipeline: text is parsed, rules are applied, proofs, code and verdicts are
#: made from the result, the API holds them together and the CLI is a face on the API.
MAY_IMPORT = {
    "errors": set(),
    "deadline": {"errors"},
    "expressions": {"errors"},
    "syntax": {"errors", "expressions"},
    "render": {"expressions"},
    "numeric": {"errors", "expressions", "syntax", "render"},
    "engine": {"errors", "expressions", "syntax"},
    "proofs": {"errors", "deadline", "expressions", "numeric", "engine"},
    "codegen": {"errors", "expressions", "render"},
    "claims": {"errors", "expressions", "syntax", "render", "numeric"},
    "api": {"errors", "deadline", "expressions", "syntax", "render", "numeric", "engine",
            "proofs", "codegen", "claims"},
    "cli": {"errors", "deadline", "expressions", "syntax", "render", "numeric", "engine",
            "proofs", "codegen", "claims", "api", "web"},
    # The web page sits beside the CLI, on top of the API: it moves requests over HTTP.
    "web": {"errors", "api"},
    "__init__": {"errors", "api", "engine", "syntax", "numeric", "render"},
}

MAX_MODULE_LINES = 700
MAX_CLASS_LINES = 300


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, source: str | None = None, is_package: bool = False) -> set[str]:
    """The matderiv modules ``name`` imports, anywhere in its source (read from its file
    unless given)."""
    if source is None:
        path = MODULES[name]
        source, is_package = path.read_text(encoding="utf-8"), path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # ``from pkg import mod`` imports the module pkg.mod; ``from mod import name``
            # imports mod. (Python imports the packages above mod first, too; those edges
            # are left out: each package's __init__ would look like a cycle with its
            # modules.)
            targets = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in MODULES
                       else origin for alias in node.names]
        else:
            continue
        for target in targets:
            if target.startswith("matderiv"):
                found.add(target if target in MODULES else target.rpartition(".")[0])
    found.discard(name)
    return {target for target in found if target in MODULES}


GRAPH = {name: imports_of(name) for name in MODULES}


def stage(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1:
        return "__init__"
    if parts[1] == "rules":
        return "rules"
    return parts[1]


def test_no_import_cycles():
    """Tarjan's strongly connected components: each must be a single module."""
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    assert not cycles, f"import cycles: {cycles}"


def test_a_cycle_is_found():
    """The walk sees imports inside functions, relative and absolute (a check of the
    checker on a made-up pair of modules)."""
    saved = dict(GRAPH)
    try:
        GRAPH["matderiv.expressions.memo"] = {"matderiv.expressions.tidy"}
        with pytest.raises(AssertionError, match="import cycles"):
            test_no_import_cycles()
    finally:
        GRAPH.clear()
        GRAPH.update(saved)
    source = ("def f():\n    from ..engine import catalog\n    import matderiv.api\n"
              "if True:\n    from . import tidy\n    from .memo import interned\n")
    assert imports_of("matderiv.expressions.probe", source) == {
        "matderiv.engine.catalog", "matderiv.api", "matderiv.expressions.tidy",
        "matderiv.expressions.memo"}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_stages_import_down_the_pipeline(name):
    own = stage(name)
    if own == "rules":
        assert not GRAPH[name]
        return
    allowed = MAY_IMPORT[own]
    wrong = sorted(t for t in GRAPH[name] if stage(t) != own and stage(t) not in allowed)
    assert not wrong, f"{name} ({own}) imports {wrong}; {own} may import {sorted(allowed)}"


def test_every_stage_is_in_the_table():
    stages = {stage(name) for name in MODULES} - {"rules"}
    assert stages == set(MAY_IMPORT)


@pytest.mark.parametrize("name", sorted(n for n, p in MODULES.items() if p.name == "__init__.py"
                                        and n.count(".") == 1 and stage(n) != "rules"))
def test_each_stage_says_what_it_owns_and_may_import(name):
    doc = importlib.import_module(name).__doc__ or ""
    paragraphs = [" ".join(p.split()) for p in doc.split("\n\n")]
    assert any("owns" in p and "may import" in p for p in paragraphs), name


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_and_classes_are_small(name):
    text = MODULES[name].read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_MODULE_LINES, f"{name}: {text.count(chr(10))} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= MAX_CLASS_LINES, f"{name}.{node.name}: {length} lines"


def test_every_package_ships_in_the_wheel():
    """pyproject.toml lists its packages by hand (rules/ is mapped into matderiv.rules):
    a new stage must be listed, or an installed matderiv would lack it."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    pyproject = PACKAGE.parent / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip("an installed matderiv, without its pyproject.toml beside it")
    setuptools = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    packages = {n for n, p in MODULES.items() if p.name == "__init__.py"}
    assert packages <= listed
    # every folder of the rule catalog too, with its TOML files (a folder left out ships
    # without its rules: an installed matderiv would refuse what the clone derives)
    for folder in sorted(p for p in (PACKAGE.parent / "rules").iterdir() if p.is_dir()
                         and any(p.glob("*.toml"))):
        name = f"matderiv.rules.{folder.name}"
        assert name in listed, f"rules/{folder.name} is not listed in pyproject.toml"
        assert setuptools["package-dir"].get(name) == f"rules/{folder.name}"
        assert "*.toml" in setuptools["package-data"].get(name, [])

"""Every module's docstring examples run and print what they say (a tiny example is
part of the documentation; a stale one misleads)."""

import doctest
import importlib
import pkgutil

import pytest

import matderiv

MODULES = sorted(m.name for m in pkgutil.walk_packages(matderiv.__path__, "matderiv.")
                 if not m.name.endswith(".__main__"))  # (importing it runs the command)


#: Modules that need an optional extra, and the package that tells it is installed.
NEEDS = {"matderiv.web.app": "starlette", "matderiv.web.workers": "starlette"}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    if name in NEEDS:
        pytest.importorskip(NEEDS[name], reason="the web extra is not installed "
                                                "(pip install '.[web]')")
    module = importlib.import_module(name)
    assert doctest.testmod(module, report=True).failed == 0

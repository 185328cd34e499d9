"""Every module's docstring examples run and print what they say (a tiny example is
part of the documentation; a stale one misleads)."""

import doctest
import importlib
import pkgutil

import pytest

import matderiv

MODULES = sorted(m.name for m in pkgutil.walk_packages(matderiv.__path__, "matderiv."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    assert doctest.testmod(module, report=True).failed == 0

"""The ``matderiv`` command: a thin face over the Python API (``matderiv.api``).

It owns the commands (``commands``: derive, prove, check, codegen, serve, rules), their
options, their one-line errors with exit code 2, and writing files without leaving a
partial one (``output``). It may import every stage; nothing imports it.
"""

from .commands import main

__all__ = ["main"]

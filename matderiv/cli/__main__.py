"""``python -m matderiv.cli`` is the ``matderiv`` command."""

from .commands import main

main()

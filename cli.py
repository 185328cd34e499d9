"""Thin shim: ``python cli.py ...`` is the installed ``matderiv`` command."""

from matderiv.cli import main

if __name__ == "__main__":
    main()

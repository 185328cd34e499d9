"""A LaTeX document compiled to PDF by pdflatex, in a folder of its own.

>>> import shutil
>>> minimal = r"\\documentclass{article}\\begin{document}x\\end{document}"
>>> pdf_of(minimal)[:5] if shutil.which("pdflatex") else b"%PDF-"  # where pdflatex runs
b'%PDF-'
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

from ..errors import MatDerivError


def pdf_of(latex: str, *, seconds: float = 120) -> bytes:
    """The PDF of a standalone document; MatDerivError naming pdflatex's first error.

    The user's file name never reaches TeX (which would read \\def in it as code): the
    text is written under a fixed name in a temporary folder, and nothing else is left."""
    if shutil.which("pdflatex") is None:
        raise MatDerivError("pdflatex is not installed, so no PDF can be made (on Debian: "
                            "apt-get install texlive-latex-base)")
    with tempfile.TemporaryDirectory(prefix="matderiv-pdf-") as folder:
        with open(os.path.join(folder, "proof.tex"), "w", encoding="utf-8") as stream:
            stream.write(latex)
        try:
            run = subprocess.run(["pdflatex", "-no-shell-escape", "-interaction=nonstopmode",
                                  "-halt-on-error", "proof.tex"], cwd=folder,
                                 capture_output=True, text=True, errors="replace",
                                 timeout=seconds, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise MatDerivError(f"pdflatex took more than {seconds:g} s") from None
        if run.returncode != 0:
            first = re.search(r"^! (.*)$", run.stdout, re.MULTILINE)
            raise MatDerivError("pdflatex failed: " + (first.group(1) if first else
                                                       "see its log"))
        with open(os.path.join(folder, "proof.pdf"), "rb") as stream:
            return stream.read()

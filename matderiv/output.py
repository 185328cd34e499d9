"""Writing results to files without ever leaving a partial file behind."""

from __future__ import annotations

import os
import tempfile

from .errors import MatDerivError


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise MatDerivError(f"cannot write {path}: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".matderiv-", suffix=".tmp")
    except OSError as error:
        raise MatDerivError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise MatDerivError(f"cannot write {path}: {error.strerror}") from None

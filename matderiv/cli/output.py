"""Writing results to files without ever leaving a partial file behind."""

from __future__ import annotations

import os
import shutil
import tempfile

from ..errors import MatDerivError


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename.

    A symlink is written through; an existing file that is not a regular file (a
    device, a pipe) is written directly; a new file gets the usual permissions.
    """
    path = os.path.realpath(path)
    if os.path.exists(path) and not os.path.isfile(path):
        try:
            with open(path, "w", encoding="utf-8") as stream:
                stream.write(text)
        except OSError as error:
            raise MatDerivError(f"cannot write {path}: {error.strerror}") from None
        return
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise MatDerivError(f"cannot write {path}: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".matderiv-", suffix=".tmp")
    except OSError as error:
        raise MatDerivError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        if os.path.exists(path):
            shutil.copymode(path, temporary)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise MatDerivError(f"cannot write {path}: {error.strerror}") from None

"""Writing results to files without ever leaving a partial file behind.

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> write_atomically(os.path.join(folder, "proof.txt"), "dF = A dX")
>>> open(os.path.join(folder, "proof.txt")).read()
'dF = A dX'
"""

from __future__ import annotations

import errno
import os
import select
import shutil
import tempfile

from ..errors import MatDerivError


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename.

    A symlink is written through; an existing file that is not a regular file (a
    device, a pipe) is written directly, a pipe only if something reads it (it is
    opened without waiting: with no reader it would block forever); a read-only file is
    refused (the rename would replace it); a new file gets the usual permissions.
    """
    _write(path, text.encode("utf-8"))


def write_bytes_atomically(path: str, data: bytes) -> None:
    """``write_atomically`` for bytes (a PDF)."""
    _write(path, data)


def _write(path: str, data: bytes) -> None:
    path = os.path.realpath(path)
    if os.path.exists(path) and not os.path.isfile(path):
        _write_special(path, data)
        return
    if os.path.isfile(path) and not os.stat(path).st_mode & 0o222:
        raise MatDerivError(f"cannot write {path}: the file is read-only")
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise MatDerivError(f"cannot write {path}: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".matderiv-", suffix=".tmp")
    except OSError as error:
        raise MatDerivError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
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


def _write_special(path: str, data: bytes) -> None:
    """Write to a device or a pipe that exists, never waiting for a reader."""
    if os.path.isdir(path):
        raise MatDerivError(f"cannot write {path}: it is a directory")
    try:
        handle = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ENXIO:  # a pipe with no reader
            raise MatDerivError(f"cannot write {path}: it is a pipe that nothing reads") \
                from None
        raise MatDerivError(f"cannot write {path}: {error.strerror}") from None
    try:
        _write_patiently(handle, data, path)
    except OSError as error:
        raise MatDerivError(f"cannot write {path}: {error.strerror}") from None
    finally:
        os.close(handle)


#: Seconds a reader of a pipe may take nothing before the write gives up.
IDLE_READER_SECONDS = 60


def _write_patiently(handle: int, data: bytes, path: str) -> None:
    """Write ``data`` to a non-blocking ``handle``, waiting while the reader reads, but
    not forever for a reader that stopped (a full pipe nobody empties)."""
    view = memoryview(data)
    while view:
        _, writable, _ = select.select([], [handle], [], IDLE_READER_SECONDS)
        if not writable:
            raise MatDerivError(f"cannot write {path}: its reader took nothing for "
                                f"{IDLE_READER_SECONDS} s")
        try:
            view = view[os.write(handle, view[:65536]):]
        except BlockingIOError:
            continue

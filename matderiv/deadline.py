"""A hard deadline for work that may run away inside SymPy, where no budget check reaches.

SymPy's simplification of a large index sum can run for minutes in a single call. On a
POSIX main thread a timer signal interrupts it; elsewhere (Windows, other threads) only
the callers' own budget checks apply.

>>> with deadline(5.0, "no element-wise proof"):
...     1 + 1
2
"""

from __future__ import annotations

import contextlib
import signal
import threading

from .errors import MatDerivError


class _Expired(Exception):
    pass


def _expire(signum, frame):
    raise _Expired


@contextlib.contextmanager
def deadline(seconds: float, what: str):
    """Raise MatDerivError("<what>: it took more than N s") when ``seconds`` run out."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise MatDerivError(f"{what}: it took more than {seconds:.0f} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

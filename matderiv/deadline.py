"""Hard deadlines for work that may run away inside SymPy, where no budget check reaches.

SymPy's simplification of a large index sum can run for minutes in a single call. On a
POSIX main thread a timer signal interrupts it; elsewhere (Windows, other threads) only
the callers' own budget checks apply. Deadlines nest: a command's budget holds around an
element-wise proof's own, the inner one never outlasts the outer, and whichever runs out
first is the one reported.

>>> with deadline(5.0, "no element-wise proof"):
...     1 + 1
2
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time

from .errors import MatDerivError


class _Expired(Exception):
    pass


def _expire(signum, frame):
    raise _Expired


#: The deadlines in force, outermost first: (time.monotonic() when due, message).
_ACTIVE: list[tuple[float, str]] = []


@contextlib.contextmanager
def deadline(seconds: float, what: str):
    """Raise MatDerivError(``what``) when ``seconds`` run out (``what`` may hold {seconds})."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    now = time.monotonic()
    due = now + seconds
    message = (what.format(seconds=f"{seconds:.0f}") if "{seconds}" in what
               else f"{what}: it took more than {seconds:.0f} s")
    outer_due = _ACTIVE[-1][0] if _ACTIVE else None
    previous = signal.signal(signal.SIGALRM, _expire) if not _ACTIVE else None
    _ACTIVE.append((due, message))
    signal.setitimer(signal.ITIMER_REAL, max(1e-3, min(due, outer_due or due) - now))
    passed_on = False
    try:
        yield
    except _Expired:
        if outer_due is not None and outer_due <= due and time.monotonic() >= outer_due:
            passed_on = True
            raise  # the outer deadline ran out first: it is the one to report
        raise MatDerivError(message) from None
    finally:
        _ACTIVE.pop()
        if not _ACTIVE:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        elif not passed_on:
            # Back to the outer deadline's remaining time (due now: expire at once).
            signal.setitimer(signal.ITIMER_REAL, max(1e-3, _ACTIVE[-1][0] - time.monotonic()))

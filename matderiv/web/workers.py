"""Each request's work in a process of its own, under a time limit: a slow derivation
never holds up the others, and one that runs past its limit is ended, not waited for.

The processes fork from a server that has imported matderiv once (``forkserver``), so
each starts in milliseconds; inside, the derivation has a main thread of its own, where
matderiv's hard deadlines work, and its own ``seconds`` budget.

>>> Workers(limit=2, seconds=5).run_blocking("parse", {"formula": "W*"})[0]
400
"""

from __future__ import annotations

import multiprocessing
import threading

from ..errors import MatDerivError

#: Seconds a worker may overrun its own budget before it is killed.
GRACE = 5.0
_CONTEXTS: dict = {}


def _context():
    """The forkserver context (spawn where there is none), its server preloaded."""
    if "context" not in _CONTEXTS:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods
                                              else "spawn")
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload(["matderiv.api.service", "numpy"])
        _CONTEXTS["context"] = context
    return _CONTEXTS["context"]


def _work(connection, task: str, request, seconds: float) -> None:
    """In the worker: run one request, send back (HTTP status, JSON-ready answer)."""
    import warnings

    from ..api.service import TASKS, error_data
    warnings.simplefilter("ignore")  # numeric warnings are reported as results, not noise
    try:
        answer = (200, TASKS[task](request, seconds=seconds))
    except MatDerivError as error:
        answer = (400, error_data(error))
    except RecursionError:
        answer = (400, {"error": "the formula is nested too deeply to handle"})
    except Exception as error:  # noqa: BLE001 - one JSON answer, never a traceback
        answer = (500, {"error": f"internal error: {type(error).__name__}: {error} "
                                 "(please report this formula)"})
    try:
        connection.send(answer)
    finally:
        connection.close()


class Workers:
    """At most ``limit`` requests computed at once, each in a fresh process that may take
    ``seconds`` (its derivation's own budget) and is killed a little after."""

    def __init__(self, limit: int = 2, seconds: float = 30.0, grace: float = GRACE):
        self.limit = limit
        self.seconds = seconds
        self.grace = grace
        self._slots = threading.BoundedSemaphore(limit)

    def start(self) -> None:
        """Start the fork server now, so the first request does not wait for it."""
        context = _context()
        if context.get_start_method() == "forkserver":
            from multiprocessing import forkserver
            forkserver.ensure_running()

    def run_blocking(self, task: str, request) -> tuple[int, dict]:
        """(status, answer) of one request; call it from a thread, not the event loop."""
        with self._slots:
            context = _context()
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_work, args=(sender, task, request, self.seconds),
                                      daemon=True)
            process.start()
            sender.close()
            try:
                if receiver.poll(self.seconds + self.grace):
                    try:
                        return receiver.recv()
                    except EOFError:
                        return 500, {"error": "the worker ended without an answer "
                                              "(out of memory?)"}
                return 400, {"error": f"the request took more than {self.seconds:g} s and "
                                      "was stopped"}
            finally:
                receiver.close()
                if process.is_alive():
                    process.kill()
                process.join(2)

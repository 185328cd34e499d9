"""The local web page, ``matderiv serve``: a formula box, the result typeset, its proofs,
the numeric check, claims, code and documents, all from this machine.

It owns the Starlette application and its JSON API (``app``: request bounds, security
headers), the worker processes that compute each request under a time limit
(``workers``), the page itself and KaTeX (``static/``, shipped in the wheel), and
``serve``, which runs it with uvicorn. It sits beside ``cli`` on top of ``api``, whose
``service`` does all the work, and may import ``matderiv.errors`` and ``api`` only.
Starlette and uvicorn are the optional extra ``matderiv[web]``.

>>> is_loopback("127.0.0.1"), is_loopback("0.0.0.0")
(True, False)
"""

from __future__ import annotations

import sys


def is_loopback(host: str) -> bool:
    """Only this machine can reach a server bound to ``host``."""
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def serve(host: str = "127.0.0.1", port: int = 8000, *, open_browser: bool = False,
          seconds: float = 30.0, workers: int = 2) -> None:
    """Run the page until interrupted (uvicorn, one process; work in worker processes)."""
    import threading
    import webbrowser

    import uvicorn

    from .app import LOOPBACK, create_app
    from .workers import Workers

    exposed = not is_loopback(host)
    app = create_app(workers=Workers(limit=workers, seconds=seconds),
                     hosts=("*",) if exposed else LOOPBACK)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if exposed:
        print(f"matderiv serve: warning: listening on {host}, so every machine that can "
              "reach this one can use the page (bind 127.0.0.1 to keep it local)",
              file=sys.stderr)
    print(f"matderiv serve: {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, [url]).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_keep_alive=5,
                limit_concurrency=64, server_header=False)


__all__ = ["is_loopback", "serve"]

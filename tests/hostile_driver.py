"""Run matderiv commands in this process and report each outcome as one JSON line.

tests/test_hostile_bounded.py starts this script in a subprocess whose address space is
limited (``ulimit -v``), so a command that allocates without knowing how much shows as
a MemoryError or a killed process, and each command's time is measured from outside.

    python tests/hostile_driver.py CASES.json     # [[args...], ...] -> one line per case
"""

from __future__ import annotations

import json
import sys
import time
import traceback
import warnings


def main(path: str) -> None:
    from click.testing import CliRunner

    from matderiv.cli import main as cli

    warnings.simplefilter("ignore")
    with open(path, encoding="utf-8") as stream:
        cases = json.load(stream)
    for args in cases:
        try:
            runner = CliRunner(mix_stderr=False)  # click < 8.2
        except TypeError:
            runner = CliRunner()
        started = time.monotonic()
        result = runner.invoke(cli, args, prog_name="matderiv")
        crashed = None
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            crashed = "".join(traceback.format_exception(result.exception))[-2000:]
        print(json.dumps({"args": args, "exit": result.exit_code, "stdout": result.stdout,
                          "stderr": result.stderr, "seconds": time.monotonic() - started,
                          "crashed": crashed}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])

"""Derivation time as formulas grow (issue 24), and proofs against derivations.

Measured by ``benchmarks/run.py`` (sections ``sizes`` and ``proofs``), each problem in a
process of its own pinned to one CPU (``run.py --worker size,KIND,N``), so that what
one measurement leaves behind (caches, thread pools) does not slow the next:

- chains: the Jacobian of ``X*X*...*X`` (N factors, X of n × n) for N = 4 ... 64;
- sums: the gradient of ``tr(A0*X) + ... + tr(A{N-1}*X)`` for N = 8 ... 128;
- proofs: ``prove --style both`` (the rules and the element-wise proof, as text) of
  the 2-layer network loss against its derivation (``derive`` and the gradient).

Times are medians of runs with SymPy's cache (and matderiv's memos) cleared before
each; the CPU time of the process is reported beside the wall time, since the machine
is shared. Targets: time(X^16) / time(X^4) ≤ 10, time(64 traces) / time(8) ≤ 10, X^64
under 1 s, proof / derivation ≤ 5.

>>> chain_problem(3)[0], sum_problem(2)[0]
('X*X*X', 'tr(A0*X) + tr(A1*X)')
"""

from __future__ import annotations

import statistics
import time

CHAINS = (4, 8, 16, 32, 64)
SUMS = (8, 16, 32, 64, 128)
NETWORK = ("sum((W2*tanh(W1*x + b1) + b2 - y).^2)", "W1",
           {"W1": ("h", "n"), "x": ("n", 1), "b1": ("h", 1), "W2": ("m", "h"),
            "b2": ("m", 1), "y": ("m", 1)})


def chain_problem(count: int):
    """X*X*...*X (``count`` factors), wrt X, X of n × n."""
    return "*".join(["X"] * count), "X", {"X": ("n", "n")}


def sum_problem(count: int):
    """tr(A0*X) + ... (``count`` traces), wrt X; every matrix n × n."""
    shapes = {"X": ("n", "n"), **{f"A{i}": ("n", "n") for i in range(count)}}
    return " + ".join(f"tr(A{i}*X)" for i in range(count)), "X", shapes


def _timed(call, repeats: int, budget: float) -> dict:
    """Median wall and CPU seconds of ``call()``, SymPy's cache cleared before each run
    (fewer runs once ``budget`` seconds are spent, at least 3)."""
    from sympy.core.cache import clear_cache
    walls, cpus = [], []
    for _ in range(repeats):
        clear_cache()
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        if sum(walls) > budget and len(walls) >= 3:
            break
    return {"time": statistics.median(walls), "cpu": statistics.median(cpus)}


def size_worker(kind: str, count: int, quick: bool) -> dict:
    """One measurement, in this (pinned) process: kind "chain", "sum" or "proof"."""
    import matderiv
    matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)}).proof_text(
        "both")  # (imports and the catalog, once, outside the timing)
    repeats = 3 if quick else 7
    if kind == "proof":
        formula, wrt, shapes = NETWORK

        def derive():
            return matderiv.derive(formula, wrt=wrt, shapes=shapes).gradient()

        def prove():
            return matderiv.derive(formula, wrt=wrt, shapes=shapes).proof_text("both")
        return {"derive": _timed(derive, repeats, 10.0),
                "prove": _timed(prove, 1 if quick else 3, 60.0)}
    formula, wrt, shapes = (chain_problem if kind == "chain" else sum_problem)(count)

    def result():
        d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
        return d.gradient() if d.is_scalar else d.jacobian()
    return _timed(result, repeats, 20.0)


def sizes_section(worker, quick: bool) -> dict:
    """{("chain" | "sum", N): timing} through ``worker(task)`` (a process each)."""
    found = {}
    for kind, counts in (("chain", CHAINS[:3] if quick else CHAINS),
                         ("sum", SUMS[:3] if quick else SUMS)):
        for count in counts:
            found[(kind, count)] = worker(f"size,{kind},{count}")
    return found


def sizes_report(found, ms, verdict):
    lines = ["## 5. Growing formulas: chains and sums", "",
             "The Jacobian of `X*X*...*X` (N factors, X of n × n) and the gradient of "
             "`tr(A0*X) + ... + tr(A{N-1}*X)`, each size in a process of its own pinned to "
             "one CPU; median of up to 7 runs, SymPy's cache cleared before each. Wall "
             "time, and the process's CPU time (the machine is shared; the ratios use "
             "CPU time).", "",
             "| formula | N | wall ms | CPU ms | CPU time / smallest |",
             "|---|---:|---:|---:|---:|"]
    verdicts = []
    for kind in ("chain", "sum"):
        rows = sorted((n, t) for (k, n), t in found.items() if k == kind)
        if not rows:
            continue
        smallest = rows[0][1]["cpu"]
        for count, timing in rows:
            name = "X*...*X" if kind == "chain" else "sum of traces"
            lines.append(f"| {name} | {count} | {ms(timing['time'])} | {ms(timing['cpu'])} | "
                         f"{timing['cpu'] / smallest:.1f} |")
    cpu = {key: value["cpu"] for key, value in found.items()}
    lines.append("")
    checks = [(("chain", 16), ("chain", 4), "time(X^16 Jacobian) / time(X^4) ≤ 10"),
              (("sum", 64), ("sum", 8), "time(64 traces) / time(8 traces) ≤ 10")]
    for big, small, text in checks:
        if big in cpu and small in cpu:
            ratio = cpu[big] / cpu[small]
            verdicts.append((f"sizes: {text}", ratio <= 10, f"{ratio:.1f}"))
    if ("chain", 64) in found:
        seconds = found[("chain", 64)]["time"]
        verdicts.append(("sizes: X^64 Jacobian under 1 s (wall)", seconds < 1.0,
                         f"{seconds:.2f} s (CPU {found[('chain', 64)]['cpu']:.2f} s)"))
    for text, passed, value in verdicts:
        lines.append(f"- {text}: {value} — {verdict(passed)}")
    return lines, verdicts


def proofs_report(found, ms, verdict):
    derive, prove = found["derive"], found["prove"]
    ratio = prove["cpu"] / derive["cpu"]
    lines = ["## 6. Proofs against derivations", "",
             f"`prove --style both` (rules and element-wise proof, as text) of `{NETWORK[0]}` "
             f"wrt {NETWORK[1]} against its derivation (`derive` and the gradient), in one "
             "process pinned to one CPU, SymPy's cache cleared before each run.", "",
             "| | wall ms | CPU ms |", "|---|---:|---:|",
             f"| derive | {ms(derive['time'])} | {ms(derive['cpu'])} |",
             f"| prove --style both | {ms(prove['time'])} | {ms(prove['cpu'])} |", "",
             f"- proof / derivation (CPU) = **{ratio:.1f}** — {verdict(ratio <= 5)} (target ≤ 5)"]
    return lines, [("proofs: prove --style both ≤ 5 × derive (2-layer network)", ratio <= 5,
                    f"{ratio:.1f}×")]

"""matderiv against its peers, in one run: ``python benchmarks/run.py``.

Writes benchmarks/RESULTS.md and benchmarks/results.png and prints each target's
verdict (PASS / MISS). Four measurements (issue 5):

1. derivation time on the test corpus (benchmarks/corpus.py), against SymPy's
   ``MatrixExpr.diff`` and ``array_derive``, SymPy's cache cleared before every call;
2. scaling: the gradient of an L-layer network loss by the first layer's weights;
3. generated code (``Derivation.to_function``) against jax.grad / jax.hessian (jit, CPU),
   torch.func and a hand-written NumPy closed form, at growing sizes;
4. cold start of the CLI against ``python -c "import sympy"``;
5. growing formulas: chains X*...*X (N = 4 ... 64) and sums of N traces (N = 8 ... 128),
   each size in its own pinned process (benchmarks/sizes.py);
6. ``prove --style both`` against ``derive`` of a 2-layer network (benchmarks/sizes.py).

The peers jax and torch are optional (``pip install '.[bench]'``); without them their
columns read "not installed". Timings are medians; compare ratios within one run, not
absolute times across runs (the machine is shared).

Options: ``--quick`` (small sizes, few repeats: a smoke run), ``--only SECTION,...``
(derivation, scaling, codegen, coldstart, sizes, proofs), ``--output FILE`` (default
RESULTS.md here),
``--threads N`` (threads for the array libraries in section 3; default 1).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def pin_to_cpus(threads: int) -> int | None:
    """Run this process, and every thread it starts, on ``threads`` CPUs; the number of
    CPUs it may use then, or None where processes cannot be pinned (macOS, Windows).

    The thread variables alone do not hold jax to one thread: with them and XLA's flags
    set, jax.jit's float64 product of 2048 × 2048 by 2048 × 256 used two cores (process
    time twice the wall time), so it was timed on two threads against NumPy's one.
    Threads inherit the affinity of the thread that starts them, but setting it changes
    only the calling thread: so a worker pins itself before it imports NumPy (whose
    OpenBLAS starts its threads at import) or any other library.
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, allowed[:max(1, threads)])
    return len(os.sched_getaffinity(0))


def _worker_threads(argv) -> int:
    """--threads N of a worker's command line (1 when absent)."""
    return int(argv[argv.index("--threads") + 1]) if "--threads" in argv else 1


if "--worker" in sys.argv:
    PINNED_CPUS = pin_to_cpus(_worker_threads(sys.argv))

import numpy as np  # noqa: E402
import sympy  # noqa: E402
from sympy.core.cache import clear_cache  # noqa: E402

import matderiv  # noqa: E402

SECTIONS = ("derivation", "scaling", "codegen", "coldstart", "sizes", "proofs")


def median_time(call, repeats, *, clear=False, budget=None):
    """Median wall time of ``call()`` over ``repeats`` runs (fewer if ``budget`` s is spent)."""
    times = []
    for _ in range(repeats):
        if clear:
            clear_cache()
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        if budget is not None and sum(times) > budget and len(times) >= 3:
            break
    return statistics.median(times)


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def ms(seconds) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f}" if seconds < 10 else f"{seconds * 1000:.0f}"


# -- 1. derivation time ---------------------------------------------------------------

def not_an_answer(result) -> str:
    """Why a peer's result is no derivative: "returned 0" (every formula of the corpus
    depends on its variable) or "unevaluated" (a Derivative object); else ""."""
    from sympy.tensor.array.expressions import ZeroArray
    if result == 0 or isinstance(result, (sympy.ZeroMatrix, ZeroArray)):
        return "returned 0 (wrong)"
    if isinstance(result, sympy.Basic) and result.has(sympy.Derivative):
        return "unevaluated"
    return ""


def derivation_section(repeats):
    from corpus import problems
    from peers import Reference, Unsupported, plain_sympy
    from sympy.tensor.array.expressions import array_derive, convert_matrix_to_array

    rows = []
    for problem in problems():
        def ours(p=problem):
            d = matderiv.derive(p.formula, wrt=p.wrt, shapes=p.shapes)
            return d.gradient() if d.is_scalar else d.jacobian()
        try:
            ours()
        except matderiv.MatDerivError as error:
            rows.append((problem, None, None, None, f"matderiv: {error.one_line()}", {}))
            continue
        d = matderiv.derive(problem.formula, wrt=problem.wrt, shapes=problem.shapes)
        peers = {}
        try:
            plain = plain_sympy(d.expr)
        except Unsupported as error:
            plain, peers["note"] = None, f"no SymPy form ({error})"
        candidates = {
            "diff": lambda plain=plain, x=d.variable: plain.diff(x),
            "array_derive": lambda plain=plain, x=d.variable: array_derive(
                convert_matrix_to_array(plain), x),
        }
        reference = None  # finite differences of the formula, once a peer answers
        for peer, call in candidates.items():
            if plain is None:
                peers[peer] = None
                continue
            try:
                clear_cache()
                answer = call()
            except Exception as error:  # noqa: BLE001 - a peer's failure is a result
                peers[peer] = None
                peers.setdefault("note", f"{peer}: {type(error).__name__}")
                continue
            wrong = not_an_answer(answer)
            if wrong:
                peers[peer] = None
                peers["note"] = (peers.get("note", "") + f" {peer}: {wrong}").strip()
                continue
            try:
                if reference is None:
                    reference = Reference(plain, d.variable)
                wrong = reference.wrong_answer(answer)
            except Unsupported as error:
                peers["note"] = (peers.get("note", "") + f" {peer}: unchecked, "
                                 f"{error}").strip()
            seconds = median_time(call, repeats, clear=True)
            if wrong:  # timed all the same, for the median that counts wrong answers
                peers[peer] = None
                peers[f"{peer} wrong"] = seconds
                peers["note"] = (peers.get("note", "") + f" {peer}: {wrong}").strip()
                continue
            peers[peer] = seconds
        mine = median_time(ours, repeats, clear=True)
        rows.append((problem, mine, peers.get("diff"), peers.get("array_derive"),
                     peers.get("note", ""),
                     {peer: peers.get(f"{peer} wrong") for peer in candidates}))
    return rows


def derivation_report(rows):
    lines = ["## 1. Derivation time", "",
             "matderiv: `derive(...)` then `.gradient()` (scalar formulas) or `.jacobian()`, "
             "which records the proof trace and checks the simplification numerically. "
             "Peers: SymPy's `MatrixExpr.diff` and `array_derive(convert_matrix_to_array(F), X)` "
             "on the same formula (matderiv's objects rewritten into SymPy's, outside the "
             "timing). SymPy's cache is cleared before every call; each time is the median "
             "of the runs. Ratio = matderiv / peer (below 1: matderiv faster). A peer's "
             "ratio counts only where it answered right: not where it raised, returned 0 "
             "(SymPy returns 0 for derivatives it has no rule for), returned an "
             "unevaluated Derivative, or returned an expression whose value differs from "
             "central differences of the formula (`peers.Reference`: SymPy evaluates both "
             "at sizes 2-5 and one random point; array_derive, for one, treats a scalar "
             "factor such as exp(tr X) as a constant). Such a wrong answer's time is shown "
             "in brackets. An answer SymPy cannot evaluate is counted, unchecked. The "
             "peers' answers are neither simplified nor brought to a gradient or Jacobian "
             "(array_derive returns a 4-index array expression).",
             "", "| problem | matderiv ms | diff ms | ratio | array_derive ms | ratio | note |",
             "|---|---:|---:|---:|---:|---:|---|"]
    ratios = {"diff": [], "array_derive": []}
    with_wrong = {"diff": [], "array_derive": []}
    ours_all = []
    for problem, mine, diff, array, note, wrong in rows:
        if mine is not None:
            ours_all.append(mine)
        cells = []
        for peer, value in (("diff", diff), ("array_derive", array)):
            if mine is not None and value:
                ratios[peer].append(mine / value)
                with_wrong[peer].append(mine / value)
                cells += [ms(value), f"{mine / value:.2f}"]
            elif mine is not None and wrong.get(peer):
                with_wrong[peer].append(mine / wrong[peer])
                cells += [f"({ms(wrong[peer])})", "—"]
            else:
                cells += [ms(value), "—"]
        lines.append(f"| `{problem.formula}` wrt {problem.wrt} | {ms(mine)} | {cells[0]} | "
                     f"{cells[1]} | {cells[2]} | {cells[3]} | {note} |")
    summary = {}
    lines.append("")
    targets = {"diff": 0.2, "array_derive": 0.6}
    for peer, values in ratios.items():
        median = statistics.median(values) if values else float("nan")
        summary[peer] = median
        lines.append(f"- median ratio against `{peer}` over the {len(values)} problems it "
                     f"answers right: **{median:.2f}** — {verdict(median <= targets[peer])} "
                     f"(target ≤ {targets[peer]}); counting its wrong answers' times too "
                     f"({len(with_wrong[peer])} problems): "
                     f"{statistics.median(with_wrong[peer]):.2f}")
    slowest = max(ours_all)
    under = sum(t < 0.050 for t in ours_all)
    lines.append(f"- matderiv: {len(ours_all)} problems, median {ms(statistics.median(ours_all))}"
                 f" ms, slowest {ms(slowest)} ms; {under}/{len(ours_all)} under 50 ms — "
                 f"{verdict(slowest < 0.050)} (target: every problem under 50 ms)")
    jacobians = [mine / array for problem, mine, _, array, _, _ in rows
                 if mine is not None and array and not problem_is_scalar(problem)]
    jacobian_median = statistics.median(jacobians) if jacobians else float("nan")
    lines.append(f"- Jacobians alone (matrix formulas, {len(jacobians)} problems): median "
                 f"ratio against `array_derive` **{jacobian_median:.2f}** — "
                 f"{verdict(jacobian_median <= 1.0)} (target ≤ 1.0)")
    verdicts = [("derivation: median ratio vs MatrixExpr.diff ≤ 0.2", summary["diff"] <= 0.2,
                 f"{summary['diff']:.2f}"),
                ("derivation: median ratio vs array_derive ≤ 0.6",
                 summary["array_derive"] <= 0.6, f"{summary['array_derive']:.2f}"),
                ("derivation: Jacobians alone, median ratio vs array_derive ≤ 1.0",
                 jacobian_median <= 1.0, f"{jacobian_median:.2f}"),
                ("derivation: every problem under 50 ms", slowest < 0.050,
                 f"slowest {ms(slowest)} ms")]
    return lines, verdicts


def problem_is_scalar(problem) -> bool:
    """Whether the problem's formula is a scalar (its result a gradient)."""
    return matderiv.derive(problem.formula, wrt=problem.wrt, shapes=problem.shapes).is_scalar


# -- 2. scaling -----------------------------------------------------------------------

def network(layers: int):
    """sum((W_L tanh(... tanh(W1 x))) - y).^2) with its shapes."""
    inner = "x"
    for i in range(1, layers):
        inner = f"tanh(W{i}*{inner})"
    formula = f"sum((W{layers}*{inner} - y).^2)"
    shapes = {f"W{i}": (f"d{i}", f"d{i - 1}") for i in range(1, layers + 1)}
    shapes.update(x=("d0", 1), y=(f"d{layers}", 1))
    return formula, shapes


def tree_sizes(expr):
    nodes = list(sympy.preorder_traversal(expr))
    return len(nodes), len(set(nodes))


def scaling_section(layer_counts, repeats):
    rows = []
    for layers in layer_counts:
        formula, shapes = network(layers)

        def gradient(formula=formula, shapes=shapes):
            return matderiv.derive(formula, wrt="W1", shapes=shapes).gradient()
        # Every L gets the same median of several runs (one run of a 0.2 s derivation
        # moves by 20% on a shared machine); the budget keeps a slow build from
        # stalling the run.
        seconds = median_time(gradient, repeats, clear=True, budget=10.0)
        nodes, shared = tree_sizes(gradient())
        rows.append((layers, seconds, nodes, shared))
    return rows


def scaling_report(rows):
    lines = ["## 2. Scaling: an L-layer network", "",
             "Gradient of `sum((W_L*tanh(...tanh(W1*x)) - y).^2)` by W1 (symbolic sizes "
             "d0..dL); SymPy's cache cleared before each run, time the median of 5 runs "
             "(fewer where 10 s are spent). Size of the result: tree nodes, and nodes "
             "after sharing common "
             "subexpressions (distinct subtrees; what the generated code computes).", "",
             "| L | time ms | tree nodes | nodes, shared |", "|---:|---:|---:|---:|"]
    for layers, seconds, nodes, shared in rows:
        lines.append(f"| {layers} | {ms(seconds)} | {nodes} | {shared} |")
    times = {layers: seconds for layers, seconds, _, _ in rows}
    verdicts = []
    if 32 in times and 4 in times:
        ratio = times[32] / times[4]
        lines += ["", f"- time(32) / time(4) = **{ratio:.1f}** — {verdict(ratio <= 10)} "
                  "(target ≤ 10)"]
        verdicts.append(("scaling: time(32)/time(4) ≤ 10", ratio <= 10, f"{ratio:.1f}"))
    sizes = {layers: shared for layers, _, _, shared in rows}
    if 32 in sizes and 4 in sizes:
        lines.append(f"- shared size(32) / size(4) = {sizes[32] / sizes[4]:.1f} (linear: 8)")
    return lines, verdicts


# -- 3. generated code ------------------------------------------------------------------

def _optional(module):
    try:
        return __import__(module)
    except ImportError:
        return None


def code_problems(quick):
    """(name, derivation, kind, sizes, make_values, hand, jax_fn, torch_fn, largest)."""
    batch = 64 if quick else 256
    sizes_nn = [128, 256] if quick else [256, 512, 1024, 2048]
    sizes_quad = [128, 256] if quick else [256, 512, 1024, 2048]
    sizes_logit = [(256, 32), (512, 64)] if quick else [(512, 64), (1024, 128), (2048, 256)]
    nn_shapes = {"W1": ("h", "n"), "X": ("n", "b"), "b1": ("h", 1), "W2": ("m", "h"),
                 "b2": ("m", 1), "Y": ("m", "b")}
    nn = matderiv.derive("sum((W2*tanh(W1*X + b1*ones(1, b)) + b2*ones(1, b) - Y).^2)",
                         wrt="W1", shapes=nn_shapes)
    quad = matderiv.derive("x'*A*x", wrt="x", shapes={"x": ("n", 1), "A": ("n", "n")})
    logit = matderiv.derive("sum(log(1 + exp(-y .* (X*w))))", wrt="w",
                            shapes={"X": ("n", "d"), "w": ("d", 1), "y": ("n", 1)})
    logdet = matderiv.derive("logdet(X)", wrt="X", shapes={"X": ("n", "n")})
    sizes_quad_gradient = [256, 512] if quick else [2048, 4096]
    # (128 would be 128⁴ = 268M numbers, 2.1 GB, per Hessian: beyond a shared machine)
    sizes_logdet = [16, 32] if quick else [40, 64]

    def nn_values(n, rng):
        h, m = n, 16
        return {"W1": rng.standard_normal((h, n)) / np.sqrt(n),
                "X": rng.standard_normal((n, batch)), "b1": rng.standard_normal((h, 1)),
                "W2": rng.standard_normal((m, h)) / np.sqrt(h), "b2": rng.standard_normal((m, 1)),
                "Y": rng.standard_normal((m, batch))}

    def nn_hand(W1, X, b1, W2, b2, Y):
        T = np.tanh(W1 @ X + b1)
        R = W2 @ T + b2 - Y
        return ((2.0 * (W2.T @ R)) * (1.0 - T * T)) @ X.T

    def nn_loss(xp):
        def loss(W1, X, b1, W2, b2, Y):
            return xp.sum((W2 @ xp.tanh(W1 @ X + b1) + b2 - Y) ** 2)
        return loss

    def quad_values(n, rng):
        return {"A": rng.standard_normal((n, n)), "x": rng.standard_normal((n, 1))}

    def quad_loss(xp):
        def loss(x, A):
            return (x.T @ A @ x)[0, 0]
        return loss

    def quad_gradient_hand(A, x):
        return A @ x + A.T @ x

    def logdet_values(n, rng):
        return {"X": rng.standard_normal((n, n)) + n * np.eye(n)}  # well conditioned

    def logdet_hand(X):
        """-(X⁻¹ ⊗ X⁻ᵀ) K written entry by entry: H[(i, j), (k, l)] = -X⁻¹[j, k] X⁻¹[l, i]
        (vec order: row i + j n, column k + l n)."""
        n = X.shape[0]
        inverse = np.linalg.inv(X)
        return -np.einsum("jk,li->jilk", inverse, inverse).reshape(n * n, n * n)

    def logdet_loss(xp):
        def loss(X):
            return xp.linalg.slogdet(X)[1]
        return loss

    def logit_values(shape, rng):
        n, d = shape
        return {"X": rng.standard_normal((n, d)) / np.sqrt(d), "w": rng.standard_normal((d, 1)),
                "y": np.sign(rng.standard_normal((n, 1)))}

    def logit_hand(X, w, y):
        s = 1.0 / (1.0 + np.exp(y * (X @ w)))  # sigmoid(-y x'w)
        return X.T @ ((y * y * s * (1.0 - s)) * X)

    def logit_loss(xp):
        def loss(w, X, y):
            return xp.sum(xp.log(1 + xp.exp(-y * (X @ w))))
        return loss

    return [
        (f"gradient of the batch 2-layer network loss by W1 (n = h, batch {batch}, m = 16)",
         nn, "gradient", sizes_nn, nn_values, nn_hand, nn_loss, ["W1", "X", "b1", "W2", "b2", "Y"],
         "grad"),
        ("Hessian of x'*A*x (A of n × n)", quad, "hessian", sizes_quad, quad_values,
         lambda A, x: A + A.T, quad_loss, ["x", "A"], "hessian"),
        ("Hessian of the logistic loss by w (sum(log(1 + exp(-y .* (X*w)))), n × d)", logit,
         "hessian", sizes_logit, logit_values, logit_hand, logit_loss, ["w", "X", "y"],
         "hessian"),
        ("gradient of x'*A*x (A of n × n; hand: A @ x + A.T @ x)", quad, "gradient",
         sizes_quad_gradient, quad_values, quad_gradient_hand, quad_loss, ["x", "A"], "grad"),
        ("Hessian of logdet(X) (X of n × n; hand: its n⁴ entries by einsum)", logdet,
         "hessian", sizes_logdet, logdet_values, logdet_hand, logdet_loss, ["X"], "hessian"),
    ]


def _jax_function(jax, loss, kind, order):
    jnp = jax.numpy
    f = loss(jnp)
    derivative = jax.grad(f) if kind == "grad" else jax.hessian(f)
    compiled = jax.jit(derivative)

    def run(values):
        result = compiled(*[jnp.asarray(values[k]) for k in order])
        result.block_until_ready()
        return np.asarray(result) if kind == "hessian" else result

    def flops(values):
        """XLA's count of the floating-point operations of the compiled program."""
        lowered = compiled.lower(*[jnp.asarray(values[k]) for k in order])
        analysis = lowered.compile().cost_analysis()
        analysis = analysis[0] if isinstance(analysis, (list, tuple)) else analysis
        return (analysis or {}).get("flops")
    run.flops = flops
    return run


def _generated_jax_function(jax, derivation, kind):
    """matderiv's own code for the jax backend (``to_function(kind, backend="jax")``)
    under ``jax.jit``, called as the peers are: arrays converted, result waited for."""
    generated = derivation.to_function(kind, backend="jax")
    compiled = jax.jit(lambda arrays: generated(**arrays))

    def run(values):
        result = compiled({name: jax.numpy.asarray(v) for name, v in values.items()})
        result.block_until_ready()
        return result
    return run


def _torch_function(torch, loss, kind, order):
    from torch import func
    f = loss(torch)
    derivative = func.grad(f) if kind == "grad" else func.hessian(f)

    def run(tensors):
        if kind == "hessian":
            # (under an outer no_grad, torch.func.hessian of slogdet is wrong: 2.13.0)
            return derivative(*[tensors[k] for k in order])
        with torch.no_grad():
            return derivative(*[tensors[k] for k in order])
    return run


def _as_vec_hessian(result):
    """A peer's Hessian H[i, j, k, l] = d2F / dX_ij dX_kl as the matrix of vec (column)
    order, the generated code's: row i + j m, column k + l m (vectors: (n, 1, n, 1))."""
    swapped = result.permute(1, 0, 3, 2) if hasattr(result, "permute") \
        else np.transpose(result, (1, 0, 3, 2))
    return swapped.reshape(swapped.shape[0] * swapped.shape[1], -1)


IMPLEMENTATIONS = ("generated", "generated-jax", "hand", "jax", "torch")


def gram_rate_worker(n: int, d: int) -> dict:
    """NumPy's own float64 rate on Zᵀ Z for Z of n × d, in GFLOP/s of n d (d + 1) flops
    (it runs a symmetric rank-k update): the yardstick for the Hessian Xᵀ diag(w) X."""
    z = np.random.default_rng(0).standard_normal((n, d))
    seconds = median_time(lambda: z.T @ z, 9)
    return {"gflops": n * d * (d + 1) / seconds / 1e9, "cpus": PINNED_CPUS}


def codegen_worker(problem: int, size: int, implementation: str, quick: bool) -> dict:
    """Time one implementation at one size, alone in its process.

    Each library starts thread pools that keep spinning for a while after a call; on a
    small machine they slow whatever runs next, so no two libraries share a process.
    The result is compared with the generated code's (computed here, not timed).
    """
    name, d, kind, sizes, make, hand, loss, order, peer_kind = code_problems(quick)[problem]
    values = make(sizes[size], np.random.default_rng(1000 * problem + size))
    generated = d.to_function(kind)
    reference = generated(**values)
    flops = None  # XLA's operation count, for jax
    if implementation == "generated":
        call = lambda: generated(**values)  # noqa: E731
    elif implementation == "hand":
        call = lambda: hand(**values)  # noqa: E731
    elif implementation == "generated-jax":
        jax = _optional("jax")
        if jax is None:
            return {"time": None, "agree": True}
        jax.config.update("jax_enable_x64", True)  # float64 everywhere, as NumPy
        run = _generated_jax_function(jax, d, kind)
        call = lambda: run(values)  # noqa: E731
        # jax.grad / jax.hessian too, in this process, timed alternately with the
        # generated jax code: the same library on the same CPU, so their ratio is free of
        # the process-to-process spread (15% between two runs of one worker).
        peer = _jax_function(jax, loss, peer_kind, order)
        peer(values)  # (compiles)
        return {**_timed_alternately(call, lambda: peer(values), quick),
                "agree": _agrees(call(), reference), "cpus": PINNED_CPUS}
    elif implementation == "jax":
        jax = _optional("jax")
        if jax is None:
            return {"time": None, "agree": True}
        jax.config.update("jax_enable_x64", True)  # float64 everywhere, as NumPy
        run = _jax_function(jax, loss, peer_kind, order)
        call = lambda: run(values)  # noqa: E731
        flops = run.flops(values)
    else:
        torch = _optional("torch")
        if torch is None:
            return {"time": None, "agree": True}
        run = _torch_function(torch, loss, peer_kind, order)
        tensors = {k: torch.as_tensor(v) for k, v in values.items()}
        call = lambda: run(tensors)  # noqa: E731
    result = call()  # (jax compiles here)
    if implementation in ("jax", "torch") and peer_kind == "hessian":
        result = _as_vec_hessian(result)  # (outside the timing: a layout, not the work)
    agree = _agrees(result, reference)
    wall, cpu = time.perf_counter(), time.process_time()
    seconds = median_time(call, 9, budget=3.0 if quick else 10.0)
    # over all the timed calls: the process time of one short call can miss work its
    # threads on other CPUs have not yet been charged for
    cores = (time.process_time() - cpu) / max(time.perf_counter() - wall, 1e-9)
    return {"time": seconds, "agree": agree, "cores": cores, "cpus": PINNED_CPUS,
            "flops": flops}


def _agrees(result, reference) -> bool:
    result = result.numpy() if hasattr(result, "numpy") else np.asarray(result)
    return bool(np.allclose(result.reshape(reference.shape), reference, rtol=1e-6,
                            atol=1e-8))


def _timed_alternately(call, peer, quick) -> dict:
    """Median times of ``call`` and ``peer`` run in turn (9 rounds, fewer past the
    budget): {"time", "same_process_jax", "cores"}."""
    ours, theirs = [], []
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(9):
        for record, function in ((ours, call), (theirs, peer)):
            start = time.perf_counter()
            function()
            record.append(time.perf_counter() - start)
        if sum(ours) + sum(theirs) > (3.0 if quick else 10.0) and len(ours) >= 3:
            break
    cores = (time.process_time() - cpu) / max(time.perf_counter() - wall, 1e-9)
    return {"time": statistics.median(ours), "same_process_jax": statistics.median(theirs),
            "cores": cores}


def _threads_environment(threads: int) -> dict:
    """Every library (OpenBLAS for NumPy, XLA for jax, OpenMP for torch) on ``threads``."""
    environment = dict(os.environ)
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        environment[variable] = str(threads)
    if threads == 1:
        environment["XLA_FLAGS"] = (environment.get("XLA_FLAGS", "") +
                                    " --xla_cpu_multi_thread_eigen=false").strip()
    return environment


def codegen_section(quick, threads=1):
    """Rows (name, kind, size, timings, agree); the most cores an implementation kept
    busy over its timed calls; the CPUs each worker could use (None: not pinned); and
    NumPy's rate on Zᵀ Z at the largest size of each Hessian Xᵀ diag(w) X, GFLOP/s."""
    import json
    rows, cores_used, cpus = [], [], set()

    def worker(task):
        command = [sys.executable, os.path.abspath(__file__), "--worker", task,
                   "--threads", str(threads)] + (["--quick"] if quick else [])
        done = subprocess.run(command, check=True, capture_output=True, text=True,
                              env=_threads_environment(threads))
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        cpus.add(answer.get("cpus"))
        return answer

    rates = {}
    for index, (name, _, kind, sizes, *_) in enumerate(code_problems(quick)):
        for size_index, size in enumerate(sizes):
            timings, agree = {}, True
            for implementation in IMPLEMENTATIONS:
                answer = worker(f"{index},{size_index},{implementation}")
                if answer["time"] is not None:
                    timings[implementation] = answer["time"]
                if answer.get("same_process_jax"):
                    timings["generated-jax / jax"] = answer["time"] / answer["same_process_jax"]
                    cores_used.append(answer["cores"])
                if answer.get("flops"):
                    timings["jax flops"] = answer["flops"]
                agree &= answer["agree"]
            rows.append((name, kind, size, timings, agree))
        if kind == "hessian" and isinstance(sizes[-1], tuple):  # Xᵀ diag(w) X, X n × d
            rates[sizes[-1]] = worker("rate,{},{}".format(*sizes[-1]))["gflops"]
    return rows, max(cores_used, default=0.0), cpus, rates


def _worker(task, quick=False, threads=1):
    """Run ``task`` in a process of its own (``--worker``), pinned to ``threads`` CPUs;
    its JSON answer."""
    import json
    command = [sys.executable, os.path.abspath(__file__), "--worker", task,
               "--threads", str(threads)] + (["--quick"] if quick else [])
    done = subprocess.run(command, check=True, capture_output=True, text=True,
                          env=_threads_environment(threads))
    return json.loads(done.stdout.strip().splitlines()[-1])


def _size_text(size):
    return f"{size[0]}×{size[1]}" if isinstance(size, tuple) else str(size)


def _pinning_text(threads, cores, cpus) -> str:
    if cpus == {None}:
        return ("Processes could not be pinned to CPUs here (no `os.sched_setaffinity`): "
                "the thread variables alone may not hold jax to them. ")
    allowed = ", ".join(str(c) for c in sorted(c for c in cpus if c is not None))
    return ("Each worker also pins itself to that many CPUs (`os.sched_setaffinity`, "
            "before it imports NumPy): the variables alone do not hold jax to one thread. "
            f"CPUs each worker could use: {allowed} ({threads} asked). The busiest "
            f"implementation kept {cores:.2f} cores busy over its timed calls (process "
            "time over wall time). ")


def codegen_report(rows, threads, cores, cpus, rates):
    lines = ["## 3. Generated code", "",
             "`Derivation.to_function(kind)` (NumPy; and the jax backend's "
             "`to_function(kind, backend=\"jax\")` under `jax.jit`, column *generated (jax)*, "
             "timed in turn with jax's own derivative in one process; where the verdicts "
             "compare it, its time is that ratio times the jax column's) "
             "against a hand-written NumPy closed form, "
             "`jax.jit(jax.grad)` / `jax.jit(jax.hessian)` (CPU, float64) and "
             "`torch.func.grad` / `torch.func.hessian` (CPU, float64). Median ms per call "
             "(jax: after compiling). Each implementation runs in a process of its own (the "
             "libraries' thread pools spin after each call and would slow the next one), "
             "with every library on the same number of threads (`--threads`, default 1: on "
             "a shared 2-core machine a multi-threaded BLAS waits for descheduled threads, "
             "and a 0.1 ms product took 35 ms). " + _pinning_text(threads, cores, cpus) +
             "Every implementation's result is compared with the generated code's "
             "(column *agree*).", "",
             "| derivative | size | generated | generated (jax) | hand NumPy | jax | "
             "torch.func | generated / hand | generated / jax | agree |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    verdicts, bounds = [], []
    by_problem: dict = {}
    for name, kind, size, timings, agree in rows:
        by_problem.setdefault(name, []).append((kind, size, timings, agree))
        g, h = timings["generated"], timings["hand"]
        j, t, gj = timings.get("jax"), timings.get("torch"), timings.get("generated-jax")
        lines.append(f"| {name} | {_size_text(size)} | {ms(g)} | "
                     f"{ms(gj) if gj else 'not installed'} | {ms(h)} | "
                     f"{ms(j) if j else 'not installed'} | {ms(t) if t else 'not installed'} | "
                     f"{g / h:.2f} | {f'{g / j:.3f}' if j else '—'} | {'yes' if agree else 'NO'} |")
    lines.append("")
    for name, entries in by_problem.items():
        kind, size, timings, agree = entries[-1]  # the largest size
        g, h, j = timings["generated"], timings["hand"], timings.get("jax")
        short = name.split(" (")[0]
        hand_ok = g <= 1.2 * h
        verdicts.append((f"codegen: {short}, within 1.2× of hand-written at "
                         f"{_size_text(size)}", hand_ok, f"{g / h:.2f}×"))
        if not agree:
            verdicts.append((f"codegen: {short} agrees with every peer", False, "differs"))
        if j is None:
            continue
        if kind == "gradient":
            ok = all(_best_generated(e[2]) <= e[2]["jax"] for e in entries if "jax" in e[2])
            verdicts.append((f"codegen: {short}, generated code (best backend) no slower "
                             "than jax.grad at every size", ok,
                             ", ".join(f"{_best_generated(e[2]) / e[2]['jax']:.2f}"
                                       for e in entries)))
        else:
            speedup = j / g
            verdicts.append((f"codegen: {short}, ≥ 10× faster than jax.hessian at "
                             f"{_size_text(size)}", speedup >= 10, f"{speedup:.0f}×"))
            if size in rates:  # X of n × d: the Hessian Xᵀ diag(w) X
                bounds.append(_gram_bound(short, size, g, j, rates[size],
                                          timings.get("jax flops")))
    verdicts += _best_of_verdicts(by_problem)
    for text, passed, value in verdicts:
        lines.append(f"- {text}: {value} — {verdict(passed)}")
    lines += bounds
    return lines, verdicts


#: Issue 24's targets at one size: generated / hand-written ≤ bound.
HAND_TARGETS = {"gradient of x'*A*x": (2048, 1.3), "Hessian of logdet(X)": (40, 1.2)}


def _best_generated(timings) -> float:
    """The faster of the generated NumPy code and the generated jax code (jit), where
    jax is installed: a user picks the backend (``to_source(backend=...)``). The jax
    code's time is taken as its ratio to jax's own, measured in one process, times jax's
    time in the jax column."""
    found = [timings["generated"]]
    if "generated-jax / jax" in timings and "jax" in timings:
        found.append(timings["generated-jax / jax"] * timings["jax"])
    elif "generated-jax" in timings:
        found.append(timings["generated-jax"])
    return min(found)


def _best_of_verdicts(by_problem):
    """Each generated gradient and Hessian within 1.2× the best of hand-written NumPy,
    jax.jit and torch.func at every size; the targets of ``HAND_TARGETS``."""
    verdicts = []
    for name, entries in by_problem.items():
        short = name.split(" (")[0]
        worst = max(_best_generated(e[2]) / min(e[2][k] for k in ("hand", "jax", "torch")
                                                    if k in e[2]) for e in entries)
        verdicts.append((f"codegen: {short}, generated code (best of its NumPy and jax "
                         "backends) within 1.2× of the best of hand, jax, torch at every size",
                         worst <= 1.2, f"worst {worst:.2f}×"))
        if short in HAND_TARGETS:
            size, bound = HAND_TARGETS[short]
            at = [e for e in entries if e[1] == size]
            if at:
                ratio = at[0][2]["generated"] / at[0][2]["hand"]
                verdicts.append((f"codegen: {short} ≤ {bound}× hand-written at {size}",
                                 ratio <= bound, f"{ratio:.2f}×"))
    return verdicts


def _gram_bound(short, size, generated, jax_time, rate, jax_flops) -> str:
    """What 10× against jax would ask of Xᵀ diag(w) X: its n d (d + 1) flops (a symmetric
    rank-k update, the least a dense product does for it) in a tenth of jax's time."""
    n, d = size
    flops = n * d * (d + 1)
    needed = flops / (jax_time / 10) / 1e9
    return (f"- bound: {short} at {_size_text(size)} is Xᵀ diag(w) X: n d (d + 1) = "
            f"{flops / 1e6:.0f} Mflop as a symmetric rank-k update, the fewest of any "
            "product without fast (Strassen-like) multiplication; jax's forward-over-reverse "
            "Hessian multiplies by X and by Xᵀ in d directions" + (
                f" (XLA counts {jax_flops / 1e6:.0f} Mflop, {jax_flops / flops:.1f} times as "
                "many)" if jax_flops else "") + ". The generated code ran at "
            f"{flops / generated / 1e9:.0f} GFLOP/s; 10× against jax needs {needed:.0f} "
            f"GFLOP/s, and NumPy's own Zᵀ Z for a {_size_text(size)} Z reached {rate:.0f} "
            "GFLOP/s on the same CPUs in this run. " + (
                "10× would need the Hessian faster than NumPy's own rank-k update of that "
                "size." if needed > rate else
                "By that measure 10× is within reach here."))


# -- 4. cold start --------------------------------------------------------------------

def coldstart_section(runs):
    script = os.path.join(os.path.dirname(sys.executable), "matderiv")
    cli = [script] if os.path.exists(script) else [sys.executable, "-m", "matderiv.cli"]
    commands = {
        "matderiv derive": cli + ["derive", "W*a", "--wrt", "W", "-s", "W=m,n", "-s", "a=n,1"],
        "python -c 'import sympy'": [sys.executable, "-c", "import sympy"],
    }
    times = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so both see the same machine load
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}, runs


def coldstart_report(result):
    medians, runs = result
    ours, base = medians["matderiv derive"], medians["python -c 'import sympy'"]
    ratio = ours / base
    lines = ["## 4. Cold start", "",
             f"Wall time of a fresh process, median of {runs} interleaved runs.", "",
             "| command | ms |", "|---|---:|",
             "| `matderiv derive \"W*a\" --wrt W -s W=m,n -s a=n,1` | " + ms(ours) + " |",
             "| `python -c \"import sympy\"` | " + ms(base) + " |", "",
             f"- ratio **{ratio:.2f}** — {verdict(ratio <= 1.5)} (target ≤ 1.5)"]
    return lines, [("cold start: matderiv derive / import sympy ≤ 1.5", ratio <= 1.5,
                    f"{ratio:.2f}")]


# -- the plot and the report -------------------------------------------------------------

def plot(path, derivation_rows, scaling_rows, codegen_rows):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(2, 2, figsize=(12, 9))
    if derivation_rows:
        ax = axes[0][0]
        for column, label, marker in ((2, "MatrixExpr.diff", "o"), (3, "array_derive", "s")):
            points = [(r[column], r[1]) for r in derivation_rows if r[1] and r[column]]
            ax.scatter([p[0] * 1000 for p in points], [p[1] * 1000 for p in points],
                       label=label, marker=marker, alpha=0.7)
        ax.plot([0.05, 1000], [0.05, 1000], "k--", linewidth=0.8, label="equal time")
        ax.axhline(50, color="r", linewidth=0.8, label="50 ms")
        ax.set(xscale="log", yscale="log", xlabel="SymPy peer ms", ylabel="matderiv ms",
               title="1. Derivation time per problem (below the diagonal: matderiv faster)")
        ax.legend(fontsize=8)
    if scaling_rows:
        ax = axes[0][1]
        layers = [r[0] for r in scaling_rows]
        ax.plot(layers, [r[1] * 1000 for r in scaling_rows], "o-", label="time ms")
        ax.plot(layers, [r[2] for r in scaling_rows], "s--", label="tree nodes")
        ax.plot(layers, [r[3] for r in scaling_rows], "^--", label="nodes, shared")
        ax.set(xscale="log", yscale="log", xlabel="layers L",
               title="2. L-layer network: gradient by W1")
        ax.legend(fontsize=8)
    problems = []
    for row in codegen_rows:
        if row[0] not in problems:
            problems.append(row[0])
    for ax, name in zip([axes[1][0], axes[1][1]], problems[:2], strict=False):
        entries = [r for r in codegen_rows if r[0] == name]
        sizes = [r[2] for r in entries]
        for key, label in (("generated", "matderiv generated"), ("hand", "hand NumPy"),
                           ("jax", "jax (jit)"), ("torch", "torch.func")):
            if all(key in r[3] for r in entries):
                ax.plot(sizes, [r[3][key] * 1000 for r in entries], "o-", label=label)
        ax.set(xscale="log", yscale="log", xlabel="n", ylabel="ms per call",
               title="3. " + name.split(" (")[0])
        ax.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    return True


def environment() -> str:
    versions = [f"Python {platform.python_version()}", f"SymPy {sympy.__version__}",
                f"NumPy {np.__version__}"]
    for module in ("jax", "torch"):
        found = _optional(module)
        versions.append(f"{module} {found.__version__}" if found else f"{module} not installed")
    return (f"{platform.machine()}, {os.cpu_count()} cores; " + ", ".join(versions))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--output", default=os.path.join(HERE, "RESULTS.md"))
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for NumPy's BLAS, jax and torch in section 3")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        import json
        import warnings
        warnings.simplefilter("ignore")
        if args.worker.startswith("rate,"):
            _, n, d = args.worker.split(",")
            print(json.dumps(gram_rate_worker(int(n), int(d))))
            return
        if args.worker.startswith("size,"):
            from sizes import size_worker
            _, kind, count = args.worker.split(",")
            print(json.dumps({**size_worker(kind, int(count), args.quick),
                              "cpus": PINNED_CPUS}))
            return
        problem, size, implementation = args.worker.split(",")
        print(json.dumps(codegen_worker(int(problem), int(size), implementation, args.quick)))
        return
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    import warnings
    warnings.simplefilter("ignore")
    matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)}).jacobian()

    started = time.strftime("%Y-%m-%d %H:%M")
    command = "python benchmarks/run.py" + (" --quick" if args.quick else "")
    report = ["# matderiv benchmarks", "",
              f"Run {started} on {environment()}.", f"Reproduce: `{command}` "
              "(peers: `pip install '.[bench]'`). Times vary with the machine's load: "
              "compare ratios within this run.", ""]
    verdicts, derivation_rows, scaling_rows, codegen_rows = [], [], [], []
    sections = []
    if "derivation" in chosen:
        print("1. derivation time ...", flush=True)
        derivation_rows = derivation_section(1 if args.quick else 5)
        sections.append(derivation_report(derivation_rows))
    if "scaling" in chosen:
        print("2. scaling ...", flush=True)
        scaling_rows = scaling_section((1, 2, 4, 8) if args.quick else (1, 2, 4, 8, 16, 32),
                                       1 if args.quick else 5)
        sections.append(scaling_report(scaling_rows))
    if "codegen" in chosen:
        print("3. generated code ...", flush=True)
        codegen_rows, cores, cpus, rates = codegen_section(args.quick, args.threads)
        sections.append(codegen_report(codegen_rows, args.threads, cores, cpus, rates))
    if "coldstart" in chosen:
        print("4. cold start ...", flush=True)
        sections.append(coldstart_report(coldstart_section(3 if args.quick else 11)))
    if "sizes" in chosen or "proofs" in chosen:
        import sizes
        if "sizes" in chosen:
            print("5. growing formulas ...", flush=True)
            work = lambda task: _worker(task, quick=args.quick)  # noqa: E731
            sections.append(sizes.sizes_report(sizes.sizes_section(work, args.quick), ms,
                                               verdict))
        if "proofs" in chosen:
            print("6. proofs ...", flush=True)
            sections.append(sizes.proofs_report(_worker("size,proof,0", quick=args.quick),
                                                ms, verdict))
    for _, section_verdicts in sections:
        verdicts += section_verdicts
    report += ["## Verdicts", "", "| target | measured | verdict |", "|---|---|---|"]
    report += [f"| {text} | {value} | {verdict(passed)} |" for text, passed, value in verdicts]
    report.append("")
    for lines, _ in sections:
        report += lines + [""]
    image = os.path.join(os.path.dirname(os.path.abspath(args.output)), "results.png")
    if plot(image, derivation_rows, scaling_rows, codegen_rows):
        report += [f"![benchmark plots]({os.path.basename(image)})", ""]
    report += _notes_kept(args.output)
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write("\n".join(report))
    print()
    for text, passed, value in verdicts:
        print(f"{verdict(passed)}  {text}: {value}")
    print(f"\nwrote {args.output}")


#: In RESULTS.md, the line after which the notes are written by hand: a run keeps them.
NOTES_MARKER = "<!-- Written by hand: benchmarks/run.py keeps everything from this line on. -->"


def _notes_kept(path) -> list[str]:
    """The hand-written notes of an existing report (from NOTES_MARKER on), or []."""
    try:
        with open(path, encoding="utf-8") as handle:
            existing = handle.read()
    except OSError:
        return []
    if NOTES_MARKER not in existing:
        return []
    return ["", NOTES_MARKER + existing.split(NOTES_MARKER, 1)[1].rstrip("\n"), ""]


if __name__ == "__main__":
    main()

"""The self-test a generated module may carry (``--with-check``): ``_check()`` compares
the generated result with central finite differences of F at a point drawn by matderiv
(where F is defined and well conditioned), as matrixcalculus.org's export does.

The point is written into the module as numbers; abstract functions get smooth
stand-ins. Running the module as a script runs the check.

>>> helper_kinds("hessian"), helper_kinds("value_and_gradient")
(['gradient'], [])
"""

from __future__ import annotations

import numpy as np

from ..expressions.structured import structure_of

#: Abstract f(Y) in the check: a smooth scalar function and its gradient, per backend.
_STAND_INS = {
    "numpy": ("lambda Y: np.sum(np.sin(Y)) + 0.5 * np.sum(Y) ** 2",
              "lambda Y: np.cos(Y) + np.sum(Y)"),
    "jax": ("lambda Y: jnp.sum(jnp.sin(Y)) + 0.5 * jnp.sum(Y) ** 2",
            "lambda Y: jnp.cos(Y) + jnp.sum(Y)"),
    "torch": ("lambda Y: torch.sum(torch.sin(Y)) + 0.5 * torch.sum(Y) ** 2",
              "lambda Y: torch.cos(Y) + torch.sum(Y)"),
}


def helper_kinds(kind: str) -> list[str]:
    """The functions the check needs besides the one generated: F, or the gradient."""
    if kind == "value_and_gradient":
        return []  # F is its first output
    return ["gradient"] if kind == "hessian" else ["value"]


def _literal(value) -> str:
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return repr(float(f"{float(array):.6g}"))
    rows = [[float(f"{v:.6g}") for v in row] for row in array.reshape(array.shape[0], -1)]
    return f"_np.array({rows!r})"


def check_source(derivation, kind, vec, backend, names, parameters, point) -> list[str]:
    """The lines of ``_check()`` and of the ``__main__`` block that runs it."""
    variable = derivation.variable.name
    # A scalar variable t is stepped as a 1 x 1 array X, and passed as the number X[0, 0].
    scalar = not getattr(derivation.variable, "shape", None)
    passed = "X[0, 0]" if scalar else "X"
    tested, helper = names[0], names[-1]
    functions = [p for p in parameters if p not in point and p.endswith("_grad")]
    abstract = {f[:-len("_grad")] for f in functions}
    lines = ["def _check(rtol=1e-5):",
             f'    """Self-test: {tested} against central finite differences at a point drawn',
             "    by matderiv where F is defined and well conditioned; raises AssertionError",
             '    on a mismatch and returns the largest deviation."""',
             "    import numpy as _np"]
    if backend == "jax":
        lines += ["    import jax", '    jax.config.update("jax_enable_x64", True)']
    lines.append("    point = {")
    for parameter in parameters:
        if parameter in point:
            lines.append(f"        {parameter!r}: {_literal(point[parameter])},")
    for name in sorted(abstract):
        value, gradient = _STAND_INS[backend]
        lines += [f"        {name!r}: {value},", f"        {name + '_grad'!r}: {gradient},"]
    lines.append("    }")
    lines += [f"    X = _np.asarray(point[{variable!r}], dtype=float)"
              + (".reshape(1, 1)" if scalar else ""), "    h = 1e-6", "",
              "    def at(function, X, **more):",
              f"        out = function(**{{**point, {variable!r}: {passed}, **more}})",
              "        out = out[0] if isinstance(out, tuple) else out",
              "        return _np.asarray(out, dtype=float)", ""]
    value_of = tested if kind == "value_and_gradient" else helper
    entries = "[(k, l) for l in range(X.shape[1]) for k in range(X.shape[0])]" \
        if vec == "col" or kind == "hessian" else \
        "[(k, l) for k in range(X.shape[0]) for l in range(X.shape[1])]"
    order = '"F"' if vec == "col" or kind == "hessian" else '"C"'
    lines += ["    def partial(function, k, l):",
              "        E = _np.zeros_like(X)",
              "        E[k, l] = h",
              *(["        E[l, k] = h  # X is symmetric: step along a symmetric direction"]
                if structure_of(derivation.variable) else []),
              "        return (at(function, X + E) - at(function, X - E)) / (2 * h)", ""]
    if structure_of(derivation.variable):
        return lines + _structured_check(derivation, kind, tested, helper, value_of, order)
    if kind in ("gradient", "value_and_gradient"):
        second = "[1]" if kind == "value_and_gradient" else ""
        lines += [f"    got = _np.asarray({tested}(**point){second}, dtype=float)"
                  ".reshape(X.shape)",
                  "    expected = _np.zeros_like(X)",
                  "    for k in range(X.shape[0]):",
                  "        for l in range(X.shape[1]):",
                  f"            expected[k, l] = partial({value_of}, k, l)"]
    elif kind == "jvp":
        direction = next(p for p in parameters if p not in point and p not in abstract
                         and p not in functions)
        lines += ["    V = _np.random.default_rng(0).standard_normal(X.shape)",
                  f"    got = _np.asarray({tested}(**point, {direction}="
                  f"{'V[0, 0]' if scalar else 'V'}), "
                  "dtype=float).reshape(-1, 1)",
                  f"    step = (at({value_of}, X + h * V) - at({value_of}, X - h * V)) / (2 * h)",
                  f"    expected = step.reshape(-1, 1, order={order})"]
    else:
        through = helper if kind == "hessian" else value_of
        transpose = ".T" if kind == "jacobian" and derivation.layout == "denominator" else ""
        lines += [f"    got = _np.asarray({tested}(**point), dtype=float)",
                  f"    columns = [partial({through}, k, l).reshape(-1, order={order})",
                  f"               for k, l in {entries}]",
                  f"    expected = _np.column_stack(columns){transpose}"]
    return lines + _comparison(tested)


def _comparison(tested) -> list[str]:
    """The end of ``_check()``: got against expected, and the ``__main__`` block."""
    return ["    deviation = float(_np.abs(got - expected).max(initial=0))",
            "    scale = 1 + float(_np.abs(expected).max(initial=0))",
            "    assert deviation <= rtol * scale, (",
            f'        f"{tested} disagrees with finite differences: "',
            '        f"deviation {deviation:.2e}")',
            "    return deviation", "", "",
            'if __name__ == "__main__":',
            f'    print(f"{tested} agrees with central finite differences (largest '
            'deviation {_check():.1e})")']


def _structured_check(derivation, kind, tested, helper, value_of, order) -> list[str]:
    """By a symmetric (diagonal) X: differences along its free entries (vech's order, or
    the diagonal), laid out in the result's convention (docs/structured.md)."""
    structure = structure_of(derivation.variable)
    cookbook = getattr(derivation, "symmetric_convention", "") == "cookbook"
    free = "[(k, l) for l in range(X.shape[0]) for k in range(l, X.shape[0])]" \
        if structure == "symmetric" else "[(k, k) for k in range(X.shape[0])]"
    lines = [f"    free = {free}"]
    # dF by the free entries from a gradient G in the result's convention.
    to_free = "G[k, l]" if cookbook or structure == "diagonal" else \
        "(2 * G[k, l] if k != l else G[k, k])"
    lines += ["    def by_free(G):",
              "        G = _np.asarray(G, dtype=float).reshape(X.shape)",
              f"        return _np.array([{to_free} for k, l in free])", ""]
    if kind in ("gradient", "value_and_gradient"):
        second = "[1]" if kind == "value_and_gradient" else ""
        lines += [f"    got = by_free(_np.asarray({tested}(**point){second}, dtype=float))",
                  f"    expected = _np.array([partial({value_of}, k, l) for k, l in free])"]
    elif kind == "hessian":
        lines += [f"    got = _np.asarray({tested}(**point), dtype=float)",
                  "    expected = _np.column_stack([(by_free(at(" + helper + ", X + _E(k, l)))"
                  " - by_free(at(" + helper + ", X - _E(k, l)))) / (2 * h) for k, l in free])"]
        lines[-2:-2] = ["    def _E(k, l):", "        E = _np.zeros_like(X)",
                        "        E[k, l] = E[l, k] = h", "        return E", ""]
    else:
        transpose = ".T" if derivation.layout == "denominator" else ""
        lines += [f"    got = _np.asarray({tested}(**point), dtype=float)",
                  f"    expected = _np.column_stack([partial({value_of}, k, l).reshape(-1, "
                  f"order={order}) for k, l in free]){transpose}"]
    return lines + _comparison(tested)

"""Checks of higher and mixed derivatives: each against finite differences of the one
before it.

The k-th derivative D_k is compared with central differences of the (k-1)-th closed
form B_(k-1) (itself compared with differences of the one before, down to F), one level
of differences at a time; the mixed Hessian ∂²F/∂vec(X)∂vec(Y)ᵀ with differences of the
gradient by X, taken by Y. The derivation is read, never imported: ``derivative(k)``,
``derivative_matrix(k)``, ``gradient()``, ``hessian(wrt=...)``.

>>> from matderiv import derive
>>> derive("sum(exp(x))", wrt="x", shapes={"x": "n"}).check(order=3).checked
('derivative of order 2', 'derivative of order 3', 'gradient', 'Jacobian vec=col', \
'Jacobian vec=row', 'tensor')
"""

from __future__ import annotations

import numpy as np

from .differences import assert_close, numeric_jacobian
from .evaluate import evaluate


def check_orders(derivation, values, functions, *, order: int, atol: float):
    """Orders 2 to ``order`` at one point: (largest deviation, the names checked)."""
    worst, checked = 0.0, []
    variable = derivation.variable
    for k in range(2, order + 1):
        before = derivation.derivative_matrix(k - 1)
        scale = _largest(evaluate(before, values, functions=functions))
        expected = numeric_jacobian(before, variable, values, functions=functions, vec="row")
        what = f"the derivative of order {k}"
        for computed in (derivation.derivative_matrix(k), derivation.derivative(k)):
            computed = np.asarray(evaluate(computed, values, functions=functions), dtype=float)
            if computed.size != expected.size:
                from ..errors import MatDerivError
                raise MatDerivError(f"internal error: {what} has {computed.size} entries, "
                                    f"finite differences {expected.size}")
            worst = max(worst, assert_close(computed.reshape(-1), expected.reshape(-1),
                                            what=what, rtol=1e-5, atol=atol + 1e-8 * scale))
        checked.append(f"derivative of order {k}")
    return worst, checked


def check_mixed(derivation, values, functions, *, wrt2, atol: float):
    """The mixed Hessian by ``wrt2`` (both vec conventions and layouts) at one point."""
    gradient = derivation.gradient()
    other = derivation.second_variable(wrt2)
    scale = _largest(evaluate(gradient, values, functions=functions))
    worst = 0.0
    for vec in ("col", "row"):
        expected = numeric_jacobian(gradient, other, values, functions=functions, vec=vec)
        for layout in ("numerator", "denominator"):
            computed = evaluate(derivation.hessian(wrt=wrt2, vec=vec, layout=layout), values,
                                functions=functions)
            worst = max(worst, assert_close(
                computed, expected if layout == "numerator" else expected.T,
                what=f"the mixed Hessian by {derivation.variable} and {other} (vec={vec}, "
                     f"{layout} layout)", rtol=1e-5, atol=atol + 1e-8 * scale))
    return worst, [f"mixed Hessian by {other}"]


def _largest(value) -> float:
    return float(np.max(np.abs(np.asarray(value, dtype=float)), initial=0.0))


def index_form_value(form, values, functions) -> np.ndarray:
    """The array an index form (``engine.index_form``, read by its attributes) stands for,
    term by term with ``einsum``: deltas as diagonal tensors, entries as arrays."""
    sizes = {name: _size(size, values) for name, size in zip(form.axes, form.sizes, strict=True)}
    total = np.zeros(tuple(sizes[name] for name in form.axes))
    output = "".join(form.axes)
    for term in form.terms:
        term_sizes = dict(sizes, **{name: _size(size, values) for name, size in term.summed})
        scale = _scalar(term.coefficient, values, functions)
        operands, letters = [], []
        for names in term.deltas:
            operands.append(_diagonal(term_sizes[names[0]], len(names)))
            letters.append("".join(names))
        for matrix, indices, power in term.factors:
            value = np.asarray(evaluate(matrix, values, functions=functions), dtype=float)
            if not indices:
                scale *= float(value.reshape(-1)[0]) ** power
                continue
            shape = tuple(term_sizes[name] for name in indices)
            operands.append(value.reshape(shape) ** power)
            letters.append("".join(indices))
        for name in form.axes:  # an axis the term is constant along
            if not any(name in used for used in letters):
                operands.append(np.ones(sizes[name]))
                letters.append(name)
        if operands:
            total = total + scale * np.einsum(",".join(letters) + "->" + output, *operands)
        else:
            total = total + scale
    return total


def _size(size, values) -> int:
    return int(size.xreplace({s: values[s.name] for s in size.free_symbols})
               if hasattr(size, "free_symbols") else size)


def _scalar(expr, values, functions) -> float:
    value = np.asarray(evaluate(expr, values, functions=functions), dtype=float)
    return float(value.reshape(-1)[0])


def _diagonal(size: int, count: int) -> np.ndarray:
    array = np.zeros((size,) * count)
    steps = np.arange(size)
    array[(steps,) * count] = 1.0
    return array

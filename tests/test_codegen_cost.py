"""The code generator chooses its evaluation order by cost (matderiv.codegen.cost).

The flop counts are those of the code written (``code_flops``), checked against counts
made by hand; each generated function is checked numerically, against central finite
differences of the formula, at random points (the plan changes how a value is computed,
never what it is).
"""

import numpy as np
import pytest
import sympy

import matderiv
from matderiv.codegen.cost import chain_cost, cost, flops, planned
from matderiv.codegen.source import code_flops
from matderiv.numeric.differences import assert_close, numeric_jacobian
from matderiv.numeric.points import random_values

n = sympy.Symbol("n", integer=True, positive=True)
A, B = sympy.MatrixSymbol("A", n, n), sympy.MatrixSymbol("B", n, n)
x = sympy.MatrixSymbol("x", n, 1)


def _checked(formula, wrt, shapes, kind, seed=5):
    """The generated function's value, at a random point, against central finite
    differences of the formula (of its gradient, for a Hessian)."""
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    values = random_values(d.expr, d.variable, np.random.default_rng(seed))
    arguments = {s.name: values[s.name] for s in d.expr.atoms(sympy.MatrixSymbol)}
    got = d.to_function(kind)(**arguments)
    if kind == "gradient":
        jacobian = numeric_jacobian(d.expr, d.variable, values)
        expected = jacobian.reshape(d.variable.shape, order="F")
    else:
        expected = numeric_jacobian(d.gradient(), d.variable, values)
    assert_close(got, expected, what=f"generated {kind} of {formula}", rtol=1e-5, atol=1e-6)


def test_chain_cost_orders_a_chain_by_its_sizes():
    flops_, _ = chain_cost([(n, n), (n, n), (n, 1)])
    assert flops_ == 4 * n**2  # A (B x), not (A B) x: 2n² + 2n², not 2n³ + 2n²


def test_a_product_with_a_sum_is_multiplied_out_where_that_is_cheaper():
    assert planned((A + A.T) * x) == A * x + A.T * x
    assert flops(planned((A + A.T) * x)) == 4 * n**2 + n
    # by a matrix, forming the sum once is cheaper than two matrix products
    assert planned((A + A.T) * B) == (A + A.T) * B
    assert cost(planned((A + B) * x)) < cost((A + B) * x)


def test_quadratic_form_gradient_is_two_matrix_vector_products():
    d = matderiv.derive("x'*A*x", wrt="x", shapes={"x": ("n", 1), "A": ("n", "n")})
    source = d.to_source("gradient")
    assert "_plus_transpose" not in source and "A.T @ x" in source
    m = d.variable.shape[0]
    assert code_flops(d) == 4 * m**2 + m  # Ax (2n²), A'x (2n²), their sum (n)
    _checked("x'*A*x", "x", {"x": (6, 1), "A": (6, 6)}, "gradient")


def test_logdet_hessian_is_written_entry_by_entry():
    d = matderiv.derive("logdet(X)", wrt="X", shapes={"X": ("n", "n")})
    source = d.to_source("hessian")
    assert "eye" not in source and "kron" not in source  # no identity applied to
    size = d.variable.shape[0]
    # the inverse (2n³), -1 on one factor (n²), one pass over the n⁴ entries
    assert code_flops(d, "hessian") == 2 * size**3 + size**2 + size**4
    _checked("logdet(X)", "X", {"X": (4, 4)}, "hessian")


@pytest.mark.parametrize("formula, shapes", [
    ("tr(inv(X))", {"X": ("n", "n")}),
    ("det(X)", {"X": ("n", "n")}),
    ("tr(X*A*X')", {"X": ("n", "n"), "A": ("n", "n")}),
])
def test_structured_hessians_cost_the_size_of_the_result(formula, shapes):
    d = matderiv.derive(formula, wrt="X", shapes=shapes)
    size = d.variable.shape[0]
    assert sympy.degree(code_flops(d, "hessian"), size) <= 4  # (n²)² entries, not n⁵ or n⁶
    assert "eye((n**2))" not in d.to_source("hessian")  # no n² × n² identity applied to
    _checked(formula, "X", {k: (3, 3) for k in shapes}, "hessian")


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_other_backends_write_the_same_plan_without_python_loops(backend):
    d = matderiv.derive("x'*A*x", wrt="x", shapes={"x": ("n", 1), "A": ("n", "n")})
    source = d.to_source("gradient", backend=backend)
    assert "for " not in source and "A.T @ x" in source
    d = matderiv.derive("logdet(X)", wrt="X", shapes={"X": ("n", "n")})
    assert "for " not in d.to_source("hessian", backend=backend)

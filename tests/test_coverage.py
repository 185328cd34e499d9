"""A broad sweep of the grammar: every formula derives, and every result (gradient and
both Jacobian conventions) agrees with finite differences at random points and sizes.
Formulas that once failed stay here as regression tests.
"""

import pytest

import matderiv

SHAPES = {
    'W': ('m', 'n'),
    'x': ('n', 1),
    'y': ('m', 1),
    'X': ('n', 'n'),
    'A': ('n', 'n'),
    'B': ('n', 'n'),
    'Z': ('m', 'n'),
    'v': ('n', 1),
    'u': ('n', 1),
    'k': (),
    'Y': ('n', 'p'),
    'P': ('m', 'n'),
}

CASES = [
    ('sum(sigmoid(W*x))', 'W'),
    ('sum(log(X))', 'X'),
    ('sum(sqrt(X))', 'X'),
    ('cos(X)', 'X'),
    ('sin(W*x)', 'x'),
    ('tr(X^3)', 'X'),
    ('A@X', 'X'),
    ('X.T*A', 'X'),
    ("inv(X)'", 'X'),
    ('kron(A,X)', 'X'),
    ('X ./ A', 'X'),
    ('A ./ X', 'X'),
    ('sum((W*x).^2)', 'W'),
    ('sum(log(1 + exp(-y .* (W*x))))', 'x'),
    ("log(sum(exp(W*x))) - y'*W*x", 'W'),
    ("exp(x'*x)", 'x'),
    ("x'*x*x", 'x'),
    ('tr(inv(X))', 'X'),
    ('det(X)*tr(X)', 'X'),
    ("logdet(X'*X)", 'X'),
    ('norm(X)', 'X'),
    ('norm(W*x - y)', 'x'),
    ('k*X', 'X'),
    ('tr(X)*A', 'X'),
    ('X*X', 'X'),
    ('X*A*X', 'X'),
    ('inv(X)*A*inv(X)', 'X'),
    ('X .* X', 'X'),
    ('tanh(W*x)', 'W'),
    ("W'*tanh(W*x)", 'W'),
    ('sum(tanh(W*x + y))', 'W'),
    ('f(X*X)', 'X'),
    ('f(inv(X))', 'X'),
    ('f(X) * A', 'X'),
    ("x'*inv(X)*x", 'X'),
    ('sum(exp(X) .* A)', 'X'),
    ('tr(kron(A, X))', 'X'),
    ('kron(X, X)', 'X'),
    ("(x'*x)*(x'*x)", 'x'),
    ("sqrt(x'*x)", 'x'),
    ("1/(x'*x)", 'x'),
    ("x/(x'*x)", 'x'),
    ('X^-2', 'X'),
    ('tr(X^-1)', 'X'),
    ('exp(tr(X))*X', 'X'),
    ('dot(x, A*x)', 'x'),
    ('sum(X)', 'X'),
    ('sum(X*A)', 'X'),
    ('log(det(X))', 'X'),
    ('det(inv(X))', 'X'),
    ('Z .* (W*A)', 'W'),
    ('(W*x) .* (W*x)', 'W'),
    ('sum(W*x)*W', 'W'),
    ("x*x'", 'x'),
    ("x'*A", 'x'),
    ("A*x*x'*A", 'x'),
    ('W*Y', 'Y'),
    ('sum(sigmoid(P) .* W)', 'P'),
    ('norm(A*X*B)^2', 'X'),
    ("tr(X'*A*X*B)", 'X'),
    ('sum(cos(X)) + sum(sin(X))', 'X'),
    ("log(x'*A*x)", 'x'),
    ('0.5*norm(W*x-y)^2 + 0.1*norm(W)^2', 'W'),
]


@pytest.mark.parametrize("formula, wrt", CASES, ids=[c[0] for c in CASES])
def test_derives_and_agrees_with_finite_differences(formula, wrt):
    d = matderiv.derive(formula, wrt=wrt, shapes=SHAPES)
    report = d.check()
    assert report.points == 3 and report.max_error < 1e-4
    assert ("gradient" in report.checked) == d.is_scalar


def test_regression_scale_inner_only_scales_scalars():
    # scale-inner once matched <G, dX> A (a matrix) and broke the shape guard.
    d = matderiv.derive("tr(X)*A", wrt="X", shapes=SHAPES)
    assert "vec-scalar-term" in d.rules_used("jacobian-col")
    d.check()


def test_regression_hadamard_power_one_is_simplified():
    d = matderiv.derive("sum((W*x).^2)", wrt="W", shapes=SHAPES)
    assert str(d.gradient()) == "2*W*x*x.T"
    d.check()

"""Regressions the property tests and scripts/fuzz.py found; each is checked numerically.

Each test names the defect; the formula is the smallest form of the one the fuzzer
logged (its seed in the comment).
"""

import matderiv


def _verified(formula, wrt, shapes, hessian=False):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    d.check(hessian=hessian)
    return d


def test_kronecker_factor_with_a_scalar_and_a_product_does_not_crash():
    # fuzz seed 3-99: SymPy's KroneckerProduct.doit pulled 1/2 out of kron(A1/2, A2*A3)
    # and rebuilt A2*A3 as a scalar product: TypeError "Mix of Matrix and Scalar symbols".
    _verified("kron(0.5*A1, A2*A3)", "A3", {"A1": (2, 2), "A2": ("n", "n"), "A3": ("n", "q")})
    _verified("(sigmoid(k)*(A0 .* A0) - kron(0.5*A1, A2*A3))'", "A3",
              {"k": (), "A0": ("n", "q"), "A1": (1, 1), "A2": ("n", "n"), "A3": ("n", "q")})


def test_kronecker_factor_with_a_symbolic_scalar_does_not_crash():
    # fuzz seed 3-580 (gradient) and 3-164 (AttributeError: 'Mul' has no 'is_Identity').
    _verified("A0'*(A1 + A2)*kron(k*A3, A1*A4)*tanh(tanh(A5))", "A2",
              {"A0": ("m", 1), "A1": ("m", "m"), "A2": ("m", "m"), "k": (), "A3": (1, 1),
               "A4": ("m", "n"), "A5": ("n", 1)}, hessian=True)
    d = _verified("(k*A0)'*(X'^-1*(A1 .* A2))", "X",
                  {"X": ("n", "n"), "k": (), "A0": ("n", "m"), "A1": ("n", 1), "A2": ("n", 1)})
    d.jacobian(vec="row", layout="denominator")


def test_undefined_constant_is_refused_not_a_crash():
    # fuzz seed 0-376: log(log(1)) folds to SymPy's zoo, then "Cannot convert complex to
    # float" in the gradient. Constants that are infinite or complex are bad input.
    import pytest
    for formula, message in (("(log(log(0.5 * 2)))*sum(X)", "zero everywhere"),
                             ("0^-1*X", "zero everywhere"),
                             ("log(-1)*X", "complex constant"),
                             ("sqrt(-2)*X", "complex constant")):
        with pytest.raises(matderiv.MatDerivError, match=message):
            matderiv.derive(formula, wrt="X", shapes={"X": ("n", "n")})
    _verified("log(2)*sum(X)", "X", {"X": ("n", "n")}, hessian=True)


def test_kronecker_canonical_form_failing_inside_sympy_keeps_the_expression():
    # fuzz seeds 0-4023, 0-9472, 0-9973: MatMul.doit reaches KroneckerProduct.doit on a
    # factor such as 2*A0 and SymPy raises; the expression is kept as it is instead.
    _verified("((A0 + A0)'*tanh(0.5*A1))^3", "A1", {"A0": ("q", "m"), "A1": ("q", "m")})
    _verified("inv(X + X)*(sum(A0)*(kron(A1, A2)*kron(A3, A4)))", "X",
              {"X": ("n", "n"), "A0": ("n", "p"), "A1": (1, "n"), "A2": ("n", "n"),
               "A3": ("n", 1), "A4": ("n", "p")})
    d = _verified("(A0 .* A1 + A2')*(X + X)^-1 + A3*(k*A4) .* (A5 .* A6 .* A7.^2)", "X",
                  {"X": ("m", "m"), "A0": ("n", "m"), "A1": ("n", "m"), "A2": ("m", "n"),
                   "A3": ("n", "p"), "k": (), "A4": ("p", "m"), "A5": ("n", "m"),
                   "A6": ("n", "m"), "A7": ("n", "m")})
    d.jacobian(vec="row", layout="denominator")


def test_a_size_only_the_formula_names_gets_a_value_in_checks_and_proofs():
    # fuzz --proof seed 0-60193: m appears only in I(m), so the element-wise proof's
    # numeric check drew no value for it ("size m is not known").
    d = _verified("norm(I(m))^2*A0", "A0", {"A0": ("p", "p"), "Dm": ("m", 1)})
    assert "Closed form" in d.proof_text("elementwise")


def test_coefficient_holding_a_determinant_is_not_asked_whether_it_is_zero():
    # fuzz seed 0-115116: tidy's shortcut past SymPy's product canonicalisation asked
    # SymPy whether tanh(log det(2 A0)) is zero, which fails inside SymPy (TypeError
    # "Input to Determinant, 2*A0, not a matrix"); SymPy's own path asks it of the
    # shielded coefficient. Such products now go that way.
    d = _verified("tanh(logdet(A0 + A0))", "A0", {"A0": ("p", "p")})
    # (2 A0)^-T 2 is A0^-T since inverse-of-scaled: (cA)^-1 = c^-1 A^-1
    assert str(d.gradient()) == "(1 - tanh(log(Determinant(2*A0)))**2)*A0.T**(-1)"
    d.proof("elementwise")


def test_product_with_a_zero_factor_is_zero_without_asking_sympy_if_the_rest_is_finite():
    # fuzz --proof seed 0-115116, its Hessian: differentiating the gradient built
    # 0 * tanh(log det(2 A0)); SymPy's Mul asks whether tanh(...) is finite (0 * oo is
    # nan), which fails inside SymPy (arg() rebuilds det(2 A0) as a scalar product).
    d = matderiv.derive("tanh(logdet(A0 + A0))", wrt="A0", shapes={"A0": ("p", "p")})
    report = d.check(hessian=True)
    assert "Hessian" in report.checked and report.max_error < 1e-6


def test_a_rule_result_keeps_a_one_by_one_matrix_a_matrix():
    # fuzz seed 0-130871: SymPy writes A2 .* A2 as A2.^2; for a 1 x 1 A2 the builder
    # read the rule's result 2 A.^1 .* dA as the scalar 2 a da, and the rule's shape
    # check refused it ("rule d-hadamard-power is wrong").
    d = matderiv.derive("(A0*A1)'' + sigmoid(A2 .* (A3 .* A2))", wrt="A2",
                        shapes={"A0": (1, "n"), "A1": ("n", 1), "A2": (1, 1), "A3": (1, 1)})
    assert "d-hadamard-power" in d._hessian_derivation().rules_used("jacobian-col")
    report = d.check(hessian=True)
    assert "Hessian" in report.checked and report.max_error < 1e-6


def test_diagonal_of_outer_product_is_not_taken_of_a_scaled_column():
    # fuzz seed 2205-407: diag(a c') with c 1 x 1 is diag of the column a c (a diagonal
    # matrix), not the diagonal of an outer product; diagonal-of-outer-product made it
    # a .* c, a column ("rule ... is wrong: it turned ...").
    _verified("A2*(A0 - A3)*(sinh(X) - diag(A4))", "X",
              {"X": ("n", 1), "A0": (1, "n"), "A2": (1, 1), "A3": (1, "n"), "A4": ("n", "n")})
    _verified("x'*diag(v)*x", "v", {"x": ("n", 1), "v": ("n", 1)})  # still a .* b there


def test_diag_of_a_zero_differential_is_zero():
    # fuzz seeds 2205-27 and 2205-982: min(k A, 0.5)'s derivative where a kink's is 0
    # left diag(0) in the differential, which no identification rule takes.
    _verified("norm(diag(min(k*A0, min(A1, A0))), 1)", "k",
              {"k": (), "A0": ("n", "n"), "A1": ("n", "n")})
    _verified("norm(diag(min(kron(A0, A1), 0.5)), 1)", "A0", {"A0": ("m", "m"), "A1": (1, 1)})
    _verified("norm(A0*A1 + diag(A2), 1)", "A2", {"A0": ("n", "n"), "A1": ("n", 1),
                                                 "A2": ("n", "n")})  # 2205-4725: diag(0)


def test_softplus_of_a_number_is_a_number_not_beyond_floating_point():
    # fuzz seed 2205-4774: softplus(softmax(A0, 1)) of a 1 x 1 A0 is softplus(1), which
    # evalf could not give: the constant was refused as beyond floating point.
    d = _verified("softplus(1)*X", "X", {"X": ("n", "n")})
    assert d.expr.has(matderiv.expressions.functions.softplus)
    _verified("softplus(softmax(A0, 1))*(A1*(A0 .* A2))", "A0",
              {"A0": (1, 1), "A1": (1, 1), "A2": (1, 1)})

"""Generated code (matderiv.codegen) computes what ``evaluate`` gives for the closed form.

Each formula of the seed, Cookbook, coverage and Hessian tests is derived, turned into
NumPy code for its gradient, Jacobian (both vec conventions), Jacobian-vector product
and, where the Hessian tests list it, its Hessian; the code's output at random values
must equal ``matderiv.evaluate`` of the closed form there.  ``evaluate`` results are
themselves checked against finite differences by the other tests.
"""

import numpy as np
import pytest
import sympy
from sympy import KroneckerProduct
from test_cookbook import GRADIENTS
from test_coverage import CASES, SHAPES
from test_hessian import HESSIANS

import matderiv
from matderiv.numeric.differences import assert_close, numeric_jacobian
from matderiv.numeric.points import random_values, stand_in_functions

W_x = {"W": ("m", "n"), "x": ("n", 1)}
W_X = {"W": ("m", "n"), "X": ("n", "b")}
NET = {"W1": ("h", "n"), "x": ("n", 1), "b1": ("h", 1), "W2": ("m", "h"), "b2": ("m", 1),
       "y": ("m", 1)}
NET_LOSS = "sum((W2*tanh(W1*x + b1) + b2 - y).^2)"
BATCH = {"W1": ("h", "n"), "X": ("n", "b"), "b1": ("h", 1), "W2": ("m", "h"), "b2": ("m", 1),
         "Y": ("m", "b")}
BATCH_LOSS = "sum((W2*tanh(W1*X + b1*ones(1, b)) + b2*ones(1, b) - Y).^2)"
LOGISTIC = ("sum(log(1 + exp(-y .* (X*w))))", "w", {"X": ("n", "d"), "w": ("d", 1),
                                                      "y": ("n", 1)})

FORMULAS = (
    [(f, w, s) for _, f, w, s, _ in GRADIENTS]
    + [(f, w, SHAPES) for f, w in CASES]
    + [(f, w, s) for f, w, s, _ in HESSIANS]
    + [("W*a", "W", {"W": ("m", "n"), "a": ("n", 1)}), ("W*x", "W", W_x), ("W*X", "W", W_X),
       ("W*X", "X", W_X), ("f(W*X)", "W", W_X), ("f(W*X)", "X", W_X),
       ("inv(X)", "X", {"X": ("n", "n")}), ("X'", "X", {"X": ("m", "n")}),
       ("kron(X, A)", "X", {"X": ("m", "n"), "A": ("p", "q")}),
       ("kron(A, X)", "X", {"X": ("m", "n"), "A": ("p", "q")}),
       ("X .* A", "X", {"X": ("m", "n"), "A": ("m", "n")}),
       LOGISTIC]
    + [(NET_LOSS, v, NET) for v in ("W1", "b1", "W2", "b2")]
    + [(BATCH_LOSS, v, BATCH) for v in ("W1", "W2")]
)
HESSIAN_FORMULAS = [(f, w, s) for f, w, s, _ in HESSIANS] + [LOGISTIC, (NET_LOSS, "W1", NET)]


def _arguments(d, values, functions):
    names = {s.name for s in d.expr.atoms(sympy.MatrixSymbol)}
    names |= {s.name for s in d.expr.free_symbols if s.name in values and not s.is_integer}
    arguments = {name: values[name] for name in names}
    for name, (f, grad) in functions.items():
        arguments[name], arguments[name + "_grad"] = f, grad
    return arguments


def _check(d, kind, vec, seed=3, points=2):
    functions = stand_in_functions(d.abstract_functions)
    generated = d.to_function(kind, vec=vec)
    rng = np.random.default_rng(seed)
    for _ in range(points):
        values = random_values(d.expr, d.variable, rng)
        arguments = _arguments(d, values, functions)
        if kind == "jvp":
            direction = rng.uniform(-1, 1, size=values[d.variable.name].shape)
            jacobian = d.evaluate(d.jacobian(vec=vec), values, functions=functions)
            order = "F" if vec == "col" else "C"
            expected = np.atleast_2d(jacobian) @ direction.reshape(-1, 1, order=order)
            arguments = {**arguments, "V": direction}
        else:
            result = {"gradient": d.gradient, "hessian": d.hessian,
                      "jacobian": lambda: d.jacobian(vec=vec)}[kind]()
            expected = d.evaluate(result, values, functions=functions)
        kept = {k: np.array(v, copy=True) for k, v in arguments.items() if not callable(v)}
        computed = generated(**arguments)
        # the generated code writes only into arrays of its own making
        for name, value in kept.items():
            assert np.array_equal(arguments[name], value), f"{name} was changed"
        again = generated(**arguments)
        assert np.array_equal(again, computed), "a second call gave another value"
        assert np.shape(computed) == np.shape(np.atleast_2d(expected)), (d, kind, vec)
        assert_close(computed, expected, what=f"generated {kind} ({vec}) of {d.formula}",
                     rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("formula, wrt, shapes", FORMULAS,
                         ids=[f"{f} wrt {w}" for f, w, _ in FORMULAS])
def test_generated_numpy_code_equals_evaluate(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    if d.is_scalar:
        _check(d, "gradient", "col")
    for vec in ("col", "row"):
        _check(d, "jacobian", vec)
        _check(d, "jvp", vec)


@pytest.mark.parametrize("formula, wrt, shapes", HESSIAN_FORMULAS,
                         ids=[f"{f} wrt {w}" for f, w, _ in HESSIAN_FORMULAS])
def test_generated_hessian_equals_evaluate(formula, wrt, shapes):
    _check(matderiv.derive(formula, wrt=wrt, shapes=shapes), "hessian", "col")


@pytest.mark.parametrize("formula, wrt, shapes", [
    ("W*a", "W", {"W": ("m", "n"), "a": ("n", 1)}),
    ("inv(X)", "X", {"X": ("n", "n")}),
    ("X'", "X", {"X": ("m", "n")}),
    ("kron(X, A)", "X", {"X": ("m", "n"), "A": ("p", "q")}),
    ("W*X", "X", W_X),
])
def test_jvp_never_forms_a_kronecker_product(formula, wrt, shapes):
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    for vec in ("col", "row"):
        if d.jacobian(vec=vec).has(KroneckerProduct):
            assert "np.kron(" in d.to_source("jacobian", vec=vec)  # kind="jacobian" forms J
        source = d.to_source("jvp", vec=vec)
        assert "np.kron(" not in source and "np.eye(" not in source, source


def test_gradient_is_matrix_products_with_tanh_computed_once():
    d = matderiv.derive(NET_LOSS, wrt="W1", shapes=NET)
    source = d.to_source("gradient")
    # 2 (...) x': the product by x' in _scaled_product (NumPy), or as @ (other backends).
    assert source.count("np.tanh(") == 1 and ", x.T, " in source and "kron" not in source
    assert "@ x.T" in d.to_source("gradient", backend="jax")


def test_a_number_times_a_product_scales_a_fresh_factor_or_the_product():
    d = matderiv.derive(BATCH_LOSS, wrt="W1", shapes=BATCH)
    # 2 (D X'): D is an elementwise product made by the call; X' is an argument.
    assert "_scaled_product(2, " in d.to_source("gradient")
    assert d.to_source("gradient").rstrip().endswith(", X.T, 'A')")
    scaled_product = d.to_function("gradient").__globals__["_scaled_product"]
    rng = np.random.default_rng(8)
    # the left factor, the right factor or the product is the smallest array
    for shape_a, shape_b in (((20, 3), (3, 30)), ((30, 40), (40, 2)), ((3, 40), (40, 2)),
                             ((5, 5), (5, 5))):
        for c in (2, -1, 0.5, np.float64(-3.25)):
            for fresh in ("A", "B", ""):
                A, B = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
                expected, kept_a, kept_b = c * (A @ B), A.copy(), B.copy()
                assert_close(scaled_product(c, A, B, fresh), expected, what=f"{c} A B",
                             rtol=1e-13, atol=1e-13)
                # only a factor named fresh may be overwritten
                assert fresh == "A" or np.array_equal(A, kept_a)
                assert fresh == "B" or np.array_equal(B, kept_b)
    _check(d, "gradient", "col")
    # arguments are never named fresh: 3 A' B' scales the product
    d = matderiv.derive("3*tr(A*X*B)", wrt="X",
                        shapes={"A": ("n", "n"), "X": ("n", "n"), "B": ("n", "n")})
    assert d.to_source("gradient").rstrip().endswith("_scaled_product(3, A.T, B.T, '')")
    _check(d, "gradient", "col")


def test_diagonals_scale_rows_instead_of_forming_diag():
    d = matderiv.derive(*LOGISTIC)
    source = d.to_source("hessian")
    # X' diag(w) X: the weights scale X's rows (in _weighted_gram), diag(w) is never formed.
    assert "diagflat" not in source and "return _weighted_gram(X, " in source, source
    assert "X.T @" in d.to_source("hessian", backend="jax"), "other backends: X' (w X)"


def _values(derivation, rng, **sizes):
    """Random values for the formula's matrices at the named sizes (standard normal)."""
    values = {}
    for symbol in derivation.expr.atoms(sympy.MatrixSymbol) | {
            derivation.variable}:
        shape = [int(sizes[str(s)]) if not s.is_Integer else int(s) for s in symbol.shape]
        values[symbol.name] = rng.standard_normal(shape)
    return values


def test_a_matrix_plus_its_transpose_is_summed_tile_by_tile():
    # n = 150 spans three 64-wide tiles, the last one partial.
    rng = np.random.default_rng(5)
    d = matderiv.derive("x'*A*x", wrt="x", shapes={"x": ("n", 1), "A": ("n", "n")})
    source = d.to_source("hessian")
    assert "return _plus_transpose(A)" in source, source
    A = rng.standard_normal((150, 150))
    H = d.to_function("hessian")(A=A, x=rng.standard_normal(150))
    assert np.array_equal(H, A + A.T) and np.array_equal(H, H.T)
    # c M + c M' with M a product: M is computed once; checked against evaluate.
    shapes = {"x": ("n", 1), "B": ("k", "n"), "C": ("k", "n")}
    d = matderiv.derive("x'*B'*C*x", wrt="x", shapes=shapes)
    assert "_plus_transpose(" in d.to_source("hessian"), d.to_source("hessian")
    values = _values(d, rng, n=150, k=70)
    assert_close(d.to_function("hessian")(**values), d.evaluate(d.hessian(), values),
                 what="Hessian of x'B'Cx", rtol=1e-10, atol=1e-10)
    d = matderiv.derive("3*x'*A*x", wrt="x", shapes={"x": ("n", 1), "A": ("n", "n")})
    values = _values(d, rng, n=130)
    assert_close(d.to_function("hessian")(**values), d.evaluate(d.hessian(), values),
                 what="Hessian of 3x'Ax", rtol=1e-12, atol=1e-12)
    # A sum without a transposed partner is printed as it stands.
    d = matderiv.derive("x'*A*x + x'*B*x", wrt="x",
                        shapes={"x": ("n", 1), "A": ("n", "n"), "B": ("n", "n")})
    assert d.to_source("hessian").count("_plus_transpose(") == 3  # def + A + B
    assert "_plus_transpose" not in d.to_source("hessian", backend="jax")


@pytest.mark.parametrize("formula", [
    "sum(log(1 + exp(-y .* (X*w))))",   # weights s (1 - s) y^2 >= 0
    "sum(sin(X*w))",                    # weights -sin(X w), of both signs
    "sum(exp(X*w))",                    # weights > 0
    "-sum(exp(X*w))",                   # weights < 0
])
def test_a_weighted_gram_matrix_is_right_whatever_the_signs_of_the_weights(formula):
    shapes = {"X": ("n", "d"), "w": ("d", 1), "y": ("n", 1)}
    d = matderiv.derive(formula, wrt="w", shapes=shapes)
    source = d.to_source("hessian")
    assert "_weighted_gram(X, " in source and "diagflat" not in source, source
    rng = np.random.default_rng(6)
    for _ in range(3):
        values = _values(d, rng, n=200, d=30)
        assert_close(d.to_function("hessian")(**values), d.evaluate(d.hessian(), values),
                     what=f"Hessian of {formula}", rtol=1e-9, atol=1e-10)


def test_weighted_gram_helper_takes_the_square_root_only_of_nonnegative_weights():
    d = matderiv.derive(*LOGISTIC)
    weighted_gram = d.to_function("hessian").__globals__["_weighted_gram"]
    rng = np.random.default_rng(7)
    R = rng.standard_normal((90, 12))
    for w in (rng.uniform(0, 2, (90, 1)), rng.standard_normal((90, 1)),
              -rng.uniform(0, 2, (90, 1)), np.zeros((90, 1)), 2.5, -1.5):
        expected = R.T @ (w * R)
        assert_close(weighted_gram(R, w), expected, what=f"R' diag(w) R, w {np.ravel(w)[:3]}",
                     rtol=1e-12, atol=1e-12)
    w = rng.uniform(0, 2, (90, 1))
    w[3] = np.nan  # not >= 0: the general product, which carries the NaN as NumPy would
    assert np.array_equal(np.isnan(weighted_gram(R, w)), np.isnan(R.T @ (w * R)))


def test_trace_of_product_does_not_form_the_product():
    d = matderiv.derive("tr(A*X*B)", wrt="X", shapes={"A": ("n", "n"), "X": ("n", "n"),
                                                     "B": ("n", "n")})
    d2 = matderiv.derive("tr(X'*A*X*B)*tr(X)", wrt="X", shapes={"A": ("n", "n"),
                                                                "X": ("n", "n"),
                                                                "B": ("n", "n")})
    assert "np.sum(" in d2.to_source("gradient") and "np.trace(" not in d.to_source("gradient")
    _check(d2, "gradient", "col")
    _check(d, "gradient", "col")


def test_inverse_is_computed_once():
    d = matderiv.derive("logdet(X)", wrt="X", shapes={"X": ("n", "n")})
    assert d.to_source("hessian").count("linalg.inv(") == 1


def test_vectors_may_be_one_dimensional():
    d = matderiv.derive("x'*A*x", wrt="x", shapes={"x": ("n", 1), "A": ("n", "n")})
    A, x = np.arange(9.0).reshape(3, 3), np.array([1.0, 2.0, 3.0])
    assert np.allclose(d.to_function()(A=A, x=x), (A + A.T) @ x.reshape(-1, 1))


def test_abstract_functions_are_callable_arguments():
    d = matderiv.derive("f(W*x)", wrt="W", shapes=W_x)
    source = d.to_source()
    assert "def gradient_W(*, W, x, f, f_grad)" in source
    with pytest.raises(TypeError):
        d.to_function()(W=np.ones((2, 2)), x=np.ones(2))


def test_source_is_a_self_contained_module(tmp_path):
    d = matderiv.derive(NET_LOSS, wrt="W1", shapes=NET)
    path = tmp_path / "grad.py"
    path.write_text(d.to_source("gradient", name="grad_w1"))
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    rng = np.random.default_rng(0)
    values = random_values(d.expr, d.variable, rng)
    assert_close(namespace["grad_w1"](**{k: values[k] for k in NET}),
                 d.evaluate(d.gradient(), values), what="module")


@pytest.mark.parametrize("bad, message", [
    ({"kind": "tensor"}, "kind must be"),
    ({"backend": "cupy"}, "backend must be"),
    ({"vec": "diag"}, "vec must be"),
    ({"name": "import os"}, "cannot be a Python argument name"),
    ({"name": "lambda"}, "cannot be a Python argument name"),
])
def test_bad_options_are_one_clear_error(bad, message):
    d = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
    with pytest.raises(matderiv.MatDerivError, match=message):
        d.to_source(**bad)


@pytest.mark.parametrize("formula, shapes, options, message", [
    ("np*a", {"np": ("m", "n"), "a": ("n", 1)}, {}, "a name the generated code uses"),
    ("float*a", {"float": ("m", "n"), "a": ("n", 1)}, {}, "a name the generated code uses"),
    ("W*a", {"W": ("float", "n"), "a": ("n", 1)}, {}, "size 'float' is a name the generated"),
    ("W*a", {"W": ("m", "n"), "a": ("n", 1)}, {"name": "np"}, "function name 'np'"),
    ("W*a", {"W": ("m", "n"), "a": ("n", 1)}, {"name": "float"}, "function name 'float'"),
    ("W*a", {"W": ("m", "n"), "a": ("n", 1)}, {"name": "a"}, "also the formula's name"),
    ("W*a", {"W": ("m", "n"), "a": ("n", 1)}, {"name": "m"}, "also the formula's size"),
])
def test_names_that_clash_with_the_generated_code_are_refused(formula, shapes, options,
                                                               message):
    d = matderiv.derive(formula, wrt=sorted(shapes)[0], shapes=shapes)
    with pytest.raises(matderiv.MatDerivError, match=message):
        d.to_source(**options)


@pytest.mark.parametrize("formula, shapes, direction", [
    ("V*a", {"V": ("m", "n"), "a": ("n", 1)}, "V1"),
    ("V(W)", {"W": ("m", "n")}, "V1"),  # an abstract function V (and its gradient V_grad)
    ("W*a", {"W": ("V", "V1"), "a": ("V1", 1)}, "V2"),  # sizes named like the direction
    ("V*W", {"V": ("V1", "V_dir"), "W": ("V_dir", "direction")}, "V2"),
])
def test_the_direction_of_a_jvp_is_named_apart_from_every_formula_name(formula, shapes,
                                                                       direction):
    wrt = "W" if "W" in shapes else "V"
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    jvp = d.to_function("jvp")
    parameters = jvp.__code__.co_varnames[:jvp.__code__.co_kwonlyargcount]
    assert len(set(parameters)) == len(parameters) and direction in parameters
    rng = np.random.default_rng(0)
    values = random_values(d.expr, d.variable, rng)
    functions = stand_in_functions(d.abstract_functions)
    arguments = {name: values[name] for name in parameters if name in values}
    for name in d.abstract_functions:
        arguments[name], arguments[name + "_grad"] = functions[name]
    direction_value = rng.standard_normal(np.shape(values[wrt]))
    arguments[direction] = direction_value
    expected = numeric_jacobian(d.expr, d.variable, values, functions=functions) @ \
        direction_value.reshape(-1, 1, order="F")
    assert np.allclose(jvp(**arguments), expected, atol=1e-6)


def test_a_size_only_the_formula_names_is_an_argument():
    """I(m) fixes a size no matrix carries: the generated function takes m itself."""
    d = matderiv.derive("tr(I(m))*sum(X)", wrt="X", shapes={"X": ("n", "p"), "D": ("m", 1)})
    gradient = d.to_function("gradient")
    assert "m" in gradient.__code__.co_varnames[:gradient.__code__.co_kwonlyargcount]
    assert np.allclose(gradient(X=np.ones((2, 3)), m=4), 4.0)


@pytest.mark.parametrize("backend, module", [("jax", "jax"), ("torch", "torch")])
@pytest.mark.parametrize("formula, wrt, shapes, kind", [
    (NET_LOSS, "W1", NET, "gradient"), (LOGISTIC[0], "w", LOGISTIC[2], "hessian"),
    ("logdet(X)", "X", {"X": ("n", "n")}, "hessian"), ("inv(X)", "X", {"X": ("n", "n")}, "jvp"),
    ("kron(X, A)", "X", {"X": ("m", "n"), "A": ("p", "q")}, "jvp"),
    ("x'*A*x", "x", {"x": ("n", 1), "A": ("n", "n")}, "hessian"),
])
def test_other_backends_agree_with_numpy(backend, module, formula, wrt, shapes, kind):
    library = pytest.importorskip(module)
    if module == "jax":
        library.config.update("jax_enable_x64", True)
    d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
    rng = np.random.default_rng(2)
    values = random_values(d.expr, d.variable, rng)
    arguments = _arguments(d, values, {})
    if kind == "jvp":
        arguments["V"] = rng.uniform(-1, 1, size=values[wrt].shape)
    expected = d.to_function(kind)(**arguments)
    if module == "torch":
        arguments = {k: library.as_tensor(v) for k, v in arguments.items()}
    function = d.to_function(kind, backend=backend)
    computed = np.asarray(function(**arguments))
    assert_close(computed, expected, what=f"{backend} {kind} of {formula}")
    if module == "jax":  # the generated code traces: it can be compiled
        assert_close(np.asarray(library.jit(function)(**arguments)), expected,
                     what=f"jax.jit of the {kind} of {formula}")


def test_cli_codegen_prints_a_module_that_runs(tmp_path):
    from click.testing import CliRunner

    from matderiv.cli import main
    path = tmp_path / "hess.py"
    result = CliRunner().invoke(main, ["codegen", "x'*A*x", "--wrt", "x", "-s", "x=n,1",
                                       "-s", "A=n,n", "--hessian", "-o", str(path)])
    assert result.exit_code == 0, result.output
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    A = np.arange(4.0).reshape(2, 2)
    assert np.allclose(namespace["hessian_x"](A=A, x=np.ones(2)), A + A.T)
    printed = CliRunner().invoke(main, ["codegen", "W*a", "--wrt", "W", "-s", "W=m,n",
                                        "-s", "a=n,1", "--jvp", "--vec", "row",
                                        "--backend", "torch"])
    assert printed.exit_code == 0 and "import torch" in printed.output
    assert "def jvp_W(*, W, a, V):" in printed.output


def test_cli_codegen_errors_are_one_line_exit_2():
    from click.testing import CliRunner

    from matderiv.cli import main
    result = CliRunner().invoke(main, ["codegen", "W*a", "--wrt", "W", "-s", "W=m,n",
                                       "-s", "a=n,1", "--gradient"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "not a scalar" in result.output


def test_a_column_times_a_row_of_ones_is_broadcast_not_formed():
    d = matderiv.derive(BATCH_LOSS, wrt="W1", shapes=BATCH)
    source = d.to_source("gradient")
    assert "np.ones(" not in source and "+ b1)" in source, source
    _check(d, "gradient", "col")


def test_jacobian_in_the_derivations_layout_and_jvp_in_numerator_layout():
    d = matderiv.derive("W*x", wrt="W", shapes=W_x, layout="denominator")
    _check(d, "jacobian", "col")   # J' of the numerator layout, as d.jacobian() gives
    rng = np.random.default_rng(4)
    W, x, V = rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, (3, 1)), rng.uniform(-1, 1, (2, 3))
    assert np.allclose(d.to_function("jvp")(W=W, x=x, V=V), V @ x)


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
def test_generated_bodies_read_no_global_but_the_reserved_ones(backend):
    """The generated function's body reads only its parameters, its own temporaries,
    its module's helpers and RESERVED names (the array module, float): a user's name
    can shadow nothing the code needs, since names in RESERVED are refused."""
    import ast

    from matderiv.codegen.backends import RESERVED
    problems = [(f, w, s) for _, f, w, s, _ in GRADIENTS] + \
        [(f, w, SHAPES) for f, w in CASES] + [(h[0], h[1], h[2]) for h in HESSIANS]
    seen = set()
    for formula, wrt, shapes in problems:
        d = matderiv.derive(formula, wrt=wrt, shapes=shapes)
        kinds = ["gradient", "hessian", "jvp"] if d.is_scalar else ["jacobian", "jvp"]
        for kind in kinds:
            try:
                source = d.to_source(kind, backend=backend)
            except matderiv.MatDerivError:
                continue
            module = ast.parse(source)
            helpers = {node.name for node in module.body if isinstance(node, ast.FunctionDef)}
            function = [node for node in module.body if isinstance(node, ast.FunctionDef)
                        and not node.name.startswith("_")][0]
            own = {a.arg for a in function.args.kwonlyargs} | {
                target.id for node in ast.walk(function) if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
            read = {node.id for node in ast.walk(function)
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
            seen |= read - own - helpers
    assert seen and seen <= RESERVED, seen - RESERVED

"""The array libraries generated code is written for, and the helpers it may call.

>>> BACKENDS["jax"].imports
'import jax.numpy as jnp'
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

KINDS = ("gradient", "value_and_gradient", "jacobian", "hessian", "jvp")


@dataclass(frozen=True)
class Backend:
    """An array library: how generated code imports it and spells what differs."""

    name: str
    imports: str
    ns: str
    constant_dtype: str      # appended to eye/zeros/ones (torch needs the inputs' dtype)
    prepare_matrix: str      # how an array argument is taken in ({} is its name)
    prepare_scalar: str


BACKENDS = {
    "numpy": Backend("numpy", "import numpy as np", "np", "",
                     "np.asarray({}, dtype=float)", "{}"),
    "jax": Backend("jax", "import jax.numpy as jnp", "jnp", "",
                   "jnp.asarray({})", "{}"),
    "torch": Backend("torch", "import torch", "torch", ", dtype=_dtype",
                     "torch.as_tensor({})", "torch.as_tensor({}, dtype=_dtype)"),
}

#: Names the generated function's body uses itself: a formula name equal to one is
#: refused (its own temporaries and helpers start with "_", which no user name may).
#: tests/test_codegen.py checks that every generated body reads no other global name.
RESERVED = {"np", "jnp", "torch", "jax", "float",
            # builtins the helpers and the self-test call, and the self-test's own names
            "range", "print", "isinstance", "tuple", "len", "list", "abs", "max", "sum",
            "repr", "str", "AssertionError", "point"}

#: Element-wise functions as code: a template of the array module ``{ns}`` and the
#: argument ``{x}`` (an argument used twice is first put in a temporary). step(x) is
#: sign(relu(x)): 1 for x > 0, else 0, in the argument's own dtype in every backend.
FUNCTION_CODE = {
    **{name: "{ns}.%s({x})" % name for name in (
        "exp", "log", "tanh", "sin", "cos", "sqrt", "abs", "sign", "tan", "sinh", "cosh",
        "log1p", "expm1")},
    "atan": "{ns}.arctan({x})", "asin": "{ns}.arcsin({x})", "acos": "{ns}.arccos({x})",
    "relu": "{ns}.maximum({x}, 0.0)", "step": "{ns}.sign({ns}.maximum({x}, 0.0))",
    "softplus": "{ns}.logaddexp({x}, 0.0)",  # log(e^x + e^0), without overflow
}
#: Where a backend spells a function otherwise (torch's functions take tensors only).
BACKEND_FUNCTION_CODE = {
    "torch": {"atan": "torch.atan({x})", "asin": "torch.asin({x})", "acos": "torch.acos({x})",
              "relu": "torch.relu({x})", "step": "torch.sign(torch.relu({x}))",
              "softplus": "torch.logaddexp({x}, torch.zeros_like({x}))"},
}
#: max and min entry by entry, of two arrays of one shape or of two scalars.
BINARY_CODE = {"max": "maximum", "min": "minimum"}


def function_template(backend: str, name: str) -> str:
    """The code template of element-wise function ``name`` in ``backend``."""
    return BACKEND_FUNCTION_CODE.get(backend, {}).get(name, FUNCTION_CODE[name])


def scalar_function_name(func) -> str | None:
    """The grammar's name of a SymPy scalar function (sympy.atan -> "atan"), or None."""
    from ..expressions import ELEMENTWISE
    if func is sympy.Abs:
        return "abs"
    for name, function in ELEMENTWISE.items():
        if function is func and name in FUNCTION_CODE:
            return name
    return None


#: Module-level helpers a NumPy function may call (their names start with "_", which no
#: user name may): the text of each is emitted once, before the ``def``, when it is used.
NUMPY_HELPERS = {
    "_plus_transpose": '''
def _plus_transpose(M, block=64):
    """M + M' of a square M, tile by tile: a tile's transposed partner is read while it is
    in cache, where a whole-array M.T strides across memory; the result is exactly M + M'
    (and exactly symmetric), each upper tile computed once and mirrored."""
    n = M.shape[0]
    out = np.empty_like(M)
    for i in range(0, n, block):
        for j in range(i, n, block):
            tile = out[i:i + block, j:j + block]
            np.add(M[i:i + block, j:j + block], M[j:j + block, i:i + block].T, out=tile)
            if j != i:
                out[j:j + block, i:i + block] = tile.T
    return out
''',
    "_scaled_product": '''
def _scaled_product(c, A, B, fresh):
    """c A B.  ``fresh`` names a factor ("A" or "B") that is an array of this call's own
    making: c multiplies it in place where it is smaller than A B; otherwise c multiplies
    the product in place.  (Scaling a factor into a new array costs an allocation, which
    is no cheaper than a pass over the product unless the product is much larger.)"""
    if fresh == "A" and A.size < A.shape[0] * B.shape[1]:
        A *= c
        return A @ B
    if fresh == "B" and B.size < A.shape[0] * B.shape[1]:
        B *= c
        return A @ B
    product = A @ B
    product *= c
    return product
''',
    "_weighted_gram": '''
def _weighted_gram(R, w):
    """R' diag(w) R for a column (or number) w of weights.  Where every weight is >= 0 it
    is Z' Z with Z = sqrt(w) R, which NumPy computes with a symmetric rank-k update (half
    the multiplications of a general product); otherwise R' (w R) as written."""
    if np.all(w >= 0):
        Z = np.sqrt(w) * R
        return Z.T @ Z
    return R.T @ (w * R)
''',
}

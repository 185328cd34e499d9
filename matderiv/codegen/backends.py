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
RESERVED = {"np", "jnp", "torch", "jax", "float"}

ELEMENTWISE_CODE = {"exp": "exp", "log": "log", "tanh": "tanh", "sin": "sin", "cos": "cos",
                    "sqrt": "sqrt"}
SCALAR_FUNCTION_CODE = {sympy.exp: "exp", sympy.log: "log", sympy.tanh: "tanh",
                        sympy.sin: "sin", sympy.cos: "cos", sympy.Abs: "abs"}


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

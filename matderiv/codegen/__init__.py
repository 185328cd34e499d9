"""Code generation: a result -> Python source for NumPy, JAX or PyTorch that computes it
the way one writes it by hand (matrix products, structured operators applied, never
formed; each repeated part computed once).

It owns the backends (``backends``), the structure the printer reads (``structure``),
the printer split by concern (``printer``, ``products``, ``scalar_printing``,
``code_text``) and the assembled module (``source``: ``to_source``, ``to_function``). It
reads a derivation through its results and may import ``matderiv.errors``,
``expressions`` and ``render`` (the formula shown in a docstring).

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> to_source(d, "jvp").splitlines()[-1]  # (aᵀ ⊗ I) vec(V) = vec(V a), never forming aᵀ ⊗ I
'    return (a.T @ (_t1.reshape(n, m, -1)).reshape(n, -1)).reshape(m, -1)'
"""

from .backends import BACKENDS, KINDS
from .source import to_function, to_source

__all__ = ["BACKENDS", "KINDS", "to_function", "to_source"]

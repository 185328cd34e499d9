"""The Python API behind ``import matderiv``: ``derive`` and the ``Derivation`` it
returns, the report a front end shows, and batch files.

It owns ``Derivation`` (``derivation``: results found by the engine when first asked,
and the face of proofs, checks, generated code and claims, which it calls and which
never import it), the JSON-ready report of a result (``report``) and batches of
derivations or claims from TOML (``batch``). It may import every stage below it:
``errors``, ``expressions``, ``syntax``, ``render``, ``numeric``, ``engine``,
``proofs``, ``codegen`` and ``claims``.

>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> d.rules_used("jacobian-col")
['d-linear', 'vec-product']
"""

from .derivation import CONVENTIONS, Derivation, derive

__all__ = ["CONVENTIONS", "Derivation", "derive"]

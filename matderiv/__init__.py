"""matderiv: symbolic matrix calculus that shows its work.

>>> import matderiv
>>> d = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> d.jacobian()
KroneckerProduct(a.T, I)
"""

from .api.derivation import CONVENTIONS, Derivation, derive
from .engine.catalog import catalog
from .errors import MatDerivError
from .syntax.shapes import matrix, scalar, vector


def evaluate(expr, values, *, functions=None, shapes=None):
    """Evaluate any result expression numerically.

    ``evaluate(J, {"W": W, "a": a}, shapes={"W": ("m", "n"), "a": ("n", 1)})``; or use
    ``Derivation.evaluate``, which knows the shapes.
    """
    from .numeric.evaluate import evaluate as _evaluate
    return _evaluate(expr, values, functions=functions, shapes=shapes)


def document(derivations, *, proof: str = "rules", title: str = "Matrix derivatives") -> str:
    """A standalone LaTeX document holding several derivations with their proofs."""
    from .render.proof_latex import document as _document
    return _document([d.latex(proof=proof) for d in derivations], title=title)


__all__ = ["document", "derive", "Derivation", "MatDerivError", "evaluate", "matrix", "vector",
           "scalar",
           "catalog", "CONVENTIONS"]
__version__ = "0.1.0"

"""matderiv: symbolic matrix calculus that shows its work.

>>> import matderiv
>>> d = matderiv.derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> d.jacobian()
KroneckerProduct(a.T, I)
"""

from .catalog import catalog
from .derivation import CONVENTIONS, Derivation, derive
from .errors import MatDerivError
from .shapes import matrix, scalar, vector


def evaluate(expr, values, *, functions=None):
    """Evaluate any result expression numerically: ``evaluate(J, {"a": a, "W": W})``."""
    from .evaluate import evaluate as _evaluate
    return _evaluate(expr, values, functions=functions)


__all__ = ["derive", "Derivation", "MatDerivError", "evaluate", "matrix", "vector", "scalar",
           "catalog", "CONVENTIONS"]
__version__ = "0.1.0"

"""Numbers: evaluation of any expression matderiv builds, random points, finite
differences, and the checks built on them.

It owns ``evaluate`` (a SymPy expression at values, sizes read off the arrays), random
well-conditioned points (``points``), central finite differences (``differences``), the
check of a finished derivation (``verify``: every result against finite differences, and
the safety net that a simplification kept the value) and the sampler that judges claims
(``sample``). It reads derivations only through their attributes (``expr``,
``variable``, results) and may import ``matderiv.errors``, ``expressions``, ``syntax``
(declared shapes) and ``render`` (values named in messages). Importing the package
imports no NumPy: a derivation whose simplification changed nothing never needs it.

>>> import numpy as np
>>> from sympy import MatrixSymbol, Trace
>>> from matderiv.numeric.evaluate import evaluate
>>> float(evaluate(Trace(MatrixSymbol("A", 2, 2)), {"A": np.eye(2)}))
2.0
"""

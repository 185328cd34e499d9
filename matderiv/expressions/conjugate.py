"""The symbol of a complex matrix's conjugate, Z̄, beside Z (Wirtinger calculus).

Z and Z̄ are independent variables to the engine (``syntax.complex_reading``); this class
only lets the printers write Z̄ and Z̄ᵀ = Zᴴ as on paper, where its SymPy name is Zbar.

>>> z = ConjugateMatrixSymbol("zbar", 3, 1)
>>> z.conjugate_of, str(z)
('z', 'zbar')
"""

from __future__ import annotations

from sympy import MatrixSymbol

#: The suffix of a conjugate's SymPy name: Zbar for Z.
CONJUGATE_SUFFIX = "bar"


class ConjugateMatrixSymbol(MatrixSymbol):
    """Z̄, the entry-wise conjugate of the complex matrix Z, named Zbar."""

    @property
    def conjugate_of(self) -> str:
        """The name of Z."""
        return self.name[:-len(CONJUGATE_SUFFIX)]

"""Scalars of matrices that SymPy lacks: f(Y), a 1 x 1 matrix read as a scalar, the
Frobenius norm, the sum of entries and the inner product.

They are commutative SymPy expressions about which SymPy assumes nothing else.

>>> from sympy import MatrixSymbol
>>> A = MatrixSymbol("A", 2, 3)
>>> str(SumEntries(A)), str(Inner(A, A))
('sum(A)', '<A, A>')
"""

from __future__ import annotations

from sympy import Expr, Integer
from sympy.core.assumptions import _assume_defined

from .functions import as_str, function_name

_UNKNOWN_FACTS = {"is_" + fact: None for fact in sorted(_assume_defined)
                  if fact != "commutative"}

#: A commutative scalar about which SymPy knows nothing else, stated up front: the answers
#: are those SymPy's assumption system deduces (tests/test_objects.py compares them).
OpaqueScalar = type("OpaqueScalar", (Expr,), {
    "__module__": __name__, "__slots__": (), "is_commutative": True, **_UNKNOWN_FACTS,
    "__doc__": "A commutative scalar SymPy assumes nothing else about."})


class AbstractFunction(OpaqueScalar):
    """An unspecified smooth scalar function of a matrix, ``f(Y)`` (seed 2, items 9-11)."""

    is_commutative = True

    def __new__(cls, name, arg):
        return super().__new__(cls, as_str(name), arg)

    @property
    def function(self) -> str:
        return function_name(self.args[0])

    @property
    def arg(self):
        return self.args[1]

    def _sympystr(self, printer):
        return "%s(%s)" % (self.function, printer._print(self.arg))

    def _latex(self, printer):
        return r"%s\left(%s\right)" % (self.function, printer._print(self.arg))


class _OfOneMatrix(OpaqueScalar):
    """A scalar made of one matrix; a subclass says how it prints (``text``, ``latex``,
    each with %s for the matrix)."""

    text = latex = "%s"

    def __new__(cls, matrix):
        return super().__new__(cls, matrix)

    @property
    def matrix(self):
        return self.args[0]

    def _sympystr(self, printer):
        return self.text % printer._print(self.matrix)

    def _latex(self, printer):
        return self.latex % printer._print(self.matrix)


class ScalarOf(_OfOneMatrix):
    """A 1 x 1 matrix read as a scalar, as on paper: ``(a'x) (Bx)``."""

    text, latex = "(%s)", r"\left(%s\right)"


class FrobeniusNorm(_OfOneMatrix):
    """``norm(A)``, the Frobenius norm sqrt(tr(A'A))."""

    text, latex = "norm(%s)", r"\left\Vert %s\right\Vert_F"


class SumEntries(_OfOneMatrix):
    """``sum(A)``, the sum of all entries of A (1' A 1)."""

    text, latex = "sum(%s)", r"\operatorname{sum}\left(%s\right)"


class LogSumExp(_OfOneMatrix):
    """``logsumexp(A) = log(sum(exp(A)))``, over all entries; its gradient is softmax(A)."""

    text, latex = "logsumexp(%s)", r"\operatorname{logsumexp}\left(%s\right)"


class VectorNorm(OpaqueScalar):
    """``norm(x, p)``, the p-norm (sum |x_i|^p)^(1/p) of a vector, for an integer p >= 1
    (p = 2 is ``FrobeniusNorm``)."""

    is_commutative = True

    def __new__(cls, vector, p):
        return super().__new__(cls, vector, Integer(p))

    @property
    def matrix(self):
        return self.args[0]

    @property
    def p(self) -> int:
        return int(self.args[1])

    def _sympystr(self, printer):
        return "norm(%s, %d)" % (printer._print(self.matrix), self.p)

    def _latex(self, printer):
        return r"\left\Vert %s\right\Vert_{%d}" % (printer._print(self.matrix), self.p)


class Inner(OpaqueScalar):
    """The Frobenius inner product <A, B> = tr(A'B) = sum of A .* B."""

    is_commutative = True

    def __new__(cls, left, right):
        return super().__new__(cls, left, right)

    def _sympystr(self, printer):
        return "<%s, %s>" % (printer._print(self.args[0]), printer._print(self.args[1]))

    def _latex(self, printer):
        return r"\left\langle %s, %s\right\rangle" % (
            printer._print(self.args[0]), printer._print(self.args[1]))


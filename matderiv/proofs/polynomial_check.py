"""The element-wise proof's exact check, in polynomials over the matrices' entries.

At concrete sizes every entry of every matrix is an unknown, and so is each distinct
function value: tanh(u) is one more unknown for each distinct u (u itself a polynomial
in the others), det of a matrix and f(M) likewise. The entry formula at given indices and
the closed form's entry at the matching position are then both elements of one
polynomial ring over the rationals (of its fraction field where something is divided),
SymPy's ``sympy.polys.rings``: sparse dicts, compared exactly. Two elements that are equal
as polynomials in independent unknowns are equal whatever the unknowns stand for, so the
two sides are equal as functions: the check is exact. The converse does not hold: an
identity between function values (exp(a) exp(b) = exp(a + b), tanh² = 1 - sech²) leaves
two equal sides different here, and the check answers "not shown" (False), never "equal";
a node it cannot map answers None. The caller then falls back on SymPy's own
simplification (``symbolic_check``), as every proof was checked before.

>>> from sympy import MatrixSymbol, Symbol, Sum, Dummy
>>> n, i = Symbol("n", integer=True, positive=True), Symbol("i", integer=True)
>>> k = Dummy("k", integer=True)
>>> A, x = MatrixSymbol("A", n, n), MatrixSymbol("x", n, 1)
>>> formula = Sum(A[i, k] * x[k, 0], (k, 0, n - 1))           # (A x)_i
>>> same_entries(formula, (i,), A * x, {n: 3}, [((r,), (r, 0)) for r in range(3)])
True
>>> same_entries(formula, (i,), A.T * x, {n: 3}, [((r,), (r, 0)) for r in range(3)])
False
"""

from __future__ import annotations

import time

import sympy
from sympy import MatrixSymbol, Symbol
from sympy.polys.domains import QQ, ZZ
from sympy.polys.fields import FracField
from sympy.polys.orderings import lex
from sympy.polys.rings import PolyRing

from ..expressions import is_matrix
from ..expressions.memo import KeyMemo
from .polynomial_values import MAX_ENTRIES, Undecided, matrix_value, scalar_value

#: How many unknowns a check may use, tried in turn from the first that holds every
#: matrix entry (a ring per count and domain, built once: ``_ring``).
UNKNOWNS = (16, 32, 64, 128, 256, 512, 1024)

#: Where the values live, tried in turn: polynomials with integer coefficients (the
#: fastest), with rational ones, and fractions of polynomials (where one is divided).
DOMAINS = ("integers", "rationals", "fractions")


class WiderDomain(Exception):
    """A rational constant among integers, or a division by a polynomial: start again in
    the next of DOMAINS."""


class OutOfUnknowns(Exception):
    """More unknowns than the ring has: start again in a larger one."""


class EntryAlgebra:
    """Unknowns and constants of one check at one set of concrete sizes, and the values
    found so far (matrices by expression, function values by their arguments)."""

    def __init__(self, sizes: dict, unknowns: int, domain: str, deadline: float):
        self.ground = ZZ if domain == "integers" else QQ
        self.field = domain == "fractions"
        self.domain = _ring(unknowns, domain)
        self.sizes = {s: sympy.Integer(v) for s, v in sizes.items()}
        self.size_values = {s: int(v) for s, v in sizes.items()}
        self.zero, self.one = self.domain.zero, self.domain.one
        self._gens = self.domain.gens
        self._unknowns: dict = {}
        self.matrices: dict = {}
        self.values: dict = {}
        self.free: dict = {}
        self.deadline = deadline

    def unknown(self, key):
        """The unknown standing for ``key`` (a matrix entry, a function value, ...)."""
        found = self._unknowns.get(key)
        if found is None:
            if len(self._unknowns) == len(self._gens):
                raise OutOfUnknowns
            found = self._unknowns[key] = self._gens[len(self._unknowns)]
        return found

    def constant(self, number):
        """A rational number (a SymPy Rational or an int) as an element."""
        if isinstance(number, int):
            return self.domain.ground_new(self.ground(number))
        if self.ground is ZZ and not number.is_Integer:
            raise WiderDomain
        return self.domain.ground_new(self.ground.from_sympy(number))

    def as_number(self, element):
        """The SymPy Rational an element is, or None when it holds an unknown."""
        numer = element.numer if self.field else element
        if not numer.is_ground or (self.field and not element.denom.is_ground):
            return None
        value = self.ground.to_sympy(numer.LC)
        return value / QQ.to_sympy(element.denom.LC) if self.field else value

    def terms(self, element) -> int:
        """How many terms an element has (its numerator's, for a fraction)."""
        return len(element.numer) if self.field else len(element)

    def divide(self, numerator, denominator):
        if not denominator:
            raise Undecided("a division by zero")
        if self.field:
            return numerator / denominator
        value = self.as_number(denominator)
        if value is None:
            raise WiderDomain
        return numerator * self.constant(1 / value)

    def apply(self, function, args):
        """The value of ``function(*args)``: a number where the arguments are numbers and
        SymPy gives a rational (tanh(0) = 0), else the unknown for it at these arguments
        (a SymPy number that is not rational, such as exp(1), is an unknown of its own)."""
        numbers = [self.as_number(a) for a in args]
        if all(n is not None for n in numbers):
            value = function(*numbers)
            return self.number(value)
        return self.unknown(("apply", function, tuple(args)))

    def number(self, value):
        """A SymPy number: rational, or an unknown standing for it (E, sqrt(2), pi)."""
        if value.is_Rational:
            return self.constant(value)
        if not value.is_number or value.is_Float:
            raise Undecided(f"the value {value}")
        return self.unknown(("number", value))

    def power(self, base, exponent):
        """base ** exponent, both elements: an integer power as such, a rational one
        through the unknown base^(1/q) (x^(p/q) = (x^(1/q))^p on the principal branch),
        any other by the unknown for the pair."""
        value = self.as_number(exponent)
        if value is None:
            return self.unknown(("power", base, exponent))
        if value.is_Integer:
            power = int(value)
            if abs(power) > 64:
                raise Undecided("a power beyond 64")
            return base ** power if power >= 0 else self.divide(self.one, base ** -power)
        p, q = int(value.p), int(value.q)
        number = self.as_number(base)
        if number is not None:
            return self.number(sympy.Pow(number, value))
        root = self.unknown(("root", base, q))
        return root ** p if p >= 0 else self.divide(self.one, root ** -p)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise Undecided("out of time")


#: Rings (and fields) built so far, by unknowns and domain: at most one per pair of
#: unknowns (up to KEPT_UNKNOWNS: a ring's generators take unknowns² monomial entries)
#: and domain. A proof asks for the same ring at each entry, and SymPy compiles the
#: monomial arithmetic of every new ring (7 functions: 1.8 ms for 32 unknowns, a tenth
#: of a whole proof). Emptied by SymPy's ``clear_cache()``, like every memo here, so
#: that a benchmark that clears it measures a proof as a single command runs it.
_RINGS = KeyMemo("matderiv.proofs.polynomial_check.rings")
KEPT_UNKNOWNS = 256


def _ring(unknowns: int, domain: str):
    """The polynomial ring over ZZ or QQ, or the field of fractions over QQ, in the
    unknowns u0, u1, ... (lexicographic order)."""
    found = _RINGS.get((unknowns, domain))
    if found is None:
        symbols = tuple(Symbol(f"u{n}") for n in range(unknowns))
        found = FracField(symbols, QQ, lex) if domain == "fractions" else \
            PolyRing(symbols, ZZ if domain == "integers" else QQ, lex)
        if unknowns <= KEPT_UNKNOWNS:
            _RINGS[(unknowns, domain)] = found
    return found


def same_entries(formula, indices, closed, sizes, positions, budget: float = 20.0,
                 started: float | None = None, fractions: bool = True):
    """Whether ``formula`` (an entry formula in ``indices``) equals ``closed`` (a matrix
    expression) at every position: ``positions`` yields (index values, (row, col)),
    both 0-based, at the integer ``sizes`` (size symbol -> int).

    True when every entry agrees exactly; False when one does not (a mismatch, or an
    identity between function values that polynomials do not see); None when the check
    cannot decide (a node it does not know, too many entries or unknowns, out of time).
    ``fractions=False`` stops short of fractions of polynomials (whose every operation
    takes a greatest common divisor: the entries of a 3 x 3 inverse took seconds).
    """
    domains = DOMAINS if fractions else DOMAINS[:-1]
    positions = list(positions)
    deadline = (time.monotonic() if started is None else started) + budget
    entries = _entries_of_matrices(closed.atoms(MatrixSymbol) | formula.atoms(MatrixSymbol),
                                   sizes)
    counts = [n for n in UNKNOWNS if n > entries] or [UNKNOWNS[-1]]
    count, domain = 0, 0
    while count < len(counts) and domain < len(domains):
        algebra = EntryAlgebra(sizes, counts[count], domains[domain], deadline)
        try:
            return _compare(algebra, formula, indices, closed, positions)
        except WiderDomain:
            domain += 1
        except OutOfUnknowns:
            count += 1
        except Undecided:
            return None
        except (ZeroDivisionError, TypeError, ValueError, NotImplementedError,
                AttributeError, IndexError, KeyError):
            return None
    return None


def _entries_of_matrices(symbols, sizes) -> int:
    """How many entries the matrix symbols have at ``sizes``: the unknowns the check
    needs at least."""
    total = 0
    for symbol in symbols:
        rows, cols = (int(d.xreplace(sizes)) for d in symbol.shape)
        total += rows * cols
    return total


def _compare(algebra, formula, indices, closed, positions):
    # A scalar closed form (dF/dt of a scalar F by a scalar t) is its one entry.
    matrix = matrix_value(algebra, closed) if is_matrix(closed) else \
        [[scalar_value(algebra, closed, {})]]
    for at, (row, col) in positions:
        algebra.check_time()
        bound = dict(zip(indices, at, strict=True))
        if scalar_value(algebra, formula, bound) - matrix[row][col]:
            return False
    return True


__all__ = ["DOMAINS", "EntryAlgebra", "MAX_ENTRIES", "OutOfUnknowns", "UNKNOWNS", "WiderDomain",
           "same_entries"]

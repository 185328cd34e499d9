"""Formula text over complex matrices -> a SymPy expression in Z and its conjugate Z̄.

Wirtinger calculus treats Z and Z̄ as independent variables (Brandwood 1983, Theorem 1;
Kreutz-Delgado, "The Complex Gradient Operator and the CR-Calculus", §2): every
formula of complex matrices is a formula F(Z, Z̄) that is holomorphic in each, and
∂F/∂Z, ∂F/∂Z̄ are its ordinary partial derivatives with the other held fixed. So the
reading here puts a second matrix symbol, ``Zbar`` (printed Z̄ in LaTeX), wherever the
formula conjugates Z, and the engine differentiates by Z and by Zbar with its real
rules unchanged: they are identities of polynomial and holomorphic maps, which hold
for complex entries as they hold for real ones.

For complex names ``'`` is the conjugate transpose (as in MATLAB), ``.'`` and ``.T``
the plain transpose; ``conj``, ``real``, ``imag``, ``abs`` (the modulus, entry by entry)
and ``norm`` read as Z̄, (Z + Z̄)/2, (Z − Z̄)/(2i), sqrt(Z ∘ Z̄) and sqrt(⟨Z̄, Z⟩). A
Hermitian name H (declared) has H̄ = Hᵀ. Functions without a holomorphic meaning on
complex arguments (relu, max, softmax, an abstract f, ...) are refused by name.

>>> from sympy import MatrixSymbol, symbols
>>> n = symbols("n", integer=True, positive=True)
>>> z, H = MatrixSymbol("z", n, 1), MatrixSymbol("H", n, n)
>>> reading = ComplexReading({"z": z, "H": H}, complex_names=["z"], hermitian=["H"])
>>> reading.builder().build_text("z'*H*z")
zbar.T*H*z
"""

from __future__ import annotations

import sympy
from sympy import HadamardPower, MatrixSymbol, Transpose

from ..errors import MatDerivError
from ..expressions import Elementwise, Inner, hadamard_product, is_matrix, shape_of
from ..expressions.conjugate import CONJUGATE_SUFFIX, ConjugateMatrixSymbol
from ..expressions.tidy import canonical
from .builder import Builder, parse_formula
from .grammar import as_scalar, is_one_by_one, scalar_as_matrix

#: Functions of the grammar that are holomorphic (or linear) in their argument, so that
#: conj(f(Z)) = f(Z̄) and their real rules hold for complex entries (principal branches
#: of log and sqrt, away from their cuts).
HOLOMORPHIC = frozenset({
    "tr", "det", "logdet", "inv", "kron", "sum", "mean", "vec", "vecr", "unvec", "diag",
    "square", "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sinh", "cosh",
    "I", "K", "ones", "Delta", "conj", "real", "imag", "abs", "norm",
})



def conjugate_name(name: str) -> str:
    """The name of Z̄'s symbol: ``conjugate_name("Z") == "Zbar"``."""
    return name + CONJUGATE_SUFFIX


class ComplexReading:
    """The complex names of a formula, their conjugate symbols, and the builder that
    reads the formula with them.

    ``env`` maps the formula's names to SymPy objects (as ``declare`` makes them);
    ``complex_names`` are complex matrices, ``hermitian`` complex Hermitian ones (square,
    H̄ = Hᵀ; a constant of the formula, not a variable).
    """

    def __init__(self, env, complex_names=(), hermitian=()):
        self.env = env
        self.complex_names = _checked_names(env, complex_names, "complex")
        self.hermitian = _checked_names(env, hermitian, "hermitian")
        both = set(self.complex_names) & set(self.hermitian)
        if both:
            raise MatDerivError(f"{sorted(both)[0]!r} is declared both complex and hermitian; "
                                "a Hermitian name is complex already: declare it once")
        self.conjugates: dict = {}   # symbol -> its conjugate (Z -> Zbar, Zbar -> Z, H -> Hᵀ)
        for name in self.complex_names:
            symbol = env[name]
            bar = conjugate_name(name)
            if bar in env:
                raise MatDerivError(f"the formula has a name {bar!r}, which matderiv uses for "
                                    f"the conjugate of the complex {name}: rename it")
            conjugate = ConjugateMatrixSymbol(bar, *symbol.shape)
            self.conjugates[symbol] = conjugate
            self.conjugates[conjugate] = symbol
        for name in self.hermitian:
            symbol = env[name]
            if symbol.shape[0] != symbol.shape[1]:
                raise MatDerivError(f"hermitian {name} must be square, not "
                                    f"{symbol.shape[0]}x{symbol.shape[1]}")
            self.conjugates[symbol] = Transpose(symbol)
        self.conjugates[sympy.I] = -sympy.I

    @property
    def symbols(self) -> tuple:
        """Every symbol whose value is complex: the complex names, their conjugates, and
        the Hermitian names."""
        return tuple(s for s in self.conjugates if s is not sympy.I)

    def conjugate_of(self, name: str):
        return self.conjugates[self.env[name]]

    def conj(self, expr):
        """The entry-wise complex conjugate of a built expression: each complex symbol
        swapped with its conjugate, i with -i; the grammar's functions all commute with
        conjugation (``HOLOMORPHIC``), so nothing else changes."""
        return canonical(expr.xreplace(self.conjugates))

    def is_complex(self, expr) -> bool:
        return isinstance(expr, sympy.Basic) and expr.has(*self.conjugates)

    def builder(self, source: str | None = None, abstract=()) -> Builder:
        return ComplexBuilder(self, source=source, abstract=abstract)


class ComplexBuilder(Builder):
    """The ``Builder`` with the complex meaning of ``'`` and of conj, real, imag, abs
    and norm; it refuses a function without a complex rule applied to a complex value."""

    def __init__(self, reading: ComplexReading, **options):
        super().__init__(reading.env, **options)
        self.reading = reading

    def build_text(self, text: str, syntax: str = "text", tree=None):
        self.source = text
        expr = self.build(tree if tree is not None else parse_formula(text, syntax, self.env))
        if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            raise MatDerivError("the formula has an undefined or infinite constant "
                                "(such as log(0) or 0^-1)", source=text, span=(0, len(text)))
        return expr

    def build_postfix(self, node):
        value = self.build(node.operand)
        if node.op == "'":
            value = self.reading.conj(value)
        return Transpose(value) if is_matrix(value) else value

    def build_binary(self, node):
        """As the Builder's; and |Z|.^(2k) = (Z ∘ Z̄).^k, since sqrt(x)² = x for every
        complex x (principal branch): the modulus squared has no square root left."""
        value = super().build_binary(node)
        if isinstance(value, HadamardPower) and isinstance(value.base, Elementwise) \
                and value.base.function == "sqrt" and value.exp.is_Integer \
                and value.exp % 2 == 0 and self.reading.is_complex(value.base):
            half = value.exp // 2
            return value.base.arg if half == 1 else HadamardPower(value.base.arg, half)
        return value

    def build_call(self, node):
        name = node.name
        if name in self.env or name in HOLOMORPHIC:
            return super().build_call(node)
        # Any other function (relu, max, softmax, dot, an abstract f): only of real values.
        for arg in node.args:
            if self.reading.is_complex(self.build(arg)):
                self.error(_refusal(name), node)
        return super().build_call(node)

    def abstract_function(self, node):
        self.error(f"abstract function {node.name}(...) beside complex names is not "
                   "supported yet", node)

    abstract_gradient = abstract_function

    # -- the complex meaning of the grammar's functions --------------------------------
    def call_conj(self, node, value):
        return self.reading.conj(value)

    def call_real(self, node, value):
        return self.multiply(sympy.Rational(1, 2), self.add(value, self.reading.conj(value),
                                                            node), node)

    def call_imag(self, node, value):
        # (Z - Z̄)/(2i) = -i/2 (Z - Z̄)
        difference = self.add(value, self.negate(self.reading.conj(value)), node)
        return self.multiply(-sympy.I / 2, difference, node)

    def call_abs(self, node, value):
        """|Z| entry by entry: sqrt(Z ∘ Z̄), which is real and not holomorphic."""
        if not self.reading.is_complex(value):
            return self.elementwise("abs", node, value)
        conj = self.reading.conj(value)
        if is_matrix(value) and not is_one_by_one(value):
            return Elementwise("sqrt", hadamard_product(value, conj))
        return sympy.sqrt(as_scalar(value) * as_scalar(conj))

    def call_norm(self, node, value, *order):
        """‖Z‖ (Frobenius; of a vector, Euclidean): sqrt(⟨Z̄, Z⟩) = sqrt(Σ |Z_ij|²)."""
        if not self.reading.is_complex(value):
            return super().call_norm(node, value, *order)
        if order and not (1 in shape_of(scalar_as_matrix(value)) and as_scalar(order[0]) == 2):
            self.error("of a complex matrix only the Frobenius norm norm(Z) (of a vector, "
                       "norm(z) = norm(z, 2)) has a rule in matderiv", node)
        value = scalar_as_matrix(value)
        conj = self.reading.conj(value)
        if not is_matrix(value) or is_one_by_one(value):
            return sympy.sqrt(as_scalar(value) * as_scalar(conj))
        return sympy.sqrt(Inner(conj, value))


def _refusal(name: str) -> str:
    if name in ("dot", "inner"):
        return (f"{name}(a, b) of complex values is ambiguous (MATLAB's dot conjugates a): "
                "write a'*b for aᴴb, or a.'*b")
    return (f"{name}(...) of a complex value has no complex rule in matderiv (it is not "
            f"holomorphic, or not written yet); the complex functions are "
            f"{', '.join(sorted(HOLOMORPHIC - {'I', 'K', 'ones', 'Delta'}))}")


def _checked_names(env, names, what: str) -> tuple[str, ...]:
    if isinstance(names, str) or not isinstance(names, (list, tuple, set, frozenset)):
        raise MatDerivError(f"{what} must be a list of names, such as [\"Z\"]")
    for name in names:
        if not isinstance(name, str) or name not in env:
            raise MatDerivError(f"{what} name {name!r} is not a name of the formula")
        if not isinstance(env[name], MatrixSymbol):
            raise MatDerivError(f"{what} {name!r} is a scalar or a size; a complex name must be "
                                "a matrix or a vector (declare a complex scalar 1x1: -s c=1,1)")
    return tuple(dict.fromkeys(names))


__all__ = ["ComplexBuilder", "ComplexReading", "HOLOMORPHIC", "conjugate_name"]

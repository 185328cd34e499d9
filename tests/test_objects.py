"""matderiv's own SymPy objects behave as SymPy would have them."""

import sympy
from sympy.core.assumptions import _assume_defined
from sympy.core.cache import clear_cache

from matderiv.expressions import (
    AbstractFunction,
    FrobeniusNorm,
    Inner,
    MatDiff,
    OpaqueScalar,
    ScalarDiff,
    ScalarOf,
    SumEntries,
)

n = sympy.Symbol("n", integer=True, positive=True)
X, a = sympy.MatrixSymbol("X", n, n), sympy.MatrixSymbol("a", n, 1)


class _Deduced(sympy.Expr):
    """A commutative scalar whose assumptions SymPy's assumption system deduces."""

    is_commutative = True


def test_opaque_scalars_state_the_assumptions_sympy_deduces():
    """OpaqueScalar states every assumption up front (for speed); each must be what
    SymPy deduces for a commutative scalar it knows nothing else about."""
    scalars = [ScalarOf(a.T * X * a), FrobeniusNorm(X), SumEntries(X), Inner(X, MatDiff(X)),
               ScalarDiff(ScalarOf(a.T * a)), AbstractFunction("f", X)]
    assert all(isinstance(s, OpaqueScalar) for s in scalars)
    for scalar in scalars:
        clear_cache()
        deduced = sympy.Basic.__new__(_Deduced, *scalar.args)
        for fact in sorted(_assume_defined):
            assert getattr(scalar, "is_" + fact) == getattr(deduced, "is_" + fact), fact
        # and in SymPy's arithmetic, which asks them of the factors and terms
        for built in (lambda s: 2 * s, lambda s: s + 1, lambda s: s**2, lambda s: -s):
            ours, theirs = built(scalar), built(deduced)
            for fact in ("zero", "finite", "real", "positive", "nonzero"):
                assert getattr(ours, "is_" + fact) == getattr(theirs, "is_" + fact), fact


def test_size_symbols_are_sympys():
    """objects.size_symbol gives a size the facts of one made once: it is SymPy's Symbol
    in every way a test can see, and its facts are made on this SymPy, not a fallback."""
    import sympy

    from matderiv.expressions.sizes import _SIZE_FACTS, size_symbol
    assert _SIZE_FACTS is not None  # else sizes are SymPy's own, correct but slower
    for name in ("n", "m", "N_1", "_a"):
        ours, sympys = size_symbol(name), sympy.Symbol(name, integer=True, positive=True)
        assert ours == sympys and hash(ours) == hash(sympys)
        assert sympy.srepr(ours) == sympy.srepr(sympys) and ours.sort_key() == sympys.sort_key()
        assert ours.assumptions0 == sympys.assumptions0
        for fact in ("integer", "positive", "real", "zero", "nonnegative", "even", "prime"):
            assert getattr(ours, f"is_{fact}") == getattr(sympys, f"is_{fact}"), fact
        assert (ours * ours) == sympys ** 2 and ours - 1 != ours
        assert sympy.Symbol(name, integer=True, positive=True) in {ours}

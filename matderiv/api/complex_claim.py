"""Judging a claimed Wirtinger derivative (``check --claim`` with complex names).

The claim is read with the formula's complex names (so ``A'`` is Aᴴ) and compared at
random complex points with matderiv's result, itself checked against finite differences
along real and imaginary directions. A wrong claim is tried against the mistakes hand
derivations make, each named: the conjugate (∂F/∂Z given for ∂F/∂Z̄), a factor 2 (the
gradient ∂F/∂Re Z + i ∂F/∂Im Z = 2 ∂F/∂Z̄), the other Jacobian.

>>> from matderiv import derive
>>> d = derive("z'*H*z", wrt="z", shapes={"z": ("n", 1)}, complex=["z"], hermitian=["H"])
>>> check_complex_claim(d, "H*z").verdict
'correct'
>>> check_complex_claim(d, "2*H*z").explanation.split(":")[0]
'wrong by a factor 2'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import MatDerivError
from ..render import to_text


@dataclass(frozen=True)
class ComplexVerdict:
    """The outcome of checking one claim against a complex derivation."""

    verdict: str          # "correct" or "wrong"
    explanation: str
    claim: str
    result: object        # matderiv's result (SymPy)
    kind: str
    conjugate: bool

    @property
    def exit_code(self) -> int:
        return 0 if self.verdict == "correct" else 1

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "explanation": self.explanation, "claim": self.claim,
                "result": to_text(self.result), "kind": self.kind, "conjugate": self.conjugate}

    def text(self) -> str:
        return f"{self.verdict.upper()}: {self.explanation}\n  matderiv: {to_text(self.result)}"


#: The mistakes tried, in order: (name, what the claim is then, in terms of the result).
def _mistakes(derivation, kind, conjugate):
    conj = derivation.reading.conj
    if kind == "gradient":
        yield "wrong by a factor 2", lambda r: 2 * r, (
            "the claim is 2 ∂F/∂Z̄, the gradient ∂F/∂Re Z + i ∂F/∂Im Z; matderiv's gradient "
            "is ∂F/∂Z̄, with dF = 2 Re⟨∂F/∂Z̄, dZ⟩")
        yield "the conjugate", conj, (
            "the claim is conj(∂F/∂Z̄) = ∂F/∂Z (F real): the gradient is ∂F/∂Z̄")
    else:
        other = derivation.jacobian(vec="col", conjugate=not conjugate)
        yield "the other Jacobian", lambda r: other, (
            f"the claim is the Jacobian by {'Z' if conjugate else 'Z̄'}, not by "
            f"{'Z̄' if conjugate else 'Z'} (jacobian(conjugate={not conjugate}))")


def check_complex_claim(derivation, claim: str, kind: str | None = None, vec: str = "col",
                        conjugate: bool = False, points: int = 3) -> ComplexVerdict:
    """Judge ``claim`` (text in the complex grammar) against ``derivation``'s result."""
    from ..numeric.complex_check import point
    from ..numeric.complex_values import complex_evaluate
    if not isinstance(claim, str):
        raise MatDerivError("a claim with complex names must be text in the grammar")
    kind = kind or ("gradient" if derivation.is_scalar and not conjugate else "jacobian")
    if kind not in ("gradient", "jacobian"):
        raise MatDerivError(f"a claimed {kind} by complex names is not checked yet")
    result = derivation.gradient() if kind == "gradient" else \
        derivation.jacobian(vec=vec, conjugate=conjugate)
    claimed = derivation.reading.builder(claim).build_text(claim)
    derivation.check()  # the result itself against finite differences first
    symbols = [s for s in derivation.env.values() if hasattr(s, "shape")]
    rng = np.random.default_rng(17)
    values = [point(derivation, rng) for _ in range(points)]

    def same(one, other) -> bool:
        for at in values:
            a = np.asarray(complex_evaluate(one, at, symbols=symbols))
            b = np.asarray(complex_evaluate(other, at, symbols=symbols))
            if a.size != b.size:
                return False
            scale = 1 + float(np.abs(b).max(initial=0))
            if not np.allclose(a.reshape(-1), b.reshape(-1), rtol=1e-7, atol=1e-9 * scale):
                return False
        return True

    if same(claimed, result):
        return ComplexVerdict("correct", f"the claim agrees with matderiv's result at "
                              f"{points} random complex points", claim, result, kind, conjugate)
    for name, mistake, explanation in _mistakes(derivation, kind, conjugate):
        if same(claimed, mistake(result)):
            return ComplexVerdict("wrong", f"{name}: {explanation}", claim, result, kind,
                                  conjugate)
    return ComplexVerdict("wrong", "the claim differs from matderiv's result at a random "
                          "complex point", claim, result, kind, conjugate)


__all__ = ["ComplexVerdict", "check_complex_claim"]

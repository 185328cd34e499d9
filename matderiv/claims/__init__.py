"""Checking a claimed derivative: confirm it, say in which convention it holds, or
refute it with its smallest counterexample and a diagnosis of the mistake.

It owns the readings of a derivative and the verdicts (``readings``), the claim's text
(``claim_text``), the judgement (``judge``), the diagnoses of a wrong claim
(``diagnose``) and their words (``explain``). It reads a derivation through its results
and may import ``matderiv.errors``, ``expressions``, ``syntax`` (the claim is read by the
formula grammar), ``render`` and ``numeric`` (numbers decide).

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> check_claim(d, "kron(a', I(m))").verdict
'correct'
"""

from .judge import check_claim
from .readings import Counterexample, Reading, Verdict

__all__ = ["Counterexample", "Reading", "Verdict", "check_claim"]

"""Proofs as data, from the derivation's own trace: the rules proof (each line naming
the catalog rules that justify it) and the element-wise proof (one entry with index
sums, differentiated, laid out, and checked against the closed form at every entry).

It owns the records ``Proof``, ``Section`` and ``Line`` (``data``), ``rules_proof`` and
``elementwise_proof``. They read a finished derivation through its attributes and never
import the module that defines it; they may import ``matderiv.errors``, ``deadline``,
``expressions``, ``numeric`` (the entry checks) and ``engine`` (conventions). Rendering
them as text or LaTeX is ``matderiv.render``'s.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> [section.heading for section in d.proof("rules").sections]
['Differential', 'Identification', 'Conclusion']
"""

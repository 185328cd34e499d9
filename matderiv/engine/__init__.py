"""The engine: the rule catalog, the matcher, the strategies that apply rules with a
trace, and the phases of a derivation (differential, identification, simplification).

It owns the catalog (``catalog``: the TOML records of ``rules/``, loaded and indexed),
the pattern matcher (``matcher``) and rule conditions (``conditions``), rule application
with tracing (``rewrite``: ``ProofStep``, budgets), the phases (``phases``), the
conventions results are stated in (``conventions``) and the 4-index tensor
(``tensor``). It may import ``matderiv.errors``, ``expressions`` and ``syntax`` (rules
are written in the formula grammar); it computes no numbers: a phase that rewrites a
result is handed the check that keeps its value.

>>> from matderiv.engine.catalog import catalog
>>> str(catalog().rule("d-inverse"))
'd(inv(X)) => -inv(X)*d(X)*inv(X)'
"""

"""Many derivations from one TOML file, for a document of proofs or a table of checks.

A batch file::

    title = "Seed results"

    [[derivation]]
    name = "seed 1"                         # optional; default: the formula
    formula = "W*a"
    wrt = "W"
    shapes = { W = "m,n", a = "n,1" }
    vec = "col"                             # optional: col or row

A bad entry is reported by name and the good ones are still derived.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .derivation import Derivation, derive
from .errors import MatDerivError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_KEYS = {"name", "formula", "wrt", "shapes", "vec", "layout"}


@dataclass(frozen=True)
class BatchEntry:
    name: str
    derivation: Derivation | None
    vec: str = "col"
    error: str | None = None


def read_batch(path: str) -> tuple[str, list[dict]]:
    """The title and the raw entries of a batch file; one clear error if unreadable."""
    try:
        with open(path, "rb") as stream:
            data = tomllib.load(stream)
    except FileNotFoundError:
        raise MatDerivError(f"batch file {path} does not exist") from None
    except OSError as error:
        raise MatDerivError(f"cannot read batch file {path}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MatDerivError(f"batch file {path} is not valid TOML: {error}") from None
    entries = data.get("derivation")
    if not isinstance(entries, list) or not entries:
        raise MatDerivError(f"batch file {path} has no [[derivation]] entries")
    return str(data.get("title", "Matrix derivatives")), entries


def derive_entry(number: int, raw) -> BatchEntry:
    """Derive one entry, or record why it failed under its name."""
    name = raw.get("name") or raw.get("formula") or f"entry {number}" \
        if isinstance(raw, dict) else f"entry {number}"
    try:
        if not isinstance(raw, dict):
            raise MatDerivError("an entry must be a table")
        unknown = set(raw) - _KEYS
        if unknown:
            raise MatDerivError(f"unknown keys {sorted(unknown)}")
        for key in ("formula", "wrt"):
            if not isinstance(raw.get(key), str):
                raise MatDerivError(f"'{key}' must be given as text")
        vec = raw.get("vec", "col")
        if vec not in ("col", "row"):
            raise MatDerivError(f"vec must be col or row, not {vec!r}")
        derivation = derive(raw["formula"], wrt=raw["wrt"], shapes=raw.get("shapes", {}),
                            layout=raw.get("layout", "numerator"))
        kind = "gradient" if derivation.is_scalar else "jacobian"
        derivation.proof("rules", kind=kind, vec=vec)  # fail here, not while rendering
        return BatchEntry(str(name), derivation, vec)
    except MatDerivError as error:
        return BatchEntry(str(name), None, error=error.one_line())
    except RecursionError:
        return BatchEntry(str(name), None, error="the formula is nested too deeply")

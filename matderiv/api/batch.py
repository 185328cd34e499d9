"""Many derivations from one TOML file, for a document of proofs or a table of checks.

A batch file::

    title = "Seed results"

    [[derivation]]
    name = "seed 1"                         # optional; default: the formula
    formula = "W*a"
    wrt = "W"
    shapes = { W = "m,n", a = "n,1" }
    vec = "col"                             # optional: col or row
    # optional: symmetric = ["S"], diagonal = ["D"], symmetric_convention = "cookbook"

A file of claims to check (``matderiv check --batch``) has ``[[claim]]`` entries with
the same keys plus ``claim`` (the claimed result, in the grammar) and ``kind``
(gradient, jacobian or hessian; optional)::

    [[claim]]
    name = "seed 1"
    formula = "W*a"
    wrt = "W"
    shapes = { W = "m,n", a = "n,1" }
    claim = "kron(a', I(m))"

A bad entry is reported by name and the good ones are still derived.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass

from ..errors import MatDerivError
from .derivation import Derivation, derive

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_KEYS = {"name", "formula", "wrt", "shapes", "vec", "layout", "symmetric", "diagonal",
         "symmetric_convention"}
_CLAIM_KEYS = _KEYS | {"claim", "kind"}


@dataclass(frozen=True)
class BatchEntry:
    name: str
    derivation: Derivation | None
    vec: str = "col"
    error: str | None = None


@dataclass(frozen=True)
class ClaimEntry:
    """One checked claim of a batch: its verdict, or why it could not be checked."""

    name: str
    verdict: object | None
    claim: str | None = None
    error: str | None = None

    @property
    def exit_code(self) -> int:
        return 2 if self.error else self.verdict.exit_code


#: Largest batch file read, in bytes (a thousand derivations are about 100 KB).
MAX_BATCH_BYTES = 1_000_000


def read_batch(path: str, table: str = "derivation") -> tuple[str, list[dict]]:
    """The title and the raw entries of a batch file; one clear error if unreadable.

    Only a regular file is read (not /dev/zero, a pipe or a socket, which could be read
    without end or block forever), and at most MAX_BATCH_BYTES of it.
    """
    try:
        info = os.stat(path)  # (follows a symbolic link to what it names)
        if stat.S_ISDIR(info.st_mode):
            raise MatDerivError(f"batch file {path} is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise MatDerivError(f"batch file {path} is not a regular file (a device, a pipe "
                                "or a socket): give a TOML file")
        if info.st_size > MAX_BATCH_BYTES:
            raise MatDerivError(f"batch file {path} is {info.st_size:,} bytes; the limit is "
                                f"{MAX_BATCH_BYTES:,}")
        with open(path, "rb") as stream:
            raw = stream.read(MAX_BATCH_BYTES + 1)
        if len(raw) > MAX_BATCH_BYTES:
            raise MatDerivError(f"batch file {path} is over {MAX_BATCH_BYTES:,} bytes")
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise MatDerivError(f"batch file {path} does not exist") from None
    except OSError as error:
        raise MatDerivError(f"cannot read batch file {path}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MatDerivError(f"batch file {path} is not valid TOML: {error}") from None
    except RecursionError:
        raise MatDerivError(f"batch file {path} is nested too deeply") from None
    entries = data.get(table)
    if not isinstance(entries, list) or not entries:
        raise MatDerivError(f"batch file {path} has no [[{table}]] entries")
    return str(data.get("title", "Matrix derivatives")), entries


def _entry_name(number: int, raw) -> str:
    if not isinstance(raw, dict):
        return f"entry {number}"
    return str(raw.get("name") or raw.get("formula") or f"entry {number}")


def _checked_entry(raw, keys, required) -> str:
    """The entry's vec, after checking its keys; MatDerivError names what is wrong."""
    if not isinstance(raw, dict):
        raise MatDerivError("an entry must be a table")
    unknown = set(raw) - keys
    if unknown:
        raise MatDerivError(f"unknown keys {sorted(unknown)}")
    for key in required:
        if not isinstance(raw.get(key), str):
            raise MatDerivError(f"'{key}' must be given as text")
    vec = raw.get("vec", "col")
    if vec not in ("col", "row"):
        raise MatDerivError(f"vec must be col or row, not {vec!r}")
    return vec


def _structure(raw) -> dict:
    """An entry's structured variables (docs/structured.md): derive's keywords."""
    return {"symmetric": raw.get("symmetric", ()), "diagonal": raw.get("diagonal", ()),
            "symmetric_convention": raw.get("symmetric_convention", "symmetric")}


def check_entry(number: int, raw) -> ClaimEntry:
    """Check one claim of a batch, or record why it could not be checked."""
    name = _entry_name(number, raw)
    claim = raw.get("claim") if isinstance(raw, dict) else None
    try:
        vec = _checked_entry(raw, _CLAIM_KEYS, ("formula", "wrt", "claim"))
        derivation = derive(raw["formula"], wrt=raw["wrt"], shapes=raw.get("shapes", {}),
                            **_structure(raw))
        verdict = derivation.check_claim(claim, kind=raw.get("kind"), vec=vec,
                                         layout=raw.get("layout"))
        return ClaimEntry(name, verdict, claim)
    except MatDerivError as error:
        return ClaimEntry(name, None, claim if isinstance(claim, str) else None,
                          error=error.one_line())
    except RecursionError:
        return ClaimEntry(name, None, None, error="the formula is nested too deeply")


def failed_entry(claim: bool, number: int, raw, error: str):
    """The entry (a ClaimEntry where ``claim``, else a BatchEntry) failed with ``error``:
    for an entry stopped from outside, by its time budget."""
    name = _entry_name(number, raw)
    if claim:
        claim = raw.get("claim") if isinstance(raw, dict) else None
        return ClaimEntry(name, None, claim if isinstance(claim, str) else None, error=error)
    return BatchEntry(name, None, error=error)


def derive_entry(number: int, raw) -> BatchEntry:
    """Derive one entry, or record why it failed under its name."""
    name = _entry_name(number, raw)
    try:
        vec = _checked_entry(raw, _KEYS, ("formula", "wrt"))
        derivation = derive(raw["formula"], wrt=raw["wrt"], shapes=raw.get("shapes", {}),
                            layout=raw.get("layout", "numerator"), **_structure(raw))
        kind = "gradient" if derivation.is_scalar else "jacobian"
        derivation.proof("rules", kind=kind, vec=vec)  # fail here, not while rendering
        return BatchEntry(name, derivation, vec)
    except MatDerivError as error:
        return BatchEntry(name, None, error=error.one_line())
    except RecursionError:
        return BatchEntry(name, None, error="the formula is nested too deeply")

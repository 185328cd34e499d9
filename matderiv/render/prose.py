r"""Proof prose as LaTeX: the mathematics written plainly in a sentence (``<G, dX>``,
``vec(dF) = J vec(dX)``, ``G_ij = dF/dX_ij``, ``δ``) set as inline mathematics, the
words escaped. In text mode ``<`` and ``>`` print as ¡ and ¿ and ``_`` as a literal
underscore: nothing of the kind is left in text mode.

>>> print(prose_latex("Bring each term to the form <G, dX> = tr(G' dX)."))
Bring each term to the form $\langle G, \mathrm{d}X \rangle = \operatorname{tr}(G^{T} \mathrm{d}X)$.
>>> prose_latex("gradient as matrix: G has the shape of X and G_ij = dF/dX_ij")
'gradient as matrix: $G$ has the shape of $X$ and $G_{ij} = \\partial F / \\partial X_{ij}$'
"""

from __future__ import annotations

import re

from .escape import printable

_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}"}
_TEXT_SYMBOLS = {"∂": r"$\partial$", "⊗": r"$\otimes$", "ᵀ": r"$^{T}$", "δ": r"$\delta$",
                 "·": r"$\cdot$", "Σ": r"$\Sigma$", "−": "-", "—": "---", "–": "--",
                 "×": r"$\times$", "’": "'", "…": r"\dots{}"}

_NAME = r"[A-Za-z][A-Za-z0-9]*"
_CALL = r"(?:vecr?|tr|reshape|diag)\((?:[^()]|\([^()]*\))*\)"
_SIZES = r"[mnpqk] x [mnpqk]"
#: One piece of plain mathematics in a sentence, tried in this order.
_ATOMS = [
    r"<[^<>]{1,80}>",                                       # <G, dX>
    rf"(?:[∂d] ?)?{_CALL}'?(?: ?/ ?[∂d] ?{_CALL}'?)?",      # d vec(F) / d vec(X), tr(G' dX)
    rf"[∂d]{_NAME}(?:_\w+)? ?/ ?[∂d]{_NAME}(?:_\w+)?",      # dF/dX_ij, ∂F_ij / ∂X_kl
    rf"{_NAME}\[[\w,]+\]",                                  # T[i,j,k,l]
    r"δ_\w+",                                               # δ_ip
    r"\([^()]*\)·[\w*]+(?: \+ \w+)?",                       # (q-1)·m + p
    _SIZES,                                                 # m x n
    r"[A-Z][0-9]*(?='s\b)",                                 # W's
    rf"{_NAME}_\w+'?",                                      # G_ij, F_i
    r"d[A-Z][A-Za-z0-9]*",                                  # dX, dW1
    r"[A-Z][0-9]*'?(?![A-Za-z'])",                          # J, G, F, X, W1, J'
]
_JOIN = re.compile(r"\s*(?:=|/|\+|·)\s*|\s")  # what may stand between two atoms of one span
_ENGLISH = {"A", "I", "a", "an", "as", "at", "be", "by", "i", "if", "in", "is", "it", "of",
            "on", "or", "so", "to", "we"}  # words first: math only next to an operator
_DERIVATIVE = re.compile(r"(^|[\s(=])[∂d] ?((?:\\operatorname\{vecr?\}\([^()]*\)|[A-Za-z]\w*)"
                         r"(?:_\w+)?'?) ?/ ?[∂d] ?((?:\\operatorname\{vecr?\}\([^()]*\)|"
                         r"[A-Za-z]\w*)(?:_\w+)?'?)")


def escape(text: str) -> str:
    """Plain words made safe for LaTeX text mode (symbols as mathematics)."""
    out = "".join(_ESCAPES.get(ch, ch) for ch in printable(text))
    for old, new in _TEXT_SYMBOLS.items():
        out = out.replace(old, new)
    return "".join(ch if ch.isascii() else _letter_latex(ch) for ch in out)


def math_latex(text: str) -> str:
    """One plain piece of mathematics as LaTeX math (no dollars)."""
    out = text.replace("<", r"\langle ").replace(">", r" \rangle")
    out = re.sub(r"\b(vecr?|tr|reshape|diag)\(", r"\\operatorname{\1}(", out)
    out = _DERIVATIVE.sub(r"\1\\partial \2 / \\partial \3", out)
    out = re.sub(r"(^|[\s(,])d ?(?=\\operatorname)", r"\1\\mathrm{d}", out)
    out = re.sub(r"(^|[\s(,])d([A-Za-z]\w*)", r"\1\\mathrm{d}\2", out)
    out = out.replace("∂", r"\partial ").replace("δ", r"\delta").replace("·", r" \cdot ")
    out = re.sub(r"(?<=[\w)\]])'", "^{T}", out)
    out = re.sub(r"\*\*(\d+)", r"^{\1}", out).replace("*", " ")
    out = re.sub(r"_(\w+)", r"_{\1}", out)
    out = re.sub(r"(?<![\\\w])([A-Za-z])(\d+)\b", r"\1_{\2}", out)
    out = re.sub(r"\b([mnpqk]) x ([mnpqk])\b", r"\1 \\times \2", out)
    return re.sub(r"\\partial\s+", r"\\partial ", out)


def prose_latex(text: str, names=()) -> str:
    """A sentence of a proof or a convention: its mathematics in ``$...$``, words escaped.
    ``names`` (the variable's) are mathematics wherever they stand as words."""
    out, position = [], 0
    for start, end in _spans(text, names):
        out.append(escape(text[position:start]))
        out.append("$%s$" % math_latex(text[start:end]))
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def _atoms(names):
    extra = [rf"d{re.escape(n)}\b" for n in names] + [
        rf"{re.escape(n)}(?='s\b)|\b{re.escape(n)}\b(?!')" for n in names]
    return re.compile("|".join(f"(?:{a})" for a in _ATOMS + extra))


def _spans(text: str, names=()):
    """The runs of mathematics in ``text``: atoms, joined by operators or one space."""
    atoms = [m for m in _atoms(names).finditer(text) if _is_math(text, m)]
    spans: list[list[int]] = []
    for atom in atoms:
        if spans and _JOIN.fullmatch(text[spans[-1][1]:atom.start()]) and not re.fullmatch(
                _SIZES, atom.group()):
            spans[-1][1] = atom.end()
        else:
            spans.append([atom.start(), atom.end()])
    return [tuple(span) for span in spans]


def _is_math(text: str, match) -> bool:
    """An atom is mathematics unless it is an English word away from any operator, or
    the tail of a longer word."""
    word = match.group()
    before = text[match.start() - 1:match.start()] if match.start() else ""
    if before and (before.isalnum() or before in "_'"):
        return False
    if word in _ENGLISH:
        after = text[match.end():match.end() + 3]
        return after[:1] in ("'", "_") or after.strip()[:1] in ("=", "+", "/")
    return True


#: TeX's accents, by the combining mark Unicode decomposes an accented letter into.
_ACCENTS = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=",
            "\u0306": "u", "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H",
            "\u030c": "v", "\u0327": "c", "\u0328": "k"}
_LETTERS = {"ß": r"\ss{}", "æ": r"\ae{}", "Æ": r"\AE{}", "ø": r"\o{}", "Ø": r"\O{}",
            "œ": r"\oe{}", "Œ": r"\OE{}", "ł": r"\l{}", "Ł": r"\L{}", "ı": r"\i{}",
            "«": r"\guillemotleft{}", "»": r"\guillemotright{}", "“": "``", "”": "''",
            "‘": "`", "µ": r"$\mu$"}
_GREEK_SMALL = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
                "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon",
                "phi", "chi", "psi", "omega"}
#: Capital Greek letters: TeX's command, or the Latin letter that looks the same.
_GREEK_CAPITALS = {"GAMMA": r"$\Gamma$", "DELTA": r"$\Delta$", "THETA": r"$\Theta$",
                   "LAMDA": r"$\Lambda$", "XI": r"$\Xi$", "PI": r"$\Pi$",
                   "SIGMA": r"$\Sigma$", "UPSILON": r"$\Upsilon$", "PHI": r"$\Phi$",
                   "PSI": r"$\Psi$", "OMEGA": r"$\Omega$", "ALPHA": "A", "BETA": "B",
                   "EPSILON": "E", "ZETA": "Z", "ETA": "H", "IOTA": "I", "KAPPA": "K",
                   "MU": "M", "NU": "N", "OMICRON": "O", "RHO": "P", "TAU": "T", "CHI": "X"}


def _letter_latex(ch: str) -> str:
    r"""A non-ASCII letter as plain LaTeX sets it; '?' for one it cannot without packages.

    >>> _letter_latex("é"), _letter_latex("ø"), _letter_latex("ω"), _letter_latex("Ω")
    ("\\'{e}", '\\o{}', '$\\omega$', '$\\Omega$')
    >>> _letter_latex("日")
    '?'
    """
    import unicodedata
    if ch in _LETTERS:
        return _LETTERS[ch]
    base, *marks = unicodedata.normalize("NFD", ch)
    if base.isascii() and base.isalpha() and marks and all(m in _ACCENTS for m in marks):
        out = "\\" + base if base in "ij" else base  # dotless i and j under an accent
        for mark in marks:
            out = "\\%s{%s}" % (_ACCENTS[mark], out)
        return out
    name = unicodedata.name(ch, "")
    letter = name.rsplit(" ", 1)[-1]
    if name.startswith("GREEK SMALL LETTER ") and " WITH " not in name:
        if letter == "OMICRON":
            return "o"
        word = "lambda" if letter == "LAMDA" else letter.lower()
        return "$\\%s$" % word if word in _GREEK_SMALL else "?"
    if name.startswith("GREEK CAPITAL LETTER ") and " WITH " not in name:
        return _GREEK_CAPITALS.get(letter, "?")
    return "?"

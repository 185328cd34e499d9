r"""LaTeX formula text -> tokens, each with its span in the LaTeX source.

Brackets of every size become one token (``\left(``, ``\bigl(`` and ``(`` are all
``(``); spacing commands vanish; a run of letters and digits is one ``word`` (the
parser splits it into names). Nothing is ever evaluated.

>>> [t.text for t in latex_tokens(r"\left( A X^\top \right)\, b_1")]
['(', 'A', 'X', '^', 'top', ')', 'b', '_', '1', '']
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import MatDerivError
from .grammar import FUNCTIONS
from .limits import MAX_LENGTH, MAX_NUMBER_LENGTH, MAX_TOKENS

#: Commands that only space or size things: dropped.
SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "big",
           "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl",
           "Biggr", "left", "right", "middle", "limits", "nolimits"}

#: Delimiter commands, and the bracket token each stands for.
DELIMITERS = {"|": "‖", "Vert": "‖", "lVert": "‖", "rVert": "‖", "langle": "⟨",
              "rangle": "⟩", "{": "{", "}": "}", "lbrack": "(", "rbrack": ")",
              "lparen": "(", "rparen": ")"}

GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
         "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "varrho",
         "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta",
         "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}


#: Commands that name a grammar function.
FUNCTION_COMMANDS = {"det": "det", "log": "log", "exp": "exp", "tanh": "tanh", "sin": "sin",
                     "cos": "cos", "tr": "tr", "Tr": "tr", "trace": "tr", "diag": "diag",
                     "vec": "vec", "sqrt": "sqrt", "tan": "tan", "arctan": "atan",
                     "arcsin": "asin", "arccos": "acos", "sinh": "sinh", "cosh": "cosh",
                     "max": "max", "min": "min"}
#: Commands whose braced argument is a word: a function name, or a name.
FONT_COMMANDS = {"operatorname", "mathrm", "text", "textrm", "mathit", "mathbf", "boldsymbol",
                 "bm", "mathcal", "mathsf", "textbf", "vec"}
#: Infix operator commands, as the formula grammar writes them.
INFIX_COMMANDS = {"cdot": "*", "times": "*", "odot": ".*", "circ": ".*", "oslash": "./",
                  "otimes": "kron"}
TRANSPOSE_COMMANDS = {"top", "intercal", "prime"}
#: The binding power of a unary sign, and so of a function's unbracketed argument.
UNARY_POWER = 25


def known_function(word: str) -> str | None:
    """The grammar function a word in \\operatorname{...} names, or None."""
    word = {"Tr": "tr", "trace": "tr", "sigma": "sigmoid"}.get(word, word)
    return word if word in FUNCTIONS else None


@dataclass(frozen=True)
class LatexToken:
    """``kind``: "word" (letters and digits), "num", "cmd" (``\name``, text without the
    backslash), "op" (one character or a bracket), "end"."""

    kind: str
    text: str
    span: tuple[int, int]


def latex_tokens(text: str) -> list[LatexToken]:
    """Split LaTeX into tokens, or raise naming the first character that fits none."""
    if len(text) > MAX_LENGTH:
        raise MatDerivError(f"formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    tokens: list[LatexToken] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in " \t\n~":
            i += 1
            continue
        if ch == "\\":
            i = _command(text, i, tokens)
        elif ch.isdigit() or (ch == "." and text[i + 1:i + 2].isdigit()):
            j = i
            while j < len(text) and text[j].isdigit():
                j += 1
            if text[j:j + 1] == "." and text[j + 1:j + 2].isdigit():
                j += 1
                while j < len(text) and text[j].isdigit():
                    j += 1
            if j - i > MAX_NUMBER_LENGTH:
                raise MatDerivError(f"number is {j - i} characters long; the limit is "
                                    f"{MAX_NUMBER_LENGTH}", source=text, span=(i, j))
            tokens.append(LatexToken("num", text[i:j], (i, j)))
            i = j
        elif ch.isascii() and ch.isalpha():
            j = i + 1
            while j < len(text) and text[j].isascii() and text[j].isalnum():
                j += 1
            tokens.append(LatexToken("word", text[i:j], (i, j)))
            i = j
        elif ch in "+-*/^_'()[]{},|.":
            tokens.append(LatexToken("op", ch, (i, i + 1)))
            i += 1
        else:
            raise MatDerivError(f"unexpected character {ch!r}", source=text, span=(i, i + 1))
        if len(tokens) > MAX_TOKENS:
            raise MatDerivError(f"formula has more than {MAX_TOKENS} tokens")
    tokens.append(LatexToken("end", "", (len(text), len(text))))
    return _joined_brackets(tokens, text)


def _command(text: str, i: int, tokens: list) -> int:
    """Read the command at ``text[i] == '\\'``; append its token (if any); return the end."""
    j = i + 1
    while j < len(text) and text[j].isascii() and text[j].isalpha():
        j += 1
    if j == i + 1:  # a one-character command: \, \; \| \{ \}
        if j >= len(text):
            raise MatDerivError("a backslash ends the formula", source=text, span=(i, j))
        j += 1
    name = text[i + 1:j]
    if name in SPACING:
        if name in ("left", "right", "middle") or name.startswith(("big", "Big")):
            tokens.append(LatexToken("size", name, (i, j)))
        return j
    if name in DELIMITERS:
        tokens.append(LatexToken("op", DELIMITERS[name], (i, j)))
    else:
        tokens.append(LatexToken("cmd", name, (i, j)))
    return j


def _joined_brackets(tokens: list, text: str) -> list:
    """``\\left(`` is one token ``(`` spanning both; ``\\left.`` and ``\\right.`` vanish."""
    out: list = []
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        if tok.kind != "size":
            out.append(tok)
            k += 1
            continue
        nxt = tokens[k + 1]
        if nxt.kind == "op" and nxt.text == ".":
            k += 2
            continue
        if nxt.kind != "op" or nxt.text not in "()[]‖⟨⟩{}":
            if tok.text in ("left", "right", "middle"):
                raise MatDerivError(f"\\{tok.text} must be followed by a bracket such as ( "
                                    "or \\|", source=text, span=tok.span)
            k += 1  # \big before something else: only a size, dropped
            continue
        out.append(LatexToken("op", nxt.text, (tok.span[0], nxt.span[1])))
        k += 2
    return out

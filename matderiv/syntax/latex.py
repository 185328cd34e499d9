r"""LaTeX formula text -> the same syntax tree as the formula grammar (``tree``).

A second front end: ``\operatorname{tr}(A X B)`` reads as ``tr(A*X*B)`` does, and then
goes through the same ``Builder``. Nothing is ever evaluated; an error names the column
of the LaTeX source.

>>> parse_latex(r"\operatorname{tr}(A X B)").name
'tr'
>>> parse_latex(r"X^{-\top}", names={"X"}).op
'T'

Juxtaposition is a product (``A X B``); a run of letters is one name only when it spells
a declared name (``names``), else a letter each (``AX`` is A X). A declared name
followed by a bracket is a product, ``A(B + C)``; an undeclared one is an abstract
function, ``f(W x)``. ``W_1``, ``W_{1}`` and ``W1`` name ``W1`` or ``W_1``, whichever
is declared (SymPy prints both as ``W_{1}``). ``e^{x}`` is exp(x).
"""

from __future__ import annotations

from ..errors import MatDerivError
from .latex_operands import read_operand
from .latex_tokens import GREEK, INFIX_COMMANDS, UNARY_POWER, latex_tokens
from .limits import MAX_DEPTH
from .tree import Binary, Call, Name, Num, Postfix, Unary

_SUM, _PRODUCT, _POWER = 10, 20, 30
_OPENERS = {"(": ")", "[": "]", "{": "}", "‖": "‖", "⟨": "⟩"}


def parse_latex(text: str, names=()):
    """Parse LaTeX into a syntax tree; ``names`` are the declared names (see above)."""
    if not isinstance(text, str):
        raise MatDerivError(f"a formula must be text, not {type(text).__name__}")
    if not text.strip():
        raise MatDerivError("the formula is empty")
    parser = _LatexParser(text, set(names))
    tree = parser.expression(0)
    tok = parser.peek()
    if tok.kind != "end":
        parser.error(f"unexpected {_shown(tok)}", tok)
    return tree


def _shown(tok) -> str:
    if tok.kind == "end":
        return "the end of the formula"
    return repr("\\" + tok.text if tok.kind == "cmd" else tok.text)


def _span(first, last) -> tuple[int, int]:
    return (first.span[0], last.span[1])


class _LatexParser:
    def __init__(self, text: str, names: set):
        self.text = text
        self.names = names
        self.tokens = latex_tokens(text)
        self.pos = 0
        self.depth = 0
        self.closers: list[str] = []  # brackets that end what is being read (a norm's ‖)
        self.chains: set[int] = set()  # id()s of kron calls made by infix ⊗, to flatten

    # -- reading tokens ---------------------------------------------------
    def peek(self, ahead: int = 0):
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self):
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def error(self, message: str, where):
        span = where.span if hasattr(where, "span") else where
        raise MatDerivError(message, source=self.text, span=span)

    def is_op(self, text: str, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok.kind == "op" and tok.text == text

    def expect(self, text: str, opener=None):
        tok = self.peek()
        if tok.kind == "op" and tok.text == text:
            return self.advance()
        if opener is not None and tok.kind == "end":
            self.error(f"unbalanced {opener.text!r}: no matching {text!r}", opener)
        self.error(f"expected {text!r} but found {_shown(tok)}", tok)

    def deeper(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.error(f"formula is nested more than {MAX_DEPTH} levels deep (each "
                       "bracket, function call and chained operator is a level)", self.peek())

    # -- expressions ------------------------------------------------------
    def expression(self, rbp: int = 0):
        entry_depth = self.depth
        self.deeper()
        left = self.prefix()
        previous = None
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in self.closers[-1:]:
                break
            op = self.infix_of(tok)
            if op is None:
                break
            power = _SUM if op in "+-" else _POWER if op in ("^", "'") else _PRODUCT
            if power <= rbp:
                break
            self.deeper()
            if op == "^" and previous == "^":
                # TeX refuses x^2^3 ("Double superscript"); read either way, it would be
                # a guess: 2^3^2 is 512 in the grammar, (2^3)^2 = 64 left to right.
                self.error("a double superscript: write x^{2^3} or {(x^2)}^3", tok)
            previous = op
            if op == "^":
                left = self.superscript(left)
            elif op == "'":
                self.advance()
                left = Postfix("T", left, (left.span[0], tok.span[1]))
            else:
                if op != "juxtaposition":
                    self.advance()
                right = self.expression(power)
                left = self.combine(op, left, right)
        self.depth = entry_depth
        return left

    def infix_of(self, tok):
        """The operator ``tok`` stands for after an operand, or None: the end of it."""
        if tok.kind == "op" and tok.text in ("+", "-", "*", "/", "^", "'"):
            return tok.text
        if tok.kind == "cmd" and tok.text in INFIX_COMMANDS:
            return INFIX_COMMANDS[tok.text]
        if tok.kind == "op" and tok.text == "_":
            self.error("a subscript belongs to a name (W_1), a norm (\\|X\\|_F) or a size "
                       "(I_n)", tok)
        if tok.kind == "op" and tok.text in ("|", "."):
            self.error("write \\|x\\| for a norm and \\det X for a determinant"
                       if tok.text == "|" else "unexpected '.'", tok)
        if self.starts_operand(tok):
            return "juxtaposition"
        return None

    def starts_operand(self, tok) -> bool:
        if tok.kind in ("word", "num"):
            return True
        if tok.kind == "op":
            return tok.text in ("(", "[", "{", "‖", "⟨")
        return tok.kind == "cmd" and tok.text not in INFIX_COMMANDS and tok.text not in (
            "top", "intercal", "prime")

    def combine(self, op, left, right):
        span = (left.span[0], right.span[1])
        if op == "kron":
            args = (*left.args, right) if id(left) in self.chains else (left, right)
            node = Call("kron", args, span)
            self.chains.add(id(node))
            return node
        return Binary("*" if op == "juxtaposition" else op, left, right, span)

    def superscript(self, base):
        """``X^T``, ``X^{-1}``, ``X^{-\\top}``, ``X^{\\circ 2}``, ``x^2``, ``X^{+}`` (the
        pseudo-inverse, also ``X^\\dagger``): after ``^``."""
        caret = self.advance()
        group = self.is_op("{")
        opener = self.advance() if group else None
        first = self.peek()
        if self.transpose_mark() is not None:
            end = self.expect("}", opener) if group else self.peek(-1)
            return Postfix("T", base, (base.span[0], end.span[1]))
        if group and first.kind == "op" and first.text == "-" and self.transpose_mark(1):
            self.advance()
            self.transpose_mark()
            end = self.expect("}", opener)
            inverse = Binary("^", base, Unary("-", Num("1", first.span), first.span),
                             (base.span[0], end.span[1]))
            return Postfix("T", inverse, inverse.span)
        if (first.kind == "op" and first.text == "+" and (not group or self.is_op("}", 1))
                or first.kind == "cmd" and first.text == "dagger"):
            self.advance()  # X^+, X^{+}, X^\dagger: the pseudo-inverse
            end = self.expect("}", opener) if group else self.peek(-1)
            return Call("pinv", (base,), (base.span[0], end.span[1]))
        hadamard = first.kind == "cmd" and first.text == "circ"
        if hadamard:
            self.advance()
        if group:
            self.closers.append("}")
            exponent = self.expression(0)
            self.closers.pop()
            end = self.expect("}", opener)
        else:
            exponent = self.single_token_operand(caret)
            end = exponent
        return Binary(".^" if hadamard else "^", base, exponent, (base.span[0], end.span[1]))

    def transpose_mark(self, ahead: int = 0):
        """Consume a transpose mark (T, \\top, \\intercal, \\mathsf{T}) if one is next."""
        tok = self.peek(ahead)
        if tok.kind == "word" and tok.text == "T" or tok.kind == "cmd" and tok.text in (
                "top", "intercal", "prime"):
            if ahead == 0:
                self.advance()
            return tok
        if tok.kind == "cmd" and tok.text in ("mathsf", "mathrm") and self.is_op("{", ahead + 1) \
                and self.peek(ahead + 2).text == "T" and self.is_op("}", ahead + 3):
            if ahead == 0:
                for _ in range(4):
                    self.advance()
            return tok
        return None

    def single_token_operand(self, after):
        """The operand of an unbraced superscript: one character, as LaTeX reads it."""
        tok = self.advance()
        if tok.kind == "num":
            return Num(tok.text[0], (tok.span[0], tok.span[0] + 1))
        if tok.kind == "word":
            if len(tok.text) > 1:
                self.pos -= 1  # x^ab is x^a b: split the word, read one letter
                self.tokens[self.pos:self.pos + 1] = self.split_word(tok, whole=False)
                tok = self.advance()
            return Name(tok.text, tok.span)
        if tok.kind == "cmd" and tok.text in GREEK:
            return Name(tok.text, tok.span)
        self.error(f"expected an exponent after '^' but found {_shown(tok)}", tok)

    # -- operands ---------------------------------------------------------
    def prefix(self):
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("-", "+"):
            self.advance()
            operand = self.expression(UNARY_POWER)
            return Unary(tok.text, operand, (tok.span[0], operand.span[1]))
        return self.operand()

    def operand(self):
        return read_operand(self)

    def bracketed(self, opener):
        """What stands between ``opener`` (consumed) and its closing bracket."""
        closer = _OPENERS[opener.text]
        self.deeper()  # a bracket is a level of its own: LaTeX's take more stack to read
        self.closers.append(closer)
        inner = self.expression(0)
        self.depth -= 1
        self.closers.pop()
        close = self.peek()
        if not (close.kind == "op" and close.text == closer):
            if close.kind == "end":
                self.error(f"unbalanced {opener.text!r}: no matching {closer!r}", opener)
            self.error(f"expected {closer!r} but found {_shown(close)}", close)
        self.advance()
        return inner, close

    def arguments(self, name_tok):
        """``(a, b)`` after a function name: the arguments and the closing token."""
        opener = self.advance()
        closer = _OPENERS[opener.text]
        self.deeper()
        self.closers.append(closer)
        args = [self.expression(0)]
        while self.is_op(","):
            self.advance()
            args.append(self.expression(0))
        self.depth -= 1
        self.closers.pop()
        close = self.peek()
        if not (close.kind == "op" and close.text == closer):
            if close.kind == "end":
                self.error(f"unbalanced {opener.text!r} in call of {name_tok.text}: no "
                           f"matching {closer!r}", opener)
            self.error(f"expected ',' or {closer!r} in call of {name_tok.text} but found "
                       f"{_shown(close)}", close)
        self.advance()
        return tuple(args), close

    def split_word(self, tok, whole: bool = True) -> list:
        """A run of letters and digits as names: declared names first (longest), else one
        letter with the digits after it (W1)."""
        from .latex_tokens import LatexToken
        pieces, text, start = [], tok.text, tok.span[0]
        i = 0
        while i < len(text):
            declared = [n for n in self.names if text.startswith(n, i)] if whole else []
            if declared:
                length = max(len(n) for n in declared)
            else:
                length = 1
                while whole and i + length < len(text) and text[i + length].isdigit():
                    length += 1
            pieces.append(LatexToken("word", text[i:i + length],
                                     (start + i, start + i + length)))
            i += length
        return pieces

    def resolve(self, name: str, subscript: str | None) -> str:
        """The declared spelling of ``name_subscript``: W_1 or W1, as declared."""
        candidates = [name] if subscript is None else [f"{name}_{subscript}",
                                                        f"{name}{subscript}"]
        if subscript is None and "_" not in name:
            head = name.rstrip("0123456789")
            if head != name:
                candidates.append(f"{head}_{name[len(head):]}")
        return next((c for c in candidates if c in self.names), candidates[0])


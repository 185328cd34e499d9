"""Formula text -> syntax tree, by a small Pratt parser. Nothing is ever evaluated.

The grammar is the paper notation of the seed notes, not Python: ``A'`` and ``A.T``
transpose, ``A .* B`` Hadamard, ``A^-1`` inverse, ``f'(Y)`` the gradient of an abstract f.

>>> parse("W*a")
Binary(op='*', left=Name(id='W', span=(0, 1)), right=Name(id='a', span=(2, 3)), span=(0, 3))
>>> parse("tr(A*X')").name
'tr'

The limits (``limits.py``) are checked as the text is read.
"""


from __future__ import annotations

import re

from ..errors import MatDerivError
from .limits import MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, MAX_NUMBER_LENGTH, MAX_TOKENS
from .tree import Binary, Call, Name, Num, Postfix, Token, Unary

_DIGITS = "0123456789"

# Longest first, so that ".*" wins over ".".
_OPERATORS = (".*", "./", ".^", ".T", ".'", "**", "+", "-", "*", "@", "/", "^", "'", "(", ")", ",")
#: The operators of two characters and of one, looked up by the text at hand.
_TWO = frozenset(op for op in _OPERATORS if len(op) == 2)
_ONE = frozenset(op for op in _OPERATORS if len(op) == 1)
#: The ASCII run of a name; a non-ASCII letter after it is taken too, to be refused.
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]*")
#: Spaces, an ASCII name or an operator, read at once where nothing non-ASCII follows
#: (nor a letter .T); anything else (numbers, errors) is read by ``_read_one``. The
#: name's run must end where no letter, digit or non-ASCII character follows: backing
#: off from "abcé" to "ab" would split the name. (Python 3.10 has no possessive *+.)
_COMMON = re.compile(r"[ \t]+|(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_]|[^\x00-\x7f])"
                     r"|(?P<op>\.\*|\./|\.\^|\.T(?![A-Za-z0-9_]|[^\x00-\x7f])|\.'|\*\*"
                     r"|[-+*@/^'(),])")


def tokenize(text: str) -> list[Token]:
    """Split formula text into tokens, or raise naming the first character that fits none."""
    if len(text) > MAX_LENGTH:
        raise MatDerivError(f"formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    tokens: list[Token] = []
    common = _COMMON.match
    i = 0
    while i < len(text):
        found = common(text, i)
        if found is None:
            i = _read_one(text, i, tokens)
        else:
            if found.lastgroup is not None:
                word = found.group()
                tokens.append(Token(found.lastgroup, "^" if word == "**" else word, i))
            i = found.end()
        if len(tokens) > MAX_TOKENS:
            raise MatDerivError(f"formula has more than {MAX_TOKENS} tokens")
    tokens.append(Token("end", "", len(text)))
    return tokens


def _read_one(text: str, i: int, tokens: list) -> int:
    """The token at ``i`` appended to ``tokens`` (or the error it is): the end of it."""
    ch = text[i]
    if ch in " \t":
        return i + 1
    if ch in _DIGITS or (ch == "." and i + 1 < len(text) and text[i + 1] in _DIGITS):
        j = _scan_number(text, i)
        if j - i > MAX_NUMBER_LENGTH:
            raise MatDerivError(f"number is {j - i} characters long; the limit is "
                                f"{MAX_NUMBER_LENGTH}", source=text, span=(i, j))
        _check_exponent(text, i, j)
        tokens.append(Token("num", text[i:j], i))
        return j
    if ch.isalpha() or ch == "_":
        j = _ASCII_WORD.match(text, i).end()
        while j < len(text) and (text[j].isalnum() or text[j] == "_"):
            j += 1
        word = text[i:j]
        if not word.isascii():
            raise MatDerivError(f"name {word!r} has non-ASCII letters; use plain letters",
                                source=text, span=(i, j))
        tokens.append(Token("name", word, i))
        return j
    op = text[i:i + 2]
    if op not in _TWO:
        op = ch if ch in _ONE else None
    if op is None and ch == ".":
        raise MatDerivError("attribute access is not allowed (only .T, transpose)",
                            source=text, span=(i, i + 1))
    if op is None:
        raise MatDerivError(f"unexpected character {ch!r}", source=text, span=(i, i + 1))
    if op == ".T" and i + 2 < len(text) and (text[i + 2].isalnum() or text[i + 2] == "_"):
        raise MatDerivError("attribute access is not allowed (only .T, transpose)",
                            source=text, span=(i, i + 2))
    tokens.append(Token("op", "^" if op == "**" else op, i))
    return i + len(op)


def _check_exponent(text: str, start: int, end: int) -> None:
    """Refuse 1e99999999: an exact number of that size takes unbounded time to build."""
    number = text[start:end].lower()
    if "e" in number:
        exponent = int(number.split("e", 1)[1])
        if abs(exponent) > MAX_EXPONENT:
            raise MatDerivError(f"number {text[start:end]} is out of range: its exponent is "
                                f"beyond ±{MAX_EXPONENT}", source=text, span=(start, end))


def _scan_number(text: str, i: int) -> int:
    j = _scan_digits(text, i)
    if j + 1 < len(text) and text[j] == "." and text[j + 1] in _DIGITS:
        j = _scan_digits(text, j + 1)
    if j < len(text) and text[j] in "eE":
        k = j + 1
        if k < len(text) and text[k] in "+-":
            k += 1
        if k < len(text) and text[k] in _DIGITS:
            j = _scan_digits(text, k)
    return j


def _scan_digits(text: str, i: int) -> int:
    while i < len(text) and text[i] in _DIGITS:
        i += 1
    return i


# Binding powers: sums < products < unary minus < powers < postfix transpose.
_INFIX = {"+": 10, "-": 10, "*": 20, "@": 20, "/": 20, ".*": 20, "./": 20, "^": 30, ".^": 30}
_RIGHT_ASSOC = {"^", ".^"}
_UNARY_POWER = 25
_POSTFIX_POWER = 40


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def error(self, message: str, span: tuple[int, int]):
        raise MatDerivError(message, source=self.text, span=span)

    def expect(self, text: str) -> Token:
        tok = self.peek()
        if tok.text != text or tok.kind == "end":
            found = "the end of the formula" if tok.kind == "end" else repr(tok.text)
            self.error(f"expected {text!r} but found {found}", tok.span)
        return self.advance()

    def deeper(self):
        """One more level of the tree; a chain of operators (X*X*...*X) counts each one."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.error(f"formula is nested more than {MAX_DEPTH} levels deep (each "
                       "bracket, function call and chained operator is a level)",
                       self.peek().span)

    def expression(self, rbp: int = 0, exponent: bool = False):
        """An expression whose operators bind more strongly than ``rbp``. In an
        ``exponent`` a postfix transpose is left to the power: X^2' is (X^2)', as on
        paper."""
        entry_depth = self.depth
        self.deeper()
        left = self.prefix(exponent)
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in ("'", ".T", ".'"):
                if _POSTFIX_POWER <= rbp or exponent:
                    break
                self.deeper()
                self.advance()
                # The op says which was written: for complex names ' conjugates and
                # .' (MATLAB's) and .T do not (matderiv.syntax.complex_reading).
                left = Postfix("'" if tok.text == "'" else "T", left,
                               (_start(left), tok.span[1]))
                continue
            if tok.kind == "op" and tok.text in _INFIX:
                lbp = _INFIX[tok.text]
                if lbp <= rbp:
                    break
                self.deeper()
                self.advance()
                # Powers group to the right, as on paper and in Python: 2^3^2 is 2^(3^2).
                right = self.expression(lbp - 1, exponent=True) if tok.text in _RIGHT_ASSOC \
                    else self.expression(lbp)
                left = Binary(tok.text, left, right, (_start(left), _end(right)))
                continue
            if tok.kind in ("name", "num") or tok.text == "(":
                self.error(f"missing operator before {tok.text!r} (write A*B for a product)",
                           tok.span)
            break
        self.depth = entry_depth
        return left

    def prefix(self, exponent: bool = False):
        tok = self.advance()
        if tok.kind == "num":
            return Num(tok.text, tok.span)
        if tok.kind == "name":
            return self.name_or_call(tok)
        if tok.text in ("-", "+"):
            operand = self.expression(_UNARY_POWER, exponent)
            return Unary(tok.text, operand, (tok.start, _end(operand)))
        if tok.text == "(":
            inner = self.expression(0)
            close = self.peek()
            if close.text != ")":
                self.error("unbalanced '(': no matching ')'", tok.span)
            self.advance()
            return _respan(inner, (tok.start, close.span[1]))
        if tok.kind == "end":
            self.error("formula ends where an operand was expected", tok.span)
        self.error(f"unexpected {tok.text!r} where an operand was expected", tok.span)

    def name_or_call(self, tok: Token):
        nxt = self.peek()
        prime = False
        if nxt.text == "'" and self.tokens[self.pos + 1].text == "(":
            prime = True
            self.advance()
            nxt = self.peek()
        if nxt.text != "(":
            return Name(tok.text, tok.span)
        self.advance()
        args = []
        if self.peek().text != ")":
            args.append(self.expression(0))
            while self.peek().text == ",":
                self.advance()
                args.append(self.expression(0))
        close = self.peek()
        if close.text != ")":
            if close.kind == "end":
                self.error(f"unbalanced '(' in call of {tok.text}: no matching ')'", nxt.span)
            self.error(f"expected ',' or ')' in call of {tok.text} but found {close.text!r}",
                       close.span)
        self.advance()
        return Call(tok.text, tuple(args), (tok.start, close.span[1]), prime)


def _start(node) -> int:
    return node.span[0]


def _end(node) -> int:
    return node.span[1]


def _respan(node, span):
    # A parenthesised expression's span includes its brackets, for error carets.
    return type(node)(**{**node.__dict__, "span": span})


def parse(text: str):
    """Parse formula text into a syntax tree; raise MatDerivError with the position on error."""
    if not isinstance(text, str):
        raise MatDerivError(f"a formula must be text, not {type(text).__name__}")
    if not text.strip():
        raise MatDerivError("the formula is empty")
    parser = _Parser(text)
    tree = parser.expression(0)
    tok = parser.peek()
    if tok.kind != "end":
        if tok.text == ")":
            parser.error("unbalanced ')': no matching '('", tok.span)
        parser.error(f"unexpected {tok.text!r}", tok.span)
    return tree

r"""The LaTeX reader's operands: names, functions, fractions, norms, inner products.

A part of the LaTeX parser (``latex``), by concern.

>>> from matderiv.syntax.latex import parse_latex
>>> parse_latex(r"\|A x - b\|_2^2", names={"A", "x", "b"}).left.name
'norm'
>>> parse_latex(r"\frac{1}{2} \mathbf{x}^\top \mathbf{x}").left.left.op
'/'
"""

from __future__ import annotations

from .latex_tokens import FONT_COMMANDS, FUNCTION_COMMANDS, GREEK, UNARY_POWER, known_function
from .tree import Binary, Call, Name, Num

_BRACKETS = ("(", "[")


def read_operand(p):
    """One operand at the parser's position (after any unary sign)."""
    tok = p.peek()
    if tok.kind == "num":
        p.advance()
        return Num(tok.text, tok.span)
    if tok.kind == "word":
        p.advance()
        pieces = p.split_word(tok)
        p.tokens[p.pos:p.pos] = pieces[1:]  # the rest are read next, by juxtaposition
        return name_operand(p, pieces[0].text, pieces[0])
    if tok.kind == "op" and tok.text in ("(", "[", "{"):
        p.advance()
        inner, close = p.bracketed(tok)
        return type(inner)(**{**inner.__dict__, "span": (tok.span[0], close.span[1])})
    if tok.kind == "op" and tok.text == "‖":
        return norm(p)
    if tok.kind == "op" and tok.text == "⟨":
        p.advance()
        args, close = _pair(p, tok)
        return Call("inner", args, (tok.span[0], close.span[1]))
    if tok.kind == "cmd":
        return command_operand(p, tok)
    if tok.kind == "end":
        p.error("formula ends where an operand was expected", tok)
    if tok.kind == "op" and tok.text == "|":
        p.error("write \\|x\\| for a norm and \\det X for a determinant", tok)
    p.error(f"unexpected {tok.text!r} where an operand was expected", tok)


def _pair(p, opener):
    """``\\langle a, b \\rangle``: the two arguments and the closing bracket."""
    p.closers.append("⟩")
    first = p.expression(0)
    p.expect(",")
    second = p.expression(0)
    p.closers.pop()
    close = p.expect("⟩", opener)
    return (first, second), close


def norm(p):
    """``\\|X\\|``, ``\\|X\\|_F``: the Frobenius norm; ``\\|x\\|_2`` of a vector its length,
    of a matrix its spectral norm; ``\\|x\\|_1``, ``\\|x\\|_3``: a vector's p-norm;
    ``\\|X\\|_*``: the nuclear norm."""
    opener = p.advance()
    inner, close = p.bracketed(opener)
    args, end = (inner,), close
    if p.is_op("_"):
        p.advance()
        group = p.is_op("{")
        if group:
            p.advance()
        sub = p.advance()
        nuclear = sub.kind == "op" and sub.text == "*"
        if not (sub.kind == "word" and sub.text == "F" or sub.kind == "num"
                and sub.text.isdigit() or nuclear):
            p.error("a norm's subscript is F (Frobenius), * (nuclear) or an integer p (of a "
                    "vector; 2 of a matrix: the spectral norm)", sub)
        end = p.expect("}") if group else sub
        if sub.kind == "num":
            args = (inner, Num(sub.text, sub.span))
        if nuclear:
            return Call("nucnorm", args, (opener.span[0], end.span[1]))
    return Call("norm", args, (opener.span[0], end.span[1]))


def command_operand(p, tok):
    name = tok.text
    if name in ("frac", "dfrac", "tfrac"):
        p.advance()
        top, _ = group(p, name)
        bottom, close = group(p, name)
        return Binary("/", top, bottom, (tok.span[0], close.span[1]))
    if name in FONT_COMMANDS:
        return font_operand(p, tok)
    if name == "log" and p.peek(1).kind == "cmd" and p.peek(1).text == "det":
        p.advance()
        return function_call(p, "logdet", tok)
    if name in FUNCTION_COMMANDS:
        return function_call(p, FUNCTION_COMMANDS[name], tok)
    if name == "sigma" and p.peek(1).kind == "op" and p.peek(1).text in (*_BRACKETS, "{") \
            and "sigma" not in p.names:
        return function_call(p, "sigmoid", tok)
    extreme = _extreme_eigenvalue(p) if name == "lambda" else None
    if extreme is not None:
        return function_call(p, extreme, tok, consumed=True)
    if name in GREEK:
        p.advance()
        return name_operand(p, name, tok)
    p.error(f"unknown LaTeX command \\{name}", tok)


def _extreme_eigenvalue(p):
    """``\\lambda_{\\max}`` (``\\lambda_\\max``) is eigmax, ``\\lambda_{\\min}`` eigmin: the
    name of the function, its tokens consumed; else None (a name such as lambda_1)."""
    def extreme(ahead):
        tok = p.peek(ahead)
        return tok.kind == "cmd" and tok.text in ("max", "min")
    if not p.is_op("_", 1):
        return None
    if extreme(2):
        length, which = 3, p.peek(2).text
    elif p.is_op("{", 2) and extreme(3) and p.is_op("}", 4):
        length, which = 5, p.peek(3).text
    else:
        return None
    for _ in range(length):
        p.advance()
    return "eig" + which


def group(p, what):
    """A braced argument ``{...}`` of a command; its tree and closing token."""
    opener = p.peek()
    if not p.is_op("{"):
        p.error(f"\\{what} needs a braced argument {{...}}", opener)
    p.advance()
    return p.bracketed(opener)


def word_in_braces(p, command):
    """The text of ``{...}`` after a font command, such as ``tr`` or ``W_{out}``."""
    opener = p.peek()
    if not p.is_op("{"):
        tok = p.advance()  # \mathbf x: one token
        if tok.kind not in ("word", "num"):
            p.error(f"\\{command.text} needs a name in braces", tok)
        return tok.text, tok
    p.advance()
    parts = []
    depth = 1
    while True:
        tok = p.advance()
        if tok.kind == "end":
            p.error(f"unbalanced '{{' after \\{command.text}: no matching '}}'", opener)
        if tok.kind == "op" and tok.text in ("{", "}"):
            depth += 1 if tok.text == "{" else -1
            if depth == 0:
                break
            continue
        if tok.kind == "cmd" and tok.text in GREEK:
            parts.append(tok.text)
        elif tok.kind in ("word", "num") or tok.kind == "op" and tok.text == "_":
            parts.append(tok.text)
        else:
            p.error(f"\\{command.text}{{...}} holds a name; {tok.text!r} cannot be part of one",
                    tok)
    if not parts:
        p.error(f"\\{command.text}{{}} is empty", opener)
    return "".join(parts), tok


def font_operand(p, tok):
    """``\\operatorname{tr}(X)``, ``\\mathbf{x}``, ``\\mathbf{1}_n``, ``\\mathrm{e}^{x}``."""
    p.advance()
    word, last = word_in_braces(p, tok)
    function = known_function(word)
    if function is not None and (p.peek().kind == "op" and p.peek().text in (*_BRACKETS, "{")
                                 or word not in p.names and p.starts_operand(p.peek())):
        return function_call(p, function, tok, consumed=True)
    if word == "1" and tok.text in ("mathbf", "boldsymbol", "bm", "mathbb"):
        sizes, end = subscript_sizes(p, last)
        if len(sizes) not in (1, 2):
            p.error("write the size of a vector of ones: \\mathbf{1}_n or \\mathbf{1}_{m\\times n}",
                    (tok.span[0], end.span[1]))
        return Call("ones", tuple(sizes), (tok.span[0], end.span[1]))
    if not (word[0].isalpha() and word.replace("_", "").isalnum()):
        p.error(f"\\{tok.text}{{{word}}} is not a name", (tok.span[0], last.span[1]))
    return name_operand(p, word, _Spanned((tok.span[0], last.span[1])))


class _Spanned:
    def __init__(self, span):
        self.span = span


def function_call(p, function, tok, consumed: bool = False):
    """A function applied: ``f(a, b)``, ``f{a}``, or ``f X`` (the next factor alone)."""
    if not consumed:
        p.advance()
    nxt = p.peek()
    if nxt.kind == "op" and nxt.text in _BRACKETS:
        args, close = p.arguments(_Named(function))
        return Call(function, args, (tok.span[0], close.span[1]))
    if nxt.kind == "op" and nxt.text == "{":
        p.advance()
        inner, close = p.bracketed(nxt)
        return Call(function, (inner,), (tok.span[0], close.span[1]))
    if not p.starts_operand(nxt) and not (nxt.kind == "op" and nxt.text in "+-"):
        p.error(f"{function} needs an argument", nxt)
    operand = p.expression(UNARY_POWER)
    return Call(function, (operand,), (tok.span[0], operand.span[1]))


class _Named:
    def __init__(self, text):
        self.text = text


def subscript_sizes(p, after):
    """``_n``, ``_{m,n}``, ``_{m\\times n}``: size names and numbers, and the last token."""
    if not p.is_op("_"):
        return [], after
    p.advance()
    if not p.is_op("{"):
        tok = p.advance()
        if tok.kind not in ("word", "num"):
            p.error("a size is a name or a number", tok)
        return [_size(p, tok.text[0], (tok.span[0], tok.span[0] + 1))], tok
    opener = p.advance()
    sizes = []
    while True:
        tok = p.advance()
        if tok.kind in ("word", "num"):
            for piece in p.split_word(tok) if tok.kind == "word" else [tok]:
                sizes.append(_size(p, piece.text, piece.span))
        elif tok.kind == "op" and tok.text == "}":
            return sizes, tok
        elif tok.kind == "end":
            p.error("unbalanced '{': no matching '}'", opener)
        elif not (tok.kind == "op" and tok.text == "," or tok.kind == "cmd"
                  and tok.text == "times"):
            p.error(f"unexpected {tok.text!r} in a size", tok)


def _size(p, text, span):
    return Num(text, span) if text[0].isdigit() else Name(text, span)


def name_operand(p, base: str, tok):
    """A name with its subscript; ``I_n``, ``K_{m,n}``, ``e^{x}``, ``f(x)``, ``f'(x)``."""
    start = tok.span[0]
    if base in ("I", "K") and base not in p.names and p.is_op("_"):
        sizes, end = subscript_sizes(p, tok)
        wanted = 1 if base == "I" else 2
        if len(sizes) != wanted:
            p.error(f"{base} takes {wanted} size{'s' * (wanted > 1)}: "
                    + ("I_n" if base == "I" else "K_{m,n}"), (start, end.span[1]))
        return Call(base, tuple(sizes), (start, end.span[1]))
    subscript, end = None, tok
    if p.is_op("_"):
        p.advance()
        if p.is_op("{"):
            subscript, end = word_in_braces(p, _Named("_"))
        else:
            end = p.advance()
            if end.kind not in ("word", "num"):
                p.error("a subscript of a name is letters or digits", end)
            subscript = end.text[0]
            if len(end.text) > 1:  # W_12 is W_1 2, as LaTeX reads it
                rest = type(end)(end.kind, end.text[1:], (end.span[0] + 1, end.span[1]))
                end = type(end)(end.kind, end.text[0], (end.span[0], end.span[0] + 1))
                p.tokens.insert(p.pos, rest)
    name = p.resolve(base, subscript)
    span = (start, end.span[1])
    if name == "e" and "e" not in p.names and p.is_op("^"):
        caret = p.advance()
        if p.is_op("{"):
            opener = p.advance()
            exponent, close = p.bracketed(opener)
        else:
            exponent = p.single_token_operand(caret)
            close = exponent
        return Call("exp", (exponent,), (start, close.span[1]))
    declared = name in p.names
    if not declared and p.is_op("'") and p.peek(1).kind == "op" and p.peek(1).text in _BRACKETS:
        p.advance()
        args, close = p.arguments(_Named(name))
        return Call(name, args, (start, close.span[1]), prime=True)
    if not declared and p.peek().kind == "op" and p.peek().text in _BRACKETS:
        args, close = p.arguments(_Named(name))
        return Call(name, args, (start, close.span[1]))
    return Name(name, span)


"""The one error type matderiv raises for anything the user can get wrong.

>>> str(MatDerivError("unknown name 'Q'", source="W*Q", span=(2, 3)))
"unknown name 'Q' at column 3\\n  W*Q\\n    ^"
"""

from __future__ import annotations


class MatDerivError(ValueError):
    """Bad input, an unsupported operation, or a failed check.

    ``source`` and ``span`` (start, end character offsets) locate the cause in the
    formula; the message then shows the formula with a caret under that place.
    """

    def __init__(self, message: str, *, source: str | None = None,
                 span: tuple[int, int] | None = None, kind: str = "error"):
        self.message = message
        self.source = source
        self.span = span
        self.kind = kind
        super().__init__(self._render())

    def _render(self) -> str:
        if self.source is None or self.span is None:
            return self.message
        start, end = self.span
        shown = _printable(self.source)
        caret = " " * start + "^" * max(1, min(end, len(shown)) - start)
        return f"{self.message} at column {start + 1}\n  {shown}\n  {caret}"

    def one_line(self) -> str:
        """The message on one line, for the CLI's stderr."""
        if self.span is None:
            return self.message
        return f"{self.message} at column {self.span[0] + 1} of {_printable(self.source)!r}"


def _printable(text: str) -> str:
    # Control characters would break the caret alignment; show them as '?'.
    return "".join(ch if ch.isprintable() else "?" for ch in text)


#: Exceptions SymPy or NumPy raise on input they cannot handle.
INTERNAL = (TypeError, ValueError, AttributeError, NotImplementedError, ZeroDivisionError,
            IndexError, KeyError, ArithmeticError, RecursionError)


def guarded(function):
    """API boundary: any failure inside SymPy or NumPy becomes one MatDerivError."""
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except MatDerivError:
            raise
        except RecursionError:
            raise MatDerivError("the formula is nested too deeply to handle") from None
        except INTERNAL as error:
            raise MatDerivError(f"unsupported: {function.__name__} failed inside SymPy/NumPy "
                                f"({type(error).__name__}: {error})") from None
    return wrapper

"""How large a formula may be: each limit is refused with a MatDerivError naming it.

MAX_LENGTH characters, MAX_TOKENS tokens, MAX_DEPTH levels of the tree (brackets, calls,
and each operator of a chain such as X*X*X: the builder recurses over the tree),
MAX_NUMBER_LENGTH characters of a number, MAX_EXPONENT its decimal exponent,
MAX_NUMBER_DIGITS the digits of an exact number made from numbers (2^1000), MAX_SIZE an
integer size, MAX_MATRIX_POWER the largest integer power of a matrix that is expanded
by the product rule, and MAX_NORM_ORDER the largest p of a vector norm norm(x, p).

>>> MAX_DEPTH
200
"""

MAX_LENGTH = 20_000
MAX_TOKENS = 4_000
MAX_DEPTH = 200
MAX_NUMBER_LENGTH = 40

#: Largest decimal exponent a number may be written with (1e300).
MAX_EXPONENT = 300

#: Most digits of an exact number the formula makes (2^1000 has 302): numbers are kept
#: exact, and a short formula must not build one of a gigabyte (2^9999999999).
MAX_NUMBER_DIGITS = 400

#: Largest integer size of a matrix.
MAX_SIZE = 10**9

#: Largest integer power of a matrix that is expanded by the product rule.
MAX_MATRIX_POWER = 64

#: Largest order p of a vector norm norm(x, p).
MAX_NORM_ORDER = 64

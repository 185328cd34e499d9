"""How large a formula may be: each limit is refused with a MatDerivError naming it.

MAX_LENGTH characters, MAX_TOKENS tokens, MAX_DEPTH levels of the tree (brackets, calls,
and each operator of a chain such as X*X*X: the builder recurses over the tree),
MAX_NUMBER_LENGTH characters of a number, and MAX_MATRIX_POWER, the largest integer
power of a matrix that is expanded by the product rule.

>>> MAX_DEPTH
200
"""

MAX_LENGTH = 20_000
MAX_TOKENS = 4_000
MAX_DEPTH = 200
MAX_NUMBER_LENGTH = 40

#: Largest integer power of a matrix that is expanded by the product rule.
MAX_MATRIX_POWER = 64

"""Element-wise proofs ("Version 2" of seed 1): one entry, differentiated, laid out.

Write one entry of F with index sums (z_i = Σ_k W_ik a_k), differentiate it by one
entry of X (∂z_i/∂W_pq = δ_ip a_q), say where that entry sits in the Jacobian under
the convention in force, and check that the closed form has the same entry. The
check is numeric, at every entry, for several concrete sizes and random values: a
proof whose last equality fails is never returned (MatDerivError instead).

Indices are written from 1 as on paper; SymPy counts from 0 internally, which is the
same formula with every index shifted alike.

>>> from matderiv import derive
>>> d = derive("W*a", wrt="W", shapes={"W": ("m", "n"), "a": ("n", 1)})
>>> from matderiv.render.text import to_text
>>> to_text(elementwise_proof(d, "jacobian").sections[1].lines[0].rhs)
'δ_ip*a_q'
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import sympy
from sympy import Derivative, Determinant, Dummy, Sum, Symbol
from sympy.matrices.expressions.matexpr import MatrixElement

from ..deadline import deadline
from ..engine.conventions import CONVENTIONS, stated_convention
from ..errors import MatDerivError
from ..expressions import (
    ELEMENTWISE,
    AbstractFunction,
    AbstractGradient,
    FrobeniusNorm,
    Inner,
    LogSumExp,
    ScalarOf,
    SumEntries,
    Unvec,
    Vec,
    Vecr,
    VectorNorm,
    is_matrix,
)
from ..numeric.evaluate import evaluate
from ..numeric.points import random_values, size_symbols, stand_in_functions
from .data import Line, Proof, Section, stated_shapes
from .entry_values import EntryValues
from .index_sums import evaluate_sums, write_out_sums

_INDEX = dict(integer=True, nonnegative=True)
_NAMES = "ijpqklrstuvwgh"


def _index_symbols(derivation):
    """Four index names (for F_ij and X_pq) that no matrix or size of the formula uses."""
    taken = set(derivation.env) | {str(s) for s in derivation.expr.free_symbols}
    free = [n for n in _NAMES if n not in taken]
    return tuple(Symbol(n, **_INDEX) for n in free[:4]), free[4:]


def _index_form(expr):
    """Scalars written with index sums, so SymPy can differentiate entry by entry."""
    if not isinstance(expr, sympy.Basic) or not expr.args:
        return expr
    if is_matrix(expr):
        return expr
    expr = expr.func(*[_index_form(a) for a in expr.args])
    if isinstance(expr, ScalarOf):
        return _index_form(expr.matrix[0, 0])
    if isinstance(expr, sympy.Trace):
        k = Dummy("k", **_INDEX)
        return Sum(_entry(expr.arg, k, k), (k, 0, expr.arg.shape[0] - 1))
    if isinstance(expr, SumEntries):
        return _sum_all(expr.matrix, lambda k, c: _entry(expr.matrix, k, c))
    if isinstance(expr, Inner):
        left, right = expr.args
        return _sum_all(left, lambda k, c: _entry(left, k, c) * _entry(right, k, c))
    if isinstance(expr, FrobeniusNorm):
        return sympy.sqrt(_sum_all(expr.matrix, lambda k, c: _entry(expr.matrix, k, c) ** 2))
    if isinstance(expr, LogSumExp):
        return sympy.log(_sum_all(expr.matrix, lambda k, c: sympy.exp(_entry(expr.matrix, k, c))))
    if isinstance(expr, VectorNorm):
        absolute = ELEMENTWISE["abs"]
        total = _sum_all(expr.matrix,
                         lambda k, c: absolute(_entry(expr.matrix, k, c)) ** expr.p)
        return total if expr.p == 1 else total ** sympy.Rational(1, expr.p)
    return expr


def _sum_all(matrix, body):
    k, c = Dummy("k", **_INDEX), Dummy("l", **_INDEX)
    rows, cols = matrix.shape
    return Sum(body(k, c), (k, 0, rows - 1), (c, 0, cols - 1))


def _entry(matrix, i, j):
    """Entry (i, j) of a matrix expression with its scalar parts in index form."""
    if isinstance(matrix, sympy.MatPow) and matrix.exp.is_Integer and (
            matrix.exp < 0 or isinstance(matrix.base, sympy.Inverse)):
        # SymPy gives M^-k and (M⁻¹)^k no entries it can differentiate: (M⁻¹)^k is a
        # product of k inverses, written out.
        power = int(matrix.exp)
        base = sympy.Inverse(matrix.base) if power < 0 else matrix.base
        matrix = sympy.MatMul(*[base] * abs(power)) if abs(power) > 1 else base
    return _index_form(matrix._entry(i, j, expand=True) if hasattr(matrix, "_entry")
                       else matrix[i, j])


def _opaque_scalars(expr):
    return [a for a in sympy.preorder_traversal(expr)
            if isinstance(a, (Determinant, AbstractFunction))]


def differentiate_entry(expr, element):
    """∂expr/∂element, with the chain rule through det(M) and abstract f(Y)."""
    opaque = _opaque_scalars(expr)
    if not opaque:
        derivative = sympy.diff(expr, element)
        if isinstance(element, Symbol):
            # By a scalar t, SymPy's doit() would rewrite the index sums of inverse
            # entries as matrix products, at a cost that grows beyond any budget
            # (x'(A + tB)⁻¹x): the sums stay, only their Kronecker deltas are summed away.
            return collapse_deltas(derivative)
        return collapse_deltas(evaluate_sums(derivative))
    node = opaque[0]
    stand_in = Dummy("s")
    replaced = expr.xreplace({node: stand_in})
    outer = sympy.diff(replaced, stand_in).xreplace({stand_in: node})
    matrix = node.arg
    k, c = Dummy("k", **_INDEX), Dummy("l", **_INDEX)
    if isinstance(node, Determinant):
        # Jacobi: ∂det(M)/∂M_kc = det(M) (M⁻¹)_ck
        weight = node * sympy.Inverse(matrix)[c, k]
    else:
        weight = MatrixElement(AbstractGradient(node.function, matrix), k, c)
    inner = differentiate_entry(_entry(matrix, k, c), element)
    rows, cols = matrix.shape
    chain = evaluate_sums(Sum(weight * inner, (k, 0, rows - 1), (c, 0, cols - 1)))
    rest = differentiate_entry(replaced, element).xreplace({stand_in: node})
    return collapse_deltas(evaluate_sums(outer * chain + rest))


def collapse_deltas(expr):
    """Σ_l δ_lq g(l) = g(q): eliminate every summation index fixed by a Kronecker delta.

    Valid because the other index of the delta (an entry index) lies in the summation
    range (both index the same dimension).
    """
    if not isinstance(expr, sympy.Basic) or not expr.args:
        return expr
    expr = expr.func(*[collapse_deltas(a) for a in expr.args])
    if not isinstance(expr, Sum):
        return expr
    body, limits = expr.function, list(expr.limits)
    for limit in list(limits):
        index = limit[0]
        for term in sympy.Mul.make_args(body):
            if isinstance(term, sympy.KroneckerDelta) and index in term.args[:2]:
                other = term.args[1] if term.args[0] == index else term.args[0]
                if not other.has(index):
                    body = body.xreplace({term: 1}).xreplace({index: other})
                    limits.remove(limit)
                    break
    return Sum(body, *limits) if limits else body


def _readable(expr, names):
    """Dummy indices renamed k, l, r, ... for display."""
    dummies = sorted(expr.atoms(Dummy), key=lambda d: d.dummy_index)
    dummies += sorted((s for s in expr.free_symbols
                       if s.name.startswith("_") and not isinstance(s, Dummy)), key=str)
    return expr.xreplace({d: Symbol(names[i % len(names)], **_INDEX)
                          for i, d in enumerate(dummies)})


def _entry_symbol(name, *indices):
    return Symbol(f"{name}_{''.join(str(i) for i in indices)}")


def elementwise_proof(derivation, kind: str = "jacobian", vec: str = "col") -> Proof:
    """The element-wise proof, checked at every entry for several sizes; else raises.

    The whole proof has a hard deadline (``HARD_LIMIT`` seconds): SymPy can spend minutes
    in one simplification of an index sum, where the entry checks' own budget never looks.
    """
    try:
        with deadline(HARD_LIMIT, "no element-wise proof"):
            return _elementwise_proof(derivation, kind, vec)
    except MatDerivError as error:
        if error.kind != "budget":
            raise
        raise MatDerivError(f"no element-wise proof at these sizes ({error.message}); name "
                            "the sizes (e.g. -s X=n,n) for a proof checked at small sizes",
                            kind="budget") from None


#: Largest integer size of a matrix whose inverse (determinant) the proof may write out
#: entry by entry: SymPy writes the entries of a concrete-size inverse in full, and a 6 x 6
#: one takes minutes.
MAX_EXPLICIT_INVERSE = 2
MAX_EXPLICIT_DETERMINANT = 3


def _refuse_explicit_inverses(expr) -> None:
    """No element-wise proof where SymPy would write out a large concrete inverse."""
    for node in sympy.preorder_traversal(expr):
        inverse = isinstance(node, sympy.Inverse) or (
            isinstance(node, sympy.MatPow) and node.exp.is_negative)
        if inverse or isinstance(node, Determinant):
            size = node.args[0].shape[0]
            limit = MAX_EXPLICIT_INVERSE if inverse else MAX_EXPLICIT_DETERMINANT
            if size.is_Integer and size > limit:
                what = "inverse" if inverse else "determinant"
                raise MatDerivError(
                    f"no element-wise proof at these sizes: the entries of the {what} of a "
                    f"{size}×{size} matrix would be written out in full; name the sizes "
                    "(e.g. -s X=n,n) for a proof at any size")


def _refuse_reshapes(F):
    """vec, vecr and unvec move an entry to another index, k -> (k mod m, floor(k / m)):
    SymPy cannot differentiate an index sum through the floor, so no element-wise proof
    is written; the rule-by-rule proof and the numeric check stand."""
    found = next((node for node in sympy.preorder_traversal(F)
                  if isinstance(node, (Vec, Vecr, Unvec))), None)
    if found is not None:
        raise MatDerivError(
            f"no element-wise proof is available for {F}: {type(found).__name__.lower()} "
            "moves entries to other indices (entry k of vec(X) is X at (k mod m, floor(k/m))), "
            "which SymPy cannot differentiate in an index sum; the rule-by-rule proof and "
            "the numeric check stand")


def _refuse_spectral(F):
    """An entry of expm(X), logm, sqrtm, pinv or of an eigenvalue or singular value has no
    finite index formula in X's entries (a power series, an eigendecomposition, an SVD):
    no element-wise proof is written; the rule-by-rule proof, each rule with its source
    (Magnus & Neudecker, Higham, Golub & Pereyra, Lewis), and the numeric check stand."""
    found = next((node for node in sympy.preorder_traversal(F)
                  if type(node).__module__.endswith("expressions.spectral")), None)
    if found is not None:
        raise MatDerivError(
            f"no element-wise proof is available for {F}: an entry of {found} has no finite "
            "index formula in the entries of its argument (it is a power series, an "
            "eigendecomposition or an SVD); the rule-by-rule proof, whose rules cite their "
            "sources, and the numeric check stand")


def _elementwise_proof(derivation, kind, vec) -> Proof:
    F, X = derivation.expr, derivation.variable
    _refuse_explicit_inverses(F)
    _refuse_reshapes(F)
    _refuse_spectral(F)
    (I_, J_, P_, Q_), spare = _index_symbols(derivation)
    if not is_matrix(X):  # by a scalar t: ∂F_ij/∂t
        x_is_vector, element, x_name = True, X, X
    else:
        x_is_vector = X.shape[1] == 1
        element = X[P_, 0] if x_is_vector else X[P_, Q_]
        x_name = _entry_symbol(X.name, *((P_,) if x_is_vector else (P_, Q_)))
    if derivation.is_scalar:
        entry = _index_form(F if not is_matrix(F) else F[0, 0])
        f_name = Symbol("F")
        f_indices = ()
    else:
        f_is_vector = F.shape[1] == 1
        entry = _entry(F, I_, 0 if f_is_vector else J_)
        f_indices = (I_,) if f_is_vector else (I_, J_)
        f_name = _entry_symbol("F", *f_indices)
    try:
        partial = differentiate_entry(entry, element)
    except (TypeError, ValueError, NotImplementedError, AttributeError) as error:
        raise MatDerivError(f"no element-wise proof is available for {F}: SymPy cannot "
                            f"differentiate its entries ({type(error).__name__})") from None
    if partial.has(Derivative):
        raise MatDerivError(f"no element-wise proof is available for {F}: an entry has no "
                            "index form that can be differentiated")
    result = derivation.gradient() if kind == "gradient" else derivation.jacobian(vec=vec)
    checked = _verify_entries(derivation, kind, vec, partial, (I_, J_, P_, Q_))
    # Index arithmetic (Kronecker products) is only right as SymPy counts, from 0.
    base = 0 if partial.has(sympy.Mod, sympy.floor) or entry.has(sympy.Mod) else 1
    sections = [
        Section("Entry", (Line(_readable(entry, spare), lhs=f_name),),
                f"Write one entry of F with index sums (indices count from {base})."),
        Section("Derivative", (Line(_readable(partial, spare),
                                    lhs=Derivative(f_name, x_name)),
                                    *_case_split(_readable(partial, spare))),
                f"Differentiate it by {_by_what(X, partial)}."),
        Section("Layout", (), _layout_text(derivation, kind, vec, x_is_vector,
                                           [str(s) for s in (I_, J_, P_, Q_)], base)),
        Section("Closed form", (Line(result, lhs=Symbol("J" if kind == "jacobian" else "G")),),
                f"The closed form has this entry at that position: {checked}."),
    ]
    layout = derivation.layout if kind == "jacobian" else "numerator"
    return Proof("elementwise", kind, vec if kind == "jacobian" else None, F, X, result,
                 stated_convention(derivation, kind, vec, layout), tuple(sections), (), layout,
                 *stated_shapes(derivation))


def _case_split(partial):
    """δ_ip a_q -> (a_q if i = p, else 0), as seed 1 writes it."""
    deltas = [f for f in sympy.Mul.make_args(partial) if isinstance(f, sympy.KroneckerDelta)]
    if not deltas:
        return ()
    rest = partial.xreplace({d: 1 for d in deltas})
    condition = sympy.And(*[sympy.Eq(*d.args[:2]) for d in deltas])
    return (Line(sympy.Piecewise((rest, condition), (0, True))),)


def _layout_text(derivation, kind, vec, x_is_vector, names, base) -> str:
    F, X = derivation.expr, derivation.variable
    i, j, p, q = names
    shift = "-1" if base == 1 else ""
    if not is_matrix(X):
        return _layout_by_scalar(derivation, kind, vec, i, j, shift)
    if kind == "gradient":
        return (f"The gradient has {X.name}'s shape: its entry ({p}, {q}) is "
                f"∂F/∂{X.name}_{p}{q}." if not x_is_vector else
                f"The gradient is a column: its entry {p} is ∂F/∂{X.name}_{p}.")
    x_pos = p if x_is_vector else (f"({q}{shift})·{X.shape[0]} + {p}" if vec == "col" else
                                   f"({p}{shift})·{X.shape[1]} + {q}")
    if derivation.is_scalar:
        row, f_entry = str(base), "F"
    elif F.shape[1] == 1:
        row, f_entry = i, f"F_{i}"
    else:
        row = f"({j}{shift})·{F.shape[0]} + {i}" if vec == "col" else \
            f"({i}{shift})·{F.shape[1]} + {j}"
        f_entry = f"F_{i}{j}"
    x_entry = f"{X.name}_{p}" if x_is_vector else f"{X.name}_{p}{q}"
    stack = "vec" if vec == "col" else "vecr"
    if derivation.layout == "denominator":
        return (f"With {stack} ({CONVENTIONS[vec].split(';')[0]}) and denominator layout, "
                f"∂{f_entry}/∂{x_entry} sits in row {x_pos} and column {row} of the Jacobian.")
    return (f"With {stack} ({CONVENTIONS[vec].split(';')[0]}), ∂{f_entry}/∂{x_entry} sits "
            f"in row {row} and column {x_pos} of the Jacobian.")


def _by_what(variable, partial) -> str:
    if not is_matrix(variable):
        delta = "; δ is Kronecker's delta" if partial.has(sympy.KroneckerDelta) else ""
        return f"{variable}{delta}"
    return f"one entry of {variable.name}; δ is Kronecker's delta"


def _layout_by_scalar(derivation, kind, vec, i, j, shift) -> str:
    """Where ∂F_ij/∂t sits: the derivative itself for scalar F, else a row of the
    column d vec(F)/dt (a column of the row, in denominator layout)."""
    F, t = derivation.expr, derivation.variable
    if kind == "gradient" or derivation.is_scalar:
        return f"By the scalar {t}, the derivative of a scalar F is the scalar ∂F/∂{t}."
    if F.shape[1] == 1:
        row, f_entry = i, f"F_{i}"
    else:
        row = f"({j}{shift})·{F.shape[0]} + {i}" if vec == "col" else \
            f"({i}{shift})·{F.shape[1]} + {j}"
        f_entry = f"F_{i}{j}"
    stack = "vec" if vec == "col" else "vecr"
    where = "column" if derivation.layout == "denominator" else "row"
    shape = "a row (denominator layout)" if derivation.layout == "denominator" else "a column"
    return (f"With {stack} ({CONVENTIONS[vec].split(';')[0]}), ∂{f_entry}/∂{t} sits in "
            f"{where} {row} of the Jacobian d {stack}(F)/d{t}, {shape}.")


def _x_shape(variable, substitution) -> tuple[int, int]:
    """The variable's concrete shape; a scalar t is 1 x 1 here (one column of J)."""
    if not is_matrix(variable):
        return (1, 1)
    return tuple(int(d.subs(substitution)) for d in variable.shape)


def _size_sets(derivation):
    dims = size_symbols(derivation.expr, derivation.variable)
    choices = [(2, 3, 2, 3), (3, 2, 3, 2)]
    return [{d.name: c[k % len(c)] + (k // len(c)) for k, d in enumerate(dims)}
            for c in choices]


#: Largest number of Jacobian entries compared symbolically (each is one simplification).
MAX_SYMBOLIC_ENTRIES = 100

#: Seconds an element-wise proof may spend on checking its entries.
TIME_BUDGET = 20.0

#: Seconds an element-wise proof may take in all, SymPy's own work included.
HARD_LIMIT = 60.0


def _out_of_time(started) -> bool:
    return time.monotonic() - started > TIME_BUDGET


def _positions(derivation, kind, vec, f_shape, x_shape):
    """(i, j, p, q) with the row and column of ∂F_ij/∂X_pq in the result, 0-based."""
    order = "F" if vec == "col" else "C"
    for i, j in itertools.product(range(f_shape[0]), range(f_shape[1])):
        for p, q in itertools.product(range(x_shape[0]), range(x_shape[1])):
            if kind == "gradient":
                yield (i, j, p, q), (p, q)
                continue
            row = int(np.ravel_multi_index((i, j), f_shape, order=order))
            col = int(np.ravel_multi_index((p, q), x_shape, order=order))
            yield (i, j, p, q), ((col, row) if derivation.layout == "denominator" else (row, col))


def _explicit_elements(expr):
    """Entries of inverses and determinants written out in the matrices' own entries."""
    replacements = {}
    for element in expr.atoms(MatrixElement):
        parent = element.args[0]
        if isinstance(parent, sympy.Inverse):
            inverse = parent.arg.as_explicit().inv()
            replacements[element] = inverse[int(element.args[1]), int(element.args[2])]
    for node in expr.atoms(Determinant):
        replacements[node] = node.arg.as_explicit().det()
    for node in expr.atoms(ScalarOf):
        replacements[node] = node.matrix.as_explicit()[0, 0]
    return expr.xreplace(replacements) if replacements else expr


def _same(a, b) -> bool:
    difference = a - b
    if difference == 0 or sympy.expand(difference) == 0:
        return True
    return sympy.cancel(sympy.together(difference)) == 0


def _closed_entry(matrix, row: int, col: int):
    """Entry (row, col) of the closed form at concrete sizes, its index sums written out
    term by term (``matrix[row, col]`` sums them with SymPy's doit, far slower)."""
    if not hasattr(matrix, "_entry"):
        return matrix[row, col]
    return evaluate_sums(write_out_sums(_entry_unsummed(matrix, row, col)))


def _entry_unsummed(matrix, i, j):
    """An entry with its index sums left as sums: SymPy's MatMul sums the entries of the
    factors it multiplies on the spot (``expand`` is not passed down)."""
    if isinstance(matrix, sympy.MatMul):
        coefficient, factors = matrix.as_coeff_matrices()
        if len(factors) == 1:
            return coefficient * _entry_unsummed(factors[0], i, j)
        inner = [Dummy("i", **_INDEX) for _ in factors[1:]]
        indices = [i, *inner, j]
        body = sympy.Mul(*[_entry_unsummed(f, indices[n], indices[n + 1])
                           for n, f in enumerate(factors)])
        return coefficient * Sum(body, *[(k, 0, f.shape[1] - 1)
                                         for k, f in zip(inner, factors, strict=False)])
    if isinstance(matrix, sympy.MatAdd):
        return sympy.Add(*[_entry_unsummed(a, i, j) for a in matrix.args])
    if isinstance(matrix, sympy.HadamardProduct):
        return sympy.Mul(*[_entry_unsummed(a, i, j) for a in matrix.args])
    if isinstance(matrix, sympy.Transpose):
        return _entry_unsummed(matrix.arg, j, i)
    return matrix._entry(i, j, expand=False)


def _symbolic_check(derivation, kind, vec, partial, indices, sizes) -> bool:
    """Exact comparison with every matrix entry kept a symbol, at concrete ``sizes``.

    True when every entry agrees exactly; False when undecided (then the numeric
    check alone stands). A definite mismatch is caught by the numeric check.
    """
    substitution = {Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}
    result = derivation.gradient() if kind == "gradient" else derivation.jacobian(vec=vec)
    # xreplace, not subs: subs may replace only some sizes of a MatrixSymbol.
    concrete = result.xreplace(substitution)
    if not is_matrix(concrete):
        return False
    rows, cols = (int(d) for d in concrete.shape)
    if rows * cols > MAX_SYMBOLIC_ENTRIES:
        return False
    x_shape = _x_shape(derivation.variable, substitution)
    f_shape = (1, 1) if derivation.is_scalar else \
        tuple(int(d.subs(substitution)) for d in derivation.expr.shape)
    formula = partial.xreplace(substitution)
    started = time.monotonic()
    for at, (row, col) in _positions(derivation, kind, vec, f_shape, x_shape):
        if _out_of_time(started):
            return False
        at = {index: sympy.Integer(v) for index, v in zip(indices, at, strict=True)}
        entry = _explicit_elements(evaluate_sums(write_out_sums(formula.xreplace(at))))
        # The closed form's entries one at a time: an undecided one stops the check
        # before the others are written out.
        if not _same(entry, _explicit_elements(_closed_entry(concrete, row, col))):
            return False
    return True


def _verify_entries(derivation, kind, vec, partial, indices) -> str:
    """Compare the entry formula with the closed form at every entry; raise if any differ."""
    numeric = _verify_numerically(derivation, kind, vec, partial, indices)
    sizes = _size_sets(derivation)[0]
    try:
        exact = _symbolic_check(derivation, kind, vec, partial, indices, sizes)
    except (TypeError, ValueError, NotImplementedError, AttributeError, ZeroDivisionError):
        exact = False
    if not exact:
        return numeric
    shown = ", ".join(f"{k}={v}" for k, v in sizes.items())
    return (f"checked exactly at every entry for sizes {shown} (every matrix entry kept a "
            f"symbol), and {numeric}")


def _verify_numerically(derivation, kind, vec, partial, indices) -> str:
    """At every entry, with random values, for two sets of sizes; raise on a mismatch."""
    rng = np.random.default_rng(11)
    started = time.monotonic()
    functions = stand_in_functions(derivation.abstract_functions)
    X = derivation.variable
    described = []
    for sizes in _size_sets(derivation):
        values = random_values(derivation.expr, X, rng, sizes=sizes)
        substitution = {Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}
        result = derivation.gradient() if kind == "gradient" else derivation.jacobian(vec=vec)
        closed = np.atleast_2d(evaluate(result, values, functions=functions))
        x_shape = _x_shape(X, substitution)
        f_shape = (1, 1) if derivation.is_scalar else \
            tuple(int(d.subs(substitution)) for d in derivation.expr.shape)
        formula, values = _inverses_as_values(partial.subs(substitution), values, functions)
        entries = EntryValues(values, functions,
                              lambda expr, values=values: _numeric(expr.doit(), values, functions))
        for i, j in itertools.product(range(f_shape[0]), range(f_shape[1])):
            for p, q in itertools.product(range(x_shape[0]), range(x_shape[1])):
                if _out_of_time(started):
                    raise MatDerivError(f"no element-wise proof: checking its entries took "
                                        f"more than {TIME_BUDGET:.0f} s")
                value = entries.at(formula, dict(zip(indices, (i, j, p, q), strict=True)))
                if kind == "gradient":
                    expected = closed[p, q]
                else:
                    order = "F" if vec == "col" else "C"
                    row = np.ravel_multi_index((i, j), f_shape, order=order)
                    col = np.ravel_multi_index((p, q), x_shape, order=order)
                    expected = closed[(col, row) if derivation.layout == "denominator"
                                      else (row, col)]
                if not np.isclose(value, expected, rtol=1e-7, atol=1e-9):
                    raise MatDerivError(
                        f"element-wise proof refused: at sizes {sizes} the entry formula "
                        f"gives {value:.6g} but the closed form has {expected:.6g} "
                        f"(i={i + 1}, j={j + 1}, p={p + 1}, q={q + 1})")
        described.append(", ".join(f"{k}={v}" for k, v in sizes.items()))
    return ("checked numerically at every entry, with random values, for sizes "
            + " and ".join(described))


def _inverses_as_values(formula, values, functions):
    """``formula`` with each inverse or negative matrix power stood in for by a plain
    matrix holding its value at ``values`` (returned with them).

    ``doit()`` on an entry of (A + X)^-1 inverts the matrix symbolically, entry by
    entry: for 3 x 3 sums that took minutes (logdet(X + A) ran out of its 60 s budget).
    The numeric check needs only the inverse's value.
    """
    inverses = [node for node in formula.atoms(sympy.Inverse, sympy.MatPow)
                if isinstance(node, sympy.Inverse) or node.exp.is_negative]
    if not inverses:
        return formula, values
    values, stand_ins = dict(values), {}
    for number, node in enumerate(sorted(inverses, key=sympy.default_sort_key)):
        # A name the formula parser cannot produce, so it clashes with no symbol.
        stand_in = sympy.MatrixSymbol(f"⟨inverse {number}⟩", *node.shape)
        values[stand_in.name] = np.atleast_2d(evaluate(node, values, functions=functions))
        stand_ins[node] = stand_in
    return formula.xreplace(stand_ins), values


def _numeric(expr, values, functions) -> float:
    """Evaluate a concrete-index formula: matrix entries become numbers."""
    replacements = {}
    for element in expr.atoms(MatrixElement):
        parent, row, col = element.args
        matrix = np.atleast_2d(evaluate(parent, values, functions=functions))
        replacements[element] = sympy.Float(matrix[int(row), int(col)])
    for node in expr.atoms(Determinant, AbstractFunction):
        replacements[node] = sympy.Float(evaluate(node, values, functions=functions))
    for symbol in expr.free_symbols:
        if symbol.name in values and not isinstance(values[symbol.name], np.ndarray):
            replacements[symbol] = sympy.Float(values[symbol.name])
    value = expr.xreplace(replacements)
    for element in value.atoms(MatrixElement):  # entries of entries (inverse inside det)
        raise MatDerivError(f"cannot evaluate {element}")
    return float(sympy.N(value))

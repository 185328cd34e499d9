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

import sympy
from sympy import Derivative, Determinant, Dummy, S, Symbol

from ..deadline import deadline
from ..engine.conventions import CONVENTIONS, stated_convention
from ..errors import MatDerivError
from ..expressions import (
    Unvec,
    Vec,
    Vecr,
    is_matrix,
)
from .data import Line, Proof, Section, stated_shapes
from .entry_checks import verify_entries
from .entry_form import INDEX as _INDEX
from .entry_form import element_of
from .entry_form import entry as _entry
from .entry_form import index_form as _index_form
from .index_rules import entry_derivative as differentiate_entry
from .index_rules import substitute

_NAMES = "ijpqklrstuvwgh"


def _index_symbols(derivation):
    """Four index names (for F_ij and X_pq) that no matrix or size of the formula uses."""
    taken = set(derivation.env) | {str(s) for s in derivation.expr.free_symbols}
    free = [n for n in _NAMES if n not in taken]
    return tuple(Symbol(n, **_INDEX) for n in free[:4]), free[4:]


def _readable(expr, names):
    """Dummy indices renamed k, l, r, ... for display."""
    symbols = expr.atoms(Symbol)
    dummies = sorted((s for s in symbols if isinstance(s, Dummy)), key=lambda d: d.dummy_index)
    if any(s.name.startswith("_") and not isinstance(s, Dummy) for s in symbols):
        dummies += sorted((s for s in expr.free_symbols
                           if s.name.startswith("_") and not isinstance(s, Dummy)), key=str)
    return substitute(expr, {d: Symbol(names[i % len(names)], **_INDEX)
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
        # X[P_, Q_], without SymPy's check of the indices (which asks the assumptions
        # of each): the index symbols are nonnegative integers, valid for any size.
        element = element_of(X, P_, S.Zero if x_is_vector else Q_)
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
    checked = verify_entries(derivation, kind, vec, partial, (I_, J_, P_, Q_), TIME_BUDGET)
    # Index arithmetic (Kronecker products) is only right as SymPy counts, from 0.
    base = 0 if partial.has(sympy.Mod, sympy.floor) or entry.has(sympy.Mod) else 1
    shown = _readable(partial, spare)
    sections = [
        Section("Entry", (Line(_readable(entry, spare), lhs=f_name),),
                f"Write one entry of F with index sums (indices count from {base})."),
        Section("Derivative", (Line(shown, lhs=Derivative(f_name, x_name)),
                                *_case_split(shown)),
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


#: Seconds an element-wise proof may spend on checking its entries.
TIME_BUDGET = 20.0

#: Seconds an element-wise proof may take in all, SymPy's own work included.
HARD_LIMIT = 60.0



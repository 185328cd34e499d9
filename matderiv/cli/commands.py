"""The ``matderiv`` command: a thin face over the Python API.

Every error the user can cause ends in one line on stderr and exit code 2.
"""

from __future__ import annotations

import functools
import os
import sys

import click

from ..api.jsonable import to_json
from ..deadline import deadline
from ..errors import MatDerivError
from ..render.escape import printable

EXAMPLE = "matderiv derive 'W*a' --wrt W -s W=m,n -s a=n,1"


def _shapes(values) -> dict:
    shapes = {}
    for value in values:
        name, sep, sizes = value.partition("=")
        if not sep or not name.strip():
            raise MatDerivError(f"-s {value!r}: write NAME=ROWS,COLS (e.g. -s W=m,n), "
                                "NAME=ROWS for a vector, NAME= for a scalar")
        name = name.strip()
        if name in shapes:
            raise MatDerivError(f"-s {name}: shape given twice")
        shapes[name] = tuple(part.strip() for part in sizes.split(",") if part.strip())
        if len(shapes[name]) > 2:
            raise MatDerivError(f"-s {value!r}: a matrix has two sizes")
    return shapes


def _dest(kind: str) -> str:
    return "kind_" + kind.replace("-", "_")


def _kind_options(choices: dict):
    """Flags --gradient, --jacobian, ... of which at most one may be given; the command
    receives the one given as ``kind`` (None without any)."""
    def decorate(function):
        @functools.wraps(function)
        def command(**options):
            given = [kind for kind in choices if options.pop(_dest(kind))]
            if len(given) > 1:
                raise click.UsageError(f"{' and '.join('--' + k for k in given)} ask for "
                                       "different results: give one of "
                                       f"{', '.join('--' + k for k in choices)}")
            return function(kind=given[0].replace("-", "_") if given else None, **options)
        for kind, help_text in reversed(list(choices.items())):
            command = click.option(f"--{kind}", _dest(kind), is_flag=True,
                                   help=help_text)(command)
        return command
    return decorate


#: Seconds a command may take as a whole (--seconds); with --batch, each entry.
COMMAND_SECONDS = 60.0

_STOPPED = "stopped after {seconds} s, the command's time budget (--seconds N to change it)"


def _time_budget(function):
    """--seconds N: the command stops with its reason once N seconds have passed (with
    --batch, each entry that takes longer is reported as failed, and the rest go on)."""
    @functools.wraps(function)
    def command(**options):
        if options.get("batch"):
            return function(**options)
        with deadline(options["seconds"], _STOPPED):
            return function(**options)
    # (bounded above: a timer of 1e10 s or inf overflows; nan is no budget at all)
    return click.option("--seconds", type=click.FloatRange(min=0.1, max=86400.0),
                        default=COMMAND_SECONDS, callback=_finite_seconds,
                        show_default=True, metavar="N",
                        help="The command's time budget in seconds (with --batch, each "
                             "entry's).")(command)


def _finite_seconds(context, parameter, value):
    if value != value:  # nan
        raise click.BadParameter("must be a number of seconds, not nan")
    return value


_SYNTAX = click.option("--syntax", type=click.Choice(["text", "latex"]), default="text",
                       show_default=True,
                       help="How FORMULA (and a claim) is written: the formula grammar, or "
                            "LaTeX (\\operatorname{tr}(A X B), X^\\top, \\|x\\|_2^2).")


_FUNCTIONS = click.option(
    "--function", "functions", multiple=True, metavar="NAME",
    help="Declare NAME an abstract function (repeatable): phi(W*x) then has phi'(W x) in its "
         "derivative. One-letter names (f, g, h1) are abstract without it.")


def _complex_options(function):
    """--complex NAME and --hermitian NAME (repeatable): complex names, read and derived
    by Wirtinger calculus (docs/complex.md)."""
    function = click.option(
        "--hermitian", "hermitian", multiple=True, metavar="NAME",
        help="NAME is a complex Hermitian matrix, a constant (repeatable).")(function)
    return click.option(
        "--complex", "complex_names", multiple=True, metavar="NAME",
        help="NAME is a complex matrix (repeatable): ' conjugates and transposes, .' "
             "transposes; gradients are ∂F/∂Z̄ of a real F (docs/complex.md).")(function)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _structure(command):
    """--symmetric S, --diagonal D (repeatable) and --symmetric-convention, handed to the
    command as one keyword, ``structure``: derive's keywords (docs/structured.md)."""
    @functools.wraps(command)
    def run(symmetric, diagonal, symmetric_convention, **options):
        structure = {"symmetric": symmetric, "diagonal": diagonal,
                     "symmetric_convention": symmetric_convention} \
            if symmetric or diagonal or symmetric_convention != "symmetric" else {}
        return command(structure=structure, **options)

    for option in (
            click.option("--symmetric-convention", type=click.Choice(["symmetric", "cookbook"]),
                         default="symmetric", show_default=True,
                         help="By a symmetric S: the gradient on symmetric matrices, "
                              "sym(G) (symmetric), or the Matrix Cookbook's entrywise "
                              "G + G' - diag(diag(G)) (cookbook)."),
            click.option("--diagonal", multiple=True, metavar="NAME",
                         help="Declare the square matrix NAME diagonal (repeatable)."),
            click.option("--symmetric", multiple=True, metavar="NAME",
                         help="Declare the square matrix NAME symmetric (repeatable): "
                              "results use S' = S; by S, see --symmetric-convention.")):
        run = option(run)
    return run


class _Group(click.Group):
    """Turns MatDerivError, and click's own usage errors, into one line on stderr, exit 2."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as error:
            if type(error).__name__ == "NoArgsIsHelpError" and error.ctx is not None:
                click.echo(error.ctx.get_help())  # bare `matderiv`: the help, as asked
                sys.exit(0)
            # click prints usage, a hint and the message on three lines; we print one.
            where = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
            message = " ".join(error.format_message().split())
            if isinstance(error, click.NoSuchOption) and error.option_name[1:2] not in ("-", ""):
                # '-y' or '-0.5': most likely a formula that starts with a minus sign.
                where += (" — a formula that starts with '-' goes after '--', with the "
                          "options first, or in brackets: \"(-x'*A*x)\"")
            click.echo(f"matderiv: error: {printable(message + where)}", err=True)
            sys.exit(2)
        except click.ClickException as error:
            message = " ".join(error.format_message().split())
            click.echo(f"matderiv: error: {printable(message)}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("matderiv: aborted", err=True)
            sys.exit(1)
        except OSError as error:  # stdout itself failed: a full disk, a closed pipe
            _silence_stdout()
            if not isinstance(error, BrokenPipeError):  # `| head` closing early is fine
                click.echo(f"matderiv: error: cannot write the output: "
                           f"{printable(error.strerror or error)}", err=True)
            sys.exit(2)

    def invoke(self, ctx):
        import warnings
        warnings.simplefilter("ignore")  # numeric warnings are reported as results, not noise
        try:
            return super().invoke(ctx)
        except MatDerivError as error:
            click.echo(f"matderiv: error: {printable(error.one_line())}", err=True)
            sys.exit(2)
        except RecursionError:
            click.echo("matderiv: error: the formula is nested too deeply", err=True)
            sys.exit(2)
        except (TypeError, ValueError, AttributeError, NotImplementedError,
                ArithmeticError) as error:
            click.echo(f"matderiv: internal error: {type(error).__name__}: "
                       f"{printable(error)} (please report this formula)", err=True)
            sys.exit(3)
        except MemoryError:
            click.echo("matderiv: error: out of memory (the formula's sizes or expressions "
                       "are too large for this machine)", err=True)
            sys.exit(2)


@click.group(cls=_Group,
             help=f"Symbolic matrix calculus that shows its work.\n\nExample:\n\n  {EXAMPLE}")
@click.version_option(package_name="matderiv")
def main():
    pass


def _higher(function):
    """--order K (the K-th derivative, in index notation) and --wrt2 Y (with --hessian:
    the mixed Hessian by X and Y)."""
    function = click.option(
        "--wrt2", default=None, metavar="Y",
        help="With --hessian: the mixed Hessian d²F / d vec(X) d vec(Y)', the Jacobian by Y "
             "of the gradient by X.")(function)
    return click.option(
        "--order", type=int, default=None, metavar="K",
        help="The K-th derivative (1 to 8): an array with F's axes, then X's K times, "
             "in index notation (docs/higher-order.md).")(function)



def _real_only(**options) -> None:
    """--order and --wrt2 are for real names: complex ones have no higher derivatives yet."""
    given = [f"--{name}" for name, value in options.items() if value is not None]
    if given:
        raise MatDerivError(f"{' and '.join(given)} are not written yet for complex names "
                            "(--complex, --hermitian)")


def _higher_options(kind, order, wrt2, vec, layout) -> None:
    if order is not None and (kind is not None or wrt2 is not None):
        raise MatDerivError("--order K gives the derivative of order K: leave out "
                            "--gradient, --jacobian, --hessian, --tensor and --wrt2")
    if order is not None and (vec, layout) != ("col", "numerator"):
        raise MatDerivError("--order K gives an array with F's axes, then X's K times: it has "
                            "no vec or layout (leave out --vec and --layout)")
    if wrt2 is not None and kind != "hessian":
        raise MatDerivError("--wrt2 Y asks for the mixed Hessian: give it with --hessian")


@main.command(help="Derive the Jacobian or gradient of FORMULA with respect to a variable.\n\n"
                   f"Example:\n\n  {EXAMPLE}\n\n"
                   "  matderiv derive 'tr(A*X*B)' --wrt X -s A=p,m -s X=m,n -s B=n,p --gradient")
@click.argument("formula")
@click.option("--wrt", required=True,
              help="The variable: a matrix, vector or scalar name of FORMULA.")
@click.option("-s", "--shape", "shapes", multiple=True, metavar="NAME=ROWS,COLS",
              help="Shape of a name: -s W=m,n (matrix), -s a=n,1 or -s a=n (vector), "
                   "-s k= (scalar), -s v=m*n,1; a name not given gets the shape the "
                   "formula implies (printed as a note).")
@click.option("--vec", type=click.Choice(["col", "row"]), default="col", show_default=True,
              help="col: vec stacks columns; row: vecr stacks rows (seed 2's W-tilde).")
@click.option("--layout", type=click.Choice(["numerator", "denominator"]), default="numerator",
              show_default=True,
              help="Jacobian layout: numerator (one row per entry of F) or denominator "
                   "(the transpose: one row per entry of X).")
@_kind_options({
    "gradient": "The gradient as a matrix of X's shape (scalar formulas).",
    "jacobian": "The Jacobian d vec(F) / d vec(X) (default for matrix formulas).",
    "hessian": "The Hessian d²F / d vec(X) d vec(X)' of a scalar formula (--vec row: "
               "d²F / d vecr(X) d vecr(X)').",
    "tensor": "The 4-index derivative T[i,j,k,l] = dF_ij / dX_kl, with indices."})
@click.option("--format", "fmt", type=click.Choice(["text", "latex", "json"]), default="text",
              show_default=True)
@click.option("--check", is_flag=True, help="Also check the result against finite differences.")
@click.option("--conjugate", is_flag=True,
              help="With --complex: the Jacobian by the conjugate, d vec(F) / d vec(Z̄).")
@_higher
@_time_budget
@_SYNTAX
@_FUNCTIONS
@_complex_options
@_structure
def derive(formula, wrt, shapes, vec, layout, kind, fmt, check, conjugate, order, wrt2, seconds,
           syntax, functions, complex_names, hermitian, structure):
    from ..api.derivation import derive as derive_api
    from ..api.report import derivation_report

    _higher_options(kind, order, wrt2, vec, layout)
    if complex_names or hermitian:
        _real_only(order=order, wrt2=wrt2)
    derivation = derive_api(formula, wrt=wrt, shapes=_shapes(shapes), layout=layout,
                            syntax=syntax, functions=functions, complex=complex_names,
                            hermitian=hermitian, **structure)
    if kind is None:
        kind = "jacobian" if conjugate or not derivation.is_scalar else "gradient"
    if complex_names or hermitian:
        from ..api.complex_report import complex_report
        report = complex_report(derivation, kind, vec, conjugate, check)
    elif conjugate:
        raise MatDerivError("--conjugate needs complex names (--complex Z)")
    elif order is not None or wrt2 is not None:
        from ..api.higher_report import higher_report
        report = higher_report(derivation, order=order, wrt2=wrt2, vec=vec, check=check)
    else:
        report = derivation_report(derivation, kind=kind, vec=vec, check=check)
    if fmt == "json":
        click.echo(to_json(report, indent=2))
    elif fmt == "latex":
        click.echo(report["statement"]["latex"])
    else:
        click.echo(report["statement"]["text"])
        click.echo(f"  convention: {report['convention']}")
        for note in report["notes"]:
            click.echo(f"  note: {note}")
        if check:
            click.echo(f"  check: {report['check']['summary']}")


@main.command(help="Prove the derivative of FORMULA rule by rule and element by element.\n\n"
                   "Example:\n\n  matderiv prove 'W*a' --wrt W -s W=m,n -s a=n,1 --style both\n\n"
                   "  matderiv prove 'tr(A*X*B)' --wrt X -s A=p,m -s X=m,n -s B=n,p "
                   "-o proof.tex --pdf\n\n"
                   "  matderiv prove --batch derivations.toml -o all.tex")
@click.argument("formula", required=False)
@click.option("--wrt", help="The variable: a matrix, vector or scalar name of FORMULA.")
@click.option("-s", "--shape", "shapes", multiple=True, metavar="NAME=ROWS,COLS",
              help="Shape of a name, as for derive.")
@click.option("--vec", type=click.Choice(["col", "row"]), default="col", show_default=True)
@click.option("--layout", type=click.Choice(["numerator", "denominator"]), default="numerator",
              show_default=True, help="Jacobian layout, as for derive.")
@click.option("--hessian", is_flag=True,
              help="Prove the gradient, then the Hessian as the Jacobian of the gradient.")
@click.option("--wrt2", default=None, metavar="Y",
              help="With --hessian: prove the mixed Hessian by X and Y (the gradient by X, "
                   "then its Jacobian by Y).")
@click.option("--style", type=click.Choice(["rules", "elementwise", "both"]), default="rules",
              show_default=True,
              help="rules: the chain of equalities, each naming its rule; elementwise: one "
                   "entry with index sums, differentiated and laid out; both.")
@click.option("--format", "fmt", type=click.Choice(["text", "latex", "md"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to a file; a .tex file is a standalone document.")
@click.option("--pdf", is_flag=True, help="With -o FILE.tex: also compile it with pdflatex.")
@click.option("--batch", type=click.Path(dir_okay=False), default=None,
              help="Prove every [[derivation]] of a TOML file into one document.")
@_time_budget
@_SYNTAX
@_FUNCTIONS
@_complex_options
@_structure
def prove(formula, wrt, shapes, vec, layout, hessian, wrt2, style, fmt, output, pdf, batch,
          seconds, syntax, functions, complex_names, hermitian, structure):
    from .output import write_atomically

    if wrt2 is not None and (not hessian or batch):
        raise MatDerivError("--wrt2 Y proves a mixed Hessian: give it with --hessian "
                            "(and FORMULA --wrt X)")
    if complex_names or hermitian:
        _real_only(wrt2=wrt2)

    if pdf and not (output and output.endswith(".tex")):
        raise MatDerivError("--pdf needs -o FILE.tex")
    if batch:
        if formula or wrt:
            raise MatDerivError("give either FORMULA --wrt X or --batch FILE, not both")
        text, failed = _prove_batch(batch, style, fmt, output, seconds)
    else:
        if not formula or not wrt:
            raise MatDerivError("prove needs FORMULA and --wrt X (or --batch FILE)")
        kind = ("hessian", wrt2) if wrt2 is not None else "hessian" if hessian else None
        text, failed = _prove_one(formula, wrt, shapes, vec, layout, style, fmt, output,
                                  kind, syntax, functions,
                                  {"complex": complex_names, "hermitian": hermitian},
                                  structure), 0
    if output:
        write_atomically(output, text)
        click.echo(f"wrote {printable(output)}")
        if pdf:
            _compile(output)
    else:
        click.echo(text, nl=False)
    if failed:
        sys.exit(2)


def _render(derivation, style, fmt, vec, standalone, title, kind=None):
    if isinstance(kind, tuple):  # ("hessian", Y): the mixed Hessian by X and Y
        from ..api.higher_report import mixed_proofs
        return _render_proofs(mixed_proofs(derivation, kind[1], style, vec), fmt,
                              standalone, title)
    kind = kind or ("gradient" if derivation.is_scalar else "jacobian")
    if standalone:
        from ..render.proof_latex import document
        return document([derivation.latex(proof=style, kind=kind, vec=vec)], title=title)
    if fmt == "latex":
        return derivation.latex(proof=style, kind=kind, vec=vec)
    text = derivation.proof_text(style, kind=kind, vec=vec)
    return "```\n" + text + "```\n" if fmt == "md" else text


def _render_proofs(proofs, fmt, standalone, title):
    from ..render.proof_latex import document, proof_to_latex
    from ..render.proof_text import proof_to_text
    if standalone or fmt == "latex":
        latex = "\n".join(proof_to_latex(p) for p in proofs)
        return document([latex], title=title) if standalone else latex
    text = "\n".join(proof_to_text(p) for p in proofs)
    return "```\n" + text + "```\n" if fmt == "md" else text


def _prove_one(formula, wrt, shapes, vec, layout, style, fmt, output, kind=None,
               syntax="text", functions=(), complex_options=None, structure=None):
    from ..api.derivation import derive as derive_api

    derivation = derive_api(formula, wrt=wrt, shapes=_shapes(shapes), layout=layout,
                            syntax=syntax, functions=functions, **(complex_options or {}),
                            **(structure or {}))
    if kind is None and any((complex_options or {}).values()):
        kind = derivation.default_kind()  # a complex-valued scalar has Jacobians
    standalone = bool(output and output.endswith(".tex"))
    return _render(derivation, style, fmt, vec, standalone, f"Derivative of {formula}", kind)


def _prove_batch(path, style, fmt, output, seconds):
    from ..api.batch import derive_entry, read_batch
    from ..render.proof_latex import document

    title, raw_entries = read_batch(path)
    latex = bool(output and output.endswith(".tex")) or fmt == "latex"

    def proved(number, raw):
        """The entry derived and its proof rendered (within the entry's time budget)."""
        entry = derive_entry(number, raw)
        if entry.error:
            return entry, None
        derivation = entry.derivation
        if latex:
            kind = "gradient" if derivation.is_scalar else "jacobian"
            return entry, derivation.latex(proof=style, kind=kind, vec=entry.vec)
        return entry, _render(derivation, style, fmt, entry.vec, False, title)

    results, names, failed = [], [], 0
    # A progress bar on stderr, for batches that take more than a moment.
    with click.progressbar(list(enumerate(raw_entries, start=1)), label="deriving",
                           file=sys.stderr, show_pos=True,
                           **({"hidden": True} if not sys.stderr.isatty() else {})) as progress:
        for number, raw in progress:
            entry, fragment = _within(seconds, number, raw, proved)
            if entry.error:
                failed += 1
                click.echo(f"matderiv: error: {printable(entry.name)}: "
                           f"{printable(entry.error)}", err=True)
            else:
                results.append(fragment)
                names.append(entry.name)
    if output and output.endswith(".tex"):
        return document(results, title=title, names=names), failed
    return "\n".join(results), failed


#: Seconds pdflatex may take for one document.
PDFLATEX_SECONDS = 60


def _within(seconds, number, raw, make):
    """One batch entry (``make(number, raw)``) within the time budget, or its failure."""
    from ..api.batch import check_entry, failed_entry
    try:
        with deadline(seconds, _STOPPED.replace("command's", "entry's")):
            return make(number, raw)
    except MatDerivError as error:
        failure = failed_entry(make is check_entry, number, raw, error.one_line())
        return failure if make is check_entry else (failure, None)


def _compile(path):
    """The PDF beside ``path`` (a .tex file just written), by the API's one pdflatex
    runner (api/pdf.py: a folder of its own, no shell escape, bounded in time)."""
    from ..api.pdf import pdf_of
    from .output import write_bytes_atomically

    with open(path, encoding="utf-8") as stream:
        latex = stream.read()
    try:
        pdf = pdf_of(latex, seconds=PDFLATEX_SECONDS)
    except MatDerivError as error:
        raise MatDerivError(f"{error.one_line()} ({path} is written; no PDF was made)") from None
    target = path[:-4] + ".pdf"
    write_bytes_atomically(target, pdf)
    click.echo(f"wrote {printable(target)}")


CHECK_EXAMPLE = "matderiv check 'W*a' --wrt W -s W=m,n -s a=n,1 --claim \"kron(a', I(m))\""


@main.command(help="Check a claimed derivative of FORMULA: confirm it, or refute it with the "
                   "smallest counterexample.\n\n"
                   f"Example:\n\n  {CHECK_EXAMPLE}\n\n"
                   "  matderiv check --batch claims.toml --format md\n\n"
                   "Exit code: 0 when the claim is correct in the convention asked; 1 when it "
                   "is wrong, ill-formed, or correct only in another convention (the output "
                   "names the flag that gives it); 2 for bad input. With --batch, the worst "
                   "code of all entries.")
@click.argument("formula", required=False)
@click.option("--wrt", help="The variable: a matrix, vector or scalar name of FORMULA.")
@click.option("-s", "--shape", "shapes", multiple=True, metavar="NAME=ROWS,COLS",
              help="Shape of a name, as for derive.")
@click.option("--claim", "claim", help="The claimed result, in the formula grammar, e.g. "
                                       "\"kron(a', I(m))\" or \"f'(W*X)*X'\".")
@click.option("--vec", type=click.Choice(["col", "row"]), default="col", show_default=True,
              help="The convention the claim is written in: vec (col) or vecr (row).")
@click.option("--layout", type=click.Choice(["numerator", "denominator"]), default="numerator",
              show_default=True, help="Jacobian layout the claim is written in.")
@_kind_options({"gradient": "The claim is the gradient.",
                "jacobian": "The claim is the Jacobian.",
                "hessian": "The claim is the Hessian."})
@click.option("--wrt2", default=None, metavar="Y",
              help="With --hessian: the claim is the mixed Hessian d²F / d vec(X) d vec(Y)'.")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "latex", "json"]),
              default="text", show_default=True)
@click.option("--batch", type=click.Path(dir_okay=False), default=None,
              help="Check every [[claim]] of a TOML file and print a table.")
@click.option("--conjugate", is_flag=True,
              help="With --complex: the claim is the Jacobian by the conjugate Z̄.")
@_time_budget
@_SYNTAX
@_FUNCTIONS
@_complex_options
@_structure
def check(formula, wrt, shapes, claim, vec, layout, kind, wrt2, fmt, batch, seconds, syntax,
          functions, conjugate, complex_names, hermitian, structure):
    from ..render.claim import verdict_to_latex, verdict_to_markdown, verdict_to_text

    if batch:
        if formula or wrt or claim:
            raise MatDerivError("give either FORMULA --wrt X --claim TEXT or --batch FILE, "
                                "not both")
        sys.exit(_check_batch(batch, fmt, seconds))
    if not formula or not wrt or claim is None:
        raise MatDerivError("check needs FORMULA, --wrt X and --claim TEXT (or --batch FILE)")
    from ..api.derivation import derive as derive_api

    derivation = derive_api(formula, wrt=wrt, shapes=_shapes(shapes), syntax=syntax,
                            functions=functions, complex=complex_names, hermitian=hermitian,
                            **structure)
    if complex_names or hermitian:
        _real_only(wrt2=wrt2)
        verdict = derivation.check_claim(claim, kind=kind, vec=vec, layout=layout,
                                         syntax=syntax, conjugate=conjugate)
        click.echo(to_json(verdict.to_dict(), indent=2) if fmt == "json" else verdict.text())
        sys.exit(verdict.exit_code)
    if conjugate:
        raise MatDerivError("--conjugate needs complex names (--complex Z)")
    verdict = derivation.check_claim(claim, kind=kind, vec=vec, layout=layout, syntax=syntax,
                                     wrt2=wrt2)
    if fmt == "json":
        click.echo(to_json(verdict.to_dict(), indent=2))
    else:
        render = {"text": verdict_to_text, "md": verdict_to_markdown,
                  "latex": verdict_to_latex}[fmt]
        click.echo(render(verdict), nl=False)
    sys.exit(verdict.exit_code)


def _check_batch(path, fmt, seconds) -> int:
    from ..api.batch import check_entry, read_batch
    from ..render.claim import table_to_latex, table_to_markdown, table_to_text

    _, raw_entries = read_batch(path, table="claim")
    entries = [_within(seconds, number, raw, check_entry)
               for number, raw in enumerate(raw_entries, start=1)]
    for entry in entries:
        if entry.error:
            click.echo(f"matderiv: error: {printable(entry.name)}: {printable(entry.error)}",
                   err=True)
    if fmt == "json":
        click.echo(to_json([{"name": e.name, "error": e.error,
                             **(e.verdict.to_dict() if e.verdict else {})}
                            for e in entries], indent=2))
    else:
        render = {"text": table_to_text, "md": table_to_markdown, "latex": table_to_latex}[fmt]
        click.echo(render(entries), nl=False)
    return max(entry.exit_code for entry in entries)


@main.command(help="Print a Python module computing the derivative of FORMULA efficiently.\n\n"
                   "Example:\n\n  matderiv codegen 'sum(tanh(W*x))' --wrt W -s W=m,n -s x=n,1 "
                   "--backend numpy -o grad.py")
@click.argument("formula")
@click.option("--wrt", required=True,
              help="The variable: a matrix, vector or scalar name of FORMULA.")
@click.option("-s", "--shape", "shapes", multiple=True, metavar="NAME=ROWS,COLS",
              help="Shape of a name, as for derive.")
@_kind_options({"gradient": "The gradient (scalar formulas).",
                "value-and-gradient": "(F, gradient) in one call, sharing their work, as "
                                      "optimisers want.",
                "jacobian": "The Jacobian, formed.",
                "hessian": "The Hessian (scalar formulas).",
                "jvp": "J vec(V) for a direction V shaped like the variable, J never formed."})
@click.option("--vec", type=click.Choice(["col", "row"]), default="col", show_default=True)
@click.option("--backend", type=click.Choice(["numpy", "jax", "torch"]), default="numpy",
              show_default=True)
@click.option("--name", default=None, help="The function's name (default: KIND_VARIABLE).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the module to a file instead of stdout.")
@click.option("--with-check", is_flag=True,
              help="Add _check(), a self-test against finite differences at a random point "
                   "(run when the module is run as a script).")
@_time_budget
@_SYNTAX
@_FUNCTIONS
@_complex_options
@_structure
def codegen(formula, wrt, shapes, kind, vec, backend, name, output, with_check, seconds,
            syntax, functions, complex_names, hermitian, structure):
    from ..api.derivation import derive as derive_api

    derivation = derive_api(formula, wrt=wrt, shapes=_shapes(shapes), syntax=syntax,
                            functions=functions, complex=complex_names, hermitian=hermitian,
                            **structure)
    source = derivation.to_source(kind, vec=vec, backend=backend, name=name,
                                  with_check=with_check)
    if output:
        from .output import write_atomically
        write_atomically(output, source)
        click.echo(f"wrote {printable(output)}")
    else:
        click.echo(source, nl=False)


@main.command(help="Serve the web page on this machine: formula in, result, proofs, check, "
                   "claims and code out.\n\nExample:\n\n  matderiv serve --open\n\n"
                   "Needs the web extra: pip install 'matderiv[web]'.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; anything but a loopback address exposes the "
                   "page to other machines (a warning says so).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
@click.option("--timeout", "seconds", type=click.FloatRange(1, 600), default=30.0,
              show_default=True, help="Seconds one request may compute before it is stopped.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Requests computed at once, each in a process of its own.")
def serve(host, port, open_browser, seconds, workers):
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise MatDerivError("matderiv serve needs the web extra: pip install 'matderiv[web]' "
                            "(from a clone of the repository: pip install '.[web]')") from None
    from ..web import serve as run

    run(host, port, open_browser=open_browser, seconds=seconds, workers=workers)


@main.command(help="List the rule catalog: name, pattern => result, source.\n\n"
                   "Example:\n\n  matderiv rules --phase differential")
@click.option("--phase", default=None, help="Only the rules of one phase.")
def rules(phase):
    from ..engine.catalog import PHASES, catalog

    if phase is not None and phase not in PHASES:
        raise MatDerivError(f"unknown phase {phase!r}; phases: {', '.join(PHASES)}")
    for rule in catalog():
        if phase is None or rule.phase == phase:
            click.echo(f"{rule.name:22s} {rule}")
            if rule.source:
                click.echo(f"{'':22s}   ({rule.source})")


if __name__ == "__main__":  # pragma: no cover
    main()

"""The ``plexnav`` command table: thin wrappers around the pure engine and the knowledge base.

Loaded by :mod:`plexnav.cli.main` (the entry point) for every call but ``plexnav --version``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from plexnav.cli import admin as admin_commands
from plexnav.cli import cohort as cohort_commands
from plexnav.cli import examine as examine_commands
from plexnav.cli import examples as example_commands
from plexnav.cli import export as export_commands
from plexnav.cli import kb as kb_commands
from plexnav.cli import learn as learn_commands
from plexnav.cli import report as report_commands
from plexnav.cli import serve as serve_commands
from plexnav.cli.common import MaxBytes, fail, read_case_text
from plexnav.cli.main import installed_version

# every command module imports its heavy parts (pydantic models, knowledge, engine) when it
# runs, so `plexnav --help` and `--version` load only typer (benchmarks/cli_startup.py)
app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: no rich import
    help="Localize, triage and explain lumbosacral plexus problems. "
    "plexnav supports clinical judgement; it never replaces it.",
)
app.add_typer(kb_commands.app, name="kb")
app.add_typer(admin_commands.app, name="admin")
for module in (
    learn_commands,
    report_commands,
    serve_commands,
    export_commands,
    example_commands,
    examine_commands,
    cohort_commands,
):
    module.register(app)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"plexnav {installed_version()}")
        raise typer.Exit()


@app.callback()
def main(
    show_version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the plexnav version and exit (plexnav version also names the knowledge base).",
    ),
) -> None:
    """Localize, triage and explain lumbosacral plexus problems. plexnav supports clinical
    judgement; it never replaces it.  New here? plexnav example lists cases to start from."""


@app.command()
def assess(
    path: str = typer.Argument(..., help="case JSON file, or - for standard input"),
    as_json: bool = typer.Option(False, "--json", help="print the assessment object"),
    max_bytes: MaxBytes = None,
) -> None:
    """Assess one case: triage, ranked lesion sites with reasons, causes, work-up, next findings."""
    from plexnav.engine.assess import assess as run_assess
    from plexnav.modelcache import load_guidance, load_model
    from plexnav.validation import CaseValidationError, parse_case

    try:
        case, _ = parse_case(read_case_text(path, max_bytes))
    except CaseValidationError as exc:
        fail(exc)
    result = run_assess(case, load_model(), load_guidance())
    if as_json:
        sys.stdout.write(result.to_json(indent=2) + "\n")
    else:
        from plexnav.cli.render import print_assessment

        print_assessment(result, guidance=load_guidance())


@app.command()
def batch(
    source: str = typer.Argument(..., help="JSON Lines file, one case per line (- for stdin)"),
    output: str = typer.Option(
        ...,
        "-o",
        "--output",
        help="where to write one answer per line (- for stdout); replaced only when every line is done",
    ),
    fields: str = typer.Option(
        None, "--fields", help="compact answers with only these, comma-separated: site, triage, causes"
    ),
    chunk: int = typer.Option(512, min=1, help="cases scored together"),
    workers: int = typer.Option(0, min=0, help="worker processes (0: one per CPU core)"),
) -> None:
    """Assess many cases, streaming: constant memory, same order, an error object (with its
    line number) per bad line.  plexnav supports clinical judgement; it never replaces it."""
    from plexnav.cli.batch import batch_command

    status = batch_command(source, output, fields, chunk, workers)
    if status:
        raise typer.Exit(code=status)


@app.command()
def evaluate(
    directory: Path = typer.Argument(..., exists=True, file_okay=False), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Score every *.json case in DIR against its expected answer; print misses and totals."""
    from plexnav.evaluation import evaluate_directory, render_report

    report = evaluate_directory(directory)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        typer.echo(render_report(report))


@app.command()
def schema(which: str = typer.Argument(..., help="case or assessment")) -> None:
    """Print the JSON Schema of the case or the assessment."""
    from pydantic import BaseModel

    from plexnav.case import Assessment, Case
    from plexnav.validation import CaseValidationError

    models: dict[str, type[BaseModel]] = {"case": Case, "assessment": Assessment}
    if which not in models:
        fail(CaseValidationError([]), message=f"unknown schema {which!r}; choose one of: case, assessment")
    typer.echo(json.dumps(models[which].model_json_schema(), indent=2))


@app.command()
def version() -> None:
    """Print the plexnav and knowledge-base versions."""
    from importlib.metadata import version as pkg_version

    from plexnav.knowledge.base import load_knowledge

    typer.echo(f"plexnav {pkg_version('plexnav')}; knowledge {load_knowledge().version_label}")


def run() -> None:
    app()

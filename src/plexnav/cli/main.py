"""The ``plexnav`` command: thin wrappers around the pure engine and the knowledge base."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from plexnav.cli import admin as admin_commands
from plexnav.cli import export as export_commands
from plexnav.cli import kb as kb_commands
from plexnav.cli import learn as learn_commands
from plexnav.cli import report as report_commands
from plexnav.cli import serve as serve_commands
from plexnav.cli.common import fail, read_case_text
from plexnav.validation import CaseValidationError, parse_case

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Localize, triage and explain lumbosacral plexus problems. "
                       "plexnav supports clinical judgement; it never replaces it.")
app.add_typer(kb_commands.app, name="kb")
app.add_typer(admin_commands.app, name="admin")
for module in (learn_commands, report_commands, serve_commands, export_commands):
    module.register(app)


@app.command()
def assess(path: str = typer.Argument(..., help="case JSON file, or - for standard input"),
           as_json: bool = typer.Option(False, "--json", help="print the assessment object")) -> None:
    """Assess one case: triage, ranked lesion sites with reasons, causes, work-up, next findings."""
    from plexnav.cli.render import print_assessment
    from plexnav.engine.assess import assess as run_assess
    from plexnav.modelcache import load_model

    try:
        case, _ = parse_case(read_case_text(path))
    except CaseValidationError as exc:
        fail(exc)
    result = run_assess(case, load_model())
    if as_json:
        sys.stdout.write(result.to_json(indent=2) + "\n")
    else:
        print_assessment(result)


@app.command()
def batch(source: Path = typer.Argument(..., help="JSON lines file, one case per line (- for stdin)"),
          output: Path = typer.Option(..., "-o", "--output", help="where to write one assessment per line"),
          chunk: int = typer.Option(512, min=1, help="cases scored together"),
          workers: int = typer.Option(0, min=0, help="worker processes (0: one per CPU core)")) -> None:
    """Assess many cases, streaming: constant memory, same order, an error object per bad line."""
    import os

    from plexnav.cli.batch import run_batch

    counts = run_batch(source, output, chunk, workers or os.cpu_count() or 1)
    typer.echo(f"{counts['ok']} assessed, {counts['errors']} errors", err=True)


@app.command()
def evaluate(directory: Path = typer.Argument(..., exists=True, file_okay=False),
             as_json: bool = typer.Option(False, "--json")) -> None:
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
    from plexnav.case import Assessment, Case

    models = {"case": Case, "assessment": Assessment}
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

"""`plexnav report CASE -o out.pdf`: the patient's appointment summary or the clinician report.

Why a register() hook: the main CLI owns the Typer app; this module only adds its
command (as ``learn`` does), so reports can grow without touching the entry point.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from plexnav.cli.common import MaxBytes, fail, output_format, read_case_text

EXIT_BAD_INPUT = 2
EXIT_NO_RENDERER = 3


# the -o extension decides between PDF and HTML; --html with a .pdf name is refused
REPORT_SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html"}


class Kind(StrEnum):
    patient = "patient"
    clinician = "clinician"


def _read_diary(path: Path):
    from plexnav.diary.exchange import DiaryFormatError, read_diary

    if not path.is_file():
        typer.echo(f"error: no such diary file: {path}", err=True)
        raise typer.Exit(code=EXIT_BAD_INPUT)
    try:
        return read_diary(path.read_bytes(), path.name)
    except DiaryFormatError as exc:
        for problem in exc.problems:
            typer.echo(f"error: diary {path.name}: {problem}", err=True)
        raise typer.Exit(code=EXIT_BAD_INPUT) from None


def report(
    case: Annotated[str, typer.Argument(help="case JSON file, or - for standard input")],
    output: Annotated[
        str,
        typer.Option(
            "-o",
            "--output",
            help="file to write: .pdf or .html (the extension sets the format); "
            "- for standard output (PDF, or HTML with --html)",
        ),
    ],
    kind: Annotated[
        Kind, typer.Option("--kind", help="patient: appointment summary; clinician: full report")
    ] = Kind.patient,
    as_html: Annotated[
        bool, typer.Option("--html", help="write HTML instead of PDF (implied by an .html file name)")
    ] = False,
    diary_path: Annotated[
        Path | None, typer.Option("--diary", help="recovery diary to include (.json, or .csv)")
    ] = None,
    max_bytes: MaxBytes = None,
) -> None:
    """Write the patient's appointment summary or the clinician report as PDF (or HTML)."""
    as_html = output_format(output, "html" if as_html else None, REPORT_SUFFIXES, "pdf") == "html"
    from plexnav.reports.render import html_to_pdf, render_html
    from plexnav.validation import CaseValidationError, parse_case

    try:
        parsed, _ = parse_case(read_case_text(case, max_bytes))
    except CaseValidationError as exc:
        fail(exc)
    diary = _read_diary(diary_path) if diary_path is not None else None
    html = render_html(parsed, kind.value, diary=diary)
    if as_html:
        data = html.encode("utf-8")
    else:
        try:
            data = html_to_pdf(html)
        except OSError as exc:  # WeasyPrint could not load pango/harfbuzz
            typer.echo(
                f"error: cannot make a PDF ({exc}). Install the system libraries with "
                "scripts/install-system-deps.sh, or use --html.",
                err=True,
            )
            raise typer.Exit(code=EXIT_NO_RENDERER) from None
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    try:
        target.write_bytes(data)
    except OSError as exc:
        typer.echo(f"error: cannot write {output}: {exc.strerror}", err=True)
        raise typer.Exit(code=EXIT_BAD_INPUT) from None
    what = "appointment summary" if kind is Kind.patient else "clinician report"
    typer.echo(f"wrote {what} to {target} ({'HTML' if as_html else 'PDF'}, {len(data) // 1024 + 1} kB)", err=True)


def register(app: typer.Typer) -> None:
    """Add the `report` command to the plexnav CLI."""
    app.command("report")(report)

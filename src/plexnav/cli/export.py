"""`plexnav export`: standard exports of a case and its assessment.

- ``plexnav export fhir CASE [-o out.json]``: a FHIR R4B document Bundle
- ``plexnav export cds-card CASE``: the CDS Hooks 2.0 response (cards) for the case
- ``plexnav export cds-services``: the CDS Hooks discovery document

CASE is a plexnav case JSON file (``-`` for standard input) or a plexnav FHIR Bundle.  A
bad input exits 2 with the friendly, located errors of :mod:`plexnav.validation`.
Registered by ``register(app)`` so the entry point only gains one line.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from plexnav.cli.common import MaxBytes, fail, output_format, read_case_text

if TYPE_CHECKING:  # pydantic models load when a command runs, so `plexnav --help` stays fast
    from plexnav.case import Case

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Standard exports: FHIR R4B document, CDS Hooks cards and discovery.",
)

CaseArg = Annotated[str, typer.Argument(help="case JSON file, or a plexnav FHIR Bundle; - for standard input")]


def _load(path: str, max_bytes: int | None) -> tuple[Case, dict]:
    """The case and the JSON document it came from (a case object or a FHIR Bundle)."""
    from plexnav.interop.fhir import case_from_bundle
    from plexnav.validation import load_json, validate_case

    document = load_json(read_case_text(path, max_bytes))
    if isinstance(document, dict) and "resourceType" in document:
        return case_from_bundle(document), document
    case, _ = validate_case(document)
    assert isinstance(document, dict)  # validate_case refuses anything but a JSON object
    return case, document


def _write(text: str, output: str | None) -> None:
    from plexnav.validation import CaseError, CaseValidationError

    if output in (None, "-"):
        sys.stdout.write(text + "\n")
        return
    target = Path(output)
    try:
        target.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(CaseValidationError([CaseError("", f"cannot write {output}: {exc.strerror}")]))
    typer.echo(f"wrote {target}", err=True)


def _timestamp(value: str | None) -> datetime | None:
    from plexnav.validation import CaseError, CaseValidationError

    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        fail(
            CaseValidationError(
                [CaseError("--timestamp", f"{value!r} is not an ISO 8601 date-time (e.g. 2026-01-31T09:30:00+00:00)")]
            )
        )


@app.command("fhir")
def export_fhir(
    case: CaseArg,
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="file to write; - or none for standard output")
    ] = None,
    timestamp: Annotated[str | None, typer.Option(help="date the document (ISO 8601); default now, UTC")] = None,
    with_pdf: Annotated[
        str | None,
        typer.Option("--with-pdf", help="also the report as a DocumentReference (PDF): clinician or patient"),
    ] = None,
    max_bytes: MaxBytes = None,
) -> None:
    """The case and its assessment as a FHIR R4B document Bundle (JSON)."""
    from plexnav.engine.assess import assess
    from plexnav.interop.fhir import bundle_from_case, bundle_json
    from plexnav.validation import CaseValidationError

    output_format(output, "json", {".json": "json"}, "json")  # FHIR XML is not written: refuse a .xml name
    when = _timestamp(timestamp)
    if with_pdf is not None and with_pdf not in ("clinician", "patient"):
        from plexnav.validation import CaseError

        fail(
            CaseValidationError(
                [CaseError("--with-pdf", f"{with_pdf!r} is not a report kind; choose clinician or patient")]
            )
        )
    try:
        parsed, _ = _load(case, max_bytes)
        assessment = assess(parsed)
        report = None
        if with_pdf is not None:
            from plexnav.reports.render import render_pdf

            report = (with_pdf, render_pdf(parsed, with_pdf, assessment, generated=when))
        bundle = bundle_from_case(parsed, assessment, timestamp=when, report_pdf=report)
    except CaseValidationError as exc:
        fail(exc)
    _write(bundle_json(bundle), output)


@app.command("cds-card")
def export_cds_card(
    case: CaseArg,
    patient_id: Annotated[
        str, typer.Option("--patient-id", help="FHIR Patient id the proposed orders are for")
    ] = "example",
    hook_instance: Annotated[
        str | None, typer.Option("--hook-instance", help="hookInstance uuid (default: derived from the case)")
    ] = None,
    max_bytes: MaxBytes = None,
) -> None:
    """The CDS Hooks 2.0 response (cards) the plexnav-lumbosacral service gives for the case."""
    from plexnav.interop.cds_hooks import CdsRequestError, cds_service_response, request_for
    from plexnav.validation import CaseError, CaseValidationError

    try:
        _, document = _load(case, max_bytes)
        response = cds_service_response(request_for(document, patient_id=patient_id, hook_instance=hook_instance))
    except CaseValidationError as exc:
        fail(exc)
    except CdsRequestError as exc:
        fail(CaseValidationError([CaseError("", str(exc))]))
    _write(json.dumps(response, indent=2, ensure_ascii=False), None)


@app.command("cds-services")
def export_cds_services() -> None:
    """The CDS Hooks discovery document (GET {baseUrl}/cds-services)."""
    from plexnav.interop.cds_hooks import discovery

    _write(json.dumps(discovery(), indent=2), None)


def register(app_: typer.Typer) -> None:
    app_.add_typer(app, name="export")

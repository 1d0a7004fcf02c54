"""Render the patient summary and the clinician report as HTML (Jinja2) and PDF (WeasyPrint).

Entry points for the CLI and the web app:

* :func:`render_html` — a whole HTML document (``standalone=True``) or just the
  ``<article>`` to embed in a page (then add :func:`report_css` to the page's styles);
* :func:`html_to_pdf` — any report HTML to PDF bytes;
* :func:`render_pdf` — both steps at once.

The assessment is computed with :func:`plexnav.engine.assess.assess` when not given.
Rendering is pure apart from the clock (pass ``generated`` for a fixed date).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from plexnav.case import Assessment, Case
from plexnav.diary.models import Diary
from plexnav.reports.context import clinician_context, patient_context

KINDS = ("patient", "clinician")
TEMPLATES = {"patient": "patient.html", "clinician": "clinician.html"}


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("plexnav.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=1)
def report_css() -> str:
    """The report stylesheet (print layout for A4 plus screen-friendly defaults)."""
    return (resources.files("plexnav.reports") / "templates" / "report.css").read_text(encoding="utf-8")


def build_context(
    case: Case,
    kind: str = "patient",
    assessment: Assessment | None = None,
    diary: Diary | None = None,
    generated: dt.datetime | None = None,
) -> dict:
    """The template data of one report (see :mod:`plexnav.reports.context`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}; choose patient or clinician")
    if assessment is None:
        from plexnav.engine.assess import assess

        assessment = assess(case)
    make = patient_context if kind == "patient" else clinician_context
    return make(case, assessment, diary, generated)


def render_html(
    case: Case,
    kind: str = "patient",
    assessment: Assessment | None = None,
    diary: Diary | None = None,
    generated: dt.datetime | None = None,
    standalone: bool = True,
) -> str:
    """The report as HTML: a full document, or only its ``<article>`` when ``standalone`` is False."""
    context = build_context(case, kind, assessment, diary, generated)
    env = environment()
    if not standalone:
        return env.get_template(TEMPLATES[kind]).render(**context)
    return env.get_template("base.html").render(**context, css=report_css(), body_template=TEMPLATES[kind])


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of a report document (WeasyPrint; needs pango/harfbuzz, see scripts/install-system-deps.sh)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=".").write_pdf()


def render_pdf(
    case: Case,
    kind: str = "patient",
    assessment: Assessment | None = None,
    diary: Diary | None = None,
    generated: dt.datetime | None = None,
) -> bytes:
    """The report as PDF bytes."""
    return html_to_pdf(render_html(case, kind, assessment, diary, generated))

"""Printed and embeddable reports: the patient's appointment summary, the clinician report
and the body map they share.  See :mod:`plexnav.reports.render` for the entry points."""

from plexnav.reports.bodymap import render_body_map, symptom_map, territory_shading
from plexnav.reports.render import KINDS, build_context, html_to_pdf, render_html, render_pdf, report_css

__all__ = [
    "KINDS",
    "build_context",
    "html_to_pdf",
    "render_body_map",
    "render_html",
    "render_pdf",
    "report_css",
    "symptom_map",
    "territory_shading",
]

"""The documentation pages a CDS card's ``source.url`` opens: what each card means, and each triage rule.

CDS Hooks 2.0 (Source): ``url`` is "an optional absolute URL to load (via GET, in a browser
context) when a user clicks on this link to learn more about the organization or data set that
provided the information on this card".  plexnav's cards point at its own pages, served by the
CDS route (:mod:`plexnav.api.routes.cds`) under ``/cds-services/docs``:

- ``/cds-services/docs``: the service and its cards, one section each (``#triage``,
  ``#localization``, ``#workup``, ``#unread``, ``#orders``), and the triage policy, every rule
  by level with a link to its page;
- ``/cds-services/docs/rules/{rule id}``: one triage rule: its level, why it matters for
  clinicians and its sources, all read from ``triage_rules.yaml`` (nothing restated here), and the
  condition as written in the policy.

The triage card of an assessment in which a red-flag rule fired links to that rule's page (the
first rule that fired at the level it set); the other cards link to their section.  Pure
functions (HTML strings), so the API package does not import the web pages.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from plexnav.interop import terms as T

DOCS_PATH = "/cds-services/docs"
SECTIONS = ("triage", "localization", "workup", "unread", "orders")
# the topic code of a card (``source.topic.code``) -> the section that explains it
TOPIC_SECTION = {
    "triage": "triage",
    "localization": "localization",
    "workup": "workup",
    "unread": "unread",
    "order-check": "orders",
}


@dataclass(frozen=True)
class DocLinks:
    """Absolute addresses of the documentation pages, from the address they are served at."""

    base: str  # e.g. https://plexnav.hospital.example/cds-services/docs

    def section(self, topic: str) -> str:
        return f"{self.base.rstrip('/')}#{TOPIC_SECTION.get(topic, topic)}"

    def rule(self, rule_id: str) -> str:
        return f"{self.base.rstrip('/')}/rules/{quote(rule_id, safe='.')}"


def triage_rules() -> list[dict]:
    """Every triage rule, in policy order: id, level, why, citations and the condition as written."""
    from plexnav.knowledge.guidance import load_guidance_knowledge

    kb = load_guidance_knowledge()
    return [
        {
            "id": rule["id"],
            "level": level["level"],
            "why": rule.get("why", ""),
            "citations": kb.cite(rule.get("sources")),
            "when": rule.get("when"),
        }
        for level in kb.triage
        for rule in level.get("rules", ())
    ]


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(title)}</title><link rel="stylesheet" href="/static/app.css"></head>'
        f'<body><main id="main">{body}<footer><p><strong>{html.escape(T.DISCLAIMER)}</strong></p></footer>'
        "</main></body></html>\n"
    )


def _plain(value: object) -> object:
    """The rule condition as plain JSON data (the knowledge base holds read-only mappings)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


CARD_SECTIONS = {
    "triage": (
        "Triage card",
        "plexnav's triage policy is a list of red-flag rules at three levels: emergency, urgent and soon. "
        "The first level, in that order, with a rule that fires on the findings sets the triage, and every "
        "rule that fired at that level is listed on the card with its clinical rationale; with none, the "
        "level is routine. When part of the record could not be read, a routine or soon level is shown as "
        "incomplete, never as reassurance. The rules and their sources are below.",
    ),
    "localization": (
        "Localization card",
        "The lesion sites (roots, plexus, nerves, cauda equina and look-alikes) ranked by probability given "
        "the findings recorded, from plexnav's likelihood model of what a lesion at each site produces; the "
        "strongest findings for and against the leading site, the runners-up, the likely cause and what "
        "to examine next. A finding that was not recorded counts as unknown, not as normal.",
    ),
    "workup": (
        "Work-up card",
        "The tests plexnav's work-up rules propose for this assessment, each with its priority, timing and "
        "reason. Accepting a suggestion creates a draft ServiceRequest (intent: proposal) for the clinician "
        "to review; plexnav orders nothing.",
    ),
    "unread": (
        "Not-read card",
        "What the record holds that plexnav could not read: codes that no ConceptMap maps to a plexnav "
        "finding, and resources plexnav does not read. They count as unknown, not normal; with nothing "
        "readable plexnav makes no triage and no localization.",
    ),
    "orders": (
        "Order check card (order-select, order-sign)",
        "Whether a test being ordered is among the tests plexnav's work-up proposes for the findings "
        "recorded for the patient: information when it is, a warning with the leading localization and "
        "plexnav's proposals when it is not. There may be reasons for an order that the record does not "
        "show; plexnav only compares it with its own work-up. Orders whose code no ConceptMap maps are "
        "listed as not checked.",
    ),
}


def index_page(links: DocLinks) -> str:
    """``/cds-services/docs``: the cards, and the triage policy rule by rule."""
    parts = [
        "<h1>plexnav CDS Hooks service: what the cards mean</h1>",
        "<p>plexnav reads the findings in the record (its own codes, or codes a ConceptMap maps to them) "
        "and answers with cards. Each card's source link opens its section here.</p>",
    ]
    for key in SECTIONS:
        title, text = CARD_SECTIONS[key]
        parts.append(f'<section id="{key}"><h2>{html.escape(title)}</h2><p>{html.escape(text)}</p>')
        if key == "triage":
            for level in ("emergency", "urgent", "soon"):
                rules = [r for r in triage_rules() if r["level"] == level]
                items = "".join(
                    f'<li><a href="{html.escape(links.rule(r["id"]))}">{html.escape(r["id"])}</a>: '
                    f"{html.escape(r['why'])}</li>"
                    for r in rules
                )
                parts.append(
                    f'<h3 id="level-{level}">{level.capitalize()} ({html.escape(T.TRIAGE_ADVICE[level])})</h3>'
                    f"<ul>{items}</ul>"
                )
        parts.append("</section>")
    return _page("plexnav CDS Hooks service: what the cards mean", "".join(parts))


def rule_page(links: DocLinks, rule_id: str) -> str | None:
    """``/cds-services/docs/rules/{rule_id}``, or None for a rule the policy does not have."""
    rule = next((r for r in triage_rules() if r["id"] == rule_id), None)
    if rule is None:
        return None
    level = rule["level"]
    citations = "".join(f"<li>{html.escape(c)}</li>" for c in rule["citations"])
    condition = json.dumps(_plain(rule["when"]), ensure_ascii=False)
    body = (
        f"<h1>Triage rule {html.escape(rule_id)}</h1>"
        f'<p id="rule-level">Level: <strong>{level}</strong> ({html.escape(T.TRIAGE_ADVICE[level])}).</p>'
        f'<h2>Why it matters</h2><p id="rule-why">{html.escape(rule["why"])}</p>'
        f'<h2>Sources</h2><ul id="rule-sources">{citations}</ul>'
        "<h2>When it fires</h2><p>The condition as written in plexnav's triage policy "
        "(<code>triage_rules.yaml</code>; the names are defined in <code>definitions.yaml</code>):</p>"
        f'<pre id="rule-when"><code>{html.escape(condition)}</code></pre>'
        f'<p><a href="{html.escape(links.section("triage"))}">All triage rules and how the level is set</a></p>'
    )
    return _page(f"plexnav triage rule {rule_id}", body)


def not_found_page(links: DocLinks, rule_id: str) -> str:
    body = (
        f"<h1>No triage rule {html.escape(rule_id)}</h1>"
        f'<p><a href="{html.escape(links.section("triage"))}">The triage rules plexnav has</a></p>'
    )
    return _page("plexnav: no such triage rule", body)

"""What the two printed reports say, as plain data for the templates (no HTML here).

* :func:`patient_context` — the patient's appointment summary: symptoms in the person's
  own words with the body map, the timeline (and diary), red flags found or not reported,
  what plexnav found in plain words, questions to ask and the tests that may be suggested.
* :func:`clinician_context` — the clinician report: findings tables, the territory of the
  leading site on the body map, ranked localization with reasons for and against, next
  best findings, causes, work-up, management options, red-flag rules, diary trend.

Everything is derived from the case, its assessment (computed when not given) and the
optional diary, with the engine's own pure functions and the knowledge base's words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from markupsafe import Markup

from plexnav import vocabulary as V
from plexnav.case import Assessment, Case
from plexnav.diary.analysis import fmt, nice_date, trend_sentences, weekly_summaries
from plexnav.diary.models import EVENT_WORDS, FUNCTION_WORDS, Diary
from plexnav.diary.plots import data_uri, pain_function_plot, strength_plot, try_plot
from plexnav.diary.redflags import diary_alerts, fired_rules
from plexnav.engine.guidance import finding_sentences, fitted_questions, no_tests_sentence
from plexnav.engine.wording import background_phrase, look_alike_line, percent, site_label, territory_title
from plexnav.engine.workup import context_facts
from plexnav.interop import terms as T
from plexnav.knowledge.base import load_knowledge
from plexnav.knowledge.guidance import GuidanceKnowledge, load_guidance_knowledge
from plexnav.reports import bodymap as BM

ALERT_LEVELS = ("emergency", "urgent")
PLOT_FORMAT = "svg"
PLOT_DPI = 170
EXPLAINED = 3  # localization entries explained finding by finding
MAX_REASONS = 8  # reasons for and against shown per entry (the assessment JSON has all)
MAX_PATIENT_ALERTS = 5  # diary red flags listed in the patient's summary (the clinician report has all)


@lru_cache(maxsize=1)
def report_words() -> dict:
    """The report vocabulary (``data/words.yaml``)."""
    return yaml.safe_load((resources.files("plexnav.reports") / "data" / "words.yaml").read_bytes())


def _side_words(side: str | None) -> str:
    return {"left": "left", "right": "right", "bilateral": "both sides", None: ""}[side]


def _region_where(region: str, side: str | None) -> str:
    name = BM.region_name(region)
    if side is None or (region in V.MIDLINE_REGIONS and side == "bilateral"):
        return f"the {name}"
    return f"the {name} ({_side_words(side)})"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plexnav_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("plexnav")
    except PackageNotFoundError:  # running from a source tree without installing
        return "unknown"


# ----------------------------------------------------------------------------- patient words


def symptom_sentences(case: Case) -> list[str]:
    """Each symptom as the person might say it ('Burning pain in the front of the thigh (right), 9 out of 10.')."""
    w = report_words()
    out = []
    for s in case.symptoms:
        if s.kind in ("pain", "numbness", "tingling", "cramps"):
            if s.kind == "pain" and s.quality:
                text = f"{w['pain_qualities'][s.quality]} pain"
            else:
                text = _capital(w["symptom_kinds"][s.kind])
            if s.region:
                text += f" in {_region_where(s.region, s.side)}"
            elif s.side:
                text += f" ({'both legs' if s.side == 'bilateral' else s.side + ' leg'})"
            if s.severity is not None:
                text += f", {fmt(s.severity)} out of 10"
            text += _triggers_sentence(s)
        elif s.kind == "weakness":
            leg = {"left": "left leg", "right": "right leg", "bilateral": "both legs"}.get(s.side or "", "")
            text = f"Weakness ({leg})" if leg else "Weakness"
            if s.activity:
                text += f": {w['activities'][s.activity]}"
            if s.onset_sudden_severe:
                text += ". It came on suddenly and severely"
        else:
            text = w["symptom_kinds"][s.kind]
            if s.side and s.kind in ("gait_difficulty", "falls"):
                text += f" ({_side_words(s.side)})"
        out.append(text.rstrip(".") + ".")
    return out


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _triggers_sentence(s) -> str:
    """(1.1) '. It comes on with walking and lying on that side. Changing position eases it'."""
    w = report_words()
    out = ""
    if s.provoked_by:
        out += f". It comes on with {_and([w['provoked_by'][x] for x in s.provoked_by])}"
    if s.relieved_by:
        eases = [w["relieved_by"][x] for x in s.relieved_by if x != "nothing"]
        if eases:
            out += f". {_capital(_and(eases))} eases it"
        if "nothing" in s.relieved_by:
            out += ". Nothing eases it" if not eases else ""
    return out


def duration_words(days: int) -> str:
    if days == 0:
        return "It began today."
    if days < 14:
        return f"It began {days} day{'s' if days != 1 else ''} ago."
    if days < 91:
        return f"It began about {round(days / 7)} weeks ago ({days} days)."
    months = round(days / 30.4)
    return f"It began about {months} month{'s' if months != 1 else ''} ago ({days} days)."


def timeline_sentences(case: Case) -> list[str]:
    w = report_words()
    h = case.history
    out = []
    if h.onset:
        out.append(w["onsets"][h.onset])
    if h.duration_days is not None:
        out.append(duration_words(h.duration_days))
    if h.course:
        out.append(w["courses"][h.course])
    return out


def factor_words(case: Case) -> list[str]:
    return [report_words()["factors"][f] for f in case.history.factors]


# ----------------------------------------------------------------------------- red flags


def red_flag_status(
    case: Case, triage_rules: Iterable[str] = (), knowledge: GuidanceKnowledge | None = None
) -> list[dict]:
    """Every emergency and urgent rule of the triage policy, then every alert beyond it, with
    whether it holds for the case.

    ``triage_rules`` (the assessment's fired rules and alerts) are always marked present; the
    others are evaluated here over the same facts, so a red flag at the urgent level is shown
    even when an emergency rule set the level.
    """
    knowledge = knowledge or load_guidance_knowledge()
    labels = report_words()["red_flags"]
    present = set(triage_rules) | fired_rules(case, knowledge)
    flags = [(lvl["level"], rule) for lvl in knowledge.triage if lvl["level"] in ALERT_LEVELS for rule in lvl["rules"]]
    flags += [(alert["level"], alert) for alert in knowledge.alerts]
    return [
        {
            "id": rule["id"],
            "level": level,
            "label": labels.get(rule["id"], rule["text"]),
            "text": rule["text"],
            "why": rule.get("why", ""),
            "present": rule["id"] in present,
        }
        for level, rule in flags
    ]


# ----------------------------------------------------------------------------- diary


def diary_section(
    diary: Diary | None, case: Case, clinician: bool, knowledge: GuidanceKnowledge | None = None
) -> dict | None:
    """Trend sentences, plots (data URIs), weekly table, events and red-flag entries."""
    if diary is None:
        return None
    words = report_words()
    entries = diary.sorted_entries()
    weeks = weekly_summaries(diary)
    pf, pf_problem = (
        try_plot(pain_function_plot, diary, PLOT_FORMAT, PLOT_DPI, panel_height=2.1 if clinician else 1.75)
        if entries
        else (None, None)
    )
    st, st_problem = try_plot(strength_plot, diary, PLOT_FORMAT, PLOT_DPI) if clinician and entries else (None, None)
    events = []
    for e in entries:
        for ev in e.events:
            text = EVENT_WORDS[ev.kind] + (f": {ev.description}" if ev.description else "")
            events.append({"date": nice_date(e.date), "text": text})
        for m in e.medication_changes:
            events.append(
                {"date": nice_date(e.date), "text": f"{m.medication}: {m.change}" + (f" ({m.note})" if m.note else "")}
            )
    alerts = []
    for entry, triage in diary_alerts(diary, case, knowledge):
        flags = [words["diary_flags"][f] for f in entry.red_flags]
        alerts.append(
            {
                "date": nice_date(entry.date),
                "level": triage.level,
                "flags": flags,
                "reasons": triage.reasons,
                "rules": triage.rules,
            }
        )
    notes = [{"date": nice_date(e.date), "author": e.author, "text": e.notes} for e in entries if e.notes.strip()]
    return {
        "entries": len(entries),
        "first": nice_date(entries[0].date) if entries else None,
        "last": nice_date(entries[-1].date) if entries else None,
        "trend": trend_sentences(diary, include_strength=clinician),
        "pain_function_plot": data_uri(pf, PLOT_FORMAT) if pf else None,
        "strength_plot": data_uri(st, PLOT_FORMAT) if st else None,
        "plot_problems": [p for p in (pf_problem, st_problem) if p],
        "weeks": [
            {
                "week": w.week,
                "dates": f"{nice_date(w.start)} \u2013 {nice_date(w.end)}",
                "entries": w.entries,
                "pain": fmt(w.pain) if w.pain is not None else "\u2013",
                "function": fmt(w.function) if w.function is not None else "\u2013",
                "domains": {FUNCTION_WORDS[d]: fmt(v) for d, v in w.function_by_domain.items()},
                "falls": w.falls,
            }
            for w in weeks
        ],
        "events": events,
        "alerts": alerts if clinician else alerts[:MAX_PATIENT_ALERTS],
        "more_alerts": 0 if clinician else max(len(alerts) - MAX_PATIENT_ALERTS, 0),
        "notes": notes[-8:],
    }


# ----------------------------------------------------------------------------- shared pieces


def _triage(assessment: Assessment, knowledge: GuidanceKnowledge) -> dict:
    level = assessment.triage.level
    return {
        "level": level,
        "label": report_words()["levels"][level],
        "advice": knowledge.words["levels"][level],
        "reasons": list(assessment.triage.reasons),
        "rules": list(assessment.triage.rules),
        # emergencies beyond the policy (compartment syndrome, acute limb ischaemia): above it
        "alerts": [
            {"level": a.level, "label": report_words()["levels"][a.level], "text": a.text, "why": a.why}
            for a in assessment.triage.alerts
        ],
    }


def _common(case: Case, assessment: Assessment, generated: dt.datetime | None) -> dict:
    generated = generated or dt.datetime.now()
    patient = []
    if case.patient.age is not None:
        patient.append(f"age {case.patient.age}")
    if case.patient.sex and case.patient.sex != "unknown":
        patient.append(case.patient.sex)
    return {
        "case_id": case.id,
        "patient": ", ".join(patient),
        "generated": f"{generated.day} {generated:%B %Y}",
        "knowledge_version": assessment.knowledge_version,
        "plexnav_version": _plexnav_version(),
        **_disclaimer(assessment.disclaimer),
    }


STANDARD_DISCLAIMER = "plexnav supports clinical judgement; it never replaces it."


def _disclaimer(text: str) -> dict:
    """The assessment's disclaimer, always opening with the standard sentence (shown bold)."""
    text = (text or "").strip()
    if not text.startswith(STANDARD_DISCLAIMER):
        text = f"{STANDARD_DISCLAIMER} {text}".strip()
    return {
        "disclaimer": text,
        "disclaimer_head": STANDARD_DISCLAIMER,
        "disclaimer_rest": text[len(STANDARD_DISCLAIMER) :].strip(),
    }


def _where_words(assessment: Assessment, knowledge: GuidanceKnowledge) -> list[str]:
    """The leading site and cause in plain words (the engine's own sentence templates)."""
    return finding_sentences(
        assessment.triage, assessment.localization, assessment.etiology, knowledge.words, with_others=False
    )


def _plain_background(entry, knowledge: GuidanceKnowledge) -> str:
    """(1.1) The background process in plain words, for the patient summary."""
    # a background whose site says too little (an old upper motor neuron lesion) in its own words
    place = (knowledge.words.get("background_places", {}).get(entry.site) if entry.detail else None) or (
        knowledge.words["sites"].get(entry.site) or T.name("structure", entry.site)
    )
    likely = "likely" if entry.probability >= 0.6 else "possible"
    return f"The findings also point to a second, background problem in {place}. This is {likely}."


def background_line(entry) -> str:
    """(1.1) For the clinician: 'Also present: a length-dependent polyneuropathy (78%)'."""
    return f"Also present: {background_phrase(entry)} ({percent(entry.probability)})"


def _fired(assessment: Assessment) -> list[str]:
    """The policy rules that fired and the alerts beyond it."""
    return [*assessment.triage.rules, *(a.id for a in assessment.triage.alerts)]


def _questions(case: Case, assessment: Assessment, knowledge: GuidanceKnowledge) -> list[str]:
    """The questions fitted to this assessment (the plexus only when it leads, is in the
    leading three or the site is unclear), then the plan of tests."""
    facts = context_facts(
        case,
        assessment.localization,
        assessment.etiology,
        assessment.triage,
        knowledge,
        background=assessment.background,
    )
    return fitted_questions(assessment.localization, facts, knowledge) + list(report_words()["questions"])


def _test_name(test: str, knowledge: GuidanceKnowledge) -> str:
    name = knowledge.words["tests"].get(test) or report_words()["tests"].get(test) or test.replace("_", " ")
    for article in ("an ", "a "):
        if name.startswith(article):
            name = name[len(article) :]
    return _capital(name)


# ----------------------------------------------------------------------------- patient


def patient_context(
    case: Case,
    assessment: Assessment,
    diary: Diary | None = None,
    generated: dt.datetime | None = None,
    knowledge: GuidanceKnowledge | None = None,
) -> dict:
    knowledge = knowledge or load_guidance_knowledge()
    shading, marks = BM.symptom_map(case)
    used = sorted({m for text in marks.values() for m in text.split(" ")}, key="PNT".index)
    flags = red_flag_status(case, _fired(assessment), knowledge)
    has_map = bool(shading or marks)
    return {
        **_common(case, assessment, generated),
        "kind": "patient",
        "title": "My appointment summary",
        "triage": _triage(assessment, knowledge),
        "symptoms": symptom_sentences(case),
        "bodymap": Markup(
            BM.render_body_map(
                shading, marks, title="Where I feel my symptoms", id_prefix="patient-", mark_words=BM.SYMPTOM_MARK_WORDS
            )
        )
        if has_map
        else None,
        "bodymap_legend": [(m, BM.SYMPTOM_MARK_WORDS[m]) for m in used],
        "bodymap_shaded": bool(shading),
        "timeline": timeline_sentences(case),
        "factors": factor_words(case),
        "red_flags_found": [f for f in flags if f["present"]],
        "red_flags_absent": [f for f in flags if not f["present"]],
        "findings": _where_words(assessment, knowledge),
        "questions": _questions(case, assessment, knowledge),
        "tests": [
            {
                "name": _test_name(w.test, knowledge),
                "why": w.why,
                "priority": w.priority,
                "when": _capital(report_words()["when_plain"][w.when]) if w.when else "",
            }
            for w in assessment.workup
        ],
        # with no test planned, the plain summary's own sentence (an emergency's team decides;
        # else more examination while findings worth examining are listed, else none needed)
        "no_tests": no_tests_sentence(assessment.triage, bool(assessment.next_best_findings), knowledge.words),
        "background": [_plain_background(b, knowledge) for b in assessment.background],
        "safety": knowledge.words["summary"]["safety"],
        "diary": diary_section(diary, case, clinician=False, knowledge=knowledge),
    }


# ----------------------------------------------------------------------------- clinician tables


def _num(value: float) -> str:
    return fmt(value) if value != int(value) else str(int(value))


def _pivot(
    items: Iterable[Any], key: Callable, value: Callable, abnormal: Callable, order: Iterable[str], name: Callable
) -> dict | None:
    """Rows of findings by target, with Left / Right (and Both/midline when used) columns."""
    items = list(items)
    if not items:
        return None
    has_both = any(i.side in (None, "bilateral") for i in items)
    columns = ["left", "right"] + (["both"] if has_both else [])
    cells: dict[str, dict[str, list]] = {}
    for item in items:
        col = "both" if item.side in (None, "bilateral") else item.side
        cells.setdefault(key(item), {}).setdefault(col, []).append(item)
    rank = {k: i for i, k in enumerate(order)}
    rows = []
    for target in sorted(cells, key=lambda k: rank.get(k, len(rank))):
        row = {"name": name(target), "cells": []}
        for col in columns:
            found = cells[target].get(col, [])
            row["cells"].append(
                {"text": ", ".join(value(i) for i in found), "abnormal": any(abnormal(i) for i in found)}
            )
        rows.append(row)
    header = {"left": "Left", "right": "Right", "both": "Both / midline"}
    return {"columns": [header[c] for c in columns], "rows": rows}


def findings_tables(case: Case) -> dict[str, Any]:
    kb = load_knowledge()
    res = report_words()["results"]
    ex, ed = case.exam, case.electrodiagnosis
    tables: dict[str, Any] = {
        "strength": _pivot(
            ex.strength,
            lambda i: i.movement,
            lambda i: f"MRC {_num(i.mrc)}" + (f" (limited by {i.limited_by})" if i.limited_by else ""),
            lambda i: i.neurological_mrc < 5,
            V.MOVEMENTS,
            lambda m: _capital(kb.movements[m].name),
        ),
        "reflexes": _pivot(
            ex.reflexes,
            lambda i: i.reflex,
            lambda i: i.grade,
            lambda i: i.grade not in ("normal", "flexor"),
            V.REFLEXES,
            lambda r: _capital(kb.reflexes[r].name),
        ),
        "sensation": _pivot(
            ex.sensation,
            lambda i: i.region,
            lambda i: i.finding,
            lambda i: i.finding != "normal",
            V.SKIN_REGIONS,
            lambda r: _capital(kb.skin[r].name),
        ),
        "ncs": _pivot(
            ed.nerve_conduction,
            lambda i: i.study,
            lambda i: res.get(i.result, i.result.replace("_", " ")),
            lambda i: i.result != "normal",
            V.NCS_STUDIES,
            lambda s: kb.studies[s].name,
        ),
        "emg": _pivot(
            ed.needle_emg,
            lambda i: i.muscle,
            lambda i: res.get(i.result, i.result.replace("_", " ")),
            lambda i: i.result != "normal",
            V.EMG_MUSCLES,
            lambda m: _capital(kb.muscles[m].name),
        ),
    }
    signs = []
    for s in ex.signs:
        text = _capital(kb.signs[s.sign].name)
        if s.region:
            text += f" ({s.region.replace('_', ' ')})"
        signs.append(
            {
                "name": text,
                "side": _side_words(s.side) or "\u2013",
                "result": s.result or "present",
                "abnormal": s.present,
            }
        )
    tables["signs"] = signs or None
    investigations = []
    for inv in case.investigations:
        if inv.value is not None:
            result = f"{inv.value:g} {T.lab_unit(inv.test)[1]}".rstrip()
        else:
            assert inv.finding is not None  # the case model: an imaging test has a finding
            result = T.name("imaging-finding", inv.finding)
        where = ", ".join(
            x
            for x in (inv.level, inv.position and T.name("imaging-position", inv.position), _side_words(inv.side))
            if x
        )
        if where:
            result += f" ({where})"
        if inv.site:
            result += f"; involves the {T.name('structure', inv.site)}"
        investigations.append(
            {
                "name": _capital(T.name("investigation", inv.test)),
                "result": result,
                "abnormal": inv.finding not in (None, "normal"),
            }
        )
    tables["investigations"] = investigations or None
    return tables


def symptom_rows(case: Case) -> list[dict]:
    out = []
    for s in case.symptoms:
        detail = [
            x
            for x in (
                s.quality,
                s.activity and s.activity.replace("_", " "),
                f"severity {fmt(s.severity)}/10" if s.severity is not None else None,
                "sudden severe onset" if s.onset_sudden_severe else None,
                "provoked by " + ", ".join(T.name("provoked-by", p) for p in s.provoked_by) if s.provoked_by else None,
                "relieved by " + ", ".join(T.name("relieved-by", p) for p in s.relieved_by) if s.relieved_by else None,
            )
            if x
        ]
        out.append(
            {
                "kind": s.kind.replace("_", " "),
                "where": BM.region_name(s.region) if s.region else "\u2013",
                "side": _side_words(s.side) or "\u2013",
                "detail": ", ".join(detail) or "\u2013",
            }
        )
    return out


# ----------------------------------------------------------------------------- clinician


def clinician_context(
    case: Case,
    assessment: Assessment,
    diary: Diary | None = None,
    generated: dt.datetime | None = None,
    knowledge: GuidanceKnowledge | None = None,
) -> dict:
    knowledge = knowledge or load_guidance_knowledge()
    shading = BM.territory_shading(assessment)
    marks = BM.sensation_marks(case)
    lead = assessment.localization[0] if assessment.localization else None
    lead_label = site_label(lead.site, lead.side, lead.levels, lead.detail) if lead else None
    used = sorted({m for text in marks.values() for m in text.split(" ")})
    h = case.history
    history = []
    if h.onset:
        history.append(f"onset {h.onset}")
    if h.course:
        history.append(f"course {h.course}")
    if h.duration_days is not None:
        history.append(f"duration {h.duration_days} days")
    localization: list[dict[str, Any]] = []
    for rank, loc in enumerate(assessment.localization, 1):
        localization.append(
            {
                "rank": rank,
                "label": site_label(loc.site, loc.side, loc.levels, loc.detail),
                "site": loc.site,
                "probability": loc.probability,
                "percent": percent(loc.probability),
                "supporting": loc.supporting,
                "against": loc.against,
                "look_alikes": look_alike_line(loc.look_alikes, knowledge.words),
            }
        )
    words = knowledge.words
    return {
        **_common(case, assessment, generated),
        "kind": "clinician",
        "title": "Clinician report",
        "triage": _triage(assessment, knowledge),
        "history": ", ".join(history),
        "factors": [f.replace("_", " ") for f in h.factors],
        "symptoms": symptom_rows(case),
        "tables": findings_tables(case),
        "bodymap": Markup(
            BM.render_body_map(
                shading,
                marks,
                title=f"{territory_title(lead.site)}: {lead_label}" if lead and lead_label else "Body map",
                id_prefix="clinician-",
                mark_words=BM.SENSATION_MARK_WORDS,
            )
        ),
        "bodymap_lead": lead_label,
        "bodymap_legend": [(m, BM.SENSATION_MARK_WORDS[m]) for m in used],
        "localization": localization,
        "explained": [
            {
                **loc,
                "supporting": loc["supporting"][:MAX_REASONS],
                "against": loc["against"][:MAX_REASONS],
                "more": max(len(loc["supporting"]) - MAX_REASONS, 0) + max(len(loc["against"]) - MAX_REASONS, 0),
            }
            for loc in localization[:EXPLAINED]
            if loc["supporting"] or loc["against"]
        ],
        "next_findings": [
            {
                "finding": n.finding,
                "why": n.why,
                "gain": "" if n.expected_information_gain is None else f"{n.expected_information_gain:.2f}",
            }
            for n in assessment.next_best_findings
        ],
        "causes": [
            {
                "cause": e.cause.replace("_", " "),
                "plain": words["causes"].get(e.cause) or T.name("cause", e.cause),
                "percent": percent(e.probability),
                "reasons": e.reasons,
            }
            for e in assessment.etiology[:5]
        ],
        "workup": [
            {
                "test": _test_name(w.test, knowledge),
                "id": w.test,
                "priority": w.priority,
                "why": w.why,
                "when": report_words()["when"][w.when] if w.when else "",
            }
            for w in assessment.workup
        ],
        "workup_when": any(w.when for w in assessment.workup),
        "background": [{"line": background_line(b), "why": b.why} for b in assessment.background],
        "management": [
            {"option": m.option, "why": m.why} for m in assessment.management if m.category != "about_these_options"
        ],
        "management_note": next(
            (m.option + " " + m.why for m in assessment.management if m.category == "about_these_options"), None
        ),
        "red_flags": red_flag_status(case, _fired(assessment), knowledge),
        "plain_summary": assessment.plain_summary,
        "diary": diary_section(diary, case, clinician=True, knowledge=knowledge),
    }

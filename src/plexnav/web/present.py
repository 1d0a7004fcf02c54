"""Turn an assessment into what the result pages show.

Nothing here reasons about the case: the engine did that.  This module only picks out and
words parts of the assessment for a patient or a clinician, and computes the shading of
the body map from the knowledge base's forward model (which skin the leading hypothesis's
lesion would numb).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from plexnav import vocabulary as V
from plexnav.case import Assessment, Case
from plexnav.engine.wording import look_alike_line, territory_title
from plexnav.web import bodymap, labels

DISCLAIMER_SHORT = "plexnav supports clinical judgement; it never replaces it."
SHADE_MIN = 0.05


@dataclass
class Territory:
    """Body-map shading for one hypothesis: region key -> involvement 0..1."""

    hypothesis: str | None
    label: str
    shading: dict[str, float] = field(default_factory=dict)
    note: str = ""


def _words():
    from plexnav.knowledge.guidance import load_guidance_knowledge

    return load_guidance_knowledge().words


def split_summary(assessment: Assessment) -> tuple[list[str], list[str]]:
    """The plain summary as (sentences about the findings, questions to ask the doctor).

    The engine writes one paragraph: findings, then its ask-intro sentence and questions,
    then the safety advice and the closing line.  The page shows the questions as a list
    and the closing line as the disclaimer, so they are split out here.
    """
    text = assessment.plain_summary or ""
    summary_words = _words()["summary"]
    ask, closing = summary_words["ask_intro"], summary_words["closing"]
    safety = summary_words["safety"]
    text = text.replace(closing, "").strip()
    questions: list[str] = []
    if ask in text:
        before, after = text.split(ask, 1)
        block, _, rest = after.partition(safety)
        questions = [q.strip() for q in re.split(r"(?<=[.?!])\s+(?=[A-Z])", block) if q.strip()]
        text = (before.strip() + (" " + safety if safety in after else "") + " " + rest.strip()).strip()
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if s.strip()]
    return sentences, questions


def patient_questions(assessment: Assessment, limit: int = 6) -> list[str]:
    """Questions for the doctor: the engine's, then its 'Ask ...' management options."""
    _, questions = split_summary(assessment)
    for entry in assessment.management:
        if entry.option.startswith("Ask") and entry.option not in questions:
            questions.append(entry.option)
    return questions[:limit]


def education_links(assessment: Assessment) -> list[str]:
    """Topic ids worth reading next, most relevant first."""
    topics: list[str] = []
    if assessment.triage.level in ("emergency", "urgent"):
        topics.append("red_flags")
    topics += ["plexus", "symptoms", "causes", "diagnosis"]
    if assessment.management:
        topics.append("treatment")
    if assessment.recovery:
        topics.append("recovery")
    if assessment.self_care:
        topics.append("self_care")
    if assessment.prevention:
        topics.append("prevention")
    if "red_flags" not in topics:
        topics.append("red_flags")
    topics.append("faq")
    return list(dict.fromkeys(topics))


def ranked_sites(assessment: Assessment, limit: int = 8) -> list[dict]:
    rows = []
    for rank, entry in enumerate(assessment.localization[:limit], 1):
        rows.append(
            {
                "rank": rank,
                "site": entry.site,
                "side": entry.side,
                "levels": entry.levels,
                "label": labels.site(entry.site, entry.side, entry.levels, entry.detail),
                "detail": entry.detail,
                "probability": entry.probability,
                "percent": labels.percent(entry.probability),
                "supporting": short_lines(entry.supporting),
                "against": short_lines(entry.against),
                "hypothesis": entry.hypothesis,
                "look_alikes": look_alike_line(entry.look_alikes, _words()) if entry.look_alikes else None,
            }
        )
    return rows


def territory(assessment: Assessment) -> Territory | None:
    """Skin the leading hypothesis's lesion would affect: the same shading as the reports'."""
    if not assessment.localization:
        return None
    from plexnav.modelcache import load_model  # the model the assessor uses: built once per process

    top = assessment.localization[0]
    label = labels.site(top.site, top.side, top.levels, top.detail)
    return hypothesis_territory(load_model(), top.hypothesis, label)


def hypothesis_territory(model, hypothesis_id: str | None, label: str) -> Territory:
    """A hypothesis's skin territory for a page's map, from the one shading of every territory
    map (:func:`plexnav.reports.bodymap.hypothesis_shading`)."""
    from plexnav.reports.bodymap import hypothesis_shading

    hypothesis = next((h for h in model.hypotheses if h.id == hypothesis_id), None)
    if hypothesis is None:
        return Territory(hypothesis_id, label, note="The leading site has no hypothesis record to draw.")
    shading = {
        bodymap.key_of(region, None if side == "bilateral" else side): round(value, 2)
        for (region, side), value in hypothesis_shading(model, hypothesis, SHADE_MIN).items()
    }
    note = "" if shading else "This site has no skin territory to shade (for example no lesion)."
    return Territory(hypothesis.id, label, shading, note)


def observed_sensory(case: Case) -> dict[str, str]:
    """Region keys with an abnormal sensory finding or a sensory symptom, for outlining."""
    out: dict[str, str] = {}

    def mark(region: str, side: str | None, what: str) -> None:
        if region == "whole_foot_stocking":
            return
        if region in V.MIDLINE_REGIONS:
            out[region] = what
            return
        for s in V.LATERAL_SIDES if side in (None, "bilateral") else (side,):
            out.setdefault(bodymap.key_of(region, s), what)

    for item in case.exam.sensation:
        if item.finding != "normal":
            mark(item.region, item.side, item.finding)
    for symptom in case.symptoms:
        if symptom.kind in ("numbness", "tingling") and symptom.region:
            mark(symptom.region, symptom.side, symptom.kind)
    return out


def triage_view(assessment: Assessment) -> dict:
    return triage_banner(assessment.triage)


def triage_banner(triage) -> dict:
    """What the triage banner partial shows, for an assessment's or a diary entry's triage."""
    level = triage.level
    alerts = getattr(triage, "alerts", ())
    return {
        "level": level,
        "headline": labels.TRIAGE_HEADLINES[level],
        "advice": _words()["levels"][level],
        # beside an alert, the policy's routine wording ('no warning signs') would contradict it
        "reasons": [] if alerts and level == "routine" else triage.reasons,
        "alert": level in ("emergency", "urgent") or bool(alerts),
        # emergencies beyond the policy, shown above its level (a diary entry's triage has none)
        "beyond_policy": [
            {"level": a.level, "headline": labels.TRIAGE_HEADLINES[a.level], "text": a.text} for a in alerts
        ],
    }


def clinician_triage(triage) -> dict:
    """The banner in clinicians' words: 'Red flag: <why the rule matters>' for each rule that
    fired (the rule's ``why`` in triage_rules.yaml), not the patient's 'in what you told us'."""
    from plexnav.knowledge.guidance import load_guidance_knowledge

    rules = {r["id"]: r for level in load_guidance_knowledge().triage for r in level.get("rules", ())}
    lines = []
    for rule_id in triage.rules:
        rule = rules.get(rule_id)
        if rule is None:
            lines.append(labels.CLINICIAN_NO_FLAG)
        elif triage.level in ("emergency", "urgent"):
            lines.append(f"Red flag: {rule['why']}")
        else:
            lines.append(rule["why"])
    banner = triage_banner(triage)
    banner.update(
        headline=labels.CLINICIAN_TRIAGE_HEADLINES[triage.level],
        advice="",
        reasons=list(dict.fromkeys(lines)),
        beyond_policy=[
            {"level": a.level, "headline": labels.CLINICIAN_TRIAGE_HEADLINES[a.level], "text": a.why}
            for a in triage.alerts
        ],
    )
    return banner


CLAUSE_BREAKS = ("; ", ", whereas ", " (its branch ")


def short_lines(lines: list[str]) -> list[dict]:
    """Explanation lines as a short claim and the comparison behind it (shown smaller), once each.

    The engine writes 'X fits A; B would not explain it': the first clause is what a reader
    scans for, the rest says which alternative it separates A from."""
    out, seen = [], set()
    for line in lines:
        if line in seen:
            continue
        seen.add(line)
        cut = min((line.find(b) for b in CLAUSE_BREAKS if b in line), default=-1)
        if cut > 0:
            out.append({"main": line[:cut], "detail": line[cut:].lstrip(";, ").strip()})
        else:
            out.append({"main": line, "detail": ""})
    return out


def findings_summary(case: Case) -> list[tuple[str, str]]:
    """The findings entered, one compact line per kind and side, abnormal ones first and the
    normal ones named after them ('Strength (MRC), right: ankle dorsiflexion 2, ...; 5: hip
    flexion, ...'), for the top of the clinician view."""
    from plexnav.web.forms import format_mrc

    rows: list[tuple[str, str]] = []

    def add(title: str, items, word, name, normal, normal_word: str = "normal") -> None:
        for side in (*V.LATERAL_SIDES, "bilateral", None):
            here = [i for i in items if getattr(i, "side", None) == side]
            if not here:
                continue
            odd = [word(i) for i in here if not normal(i)]
            fine = [name(i) for i in here if normal(i)]
            text = ", ".join(odd)
            if fine:
                text += ("; " if text else "") + f"{normal_word}: " + ", ".join(fine)
            rows.append((f"{title}, {side}" if side else title, text))

    exam, edx = case.exam, case.electrodiagnosis
    add(
        "Strength (MRC)",
        exam.strength,
        lambda i: (
            f"{labels.movement(i.movement)} {format_mrc(i.mrc)}"
            + (f" (limited by {i.limited_by})" if i.limited_by else "")
        ),
        lambda i: labels.movement(i.movement),
        lambda i: i.mrc == 5 and not i.limited_by,
        "5",
    )
    add(
        "Reflexes",
        exam.reflexes,
        lambda i: f"{labels.reflex(i.reflex)} {i.grade}",
        lambda i: labels.reflex(i.reflex),
        lambda i: i.grade in ("normal", "flexor"),
    )
    add(
        "Sensation",
        exam.sensation,
        lambda i: f"{labels.region(i.region)} {i.finding}",
        lambda i: labels.region(i.region),
        lambda i: i.finding == "normal",
    )
    add(
        "Signs",
        exam.signs,
        lambda i: labels.sign(i.sign) + (f" {i.result}" if getattr(i, "result", None) else ""),
        lambda i: labels.sign(i.sign),
        lambda i: getattr(i, "result", None) == "negative",
        "negative",
    )
    add(
        "Nerve conduction",
        edx.nerve_conduction,
        lambda i: f"{labels.study(i.study)} {labels.NCS_RESULT_WORDS.get(i.result, i.result)}",
        lambda i: labels.study(i.study),
        lambda i: i.result == "normal",
    )
    add(
        "Needle EMG",
        edx.needle_emg,
        lambda i: f"{labels.muscle(i.muscle)} {labels.EMG_RESULT_WORDS.get(i.result, i.result)}",
        lambda i: labels.muscle(i.muscle),
        lambda i: i.result == "normal",
    )
    symptoms = [
        labels.humanize(s.kind)
        + (f" {labels.region(s.region)}" if s.region else "")
        + (f" ({s.side})" if s.side else "")
        for s in case.symptoms
    ]
    if symptoms:
        rows.append(("Symptoms", ", ".join(dict.fromkeys(symptoms))))
    return rows


def causes_view(assessment: Assessment, limit: int = 5) -> list[dict]:
    return [
        {
            "cause": e.cause,
            "label": labels.cause(e.cause),
            "probability": e.probability,
            "percent": labels.percent(e.probability),
            "reasons": e.reasons,
        }
        for e in assessment.etiology[:limit]
    ]


def workup_view(assessment: Assessment) -> list[dict]:
    """Work-up items; ``when`` (revision 1.1) precise for clinicians, ``plain_when`` for patients."""
    return [
        {
            "test": w.test,
            "label": labels.test_name(w.test),
            "priority": w.priority,
            "why": w.why,
            "when": w.when,
            "when_words": labels.WHEN_WORDS.get(w.when, "") if w.when else "",
            "plain_when": labels.PLAIN_WHEN.get(w.when, "") if w.when else "",
        }
        for w in assessment.workup
    ]


def background_view(assessment: Assessment) -> list[dict]:
    """Background processes beside the focal site (revision 1.1): a precise line and a plain one."""
    return [
        {
            "site": b.site,
            "side": b.side,
            "percent": labels.percent(b.probability),
            "why": b.why,
            "line": labels.background_line(b),
            "plain": labels.plain_background(b),
        }
        for b in assessment.background
    ]


def finding_label(finding: str) -> str:
    """'needle_emg:paraspinal_lower_lumbar:left' -> 'Needle EMG: lower lumbar paraspinal muscles (left)'."""
    parts = finding.split(":")
    kind, rest = parts[0], parts[1:]
    side = rest[-1] if rest and rest[-1] in V.SIDES else None
    items = rest[:-1] if side else rest
    item = items[0] if items else ""
    names = {
        "strength": ("Strength", labels.movement),
        "reflex": ("Reflex", labels.reflex),
        "sensation": ("Sensation", labels.region),
        "ncs": ("Nerve conduction", labels.study),
        "needle_emg": ("Needle EMG", labels.muscle),
        "sign": ("Sign", labels.sign),
    }
    if kind in names and item:
        title, namer = names[kind]
        text = f"{title}: {namer(item)}"
    else:
        text = labels.humanize(finding)
    return f"{text} ({side})" if side else text


def territory_list(territory_: Territory | None, limit: int = 6) -> list[tuple[str, str]]:
    """The most involved regions in words: [('right outer side of the lower leg', '90%'), ...]."""
    if not territory_:
        return []
    ranked = sorted(territory_.shading.items(), key=lambda kv: -kv[1])[:limit]
    out = []
    for key, value in ranked:
        region, side = bodymap.split_key(key)
        out.append((f"{side} {labels.region(region)}" if side else labels.region(region), f"{value:.0%}"))
    return out


def assessment_view(assessment: Assessment, case: Case | None) -> dict:
    sentences, _ = split_summary(assessment)
    triage = triage_view(assessment)
    banner_text = " ".join([triage["advice"], *triage["reasons"], *(a["text"] for a in triage["beyond_policy"])])
    sentences = [s for s in sentences if s not in banner_text]
    from plexnav.cli.learn import topics
    from plexnav.knowledge.guidance import load_guidance_knowledge

    available = topics(load_guidance_knowledge())
    territory_ = territory(assessment)
    return {
        "triage": triage,
        "clinician_triage": clinician_triage(assessment.triage),
        "findings": findings_summary(case) if case is not None else [],
        "summary": sentences,
        "questions": patient_questions(assessment),
        "education": [(t, available[t]["title"]) for t in education_links(assessment) if t in available],
        "sites": ranked_sites(assessment),
        "territory": territory_,
        "territory_title": territory_title(assessment.localization[0].site if assessment.localization else None),
        "territory_list": territory_list(territory_),
        "observed": observed_sensory(case) if case is not None else {},
        "causes": causes_view(assessment),
        "workup": workup_view(assessment),
        "background": background_view(assessment),
        "next": [
            {"finding": n.finding, "label": finding_label(n.finding), "why": n.why, "gain": n.expected_information_gain}
            for n in assessment.next_best_findings
        ],
        "management": assessment.management,
        "recovery": assessment.recovery,
        "self_care": assessment.self_care,
        "prevention": assessment.prevention,
        "knowledge_version": assessment.knowledge_version,
        "disclaimer": assessment.disclaimer or DISCLAIMER_SHORT,
        "raw": assessment,
    }


def shading_for_template(territory_: Territory | None) -> Mapping[str, float]:
    return territory_.shading if territory_ else {}

"""Check a new diary entry for red flags with the same triage policy as a case.

Why through a case: the triage policy (case-format section 5) is the one contract for
urgency, so an entry is turned into a :class:`~plexnav.case.Case` and given to
:func:`plexnav.engine.triage.assess_triage`.  A bladder or bowel change, saddle numbness or
a sudden severe weakness recorded in the diary therefore sets the ``emergency`` level at
once, worded exactly as everywhere else in plexnav.

What the built case holds (see :func:`entry_case`):

* symptoms — each pain rating above 0 (with its score as severity), each numb area,
  ``saddle_numbness`` as numbness in the saddle, ``bladder_change`` / ``bowel_change`` as
  bladder / bowel dysfunction, ``sudden_weakness`` as a weakness symptom with
  ``onset_sudden_severe``, and any falls as a falls symptom;
* ongoing leg or back symptoms — when the entry itself rates no pain, numbness or falls,
  the leg and back symptoms of the latest earlier entry that had any, else those of the
  baseline case (without their old "sudden severe" mark): a diary is kept *because* of
  leg or back symptoms, and the bladder/bowel rule asks for them;
* examination — the entry's clinician-recorded strength grades;
* patient and history factors — from the baseline case when one is given (an entry does
  not repeat age, diabetes, cancer history or blood thinners);
* onset and duration — unknown: an entry reports what is new now;
* course — ``worsening`` when a strength grade fell since the latest earlier grade of the
  same movement and side in the diary, otherwise unknown.

With triage policy 1.1 a fall in a grade to MRC 4 or less is therefore "progressive
weakness" (urgent: onset and duration are unknown, so the problem counts as recent), and
an entry that records falls is at least "soon".

If, with no earlier entry and no baseline to say which leg or back symptoms the diary is
about, an entry records a bladder or bowel change, :func:`check_entry` still applies the
bladder/bowel emergency rule: the diary itself is the evidence of leg or back symptoms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plexnav import vocabulary as V
from plexnav.case import Case, Exam, History, StrengthFinding, Symptom, Triage
from plexnav.diary.models import Diary, DiaryEntry
from plexnav.engine.facts import holds
from plexnav.engine.triage import assess_triage, case_facts, holding_alerts
from plexnav.knowledge.guidance import GuidanceKnowledge, load_guidance_knowledge

ALERT_LEVELS = ("emergency", "urgent")
LEG_OR_BACK = ("pain", "numbness", "tingling", "weakness", "cramps", "gait_difficulty", "falls")
BLADDER_BOWEL_RULE = "emergency.bladder_bowel"


def strength_fell(entry: DiaryEntry, earlier: Sequence[DiaryEntry]) -> list[tuple[str, str, float, float]]:
    """(movement, side, before, now) for every grade lower than the latest earlier grade."""
    latest: dict[tuple[str, str], float] = {}
    for past in sorted(earlier, key=lambda e: e.moment):
        if past.moment > entry.moment:
            continue
        for g in past.strength:
            latest[(g.movement, g.side)] = g.mrc
    return [
        (g.movement, g.side, latest[(g.movement, g.side)], g.mrc)
        for g in entry.strength
        if (g.movement, g.side) in latest and g.mrc < latest[(g.movement, g.side)]
    ]


def _own_symptoms(entry: DiaryEntry) -> list[Symptom]:
    out = [Symptom(kind="pain", region=p.region, side=p.side, severity=p.score) for p in entry.pain if p.score > 0]
    out += [Symptom(kind="numbness", region=n.region, side=n.side) for n in entry.numbness]
    if entry.falls:
        out.append(Symptom(kind="falls"))
    return out


def _ongoing_symptoms(entry: DiaryEntry, baseline: Case | None, earlier: Sequence[DiaryEntry]) -> list[Symptom]:
    """Leg or back symptoms the diary is about, for an entry that rates none itself."""
    for past in sorted(earlier, key=lambda e: e.moment, reverse=True):
        if past.moment <= entry.moment and past is not entry:
            found = _own_symptoms(past)
            if found:
                return found
    if baseline is not None:
        return [
            s.model_copy(update={"onset_sudden_severe": None}) if s.onset_sudden_severe else s
            for s in baseline.symptoms
            if s.kind in LEG_OR_BACK
        ]
    return []


def entry_case(entry: DiaryEntry, baseline: Case | None = None, earlier: Sequence[DiaryEntry] = ()) -> Case:
    """The case the triage policy is applied to for one diary entry (see the module docstring)."""
    symptoms = _own_symptoms(entry)
    if not symptoms:
        symptoms = _ongoing_symptoms(entry, baseline, earlier)
    if entry.saddle_numbness and not any(n.region == "saddle" for n in entry.numbness):
        symptoms.append(Symptom(kind="numbness", region="saddle", side="bilateral"))
    if entry.bladder_change:
        symptoms.append(Symptom(kind="bladder_dysfunction"))
    if entry.bowel_change:
        symptoms.append(Symptom(kind="bowel_dysfunction"))
    if entry.sudden_weakness:
        symptoms.append(Symptom(kind="weakness", side=entry.sudden_weakness_side, onset_sudden_severe=True))
    strength = [StrengthFinding(movement=g.movement, side=g.side, mrc=g.mrc) for g in entry.strength]
    course: V.Course | None = "worsening" if strength_fell(entry, earlier) else None
    extra: dict[str, Any] = {"patient": baseline.patient} if baseline else {}  # unset stays unset
    factors = list(baseline.history.factors) if baseline else []
    case_id = baseline.id if baseline and baseline.id else "diary"
    return Case(
        format="plexnav-case/1",
        id=f"{case_id}@{entry.date.isoformat()}",
        history=History(course=course, factors=factors),
        symptoms=symptoms,
        exam=Exam(strength=strength),
        **extra,
    )


def _rule(knowledge: GuidanceKnowledge, rule_id: str) -> tuple[V.TriageLevel, dict]:
    for level in knowledge.triage:
        for rule in level["rules"]:
            if rule["id"] == rule_id:
                return level["level"], rule
    raise KeyError(rule_id)


def check_entry(
    entry: DiaryEntry,
    baseline: Case | None = None,
    earlier: Sequence[DiaryEntry] = (),
    knowledge: GuidanceKnowledge | None = None,
) -> Triage:
    """Triage of one diary entry: ``emergency`` at once for a new bladder, bowel, saddle or sudden-weakness flag."""
    knowledge = knowledge or load_guidance_knowledge()
    case = entry_case(entry, baseline, earlier)
    triage = assess_triage(case, knowledge)
    if (entry.bladder_change or entry.bowel_change) and BLADDER_BOWEL_RULE not in triage.rules:
        level, rule = _rule(knowledge, BLADDER_BOWEL_RULE)
        if triage.level == level:
            return Triage(level=level, reasons=[*triage.reasons, rule["text"]], rules=[*triage.rules, rule["id"]])
        return Triage(level=level, reasons=[rule["text"]], rules=[rule["id"]])
    return triage


def fired_rules(case: Case, knowledge: GuidanceKnowledge | None = None) -> set[str]:
    """Ids of every triage rule that holds for the case, at any level (not only the deciding
    one), and of every alert beyond the policy whose picture holds (an alert is raised only
    above the level the policy set, but its picture is there all the same)."""
    knowledge = knowledge or load_guidance_knowledge()
    facts = case_facts(case, knowledge)
    rules = {rule["id"] for level in knowledge.triage for rule in level["rules"] if holds(rule["when"], facts)}
    return rules | set(holding_alerts(facts, knowledge))


def diary_alerts(
    diary: Diary, baseline: Case | None = None, knowledge: GuidanceKnowledge | None = None
) -> list[tuple[DiaryEntry, Triage]]:
    """Where each NEW emergency or urgent red flag first appears in the diary, in time order.

    A rule already holding for the baseline case (say, unplanned weight loss with thigh
    pain) is known, and so is a rule that an earlier entry raised: an entry is listed when
    its level is emergency or urgent and at least one of its rules is new.  (Every entry
    on its own still gets its full level from :func:`check_entry`.)
    """
    knowledge = knowledge or load_guidance_knowledge()
    known = fired_rules(baseline, knowledge) if baseline else set()
    ordered = diary.sorted_entries()
    out = []
    for i, entry in enumerate(ordered):
        earlier = ordered[:i]
        triage = check_entry(entry, baseline, earlier, knowledge)
        if triage.level in ALERT_LEVELS and set(triage.rules) - known:
            out.append((entry, triage))
        known |= set(triage.rules) | fired_rules(entry_case(entry, baseline, earlier), knowledge)
    return out

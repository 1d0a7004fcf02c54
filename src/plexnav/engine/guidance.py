"""Management options, recovery, self-care, prevention and the plain-language summary.

Why chosen, not dumped: a person with foot drop from a pressed nerve at the knee needs a
brace and advice about leg crossing, not a list of everything.  Each item in
``management.yaml`` carries a condition over the case, its triage, site and causes; this
module picks the items that apply.  Texts are options to discuss with the treating
clinician and never contain a dose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import compress
from typing import Any

from plexnav.case import (
    Case,
    EtiologyEntry,
    GuidanceEntry,
    LocalizationEntry,
    ManagementEntry,
    Triage,
    WorkupEntry,
)
from plexnav.engine.facts import Facts, holds_each
from plexnav.engine.memo import memo_store, once_per_object
from plexnav.engine.records import builder
from plexnav.engine.workup import context_facts
from plexnav.knowledge.guidance import GuidanceKnowledge, load_guidance_knowledge

UNKNOWN = "idiopathic_or_unknown"
NOT_NEUROLOGICAL = "musculoskeletal_or_non_neurological"
_MANAGEMENT_ENTRY = builder(ManagementEntry)
_GUIDANCE_ENTRY = builder(GuidanceEntry)


def contraindications(facts: Facts, knowledge: GuidanceKnowledge) -> set[str]:
    """The contraindications (management.yaml) that hold for this case."""
    spec = knowledge.management["contraindications"]
    return set(compress(spec, holds_each(spec, facts, "when")))


def plan_management(facts: Facts, knowledge: GuidanceKnowledge) -> list[ManagementEntry]:
    """The framing note, then every option whose condition holds and none of whose
    contraindications (``never_with``) does, in file order (emergency steps first)."""
    spec = knowledge.management
    blocked = contraindications(facts, knowledge)
    entries = [_MANAGEMENT_ENTRY(dict(spec["framing"]))]
    entries += [
        _MANAGEMENT_ENTRY({"option": m["option"], "why": m["why"], "category": m["category"]})
        for m in compress(spec["management"], holds_each(spec["management"], facts, "when"))
        if blocked.isdisjoint(m["never_with"])
    ]
    return entries


def lesion_words(entry: LocalizationEntry, words: Mapping[str, Any]) -> str:
    """Plain words for where an entry's lesion is: its lesion point (by the engine's
    hypothesis id) when known, else the site's own words."""
    memo: dict[tuple[str | None, str], str] = once_per_object(_LESION_WORDS, words, dict)
    at = (entry.hypothesis, entry.site)
    text = memo.get(at)
    if text is None:
        if len(memo) >= _LESION_WORDS_LIMIT:
            memo.clear()
        text = memo[at] = _lesion_words(entry, words)
    return text


# The words depend on the hypothesis id, the site and the (immutable) words file alone:
# each is looked up once (bounded: the engine has a few hundred hypotheses).
_LESION_WORDS = memo_store("guidance.lesion_words")
_LESION_WORDS_LIMIT = 10_000


def _lesion_words(entry: LocalizationEntry, words: Mapping[str, Any]) -> str:
    points: Mapping[str, str] = words.get("lesion_points", {})
    if entry.hypothesis:
        for key, text in points.items():
            if (
                entry.hypothesis == key
                or entry.hypothesis.startswith(key + ":")
                or (key.startswith("mimic_") and entry.hypothesis.startswith(key))
            ):
                return text
    site_words: str = words["sites"][entry.site]
    return site_words


def _guidance(section: str, facts: Facts, knowledge: GuidanceKnowledge) -> list[GuidanceEntry]:
    """The section's entries whose condition holds and none of whose contraindications
    (an optional ``never_with``: heat packs and pacing are no advice in an emergency) does."""
    items = knowledge.management[section]
    chosen = list(compress(items, holds_each(items, facts, "when")))
    if any(g.get("never_with") for g in chosen):
        blocked = contraindications(facts, knowledge)
        chosen = [g for g in chosen if blocked.isdisjoint(g.get("never_with", ()))]
    return [_GUIDANCE_ENTRY({"topic": g["topic"], "text": g["text"]}) for g in chosen]


def expect_recovery(facts: Facts, knowledge: GuidanceKnowledge) -> list[GuidanceEntry]:
    return _guidance("recovery", facts, knowledge)


def self_care(facts: Facts, knowledge: GuidanceKnowledge) -> list[GuidanceEntry]:
    return _guidance("self_care", facts, knowledge)


def prevention(facts: Facts, knowledge: GuidanceKnowledge) -> list[GuidanceEntry]:
    return _guidance("prevention", facts, knowledge)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _names_look_alike(top: LocalizationEntry, words: Mapping[str, Any]) -> bool:
    """The leading entry is "no nerve lesion" read as a named look-alike: it leads "no nerve
    lesion" clearly, so the entry carries its name as the detail (localize.leading_look_alike)."""
    return bool(
        top.site == "no_neurological_lesion"
        and top.hypothesis
        and top.hypothesis.startswith("mimic_")
        and top.detail
        and lesion_words(top, words) != words["sites"][top.site]
    )


def emergency_first(triage: Triage, localization: Sequence[LocalizationEntry], words: Mapping[str, Any]) -> bool:
    """An emergency (the policy's level or an alert) whose findings lead with no nerve lesion:
    the summary does not offer a look-alike, or "not a damaged nerve" as the cause, before the
    emergency check (a functional or joint reading must not reassure someone sent to hospital
    now; only that examination can rule out the cord or the nerves).  A look-alike that is the
    emergency itself (a compartment syndrome, a blocked artery) is still named."""
    if triage.level != "emergency" and not triage.alerts:
        return False
    lead = max(localization, key=lambda e: e.probability) if localization else None
    if lead is None or lead.site != "no_neurological_lesion":
        return False
    return not (lead.hypothesis or "").startswith(tuple(words["summary"]["emergency_look_alikes"]))


def cause_sentences(
    localization: Sequence[LocalizationEntry],
    etiology: Sequence[EtiologyEntry],
    words: Mapping[str, Any],
    with_others: bool = True,
) -> list[str]:
    """The leading cause in a plain sentence and the next ones worth naming.  When the
    summary has just named a look-alike and the leading cause is "not a nerve problem", the
    look-alike is that cause: saying "such as in a joint or muscle" after naming a pain
    syndrome or an artery would contradict it."""
    if not etiology:
        return []
    s = words["summary"]
    top = etiology[0].cause
    lead = max(localization, key=lambda e: e.probability) if localization else None
    named = lead is not None and _names_look_alike(lead, words)
    if top == UNKNOWN:
        out = [s["cause_unclear"]]
    elif top == NOT_NEUROLOGICAL and named:
        out = [s["cause_look_alike"]]
    else:
        out = [s["cause"].format(cause=words["causes"][top])]
    # the look-alike just named is "a problem that does not damage the nerves": not listed again
    unsaid = {UNKNOWN, NOT_NEUROLOGICAL} if named else {UNKNOWN}
    others = [words["causes"][e.cause] for e in etiology[1:3] if e.probability >= 0.05 and e.cause not in unsaid]
    if others and with_others:
        out.append(s["other_causes"].format(causes=_join(others)))
    return out


def finding_sentences(
    triage: Triage,
    localization: Sequence[LocalizationEntry],
    etiology: Sequence[EtiologyEntry],
    words: Mapping[str, Any],
    with_others: bool = True,
) -> list[str]:
    """What was found and its likely cause, as the summary and the patient report say it: in
    an emergency led by no nerve lesion, only that the hospital check comes first
    (:func:`emergency_first`)."""
    if emergency_first(triage, localization, words):
        return [words["summary"]["found_no_lesion_emergency"]]
    return [*where_sentences(localization, words), *cause_sentences(localization, etiology, words, with_others)]


def where_sentences(localization: Sequence[LocalizationEntry], words: Mapping[str, Any]) -> list[str]:
    """Where the problem is, in plain sentences: the leading site (its lesion point, or the
    look-alike), honest uncertainty, and a close runner-up."""
    s = words["summary"]
    if not localization:
        return [s["found_none"]]
    ranked = sorted(localization, key=lambda e: -e.probability)
    top = ranked[0]
    if top.site == "no_neurological_lesion":
        out = [s["found_no_lesion"] if top.probability >= s["no_lesion_firm_from"] else s["found_no_lesion_uncertain"]]
        if _names_look_alike(top, words):
            out.append(s["found_mimic"].format(place=lesion_words(top, words)))
    elif top.probability < s["uncertain_below"]:
        return [s["found_uncertain"].format(site=lesion_words(top, words))]
    else:
        key = "found_site_bilateral" if top.side == "bilateral" else "found_site"
        out = [s[key].format(site=lesion_words(top, words), side=words["sides"][top.side])]
    if len(ranked) > 1 and ranked[1].site != top.site and ranked[1].probability >= 0.15:
        out.append(s["runner_up"].format(site=lesion_words(ranked[1], words)))
    return out


def fitted_questions(
    localization: Sequence[LocalizationEntry], facts: Facts, knowledge: GuidanceKnowledge
) -> list[str]:
    """The questions to ask the doctor that fit the case (plain_words.yaml), in file order; a
    question never asks about what a contraindication forbids (its ``never_with``)."""
    words = knowledge.words
    lesion = lesion_words(max(localization, key=lambda e: e.probability), words) if localization else ""
    asks = words["questions"]
    blocked = contraindications(facts, knowledge)
    return [
        q["text"].format(lesion=lesion)
        for q, fits in zip(asks, holds_each(asks, facts, "when"), strict=True)
        if fits and blocked.isdisjoint(q.get("never_with", ()))
    ]


def no_tests_sentence(triage: Triage, more_to_examine: bool, words: Mapping[str, Any]) -> str:
    """What to say when no test is planned (the summary's sentence and the reports' section):
    in an emergency the team decides, never 'examine more' or 'no tests needed'; otherwise
    more examination while findings worth examining are listed, else no test needed now."""
    s = words["summary"]
    if triage.level == "emergency" or triage.alerts:
        return str(s["emergency_no_tests"])
    return str(s["more_exam"] if more_to_examine else s["no_tests"])


def plain_summary(
    case: Case,
    triage: Triage,
    localization: Sequence[LocalizationEntry],
    etiology: Sequence[EtiologyEntry],
    workup: Sequence[WorkupEntry],
    knowledge: GuidanceKnowledge | None = None,
    context: Facts | None = None,
    more_to_examine: bool = False,
) -> str:
    """What was found, how urgent, what to ask: short sentences, ending with the support message.
    ``context``: the :func:`context_facts` if the caller already has them; ``more_to_examine``:
    the assessment lists findings still worth examining (then it never says no more is needed)."""
    knowledge = knowledge or load_guidance_knowledge()
    words = knowledge.words
    s = words["summary"]
    facts = context or context_facts(case, localization, etiology, triage, knowledge)
    if triage.alerts:
        # an emergency the policy has no clause for: its words replace the policy level's,
        # which would tell the person to wait
        parts = [alert.text for alert in triage.alerts]
    else:
        parts = [words["levels"][triage.level]]
        if triage.level != "routine" and triage.reasons:
            parts.append(triage.reasons[0].split(". ")[0].rstrip(".") + ".")
    parts += finding_sentences(triage, localization, etiology, words)
    tests = [words["tests"][w.test] for w in workup[:3]]
    parts.append(s["tests"].format(tests=_join(tests)) if tests else no_tests_sentence(triage, more_to_examine, words))
    questions = fitted_questions(localization, facts, knowledge)[:3]
    if questions:
        parts += [s["ask_intro"], *questions]
    parts += [s["safety"], s["closing"]]
    return " ".join(parts)

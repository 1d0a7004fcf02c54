"""One entry point from a localization to everything a person should know next.

Why one call: the assessment pipeline needs triage, causes, tests, options, recovery,
self-care, prevention and a plain summary that agree with each other, so they are
computed here from the same facts, in dependency order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plexnav.case import BackgroundEntry, Case, LocalizationEntry
from plexnav.engine import guidance as G
from plexnav.engine.etiology import rank_causes, site_weights
from plexnav.engine.triage import assess_triage, case_facts
from plexnav.engine.workup import context_facts, plan_workup
from plexnav.knowledge.guidance import GuidanceKnowledge, load_guidance_knowledge


def advise(
    case: Case,
    localization: Sequence[LocalizationEntry],
    knowledge: GuidanceKnowledge | None = None,
    background: Sequence[BackgroundEntry] = (),
    more_to_examine: bool = False,
) -> dict[str, Any]:
    """Keys: triage, etiology, workup, management, recovery, self_care, prevention, plain_summary.
    ``background``: a background process held beside the focal site (Assessment.background),
    which the work-up reads as ``background:SITE``; ``more_to_examine``: the assessment lists
    findings still worth examining, so the summary never says nothing more is needed."""
    knowledge = knowledge or load_guidance_knowledge()
    base = case_facts(case, knowledge)
    triage = assess_triage(case, knowledge, base)
    sites = site_weights(base, localization, knowledge)  # read by the causes and the work-up alike
    etiology = rank_causes(case, localization, knowledge, base, sites)
    facts = context_facts(case, localization, etiology, triage, knowledge, base, background, sites)
    workup = plan_workup(case, localization, etiology, triage, knowledge, facts)
    return {
        "triage": triage,
        "etiology": etiology,
        "workup": workup,
        "management": G.plan_management(facts, knowledge),
        "recovery": G.expect_recovery(facts, knowledge),
        "self_care": G.self_care(facts, knowledge),
        "prevention": G.prevention(facts, knowledge),
        "plain_summary": G.plain_summary(
            case, triage, localization, etiology, workup, knowledge, facts, more_to_examine
        ),
    }

"""Plan the next tests: emergency step first, then imaging, nerve tests, blood tests.

Why rules over context: which test helps depends on where the lesion probably is, what
probably caused it and how urgent it is, so ``workup.yaml`` states each test's conditions
over the localization, the causes and the triage, and this module only evaluates them.
Tests already done are skipped unless a rule says a repeat is justified.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from plexnav import vocabulary as V
from plexnav.case import Case, EtiologyEntry, LocalizationEntry, Triage, WorkupEntry
from plexnav.engine.etiology import site_group, site_weights
from plexnav.engine.facts import Facts, holds
from plexnav.engine.triage import case_facts
from plexnav.knowledge.guidance import GuidanceKnowledge, load_guidance_knowledge


def context_facts(case: Case, localization: Sequence[LocalizationEntry], etiology: Sequence[EtiologyEntry],
                  triage: Triage, knowledge: GuidanceKnowledge, facts: Facts | None = None) -> Facts:
    """Case facts plus what earlier steps concluded (site, cause and triage), for rule conditions."""
    facts = facts or case_facts(case, knowledge)
    sites = site_weights(facts, localization, knowledge)
    values: dict[str, float] = {f"site_p:{s}": p for s, p in sites.items()}
    groups: dict[str, float] = defaultdict(float)
    for site, p in sites.items():
        groups[site_group(site, knowledge)] += p
    values.update({f"group_p:{g}": p for g, p in groups.items()})
    values.update({f"cause_p:{e.cause}": e.probability for e in etiology})
    features = {f"triage:{triage.level}", *(f"triage_rule:{r}" for r in triage.rules)}
    if localization:
        features.add(f"site_top:{max(localization, key=lambda e: e.probability).site}")
    if etiology:
        features.add(f"cause_top:{etiology[0].cause}")
        values["cause_top_p"] = etiology[0].probability
    return facts.extend(features, values)


def plan_workup(case: Case, localization: Sequence[LocalizationEntry], etiology: Sequence[EtiologyEntry],
                triage: Triage, knowledge: GuidanceKnowledge | None = None,
                context: Facts | None = None) -> list[WorkupEntry]:
    """Tests worth doing next, most urgent first, one entry per test.  ``context``: the
    :func:`context_facts` if the caller already has them."""
    knowledge = knowledge or load_guidance_knowledge()
    facts = context or context_facts(case, localization, etiology, triage, knowledge)
    spec = knowledge.workup
    chosen: dict[str, tuple[int, int, WorkupEntry]] = {}
    for order, rule in enumerate(spec["rules"]):
        if not holds(rule["when"], facts):
            continue
        done = any(facts.has(f) for f in spec["done_by"].get(rule["test"], ()))
        if done and not ("repeat_if" in rule and holds(rule["repeat_if"], facts)):
            continue
        priority = rule["repeat_priority"] if done else rule["priority"]
        why = rule["repeat_why"] if done else rule["why"]
        rank = V.WORKUP_PRIORITIES.index(priority)
        entry = WorkupEntry(test=rule["test"], priority=priority, why=why)
        if rule["test"] not in chosen or (rank, order) < chosen[rule["test"]][:2]:
            chosen[rule["test"]] = (rank, order, entry)
    return [entry for _, _, entry in sorted(chosen.values(), key=lambda c: c[:2])]

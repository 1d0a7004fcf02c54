"""Rank the causes of the lesion the localization found.

Why this shape: the same history means different things at different sites (diabetes and
weight loss with a lumbar plexus lesion suggest diabetic radiculoplexus neuropathy; with
an L5 root lesion and a disc on MRI they do not).  So each cause is scored *per candidate
site* (prior × P(site | cause) × likelihood ratios, all from ``causes.yaml``), normalised
per site, then mixed by the localization's probabilities.  Probability the localization
leaves unassigned (patient answers alone) is spread over sites the symptoms suggest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from plexnav.case import Case, EtiologyEntry, LocalizationEntry
from plexnav.engine.facts import Facts, holds
from plexnav.engine.triage import case_facts
from plexnav.knowledge.guidance import GuidanceKnowledge, load_guidance_knowledge

MAX_REASONS = 5
MIN_SITE_WEIGHT = 1e-3  # sites this unlikely change no cause's probability by more than 0.1%
_TINY = 1e-12


def site_group(site: str, knowledge: GuidanceKnowledge) -> str:
    """The group ('root', 'plexus', 'nerve', ...) a site id belongs to."""
    try:
        return knowledge.site_groups[site]
    except KeyError:
        raise KeyError(f"site {site!r} is in no site group") from None


def by_site(table, site: str, group: str) -> float:
    """Look up a number by exact site, then its group, then 'default' (a bare number is used as is)."""
    if isinstance(table, (int, float)):
        return float(table)
    for key in (site, group, "default"):
        if key in table:
            return float(table[key])
    return 1.0


def site_weights(case_facts_: Facts, localization: Sequence[LocalizationEntry],
                 knowledge: GuidanceKnowledge) -> dict[str, float]:
    """Probability of each site: the localization's, plus the unassigned rest spread by symptom cues."""
    weights: dict[str, float] = defaultdict(float)
    for entry in localization:
        weights[entry.site] += entry.probability
    rest = max(0.0, 1.0 - sum(weights.values()))
    if rest > 1e-6:
        spec = knowledge.causes["unlocalized"]
        cue: dict[str, float] = defaultdict(float, spec["base"])
        for item in spec["cues"]:
            if holds(item["when"], case_facts_):
                for site, w in item["sites"].items():
                    cue[site] += w
        total = sum(cue.values())
        for site, w in cue.items():
            weights[site] += rest * w / total
    return dict(weights)


def _fired(cause: Mapping, facts: Facts) -> tuple[bool, list[Mapping]]:
    """Which of a cause's conditions hold for this case (they do not depend on the site)."""
    needs = cause.get("needs_any")
    missing = bool(needs) and not any(holds(c, facts) for c in needs)
    return missing, [item for item in cause.get("evidence", ()) if holds(item["when"], facts)]


def _log_score(cause: Mapping, fired: tuple[bool, list[Mapping]], site: str, group: str) -> float:
    """Unnormalised log-score of one cause at one site."""
    log = math.log(max(cause["prior"], _TINY)) + math.log(max(by_site(cause["sites"], site, group), _TINY))
    missing, items = fired
    if missing:
        log += math.log(cause["otherwise"])
    for item in items:
        log += math.log(max(by_site(item["lr"], site, group), _TINY))
    return log


def _moved(cause: Mapping, fired: tuple[bool, list[Mapping]], site: str, group: str) -> list[tuple[float, str]]:
    """The evidence that moved one cause at one site, with its weight (for the reasons)."""
    moved: list[tuple[float, str]] = []
    missing, items = fired
    if missing:
        moved.append((math.log(cause["otherwise"]), cause["missing_reason"]))
    for item in items:
        lr = by_site(item["lr"], site, group)
        # lr 1 marks the exposure a `needs_any` cause depends on: worth saying.
        weight = math.log(lr) if lr != 1 else -math.log(cause.get("otherwise", 1.0))
        if weight:
            moved.append((weight, item["reason"]))
    return moved


def _site_reason(cause: Mapping, site: str, group: str, knowledge: GuidanceKnowledge) -> str | None:
    words = knowledge.words
    fit = by_site(cause["sites"], site, group)
    spec = words["site_fit"]
    kind = "often" if fit >= spec["often_at_least"] else "rarely" if fit <= spec["rarely_at_most"] else None
    if kind is None:
        return None
    if group == "none":
        return spec[f"none_{kind}"]
    return spec[kind].format(site=words["sites"].get(site) or words["site_groups"][group])


def rank_causes(case: Case, localization: Sequence[LocalizationEntry],
                knowledge: GuidanceKnowledge | None = None, facts: Facts | None = None) -> list[EtiologyEntry]:
    """Every spec cause with a probability (summing to 1), most likely first, with plain reasons."""
    knowledge = knowledge or load_guidance_knowledge()
    facts = facts or case_facts(case, knowledge)
    causes = knowledge.causes["causes"]
    localized = {e.site for e in localization}
    total: dict[str, float] = defaultdict(float)
    best_site: dict[str, tuple[bool, float, str, str]] = {}
    fired = {name: _fired(cause, facts) for name, cause in causes.items()}
    for site, weight in sorted(site_weights(facts, localization, knowledge).items()):
        if weight < MIN_SITE_WEIGHT:
            continue
        group = site_group(site, knowledge)
        scored = {name: _log_score(cause, fired[name], site, group) for name, cause in causes.items()}
        top = max(scored.values())
        norm = sum(math.exp(log - top) for log in scored.values())
        for name, log in scored.items():
            share = weight * math.exp(log - top) / norm
            total[name] += share
            # Explain each cause at the localized site where it carries most weight.
            key = (site in localized, share, site, group)
            if name not in best_site or key[:2] > best_site[name][:2]:
                best_site[name] = key
    grand = sum(total.values()) or 1.0
    entries = []
    for rank, name in enumerate(sorted(causes, key=lambda n: (-total[n], n))):
        is_localized, _, site, group = best_site[name]
        moved = _moved(causes[name], fired[name], site, group)
        site_reason = _site_reason(causes[name], site, group, knowledge) if is_localized else None
        reasons = [site_reason] if site_reason else []
        reasons += [text for _, text in sorted(moved, key=lambda m: -abs(m[0]))][: MAX_REASONS - len(reasons)]
        if not reasons:
            fallback = knowledge.words["no_specific_reason"]
            reasons = [fallback["leading"] if rank < 3 else fallback["other"]]
        entries.append(EtiologyEntry(cause=name, probability=round(total[name] / grand, 6), reasons=reasons))
    return entries

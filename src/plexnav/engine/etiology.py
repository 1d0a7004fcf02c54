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
from plexnav.engine.facts import Facts, compile_each, holds_each
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
        for item, fires in zip(spec["cues"], holds_each(spec["cues"], case_facts_, "when")):
            if fires:
                for site, w in item["sites"].items():
                    cue[site] += w
        total = sum(cue.values())
        for site, w in cue.items():
            weights[site] += rest * w / total
    return dict(weights)


class CauseTable:
    """The causes file compiled once: per-site log-scores and each evidence item's log-LR.

    Why: a case scores every cause at every candidate site; the per-site numbers only
    depend on the immutable data, so they are looked up once per site and reused, and a
    case only decides which conditions fire.
    """

    def __init__(self, knowledge: GuidanceKnowledge):
        self.causes = knowledge.causes["causes"]
        self.names = tuple(self.causes)
        # every cause's conditions in one generated function: [needs_any?] + evidence, per cause
        conditions: list[object] = []
        self._slices: list[tuple[int | None, int, int]] = []
        for cause in self.causes.values():
            needs_at = None
            if cause.get("needs_any"):
                needs_at = len(conditions)
                conditions.append({"any": list(cause["needs_any"])})
            start = len(conditions)
            conditions.extend(item["when"] for item in cause.get("evidence", ()))
            self._slices.append((needs_at, start, len(conditions)))
        self._conditions = compile_each(conditions)
        self._rows: dict[str, tuple[float, ...]] = {}
        self._evidence: dict[str, tuple[tuple[float, ...], ...]] = {}

    def base(self, site: str, group: str) -> tuple[float, ...]:
        """log prior + log P(site | cause), per cause, at one site."""
        row = self._rows.get(site)
        if row is None:
            row = tuple(math.log(max(c["prior"], _TINY)) + math.log(max(by_site(c["sites"], site, group), _TINY))
                        for c in self.causes.values())
            self._rows[site] = row
        return row

    def evidence(self, site: str, group: str) -> tuple[tuple[float, ...], ...]:
        """log LR of each evidence item of each cause, at one site (same order as the file)."""
        logs = self._evidence.get(site)
        if logs is None:
            logs = tuple(tuple(math.log(max(by_site(item["lr"], site, group), _TINY)) for item in c.get("evidence", ()))
                         for c in self.causes.values())
            self._evidence[site] = logs
        return logs


    def fired(self, facts: Facts) -> list[tuple[bool, list[int]]]:
        """Per cause: whether its needed exposure is missing, and which evidence items hold."""
        answers = self._conditions(facts)
        out = []
        for needs_at, start, stop in self._slices:
            missing = needs_at is not None and not answers[needs_at]
            out.append((missing, [i - start for i in range(start, stop) if answers[i]]))
        return out


_TABLES: dict[int, tuple[GuidanceKnowledge, CauseTable]] = {}


def cause_table(knowledge: GuidanceKnowledge) -> CauseTable:
    """The compiled table of this (immutable) knowledge; the memo keeps the object, so ids are never reused."""
    entry = _TABLES.get(id(knowledge))
    if entry is None or entry[0] is not knowledge:
        entry = (knowledge, CauseTable(knowledge))
        _TABLES[id(knowledge)] = entry
    return entry[1]


def _log_scores(table: CauseTable, fired: list[tuple[bool, list[int]]], site: str, group: str) -> list[float]:
    """Unnormalised log-score of every cause at one site."""
    scores = []
    for base, logs, cause, (missing, items) in zip(table.base(site, group), table.evidence(site, group),
                                                   table.causes.values(), fired):
        log = base
        if missing:
            log += math.log(cause["otherwise"])
        for i in items:
            log += logs[i]
        scores.append(log)
    return scores


def _moved(cause: Mapping, fired: tuple[bool, list[int]], site: str, group: str) -> list[tuple[float, str]]:
    """The evidence that moved one cause at one site, with its weight (for the reasons)."""
    moved: list[tuple[float, str]] = []
    missing, indices = fired
    if missing:
        moved.append((math.log(cause["otherwise"]), cause["missing_reason"]))
    evidence = cause.get("evidence", ())
    for item in (evidence[i] for i in indices):
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
    table = cause_table(knowledge)
    causes = table.causes
    localized = {e.site for e in localization}
    total = dict.fromkeys(table.names, 0.0)
    best_site: dict[str, tuple[bool, float, str, str]] = {}
    fired = table.fired(facts)
    for site, weight in sorted(site_weights(facts, localization, knowledge).items()):
        if weight < MIN_SITE_WEIGHT:
            continue
        group = site_group(site, knowledge)
        scored = _log_scores(table, fired, site, group)
        top = max(scored)
        exps = [math.exp(log - top) for log in scored]
        norm = sum(exps)
        for name, e in zip(table.names, exps):
            share = weight * e / norm
            total[name] += share
            # Explain each cause at the localized site where it carries most weight.
            key = (site in localized, share, site, group)
            if name not in best_site or key[:2] > best_site[name][:2]:
                best_site[name] = key
    fired_by_name = dict(zip(table.names, fired))
    grand = sum(total.values()) or 1.0
    entries = []
    for rank, name in enumerate(sorted(causes, key=lambda n: (-total[n], n))):
        is_localized, _, site, group = best_site[name]
        moved = _moved(causes[name], fired_by_name[name], site, group)
        site_reason = _site_reason(causes[name], site, group, knowledge) if is_localized else None
        reasons = [site_reason] if site_reason else []
        reasons += [text for _, text in sorted(moved, key=lambda m: -abs(m[0]))][: MAX_REASONS - len(reasons)]
        if not reasons:
            fallback = knowledge.words["no_specific_reason"]
            reasons = [fallback["leading"] if rank < 3 else fallback["other"]]
        entries.append(EtiologyEntry(cause=name, probability=round(total[name] / grand, 6), reasons=reasons))
    return entries

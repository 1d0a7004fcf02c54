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

import numpy as np

from plexnav.case import Case, EtiologyEntry, LocalizationEntry
from plexnav.engine.facts import Facts, compile_each, holds_each
from plexnav.engine.memo import once_per_object
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


def site_weights(
    case_facts_: Facts, localization: Sequence[LocalizationEntry], knowledge: GuidanceKnowledge
) -> dict[str, float]:
    """Probability of each site: the localization's, plus the unassigned rest spread by symptom cues."""
    weights: dict[str, float] = defaultdict(float)
    for entry in localization:
        weights[entry.site] += entry.probability
    rest = max(0.0, 1.0 - sum(weights.values()))
    if rest > 1e-6:
        spec = knowledge.causes["unlocalized"]
        cue: dict[str, float] = defaultdict(float, spec["base"])
        for item, fires in zip(spec["cues"], holds_each(spec["cues"], case_facts_, "when"), strict=True):
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
        self._owner = np.array(
            [c for c, cause in enumerate(self.causes.values()) for _ in cause.get("evidence", ())], dtype=np.intp
        )
        self._first_item = np.cumsum([0] + [len(c.get("evidence", ())) for c in self.causes.values()])
        self._otherwise = np.array([math.log(c.get("otherwise", 1.0)) for c in self.causes.values()])
        self._rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._index = {name: c for c, name in enumerate(self.names)}
        self._cause_items: dict[tuple[str, str], list[float]] = {}

    def site_row(self, site: str, group: str) -> tuple[np.ndarray, np.ndarray]:
        """At one site: log prior + log P(site | cause) per cause, and every evidence item's
        log LR (items of all causes in file order)."""
        row = self._rows.get(site)
        if row is None:
            base = np.array(
                [
                    math.log(max(c["prior"], _TINY)) + math.log(max(by_site(c["sites"], site, group), _TINY))
                    for c in self.causes.values()
                ]
            )
            items = np.array(
                [
                    math.log(max(by_site(item["lr"], site, group), _TINY))
                    for c in self.causes.values()
                    for item in c.get("evidence", ())
                ]
            )
            row = (base, items)
            self._rows[site] = row
        return row

    def cause_items(self, name: str, site: str, group: str) -> list[float]:
        """One cause's evidence log LRs at one site."""
        key = (name, site)
        logs = self._cause_items.get(key)
        if logs is None:
            c = self._index[name]
            logs = self.site_row(site, group)[1][self._first_item[c] : self._first_item[c + 1]].tolist()
            self._cause_items[key] = logs
        return logs

    def fired(self, facts: Facts) -> list[tuple[bool, list[int]]]:
        """Per cause: whether its needed exposure is missing, and which evidence items hold."""
        answers = self._conditions(facts)
        out = []
        for needs_at, start, stop in self._slices:
            missing = needs_at is not None and not answers[needs_at]
            out.append((missing, [i - start for i in range(start, stop) if answers[i]]))
        return out

    def log_scores(self, fired: list[tuple[bool, list[int]]], sites: list[tuple[str, str]]) -> np.ndarray:
        """Unnormalised log-score of every cause (columns) at each site (rows).  The terms of
        a cause are added in file order, as a hand computation would."""
        bases, items = zip(*(self.site_row(site, group) for site, group in sites), strict=True)
        scores = np.array(bases)
        missing = np.array([m for m, _ in fired])
        scores[:, missing] += self._otherwise[missing]
        item_logs = np.array(items)
        for c, (_, indices) in enumerate(fired):
            for i in indices:
                scores[:, c] += item_logs[:, self._first_item[c] + i]
        return scores


_TABLES: dict = {}


def cause_table(knowledge: GuidanceKnowledge) -> CauseTable:
    """The compiled table of this (immutable) knowledge; the memo keeps the object, so ids are never reused."""
    return once_per_object(_TABLES, knowledge, lambda: CauseTable(knowledge))


def _moved(cause: Mapping, fired: tuple[bool, list[int]], item_logs: Sequence[float]) -> list[tuple[float, str]]:
    """The evidence that moved one cause at one site, with its weight (for the reasons);
    ``item_logs``: the site's log LR of each of this cause's evidence items."""
    moved: list[tuple[float, str]] = []
    missing, indices = fired
    if missing:
        moved.append((math.log(cause["otherwise"]), cause["missing_reason"]))
    evidence = cause.get("evidence", ())
    for i in indices:
        # lr 1 marks the exposure a `needs_any` cause depends on: worth saying.
        weight = item_logs[i] or -math.log(cause.get("otherwise", 1.0))
        if weight:
            moved.append((weight, evidence[i]["reason"]))
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


def rank_causes(
    case: Case,
    localization: Sequence[LocalizationEntry],
    knowledge: GuidanceKnowledge | None = None,
    facts: Facts | None = None,
) -> list[EtiologyEntry]:
    """Every spec cause with a probability (summing to 1), most likely first, with plain reasons."""
    knowledge = knowledge or load_guidance_knowledge()
    facts = facts or case_facts(case, knowledge)
    table = cause_table(knowledge)
    causes = table.causes
    localized = {e.site for e in localization}
    fired = table.fired(facts)
    sites = [
        (site, site_group(site, knowledge), weight)
        for site, weight in sorted(site_weights(facts, localization, knowledge).items())
        if weight >= MIN_SITE_WEIGHT
    ]
    scores = table.log_scores(fired, [(site, group) for site, group, _ in sites])
    exps = np.exp(scores - scores.max(axis=1, keepdims=True))
    shares = np.array([w for _, _, w in sites])[:, None] * exps / exps.sum(axis=1, keepdims=True)  # (sites, causes)
    total = dict(zip(table.names, shares.sum(axis=0).tolist(), strict=True))
    # Explain each cause at the localized site where it carries most weight (first such site on a tie).
    at_localized = np.array([site in localized for site, _, _ in sites])
    best_row = np.argmax(np.where(at_localized[:, None], 2.0, 0.0) + shares, axis=0)
    best_site = {
        name: (bool(at_localized[r]), sites[r][0], sites[r][1])
        for name, r in zip(table.names, best_row.tolist(), strict=True)
    }
    fired_by_name = dict(zip(table.names, fired, strict=True))
    grand = sum(total.values()) or 1.0
    entries = []
    for rank, name in enumerate(sorted(causes, key=lambda n: (-total[n], n))):
        is_localized, site, group = best_site[name]
        moved = _moved(causes[name], fired_by_name[name], table.cause_items(name, site, group))
        site_reason = _site_reason(causes[name], site, group, knowledge) if is_localized else None
        reasons = [site_reason] if site_reason else []
        reasons += [text for _, text in sorted(moved, key=lambda m: -abs(m[0]))][: MAX_REASONS - len(reasons)]
        if not reasons:
            fallback = knowledge.words["no_specific_reason"]
            reasons = [fallback["leading"] if rank < 3 else fallback["other"]]
        entries.append(EtiologyEntry(cause=name, probability=round(total[name] / grand, 6), reasons=reasons))
    return entries

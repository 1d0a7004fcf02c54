"""Compact answers: the leading sites, the triage and the leading causes, without the rest.

Why: a cohort or an audit needs only these three, and they cost a fraction of a full
assessment (no explanation text, next findings, work-up or guidance).  Every number is
the one the full assessment gives for the same case: the same scoring, the same site
grouping and probabilities (floored to four decimals), the same triage facts and the same
cause ranking read from the same eight sites.
"""

from __future__ import annotations

from dataclasses import dataclass

from plexnav.case import Case, EtiologyEntry, Triage
from plexnav.engine.assess import TOP_SITES, _floor4
from plexnav.engine.etiology import rank_causes
from plexnav.engine.localize import group_sites, score_cases
from plexnav.engine.model import LikelihoodModel
from plexnav.engine.triage import assess_triage, case_facts
from plexnav.knowledge.guidance import GuidanceKnowledge

FIELDS = ("site", "triage", "causes")
SHOWN = 3  # the leading sites and causes a compact answer lists (plexnav.answers.compact_bytes)


@dataclass(frozen=True)
class Site:
    """A ranked site as the assessment lists it, without its explanation (what rank_causes
    reads of a LocalizationEntry; building those pydantic objects would cost more than the
    rest of the compact answer)."""

    site: str
    side: str
    probability: float
    levels: list[str] | None


@dataclass(frozen=True)
class CompactAnswer:
    sites: tuple[Site, ...]  # the leading TOP_SITES sites
    triage: Triage | None
    causes: tuple[EtiologyEntry, ...]  # the leading SHOWN causes


def compact_many(
    cases: list[Case], model: LikelihoodModel, guidance: GuidanceKnowledge, fields: frozenset[str]
) -> list[CompactAnswer]:
    """Compact answers for a chunk of cases (localization scored in one vectorised step).
    Causes need the sites, so asking for causes computes them."""
    out = []
    for case, scored in zip(cases, score_cases(model, cases), strict=True):
        sites: tuple[Site, ...] = ()
        if fields & {"site", "causes"}:
            sites = tuple(
                Site(g.site, g.side, _floor4(g.probability), list(g.levels) if g.levels else None)
                for g in group_sites(model, scored, limit=TOP_SITES)
            )
        facts = case_facts(case, guidance) if fields & {"triage", "causes"} else None
        triage = assess_triage(case, guidance, facts) if "triage" in fields else None
        causes = tuple(rank_causes(case, sites, guidance, facts, limit=SHOWN)) if "causes" in fields else ()
        out.append(CompactAnswer(sites, triage, causes))
    return out

"""Compact answers: the leading sites, the triage and the leading causes, without the rest.

Why: a cohort or an audit needs only these three, and they cost a fraction of a full
assessment (no explanation text, next findings, work-up or guidance).  Every number is
the one the full assessment gives for the same case: the same scoring, the same site
grouping and probabilities (floored to four decimals), the same triage facts and the same
cause ranking read from the same eight sites.

How it is faster, and why it changes nothing printed: the chunk is scored as
``localize.score_cases`` scores it (one matrix product; each (risk factors, age) pair's prior
shift computed once); the site groups of every case are summed and ranked in one step for the
chunk with the same numpy operations per row as ``localize.group_sites``, which also orders
every member of every group only to name each group's best hypothesis: a compact answer
names the levels of the leading three groups, so it takes each one's best member directly
(the highest posterior, the lowest index on a tie, as the stable sort does).  The causes come
without their reasons, scored for the whole chunk at once (``etiology.leading_causes_many``:
each term added to each (site, cause) in the order ``rank_causes`` adds it).
tests/test_compact_fast.py holds every answer byte equal to the full assessment trimmed.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from plexnav.case import Case, Triage
from plexnav.engine.etiology import leading_causes_many
from plexnav.engine.localize import (
    _encode,
    cause_forms,
    look_alike_shares,
    look_alikes,
    patient_shift,
    posterior_matrix,
    symptomatic_side,
)
from plexnav.engine.memo import memo_store, once_per_object
from plexnav.engine.model import LikelihoodModel
from plexnav.engine.triage import assess_triage, case_facts
from plexnav.knowledge.guidance import GuidanceKnowledge

FIELDS = ("site", "triage", "causes")
SHOWN = 3  # the leading sites and causes a compact answer lists (plexnav.answers.compact_bytes)
# engine.assess.TOP_SITES: the sites an assessment lists, whose probabilities rank_causes
# mixes (not imported: engine.assess loads the explanation and guidance code, which a
# compact batch worker never runs; tests/test_compact_fast.py pins the two equal)
TOP_SITES = 8


def _floor4(p: float) -> float:
    """engine.assess._floor4: four decimals, rounded down (pinned equal by the tests)."""
    return math.floor(p * 10_000) / 10_000


class Site(NamedTuple):
    """A ranked site as the assessment lists it, without its explanation (what rank_causes
    reads of a LocalizationEntry; building those pydantic objects would cost more than the
    rest of the compact answer)."""

    site: str
    side: str
    probability: float
    levels: list[str] | None
    look_alikes: dict[str, float] | None = None  # no nerve lesion's look-alikes (LocalizationEntry.look_alikes)
    forms: dict[str, float] | None = None  # the polyneuropathy's forms (LocalizationEntry.forms)


class Cause(NamedTuple):
    """A ranked cause as the assessment lists it, without its reasons."""

    cause: str
    probability: float


class CompactAnswer(NamedTuple):
    sites: tuple[Site, ...]  # the leading SHOWN sites (empty unless site or causes were asked for)
    triage: Triage | None
    causes: tuple[Cause, ...]  # the leading SHOWN causes


class _Groups(NamedTuple):
    """The model's site groups as the compact path reads them, built once per model."""

    group_of: np.ndarray  # (H,) hypothesis -> group (model.group_index)
    keys: tuple[tuple[str, str], ...]  # group -> (site, side)
    order: np.ndarray  # (H,) the hypotheses group by group, each group's in index order
    starts: np.ndarray  # (G,) where each group begins in ``order``
    order_group: np.ndarray  # (H,) the group of each hypothesis of ``order``
    countdown: np.ndarray  # (H,) H - position in ``order``: larger for earlier members
    levels: tuple[tuple[str, ...] | None, ...]  # per hypothesis: its levels (None: none)


_GROUPS = memo_store("compact.groups")


def _groups(model: LikelihoodModel) -> _Groups:
    def build() -> _Groups:
        count = len(model.group_keys)
        members = [np.flatnonzero(model.group_index == g) for g in range(count)]
        order = np.concatenate(members)
        starts = np.cumsum([0] + [len(m) for m in members[:-1]]).astype(np.intp)
        levels = tuple(tuple(h.levels) if h.levels else None for h in model.hypotheses)
        countdown = len(order) - np.arange(len(order))
        return _Groups(model.group_index, model.group_keys, order, starts, model.group_index[order], countdown, levels)

    groups: _Groups = once_per_object(_GROUPS, model, build)
    return groups


def leading_sites_many(
    model: LikelihoodModel, posterior: np.ndarray, symptomatic_sides: list[str], shown: int = SHOWN
) -> list[list[Site]]:
    """Per case (a row of ``posterior``), the TOP_SITES leading site groups as
    ``localize.group_sites`` sums (:func:`group_mass`) and ranks them (the same stable sort,
    row by row), with the levels of the leading ``shown``: a group's levels are its best
    member's, the highest posterior and the lowest index on a tie, which is the first member
    the stable sort of the full path lists."""
    groups = _groups(model)
    width = posterior.shape[1]
    mass = group_mass(model, posterior)
    leading = np.argsort(-mass, axis=1, kind="stable")[:, :TOP_SITES].tolist()
    # each group's best member: the first, in group order, whose posterior is the group's highest
    grouped = posterior[:, groups.order]
    highest = np.maximum.reduceat(grouped, groups.starts, axis=1)
    first = np.where(grouped == highest[:, groups.order_group], groups.countdown, 0)
    best = groups.order[width - np.maximum.reduceat(first, groups.starts, axis=1)].tolist()
    layout, form_layout = look_alikes(model), cause_forms(model)
    shares = look_alike_shares(layout, posterior[:, layout.members]).tolist() if layout.group >= 0 else []
    form_shares = (
        look_alike_shares(form_layout, posterior[:, form_layout.members]).tolist() if form_layout.group >= 0 else []
    )
    out = []
    for i, (order, probabilities, best_of, symptomatic) in enumerate(
        zip(leading, mass.tolist(), best, symptomatic_sides, strict=True)
    ):
        sites = []
        for rank, g in enumerate(order):
            site, side = groups.keys[g]
            levels = groups.levels[best_of[g]] if rank < shown else None
            sites.append(
                Site(
                    site,
                    symptomatic if side == "symptomatic" else side,
                    _floor4(probabilities[g]),
                    list(levels) if levels else None,
                    dict(zip(layout.keys, shares[i], strict=True)) if g == layout.group else None,
                    dict(zip(form_layout.keys, form_shares[i], strict=True)) if g == form_layout.group else None,
                )
            )
        out.append(sites)
    return out


def group_mass(model: LikelihoodModel, posterior: np.ndarray) -> np.ndarray:
    """(cases x groups) each case's site-group probabilities, as ``localize.group_sites``
    works them out for one case: its hypotheses added into their groups in index order from
    0 (one bincount over the rows laid end to end adds exactly as one per row does),
    sharpened and normalised row by row."""
    groups = _groups(model)
    n, count = len(posterior), len(groups.keys)
    bins = (np.arange(n, dtype=np.intp)[:, None] * count + groups.group_of[None, :]).ravel()
    mass: np.ndarray = np.bincount(bins, weights=posterior.ravel(), minlength=n * count).reshape(n, count)
    mass = mass**model.site_sharpness
    mass /= mass.sum(axis=1, keepdims=True)
    return mass


_SHIFTS = memo_store("compact.shifts")
_SHIFTS_KEPT = 4096  # distinct (factors, age) pairs kept per model


def _posteriors(model: LikelihoodModel, cases: list[Case]) -> np.ndarray:
    """The (cases x hypotheses) posteriors ``localize.score_cases`` computes for this chunk
    (the same encoding, prior shifts and one ``posterior_matrix`` call).  The prior shift
    depends only on the risk factors and the age, so each pair's is computed once."""
    known: dict[tuple[frozenset[str], object], np.ndarray] = once_per_object(_SHIFTS, model, dict)
    shifts = []
    for case in cases:
        key = (frozenset(case.history.factors), case.patient.age)
        shift = known.get(key)
        if shift is None:
            if len(known) >= _SHIFTS_KEPT:
                known.clear()
            shift = known[key] = patient_shift(model, case)
        shifts.append(shift)
    variants = model.age_variants
    columns = [_encode(model, case, variants)[1] for case in cases]
    return posterior_matrix(model, columns, np.array(shifts))


def compact_many(
    cases: list[Case], model: LikelihoodModel, guidance: GuidanceKnowledge, fields: frozenset[str]
) -> list[CompactAnswer]:
    """Compact answers for a chunk of cases: localization, site grouping and cause mixing
    each in one vectorised step for the chunk.  Causes need the sites, so asking for causes
    computes them."""
    if not cases:
        return []
    n = len(cases)
    sites: list[list[Site]] = [[] for _ in cases]
    if fields & {"site", "causes"}:
        sites = leading_sites_many(model, _posteriors(model, cases), [symptomatic_side(case) for case in cases])
    facts = [case_facts(case, guidance) for case in cases] if fields & {"triage", "causes"} else []
    triage: list[Triage | None] = [None] * n
    if "triage" in fields:
        triage = [assess_triage(case, guidance, f) for case, f in zip(cases, facts, strict=True)]
    causes: list[list[tuple[str, float]]] = [[] for _ in cases]
    if "causes" in fields:
        causes = leading_causes_many(facts, sites, guidance, SHOWN)
    return [
        CompactAnswer(tuple(s[:SHOWN]), t, tuple(Cause(name, p) for name, p in c))
        for s, t, c in zip(sites, triage, causes, strict=True)
    ]

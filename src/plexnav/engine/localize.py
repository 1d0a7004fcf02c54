"""Rank lesion sites for a case: posterior over hypotheses, grouped by reported site."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from plexnav.case import Case
from plexnav.engine.catalogue import SIDE_ONLY_IF_ALONE
from plexnav.engine.hypotheses import Hypothesis
from plexnav.engine.memo import memo_store, once_per_object
from plexnav.engine.model import LikelihoodModel
from plexnav.engine.observe import Observation, observe


@dataclass(frozen=True)
class Scored:
    """One case scored: its observations, their columns and the posterior."""

    observations: tuple[Observation, ...]
    columns: np.ndarray
    posterior: np.ndarray
    symptomatic_side: str

    @cached_property
    def posterior_list(self) -> list[float]:
        """The posterior as Python floats (the same numbers), for element-by-element reading."""
        values: list[float] = self.posterior.tolist()
        return values


# a grade at or above this (a 4+) names the complaint's side only when nothing else does
# (symptomatic_side and its cohort twin, cohort_scoring.entry_effect)
SLIGHT_FROM = 4.5


def symptomatic_side(case: Case) -> str:
    """The side the complaint is on (used to report ``no_neurological_lesion``).  Numbness in a
    stocking is a polyneuropathy's pattern, two-sided by nature, and an ache in the low back or
    the belly lies in the midline: they name the side only when nothing else does (a
    diabetic's painful thigh is on the side of the thigh; a knee look-alike with a mild
    two-sided back ache is on the side of the knee).  A grade of 4+ is the weakest weakness
    and the one examiners agree on least: alone on the other leg it does not make a one-sided
    complaint two-sided (a right foot drop with a 4+ on the left is on the right)."""
    sides: list[str] = [f.side for f in case.exam.strength if f.mrc < SLIGHT_FROM]
    slight: list[str] = [f.side for f in case.exam.strength if SLIGHT_FROM <= f.mrc < 5]
    alone: list[str] = []
    for region, side in [(s.region, s.side) for s in case.symptoms if s.side] + [
        (f.region, f.side) for f in case.exam.sensation if f.side and f.finding != "normal"
    ]:
        (alone if region in SIDE_ONLY_IF_ALONE else sides).append(side)
    return _one_side(sides or alone + slight)


def _one_side(sides: list[str]) -> str:
    left = any(s in ("left", "bilateral") for s in sides)
    right = any(s in ("right", "bilateral") for s in sides)
    if left and not right:
        return "left"
    if right and not left:
        return "right"
    return "bilateral"


def _encode(
    model: LikelihoodModel, case: Case, variants: Mapping[str, int]
) -> tuple[tuple[Observation, ...], np.ndarray]:
    obs = tuple(observe(case, variants, model.kb))
    cols = np.fromiter((model.column[(o.key, o.state)] for o in obs), dtype=np.intp, count=len(obs))
    return obs, cols


def patient_shift(model: LikelihoodModel, case: Case) -> np.ndarray:
    """The case's change of prior (risk factors for a background polyneuropathy)."""
    return model.prior_shift(frozenset(f"factor:{f}" for f in case.history.factors), case.patient.age)


def score_case(model: LikelihoodModel, case: Case, variants: Mapping[str, int] | None = None) -> Scored:
    obs, cols = _encode(model, case, variants if variants is not None else model.age_variants)
    return Scored(obs, cols, model.posterior(cols, patient_shift(model, case)), symptomatic_side(case))


def posterior_matrix(
    model: LikelihoodModel, column_lists: list[np.ndarray], shifts: np.ndarray | None = None
) -> np.ndarray:
    """Posteriors of many encoded cases at once: a (cases x columns) count matrix times the
    (columns x hypotheses) log-likelihood table (one BLAS call), then a row-wise softmax."""
    n = len(column_lists)
    table = model.log_lik_t
    width = table.shape[0]
    lengths = np.fromiter((len(c) for c in column_lists), dtype=np.intp, count=n)
    flat = np.concatenate(column_lists) if lengths.sum() else np.zeros(0, dtype=np.intp)
    rows = np.repeat(np.arange(n, dtype=np.intp), lengths)
    counts = np.bincount(rows * width + flat, minlength=n * width).reshape(n, width).astype(table.dtype)
    scores: np.ndarray = counts @ table
    scores /= model.temperature
    scores += model.log_prior
    if shifts is not None:
        scores += shifts
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


def score_cases(model: LikelihoodModel, cases: list[Case]) -> list[Scored]:
    """Vectorised :func:`score_case` for a chunk of cases (same results)."""
    variants = model.age_variants
    encoded = [_encode(model, case, variants) for case in cases]
    shifts = np.array([patient_shift(model, case) for case in cases]) if cases else None
    post = posterior_matrix(model, [cols for _, cols in encoded], shifts)
    return [
        Scored(obs, cols, post[i].astype(float), symptomatic_side(case))
        for i, ((obs, cols), case) in enumerate(zip(encoded, cases, strict=True))
    ]


@dataclass(frozen=True)
class SiteGroup:
    site: str
    side: str
    levels: tuple[str, ...] | None
    probability: float
    members: tuple[int, ...]  # hypothesis indices, best first


def group_sites(model: LikelihoodModel, scored: Scored, limit: int | None = None) -> list[SiteGroup]:
    """Sum hypothesis probabilities by (site, side), best first; lesion points of one nerve
    and root ranges of one polyradiculopathy stay visible as the group's members, and the
    group reports the best member's levels and detail.  ``limit`` keeps only the leading
    groups."""
    mass: np.ndarray = np.bincount(model.group_index, weights=scored.posterior, minlength=len(model.group_keys))
    mass = mass**model.site_sharpness
    mass /= mass.sum()
    order = np.argsort(-mass, kind="stable")[:limit].tolist()
    # each group's members best first, ties in index order (the group's members are in index
    # order, and a stable sort keeps that order among equals, as np.argsort(kind="stable"))
    posterior = scored.posterior_list
    members_of = _members_of(model)
    masses = mass.tolist()
    out = []
    for g in order:
        site, side = model.group_keys[g]
        members = tuple(sorted(members_of[g], key=posterior.__getitem__, reverse=True))
        out.append(
            SiteGroup(
                site,
                scored.symptomatic_side if side == "symptomatic" else side,
                model.hypotheses[members[0]].levels,
                masses[g],
                members,
            )
        )
    return out


_MEMBERS_OF = memo_store("localize.members_of")


def _members_of(model: LikelihoodModel) -> tuple[tuple[int, ...], ...]:
    """Group -> its hypotheses in index order, as plain ints."""

    def build() -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(sorted(members.tolist())) for members in model.group_members)

    members: tuple[tuple[int, ...], ...] = once_per_object(_MEMBERS_OF, model, build)
    return members


NO_LESION = "no_neurological_lesion"
PLAIN_LOOK_ALIKE = "none"  # no nerve lesion and none of the named look-alikes
# share of "no nerve lesion" a look-alike needs before the explanation, the summary and the
# causes name it (below it the look-alikes are about even: no nerve lesion, plainly) ...
DOMINANT_LOOK_ALIKE = 0.5
# ... or a clear lead among seven: this share and at least LEAD_RATIO times every other one
# (a sacroiliac joint at 42% with the next look-alike at 20% is named; a hip at 26% beside
# a plain 'no nerve lesion' at 22% is not)
CLEAR_LEAD_LOOK_ALIKE = 0.35
LEAD_RATIO = 2.0


def leading_look_alike(shares: Mapping[str, float] | None) -> str | None:
    """The look-alike "no nerve lesion" is read as: the largest share (the first in order on a
    tie), a named one only when it holds at least DOMINANT_LOOK_ALIKE of it, or leads clearly
    (CLEAR_LEAD_LOOK_ALIKE and LEAD_RATIO times the next); else none."""
    if not shares:
        return None
    leading = max(shares, key=shares.__getitem__)
    share = shares[leading]
    if leading == PLAIN_LOOK_ALIKE or share >= DOMINANT_LOOK_ALIKE:
        return leading
    runner_up = max((v for k, v in shares.items() if k != leading), default=0.0)
    if share >= CLEAR_LEAD_LOOK_ALIKE and share >= LEAD_RATIO * runner_up:
        return leading
    return None


@dataclass(frozen=True)
class LookAlikes:
    """Where the look-alikes sit among the hypotheses: the no-lesion group's members (index
    order) and the look-alike each one is (mimics.yaml; the plain hypothesis is 'none').
    The same layout holds a site's forms the causes weigh apart (:func:`cause_forms`)."""

    group: int  # the no-lesion group (-1: the model has none)
    members: np.ndarray  # its hypotheses, in index order
    keys: tuple[str, ...]  # the look-alikes, sorted
    key_of: tuple[int, ...]  # per member: its index in ``keys``


_LOOK_ALIKES = memo_store("localize.look_alikes")


def _split(model: LikelihoodModel, site: str, key: Callable[[Hypothesis], str | None]) -> LookAlikes:
    """The layout of one site's group split by ``key`` of its members (None: the plain one)."""
    groups = [g for g, (group_site, _) in enumerate(model.group_keys) if group_site == site]
    if not groups:
        return LookAlikes(-1, np.zeros(0, dtype=np.intp), (), ())
    members = np.flatnonzero(model.group_index == groups[0])
    names = [key(model.hypotheses[i]) or PLAIN_LOOK_ALIKE for i in members.tolist()]
    keys = tuple(sorted(set(names)))
    return LookAlikes(groups[0], members, keys, tuple(keys.index(n) for n in names))


def look_alikes(model: LikelihoodModel) -> LookAlikes:
    layout: LookAlikes = once_per_object(_LOOK_ALIKES, model, lambda: _split(model, NO_LESION, lambda h: h.mimic))
    return layout


_CAUSE_FORMS = memo_store("localize.cause_forms")
FORMS_SITE = "polyneuropathy"  # the one site with forms the causes weigh apart (sites.yaml cause_form)


def cause_forms(model: LikelihoodModel) -> LookAlikes:
    """The polyneuropathy's members by the form its causes weigh (sites.yaml cause_form:
    'multifocal', a mononeuritis multiplex; 'none' the usual length-dependent forms); no
    group (-1) when no member has a form of its own."""

    def build() -> LookAlikes:
        layout = _split(model, FORMS_SITE, lambda h: h.cause_form)
        return layout if len(layout.keys) > 1 else LookAlikes(-1, np.zeros(0, dtype=np.intp), (), ())

    layout: LookAlikes = once_per_object(_CAUSE_FORMS, model, build)
    return layout


def look_alike_shares(layout: LookAlikes, mass: np.ndarray) -> np.ndarray:
    """(cases x look-alikes) each look-alike's share of "no nerve lesion", floored to four
    decimals as the listed probabilities are; ``mass``: (cases x members) the posterior of
    the group's members in index order.  Added member by member in index order, so every
    path (assess, compact answers, cohort) that holds the same posteriors gets the same bits."""
    n = mass.shape[0]
    if n == 1:
        # one case (an assessment): the same additions in the same order in plain floats,
        # without forty small numpy calls (the bits are numpy's: IEEE arithmetic either way)
        row = mass[0].tolist()
        one = 0.0
        parts = [0.0] * len(layout.keys)
        for j, k in enumerate(layout.key_of):
            one += row[j]
            parts[k] += row[j]
        scale = one if one > 0 else 1.0
        return np.array([[math.floor(part / scale * 10_000) / 10_000 for part in parts]])
    total = np.zeros(n)
    sums = np.zeros((n, len(layout.keys)))
    for j, k in enumerate(layout.key_of):
        total += mass[:, j]
        sums[:, k] += mass[:, j]
    safe = np.where(total > 0, total, 1.0)
    shares: np.ndarray = np.floor(sums / safe[:, None] * 10_000) / 10_000
    return shares

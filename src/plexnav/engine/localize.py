"""Rank lesion sites for a case: posterior over hypotheses, grouped by reported site."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plexnav.case import Case
from plexnav.engine.model import LikelihoodModel
from plexnav.engine.observe import Observation, observe


@dataclass(frozen=True)
class Scored:
    """One case scored: its observations, their columns and the posterior."""

    observations: tuple[Observation, ...]
    columns: np.ndarray
    posterior: np.ndarray
    symptomatic_side: str


def age_variants(model: LikelihoodModel) -> dict[str, int]:
    out = {}
    for spec in model.findings:
        if spec.base_key:
            out[spec.base_key] = int(spec.key.rsplit("@", 1)[1])
    return out


def symptomatic_side(case: Case) -> str:
    """The side the complaint is on (used to report ``no_neurological_lesion``)."""
    sides = [s.side for s in case.symptoms if s.side] + [f.side for f in case.exam.strength if f.mrc < 5]
    sides += [f.side for f in case.exam.sensation if f.side and f.finding != "normal"]
    left = sum(s in ("left", "bilateral") for s in sides)
    right = sum(s in ("right", "bilateral") for s in sides)
    if left and not right:
        return "left"
    if right and not left:
        return "right"
    return "bilateral"


def score_case(model: LikelihoodModel, case: Case, variants: dict[str, int] | None = None) -> Scored:
    obs = tuple(observe(case, variants if variants is not None else age_variants(model)))
    cols = np.fromiter((model.column[(o.key, o.state)] for o in obs), dtype=np.intp, count=len(obs))
    return Scored(obs, cols, model.posterior(cols), symptomatic_side(case))


@dataclass(frozen=True)
class SiteGroup:
    site: str
    side: str
    levels: tuple[str, ...] | None
    probability: float
    members: tuple[int, ...]  # hypothesis indices, best first


def group_sites(model: LikelihoodModel, scored: Scored) -> list[SiteGroup]:
    """Sum hypothesis probabilities by (site, side, levels): lesion points of one nerve stay visible as members."""
    groups: dict[tuple, list[int]] = {}
    for i in np.argsort(-scored.posterior, kind="stable"):
        hyp = model.hypotheses[i]
        side = scored.symptomatic_side if hyp.side == "symptomatic" else hyp.side
        groups.setdefault((hyp.site, side, hyp.levels), []).append(int(i))
    out = [SiteGroup(site, side, levels, float(scored.posterior[m].sum()), tuple(m))
           for (site, side, levels), m in groups.items()]
    out.sort(key=lambda g: -g.probability)
    return out

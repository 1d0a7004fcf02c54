"""Expand the hypothesis templates of ``sites.yaml`` into concrete, sided hypotheses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from plexnav import vocabulary as V
from plexnav.engine.wording import range_detail
from plexnav.knowledge.base import KnowledgeBase, root_range_id
from plexnav.knowledge.records import CentralEffect, HypothesisSide


@dataclass(frozen=True)
class Hypothesis:
    id: str
    site: str
    side: str  # left, right, bilateral, or "symptomatic" (resolved per case)
    family: str
    prior: float
    lesion: Mapping[str, Mapping[str, float]]  # side -> {graph node: involvement}
    central: Mapping[CentralEffect, float] = field(default_factory=dict)
    central_contra: Mapping[CentralEffect, float] = field(default_factory=dict)  # one-sided cord: other side
    pattern: str | None = None
    large_fibre: float = 1.0  # a length-dependent pattern's reach to the large fibres (sites.yaml)
    sensory: float = 1.0  # a length-dependent pattern's reach to sensation (sites.yaml; a motor form: little)
    motor: float = 1.0  # share of the lesion's effect that reaches motor fibres (a sensory-root range: little)
    reach: float = 1.0  # a length-dependent pattern's grades scaled up toward the knee (a severe form: sites.yaml)
    # a length-dependent pattern worse in one leg: that leg, and the share of the grades the
    # other leg keeps (sites.yaml lesser_reach)
    worse_side: str | None = None
    lesser_reach: float = 1.0
    detail: str | None = None
    levels: tuple[str, ...] | None = None
    mimic: str | None = None  # a look-alike of mimics.yaml (site no_neurological_lesion)
    cause_form: str | None = None  # a form of its site the causes weigh apart (causes.yaml site_forms)
    name: str | None = None  # the look-alike's name, for explanations
    background: str | None = None  # a second process held beside the focal lesion
    umn_from: str | None = None  # highest root segment an upper-motor-neuron effect reaches
    deficit: float = 1.0  # share of its targets' function the lesion takes away (sites.yaml)
    irritative: str | None = None  # an irritative twin's words (likelihood.yaml irritative)
    # a one-sided look-alike (a torn tendon): the side it acts on, while it is reported and
    # grouped with the other look-alikes under the symptomatic side
    acts_on: str | None = None

    @property
    def symmetric_pattern(self) -> bool:
        """A length-dependent pattern that moves both legs together (not one built worse in
        one leg): the side-to-side comparison reads only these."""
        return self.pattern is not None and self.worse_side is None

    def central_on(self, side: str) -> Mapping[CentralEffect, float]:
        """The cord-level effects on one side: a one-sided cord lesion acts mostly on its own
        side (``central``) and a little on the other (``central_contra``)."""
        if self.side in V.LATERAL_SIDES and side != self.side:
            return self.central_contra
        return self.central

    @property
    def label(self) -> str:
        """Clinical name used in explanations: 'left L5 root lesion'."""
        from plexnav.engine.wording import hypothesis_label

        return hypothesis_label(self)


def _sided(
    lesion: Mapping[str, float], side: str, bilateral_factor: float, contralateral: Mapping[str, float] | None = None
) -> Mapping[str, Mapping[str, float]]:
    if side in V.LATERAL_SIDES:
        sided: dict[str, Mapping[str, float]] = {side: MappingProxyType(dict(lesion))}
        if contralateral:
            other = next(s for s in V.LATERAL_SIDES if s != side)
            sided[other] = MappingProxyType(dict(contralateral))
        return MappingProxyType(sided)
    if side == "bilateral":
        both = {node: w * bilateral_factor for node, w in lesion.items()}
        return MappingProxyType({s: MappingProxyType(both) for s in V.LATERAL_SIDES})
    return MappingProxyType({})


def _with_side(detail: str | None, side: str) -> str | None:
    return detail.replace("{side}", side) if detail is not None else None


def _side_shares(sides: list[HypothesisSide], bilateral_share: float) -> dict[str, float]:
    if sides == ["bilateral"] or sides == ["symptomatic"]:
        return {sides[0]: 1.0}
    lateral = [s for s in sides if s in V.LATERAL_SIDES]
    shares: dict[str, float]
    shares = {s: (1 - bilateral_share) / len(lateral) if "bilateral" in sides else 1 / len(lateral) for s in lateral}
    if "bilateral" in sides:
        shares["bilateral"] = bilateral_share
    return shares


def build_hypotheses(kb: KnowledgeBase) -> tuple[Hypothesis, ...]:
    """Every hypothesis the engine scores, with priors that sum to 1."""
    params = kb.parameters
    priors = params["priors"]
    shares = params["bilateral_share"]
    bilateral_factor = params["bilateral_involvement"]
    family_weight: dict[str, float] = {}
    for rec in kb.hypotheses:
        family_weight[rec.family] = family_weight.get(rec.family, 0.0) + rec.weight
    out: list[Hypothesis] = []
    for rec in kb.hypotheses:
        base = priors[rec.family] * rec.weight / family_weight[rec.family]
        for side, share in _side_shares(rec.sides, shares.get(rec.family, shares["default"])).items():
            reported = rec.reported_side or side
            acts_on = side if rec.mimic is not None and side in V.LATERAL_SIDES else None
            if reported == side:
                ident = f"{rec.id}:{side}"
            else:
                ident = f"{rec.id}_{side}:{reported}" if acts_on else f"{rec.id}_{side}_worse:{reported}"
            out.append(
                Hypothesis(
                    id=ident,
                    site=rec.site,
                    side=reported,
                    family=rec.family,
                    prior=base * share,
                    lesion=_sided(rec.lesion, side, bilateral_factor, rec.contralateral),
                    central=MappingProxyType(dict(rec.central)),
                    central_contra=MappingProxyType(dict(rec.central_contra)),
                    pattern=rec.pattern,
                    large_fibre=rec.large_fibre,
                    sensory=rec.sensory,
                    reach=rec.reach,
                    worse_side=side if rec.lesser_reach is not None else None,
                    lesser_reach=rec.lesser_reach if rec.lesser_reach is not None else 1.0,
                    # a detail may name the side it is built from ("worse in the {side} leg")
                    detail=kb.mimics[rec.mimic].detail if rec.mimic else _with_side(rec.detail, side),
                    mimic=rec.mimic,
                    cause_form=rec.cause_form,
                    umn_from=rec.umn_from,
                    name=kb.mimics[rec.mimic].name if rec.mimic else None,
                    deficit=rec.deficit,
                    acts_on=acts_on,
                )
            )
    poly = kb.polyradiculopathy
    levels = list(V.ROOT_LEVELS)
    lowest_bilateral = levels.index(poly["bilateral_lowest_level"])
    # a two-sided range (canal stenosis) reaches each side's roots partly and unevenly
    # (sites.yaml: bilateral_involvement); diffuse processes take every root of the cauda
    # on both sides in full (diffuse_ranges)
    sacral_weight = float(poly.get("sacral_range_weight", 1.0))
    # (first, last, sides, two-sided involvement, prior weight, the sensory roots alone?)
    spans = [
        (
            first,
            last,
            [s for s in poly["sides"] if s != "bilateral" or levels.index(last) <= lowest_bilateral],
            float(poly["bilateral_involvement"]),
            weight,
            False,
        )
        for group, weight in ((poly["ranges"], 1.0), (poly.get("sacral_ranges", []), sacral_weight))
        for first, last in group
    ]
    spans += [
        (first, last, ["bilateral"], bilateral_factor, 1.0, False) for first, last in poly.get("diffuse_ranges", [])
    ]
    n = sum(span[4] for span in spans)
    # the dorsal (sensory) roots alone, on both sides: chronic immune sensory
    # polyradiculopathy; a rare form added beside the ranges, not taken from their share
    sensory = poly.get("sensory_roots") or {}
    spans += [
        (first, last, ["bilateral"], bilateral_factor, float(sensory["weight"]), True)
        for first, last in sensory.get("ranges", [])
    ]
    bilateral_share = shares.get(poly["family"], shares["default"])
    for first, last, sides, both_sides, weight, dorsal in spans:
        span = tuple(levels[levels.index(first) : levels.index(last) + 1])
        lesion = {f"root:{lv}": poly["involvement"] for lv in span}
        # a two-sided-only range takes the share the two-sided form of any range has
        side_shares = {"bilateral": bilateral_share} if sides == ["bilateral"] else _side_shares(sides, bilateral_share)
        for side, share in side_shares.items():
            out.append(
                Hypothesis(
                    id=f"{root_range_id(first, last)}{'_sensory' if dorsal else ''}:{side}",
                    site="polyradiculopathy",
                    side=side,
                    family=poly["family"],
                    prior=priors[poly["family"]] * share * weight / n,
                    lesion=_sided(lesion, side, both_sides),
                    levels=span,
                    detail=sensory["detail"] if dorsal else range_detail(span),
                    motor=float(sensory["motor"]) if dorsal else 1.0,
                )
            )
    out += _with_background(out, params["background_polyneuropathy"])
    if "background_central" in params:
        out += _with_central(out, params["background_central"])
    plain = frozenset(rec.id for rec in kb.hypotheses if not rec.irritative_twin)
    out += _irritative(out, params["irritative"], plain)
    total = sum(h.prior for h in out)
    return tuple(Hypothesis(**{**h.__dict__, "prior": h.prior / total}) for h in out)


TWIN_SUFFIX = "+polyneuropathy"  # a background twin's id: its focal hypothesis's id and this
CENTRAL_SUFFIX = "+central"  # ... and beside an old upper motor neuron lesion


def focal_id(hypothesis_id: str) -> str:
    """The focal hypothesis a background twin stands beside (the id itself for the others)."""
    return hypothesis_id.removesuffix(TWIN_SUFFIX).removesuffix(CENTRAL_SUFFIX)


def _with_central(focal: list[Hypothesis], background: Mapping[str, Any]) -> list[Hypothesis]:
    """A twin of every plain nerve or plexus lesion with an old upper motor neuron lesion
    beside it (likelihood.yaml background_central).

    Why: the old signs of a stroke or multiple sclerosis on a leg with a new nerve lesion can
    otherwise only be explained by a new cord lesion.  The twin's upper motor neuron effects
    reach both legs (``central`` on its own side and ``central_contra`` on the other).
    """
    central = MappingProxyType(dict(background["central"]))
    twins = []
    for i, h in enumerate(focal):
        if h.family in background["families"] and h.background is None and h.mimic is None:
            focal[i], twin = _split_off(
                h,
                background["base"],
                id=h.id + CENTRAL_SUFFIX,
                background="central",
                central=central,
                central_contra=central,
            )
            twins.append(twin)
    return twins


def _with_background(focal: list[Hypothesis], background: Mapping[str, Any]) -> list[Hypothesis]:
    """A twin of every focal lesion with a length-dependent polyneuropathy beside it.

    Why: a focal lesion on top of a polyneuropathy (diabetes, age) is common; without a
    twin, stocking sensory loss and low distal responses on both sides can only be
    explained by stretching a focal lesion over both legs.  The twin's prior share is the
    background prevalence; :func:`plexnav.engine.localize.prior_shift` moves it with the
    case's risk factors.
    """
    twins = []
    min_levels = background.get("min_levels", 1)
    look_alikes = bool(background.get("look_alikes", False))
    # single records beyond the families, each on all its sides ("id") or on one ("id:side")
    records = frozenset(background.get("records", ()))
    for i, h in enumerate(focal):
        chosen = h.family in background["families"] or h.id.split(":")[0] in records or h.id in records
        if (chosen or (look_alikes and h.mimic is not None)) and (h.levels is None or len(h.levels) >= min_levels):
            focal[i], twin = _split_off(h, background["base"], id=h.id + TWIN_SUFFIX, background="polyneuropathy")
            twins.append(twin)
    return twins


def _split_off(h: Hypothesis, share: float, **changes: Any) -> tuple[Hypothesis, Hypothesis]:
    """(the hypothesis with ``1 - share`` of its prior, its twin with ``share`` and ``changes``)."""
    kept = Hypothesis(**{**h.__dict__, "prior": h.prior * (1 - share)})
    return kept, Hypothesis(**{**h.__dict__, **changes, "prior": h.prior * share})


IRRITATIVE_SUFFIX = "+irritative"


def _irritative(hypotheses: list[Hypothesis], spec: Mapping[str, Any], plain: frozenset[str]) -> list[Hypothesis]:
    """A twin of every root and nerve lesion that hurts more than it takes away.

    Why: radicular pain and nerve-sheath tumours often come with a normal examination
    (likelihood.yaml: irritative); a full-deficit lesion alone makes every normal finding
    count against the site, so a scan of a tumour on the nerve could not outweigh them.
    Lesions already modelled as irritative (deficit below 1), records that opt out
    (``plain``: a partial pattern of another hypothesis, an injury whose irritative form is
    its own record) and background twins get none.
    """
    twins = []
    for i, h in enumerate(hypotheses):
        if h.family not in spec["families"] or h.background is not None or h.deficit < 1.0:
            continue
        if h.id.split(":", 1)[0] in plain:
            continue
        hypotheses[i], twin = _split_off(
            h, spec["share"], id=h.id + IRRITATIVE_SUFFIX, deficit=spec["deficit"], irritative=spec["detail"]
        )
        twins.append(twin)
    return twins

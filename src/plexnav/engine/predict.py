"""Predicted involvement of every examinable target under one hypothesis, side by side.

Lower motor neuron / sensory involvement comes from the graph (``knowledge.forward``);
length-dependent processes use each target's length class; cord-level hypotheses add upper
motor neuron, sensory-level and sphincter effects.  Returns plain floats 0..1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeAlias, cast

from plexnav import vocabulary as V
from plexnav.engine.hypotheses import Hypothesis
from plexnav.knowledge import forward as fw
from plexnav.knowledge.base import KnowledgeBase
from plexnav.knowledge.records import Component, MimicRecord, MovementRecord

UMN_SIGNS = ("spasticity", "sustained_clonus")
MOTOR_FIBRES = ("motor", "late_motor")  # studies a lesion of the sensory roots alone leaves normal

# One dict per model build, shared with the catalogue: here (hypothesis id, muscle, side) ->
# involvement, there a target's key -> (lower, upper motor neuron) involvement.
Memo: TypeAlias = dict[tuple[str | None, ...], Any]


class _Supplied(Protocol):
    def supply(self) -> tuple[Component, ...]: ...


def _lesion(hyp: Hypothesis, side: str) -> Mapping[str, float]:
    return hyp.lesion.get(side, {})


def _length(kb: KnowledgeBase, length_class: int, hyp: Hypothesis, side: str) -> float:
    """A length-dependent process's grade at a target's length class on one side (its reach
    scaled; the better leg of an asymmetric one keeps its lesser share)."""
    reach = hyp.reach * (hyp.lesser_reach if side != hyp.worse_side else 1.0)
    return min(kb.length_dependent[length_class] * reach, 1.0)


def _umn_reach(kb: KnowledgeBase, hyp: Hypothesis, roots: dict[str, float]) -> float:
    """Share of a target's segments below a cord lesion (all of them unless ``umn_from``)."""
    if hyp.umn_from is None:
        return 1.0
    order = kb.root_order
    first = order[hyp.umn_from]
    return sum(share for root, share in roots.items() if order[root] >= first)


def _segments(kb: KnowledgeBase, record: _Supplied) -> dict[str, float]:
    """Root shares of a target, weighted over its nerve supplies."""
    out: dict[str, float] = {}
    for comp in record.supply():
        for root, share in comp.roots.items():
            out[root] = out.get(root, 0.0) + comp.share * share
    return out


def _movement_segments(kb: KnowledgeBase, record: MovementRecord) -> dict[str, float]:
    out: dict[str, float] = {}
    for muscle_id, share in record.muscles.items():
        for root, part in _segments(kb, kb.muscles[muscle_id]).items():
            out[root] = out.get(root, 0.0) + share * part
    return out


def muscle(kb: KnowledgeBase, hyp: Hypothesis, muscle_id: str, side: str, memo: Memo | None = None) -> float:
    key = (hyp.id, muscle_id, side)
    if memo is not None and key in memo:
        known: float = memo[key]
        return known
    if hyp.pattern == "length_dependent":
        record = kb.muscles[muscle_id]
        value = min(_length(kb, record.length_class, hyp, side) * record.length_weight, 1.0) * hyp.large_fibre
    else:
        value = hyp.deficit * hyp.motor * fw.muscle_involvement(kb, _lesion(hyp, side), muscle_id)
    if memo is not None:
        memo[key] = value
    return value


def _weakened_by(kb: KnowledgeBase, look_alike: MimicRecord, muscle_id: str) -> float:
    """How weak a look-alike leaves a muscle: that of the most weakened movement it serves."""
    return max(
        (p for movement_id, p in look_alike.movements.items() if muscle_id in kb.movements[movement_id].muscles),
        default=0.0,
    )


def _look_alike(kb: KnowledgeBase, hyp: Hypothesis, side: str) -> MimicRecord | None:
    """The look-alike acting on this side: a one-sided one (a torn tendon) leaves the other
    side as it is with no lesion at all."""
    if hyp.mimic is None or (hyp.acts_on is not None and side != hyp.acts_on):
        return None
    return kb.mimics[hyp.mimic]


def movement(
    kb: KnowledgeBase, hyp: Hypothesis, movement_id: str, side: str, memo: Memo | None = None
) -> tuple[float, float]:
    record = kb.movements[movement_id]
    look_alike = _look_alike(kb, hyp, side)
    if look_alike is not None:
        if look_alike.weakness:
            # weakness without a lesion follows no anatomy: every movement alike, muscles spared on EMG
            return look_alike.weakness, 0.0
        if movement_id in look_alike.movements:
            # a tendon or joint that weakens this movement itself; its muscles stay normal on EMG
            return look_alike.movements[movement_id], 0.0
    lmn = sum(share * muscle(kb, hyp, m, side, memo) for m, share in record.muscles.items())
    central = hyp.central_on(side)
    umn = central.get("umn", 0.0)
    if umn:
        # the pyramidal pattern (flexors of the leg weaker than extensors) is that of a cord
        # lesion in its settled state; in spinal shock every muscle below is paralysed alike
        # (flaccid, Ditunno 2004)
        umn *= max(record.umn, central.get("flaccid", 0.0)) * _umn_reach(kb, hyp, _movement_segments(kb, record))
        umn *= central.get("pyramidal_weakness", 1.0)
    return lmn, umn


def reflex(kb: KnowledgeBase, hyp: Hypothesis, reflex_id: str, side: str) -> tuple[float, float]:
    record = kb.reflexes[reflex_id]
    look_alike = _look_alike(kb, hyp, side)
    if look_alike is not None and look_alike.reflexes:
        # a look-alike that lowers a reflex itself (a diseased muscle, a torn tendon: mimics.yaml reflexes)
        lowered: float = cast(Mapping[str, float], look_alike.reflexes).get(reflex_id, 0.0)
        return lowered, 0.0
    if hyp.pattern == "length_dependent":
        lmn = _length(kb, record.length_class, hyp, side) * hyp.large_fibre
    else:
        lmn = hyp.deficit * fw.reflex_involvement(kb, _lesion(hyp, side), reflex_id)
    central = hyp.central_on(side)
    if reflex_id != "plantar":  # (the plantar response is read apart, as in the catalogue)
        # spinal shock: a cord cut off suddenly loses the reflexes below it for days to
        # weeks, while an extensor plantar can already appear (Ditunno 2004)
        lmn = max(lmn, central.get("areflexia", 0.0))
    umn = central.get("umn", 0.0)
    if umn:
        umn *= _umn_reach(kb, hyp, _segments(kb, record))
    return lmn, umn


def skin(kb: KnowledgeBase, hyp: Hypothesis, region: str, side: str) -> float:
    """Sensory loss in a region (an irritative lesion numbs its territory little)."""
    return _skin(kb, hyp, region, side, hyp.deficit)


def sensory_symptom(kb: KnowledgeBase, hyp: Hypothesis, region: str, side: str) -> float:
    """Tingling or numbness reported in a region: paraesthesia is irritation as much as loss,
    so an irritative entrapment gives it in its whole territory (Nantes criteria: sensory
    symptoms without objective sensory loss).  A look-alike that makes some regions tingle
    (an artery starving the foot in exercise) names them (mimics.yaml ``tingling``)."""
    look_alike = _look_alike(kb, hyp, side)
    if look_alike is not None and look_alike.tingling:
        felt: float = cast(Mapping[str, float], look_alike.tingling).get(region, 0.0)
        return felt
    return _skin(kb, hyp, region, side, 1.0)


def _skin(kb: KnowledgeBase, hyp: Hypothesis, region: str, side: str, deficit: float) -> float:
    record = kb.skin[region]
    look_alike = _look_alike(kb, hyp, side)
    if look_alike is not None and look_alike.numbness and not record.midline:
        return look_alike.numbness
    if look_alike is not None and look_alike.sensory_loss:
        lost: float = cast(Mapping[str, float], look_alike.sensory_loss).get(region, 0.0)
        return lost
    if hyp.pattern == "length_dependent":
        value = _length(kb, record.length_class, hyp, side) * hyp.sensory
    else:
        value = deficit * fw.skin_involvement(kb, _lesion(hyp, side), region)
    return max(value, hyp.central_on(side).get("sensory", 0.0))


def pain(kb: KnowledgeBase, hyp: Hypothesis, region: str, side: str) -> float:
    """Pain in a region: in the lesion's sensory territory or at the lesion site itself;
    for a look-alike, where that joint, tendon or artery hurts."""
    if hyp.mimic is not None:
        # a pain finding's target is a skin region (catalogue.build_catalogue); a one-sided
        # look-alike does not hurt on the other side
        look_alike = _look_alike(kb, hyp, side)
        return look_alike.pain.get(cast(V.SkinRegion, region), 0.0) if look_alike is not None else 0.0
    # pain is irritation, not loss of function: it fills the whole territory (less of it from
    # a lesion of the cord's segments than from their roots: sites.yaml painless)
    central = hyp.central_on(side)
    territory = (
        _skin(kb, hyp, region, side, 1.0) * (1 - central.get("painless", 0.0)) if not central.get("sensory") else 0.0
    )
    if hyp.pattern == "length_dependent":
        return territory
    return max(territory, fw.local_pain_involvement(kb, _lesion(hyp, side), region))


def study(kb: KnowledgeBase, hyp: Hypothesis, study_id: str, side: str) -> float:
    record = kb.studies[study_id]
    if hyp.pattern == "length_dependent":
        # a motor form spares the sensory studies, not the motor arm of the H reflex
        sensory = 1.0 if record.fibres in (*MOTOR_FIBRES, "reflex") else hyp.sensory
        return _length(kb, record.length_class, hyp, side) * hyp.large_fibre * sensory
    look_alike = _look_alike(kb, hyp, side)
    if look_alike is not None:
        # no nerve lesion: only a response the muscle disease itself makes small
        return look_alike.motor_responses.get(cast(V.NcsStudy, study_id), 0.0)
    motor = hyp.motor if record.fibres in MOTOR_FIBRES else 1.0
    return hyp.deficit * motor * fw.study_involvement(kb, _lesion(hyp, side), study_id)


def visceral(kb: KnowledgeBase, hyp: Hypothesis, symptom: str, side: str) -> float:
    record = kb.visceral[symptom]
    if hyp.pattern == "length_dependent":
        value = _length(kb, 1, hyp, side)
    else:
        value = hyp.deficit * fw.supply_involvement(kb, _lesion(hyp, side), record.components)
    # a cord lesion disturbs the bladder, bowel and sexual function from above (sites.yaml
    # central.visceral) without touching their roots
    return max(value, hyp.central_on(side).get("visceral", 0.0))


def sign(
    kb: KnowledgeBase, hyp: Hypothesis, sign_id: str, side: str, region: str | None = None, memo: Memo | None = None
) -> tuple[float, float]:
    """(lower motor neuron or local involvement, upper motor neuron involvement) for a sign."""
    record = kb.signs[sign_id]
    umn = hyp.central_on(side).get("umn", 0.0)
    override = kb.evidence_overrides.get(f"sign:{sign_id}", {})
    if hyp.mimic is not None and hyp.mimic in override and _look_alike(kb, hyp, side) is not None:
        # the look-alike gives this sign itself (a painful gluteal tendon: Trendelenburg)
        fam = kb.families["gait_sign"]
        share = (override[hyp.mimic] - fam.fp) / (fam.sensitivity - fam.fp)
        return max(0.0, min(share, 1.0)) * fam.saturation, 0.0
    if record.mechanism == "umn":
        return 0.0, umn
    if record.mechanism == "nonlocalizing":
        return 0.0, 0.0
    if record.mechanism == "region":
        look_alike = _look_alike(kb, hyp, side)
        if sign_id == "atrophy" and look_alike is not None and look_alike.wasting:
            # a look-alike that wastes muscles itself (mimics.yaml wasting), the nerve intact
            wasted: float = cast(Mapping[str, float], look_alike.wasting).get(region or "", 0.0)
            return wasted, 0.0
        muscles = [m for m, rec in kb.muscles.items() if rec.region == region]
        return max((muscle(kb, hyp, m, side, memo) for m in muscles), default=0.0), 0.0
    if record.mechanism == "muscles":
        look_alike = _look_alike(kb, hyp, side)
        if look_alike is not None and look_alike.movements:
            # a look-alike that weakens movements itself weakens their muscles for the sign
            # too (a torn tibialis anterior tendon, a distal myopathy: a steppage gait)
            return sum(share * _weakened_by(kb, look_alike, m) for m, share in record.muscles.items()), 0.0
        return sum(share * muscle(kb, hyp, m, side, memo) for m, share in record.muscles.items()), 0.0
    if hyp.pattern == "length_dependent":
        return 0.0, 0.0
    lesion = _lesion(hyp, side)
    if record.mechanism == "at_site":
        return max((w for node, w in lesion.items() if node in record.nodes), default=0.0), 0.0
    # tension sign: the stretched nerve and its roots, scaled by how often this kind of
    # lesion is irritable enough to make the sign positive
    assert record.nerve is not None and record.roots is not None  # a tension sign names its nerve and roots
    comp = Component(nerve=record.nerve, share=1.0, roots=record.roots)
    scale = kb.parameters["tension_by_family"].get(hyp.family, 0.0)
    return scale * fw.component_involvement(kb, lesion, comp), 0.0


def evidence(kb: KnowledgeBase, hyp: Hypothesis, key: str, side: str | None = None) -> float:
    """P(a non-anatomical finding is present) under the hypothesis (mimics.yaml); ``side``: the
    leg a sided finding is recorded on (a one-sided look-alike leaves the other leg as it is
    with no lesion: no pulse lost there)."""
    rec = kb.evidence[key]
    if hyp.mimic is not None:
        if side in V.LATERAL_SIDES and _look_alike(kb, hyp, side) is None:
            return rec.none
        return rec.mimic.get(hyp.mimic, rec.none)
    if hyp.family == "none":
        return rec.none
    if hyp.irritative and rec.irritative is not None:
        return rec.irritative
    point = rec.hypothesis.get(hyp.id.split(":", 1)[0])
    if point is not None:
        return point
    if hyp.site in rec.site:
        return rec.site[hyp.site]
    return rec.family.get(hyp.family, rec.default)


def regional_evidence(kb: KnowledgeBase, hyp: Hypothesis, key: str, share: float) -> float:
    """P(a provocation or relief said of symptoms felt in one region) under the hypothesis:
    its own value as far as the hypothesis makes that region hurt (``share``, see
    :func:`felt_shares`), else the background any symptom has (mimics.yaml: regional)."""
    rec = kb.evidence[key]
    background = rec.none if hyp.mimic is not None or hyp.family == "none" else rec.default
    return background + (evidence(kb, hyp, key) - background) * share


def felt_shares(kb: KnowledgeBase, hyp: Hypothesis) -> dict[str, float]:
    """Per skin region, how far it is the hypothesis's own: its pain or tingling there (either
    leg) against the region it affects most, over likelihood.yaml ``regional_evidence``
    ``own_from``, capped at 1; 0 where it never reaches.  A hypothesis that makes no region
    hurt (no lesion) takes 1 everywhere."""
    felt = {
        r: max(
            max(pain(kb, hyp, r, side), sensory_symptom(kb, hyp, r, side))
            for side in (("midline",) if kb.skin[r].midline else V.LATERAL_SIDES)
        )
        for r in V.SKIN_REGIONS
    }
    top = max(felt.values())
    own_from = kb.parameters["regional_evidence"]["own_from"]
    return {r: (min(1.0, f / top / own_from) if top > 0 else 1.0) for r, f in felt.items()}


def normal_scan(kb: KnowledgeBase, hyp: Hypothesis, region: str) -> float:
    """P(a scan of the region is reported normal) under the hypothesis (imaging.yaml)."""
    rule = kb.imaging["normal"][region]
    inside = any(hyp.site == s or hyp.site.startswith(f"{s}:") for s in rule["sites"])
    p: float = rule["sensitivity_normal"] if inside else rule["other"]
    return p

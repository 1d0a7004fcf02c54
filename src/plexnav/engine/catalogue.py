"""Every finding the engine can score, each with its states and how to predict them.

A finding key names what was examined and where, in the form the assessment's
``next_best_findings`` uses: ``strength:ankle_inversion:left``,
``needle_emg:paraspinal_lower_lumbar:left``, ``sensation:saddle`` (midline),
``symptom:pain:buttock:either`` (a symptom given without a side).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from plexnav import vocabulary as V
from plexnav.engine import predict
from plexnav.engine.hypotheses import Hypothesis, focal_id
from plexnav.engine.imaging import compatibility, imaging_specs
from plexnav.engine.predict import Memo
from plexnav.knowledge.base import KnowledgeBase
from plexnav.knowledge.records import MuscleRecord, ReflexRecord, SignRecord, SkinRecord, StudyRecord, VisceralRecord

SIDE_MODES = ("left", "right", "midline", "either")
ANYWHERE = "anywhere"  # a symptom with a side but no region or activity


@dataclass(frozen=True)
class FindingSpec:
    key: str
    family: str  # likelihood family (likelihood.yaml)
    kind: str  # strength | reflex | plantar | binary | presence
    states: tuple[str, ...]
    target: str  # movement | reflex | skin | pain | study | muscle | sign | activity | visceral
    target_id: str
    side: str  # left | right | midline | either
    region: str | None = None
    combine: str = "mean"
    fp_override: float | None = None  # age-adjusted variant
    base_key: str | None = None  # the key this variant adjusts

    @property
    def observable_key(self) -> str:
        return self.base_key or self.key


def _sides_for(midline: bool) -> tuple[str, ...]:
    return ("midline",) if midline else ("left", "right")


def _key(*parts: str) -> str:
    return ":".join(p for p in parts if p and p != "midline")


def regional_key(evidence: str, region: str) -> str:
    """'evidence:provoked:walking:groin': a provocation or relief said of symptoms felt in one region."""
    return f"evidence:{evidence}:{region}"


def build_catalogue(kb: KnowledgeBase) -> tuple[FindingSpec, ...]:
    specs: list[FindingSpec] = []
    add = specs.append
    rec: ReflexRecord | SkinRecord | VisceralRecord | SignRecord | StudyRecord | MuscleRecord
    region: V.SkinRegion | V.MuscleRegion
    family: str | None
    for mov in V.MOVEMENTS:
        for side in ("left", "right"):
            add(
                FindingSpec(
                    _key("strength", mov, side),
                    "strength",
                    "strength",
                    ("normal", "slight", "mild", "severe"),
                    "movement",
                    mov,
                    side,
                )
            )
    for ref in V.REFLEXES:
        rec = kb.reflexes[ref]
        for side in _sides_for(rec.midline):
            if ref == "plantar":
                add(
                    FindingSpec(
                        _key("reflex", ref, side),
                        "plantar",
                        "plantar",
                        ("flexor", "extensor", "absent"),
                        "reflex",
                        ref,
                        side,
                    )
                )
            elif rec.midline:
                add(
                    FindingSpec(
                        _key("reflex", ref, side),
                        "reflex",
                        "binary",
                        ("normal", "abnormal"),
                        "reflex",
                        ref,
                        side,
                        combine=rec.combine,
                    )
                )
            else:
                add(
                    FindingSpec(
                        _key("reflex", ref, side), "reflex", "reflex", ("normal", "low", "brisk"), "reflex", ref, side
                    )
                )
    for region in V.SKIN_REGIONS:
        rec = kb.skin[region]
        # perineal skin: the midline finding, and (revision 1.1) each side on its own
        sides = ("midline", "left", "right") if rec.midline else ("left", "right")
        for side in sides:
            add(
                FindingSpec(
                    _key("sensation", region, side),
                    "sensation",
                    "binary",
                    ("normal", "abnormal"),
                    "skin",
                    region,
                    side,
                    combine=rec.combine,
                )
            )
        for side in sides + (() if rec.midline else ("either",)):
            add(
                FindingSpec(
                    _key("symptom:sensory", region, side),
                    "sensory_symptom",
                    "presence",
                    ("present",),
                    "skin",
                    region,
                    side,
                    combine=rec.combine,
                )
            )
            add(
                FindingSpec(
                    _key("symptom:pain", region, side),
                    "pain",
                    "presence",
                    ("present",),
                    "pain",
                    region,
                    side,
                    combine=rec.combine,
                    fp_override=rec.pain_fp,
                )
            )
    for act in V.WEAKNESS_ACTIVITIES:
        for side in ("left", "right", "either"):
            add(
                FindingSpec(
                    _key("symptom:weakness", act, side),
                    "weakness_symptom",
                    "presence",
                    ("present",),
                    "activity",
                    act,
                    side,
                )
            )
    # a complaint given with a side but no activity or region ("my right leg is weak",
    # "tingling in the left leg"): anywhere on that side
    for side in ("left", "right", "either"):
        add(
            FindingSpec(
                _key("symptom:weakness", ANYWHERE, side),
                "weakness_symptom",
                "presence",
                ("present",),
                "anywhere",
                "movement",
                side,
            )
        )
        add(
            FindingSpec(
                _key("symptom:sensory", ANYWHERE, side),
                "sensory_symptom",
                "presence",
                ("present",),
                "anywhere",
                "skin",
                side,
            )
        )
        add(
            FindingSpec(
                _key("symptom:pain", ANYWHERE, side), "pain", "presence", ("present",), "anywhere", "pain", side
            )
        )
    for sym, rec in kb.visceral.items():
        add(
            FindingSpec(
                _key("symptom", sym),
                "visceral",
                "presence",
                ("present",),
                "visceral",
                sym,
                "midline",
                combine=rec.combine,
            )
        )
    # a record of complaints with no bladder or bowel trouble among them (observe.py)
    add(
        FindingSpec(
            UNREPORTED_SPHINCTER, "evidence", "presence", ("present",), "unreported", "bladder_dysfunction", "midline"
        )
    )
    # a patient who maps numbness or tingling on one side and leaves a region out of the map
    # (observe.py): the region's sensory symptom is absent, or present and not mapped
    for skin_region in one_sided_regions(kb):
        for side in ("left", "right"):
            add(
                FindingSpec(
                    _key(UNMAPPED_SENSORY, skin_region, side),
                    "evidence",
                    "presence",
                    ("present",),
                    "unmapped",
                    skin_region,
                    side,
                )
            )
    for sign_id, rec in kb.signs.items():
        if rec.mechanism == "nonlocalizing":
            continue
        # a sign recorded without a side (a lateral sign: "spasticity", "clonus") is present
        # on at least one side, which one unknown: scored as ``either``
        if rec.mechanism == "evidence":
            # a sign recorded with a region (a tense compartment) is read in the regions
            # mimics.yaml names it for ('sign:ID:REGION'); the others say nothing
            regional = sorted(k for k in kb.evidence if k.startswith(f"sign:{sign_id}:"))
            for target in regional or [f"sign:{sign_id}"]:
                for side in ("left", "right", "either"):
                    add(
                        FindingSpec(
                            _key(target, side),
                            "evidence",
                            "binary",
                            ("absent", "present"),
                            "evidence",
                            target,
                            side,
                        )
                    )
            continue
        family = {
            "region": None,
            "tension": "tension",
            "at_site": "at_site",
            "muscles": "gait_sign",
            "umn": "umn_sign",
        }[rec.mechanism]
        if rec.mechanism == "region":
            family = "atrophy" if sign_id == "atrophy" else "fasciculation"
            for region in V.MUSCLE_REGIONS:
                for side in ("left", "right", "either"):
                    add(
                        FindingSpec(
                            _key("sign", sign_id, region, side),
                            family,
                            "binary",
                            ("absent", "present"),
                            "sign",
                            sign_id,
                            side,
                            region=region,
                        )
                    )
            continue
        assert family is not None  # only the region mechanism has no family of its own
        for side in ("midline",) if rec.midline else ("left", "right", "either"):
            add(
                FindingSpec(
                    _key("sign", sign_id, side),
                    family,
                    "binary",
                    ("absent", "present"),
                    "sign",
                    sign_id,
                    side,
                    combine=rec.combine,
                )
            )
    for study_id, rec in kb.studies.items():
        family = {"sensory": "snap", "motor": "cmap", "reflex": "late_response", "late_motor": "late_response"}[
            rec.fibres
        ]
        for side in ("left", "right"):
            add(
                FindingSpec(
                    _key("ncs", study_id, side), family, "binary", ("normal", "abnormal"), "study", study_id, side
                )
            )
    for muscle_id, rec in kb.muscles.items():
        if not rec.emg:
            continue
        family = "emg_paraspinal" if muscle_id.startswith("paraspinal") else "emg_limb"
        for side in _sides_for(rec.midline):
            add(
                FindingSpec(
                    _key("needle_emg", muscle_id, side),
                    family,
                    "binary",
                    ("normal", "abnormal"),
                    "muscle",
                    muscle_id,
                    side,
                    combine=rec.combine,
                )
            )
    for side in ("left", "right"):
        add(
            FindingSpec(_key("complaint", side), "complaint", "binary", ("absent", "present"), "complaint", "any", side)
        )
    # what provokes or eases a symptom, and strength limited by pain or effort (1.1)
    for key, evidence in kb.evidence.items():
        if key.startswith("sign:"):
            continue
        for side in ("left", "right") if evidence.sided else ("midline",):
            add(FindingSpec(_key(f"evidence:{key}", side), "evidence", "presence", ("present",), "evidence", key, side))
        if evidence.regional:  # said of symptoms all felt in one region (observe)
            for region in V.SKIN_REGIONS:
                add(
                    FindingSpec(
                        regional_key(key, region),
                        "evidence",
                        "presence",
                        ("present",),
                        "evidence",
                        key,
                        "midline",
                        region,
                    )
                )
    specs += imaging_specs(kb)
    specs += _asymmetry_specs(kb, specs)
    # age-adjusted variants: same finding, higher false-positive rate above an age
    by_key = {s.key: s for s in specs}
    for adj in kb.parameters["age_adjusted"]:
        for side in ("left", "right", "midline"):
            base = by_key.get(_key(adj["finding"], side))
            if base is not None:
                specs.append(
                    FindingSpec(
                        **{
                            **base.__dict__,
                            "key": f"{base.key}@{adj['min_age']}",
                            "fp_override": adj["fp"],
                            "base_key": base.key,
                        }
                    )
                )
    specs += _age_pair_specs(kb, by_key)
    return tuple(specs)


AGE_STATES = ("low", "abnormal")  # the states age makes: a low reflex, an abnormal study


def age_pair_key(kind: str, finding: str, side: str, min_age: int) -> str:
    """'age_pair:both:reflex:achilles@60' (both sides abnormal at an age that makes it
    common), 'age_pair:one:reflex:achilles:left@60' (the left alone)."""
    return f"age_pair:{kind}:{_key(finding, side)}@{min_age}"


def age_pairs(kb: KnowledgeBase) -> dict[str, int]:
    """The one-sided findings whose age-related abnormality comes on both sides (likelihood.yaml
    age_pair), with the age from which it is common."""
    paired = set(kb.parameters["age_pair"]["findings"])
    return {adj["finding"]: int(adj["min_age"]) for adj in kb.parameters["age_adjusted"] if adj["finding"] in paired}


def _age_pair_specs(kb: KnowledgeBase, by_key: dict[str, FindingSpec]) -> list[FindingSpec]:
    """The presence findings of a paired age-adjusted finding recorded on both sides: both
    abnormal, or one (each side) abnormal with the other normal (model._fill_age_pairs)."""
    return [
        FindingSpec(
            age_pair_key(kind, finding, side, min_age), "age_pair", "presence", ("present",), "age_pair", finding, side
        )
        for finding, min_age in age_pairs(kb).items()
        if _key(finding, "left") in by_key and _key(finding, "right") in by_key
        for kind, side in (("both", "midline"), ("one", "left"), ("one", "right"))
    ]


# corrections of the scoring of a pair of one-sided findings, not findings of their own: the
# side-to-side comparison and two age-related abnormalities (target and family alike)
PAIR_CORRECTIONS = ("asymmetry", "age_pair")
ASYMMETRY_KINDS = ("discordant", "graded")  # likelihood.yaml side_correlation


def paired_base(key: str, sections: tuple[str, ...]) -> str | None:
    """The side-less base of a one-sided finding a side-to-side comparison reads
    ('ncs:sural_sensory' for 'ncs:sural_sensory:left'), or None."""
    section = key.split(":", 1)[0]
    if section not in sections or key.startswith("reflex:plantar") or not key.endswith((":left", ":right")):
        return None
    base = key.rsplit(":", 1)[0]
    if section == "sensation" and base.split(":", 1)[1] in V.MIDLINE_REGIONS:
        return None  # a perineal half: read by the one-sided perineum rules, not compared
    return base


def pair_difference(
    left_abnormal: bool, right_abnormal: bool, left_grade: float | None, right_grade: float | None
) -> tuple[str, str] | None:
    """(kind, worse side) of a pair recorded on both sides, or None when it does not differ:
    'discordant' when one side is abnormal and the other not, 'graded' when both are abnormal
    and their grades (None: no grade) differ."""
    if left_abnormal != right_abnormal:
        return "discordant", "left" if left_abnormal else "right"
    if left_abnormal and left_grade is not None and right_grade is not None and left_grade != right_grade:
        return "graded", "left" if left_grade > right_grade else "right"
    return None


def asymmetry_key(kind: str, base: str, side: str) -> str:
    """'asymmetry:discordant:ncs:sural_sensory:left': the pair differs, worse on the left."""
    return f"asymmetry:{kind}:{base}:{side}"


def _asymmetry_specs(kb: KnowledgeBase, specs: list[FindingSpec]) -> list[FindingSpec]:
    """One presence finding per paired finding, kind of difference and worse side."""
    sections = tuple(kb.parameters["side_correlation"]["sections"])
    keys = {s.key for s in specs}
    bases = sorted(
        {b for s in specs if (b := paired_base(s.key, sections)) and f"{b}:left" in keys and f"{b}:right" in keys}
    )
    return [
        FindingSpec(asymmetry_key(kind, base, side), "asymmetry", "presence", ("present",), "asymmetry", base, side)
        for base in bases
        for kind in ASYMMETRY_KINDS
        for side in ("left", "right")
    ]


# ----------------------------------------------------------------------------- prediction


UNREPORTED_SPHINCTER = "unreported:sphincter_complaint"
NO_PAIN = "complaints:no_pain"  # complaints recorded, none of them pain (mimics.yaml evidence)
NO_PAIN_COMPLAINT = f"evidence:{NO_PAIN}"
BACK_PAIN_ONLY = "complaints:back_pain_only"  # pain recorded, all of it in the lower back (mimics.yaml)
BACK_PAIN_ONLY_COMPLAINT = f"evidence:{BACK_PAIN_ONLY}"
UNMAPPED_SENSORY = "unreported:sensory"
STOCKING = "whole_foot_stocking"  # a pattern of numbness, not a place on a map
# Complaints that name a side only when nothing else does (localize.symptomatic_side): the
# stocking, two-sided by nature, and an ache in the midline of the back or the belly, which a
# record often gives as both sides while the leg that hurts is one
SIDE_ONLY_IF_ALONE = (STOCKING, "lower_back", "lower_abdomen")


def one_sided_regions(kb: KnowledgeBase) -> tuple[V.SkinRegion, ...]:
    """The one-sided skin regions a sensory map names or leaves out (not the stocking)."""
    return tuple(r for r in V.SKIN_REGIONS if not kb.skin[r].midline and r != STOCKING)


WEAKNESS_COMPLAINTS = ("anywhere", "activity")  # symptoms whose involvement comes from movements
# targets a background polyneuropathy can make abnormal (not imaging or history).  The
# side complained of is one: a background polyneuropathy is two-sided, so a side with no
# complaint and no abnormal finding argues against it as against the polyneuropathy alone
BACKGROUND_TARGETS = (
    "movement",
    "reflex",
    "skin",
    "pain",
    "study",
    "muscle",
    "sign",
    "activity",
    "anywhere",
    "complaint",
)
# targets whose "involvement" is already a probability or a match, not a share of supply
UNSATURATED_TARGETS = ("evidence", "imaging", "imaging_normal", "complaint", "unreported", "unmapped")


def saturation(kb: KnowledgeBase, spec: FindingSpec) -> float:
    """The share of a target's supply at which this finding reaches full sensitivity."""
    fam = kb.families.get(spec.family)
    return fam.saturation if fam is not None else 1.0


def effective(kb: KnowledgeBase, spec: FindingSpec, hyp: Hypothesis, share: float) -> float:
    """Involvement as the finding sees it (0..1): the damaged share of the target's supply
    over the finding's saturation for a focal lesion; the length-dependent grade as it is
    for a polyneuropathy, whose table already speaks in findings, not axon shares."""
    if hyp.pattern == "length_dependent" or spec.target in UNSATURATED_TARGETS:
        return min(share, 1.0)
    return min(share / saturation(kb, spec), 1.0)


def _length_twin(hyp: Hypothesis) -> Hypothesis:
    return replace(
        hyp,
        id="background:polyneuropathy",
        site="polyneuropathy",
        family="polyneuropathy",
        lesion={},
        central={},
        central_contra={},
        pattern="length_dependent",
        large_fibre=1.0,
        sensory=1.0,
        reach=1.0,
        motor=1.0,
        background=None,
        mimic=None,
    )


def _focal_twin(hyp: Hypothesis) -> Hypothesis:
    return replace(hyp, id=focal_id(hyp.id), background=None)


def _side_involvement(
    kb: KnowledgeBase, spec: FindingSpec, hyp: Hypothesis, side: str, memo: Memo | None = None
) -> tuple[float, float]:
    """Effective (lower, upper motor neuron) involvement of the finding's target on one side."""
    if hyp.background == "polyneuropathy" and spec.target in BACKGROUND_TARGETS:
        # a focal lesion and a background polyneuropathy: either can make the finding abnormal
        focal = _side_involvement(kb, spec, _focal_twin(hyp), side, memo)
        length = _side_involvement(kb, spec, _length_twin(hyp), side, memo)
        return 1 - (1 - focal[0]) * (1 - length[0]), focal[1]
    if memo is not None:
        key = (hyp.id, spec.key.split(":")[0], spec.family, spec.target, spec.target_id, spec.region, side)
        if key not in memo:
            lmn, umn = _compute_side(kb, spec, hyp, side, memo)
            memo[key] = effective(kb, spec, hyp, lmn), umn
        known: tuple[float, float] = memo[key]
        return known
    lmn, umn = _compute_side(kb, spec, hyp, side, None)
    return effective(kb, spec, hyp, lmn), umn


def _compute_side(
    kb: KnowledgeBase, spec: FindingSpec, hyp: Hypothesis, side: str, memo: Memo | None
) -> tuple[float, float]:
    t = spec.target
    if t == "movement":
        return predict.movement(kb, hyp, spec.target_id, side, memo)
    if t == "reflex":
        return predict.reflex(kb, hyp, spec.target_id, side)
    if t == "skin":
        if spec.family == "sensory_symptom":
            return predict.sensory_symptom(kb, hyp, spec.target_id, side), 0.0
        return predict.skin(kb, hyp, spec.target_id, side), 0.0
    if t == "pain":
        return predict.pain(kb, hyp, spec.target_id, side), 0.0
    if t == "study":
        return predict.study(kb, hyp, spec.target_id, side), 0.0
    if t == "muscle":
        return predict.muscle(kb, hyp, spec.target_id, side, memo), 0.0
    if t == "sign":
        return predict.sign(kb, hyp, spec.target_id, side, spec.region, memo)
    if t == "visceral":
        return predict.visceral(kb, hyp, spec.target_id, side), 0.0
    if t == "complaint":
        if hyp.pattern is not None or hyp.central:
            return 1.0, 0.0
        nodes = hyp.lesion.get(side)
        if not nodes:
            return 0.0, 0.0
        # a one-sided lesion that reaches the other side a little touches it that much
        return (max(nodes.values()) if hyp.side in V.LATERAL_SIDES and side != hyp.side else 1.0), 0.0
    if t == "anywhere":
        return _anywhere(kb, hyp, spec.target_id, side, memo)
    if t == "evidence":
        # the leg a sided finding is recorded on; a side-less finding (the onset) is no leg's
        if spec.region is not None:  # a provocation or relief said of symptoms felt in one region
            share = _felt_shares(kb, hyp, memo)[spec.region]
            return predict.regional_evidence(kb, hyp, spec.target_id, share), 0.0
        return predict.evidence(kb, hyp, spec.target_id, spec.side), 0.0
    if t == "imaging":
        return compatibility(kb, hyp, spec.target_id, side, spec.family.removeprefix("imaging_")), 0.0
    if t == "imaging_normal":
        return predict.normal_scan(kb, hyp, spec.target_id), 0.0
    if t == "activity":
        rec = kb.activities[spec.target_id]
        lmn = umn = 0.0
        for mov, share in rec.movements.items():
            a, b = predict.movement(kb, hyp, mov, side, memo)
            lmn += share * a
            umn += share * b
        return _reported(kb, hyp) * lmn, umn
    raise ValueError(f"unknown target type {t}")


def _felt_shares(kb: KnowledgeBase, hyp: Hypothesis, memo: Memo | None) -> dict[str, float]:
    """predict.felt_shares, once per hypothesis in a model build (every regional column reads it)."""
    if memo is None:
        return predict.felt_shares(kb, hyp)
    key = (hyp.id, "felt")
    if key not in memo:
        memo[key] = predict.felt_shares(kb, hyp)
    shares: dict[str, float] = memo[key]
    return shares


def _reported(kb: KnowledgeBase, hyp: Hypothesis) -> float:
    """The share of a look-alike's weakness the person reports as a weak leg (mimics.yaml
    ``reported``); 1 for a nerve lesion."""
    return kb.mimics[hyp.mimic].reported if hyp.mimic is not None else 1.0


def _anywhere(kb: KnowledgeBase, hyp: Hypothesis, kind: str, side: str, memo: Memo | None) -> tuple[float, float]:
    """The most involved target of a kind on one side: a complaint anywhere on that side."""
    if kind == "movement":
        pairs = [predict.movement(kb, hyp, m, side, memo) for m in V.MOVEMENTS]
        return _reported(kb, hyp) * max(a for a, _ in pairs), max(b for _, b in pairs)
    regions = one_sided_regions(kb)
    if kind == "skin":
        return max(predict.sensory_symptom(kb, hyp, r, side) for r in regions), 0.0
    return max(predict.pain(kb, hyp, r, side) for r in regions), 0.0


def involvement(kb: KnowledgeBase, spec: FindingSpec, hyp: Hypothesis, memo: Memo | None = None) -> tuple[float, float]:
    """(lower motor neuron/sensory, upper motor neuron) involvement of a finding's target.
    ``memo`` (one dict per model build) shares work between findings on the same target."""
    lmn, umn = _involvement(kb, spec, hyp, memo)
    if spec.target == "visceral":
        # a painful pudendal nerve brings the complaint through pain, on one side as on
        # both (symptoms.yaml neuralgia): not through the two sides' outflow combined
        lmn = max(lmn, kb.visceral[spec.target_id].neuralgia.get(hyp.id.split(":", 1)[0], 0.0))
    return lmn, umn


def _involvement(kb: KnowledgeBase, spec: FindingSpec, hyp: Hypothesis, memo: Memo | None) -> tuple[float, float]:
    if spec.target in PAIR_CORRECTIONS:
        return 0.0, 0.0  # a correction of a pair's scoring (model.py), not a target
    if spec.target == "unreported":
        return _unreported(kb, spec, hyp, memo), 0.0
    if spec.target == "unmapped":
        return _unmapped(kb, spec, hyp, memo), 0.0
    if spec.side in ("left", "right"):
        return _side_involvement(kb, spec, hyp, spec.side, memo)
    left = _side_involvement(kb, spec, hyp, "left", memo)
    right = _side_involvement(kb, spec, hyp, "right", memo)
    if spec.side == "either":
        return max(left[0], right[0]), max(left[1], right[1])
    if spec.combine == "both":
        return left[0] * right[0], left[1] * right[1]
    if spec.combine == "bilateral":
        # a reflex or function served from both sides: a one-sided lesion leaves the other
        # side's arc working, so it weakens the midline finding only a little
        share = kb.parameters["one_sided_share_of_bilateral"]
        return tuple(min(a, b) + share * (max(a, b) - min(a, b)) for a, b in zip(left, right, strict=True))
    return (left[0] + right[0]) / 2, (left[1] + right[1]) / 2


def _unreported(kb: KnowledgeBase, spec: FindingSpec, hyp: Hypothesis, memo: Memo | None) -> float:
    """P(a record of complaints names no sphincter trouble): the symptom is absent, or present
    and not recorded (likelihood.yaml: unreported_sphincter)."""
    rec = kb.visceral[spec.target_id]
    symptom = replace(
        spec, key=_key("symptom", spec.target_id), family="visceral", target="visceral", combine=rec.combine
    )
    lmn, umn = involvement(kb, symptom, hyp, memo)
    present = float(state_probabilities(kb, symptom, lmn, umn)[0])
    recorded: float = kb.parameters["unreported_sphincter"]["recorded_if_present"]
    return 1 - recorded * present


def _unmapped(kb: KnowledgeBase, spec: FindingSpec, hyp: Hypothesis, memo: Memo | None) -> float:
    """P(a region is left out of a side's sensory map): no numbness or tingling there, or some
    not mapped (likelihood.yaml: unmapped_sensory)."""
    symptom = replace(
        spec,
        key=_key("symptom:sensory", spec.target_id, spec.side),
        family="sensory_symptom",
        target="skin",
        combine=kb.skin[spec.target_id].combine,
    )
    lmn, umn = involvement(kb, symptom, hyp, memo)
    present = float(state_probabilities(kb, symptom, lmn, umn)[0])
    mapped: float = kb.parameters["unmapped_sensory"]["mapped_if_present"]
    return 1 - mapped * present


def state_probabilities(kb: KnowledgeBase, spec: FindingSpec, lmn: float, umn: float) -> np.ndarray:
    """P(each state of the finding) given the target's involvement."""
    if spec.family == "evidence":  # a direct probability (mimics.yaml), not an involvement
        p = lmn
        return np.array([p]) if spec.kind == "presence" else np.array([1 - p, p])
    if spec.family in PAIR_CORRECTIONS:  # filled in from the pair's own findings (model.py)
        return np.array([1.0])
    fam = kb.families[spec.family]
    fp = spec.fp_override if spec.fp_override is not None else fam.fp
    p_lmn = fp + (fam.sensitivity - fp) * min(lmn, 1.0)
    if spec.kind == "strength":
        umn_part = (fam.sensitivity - fam.fp) * min(umn, 1.0)
        p_abn = 1 - (1 - p_lmn) * (1 - umn_part)
        sev = kb.parameters["severity"]
        q = sev["base"] + sev["per_involvement"] * max(lmn, umn)
        # a 4+ grade: some normal muscles are graded so, and some mildly weak ones
        # (likelihood.yaml: strength_4plus)
        plus = kb.parameters["strength_4plus"]
        normal, mild = 1 - p_abn, p_abn * (1 - q)
        return np.array(
            [
                normal * (1 - plus["from_normal"]),
                normal * plus["from_normal"] + mild * plus["from_mild"],
                mild * (1 - plus["from_mild"]),
                p_abn * q,
            ]
        )
    if spec.kind in ("reflex", "plantar"):
        brisk = kb.families["reflex_brisk"] if spec.kind == "reflex" else kb.families["umn_sign"]
        p_up = brisk.fp + (brisk.sensitivity - brisk.fp) * min(umn, 1.0)
        normal = (1 - p_lmn) * (1 - p_up)
        if spec.kind == "reflex":
            return np.array([normal, p_lmn, (1 - p_lmn) * p_up])
        return np.array([normal, (1 - p_lmn) * p_up, p_lmn])
    if spec.target == "sign" and kb.signs[spec.target_id].mechanism == "umn":
        p_lmn = fp + (fam.sensitivity - fp) * min(umn, 1.0)
    elif spec.target in WEAKNESS_COMPLAINTS:
        # a weak leg is a complaint whether the weakness is of lower or upper motor neuron
        p_lmn = fp + (fam.sensitivity - fp) * min(max(lmn, umn), 1.0)
    if spec.side == "either":
        # on at least one side: the more involved side (its involvement, lower or upper motor
        # neuron, is already in p_lmn) or, by chance, the other
        p_lmn = 1 - (1 - fp) * (1 - p_lmn)
    if spec.kind == "presence":
        return np.array([p_lmn])
    return np.array([1 - p_lmn, p_lmn])

"""Turn a validated case into observations: (finding key, observed state) pairs.

Anything the case does not mention is unknown and yields nothing.  A finding given for
``bilateral`` on a one-sided target becomes one observation per side; a midline finding
(saddle, anal wink, bladder…) takes either form.  Age-sensitive findings use their
age-adjusted variant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from plexnav import vocabulary as V
from plexnav.case import Case, SensationFinding, StrengthFinding
from plexnav.engine.catalogue import (
    AGE_STATES,
    BACK_PAIN_ONLY,
    BACK_PAIN_ONLY_COMPLAINT,
    NO_PAIN,
    NO_PAIN_COMPLAINT,
    STOCKING,
    UNMAPPED_SENSORY,
    UNREPORTED_SPHINCTER,
    age_pair_key,
    age_pairs,
    asymmetry_key,
    one_sided_regions,
    pair_difference,
    paired_base,
    regional_key,
)
from plexnav.engine.imaging import imaging_observations
from plexnav.engine.memo import memo_store, once_per_object
from plexnav.knowledge.base import KnowledgeBase


class Observation(NamedTuple):
    """Why a named tuple: a case makes a few dozen, and a frozen dataclass's
    ``__init__`` costs about three times as much per observation."""

    key: str  # catalogue key (possibly an age variant)
    state: str
    base_key: str  # key without the age suffix
    value: str  # what was observed, for wording ("MRC 3", "absent")


def _sides(side: str | None) -> tuple[str, ...]:
    if side == "bilateral":
        return ("left", "right")
    if side in ("left", "right"):
        return (side,)
    return ("either",)


def _strength_state(mrc: float) -> str:
    """MRC 5 normal, 4+ (any grade above 4) slight, 4 down to above 3 mild, 3 or less severe."""
    if mrc >= 5:
        return "normal"
    return "slight" if mrc > 4 else ("mild" if mrc > 3 else "severe")


def _reflex_state(reflex: str, grade: str) -> str:
    if reflex == "plantar":
        return {"extensor": "extensor", "flexor": "flexor", "normal": "flexor"}.get(grade, "absent")
    if reflex in V.MIDLINE_REFLEXES:
        return "normal" if grade in ("normal", "brisk") else "abnormal"
    return {"absent": "low", "reduced": "low"}.get(grade, grade)


NEUROGENIC_EMG = ("active_denervation", "chronic_neurogenic", "both", "myokymic_discharges", "reduced_recruitment_only")


def _said_of(kb: KnowledgeBase, evidence: str, regions: set[str | None]) -> tuple[str, str]:
    """The key and words of a provocation or relief: with the region when every symptom it is
    said of is felt in that one region (mimics.yaml: regional), else for the case as a whole."""
    (region,) = regions if len(regions) == 1 else (None,)
    words = evidence.replace(":", " by ", 1).replace("_", " ")
    if region is not None and kb.evidence[evidence].regional:
        return regional_key(evidence, region), f"{words} (in the {region.replace('_', ' ')})"
    return f"evidence:{evidence}", words


def observe(case: Case, age_variants: Mapping[str, int], kb: KnowledgeBase) -> list[Observation]:
    """All scorable observations of a case.  ``age_variants`` maps base key -> min age."""
    out: list[Observation] = []
    seen: set[tuple[str, str]] = set()
    age = case.patient.age

    def add(key: str, state: str, value: str) -> None:
        min_age = age_variants.get(key)
        final = f"{key}@{min_age}" if (min_age is not None and age is not None and age >= min_age) else key
        if (final, state) in seen:
            return  # numbness and tingling in one region, or one finding entered twice: one piece of evidence
        seen.add((final, state))
        out.append(Observation(final, state, key, value))

    s: StrengthFinding | SensationFinding
    limited = set()
    for s in case.exam.strength:
        if s.limited_by:
            # not a neurological grade (1.1): the strength is unknown, the limitation is evidence
            limited.add(s.limited_by)
            continue
        for side in _sides(s.side):
            add(f"strength:{s.movement}:{side}", _strength_state(s.mrc), f"MRC {s.mrc:g}")
    for reason in sorted(limited):
        add(f"evidence:limited:{reason}", "present", f"strength limited by {reason}")

    def add_sided(key: str, midline: bool, side: str | None, state: str, value: str) -> None:
        """A midline finding has one key; a one-sided one a key per side (bilateral: both)."""
        if midline:
            add(key, state, value)
            return
        for one in _sides(side):
            if one != "either":
                add(f"{key}:{one}", state, value)

    for r in case.exam.reflexes:
        add_sided(
            f"reflex:{r.reflex}", r.reflex in V.MIDLINE_REFLEXES, r.side, _reflex_state(r.reflex, r.grade), r.grade
        )
    for s in case.exam.sensation:
        state = "normal" if s.finding == "normal" else "abnormal"
        # a perineal region recorded on both sides is both of its halves (1.1): a one-sided
        # lesion explains one; recorded with no side it is the region as a whole
        midline = s.region in V.MIDLINE_REGIONS and s.side is None
        add_sided(f"sensation:{s.region}", midline, s.side, state, s.finding)
    _add_spared_halves(case, add)
    for g in case.exam.signs:
        if kb.signs[g.sign].mechanism == "nonlocalizing":
            continue
        key = f"sign:{g.sign}:{g.region}" if g.region else f"sign:{g.sign}"
        if kb.signs[g.sign].mechanism == "evidence" and g.region and key not in kb.evidence:
            continue  # a region no look-alike reads this sign in (catalogue: evidence signs)
        state = "present" if g.present else "absent"
        if g.side is None and g.sign not in V.MIDLINE_SIGNS:
            add(f"{key}:either", state, f"{g.result or 'present'}, side not recorded")
        else:
            add_sided(key, g.sign in V.MIDLINE_SIGNS, g.side, state, g.result or "present")
    for n in case.electrodiagnosis.nerve_conduction:
        for side in _sides(n.side):
            add(f"ncs:{n.study}:{side}", "normal" if n.result == "normal" else "abnormal", n.result)
            if n.result == "conduction_block_fibular_head":
                add(f"sign:conduction_block_fibular_head:{side}", "present", n.result)
            elif n.result == "conduction_block_other":
                # a block away from the fibular head: the mark of an acquired demyelinating
                # polyradiculoneuropathy (mimics.yaml evidence)
                add(f"evidence:{CONDUCTION_BLOCK}", "present", "a conduction block away from the fibular head")
    myopathic_sides = {
        side for e in case.electrodiagnosis.needle_emg if e.result == "myopathic" for side in _sides(e.side)
    }
    for side in sorted(myopathic_sides):
        # not a neurogenic finding: evidence for the muscle disease look-alike, read on each
        # leg (mimics.yaml), as a disease of the muscles shows in both
        add(f"evidence:{MYOPATHIC_EMG}:{side}", "present", "myopathic units on needle EMG")
    for e in case.electrodiagnosis.needle_emg:
        if e.result == "myopathic":
            continue  # no localizing weight for a nerve lesion
        state = "abnormal" if e.result in NEUROGENIC_EMG else "normal"
        add_sided(f"needle_emg:{e.muscle}", e.muscle == "external_anal_sphincter", e.side, state, e.result)
    weak, normal = weak_main_movers(case, kb), normal_on_needle(case)
    paralysed = weak_main_movers(case, kb, PARALYSED_AT_MOST) if PARALYSED_NORMAL_EMG in kb.evidence else {}
    for side in V.LATERAL_SIDES:
        if weak.get(side, set()) & normal.get(side, set()):
            # read together, not as two independent findings: a lower motor neuron lesion
            # that weakens a movement shows on the needle EMG of its main muscle
            add(f"evidence:{WEAK_NORMAL_EMG}:{side}", "present", "a weak movement whose main muscle is normal on EMG")
        if paralysed.get(side, set()) & normal.get(side, set()):
            # and by how weak: a muscle at MRC 2 or less with a normal EMG (mimics.yaml)
            add(f"evidence:{PARALYSED_NORMAL_EMG}:{side}", "present", "a paralysed muscle normal on EMG")
    # each trigger with the regions of the symptoms it is said of (None: a symptom without one)
    provoked: dict[str, set[str | None]] = {}
    relieved: dict[str, set[str | None]] = {}
    qualities: set[V.PainQuality] = set()
    for sym in case.symptoms:
        if sym.kind in V.MIDLINE_SYMPTOMS:
            add(f"symptom:{sym.kind}", "present", "reported")
            continue
        if sym.kind == "pain" and sym.quality is not None:
            qualities.add(sym.quality)
        for trigger in sym.provoked_by or ():
            provoked.setdefault(trigger, set()).add(sym.region)
        for relief in sym.relieved_by or ():
            relieved.setdefault(relief, set()).add(sym.region)
        if sym.kind in ("pain", "numbness", "tingling") and sym.region:
            group = "pain" if sym.kind == "pain" else "sensory"
            if sym.region in V.MIDLINE_REGIONS and sym.side is None:
                add(f"symptom:{group}:{sym.region}", "present", sym.kind)
            else:
                for side in _sides(sym.side):
                    add(f"symptom:{group}:{sym.region}:{side}", "present", sym.kind)
        elif sym.kind == "weakness" and sym.activity:
            for side in _sides(sym.side):
                add(f"symptom:weakness:{sym.activity}:{side}", "present", sym.activity)
        elif sym.kind in ("pain", "numbness", "tingling", "weakness") and sym.side is not None:
            group = {"pain": "pain", "weakness": "weakness"}.get(sym.kind, "sensory")
            for side in _sides(sym.side):
                add(f"symptom:{group}:anywhere:{side}", "present", f"{sym.kind}, {sym.side} leg")
    if case.history.onset:
        add(f"evidence:onset:{case.history.onset}", "present", f"{case.history.onset} onset")
    if case.history.duration_days is not None and case.history.duration_days >= LONG_COURSE_DAYS:
        add(f"evidence:{LONG_COURSE}", "present", f"lasting {case.history.duration_days} days")
    for kind, said in (("provoked", provoked), ("relieved", relieved)):
        for what, regions in sorted(said.items()):
            key, words = _said_of(kb, f"{kind}:{what}", regions)
            add(key, "present", words)
    for quality in sorted(qualities):
        if f"quality:{quality}" in kb.evidence:  # aching and sharp pain tell nothing apart
            add(f"evidence:quality:{quality}", "present", f"{quality} pain")
    for key, value in imaging_observations(kb, case):
        add(key, "present", value)
    for inv in case.investigations:
        if inv.value is not None:
            for key, rec in kb.evidence.items():
                if rec.lab is not None and rec.lab.test == inv.test and rec.lab.holds(inv.value):
                    add(f"evidence:{key}", "present", f"{rec.lab.name or inv.test.replace('_', ' ')} {inv.value:g}")
    if case.symptoms and not any(sym.kind in kb.visceral for sym in case.symptoms):
        # complaints were recorded and none is bladder or bowel trouble (asked in every
        # red-flag screen): weak evidence against a lesion that would usually cause it
        add(UNREPORTED_SPHINCTER, "present", "no bladder or bowel complaint among those recorded")
    if case.symptoms and NO_PAIN in kb.evidence and not any(sym.kind == "pain" for sym in case.symptoms):
        # complaints were recorded and none is pain: evidence against the lesions and
        # look-alikes that nearly always hurt (a radiculopathy, a neuralgia, a painful joint)
        add(NO_PAIN_COMPLAINT, "present", "no pain among the complaints recorded")
    pains = [sym for sym in case.symptoms if sym.kind == "pain"]
    if pains and BACK_PAIN_ONLY in kb.evidence and all(sym.region == "lower_back" for sym in pains):
        # pain recorded and all of it in the lower back, none in a leg: radicular pain runs
        # down the leg, while back pain with no nerve pressed, and a cauda equina, conus or
        # cord lesion, often hurts in the back alone
        add(BACK_PAIN_ONLY_COMPLAINT, "present", "pain only in the lower back, none in the legs")
    pairs = first_of_pairs(out, kb)
    _add_asymmetry(pairs, kb, add)
    _add_age_pairs(pairs, kb, age, add)
    _add_unmapped_regions(case, kb, add)
    _add_silent_sides(case, out, add)
    return out


def grade(value: str, grades: Mapping[str, int]) -> float | None:
    """How abnormal an observed value is, for a side-to-side comparison: 5 less the MRC
    grade for strength, else the value's rank (likelihood.yaml side_correlation grades)."""
    if value.startswith("MRC "):
        return 5 - float(value[4:])
    rank = grades.get(value)
    return float(rank) if rank is not None else None


def first_of_pairs(out: list[Observation], kb: KnowledgeBase) -> dict[str, dict[str, Observation]]:
    """base key -> side -> the first record of each side of the findings a side-to-side
    comparison reads (likelihood.yaml side_correlation), as the scoring reads them."""
    sections = tuple(kb.parameters["side_correlation"]["sections"])
    sides: dict[str, dict[str, Observation]] = {}
    for o in out:
        base = paired_base(o.base_key, sections)
        if base is not None:
            sides.setdefault(base, {}).setdefault(o.base_key[len(base) + 1 :], o)
    return sides


def _add_age_pairs(
    pairs: Mapping[str, Mapping[str, Observation]],
    kb: KnowledgeBase,
    age: int | None,
    add: Callable[[str, str, str], None],
) -> None:
    """A finding that age often makes abnormal, recorded on both sides at or past that age,
    abnormal on both or on one with the other normal: one observation that corrects the two
    sides' scoring for age taking both legs together (likelihood.yaml age_pair)."""
    if age is None:
        return
    for finding, min_age in _age_pairs(kb).items():
        pair = pairs.get(finding, {})
        if age < min_age or len(pair) < 2:
            continue
        taken = [side for side in ("left", "right") if pair[side].state in AGE_STATES]
        if len(taken) == 2:
            value = f"{pair['left'].value} and {pair['right'].value}"
            add(age_pair_key("both", finding, "midline", min_age), "present", value)
        elif taken and pair[V.other_side(taken[0])].state == "normal":
            value = f"{pair[taken[0]].value} against {pair[V.other_side(taken[0])].value}"
            add(age_pair_key("one", finding, taken[0], min_age), "present", value)


def _add_asymmetry(
    pairs: Mapping[str, Mapping[str, Observation]], kb: KnowledgeBase, add: Callable[[str, str, str], None]
) -> None:
    """A finding recorded on both sides that differs, worse on one: one observation that a
    symmetric process is charged for (likelihood.yaml side_correlation)."""
    spec = kb.parameters["side_correlation"]
    for base, pair in pairs.items():
        if len(pair) < 2:
            continue
        left, right = pair["left"], pair["right"]
        difference = pair_difference(
            left.state not in NOT_ABNORMAL,
            right.state not in NOT_ABNORMAL,
            grade(left.value, spec["grades"]),
            grade(right.value, spec["grades"]),
        )
        if difference is None:
            continue
        kind, worse = difference
        first, second = (left, right) if worse == "left" else (right, left)
        add(asymmetry_key(kind, base, worse), "present", f"{first.value} against {second.value}")


def mapped_regions(case: Case, kb: KnowledgeBase) -> dict[str, set[str]]:
    """The one-sided skin regions (the stocking among them) the patient maps numbness or
    tingling to, by side."""
    mapped: dict[str, set[str]] = {}
    for sym in case.symptoms:
        if sym.kind in ("numbness", "tingling") and sym.region and not kb.skin[sym.region].midline:
            for side in _sides(sym.side):
                mapped.setdefault(side, set()).add(sym.region)
    return mapped


LONG_COURSE, LONG_COURSE_DAYS = "duration:eight_weeks", 56  # mimics.yaml evidence
MYOPATHIC_EMG = "emg:myopathic"  # mimics.yaml evidence
CONDUCTION_BLOCK = "ncs:conduction_block_other"  # mimics.yaml evidence
WEAK_NORMAL_EMG = "emg:normal_in_weak_muscle"  # mimics.yaml evidence
WEAK_AT_MOST = 4  # MRC grade at or below which a movement counts as weak for WEAK_NORMAL_EMG
PARALYSED_NORMAL_EMG = "emg:normal_in_paralysed_muscle"  # mimics.yaml evidence
PARALYSED_AT_MOST = 2  # ... and as paralysed (no movement against gravity) for PARALYSED_NORMAL_EMG


def main_mover(kb: KnowledgeBase, movement: str) -> str:
    """The muscle that does most of a movement (movements.yaml shares)."""
    shares = kb.movements[movement].muscles
    return max(shares, key=shares.__getitem__)


def weak_main_movers(case: Case, kb: KnowledgeBase, at_most: float = WEAK_AT_MOST) -> dict[str, set[str]]:
    """Per leg, the main muscles of the movements graded weak (MRC ``at_most`` or less, not
    limited by pain or effort)."""
    out: dict[str, set[str]] = {}
    for s in case.exam.strength:
        if s.limited_by is None and s.mrc <= at_most:
            for side in _sides(s.side):
                out.setdefault(side, set()).add(main_mover(kb, s.movement))
    return out


def normal_on_needle(case: Case) -> dict[str, set[str]]:
    """Per leg, the muscles the needle EMG found normal."""
    out: dict[str, set[str]] = {}
    for e in case.electrodiagnosis.needle_emg:
        if e.result == "normal":
            for side in _sides(e.side):
                out.setdefault(side, set()).add(e.muscle)
    return out


def _add_unmapped_regions(case: Case, kb: KnowledgeBase, add: Callable[[str, str, str], None]) -> None:
    """A side on which the patient mapped numbness or tingling to named regions: the regions
    left out of that map are weak evidence that the lesion does not reach them (a lesion's
    whole territory usually tingles), which keeps a wide lesion from explaining a small map
    as well as the small lesion that fits it."""
    mapped = mapped_regions(case, kb)
    for side in V.LATERAL_SIDES:
        if side not in mapped or STOCKING in mapped[side]:
            continue  # no map on this side, or a stocking: a pattern, not a map of places
        for region, key in _unmapped_keys(kb)[side]:
            if region not in mapped[side]:
                add(key, "present", "not mapped")


_UNMAPPED_KEYS = memo_store("observe.unmapped_keys")


_AGE_PAIRS = memo_store("observe.age_pairs")


def _age_pairs(kb: KnowledgeBase) -> dict[str, int]:
    """catalogue.age_pairs, read once per knowledge base (observe runs once per case)."""
    pairs: dict[str, int] = once_per_object(_AGE_PAIRS, kb, lambda: age_pairs(kb))
    return pairs


def _unmapped_keys(kb: KnowledgeBase) -> dict[str, tuple[tuple[str, str], ...]]:
    """Per side: each one-sided region with the key of its 'not mapped' observation, written
    once per knowledge base."""

    def build() -> dict[str, tuple[tuple[str, str], ...]]:
        regions = one_sided_regions(kb)
        return {
            side: tuple((region, f"{UNMAPPED_SENSORY}:{region}:{side}") for region in regions)
            for side in V.LATERAL_SIDES
        }

    keys: dict[str, tuple[tuple[str, str], ...]] = once_per_object(_UNMAPPED_KEYS, kb, build)
    return keys


def _add_spared_halves(case: Case, add: Callable[[str, str, str], None]) -> None:
    """A perineal region examined abnormal on one side only states that its other half is
    spared (case format 1.1, one-sided perineum): an examiner who found both halves numb
    records the region as a whole.  So the other half counts as examined normal, unless
    the case records it."""
    recorded = {(s.region, s.side) for s in case.exam.sensation if s.region in V.MIDLINE_REGIONS}
    for s in case.exam.sensation:
        if s.region not in V.MIDLINE_REGIONS or s.side not in V.LATERAL_SIDES or s.finding == "normal":
            continue
        other = next(side for side in V.LATERAL_SIDES if side != s.side)
        if not any((s.region, side) in recorded for side in (other, "bilateral", None)):
            add(f"sensation:{s.region}:{other}", "normal", "spared (one-sided finding recorded)")
            recorded.add((s.region, other))


NOT_ABNORMAL = ("normal", "absent", "flexor")  # observation states that mark no side as touched
# findings that do not make a presentation one-sided or two-sided (low back pain is axial)
NOT_SIDED = ("imaging:", "evidence:", "symptom:pain:lower_back:", "symptom:sensory:lower_back:")
_LATERAL = frozenset(V.LATERAL_SIDES)


def _add_silent_sides(case: Case, out: list[Observation], add: Callable[[str, str, str], None]) -> None:
    """A one-sided presentation is evidence about the other side.

    When the complaints are one-sided, or (with no complaints recorded) every abnormal
    finding is on one side, the side with no complaint and no abnormal finding counts as
    silent: a lesion there would almost always have shown itself.  Low back pain is axial:
    it does not make a presentation two-sided.
    """
    abnormal = set()
    for o in out:
        if o.state not in NOT_ABNORMAL:
            key = o.base_key
            if not key.startswith(NOT_SIDED):
                abnormal.add(key[key.rfind(":") + 1 :])  # the last part, as key.rsplit(":", 1)[-1]
    if "either" in abnormal:
        return
    touched = abnormal & _LATERAL
    for sym in case.symptoms:  # a one-sided complaint touches its side, with or without a region
        for side in _sides(sym.side):
            if side in _LATERAL:
                touched.add(side)
    one_sided_complaint = any(s.side in _LATERAL for s in case.symptoms)
    one_sided_findings = not case.symptoms and len(touched) == 1
    if not (one_sided_complaint or one_sided_findings):
        return
    for side in V.LATERAL_SIDES:
        if side not in touched:
            add(f"complaint:{side}", "absent", "no complaint or abnormal finding on this side")

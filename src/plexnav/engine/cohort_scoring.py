"""Cohort scoring: the leading sites and the triage of many cases at once, as column arithmetic.

Why this shape: a cohort repeats the same entries (an MRC 4 ankle dorsiflexion on the left,
an absent Achilles reflex) across thousands of cases.  Each distinct entry is read once by
the engine's own ``observe`` and ``base_facts`` (an :class:`EntryEffect`), so no finding
is interpreted twice and no knowledge is restated here; a case is then the sum of its
entries: a sparse case x column count matrix times the model's log-likelihood table, and
the triage policy (triage_rules.yaml, definitions.yaml) evaluated as boolean column
expressions.  The few readings that span entries (age variants, a symptom's silent other
side, the side a complaint is on, a weakness symptom against the examined grades, one
region, a normal examination) are the same rules as ``observe``/``facts``/``localize``,
written over columns; the cohort tests hold them equal to ``plexnav assess`` case by case.

Each distinct entry is kept once per process in an :class:`EntryTable`, as arrays: its
observation columns, and its flags, sides and the features the guidance's conditions read as
bits of one integer, so a case's facts are one bitwise OR over its rows and a row is only an
index into the table.  Sums the assessment compares (the causes of one case) are added in the
engine's order, so causes that tie in exact arithmetic lead as they do there.

Pure: numpy and scipy only, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy import sparse

from plexnav import vocabulary as V
from plexnav.case import Case, SensationFinding, StrengthFinding
from plexnav.engine.catalogue import (
    AGE_STATES,
    ASYMMETRY_KINDS,
    BACK_PAIN_ONLY,
    BACK_PAIN_ONLY_COMPLAINT,
    NO_PAIN,
    NO_PAIN_COMPLAINT,
    SIDE_ONLY_IF_ALONE,
    STOCKING,
    UNMAPPED_SENSORY,
    UNREPORTED_SPHINCTER,
    age_pair_key,
    age_pairs,
    asymmetry_key,
    one_sided_regions,
    paired_base,
)
from plexnav.engine.facts import MASS_AT_STRUCTURAL_LEVEL, SEGMENTS, Condition, base_facts
from plexnav.engine.localize import SLIGHT_FROM, cause_forms, look_alike_shares, look_alikes
from plexnav.engine.memo import memo_store, once_per_object
from plexnav.engine.model import LikelihoodModel
from plexnav.engine.observe import (
    NOT_ABNORMAL,
    NOT_SIDED,
    PARALYSED_AT_MOST,
    PARALYSED_NORMAL_EMG,
    WEAK_NORMAL_EMG,
    grade,
    mapped_regions,
    normal_on_needle,
    observe,
    weak_main_movers,
)
from plexnav.engine.triage import ROUTINE_RULE
from plexnav.knowledge.age import age_applies, age_thresholds
from plexnav.knowledge.guidance import GuidanceKnowledge

LEFT, RIGHT, EITHER = 1, 2, 4
_SIDE_BITS = {"left": LEFT, "right": RIGHT, "bilateral": LEFT | RIGHT}
# observations that do not make a presentation one-sided (observe._add_silent_sides)
# facts that span entries: computed over the whole case below, not per entry
_CASE_LEVEL = ("exam:normal", "symptom:weakness:not_refuted_by_exam", MASS_AT_STRUCTURAL_LEVEL)
# the per-entry pieces facts.mass_at_structural_level reads
_SEGMENT_PIECES = tuple(f"imaging_segment:{kind}:{s}" for kind in ("mass", "structural") for s in SEGMENTS)


_OFFSIDE = "imaging_offside_only:"


def _offside_pieces(finding: str) -> tuple[str, ...]:
    """The per-entry features facts.offside_only reads for one finding."""
    return (
        "side_affected:left",
        "side_affected:right",
        *(f"imaging_side:{side}:{finding}" for side in ("left", "right", "none")),
    )


def _bits(side: str | None) -> int:
    return _SIDE_BITS.get(side or "", 0)


@dataclass(frozen=True)
class EntryEffect:
    """What one case entry (or a case's patient and history) contributes."""

    columns: np.ndarray  # model columns of its observations
    variant_columns: np.ndarray  # the age-adjusted column of each (itself when none)
    variant_ages: np.ndarray  # age from which the variant applies (inf when none)
    features: frozenset[str]
    values: Mapping[str, float]
    abnormal_sides: int = 0  # LEFT/RIGHT/EITHER: sides of its abnormal, localizing observations
    symptom_sides: int = 0  # sides a symptom touches (LEFT/RIGHT)
    is_symptom: bool = False
    lateral_symptom: bool = False  # a symptom given for the left or the right
    complaint_sides: int = 0  # sides for localize.symptomatic_side
    stocking_sides: int = 0  # ... from a stocking or a midline ache (used when there are no others)
    weakness_sides: int = 0  # a weakness symptom: the sides whose grades it is checked against
    exam_given: bool = False
    exam_normal: bool = False
    symptom_region: str | None = None
    spared_columns: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    spared_side: int = 0  # the side of those spared halves (LEFT or RIGHT)
    perineal: str | None = None  # a perineal region this sensation entry records ...
    perineal_side: str | None = None  # ... on this side (None: the region as a whole)
    sphincter_symptom: bool = False  # a bladder or bowel complaint (observe: unreported sphincter)
    pain_symptom: bool = False  # a pain complaint (observe: no pain among the complaints)
    off_back_pain: bool = False  # a pain complaint not placed in the lower back (observe: back pain only)
    mapped: tuple[int, int] = (0, 0)  # left, right: bits of the one_sided_regions it maps numbness to
    # left, right: bits (muscle_bits) of the main muscles of the movements it grades weak,
    # and of the muscles it finds normal on needle EMG (observe: a weak muscle normal on EMG)
    weak_muscles: tuple[int, int] = (0, 0)
    paralysed_muscles: tuple[int, int] = (0, 0)  # ... graded MRC 2 or less
    normal_muscles: tuple[int, int] = (0, 0)
    # its findings a side-to-side comparison reads (observe._add_asymmetry): (base, side
    # 0 left / 1 right, abnormal, grade or NaN, age state: 1 a state age makes, 0 normal, 2
    # another)
    pairs: tuple[tuple[str, int, bool, float, int], ...] = ()


_MUSCLE_BITS = memo_store("cohort_scoring.muscle_bits")


def muscle_bits(model: LikelihoodModel) -> dict[str, int]:
    """One bit per muscle (sorted ids), for the masks of EntryEffect.weak_muscles; built once
    per model, as every distinct entry reads it."""

    def build() -> dict[str, int]:
        names = sorted(model.kb.muscles)
        if len(names) > 62:
            raise ValueError("more muscles than bits in a muscle mask")
        return {m: 1 << i for i, m in enumerate(names)}

    bits: dict[str, int] = once_per_object(_MUSCLE_BITS, model, build)
    return bits


def _per_case_or(d: CohortInput, per_entry: np.ndarray) -> np.ndarray:
    """(cases,) the bitwise OR of a per-entry int64 mask over each case's rows."""
    first, cases = d.starts
    out = np.zeros(d.n_cases, dtype=np.int64)
    if len(first):
        out[cases] = np.bitwise_or.reduceat(per_entry[d.row_entry], first)
    return out


# what observe reads of all complaints together
_WHOLE_CASE = (UNREPORTED_SPHINCTER, NO_PAIN_COMPLAINT, BACK_PAIN_ONLY_COMPLAINT)


def entry_effect(model: LikelihoodModel, case: Case) -> EntryEffect:
    """Read a case holding one entry (or only patient and history) with the engine itself."""
    # the silent side, an unreported sphincter complaint, the regions left out of a sensory
    # map and the side-to-side comparison depend on the whole case (_counts)
    obs = [
        o
        for o in observe(case, {}, model.kb)
        if not o.key.startswith(("complaint:", "asymmetry:", "age_pair:", UNMAPPED_SENSORY))
        and o.key not in _WHOLE_CASE
    ]
    regions = {r: 1 << i for i, r in enumerate(one_sided_regions(model.kb))} | {STOCKING: _STOCKING_BIT}
    mapped = mapped_regions(case, model.kb)
    mapped_bits = tuple(sum(regions[r] for r in mapped.get(side, ())) for side in ("left", "right"))
    muscles = muscle_bits(model)
    weak, normal = weak_main_movers(case, model.kb), normal_on_needle(case)
    paralysed = weak_main_movers(case, model.kb, PARALYSED_AT_MOST)
    weak_bits = tuple(sum(muscles[m] for m in weak.get(side, ())) for side in ("left", "right"))
    paralysed_bits = tuple(sum(muscles[m] for m in paralysed.get(side, ())) for side in ("left", "right"))
    normal_bits = tuple(sum(muscles[m] for m in normal.get(side, ())) for side in ("left", "right"))
    # observe: a perineal half found abnormal states the other half spared unless the case
    # records that half; whether it does is known only for the whole case (see _counts)
    perineal = next((s for s in case.exam.sensation if s.region in V.MIDLINE_REGIONS), None)
    spared = [
        o
        for o in obs
        if perineal is not None
        and perineal.side in V.LATERAL_SIDES
        and o.key.startswith(f"sensation:{perineal.region}:")
        and o.key.rsplit(":", 1)[-1] != perineal.side
    ]
    obs = [o for o in obs if o not in spared]
    cols = np.array([model.column[(o.key, o.state)] for o in obs], dtype=np.intp)
    variant_cols, variant_ages = cols.copy(), np.full(len(obs), np.inf)
    for i, o in enumerate(obs):
        min_age = model.age_variants.get(o.key)
        if min_age is not None:
            variant_cols[i], variant_ages[i] = model.column[(f"{o.key}@{min_age}", o.state)], min_age
    abnormal = 0
    for o in obs:
        if o.state not in NOT_ABNORMAL and not o.base_key.startswith(NOT_SIDED):
            abnormal |= {"left": LEFT, "right": RIGHT, "either": EITHER}.get(o.base_key.rsplit(":", 1)[-1], 0)
    correlation = model.kb.parameters["side_correlation"]
    sections = tuple(correlation["sections"])
    pairs = []
    for o in obs:
        base = paired_base(o.base_key, sections)
        if base is not None:
            rank = grade(o.value, correlation["grades"])
            side = 0 if o.base_key.endswith(":left") else 1
            # for an age pair: 1 a state age makes, 0 normal, 2 another (observe._add_age_pairs)
            aged = 1 if o.state in AGE_STATES else 0 if o.state == "normal" else 2
            pairs.append((base, side, o.state not in NOT_ABNORMAL, np.nan if rank is None else rank, aged))
    facts = base_facts(case)
    features = frozenset(
        f for f in facts.features if f not in _CASE_LEVEL and not f.startswith(("single_region:", _OFFSIDE))
    )
    symptom = case.symptoms[0] if case.symptoms else None
    # localize.symptomatic_side: a stocking or a midline ache names the side only when
    # nothing else does
    complaint = stocking = 0
    if symptom is not None:
        if symptom.region in SIDE_ONLY_IF_ALONE:
            stocking |= _bits(symptom.side)
        else:
            complaint |= _bits(symptom.side)
    s: StrengthFinding | SensationFinding
    for s in case.exam.strength:
        # a 4+ names the side only when nothing else does, as a stocking does
        if s.mrc < SLIGHT_FROM:
            complaint |= _bits(s.side)
        elif s.mrc < 5:
            stocking |= _bits(s.side)
    for s in case.exam.sensation:
        if s.finding != "normal":
            if s.region in SIDE_ONLY_IF_ALONE:
                stocking |= _bits(s.side)
            else:
                complaint |= _bits(s.side)
    weakness = 0
    if symptom is not None and symptom.kind == "weakness":
        weakness = _bits(symptom.side) if symptom.side in ("left", "right") else LEFT | RIGHT
    return EntryEffect(
        columns=cols,
        variant_columns=variant_cols,
        variant_ages=variant_ages,
        features=features,
        values=dict(facts.values),
        abnormal_sides=abnormal,
        symptom_sides=_bits(symptom.side) if symptom else 0,
        is_symptom=symptom is not None,
        lateral_symptom=symptom is not None and symptom.side in ("left", "right"),
        complaint_sides=complaint,
        stocking_sides=stocking,
        weakness_sides=weakness,
        exam_given="exam_given" in facts.features,
        exam_normal="exam:normal" in facts.features,
        symptom_region=symptom.region if symptom else None,
        spared_columns=np.array([model.column[(o.key, o.state)] for o in spared], dtype=np.intp),
        spared_side=_bits(spared[0].key.rsplit(":", 1)[-1]) if spared else 0,
        perineal=perineal.region if perineal else None,
        perineal_side=perineal.side if perineal else None,
        sphincter_symptom=symptom is not None and symptom.kind in model.kb.visceral,
        pain_symptom=symptom is not None and symptom.kind == "pain",
        off_back_pain=symptom is not None and symptom.kind == "pain" and symptom.region != "lower_back",
        mapped=(mapped_bits[0], mapped_bits[1]),
        weak_muscles=(weak_bits[0], weak_bits[1]),
        paralysed_muscles=(paralysed_bits[0], paralysed_bits[1]),
        normal_muscles=(normal_bits[0], normal_bits[1]),
        pairs=tuple(pairs),
    )


# An entry's flags and sides as bits of one integer; the referenced features follow them
# (:class:`EntryTable`), so a case's flags are one bitwise OR over its rows.
_FLAG_BITS = {
    "exam_given": 0,
    "exam_abnormal": 1,  # an examined finding that is not normal (facts: exam:normal)
    "is_symptom": 2,
    "lateral_symptom": 3,
    "sphincter_symptom": 4,
    "spares_half": 12,  # a perineal half found abnormal, so the other may count as spared
    "pain_symptom": 13,
    "off_back_pain": 14,
}
_ABNORMAL_AT, _SYMPTOM_AT, _COMPLAINT_AT = 5, 8, 10  # LEFT/RIGHT/EITHER, LEFT/RIGHT, LEFT/RIGHT
_STOCKING_AT = 15  # LEFT/RIGHT
_FIRST_FEATURE = 17
_STOCKING_BIT = 1 << 62  # in a sensory map mask: the side's numbness is a stocking (no map)
_SIDES = ("left", "right", "bilateral")  # side codes 0, 1, 2 of CohortScores.symptomatic


def condition_names(conditions: Sequence[Condition]) -> tuple[set[str], set[str]]:
    """The feature names and value names the conditions read (``all``/``any``/``none`` walked)."""
    features: set[str] = set()
    values: set[str] = set()
    todo = list(conditions)
    while todo:
        cond = todo.pop()
        if isinstance(cond, str):
            features.add(cond)
            continue
        for word in ("all", "any", "none"):
            if word in cond:
                todo.extend(cond[word])
                break
        else:
            values.add(cond["value"])
    return features, values


def _guidance_conditions(guidance: GuidanceKnowledge) -> list[Condition]:
    """Every condition the cohort evaluates: triage rules, derived facts, causes and the cues
    of an unlocalized presentation."""
    out: list[Condition] = [rule["when"] for spec in guidance.triage for rule in spec["rules"]]
    out.extend(guidance.derived.values())
    for cause in guidance.causes["causes"].values():
        out.extend(item["when"] for item in cause.get("evidence", ()))
        if cause.get("needs_any"):
            out.append({"any": list(cause["needs_any"])})
    out.extend(item["when"] for item in guidance.causes["unlocalized"]["cues"])
    return out


@dataclass(frozen=True)
class _EntryArrays:
    """:class:`EntryTable` as arrays (one row per entry)."""

    words: np.ndarray  # (W, G) uint64: flags, sides and referenced features
    obs_start: np.ndarray  # (G,) first of the entry's observations in the flat arrays
    obs_count: np.ndarray  # (G,)
    obs_column: np.ndarray  # (O,) model column of each observation
    obs_variant: np.ndarray  # (O,) its age-adjusted column (itself when none)
    obs_age: np.ndarray  # (O,) age from which the variant applies (inf when none)
    spared_start: np.ndarray  # (G,) the same for the spared perineal halves
    spared_count: np.ndarray
    spared_column: np.ndarray
    perineal_bit: np.ndarray  # (G,) int64: the (region, side) slot the entry records, 0 none
    blocking: np.ndarray  # (G,) int64: the slots that keep its spared half from counting
    weakness_sides: np.ndarray  # (G,) int64
    region: np.ndarray  # (G,) int64: its symptom region's code (-1 none)
    has_values: np.ndarray  # (G,) bool: it gives some value (a grade, a severity, a laboratory value)
    mapped: np.ndarray  # (2, G) int64: regions it maps numbness or tingling to, left and right
    weak_muscles: np.ndarray  # (2, G) int64: EntryEffect.weak_muscles, left and right
    paralysed_muscles: np.ndarray  # (2, G) int64: EntryEffect.paralysed_muscles
    normal_muscles: np.ndarray  # (2, G) int64: EntryEffect.normal_muscles
    pair_start: np.ndarray  # (G,) first of the entry's paired findings (EntryEffect.pairs)
    pair_count: np.ndarray  # (G,)
    pair_slot: np.ndarray  # (P,) the paired finding's base (CohortModel.pair_slot)
    pair_side: np.ndarray  # (P,) 0 left, 1 right
    pair_abnormal: np.ndarray  # (P,) bool
    pair_grade: np.ndarray  # (P,) float, NaN none
    pair_aged: np.ndarray  # (P,) 1 a state age makes, 0 normal, 2 another


class EntryTable:
    """The distinct entries one process has read, with what :func:`entry_effect` found for
    each, kept as arrays so a cohort is scored by indexing them.  It only grows: a row of a
    later piece with the same content reuses the entry."""

    def __init__(self, cohort: CohortModel):
        self.cohort = cohort
        self.effects: list[EntryEffect] = []
        self.regions: list[str] = []  # symptom regions, in order of first appearance
        self._region: dict[str, int] = {}
        self._perineal: dict[str, int] = {}  # perineal region -> its four slots' first bit / 4
        self._rows: list[tuple[tuple[int, ...], int, int, int, int]] = []
        self._arrays: _EntryArrays | None = None
        self._values: dict[str, np.ndarray] = {}
        self._features: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.effects)

    def add(self, effect: EntryEffect) -> int:
        """The index of a new entry."""
        bits = self.cohort.flag_bits(effect)
        words = tuple((bits >> (64 * w)) & (2**64 - 1) for w in range(self.cohort.words))
        region = -1
        if effect.symptom_region:
            region = self._region.setdefault(effect.symptom_region, len(self._region))
            if region == len(self.regions):
                self.regions.append(effect.symptom_region)
        perineal_bit = blocking = 0
        if effect.perineal:
            perineal_bit = 1 << self._slot(effect.perineal, effect.perineal_side)
            if len(effect.spared_columns):
                other = "left" if effect.spared_side == LEFT else "right"
                blocking = sum(1 << self._slot(effect.perineal, side) for side in (other, "bilateral", None))
        self._rows.append((words, perineal_bit, blocking, effect.weakness_sides, region))
        self.effects.append(effect)
        return len(self.effects) - 1

    def _slot(self, region: str, side: str | None) -> int:
        base = self._perineal.setdefault(region, len(self._perineal))
        if base >= 15:  # four slots per region in a 63-bit mask
            raise ValueError(f"more than 15 perineal regions: {region!r}")
        return 4 * base + {None: 0, "left": 1, "right": 2, "bilateral": 3}[side]

    def arrays(self) -> _EntryArrays:
        """The arrays of every entry added so far (rebuilt after additions)."""
        found = self._arrays
        if found is not None and len(found.obs_start) == len(self.effects):
            return found
        effects = self.effects
        g = len(effects)
        words = np.ascontiguousarray(np.array([r[0] for r in self._rows], dtype=np.uint64).reshape(g, -1).T)

        def flat(attr: str, dtype: npt.DTypeLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            parts = [getattr(e, attr) for e in effects]
            count = np.array([len(p) for p in parts], dtype=np.intp)
            start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.intp) if g else count
            values = np.concatenate(parts).astype(dtype) if g else np.zeros(0, dtype=dtype)
            return start, count, values

        obs_start, obs_count, obs_column = flat("columns", np.intp)
        _, _, obs_variant = flat("variant_columns", np.intp)
        _, _, obs_age = flat("variant_ages", float)
        spared_start, spared_count, spared_column = flat("spared_columns", np.intp)
        pair_count = np.array([len(e.pairs) for e in effects], dtype=np.intp)
        pair_start = np.concatenate([[0], np.cumsum(pair_count)[:-1]]).astype(np.intp) if g else pair_count
        pairs = [p for e in effects for p in e.pairs]
        slot = self.cohort.pair_slot
        found = self._arrays = _EntryArrays(
            words=words,
            obs_start=obs_start,
            obs_count=obs_count,
            obs_column=obs_column,
            obs_variant=obs_variant,
            obs_age=obs_age,
            spared_start=spared_start,
            spared_count=spared_count,
            spared_column=spared_column,
            perineal_bit=np.array([r[1] for r in self._rows], dtype=np.int64),
            blocking=np.array([r[2] for r in self._rows], dtype=np.int64),
            weakness_sides=np.array([r[3] for r in self._rows], dtype=np.int64),
            region=np.array([r[4] for r in self._rows], dtype=np.int64),
            has_values=np.array([bool(e.values) for e in effects], dtype=bool),
            mapped=np.array([e.mapped for e in effects], dtype=np.int64).reshape(g, 2).T.copy(),
            weak_muscles=np.array([e.weak_muscles for e in effects], dtype=np.int64).reshape(g, 2).T.copy(),
            paralysed_muscles=np.array([e.paralysed_muscles for e in effects], dtype=np.int64).reshape(g, 2).T.copy(),
            normal_muscles=np.array([e.normal_muscles for e in effects], dtype=np.int64).reshape(g, 2).T.copy(),
            pair_start=pair_start,
            pair_count=pair_count,
            pair_slot=np.array([slot[p[0]] for p in pairs], dtype=np.intp),
            pair_side=np.array([p[1] for p in pairs], dtype=np.intp),
            pair_abnormal=np.array([p[2] for p in pairs], dtype=bool),
            pair_grade=np.array([p[3] for p in pairs], dtype=float),
            pair_aged=np.array([p[4] for p in pairs], dtype=np.intp),
        )
        return found

    def value(self, name: str) -> np.ndarray:
        """(G,) each entry's value of ``name`` (NaN: it gives none)."""
        found = self._values.get(name)
        if found is None or len(found) != len(self.effects):
            found = np.array([e.values.get(name, np.nan) for e in self.effects], dtype=float)
            self._values[name] = found
        return found

    def has_feature(self, name: str) -> np.ndarray:
        """(G,) whether each entry gives a feature no condition names (the slow way)."""
        found = self._features.get(name)
        if found is None or len(found) != len(self.effects):
            found = np.array([name in e.features for e in self.effects], dtype=bool)
            self._features[name] = found
        return found


@dataclass
class CohortInput:
    """A cohort as arrays.  Every row (an entry, or one item of patient and history) points
    at its case and at its entry in ``entries``; rows are ordered by case (``row_case``
    never decreases).  A case with no rows is scored as a case without findings."""

    n_cases: int
    row_case: np.ndarray  # (R,) case index of each row, non-decreasing
    row_entry: np.ndarray  # (R,) index into ``entries``
    entries: EntryTable
    factors: np.ndarray  # (n,) int64: bit b set when the case has history factor V.HISTORY_FACTORS[b]
    age: np.ndarray  # (n,) float, NaN unknown
    duration: np.ndarray  # (n,) float, NaN unknown

    @cached_property
    def starts(self) -> tuple[np.ndarray, np.ndarray]:
        """(first row of each case that has rows, that case)."""
        if not len(self.row_case):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
        first = np.flatnonzero(np.concatenate([[True], self.row_case[1:] != self.row_case[:-1]]))
        return first, self.row_case[first]


@dataclass
class CohortScores:
    order: np.ndarray  # (n, k) the group (CohortModel.group_site / group_side) of each rank, best first
    probabilities: np.ndarray  # (n, k) floored to four decimals, as the assessment shows them
    symptomatic: np.ndarray  # (n,) code into _SIDES: the side a "symptomatic" group is on
    levels: np.ndarray  # (n,) object: the levels of the leading group's best member
    triage: np.ndarray  # (n,) index into CohortModel.levels
    rules: np.ndarray  # (n,) index into ``rule_words``
    rule_words: list[str]  # the rules that set a level, ';'-joined
    columns: _Columns  # the case facts the triage read (the causes read them too)
    look_alikes: np.ndarray  # (n, look-alikes) their shares of no nerve lesion (localize.look_alike_shares)
    forms: np.ndarray  # (n, forms) the polyneuropathy's forms' shares of it (localize.cause_forms)


def _leading(mass: np.ndarray, top: int) -> np.ndarray:
    """(n, top) group indices, best first; ties go to the lower index, as the stable sort of
    localize.group_sites does."""
    mass = mass.copy()
    rows = np.arange(len(mass))
    order = np.empty((len(mass), min(top, mass.shape[1])), dtype=np.intp)
    for r in range(order.shape[1]):
        order[:, r] = np.argmax(mass, axis=1)
        mass[rows, order[:, r]] = -np.inf
    return order


def _floor4(p: np.ndarray) -> np.ndarray:
    floored: np.ndarray = np.floor(p * 10_000) / 10_000
    return floored


class _Columns:
    """Facts of every case as columns: features (bool) and values (float, NaN unknown)."""

    def __init__(self, data: CohortInput, cohort: CohortModel):
        self.d, self.cohort, self.guidance = data, cohort, cohort.guidance
        self.t = data.entries.arrays()
        self._features: dict[str, np.ndarray] = {}
        self._values: dict[str, np.ndarray] = {"age": data.age, "duration_days": data.duration}

    @cached_property
    def words(self) -> np.ndarray:
        """(n, W) uint64: the OR of the flag words of each case's rows."""
        d = self.d
        first, cases = d.starts
        out = np.zeros((d.n_cases, self.t.words.shape[0]), dtype=np.uint64)
        if len(first):
            for w in range(out.shape[1]):
                out[cases, w] = np.bitwise_or.reduceat(self.t.words[w][d.row_entry], first)
        return out

    def bit(self, b: int) -> npt.NDArray[np.bool_]:
        word = self.words[:, b >> 6]
        hit: npt.NDArray[np.bool_] = (word & np.uint64(1 << (b & 63))) != 0
        return hit

    def sides(self, at: int, width: int) -> np.ndarray:
        """The side bits (LEFT, RIGHT[, EITHER]) of a field of the flag word, per case."""
        out = np.zeros(self.d.n_cases, dtype=np.int64)
        for k in range(width):
            out[self.bit(at + k)] |= 1 << k
        return out

    def _any_row(self, per_entry: np.ndarray) -> npt.NDArray[np.bool_]:
        d = self.d
        out = np.zeros(d.n_cases, dtype=bool)
        out[d.row_case[per_entry[d.row_entry]]] = True
        return out

    def feature(self, name: str) -> np.ndarray:
        found = self._features.get(name)
        if found is None:
            found = self._compute(name)
            self._features[name] = found
        return found

    def _compute(self, name: str) -> np.ndarray:
        if name in self.guidance.derived:
            return self.condition(self.guidance.derived[name])
        if name == "exam:normal":
            return self.bit(_FLAG_BITS["exam_given"]) & ~self.bit(_FLAG_BITS["exam_abnormal"])
        if name == "symptom:weakness:not_refuted_by_exam":
            return self._weakness_not_refuted()
        if name.startswith(_OFFSIDE):
            return self._offside_only(name.removeprefix(_OFFSIDE))
        if name == MASS_AT_STRUCTURAL_LEVEL:
            both = [
                self.feature(f"imaging_segment:mass:{s}") & self.feature(f"imaging_segment:structural:{s}")
                for s in SEGMENTS
            ]
            found: np.ndarray = np.logical_or.reduce(both)
            return found
        if name.startswith("single_region:"):
            single: np.ndarray = self._single_region() == self.d.entries._region.get(name.split(":", 1)[1], -2)
            return single
        bit = self.cohort.feature_bit.get(name)
        if bit is not None:
            return self.bit(bit)
        return self._any_row(self.d.entries.has_feature(name))

    def _offside_only(self, finding: str) -> np.ndarray:
        """facts.offside_only over columns: the finding reported only on the one side with
        nothing wrong, the other side being the only one affected."""
        left, right = self.feature("side_affected:left"), self.feature("side_affected:right")
        on_left, on_right = self.feature(f"imaging_side:left:{finding}"), self.feature(f"imaging_side:right:{finding}")
        only: np.ndarray = (left ^ right) & ~self.feature(f"imaging_side:none:{finding}")
        offside: np.ndarray = only & ((left & on_right & ~on_left) | (right & on_left & ~on_right))
        return offside

    def value(self, name: str) -> np.ndarray:
        found = self._values.get(name)
        if found is None:
            d = self.d
            case, entry = self._value_rows
            per_row = d.entries.value(name)[entry]
            rows = np.flatnonzero(~np.isnan(per_row))
            found = np.full(d.n_cases, np.nan)
            if len(rows):
                cases = case[rows]
                first = np.flatnonzero(np.concatenate([[True], cases[1:] != cases[:-1]]))
                # facts.py: grades keep the lowest, severities and laboratory values the highest
                reduce = np.fmin if name.startswith(("min_mrc", "recorded_min_mrc")) else np.fmax
                found[cases[first]] = reduce.reduceat(per_row[rows], first)
            self._values[name] = found
        return found

    @cached_property
    def _value_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(case, entry) of the rows whose entry gives some value."""
        d = self.d
        rows = np.flatnonzero(self.t.has_values[d.row_entry])
        return d.row_case[rows], d.row_entry[rows]

    def _weakness_not_refuted(self) -> np.ndarray:
        """facts._weakness_symptom_counts: a weakness symptom counts unless every movement
        examined on its side(s) is graded 5; with none examined there, it counts."""
        d = self.d
        sides = self.t.weakness_sides[d.row_entry]
        left, right = self.value("min_mrc:left"), self.value("min_mrc:right")
        out = np.zeros(d.n_cases, dtype=bool)
        for bits in (LEFT, RIGHT, LEFT | RIGHT):
            rows = sides == bits
            if not rows.any():
                continue
            grades = np.vstack([g for b, g in ((LEFT, left), (RIGHT, right)) if bits & b])
            none = np.isnan(grades).all(axis=0)
            weak = np.nanmin(np.where(np.isnan(grades), np.inf, grades), axis=0) < 5
            counts = none | weak
            cases = d.row_case[rows]
            out[cases[counts[cases]]] = True
        return out

    @cached_property
    def _regions(self) -> np.ndarray:
        """(n,) the code of the one symptom region of a case, -1 when none or several."""
        d = self.d
        region = self.t.region[d.row_entry]
        rows = np.flatnonzero(region >= 0)
        only = np.full(d.n_cases, -1, dtype=np.int64)
        if len(rows):
            cases, region = d.row_case[rows], region[rows]
            first = np.flatnonzero(np.concatenate([[True], cases[1:] != cases[:-1]]))
            low, high = np.minimum.reduceat(region, first), np.maximum.reduceat(region, first)
            only[cases[first]] = np.where(low == high, low, -1)
        return only

    def _single_region(self) -> np.ndarray:
        return self._regions

    def condition(self, cond: Condition) -> np.ndarray:
        """facts.holds over columns: a feature, all/any/none, or a value comparison."""
        n = self.d.n_cases
        if isinstance(cond, str):
            return self.feature(cond)
        for word, reduce in (("all", np.logical_and), ("any", np.logical_or)):
            if word in cond:
                parts = [self.condition(c) for c in cond[word]]
                combined: np.ndarray = reduce.reduce(parts) if parts else np.full(n, word == "all")
                return combined
        if "none" in cond:
            parts = [self.condition(c) for c in cond["none"]]
            none: np.ndarray = ~np.logical_or.reduce(parts) if parts else np.ones(n, dtype=bool)
            return none
        value = self.value(cond["value"])
        known = ~np.isnan(value)
        ok = np.ones(n, dtype=bool)
        with np.errstate(invalid="ignore"):
            for op, fn in (("lt", np.less), ("le", np.less_equal), ("ge", np.greater_equal), ("gt", np.greater)):
                if op in cond:
                    ok &= fn(value, cond[op])
        return np.where(known, ok, bool(cond.get("unknown", False)))


class CohortModel:
    """The model's tables in the shapes cohort scoring needs, built once per model."""

    def __init__(self, model: LikelihoodModel, guidance: GuidanceKnowledge):
        self.model, self.guidance = model, guidance
        # hypotheses ordered by their site group (stable): a group's probability is the sum
        # of one run of columns, and its first best member is the first in the run
        self.perm = np.argsort(model.group_index, kind="stable")
        self.table = np.ascontiguousarray(model.log_lik.T[:, self.perm])  # (J, H) float64, as assessments use
        self.log_prior = model.log_prior[self.perm]
        group_index = model.group_index[self.perm]
        self.group_start = np.flatnonzero(np.concatenate([[True], group_index[1:] != group_index[:-1]]))
        self.complaint = {side: model.column[(f"complaint:{side}", "absent")] for side in ("left", "right")}
        self.unreported = model.column[(UNREPORTED_SPHINCTER, "present")]
        self.no_pain = model.column.get((NO_PAIN_COMPLAINT, "present")) if NO_PAIN in model.kb.evidence else None
        self.back_only = (
            model.column.get((BACK_PAIN_ONLY_COMPLAINT, "present")) if BACK_PAIN_ONLY in model.kb.evidence else None
        )
        # observe: a provocation or relief read with its region (column -> the trigger's
        # column for the case as a whole), for a case whose entries say it of two regions
        self.regional_whole = np.full(len(model.column), -1, dtype=np.intp)
        for spec in model.findings:
            if spec.family == "evidence" and spec.region is not None:
                whole = model.column[(f"evidence:{spec.target_id}", "present")]
                self.regional_whole[[model.column[(spec.key, "present")], whole]] = whole
        regions = one_sided_regions(model.kb)
        if len(regions) > 62:
            raise ValueError("more skin regions than bits in a sensory map mask")
        self.unmapped = np.array(
            [
                [model.column[(f"{UNMAPPED_SENSORY}:{r}:{side}", "present")] for r in regions]
                for side in ("left", "right")
            ],
            dtype=np.intp,
        )
        self.weak_normal, self.paralysed_normal = (
            np.array([model.column[(f"evidence:{key}:{side}", "present")] for side in ("left", "right")], dtype=np.intp)
            if key in model.kb.evidence
            else None
            for key in (WEAK_NORMAL_EMG, PARALYSED_NORMAL_EMG)
        )
        # the side-to-side comparison: each paired finding's slot, and per (kind, slot, worse
        # side) its column (observe._add_asymmetry)
        bases = sorted({spec.target_id for spec in model.findings if spec.target == "asymmetry"})
        self.pair_slot = {base: i for i, base in enumerate(bases)}
        self.asymmetry = np.array(
            [
                model.column[(asymmetry_key(kind, base, side), "present")]
                for kind in ASYMMETRY_KINDS
                for base in bases
                for side in ("left", "right")
            ],
            dtype=np.intp,
        ).reshape(len(ASYMMETRY_KINDS), len(bases), 2)
        # an age-adjusted pair: per paired finding's slot, its columns (both abnormal, the left
        # alone, the right alone; -1: none) and the age from which they apply
        # (observe._add_age_pairs)
        pairs_by_age = age_pairs(model.kb)
        self.age_pair_column = np.array(
            [
                [
                    model.column.get((age_pair_key(kind, b, side, pairs_by_age[b]), "present"), -1)
                    if b in pairs_by_age
                    else -1
                    for kind, side in (("both", "midline"), ("one", "left"), ("one", "right"))
                ]
                for b in bases
            ],
            dtype=np.intp,
        ).reshape(len(bases), 3)
        self.age_pair_age = np.array([float(pairs_by_age.get(b, np.inf)) for b in bases])
        self.levels = tuple(level["level"] for level in guidance.triage)
        keys = model.group_keys
        self.group_site = np.array([k[0] for k in keys], dtype=object)
        self.group_side = np.array([k[1] for k in keys], dtype=object)
        self.symptomatic_group = np.array([k[1] == "symptomatic" for k in keys])
        # the levels of each group's best member: one string for most groups
        levels = np.array(["-".join(h.levels or ()) for h in model.hypotheses], dtype=object)[self.perm]
        self.member_levels = levels
        self.group_levels = np.array([levels[s] for s in self.group_start], dtype=object)
        ends = [*self.group_start[1:], len(levels)]
        self.mixed_groups = np.array(
            [len(set(levels[s:e])) > 1 for s, e in zip(self.group_start, ends, strict=True)], dtype=bool
        )
        self.group_of = group_index
        # no nerve lesion's members, where the permutation put them (still in index order)
        self.look_alike_layout = look_alikes(model)
        self.look_alike_columns = np.argsort(self.perm)[self.look_alike_layout.members]
        self.form_layout = cause_forms(model)
        self.form_columns = np.argsort(self.perm)[self.form_layout.members]
        # the prior shift (LikelihoodModel.prior_shift) in parts: the background
        # polyneuropathy's odds and the additive site risks of the history factors
        spec = model.kb.parameters["background_polyneuropathy"]
        self.background_q = float(spec["base"])
        self.odds_ratios = [(key, float(ratio)) for key, ratio in spec["odds_ratio"].items()]
        self.age_thresholds = age_thresholds(spec["odds_ratio"])
        twin = (model.background_twin | model.polyneuropathy_alone)[self.perm]
        focal = model.background_focal[self.perm]
        factors = [f"factor:{f}" for f in V.HISTORY_FACTORS]
        if len(factors) > 62:
            raise ValueError("more history factors than bits in a case's factor mask")
        risk = np.zeros((len(factors), len(model.hypotheses)))
        for i, feature in enumerate(factors):
            if feature in model.site_risk:
                risk[i] = model.site_risk[feature][self.perm]
        self.risk_factors = np.flatnonzero(risk.any(axis=1))
        # (2 + factors with a site risk, H): where the two log ratios go (a focal hypothesis
        # with a background twin takes the second), then each factor's log odds ratios
        self.shift_table = np.vstack([twin & ~focal, focal, risk[self.risk_factors]]).astype(float)
        # the features the guidance's conditions read, each a bit of an entry's flag word
        named, _ = condition_names(_guidance_conditions(guidance))
        special = set(guidance.derived) | set(_CASE_LEVEL)
        # a case-level fact read off per-entry pieces (facts.offside_only)
        named = set(named) | {
            piece for f in named if f.startswith(_OFFSIDE) for piece in _offside_pieces(f.removeprefix(_OFFSIDE))
        }
        if MASS_AT_STRUCTURAL_LEVEL in named:  # ... and facts.mass_at_structural_level
            named |= set(_SEGMENT_PIECES)
        wanted = sorted(f for f in named if f not in special and not f.startswith(("single_region:", _OFFSIDE)))
        self.feature_bit = {f: _FIRST_FEATURE + i for i, f in enumerate(wanted)}
        self.words = (_FIRST_FEATURE + len(wanted) + 63) // 64
        self._words: dict[bytes, str] = {}  # fired rules (as bytes) -> their ids joined

    def flag_bits(self, e: EntryEffect) -> int:
        """One entry's flags, sides and referenced features as one integer (see _FLAG_BITS)."""
        bits = 0
        for name, flag in (
            ("exam_given", e.exam_given),
            ("exam_abnormal", e.exam_given and not e.exam_normal),
            ("is_symptom", e.is_symptom),
            ("lateral_symptom", e.lateral_symptom),
            ("sphincter_symptom", e.sphincter_symptom),
            ("pain_symptom", e.pain_symptom),
            ("off_back_pain", e.off_back_pain),
            ("spares_half", len(e.spared_columns) > 0),
        ):
            bits |= int(flag) << _FLAG_BITS[name]
        bits |= e.abnormal_sides << _ABNORMAL_AT | e.symptom_sides << _SYMPTOM_AT | e.complaint_sides << _COMPLAINT_AT
        bits |= e.stocking_sides << _STOCKING_AT
        for f in e.features:
            b = self.feature_bit.get(f)
            if b is not None:
                bits |= 1 << b
        return bits

    def table_for(self) -> EntryTable:
        """A new, empty table of entries for this model."""
        return EntryTable(self)

    def age_band(self, age: np.ndarray) -> np.ndarray:
        """(n,) 0 for an unknown age, else 1 + the number of thresholds reached."""
        band = 1 + np.searchsorted(np.array(self.age_thresholds, dtype=float), np.nan_to_num(age, nan=0.0), "right")
        return np.where(np.isnan(age), 0, band).astype(np.intp)

    def _prior_shift(self, d: CohortInput) -> sparse.csr_matrix:
        """LikelihoodModel.prior_shift of each case's factors and age as a (cases x shift
        parts) matrix for ``shift_table``: the background polyneuropathy's two log ratios
        (its odds ratios multiplied in the file's order, as the engine does) and one 1 per
        history factor with a site risk."""
        n = d.n_cases
        ages: list[int | None] = [None, 0, *self.age_thresholds]  # a representative age per band
        band = self.age_band(d.age)
        q = self.background_q
        odds = np.full(n, q / (1 - q))
        for key, ratio in self.odds_ratios:
            applies = np.array([age_applies(key, a) for a in ages])[band]
            if key.startswith("factor:") and key[7:] in V.HISTORY_FACTORS:
                applies |= (d.factors >> V.HISTORY_FACTORS.index(key[7:])) & 1 == 1
            odds[applies] *= ratio
        p = odds / (1 + odds)
        has = (d.factors[:, None] >> self.risk_factors[None, :]) & 1 == 1
        cases, factors = np.nonzero(has)
        rows = np.concatenate([np.arange(n), np.arange(n), cases])
        parts = np.concatenate([np.zeros(n, dtype=np.intp), np.ones(n, dtype=np.intp), 2 + factors])
        data = np.concatenate([np.log(p / q), np.log((1 - p) / (1 - q)), np.ones(len(cases))])
        return sparse.csr_matrix((data, (rows, parts)), shape=(n, len(self.shift_table)))

    def score(self, data: CohortInput, top: int = 3) -> CohortScores:
        model, d = self.model, data
        n = d.n_cases
        columns = _Columns(d, self)
        counts = self._counts(d, columns)
        scores = np.asarray(counts @ self.table)
        scores /= model.temperature
        scores += self.log_prior
        scores += self._prior_shift(d) @ self.shift_table
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        mass = np.add.reduceat(scores, self.group_start, axis=1)
        mass **= model.site_sharpness
        mass /= mass.sum(axis=1, keepdims=True)
        order = _leading(mass, top)
        probs = _floor4(np.take_along_axis(mass, order, axis=1))
        complaint = columns.sides(_COMPLAINT_AT, 2)
        complaint = np.where(complaint == 0, columns.sides(_STOCKING_AT, 2), complaint)
        symptomatic = np.where(complaint == LEFT, 0, np.where(complaint == RIGHT, 1, 2))
        triage, rules, words = self._triage(columns)
        return CohortScores(
            order=order,
            probabilities=probs,
            symptomatic=symptomatic,
            levels=self._levels(scores, order[:, 0] if order.shape[1] else np.zeros(n, dtype=np.intp)),
            triage=triage,
            rules=rules,
            rule_words=words,
            columns=columns,
            look_alikes=look_alike_shares(self.look_alike_layout, scores[:, self.look_alike_columns]),
            forms=look_alike_shares(self.form_layout, scores[:, self.form_columns]),
        )

    def _levels(self, posterior: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Per case, the levels of its leading group: its best member's range, as
        ``localize.group_sites`` reports them."""
        levels: np.ndarray = self.group_levels[group]
        mixed = np.flatnonzero(self.mixed_groups[group])
        if len(mixed):
            weights = np.where(self.group_of[None, :] == group[mixed, None], posterior[mixed], -1.0)
            levels[mixed] = self.member_levels[np.argmax(weights, axis=1)]
        return levels

    def _counts(self, d: CohortInput, columns: _Columns) -> sparse.csr_matrix:
        """The (cases x columns) count matrix, as ``observe`` would list each case."""
        t = columns.t
        count = t.obs_count[d.row_entry]
        if len(count) and count.max() <= 1:
            rows = np.flatnonzero(count)
            case = d.row_case[rows]
            obs = t.obs_start[d.row_entry[rows]]
        else:
            rows = np.flatnonzero(count)
            case = np.repeat(d.row_case[rows], count[rows])
            first = np.repeat(t.obs_start[d.row_entry[rows]], count[rows])
            within = np.arange(len(first)) - np.repeat(np.cumsum(count[rows]) - count[rows], count[rows])
            obs = first + within
        cols = t.obs_column[obs]
        variant = np.flatnonzero(np.isfinite(t.obs_age[obs]))
        if len(variant):
            age = np.nan_to_num(d.age, nan=-np.inf)[case[variant]]
            older = age >= t.obs_age[obs[variant]]
            cols[variant[older]] = t.obs_variant[obs[variant[older]]]
        self._regional_to_whole(case, cols)
        silent_case, silent_cols = self._silent_sides(columns)
        spared_case, spared_cols = self._spared_halves(d, columns)
        # observe: complaints recorded, none of them bladder or bowel trouble
        unreported = np.flatnonzero(
            columns.bit(_FLAG_BITS["is_symptom"]) & ~columns.bit(_FLAG_BITS["sphincter_symptom"])
        )
        # observe: complaints recorded, none of them pain
        no_pain = np.zeros(0, dtype=np.intp)
        if self.no_pain is not None:
            no_pain = np.flatnonzero(columns.bit(_FLAG_BITS["is_symptom"]) & ~columns.bit(_FLAG_BITS["pain_symptom"]))
        # observe: pain recorded, all of it in the lower back
        back_only = np.zeros(0, dtype=np.intp)
        if self.back_only is not None:
            back_only = np.flatnonzero(
                columns.bit(_FLAG_BITS["pain_symptom"]) & ~columns.bit(_FLAG_BITS["off_back_pain"])
            )
        unmapped_case, unmapped_cols = self._unmapped_regions(d, columns)
        pair_case, pair_cols = self._paired_sides(d, columns)
        weak_case, weak_cols = self._weak_normal_on_emg(d, columns)
        extra_case = np.concatenate(
            [silent_case, spared_case, unreported, no_pain, back_only, unmapped_case, pair_case, weak_case]
        )
        extra_cols = np.concatenate(
            [
                silent_cols,
                spared_cols,
                np.full(len(unreported), self.unreported, dtype=np.intp),
                np.full(len(no_pain), self.no_pain if self.no_pain is not None else 0, dtype=np.intp),
                np.full(len(back_only), self.back_only if self.back_only is not None else 0, dtype=np.intp),
                unmapped_cols,
                pair_cols,
                weak_cols,
            ]
        )
        # rows grouped by case as they come (CSR built as it is): each case's derived
        # observations after its own, then each case's columns sorted and counted once
        order = np.argsort(extra_case, kind="stable")
        extra_case, extra_cols = extra_case[order], extra_cols[order]
        shape = (d.n_cases, len(self.model.column))
        indices = np.insert(cols, np.searchsorted(case, extra_case, "right"), extra_cols)
        per_case = np.bincount(case, minlength=shape[0]) + np.bincount(extra_case, minlength=shape[0])
        indptr = np.concatenate([[0], np.cumsum(per_case)])
        counts = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=shape)
        counts.sum_duplicates()
        # one observation per finding and state however many entries name it (observe.add)
        np.minimum(counts.data, 1.0, out=counts.data)
        return counts

    def _regional_to_whole(self, case: np.ndarray, cols: np.ndarray) -> None:
        """observe._said_of: a trigger said of symptoms in two regions (or of one without a
        region) is read for the case as a whole; ``cols`` is changed in place."""
        whole = self.regional_whole[cols]
        at = np.flatnonzero(whole >= 0)
        if not len(at):
            return
        n = np.int64(len(self.regional_whole))
        trigger = case[at].astype(np.int64) * n + whole[at]  # (case, trigger)
        pairs = np.unique(trigger * n + cols[at])  # its distinct columns
        found, count = np.unique(pairs // n, return_counts=True)
        mixed = np.isin(trigger, found[count > 1])
        cols[at[mixed]] = whole[at[mixed]]

    def _spared_halves(self, d: CohortInput, columns: _Columns) -> tuple[np.ndarray, np.ndarray]:
        """observe._add_spared_halves: the other half of a perineal region found abnormal on
        one side counts as examined normal, once, unless the case records that half, both
        sides or the region as a whole."""
        t = columns.t
        cases = np.flatnonzero(columns.bit(_FLAG_BITS["spares_half"]))
        if not len(cases):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
        # the rows of those cases
        low, high = np.searchsorted(d.row_case, cases, "left"), np.searchsorted(d.row_case, cases, "right")
        size = high - low
        rows = np.repeat(low - np.cumsum(size) + size, size) + np.arange(size.sum())
        entry = d.row_entry[rows]
        marked = np.flatnonzero(t.perineal_bit[entry])
        recorded = np.zeros(d.n_cases, dtype=np.int64)
        np.bitwise_or.at(recorded, d.row_case[rows[marked]], t.perineal_bit[entry[marked]])
        rows = rows[t.spared_count[entry] > 0]
        entry = d.row_entry[rows]
        rows = rows[(recorded[d.row_case[rows]] & t.blocking[entry]) == 0]
        entry = d.row_entry[rows]
        count = t.spared_count[entry]
        cases = np.repeat(d.row_case[rows], count)
        within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        return cases, t.spared_column[np.repeat(t.spared_start[entry], count) + within]

    def _unmapped_regions(self, d: CohortInput, columns: _Columns) -> tuple[np.ndarray, np.ndarray]:
        """observe._add_unmapped_regions: on a side where the case maps numbness or tingling,
        each region left out of the map."""
        cases_out, cols_out = [], []
        bit = np.int64(1) << np.arange(self.unmapped.shape[1], dtype=np.int64)
        for s in range(2):
            mask = _per_case_or(d, columns.t.mapped[s])
            hit = np.flatnonzero((mask != 0) & ((mask & _STOCKING_BIT) == 0))
            case, region = np.nonzero((mask[hit, None] & bit[None, :]) == 0)
            cases_out.append(hit[case])
            cols_out.append(self.unmapped[s][region])
        return np.concatenate(cases_out), np.concatenate(cols_out)

    def _weak_normal_on_emg(self, d: CohortInput, columns: _Columns) -> tuple[np.ndarray, np.ndarray]:
        """observe: on a side where a movement graded weak (and, apart, one graded MRC 2 or
        less) has its main muscle normal on needle EMG, the look-alikes' evidence of a
        weakness no lower motor neuron explains."""
        cases_out, cols_out = [np.zeros(0, dtype=np.intp)], [np.zeros(0, dtype=np.intp)]
        for columns_of, muscles in (
            (self.weak_normal, columns.t.weak_muscles),
            (self.paralysed_normal, columns.t.paralysed_muscles),
        ):
            if columns_of is None:
                continue
            for s in range(2):
                hit = np.flatnonzero(_per_case_or(d, muscles[s]) & _per_case_or(d, columns.t.normal_muscles[s]))
                cases_out.append(hit)
                cols_out.append(np.full(len(hit), columns_of[s], dtype=np.intp))
        return np.concatenate(cases_out), np.concatenate(cols_out)

    def _paired_sides(self, d: CohortInput, columns: _Columns) -> tuple[np.ndarray, np.ndarray]:
        """The two sides of each paired finding, read together as observe reads them: its
        _add_asymmetry (recorded on both sides, the first record of each, and different, worse
        on one side: abnormal against normal, or both abnormal with a higher grade) and its
        _add_age_pairs (an age-adjusted finding abnormal on one side or both, at its age)."""
        t = columns.t
        count = t.pair_count[d.row_entry]
        rows = np.flatnonzero(count)
        none = np.zeros(0, dtype=np.intp)
        if not len(rows):
            return none, none
        case = np.repeat(d.row_case[rows], count[rows])
        within = np.arange(count[rows].sum()) - np.repeat(np.cumsum(count[rows]) - count[rows], count[rows])
        item = np.repeat(t.pair_start[d.row_entry[rows]], count[rows]) + within
        width = len(self.pair_slot)
        # (case, slot, side) as one key, the side its lowest bit: the first record of each
        # side (np.unique's index is the first occurrence), and sorted by key the left
        # record of a pair recorded on both sides lies just before its right record
        key, first = np.unique((case * width + t.pair_slot[item]) * 2 + t.pair_side[item], return_index=True)
        both = np.flatnonzero((key[1:] >> 1) == (key[:-1] >> 1))
        cases, left, right = case[first[both]], item[first[both]], item[first[both + 1]]
        la, ra = t.pair_abnormal[left], t.pair_abnormal[right]
        lg, rg = t.pair_grade[left], t.pair_grade[right]
        discordant = la != ra
        with np.errstate(invalid="ignore"):
            graded = la & ra & ~np.isnan(lg) & ~np.isnan(rg) & (lg != rg)
        worse = np.where(discordant, np.where(la, 0, 1), np.where(lg > rg, 0, 1))
        kind = np.where(discordant, 0, 1)
        hit = discordant | graded
        # observe._add_age_pairs: both sides abnormal at or past the age that makes it common
        slot = t.pair_slot[left]
        age = np.nan_to_num(d.age, nan=-np.inf)[cases]
        lt, rt = t.pair_aged[left], t.pair_aged[right]
        kind_of_pair = np.where((lt == 1) & (rt == 1), 0, np.where((lt == 1) & (rt == 0), 1, 2))
        pair_col = self.age_pair_column[slot, kind_of_pair]
        one_or_both = ((lt == 1) & (rt <= 1)) | ((lt == 0) & (rt == 1))
        aged = one_or_both & (pair_col >= 0) & (age >= self.age_pair_age[slot])
        return (
            np.concatenate([cases[hit], cases[aged]]),
            np.concatenate([self.asymmetry[kind[hit], slot[hit], worse[hit]], pair_col[aged]]),
        )

    def _silent_sides(self, columns: _Columns) -> tuple[np.ndarray, np.ndarray]:
        """observe._add_silent_sides: with one-sided complaints (or, without complaints,
        abnormal findings on one side only) the other side is evidence of no lesion there."""
        abnormal = columns.sides(_ABNORMAL_AT, 3)
        touched = (abnormal & (LEFT | RIGHT)) | columns.sides(_SYMPTOM_AT, 2)
        any_symptom = columns.bit(_FLAG_BITS["is_symptom"])
        lateral = columns.bit(_FLAG_BITS["lateral_symptom"])
        one_side = (touched == LEFT) | (touched == RIGHT)
        applies = ((abnormal & EITHER) == 0) & (lateral | (~any_symptom & one_side))
        cases, cols = [], []
        for bit, side in ((LEFT, "left"), (RIGHT, "right")):
            hit = np.flatnonzero(applies & ((touched & bit) == 0))
            cases.append(hit)
            cols.append(np.full(len(hit), self.complaint[side], dtype=np.intp))
        return np.concatenate(cases), np.concatenate(cols)

    def _triage(self, cols: _Columns) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """The policy as column expressions: the first level with a rule that fires; per case
        its level, and the rules that set it as an index into the returned words."""
        n = cols.d.n_cases
        level = np.full(n, len(self.guidance.triage) - 1, dtype=np.intp)
        decided = np.zeros(n, dtype=bool)
        ids, masks = [], []
        for li, spec in enumerate(self.guidance.triage):
            hit = np.zeros(n, dtype=bool)
            for rule in spec["rules"]:
                mask = cols.condition(rule["when"]) & ~decided
                ids.append(rule["id"])
                masks.append(mask)
                hit |= mask
            level[hit] = li
            decided |= hit
        fired = np.stack(masks, axis=1) if masks else np.zeros((n, 0), dtype=bool)
        if fired.shape[1] <= 62:  # each case's fired rules as one integer
            packed = (fired.astype(np.int64) << np.arange(fired.shape[1], dtype=np.int64)).sum(axis=1)
            codes, inverse = np.unique(packed, return_inverse=True)
            patterns = (codes[:, None] >> np.arange(fired.shape[1], dtype=np.int64)) & 1 == 1
        else:
            patterns, inverse = np.unique(fired, axis=0, return_inverse=True)
        words = [self._rule_words(ids, row) for row in patterns]
        return level, inverse.reshape(-1).astype(np.intp), words

    def _rule_words(self, ids: list[str], fired: np.ndarray) -> str:
        """The ';'-joined ids of the rules that fired (ROUTINE_RULE for none), once per pattern."""
        key = fired.tobytes()
        found = self._words.get(key)
        if found is None:
            found = self._words[key] = ";".join(i for i, on in zip(ids, fired, strict=True) if on) or ROUTINE_RULE
        return found

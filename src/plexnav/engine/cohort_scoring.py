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
from plexnav.engine.catalogue import UNREPORTED_SPHINCTER
from plexnav.engine.facts import Condition, base_facts
from plexnav.engine.model import LikelihoodModel
from plexnav.engine.observe import observe
from plexnav.engine.triage import ROUTINE_RULE
from plexnav.knowledge.age import age_thresholds
from plexnav.knowledge.guidance import GuidanceKnowledge

LEFT, RIGHT, EITHER = 1, 2, 4
_SIDE_BITS = {"left": LEFT, "right": RIGHT, "bilateral": LEFT | RIGHT}
# observations that do not make a presentation one-sided (observe._add_silent_sides)
_AXIAL = ("imaging:", "evidence:", "symptom:pain:lower_back:", "symptom:sensory:lower_back:")
_NOT_ABNORMAL = ("normal", "absent", "flexor")
# facts that span entries: computed over the whole case below, not per entry
_CASE_LEVEL = ("exam:normal", "symptom:weakness:not_refuted_by_exam")


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
    weakness_sides: int = 0  # a weakness symptom: the sides whose grades it is checked against
    exam_given: bool = False
    exam_normal: bool = False
    symptom_region: str | None = None
    spared_columns: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    spared_side: int = 0  # the side of those spared halves (LEFT or RIGHT)
    perineal: str | None = None  # a perineal region this sensation entry records ...
    perineal_side: str | None = None  # ... on this side (None: the region as a whole)
    sphincter_symptom: bool = False  # a bladder or bowel complaint (observe: unreported sphincter)


def entry_effect(model: LikelihoodModel, case: Case) -> EntryEffect:
    """Read a case holding one entry (or only patient and history) with the engine itself."""
    # the silent side and an unreported sphincter complaint depend on the whole case (_counts)
    obs = [
        o for o in observe(case, {}, model.kb) if not o.key.startswith("complaint:") and o.key != UNREPORTED_SPHINCTER
    ]
    # observe: a perineal half found abnormal states the other half spared unless the case
    # records that half; whether it does is known only for the whole case (see _counts)
    perineal = next((s for s in case.exam.sensation if s.region in V.MIDLINE_REGIONS), None)
    spared = [
        o
        for o in obs
        if perineal is not None
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
        if o.state not in _NOT_ABNORMAL and not o.base_key.startswith(_AXIAL):
            abnormal |= {"left": LEFT, "right": RIGHT, "either": EITHER}.get(o.base_key.rsplit(":", 1)[-1], 0)
    facts = base_facts(case)
    features = frozenset(f for f in facts.features if f not in _CASE_LEVEL and not f.startswith("single_region:"))
    symptom = case.symptoms[0] if case.symptoms else None
    complaint = _bits(symptom.side) if symptom else 0
    s: StrengthFinding | SensationFinding
    for s in case.exam.strength:
        complaint |= _bits(s.side) if s.mrc < 5 else 0
    for s in case.exam.sensation:
        complaint |= _bits(s.side) if s.finding != "normal" else 0
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
        weakness_sides=weakness,
        exam_given="exam_given" in facts.features,
        exam_normal="exam:normal" in facts.features,
        symptom_region=symptom.region if symptom else None,
        spared_columns=np.array([model.column[(o.key, o.state)] for o in spared], dtype=np.intp),
        spared_side=_bits(spared[0].key.rsplit(":", 1)[-1]) if spared else 0,
        perineal=perineal.region if perineal else None,
        perineal_side=perineal.side if perineal else None,
        sphincter_symptom=symptom is not None and symptom.kind in model.kb.visceral,
    )


@dataclass
class CohortInput:
    """A cohort as arrays.  Every row (an entry, or one item of patient and history) points
    at its case and at the effect of its distinct content; each case points at the prior
    shift of its risk factors."""

    n_cases: int
    row_case: np.ndarray  # (R,) case index of each row
    row_entry: np.ndarray  # (R,) index into ``entries``
    entries: Sequence[EntryEffect]
    case_shift: np.ndarray  # (n,) index into ``shifts``
    shifts: np.ndarray  # (S, B, H) prior shift by factor set and age band (CohortModel.factor_shift)
    age: np.ndarray  # (n,) float, NaN unknown
    duration: np.ndarray  # (n,) float, NaN unknown


@dataclass
class CohortScores:
    sites: list[np.ndarray]  # per rank: site id of each case
    sides: list[np.ndarray]
    probabilities: np.ndarray  # (n, k) floored to four decimals, as the assessment shows them
    levels: np.ndarray  # (n,) triage level
    rules: list[str]  # per case: the rules that set the level, ';'-joined
    extra: dict[str, np.ndarray] = field(default_factory=dict)


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


def _per_row(entries: Sequence[EntryEffect], attr: str, dtype: npt.DTypeLike) -> np.ndarray:
    return np.array([getattr(e, attr) for e in entries], dtype=dtype)


class _Columns:
    """Facts of every case as columns: features (bool) and values (float, NaN unknown)."""

    def __init__(self, data: CohortInput, guidance: GuidanceKnowledge):
        self.d, self.guidance = data, guidance
        self._features: dict[str, np.ndarray] = {}
        self._values: dict[str, np.ndarray] = {"age": data.age, "duration_days": data.duration}

    @cached_property
    def _by_entry(self) -> sparse.csr_matrix:
        """(entries x cases): which cases hold each distinct entry (rows of one entry at hand)."""
        d = self.d
        return sparse.csr_matrix(
            (np.ones(len(d.row_entry), dtype=np.int8), (d.row_entry, d.row_case)), shape=(len(d.entries), d.n_cases)
        )

    def _any_row(self, mask_per_entry: np.ndarray) -> npt.NDArray[np.bool_]:
        out = np.zeros(self.d.n_cases, dtype=bool)
        entries = np.flatnonzero(mask_per_entry)
        if len(entries):
            out[self._by_entry[entries].indices] = True
        return out

    def feature(self, name: str) -> np.ndarray:
        found = self._features.get(name)
        if found is None:
            found = self._compute(name)
            self._features[name] = found
        return found

    def _compute(self, name: str) -> np.ndarray:
        d = self.d
        if name in self.guidance.derived:
            return self.condition(self.guidance.derived[name])
        if name == "exam:normal":
            given = self._any_row(_per_row(d.entries, "exam_given", bool))
            abnormal = self._any_row(
                _per_row(d.entries, "exam_given", bool) & ~_per_row(d.entries, "exam_normal", bool)
            )
            return given & ~abnormal
        if name == "symptom:weakness:not_refuted_by_exam":
            return self._weakness_not_refuted()
        if name.startswith("single_region:"):
            single: np.ndarray = self._single_region() == name.split(":", 1)[1]
            return single
        return self._any_row(np.array([name in e.features for e in d.entries], dtype=bool))

    def value(self, name: str) -> np.ndarray:
        found = self._values.get(name)
        if found is None:
            d = self.d
            per_entry = np.array([e.values.get(name, np.nan) for e in d.entries], dtype=float)
            entries = np.flatnonzero(~np.isnan(per_entry))
            sub = self._by_entry[entries].tocoo()
            found = np.full(d.n_cases, np.nan)
            # facts.py: grades keep the lowest, severities and laboratory values the highest
            reduce = np.fmin if name.startswith(("min_mrc", "recorded_min_mrc")) else np.fmax
            reduce.at(found, sub.col, per_entry[entries][sub.row])
            self._values[name] = found
        return found

    def _weakness_not_refuted(self) -> np.ndarray:
        """facts._weakness_symptom_counts: a weakness symptom counts unless every movement
        examined on its side(s) is graded 5; with none examined there, it counts."""
        d = self.d
        sides = _per_row(d.entries, "weakness_sides", np.int64)[d.row_entry]
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
        d = self.d
        names = sorted({e.symptom_region for e in d.entries if e.symptom_region})
        code: dict[str | None, int] = {n: i for i, n in enumerate(names)}
        per_entry = np.array([code.get(e.symptom_region, -1) for e in d.entries], dtype=np.int64)
        region = per_entry[d.row_entry]
        rows = region >= 0
        pairs = np.unique(d.row_case[rows] * (len(names) + 1) + region[rows])
        cases, regions = pairs // (len(names) + 1), pairs % (len(names) + 1)
        count = np.bincount(cases, minlength=d.n_cases)
        only = np.full(d.n_cases, "", dtype=object)
        single = count[cases] == 1
        only[cases[single]] = np.array(names, dtype=object)[regions[single]]
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


def _expand(entries: Sequence[EntryEffect], row_entry: np.ndarray, attr: str) -> tuple[np.ndarray, np.ndarray]:
    """Per entry row, the concatenated per-observation values of its entry (CSR expansion)."""
    lengths = np.array([len(e.columns) for e in entries], dtype=np.intp)
    start = np.concatenate([[0], np.cumsum(lengths)])
    flat = np.concatenate([getattr(e, attr) for e in entries]) if len(entries) else np.zeros(0)
    counts = lengths[row_entry]
    owner = np.repeat(np.arange(len(row_entry), dtype=np.intp), counts)
    offset = np.arange(counts.sum(), dtype=np.intp) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, flat[start[row_entry][owner] + offset]


class CohortModel:
    """The model's tables in the shapes cohort scoring needs, built once per model."""

    def __init__(self, model: LikelihoodModel, guidance: GuidanceKnowledge):
        self.model, self.guidance = model, guidance
        self.table = np.ascontiguousarray(model.log_lik.T)  # (J, H) float64, as single assessments use
        self.group_matrix = np.zeros((len(model.hypotheses), len(model.group_keys)))  # hypothesis -> its site group
        self.group_matrix[np.arange(len(model.hypotheses)), model.group_index] = 1.0
        self.complaint = {side: model.column[(f"complaint:{side}", "absent")] for side in ("left", "right")}
        self.unreported = model.column[(UNREPORTED_SPHINCTER, "present")]
        self.levels = tuple(level["level"] for level in guidance.triage)
        keys = model.group_keys
        self.group_site = np.array([k[0] for k in keys], dtype=object)
        self.group_side = np.array([k[1] for k in keys], dtype=object)
        self.hypothesis_levels = np.array(["-".join(h.levels or ()) for h in model.hypotheses], dtype=object)
        self.age_thresholds = age_thresholds(model.kb.parameters["background_polyneuropathy"]["odds_ratio"])

    def factor_shift(self, factors: frozenset[str]) -> np.ndarray:
        """(B, H): the prior shift for these factors in each age band (``age_band``): age
        unknown, then below the first threshold, then from each threshold on."""
        feats = frozenset(f"factor:{f}" for f in factors)
        ages: list[int | None] = [None, 0, *self.age_thresholds]
        return np.stack([self.model.prior_shift(feats, age) for age in ages])

    def age_band(self, age: np.ndarray) -> np.ndarray:
        """(n,) each case's row of ``factor_shift`` (NaN: age unknown)."""
        band = 1 + np.searchsorted(np.array(self.age_thresholds, dtype=float), np.nan_to_num(age, nan=0.0), "right")
        return np.where(np.isnan(age), 0, band).astype(np.intp)

    def score(self, data: CohortInput, top: int = 3) -> CohortScores:
        model, d = self.model, data
        n = d.n_cases
        counts = self._counts(d)
        scores = np.asarray(counts @ self.table)
        scores /= model.temperature
        scores += model.log_prior
        scores += d.shifts[d.case_shift, self.age_band(d.age)]
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        mass = scores @ self.group_matrix
        mass **= model.site_sharpness
        mass /= mass.sum(axis=1, keepdims=True)
        order = _leading(mass, top)
        probs = _floor4(np.take_along_axis(mass, order, axis=1))
        symptomatic = self._symptomatic_side(d)
        rows = np.arange(n)
        sites = [self.group_site[order[:, r]] for r in range(order.shape[1])]
        sides = [
            np.where(self.group_side[order[:, r]] == "symptomatic", symptomatic, self.group_side[order[:, r]])
            for r in range(order.shape[1])
        ]
        levels, rules = self._triage(d)
        return CohortScores(
            sites=sites,
            sides=sides,
            probabilities=probs,
            levels=levels,
            rules=rules,
            extra={"levels": self._levels(scores, order[rows, 0])},
        )

    def _levels(self, posterior: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Per case, the levels of its leading group: its best member's range, as
        ``localize.group_sites`` reports them."""
        weights = np.where(self.model.group_index[None, :] == group[:, None], posterior, -1.0)
        levels: np.ndarray = self.hypothesis_levels[np.argmax(weights, axis=1)]
        return levels

    def _counts(self, d: CohortInput) -> sparse.csr_matrix:
        """The (cases x columns) count matrix, as ``observe`` would list each case."""
        model = self.model
        owner, cols = _expand(d.entries, d.row_entry, "columns")
        _, vcols = _expand(d.entries, d.row_entry, "variant_columns")
        _, vages = _expand(d.entries, d.row_entry, "variant_ages")
        case = d.row_case[owner]
        age = np.nan_to_num(d.age, nan=-np.inf)
        cols = np.where(age[case] >= vages, vcols, cols)
        silent_case, silent_cols = self._silent_sides(d)
        spared_case, spared_cols = self._spared_halves(d)
        # observe: complaints recorded, none of them bladder or bowel trouble
        unreported = np.flatnonzero(self._any(d, "is_symptom") & ~self._any(d, "sphincter_symptom"))
        rows = np.concatenate([case, silent_case, spared_case, unreported])
        columns = np.concatenate([cols, silent_cols, spared_cols, np.full(len(unreported), self.unreported)]).astype(
            np.intp
        )
        counts = sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(d.n_cases, len(model.column)))
        counts.sum_duplicates()
        # one observation per finding and state however many entries name it (observe.add)
        np.minimum(counts.data, 1.0, out=counts.data)
        return counts

    def _spared_halves(self, d: CohortInput) -> tuple[np.ndarray, np.ndarray]:
        """observe._add_spared_halves: the other half of a perineal region found abnormal on
        one side counts as examined normal, once, unless the case records that half, both
        sides or the region as a whole."""
        lengths = np.array([len(e.spared_columns) for e in d.entries])
        rows = np.flatnonzero(lengths[d.row_entry] > 0)
        if not len(rows):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
        regions = sorted({e.perineal for e in d.entries if e.perineal})
        slot = {
            (r, side): i
            for i, r in enumerate(regions)
            for side, i in ((None, 4 * i), ("left", 4 * i + 1), ("right", 4 * i + 2), ("bilateral", 4 * i + 3))
        }
        bit = np.array(
            [1 << slot[(e.perineal, e.perineal_side)] if e.perineal else 0 for e in d.entries], dtype=np.int64
        )
        recorded = np.zeros(d.n_cases, dtype=np.int64)
        np.bitwise_or.at(recorded, d.row_case, bit[d.row_entry])
        cases, cols = [], []
        for row in rows:
            e = d.entries[d.row_entry[row]]
            other = "left" if e.spared_side == LEFT else "right"
            blocking = sum(1 << slot[(e.perineal, side)] for side in (other, "bilateral", None))
            if not recorded[d.row_case[row]] & blocking:
                cases.extend([d.row_case[row]] * len(e.spared_columns))
                cols.extend(e.spared_columns)
        pairs = np.unique(np.array([cases, cols], dtype=np.intp).reshape(2, -1), axis=1)
        return pairs[0], pairs[1]

    def _or(self, d: CohortInput, attr: str) -> np.ndarray:
        out = np.zeros(d.n_cases, dtype=np.int64)
        np.bitwise_or.at(out, d.row_case, _per_row(d.entries, attr, np.int64)[d.row_entry])
        return out

    def _silent_sides(self, d: CohortInput) -> tuple[np.ndarray, np.ndarray]:
        """observe._add_silent_sides: with one-sided complaints (or, without complaints,
        abnormal findings on one side only) the other side is evidence of no lesion there."""
        abnormal = self._or(d, "abnormal_sides")
        touched = (abnormal & (LEFT | RIGHT)) | self._or(d, "symptom_sides")
        any_symptom = self._any(d, "is_symptom")
        lateral = self._any(d, "lateral_symptom")
        one_side = (touched == LEFT) | (touched == RIGHT)
        applies = ((abnormal & EITHER) == 0) & (lateral | (~any_symptom & one_side))
        cases, cols = [], []
        for bit, side in ((LEFT, "left"), (RIGHT, "right")):
            hit = np.flatnonzero(applies & ((touched & bit) == 0))
            cases.append(hit)
            cols.append(np.full(len(hit), self.complaint[side], dtype=np.intp))
        return np.concatenate(cases), np.concatenate(cols)

    def _any(self, d: CohortInput, attr: str) -> np.ndarray:
        out = np.zeros(d.n_cases, dtype=bool)
        flags = _per_row(d.entries, attr, bool)[d.row_entry]
        out[d.row_case[flags]] = True
        return out

    def _symptomatic_side(self, d: CohortInput) -> np.ndarray:
        """localize.symptomatic_side: the side complaints and abnormal findings are on."""
        sides = self._or(d, "complaint_sides")
        return np.where(sides == LEFT, "left", np.where(sides == RIGHT, "right", "bilateral")).astype(object)

    def _triage(self, d: CohortInput) -> tuple[np.ndarray, list[str]]:
        """The policy as column expressions: the first level with a rule that fires."""
        cols = _Columns(d, self.guidance)
        n = d.n_cases
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
        patterns, inverse = np.unique(fired, axis=0, return_inverse=True)
        words = [";".join(i for i, on in zip(ids, row, strict=True) if on) or ROUTINE_RULE for row in patterns]
        return np.array(self.levels, dtype=object)[level], [words[k] for k in inverse.reshape(-1)]

"""Facts about a case, and the small condition language the guidance data files use.

Why: triage, causes, work-up and advice are all rules of the form "when these findings
are present, then ...".  Keeping the *rules* in sourced YAML and only the generic reading
of a case here means no medical judgement hides in code, and every rule can be checked
against the vocabulary when the data loads.

A case is read into two things:

* ``features``: a frozenset of strings, each a plain fact (``factor:diabetes``,
  ``symptom:pain:groin``, ``symptom:pain:provoked_by:walking``, ``reflex:anal_wink:absent``,
  ``imaging:mri_pelvis:mass``);
* ``values``: numbers (``duration_days``, ``min_mrc:left``, ``lab:hba1c``).  ``min_mrc*``
  is the neurological grade (a grade marked ``limited_by`` pain or effort counts as 5);
  ``recorded_min_mrc*`` is the grade as written (case-format 1.1, section 5).

A condition is a feature string, ``{all|any|none: [conditions]}``, or a comparison
``{value: NAME, lt|le|ge|gt: NUMBER, unknown: BOOL}`` (``unknown`` is the answer when the
value is missing; default false).  Context from earlier steps (site and cause
probabilities, triage) is added with :meth:`Facts.extend`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import CodeType, MappingProxyType
from typing import Any, TypeAlias

from plexnav import vocabulary as V
from plexnav.case import Case, Investigation, StrengthFinding, Symptom
from plexnav.engine.memo import memo_store, once_per_object

# a feature string or {all|any|none: [conditions]} / {value: NAME, lt|le|ge|gt: NUMBER,
# unknown: BOOL}, as read from the knowledge files
Condition: TypeAlias = str | Mapping[str, Any]


@dataclass(frozen=True)
class Facts:
    features: frozenset[str]
    values: Mapping[str, float] = field(default_factory=dict)

    def has(self, feature: str) -> bool:
        return feature in self.features

    def extend(self, features: Iterable[str] = (), values: Mapping[str, float] | None = None) -> Facts:
        merged = dict(self.values)
        merged.update(values or {})
        return Facts(self.features | frozenset(features), MappingProxyType(merged))


def _sides(side: str | None) -> tuple[str, ...]:
    if side == "bilateral":
        return ("left", "right")
    return (side,) if side in V.LATERAL_SIDES else ()


def _min(values: dict[str, float], key: str, number: float) -> None:
    values[key] = min(values.get(key, number), number)


def _max(values: dict[str, float], key: str, number: float) -> None:
    values[key] = max(values.get(key, number), number)


def _history(case: Case, feats: set[str], values: dict[str, float]) -> None:
    h = case.history
    feats.update(f"factor:{f}" for f in h.factors)
    if h.onset:
        feats.add(f"onset:{h.onset}")
    if h.course:
        feats.add(f"course:{h.course}")
    if h.duration_days is not None:
        values["duration_days"] = float(h.duration_days)
    if case.patient.age is not None:
        values["age"] = float(case.patient.age)
    if case.patient.sex:
        feats.add(f"sex:{case.patient.sex}")


def _symptoms(case: Case, feats: set[str], values: dict[str, float]) -> None:
    regions: set[str] = set()
    for s in case.symptoms:
        feats.update({"symptoms_given", f"symptom:{s.kind}"})
        if s.region:
            regions.add(s.region)
            feats.add(f"symptom:{s.kind}:{s.region}")
        if s.side == "bilateral":
            feats.add(f"symptom:{s.kind}:bilateral")
        if s.kind == "pain":
            # A pain with no region is not in the lower back: it counts as limb pain.
            if s.region != "lower_back":
                feats.add("symptom:pain:not_lower_back")
            if s.quality:
                feats.add(f"pain_quality:{s.quality}")
        if s.severity is not None:
            _max(values, f"max_severity:{s.kind}", s.severity)
        if s.activity:
            feats.add(f"activity:{s.activity}")
        if s.onset_sudden_severe:
            feats.add(f"symptom:{s.kind}:onset_sudden_severe")
        # (1.1) what brings the symptom on and what eases it (claudication, mechanical pain)
        feats.update(f"symptom:{s.kind}:provoked_by:{x}" for x in s.provoked_by or ())
        feats.update(f"symptom:{s.kind}:relieved_by:{x}" for x in s.relieved_by or ())
    if len(regions) == 1:
        feats.add(f"single_region:{next(iter(regions))}")


def _exam(case: Case, feats: set[str], values: dict[str, float]) -> None:
    ex = case.exam
    abnormal = False
    for f in ex.strength:
        feats.add("exam_given")
        # min_mrc*: the neurological grade (case-format 1.1: a grade marked limited_by
        # counts as 5); recorded_min_mrc*: the grade as written, for the few triage
        # clauses where pain can hide a real deficit.
        sides = _sides(f.side)
        for prefix, grade in (("min_mrc", f.neurological_mrc), ("recorded_min_mrc", f.mrc)):
            _min(values, prefix, grade)
            _min(values, f"{prefix}:{f.movement}", grade)
            for side in sides:
                _min(values, f"{prefix}:{side}", grade)
        if f.limited_by:
            feats.update({"strength:limited_by", f"strength:limited_by:{f.limited_by}"})
        abnormal |= f.mrc < 5
    for r in ex.reflexes:
        feats.update({"exam_given", f"reflex:{r.reflex}:{r.grade}", f"reflex:any:{r.grade}"})
        abnormal |= r.grade in ("absent", "reduced", "brisk", "extensor")
    for s in ex.sensation:
        feats.update({"exam_given", f"sensation:{s.region}:{s.finding}", f"sensation:any:{s.finding}"})
        abnormal |= s.finding != "normal"
    for g in ex.signs:
        feats.add("exam_given")
        if g.present:
            feats.add(f"sign:{g.sign}")
            if g.region:
                feats.add(f"sign:{g.sign}:{g.region}")
            abnormal = True
        else:
            feats.add(f"sign:{g.sign}:negative")
    if "exam_given" in feats and not abnormal:
        feats.add("exam:normal")


def _electro(case: Case, feats: set[str]) -> None:
    ed = case.electrodiagnosis
    for n in ed.nerve_conduction:
        feats.update({"edx_given", f"ncs:{n.study}:{n.result}", f"ncs:any:{n.result}"})
    for m in ed.needle_emg:
        feats.update({"edx_given", "emg_given", f"emg:{m.muscle}:{m.result}", f"emg:any:{m.result}"})


def _investigations(case: Case, feats: set[str], values: dict[str, float]) -> None:
    for inv in case.investigations:
        feats.add(f"test:{inv.test}")
        if inv.value is not None:
            _max(values, f"lab:{inv.test}", inv.value)
        if inv.finding is not None:
            feats.update({f"imaging:{inv.test}:{inv.finding}", f"imaging:any:{inv.finding}"})
            if inv.site is not None:  # 'nerve:tibial' -> imaging_on:nerve:mass
                feats.add(f"imaging_on:{inv.site.split(':')[0]}:{inv.finding}")
            if inv.level is not None and inv.level.split("-")[0] in CONUS_LEVELS:
                feats.add(f"imaging_level:conus:{inv.finding}")
            if inv.finding in STRUCTURAL_FINDINGS:
                reached = roots_reached(inv)
                feats.update(f"scan_reaches:root:{r}" for r in reached or ())
                if reached is None:
                    feats.add("scan_reaches:unlevelled")
            kind = "mass" if inv.finding == "mass" else "structural" if inv.finding in STRUCTURAL_FINDINGS else None
            if kind is not None and inv.level is not None:
                feats.update(f"imaging_segment:{kind}:{s}" for s in level_segments(inv.level))
    feats.update(mass_at_structural_level(feats))


# the vertebral segments a scan's level names, in order (case format: T1-T12, L1-L5, S1-S5)
SEGMENTS = (*(f"T{i}" for i in range(1, 13)), *(f"L{i}" for i in range(1, 6)), *(f"S{i}" for i in range(1, 6)))
MASS_AT_STRUCTURAL_LEVEL = "imaging_mass_at_structural_level"


def level_segments(level: str) -> tuple[str, ...]:
    """'L4-L5' -> ('L4', 'L5'); 'L2-L4' -> ('L2', 'L3', 'L4'); 'S1' -> ('S1',)."""
    ends = [SEGMENTS.index(s) for s in level.split("-")]
    return SEGMENTS[min(ends) : max(ends) + 1]


def mass_at_structural_level(features: Collection[str]) -> set[str]:
    """A mass reported at a level that a disc or a narrowing shares (a facet cyst or a
    sequestered fragment beside the stenosis it comes from, often reported as a mass), read
    over the whole case from per-entry pieces ``imaging_segment:<mass|structural>:<segment>``,
    so the cohort scorer rebuilds the same fact from its rows."""
    both = any(
        f"imaging_segment:mass:{s}" in features and f"imaging_segment:structural:{s}" in features for s in SEGMENTS
    )
    return {MASS_AT_STRUCTURAL_LEVEL} if both else set()


# a disc or a narrowing: wear and tear of the spine that can press a root (definitions.yaml
# spine_structural)
STRUCTURAL_FINDINGS = ("disc_herniation", "foraminal_stenosis", "canal_stenosis")
_EXITING_POSITIONS = ("foraminal", "extraforaminal")  # imaging.yaml positions: the rest traverse


def roots_reached(inv: Investigation, *, canal_exiting: bool = True) -> frozenset[str] | None:
    """The lumbosacral roots a disc or a narrowing can press, by the disc nomenclature the
    localization reads it with (imaging.yaml positions; Fardon 2014): a foraminal finding
    presses the root exiting at its level, a paracentral disc the one traversing it, a
    central one or a narrow canal the roots in the canal there (the exiting root at its
    foramen's mouth, unless ``canal_exiting`` is off, and every root below), a disc of
    unknown position the exiting or the traversing root.  A named root is that root.  None:
    the report gives neither a level nor a root (it may lie anywhere).  With
    ``canal_exiting`` off the roots are those the finding presses head-on, as an operation
    on it would free them."""
    if inv.site is not None and inv.site.startswith("root:"):
        return frozenset({inv.site[5:]})
    if inv.level is None:
        return None
    first = inv.level.split("-")[0]
    if first not in V.ROOT_LEVELS[:6] or (first == "L1" and "-" not in inv.level):
        return frozenset()  # the cord or the conus: above the roots' own levels
    i = V.ROOT_LEVELS.index(first)
    exiting, traversing = first, V.ROOT_LEVELS[i + 1]
    if inv.finding == "canal_stenosis" or inv.position == "central":
        return frozenset(V.ROOT_LEVELS[i if canal_exiting else i + 1 :])
    if inv.finding == "foraminal_stenosis" or inv.position in _EXITING_POSITIONS:
        return frozenset({exiting})
    if inv.position is not None:
        return frozenset({traversing})
    return frozenset({exiting, traversing})


# vertebral levels where the conus lies (imaging.yaml cord_levels: T12-L1, with T11 and L1)
CONUS_LEVELS = ("T11", "T12", "L1")

# Case-format section 5, "Reading the rules": a leg region is any skin region but these.
NON_LEG_REGIONS = ("lower_back", "lower_abdomen", "saddle", "genital")
PERINEAL_REGIONS = ("saddle", "genital")


def _weakness_symptom_counts(symptom: Symptom, strength: Sequence[StrengthFinding]) -> bool:
    """Triage 1.1, progressive weakness: a weakness symptom does not count when every
    movement examined on its side (both sides when it has none, or it is bilateral) is
    graded 5 (limited_by counts as 5).  With no movement examined there, it counts."""
    sides = _sides(symptom.side) if symptom.side in ("left", "right") else ("left", "right")
    grades = [f.neurological_mrc for f in strength if set(_sides(f.side)) & set(sides)]
    return not grades or any(g < 5 for g in grades)


def _triage_readings(case: Case, feats: set[str]) -> None:
    """Groupings the 1.1 triage clauses read (leg regions, perineal regions, weakness
    symptoms the examination does not contradict)."""
    for s in case.symptoms:
        if s.kind in ("numbness", "tingling") and s.region and s.region not in NON_LEG_REGIONS:
            feats.add(f"symptom:{s.kind}:leg_region")
        # a symptom with no region is not recorded in the perineum: it counts as outside it
        if s.kind in ("pain", "numbness", "tingling") and s.region not in PERINEAL_REGIONS:
            feats.add(f"symptom:{s.kind}:not_perineal")
        if s.kind == "weakness" and _weakness_symptom_counts(s, case.exam.strength):
            feats.add("symptom:weakness:not_refuted_by_exam")
    for f in case.exam.sensation:
        if f.region not in NON_LEG_REGIONS:
            feats.add(f"sensation:leg_region:{f.finding}")


# a merely reduced reflex is left out: the softest sign, often age's (an ankle jerk is
# reduced or absent in about a quarter of healthy people over 60, Vrancken 2006)
_SIDE_MARKING_REFLEX = ("absent", "brisk", "extensor")


def _affected_sides(case: Case) -> set[str]:
    """The legs the case records something wrong with: a complaint, an abnormal examination
    finding (a reflex only when absent or brisk) or an abnormal nerve test on that side
    ('bilateral' counts for both)."""
    sides: list[str | None] = [s.side for s in case.symptoms]
    ex = case.exam
    sides += [f.side for f in ex.strength if f.neurological_mrc < 5]
    sides += [r.side for r in ex.reflexes if r.grade in _SIDE_MARKING_REFLEX]
    sides += [s.side for s in ex.sensation if s.finding != "normal"]
    sides += [g.side for g in ex.signs if g.present]
    sides += [n.side for n in case.electrodiagnosis.nerve_conduction if n.result != "normal"]
    sides += [e.side for e in case.electrodiagnosis.needle_emg if e.result != "normal"]
    return {one for side in sides for one in _sides(side)}


def _offside_imaging(case: Case, feats: set[str]) -> None:
    """Per-entry pieces (``side_affected:<side>``, ``imaging_side:<side|none>:<finding>``) and
    what they add up to over the case (:func:`offside_only`).  The pieces are unions over the
    case's entries, so the cohort scorer rebuilds the same fact from its rows."""
    feats.update(f"side_affected:{side}" for side in _affected_sides(case))
    for inv in case.investigations:
        if inv.finding is not None and inv.finding != "normal":
            for side in _sides(inv.side) or ("none",):
                feats.add(f"imaging_side:{side}:{inv.finding}")
    feats.update(offside_only(feats))


def offside_only(features: Collection[str]) -> set[str]:
    """``imaging_offside_only:<finding>``: every report of the finding names a side, and none
    of those sides is one the case records anything wrong with (a cyst on the right S2 root in
    someone whose trouble is all in the left leg): an incidental finding, not the lesion."""
    affected = [side for side in ("left", "right") if f"side_affected:{side}" in features]
    if len(affected) != 1:
        return set()
    other = V.other_side(affected[0])
    return {
        f"imaging_offside_only:{finding}"
        for finding in V.IMAGING_FINDINGS
        if f"imaging_side:{other}:{finding}" in features
        and f"imaging_side:{affected[0]}:{finding}" not in features
        and f"imaging_side:none:{finding}" not in features
    }


def base_facts(case: Case) -> Facts:
    """Every plain fact the case states; nothing is inferred, nothing unknown becomes normal."""
    feats: set[str] = set()
    values: dict[str, float] = {}
    _history(case, feats, values)
    _symptoms(case, feats, values)
    _exam(case, feats, values)
    _electro(case, feats)
    _investigations(case, feats, values)
    _offside_imaging(case, feats)
    _triage_readings(case, feats)
    return Facts(frozenset(feats), MappingProxyType(values))


def with_derived(facts: Facts, derived: Mapping[str, Condition]) -> Facts:
    """Add the data-defined derived features (e.g. ``diabetes``) in file order (a later one
    may use an earlier one)."""
    return once_per_object(_DERIVERS, derived, lambda: _compile_derived(derived))(facts)


def holds(condition: Condition, facts: Facts) -> bool:
    """Evaluate one condition (see the module docstring for the grammar)."""
    if isinstance(condition, str):
        return condition in facts.features
    return _compiled(condition)(facts)


# Conditions come from the immutable knowledge files and are evaluated hundreds of times
# per case, so each is turned once into one generated Python function (a flat boolean
# expression over the case's features and values: no nested closures or generators).  The
# memo keeps the condition object itself, so an id is never reused for a different
# condition; it changes no result.
_COMPILED = memo_store("facts.compiled")
_OPERATORS = {"lt": "<", "le": "<=", "ge": ">=", "gt": ">"}


def _compiled(condition: Condition) -> Callable[[Facts], bool]:
    return once_per_object(_COMPILED, condition, lambda: _compile(condition))


class _Expressions:
    """Turns conditions into Python boolean expressions.  Data strings become string
    literals (``repr`` writes a quoted, escaped literal that evaluates to the same string:
    data never becomes code), other data literals constants passed in ``C``; every
    expression is a bool (membership, comparison, and/or/not of those)."""

    def __init__(self) -> None:
        self.constants: list[object] = []
        self.variables = 0

    def const(self, value: object) -> str:
        if type(value) is str:
            return repr(value)
        self.constants.append(value)
        return f"C[{len(self.constants) - 1}]"

    def expr(self, node: Condition) -> str:
        if isinstance(node, str):
            return f"({self.const(node)} in f)"
        for word, joiner, empty in (("all", " and ", "True"), ("any", " or ", "False")):
            if word in node:
                parts = [self.expr(c) for c in node[word]]
                return f"({joiner.join(parts)})" if parts else empty
        if "none" in node:
            parts = [self.expr(c) for c in node["none"]]
            return f"(not ({' or '.join(parts)}))" if parts else "True"
        var = f"x{self.variables}"
        self.variables += 1
        tests = [f"{var} {_OPERATORS[op]} {self.const(float(node[op]))}" for op in _OPERATORS if op in node]
        unknown = "True" if node.get("unknown", False) else "False"
        known = " and ".join(tests) if tests else "True"
        return f"({unknown} if ({var} := v.get({self.const(node['value'])})) is None else ({known}))"

    def function(self, body: str, names: Mapping[str, object] | None = None) -> Callable[[Facts], Any]:
        source = f"def generated(facts, C=C):\n    f = facts.features\n    v = facts.values\n{body}"
        namespace: dict[str, Any] = {"C": tuple(self.constants), **(names or {})}
        # the code is built above from the grammar; data strings are escaped literals (repr),
        # every other data literal is passed as a constant
        code = COMPILED_SOURCES.get(source)
        if code is None:
            code = COMPILED_SOURCES[source] = compile(source, "<plexnav conditions>", "exec")
        exec(code, namespace)  # noqa: S102
        generated: Callable[[Facts], Any] = namespace["generated"]
        return generated


# generated source -> its compiled code: the same source always compiles to the same code,
# and plexnav.modelcache keeps these with the engine snapshot (compiling is most of the cost
# of a command's first conditions)
COMPILED_SOURCES: dict[str, CodeType] = {}


def _compile(condition: Condition) -> Callable[[Facts], bool]:
    """One generated function for one condition."""
    build = _Expressions()
    return build.function(f"    return {build.expr(condition)}\n")


def _compile_derived(derived: Mapping[str, Condition]) -> Callable[[Facts], Facts]:
    """One generated function adding each derived feature whose condition holds, in order."""
    build = _Expressions()
    lines = ["    f = set(f)"]
    for name, condition in derived.items():
        lines.append(f"    if {build.expr(condition)}:\n        f.add({build.const(name)})")
    lines.append("    return Facts(frozenset(f), v)")
    namespace_facts = build.function("\n".join(lines) + "\n", {"Facts": Facts})
    return namespace_facts


_DERIVERS = memo_store("facts.derivers")


def compile_each(conditions: Sequence[Condition | None]) -> Callable[[Facts], tuple[bool, ...]]:
    """One generated function answering every condition of a list (``None``: always true)."""
    build = _Expressions()
    parts = ["True" if c is None else build.expr(c) for c in conditions]
    return build.function(f"    return ({', '.join(parts)}{',' if len(parts) == 1 else ''})\n")


_COMPILED_EACH = memo_store("facts.compiled_each")


def holds_each(items: Sequence[Any] | Mapping[str, Any], facts: Facts, key: str | None = None) -> tuple[bool, ...]:
    """Evaluate a fixed list of conditions at once (one call instead of one per condition).

    ``items`` is an immutable sequence (or mapping: its values, in order) from the knowledge,
    compiled once and memoised by identity: conditions themselves, or with ``key`` records
    whose ``key`` entry is the condition (a record without one always applies)."""

    def build() -> Callable[[Facts], tuple[bool, ...]]:
        records = list(items.values()) if isinstance(items, Mapping) else items
        return compile_each(records if key is None else [item.get(key) for item in records])

    return once_per_object(_COMPILED_EACH, items, build, key)(facts)

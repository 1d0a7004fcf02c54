"""Case (input) and assessment (output) models of the plexnav exchange format, version 1.

Strict pydantic v2 models: JSON ``false`` is not a number, ``"3"`` is not a grade, and an
unknown field at any level is an error.  Parsing never raises a bare pydantic error to a
user: :func:`parse_case` turns every problem into :class:`CaseError` items that name the
JSON path, say what is wrong, list the valid choices and suggest the closest one.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from plexnav import vocabulary as V

Side = V.Side
MRC = Annotated[float, Field(ge=0, le=5)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _midline_side(owner: str, side: str | None) -> None:
    """Midline findings take ``bilateral`` or no side (case-format §1)."""
    if side in V.LATERAL_SIDES:
        raise ValueError(f"{owner} is a midline finding: give side 'bilateral' or leave it out, not '{side}'")


class Patient(_Strict):
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    sex: V.Sex | None = None


class History(_Strict):
    onset: V.Onset | None = None
    course: V.Course | None = None
    duration_days: Annotated[int, Field(ge=0)] | None = None
    factors: list[V.HistoryFactor] = Field(default_factory=list)


class Symptom(_Strict):
    kind: V.SymptomKind
    region: V.SkinRegion | None = None
    side: Side | None = None
    quality: V.PainQuality | None = None
    severity: Annotated[float, Field(ge=0, le=10)] | None = None
    activity: V.WeaknessActivity | None = None
    onset_sudden_severe: bool | None = None
    provoked_by: list[V.ProvokedBy] | None = None
    relieved_by: list[V.RelievedBy] | None = None

    @model_validator(mode="after")
    def _midline(self) -> Symptom:
        # bladder, bowel and sexual function are midline; saddle and genital skin may be
        # recorded on one side (revision 1.1: one-sided perineal syndromes)
        if self.kind in V.MIDLINE_SYMPTOMS:
            _midline_side(f"symptom '{self.kind}'", self.side)
        return self


class StrengthFinding(_Strict):
    movement: V.Movement
    side: Side
    mrc: MRC
    limited_by: V.LimitedBy | None = None

    @property
    def neurological_mrc(self) -> float:
        """The grade as a neurological deficit: a grade limited by pain or effort counts as 5."""
        return 5.0 if self.limited_by else self.mrc


class ReflexFinding(_Strict):
    reflex: V.Reflex
    side: Side | None = None
    grade: Literal[V.ReflexGrade, V.PlantarGrade]

    @model_validator(mode="after")
    def _grade_fits_reflex(self) -> ReflexFinding:
        if self.grade in V.PLANTAR_GRADES and self.reflex != "plantar":
            raise ValueError(f"grade '{self.grade}' applies only to the plantar reflex")
        if self.reflex in V.MIDLINE_REFLEXES:
            _midline_side(f"reflex '{self.reflex}'", self.side)
        elif self.side is None:
            raise ValueError(f"reflex '{self.reflex}' needs a side (left, right or bilateral)")
        return self


class SensationFinding(_Strict):
    region: V.SkinRegion
    side: Side | None = None
    finding: V.SensoryFinding

    @model_validator(mode="after")
    def _side_if_lateral(self) -> SensationFinding:
        # saddle and genital skin take any side or none (revision 1.1)
        if self.region not in V.MIDLINE_REGIONS and self.side is None:
            raise ValueError(f"region '{self.region}' needs a side (left, right or bilateral)")
        return self


class SignFinding(_Strict):
    sign: V.Sign
    region: V.MuscleRegion | None = None
    side: Side | None = None
    result: V.SignResult | None = None

    @model_validator(mode="after")
    def _region_and_result(self) -> SignFinding:
        regions = V.COMPARTMENT_REGIONS if self.sign == "tender_tense_compartment" else V.MUSCLE_REGIONS
        if self.sign in V.SIGNS_WITH_REGION and self.region not in regions:
            raise ValueError(f"sign '{self.sign}' needs a region: one of {', '.join(regions)}")
        if self.sign not in V.SIGNS_WITH_REGION and self.region is not None:
            raise ValueError(f"sign '{self.sign}' takes no region")
        if self.sign not in V.SIGNS_WITH_RESULT and self.result is not None:
            raise ValueError(f"sign '{self.sign}' takes no result (its presence is the finding)")
        if self.sign in V.MIDLINE_SIGNS:
            _midline_side(f"sign '{self.sign}'", self.side)
        return self

    @property
    def present(self) -> bool:
        """A sign is present unless its result says negative."""
        return self.result != "negative"


class Exam(_Strict):
    strength: list[StrengthFinding] = Field(default_factory=list)
    reflexes: list[ReflexFinding] = Field(default_factory=list)
    sensation: list[SensationFinding] = Field(default_factory=list)
    signs: list[SignFinding] = Field(default_factory=list)


class ConductionFinding(_Strict):
    study: V.NcsStudy
    side: Side
    result: V.NcsResult


class NeedleEmgFinding(_Strict):
    muscle: V.EmgMuscle
    side: Side | None = None
    result: V.EmgResult

    @model_validator(mode="after")
    def _side_unless_midline(self) -> NeedleEmgFinding:
        if self.side is None and self.muscle != "external_anal_sphincter":
            raise ValueError(f"muscle '{self.muscle}' needs a side (left, right or bilateral)")
        return self


class Electrodiagnosis(_Strict):
    nerve_conduction: list[ConductionFinding] = Field(default_factory=list)
    needle_emg: list[NeedleEmgFinding] = Field(default_factory=list)


class Investigation(_Strict):
    test: Literal[V.LabTest, V.ImagingTest]
    value: float | None = None
    finding: V.ImagingFinding | None = None
    level: Annotated[str, Field(pattern=V.SPINE_LEVEL_PATTERN)] | None = None
    side: Side | None = None
    site: V.Site | None = None
    position: V.ImagingPosition | None = None

    @model_validator(mode="after")
    def _value_or_finding(self) -> Investigation:
        if self.test in V.LAB_TESTS:
            if self.value is None:
                raise ValueError(f"laboratory test '{self.test}' needs a numeric 'value'")
            if self.finding is not None:
                raise ValueError(f"laboratory test '{self.test}' takes a 'value', not a 'finding'")
            for name in ("level", "side", "site", "position"):
                if getattr(self, name) is not None:
                    raise ValueError(f"laboratory test '{self.test}' takes no '{name}'")
        else:
            if self.finding is None:
                raise ValueError(f"imaging test '{self.test}' needs a 'finding'")
            if self.value is not None:
                raise ValueError(f"imaging test '{self.test}' takes a 'finding', not a 'value'")
        return self


def _empty(section: type[BaseModel]) -> Any:
    """A missing section as a fresh empty one per case (a default instance would be
    deep-copied for every case that leaves the section out: three times the validation
    time of a sparse case), shown in the JSON Schema with its empty default as before."""
    return Field(default_factory=section, json_schema_extra={"default": section().model_dump(mode="json")})


class Case(_Strict):
    """One patient's case: any section but ``format`` may be missing (unknown, not normal)."""

    format: V.CaseFormat
    id: str | None = None
    patient: Patient = _empty(Patient)
    history: History = _empty(History)
    symptoms: list[Symptom] = Field(default_factory=list)
    exam: Exam = _empty(Exam)
    electrodiagnosis: Electrodiagnosis = _empty(Electrodiagnosis)
    investigations: list[Investigation] = Field(default_factory=list)


class Expected(_Strict):
    """The answer key an evaluation case carries (case-format §6)."""

    site: V.Site | None = None
    side: Side | None = None
    triage: V.TriageLevel | None = None
    etiology: list[V.Cause] = Field(default_factory=list)
    levels: list[V.RootLevel] | None = None


# ----------------------------------------------------------------------------- assessment


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TriageAlert(_Out):
    """An emergency the case format's triage policy has no clause for (compartment syndrome,
    acute limb ischaemia): reported beside the policy's level, which stays as the policy sets it."""

    id: str
    level: V.TriageLevel
    text: str = Field(description="plain words for the patient")
    why: str = Field(description="for clinicians: the picture and the step it needs")


class Triage(_Out):
    level: V.TriageLevel
    reasons: list[str]
    rules: list[str] = Field(default_factory=list, description="ids of the policy rules that fired")
    alerts: list[TriageAlert] = Field(
        default_factory=list,
        description="emergencies beyond the policy, more urgent than its level (plexnav addition)",
    )


class ExplanationStep(_Out):
    """One finding's weight in a hypothesis: the message key and parameters every view renders."""

    finding: str
    key: str
    weight: float = Field(description="log-likelihood ratio (nats) against the competing hypotheses")
    text: str


class LocalizationEntry(_Out):
    site: V.Site
    side: Side
    probability: Annotated[float, Field(ge=0, le=1)]
    supporting: list[str]
    against: list[str]
    levels: list[V.RootLevel] | None = None
    detail: str | None = Field(None, description="lesion point inside the site, e.g. 'at the inguinal ligament'")
    hypothesis: str | None = Field(None, description="stable id of the engine hypothesis")
    explanation: list[ExplanationStep] = Field(default_factory=list)
    look_alikes: dict[str, float] | None = Field(
        None,
        description="for no_neurological_lesion: each look-alike's share of it (hip_joint, greater_trochanteric, "
        "sacroiliac, mechanical_back, vascular_claudication, functional, compartment, knee_joint, myopathy, "
        "distal_myopathy, acute_limb_ischaemia, tendon_achilles, tendon_quadriceps, tendon_tibialis_anterior, "
        "tendon_hamstring, tendon_tibialis_posterior, plantar_fasciitis, muscle_infarction, crps; "
        "none: no named look-alike), floored to four decimals",
    )
    forms: dict[str, float] | None = Field(
        None,
        description="for polyneuropathy: the share of each form its causes are weighed at (multifocal: several "
        "single nerves at once, a mononeuritis multiplex; none: the length-dependent forms), floored to four decimals",
    )


class EtiologyEntry(_Out):
    cause: V.Cause
    probability: Annotated[float, Field(ge=0, le=1)]
    reasons: list[str]


class WorkupEntry(_Out):
    test: V.WorkupTest
    priority: V.WorkupPriority
    why: str
    when: V.WorkupWhen | None = Field(None, description="how soon (revision 1.1)")


class NextFinding(_Out):
    finding: str
    why: str
    expected_information_gain: float | None = None


class ManagementEntry(_Out):
    option: str
    why: str
    category: str | None = None


class BackgroundEntry(_Out):
    """A second, background process held beside the focal site (e.g. a length-dependent
    polyneuropathy under an L5 radiculopathy)."""

    site: V.Site
    side: Side
    probability: Annotated[float, Field(ge=0, le=1)]
    why: str = ""
    detail: str | None = Field(
        None, description="what the background is where its site says too little (an old upper motor neuron lesion)"
    )


class GuidanceEntry(_Out):
    topic: str
    text: str


class Assessment(_Out):
    format: V.AssessmentFormat = V.ASSESSMENT_FORMAT
    case_id: str | None
    knowledge_version: str
    triage: Triage
    localization: list[LocalizationEntry]
    background: list[BackgroundEntry] = Field(default_factory=list)
    etiology: list[EtiologyEntry] = Field(default_factory=list)
    workup: list[WorkupEntry] = Field(default_factory=list)
    next_best_findings: list[NextFinding] = Field(default_factory=list)
    management: list[ManagementEntry] = Field(default_factory=list)
    recovery: list[GuidanceEntry] = Field(default_factory=list)
    self_care: list[GuidanceEntry] = Field(default_factory=list)
    prevention: list[GuidanceEntry] = Field(default_factory=list)
    plain_summary: str = ""
    disclaimer: str = ""

    def to_json(self, indent: int | None = None) -> str:
        """The assessment as JSON without empty optional fields, but always with ``case_id``
        (null when the case had no id), as the exchange format shows it."""
        data = self.model_dump(mode="json", exclude_none=True)
        data = {"format": data.pop("format"), "case_id": self.case_id, **data}
        return json.dumps(data, indent=indent, ensure_ascii=False)

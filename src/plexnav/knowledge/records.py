"""Pydantic records for the anatomy data files: a malformed file fails loudly at load time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from plexnav import vocabulary as V

RootLevel = V.RootLevel
RootShare = Annotated[float, Field(gt=0, le=1)]
HypothesisSide = Literal["left", "right", "bilateral", "symptomatic"]  # symptomatic: resolved per case
# a cord lesion's effects: upper motor neuron signs, sensory and bladder loss, the lost
# reflexes of spinal shock in its first days to weeks (Ditunno 2004), and the share of its
# upper motor neuron effect that shows as weakness on testing (1 unless given: a myelopathy
# of the long tracts stiffens the legs before it weakens them)
CentralEffect = Literal["umn", "sensory", "visceral", "areflexia", "flaccid", "pyramidal_weakness", "painless"]


def _check_shares(owner: str, roots: Mapping[RootLevel, float] | None) -> None:
    """Each supply's root shares are fractions of its axons: they sum to 1."""
    if roots and abs(sum(roots.values()) - 1) > 0.02:
        raise ValueError(f"{owner}: root shares must sum to 1 (got {sum(roots.values()):.2f})")


class _Record(BaseModel):
    # defer_build: the validators are built when a record is first validated (reading the
    # YAML), not at import: a process that takes the knowledge from the engine snapshot
    # (plexnav.modelcache) never validates a record
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class SourceRef(_Record):
    key: str
    locator: str | None = None


class Sourced(_Record):
    sources: list[SourceRef] = Field(min_length=1)
    note: str | None = None


class RootRecord(Sourced):
    level: RootLevel
    # where this root's pain radiates beyond its dermatome (sclerotomal, referred): share of
    # patients with a lesion of the root who feel pain there
    radicular_pain: dict[V.SkinRegion, float] = Field(default_factory=dict)


class NodeRecord(Sourced):
    id: str
    kind: Literal["plexus", "division", "trunk", "nerve", "branch", "lesion_point"]
    name: str
    short: str
    parents: list[str] = Field(min_length=1)
    roots: list[RootLevel] = Field(min_length=1)
    local_pain: list[V.SkinRegion] = Field(default_factory=list)


class Component(_Record):
    """One nerve supply of a target: the graph node its branch leaves, its share, its roots."""

    nerve: str
    share: float = Field(gt=0, le=1)
    roots: dict[RootLevel, RootShare] = Field(min_length=1)
    part: str | None = None

    @model_validator(mode="after")
    def _shares(self) -> Self:
        _check_shares(f"supply through {self.nerve}", self.roots)
        return self


class _Target(Sourced):
    """Something a lesion can affect: muscle, skin region, reflex arc, study."""

    id: str
    name: str
    length_class: Literal[1, 2, 3]
    nerve: str | None = None
    roots: dict[RootLevel, RootShare] | None = None
    components: list[Component] | None = None
    midline: bool = False
    combine: Literal["mean", "both", "bilateral"] = "mean"

    @model_validator(mode="after")
    def _one_supply_form(self) -> Self:
        _check_shares(self.id, self.roots)
        if (self.nerve is None) == (self.components is None):
            raise ValueError(f"{self.id}: give either nerve+roots or components")
        if self.nerve is not None and not self.roots:
            raise ValueError(f"{self.id}: a nerve needs roots")
        if self.components is not None and abs(sum(c.share for c in self.components) - 1) > 0.02:
            raise ValueError(f"{self.id}: component shares must sum to 1")
        return self

    def supply(self) -> tuple[Component, ...]:
        if self.components is not None:
            return tuple(self.components)
        assert self.nerve is not None and self.roots is not None  # _one_supply_form: no components, so nerve+roots
        return (Component(nerve=self.nerve, share=1.0, roots=self.roots),)


class MuscleRecord(_Target):
    region: V.MuscleRegion | None
    emg: bool = True
    # how much more (or less) than its length class a length-dependent polyneuropathy
    # weakens and wastes this muscle: the peroneal-supplied leg muscles are graded weaker
    # than the calf in a polyneuropathy (Bourque & Dyck 1990); 1 = its length class alone
    length_weight: float = Field(1.0, gt=0, le=3)
    # "any": segmentally supplied muscles (paraspinals) show denervation when any one of
    # their segments is hit, so involvement is the largest component's, not a share
    coverage: Literal["share", "any"] = "share"


class SkinRecord(_Target):
    coverage: Literal["share", "all"] = "share"
    # how often pain is reported here without a lesion of this region's nerves, where it
    # differs from the pain family's false-positive rate (likelihood.yaml families.pain)
    pain_fp: float | None = Field(None, gt=0, lt=1)


class ReflexRecord(_Target):
    pass


class StudyRecord(_Target):
    fibres: Literal["sensory", "motor", "reflex", "late_motor"]
    target_muscle: str | None = None


class MovementRecord(Sourced):
    id: V.Movement
    name: str
    muscles: dict[str, float]
    umn: float = Field(ge=0, le=1)


class SignRecord(Sourced):
    id: str
    name: str
    mechanism: Literal["region", "tension", "at_site", "muscles", "umn", "evidence", "nonlocalizing"]
    nerve: str | None = None
    roots: dict[RootLevel, RootShare] | None = None
    nodes: list[str] = Field(default_factory=list)
    muscles: dict[str, float] = Field(default_factory=dict)
    midline: bool = False
    combine: Literal["mean", "both", "bilateral"] = "mean"


class ActivityRecord(Sourced):
    id: V.WeaknessActivity
    movements: dict[V.Movement, float]


class VisceralRecord(Sourced):
    id: V.MidlineSymptom
    components: list[Component]
    combine: Literal["mean", "both", "bilateral"]
    # a painful (entrapped or irritated) nerve, by hypothesis record (sites.yaml), makes
    # people report the complaint whichever side it is on: from pain in the organ's
    # territory, not lost function (the involvement it gives, as for a lesion)
    neuralgia: dict[str, float] = Field(default_factory=dict)


class HypothesisRecord(_Record):
    id: str
    site: V.Site
    sides: list[HypothesisSide]
    family: str
    weight: float = Field(gt=0)
    lesion: dict[str, float] = Field(default_factory=dict)
    detail: str | None = None
    central: dict[CentralEffect, float] = Field(default_factory=dict)
    # a one-sided cord lesion's effects on the other side (Brown-Sequard: the crossed
    # pain pathway, a little of the other corticospinal tract); `central` is then its own side's
    central_contra: dict[CentralEffect, float] = Field(default_factory=dict)
    umn_from: RootLevel | None = None
    pattern: Literal["length_dependent"] | None = None
    # for a length-dependent pattern, the share of its grade that reaches the large fibres
    # (strength, reflexes, nerve conduction): 1 for the usual mixed polyneuropathy, small for
    # a small-fibre neuropathy, whose pain and pinprick loss leave them normal
    large_fibre: float = Field(1.0, ge=0, le=1)
    # for a length-dependent pattern, the share of its grade that reaches sensation (the skin,
    # sensory symptoms, the sensory conduction studies): 1 for the usual mixed polyneuropathy,
    # small for a motor-predominant one, whose weakness and low motor responses leave feeling
    # and the sensory responses normal
    sensory: float = Field(1.0, ge=0, le=1)
    # for a length-dependent pattern, how far up the leg its grades reach: each length class's
    # grade (sites.yaml length_dependent) times this, at most 1; above 1 for a severe form
    reach: float = Field(1.0, ge=1, le=5)
    # for a length-dependent pattern worse in one leg (built per side, reported two-sided):
    # the share of its grades the other, better leg keeps
    lesser_reach: float | None = Field(None, gt=0, lt=1)
    mimic: str | None = None
    # a form of its site that the causes weigh apart from the site's usual form
    # (causes.yaml site_forms): a mononeuritis multiplex is a polyneuropathy whose causes
    # are not a length-dependent one's
    cause_form: str | None = None
    # share of the nerve's function the lesion takes away (1 = all it supplies): an
    # irritative entrapment hurts in its whole territory but weakens and numbs little
    deficit: float = Field(1.0, gt=0, le=1)
    # what a one-sided form still reaches on the other side (a hemi-cauda equina lesion
    # also presses the midline sacral roots of the other side a little): node -> involvement
    contralateral: dict[str, float] = Field(default_factory=dict)
    # the side it is reported on when that is not the side it is built from: a two-sided
    # lesion worse on one side is built from that side (with `contralateral` for the other)
    # and reported two-sided; a one-sided look-alike is built per leg and reported with the
    # other look-alikes under the symptomatic side
    reported_side: Literal["bilateral", "symptomatic"] | None = None
    # whether it gets an irritative twin (likelihood.yaml irritative); false for a partial
    # pattern of another hypothesis and for an injury whose irritative form is its own record
    irritative_twin: bool = True


class LabRange(_Record):
    """A laboratory value range that makes an evidence finding present."""

    test: V.LabTest
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    name: str | None = None  # the test as an explanation names it ("CK"); else its id in words

    def holds(self, value: float) -> bool:
        return (
            (self.ge is None or value >= self.ge)
            and (self.lt is None or value < self.lt)
            and (self.le is None or value <= self.le)
        )


class EvidenceRecord(Sourced):
    """P(a non-anatomical finding is present) under each kind of hypothesis (mimics.yaml)."""

    default: float = Field(gt=0, lt=1)
    none: float = Field(gt=0, lt=1)
    family: dict[str, float] = Field(default_factory=dict)
    site: dict[V.Site, float] = Field(default_factory=dict)
    # one lesion point of a site (sites.yaml hypothesis id), where it differs from the site
    hypothesis: dict[str, float] = Field(default_factory=dict)
    mimic: dict[str, float] = Field(default_factory=dict)
    # an irritative lesion (a root or nerve that hurts more than it takes away), where it
    # differs from its site's value
    irritative: float | None = Field(None, gt=0, lt=1)
    # a laboratory result that makes the finding present (key 'lab:...')
    lab: LabRange | None = None
    # read on each leg ('evidence:KEY:left'), so that a one-sided look-alike gives it only
    # on its own leg; the others are read for the case as a whole
    sided: bool = False
    # said of a symptom felt in a region (what provokes or eases it): when every symptom it is
    # said of is felt in one region, it is also read with that region
    # ('evidence:KEY:REGION'), and a look-alike gives it only as far as it hurts there
    regional: bool = False


class MimicRecord(Sourced):
    """A look-alike of a nerve lesion: what it is and where it hurts."""

    id: str
    name: str
    detail: str
    pain: dict[V.SkinRegion, float] = Field(default_factory=dict)
    # a look-alike that weakens or numbs without a lesion (functional weakness): the
    # involvement it gives every movement and every leg skin region, ignoring anatomy
    weakness: float = Field(0.0, ge=0, le=1)
    numbness: float = Field(0.0, ge=0, le=1)
    # where the look-alike makes people feel numbness or tingling (a symptom: the examiner
    # finds sensation normal), as an involvement of each skin region; unnamed regions none
    tingling: dict[V.SkinRegion, float] = Field(default_factory=dict)
    # where the look-alike itself takes feeling away on examination (a starved foot below a
    # blocked artery), as an involvement of each skin region; unnamed regions none
    sensory_loss: dict[V.SkinRegion, float] = Field(default_factory=dict)
    # movements the look-alike itself weakens (a torn or painful gluteal tendon weakens hip
    # abduction): involvement as for a lesion, with the muscles normal on needle EMG
    movements: dict[V.Movement, float] = Field(default_factory=dict)
    # the share of that weakness the person reports as a weak leg (a weakness symptom): a
    # tendon or joint weakens what the examiner tests more than what the patient notices
    reported: float = Field(1.0, ge=0, le=1)
    # tendon reflexes the look-alike itself lowers, and muscle regions it wastes, as an
    # involvement (a diseased muscle answers the tap less and wastes; its nerve is intact)
    reflexes: dict[V.Reflex, float] = Field(default_factory=dict)
    wasting: dict[V.MuscleRegion, float] = Field(default_factory=dict)
    # motor conduction studies whose response the look-alike itself lowers, as an
    # involvement: a severely diseased or inexcitable muscle gives a small response though
    # its nerve conducts normally (a critical illness myopathy, a periodic paralysis attack)
    motor_responses: dict[V.NcsStudy, float] = Field(default_factory=dict)


class SiteRiskRule(Sourced):
    """A history factor that points to sites (likelihood.yaml site_risk): odds ratios on
    their prior, and the words an explanation gives for it."""

    label: str  # the factor in words ("recent pelvic surgery")
    reason: str  # why it points there, in plain words
    sites: dict[str, float] = Field(default_factory=dict)  # site id (vocabulary) -> odds ratio
    families: dict[str, float] = Field(default_factory=dict)
    # look-alike id (mimics.yaml) -> odds ratio: a look-alike seen almost only with the factor
    # (a diabetic muscle infarction)
    mimics: dict[str, float] = Field(default_factory=dict)
    # extra odds for the two-sided form of the listed sites: a cause that usually strikes
    # both sides (pelvic radiotherapy) makes a bilateral lesion likelier than a one-sided one
    bilateral: float = Field(1.0, gt=0)

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if any(v <= 0 for v in (*self.sites.values(), *self.families.values(), *self.mimics.values())):
            raise ValueError("site_risk odds ratios must be positive")
        if not self.sites and not self.families and not self.mimics:
            raise ValueError("a site_risk rule names at least one site, family or look-alike")
        if unknown := sorted(set(self.sites) - set(V.SITES)):
            raise ValueError(f"unknown sites {unknown}; valid: {', '.join(V.SITES)}")
        return self


class IrritativeTwins(Sourced):
    """Twins of root and nerve lesions that hurt more than they take away (likelihood.yaml
    irritative): the families that get one, the twin's share of the prior and the share of
    its targets' function it removes, the words the site's detail gives for it, and why a
    normal finding fits such a lesion."""

    families: list[str] = Field(min_length=1)
    share: float = Field(gt=0, lt=1)
    deficit: float = Field(gt=0, lt=1)
    detail: str = Field(min_length=1)
    spared: str = Field(min_length=1, description="why a normal finding fits a lesion that takes little away")


class FamilyParameters(_Record):
    sensitivity: float = Field(gt=0, lt=1)
    fp: float = Field(gt=0, lt=1)
    # involvement (share of the target's supply damaged) at which the finding reaches its
    # full sensitivity: needle EMG shows partial denervation, strength needs most of a muscle
    saturation: float = Field(1.0, gt=0, le=1)
    rationale: str

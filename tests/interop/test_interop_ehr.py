"""Data plexnav did not write: an EHR's Patient, Conditions, Observations and reports.

The rule under test: data that cannot be read never becomes reassurance.  A Bundle with no
plexnav case in it is refused with an error naming what it holds; a CDS Hooks call with an
EHR's prefetch gets a card that names what could not be read, never "Routine: no red flag".
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from plexnav.engine.assess import assess
from plexnav.interop.cds_hooks import (
    HOOK,
    PREFETCH_KEY,
    CdsPreconditionFailed,
    CdsRequestError,
    CdsResponse,
    cds_service_response,
    request_for,
)
from plexnav.interop.fhir import age_on, bundle_from_case, bundle_json, case_from_bundle, read_bundle
from plexnav.validation import CaseValidationError, validate_case

DATA = Path(__file__).parent / "data"
PATIENT_ID = "pat-foot-drop"


def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def _ehr_prefetch() -> dict:
    return {
        "patient": _load("ehr_patient.json"),
        "conditions": _load("ehr_conditions.json"),
        "observations": _load("ehr_observations.json"),
        "reports": _load("ehr_reports.json"),
    }


def _call(prefetch: dict, patient_id: str = PATIENT_ID, instance: str = "ehr-1") -> list[dict]:
    body = {
        "hook": HOOK,
        "hookInstance": instance,
        "fhirServer": "https://ehr.hospital.example/fhir",
        "context": {"userId": "Practitioner/prac-neuro-1", "patientId": patient_id},
        "prefetch": prefetch,
    }
    response = cds_service_response(body)
    CdsResponse.model_validate(response)
    return response["cards"]


def _never_reassures(cards: list[dict]) -> None:
    """No card calls the record routine (a work-up test may still be wanted 'routine'ly)."""
    triage = [c for c in cards if c["source"]["topic"]["code"] == "triage"]
    text = json.dumps(cards).lower()
    assert "routine: no red flag" not in text and "triage: routine" not in text
    assert "no warning signs were found" not in text  # the patients' words, not a clinician's
    assert all(c["indicator"] != "info" for c in triage)


# --------------------------------------------------------------------------- reading a Bundle


def test_an_ehr_searchset_is_refused_naming_what_it_holds():
    with pytest.raises(CaseValidationError) as info:
        case_from_bundle(_load("ehr_conditions.json"))
    message = str(info.value)
    assert "no plexnav case" in message and "could not read" in message
    assert 'Condition "Type 2 diabetes" (SNOMED CT 44054006' in message
    assert 'Condition "Left foot drop"' in message


def test_reading_lists_every_unread_finding_and_skips_search_outcomes():
    reading = read_bundle(_load("ehr_observations.json"))
    assert reading.case is None
    assert reading.unread == [
        'Observation "Left ankle dorsiflexion strength (MRC)" '
        "(urn:oid:1.2.840.114350.1.13.0.1.7.2.707679 304551): 2 /5",
        'Observation "HbA1c" (LOINC 4548-4): 8.1 %',
    ]


def test_a_patient_alone_is_not_an_empty_case():
    """It used to be read as a case with no findings, which the service then called routine."""
    collection = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": _load("ehr_patient.json")}]}
    with pytest.raises(CaseValidationError, match="no plexnav case"):
        case_from_bundle(collection)


def test_unread_resources_beside_a_plexnav_case_are_listed():
    case, _ = validate_case({"format": "plexnav-case/1", "symptoms": [{"kind": "pain", "region": "lower_back"}]})
    doc = json.loads(bundle_json(bundle_from_case(case, assess(case))))
    doc["entry"] += [{"fullUrl": e["fullUrl"], "resource": e["resource"]} for e in _load("ehr_reports.json")["entry"]]
    reading = read_bundle(doc)
    assert reading.case == case
    assert reading.unread == [
        'DiagnosticReport "EMG and nerve conduction study, left leg" '
        "(https://ehr.hospital.example/fhir/CodeSystem/neurophysiology-procedures EMG-NCS-LE)"
    ]
    assert case_from_bundle(doc) == case


def test_the_plexnav_export_reads_back_with_nothing_unread():
    case, _ = validate_case(
        {
            "format": "plexnav-case/1",
            "id": "x",
            "patient": {"age": 50},
            "symptoms": [{"kind": "pain", "region": "lower_back"}, {"kind": "bladder_dysfunction"}],
            "investigations": [{"test": "hba1c", "value": 7.0}],
        }
    )
    doc = json.loads(bundle_json(bundle_from_case(case, assess(case))))
    reading = read_bundle(doc)
    assert reading.case == case and reading.unread == []


@pytest.mark.parametrize(
    "birth, age", [("1961-04-12", 64), ("1961-01-31", 65), ("1961-02-01", 64), ("1961", 65), ("not-a-date", None)]
)
def test_age_from_birth_date(birth, age):
    from datetime import date

    assert age_on(birth, date(2026, 1, 31)) == age


# --------------------------------------------------------------------------- CDS Hooks with an EHR's prefetch


def test_an_ehr_prefetch_gets_a_card_naming_what_could_not_be_read():
    """Without the hospital's map only the standard codes are read (diabetes, HbA1c): the local
    flowsheet MRC grade, the foot drop diagnosis and the EMG report are named, the triage incomplete."""
    cards = _call(_ehr_prefetch())
    triage, unread = cards[0], cards[1]
    assert triage["indicator"] == "warning" and "Incomplete" in triage["summary"]
    assert unread["indicator"] == "warning" and "could not read" in unread["summary"]
    for words in ("Left foot drop", "Left ankle dorsiflexion strength", "EMG and nerve conduction study"):
        assert words in unread["detail"]
    assert "Type 2 diabetes" not in unread["detail"] and "HbA1c" not in unread["detail"]
    _never_reassures(cards)


def test_without_any_map_nothing_is_read_and_one_card_names_it_all():
    from plexnav.interop.concept_maps import ConceptMaps

    body = {"hook": HOOK, "hookInstance": "ehr-0", "context": {"patientId": PATIENT_ID}, "prefetch": _ehr_prefetch()}
    (card,) = cds_service_response(body, maps=ConceptMaps())["cards"]
    assert "no assessment" in card["summary"]
    for words in ("Type 2 diabetes", "Left foot drop", "Left ankle dorsiflexion strength", "HbA1c"):
        assert words in card["detail"]


def test_a_readable_case_beside_unread_data_is_never_called_routine():
    routine = {
        "format": "plexnav-case/1",
        "history": {"course": "improving", "duration_days": 10},
        "symptoms": [{"kind": "tingling", "region": "lateral_thigh", "side": "left"}],
    }
    assert assess(validate_case(routine)[0]).triage.level == "routine"
    cards = _call({PREFETCH_KEY: routine, "observations": _load("ehr_observations.json")})
    triage, unread = cards[0], cards[1]
    assert triage["indicator"] == "warning" and triage["summary"].startswith("plexnav triage: Incomplete")
    assert "Routine: no red flag" not in triage["summary"]
    assert unread["source"]["topic"]["code"] == "unread" and "Left ankle dorsiflexion" in unread["detail"]
    assert "beside prefetch.plexnavCase" in unread["detail"]  # the HbA1c read from the record was not used


def test_an_emergency_stays_critical_when_other_data_was_not_read():
    emergency = {
        "format": "plexnav-case/1",
        "symptoms": [{"kind": "pain", "region": "lower_back"}, {"kind": "bladder_dysfunction"}],
        "exam": {"sensation": [{"region": "saddle", "finding": "reduced"}]},
    }
    cards = _call({PREFETCH_KEY: emergency, "conditions": _load("ehr_conditions.json")})
    assert cards[0]["indicator"] == "critical"
    assert any(c["source"]["topic"]["code"] == "unread" for c in cards)


def test_plexnav_coded_observations_in_the_ehr_are_read_like_the_case():
    """An EHR that stored plexnav's Observations (written back from an export) gets the same triage."""
    doc = {
        "format": "plexnav-case/1",
        "patient": {"sex": "male"},
        "symptoms": [{"kind": "pain", "region": "lower_back"}, {"kind": "bladder_dysfunction"}],
        "exam": {"sensation": [{"region": "saddle", "finding": "reduced"}]},
    }
    case, _ = validate_case(doc)
    patient = _load("ehr_patient.json")
    del patient["birthDate"]  # the age would depend on the day the test runs
    exported = json.loads(bundle_json(bundle_from_case(case, assess(case))))
    observations = []
    for i, entry in enumerate(e for e in exported["entry"] if e["resource"]["resourceType"] == "Observation"):
        obs = copy.deepcopy(entry["resource"])
        obs.update(id=f"obs-{i}", subject={"reference": f"Patient/{PATIENT_ID}"})
        observations.append(
            {
                "fullUrl": f"https://ehr.hospital.example/fhir/Observation/obs-{i}",
                "resource": obs,
                "search": {"mode": "match"},
            }
        )
    searchset = {"resourceType": "Bundle", "type": "searchset", "total": len(observations), "entry": observations}
    cards = _call({"patient": patient, "observations": searchset, "conditions": None})
    expected = cds_service_response(request_for(doc, patient_id=PATIENT_ID, hook_instance="ehr-1"))["cards"]
    assert cards[0]["indicator"] == expected[0]["indicator"] == "critical"
    assert [c["summary"] for c in cards] == [c["summary"] for c in expected]


def test_age_comes_from_the_birth_date_of_the_ehr_patient():
    reading = read_bundle(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": "2026-01-31T00:00:00Z",
            "entry": [{"resource": _load("ehr_patient.json")}],
        }
    )
    assert reading.case is None and reading.unread == []
    from datetime import date

    from plexnav.interop.fhir import _read_patient, _Reader

    assert _read_patient(_Reader(), _load("ehr_patient.json"), "p", date(2026, 1, 31)) == {"age": 64, "sex": "male"}


# --------------------------------------------------------------------------- null and missing prefetch


def test_null_prefetch_keys_mean_no_data_not_an_error():
    cards = _call({"patient": _load("ehr_patient.json"), "conditions": None, "observations": None, "reports": None})
    assert cards == []


def test_null_keys_beside_unread_data_still_name_it():
    cards = _call({"patient": None, "conditions": _load("ehr_conditions.json"), "observations": None})
    assert "Left foot drop" in json.dumps(cards) and "Incomplete" in cards[0]["summary"]
    _never_reassures(cards)


def test_no_prefetch_key_at_all_is_a_precondition_failure():
    with pytest.raises(CdsPreconditionFailed, match="no prefetch"):
        _call({})
    with pytest.raises(CdsPreconditionFailed):
        _call({"observations": {"resourceType": "OperationOutcome", "issue": []}})


def test_an_empty_searchset_gives_no_cards():
    empty = {"resourceType": "Bundle", "type": "searchset", "total": 0}
    assert _call({"observations": empty, "conditions": empty}) == []


# --------------------------------------------------------------------------- patient binding


def test_a_patient_other_than_the_context_is_refused():
    with pytest.raises(CdsRequestError, match="Patient/pat-foot-drop, not of the context's Patient/someone-else"):
        _call(_ehr_prefetch(), patient_id="someone-else")


def test_one_observation_of_another_patient_is_refused():
    prefetch = _ehr_prefetch()
    prefetch["observations"]["entry"][1]["resource"]["subject"] = {
        "reference": "https://ehr.hospital.example/fhir/Patient/other-patient"
    }
    with pytest.raises(CdsRequestError, match="Patient/other-patient") as info:
        _call(prefetch)
    assert info.value.status == 400


def test_a_plexnav_document_of_another_patient_is_refused():
    case, _ = validate_case({"format": "plexnav-case/1", "symptoms": [{"kind": "pain", "region": "lower_back"}]})
    doc = json.loads(bundle_json(bundle_from_case(case, assess(case), patient_id="another")))
    with pytest.raises(CdsRequestError, match="Patient/another"):
        _call({PREFETCH_KEY: doc})
    assert _call({PREFETCH_KEY: doc}, patient_id="another")


def test_a_non_object_prefetch_value_is_a_bad_request():
    with pytest.raises(CdsRequestError, match="JSON object"):
        _call({"observations": [1, 2]})


def test_an_access_token_for_another_patient_is_refused():
    body = {
        "hook": HOOK,
        "hookInstance": "ehr-2",
        "fhirServer": "https://ehr.hospital.example/fhir",
        "fhirAuthorization": {
            "access_token": "t",
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/*.read",
            "subject": "plexnav",
            "patient": "other",
        },
        "context": {"patientId": PATIENT_ID},
        "prefetch": _ehr_prefetch(),
    }
    with pytest.raises(CdsRequestError, match="fhirAuthorization is for Patient/other"):
        cds_service_response(body)


def test_plexnav_observations_beside_a_plexnav_case_are_not_silently_dropped():
    case, _ = validate_case({"format": "plexnav-case/1", "symptoms": [{"kind": "pain", "region": "lower_back"}]})
    exported = json.loads(bundle_json(bundle_from_case(case, assess(case))))
    observations = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [e for e in exported["entry"] if e["resource"]["resourceType"] == "Observation"],
    }
    cards = _call(
        {
            PREFETCH_KEY: {"format": "plexnav-case/1", "symptoms": [{"kind": "numbness", "region": "saddle"}]},
            "observations": observations,
        }
    )
    unread = next(c for c in cards if c["source"]["topic"]["code"] == "unread")
    assert "findings read from the record" in unread["detail"]

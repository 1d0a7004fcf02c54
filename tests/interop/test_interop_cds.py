"""CDS Hooks 2.0: discovery, request handling, and cards that follow the specification."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fhir.resources.R4B.servicerequest import ServiceRequest
from interop_support import (
    SHARED,
    TIMESTAMP,
    needs_shared,
    revision_1_1_case,
    shared_case_json,
    with_revision_1_1_output,
)
from pydantic import ValidationError

from plexnav.engine.assess import assess
from plexnav.interop import terms as T
from plexnav.interop.cds_hooks import (
    HOOK,
    PREFETCH_KEY,
    SERVICE_ID,
    Card,
    CdsPreconditionFailed,
    CdsRequestError,
    CdsResponse,
    Discovery,
    cards_for,
    cds_service_response,
    discovery,
    dump,
    request_for,
)
from plexnav.interop.fhir import bundle_from_case, bundle_json
from plexnav.validation import CaseValidationError, validate_case

EMERGENCY = {
    "format": "plexnav-case/1",
    "id": "ces",
    "symptoms": [{"kind": "pain", "region": "lower_back"}, {"kind": "bladder_dysfunction"}],
    "exam": {"sensation": [{"region": "saddle", "finding": "reduced"}]},
}
URGENT = {
    "format": "plexnav-case/1",
    "history": {"factors": ["weight_loss"]},
    "symptoms": [{"kind": "pain", "region": "anterior_thigh", "side": "left"}],
}
ROUTINE = {
    "format": "plexnav-case/1",
    "history": {"course": "improving", "duration_days": 10},
    "symptoms": [{"kind": "tingling", "region": "lateral_thigh", "side": "left"}],
}


def _bundle(doc: dict, timestamp=TIMESTAMP) -> dict:
    case, _ = validate_case(doc)
    return json.loads(bundle_json(bundle_from_case(case, assess(case), timestamp=timestamp)))


def _cards(doc: dict, **kw) -> list[dict]:
    response = cds_service_response(request_for(doc, patient_id="123", **kw))
    CdsResponse.model_validate(response)
    return response["cards"]


def test_discovery_document_follows_the_specification():
    doc = discovery()
    Discovery.model_validate(doc)
    service, select, sign = doc["services"]
    assert (select["hook"], sign["hook"]) == ("order-select", "order-sign")
    assert select["prefetch"] == sign["prefetch"] == service["prefetch"]
    assert service["id"] == SERVICE_ID and service["hook"] == HOOK == "patient-view"
    assert service["description"] and service["title"]
    assert service["prefetch"] == {
        "patient": "Patient/{{context.patientId}}",
        "conditions": "Condition?patient={{context.patientId}}",
        "observations": "Observation?patient={{context.patientId}}&category=exam,laboratory,procedure,imaging",
        "reports": "DiagnosticReport?patient={{context.patientId}}",
    }, "templates an EHR can fill: plain searches on the patient, no chained search on Bundles"
    assert json.dumps(doc).count("null") == 0


@pytest.mark.parametrize(
    "doc, level, indicator",
    [(EMERGENCY, "emergency", "critical"), (URGENT, "urgent", "warning"), (ROUTINE, "routine", "info")],
)
def test_triage_card_indicator(doc, level, indicator):
    assert assess(validate_case(doc)[0]).triage.level == level
    triage = _cards(doc)[0]
    assert triage["indicator"] == indicator
    assert triage["source"]["topic"]["code"] == "triage"


COMPARTMENT = {
    "format": "plexnav-case/1",
    "history": {"onset": "acute", "duration_days": 1},
    "symptoms": [{"kind": "pain", "region": "posterior_leg", "side": "left"}],
    "exam": {"signs": [{"sign": "tender_tense_compartment", "side": "left", "region": "anterior_leg"}]},
}


def test_an_alert_beyond_the_policy_gives_a_critical_card_before_the_triage_card():
    assert assess(validate_case(COMPARTMENT)[0]).triage.level == "routine"
    cards = _cards(COMPARTMENT)
    assert cards[0]["indicator"] == "critical" and "alert" in cards[0]["summary"]
    assert "compartment syndrome" in cards[0]["detail"].lower()
    assert cards[1]["source"]["topic"]["code"] == "triage" and cards[1]["indicator"] == "info"


def test_emergency_case_gives_a_critical_card():
    cards = _cards(EMERGENCY)
    assert any(c["indicator"] == "critical" for c in cards)
    assert "emergency" in cards[0]["summary"].lower()


@needs_shared
@pytest.mark.parametrize("path", SHARED, ids=lambda p: p.name)
def test_cards_for_every_shared_case_are_valid(path):
    doc = json.loads(path.read_text())
    cards = _cards(doc)
    case, expected = validate_case(doc)
    result = assess(case)
    assert [c["source"]["topic"]["code"] for c in cards][:2] == ["triage", "localization"]
    for card in cards:
        Card.model_validate(card)
        assert 0 < len(card["summary"]) < 140
        assert card["source"]["label"] == "plexnav"
        assert set(card["source"]) == {"label", "topic"}, "link-free source"
        assert "links" not in card
        assert "never replaces it" in card["detail"]
    indicator = {"emergency": "critical", "urgent": "warning"}.get(result.triage.level, "info")
    assert cards[0]["indicator"] == indicator
    top = result.localization[0]
    assert T.percent(top.probability) in cards[1]["summary"]
    if result.workup:
        workup = cards[2]
        assert workup["selectionBehavior"] == "any"
        assert len(workup["suggestions"]) == len(result.workup)
        for suggestion, entry in zip(workup["suggestions"], result.workup, strict=True):
            (action,) = suggestion["actions"]
            assert action["type"] == "create"
            request = ServiceRequest.model_validate(action["resource"])
            assert (request.status, request.intent) == ("draft", "proposal")
            assert request.subject.reference == "Patient/123"
            assert T.code_in(action["resource"]["code"], "workup-test") == entry.test


@needs_shared
def test_shared_emergency_case_is_critical():
    doc = shared_case_json("p04")
    if doc is None:
        pytest.skip("p04 not in the shared cases")
    assert _cards(doc)[0]["indicator"] == "critical"


def test_a_plexnav_bundle_in_the_prefetch_gives_the_same_cards_as_the_case():
    assert _cards(_bundle(URGENT), hook_instance="h-1") == _cards(URGENT, hook_instance="h-1")


def test_a_searchset_uses_the_latest_document_and_an_empty_one_gives_no_cards():
    older = _bundle(ROUTINE, TIMESTAMP - timedelta(days=3))
    newer = _bundle(EMERGENCY, TIMESTAMP)
    searchset = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": 2,
        "entry": [{"resource": older, "search": {"mode": "match"}}, {"resource": newer, "search": {"mode": "match"}}],
    }
    assert _cards(searchset)[0]["indicator"] == "critical"
    assert _cards({"resourceType": "Bundle", "type": "searchset", "total": 0}) == []


def test_card_uuids_are_stable_per_hook_instance():
    first, again, other = (_cards(URGENT, hook_instance=h) for h in ("h-1", "h-1", "h-2"))
    assert [c["uuid"] for c in first] == [c["uuid"] for c in again]
    assert not {c["uuid"] for c in first} & {c["uuid"] for c in other}


def test_missing_prefetch_is_a_precondition_failure():
    body = request_for(URGENT)
    del body["prefetch"]
    with pytest.raises(CdsPreconditionFailed) as info:
        cds_service_response(body)
    assert info.value.status == 412
    body["prefetch"] = {PREFETCH_KEY: {"resourceType": "OperationOutcome", "issue": []}}
    with pytest.raises(CdsPreconditionFailed):
        cds_service_response(body)


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda b: b.update(hook="order-sign"), "patient-view"),
        (lambda b: b["context"].pop("patientId"), "patientId"),
        (lambda b: b.pop("hookInstance"), "hookInstance"),
        (
            lambda b: b.update(
                fhirAuthorization={
                    "access_token": "t",
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "scope": "user/Patient.read",
                    "subject": "plexnav",
                }
            ),
            "fhirServer",
        ),
        (lambda b: b["prefetch"].update({PREFETCH_KEY: [1, 2]}), "JSON object"),
    ],
)
def test_bad_requests_are_400(change, words):
    body = request_for(URGENT)
    change(body)
    with pytest.raises(CdsRequestError) as info:
        cds_service_response(body)
    assert info.value.status == 400 and words in str(info.value)


def test_an_invalid_case_raises_the_friendly_case_error():
    bad = {"format": "plexnav-case/1", "exam": {"strength": [{"movement": "knee_extention", "side": "left", "mrc": 3}]}}
    with pytest.raises(CaseValidationError, match="did you mean 'knee_extension'"):
        cds_service_response(request_for(bad))


def test_request_text_is_accepted():
    assert json.loads(json.dumps(cds_service_response(json.dumps(request_for(URGENT, hook_instance="x")))))


_SOURCE = {"label": "plexnav"}


@pytest.mark.parametrize(
    "card",
    [
        {"summary": "x" * 140, "indicator": "info", "source": _SOURCE},
        {"summary": "", "indicator": "info", "source": _SOURCE},
        {"summary": "ok", "indicator": "hard-stop", "source": _SOURCE},
        {"summary": "ok", "indicator": "info", "source": {}},
        {"summary": "ok", "indicator": "info", "source": _SOURCE, "suggestions": [{"label": "do it"}]},
        {"summary": "ok", "indicator": "info", "source": _SOURCE, "overrideReasons": [{"code": "c", "system": "s"}]},
        {
            "summary": "ok",
            "indicator": "info",
            "source": _SOURCE,
            "selectionBehavior": "any",
            "suggestions": [{"label": "x", "actions": [{"type": "create", "description": "no resource"}]}],
        },
        {
            "summary": "ok",
            "indicator": "info",
            "source": _SOURCE,
            "links": [{"label": "x", "url": "https://example.org", "type": "absolute", "appContext": "{}"}],
        },
        {"summary": "ok", "indicator": "info", "source": _SOURCE, "unknownField": 1},
    ],
)
def test_card_model_rejects_what_the_specification_forbids(card):
    with pytest.raises(ValidationError):
        Card.model_validate(card)


def test_card_model_accepts_a_full_specification_card():
    Card.model_validate(
        {
            "uuid": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
            "summary": "Example",
            "indicator": "warning",
            "detail": "**markdown**",
            "source": {
                "label": "x",
                "url": "https://example.com",
                "topic": {"system": "http://example.org", "code": "1", "display": "t"},
            },
            "suggestions": [
                {
                    "label": "s",
                    "uuid": "u",
                    "isRecommended": True,
                    "actions": [{"type": "delete", "description": "d", "resourceId": "ServiceRequest/1"}],
                }
            ],
            "selectionBehavior": "at-most-one",
            "overrideReasons": [{"code": "c", "system": "http://example.org", "display": "Patient refused"}],
            "links": [{"label": "app", "url": "https://smart.example.com/launch", "type": "smart", "appContext": "{}"}],
            "extension": {"org.example.x": 1},
        }
    )


@pytest.mark.skipif(revision_1_1_case() is None, reason="shared cases p23 and p24 not available")
def test_cards_show_workup_when_and_the_background_process():
    case, _ = validate_case(revision_1_1_case())
    assessment = with_revision_1_1_output(assess(case))
    response = dump(cards_for(case, assessment, hook_instance="h-1.1", patient_id="123"))
    CdsResponse.model_validate(response)
    triage, localization, workup = response["cards"]
    assert "**Also present: length-dependent polyneuropathy (78%)**" in localization["detail"]
    assert "Stocking numbness" in localization["detail"]
    assert "- **MRI of the whole spine** (emergency, immediately, in an emergency department): " in workup["detail"]
    for suggestion, entry in zip(workup["suggestions"], assessment.workup, strict=True):
        assert T.name("workup-when", entry.when) in suggestion["label"]
        resource = suggestion["actions"][0]["resource"]
        ServiceRequest.model_validate(resource)
        assert resource["extension"][0]["valueCoding"]["code"] == entry.when
    assert workup["suggestions"][-1]["label"] == (
        "Propose MRI of the whole spine (emergency priority, immediately, in an emergency department)"
    )


def test_cards_without_1_1_output_read_as_before():
    case, _ = validate_case(URGENT)
    full = assess(case)
    assessment = full.model_copy(
        update={"background": [], "workup": [w.model_copy(update={"when": None}) for w in full.workup]}
    )
    response = dump(cards_for(case, assessment))
    assert all("Also present" not in c["detail"] for c in response["cards"])
    for card in response["cards"][2:]:
        assert all("When:" not in json.dumps(s) for s in card.get("suggestions", ()))

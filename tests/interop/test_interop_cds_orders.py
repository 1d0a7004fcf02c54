"""CDS Hooks order-select / order-sign: does the imaging or EMG being ordered fit the localization?

The patient is the EHR-coded left L5 radiculopathy of fixtures/l5_*.json (plexnav's work-up: an
MRI of the lumbar spine within 24 hours); the orders use the hospital's orderable codes, mapped in
its ConceptMap."""

from __future__ import annotations

import json

import pytest
from test_interop_conceptmap import HOSPITAL_MAP, PATIENT_ID, _prefetch

from plexnav.interop.cds_hooks import CdsRequestError, CdsResponse, discovery
from plexnav.interop.cds_orders import order_response
from plexnav.interop.concept_maps import maps_from_paths
from plexnav.interop.fhir import service_request

MAPS = maps_from_paths([HOSPITAL_MAP])
ORDERABLES = "https://ehr.hospital.example/fhir/CodeSystem/orderables"


def _order(id_: str, code: str, text: str) -> dict:
    return {
        "resourceType": "ServiceRequest",
        "id": id_,
        "status": "draft",
        "intent": "order",
        "code": {"coding": [{"system": ORDERABLES, "code": code}], "text": text},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
    }


def _call(service: str, orders: list[dict], selections: list[str] | None = None, prefetch: dict | None = None):
    context = {
        "userId": "Practitioner/prac-neuro-1",
        "patientId": PATIENT_ID,
        "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": o} for o in orders]},
    }
    if selections is not None:
        context["selections"] = selections
    body = {
        "hook": service.removeprefix("plexnav-"),
        "hookInstance": "ord-1",
        "context": context,
        "prefetch": _prefetch() if prefetch is None else prefetch,
    }
    response = order_response(service, body, MAPS)
    CdsResponse.model_validate(response)
    return [c for c in response["cards"] if c["source"]["topic"]["code"] == "order-check"], response["cards"]


def test_the_services_are_in_the_discovery_document():
    ids = {s["id"]: s["hook"] for s in discovery()["services"]}
    assert ids["plexnav-order-select"] == "order-select" and ids["plexnav-order-sign"] == "order-sign"


@pytest.mark.parametrize("service", ["plexnav-order-sign", "plexnav-order-select"])
def test_a_lumbar_mri_fits_and_a_knee_mri_does_not(service):
    orders = [
        _order("sr-1", "IMG0042", "MRI lumbar spine without contrast"),
        _order("sr-2", "IMG0077", "MRI knee without contrast"),
    ]
    (fits, misfit), _ = _call(service, orders)
    assert fits["indicator"] == "info" and fits["summary"].startswith("MRI of the lumbar spine fits")
    assert "left L5" in fits["summary"] and "within 24 hours" in fits["detail"]
    assert misfit["indicator"] == "warning" and misfit["summary"].startswith("MRI of the knee is not in")
    assert "MRI of the lumbar spine" in misfit["detail"] and "MRI knee without contrast" in misfit["detail"]


def test_order_select_checks_only_the_selected_order():
    orders = [_order("sr-1", "IMG0042", "MRI lumbar spine"), _order("sr-2", "NEU0007", "EMG/NCS lower extremity")]
    (card,), _ = _call("plexnav-order-select", orders, selections=["ServiceRequest/sr-2"])
    assert card["summary"].startswith("needle EMG and nerve conduction studies is not in")


def test_an_order_no_map_covers_is_named_as_not_checked():
    (card,), _ = _call("plexnav-order-sign", [_order("sr-9", "LAB-PANEL-9", "Neuropathy panel")])
    assert "could not check 1 order" in card["summary"] and "Neuropathy panel" in card["detail"]


def test_a_plexnav_proposed_request_needs_no_map():
    from plexnav.case import WorkupEntry

    proposal = service_request(
        WorkupEntry(test="mri_lumbar_spine", priority="high", why="L5", when="within_24h"),
        {"reference": f"Patient/{PATIENT_ID}"},
    )
    (card,), _ = _call("plexnav-order-sign", [{**proposal, "id": "p1"}])
    assert card["indicator"] == "info"


def test_without_readable_findings_only_what_was_not_read_is_said():
    prefetch = {"reports": _prefetch()["reports"]}
    checked, cards = _call("plexnav-order-sign", [_order("sr-1", "IMG0042", "MRI")], prefetch=prefetch)
    assert checked == [] and len(cards) == 1 and "no assessment made" in cards[0]["summary"]


def test_draft_orders_are_required_and_the_hook_must_match():
    body = {"hook": "order-sign", "hookInstance": "x", "context": {"patientId": PATIENT_ID}, "prefetch": _prefetch()}
    with pytest.raises(CdsRequestError, match="draftOrders"):
        order_response("plexnav-order-sign", body, MAPS)
    with pytest.raises(CdsRequestError, match="answers the 'order-select' hook"):
        order_response("plexnav-order-select", json.dumps(body), MAPS)

"""CDS Hooks without prefetch: plexnav fetches from the client's fhirServer with its fhirAuthorization.

The server is a small local FHIR endpoint (fhir_endpoint_support) serving the L5 fixtures."""

from __future__ import annotations

import socket

import pytest
from fhir_endpoint_support import FhirEndpoint
from test_interop_conceptmap import HOSPITAL_MAP, PATIENT_ID, _by_topic, _prefetch

from plexnav.interop.cds_hooks import HOOK, CdsPreconditionFailed, CdsRequestError, cds_service_response
from plexnav.interop.concept_maps import maps_from_paths
from plexnav.interop.fhir_server import fetch_prefetch

MAPS = maps_from_paths([HOSPITAL_MAP])


@pytest.fixture(scope="module")
def server():
    with FhirEndpoint() as endpoint:
        yield endpoint


def _body(base: str, token: str = "good-token", patient_id: str = PATIENT_ID, prefetch: dict | None = None) -> dict:
    body = {
        "hook": HOOK,
        "hookInstance": "srv-1",
        "fhirServer": base,
        "fhirAuthorization": {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/Patient.read patient/Observation.read",
            "subject": "plexnav",
            "patient": patient_id,
        },
        "context": {"userId": "Practitioner/prac-neuro-1", "patientId": patient_id},
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def test_without_prefetch_the_server_is_queried_and_the_cards_match_the_prefetched_ones(server):
    server.requests.clear()
    fetched = _by_topic(cds_service_response(_body(server.base), MAPS, fetch_prefetch)["cards"])
    prefetched = _by_topic(cds_service_response(_body(server.base, prefetch=_prefetch()), MAPS)["cards"])
    assert fetched["triage"]["summary"] == prefetched["triage"]["summary"]
    assert fetched["localization"]["summary"] == prefetched["localization"]["summary"]
    assert fetched["unread"]["detail"] == prefetched["unread"]["detail"]
    paths = "\n".join(server.requests)
    assert f"/fhir/Patient/{PATIENT_ID}" in paths and "category=exam%2Claboratory%2Cprocedure%2Cimaging" in paths
    assert "_page=3" in paths  # the 25 Observations came in three pages


def test_only_the_keys_left_out_are_fetched(server):
    server.requests.clear()
    prefetch = _prefetch()
    del prefetch["observations"]
    cds_service_response(_body(server.base, prefetch=prefetch), MAPS, fetch_prefetch)
    assert server.requests and all(p.startswith("/fhir/Observation?") for p in server.requests)


def test_a_refused_token_is_a_precondition_failure_never_an_empty_record(server):
    with pytest.raises(CdsPreconditionFailed, match="refused Patient/pat-l5: AuthorizationError") as info:
        cds_service_response(_body(server.base, token="stolen"), MAPS, fetch_prefetch)
    assert info.value.status == 412


def test_a_server_that_does_not_answer_is_a_precondition_failure():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    with pytest.raises(CdsPreconditionFailed, match="did not answer"):
        cds_service_response(_body(f"http://127.0.0.1:{port}/fhir"), MAPS, fetch_prefetch)


def test_an_unknown_patient_on_the_server_is_named(server):
    with pytest.raises(CdsPreconditionFailed, match="ResourceNotFound"):
        cds_service_response(_body(server.base, patient_id="nobody"), MAPS, fetch_prefetch)


def test_fetched_data_of_another_patient_is_refused(server):
    other = FhirEndpoint(patient_id="pat-l5")
    other.searches["Condition"][0] = {
        **other.searches["Condition"][0],
        "id": "x",
        "subject": {"reference": "Patient/pat-l5"},
        "asserter": {"reference": "Practitioner/p"},
    }
    other.patient = {**other.patient, "id": "someone-else"}
    with other, pytest.raises(CdsRequestError, match="Patient/someone-else"):
        cds_service_response(_body(other.base), MAPS, fetch_prefetch)

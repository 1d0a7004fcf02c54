"""CDS Hooks over HTTP as an EHR calls it: signed JWT, CORS on every answer, preflight, EHR prefetch."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest
from cds_jwt_support import BASE, JKU, TestClientKey, auth_for, unsigned_token
from fastapi.testclient import TestClient

from plexnav.interop import cds_hooks
from plexnav.interop.cds_auth import CdsAuth

DATA = Path(__file__).parent / "data"
PATH = f"/cds-services/{cds_hooks.SERVICE_ID}"
AUDIENCE = BASE + PATH
URGENT = {
    "format": "plexnav-case/1",
    "history": {"factors": ["weight_loss"]},
    "symptoms": [{"kind": "pain", "region": "anterior_thigh", "side": "left"}],
}


@pytest.fixture(scope="module")
def key() -> TestClientKey:
    return TestClientKey()


@pytest.fixture(scope="module")
def app(tmp_path_factory, key):
    from plexnav.api.app import create_app
    from plexnav.settings import Settings

    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("cds"), secret_key="test-secret-" + "k" * 32))
    app.state.cds_auth = auth_for(key)
    return app


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


def _post(client, body: dict, token: str | None = None, **headers):
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(PATH, json=body, headers=headers)


def _ehr_body(patient_id: str = "pat-foot-drop") -> dict:
    load = lambda name: json.loads((DATA / name).read_text())  # noqa: E731
    return {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "https://ehr.hospital.example/fhir",
        "fhirAuthorization": {
            "access_token": "opaque",
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "patient/Patient.read patient/Observation.read patient/Condition.read",
            "subject": "plexnav",
            "patient": patient_id,
        },
        "context": {"userId": "Practitioner/prac-neuro-1", "patientId": patient_id},
        "prefetch": {
            "patient": load("ehr_patient.json"),
            "conditions": load("ehr_conditions.json"),
            "observations": load("ehr_observations.json"),
            "reports": load("ehr_reports.json"),
        },
    }


def _cors(response) -> None:
    assert response.headers["access-control-allow-origin"] == "*"
    assert "Authorization" in response.headers["access-control-allow-headers"]


# --------------------------------------------------------------------------- JWT


def test_a_signed_token_gets_cards(client, key):
    r = _post(client, cds_hooks.request_for(URGENT), key.token(AUDIENCE))
    assert r.status_code == 200, r.text
    assert r.json()["cards"][0]["indicator"] == "warning"
    _cors(r)


@pytest.mark.parametrize(
    "authorization, words",
    [
        (None, "Authorization: Bearer"),
        ("Bearer", "Authorization: Bearer"),
        ("Basic dXNlcjpwYXNz", "Authorization: Bearer"),
        ("Bearer not-a-jwt", "not a well-formed JWT"),
    ],
)
def test_missing_or_malformed_tokens_are_401(client, authorization, words):
    headers = {"Authorization": authorization} if authorization else {}
    r = client.post(PATH, json=cds_hooks.request_for(URGENT), headers=headers)
    assert r.status_code == 401 and words in r.json()["detail"]
    assert r.headers["www-authenticate"].startswith("Bearer")
    _cors(r)


@pytest.mark.parametrize("expired", [True, False])
def test_alg_none_is_refused(client, expired):
    r = _post(client, cds_hooks.request_for(URGENT), unsigned_token(AUDIENCE, expired=expired))
    assert r.status_code == 401 and "'none' is not accepted" in r.json()["detail"]


def test_a_shared_secret_token_is_refused(client):
    token = jwt.encode(
        {"iss": "https://ehr.hospital.example", "aud": AUDIENCE, "exp": 2**31, "iat": 0, "jti": "x"},
        "a-shared-secret-that-is-long-enough-32b",
        algorithm="HS256",
    )
    r = _post(client, cds_hooks.request_for(URGENT), token)
    assert r.status_code == 401 and "'HS256' is not accepted" in r.json()["detail"]


def test_expired_wrong_audience_and_missing_jti_are_refused(client, key):
    body = cds_hooks.request_for(URGENT)
    cases = [
        (key.token(AUDIENCE, lifetime=-120), "expired"),
        (key.token("https://elsewhere.example/cds-services/x"), "aud is not this endpoint"),
        (key.token(AUDIENCE, jti=None), "'jti'"),
        (key.token(AUDIENCE, headers={"jku": "https://attacker.example/jwks.json"}), "not allow-listed"),
    ]
    for token, words in cases:
        r = _post(client, body, token)
        assert r.status_code == 401 and words in r.json()["detail"], (words, r.text)


def test_an_allow_listed_jku_is_accepted(client, key):
    assert _post(client, cds_hooks.request_for(URGENT), key.token(AUDIENCE, headers={"jku": JKU})).status_code == 200


def test_an_unknown_issuer_or_a_forged_signature_is_refused(client, key):
    stranger = TestClientKey(issuer="https://other-ehr.example")
    r = _post(client, cds_hooks.request_for(URGENT), stranger.token(AUDIENCE))
    assert r.status_code == 401 and "not a registered CDS client" in r.json()["detail"]
    impostor = TestClientKey()  # same issuer and kid, another private key
    r = _post(client, cds_hooks.request_for(URGENT), impostor.token(AUDIENCE))
    assert r.status_code == 401 and "does not verify" in r.json()["detail"]


def test_a_replayed_token_is_refused(client, key):
    token = key.token(AUDIENCE)
    assert _post(client, cds_hooks.request_for(URGENT), token).status_code == 200
    r = _post(client, cds_hooks.request_for(URGENT), token)
    assert r.status_code == 401 and "already used" in r.json()["detail"]


def test_without_registered_clients_nothing_is_trusted(tmp_path, key, monkeypatch):
    from plexnav.api.app import create_app
    from plexnav.settings import Settings

    monkeypatch.delenv("PLEXNAV_CDS_CLIENTS", raising=False)
    app = create_app(Settings(data_dir=tmp_path, secret_key="test-secret-" + "k" * 32))
    with TestClient(app) as c:
        r = _post(c, cds_hooks.request_for(URGENT), key.token(AUDIENCE))
    assert r.status_code == 401 and "no CDS client is registered" in r.json()["detail"]


def test_clients_are_registered_from_a_file(tmp_path, key, monkeypatch):
    path = tmp_path / "cds-clients.json"
    path.write_text(
        json.dumps(
            {
                "audience_base": "https://plexnav.hospital.example",
                "clients": [{"iss": key.issuer, "jwks": key.jwks, "jku": [JKU]}],
            }
        )
    )
    monkeypatch.setenv("PLEXNAV_CDS_CLIENTS", str(path))
    auth = CdsAuth.from_env()
    audience = auth.audience(AUDIENCE, PATH)
    assert audience == "https://plexnav.hospital.example" + PATH
    assert auth.verify(f"Bearer {key.token(audience)}", audience)["iss"] == key.issuer


# --------------------------------------------------------------------------- CORS and preflight


@pytest.mark.parametrize("path", ["/cds-services", PATH])
def test_preflight_is_answered(client, path):
    r = client.options(
        path,
        headers={
            "Origin": "https://ehr.hospital.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert r.status_code == 204
    _cors(r)
    assert "POST" in r.headers["access-control-allow-methods"]


def test_errors_carry_cors_headers(client, key):
    r = client.post(
        PATH,
        content=b"{",
        headers={"content-type": "application/json", "Authorization": f"Bearer {key.token(AUDIENCE)}"},
    )
    assert r.status_code == 400
    _cors(r)
    missing = cds_hooks.request_for(URGENT)
    missing.pop("prefetch")
    r = _post(client, missing, key.token(AUDIENCE))
    assert r.status_code == 412
    _cors(r)
    bad = cds_hooks.request_for({"format": "plexnav-case/1", "patient": {"age": "old"}})
    r = _post(client, bad, key.token(AUDIENCE))
    assert r.status_code == 422 and r.json()["errors"][0]["path"].endswith("patient.age")
    _cors(r)
    r = client.post("/cds-services/no-such-service", json={})
    assert r.status_code == 404
    _cors(r)


# --------------------------------------------------------------------------- an EHR's call end to end


def test_an_ehr_call_gets_a_card_naming_what_could_not_be_read(client, key):
    r = _post(client, _ehr_body(), key.token(AUDIENCE))
    assert r.status_code == 200, r.text
    cards = r.json()["cards"]
    assert cards[0]["indicator"] == "warning" and "Incomplete" in cards[0]["summary"]
    assert "could not read" in cards[1]["summary"] and "Left foot drop" in cards[1]["detail"]
    assert "triage: routine" not in json.dumps(cards).lower()


def test_an_ehr_call_about_another_patient_is_refused(client, key):
    body = _ehr_body()
    body["context"]["patientId"] = "someone-else"
    r = _post(client, body, key.token(AUDIENCE))
    assert r.status_code == 400 and "Patient/pat-foot-drop" in r.json()["detail"]
    _cors(r)


def test_null_prefetch_is_no_data(client, key):
    body = _ehr_body()
    body["prefetch"] = {
        "patient": body["prefetch"]["patient"],
        "conditions": None,
        "observations": None,
        "reports": None,
    }
    r = _post(client, body, key.token(AUDIENCE))
    assert r.status_code == 200 and r.json() == {"cards": []}


# --------------------------------------------------------------------------- hospital maps, fhirServer, 413


def test_an_oversized_call_gets_413_with_cors_headers(client, key):
    r = client.post(
        PATH,
        content=b"{" + b" " * (300 * 1024) + b"}",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key.token(AUDIENCE)}"},
    )
    assert r.status_code == 413
    _cors(r)


def test_a_call_without_prefetch_is_answered_from_the_fhir_server_with_the_hospital_map(app, client, key):
    from fhir_endpoint_support import FhirEndpoint
    from test_interop_conceptmap import HOSPITAL_MAP

    from plexnav.interop.concept_maps import maps_from_paths

    app.state.cds_maps = maps_from_paths([HOSPITAL_MAP])
    try:
        with FhirEndpoint() as server:
            body = {
                "hook": "patient-view",
                "hookInstance": "srv-http",
                "fhirServer": server.base,
                "fhirAuthorization": {
                    "access_token": server.token,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "scope": "patient/*.read",
                    "subject": "plexnav",
                    "patient": "pat-l5",
                },
                "context": {"userId": "Practitioner/1", "patientId": "pat-l5"},
            }
            r = _post(client, body, key.token(AUDIENCE))
            refused = _post(
                client,
                {**body, "fhirAuthorization": {**body["fhirAuthorization"], "access_token": "x"}},
                key.token(AUDIENCE),
            )
    finally:
        del app.state.cds_maps
    assert r.status_code == 200, r.text
    localization = next(c for c in r.json()["cards"] if c["source"]["topic"]["code"] == "localization")
    assert localization["summary"].startswith("Most likely lesion: left L5")
    assert refused.status_code == 412 and "AuthorizationError" in refused.json()["detail"]
    _cors(refused)


def test_a_broken_hospital_map_is_a_server_error_naming_the_file(app, client, key, tmp_path, monkeypatch):
    path = tmp_path / "map.json"
    path.write_text('{"resourceType": "ValueSet"}')
    monkeypatch.setenv("PLEXNAV_FHIR_CONCEPT_MAPS", str(path))
    try:
        r = _post(client, cds_hooks.request_for(URGENT), key.token(AUDIENCE))
    finally:
        if hasattr(app.state, "cds_maps"):
            del app.state.cds_maps
    assert r.status_code == 503 and str(path) in r.json()["detail"] and "ConceptMap" in r.json()["detail"]
    _cors(r)


def _post_hip_xray_order(client, key, hook: str, instance: str):
    """The ``hook`` (order-select or order-sign) service over HTTP, signed, with one draft order
    plexnav cannot read (a local-code hip X-ray) and the urgent case prefetched."""
    body = {
        "hook": hook,
        "hookInstance": instance,
        "context": {
            "patientId": "123",
            "draftOrders": {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "ServiceRequest",
                            "status": "draft",
                            "intent": "order",
                            "code": {"text": "Hip X-ray", "coding": [{"system": "urn:local", "code": "HX"}]},
                            "subject": {"reference": "Patient/123"},
                        }
                    }
                ],
            },
        },
        "prefetch": {"plexnavCase": URGENT},
    }
    path = f"/cds-services/plexnav-{hook}"
    r = client.post(path, json=body, headers={"Authorization": f"Bearer {key.token(BASE + path)}"})
    assert r.status_code == 200, r.text
    return r


def test_the_order_sign_service_answers_over_http(client, key):
    r = _post_hip_xray_order(client, key, "order-sign", "ord-http")
    assert "could not check 1 order" in r.json()["cards"][0]["summary"]
    _cors(r)


# --------------------------------------------------------------------------- feedback


def test_feedback_is_recorded_with_the_client_and_needs_the_jwt(app, client, key):
    path = f"{PATH}/feedback"
    items = {
        "feedback": [
            {
                "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
                "outcome": "overridden",
                "overrideReason": {
                    "reason": {
                        "code": "not-my-patient",
                        "system": "http://example.org/reasons",
                        "display": "Not relevant to this patient",
                    },
                    "userComment": "known L5",
                },
                "outcomeTimestamp": "2026-01-31T10:00:00Z",
            },
            {
                "card": "a7d9a1c2-0000-4000-8000-000000000001",
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": "e56e1945-20b3-4393-8503-a1a20fd73152"}],
                "outcomeTimestamp": "2026-01-31T10:01:00Z",
            },
        ]
    }
    assert client.post(path, json=items).status_code == 401
    r = client.post(path, json=items, headers={"Authorization": f"Bearer {key.token(BASE + path)}"})
    assert r.status_code == 200 and r.json() == {"recorded": 2}
    _cors(r)
    lines = app.state.cds_feedback.read()[-2:]
    assert [x["outcome"] for x in lines] == ["overridden", "accepted"]
    assert lines[0]["client"] == key.issuer and lines[0]["overrideReason"]["userComment"] == "known L5"
    assert client.options(path).status_code == 204


@pytest.mark.parametrize(
    "body, words",
    [
        ({"feedback": []}, "feedback: List should have at least 1 item"),
        (
            {"feedback": [{"card": "x", "outcome": "ignored", "outcomeTimestamp": "2026-01-31T10:00:00Z"}]},
            "feedback.0.outcome",
        ),
        (
            {
                "feedback": [
                    {
                        "card": "x",
                        "outcome": "accepted",
                        "outcomeTimestamp": "2026-01-31T10:00:00Z",
                        "overrideReason": {"userComment": "no"},
                    }
                ]
            },
            "an accepted card has no overrideReason",
        ),
    ],
)
def test_bad_feedback_is_400_naming_the_field(client, key, body, words):
    path = f"{PATH}/feedback"
    r = client.post(path, json=body, headers={"Authorization": f"Bearer {key.token(BASE + path)}"})
    assert r.status_code == 400 and words in r.json()["detail"], r.text
    _cors(r)


def test_with_smart_launch_configured_the_localization_card_links_to_it(app, client, key):
    from plexnav.web.smart import SmartConfig

    r = _post(client, cds_hooks.request_for(URGENT), key.token(AUDIENCE))
    assert not any("links" in c for c in r.json()["cards"])  # not configured: no link to a launch that fails
    app.state.smart_config = SmartConfig("plexnav", ("https://ehr.hospital.example/fhir",))
    try:
        r = _post(client, cds_hooks.request_for(URGENT), key.token(AUDIENCE))
    finally:
        del app.state.smart_config
    localization = next(c for c in r.json()["cards"] if c["source"]["topic"]["code"] == "localization")
    (link,) = localization["links"]
    assert link["type"] == "smart" and link["url"] == BASE + "/smart/launch"
    cds_hooks.CdsResponse.model_validate(r.json())

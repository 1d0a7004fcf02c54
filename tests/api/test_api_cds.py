"""CDS Hooks over HTTP: discovery, cards for a case, and the protocol's error statuses."""

from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from plexnav import vocabulary as V
from plexnav.examples import example_path
from plexnav.interop import cds_hooks
from plexnav.interop.cds_auth import CdsAuth, TrustedClient

ISSUER = "https://ehr.example"
URL = f"/cds-services/{cds_hooks.SERVICE_ID}"
_KEY = ec.generate_private_key(ec.SECP384R1())


@pytest.fixture(autouse=True)
def _trusted_client(app):
    """A registered CDS client (its JWKS) for every call; tests/interop covers the JWT checks."""
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(_KEY.public_key(), as_dict=True)
    app.state.cds_auth = CdsAuth.of([TrustedClient(ISSUER, {"keys": [{**jwk, "kid": "k1"}]})])


def _signed() -> dict:
    now = int(time.time())
    token = jwt.encode(
        {"iss": ISSUER, "aud": "http://testserver" + URL, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())},
        _KEY,
        algorithm="ES384",
        headers={"kid": "k1"},
    )
    return {"Authorization": f"Bearer {token}"}


def _case(name: str = "l5-radiculopathy") -> dict:
    data = json.loads(example_path(name).read_text())
    return {k: v for k, v in data.items() if k not in V.EVALUATION_KEYS}


def test_discovery_lists_the_service(client):
    r = client.get("/cds-services")
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert [s["id"] for s in r.json()["services"]] == [cds_hooks.SERVICE_ID, *cds_hooks.ORDER_SERVICES.values()]


def test_service_returns_cards_for_a_case(client):
    r = client.post(URL, json=cds_hooks.request_for(_case()), headers=_signed())
    assert r.status_code == 200, r.text
    cards = r.json()["cards"]
    assert cards and cards[0]["indicator"] == "warning"  # the L5 example is urgent
    assert all(len(card["summary"]) <= 140 and card["source"]["label"] == "plexnav" for card in cards)


def test_emergency_case_gives_a_critical_card(client):
    case = {
        "format": "plexnav-case/1",
        "symptoms": [{"kind": "bladder_dysfunction"}, {"kind": "pain", "region": "lower_back", "side": "bilateral"}],
    }
    r = client.post(URL, json=cds_hooks.request_for(case), headers=_signed())
    assert r.status_code == 200
    assert r.json()["cards"][0]["indicator"] == "critical"


def test_protocol_errors_have_their_statuses(client):
    url = URL
    assert client.post(url, content=b"{", headers={"content-type": "application/json", **_signed()}).status_code == 400
    missing = cds_hooks.request_for(_case())
    missing.pop("prefetch")
    assert client.post(url, json=missing, headers=_signed()).status_code == 412
    bad = cds_hooks.request_for({"format": "plexnav-case/1", "patient": {"age": "old"}})
    r = client.post(url, json=bad, headers=_signed())
    assert r.status_code == 422 and r.json()["errors"][0]["path"].endswith("patient.age")


def test_an_unsigned_call_is_401(client):
    r = client.post(URL, json=cds_hooks.request_for(_case()))
    assert r.status_code == 401 and r.headers["access-control-allow-origin"] == "*"

"""SMART on FHIR EHR launch against a local launcher (smart_launcher_support): discovery, PKCE,
state, patient context, and the assessment of the EHR record shown with what was not read."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from fastapi.testclient import TestClient
from smart_launcher_support import SmartLauncher
from test_interop_conceptmap import HOSPITAL_MAP

from plexnav.web.smart import SmartConfig, pkce_pair


@pytest.fixture(scope="module")
def launcher():
    with SmartLauncher() as server:
        yield server


@pytest.fixture(scope="module")
def client(tmp_path_factory, launcher):
    from plexnav.api.app import create_app
    from plexnav.interop.concept_maps import maps_from_paths
    from plexnav.settings import Settings

    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("smart"), secret_key="test-secret-" + "s" * 32))
    app.state.smart_config = SmartConfig("plexnav", (launcher.base,))
    app.state.cds_maps = maps_from_paths([HOSPITAL_MAP])
    with TestClient(app) as c:
        yield c


def _launch(client, launcher, iss: str | None = None):
    r = client.get("/smart/launch", params={"iss": iss or launcher.base, "launch": "xyz123"}, follow_redirects=False)
    return r


def test_an_ehr_launch_shows_the_assessment_of_the_patient_in_context(client, launcher):
    r = _launch(client, launcher)
    assert r.status_code == 303
    authorize = urlparse(r.headers["location"])
    asked = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert authorize.path == "/auth/authorize" and asked["aud"] == launcher.base and asked["launch"] == "xyz123"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    back = requests.get(r.headers["location"], allow_redirects=False, timeout=10)  # the EHR approves
    callback = urlparse(back.headers["location"])
    page = client.get(f"{callback.path}?{callback.query}")
    assert page.status_code == 200, page.text
    assert "Patient/pat-l5" in page.text and "left L5" in page.text and "urgent" in page.text
    assert "its conclusion was not read" in page.text and "never replaces it" in page.text


def test_a_replayed_or_forged_callback_is_refused(client, launcher):
    r = _launch(client, launcher)
    back = urlparse(requests.get(r.headers["location"], allow_redirects=False, timeout=10).headers["location"])
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    forged = client.get("/smart/callback", params={**query, "state": "not-the-state"})
    assert forged.status_code == 400 and "does not match a launch" in forged.text
    again = client.get("/smart/callback", params=query)  # the launch was used up by the forged answer
    assert again.status_code == 400


def test_an_unregistered_ehr_is_refused_before_any_request(client, launcher):
    before = len(launcher.launches)
    r = _launch(client, launcher, iss="https://evil.example/fhir")
    assert r.status_code == 403 and "not registered" in r.text and len(launcher.launches) == before


def test_a_wrong_pkce_verifier_gets_no_token(launcher):
    verifier, challenge = pkce_pair()
    assert verifier != challenge and len(challenge) == 43
    launcher.codes["c1"] = {"code_challenge": challenge, "redirect_uri": "http://x/cb", "scope": "launch"}
    r = requests.post(
        f"{launcher.origin}/auth/token",
        timeout=10,
        data={
            "grant_type": "authorization_code",
            "code": "c1",
            "client_id": "plexnav",
            "redirect_uri": "http://x/cb",
            "code_verifier": pkce_pair()[0],
        },
    )
    assert r.status_code == 400 and json.loads(r.text)["error"] == "invalid_grant"

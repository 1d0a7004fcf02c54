"""SMART EHR launch in a real browser: Debian's chromium (Playwright) opens plexnav's launch URL the
way an EHR does, is sent to a local SMART launcher's authorize endpoint and back, and lands on the
assessment of the patient in context.  The server is a real ``plexnav serve`` configured with
PLEXNAV_SMART_CLIENTS and the hospital ConceptMap; skipped only without /usr/bin/chromium."""

from __future__ import annotations

import json

import pytest
from smart_launcher_support import SmartLauncher
from test_interop_conceptmap import HOSPITAL_MAP

from web_support import CHROMIUM, Server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium (scripts/install-system-deps.sh)"),
]


class SlowStartServer(Server):
    def _wait_ready(self, timeout: float = 240.0) -> None:  # a shared, loaded machine
        super()._wait_ready(timeout)


@pytest.fixture(scope="module")
def launcher():
    with SmartLauncher() as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory, launcher):
    data = tmp_path_factory.mktemp("smart-e2e")
    clients = data / "smart-clients.json"
    clients.write_text(json.dumps({"client_id": "plexnav", "issuers": [launcher.base]}))
    running = SlowStartServer(
        data, extra_env={"PLEXNAV_SMART_CLIENTS": str(clients), "PLEXNAV_FHIR_CONCEPT_MAPS": str(HOSPITAL_MAP)}
    )
    yield running
    running.stop()


def test_an_ehr_launch_in_the_browser_lands_on_the_patient_in_context(server, launcher, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(180_000)
        page.goto(f"{server.base_url}/smart/launch?iss={launcher.base}&launch=ehr-launch-1")
        page.wait_for_url(f"{server.base_url}/smart/callback*")
        assert page.locator("#smart-patient").inner_text() == "Patient/pat-l5"
        assert page.locator("#smart-level").inner_text().strip() == "urgent"
        assert page.locator("#smart-site-list li").first.inner_text().startswith("left L5")
        assert "its conclusion was not read" in page.locator("#smart-unread-list").inner_text()
    finally:
        context.close()
    (asked,) = [q for q in launcher.launches if q["launch"] == "ehr-launch-1"]
    assert asked["code_challenge_method"] == "S256" and asked["aud"] == launcher.base

"""Issue 9, item 2: diary red flags raise the case's urgency everywhere (case page, case
lists for patient and clinician, both PDFs, API) and stay until a clinician acknowledges
them.  Before, the banner showed once on the redirect and the PDFs led with the older level."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from web_support import example_case, register

from .accounts_support import register_clinician
from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures

PAIN = [{"region": "lateral_leg", "side": "right", "score": 4}]


@pytest.fixture
def flagged(backend_app, backend_client):
    alice = backend_client
    register(alice, "alice")
    carol = TestClient(backend_app, raise_server_exceptions=False)
    carol.__enter__()
    register_clinician(carol, "carol")
    case = alice.post("/api/v1/cases", json={"title": "Foot drop", "case": example_case()}).json()
    assert case["urgency"] == case["latest_assessment"]["assessment"]["triage"]["level"] != "emergency"
    assert alice.post("/api/v1/shares", json={"clinician": "carol"}).status_code == 201
    url = f"/api/v1/cases/{case['id']}/diary"
    assert alice.post(url, json={"date": "2026-02-01", "pain": PAIN}).status_code == 201
    assert alice.post(url, json={"date": "2026-02-03", "bladder_change": True}).json()["new_alert"] is True
    yield alice, carol, case["id"]
    carol.__exit__(None, None, None)


def _pdf_text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _emergency_everywhere(client, case_id: str) -> None:
    case = client.get(f"/api/v1/cases/{case_id}").json()
    assert case["urgency"] == "emergency" and case["diary_alert"]["level"] == "emergency"
    listed = next(c for c in client.get("/api/v1/cases").json() if c["id"] == case_id)
    assert listed["urgency"] == "emergency" and listed["diary_alert"]["entries"] >= 1
    page = client.get(f"/cases/{case_id}").text
    assert re.search(r'class="[^"]*triage[^"]*emergency', page) or "badge-emergency" in page, page[:2000]
    if client.get("/api/v1/auth/me").json()["role"] == "patient":
        assert "recovery diary" in page
    cases_page = client.get("/cases").text
    assert "badge-emergency" in cases_page and "red flag in the diary" in cases_page
    for kind in ("patient", "clinician"):
        answer = client.get(f"/cases/{case_id}/report.pdf?kind={kind}")
        assert answer.status_code == 200
        assert "recovery diary" in _pdf_text(answer.content).lower()


def test_a_diary_red_flag_raises_the_case_everywhere_until_a_clinician_acknowledges(flagged):
    alice, carol, case_id = flagged
    for who in (alice, carol):
        _emergency_everywhere(who, case_id)
        _emergency_everywhere(who, case_id)  # still there on the next visit: not a one-off banner
    # the patient cannot clear her own red flag
    assert alice.post(f"/api/v1/cases/{case_id}/diary/acknowledge").status_code == 403
    assert alice.get(f"/api/v1/cases/{case_id}").json()["urgency"] == "emergency"
    assert carol.post(f"/api/v1/cases/{case_id}/diary/acknowledge").json()["acknowledged"] >= 1
    for who in (alice, carol):
        case = who.get(f"/api/v1/cases/{case_id}").json()
        assert case["diary_alert"] is None
        assert case["urgency"] == case["latest_assessment"]["assessment"]["triage"]["level"]
    audit = alice.get("/api/v1/audit").json()
    assert any(e["action"] == "acknowledge" and e["actor_name"] == "carol" for e in audit)


def test_the_clinician_acknowledges_on_the_diary_page(flagged):
    alice, carol, case_id = flagged
    page = carol.get(f"/cases/{case_id}/diary").text
    assert "Red flag in the diary, not yet reviewed" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = carol.post(f"/cases/{case_id}/diary/acknowledge", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code in (302, 303)
    assert "not yet reviewed" not in alice.get(f"/cases/{case_id}/diary").text

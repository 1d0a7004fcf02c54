"""The recovery diary of a stored case over the REST API and the pages: who may read and
write it, red-flag checks, friendly 422s, export/import round trip and the PDF reports."""

from __future__ import annotations

import io
import json
import re

import pytest

from plexnav.diary import from_json
from web_support import example_case

from .accounts_support import patients_and_clinicians

PAIN = [{"region": "lateral_leg", "side": "right", "score": 7}]


@pytest.fixture
def people(make_client):
    people = patients_and_clinicians(make_client)
    return {**people, "url": f"/api/v1/cases/{people['case']['id']}/diary"}


def test_the_patient_adds_and_lists_entries_in_time_order(people):
    alice, url = people["alice"], people["url"]
    later = alice.post(url, json={"date": "2026-02-10", "pain": PAIN, "function": {"walking": 5}})
    earlier = alice.post(url, json={"date": "2026-02-01", "pain": [{**PAIN[0], "score": 8}]})
    assert later.status_code == earlier.status_code == 201
    body = later.json()
    assert body["entry"]["author"] == "patient" and body["created_by"]["username"] == "alice"
    assert body["triage"]["level"] in ("emergency", "urgent", "soon", "routine")
    listed = alice.get(url).json()
    assert [e["entry"]["date"] for e in listed] == ["2026-02-01", "2026-02-10"]


def test_a_new_bladder_change_is_an_emergency_alert(people):
    alice, url = people["alice"], people["url"]
    alice.post(url, json={"date": "2026-02-01", "pain": PAIN})
    flagged = alice.post(url, json={"date": "2026-02-03", "bladder_change": True}).json()
    assert flagged["triage"]["level"] == "emergency" and flagged["new_alert"] is True
    assert "emergency.bladder_bowel" in flagged["triage"]["rules"]


def test_another_patient_and_an_unshared_clinician_get_404(people):
    url = people["url"]
    people["alice"].post(url, json={"date": "2026-02-01", "pain": PAIN})
    for who in ("bob", "carol"):
        client = people[who]
        assert client.get(url).status_code == 404
        assert client.post(url, json={"date": "2026-02-02", "pain": PAIN}).status_code == 404
    case_id = people["case"]["id"]
    for path in (
        f"/cases/{case_id}/diary",
        f"/cases/{case_id}/diary.csv",
        f"/cases/{case_id}/diary.json",
        f"/cases/{case_id}/report.pdf",
    ):
        assert people["bob"].get(path).status_code == 404, path
    assert len(people["alice"].get(url).json()) == 1


def test_anonymous_gets_401(client, people):
    assert client.get(people["url"]).status_code == 401
    assert client.post(people["url"], json={"date": "2026-02-01"}).status_code == 401


def test_a_shared_clinician_reads_and_adds_strength_grades(people):
    alice, carol, dan, url = people["alice"], people["carol"], people["dan"], people["url"]
    alice.post(url, json={"date": "2026-02-01", "pain": PAIN})
    assert alice.post("/api/v1/shares", json={"clinician": "carol"}).status_code == 201
    assert len(carol.get(url).json()) == 1
    grade = {"movement": "ankle_dorsiflexion", "side": "right", "mrc": 3}
    added = carol.post(url, json={"date": "2026-02-05", "author": "clinician", "strength": [grade]})
    assert added.status_code == 201 and added.json()["entry"]["strength"] == [{**grade, "mrc": 3.0}]
    # a clinician writes clinician entries, a patient patient entries
    assert carol.post(url, json={"date": "2026-02-06", "pain": PAIN}).status_code == 403
    refused = alice.post(url, json={"date": "2026-02-06", "author": "clinician", "strength": [grade]})
    assert refused.status_code == 403 and refused.json()["errors"][0]["path"] == "author"
    assert dan.get(url).status_code == 404
    events = {(e["action"], e["object_type"]) for e in alice.get("/api/v1/audit").json()}
    assert {("create", "diary_entry"), ("list", "diary_entries")} <= events


def test_invalid_entries_get_located_friendly_422s(people):
    alice, url = people["alice"], people["url"]
    response = alice.post(
        url, json={"date": "2026-02-01", "pain": [{"region": "lateral_lg", "side": "right", "score": 11}]}
    )
    assert response.status_code == 422
    errors = {e["path"]: e for e in response.json()["errors"]}
    assert errors["pain[0].region"]["suggestion"] == "lateral_leg"
    assert "pain[0].score" in errors
    strength = alice.post(
        url, json={"date": "2026-02-01", "strength": [{"movement": "ankle_dorsiflexion", "side": "right", "mrc": 4}]}
    )
    assert strength.status_code == 422 and "clinician" in strength.json()["detail"]


def _token(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_pages_add_export_import_round_trip_and_pdf(people):
    alice, case_id = people["alice"], people["case"]["id"]
    page = f"/cases/{case_id}/diary"
    token = _token(alice, page)
    for day, score in (("2026-01-01", "8"), ("2026-01-09", "6"), ("2026-01-20", "4")):
        sent = alice.post(
            page,
            data={
                "csrf_token": token,
                "date": day,
                "pain.0.where": "lateral_leg:right",
                "pain.0.score": score,
                "fn.walking": "4",
                "med.name": "ibuprofen",
                "med.change": "started",
                "notes": 'a, "quoted" note',
            },
            follow_redirects=False,
        )
        assert sent.status_code == 303
    assert alice.post(page, data={"csrf_token": "forged", "date": "2026-01-02"}).status_code == 403
    bad = alice.post(page, data={"csrf_token": token, "date": "2026-01-21", "pain.0.score": "5"})
    assert bad.status_code == 422 and "pain.0" in bad.text
    shown = alice.get(page)
    assert "Your pain has fallen by about half" in shown.text and 'id="plot-pain-function"' in shown.text

    alert = alice.post(page, data={"csrf_token": token, "date": "2026-01-21", "flag": "bowel_change"})
    assert alert.status_code == 200 and "triage-emergency" in alert.text and 'role="alert"' in alert.text

    exported = alice.get(f"{page}.json")
    assert exported.headers["content-type"] == "application/json"
    assert "attachment" in exported.headers["content-disposition"]
    assert len(from_json(exported.text).entries) == 4
    csv = alice.get(f"{page}.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    other = alice.post("/api/v1/cases", json={"title": "Copy", "case": example_case()}).json()["id"]
    imported = alice.post(
        f"/cases/{other}/diary/import",
        data={"csrf_token": token},
        files={"file": ("diary.csv", io.BytesIO(csv.content), "text/csv")},
        follow_redirects=False,
    )
    assert imported.status_code == 303 and "imported=4-0" in imported.headers["location"]
    assert alice.get(f"/cases/{other}/diary.json").text == exported.text
    again = alice.post(
        f"/cases/{other}/diary/import",
        data={"csrf_token": token},
        files={"file": ("diary.json", io.BytesIO(exported.content), "application/json")},
        follow_redirects=False,
    )
    assert "imported=0-4" in again.headers["location"]
    broken = alice.post(
        f"/cases/{other}/diary/import",
        data={"csrf_token": token},
        files={"file": ("diary.json", io.BytesIO(b'{"format": 1}'), "application/json")},
    )
    assert broken.status_code == 422

    for kind, name in (("patient", "appointment-summary"), ("clinician", "clinician-report")):
        pdf = alice.get(f"/cases/{case_id}/report.pdf?kind={kind}")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-") and name in pdf.headers["content-disposition"]
    assert json.loads(exported.text)["format"] == "plexnav-diary/1"


def test_a_shared_clinician_adds_grades_on_the_page(people):
    alice, carol, case_id = people["alice"], people["carol"], people["case"]["id"]
    alice.post("/api/v1/shares", json={"clinician": "carol"})
    page = f"/cases/{case_id}/diary"
    assert 'name="mrc.0.grade"' in carol.get(page).text and 'name="mrc.0.grade"' not in alice.get(page).text
    sent = carol.post(
        page,
        data={
            "csrf_token": _token(carol, page),
            "date": "2026-02-05",
            "mrc.0.movement": "ankle_dorsiflexion",
            "mrc.0.side": "right",
            "mrc.0.grade": "4-",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    [entry] = alice.get(people["url"]).json()
    assert entry["entry"]["author"] == "clinician" and entry["entry"]["strength"][0]["mrc"] == 3.5
    assert "Carol" in alice.get(page).text

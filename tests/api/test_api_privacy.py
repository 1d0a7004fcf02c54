"""Privacy: nobody reads or changes another person's records by guessing or knowing an id.

A patient sees only their own cases; a clinician only those of patients who shared with
them (and may add findings, never delete); everything read or changed is in the audit log.
"""

from __future__ import annotations

import pytest

from web_support import example_case

from .accounts_support import patients_and_clinicians


@pytest.fixture
def people(make_client):
    return patients_and_clinicians(make_client)


def _all_doors(client, case_id: str, assessment_id: str) -> dict[str, int]:
    body = {"title": "mine now", "case": example_case()}
    return {
        "read": client.get(f"/api/v1/cases/{case_id}").status_code,
        "update": client.put(f"/api/v1/cases/{case_id}", json=body).status_code,
        "delete": client.delete(f"/api/v1/cases/{case_id}").status_code,
        "history": client.get(f"/api/v1/cases/{case_id}/assessments").status_code,
        "assessment": client.get(f"/api/v1/cases/{case_id}/assessments/{assessment_id}").status_code,
        "reassess": client.post(f"/api/v1/cases/{case_id}/assessments").status_code,
    }


def test_another_patient_gets_404_everywhere(people):
    case = people["case"]
    doors = _all_doors(people["bob"], case["id"], case["latest_assessment"]["id"])
    assert set(doors.values()) == {404}, doors
    assert people["bob"].get("/api/v1/cases").json() == []
    # ...and the case is untouched
    assert people["alice"].get(f"/api/v1/cases/{case['id']}").json()["title"] == "Alice's foot drop"


def test_a_clinician_without_a_share_gets_404_everywhere(people):
    case = people["case"]
    doors = _all_doors(people["carol"], case["id"], case["latest_assessment"]["id"])
    assert set(doors.values()) == {404}, doors
    assert people["carol"].get("/api/v1/cases").json() == []


def test_anonymous_gets_401(client, people):
    case = people["case"]
    for status in _all_doors(client, case["id"], case["latest_assessment"]["id"]).values():
        assert status == 401
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get("/api/v1/audit").status_code == 401


def test_sharing_lets_one_clinician_in_and_never_lets_them_delete(people):
    alice, carol, dan, case = people["alice"], people["carol"], people["dan"], people["case"]
    share = alice.post("/api/v1/shares", json={"clinician": "CAROL@example.org"})
    assert share.status_code == 201
    assert share.json()["clinician"]["username"] == "carol"

    assert carol.get(f"/api/v1/cases/{case['id']}").status_code == 200
    assert [c["id"] for c in carol.get("/api/v1/cases").json()] == [case["id"]]
    assert [p["username"] for p in carol.get("/api/v1/patients").json()] == ["alice"]
    edited = carol.put(f"/api/v1/cases/{case['id']}", json={"title": "Reviewed by Carol"})
    assert edited.status_code == 200 and edited.json()["can_delete"] is False
    assert carol.delete(f"/api/v1/cases/{case['id']}").status_code == 403
    # the other clinician still sees nothing
    assert dan.get(f"/api/v1/cases/{case['id']}").status_code == 404

    # a clinician can store a case for a patient who shared, not for anyone else
    for_alice = carol.post(
        "/api/v1/cases", json={"case": example_case("l5-radiculopathy"), "patient_id": case["owner"]["id"]}
    )
    assert for_alice.status_code == 201 and for_alice.json()["owner"]["username"] == "alice"
    assert (
        dan.post("/api/v1/cases", json={"case": example_case(), "patient_id": case["owner"]["id"]}).status_code == 404
    )
    assert (
        people["bob"]
        .post("/api/v1/cases", json={"case": example_case(), "patient_id": case["owner"]["id"]})
        .status_code
        == 403
    )

    # withdrawing the share closes the door again
    assert carol.delete(f"/api/v1/shares/{share.json()['id']}").status_code == 403
    assert people["bob"].delete(f"/api/v1/shares/{share.json()['id']}").status_code == 404
    assert alice.delete(f"/api/v1/shares/{share.json()['id']}").status_code == 204
    assert carol.get(f"/api/v1/cases/{case['id']}").status_code == 404
    assert carol.get("/api/v1/cases").json() == []


def test_only_patients_share_and_only_with_clinicians(people):
    assert people["alice"].post("/api/v1/shares", json={"clinician": "bob"}).status_code == 404
    assert people["alice"].post("/api/v1/shares", json={"clinician": "nobody"}).status_code == 404
    assert people["carol"].post("/api/v1/shares", json={"clinician": "dan"}).status_code == 403


def test_the_audit_log_shows_who_read_and_changed_what(people):
    alice, carol, case = people["alice"], people["carol"], people["case"]
    alice.post("/api/v1/shares", json={"clinician": "carol"})
    carol.get(f"/api/v1/cases/{case['id']}")
    carol.put(f"/api/v1/cases/{case['id']}", json={"case": example_case()})
    people["bob"].get(f"/api/v1/cases/{case['id']}")  # refused: no audit line about Alice's data
    events = alice.get("/api/v1/audit").json()
    seen = {(e["actor_name"], e["action"], e["object_type"]) for e in events}
    assert ("carol", "read", "case") in seen
    assert ("carol", "update", "case") in seen
    assert ("carol", "assess", "assessment") in seen
    assert ("alice", "create", "case") in seen
    assert ("alice", "share", "share") in seen
    assert {(e["action"], e["object_id"]) for e in events if e["actor_name"] == "bob"} == {("denied", case["id"])}
    assert all(e["subject_id"] in (case["owner"]["id"], None) or e["actor_id"] == case["owner"]["id"] for e in events)
    # Bob's own log says nothing about Alice
    assert not any(e["subject_id"] == case["owner"]["id"] for e in people["bob"].get("/api/v1/audit").json())


def test_pages_refuse_other_peoples_cases_too(people):
    case_id = people["case"]["id"]
    bob = people["bob"]
    assert bob.get(f"/cases/{case_id}").status_code == 404
    assert bob.get(f"/cases/{case_id}/edit").status_code == 404
    page = bob.get("/cases")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert bob.post(f"/cases/{case_id}/delete", data={"csrf_token": token}).status_code == 404
    assert people["alice"].get(f"/cases/{case_id}").status_code == 200

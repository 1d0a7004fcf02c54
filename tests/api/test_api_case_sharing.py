"""Issue 12, data rights: sharing per case, with an optional end, revocable; the patient sees
who has access (overall and case by case) and until when; an ended share grants nothing.

Before this change a share always covered every case of the patient, had no end, and
revoking it deleted the record: the tests below failed at the first POST (``case_id`` and
``expires_at`` were unknown fields, 422).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from web_support import example_case, register

from .accounts_support import register_clinician
from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures


@pytest.fixture
def people(backend_client, backend_app):
    """Alice (patient) with two cases, and Carol, a vetted clinician, on her own client."""
    alice = backend_client
    register(alice, "alice")
    foot = alice.post("/api/v1/cases", json={"title": "Foot drop", "case": example_case()}).json()
    thigh = alice.post("/api/v1/cases", json={"title": "Thigh pain", "case": example_case()}).json()
    with TestClient(backend_app, raise_server_exceptions=False) as carol:
        register_clinician(carol, "carol")
        yield alice, carol, foot["id"], thigh["id"]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def test_a_share_of_one_case_shows_that_case_only(people):
    alice, carol, foot, thigh = people
    made = alice.post("/api/v1/shares", json={"clinician": "carol", "case_id": foot})
    assert made.status_code == 201, made.text
    assert made.json()["case_id"] == foot and made.json()["case_title"] == "Foot drop"
    assert made.json()["expires_at"] is None and made.json()["status"] == "active"
    assert carol.get(f"/api/v1/cases/{foot}").status_code == 200
    assert carol.get(f"/api/v1/cases/{thigh}").status_code == 404
    assert [c["id"] for c in carol.get("/api/v1/cases").json()] == [foot]
    assert [p["username"] for p in carol.get("/api/v1/patients").json()] == ["alice"]
    # one case shared is not the patient's whole record: no new case for her
    alice_id = alice.get("/api/v1/auth/me").json()["id"]
    added = carol.post("/api/v1/cases", json={"title": "New", "case": example_case(), "patient_id": alice_id})
    assert added.status_code == 404 and added.json()["errors"][0]["path"] == "patient_id"


def test_an_expired_share_grants_nothing_from_its_end_exactly(people, monkeypatch):
    alice, carol, foot, thigh = people
    end = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    made = alice.post("/api/v1/shares", json={"clinician": "carol", "expires_at": _iso(end)}).json()
    assert datetime.fromisoformat(made["expires_at"]) == end and made["case_id"] is None

    monkeypatch.setattr("plexnav.store.casebook.utcnow", lambda: end - timedelta(microseconds=1))
    assert carol.get(f"/api/v1/cases/{foot}").status_code == 200
    assert carol.get(f"/api/v1/cases/{thigh}/diary").status_code == 200
    assert len(carol.get("/api/v1/cases").json()) == 2

    monkeypatch.setattr("plexnav.store.casebook.utcnow", lambda: end)
    assert carol.get(f"/api/v1/cases/{foot}").status_code == 404
    assert carol.get(f"/api/v1/cases/{thigh}/diary").status_code == 404
    assert carol.post(f"/api/v1/cases/{foot}/assess").status_code == 404
    assert carol.get("/api/v1/cases").json() == []
    assert carol.get("/api/v1/patients").json() == [] and carol.get("/api/v1/shares").json() == []
    # the patient still sees that it existed and that it ended
    assert alice.get("/api/v1/shares").json() == []
    history = alice.get("/api/v1/shares", params={"include_ended": True}).json()
    assert [(s["status"], s["clinician"]["username"]) for s in history] == [("expired", "carol")]
    assert alice.get("/api/v1/access").json() == {
        "all_cases": [],
        "cases": [
            {"case_id": foot, "title": "Foot drop", "shares": []},
            {"case_id": thigh, "title": "Thigh pain", "shares": []},
        ],
    }


def test_revoking_ends_access_at_once_and_keeps_the_record(people):
    alice, carol, foot, _ = people
    share = alice.post("/api/v1/shares", json={"clinician": "carol", "case_id": foot}).json()
    assert carol.get(f"/api/v1/cases/{foot}").status_code == 200
    assert carol.delete(f"/api/v1/shares/{share['id']}").status_code == 403  # only the patient revokes
    assert alice.delete(f"/api/v1/shares/{share['id']}").status_code == 204
    assert carol.get(f"/api/v1/cases/{foot}").status_code == 404
    ended = alice.get("/api/v1/shares", params={"include_ended": True}).json()
    assert [s["status"] for s in ended] == ["revoked"] and ended[0]["revoked_at"]
    actions = [e["action"] for e in alice.get("/api/v1/audit", params={"actor": "alice"}).json()]
    assert "unshare" in actions and "share" in actions
    # sharing again makes a new share; the revoked one stays revoked
    again = alice.post("/api/v1/shares", json={"clinician": "carol", "case_id": foot}).json()
    assert again["id"] != share["id"] and carol.get(f"/api/v1/cases/{foot}").status_code == 200


def test_the_patient_sees_who_has_access_overall_and_per_case(people):
    alice, carol, foot, thigh = people
    end = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    alice.post("/api/v1/shares", json={"clinician": "carol", "case_id": thigh, "expires_at": _iso(end)})
    overview = alice.get("/api/v1/access").json()
    assert overview["all_cases"] == []
    by_case = {c["title"]: c["shares"] for c in overview["cases"]}
    assert by_case["Foot drop"] == []
    assert [(s["clinician"]["username"], datetime.fromisoformat(s["expires_at"])) for s in by_case["Thigh pain"]] == [
        ("carol", end)
    ]
    # sharing everything adds carol to every case, open-ended
    alice.post("/api/v1/shares", json={"clinician": "carol"})
    overview = alice.get("/api/v1/access").json()
    assert [s["clinician"]["username"] for s in overview["all_cases"]] == ["carol"]
    assert {c["title"]: len(c["shares"]) for c in overview["cases"]} == {"Foot drop": 1, "Thigh pain": 2}
    only = alice.get("/api/v1/access", params={"case_id": foot}).json()["cases"]
    assert [c["case_id"] for c in only] == [foot]
    # the page says it too
    page = alice.get("/account").text
    assert "Who can see your records" in page and "carol" in page.lower() and end.strftime("%d %b %Y") in page


def test_sharing_the_same_scope_again_moves_its_end(people):
    alice, carol, foot, _ = people
    first = alice.post("/api/v1/shares", json={"clinician": "carol", "case_id": foot}).json()
    end = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0)
    moved = alice.post("/api/v1/shares", json={"clinician": "carol", "case_id": foot, "expires_at": _iso(end)}).json()
    assert moved["id"] == first["id"] and datetime.fromisoformat(moved["expires_at"]) == end
    assert len(alice.get("/api/v1/shares").json()) == 1


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": "2999-01-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": "tomorrow"}, "expires_at"),
        ({"case_id": "0" * 32}, "case_id"),
        ({"case_id": "not-an-id"}, "case_id"),
    ],
)
def test_bad_share_requests_name_the_field(people, body, path):
    alice, *_ = people
    answer = alice.post("/api/v1/shares", json={"clinician": "carol", **body})
    assert answer.status_code in (404, 422), answer.text
    assert answer.json()["errors"][0]["path"] == path


def test_a_case_of_another_patient_cannot_be_shared(people, backend_app):
    alice, carol, foot, _ = people
    with TestClient(backend_app, raise_server_exceptions=False) as bob:
        register(bob, "bob")
        answer = bob.post("/api/v1/shares", json={"clinician": "carol", "case_id": foot})
        assert answer.status_code == 404 and answer.json()["errors"][0]["path"] == "case_id"
    assert carol.get(f"/api/v1/cases/{foot}").status_code == 404


def _csrf(page: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_account_page_shares_one_case_for_a_week_and_revokes_it(people):
    alice, carol, foot, thigh = people
    page = alice.get("/account").text
    assert "Nobody but you can see your records" in page
    done = alice.post(
        "/account/shares", data={"csrf_token": _csrf(page), "clinician": "carol", "case_id": foot, "days": "7"}
    )
    assert done.status_code == 200 and "can see “Foot drop” until" in done.text
    share = alice.get("/api/v1/shares").json()[0]
    length = datetime.fromisoformat(share["expires_at"]) - datetime.fromisoformat(share["created_at"])
    assert timedelta(days=7) - timedelta(seconds=5) < length <= timedelta(days=7)
    assert (
        carol.get(f"/api/v1/cases/{foot}").status_code == 200 and carol.get(f"/api/v1/cases/{thigh}").status_code == 404
    )
    bad = alice.post("/account/shares", data={"csrf_token": _csrf(page), "clinician": "carol", "days": "9999"})
    assert bad.status_code == 422 and "choose how long" in bad.text
    nobody = alice.post("/account/shares", data={"csrf_token": _csrf(page), "clinician": "mallory", "days": ""})
    assert nobody.status_code == 404 and "no vetted clinician" in nobody.text
    revoked = alice.post(f"/account/shares/{share['id']}/revoke", data={"csrf_token": _csrf(page)})
    assert revoked.status_code == 200 and "Access that has ended" in revoked.text
    assert carol.get(f"/api/v1/cases/{foot}").status_code == 404

"""Stored cases through the API: create, read, change, re-assess, history, delete."""

from __future__ import annotations

from web_support import example_case, register


def test_case_lifecycle(client):
    register(client, "pat")
    created = client.post("/api/v1/cases", json={"title": "Foot drop", "case": example_case()})
    assert created.status_code == 201
    body = created.json()
    assert body["version"] == 1 and body["can_edit"] and body["can_delete"]
    latest = body["latest_assessment"]
    assert latest["case_version"] == 1
    assert latest["knowledge_version"] == latest["assessment"]["knowledge_version"] != ""
    assert latest["assessment"]["localization"][0]["site"] == "nerve:common_peroneal"
    case_id = body["id"]

    listed = client.get("/api/v1/cases").json()
    assert [c["id"] for c in listed] == [case_id]
    assert listed[0]["latest"]["top_site"] == "nerve:common_peroneal"
    assert listed[0]["latest"]["triage_level"] == "soon"

    changed = client.put(
        f"/api/v1/cases/{case_id}", json={"case": example_case("l5-radiculopathy"), "expected_version": 1}
    )
    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    assert changed.json()["latest_assessment"]["assessment"]["localization"][0]["site"] == "root:L5"

    stale = client.put(f"/api/v1/cases/{case_id}", json={"title": "old copy", "expected_version": 1})
    assert stale.status_code == 409 and stale.json()["errors"][0]["path"] == "expected_version"

    again = client.post(f"/api/v1/cases/{case_id}/assessments")
    assert again.status_code == 201 and again.json()["case_version"] == 2
    history = client.get(f"/api/v1/cases/{case_id}/assessments").json()
    assert [h["case_version"] for h in history] == [2, 2, 1]
    one = client.get(f"/api/v1/cases/{case_id}/assessments/{history[-1]['id']}").json()
    assert one["assessment"]["localization"][0]["site"] == "nerve:common_peroneal"

    assert client.delete(f"/api/v1/cases/{case_id}").status_code == 204
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert client.get("/api/v1/cases").json() == []


def test_stored_case_document_round_trips(client):
    register(client, "rho")
    case = example_case("lumbar-plexus-diabetic-amyotrophy")
    created = client.post("/api/v1/cases", json={"case": case}).json()
    stored = client.get(f"/api/v1/cases/{created['id']}").json()["case"]
    from plexnav.case import Case

    assert Case.model_validate(stored) == Case.model_validate(case)


def test_a_case_without_an_id_takes_the_record_id(client):
    register(client, "sid")
    case = example_case()
    case.pop("id")
    created = client.post("/api/v1/cases", json={"case": case}).json()
    assert created["case"]["id"] == created["id"]
    assert created["latest_assessment"]["assessment"]["case_id"] == created["id"]


def test_invalid_stored_case_is_located_inside_the_body(client):
    register(client, "tia")
    case = example_case()
    case["exam"]["reflexes"][0]["grade"] = "absnt"
    response = client.post("/api/v1/cases", json={"title": "x", "case": case})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["path"] == "case.exam.reflexes[0].grade" and error["suggestion"] == "absent"
    unknown = client.post("/api/v1/cases", json={"titel": "x", "case": case})
    assert any(e["path"] == "titel" and e["suggestion"] == "title" for e in unknown.json()["errors"])
    assert client.post("/api/v1/cases", json={"title": "", "case": example_case()}).status_code == 422
    assert client.get("/api/v1/cases").json() == []

"""The stateless API: assess, schemas, knowledge look-ups, education, errors and limits."""

from __future__ import annotations

import json

import pytest

from web_support import SADDLE_CASE, example_case

ERROR_KEYS = {"path", "message", "choices", "suggestion"}


def assert_error_body(body: dict) -> None:
    assert set(body) == {"detail", "errors"}
    assert body["errors"], body
    for item in body["errors"]:
        assert set(item) == ERROR_KEYS


def test_assess_returns_the_assessment_and_stores_nothing(client, app):
    response = client.post("/api/v1/assess", json=example_case())
    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "plexnav-assessment/1"
    assert body["localization"][0]["site"] == "nerve:common_peroneal"
    assert body["knowledge_version"]
    assert "never replaces it" in body["disclaimer"]
    from plexnav.store.models import StoredCase

    with app.state.database.session() as session:
        assert session.query(StoredCase).count() == 0


def test_assess_accepts_evaluation_keys_like_the_cli(client):
    case = {
        **example_case(),
        "expected": {"site": "nerve:common_peroneal", "side": "right"},
        "teaching": "t",
        "source": "s",
        "source_kind": "textbook",
    }
    assert client.post("/api/v1/assess", json=case).status_code == 200


def test_saddle_numbness_is_an_emergency(client):
    body = client.post("/api/v1/assess", json=SADDLE_CASE).json()
    assert body["triage"]["level"] == "emergency"


def test_invalid_case_gets_the_cli_error_structure(client):
    case = example_case()
    case["exam"]["strength"][2]["movement"] = "knee_extention"
    case["patient"]["age"] = 300
    response = client.post("/api/v1/assess", json=case)
    assert response.status_code == 422
    body = response.json()
    assert_error_body(body)
    by_path = {e["path"]: e for e in body["errors"]}
    assert by_path["exam.strength[2].movement"]["suggestion"] == "knee_extension"
    assert "knee_extension" in by_path["exam.strength[2].movement"]["choices"]
    assert "patient.age" in by_path


@pytest.mark.parametrize(
    "payload, fragment",
    [
        (b"", "empty"),
        (b"{", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[" * 5000 + b"]" * 5000, "JSON"),
        (json.dumps({"format": "plexnav-case/2"}).encode(), "format"),
        (json.dumps({"format": "plexnav-case/1", "extra": 1}).encode(), "unknown field"),
    ],
)
def test_bad_documents_are_422_never_500(client, payload, fragment):
    response = client.post("/api/v1/assess", content=payload, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert_error_body(response.json())
    assert fragment in response.text


def test_writes_must_be_json(client):
    response = client.post(
        "/api/v1/assess", content=b"format=x", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 415
    assert_error_body(response.json())


def test_request_size_limit_by_header_and_by_stream(client, settings):
    big = b'{"format": "plexnav-case/1", "id": "' + b"x" * settings.max_body_bytes + b'"}'
    response = client.post("/api/v1/assess", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert_error_body(response.json())

    def chunks():  # no Content-Length: the limit applies while the body streams in
        for _ in range(40):
            yield b" " * 10_000

    response = client.post("/api/v1/assess", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_identical_cases_reuse_the_assessment(client, app):
    assessor = app.state.assessor
    first = client.post("/api/v1/assess", json=example_case("l5-radiculopathy")).content
    hits = assessor.hits
    second = client.post("/api/v1/assess", json=example_case("l5-radiculopathy")).content
    assert first == second
    assert assessor.hits == hits + 1


@pytest.mark.parametrize("which, title", [("case", "Case"), ("assessment", "Assessment")])
def test_schemas(client, which, title):
    body = client.get(f"/api/v1/schema/{which}").json()
    assert body["title"] == title


def test_unknown_schema_suggests_the_closest(client):
    response = client.get("/api/v1/schema/cas")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["suggestion"] == "case" and error["choices"] == ["case", "assessment"]


def test_knowledge_lookups(client):
    muscle = client.get("/api/v1/kb/muscle/tibialis_posterior").json()
    assert muscle["id"] == "tibialis_posterior" and muscle["supply"]
    lesion = client.get("/api/v1/kb/lesion/nerve:common_peroneal").json()
    assert lesion and lesion[0]["site"] == "nerve:common_peroneal"
    assert "ankle_dorsiflexion" in lesion[0]["effects"]["weak_movements"]
    root = client.get("/api/v1/kb/root/L5").json()
    assert root["id"] == "root:L5"


def test_unknown_knowledge_ids_are_404_with_suggestions(client):
    response = client.get("/api/v1/kb/muscle/tibialis_posterio")
    assert response.status_code == 404
    error = response.json()["errors"][0]
    assert error["suggestion"] == "tibialis_posterior"
    assert client.get("/api/v1/kb/lesion/nerve:nonsense").status_code == 404
    kind = client.get("/api/v1/kb/musle/tibialis_posterior")
    assert kind.status_code == 422 and kind.json()["errors"][0]["suggestion"] == "muscle"


def test_education(client):
    topics = client.get("/api/v1/learn").json()
    assert {"id": "red_flags", "title": topics[2]["title"]} in topics
    topic = client.get("/api/v1/learn/red_flags").json()
    assert topic["paragraphs"] and topic["sources"]
    missing = client.get("/api/v1/learn/red_flag")
    assert missing.status_code == 404 and missing.json()["errors"][0]["suggestion"] == "red_flags"


def test_health_and_openapi(client):
    health = client.get("/api/v1/health").json()
    assert health["status"] == "ok" and health["database"] == "sqlite"
    spec = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/assess",
        "/api/v1/schema/{which}",
        "/api/v1/kb/{kind}/{item}",
        "/api/v1/kb/lesion/{site}",
        "/api/v1/learn",
        "/api/v1/learn/{topic}",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/assessments",
        "/api/v1/shares",
        "/api/v1/audit",
        "/api/v1/auth/login",
    ):
        assert path in spec["paths"], path
    body = spec["paths"]["/api/v1/assess"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Case"}
    assert "Case" in spec["components"]["schemas"]
    assert spec["paths"]["/api/v1/assess"]["post"]["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }


def test_no_internal_details_leak_from_unknown_routes(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert_error_body(response.json())


def test_security_headers(client):
    response = client.get("/api/v1/learn")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"

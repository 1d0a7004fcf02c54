"""The API's answer memo (issue 11): keyed by the finding set, so the same findings under
another id are a hit with the id spliced in; ``?fields=`` gives the compact answer batch
gives; an unknown field is a 422 naming it."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from plexnav.examples import example_path

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from plexnav.api.app import create_app
    from plexnav.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("api"), secret_key="test-secret-" + "k" * 32)
    app = create_app(settings)
    with TestClient(app) as c:
        c.app_state = app.state
        yield c


def _case(case_id: str | None) -> dict:
    case = json.loads(example_path("l5-radiculopathy").read_text())
    case.pop("id", None)
    return case if case_id is None else {**case, "id": case_id}


def test_same_findings_under_another_id_hit_the_memo_with_their_own_id(client):
    assessor = client.app_state.assessor
    first = client.post("/api/v1/assess", json=_case("first")).json()
    hits = assessor.hits
    second = client.post("/api/v1/assess", json=_case("second")).json()
    anonymous = client.post("/api/v1/assess", json=_case(None)).json()
    assert assessor.hits == hits + 2
    assert first["case_id"] == "first" and second["case_id"] == "second" and anonymous["case_id"] is None
    assert {**first, "case_id": None} == {**second, "case_id": None} == anonymous


def test_the_memo_answer_equals_a_fresh_assessment(client):
    from plexnav.engine.assess import assess
    from plexnav.modelcache import load_model
    from plexnav.validation import validate_case

    body = client.post("/api/v1/assess", json=_case("fresh-id")).json()
    assert body == json.loads(assess(validate_case(_case("fresh-id"))[0], load_model()).to_json())


def test_fields_give_the_compact_answer(client):
    full = client.post("/api/v1/assess", json=_case("c1")).json()
    compact = client.post("/api/v1/assess?fields=site,triage,causes", json=_case("c1")).json()
    assert set(compact) == {"case_id", "knowledge_version", "site", "triage", "causes"}
    assert compact["case_id"] == "c1"
    assert compact["triage"] == {"level": full["triage"]["level"], "reasons": full["triage"]["reasons"]}
    assert [s["site"] for s in compact["site"]] == [s["site"] for s in full["localization"][:3]]
    assert [c["cause"] for c in compact["causes"]] == [c["cause"] for c in full["etiology"][:3]]
    # the same body with other fields is not answered from the body memo of the first
    only = client.post("/api/v1/assess?fields=triage", json=_case("c1")).json()
    assert set(only) == {"case_id", "knowledge_version", "triage"}


def test_an_unknown_field_is_a_422_naming_it(client):
    response = client.post("/api/v1/assess?fields=site,cause", json=_case("x"))
    assert response.status_code == 422
    text = response.text
    assert "fields" in text and "'cause'" in text and "causes" in text


def test_a_memo_hit_makes_no_case_model(client, monkeypatch):
    """Answered before validation: a body seen before, or its findings under a new id, never
    reaches the pydantic case model (nor the router)."""
    from plexnav import validation

    client.post("/api/v1/assess", json=_case("seen"))

    def refuse(*_args, **_kwargs):
        raise AssertionError("validated again")

    monkeypatch.setattr(validation, "validate_case", refuse)
    assert client.post("/api/v1/assess", json=_case("seen")).json()["case_id"] == "seen"
    renamed = client.post("/api/v1/assess", content=json.dumps(_case("new name"), indent=1).encode(), headers=JSON)
    assert renamed.status_code == 200 and renamed.json()["case_id"] == "new name"
    assert renamed.headers["content-type"] == "application/json"
    assert renamed.headers["x-content-type-options"] == "nosniff"  # the middleware stack still ran


def test_the_same_findings_with_an_invalid_id_are_still_refused(client):
    client.post("/api/v1/assess", json=_case("valid"))
    response = client.post("/api/v1/assess", json={**_case(None), "id": 12})
    assert response.status_code == 422 and "id" in response.text


def test_other_content_is_never_a_hit(client):
    first = client.post("/api/v1/assess", json=_case("a")).json()
    older = {**_case("b"), "patient": {**_case("b").get("patient", {}), "age": 77}}
    second = client.post("/api/v1/assess", json=older)
    assert second.status_code == 200
    from plexnav.engine.assess import assess
    from plexnav.modelcache import load_model
    from plexnav.validation import validate_case

    assert second.json() == json.loads(assess(validate_case(older)[0], load_model()).to_json())
    assert first["case_id"] == "a"
    # a contradiction added to known findings is judged by validation, not the memo
    bad = _case("c")
    bad.setdefault("exam", {}).setdefault("strength", []).extend(
        [
            {"movement": "knee_extension", "side": "left", "mrc": 5},
            {"movement": "knee_extension", "side": "left", "mrc": 2},
        ]
    )
    assert client.post("/api/v1/assess", json=bad).status_code == 422


def test_an_unknown_field_is_refused_for_a_known_body_too(client):
    client.post("/api/v1/assess", json=_case("k"))
    response = client.post("/api/v1/assess?fields=sites", json=_case("k"))
    assert response.status_code == 422 and "'sites'" in response.text


def test_the_value_screen_never_skips_a_body_the_full_check_refuses():
    """The API parses a body for refused values only when its text could hold one
    (cleanbody._suspect): every body the full parse refuses must pass that screen."""
    import random

    from plexnav.api import cleanbody

    base = json.dumps(_case("screen"))
    bad_values = ["NaN", "-Infinity", "Infinity", "1e400", "-2E+309", "12345678901234567", '"a\\u0000b"', "1.5e999"]
    rng = random.Random(5)
    for _ in range(300):
        text = base
        for _ in range(rng.randint(1, 2)):
            value = rng.choice(bad_values)
            # replace one number or string value of the case with the refused value
            spots = [i for i, ch in enumerate(text) if ch == ":"]
            at = rng.choice(spots) + 1
            end = at
            while end < len(text) and text[end] not in ",}]":
                end += 1
            if text[at] in "[{":
                continue
            text = text[:at] + value + text[end:]
        body = text.encode()
        full = (
            cleanbody._walk(
                json.loads(
                    body,
                    parse_int=cleanbody._parse_int,
                    parse_float=cleanbody._parse_float,
                    parse_constant=cleanbody._parse_constant,
                ),
                "",
            )
            if _is_json(body)
            else None
        )
        if full is not None:
            assert cleanbody._suspect(body), body
            assert cleanbody.json_problem(body) == full
    assert cleanbody.json_problem(base.encode()) is None and not cleanbody._suspect(base.encode())


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def test_a_new_case_is_answered_before_the_router_with_the_routes_answer_and_headers(client):
    """A case the server has not seen is answered by the innermost middleware (the assessor's
    own call, without FastAPI's router); the body, its type and the outer middleware's security
    headers are those the route gives; a case the assessor refuses still reaches the route and
    gets its 422."""
    from plexnav.engine.assess import assess
    from plexnav.modelcache import load_model
    from plexnav.validation import validate_case

    case = {**_case("new-one"), "patient": {"age": 77}}
    response = client.post("/api/v1/assess", json=case)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert "x-content-type-options" in {k.lower() for k in response.headers}
    assert response.json() == json.loads(assess(validate_case(case)[0], load_model()).to_json())
    refused = client.post("/api/v1/assess", json={**case, "patient": {"age": "old"}})
    assert refused.status_code == 422 and "age" in refused.text

"""POST /api/v1/next and the /exam/guided pages, through the test client."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

from plexnav.engine.guided_answers import add_answer, choices, entry_for
from web_support import PASSWORD, cheap_password_hashing, example_case, register

EMPTY = {"format": "plexnav-case/1"}
DISCLAIMER = "plexnav supports clinical judgement; it never replaces it."


@pytest.fixture
def app(tmp_path, monkeypatch):
    from plexnav.api.app import create_app
    from plexnav.settings import Settings

    cheap_password_hashing(monkeypatch)
    return create_app(Settings(data_dir=tmp_path, secret_key="test-secret-" + "k" * 32, allow_clinician_signup=True))


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


def post_next(client, case, query=""):
    return client.post(f"/api/v1/next{query}", content=json.dumps(case), headers={"content-type": "application/json"})


# ---------------------------------------------------------------------------------- API


def test_next_returns_questions_with_gain_cost_and_the_ranking(client):
    response = post_next(client, EMPTY, "?count=5")
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["questions"]) == 5 and body["phase"] == "bedside" and body["target"] == 0.9
    first = body["questions"][0]
    assert {"finding", "prompt", "answers", "expected_information_gain", "cost", "gain_per_cost"} <= set(first)
    assert body["ranking"][0]["probability"] > 0 and body["stop"] is False and body["expected_further_items"] >= 1
    assert DISCLAIMER in body["disclaimer"]


def test_next_in_the_edx_phase_honours_skips(client):
    first = post_next(client, EMPTY, "?phase=edx").json()["questions"][0]["finding"]
    assert first.startswith(("ncs:", "needle_emg:"))
    again = post_next(client, EMPTY, f"?phase=edx&skip={first}&count=20").json()
    assert first not in {q["finding"] for q in again["questions"]}


def test_next_stops_on_a_clear_case(client):
    body = post_next(client, example_case("common-peroneal-fibular-head"), "?target=0.6").json()
    assert body["stop"] is True and body["stop_reason"] == "target_reached"
    assert body["ranking"][0]["site"] == "nerve:common_peroneal" and "Stop" in body["stop_text"]


def test_next_refuses_what_assess_refuses_with_the_same_errors(client):
    bad = {"format": "plexnav-case/1", "exam": {"strength": [{"movement": "knee_extention", "side": "left", "mrc": 3}]}}
    refused = post_next(client, bad)
    assert refused.status_code == 422
    assert (
        refused.json()
        == client.post("/api/v1/assess", content=json.dumps(bad), headers={"content-type": "application/json"}).json()
    )
    assert refused.json()["errors"][0]["path"] == "exam.strength[0].movement"
    assert post_next(client, "not a case").status_code == 422
    for query, path in (
        ("?phase=emg", "query.phase"),
        ("?target=1.5", "query.target"),
        ("?skip=strength:nowhere:left", "query.skip"),
        ("?count=0", "query.count"),
    ):
        response = post_next(client, EMPTY, query)
        assert response.status_code == 422 and response.json()["errors"][0]["path"] == path, (query, response.text)


# ---------------------------------------------------------------------------------- web


def token(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)


def question_form(page_text: str) -> dict:
    form = page_text.split('id="guided-form"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def answer(client, url: str, key: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    form = question_form(page.text)
    form["answer"] = key
    sent = client.post(urlparse(url).path + "/answer", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    return sent.headers["location"]


def start(client) -> str:
    register(client, "drguide", role="clinician")
    created = client.post(
        "/exam/guided",
        data={
            "csrf_token": token(client.get("/exam/guided").text),
            "target": "90",
            "phase": "bedside",
            "title": "Guided test",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    return created.headers["location"]


def stored_case(client, url: str) -> dict:
    case_id = urlparse(url).path.split("/")[3]
    return client.get(f"/api/v1/cases/{case_id}").json()["case"]


def test_guided_pages_need_a_sign_in(client):
    response = client.get("/exam/guided", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_guided_exam_saves_each_answer_skips_and_undoes(client):
    url = start(client)
    page = client.get(url).text
    assert "Ranked sites" in page and DISCLAIMER in page and 'data-key="s"' in page
    first = question_form(page)["finding"]
    pressed = choices(first)[0][0]  # the first answer the question offers, whatever it asks
    url = answer(client, url, pressed)
    _, listed, _ = entry_for(first, pressed)
    saved = {k: v for k, v in stored_case(client, url)["exam"].items() if v}
    assert list(saved) == [listed] and len(saved[listed]) == 1
    expected = add_answer(EMPTY, first, pressed)["exam"][listed][0]
    assert {k: saved[listed][0][k] for k in expected} == expected
    second = question_form(client.get(url).text)["finding"]
    url = answer(client, url, "s")
    assert parse_qs(urlparse(url).query)["log"] == [f"{first}={pressed};{second}=s"]
    third = question_form(client.get(url).text)["finding"]
    assert third not in (first, second)
    url = answer(client, url, "u")  # undoes the skip: the second question comes back
    assert question_form(client.get(url).text)["finding"] == second
    url = answer(client, url, "u")  # undoes the answer: the case is empty again
    assert not any(stored_case(client, url)["exam"].values())
    case_id = urlparse(url).path.split("/")[3]
    assert client.get(f"/cases/{case_id}").status_code == 200
    assert client.get(f"/cases/{case_id}/edit?form=exam").status_code == 200


def test_a_wrong_answer_or_a_forged_log_is_refused_naming_the_field(client):
    url = start(client)
    form = question_form(client.get(url).text)
    path = urlparse(url).path + "/answer"
    refused = client.post(path, data={**form, "answer": "z"}, follow_redirects=False)
    assert refused.status_code == 422 and "answer" in refused.text
    refused = client.post(
        path, data={**form, "answer": "5", "log": "strength:hip_flexion:left=9"}, follow_redirects=False
    )
    assert refused.status_code == 422 and "log" in refused.text
    refused = client.get(urlparse(url).path + "?phase=emg")
    assert refused.status_code == 422 and "phase" in refused.text
    refused = client.post(path, data={**form, "answer": "u"}, follow_redirects=False)
    assert refused.status_code == 422 and "nothing to undo" in refused.text
    assert client.post(path, data={**form, "csrf_token": "forged", "answer": "5"}).status_code == 403
    assert PASSWORD  # the helper's password signs the clinician in


def test_a_stored_case_continues_in_guided_mode_with_its_triage_banner_first(client):
    from web_support import SADDLE_CASE

    register(client, "drsaddle", role="clinician")
    created = client.post("/api/v1/cases", json={"title": "Saddle", "case": SADDLE_CASE})
    assert created.status_code == 201, created.text
    page = client.get(f"/exam/guided/{created.json()['id']}")
    assert page.status_code == 200
    assert page.text.index("triage-emergency") < page.text.index('id="guided-form"')

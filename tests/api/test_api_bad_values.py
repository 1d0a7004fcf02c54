"""Issue 12, items 6 and 7: values that gave 500s, and health data in the logs.

NUL characters (PostgreSQL refused them and the error log printed the whole row, argon2
hash, email and case document, as ``[parameters: ...]``), NaN in stored cases (500 on
PostgreSQL; on SQLite stored as NaN and exported as null), a 4,000-digit ``duration_days``.
Now one check refuses them for every route with 422 naming the field, SQL parameters never
reach the log, and a property test posts generated bad values to every write route of the
API on both databases and asserts no 500.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web_support import PASSWORD, example_case, register

from .accounts_support import register_clinician
from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures

NAN_CASE = re.sub(r'"mrc": [0-9.]+', '"mrc": NaN', json.dumps({"title": "t", "case": example_case()}), count=1)


def _post(client, url: str, raw: str):
    return client.post(url, content=raw.encode(), headers={"content-type": "application/json"})


@pytest.mark.parametrize("field", ["display_name", "username", "email", "password"])
def test_nul_in_registration_is_422_naming_the_field(backend_client, field, caplog):
    body = {"username": "nul", "email": "nul@example.org", "password": PASSWORD, "display_name": "Nul"}
    body[field] = body[field][:2] + "\x00" + body[field][2:]
    with caplog.at_level(logging.DEBUG):
        answer = backend_client.post("/api/v1/auth/register", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["path"] == field
    assert "nul@example.org" not in caplog.text and "argon2" not in caplog.text


def test_nan_infinity_and_huge_numbers_in_a_case_are_422(backend_client):
    register(backend_client, "alice")
    huge = example_case()
    huge["history"]["duration_days"] = 10**3999
    assert "NaN" in NAN_CASE
    for url, raw, path in (
        ("/api/v1/cases", NAN_CASE, "case.exam.strength"),
        ("/api/v1/cases", NAN_CASE.replace("NaN", "Infinity"), "case.exam.strength"),
        ("/api/v1/cases", NAN_CASE.replace("NaN", "1e400"), "case.exam.strength"),
        ("/api/v1/cases", json.dumps({"title": "t", "case": huge}), "case.history.duration_days"),
        ("/api/v1/assess", json.dumps(huge), "history.duration_days"),
    ):
        answer = _post(backend_client, url, raw)
        assert answer.status_code == 422, (url, answer.text)
        assert answer.json()["errors"][0]["path"].startswith(path)
    assert backend_client.get("/api/v1/cases").json() == []  # nothing was stored


def test_nul_in_a_form_page_is_422(backend_client):
    page = backend_client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = backend_client.post("/login", data={"csrf_token": token, "username": "a\x00b", "password": "x"})
    assert answer.status_code == 422 and "NUL" in answer.text


def test_database_errors_never_log_the_row(backend_client, monkeypatch, caplog):
    """A database error that slips past validation logs the statement and the error class,
    never the row (PostgreSQL's DETAIL repeats it: hashes, emails, case documents)."""
    from sqlalchemy import text

    from plexnav.store.casebook import Casebook

    register(backend_client, "alice")

    def failing(self, *args, **kwargs):
        self.session.execute(text("INSERT INTO users (id) VALUES (:secret)"), {"secret": "$argon2id$secret-hash"})

    monkeypatch.setattr(Casebook, "list_cases", failing)
    with caplog.at_level(logging.DEBUG):
        answer = backend_client.get("/api/v1/cases")
    assert answer.status_code == 500 and "secret-hash" not in answer.text
    assert "IntegrityError" in caplog.text or "NotNullViolation" in caplog.text
    assert "secret-hash" not in caplog.text


def test_a_failed_login_never_stores_the_typed_username_as_actor(backend_client):
    register(backend_client, "alice")
    backend_client.post("/api/v1/auth/logout")
    typed = "alice-typo-or-a-password"
    assert backend_client.post("/api/v1/auth/login", json={"username": typed, "password": "wrong!"}).status_code == 401
    wrong = {"username": "alice", "password": "wrong!"}
    assert backend_client.post("/api/v1/auth/login", json=wrong).status_code == 401
    with backend_client.app.state.database.session() as session:
        from sqlalchemy import select

        from plexnav.store.models import AuditEvent

        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
    assert len(events) == 2
    assert all(e.actor_name == "anonymous" and e.actor_id is None for e in events)
    assert all(typed not in (e.detail or "") for e in events)


# ------------------------------------------------------------------ property test over every write route

BAD_VALUES = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        float("nan"),
        float("inf"),
        float("-inf"),
        10**4000,
        -(10**4000),
        10**20,
        1e308,
        -1e308,
        "\ud800",
        "x" * 5000,
        [],
        {},
        [[[[[]]]]],
        None,
        True,
        -1,
        0,
        2**63,
        "",
        " ",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        '=HYPERLINK("x")',
        "9999-12-31",
        "0001-01-01",
        "25:61",
        "\u202e",
    ]
)


def _leaves(value, path=()):
    """Every place in a JSON document a bad value can go (including new keys)."""
    yield path
    if isinstance(value, dict):
        yield (*path, "unexpected")
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))


def _put(document, path, bad):
    if not path:
        return bad
    document = json.loads(json.dumps(document))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    return document


@pytest.fixture
def world(backend_app, backend_client):
    """A patient with a case and a diary entry, a vetted clinician she shares with, an admin."""
    from fastapi.testclient import TestClient

    from .accounts_support import make_admin

    alice = backend_client
    register(alice, "alice")
    carol = TestClient(backend_app, raise_server_exceptions=False)
    carol.__enter__()
    register_clinician(carol, "carol")
    root = TestClient(backend_app, raise_server_exceptions=False)
    root.__enter__()
    make_admin(root)
    case = alice.post("/api/v1/cases", json={"title": "t", "case": example_case()}).json()
    share = alice.post("/api/v1/shares", json={"clinician": "carol"}).json()
    entry = alice.post(f"/api/v1/cases/{case['id']}/diary", json={"date": "2026-01-02"}).json()
    ids = {
        "case_id": case["id"],
        "share_id": share["id"],
        "user_id": carol.get("/api/v1/auth/me").json()["id"],
        "assessment_id": case["latest_assessment"]["id"],
        "entry_id": entry["id"],
    }
    yield {"alice": alice, "carol": carol, "root": root, "ids": ids, "case": case}
    carol.__exit__(None, None, None)
    root.__exit__(None, None, None)


def _bodies(world) -> dict[str, object]:
    case = example_case()
    return {
        "/api/v1/auth/register": {
            "username": "newbie",
            "email": "newbie@example.org",
            "password": PASSWORD,
            "display_name": "New",
            "role": "patient",
        },
        "/api/v1/auth/login": {"username": "alice", "password": PASSWORD},
        "/api/v1/assess": case,
        "/api/v1/cases": {"title": "t", "case": case},
        "/api/v1/cases/{case_id}": {"title": "t", "case": case, "expected_version": 1},
        "/api/v1/cases/{case_id}/diary": {
            "date": "2026-01-03",
            "pain": [{"region": "lateral_leg", "side": "right", "score": 3}],
            "events": [{"kind": "other", "description": "x"}],
        },
        "/api/v1/shares": {"clinician": "carol"},
        "/api/v1/auth/verify-email": {"token": "abc"},
    }


def _write_routes(app) -> list[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return sorted(
        (method.upper(), path)
        for path, ops in paths.items()
        for method in ops
        if method in ("post", "put", "patch", "delete")
    )


def test_generated_bad_values_on_every_write_route_never_give_500(world, backend_app):
    routes = _write_routes(backend_app)
    assert len(routes) >= 10
    bodies = _bodies(world)
    seen_statuses: dict[str, set[int]] = {}

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(route=st.sampled_from(routes), who=st.sampled_from(["alice", "carol", "root"]), data=st.data())
    def post_bad_value(route, who, data):
        method, template = route
        base = bodies.get(template, {})
        path = data.draw(st.sampled_from(list(_leaves(base))))
        bad = data.draw(BAD_VALUES)
        document = _put(base, path, bad)
        url = template.format_map(defaultdict(lambda: "plexnav", world["ids"]))
        if data.draw(st.booleans()):  # a bad value in the URL instead
            url = re.sub(
                r"[0-9a-f]{32}", lambda _: quote(str(bad)[:64], safe="", errors="replace") or "x", url, count=1
            )
        answer = world[who].request(
            method, url, content=json.dumps(document).encode(), headers={"content-type": "application/json"}
        )
        seen_statuses.setdefault(template, set()).add(answer.status_code)
        assert answer.status_code < 500, (method, url, path, repr(bad)[:80], answer.text[:300])

    post_bad_value()
    assert any(422 in s for s in seen_statuses.values())

"""No lost writes: SIGKILL the server in the middle of a burst of writes, then check the database.

A real ``plexnav serve`` process takes concurrent case creations and edits from several
threads; after some have been acknowledged it is killed with SIGKILL (no shutdown, no
flush).  Then, reading the database directly:

* the database is intact (SQLite ``integrity_check`` and ``foreign_key_check``);
* every write the server acknowledged is there, at least at the acknowledged version;
* every stored row is complete: each case document and each assessment document
  validates, each assessment records its knowledge version, and each case has an
  assessment of its current version plus the audit lines of its creation and assessments;
* a restarted server migrates (a no-op), serves the same cases, and takes new writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import httpx
import pytest

from plexnav.case import Assessment, Case
from web_support import PASSWORD, Server, example_case, postgres_database, postgres_url

WRITERS = 4
MIN_ACKNOWLEDGED = 24
BURST_SECONDS = 20.0

CASES = [
    example_case(n) for n in ("common-peroneal-fibular-head", "l5-radiculopathy", "lumbar-plexus-diabetic-amyotrophy")
]


def _client(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=10.0)
    client.post(
        "/api/v1/auth/register", json={"username": "writer", "email": "writer@example.org", "password": PASSWORD}
    )
    assert client.post("/api/v1/auth/login", json={"username": "writer", "password": PASSWORD}).status_code == 200
    return client


def _burst(base_url: str, cookie: str, stop: threading.Event, created: dict, updated: dict, cut: list, lock) -> None:
    """Create cases and edit the ones this thread created, until told to stop or the server dies."""
    client = httpx.Client(base_url=base_url, timeout=10.0, cookies={"plexnav_session": cookie})
    mine: list[str] = []
    i = 0
    try:
        while not stop.is_set():
            i += 1
            case = dict(CASES[i % len(CASES)])
            case.pop("id", None)
            if mine and i % 3 == 0:
                case_id = mine[i % len(mine)]
                response = client.put(f"/api/v1/cases/{case_id}", json={"title": f"edit {i}", "case": case})
                if response.status_code == 200:
                    with lock:
                        updated[case_id] = max(updated.get(case_id, 0), response.json()["version"])
                continue
            response = client.post("/api/v1/cases", json={"title": f"burst {i}", "case": case})
            if response.status_code == 201:
                body = response.json()
                mine.append(body["id"])
                with lock:
                    created[body["id"]] = body["version"]
    except httpx.HTTPError:
        with lock:  # the server died with this request in flight
            cut.append(1)
    finally:
        client.close()


def _rows(url: str, query: str) -> list[tuple]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return connection.execute(query).fetchall()
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection:
        return connection.execute(query).fetchall()


def _as_json(value):
    return json.loads(value) if isinstance(value, str) else value


def _check_consistent(url: str, created: dict, updated: dict) -> int:
    if url.startswith("sqlite"):
        assert _rows(url, "PRAGMA integrity_check") == [("ok",)]
        assert _rows(url, "PRAGMA foreign_key_check") == []
    cases = {
        cid: (version, _as_json(doc)) for cid, version, doc in _rows(url, "SELECT id, version, document FROM cases")
    }
    # every acknowledged write survived, at least at the version that was acknowledged
    missing = [cid for cid in created if cid not in cases]
    assert not missing, f"{len(missing)} acknowledged case(s) lost"
    for cid, version in updated.items():
        assert cases[cid][0] >= version, f"acknowledged edit of {cid} (version {version}) lost"
    assessments: dict[str, list[tuple[int, str]]] = {}
    for aid, cid, case_version, knowledge, doc in _rows(
        url, "SELECT id, case_id, case_version, knowledge_version, document FROM assessments"
    ):
        document = Assessment.model_validate(_as_json(doc))
        assert knowledge and knowledge == document.knowledge_version
        assert cid in cases
        assessments.setdefault(cid, []).append((case_version, aid))
    audit = _rows(url, "SELECT action, object_type, object_id FROM audit_events")
    created_audit = {oid for action, kind, oid in audit if action == "create" and kind == "case"}
    assessed_audit = {oid for action, kind, oid in audit if action == "assess"}
    for cid, (version, document) in cases.items():
        Case.model_validate(document)
        versions = {v for v, _ in assessments.get(cid, [])}
        assert version in versions, f"case {cid} at version {version} has no assessment of that version"
        assert cid in created_audit
        assert all(aid in assessed_audit for _, aid in assessments[cid])
    return len(cases)


def _kill_mid_burst(tmp_path, database_url: str | None) -> None:
    server = Server(tmp_path, database_url)
    url = database_url or f"sqlite:///{tmp_path / 'plexnav.sqlite3'}"
    created: dict[str, int] = {}
    updated: dict[str, int] = {}
    cut: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()
    try:
        login = _client(server.base_url)
        cookie = login.cookies["plexnav_session"]
        login.close()
        threads = [
            threading.Thread(target=_burst, args=(server.base_url, cookie, stop, created, updated, cut, lock))
            for _ in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + BURST_SECONDS
        while len(created) < MIN_ACKNOWLEDGED and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()  # mid-burst: the writers still have requests in flight
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    finally:
        stop.set()
        server.stop()
    assert cut, "no request was in flight when the server was killed"
    assert len(created) >= MIN_ACKNOWLEDGED, "the burst was too slow to test anything"
    assert updated, "no edit was acknowledged before the kill"
    stored = _check_consistent(url, dict(created), dict(updated))
    assert stored >= len(created)

    again = Server(tmp_path, database_url)
    try:
        client = httpx.Client(base_url=again.base_url, timeout=10.0)
        assert client.post("/api/v1/auth/login", json={"username": "writer", "password": PASSWORD}).status_code == 200
        listed = client.get("/api/v1/cases").json()
        assert {c["id"] for c in listed} == {cid for (cid,) in _rows(url, "SELECT id FROM cases")}
        assert client.post("/api/v1/cases", json={"case": example_case()}).status_code == 201
        client.close()
    finally:
        again.stop()


def test_sigkill_mid_write_burst_sqlite(tmp_path):
    _kill_mid_burst(tmp_path, None)


def test_sigkill_mid_write_burst_postgresql(tmp_path):
    base = postgres_url()
    if not base:
        pytest.skip("PostgreSQL: set PLEXNAV_TEST_POSTGRES_URL (see scripts/start-test-postgres.sh)")
    with postgres_database(base) as url:
        _kill_mid_burst(tmp_path, url)

"""Issue 12, item 11: a full disk answers 503 with a clear message, never 500, and stores
nothing half-made; a start-up on a full disk or a read-only data folder is one line naming
the path and the problem (it was a 550-line traceback and a 0-byte database).

The faults are real: a tmpfs filled to its last byte (SQLite's file, or the tablespace of a
PostgreSQL database) and a tmpfs mounted read-only.  Needs root to mount (CI runs as root).
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from web_support import example_case, postgres_url, register

from .fault_support import fill, postgres_on_tmpfs, remount_read_only, tmpfs

SECRET = "full-disk-test-" + "s" * 32


@contextmanager
def _settings_on_full_store(backend: str, tmp_path: Path):
    """Settings whose database lives on a small tmpfs; yields (settings, mount folder)."""
    from plexnav.settings import Settings

    if backend == "sqlite":
        with tmpfs("4m") as folder:
            yield Settings(data_dir=folder / "data", secret_key=SECRET), folder
        return
    base = postgres_url()
    if not base:
        pytest.skip("PostgreSQL: set PLEXNAV_TEST_POSTGRES_URL (see scripts/start-test-postgres.sh)")
    with postgres_on_tmpfs(base, "24m") as (url, folder):
        yield Settings(data_dir=tmp_path, secret_key=SECRET, database_url=url), folder


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_full_disk_is_503_and_every_acknowledged_write_survives(backend, tmp_path):
    from plexnav.api.app import create_app
    from plexnav.store.auditchain import verify

    with _settings_on_full_store(backend, tmp_path) as (settings, folder):
        app = create_app(settings)
        try:
            with TestClient(app, raise_server_exceptions=False) as client:
                register(client, "alice")
                first = client.post("/api/v1/cases", json={"title": "before", "case": example_case()})
                assert first.status_code == 201
                acknowledged, refused = [first.json()["id"]], []
                filler = fill(folder)
                # keep writing: free space inside the files (SQLite's recycled WAL, PostgreSQL's
                # half-empty pages) takes a few more, then the disk really is full
                statuses = []
                for i in range(200):
                    answer = client.post("/api/v1/cases", json={"title": f"during {i}", "case": example_case()})
                    statuses.append(answer.status_code)
                    if answer.status_code == 201:
                        acknowledged.append(answer.json()["id"])
                    else:
                        refused.append(answer)
                    if len(refused) >= 3:
                        break
                assert set(statuses) <= {201, 503}, statuses
                assert refused, "the disk never filled"
                for answer in refused:
                    assert answer.json()["errors"][0]["message"].startswith(
                        "the server's disk is full; nothing was saved"
                    )
                    assert answer.headers["retry-after"] == "30"
                # a diary entry or a new account meets the same full disk politely
                entry = client.post(f"/api/v1/cases/{acknowledged[0]}/diary", json={"date": "2026-03-01"})
                assert entry.status_code in (201, 503), entry.text
                filler.unlink()
                # room again: nothing lost, nothing half-made, and writing works
                stored = {c["id"]: c["title"] for c in client.get("/api/v1/cases").json()}
                assert set(acknowledged) <= set(stored)
                assert len(stored) == len(acknowledged)  # the refused ones are not there
                assert client.post("/api/v1/cases", json={"title": "after", "case": example_case()}).status_code == 201
            with app.state.database.session() as session:
                if backend == "sqlite":
                    assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                checked, broken = verify(session)
                assert checked > len(acknowledged) and broken is None
        finally:
            app.state.database.dispose()


def _plexnav(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEXNAV_")}
    env["PLEXNAV_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "plexnav.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _one_line(done: subprocess.CompletedProcess, prefix: str) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.strip().splitlines() if not line.startswith(("<frozen", "  "))]
    assert lines and lines[-1].startswith(prefix), done.stderr
    return lines[-1]


@pytest.mark.parametrize("command", [("serve", "--port", "1"), ("admin", "list-clinicians")])
def test_starting_on_a_full_disk_is_one_line_and_leaves_no_empty_database(command):
    with tmpfs("1m") as folder:
        data = folder / "data"
        data.mkdir()
        fill(folder)
        line = _one_line(
            _plexnav(*command, data_dir=data),
            "plexnav: cannot start: " if command[0] == "serve" else "error: cannot open the database: ",
        )
        assert str(data) in line and "full" in line
        assert not (data / "plexnav.sqlite3").exists()


@pytest.mark.parametrize("command", [("serve", "--port", "1"), ("admin", "list-clinicians")])
@pytest.mark.parametrize("folder_exists", [True, False])
def test_starting_on_a_read_only_folder_is_one_line(command, folder_exists):
    with tmpfs("1m") as folder:
        data = folder / "data"
        if folder_exists:
            data.mkdir()
        remount_read_only(folder)
        line = _one_line(
            _plexnav(*command, data_dir=data),
            "plexnav: cannot start: " if command[0] == "serve" else "error: cannot open the database: ",
        )
        assert str(data) in line and ("read-only" in line.lower())
        assert not (data / "plexnav.sqlite3").exists()


def test_a_database_that_fills_the_disk_while_it_is_made_is_taken_away_again():
    """Enough room for the start-up check, too little for the schema: the half-made file goes."""
    from plexnav.store.db import Database, StorageUnavailable

    with tmpfs("64k") as folder:
        path = folder / "plexnav.sqlite3"
        database = Database(f"sqlite:///{path}")
        with pytest.raises(StorageUnavailable) as raised:
            database.migrate()
        assert str(raised.value) == f"{path}: the disk is full"
        assert sorted(os.listdir(folder)) == []

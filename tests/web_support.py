"""Helpers shared by the API, storage and browser tests: example cases, throwaway
PostgreSQL databases, a real server process on a free loopback port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx

from plexnav import vocabulary as V
from plexnav.examples import example_path

PG_ENV = "PLEXNAV_TEST_POSTGRES_URL"
SHARED_CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"
PASSWORD = "correct horse battery staple"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def example_case(name: str = "common-peroneal-fibular-head") -> dict:
    """A bundled example case without its evaluation keys."""
    data = json.loads(Path(example_path(name)).read_text())
    return {k: v for k, v in data.items() if k not in V.EVALUATION_KEYS}


def shared_cases() -> list[dict]:
    """The shared evaluation cases (when ../shared is beside the project), without answer keys."""
    files = sorted(SHARED_CASES.glob("*.json")) if SHARED_CASES.is_dir() else []
    return [{k: v for k, v in json.loads(p.read_text()).items() if k not in V.EVALUATION_KEYS} for p in files]


SADDLE_CASE = {
    "format": V.CASE_FORMAT,
    "history": {"onset": "acute"},
    "symptoms": [{"kind": "pain", "region": "lower_back", "side": "right"}, {"kind": "numbness", "region": "saddle"}],
}


def postgres_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@contextmanager
def postgres_database(base_url: str):
    """A fresh, empty database on the test server (dropped afterwards); yields its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    from plexnav.settings import normalise_database_url

    url = make_url(normalise_database_url(base_url))
    name = f"plexnav_t_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql", database=url.database or "postgres")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A ``plexnav serve`` process on a free loopback port."""

    def __init__(self, data_dir: Path, database_url: str | None = None, extra_env: dict | None = None):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLEXNAV_")}
        env.update(PLEXNAV_DATA_DIR=str(data_dir), PLEXNAV_SECRET_KEY="test-secret-" + "x" * 32)
        if database_url:
            env["PLEXNAV_DATABASE_URL"] = database_url
        env.update(extra_env or {})
        self.log = open(Path(data_dir) / f"server-{self.port}.log", "w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "plexnav.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log.name}")
            try:
                if httpx.get(self.base_url + "/api/v1/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not become ready in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flush, nothing."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def register(client, username: str, role: str = "patient", login: bool = True) -> dict:
    """Create an account through the API (and sign the client in)."""
    response = client.post(
        "/api/v1/auth/register",
        json={
            "username": username,
            "email": f"{username}@example.org",
            "password": PASSWORD,
            "role": role,
            "display_name": username.title(),
        },
    )
    assert response.status_code == 201, response.text
    if login:
        signed = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert signed.status_code == 200, signed.text
    return response.json()


def cheap_password_hashing(monkeypatch) -> None:
    """argon2id with small cost parameters, so tests that create many accounts stay fast
    (the hash format and verification path are the production ones)."""
    from argon2 import PasswordHasher

    from plexnav.store import accounts

    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_HASHER", fast)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", fast.hash("plexnav-dummy-password"))

"""Mixed load on one SQLite file served by several workers (issue 12, "done when").

For ``--seconds`` (60) it runs, against ``plexnav serve --workers 2`` on loopback:

  assess    12 clients posting cases to ``/api/v1/assess`` (ages and durations varied)
  writers    8 signed-in patients storing cases and diary entries
  logins    40 concurrent clients guessing one account's password

and then checks what the issue asks: no 5xx answer, every acknowledged write (201) found
again by its owner, ``PRAGMA integrity_check`` ok on the database file after the server
stopped, and the passwords actually checked for the attacked account (answers 401, as
opposed to 429 refused before any check) not above the sign-in limit.

Run:  .venv/bin/python benchmarks/load_mixed.py [--seconds 60] [--workers 2] [--json out.json]
Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from plexnav import vocabulary as V  # noqa: E402
from plexnav.examples import example_path  # noqa: E402
from plexnav.server.ratelimit import LoginThrottle  # noqa: E402

PASSWORD = "load-test-password-1"
LOGIN_LIMIT = 5


def case_body() -> dict:
    data = json.loads(Path(example_path("common-peroneal-fibular-head")).read_text())
    return {k: v for k, v in data.items() if k not in V.EVALUATION_KEYS}


class Tally:
    """Status codes and latencies per workload, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: dict[str, Counter] = {}
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def add(self, kind: str, status: int, seconds: float, text: str = "") -> None:
        with self.lock:
            self.statuses.setdefault(kind, Counter())[status] += 1
            self.latencies.setdefault(kind, []).append(seconds)
            if status >= 500 and len(self.errors) < 20:
                self.errors.append(f"{kind} {status} {text[:200]}")


def timed(tally: Tally, kind: str, call):
    started = time.perf_counter()
    try:
        answer = call()
    except httpx.HTTPError as exc:
        tally.add(kind, 599, time.perf_counter() - started, f"transport: {exc.__class__.__name__}")
        return None
    tally.add(kind, answer.status_code, time.perf_counter() - started, answer.text)
    return answer


def start_server(data_dir: str, workers: int) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEXNAV_")}
    env.update(
        PLEXNAV_DATA_DIR=data_dir,
        PLEXNAV_SECRET_KEY="load-" + "k" * 40,
        PLEXNAV_LOGIN_MAX_FAILURES=str(LOGIN_LIMIT),
        PLEXNAV_LOGIN_WINDOW_SECONDS="600",
    )
    log = open(Path(data_dir) / "server.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plexnav.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/v1/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start; see " + log.name)


def register(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    answer = client.post(
        "/api/v1/auth/register", json={"username": name, "email": f"{name}@example.org", "password": PASSWORD}
    )
    answer.raise_for_status()
    client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD}).raise_for_status()
    return client


def assess_loop(url: str, stop: float, tally: Tally, seed: int) -> None:
    body = case_body()
    with httpx.Client(base_url=url, timeout=60) as client:
        i = 0
        while time.monotonic() < stop:
            i += 1
            case = {
                **body,
                "patient": {**body.get("patient", {}), "age": 20 + (seed * 7 + i) % 60},
                "history": {**body.get("history", {}), "duration_days": 1 + (seed * 13 + i) % 300},
            }
            timed(tally, "assess", lambda case=case: client.post("/api/v1/assess", json=case))


def writer_loop(client: httpx.Client, stop: float, tally: Tally, acked: list) -> None:
    body = case_body()
    case_id = None
    i = 0
    while time.monotonic() < stop:
        i += 1
        if case_id is None or i % 4 == 0:
            doc = {"title": f"load {i}", "case": body}
            answer = timed(tally, "write", lambda doc=doc: client.post("/api/v1/cases", json=doc))
            if answer is not None and answer.status_code == 201:
                case_id = answer.json()["id"]
                acked.append(("case", case_id, None))
        else:
            entry = {
                "date": f"2026-0{1 + i % 9}-1{i % 10}",
                "pain": [{"region": "lateral_leg", "side": "right", "score": i % 11}],
                "notes": f"n{i}",
            }
            path = f"/api/v1/cases/{case_id}/diary"
            answer = timed(tally, "write", lambda entry=entry, path=path: client.post(path, json=entry))
            if answer is not None and answer.status_code == 201:
                acked.append(("entry", case_id, answer.json()["id"]))


def login_loop(url: str, stop: float, tally: Tally, start: threading.Event) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        start.wait()
        while time.monotonic() < stop:
            timed(
                tally,
                "login",
                lambda: client.post("/api/v1/auth/login", json={"username": "victim", "password": "wrong-guess-123"}),
            )
            time.sleep(0.2)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--assess-clients", type=int, default=12)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--logins", type=int, default=40)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="plexnav-load-") as data_dir:
        proc, url = start_server(data_dir, args.workers)
        try:
            writers = [register(url, f"writer{i}") for i in range(args.writers)]
            register(url, "victim").close()
            tally, acked, start = Tally(), [], threading.Event()
            stop = time.monotonic() + args.seconds
            threads = (
                [threading.Thread(target=assess_loop, args=(url, stop, tally, i)) for i in range(args.assess_clients)]
                + [threading.Thread(target=writer_loop, args=(w, stop, tally, acked)) for w in writers]
                + [threading.Thread(target=login_loop, args=(url, stop, tally, start)) for _ in range(args.logins)]
            )
            began = time.monotonic()
            for t in threads:
                t.start()
            start.set()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - began
            missing = verify(writers, acked)
            for w in writers:
                w.close()
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        integrity = sqlite3.connect(Path(data_dir) / "plexnav.sqlite3").execute("PRAGMA integrity_check").fetchone()[0]

    server_errors = sum(n for c in tally.statuses.values() for s, n in c.items() if s >= 500)
    checked = tally.statuses.get("login", Counter())[401]
    # the backoff's own bound: the most passwords of one account it lets through in this time
    bound = LoginThrottle(None, LOGIN_LIMIT, 600).most_checks(elapsed)  # arithmetic only: no database
    figures = {
        "seconds": round(elapsed, 1),
        "workers": args.workers,
        "clients": {"assess": args.assess_clients, "writers": args.writers, "logins": args.logins},
        "requests": {k: sum(c.values()) for k, c in tally.statuses.items()},
        "statuses": {k: dict(sorted(c.items())) for k, c in tally.statuses.items()},
        "p50_ms": {k: round(1000 * statistics.median(v), 1) for k, v in tally.latencies.items() if v},
        "p95_ms": {k: round(1000 * percentile(v, 0.95), 1) for k, v in tally.latencies.items() if v},
        "server_errors": server_errors,
        "acknowledged_writes": len(acked),
        "writes_missing": len(missing),
        "integrity_check": integrity,
        "passwords_checked_for_victim": checked,
        "login_limit": LOGIN_LIMIT,
        "most_checks_the_backoff_allows": bound,
        "first_errors": tally.errors[:5],
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    ok = server_errors == 0 and not missing and integrity == "ok" and checked <= bound
    print("all checks passed" if ok else "CHECK FAILED", file=sys.stderr)
    return 0 if ok else 1


def verify(writers: list[httpx.Client], acked: list) -> list:
    """Every acknowledged case and diary entry, read back by its owner."""
    owner = {}
    for w in writers:
        for c in w.get("/api/v1/cases").json():
            owner[c["id"]] = w
    missing = []
    entries: dict[str, set[str]] = {}
    for kind, case_id, entry_id in acked:
        client = owner.get(case_id)
        if client is None:
            missing.append((kind, case_id, entry_id))
            continue
        if kind == "case":
            if client.get(f"/api/v1/cases/{case_id}").status_code != 200:
                missing.append((kind, case_id, entry_id))
        else:
            if case_id not in entries:
                entries[case_id] = {e["id"] for e in client.get(f"/api/v1/cases/{case_id}/diary").json()}
            if entry_id not in entries[case_id]:
                missing.append((kind, case_id, entry_id))
    return missing


if __name__ == "__main__":
    raise SystemExit(main())

"""Issue 12, item 2: the login limit lives in the database, so it holds across workers and
processes, on SQLite and PostgreSQL alike, however many attempts arrive at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from plexnav.server.ratelimit import LoginThrottle


def test_concurrent_attempts_never_exceed_the_limit(database):
    # one throttle per "worker", all on the same database; the clock stands still, so the
    # one-second backoff after the fifth failure cannot open while the burst is under way
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    throttles = [LoginThrottle(database, 5, 300, clock=lambda: now) for _ in range(4)]

    def attempt(i: int) -> bool:
        granted, _ = throttles[i % 4].reserve("victim", f"10.0.0.{i % 40}")
        return granted is not None

    with ThreadPoolExecutor(16) as pool:
        granted = sum(pool.map(attempt, range(40)))
    assert granted == 5
    # another account is unaffected; the limited one is told how long to wait
    assert throttles[0].reserve("someone-else", "10.0.0.99")[0] is not None
    assert throttles[1].retry_after("victim", "10.0.0.1") >= 1

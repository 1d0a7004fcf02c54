"""Issue 12, item 9: wrong passwords typed for someone else's account must not lock the real
person out.  The account gets exponential backoff (the first ``login_max_failures`` failures
are free, then 1, 2, 4, ... seconds between attempts, capped at window / max_failures); the
hard limit is per client address, so the address that guessed is the one refused.

Before this change the fifth wrong password locked the account for the whole window (5
minutes by default; 60 s in these settings): ``test_the_real_user_waits_seconds_not_the_window``
got 429 for the real owner's correct password a second later.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from web_support import PASSWORD, register

from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures


@pytest.fixture
def clock(backend_app):
    """A clock the app's login throttle reads, moved by hand."""
    now = [datetime(2026, 3, 1, 9, 0, tzinfo=UTC)]
    backend_app.state.login_throttle.clock = lambda: now[0]
    return now


def _client(app, address: str) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(address, 40000))


def _guess(client: TestClient, username: str, password: str = "not-the-password-42"):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_the_real_user_waits_seconds_not_the_window(backend_app, backend_settings, clock):
    with _client(backend_app, "203.0.113.9") as attacker, _client(backend_app, "198.51.100.7") as owner:
        register(owner, "vic", login=False)
        for _ in range(backend_settings.login_max_failures):
            assert _guess(attacker, "vic").status_code == 401
        # straight after the free failures the account asks for a one-second pause ...
        refused = _guess(owner, "vic", PASSWORD)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
        # ... not the whole window: a second later the owner's right password works
        clock[0] += timedelta(seconds=1)
        assert _guess(owner, "vic", PASSWORD).status_code == 200
        # and the success forgets the failures: the next wrong guess is free again
        assert _guess(attacker, "vic").status_code == 401


def test_the_backoff_doubles_up_to_its_cap(backend_app, backend_settings, clock):
    throttle = backend_app.state.login_throttle
    cap = backend_settings.login_window_seconds / backend_settings.login_max_failures
    with _client(backend_app, "203.0.113.10") as attacker:
        register(attacker, "wyn", login=False)
        for _ in range(backend_settings.login_max_failures):
            assert _guess(attacker, "wyn").status_code == 401
        waits = []
        for _ in range(6):
            refused = _guess(attacker, "wyn")
            assert refused.status_code == 429
            waits.append(int(refused.headers["retry-after"]))
            clock[0] += timedelta(seconds=waits[-1] - 0.001)
            assert _guess(attacker, "wyn").status_code == 429  # a moment early: still refused
            clock[0] += timedelta(seconds=0.001)
            assert _guess(attacker, "wyn").status_code == 401  # on time: checked (and wrong)
        assert waits == [min(cap, 2**i) for i in range(6)]
    assert throttle.most_checks(backend_settings.login_window_seconds) < 4 * backend_settings.login_max_failures


def test_quiet_for_a_window_starts_afresh(backend_app, backend_settings, clock):
    with _client(backend_app, "203.0.113.11") as someone:
        register(someone, "xan", login=False)
        for _ in range(backend_settings.login_max_failures + 3):
            _guess(someone, "xan")
            clock[0] += timedelta(seconds=30)
        clock[0] += timedelta(seconds=backend_settings.login_window_seconds)
        for _ in range(backend_settings.login_max_failures):
            assert _guess(someone, "xan").status_code == 401


def test_one_address_guessing_many_accounts_is_stopped_and_others_are_not(backend_app, backend_settings, clock):
    from plexnav.server.ratelimit import ADDRESS_FACTOR

    allowance = backend_settings.login_max_failures * ADDRESS_FACTOR
    with _client(backend_app, "203.0.113.12") as sprayer, _client(backend_app, "198.51.100.8") as owner:
        for name in ("yan", "zed", "abe", "bea", "cal"):
            register(owner, name, login=False)
        names = ["yan", "zed", "abe", "bea", "cal"]
        statuses = []
        for i in range(allowance + 3):
            statuses.append(_guess(sprayer, names[i % len(names)]).status_code)
            clock[0] += timedelta(seconds=0.5)
        assert 429 in statuses and statuses.count(401) <= allowance
        blocked = _guess(sprayer, "cal", PASSWORD)  # even the right password, from that address
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 30
        # the accounts' owners, elsewhere, are delayed by seconds at most
        clock[0] += timedelta(seconds=int(_guess(owner, "yan", PASSWORD).headers.get("retry-after", "0")))
        assert _guess(owner, "yan", PASSWORD).status_code == 200

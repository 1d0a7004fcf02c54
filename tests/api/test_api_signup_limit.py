"""Issue 12, item 9 (in part): registration is throttled per client address, in the database
(so it holds across workers)."""

from __future__ import annotations

from web_support import PASSWORD

from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures


def test_registrations_beyond_the_limit_get_429_with_retry_after(backend_client, backend_app):
    backend_app.state.settings.signup_max_per_address = 3
    statuses = [
        backend_client.post(
            "/api/v1/auth/register",
            json={"username": f"user{i}", "email": f"user{i}@example.org", "password": PASSWORD},
        ).status_code
        for i in range(5)
    ]
    assert statuses == [201, 201, 201, 429, 429]
    refused = backend_client.post(
        "/api/v1/auth/register", json={"username": "late", "email": "late@example.org", "password": PASSWORD}
    )
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 3000

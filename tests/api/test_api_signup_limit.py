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


def test_the_registration_page_and_the_reset_page_share_the_limits(backend_client, backend_app):
    """The pages reach the same throttles as the API: the reset page was unlimited before
    (a mail cannon at any address), so its fourth request here got 200 instead of 429."""
    import re

    backend_app.state.settings.signup_max_per_address = 3
    token = re.search(r'name="csrf_token" value="([^"]+)"', backend_client.get("/forgot-password").text).group(1)
    statuses = [
        backend_client.post("/forgot-password", data={"csrf_token": token, "email": f"x{i}@example.org"}).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    page = backend_client.post("/forgot-password", data={"csrf_token": token, "email": "y@example.org"})
    assert "too many reset requests" in page.text and int(page.headers["retry-after"]) > 3000
    statuses = []
    for i in range(4):
        form = backend_client.get("/register").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        answer = backend_client.post(
            "/register",
            data={"csrf_token": token, "username": f"page{i}", "email": f"page{i}@example.org", "password": PASSWORD},
        )
        statuses.append(answer.status_code)
        backend_client.post("/api/v1/auth/logout")
    assert statuses == [200, 200, 200, 429]

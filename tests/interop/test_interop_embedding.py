"""Embedding plexnav in an EHR: the ``frame_ancestors`` allow-list and iframe-fit cookies.

Default: no site may frame a page (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``) and the
session cookie is ``SameSite=Lax``.  With ``PLEXNAV_FRAME_ANCESTORS`` the CSP names exactly those
origins, X-Frame-Options is left out, and cookies are ``SameSite=None; Secure; Partitioned``, in
that mode only.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from plexnav.api.app import create_app
from plexnav.api.middleware import iframe_cookie
from plexnav.settings import Settings
from web_support import PASSWORD, register

EHR = "https://ehr.hospital.example"
PAGES = ["/", "/login", "/exam", "/smart/launch?iss=https://x.example/fhir&launch=1", "/api/v1/health"]


def _settings(tmp_path, **extra) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="test-secret-" + "k" * 32, **extra)


@pytest.fixture
def default_client(tmp_path):
    with TestClient(create_app(_settings(tmp_path / "default"))) as c:
        yield c


@pytest.fixture
def embedded_client(tmp_path):
    settings = _settings(tmp_path / "embedded", frame_ancestors=f"{EHR}, http://localhost:8080")
    with TestClient(create_app(settings)) as c:
        yield c


def _frame_ancestors(response) -> str:
    (directive,) = [d.strip() for d in response.headers["content-security-policy"].split(";") if "frame-ancestors" in d]
    return directive


def _login_cookie(client: TestClient) -> str:
    register(client, "ada", login=False)
    response = client.post("/api/v1/auth/login", json={"username": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 200
    (cookie,) = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    return cookie


def _attributes(cookie: str) -> dict[str, str]:
    _, *attrs = cookie.split(";")
    return {a.split("=")[0].strip().lower(): a.partition("=")[2].strip().lower() for a in attrs if a.strip()}


@pytest.mark.parametrize("path", PAGES)
def test_by_default_no_site_may_frame_a_page(default_client, path):
    response = default_client.get(path, follow_redirects=False)
    assert _frame_ancestors(response) == "frame-ancestors 'none'"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("path", PAGES)
def test_with_the_setting_exactly_the_listed_origins_may_frame_a_page(embedded_client, path):
    response = embedded_client.get(path, follow_redirects=False)
    assert _frame_ancestors(response) == f"frame-ancestors {EHR} http://localhost:8080"
    assert "x-frame-options" not in response.headers
    # the rest of the policy is unchanged
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_by_default_the_session_cookie_is_lax(default_client):
    attrs = _attributes(_login_cookie(default_client))
    assert attrs["samesite"] == "lax" and "httponly" in attrs
    assert "secure" not in attrs and "partitioned" not in attrs  # plain http to a loopback-only app


def test_with_the_setting_the_session_cookie_works_in_an_iframe(embedded_client):
    cookie = _login_cookie(embedded_client)
    attrs = _attributes(cookie)
    assert attrs["samesite"] == "none" and "secure" in attrs and "partitioned" in attrs
    assert "httponly" in attrs and attrs["path"] == "/" and "max-age" in attrs
    assert cookie.startswith("plexnav_session=")


def test_a_form_page_cookie_is_fit_for_an_iframe_only_in_that_mode(default_client, embedded_client):
    # the login page starts a session (its CSRF token): the cookie a framed page would set first
    plain = default_client.get("/login").headers["set-cookie"]
    framed = embedded_client.get("/login").headers["set-cookie"]
    assert _attributes(plain)["samesite"] == "lax"
    assert _attributes(framed)["samesite"] == "none" and "secure" in _attributes(framed)


def test_the_iframe_cookie_keeps_every_other_attribute():
    assert (
        iframe_cookie(b"s=abc; path=/; Max-Age=60; httponly; samesite=lax")
        == b"s=abc; path=/; Max-Age=60; httponly; SameSite=None; Secure; Partitioned"
    )
    # Secure and SameSite appear once, whatever the original said
    out = iframe_cookie(b"s=1; Secure; SameSite=Strict; Partitioned; HttpOnly")
    assert out == b"s=1; HttpOnly; SameSite=None; Secure; Partitioned"
    # an expired cookie (sign-out) stays expired
    assert b"expires=Thu, 01 Jan 1970 00:00:00 GMT" in iframe_cookie(
        b'session=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; samesite=lax'
    )


def test_the_allow_list_is_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PLEXNAV_FRAME_ANCESTORS", "https://EHR.Hospital.example:8443/ https://b.example")
    assert Settings(data_dir=tmp_path).frame_ancestors == ("https://ehr.hospital.example:8443", "https://b.example")
    monkeypatch.delenv("PLEXNAV_FRAME_ANCESTORS")
    assert Settings(data_dir=tmp_path).frame_ancestors == ()


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("http://ehr.hospital.example", "over https"),
        ("https://*.hospital.example", "without wildcards"),
        ("https://ehr.hospital.example/app", "no path"),
        ("'self'", "without wildcards or quotes"),
        ("https://ehr.example; script-src *", "without wildcards"),
        ("ehr.hospital.example", "needs https://"),
        ("https://ehr.example:99999", "port"),
        ("https://user@ehr.example", "no path, query, fragment or user"),
    ],
)
def test_an_allow_list_entry_that_is_not_a_plain_origin_is_refused(tmp_path, value, why):
    with pytest.raises(ValidationError) as caught:
        Settings(data_dir=tmp_path, frame_ancestors=value)
    assert why in str(caught.value)

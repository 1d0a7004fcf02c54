"""Issue 12, data rights: password reset by an emailed link (works once, expires, never says
whether an address has an account, ends every session)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from web_support import PASSWORD, register

NEW = "a brand new passphrase 31"


@pytest.fixture
def mailing_client(tmp_path, smtp_sink):
    from plexnav.api.app import create_app
    from plexnav.settings import Settings

    app = create_app(
        Settings(
            data_dir=tmp_path,
            secret_key="test-secret-" + "r" * 32,
            smtp_host="127.0.0.1",
            smtp_port=smtp_sink.port,
            public_url="http://plexnav.test",
        )
    )
    with TestClient(app) as client:
        yield client
    app.state.database.dispose()


def _link_token(smtp_sink, to: str) -> str:
    body = smtp_sink.wait_for(to).get_payload(decode=True).decode()
    return re.search(r"/reset-password\?token=(\S+)", body).group(1)


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(mailing_client, smtp_sink):
    client = mailing_client
    register(client, "alice")
    assert client.post("/api/v1/auth/password-reset", json={"email": "alice@example.org"}).status_code == 204
    assert client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.org"}).status_code == 204
    token = _link_token(smtp_sink, "alice@example.org")
    assert not [m for m in smtp_sink.messages if "nobody" in m["To"]]
    weak = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "password1234"})
    assert weak.status_code == 422
    done = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW})
    assert done.status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 401  # the old session ended
    again = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW + "x"})
    assert again.status_code == 422 and again.json()["errors"][0]["path"] == "token"
    assert client.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 401
    assert client.post("/api/v1/auth/login", json={"username": "alice", "password": NEW}).status_code == 200


def test_a_forged_token_is_refused(mailing_client):
    answer = mailing_client.post("/api/v1/auth/password-reset/confirm", json={"token": "abc.def", "new_password": NEW})
    assert answer.status_code == 422 and answer.json()["errors"][0]["path"] == "token"


def test_the_reset_pages_send_the_link_and_set_the_password(mailing_client, smtp_sink):
    client = mailing_client
    register(client, "alice", login=False)
    page = client.get("/forgot-password").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    sent = client.post("/forgot-password", data={"csrf_token": token, "email": "alice@example.org"})
    assert sent.status_code == 200 and "on its way" in sent.text
    link_token = _link_token(smtp_sink, "alice@example.org")
    page = client.get(f"/reset-password?token={link_token}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = client.post("/reset-password", data={"csrf_token": csrf, "token": link_token, "new_password": NEW})
    assert done.status_code == 200 and "password is changed" in done.text
    assert client.post("/api/v1/auth/login", json={"username": "alice", "password": NEW}).status_code == 200

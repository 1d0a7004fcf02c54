"""Issue 12, item 9 (in part): password strength is checked (zxcvbn), not just length."""

from __future__ import annotations

import pytest

from web_support import PASSWORD


@pytest.mark.parametrize(
    "weak", ["password1234", "aaaaaaaaaaaa", "qwertyuiop12", "alice-alice-alice", "alice@example.org"]
)
def test_guessable_passwords_are_refused_at_the_password_field(client, weak):
    answer = client.post(
        "/api/v1/auth/register", json={"username": "alice", "email": "alice@example.org", "password": weak}
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["path"] == "password" and "too easy to guess" in error["message"]


def test_a_strong_password_is_accepted(client):
    answer = client.post(
        "/api/v1/auth/register", json={"username": "alice", "email": "alice@example.org", "password": PASSWORD}
    )
    assert answer.status_code == 201


def test_a_new_password_built_from_the_username_is_refused(client):
    """A change request carries no username, so the schema alone cannot see that
    "marguerite@example.org" is the account's own address (zxcvbn user inputs)."""
    from web_support import register

    register(client, "marguerite")
    answer = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "marguerite@example.org"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["path"] == "new_password"
    assert "too easy to guess" in answer.json()["errors"][0]["message"]

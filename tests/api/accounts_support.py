"""Helpers for tests that need vetted clinicians, administrators and a local SMTP sink."""

from __future__ import annotations

import email
import re
import threading

from web_support import PASSWORD, example_case, free_port, register


def client_factory(app):
    """Yield a factory of signed-in-able clients on one app, each with its own cookie jar;
    every client opened is closed afterwards (use with ``yield from`` in a fixture)."""
    from fastapi.testclient import TestClient

    opened = []

    def factory():
        c = TestClient(app)
        c.__enter__()
        opened.append(c)
        return c

    yield factory
    for c in opened:
        c.__exit__(None, None, None)


def approve_in_database(app, username: str) -> None:
    """What an administrator does (``plexnav admin approve-clinician --email-verified``)."""
    from plexnav.store.accounts import Accounts

    with app.state.database.session() as session:
        Accounts(session).approve_clinician(username, None, mark_email_verified=True)


def patients_and_clinicians(make_client) -> dict:
    """Signed-in clients of alice and bob (patients) and carol and dan (vetted clinicians),
    and alice's stored case (``case``, its JSON)."""
    alice, bob, carol, dan = make_client(), make_client(), make_client(), make_client()
    register(alice, "alice")
    register(bob, "bob")
    register_clinician(carol, "carol")
    register_clinician(dan, "dan")
    case = alice.post("/api/v1/cases", json={"title": "Alice's foot drop", "case": example_case()})
    assert case.status_code == 201
    return {"alice": alice, "bob": bob, "carol": carol, "dan": dan, "case": case.json()}


def register_clinician(client, username: str, login: bool = True) -> dict:
    """A clinician account that signed up, verified its email and was approved."""
    user = register(client, username, role="clinician", login=login)
    approve_in_database(client.app, username)
    return user


def make_admin(client, username: str = "root") -> dict:
    """An administrator (created as ``plexnav admin create-admin`` does), signed in on ``client``."""
    from plexnav.store.accounts import Accounts
    from plexnav.store.schemas import UserCreate

    data = UserCreate(username=username, email=f"{username}@example.org", password=PASSWORD)
    with client.app.state.database.session() as session:
        user = Accounts(session).register(data.model_copy(update={"role": "admin"}), email_verified=True)
    signed = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    return user.model_dump(mode="json")


class SmtpSink:
    """An aiosmtpd server on a free loopback port that keeps every message it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.Message] = []
        self._arrived = threading.Condition()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with sink._arrived:
                    sink.messages.append(email.message_from_bytes(envelope.content))
                    sink._arrived.notify_all()
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def wait_for(self, to: str, timeout: float = 10.0) -> email.message.Message:
        with self._arrived:
            ok = self._arrived.wait_for(lambda: any(to in m["To"] for m in self.messages), timeout)
        assert ok, f"no email to {to} arrived"
        return [m for m in self.messages if to in m["To"]][-1]

    @staticmethod
    def link(message: email.message.Message) -> str:
        body = message.get_payload(decode=True).decode()
        found = re.search(r"https?://\S+/verify-email\?token=\S+", body)
        assert found, body
        return found.group(0)

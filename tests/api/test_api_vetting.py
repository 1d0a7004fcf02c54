"""Issue 12, item 1: nobody can pose as a clinician and receive a patient's records.

The attack: register with ``role: clinician`` and a real doctor's name and email; the
patient shares with that email; the impostor gets every case.  Now a clinician account
starts pending, its email address is verified by a signed link (mail through SMTP, here a
local aiosmtpd sink), an administrator approves it, and clinician self-sign-up is off by
default (``test_api_accounts.py::test_clinician_signup_is_off_by_default``).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from web_support import PASSWORD, example_case, register

from .accounts_support import client_factory, make_admin


@pytest.fixture
def mailing_app(tmp_path, smtp_sink):
    from plexnav.api.app import create_app
    from plexnav.settings import Settings

    settings = Settings(
        data_dir=tmp_path,
        secret_key="test-secret-" + "m" * 32,
        allow_clinician_signup=True,
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        public_url="https://plexnav.test",
        cookie_secure=False,
    )  # the test client speaks plain http
    return create_app(settings)


@pytest.fixture
def clients(mailing_app):
    yield from client_factory(mailing_app)


def _patient_with_a_case(client):
    register(client, "alice")
    case = client.post("/api/v1/cases", json={"title": "Alice's foot drop", "case": example_case()})
    assert case.status_code == 201
    return case.json()


def test_an_impostor_clinician_gets_nothing_until_vetted(clients, smtp_sink):
    alice, impostor, admin = clients(), clients(), clients()
    case = _patient_with_a_case(alice)
    # the impostor signs up with the real doctor's name and email
    response = impostor.post(
        "/api/v1/auth/register",
        json={
            "username": "drhouse",
            "email": "house@hospital.example",
            "password": PASSWORD,
            "role": "clinician",
            "display_name": "Dr Gregory House",
        },
    )
    assert response.status_code == 201
    assert response.json()["vetted"] is False and response.json()["approved_at"] is None
    assert impostor.post("/api/v1/auth/login", json={"username": "drhouse", "password": PASSWORD}).status_code == 200
    # the patient shares with that email: refused, exactly as for an unknown address
    shared = alice.post("/api/v1/shares", json={"clinician": "house@hospital.example"})
    assert shared.status_code == 404, shared.text
    assert impostor.get("/api/v1/cases").json() == []
    assert impostor.get(f"/api/v1/cases/{case['id']}").status_code == 404
    assert impostor.get("/api/v1/patients").json() == []
    # the verification link went to the doctor's mailbox, not to the impostor
    message = smtp_sink.wait_for("house@hospital.example")
    link = smtp_sink.link(message)
    assert link.startswith("https://plexnav.test/verify-email?token=")
    token = link.split("token=", 1)[1]
    # a verified email alone is not enough: an administrator has to approve
    assert impostor.post("/api/v1/auth/verify-email", json={"token": token}).json()["email_verified_at"]
    assert alice.post("/api/v1/shares", json={"clinician": "house@hospital.example"}).status_code == 404
    make_admin(admin)
    pending = admin.get("/api/v1/admin/clinicians").json()
    assert [p["username"] for p in pending] == ["drhouse"]
    doctor_id = pending[0]["id"]
    approved = admin.post(f"/api/v1/admin/clinicians/{doctor_id}/approve")
    assert approved.status_code == 200 and approved.json()["vetted"] is True
    assert alice.post("/api/v1/shares", json={"clinician": "house@hospital.example"}).status_code == 201
    assert impostor.get(f"/api/v1/cases/{case['id']}").status_code == 200
    # withdrawing the approval hides the shared records again at once
    assert admin.post(f"/api/v1/admin/clinicians/{doctor_id}/revoke").status_code == 200
    assert impostor.get(f"/api/v1/cases/{case['id']}").status_code == 404
    assert impostor.get("/api/v1/cases").json() == []
    actions = [e["action"] for e in admin.get("/api/v1/audit").json()]
    assert "approve_clinician" in actions and "revoke_clinician" in actions


def test_approval_needs_a_verified_email(clients):
    doctor, admin = clients(), clients()
    user = register(doctor, "drwho", role="clinician")
    make_admin(admin)
    refused = admin.post(f"/api/v1/admin/clinicians/{user['id']}/approve")
    assert refused.status_code == 409 and refused.json()["errors"][0]["path"] == "email"


def test_verification_links_are_signed_and_bound_to_the_address(clients, smtp_sink, mailing_app):
    patient = clients()
    register(patient, "pat")
    token = smtp_sink.link(smtp_sink.wait_for("pat@example.org")).split("token=", 1)[1]
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token", "x" * 999):
        assert patient.post("/api/v1/auth/verify-email", json={"token": bad}).status_code == 422
    # a token signed with another key is refused
    from itsdangerous import URLSafeTimedSerializer

    me = patient.get("/api/v1/auth/me").json()
    forged = URLSafeTimedSerializer("guessed-key", salt="plexnav-verify-email").dumps({"u": me["id"], "e": me["email"]})
    assert patient.post("/api/v1/auth/verify-email", json={"token": forged}).status_code == 422
    assert patient.get("/api/v1/auth/me").json()["email_verified_at"] is None
    # the page behind the emailed link
    page = patient.get(f"/verify-email?token={token}")
    assert page.status_code == 200 and "is verified" in page.text
    assert patient.get("/api/v1/auth/me").json()["email_verified_at"] is not None
    assert patient.get("/verify-email?token=nonsense").status_code == 422


def test_expired_verification_link_is_refused(clients, smtp_sink, mailing_app, monkeypatch):
    patient = clients()
    register(patient, "old")
    token = smtp_sink.link(smtp_sink.wait_for("old@example.org")).split("token=", 1)[1]
    import time as time_module

    real = time_module.time
    monkeypatch.setattr(time_module, "time", lambda: real() + mailing_app.state.settings.email_token_max_age + 5)
    response = patient.post("/api/v1/auth/verify-email", json={"token": token})
    assert response.status_code == 422 and "expired" in response.text


def test_administration_is_invisible_to_everyone_else(clients):
    patient, doctor, anonymous = clients(), clients(), clients()
    register(patient, "pam")
    target = register(doctor, "drno", role="clinician")
    for client in (patient, doctor):
        assert client.get("/api/v1/admin/clinicians").status_code == 404
        assert client.post(f"/api/v1/admin/clinicians/{target['id']}/approve").status_code == 404
        assert client.get("/admin").status_code == 404
    assert anonymous.get("/api/v1/admin/clinicians").status_code == 401
    assert doctor.get("/api/v1/auth/me").json()["vetted"] is False
    # nobody can sign up as an administrator
    response = anonymous.post(
        "/api/v1/auth/register",
        json={"username": "boss", "email": "boss@example.org", "password": PASSWORD, "role": "admin"},
    )
    assert response.status_code == 422


def test_admin_page_approves_with_a_csrf_checked_form(clients, mailing_app):
    import re

    from .accounts_support import approve_in_database  # noqa: F401  (the same service the page calls)

    doctor, admin = clients(), clients()
    user = register(doctor, "drpage", role="clinician")
    with mailing_app.state.database.session() as session:
        from plexnav.store.models import User, utcnow

        session.get(User, user["id"]).email_verified_at = utcnow()
        session.commit()
    make_admin(admin)
    page = admin.get("/admin")
    assert page.status_code == 200 and "drpage" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert admin.post(f"/admin/clinicians/{user['id']}/approve", data={}).status_code == 403
    done = admin.post(f"/admin/clinicians/{user['id']}/approve", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert doctor.get("/api/v1/auth/me").json()["vetted"] is True


def test_admin_cli_creates_admins_and_approves_clinicians(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from plexnav.api.app import create_app
    from plexnav.cli.main import app as cli
    from plexnav.settings import Settings

    monkeypatch.setenv("PLEXNAV_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PLEXNAV_ADMIN_PASSWORD", PASSWORD)
    runner = CliRunner()
    result = runner.invoke(cli, ["admin", "create-admin", "chief", "--email", "chief@example.org"])
    assert result.exit_code == 0, result.output
    app = create_app(Settings(data_dir=tmp_path, secret_key="c" * 40, allow_clinician_signup=True))
    with TestClient(app) as doctor:
        register(doctor, "drcli", role="clinician")
        listed = runner.invoke(cli, ["admin", "list-clinicians", "--json"])
        assert '"drcli"' in listed.output
        refused = runner.invoke(cli, ["admin", "approve-clinician", "drcli"])
        assert refused.exit_code == 2 and "--email-verified" in refused.output
        ok = runner.invoke(cli, ["admin", "approve-clinician", "drcli@example.org", "--email-verified"])
        assert ok.exit_code == 0, ok.output
        assert doctor.get("/api/v1/auth/me").json()["vetted"] is True
        assert runner.invoke(cli, ["admin", "revoke-clinician", "drcli"]).exit_code == 0
        assert doctor.get("/api/v1/auth/me").json()["vetted"] is False
        assert runner.invoke(cli, ["admin", "approve-clinician", "nobody"]).exit_code == 2
        with TestClient(app) as chief:
            assert (
                chief.post("/api/v1/auth/login", json={"username": "chief", "password": PASSWORD}).json()["role"]
                == "admin"
            )
            assert chief.get("/api/v1/admin/clinicians?status=all").status_code == 200

"""Issue 12, data rights: a full export of my data (JSON + PDFs in a zip) and account
deletion (the patient's data erased, the audit log keeps the fact)."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from web_support import PASSWORD, example_case, register

from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures

CONFIRM = "delete my account and all my data"


def _alice_with_data(client) -> str:
    register(client, "alice")
    case = client.post("/api/v1/cases", json={"title": "Foot drop", "case": example_case()}).json()
    entry = {"date": "2026-01-02", "notes": "sore"}
    assert client.post(f"/api/v1/cases/{case['id']}/diary", json=entry).status_code == 201
    return case["id"]


def test_the_export_holds_every_case_assessment_diary_and_pdf(backend_client):
    case_id = _alice_with_data(backend_client)
    answer = backend_client.get("/api/v1/auth/export")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = set(archive.namelist())
    for name in (
        "README.txt",
        "account.json",
        "shares.json",
        "audit.json",
        f"cases/{case_id}/case.json",
        f"cases/{case_id}/assessments.json",
        f"cases/{case_id}/diary.json",
        f"cases/{case_id}/summary.pdf",
    ):
        assert name in names, name
    assert json.loads(archive.read("account.json"))["username"] == "alice"
    assert json.loads(archive.read(f"cases/{case_id}/diary.json"))["entries"][0]["notes"] == "sore"
    assert archive.read(f"cases/{case_id}/summary.pdf").startswith(b"%PDF")
    assert "password" not in archive.read("account.json").decode()


def test_deleting_the_account_erases_the_data_and_the_audit_keeps_the_fact(backend_client, backend_app):
    from plexnav.store.models import AuditEvent, StoredAssessment, StoredCase, StoredDiaryEntry, User, UserSession

    case_id = _alice_with_data(backend_client)
    me = backend_client.get("/api/v1/auth/me").json()
    refused = backend_client.post("/api/v1/auth/delete-account", json={"password": "wrong", "confirm": CONFIRM})
    assert refused.status_code == 403
    unconfirmed = backend_client.post("/api/v1/auth/delete-account", json={"password": PASSWORD, "confirm": "yes"})
    assert unconfirmed.status_code == 422 and unconfirmed.json()["errors"][0]["path"] == "confirm"
    done = backend_client.post("/api/v1/auth/delete-account", json={"password": PASSWORD, "confirm": CONFIRM})
    assert done.status_code == 204
    assert backend_client.get("/api/v1/auth/me").status_code == 401
    with backend_app.state.database.session() as session:
        for model in (User, StoredCase, StoredAssessment, StoredDiaryEntry, UserSession):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
        fact = session.scalars(select(AuditEvent).where(AuditEvent.action == "delete_account")).one()
        assert fact.subject_id == me["id"] and "cases erased=1" in fact.detail
    login = {"username": "alice", "password": PASSWORD}
    assert backend_client.post("/api/v1/auth/login", json=login).status_code == 401
    assert backend_client.get(f"/api/v1/cases/{case_id}").status_code == 401


def _token(page: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_account_page_lists_sessions_changes_the_password_and_deletes(backend_client, backend_app):
    from fastapi.testclient import TestClient

    _alice_with_data(backend_client)
    phone = TestClient(backend_app, raise_server_exceptions=False)
    with phone:
        assert phone.post("/api/v1/auth/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
        page = backend_client.get("/account")
        assert page.status_code == 200 and "this browser" in page.text and "Sign out there" in page.text
        weak = backend_client.post(
            "/account/password",
            data={"csrf_token": _token(page.text), "current_password": PASSWORD, "new_password": "password1234"},
        )
        assert weak.status_code == 422 and "too easy to guess" in weak.text
        new = "another long passphrase 77"
        done = backend_client.post(
            "/account/password",
            data={"csrf_token": _token(page.text), "current_password": PASSWORD, "new_password": new},
        )
        assert done.status_code == 200 and "password is changed" in done.text
        assert phone.get("/api/v1/auth/me").status_code == 401
        page = backend_client.get("/account")
        wrong = backend_client.post(
            "/account/delete", data={"csrf_token": _token(page.text), "password": new, "confirm": "yes"}
        )
        assert wrong.status_code == 422
        gone = backend_client.post(
            "/account/delete",
            data={"csrf_token": _token(page.text), "password": new, "confirm": CONFIRM},
            follow_redirects=False,
        )
        assert gone.status_code == 303
        assert phone.post("/api/v1/auth/login", json={"username": "alice", "password": new}).status_code == 401

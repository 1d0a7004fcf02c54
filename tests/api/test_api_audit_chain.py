"""Issue 12, item 10 (in part): denied probes are audited with the client address and user
agent, and the audit log is a hash chain whose tampering ``plexnav admin audit verify`` finds."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from web_support import example_case, register

from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures


def _events(app):
    from plexnav.store.models import AuditEvent

    with app.state.database.session() as session:
        return session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()


def _verify_cli(monkeypatch, settings) -> tuple[int, str]:
    from plexnav.cli.admin import app as admin_app

    monkeypatch.setenv("PLEXNAV_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("PLEXNAV_DATABASE_URL", settings.resolved_database_url())
    result = CliRunner().invoke(admin_app, ["audit", "verify"])
    return result.exit_code, result.output


def test_a_probe_of_someone_elses_case_is_audited_with_address_and_agent(backend_app, backend_client):
    register(backend_client, "alice")
    case = backend_client.post("/api/v1/cases", json={"title": "t", "case": example_case()}).json()
    bob = TestClient(backend_app, raise_server_exceptions=False, headers={"user-agent": "probe/1.0"})
    with bob:
        register(bob, "bob")
        assert bob.get(f"/api/v1/cases/{case['id']}").status_code == 404
        assert bob.delete(f"/api/v1/cases/{case['id']}").status_code == 404
    denied = [e for e in _events(backend_app) if e.action == "denied"]
    assert len(denied) == 2 and {e.actor_name for e in denied} == {"bob"}
    assert all(e.user_agent == "probe/1.0" and e.client_address for e in denied)
    assert f"/api/v1/cases/{case['id']} -> 404" in denied[0].detail


def test_the_chain_verifies_and_any_tampering_is_found(backend_app, backend_client, backend_settings, monkeypatch):
    from plexnav.store.models import AuditEvent

    register(backend_client, "alice")
    case = backend_client.post("/api/v1/cases", json={"title": "t", "case": example_case()}).json()
    backend_client.get(f"/api/v1/cases/{case['id']}")
    events = _events(backend_app)
    assert len(events) >= 4 and events[0].prev_hash == "" and all(e.hash for e in events)
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    code, output = _verify_cli(monkeypatch, backend_settings)
    assert code == 0 and f"{len(events)} audit events, chain intact" in output, output

    target = events[2]
    with backend_app.state.database.session() as session:
        session.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(actor_name="nobody"))
        session.commit()
    code, output = _verify_cli(monkeypatch, backend_settings)
    assert code == 1 and f"broken at event {target.id}" in output

    with backend_app.state.database.session() as session:  # put it back, then delete a line instead
        session.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(actor_name=target.actor_name))
        session.execute(delete(AuditEvent).where(AuditEvent.id == events[1].id))
        session.commit()
    code, output = _verify_cli(monkeypatch, backend_settings)
    assert code == 1 and f"broken at event {events[2].id}" in output

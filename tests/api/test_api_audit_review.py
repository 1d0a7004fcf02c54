"""Issue 12, item 10 (in part): an audit review for patients ("who looked at my records")
and administrators, with filters and a CSV export."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from web_support import example_case, register

from .accounts_support import make_admin, register_clinician
from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures


def test_patients_filter_who_looked_and_export_it(backend_client, backend_app):
    alice = backend_client
    register(alice, "alice")
    case = alice.post("/api/v1/cases", json={"title": '=HYPERLINK("x")', "case": example_case()}).json()
    alice.post("/api/v1/shares", json={"clinician": "carol"})
    with TestClient(backend_app, raise_server_exceptions=False, headers={"user-agent": "ward-pc"}) as carol:
        register_clinician(carol, "carol")
        assert alice.post("/api/v1/shares", json={"clinician": "carol"}).status_code == 201
        assert carol.get(f"/api/v1/cases/{case['id']}").status_code == 200
    looked = alice.get("/api/v1/audit", params={"others_only": True, "action": "read"}).json()
    assert [e["actor_name"] for e in looked] == ["carol"] and looked[0]["user_agent"] == "ward-pc"
    exported = alice.get("/api/v1/audit.csv", params={"others_only": True}).text
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert rows and {r["actor_name"] for r in rows} == {"carol"}
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
    page = alice.get("/audit", params={"others": "1", "action": "read"}).text
    assert "carol" in page and "Export as CSV" in page


def test_administrators_see_every_account_and_others_do_not(backend_client, backend_app):
    register(backend_client, "alice")
    backend_client.get("/api/v1/cases/" + "0" * 32)  # a denied probe
    with TestClient(backend_app, raise_server_exceptions=False) as root:
        make_admin(root)
        everyone = root.get("/api/v1/audit", params={"everyone": True, "action": "denied"}).json()
        assert [e["actor_name"] for e in everyone] == ["alice"]
    mine = backend_client.get("/api/v1/audit", params={"everyone": True}).json()
    assert all(e["actor_name"] in ("alice", "anonymous") for e in mine)

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


def test_the_patient_sees_refused_probes_of_her_records_with_address_and_browser(backend_client, backend_app):
    """Before, a refused probe was logged with no subject: the administrator could see it, the
    patient whose case was probed could not."""
    alice = backend_client
    register(alice, "alice")
    case = alice.post("/api/v1/cases", json={"title": "Foot", "case": example_case()}).json()["id"]
    with TestClient(
        backend_app, raise_server_exceptions=False, client=("203.0.113.5", 4000), headers={"user-agent": "probe-bot/1"}
    ) as mallory:
        register(mallory, "mallory")
        assert mallory.get(f"/api/v1/cases/{case}").status_code == 404
        assert mallory.get(f"/api/v1/cases/{case}/diary").status_code == 404
        assert mallory.delete(f"/api/v1/cases/{case}").status_code == 404
        assert mallory.get(f"/cases/{case}").status_code == 404
        assert mallory.get("/api/v1/cases/" + "f" * 32).status_code == 404  # no such record: nobody's
    refused = alice.get("/api/v1/audit", params={"action": "denied"}).json()
    assert len(refused) == 4
    assert {(e["actor_name"], e["object_type"], e["object_id"]) for e in refused} == {("mallory", "case", case)}
    assert {(e["client_address"], e["user_agent"]) for e in refused} == {("203.0.113.5", "probe-bot/1")}
    assert {e["detail"].split()[0] for e in refused} == {"GET", "DELETE"}
    # the page puts it first: who looked, how often they were refused, from where
    page = alice.get("/audit").text
    who = page.split('id="who-looked"')[1].split("</table>")[0]
    assert "mallory" in who and "<strong>4</strong>" in who and "203.0.113.5" in who
    assert "probe-bot/1" in page and "refused" in page


def _alice_reads_two_cases(alice) -> tuple[str, str]:
    """alice signs up, stores two cases and reads each: the ids of the foot and the thigh case."""
    register(alice, "alice")
    foot = alice.post("/api/v1/cases", json={"title": "Foot", "case": example_case()}).json()["id"]
    thigh = alice.post("/api/v1/cases", json={"title": "Thigh", "case": example_case()}).json()["id"]
    alice.get(f"/api/v1/cases/{foot}")
    alice.get(f"/api/v1/cases/{thigh}")
    return foot, thigh


def test_filters_by_case_and_period_reach_the_export(backend_client, backend_app):
    alice = backend_client
    foot, thigh = _alice_reads_two_cases(alice)
    about_foot = alice.get("/api/v1/audit", params={"case_id": foot}).json()
    assert about_foot and all(foot in (e["object_id"] or "") + e["detail"] for e in about_foot)
    assert not any(thigh in (e["object_id"] or "") + e["detail"] for e in about_foot)
    everything = alice.get("/api/v1/audit").json()
    middle = everything[len(everything) // 2]["at"]
    before = alice.get("/api/v1/audit", params={"until": middle}).json()
    after = alice.get("/api/v1/audit", params={"since": middle}).json()
    assert len(before) + len(after) == len(everything) and before and after
    exported = list(
        csv.DictReader(io.StringIO(alice.get("/api/v1/audit.csv", params={"case_id": foot, "since": middle}).text))
    )
    assert {r["id"] for r in exported} == {str(e["id"]) for e in about_foot if e["at"] >= middle}
    assert exported and {"client_address", "user_agent"} <= set(exported[0])
    bad = alice.get("/api/v1/audit", params={"since": "last tuesday"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "query.since"


def test_the_one_refused_learns_nothing_from_his_own_log(backend_client, backend_app):
    """A 404 does not say whether the id exists; the prober's own log must not say it either."""
    register(backend_client, "alice")
    case = backend_client.post("/api/v1/cases", json={"title": "Foot", "case": example_case()}).json()["id"]
    with TestClient(backend_app, raise_server_exceptions=False) as mallory:
        register(mallory, "mallory")
        mallory.get(f"/api/v1/cases/{case}")
        mallory.get("/api/v1/cases/" + "e" * 32)
        own = [e for e in mallory.get("/api/v1/audit", params={"action": "denied"}).json()]
    assert len(own) == 2
    assert {(e["object_type"], e["object_id"], e["subject_id"]) for e in own} == {("request", None, None)}


def test_the_audit_page_filters_by_case_and_dates(backend_client, backend_app):
    """The page offers the API's case and period filters; a date that does not parse is no
    filter (shown empty), never an error page."""
    alice = backend_client
    foot, thigh = _alice_reads_two_cases(alice)
    page = alice.get("/audit", params={"case": foot})
    assert page.status_code == 200 and 'id="f-case"' in page.text and f'value="{foot}"' in page.text
    assert foot in page.text and thigh not in page.text
    tomorrow = alice.get("/audit", params={"since": "2999-01-01"})
    assert tomorrow.status_code == 200 and foot not in tomorrow.text and 'value="2999-01-01"' in tomorrow.text
    everything = alice.get("/audit", params={"until": "2999-01-01"}).text
    assert foot in everything and thigh in everything
    odd = alice.get("/audit", params={"since": "last tuesday", "case": "not-an-id"})
    assert odd.status_code == 200 and foot in odd.text and 'id="f-since" name="since" type="date" value=""' in odd.text

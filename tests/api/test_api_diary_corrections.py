"""Issue 9, item 7 (diary part): diary entries can be corrected and deleted, by whoever
wrote them, with an audit line."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from web_support import example_case, register

from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures

PAIN = [{"region": "lateral_leg", "side": "right", "score": 4}]


def test_the_writer_corrects_and_deletes_an_entry_and_others_cannot(backend_client, backend_app):
    alice = backend_client
    register(alice, "alice")
    case = alice.post("/api/v1/cases", json={"title": "t", "case": example_case()}).json()
    url = f"/api/v1/cases/{case['id']}/diary"
    entry = alice.post(url, json={"date": "2026-01-02", "pain": PAIN}).json()
    fixed = alice.put(f"{url}/{entry['id']}", json={"date": "2026-01-03", "pain": PAIN, "notes": "typo fixed"})
    assert fixed.status_code == 200 and fixed.json()["entry"]["notes"] == "typo fixed"
    assert [e["entry"]["date"] for e in alice.get(url).json()] == ["2026-01-03"]
    with TestClient(backend_app, raise_server_exceptions=False) as bob:
        register(bob, "bob")
        assert bob.delete(f"{url}/{entry['id']}").status_code == 404
    page = alice.get(f"/cases/{case['id']}/diary").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    gone = alice.post(
        f"/cases/{case['id']}/diary/{entry['id']}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert gone.status_code == 303 and alice.get(url).json() == []
    actions = [(e["action"], e["object_type"]) for e in alice.get("/api/v1/audit").json()]
    assert ("update", "diary_entry") in actions and ("delete", "diary_entry") in actions
    assert alice.delete(f"{url}/{entry['id']}").status_code == 404


def test_the_pain_location_list_is_grouped_by_region(backend_client):
    """Issue 9, item 7: the diary's location list is grouped, not 60 flat options."""
    from plexnav.web.diaryforms import where_choices

    register(backend_client, "alice")
    case = backend_client.post("/api/v1/cases", json={"title": "t", "case": example_case()}).json()
    page = backend_client.get(f"/cases/{case['id']}/diary").text
    select = page[page.index('id="pain-0-where"') :]
    select = select[: select.index("</select>")]
    groups = re.findall(r"<optgroup label=", select)
    options = re.findall(r"<option value=\"[^\"]+\"", select)
    assert len(options) == len(where_choices()) and 10 <= len(groups) <= 30
    assert max(len(g.split("<option")) - 1 for g in select.split("<optgroup")[1:]) <= 3

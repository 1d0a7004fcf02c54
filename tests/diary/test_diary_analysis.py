"""Weekly averages and the plain-language trend."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plexnav.diary import Diary, DiaryEntry, from_json, trend_sentence, trend_sentences, weekly_summaries
from plexnav.diary.analysis import pain_sentence

FIXTURE = Path(__file__).parent / "data" / "recovery-diary.json"
START = dt.date(2026, 1, 5)


def _entry(day: int, pain: float | None = None, walking: float | None = None, sleep: float | None = None, **extra):
    return DiaryEntry(
        date=START + dt.timedelta(days=day),
        pain=[{"region": "anterior_thigh", "side": "left", "score": pain}] if pain is not None else [],
        function={"walking": walking, "sleep": sleep},
        **extra,
    )


def test_weeks_count_from_the_first_entry_and_average_the_worst_pain():
    d = Diary(
        entries=[
            DiaryEntry(
                date=START,
                pain=[
                    {"region": "groin", "side": "left", "score": 8},
                    {"region": "buttock", "side": "left", "score": 3},
                ],
            ),
            _entry(3, pain=6),
            _entry(7, pain=5, walking=4),
            _entry(20, pain=2, walking=6, falls=2),
        ]
    )
    weeks = weekly_summaries(d)
    assert [w.week for w in weeks] == [1, 2, 3]
    assert weeks[0].pain == 7 and weeks[0].entries == 2 and weeks[0].start == START
    assert weeks[0].end == START + dt.timedelta(days=6)
    assert weeks[0].pain_by_region == {"groin:left": 8, "buttock:left": 3, "anterior_thigh:left": 6}
    assert weeks[1].function_by_domain == {"walking": 4} and weeks[1].function == 4
    assert weeks[2].falls == 2 and weeks[2].week == 3


def test_fixture_weekly_averages():
    weeks = weekly_summaries(from_json(FIXTURE.read_text()))
    assert len(weeks) == 7
    assert weeks[0].pain == pytest.approx((8 + 8.3 + 7.6) / 3)
    assert weeks[-1].pain == pytest.approx(5.0)
    assert weeks[0].function < weeks[-1].function


@pytest.mark.parametrize(
    "before, after, weeks, expected",
    [
        (7.5, 5, 6, "Your pain has fallen by about a third over 6 weeks (from 7.5 to 5 out of 10)."),
        (8, 4, 4, "Your pain has fallen by about half over 4 weeks (from 8 to 4 out of 10)."),
        (8, 6, 2, "Your pain has fallen by about a quarter over 2 weeks (from 8 to 6 out of 10)."),
        (9, 3, 8, "Your pain has fallen by about two thirds over 8 weeks (from 9 to 3 out of 10)."),
        (8, 2, 8, "Your pain has fallen by about three quarters over 8 weeks (from 8 to 2 out of 10)."),
        (8, 0, 3, "Your pain has gone over 3 weeks (from 8 to 0 out of 10)."),
        (8, 7, 1, "Your pain has fallen a little over 1 week (from 8 to 7 out of 10)."),
        (6, 6.2, 5, "Your pain has stayed about the same over 5 weeks (around 6.2 out of 10)."),
        (3, 4, 2, "Your pain has risen by about a third over 2 weeks (from 3 to 4 out of 10)."),
        (3, 6, 2, "Your pain has about doubled over 2 weeks (from 3 to 6 out of 10)."),
        (2, 9, 2, "Your pain has more than doubled over 2 weeks (from 2 to 9 out of 10)."),
        (0, 4, 2, "Your pain has risen over 2 weeks (from 0 to 4 out of 10)."),
        (0, 0, 2, "You recorded no pain in the first or the latest week (2 weeks apart)."),
    ],
)
def test_pain_sentence(before, after, weeks, expected):
    assert pain_sentence(before, after, weeks) == expected


def test_trend_compares_the_first_and_latest_week():
    d = Diary(
        entries=[
            _entry(0, 9, walking=2),
            _entry(2, 9, walking=3),
            _entry(40, 6, walking=7),
            _entry(42, 6, walking=7, falls=1),
        ]
    )
    sentences = trend_sentences(d)
    assert sentences[0] == "Your pain has fallen by about a third over 6 weeks (from 9 to 6 out of 10)."
    assert sentences[1] == (
        "Your everyday function score (walking; 10 is as easy as before) has improved "
        "over 6 weeks (from 2.5 to 7 out of 10)."
    )
    assert sentences[2] == "You recorded 1 fall, the latest on 16 Feb 2026."
    assert trend_sentence(d).startswith("Your pain has fallen by about a third over 6 weeks")


def test_function_trend_uses_only_activities_recorded_in_both_weeks():
    d = Diary(entries=[_entry(0, walking=5), _entry(14, walking=5, sleep=1)])
    assert "walking;" in trend_sentences(d)[0] and "stayed about the same" in trend_sentences(d)[0]


def test_too_little_data_says_so():
    assert trend_sentences(Diary()) == ["No diary entries yet."]
    one_week = Diary(entries=[_entry(0, 5), _entry(6, 4)])
    assert trend_sentences(one_week) == ["A trend needs entries from at least two different weeks: keep recording."]


def test_strength_grades_are_described_for_clinicians():
    d = from_json(FIXTURE.read_text())
    sentences = trend_sentences(d)
    assert (
        "Strength of right knee extension went from MRC 3 to 4 (stronger) between 7 Sep 2026 and 19 Oct 2026."
        in sentences
    )
    assert not any("MRC" in s for s in trend_sentences(d, include_strength=False))

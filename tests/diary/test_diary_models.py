"""Diary entries: scales, canonical order, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from plexnav.diary import Diary, DiaryEntry, PainRating

DAY = "2026-03-02"


def test_a_full_entry_validates_and_reads_back_its_scores():
    e = DiaryEntry.model_validate(
        {
            "date": DAY,
            "time": "08:15",
            "pain": [
                {"region": "groin", "side": "right", "score": 4},
                {"region": "anterior_thigh", "side": "right", "score": 7.5},
            ],
            "numbness": [{"region": "medial_leg", "side": "right"}],
            "function": {"walking": 4, "sleep": 6},
            "falls": 1,
            "notes": "Knee gave way.",
            "medication_changes": [{"medication": "gabapentin", "change": "started"}],
            "events": [{"kind": "physiotherapy", "description": "first session"}],
        }
    )
    assert e.worst_pain == 7.5
    assert e.function_score == 5.0
    assert e.moment == dt.datetime(2026, 3, 2, 8, 15)
    assert e.red_flags == []


def test_ratings_are_kept_in_vocabulary_order_so_an_entry_has_one_form():
    a = DiaryEntry(
        date=DAY,
        pain=[
            {"region": "groin", "side": "right", "score": 4},
            {"region": "lower_abdomen", "side": "left", "score": 2},
        ],
    )
    b = DiaryEntry(
        date=DAY,
        pain=[
            {"region": "lower_abdomen", "side": "left", "score": 2},
            {"region": "groin", "side": "right", "score": 4},
        ],
    )
    assert a == b
    assert [p.region for p in a.pain] == ["lower_abdomen", "groin"]


def test_midline_regions_take_side_bilateral():
    e = DiaryEntry(date=DAY, pain=[{"region": "saddle", "score": 3}], numbness=[{"region": "genital"}])
    assert e.pain[0].side == "bilateral" and e.numbness[0].side == "bilateral"
    with pytest.raises(ValidationError, match="midline"):
        PainRating(region="saddle", side="left", score=3)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"pain": [{"region": "groin", "side": "left", "score": 11}]}, "less than or equal to 10"),
        ({"pain": [{"region": "groin", "side": "left", "score": True}]}, "valid number"),
        ({"pain": [{"region": "groin", "side": "left", "score": "7"}]}, "valid number"),
        ({"pain": [{"region": "groin", "score": 3}]}, "side"),
        (
            {
                "pain": [
                    {"region": "groin", "side": "left", "score": 3},
                    {"region": "groin", "side": "left", "score": 4},
                ]
            },
            "twice",
        ),
        ({"pain": [{"region": "knee", "side": "left", "score": 3}]}, "region"),
        ({"function": {"walking": -1}}, "greater than or equal to 0"),
        ({"function": {"running": 5}}, "Extra inputs"),
        ({"falls": -1}, "greater than or equal to 0"),
        ({"strength": [{"movement": "knee_extension", "side": "left", "mrc": 4}]}, "clinician"),
        (
            {"author": "clinician", "strength": [{"movement": "knee_extension", "side": "left", "mrc": 6}]},
            "less than or equal to 5",
        ),
        ({"sudden_weakness_side": "left"}, "sudden_weakness"),
        ({"notes": "bell\x07"}, "control characters"),
        ({"time": "10:00+02:00"}, "time zone"),
        ({"mood": 3}, "Extra inputs"),
    ],
)
def test_invalid_entries_are_refused_with_a_reason(bad, message):
    with pytest.raises(ValidationError, match=message):
        DiaryEntry.model_validate({"date": DAY, **bad})


def test_clinician_entries_carry_strength_grades():
    e = DiaryEntry(
        date=DAY,
        author="clinician",
        strength=[
            {"movement": "knee_extension", "side": "right", "mrc": 4.5},
            {"movement": "hip_flexion", "side": "right", "mrc": 4},
        ],
    )
    assert [g.movement for g in e.strength] == ["hip_flexion", "knee_extension"]


def test_sorted_entries_use_date_then_time():
    d = Diary(
        entries=[
            DiaryEntry(date="2026-03-03"),
            DiaryEntry(date="2026-03-02", time="20:00"),
            DiaryEntry(date="2026-03-02", time="07:00"),
        ]
    )
    assert [(e.date.day, e.time.hour if e.time else None) for e in d.sorted_entries()] == [(2, 7), (2, 20), (3, None)]

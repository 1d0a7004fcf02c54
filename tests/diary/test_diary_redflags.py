"""Red flags of a new diary entry go through the case triage policy."""

from __future__ import annotations

import datetime as dt

import pytest

from plexnav.diary import Diary, DiaryEntry, check_entry, diary_alerts, entry_case
from plexnav.examples import example_path
from plexnav.validation import parse_case

DAY = dt.date(2026, 2, 1)
PAIN = [{"region": "posterior_thigh", "side": "left", "score": 6}]


@pytest.fixture(scope="module")
def baseline():
    return parse_case(example_path("lumbar-plexus-diabetic-amyotrophy").read_bytes())[0]


@pytest.mark.parametrize(
    "flags, rule",
    [
        ({"bladder_change": True}, "emergency.bladder_bowel"),
        ({"bowel_change": True}, "emergency.bladder_bowel"),
        ({"saddle_numbness": True}, "emergency.saddle_numbness"),
        ({"sudden_weakness": True, "sudden_weakness_side": "left"}, "emergency.sudden_severe_weakness"),
        ({"numbness": [{"region": "saddle"}]}, "emergency.saddle_numbness"),
    ],
)
def test_new_red_flags_set_the_emergency_level_at_once(flags, rule):
    triage = check_entry(DiaryEntry(date=DAY, pain=PAIN, **flags))
    assert triage.level == "emergency"
    assert rule in triage.rules
    assert any("emergency department" in r for r in triage.reasons)


def test_a_quiet_entry_is_routine():
    assert check_entry(DiaryEntry(date=DAY, pain=PAIN, function={"walking": 6})).level == "routine"


def test_bladder_change_counts_with_the_diary_symptoms_even_on_an_entry_without_pain(baseline):
    alone = DiaryEntry(date=DAY, bladder_change=True)
    assert check_entry(alone).rules == ["emergency.bladder_bowel"]
    case = entry_case(alone, baseline)
    assert {s.kind for s in case.symptoms} >= {"pain", "weakness", "bladder_dysfunction"}
    assert not any(s.onset_sudden_severe for s in case.symptoms)
    earlier = [DiaryEntry(date=DAY - dt.timedelta(days=1), pain=PAIN)]
    assert any(s.kind == "pain" for s in entry_case(alone, None, earlier).symptoms)


def test_the_built_case_keeps_baseline_factors_but_not_the_old_timeline(baseline):
    case = entry_case(DiaryEntry(date=DAY, pain=PAIN), baseline)
    assert case.history.factors == baseline.history.factors
    assert case.history.onset is None and case.history.duration_days is None
    assert case.patient == baseline.patient
    assert case.id == "example-lumbar-plexus@2026-02-01"


def test_falling_strength_grades_mean_a_worsening_course():
    before = DiaryEntry(
        date=DAY, author="clinician", strength=[{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 4}]
    )
    after = DiaryEntry(
        date=DAY + dt.timedelta(days=7),
        author="clinician",
        strength=[{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 3}],
    )
    triage = check_entry(after, earlier=[before])
    assert triage.level == "urgent" and triage.rules == ["urgent.worsening_weakness", "urgent.progressive_weakness"]
    assert check_entry(after).level == "soon"


@pytest.mark.parametrize(
    "grades,level,rules",
    [
        ((5, 4), "urgent", ["urgent.progressive_weakness"]),  # revision 1.1: progressive weakness, MRC <= 4
        ((5, 4.5), "routine", ["routine.otherwise"]),  # 4.5 is not "MRC <= 4"
        ((4, 4), "soon", ["soon.weakness"]),  # no fall: course unknown
    ],
)
def test_progressive_weakness_from_the_diary_grades(grades, level, rules):
    entries = [
        DiaryEntry(
            date=DAY + dt.timedelta(days=7 * i),
            author="clinician",
            strength=[{"movement": "knee_extension", "side": "right", "mrc": g}],
        )
        for i, g in enumerate(grades)
    ]
    triage = check_entry(entries[1], earlier=entries[:1])
    assert (triage.level, triage.rules) == (level, rules)


def test_falls_in_the_diary_are_soon():
    assert check_entry(DiaryEntry(date=DAY, pain=PAIN, falls=1)).rules == ["soon.weakness_or_falls_symptom"]


def test_diary_alerts_report_only_new_red_flags(baseline):
    diary = Diary(
        entries=[
            DiaryEntry(date=DAY, pain=[{"region": "anterior_thigh", "side": "right", "score": 7}]),
            DiaryEntry(date=DAY + dt.timedelta(days=3), pain=PAIN, bowel_change=True),
            DiaryEntry(date=DAY + dt.timedelta(days=1), pain=PAIN),
        ]
    )
    # weight loss with thigh pain is urgent for every entry, but already known from the case
    assert check_entry(diary.entries[0], baseline).level == "urgent"
    alerts = diary_alerts(diary, baseline)
    assert [(e.date.day, t.level, t.rules) for e, t in alerts] == [(4, "emergency", ["emergency.bladder_bowel"])]
    assert len(diary_alerts(diary)) == 1


def test_a_red_flag_is_listed_where_it_first_appears(baseline):
    days = [DiaryEntry(date=DAY + dt.timedelta(days=i), pain=PAIN, bladder_change=i in (2, 5)) for i in range(7)]
    alerts = diary_alerts(Diary(entries=days), baseline)
    assert [(e.date.day, t.rules) for e, t in alerts] == [(3, ["emergency.bladder_bowel"])]
    # every entry on its own is still an emergency
    assert check_entry(days[5], baseline, days[:5]).level == "emergency"
    # weight loss with new pain, unknown to a case without pain, is listed once, not every day
    no_pain_case = baseline.model_copy(update={"symptoms": []})
    alerts = diary_alerts(Diary(entries=days[:2]), no_pain_case)
    assert [(e.date.day, t.rules) for e, t in alerts] == [(1, ["urgent.weight_loss_pain"])]

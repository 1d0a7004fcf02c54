"""Hypothesis strategies for valid diaries (shared by the round-trip property tests)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from plexnav import vocabulary as V
from plexnav.diary.models import (
    EVENT_KINDS,
    MEDICATION_CHANGES,
    Diary,
    DiaryEntry,
    DiaryEvent,
    FunctionScores,
    MedicationChange,
    NumbArea,
    PainRating,
    StrengthGrade,
    latest_date,
)

BAD = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\x7f"
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=BAD), max_size=40)
short_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=BAD), max_size=20)
score = st.one_of(st.integers(0, 10).map(float), st.floats(0, 10, allow_nan=False, allow_infinity=False))
mrc = st.one_of(st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0, 4.5, 5.0]), st.floats(0, 5, allow_nan=False))


def _region_side():
    return st.sampled_from(V.SKIN_REGIONS).flatmap(
        lambda r: (
            st.just((r, "bilateral")) if r in V.MIDLINE_REGIONS else st.tuples(st.just(r), st.sampled_from(V.SIDES))
        )
    )


@st.composite
def entries(draw) -> DiaryEntry:
    pain = draw(st.dictionaries(_region_side(), score, max_size=4))
    numb = draw(st.sets(_region_side(), max_size=3))
    strength = draw(st.dictionaries(st.tuples(st.sampled_from(V.MOVEMENTS), st.sampled_from(V.SIDES)), mrc, max_size=3))
    sudden = draw(st.booleans())
    return DiaryEntry(
        date=draw(st.dates(dt.date(1990, 1, 1), latest_date())),  # entries are dated 1900..tomorrow
        time=draw(st.none() | st.times()),
        author="clinician" if strength else draw(st.sampled_from(["patient", "clinician"])),
        pain=[PainRating(region=r, side=s, score=v) for (r, s), v in pain.items()],
        numbness=[NumbArea(region=r, side=s) for r, s in numb],
        function=FunctionScores(
            **{d: draw(st.none() | score) for d in ("walking", "stairs", "rising_from_chair", "sleep")}
        ),
        falls=draw(st.integers(0, 1000)),
        bladder_change=draw(st.booleans()),
        bowel_change=draw(st.booleans()),
        saddle_numbness=draw(st.booleans()),
        sudden_weakness=sudden,
        sudden_weakness_side=draw(st.none() | st.sampled_from(V.SIDES)) if sudden else None,
        medication_changes=draw(
            st.lists(
                st.builds(
                    MedicationChange,
                    medication=short_text.filter(bool),
                    change=st.sampled_from(MEDICATION_CHANGES),
                    note=short_text,
                ),
                max_size=2,
            )
        ),
        events=draw(
            st.lists(st.builds(DiaryEvent, kind=st.sampled_from(EVENT_KINDS), description=short_text), max_size=2)
        ),
        strength=[StrengthGrade(movement=m, side=s, mrc=v) for (m, s), v in strength.items()],
        notes=draw(text),
    )


diaries = st.lists(entries(), max_size=5).map(lambda es: Diary(entries=es))

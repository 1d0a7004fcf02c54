"""The recovery diary: what a person (and their clinician) records between visits.

Scales, all documented here once:

* **pain** — 0 to 10 per skin region and side (0 = no pain, 10 = the worst pain
  imaginable), the numeric rating scale of the case format.  Higher is worse.
* **function** — four everyday activities, each 0 to 10 where **0 = cannot do it at all**
  (for sleep: no sleep because of the symptoms) and **10 = as easy as before the problem**
  (sleep: sleeping normally).  Higher is better.  Any of the four may be left out.
* **falls** — how many falls since the previous entry (a whole number).
* **strength** — MRC grades 0 to 5 (5 normal; 4.5 allowed for 4+ grading) per movement
  and side, as in the case format.  Only a clinician records them: an entry with grades
  must have ``author: clinician``.
* **red flags** — four yes/no questions asked with every entry: a change in bladder
  control, a change in bowel control, numbness in the saddle area, and weakness that came
  on suddenly and severely.  :mod:`plexnav.diary.redflags` turns them into a triage level.

Why canonical order: pain ratings, numb areas and strength grades are sorted into the
vocabulary order and may hold each (region or movement, side) once, so an entry has one
representation and survives the CSV round trip exactly.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationInfo, field_validator, model_validator

from plexnav import vocabulary as V

DiaryFormat = Literal["plexnav-diary/1"]
DIARY_FORMAT: DiaryFormat = "plexnav-diary/1"

Side = V.Side
Region = V.SkinRegion
Score = Annotated[float, Strict(), Field(ge=0, le=10, allow_inf_nan=False)]
MRC = Annotated[float, Strict(), Field(ge=0, le=5, allow_inf_nan=False)]
Flag = Annotated[bool, Strict()]
Text = Annotated[str, Strict(), Field(max_length=4000)]
ShortText = Annotated[str, Strict(), Field(max_length=200)]

FUNCTION_DOMAINS = ("walking", "stairs", "rising_from_chair", "sleep")
FUNCTION_WORDS = {
    "walking": "walking",
    "stairs": "stairs",
    "rising_from_chair": "rising from a chair",
    "sleep": "sleep",
}
ChangeKind = Literal["started", "stopped", "increased", "decreased", "other"]  # of a medication
MEDICATION_CHANGES: tuple[ChangeKind, ...] = get_args(ChangeKind)
EventKind = Literal[
    "surgery", "new_treatment", "injection", "physiotherapy", "brace_or_aid", "hospital_visit", "test", "other"
]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)
EVENT_WORDS = {
    "surgery": "surgery",
    "new_treatment": "new treatment",
    "injection": "injection",
    "physiotherapy": "physiotherapy",
    "brace_or_aid": "brace or walking aid",
    "hospital_visit": "hospital visit",
    "test": "test",
    "other": "event",
}
Author = Literal["patient", "clinician"]
AUTHORS: tuple[Author, ...] = get_args(Author)

# Entry dates are bounded: a date far outside a human lifetime (9999-12-31, 0001-01-01) is a
# typing slip, and it broke the plots (date arithmetic overflows) for every later visit.
# Entries stored before the bound existed are loaded with ``context=STORED`` (not refused)
# and left out of plots and trends (:func:`in_date_range`).
EARLIEST_DATE = dt.date(1900, 1, 1)
STORED = {"stored": True}


def latest_date() -> dt.date:
    """Tomorrow: a diary may be written a little ahead of the server's clock (time zones)."""
    return dt.date.today() + dt.timedelta(days=1)


def in_date_range(day: dt.date) -> bool:
    return EARLIEST_DATE <= day <= latest_date()


_REGION_ORDER = {r: i for i, r in enumerate(V.SKIN_REGIONS)}
_SIDE_ORDER = {s: i for i, s in enumerate(V.SIDES)}
_MOVEMENT_ORDER = {m: i for i, m in enumerate(V.MOVEMENTS)}

# Control characters other than tab, newline and carriage return are refused in free text:
# they cannot be typed, break CSV readers and are never meaningful in a diary.
_BAD_CHARS = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {"\x7f"}


def _clean_text(value: str) -> str:
    bad = sorted({repr(c) for c in value if c in _BAD_CHARS})
    if bad:
        raise ValueError(f"control characters are not allowed in text: {', '.join(bad)}")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _midline_side(data):
    """Midline regions (saddle, genital) always carry side 'bilateral'; lateral ones need a side."""
    if isinstance(data, dict) and data.get("region") in V.MIDLINE_REGIONS:
        if data.get("side") is None:
            return {**data, "side": "bilateral"}
        if data.get("side") != "bilateral":
            raise ValueError(f"region '{data['region']}' is midline: give side 'bilateral' or no side")
    return data


class PainRating(_Model):
    region: Region
    side: Side
    score: Score

    _side = model_validator(mode="before")(_midline_side)


class NumbArea(_Model):
    region: Region
    side: Side

    _side = model_validator(mode="before")(_midline_side)


class FunctionScores(_Model):
    """0 = cannot do it at all (no sleep), 10 = as easy as before the problem; None = not recorded."""

    walking: Score | None = None
    stairs: Score | None = None
    rising_from_chair: Score | None = None
    sleep: Score | None = None

    def recorded(self) -> dict[str, float]:
        return {d: getattr(self, d) for d in FUNCTION_DOMAINS if getattr(self, d) is not None}


class MedicationChange(_Model):
    medication: ShortText = Field(min_length=1)
    change: ChangeKind
    note: ShortText = ""

    _text = field_validator("medication", "note")(_clean_text)


class DiaryEvent(_Model):
    kind: EventKind
    description: ShortText = ""

    _text = field_validator("description")(_clean_text)


class StrengthGrade(_Model):
    movement: V.Movement
    side: Side
    mrc: MRC


def _unique(items, key, what: str):
    seen = set()
    for item in items:
        k = key(item)
        if k in seen:
            raise ValueError(f"{what} {' '.join(k)} is given twice in one entry")
        seen.add(k)
    return items


class DiaryEntry(_Model):
    """One day's record (optionally with a time)."""

    date: dt.date
    time: dt.time | None = None
    author: Author = "patient"
    pain: list[PainRating] = Field(default_factory=list)
    numbness: list[NumbArea] = Field(default_factory=list)
    function: FunctionScores = FunctionScores()
    falls: Annotated[int, Strict(), Field(ge=0, le=1000)] = 0
    bladder_change: Flag = False
    bowel_change: Flag = False
    saddle_numbness: Flag = False
    sudden_weakness: Flag = False
    sudden_weakness_side: Side | None = None
    medication_changes: list[MedicationChange] = Field(default_factory=list)
    events: list[DiaryEvent] = Field(default_factory=list)
    strength: list[StrengthGrade] = Field(default_factory=list)
    notes: Text = ""

    @field_validator("date")
    @classmethod
    def _date_in_range(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        if not (info.context or {}).get("stored") and not in_date_range(value):
            raise ValueError(
                f"give a date between {EARLIEST_DATE.isoformat()} and tomorrow ({latest_date().isoformat()})"
            )
        return value

    @field_validator("time")
    @classmethod
    def _naive_time(cls, value: dt.time | None) -> dt.time | None:
        if value is not None and value.tzinfo is not None:
            raise ValueError("give the local time without a time zone")
        return value

    @field_validator("pain")
    @classmethod
    def _pain_order(cls, value: list[PainRating]) -> list[PainRating]:
        _unique(value, lambda p: (p.region, p.side), "pain in")
        return sorted(value, key=lambda p: (_REGION_ORDER[p.region], _SIDE_ORDER[p.side]))

    @field_validator("numbness")
    @classmethod
    def _numb_order(cls, value: list[NumbArea]) -> list[NumbArea]:
        _unique(value, lambda p: (p.region, p.side), "numbness in")
        return sorted(value, key=lambda p: (_REGION_ORDER[p.region], _SIDE_ORDER[p.side]))

    @field_validator("strength")
    @classmethod
    def _strength_order(cls, value: list[StrengthGrade]) -> list[StrengthGrade]:
        _unique(value, lambda g: (g.movement, g.side), "strength of")
        return sorted(value, key=lambda g: (_MOVEMENT_ORDER[g.movement], _SIDE_ORDER[g.side]))

    _text = field_validator("notes")(_clean_text)

    @model_validator(mode="after")
    def _consistent(self) -> DiaryEntry:
        if self.strength and self.author != "clinician":
            raise ValueError("strength grades (MRC) are recorded by a clinician: set author to 'clinician'")
        if self.sudden_weakness_side is not None and not self.sudden_weakness:
            raise ValueError("sudden_weakness_side is given but sudden_weakness is not set")
        return self

    @property
    def moment(self) -> dt.datetime:
        """Date and time for ordering and plotting (midday when no time was recorded)."""
        return dt.datetime.combine(self.date, self.time or dt.time(12, 0))

    @property
    def worst_pain(self) -> float | None:
        """The highest pain score of the entry (None when no pain was rated)."""
        return max((p.score for p in self.pain), default=None)

    @property
    def function_score(self) -> float | None:
        """Mean of the function scores recorded (None when none were)."""
        values = list(self.function.recorded().values())
        return sum(values) / len(values) if values else None

    @property
    def red_flags(self) -> list[str]:
        """Ids of the red-flag questions answered yes."""
        return [f for f in ("bladder_change", "bowel_change", "saddle_numbness", "sudden_weakness") if getattr(self, f)]


class Diary(_Model):
    format: DiaryFormat = DIARY_FORMAT
    entries: list[DiaryEntry] = Field(default_factory=list)

    def in_range(self) -> Diary:
        """The entries dated 1900 to tomorrow (older stored entries may lie outside)."""
        return Diary(entries=[e for e in self.entries if in_date_range(e.date)])

    def sorted_entries(self) -> list[DiaryEntry]:
        """Entries in time order (entries at the same moment keep their recorded order)."""
        return sorted(self.entries, key=lambda e: e.moment)

"""The recovery diary: entries, red-flag checks, weekly averages, trend words, export and plots.

Pure data and logic (plots return bytes); storage belongs to the caller.
"""

from plexnav.diary.analysis import WeekSummary, trend_sentence, trend_sentences, weekly_summaries
from plexnav.diary.exchange import DiaryFormatError, from_csv, from_json, read_diary, to_csv, to_json
from plexnav.diary.models import (
    DIARY_FORMAT,
    Diary,
    DiaryEntry,
    DiaryEvent,
    FunctionScores,
    MedicationChange,
    NumbArea,
    PainRating,
    StrengthGrade,
)
from plexnav.diary.redflags import check_entry, diary_alerts, entry_case, fired_rules

__all__ = [
    "DIARY_FORMAT",
    "Diary",
    "DiaryEntry",
    "DiaryEvent",
    "DiaryFormatError",
    "FunctionScores",
    "MedicationChange",
    "NumbArea",
    "PainRating",
    "StrengthGrade",
    "WeekSummary",
    "check_entry",
    "diary_alerts",
    "entry_case",
    "fired_rules",
    "from_csv",
    "from_json",
    "read_diary",
    "to_csv",
    "to_json",
    "trend_sentence",
    "trend_sentences",
    "weekly_summaries",
]

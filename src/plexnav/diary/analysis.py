"""Weekly averages and a plain-language trend for the recovery diary.

Weeks are counted from the first entry: week 1 is the first entry's date and the six days
after it, week 2 the next seven days, and so on (the person's own timeline, not the
calendar).  Only weeks with entries are reported.

* Pain per entry is its **worst** rating (the highest score over the regions rated); a
  week's pain is the mean of those.
* Function is averaged per activity; a week's function score is the mean of the
  activities recorded that week.  Trends compare only the activities recorded in both
  weeks compared, so adding a new activity does not fake a change.
* The trend compares the first week with data and the latest one, and says it in words
  ("your pain has fallen by about a third over 6 weeks (from 7.5 to 5 out of 10)").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from plexnav.diary.models import FUNCTION_DOMAINS, FUNCTION_WORDS, Diary, DiaryEntry

FRACTIONS = ((0.25, "a quarter"), (1 / 3, "a third"), (0.5, "half"), (2 / 3, "two thirds"), (0.75, "three quarters"))
SAME_PAIN_POINTS = 0.5  # changes smaller than this (or than 10%) are "about the same"
SAME_FUNCTION_POINTS = 0.5


@dataclass(frozen=True)
class WeekSummary:
    week: int  # 1 = the week of the first entry
    start: dt.date
    end: dt.date
    entries: int
    pain: float | None  # mean of each entry's worst pain
    pain_by_region: dict[str, float] = field(default_factory=dict)  # "region:side" -> mean
    function: float | None = None  # mean of the activity averages below
    function_by_domain: dict[str, float] = field(default_factory=dict)
    falls: int = 0

    @property
    def midpoint(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(12)) + dt.timedelta(days=3)


def _mean(values) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def week_index(first: dt.date, day: dt.date) -> int:
    return (day - first).days // 7 + 1


def weekly_summaries(diary: Diary) -> list[WeekSummary]:
    """Averages per week of the diary (weeks with entries only), in order; entries dated
    outside 1900..tomorrow (stored before dates were bounded) are left out."""
    entries = diary.in_range().sorted_entries()
    if not entries:
        return []
    first = entries[0].date
    groups: dict[int, list[DiaryEntry]] = defaultdict(list)
    for e in entries:
        groups[week_index(first, e.date)].append(e)
    out = []
    for week in sorted(groups):
        group = groups[week]
        regions: dict[str, list[float]] = defaultdict(list)
        for e in group:
            for p in e.pain:
                regions[f"{p.region}:{p.side}"].append(p.score)
        means = {
            d: _mean(getattr(e.function, d) for e in group if getattr(e.function, d) is not None)
            for d in FUNCTION_DOMAINS
        }
        domains = {d: v for d, v in means.items() if v is not None}
        start = first + dt.timedelta(days=7 * (week - 1))
        out.append(
            WeekSummary(
                week=week,
                start=start,
                end=start + dt.timedelta(days=6),
                entries=len(group),
                pain=_mean(e.worst_pain for e in group if e.worst_pain is not None),
                pain_by_region={k: sum(v) / len(v) for k, v in regions.items()},
                function=_mean(domains.values()),
                function_by_domain=domains,
                falls=sum(e.falls for e in group),
            )
        )
    return out


def fmt(value: float) -> str:
    """One decimal, without a trailing .0 ('7.5', '5')."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _weeks(n: int) -> str:
    return f"{n} week" if n == 1 else f"{n} weeks"


def _fraction(ratio: float) -> str:
    return min(FRACTIONS, key=lambda f: abs(f[0] - ratio))[1]


def pain_sentence(before: float, after: float, weeks: int) -> str:
    """How pain changed between two weekly averages, in words."""
    span = _weeks(weeks)
    numbers = f"(from {fmt(before)} to {fmt(after)} out of 10)"
    if before == 0 and after == 0:
        return f"You recorded no pain in the first or the latest week ({span} apart)."
    change = after - before
    if abs(change) < SAME_PAIN_POINTS or (before > 0 and abs(change) / before < 0.1):
        return f"Your pain has stayed about the same over {span} (around {fmt(after)} out of 10)."
    if change < 0:
        ratio = -change / before
        if after == 0:
            return f"Your pain has gone over {span} {numbers}."
        if ratio >= 0.85:
            return f"Your pain has almost gone over {span} {numbers}."
        if ratio < 0.2:
            return f"Your pain has fallen a little over {span} {numbers}."
        return f"Your pain has fallen by about {_fraction(ratio)} over {span} {numbers}."
    if before == 0:
        return f"Your pain has risen over {span} {numbers}."
    ratio = change / before
    if ratio < 0.2:
        return f"Your pain has risen a little over {span} {numbers}."
    if ratio < 0.85:
        return f"Your pain has risen by about {_fraction(ratio)} over {span} {numbers}."
    if ratio < 1.5:
        return f"Your pain has about doubled over {span} {numbers}."
    return f"Your pain has more than doubled over {span} {numbers}."


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def function_sentence(before: dict[str, float], after: dict[str, float], weeks: int) -> str | None:
    """Change of the everyday-function score over the activities recorded in both weeks."""
    shared = [d for d in FUNCTION_DOMAINS if d in before and d in after]
    if not shared:
        return None
    a = sum(before[d] for d in shared) / len(shared)
    b = sum(after[d] for d in shared) / len(shared)
    what = f"Your everyday function score ({_join([FUNCTION_WORDS[d] for d in shared])}; 10 is as easy as before)"
    span = _weeks(weeks)
    if abs(b - a) < SAME_FUNCTION_POINTS:
        return f"{what} has stayed about the same over {span} (around {fmt(b)} out of 10)."
    verb = "has improved" if b > a else "has got worse"
    return f"{what} {verb} over {span} (from {fmt(a)} to {fmt(b)} out of 10)."


def strength_sentences(diary: Diary) -> list[str]:
    """First and latest clinician grade of each movement and side graded more than once."""
    from plexnav.knowledge.base import load_knowledge

    kb = load_knowledge()
    grades: dict[tuple[str, str], list[tuple[dt.date, float]]] = defaultdict(list)
    for e in diary.sorted_entries():
        for g in e.strength:
            grades[(g.movement, g.side)].append((e.date, g.mrc))
    out = []
    for (movement, side), series in grades.items():
        if len(series) < 2:
            continue
        (d0, g0), (d1, g1) = series[0], series[-1]
        where = f"{'both sides' if side == 'bilateral' else side} {kb.movements[movement].name}"
        if g1 == g0:
            change = f"stayed at MRC {fmt(g0)}"
        else:
            change = f"went from MRC {fmt(g0)} to {fmt(g1)} ({'stronger' if g1 > g0 else 'weaker'})"
        out.append(f"Strength of {where} {change} between {nice_date(d0)} and {nice_date(d1)}.")
    return out


def trend_sentences(diary: Diary, include_strength: bool = True) -> list[str]:
    """The trend in plain sentences: pain, everyday function, falls, and strength grades."""
    diary = diary.in_range()
    weeks = weekly_summaries(diary)
    if not weeks:
        return ["No diary entries yet."]
    out = []
    pain_weeks = [(w.week, w.pain) for w in weeks if w.pain is not None]
    if len(pain_weeks) >= 2:
        (first_week, first_pain), (last_week, last_pain) = pain_weeks[0], pain_weeks[-1]
        out.append(pain_sentence(first_pain, last_pain, last_week - first_week))
    func_weeks = [w for w in weeks if w.function_by_domain]
    if len(func_weeks) >= 2:
        sentence = function_sentence(
            func_weeks[0].function_by_domain,
            func_weeks[-1].function_by_domain,
            func_weeks[-1].week - func_weeks[0].week,
        )
        if sentence:
            out.append(sentence)
    if not out:
        out.append("A trend needs entries from at least two different weeks: keep recording.")
    falls = [(e.date, e.falls) for e in diary.sorted_entries() if e.falls]
    if falls:
        total = sum(n for _, n in falls)
        out.append(f"You recorded {total} fall{'s' if total != 1 else ''}, the latest on {nice_date(falls[-1][0])}.")
    if include_strength:
        out += strength_sentences(diary)
    return out


def trend_sentence(diary: Diary) -> str:
    """The trend as one short paragraph."""
    return " ".join(trend_sentences(diary))

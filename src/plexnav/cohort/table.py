"""The long cohort table: one row per case entry, ``case_id, section, id, side, value, detail``.

Why long: an EMG archive or an audit export is a list of findings, not nested JSON, and a
columnar file of them is what Dask and Parquet read fast.  Every row is one entry of the
case format (case-format.md section 1): ``section`` names the list, ``id`` the entry's
identifying field, ``value`` its main value; the other fields of the entry go in
``detail`` as ``name=value`` pairs separated by ``;`` (lists joined with ``|``), e.g.
``quality=burning;severity=8;provoked_by=walking|standing``.  Patient and history are rows
too (``patient``: ``age``, ``sex``; ``history``: ``onset``, ``course``, ``duration_days``,
one ``factor`` row per factor), so one table holds whole cases.

=================  ===========  ==========  ============================================
section            id           value       detail
=================  ===========  ==========  ============================================
patient            age | sex    the value
history            onset, course, duration_days, factor
symptom            kind         region      quality, severity, activity, onset_sudden_severe,
                                            provoked_by, relieved_by
strength           movement     MRC grade   limited_by
reflex             reflex       grade
sensation          region       finding
sign               sign         result      region
nerve_conduction   study        result
needle_emg         muscle       result
investigation      test         finding or number   level, position, site
=================  ===========  ==========  ============================================
"""

from __future__ import annotations

from collections.abc import Iterable

COLUMNS = ("case_id", "section", "id", "side", "value", "detail")
REQUIRED = COLUMNS[:5]

# section -> (path of its list in the case, identifying field, value field)
ENTRIES = {
    "symptom": (("symptoms",), "kind", "region"),
    "strength": (("exam", "strength"), "movement", "mrc"),
    "reflex": (("exam", "reflexes"), "reflex", "grade"),
    "sensation": (("exam", "sensation"), "region", "finding"),
    "sign": (("exam", "signs"), "sign", "result"),
    "nerve_conduction": (("electrodiagnosis", "nerve_conduction"), "study", "result"),
    "needle_emg": (("electrodiagnosis", "needle_emg"), "muscle", "result"),
    "investigation": (("investigations",), "test", "finding"),
}
CASE_SECTIONS = ("patient", "history")
NUMBERS = {"mrc", "severity", "age", "duration_days"}
LISTS = {"provoked_by", "relieved_by"}
BOOLEANS = {"onset_sudden_severe"}


class TableError(ValueError):
    """A row that cannot be read; the message names the case, the section and the field."""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def case_rows(case: dict) -> list[dict]:
    """A case (JSON object) as long-table rows (the inverse of :func:`case_from_rows`)."""
    case_id = case.get("id")
    rows = []

    def add(section, ident, side, value, detail=""):
        rows.append(
            {
                "case_id": case_id,
                "section": section,
                "id": ident,
                "side": side or "",
                "value": _text(value),
                "detail": detail,
            }
        )

    for name in ("age", "sex"):
        if case.get("patient", {}).get(name) is not None:
            add("patient", name, "", case["patient"][name])
    history = case.get("history", {})
    for name in ("onset", "course", "duration_days"):
        if history.get(name) is not None:
            add("history", name, "", history[name])
    for factor in history.get("factors", ()):
        add("history", "factor", "", factor)
    for section, (path, ident, main) in ENTRIES.items():
        items = case
        for part in path:
            items = items.get(part, {}) if isinstance(items, dict) else {}
        for entry in items or ():
            rest = {k: v for k, v in entry.items() if k not in (ident, main, "side")}
            value = entry.get(main)
            if section == "investigation" and value is None and entry.get("value") is not None:
                value = entry["value"]
                rest.pop("value")
            detail = ";".join(
                f"{k}={'|'.join(v) if isinstance(v, list) else _text(v)}" for k, v in sorted(rest.items())
            )
            add(section, entry[ident], entry.get("side"), value, detail)
    return rows


def _typed(name: str, text: str):
    if name in NUMBERS:
        try:
            number = float(text)
        except ValueError:
            raise TableError(f"{name} {text!r} is not a number") from None
        return int(number) if name in ("age", "duration_days") and number.is_integer() else number
    if name in LISTS:
        return [part for part in text.split("|") if part]
    if name in BOOLEANS:
        if text not in ("true", "false"):
            raise TableError(f"{name} must be true or false, not {text!r}")
        return text == "true"
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def entry_from_row(section: str, ident: str, side: str, value: str, detail: str) -> dict:
    """One case entry (JSON object) from a row of an entry section."""
    try:
        path, id_field, main = ENTRIES[section]
    except KeyError:
        raise TableError(f"section {section!r} is not one of: {', '.join((*CASE_SECTIONS, *ENTRIES))}") from None
    entry: dict = {id_field: ident}
    if side:
        entry["side"] = side
    if value != "":
        if section == "investigation" and _is_number(value):
            entry["value"] = float(value)
        else:
            entry[main] = _typed(main, value)
    for part in filter(None, (detail or "").split(";")):
        name, sep, text = part.partition("=")
        if not sep:
            raise TableError(f"detail {part!r} is not name=value")
        entry[name.strip()] = _typed(name.strip(), text.strip())
    return entry


def place(case: dict, section: str, entry: dict) -> None:
    """Put an entry where the case format keeps it."""
    path = ENTRIES[section][0]
    node = case
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node.setdefault(path[-1], []).append(entry)


def history_from_rows(rows: Iterable[tuple[str, str, str]]) -> tuple[dict, dict]:
    """(patient, history) objects from ``(section, id, value)`` rows of those sections."""
    patient: dict = {}
    history: dict = {}
    for section, ident, value in rows:
        if section == "patient":
            if ident not in ("age", "sex"):
                raise TableError(f"patient {ident!r}: expected age or sex")
            patient[ident] = _typed(ident, value)
        elif ident == "factor":
            history.setdefault("factors", []).append(value)
        elif ident in ("onset", "course", "duration_days"):
            history[ident] = _typed(ident, value)
        else:
            raise TableError(f"history {ident!r}: expected onset, course, duration_days or factor")
    if "factors" in history:
        history["factors"] = list(dict.fromkeys(history["factors"]))
    return patient, history


def case_from_rows(case_id: str, rows: Iterable[dict]) -> dict:
    """A case (JSON object, not yet validated) from its rows."""
    rows = list(rows)
    patient, history = history_from_rows(
        (r["section"], r["id"], r["value"]) for r in rows if r["section"] in CASE_SECTIONS
    )
    case: dict = {"format": "plexnav-case/1", "id": case_id}
    if patient:
        case["patient"] = patient
    if history:
        case["history"] = history
    for r in rows:
        if r["section"] not in CASE_SECTIONS:
            place(
                case,
                r["section"],
                entry_from_row(r["section"], r["id"], r.get("side") or "", r["value"], r.get("detail") or ""),
            )
    return case

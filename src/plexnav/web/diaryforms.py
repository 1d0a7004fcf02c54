"""The diary entry form: submitted fields -> a :class:`plexnav.diary.models.DiaryEntry`.

Field names:
  date, time, pain.N.where ("region:side" or a midline region), pain.N.score (0-10),
  numb.N ("region:side"), fn.walking / fn.stairs / fn.rising_from_chair / fn.sleep (0-10),
  falls, flag (multi: bladder_change, bowel_change, saddle_numbness, sudden_weakness),
  sudden_weakness_side, med.name, med.change, med.note, event.kind, event.description,
  notes; clinicians also mrc.N.movement, mrc.N.side, mrc.N.grade.

The author is the signed-in person's role, never a form field.  Validation is the diary
model's own; its errors come back located on the form's fields.
"""

from __future__ import annotations

from pydantic import ValidationError

from plexnav import vocabulary as V
from plexnav.diary.models import FUNCTION_DOMAINS, DiaryEntry
from plexnav.validation import CaseError, convert_error
from plexnav.web import forms, labels

PAIN_ROWS = 3
NUMB_ROWS = 2
MRC_ROWS = 3
FLAGS = ("bladder_change", "bowel_change", "saddle_numbness", "sudden_weakness")
FLAG_WORDS = {
    "bladder_change": "A new change in bladder control (leaking, or cannot pass urine)",
    "bowel_change": "A new change in bowel control",
    "saddle_numbness": "Numbness between the legs or around the back passage (saddle area)",
    "sudden_weakness": "Weakness in a leg that came on suddenly and badly",
}
SIDE_WORDS = {"left": "left", "right": "right", "bilateral": "both sides"}


def where_choices() -> list[tuple[str, str]]:
    """(value, words) of every region and side a pain or numbness row may name."""
    out: list[tuple[str, str]] = []
    for region in V.SKIN_REGIONS:
        name = labels.PLAIN_REGIONS[region]
        if region in V.MIDLINE_REGIONS:
            out.append((region, labels.upper_first(name)))
        else:
            out += [(f"{region}:{side}", f"{labels.upper_first(name)} ({SIDE_WORDS[side]})") for side in V.SIDES]
    return out


def where_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The same choices grouped by region (an <optgroup> each: left, right, both sides), so a
    phone shows about twenty short groups instead of sixty flat options."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for value, words in where_choices():
        region = value.partition(":")[0]
        groups.setdefault(labels.upper_first(labels.PLAIN_REGIONS[region]), []).append((value, words))
    return list(groups.items())


def _where(value: str) -> dict:
    region, _, side = value.partition(":")
    return {"region": region, "side": side} if side else {"region": region}


def form_to_entry(form: forms.FormData, author: str) -> tuple[DiaryEntry | None, list[CaseError]]:
    errors: list[CaseError] = []
    doc: dict = {"date": form.get("date") or None, "author": author}
    if form.get("time"):
        doc["time"] = form.get("time")
    pain = []
    for i in range(PAIN_ROWS):
        where, score = form.get(f"pain.{i}.where"), form.get(f"pain.{i}.score")
        if where and score:
            value = forms._number(score, f"pain.{i}.score", errors)
            if value is not None:
                pain.append({**_where(where), "score": value})
        elif where or score:
            errors.append(CaseError(f"pain.{i}", "give both where it hurts and how much (0-10)"))
    doc["pain"] = pain
    doc["numbness"] = [_where(form.get(f"numb.{i}")) for i in range(NUMB_ROWS) if form.get(f"numb.{i}")]
    function = {d: forms._number(form.get(f"fn.{d}"), f"fn.{d}", errors) for d in FUNCTION_DOMAINS}
    doc["function"] = {k: v for k, v in function.items() if v is not None}
    falls = forms._number(form.get("falls"), "falls", errors, kind=int)
    doc["falls"] = falls or 0
    flags = set(form.getlist("flag"))
    doc.update({f: f in flags for f in FLAGS})
    if "sudden_weakness" in flags and form.get("sudden_weakness_side"):
        doc["sudden_weakness_side"] = form.get("sudden_weakness_side")
    if form.get("med.name"):
        doc["medication_changes"] = [
            {
                "medication": form.get("med.name"),
                "change": form.get("med.change") or "other",
                "note": form.get("med.note"),
            }
        ]
    if form.get("event.kind"):
        doc["events"] = [{"kind": form.get("event.kind"), "description": form.get("event.description")}]
    strength = []
    for i in range(MRC_ROWS):
        movement, grade = form.get(f"mrc.{i}.movement"), form.get(f"mrc.{i}.grade")
        if movement and grade:
            try:
                mrc = forms.parse_mrc(grade)
            except ValueError:
                mrc = None
            if mrc is None:  # a grade of blanks (parse_mrc's None) is no grade either: never float(None)
                errors.append(CaseError(f"mrc.{i}.grade", f"{grade!r} is not an MRC grade (0-5, 4+ or 4-)"))
                continue
            strength.append({"movement": movement, "side": form.get(f"mrc.{i}.side") or "right", "mrc": float(mrc)})
    doc["strength"] = strength
    doc["notes"] = form.get("notes").replace("\r\n", "\n")
    if errors:
        return None, errors
    try:
        return DiaryEntry.model_validate(doc), []
    except ValidationError as exc:
        return None, [convert_error(e, DiaryEntry) for e in exc.errors()]

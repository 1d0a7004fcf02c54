"""Keyboard answers of guided examination, and how each one is written into a case.

Why here: the web page, the terminal loop, the API and the benchmark all ask the same
questions and must record an answer the same way (one key -> one case entry of the
exchange format), and undo must remove exactly what was added.  Pure: dicts in, dicts out.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from plexnav import vocabulary as V

CaseEntry = dict[str, str | int | None]  # one entry of a case list (a strength finding, a reflex...)

SKIP, UNDO = "s", "u"
ANSWERS: dict[str, tuple[tuple[str, str, str], ...]] = {
    # kind: (key pressed, words shown, value written into the case)
    "strength": tuple((str(g), f"MRC {g}", str(g)) for g in range(6)),
    "reflex": (
        ("n", "normal", "normal"),
        ("r", "reduced", "reduced"),
        ("a", "absent", "absent"),
        ("b", "brisk", "brisk"),
    ),
    "plantar": (("f", "flexor", "flexor"), ("e", "extensor", "extensor")),
    "sensation": (
        ("n", "normal", "normal"),
        ("r", "reduced", "reduced"),
        ("a", "absent", "absent"),
        ("i", "increased", "increased"),
    ),
    "sign": (("p", "positive", "positive"), ("n", "negative", "negative")),
    "ncs": (
        ("n", "normal", "normal"),
        ("r", "reduced amplitude", "reduced"),
        ("a", "absent", "absent"),
        ("l", "slowed", "slowed"),
        ("c", "conduction block", "conduction_block_other"),
    ),
    "needle_emg": (
        ("n", "normal", "normal"),
        ("a", "active denervation", "active_denervation"),
        ("c", "chronic neurogenic", "chronic_neurogenic"),
        ("b", "both", "both"),
    ),
}
FIBULAR_HEAD_STUDIES = ("peroneal_motor_edb", "peroneal_motor_ta")


class AnswerError(ValueError):
    """An answer that does not fit the question; ``field`` names what was wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def split_key(key: str) -> tuple[str, str, str | None]:
    """'needle_emg:tibialis_posterior:right' -> ('needle_emg', 'tibialis_posterior', 'right')."""
    parts = key.split(":")
    side = parts[-1] if parts[-1] in V.LATERAL_SIDES else None
    ident = parts[1] if len(parts) > 1 else ""
    return parts[0], ident, side


def answer_kind(key: str) -> str:
    prefix, ident, _ = split_key(key)
    if prefix == "reflex" and ident == "plantar":
        return "plantar"
    if prefix not in ANSWERS:
        raise AnswerError("finding", f"{key!r} is not a finding guided examination asks")
    return prefix


def choices(key: str) -> tuple[tuple[str, str], ...]:
    """(key pressed, words) for a question; a peroneal motor study's block is at the fibular head."""
    prefix, ident, _ = split_key(key)
    out = []
    for pressed, words, _value in ANSWERS[answer_kind(key)]:
        if prefix == "ncs" and pressed == "c":
            if "_motor_" not in ident:
                continue  # conduction block is a finding of motor studies
            if ident in FIBULAR_HEAD_STUDIES:
                words = "conduction block at the fibular head"
        out.append((pressed, words))
    return tuple(out)


def _value(key: str, answer: str) -> str:
    prefix, ident, _ = split_key(key)
    allowed = {pressed for pressed, _ in choices(key)}
    for pressed, _words, value in ANSWERS[answer_kind(key)]:
        if pressed == answer and pressed in allowed:
            if prefix == "ncs" and pressed == "c" and ident in FIBULAR_HEAD_STUDIES:
                return "conduction_block_fibular_head"
            return value
    keys = ", ".join(p for p, _ in choices(key))
    raise AnswerError("answer", f"{answer!r} does not answer {key}; press one of {keys} (s skips, u undoes)")


def entry_for(key: str, answer: str) -> tuple[str, str, CaseEntry]:
    """(case section, list name, entry) that records ``answer`` to the question ``key``."""
    prefix, ident, side = split_key(key)
    value = _value(key, answer)
    sided = {"side": side} if side else {}
    if prefix == "strength":
        return "exam", "strength", {"movement": ident, **sided, "mrc": int(value)}
    if prefix == "reflex":
        return "exam", "reflexes", {"reflex": ident, **sided, "grade": value}
    if prefix == "sensation":
        return "exam", "sensation", {"region": ident, **sided, "finding": value}
    if prefix == "sign":
        return "exam", "signs", {"sign": ident, **sided, "result": value}
    if prefix == "ncs":
        return "electrodiagnosis", "nerve_conduction", {"study": ident, **sided, "result": value}
    return "electrodiagnosis", "needle_emg", {"muscle": ident, **sided, "result": value}


def add_answer(document: dict[str, Any], key: str, answer: str) -> dict[str, Any]:
    """A copy of the case document with the answer recorded."""
    section, name, entry = entry_for(key, answer)
    out = copy.deepcopy(document)
    out.setdefault(section, {}).setdefault(name, []).append(entry)
    return out


def _matches(entry: Mapping[str, object], probe: Mapping[str, object]) -> bool:
    return all(entry.get(k) == v for k, v in probe.items() if k not in ("mrc", "grade", "finding", "result"))


def remove_answer(document: dict[str, Any], key: str) -> dict[str, Any]:
    """A copy of the document without the last entry recorded for ``key`` (undo)."""
    section, name, probe = entry_for(key, choices(key)[0][0])
    probe = {k: v for k, v in probe.items()}
    if "side" not in probe:
        probe["side"] = None
    out = copy.deepcopy(document)
    entries = out.get(section, {}).get(name, [])
    for i in range(len(entries) - 1, -1, -1):
        if _matches({"side": None, **entries[i]}, probe):
            del entries[i]
            break
    return out

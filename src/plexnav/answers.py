"""Answers as bytes, shared by ``plexnav batch`` and the API: one serialisation (orjson, the
same JSON content as ``Assessment.to_json``), a memo key that is the case's finding set
(its content without its id), and the id spliced into a stored answer.

Why the id is left out of the key: an assessment depends on the findings, not on what the
case is called, so the same findings under a new id are a memo hit.  The stored answer is
made for ``case_id: null`` and the id is written into it on the way out.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

import orjson

from plexnav.case import Assessment
from plexnav.engine.compact import FIELDS, SHOWN, CompactAnswer

_NULL_ID = b'"case_id":null'


class FieldsError(ValueError):
    """An unknown name in a ``fields`` list; the message names it and the valid ones."""

    def __init__(self, message: str, unknown: list[str]):
        super().__init__(message)
        self.unknown = unknown


def parse_fields(text: str | None) -> frozenset[str] | None:
    """``site,triage,causes`` -> the set asked for; None or empty means the full assessment."""
    if text is None or not text.strip():
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in FIELDS]
    if unknown:
        raise FieldsError(f"fields: unknown {', '.join(map(repr, unknown))}; choose from: {', '.join(FIELDS)}", unknown)
    return frozenset(names)


def finding_key(data: dict, fields: Iterable[str] | None = None) -> bytes | None:
    """The memo key of a raw case: its JSON without ``id`` (keys sorted), and the fields
    asked for.  None when the content cannot be keyed (orjson refuses, e.g. huge integers)."""
    try:
        body = orjson.dumps({k: v for k, v in data.items() if k != "id"}, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return None
    return body + b"|" + ",".join(sorted(fields or ())).encode()


def assessment_bytes(result: Assessment) -> bytes:
    """The full assessment as ``Assessment.to_json`` writes it (no empty optional fields,
    ``case_id`` always present, second), compact and UTF-8."""
    data = result.model_dump(mode="json", exclude_none=True)
    return orjson.dumps({"format": data.pop("format"), "case_id": result.case_id, **data})


def compact_bytes(
    answer: CompactAnswer,
    case_id: str | None,
    knowledge_version: str,
    fields: frozenset[str],
    shown: int = SHOWN,
) -> bytes:
    """Only what was asked: the leading ``shown`` sites with probabilities, the triage level
    and reasons, the leading causes with probabilities."""
    out: dict = {"case_id": case_id, "knowledge_version": knowledge_version}
    if "site" in fields:
        out["site"] = [
            {"site": e.site, "side": e.side, "probability": e.probability, **({"levels": e.levels} if e.levels else {})}
            for e in answer.sites[:shown]
        ]
    if "triage" in fields and answer.triage is not None:
        out["triage"] = {"level": answer.triage.level, "reasons": answer.triage.reasons}
    if "causes" in fields:
        out["causes"] = [{"cause": c.cause, "probability": c.probability} for c in answer.causes[:shown]]
    return orjson.dumps(out)


def splice_case_id(template: bytes, case_id: str | None) -> bytes:
    """A stored answer (made for ``case_id: null``) with this case's id written in.  The
    first ``"case_id":null`` is the top-level one: only ``format`` comes before it."""
    if case_id is None:
        return template
    at = template.index(_NULL_ID) + len(_NULL_ID) - 4
    return template[:at] + orjson.dumps(case_id) + template[at + 4 :]


class AnswerMemo:
    """A bounded least-recently-used map from finding key to stored answer (not thread-safe:
    each batch worker has its own; the API wraps it in a lock)."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._items: OrderedDict[bytes, bytes] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key: bytes | None) -> bytes | None:
        if key is None or self.size <= 0:
            return None
        found = self._items.get(key)
        if found is None:
            self.misses += 1
        else:
            self._items.move_to_end(key)
            self.hits += 1
        return found

    def put(self, key: bytes | None, answer: bytes) -> None:
        if key is None or self.size <= 0:
            return
        self._items[key] = answer
        while len(self._items) > self.size:
            self._items.popitem(last=False)

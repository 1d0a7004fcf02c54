"""Reading one valid case line fast: the same case ``validation.validate_case(
validation.load_json(text))`` gives, in less time, or None when the ordinary path must
decide (and then give its errors).

Why: ``plexnav batch`` reads thousands of lines a second and nearly all of them are valid
cases, so the common path skips work that only matters for a line with a problem:

* JSON: orjson.  It refuses what the standard parser refuses, and more (NaN, Infinity,
  1e400, a lone surrogate escape): those lines go the ordinary way.  It reads every other
  text to the same value, but for one: an integer beyond 64 bits becomes a float (the
  standard parser keeps an int).  No integer field accepts a float (the case models are
  strict), and a float field holds ``float(n)`` of an int ``n``, the same correctly rounded
  number orjson reads, so the validated case is the same.
* The case: pydantic's validation of the decoded object itself (a line without evaluation
  keys is its own case body, so no copy), and the contradiction check only when an item is
  recorded twice for the same side: ``validation.contradictions`` compares an item only
  with an earlier one of the same key and side, so otherwise it finds nothing.

tests/test_compact_fast.py holds both to the ordinary path (values, cases and errors).
"""

from __future__ import annotations

from operator import attrgetter

import orjson
from pydantic import ValidationError

from plexnav import vocabulary as V
from plexnav.case import Case
from plexnav.validation import CONTRADICTION_RULES, finding_sides

_EVALUATION = frozenset(V.EVALUATION_KEYS)
# per contradiction rule: the section of the case, and an item's key (its side apart)
_SECTIONS = tuple((attrgetter(path), attrgetter(*keys)) for path, keys, _, _ in CONTRADICTION_RULES)


def read_valid_case(text: str | bytes) -> tuple[dict[str, object], Case] | None:
    """(the decoded object, its case) for a line the fast path vouches for; None: read it
    with ``validation.load_json`` and ``validate_case``, which accept it or say why not."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict or not _EVALUATION.isdisjoint(data):
        return None
    try:
        case = Case.model_validate(data)
    except ValidationError:
        return None
    if may_contradict(case):
        return None
    return data, case


def may_contradict(case: Case) -> bool:
    """Whether any section records one item twice for the same side (the only way
    ``validation.contradictions`` finds anything)."""
    for section_of, key_of in _SECTIONS:
        items = section_of(case)
        if len(items) < 2:
            continue
        seen: set[tuple[object, object]] = set()
        for item in items:
            key = key_of(item)
            for side in finding_sides(getattr(item, "side", None)):
                if (key, side) in seen:
                    return True
                seen.add((key, side))
    return False

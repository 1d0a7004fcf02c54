"""Work derived from immutable knowledge or model objects, done once per object.

Why: conditions, cause tables and explanation words depend only on data that never
changes after loading, so each is built once and reused.  The memo is keyed by the
object's identity and keeps the object itself, so an id is never reused for a different
object; a hit returns exactly what a fresh build would.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


def once_per_object(
    store: dict[Hashable, tuple[Any, Any]], obj: object, build: Callable[[], T], extra: Hashable = None
) -> T:
    """``build()`` for ``obj`` (and ``extra``), the first time; the stored result afterwards."""
    key = (id(obj), extra)
    entry = store.get(key)
    if entry is None or entry[0] is not obj:
        entry = (obj, build())
        store[key] = entry
    return entry[1]

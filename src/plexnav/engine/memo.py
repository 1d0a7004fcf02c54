"""Work derived from immutable knowledge or model objects, done once per object.

Why: conditions, cause tables and explanation words depend only on data that never
changes after loading, so each is built once and reused.  The memo is keyed by the
object's identity and keeps the object itself, so an id is never reused for a different
object; a hit returns exactly what a fresh build would.

Each store has a name (:func:`memo_store`), so that the work done for a loaded model can be
kept with it: :func:`memo_entries` lists what the stores hold for some objects, and
:func:`restore_memo_entries` puts such a list back after those objects were loaded again
(``plexnav.modelcache`` keeps them in the engine snapshot, so a fresh command does not
build its cause table or its explanation tables again).  Nothing here reads or writes a file.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
Store = dict[tuple[int, Hashable], tuple[Any, Any]]

_STORES: dict[str, Store] = {}


def memo_store(name: str) -> Store:
    """A new, empty store under a name unique to it ('module.purpose')."""
    if name in _STORES:
        raise ValueError(f"memo store {name!r} declared twice")
    store: Store = {}
    _STORES[name] = store
    return store


def once_per_object(store: Store, obj: object, build: Callable[[], T], extra: Hashable = None) -> T:
    """``build()`` for ``obj`` (and ``extra``), the first time; the stored result afterwards."""
    key = (id(obj), extra)
    entry = store.get(key)
    if entry is None or entry[0] is not obj:
        entry = (obj, build())
        store[key] = entry
    return entry[1]


def memo_entries(keep: Callable[[object, object], bool]) -> list[tuple[str, object, Hashable, object]]:
    """(store name, object, extra, result) for every entry whose object and result ``keep``
    accepts, in a stable order."""
    return [
        (name, obj, key[1], result)
        for name, store in sorted(_STORES.items())
        for key, (obj, result) in store.items()
        if keep(obj, result)
    ]


def restore_memo_entries(entries: Iterable[tuple[str, object, Hashable, object]]) -> None:
    """Put entries back, keyed by their objects as they are now; an unknown store is skipped
    (the entries came from other code)."""
    for name, obj, extra, result in entries:
        store = _STORES.get(name)
        if store is not None:
            store[(id(obj), extra)] = (obj, result)

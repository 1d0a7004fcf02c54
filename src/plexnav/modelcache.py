"""Keep the engine's precomputed tables on disk between runs of the command line and server.

Building the likelihood tables takes most of a second; they depend only on the knowledge
base and the engine code, so a copy is stored in the user's cache folder under their
fingerprint.  This is the only I/O around the engine, and it is optional: any problem
(read-only disk, damaged file) falls back to building the tables in memory.

Two copies are kept:

- ``model-<fingerprint>.npz``: the expensive tables alone (numpy arrays, no pickle); the
  model is assembled around them from the knowledge base read from YAML.
- ``engine-<key>.pickle``: a snapshot of the whole loaded state (the model with its
  knowledge base, and the guidance knowledge), so a fresh ``plexnav assess`` process skips
  reading and validating the YAML and assembling the model.  Its key hashes the bytes of
  every data file and of the engine and knowledge code it holds objects of, with the
  Python, numpy and pydantic versions, so any change makes a new snapshot.  With them it
  keeps the work a first assessment does (the cause table, the explanation tables and the
  compiled conditions' code, from assessing the bundled examples once), so a fresh command
  starts where a warm one is.  It is read
  only from a file this user owns that nobody else can write (it is a pickle), and
  anything wrong with it falls back to the first copy.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from plexnav.gcpause import gc_paused

if TYPE_CHECKING:
    from plexnav.engine.model import LikelihoodModel
    from plexnav.knowledge.guidance import GuidanceKnowledge

SNAPSHOT_FORMAT = b"plexnav-engine-snapshot 2"
SNAPSHOTS_KEPT = 4  # the most recent snapshots kept (several checkouts or versions may share the folder)
# the code whose objects (or whose results) a snapshot holds: every module of these
# packages, and these single modules
_SNAPSHOT_PACKAGES = ("engine", "knowledge")
_SNAPSHOT_MODULES = ("vocabulary.py", "case.py")
_PACKAGE_DIR = Path(__file__).resolve().parent
_DATA_DIR = _PACKAGE_DIR / "knowledge" / "data"

# the guidance knowledge read with the current load_model()'s snapshot (or loaded to write one)
_PAIRED_GUIDANCE: list[GuidanceKnowledge] = []


def cache_dir() -> Path:
    base = os.environ.get("PLEXNAV_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "plexnav"


@lru_cache(maxsize=1)
def load_model() -> LikelihoodModel:
    """The engine model: from the snapshot when one matches this knowledge and code, else
    from the stored tables (assembled around the YAML knowledge), else built."""
    from plexnav.engine.model import TABLES, LikelihoodModel, build_model, fingerprint
    from plexnav.knowledge.base import load_knowledge
    from plexnav.knowledge.guidance import GuidanceKnowledge

    _PAIRED_GUIDANCE.clear()
    snapshot = _snapshot_path()
    stored = _read_snapshot(snapshot) if snapshot is not None else None
    if stored is not None:
        model, guidance, work = stored
        if isinstance(model, LikelihoodModel) and isinstance(guidance, GuidanceKnowledge):
            _restore_work(work)
            _PAIRED_GUIDANCE.append(guidance)
            return model
    kb = load_knowledge()
    path = cache_dir() / f"model-{fingerprint(kb)}.npz"
    model = None
    try:
        with np.load(path) as tables:
            model = build_model(kb, {name: tables[name] for name in TABLES})
    except (OSError, KeyError, ValueError):
        pass
    if model is None:
        model = build_model(kb)
        _store(path, {name: getattr(model, name) for name in TABLES})
    if snapshot is not None:
        from plexnav.knowledge.guidance import load_guidance_knowledge

        guidance = load_guidance_knowledge()
        _PAIRED_GUIDANCE.append(guidance)
        _write_snapshot(snapshot, (model, guidance, _work_done(model, guidance)))
    return model


def _work_done(model: LikelihoodModel, guidance: GuidanceKnowledge) -> dict[str, Any]:
    """What a first assessment builds and keeps in the engine's memo stores (the cause table,
    the explanation tables, the compiled conditions' code), after assessing the bundled
    examples: kept with the snapshot, so a fresh command does not build it again.  Only
    results that pickle are kept (a generated function is rebuilt from its kept code)."""
    from plexnav.engine.assess import assess
    from plexnav.engine.facts import COMPILED_SOURCES
    from plexnav.engine.memo import memo_entries
    from plexnav.examples import example_names, example_path
    from plexnav.validation import parse_case

    for name in example_names():
        assess(parse_case(example_path(name).read_bytes())[0], model, guidance)
    roots = {id(model), id(guidance), id(model.kb)}

    def keep(obj: object, result: object) -> bool:
        if id(obj) not in roots:
            return False
        try:
            _SnapshotPickler(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL).dump(result)
        except Exception:  # noqa: BLE001 - a function or another unpicklable result: not kept
            return False
        return True

    return {
        "memo": memo_entries(keep),
        "code": {source: marshal.dumps(code) for source, code in COMPILED_SOURCES.items()},
    }


def _restore_work(work: Any) -> None:
    """Put back what :func:`_work_done` kept (nothing, if it is not in the expected shape)."""
    from plexnav.engine.facts import COMPILED_SOURCES
    from plexnav.engine.memo import restore_memo_entries

    if not isinstance(work, dict):
        return
    try:
        restore_memo_entries(work.get("memo", ()))
        for source, data in work.get("code", {}).items():
            COMPILED_SOURCES.setdefault(source, marshal.loads(data))
    except Exception:  # noqa: BLE001 - damaged extras cost only the time to build them again
        return


def load_guidance() -> GuidanceKnowledge:
    """The guidance knowledge to use with :func:`load_model`'s model: the copy read from the
    same snapshot (no YAML), else :func:`~plexnav.knowledge.guidance.load_guidance_knowledge`.
    Either holds the same content."""
    load_model()
    if _PAIRED_GUIDANCE:
        return _PAIRED_GUIDANCE[0]
    from plexnav.knowledge.guidance import load_guidance_knowledge

    return load_guidance_knowledge()


def _store(path: Path, tables: dict[str, np.ndarray]) -> None:
    """Write atomically (temp file + rename) so a crash never leaves a half-written copy."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as tmp:
            arrays: dict[str, Any] = dict(tables)  # (numpy's stub reads any keyword as its allow_pickle flag)
            np.savez(tmp, **arrays)
        os.replace(tmp.name, path)
    except OSError:
        pass


def snapshot_key() -> str:
    """What a snapshot depends on: the data files, the code of the objects it holds, and
    the versions of Python, numpy and pydantic (their pickled forms)."""
    import pydantic

    digest = hashlib.sha256(SNAPSHOT_FORMAT)
    versions = (sys.version, np.__version__, pydantic.VERSION)
    digest.update(repr(versions).encode())
    folders = [(_DATA_DIR, ".yaml"), *((_PACKAGE_DIR / name, ".py") for name in _SNAPSHOT_PACKAGES)]
    paths = [
        folder / name for folder, suffix in folders for name in sorted(os.listdir(folder)) if name.endswith(suffix)
    ]
    for path in [*paths, *(_PACKAGE_DIR / name for name in _SNAPSHOT_MODULES)]:
        digest.update(str(path.relative_to(_PACKAGE_DIR)).encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def _snapshot_path() -> Path | None:
    try:
        return cache_dir() / f"engine-{snapshot_key()}.pickle"
    except OSError:  # the package's own files unreadable: no snapshot
        return None


def _read_snapshot(path: Path) -> tuple[Any, Any, Any] | None:
    """The stored (model, guidance, work done), or None when absent, not ours, writable by others or
    damaged."""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if (hasattr(os, "getuid") and info.st_uid != os.getuid()) or info.st_mode & 0o022:
                return None
            if handle.read(len(SNAPSHOT_FORMAT)) != SNAPSHOT_FORMAT:
                return None
            with gc_paused():  # tens of thousands of new objects, no cycles: 48 -> 36 ms
                stored = pickle.load(handle)
    except Exception:  # noqa: BLE001 - any damage (truncation, stale classes) means: rebuild
        return None
    if not (isinstance(stored, tuple) and len(stored) == 3):
        return None
    return stored[0], stored[1], stored[2]


def _mapping_proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _array(data: bytes, dtype: np.dtype[Any], shape: tuple[int, ...], order: str, writeable: bool) -> np.ndarray:
    """An array with the layout and write flag it was stored with.  A read-only array (all of
    the model's large tables) is a view of the bytes just read, not a copy: copying 19 MB
    into fresh memory was a fifth of the snapshot's load time."""
    arr = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if order == "F" else "C")
    if writeable:
        arr = arr.copy(order="F" if order == "F" else "C")
    return arr


def _reduce_array(arr: np.ndarray) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    if arr.dtype.hasobject:  # never in the model; refused rather than stored another way
        raise pickle.PicklingError("an object array in the engine snapshot")
    order: Literal["C", "F"] = "F" if arr.flags.f_contiguous and not arr.flags.c_contiguous else "C"
    return _array, (arr.tobytes(order=order), arr.dtype, arr.shape, order, bool(arr.flags.writeable))


class _SnapshotPickler(pickle.Pickler):
    # read-only mappings are stored as their dicts; arrays keep their memory layout and
    # their write flag (the model's tables are read-only)
    dispatch_table = {
        MappingProxyType: lambda proxy: (_mapping_proxy, (dict(proxy),)),
        np.ndarray: _reduce_array,
    }


def _write_snapshot(path: Path, state: tuple[Any, Any, Any]) -> None:
    """Write atomically, readable and writable by this user alone; never fail the caller."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".pickle", delete=False) as handle:
            tmp = handle.name
            handle.write(SNAPSHOT_FORMAT)
            _SnapshotPickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
        os.replace(tmp, path)
        tmp = None
        _prune(path.parent)
    except Exception:  # noqa: BLE001 - an unpicklable object or a full disk: go on without a snapshot
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _prune(folder: Path) -> None:
    """Remove all but the SNAPSHOTS_KEPT most recently written snapshots (each is ~13 MB and
    every change of the knowledge or the engine code makes a new one)."""
    found = []
    for path in folder.glob("engine-*.pickle"):
        try:
            found.append((path.stat().st_mtime, path))
        except OSError:
            continue
    for _, path in sorted(found, reverse=True)[SNAPSHOTS_KEPT:]:
        try:
            path.unlink()
        except OSError:
            pass

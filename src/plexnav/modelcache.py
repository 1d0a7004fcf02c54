"""Keep the engine's precomputed tables on disk between runs of the command line and server.

Building the likelihood tables takes most of a second; they depend only on the knowledge
base and the engine code, so a copy is stored in the user's cache folder under their
fingerprint.  This is the only I/O around the engine, and it is optional: any problem
(read-only disk, damaged file) falls back to building the tables in memory.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from plexnav.engine.model import TABLES, LikelihoodModel, build_model, fingerprint
from plexnav.knowledge.base import load_knowledge


def cache_dir() -> Path:
    base = os.environ.get("PLEXNAV_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "plexnav"


@lru_cache(maxsize=1)
def load_model() -> LikelihoodModel:
    """The engine model, from the on-disk copy when it matches this knowledge and code."""
    kb = load_knowledge()
    path = cache_dir() / f"model-{fingerprint(kb)}.npz"
    try:
        with np.load(path) as stored:
            return build_model(kb, {name: stored[name] for name in TABLES})
    except (OSError, KeyError, ValueError):
        pass
    model = build_model(kb)
    _store(path, {name: getattr(model, name) for name in TABLES})
    return model


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

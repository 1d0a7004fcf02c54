"""Read the versioned data files that ship inside the package (no network, no cwd)."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any

# yaml is imported when a file is first parsed: a process that reads the knowledge from the
# engine snapshot (plexnav.modelcache) never parses YAML

DATA_PACKAGE = "plexnav.knowledge"
DATA_DIR = "data"


def data_names() -> list[str]:
    """Names of every YAML data file, sorted (the order the content hash uses)."""
    folder = resources.files(DATA_PACKAGE) / DATA_DIR
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))


def read_bytes(name: str) -> bytes:
    return (resources.files(DATA_PACKAGE) / DATA_DIR / name).read_bytes()


@cache
def read_yaml(name: str) -> Any:
    """Parse one data file; cached because the files are immutable package data.  Uses
    libyaml's parser when the wheel has it (several times faster), the pure-Python one otherwise."""
    import yaml

    return yaml.load(read_bytes(name), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def content_hash() -> str:
    """SHA-256 over every data file's name and bytes: changes whenever any fact changes."""
    digest = hashlib.sha256()
    for name in data_names():
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(read_bytes(name))
    return digest.hexdigest()


def read_sources() -> dict[str, dict[str, Any]]:
    """The bibliography: every ``sources*.yaml`` file merged (keys must be unique)."""
    merged: dict[str, dict[str, Any]] = {}
    for name in data_names():
        if name.startswith("sources"):
            for key, entry in (read_yaml(name) or {}).items():
                if key in merged:
                    raise ValueError(f"bibliography key {key!r} defined twice ({name})")
                merged[key] = entry
    return merged

"""Example cases bundled with the package (with expected answers) for the demo and docs."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def example_names() -> list[str]:
    folder = resources.files(__name__)
    return sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))


def example_path(name: str) -> Path:
    path = Path(str(resources.files(__name__) / f"{name}.json"))
    if not path.is_file():
        raise FileNotFoundError(f"no bundled example {name!r}; available: {', '.join(example_names())}")
    return path

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED_CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"


def shared_case_files() -> list[Path]:
    return sorted(SHARED_CASES.glob("*.json")) if SHARED_CASES.is_dir() else []


def load_shared(name_prefix: str) -> dict:
    files = [p for p in shared_case_files() if p.name.startswith(name_prefix)]
    if not files:
        pytest.skip("shared cases not available")
    return json.loads(files[0].read_text())


@pytest.fixture(scope="session")
def kb():
    from plexnav.knowledge.base import load_knowledge

    return load_knowledge()


@pytest.fixture(scope="session")
def model():
    from plexnav.engine.model import get_model

    return get_model()

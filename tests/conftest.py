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


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run, shared by the e2e and interop browser tests:
    Playwright's sync API cannot run twice in one process (a second ``sync_playwright()``
    started while the first is open fails inside its event loop)."""
    from playwright.sync_api import sync_playwright

    from web_support import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()

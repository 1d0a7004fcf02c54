from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED_CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"


# Non-specific low back pain as a clinic records it: aching back and buttock pain, worse
# sitting and eased lying, with normal strength, reflexes and straight-leg raise (Maher 2017;
# Bogduk 2009).  The sections of a case, for the localization and the report tests.
MECHANICAL_BACK_PAIN = dict(
    patient={"age": 42, "sex": "female"},
    history={"onset": "acute", "duration_days": 10},
    symptoms=[
        {
            "kind": "pain",
            "region": "lower_back",
            "side": "left",
            "quality": "aching",
            "provoked_by": ["sitting"],
            "relieved_by": ["lying_down"],
        },
        {"kind": "pain", "region": "buttock", "side": "left", "quality": "aching"},
    ],
    exam={
        "strength": [{"movement": m, "side": "left", "mrc": 5} for m in ("ankle_dorsiflexion", "great_toe_extension")],
        "reflexes": [{"reflex": r, "side": "left", "grade": "normal"} for r in ("achilles", "patellar")],
        "signs": [{"sign": "straight_leg_raise", "side": "left", "result": "negative"}],
    },
)


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

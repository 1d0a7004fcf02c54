"""Golden assessments: a refactor that should change nothing changes no answer.

The digests of every full assessment (shared, published, bundled and 1,000 simulated
cases) live in tests/golden/assessments.json.  A deliberate change of the model or the
guidance updates them in the same commit, with its reason:
``scripts/golden_assessments.py --update --reason "..."``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "golden_assessments.py"


def _golden():
    spec = importlib.util.spec_from_file_location("golden_assessments", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_assessment_matches_its_golden_digest():
    golden = _golden()
    if not golden.SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    stored = json.loads(golden.GOLDEN.read_text())
    problems = golden.compare(stored["digests"], golden.digests())
    assert not problems, (
        f"{len(problems)} assessments differ from tests/golden/assessments.json, e.g. {problems[:5]}; "
        "if the change is meant, run scripts/golden_assessments.py --update --reason '...'"
    )


def test_the_golden_file_covers_simulated_and_real_cases():
    stored = json.loads(_golden().GOLDEN.read_text())
    names = stored["digests"]
    assert sum(n.startswith("simulated/") for n in names) == 1000
    assert sum(n.startswith("published/") for n in names) >= 40
    assert all(entry["reason"] for entry in stored["log"])


def test_a_changed_answer_is_reported_by_name():
    golden = _golden()
    problems = golden.compare(
        {"a": "1", "b": "2", "shared/p99": "5"}, {"a": "1", "b": "3", "c": "4", "shared/p98": "6"}
    )
    assert problems == ["b: assessment changed", "c: new case, not in the golden file"]

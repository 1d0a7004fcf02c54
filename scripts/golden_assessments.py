#!/usr/bin/env python3
"""Golden assessments: a digest of every full assessment, so a refactor that should change
nothing (speed work, moving code) is proved to change nothing.

The cases are every shared example case, every published case in tests/cases/published,
the bundled examples and 1,000 simulated cases (``plexnav.cohort.simulate``, fixed seed).
Each assessment's JSON (sorted keys, without ``knowledge_version``, which names the data
files rather than what was said) is hashed with SHA-256; tests/golden/assessments.json keeps
the digests and a log of every deliberate change.

    .venv/bin/python scripts/golden_assessments.py --check     # what tests/test_golden_assessments.py runs
    .venv/bin/python scripts/golden_assessments.py --update --reason "why the answers changed"

A change of the model or the guidance that changes answers lands in the same commit as its
``--update`` with the reason; the log says how many answers it changed.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "assessments.json"
SHARED = ROOT.parent / "shared" / "cases"
PUBLISHED = ROOT / "tests" / "cases" / "published"
EXAMPLES = ROOT / "src" / "plexnav" / "examples"
SIMULATED = 1000
SEED = 20261128


def _file_cases() -> Iterator[tuple[str, bytes]]:
    for folder, tag in ((SHARED, "shared"), (PUBLISHED, "published"), (EXAMPLES, "example")):
        for path in sorted(folder.glob("*.json")):
            yield f"{tag}/{path.stem}", path.read_bytes()


def _simulated_cases(model) -> Iterator[tuple[str, bytes]]:
    from plexnav.cohort.simulate import simulate_chunks
    from plexnav.cohort.table import case_from_rows

    frame = next(simulate_chunks(model, SIMULATED, seed=SEED, distinct=SIMULATED))
    records = frame.astype(str).to_dict("records")
    by_case: dict[str, list[dict]] = {}
    for row in records:
        by_case.setdefault(row["case_id"], []).append(row)
    for case_id, rows in by_case.items():
        yield f"simulated/{case_id}", json.dumps(case_from_rows(case_id, rows)).encode()


def digests() -> dict[str, str]:
    """Case name -> SHA-256 of its assessment (or of its validation error)."""
    from plexnav.engine.assess import assess
    from plexnav.knowledge.guidance import load_guidance_knowledge
    from plexnav.modelcache import load_model
    from plexnav.validation import CaseValidationError, parse_case

    model, guidance = load_model(), load_guidance_knowledge()
    out: dict[str, str] = {}
    for name, raw in [*_file_cases(), *_simulated_cases(model)]:
        try:
            case, _ = parse_case(raw)
        except CaseValidationError as exc:
            text = "invalid: " + str(exc)
        else:
            answer = json.loads(assess(case, model, guidance).to_json())
            answer.pop("knowledge_version", None)
            text = json.dumps(answer, sort_keys=True, ensure_ascii=False)
        out[name] = hashlib.sha256(text.encode()).hexdigest()
    return out


def compare(stored: dict[str, str], live: dict[str, str]) -> list[str]:
    """What differs.  Cases of ../shared come and go with the shared folder (not this
    project's files): only a changed answer of a shared case counts."""

    def owned(names: set[str]) -> list[str]:
        return sorted(n for n in names if not n.startswith("shared/"))

    problems = [f"{name}: assessment changed" for name in sorted(live) if name in stored and stored[name] != live[name]]
    problems += [f"{name}: new case, not in the golden file" for name in owned(set(live) - set(stored))]
    problems += [f"{name}: in the golden file, no longer assessed" for name in owned(set(stored) - set(live))]
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="compare live assessments with the golden digests")
    mode.add_argument("--update", action="store_true", help="rewrite the digests and log --reason")
    ap.add_argument("--reason", help="why the answers changed (required with --update)")
    a = ap.parse_args(argv)
    if a.update and not a.reason:
        ap.error("--update needs --reason")
    live = digests()
    stored = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {"log": [], "digests": {}}
    problems = compare(stored["digests"], live)
    if a.check:
        for line in problems[:40]:
            print(line)
        print(f"{len(live)} assessments, {len(problems)} differ from tests/golden/assessments.json")
        return 1 if problems else 0
    stored["log"].append(
        {"date": datetime.date.today().isoformat(), "reason": a.reason, "changed": len(problems), "cases": len(live)}
    )
    stored["digests"] = live
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
    print(f"{len(live)} assessments written, {len(problems)} changed: {a.reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``plexnav batch``: stream JSON lines in, assessments out, in order, in constant memory."""

from __future__ import annotations

import json
import sys
from itertools import islice
from pathlib import Path

from plexnav.engine.assess import assess
from plexnav.engine.model import get_model
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.validation import CaseValidationError, load_json, validate_case


def _case_id(data) -> str | None:
    return data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None


def assess_line(line: str, model, guidance) -> str:
    data = None
    try:
        data = load_json(line)
        case, _ = validate_case(data)
    except CaseValidationError as exc:
        return json.dumps({"case_id": _case_id(data), "error": [e.as_dict() for e in exc.errors]})
    return assess(case, model, guidance).model_dump_json(exclude_none=True)


def _lines(source: Path):
    handle = sys.stdin if str(source) == "-" else source.open("r", encoding="utf-8")
    try:
        for line in handle:
            if line.strip():
                yield line
    finally:
        if handle is not sys.stdin:
            handle.close()


def run_batch(source: Path, output: Path, chunk: int = 2048) -> dict[str, int]:
    model, guidance = get_model(), load_guidance_knowledge()
    counts = {"ok": 0, "errors": 0}
    show = sys.stderr.isatty()
    progress = None
    if show:
        from rich.progress import Progress
        progress = Progress(transient=True)
        task = progress.add_task("assessing", total=None)
        progress.start()
    lines = _lines(source)
    try:
        with output.open("w", encoding="utf-8") as out:
            while block := list(islice(lines, chunk)):
                results = [assess_line(line, model, guidance) for line in block]
                for text in results:
                    counts["errors" if text.startswith('{"case_id"') and '"error"' in text[:200] else "ok"] += 1
                out.write("\n".join(results) + "\n")
                if progress:
                    progress.advance(task, len(block))
    finally:
        if progress:
            progress.stop()
    return counts

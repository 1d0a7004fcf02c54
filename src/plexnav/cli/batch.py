"""``plexnav batch``: stream JSON lines in, assessments out, in order, in constant memory."""

from __future__ import annotations

import json
import sys
from itertools import islice
from pathlib import Path

from plexnav.engine.assess import assess_many
from plexnav.modelcache import load_model
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.validation import CaseValidationError, load_json, validate_case


def _case_id(data) -> str | None:
    return data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None


def _parse_line(line: str):
    """A validated case, or the error object that stands in for it in the output."""
    data = None
    try:
        data = load_json(line)
        return validate_case(data)[0], None
    except CaseValidationError as exc:
        return None, json.dumps({"case_id": _case_id(data), "error": [e.as_dict() for e in exc.errors]})


def assess_block(lines: list[str], model, guidance) -> list[str]:
    """Assess one chunk of lines, in order; the valid cases are scored together."""
    parsed = [_parse_line(line) for line in lines]
    cases = [case for case, _ in parsed if case is not None]
    results = iter(assess_many(cases, model, guidance))
    return [error if case is None else next(results).to_json() for case, error in parsed]


def _lines(source: Path):
    handle = sys.stdin if str(source) == "-" else source.open("r", encoding="utf-8")
    try:
        for line in handle:
            if line.strip():
                yield line
    finally:
        if handle is not sys.stdin:
            handle.close()


_WORKER: dict = {}


def _init_worker() -> None:
    _WORKER["model"], _WORKER["guidance"] = load_model(), load_guidance_knowledge()


def _work(block: list[str]) -> list[str]:
    return assess_block(block, _WORKER["model"], _WORKER["guidance"])


def _blocks(source: Path, chunk: int):
    lines = _lines(source)
    while block := list(islice(lines, chunk)):
        yield block


def _results(source: Path, chunk: int, workers: int):
    """Assessed blocks in input order; with several workers, a bounded window of blocks is
    in flight at once, so memory stays constant whatever the file size."""
    if workers <= 1:
        _init_worker()
        yield from map(_work, _blocks(source, chunk))
        return
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
        window: deque = deque()
        for block in _blocks(source, chunk):
            window.append(pool.submit(_work, block))
            if len(window) >= 2 * workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def run_batch(source: Path, output: Path, chunk: int = 512, workers: int = 1) -> dict[str, int]:
    counts = {"ok": 0, "errors": 0}
    progress = None
    if sys.stderr.isatty():
        from rich.progress import Progress
        progress = Progress(transient=True)
        task = progress.add_task("assessing", total=None)
        progress.start()
    try:
        with output.open("w", encoding="utf-8") as out:
            for results in _results(source, chunk, workers):
                errors = sum(text.startswith('{"case_id"') for text in results)
                counts["errors"] += errors
                counts["ok"] += len(results) - errors
                out.write("\n".join(results) + "\n")
                if progress:
                    progress.advance(task, len(results))
    finally:
        if progress:
            progress.stop()
    return counts

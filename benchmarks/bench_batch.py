"""Benchmark ``plexnav batch`` against plain JSON read-and-write floors of the same file.

Builds N distinct cases as JSON lines (the shared example cases with the patient's age and
the duration varied, so every line is a different finding set and the memo never answers),
then times, on the same file:
  1. json.loads + json.dumps of every line (the standard-library floor),
  2. orjson.loads + orjson.dumps of every line (the fast floor),
  3. ``plexnav batch IN -o OUT`` (full assessments), and
  4. ``plexnav batch IN -o OUT --fields site,triage,causes`` (compact answers),
the last two as fresh processes with ``--workers`` workers, start-up included: the wall
clock, and the CPU time of the whole process tree (on a shared machine the wall clock also
waits for cores other work holds; the CPU time does not).  ``--runs R`` keeps the fastest
of R runs of each.  ``--in-process`` adds the CPU time of one compact answer in a single
process (reading and validating the line included, the memo off, the fastest of R passes)
and of the engine part alone.  The load average is reported with the figures.

Run: .venv/bin/python benchmarks/bench_batch.py [N] [--workers 2] [--runs 3] [--in-process] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "cases"
HERE = Path(__file__).resolve().parents[1]
EVALUATION_KEYS = ("expected", "teaching", "source", "source_kind")
COMPACT = ("--fields", "site,triage,causes")


def build_input(path: Path, n: int) -> None:
    sources = []
    for file in sorted(SHARED.glob("*.json")) or sorted((HERE / "src/plexnav/examples").glob("*.json")):
        data = json.loads(file.read_text())
        sources.append({k: v for k, v in data.items() if k not in EVALUATION_KEYS})
    with path.open("w") as out:
        for i in range(n):
            base = sources[i % len(sources)]
            history = {**base.get("history", {}), "duration_days": 1 + (i // len(sources)) % 5000}
            patient = {**base.get("patient", {}), "age": 18 + (i // (len(sources) * 5000)) % 90}
            out.write(json.dumps({**base, "id": f"bench-{i}", "history": history, "patient": patient}) + "\n")


def floor(src: Path, dst: Path, loads, dumps) -> float:
    start = time.perf_counter()
    with src.open("rb") as fin, dst.open("wb") as fout:
        for line in fin:
            fout.write(dumps(loads(line)) + b"\n")
    return time.perf_counter() - start


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_batch(src: Path, out: Path, workers: int, *extra: str, runs: int = 1) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process tree) of the fastest of ``runs`` runs."""
    best: tuple[float, float] | None = None
    for _ in range(runs):
        cpu, start = _children_cpu(), time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "plexnav.cli", "batch", str(src), "-o", str(out), "--workers", str(workers), *extra],
            check=True,
            capture_output=True,
        )
        taken = (time.perf_counter() - start, _children_cpu() - cpu)
        best = taken if best is None or taken[0] < best[0] else best
    assert best is not None
    return best


def in_process(src: Path, runs: int, chunk: int = 512) -> dict:
    """CPU milliseconds per compact answer in one process: a batch worker's whole block
    (reading and validating each line, the answer, its bytes; memo off), and the engine's
    part alone (``compact_many`` on validated cases); the fastest of ``runs`` passes."""
    import gc

    from plexnav.answers import parse_fields
    from plexnav.cli.batch import _Worker
    from plexnav.engine.compact import compact_many
    from plexnav.validation import parse_case

    fields = parse_fields(COMPACT[1])
    assert fields is not None
    lines = [(i, line) for i, line in enumerate(src.read_text().splitlines(), start=1)]
    worker = _Worker(fields, 0)
    cases = [parse_case(line)[0] for _, line in lines]
    gc.collect()
    gc.freeze()
    block = engine = float("inf")
    for _ in range(runs):
        start = time.process_time()
        for at in range(0, len(lines), chunk):
            worker.block(lines[at : at + chunk])
        block = min(block, time.process_time() - start)
        start = time.process_time()
        for at in range(0, len(cases), chunk):
            compact_many(cases[at : at + chunk], worker.model, worker.guidance, fields)
        engine = min(engine, time.process_time() - start)
    return {
        "compact_ms_per_case": round(block / len(lines) * 1000, 3),
        "compact_engine_ms_per_case": round(engine / len(lines) * 1000, 3),
    }


def main(n: int = 5000, workers: int = 2, runs: int = 1, with_in_process: bool = False) -> dict:
    import orjson

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        src, plain, out = Path(tmp, "in.jsonl"), Path(tmp, "plain.jsonl"), Path(tmp, "out.jsonl")
        build_input(src, n)
        t_json = floor(src, plain, json.loads, lambda d: json.dumps(d).encode())
        t_orjson = floor(src, plain, orjson.loads, orjson.dumps)
        t_full, cpu_full = run_batch(src, out, workers, runs=runs)
        full_bytes = out.stat().st_size
        t_compact, cpu_compact = run_batch(src, out, workers, *COMPACT, runs=runs)
        compact_bytes = out.stat().st_size
        figures_in_process = in_process(src, max(runs, 3)) if with_in_process else {}
    load_after = os.getloadavg()
    result = {
        "cases": n,
        "workers": workers,
        "runs": runs,
        "json_floor_per_s": round(n / t_json),
        "orjson_floor_per_s": round(n / t_orjson),
        "batch_full_per_s": round(n / t_full),
        "batch_compact_per_s": round(n / t_compact),
        "batch_full_cpu_s": round(cpu_full, 2),
        "batch_compact_cpu_s": round(cpu_compact, 2),
        "full_bytes_per_case": round(full_bytes / n),
        "compact_bytes_per_case": round(compact_bytes / n),
        "load_average": [round(x, 2) for x in (*load_before[:1], *load_after[:1])],
        **figures_in_process,
    }
    print(
        f"{n} distinct cases, {workers} workers, start-up included (fastest of {runs}): "
        f"batch full {result['batch_full_per_s']:,}/s ({result['full_bytes_per_case']:,} B each, "
        f"{result['batch_full_cpu_s']} CPU s), compact {result['batch_compact_per_s']:,}/s "
        f"({result['compact_bytes_per_case']:,} B, {result['batch_compact_cpu_s']} CPU s); "
        f"floors json {result['json_floor_per_s']:,}/s, orjson {result['orjson_floor_per_s']:,}/s; "
        f"load average {result['load_average'][0]} before, {result['load_average'][1]} after"
    )
    if figures_in_process:
        print(
            f"in process (CPU, fastest of {max(runs, 3)}): {result['compact_ms_per_case']} ms per compact answer "
            f"with reading the line, {result['compact_engine_ms_per_case']} ms for the engine's part"
        )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1, help="keep the fastest of this many runs of each batch")
    parser.add_argument("--in-process", action="store_true", help="also time one compact answer in process")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = main(args.cases, args.workers, args.runs, args.in_process)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")

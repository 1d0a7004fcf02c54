"""Benchmark ``plexnav batch`` against plain JSON read-and-write floors of the same file.

Builds N distinct cases as JSON lines (the shared example cases with the patient's age and
the duration varied, so every line is a different finding set and the memo never answers),
then times, on the same file:
  1. json.loads + json.dumps of every line (the standard-library floor),
  2. orjson.loads + orjson.dumps of every line (the fast floor),
  3. ``plexnav batch IN -o OUT`` (full assessments), and
  4. ``plexnav batch IN -o OUT --fields site,triage,causes`` (compact answers),
the last two as fresh processes with ``--workers`` workers, start-up included.

Run: .venv/bin/python benchmarks/bench_batch.py [N] [--workers 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "cases"
HERE = Path(__file__).resolve().parents[1]
EVALUATION_KEYS = ("expected", "teaching", "source", "source_kind")


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


def run_batch(src: Path, out: Path, workers: int, *extra: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "plexnav.cli", "batch", str(src), "-o", str(out), "--workers", str(workers), *extra],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main(n: int = 5000, workers: int = 2) -> dict:
    import orjson

    with tempfile.TemporaryDirectory() as tmp:
        src, plain, out = Path(tmp, "in.jsonl"), Path(tmp, "plain.jsonl"), Path(tmp, "out.jsonl")
        build_input(src, n)
        t_json = floor(src, plain, json.loads, lambda d: json.dumps(d).encode())
        t_orjson = floor(src, plain, orjson.loads, orjson.dumps)
        t_full = run_batch(src, out, workers)
        full_bytes = out.stat().st_size
        t_compact = run_batch(src, out, workers, "--fields", "site,triage,causes")
        compact_bytes = out.stat().st_size
    result = {
        "cases": n,
        "workers": workers,
        "json_floor_per_s": round(n / t_json),
        "orjson_floor_per_s": round(n / t_orjson),
        "batch_full_per_s": round(n / t_full),
        "batch_compact_per_s": round(n / t_compact),
        "full_bytes_per_case": round(full_bytes / n),
        "compact_bytes_per_case": round(compact_bytes / n),
    }
    print(
        f"{n} distinct cases, {workers} workers, start-up included: batch full {result['batch_full_per_s']:,}/s "
        f"({result['full_bytes_per_case']:,} B each), compact {result['batch_compact_per_s']:,}/s "
        f"({result['compact_bytes_per_case']:,} B); floors json {result['json_floor_per_s']:,}/s, "
        f"orjson {result['orjson_floor_per_s']:,}/s"
    )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = main(args.cases, args.workers)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")

"""Benchmark `plexnav batch` against a plain JSON read-and-write of the same file.

Builds N cases (the shared example cases, ids varied) as JSON lines, then times:
  1. a plain Python json.loads + json.dumps pass over the file (the floor), and
  2. `plexnav batch IN -o OUT` (validation, vectorised scoring, full assessments).
Run: .venv/bin/python benchmarks/bench_batch.py [N]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "cases"
HERE = Path(__file__).resolve().parents[1]


def build_input(path: Path, n: int) -> None:
    sources = []
    for file in sorted(SHARED.glob("*.json")) or sorted((HERE / "src/plexnav/examples").glob("*.json")):
        data = json.loads(file.read_text())
        sources.append({k: v for k, v in data.items() if k not in ("expected", "teaching", "source", "source_kind")})
    with path.open("w") as out:
        for i in range(n):
            case = dict(sources[i % len(sources)], id=f"bench-{i}")
            out.write(json.dumps(case) + "\n")


def plain_copy(src: Path, dst: Path) -> None:
    with src.open() as fin, dst.open("w") as fout:
        for line in fin:
            fout.write(json.dumps(json.loads(line)) + "\n")


def main(n: int = 5000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, plain, out = Path(tmp, "in.jsonl"), Path(tmp, "plain.jsonl"), Path(tmp, "out.jsonl")
        build_input(src, n)
        start = time.perf_counter()
        plain_copy(src, plain)
        t_plain = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "plexnav.cli", "batch", str(src), "-o", str(out)], check=True, capture_output=True)
        t_batch = time.perf_counter() - start
        lines = sum(1 for _ in out.open())
    print(f"{n} cases: plain JSON read+write {t_plain:.2f} s; plexnav batch {t_batch:.2f} s "
          f"({n / t_batch:,.0f} assessments/s incl. start-up); ratio {t_batch / t_plain:.0f}x; {lines} lines out")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)

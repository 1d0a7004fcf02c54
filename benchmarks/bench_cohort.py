"""Benchmark ``plexnav cohort``: cases/s on a simulated cohort and the peak memory of the run.

Simulates N cases (default 1,000,000) into a Parquet long table (untimed), then runs
``plexnav cohort IN -o OUT`` as a fresh process on its default local Dask cluster, timing
the wall clock and sampling the resident memory of the whole process tree (the command,
the Dask scheduler, nannies and workers) every 0.2 s.

Run: .venv/bin/python benchmarks/bench_cohort.py [--cases 1000000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def tree_rss(pid: int) -> int:
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run_measured(cmd: list[str]) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds, peak resident bytes of the process tree, and the finished process."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    done.set()
    sampler.join()
    return time.perf_counter() - start, peak, subprocess.CompletedProcess(cmd, process.returncode, out, err)


def main(cases: int, distinct: int, chunk: int) -> dict:
    from plexnav.cohort.run import simulate

    with tempfile.TemporaryDirectory(prefix="plexnav-cohort-") as tmp:
        table, scored = Path(tmp, "cohort.parquet"), Path(tmp, "scored.parquet")
        start = time.perf_counter()
        rows = simulate(cases, str(table), seed=1, distinct=distinct, chunk=chunk)
        simulated = time.perf_counter() - start
        seconds, peak, done = run_measured(
            [sys.executable, "-m", "plexnav.cli", "cohort", str(table), "-o", str(scored)]
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr.decode())
        import pyarrow.parquet as pq

        out_rows = pq.ParquetFile(scored).metadata.num_rows
    result = {
        "cases": cases,
        "rows": rows,
        "rows_per_case": round(rows / cases, 1),
        "simulate_s": round(simulated, 1),
        "cohort_s": round(seconds, 1),
        "cases_per_s": round(cases / seconds),
        "peak_rss_mb": round(peak / 2**20),
        "output_rows": out_rows,
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    print(
        f"plexnav cohort: {cases:,} cases ({rows:,} rows) in {seconds:.1f} s = {cases / seconds:,.0f} cases/s; "
        f"peak RSS of the process tree {peak / 2**20:,.0f} MB "
        f"({os.cpu_count()} cores, load {result['load_average_1min']})"
    )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=2000, help="distinct simulated finding sets")
    parser.add_argument("--chunk", type=int, default=25_000, help="cases per Parquet row group (one Dask partition)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = main(args.cases, args.distinct, args.chunk)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")

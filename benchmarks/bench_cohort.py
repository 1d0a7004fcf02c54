"""Benchmark ``plexnav cohort``: cases/s on a simulated cohort and the peak memory of the run.

Simulates N cases (default 1,000,000) into a Parquet long table (untimed; ``--table`` scores
an existing one instead), then runs
``plexnav cohort IN -o OUT`` as a fresh process on its default local Dask cluster, timing
the wall clock and sampling the resident memory of the whole process tree (the command,
the Dask scheduler, nannies and workers) every 0.2 s, and its CPU time: on a shared machine
the wall clock includes waiting for a core, the CPU time does not.

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


def tree_cpu(pid: int, seen: dict[int, float]) -> None:
    """Record the CPU seconds (user + system) each process of the tree has used so far."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        try:
            times = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        seen[p.pid] = max(seen.get(p.pid, 0.0), times.user + times.system)


def run_measured(cmd: list[str]) -> tuple[float, int, subprocess.CompletedProcess, float, float]:
    """Wall seconds, peak resident bytes of the process tree, the finished process, and the
    CPU seconds of the tree and of its first process alone (the command, with the local
    Dask scheduler and the writer; the rest is the workers), sampled every 0.2 s, so the
    last fraction of a second of a process that ends is missed."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            tree_cpu(process.pid, cpu)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    done.set()
    sampler.join()
    return (
        time.perf_counter() - start,
        peak,
        subprocess.CompletedProcess(cmd, process.returncode, out, err),
        sum(cpu.values()),
        cpu.get(process.pid, 0.0),
    )


def main(cases: int, distinct: int, chunk: int, table: Path | None = None) -> dict:
    import pyarrow.parquet as pq

    from plexnav.cohort.run import simulate

    with tempfile.TemporaryDirectory(prefix="plexnav-cohort-") as tmp:
        scored = Path(tmp, "scored.parquet")
        simulated = 0.0
        if table is None:
            table = Path(tmp, "cohort.parquet")
            start = time.perf_counter()
            simulate(cases, str(table), seed=1, distinct=distinct, chunk=chunk)
            simulated = time.perf_counter() - start
        meta = pq.ParquetFile(table).metadata
        rows = meta.num_rows
        load = os.getloadavg()[0]
        seconds, peak, done, cpu, command_cpu = run_measured(
            [sys.executable, "-m", "plexnav.cli", "cohort", str(table), "-o", str(scored)]
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr.decode())
        out_rows = pq.ParquetFile(scored).metadata.num_rows
    result = {
        "cases": out_rows,
        "rows": rows,
        "rows_per_case": round(rows / max(out_rows, 1), 1),
        "row_groups": meta.num_row_groups,
        "simulate_s": round(simulated, 1),
        "cohort_s": round(seconds, 1),
        "cases_per_s": round(out_rows / seconds),
        "cpu_s": round(cpu, 1),
        "cases_per_cpu_s": round(out_rows / max(cpu, 1e-9)),
        "command_cpu_s": round(command_cpu, 1),
        "workers_cpu_s": round(cpu - command_cpu, 1),
        "peak_rss_mb": round(peak / 2**20),
        "cores": os.cpu_count(),
        "load_average_1min": round(load, 2),
    }
    print(
        f"plexnav cohort: {out_rows:,} cases ({rows:,} rows, {meta.num_row_groups} row groups) in {seconds:.1f} s "
        f"= {out_rows / seconds:,.0f} cases/s; {cpu:.0f} CPU s ({out_rows / max(cpu, 1e-9):,.0f} cases per CPU s; "
        f"the command {command_cpu:.1f} s, the workers {cpu - command_cpu:.1f} s); "
        f"peak RSS of the process tree {peak / 2**20:,.0f} MB ({os.cpu_count()} cores, load {load:.2f} at the start)"
    )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=2000, help="distinct simulated finding sets")
    parser.add_argument("--chunk", type=int, default=25_000, help="cases per Parquet row group (one Dask partition)")
    parser.add_argument("--table", type=Path, help="score this long table instead of simulating one")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = main(args.cases, args.distinct, args.chunk, args.table)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")

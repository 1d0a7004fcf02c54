"""All speed figures of issue 11 in one run, side by side, as the README's table.

  assess    full assessment in process, CPU ms per case (p50, p99) over the shared and
            published cases, with and without writing the JSON
  batch     ``plexnav batch`` full and compact, distinct cases/s, with the json and orjson
            floors of the same file (bench_batch.py)
  cohort    ``plexnav cohort`` cases/s on a simulated cohort, its CPU seconds and the peak
            RSS of its process tree (bench_cohort.py; 1,000,000 cases by default)
  api       ``POST /api/v1/assess`` req/s, p99 and the server's CPU per request with 2
            workers: repeated body, same findings renamed, distinct findings (load_api.py)
  cli       CPU and wall time of ``plexnav --version``, ``--help`` and ``assess``
            (cli_startup.py), against the 0.25 s target

On a machine shared with other work, requests/s and cases/s measure the machine as much as
plexnav; the CPU figures beside them are what plexnav itself spent.

Run: .venv/bin/python benchmarks/run_all.py [--cohort-cases 1000000] [--cohort-json FILE]
     [--cohort-table FILE] [--json FILE]   (--cohort-json reuses figures bench_cohort.py
     wrote; --cohort-table scores a table plexnav simulate already made)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI_TARGET_S = 0.25  # issue 11
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def assess_figures(rounds: int = 20) -> dict:
    from plexnav.answers import assessment_bytes
    from plexnav.engine.assess import assess
    from plexnav.knowledge.guidance import load_guidance_knowledge
    from plexnav.modelcache import load_model
    from plexnav.validation import parse_case

    model, guidance = load_model(), load_guidance_knowledge()
    files = sorted((HERE.parents[1] / "shared" / "cases").glob("*.json")) + sorted(
        (HERE.parent / "tests/cases/published").glob("*.json")
    )
    cases = [parse_case(f.read_bytes())[0] for f in files]
    for case in cases:
        assess(case, model, guidance)
    # CPU time of this thread: on a shared machine the wall clock also counts waiting for a core
    plain, with_json = [], []
    for _ in range(rounds):
        for case in cases:
            start = time.thread_time()
            result = assess(case, model, guidance)
            middle = time.thread_time()
            assessment_bytes(result)
            end = time.thread_time()
            plain.append(middle - start)
            with_json.append(end - start)
    return {
        "cases": len(cases),
        "calls": len(plain),
        "p50_ms": round(1000 * _percentile(plain, 0.5), 2),
        "p99_ms": round(1000 * _percentile(plain, 0.99), 2),
        "json_p50_ms": round(1000 * _percentile(with_json, 0.5), 2),
        "json_p99_ms": round(1000 * _percentile(with_json, 0.99), 2),
    }


def api_figures(seconds: float) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "api.json")
        subprocess.run(
            [
                sys.executable,
                str(HERE / "load_api.py"),
                "--workers",
                "2",
                "--seconds",
                str(seconds),
                "--requests",
                "20000",
                "--json",
                str(out),
            ],
            check=True,
        )
        return json.loads(out.read_text())


def cli_figures() -> dict | None:
    script = HERE / "cli_startup.py"
    if not script.exists():
        return None
    done = subprocess.run([sys.executable, str(script), "--json"], capture_output=True, check=True)
    return json.loads(done.stdout)


def table(figures: dict) -> str:
    rows = []
    a = figures["assess"]
    rows.append(
        (
            "full assessment in process (CPU time)",
            f"p50 {a['p50_ms']} ms, p99 {a['p99_ms']} ms per case "
            f"(with the JSON: p50 {a['json_p50_ms']} ms, p99 {a['json_p99_ms']} ms); "
            f"{a['cases']} shared and published cases",
        )
    )
    b = figures["batch"]
    rows.append(
        (
            f"`plexnav batch`, {b['cases']:,} distinct cases, {b['workers']} workers, start-up included",
            f"full {b['batch_full_per_s']:,} cases/s, compact (`--fields site,triage,causes`) "
            f"{b['batch_compact_per_s']:,} cases/s; floors of the same file: json {b['json_floor_per_s']:,}/s, "
            f"orjson {b['orjson_floor_per_s']:,}/s; "
            f"{b['full_bytes_per_case']:,} B vs {b['compact_bytes_per_case']:,} B per answer",
        )
    )
    c = figures.get("cohort")
    if c:
        cpu = (
            f"; {c['cpu_s']:,} CPU s = {c['cases_per_cpu_s']:,} cases per CPU second (the wall clock waits for "
            f"cores others use, the CPU time does not)"
            if "cpu_s" in c
            else ""
        )
        rows.append(
            (
                f"`plexnav cohort`, {c['cases']:,} simulated cases ({c['rows_per_case']} rows each), 2 workers",
                f"{c['cases_per_s']:,} cases/s ({c['cohort_s']} s incl. start-up of the local Dask cluster){cpu}; "
                f"peak RSS of the process tree {c['peak_rss_mb']:,} MB; load average {c['load_average_1min']} "
                f"at its start",
            )
        )
    for w in figures.get("api", ()):
        server = (
            f"; server CPU {w['server_cpu_ms_per_request']} ms per request" if "server_cpu_ms_per_request" in w else ""
        )
        rows.append(
            (
                f"`POST /api/v1/assess`, {w['workload']}, 2 workers, load client on the same cores",
                f"{w['requests_per_s']:,} req/s, p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms{server}",
            )
        )
    cli = figures.get("cli")
    if cli:
        for name, r in cli["results"].items():
            target = "" if name.startswith("python") else f" (target {CLI_TARGET_S} s)"
            rows.append(
                (f"`{name}`", f"CPU median {r['cpu_median_s']:.3f} s{target}, wall median {r['wall_median_s']:.3f} s")
            )
    head = (
        f"Measured {time.strftime('%Y-%m-%d')} on {figures['machine']}, load average "
        f"{figures['load_average_1min']} at the start (the machine is shared with other work).\n\n"
    )
    return head + "| what | figure |\n|---|---|\n" + "\n".join(f"| {w} | {f} |" for w, f in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-cases", type=int, default=5000)
    parser.add_argument("--cohort-cases", type=int, default=1_000_000)
    parser.add_argument("--cohort-json", type=Path, help="reuse figures bench_cohort.py --json wrote")
    parser.add_argument("--cohort-table", type=Path, help="score this simulated table instead of making one")
    parser.add_argument("--api-seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()
    # measured as an installed program runs, with its compiled bytecode cached: a shell that
    # sets PYTHONDONTWRITEBYTECODE makes every child process compile plexnav's modules again
    # (about 0.05 s of each command's start-up)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    import bench_batch
    import bench_cohort

    figures = {
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    figures["assess"] = assess_figures()
    figures["batch"] = bench_batch.main(args.batch_cases, workers=2)
    figures["cohort"] = (
        json.loads(args.cohort_json.read_text())
        if args.cohort_json
        else bench_cohort.main(args.cohort_cases, 2000, 25_000, args.cohort_table)
    )
    figures["api"] = api_figures(args.api_seconds)
    figures["cli"] = cli_figures()
    print()
    print(table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

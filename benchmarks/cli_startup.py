"""How long the ``plexnav`` command takes to start and answer, from the shell.

Runs each command as a fresh process several times and reports the median and best wall
time and the median CPU time (user + system of the child).  On a machine shared with other
work the wall time includes waiting for a core; the CPU time is what the command itself
costs.  The engine's tables come from the disk cache (one warm-up run fills it).

    python benchmarks/cli_startup.py [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "plexnav" / "examples" / "l5-radiculopathy.json"
TARGET_SECONDS = 0.25  # issue 11: --version, --help and assess of one case

COMMANDS = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    "plexnav --version": [sys.executable, "-m", "plexnav.cli", "--version"],
    "plexnav --help": [sys.executable, "-m", "plexnav.cli", "--help"],
    "plexnav assess CASE --json": [sys.executable, "-m", "plexnav.cli", "assess", str(EXAMPLE), "--json"],
    "plexnav assess CASE (text)": [sys.executable, "-m", "plexnav.cli", "assess", str(EXAMPLE)],
}


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _child_env() -> dict[str, str]:
    """The command's environment as an installed program sees it: its compiled bytecode
    cached (a shell that sets PYTHONDONTWRITEBYTECODE would make every run compile plexnav's
    modules again, about 0.05 s), a fixed terminal width for --help."""
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_command(argv: list[str], runs: int) -> dict:
    walls, cpus = [], []
    for _ in range(runs):
        cpu0, wall0 = _child_cpu(), time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=_child_env())
        walls.append(time.perf_counter() - wall0)
        cpus.append(_child_cpu() - cpu0)
    return {
        "wall_median_s": round(statistics.median(walls), 3),
        "wall_best_s": round(min(walls), 3),
        "cpu_median_s": round(statistics.median(cpus), 3),
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    # fill the engine snapshot and the bytecode caches
    subprocess.run(COMMANDS["plexnav assess CASE --json"], stdout=subprocess.DEVNULL, check=True, env=_child_env())
    load = os.getloadavg()[0]
    results = {name: time_command(argv, args.runs) for name, argv in COMMANDS.items()}
    for name, r in results.items():
        if not name.startswith("python"):
            r["cpu_within_target"] = r["cpu_median_s"] < TARGET_SECONDS
    if args.json:
        print(
            json.dumps(
                {
                    "cores": os.cpu_count(),
                    "load_average_1min": round(load, 2),
                    "target_s": TARGET_SECONDS,
                    "results": results,
                },
                indent=2,
            )
        )
        return
    print(f"{os.cpu_count()} cores, load average {load:.2f} at the start; target {TARGET_SECONDS} s of CPU")
    print(f"{'command':32} {'wall median':>12} {'wall best':>10} {'CPU median':>11} {'target':>7}")
    for name, r in results.items():
        met = "" if "cpu_within_target" not in r else "met" if r["cpu_within_target"] else "missed"
        print(f"{name:32} {r['wall_median_s']:>11.3f}s {r['wall_best_s']:>9.3f}s {r['cpu_median_s']:>10.3f}s {met:>7}")


if __name__ == "__main__":
    main()

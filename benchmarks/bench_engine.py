"""Benchmark: single-case latency in-process, vectorised batch scoring, degraded accuracy.

The full assessment (explanations, causes, work-up, management, guidance) is timed in CPU
time (``time.process_time``), per call and per pass over the shared and published cases,
so other work on a shared machine inflates it less than wall time; read the minimum pass.

Run: .venv/bin/python benchmarks/bench_engine.py [--passes N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from itertools import pairwise
from pathlib import Path

import numpy as np

from plexnav.engine.localize import posterior_matrix, score_case
from plexnav.engine.model import get_model
from plexnav.engine.simulate import same_site, sampled_columns, scorable_findings, top_site_index, typical_columns
from plexnav.validation import parse_case

SHARED = Path(__file__).resolve().parents[2] / "shared" / "cases"
PUBLISHED = Path(__file__).resolve().parents[1] / "tests" / "cases" / "published"


def full_assessment(model, passes: int) -> None:
    """CPU time of a full assessment (and with its JSON) over the shared and published cases."""
    from plexnav.answers import assessment_bytes
    from plexnav.engine.assess import assess
    from plexnav.knowledge.guidance import load_guidance_knowledge

    guidance = load_guidance_knowledge()
    files = sorted(SHARED.glob("*.json")) if SHARED.is_dir() else []
    cases = [parse_case(f.read_bytes())[0] for f in files + sorted(PUBLISHED.glob("*.json"))]
    if not cases:
        return
    for case in cases:
        assessment_bytes(assess(case, model, guidance))
    calls, with_json, per_pass = [], [], []
    clock = time.process_time
    for _ in range(passes):
        start_pass = clock()
        for case in cases:
            start = clock()
            answer = assess(case, model, guidance)
            middle = clock()
            assessment_bytes(answer)
            end = clock()
            calls.append(middle - start)
            with_json.append(end - start)
        per_pass.append((clock() - start_pass) / len(cases))
    calls.sort()
    p99 = calls[min(len(calls) - 1, round(0.99 * (len(calls) - 1)))]
    print(
        f"full assessment, CPU time over {len(cases)} shared and published cases x {passes} passes: "
        f"p50 {statistics.median(calls) * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms per case "
        f"(with the JSON: p50 {statistics.median(with_json) * 1e3:.2f} ms); "
        f"fastest pass {min(per_pass) * 1e3:.2f} ms per case including the JSON"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--passes", type=int, default=7, help="passes over the cases for the full assessment")
    passes = ap.parse_args().passes
    t0 = time.perf_counter()
    model = get_model()
    print(
        f"model build: {time.perf_counter() - t0:.2f} s; "
        f"{len(model.hypotheses)} hypotheses x {len(model.findings)} findings"
    )
    case_file = sorted(SHARED.glob("p02*.json"))[0] if SHARED.is_dir() else None
    if case_file:
        case, _ = parse_case(case_file.read_bytes())
        for _ in range(50):
            score_case(model, case)
        n = 2000
        start = time.perf_counter()
        for _ in range(n):
            score_case(model, case)
        print(f"single-case localization scoring: {(time.perf_counter() - start) / n * 1e3:.3f} ms")
    full_assessment(model, passes)
    findings = scorable_findings(model)
    rng = np.random.default_rng(0)
    sims = [
        (h, sampled_columns(model, h, findings, rng, keep=0.7, flip=0.05))
        for h in range(len(model.hypotheses))
        for _ in range(3)
    ]
    cols = [c for _, c in sims]
    reps = max(1, 200_000 // len(cols))
    big = cols * reps
    start = time.perf_counter()
    post = np.concatenate([posterior_matrix(model, big[i : i + 4096]) for i in range(0, len(big), 4096)])
    elapsed = time.perf_counter() - start
    print(f"vectorised batch scoring: {len(big)} cases in {elapsed:.2f} s = {len(big) / elapsed:,.0f} cases/s")
    clean = [
        same_site(model, h, top_site_index(model, model.posterior(typical_columns(model, h, findings))))
        for h in range(len(model.hypotheses))
    ]
    print(f"self-consistency, clean simulated cases: {np.mean(clean):.1%} top-1 ({sum(clean)}/{len(clean)})")
    acc = [same_site(model, h, top_site_index(model, post[i])) for i, (h, _) in enumerate(sims)]
    conf = post[: len(sims)].max(axis=1)
    print(f"degraded (30% dropped, 5% flipped): {np.mean(acc):.1%} top-1 over {len(sims)} simulated cases")
    bins = np.linspace(0, 1, 6)
    for lo, hi in pairwise(bins):
        sel = (conf >= lo) & (conf < hi) if hi < 1 else (conf >= lo)
        if sel.any():
            print(
                f"  confidence {lo:.1f}-{hi:.1f}: n={sel.sum():4d} mean stated {conf[sel].mean():.2f}, "
                f"observed accuracy {np.mean(np.array(acc)[sel]):.2f}"
            )


if __name__ == "__main__":
    main()

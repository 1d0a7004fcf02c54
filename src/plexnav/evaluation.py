"""``plexnav evaluate``: score a folder of cases with expected answers (case-format §6)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from plexnav.engine.assess import assess
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.modelcache import load_model
from plexnav.validation import CaseValidationError, parse_case


def _matches(entry, expected) -> bool:
    """Correct localization as case-format §6 defines it: the site and the side."""
    return entry.site == expected.site and entry.side == expected.side


def _levels_match(entry, expected) -> bool:
    return list(entry.levels or []) == list(expected.levels or [])


RELIABILITY_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def reliability(stated: list[float], correct: list[bool]) -> dict:
    """Stated top-1 probability against observed accuracy, in bins, and the expected
    calibration error (the bin-size-weighted mean gap)."""
    rows, ece, n = [], 0.0, len(stated)
    for lo, hi in pairwise(RELIABILITY_BINS):
        idx = [i for i, p in enumerate(stated) if lo <= p < hi or (hi == 1.0 and p == 1.0)]
        if not idx:
            continue
        mean_stated = sum(stated[i] for i in idx) / len(idx)
        observed = sum(correct[i] for i in idx) / len(idx)
        ece += len(idx) / n * abs(mean_stated - observed)
        rows.append(
            {
                "bin": f"{lo:.1f}-{hi:.1f}",
                "cases": len(idx),
                "stated": round(mean_stated, 3),
                "observed": round(observed, 3),
            }
        )
    return {"bins": rows, "ece": round(ece, 3) if n else None}


def evaluate_directory(directory: Path) -> dict:
    model, guidance = load_model(), load_guidance_knowledge()
    stated, right = [], []
    rows, totals = (
        [],
        {
            "cases": 0,
            "invalid": 0,
            "localized": 0,
            "top1": 0,
            "top3": 0,
            "side": 0,
            "triage_cases": 0,
            "triage": 0,
            "etiology_cases": 0,
            "etiology_top3": 0,
            "levels_cases": 0,
            "levels": 0,
        },
    )
    for path in sorted(directory.glob("*.json")):
        totals["cases"] += 1
        try:
            case, expected = parse_case(path.read_bytes())
        except CaseValidationError as exc:
            totals["invalid"] += 1
            rows.append({"case": path.name, "misses": [f"invalid: {e.render()}" for e in exc.errors]})
            continue
        if expected is None:
            rows.append({"case": path.name, "misses": ["no expected answer"]})
            continue
        result = assess(case, model, guidance)
        misses = []
        if expected.site is not None:
            totals["localized"] += 1
            first = result.localization[0]
            top1 = _matches(first, expected)
            top3 = any(_matches(e, expected) for e in result.localization[:3])
            totals["top1"] += top1
            totals["top3"] += top3
            stated.append(first.probability)
            right.append(top1)
            totals["side"] += first.side == expected.side
            if top1 and expected.levels:
                # the root range of a polyradiculopathy, scored apart (the contract's
                # localization is site and side)
                totals["levels_cases"] += 1
                totals["levels"] += _levels_match(first, expected)
                if not _levels_match(first, expected):
                    misses.append(f"levels: expected {'-'.join(expected.levels)}, got {'-'.join(first.levels or [])}")
            if not top1:
                misses.append(
                    f"site: expected {expected.site} {expected.side}, "
                    f"got {first.site} {first.side} ({first.probability:.2f})" + ("" if top3 else "; not in top 3")
                )
        if expected.triage is not None:
            totals["triage_cases"] += 1
            totals["triage"] += result.triage.level == expected.triage
            if result.triage.level != expected.triage:
                misses.append(f"triage: expected {expected.triage}, got {result.triage.level}")
        if expected.etiology:
            totals["etiology_cases"] += 1
            leading = [e.cause for e in result.etiology[:3]]
            hit = any(c in leading for c in expected.etiology)
            totals["etiology_top3"] += hit
            if not hit:
                misses.append(f"etiology: expected one of {list(expected.etiology)}, got {leading}")
        rows.append({"case": path.name, "misses": misses})
    return {"cases": rows, "totals": totals, "reliability": reliability(stated, right)}


def render_report(report: dict) -> str:
    lines = [f"{row['case']}: " + "; ".join(row["misses"]) for row in report["cases"] if row["misses"]]
    t = report["totals"]

    def frac(a, b):
        return f"{t[a]}/{t[b]}" + (f" ({t[a] / t[b]:.0%})" if t[b] else "")

    lines += [
        f"cases: {t['cases']} ({t['invalid']} invalid)",
        f"localization top-1: {frac('top1', 'localized')}",
        f"localization top-3: {frac('top3', 'localized')}",
        f"side: {frac('side', 'localized')}",
        f"root levels (where the site is right): {frac('levels', 'levels_cases')}",
        f"triage exact: {frac('triage', 'triage_cases')}",
        f"etiology in leading three: {frac('etiology_top3', 'etiology_cases')}",
    ]
    rel = report.get("reliability") or {}
    if rel.get("bins"):
        lines.append("reliability of the leading site (stated probability vs observed top-1):")
        lines += [
            f"  {b['bin']}: {b['cases']} cases, stated {b['stated']:.2f}, observed {b['observed']:.2f}"
            for b in rel["bins"]
        ]
        lines.append(f"expected calibration error: {rel['ece']:.3f}")
    return "\n".join(lines)

"""Shared helpers for the guidance tests (triage, causes, work-up, advice).

Hand-built localizations stand in for the localization engine, so these tests do not
depend on it: the expected site at 0.8 plus a plausible runner-up.
"""

from __future__ import annotations

import re
from pathlib import Path

from plexnav.case import Case, LocalizationEntry
from plexnav.validation import parse_case

CASES_DIR = Path(__file__).resolve().parents[2] / "shared" / "cases"

# A plausible runner-up for each site: the neighbour a localization engine most often confuses.
RUNNER_UP = {
    "root:L4": ["plexus:lumbar", "root:L3"],
    "root:L5": ["nerve:common_peroneal", "plexus:lumbosacral_trunk", "nerve:sciatic"],
    "root:S1": ["plexus:sacral", "nerve:sciatic"],
    "cauda_equina": ["polyradiculopathy", "conus_medullaris"],
    "plexus:lumbar": ["root:L3", "nerve:femoral", "root:L4"],
    "plexus:sacral": ["root:S1", "nerve:sciatic", "plexus:lumbosacral"],
    "plexus:lumbosacral_trunk": ["root:L5", "nerve:common_peroneal", "plexus:sacral"],
    "plexus:lumbosacral": ["polyradiculopathy", "cauda_equina", "plexus:sacral"],
    "nerve:femoral": ["plexus:lumbar", "root:L3", "root:L4"],
    "nerve:obturator": ["root:L3", "plexus:lumbar"],
    "nerve:lateral_femoral_cutaneous": ["root:L2", "plexus:lumbar", "root:L3"],
    "nerve:sciatic": ["plexus:sacral", "root:L5", "nerve:common_peroneal"],
    "nerve:common_peroneal": ["root:L5", "nerve:sciatic", "nerve:deep_peroneal"],
    "nerve:superior_gluteal": ["root:L5", "plexus:sacral"],
    "polyneuropathy": ["polyradiculopathy", "cauda_equina", "root:S1"],
    "no_neurological_lesion": ["root:S1", "root:L5"],
}
BILATERAL_ONLY = {"cauda_equina", "conus_medullaris", "spinal_cord", "polyneuropathy"}

# A dose: a number followed by a unit of drug amount (mg, mcg, µg, g, ml, units, IU, mmol).
DOSE = re.compile(r"\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|micrograms?|milligrams?|grams?|g|ml|mL|units?|iu|IU|mmol)\b",
                  re.IGNORECASE)


def shared_cases() -> list[tuple[Path, Case, object]]:
    if not CASES_DIR.is_dir():
        return []
    return [(p, *parse_case(p.read_text())) for p in sorted(CASES_DIR.glob("*.json"))]


def entry(site: str, side: str, probability: float) -> LocalizationEntry:
    if site in BILATERAL_ONLY:
        side = "bilateral"
    elif side == "bilateral" and not site.startswith(("plexus:", "polyradiculopathy")):
        side = "left"
    return LocalizationEntry(site=site, side=side, probability=probability, supporting=[], against=[])


def hand_localization(expected, runner_up: str | None = None, top: float = 0.8) -> list[LocalizationEntry]:
    """The expected site at `top`, plus the first (or given) runner-up with the rest."""
    if not expected.site:
        return []
    other = runner_up or RUNNER_UP[expected.site][0]
    return [entry(expected.site, expected.side, top), entry(other, expected.side, round(1 - top, 6))]


def make_case(**sections) -> Case:
    return Case.model_validate({"format": "plexnav-case/1", **sections})


def all_text(obj) -> list[str]:
    """Every string inside a model, dict or list (for scanning output)."""
    if isinstance(obj, str):
        return [obj]
    if hasattr(obj, "model_dump"):
        obj = obj.model_dump()
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in all_text(v)]
    if isinstance(obj, list | tuple):
        return [t for v in obj for t in all_text(v)]
    return []

"""The published-case benchmarks: cases transcribed from published case reports, only the
findings each report states (tests/cases/published; published_rare_sites for the sites the
first set covers thinly; published_round3 to published_round8, transcribed blind to the
model, rounds 4 to 8 held out when written; parameters chosen since on all sets, rounds 4 to
7 included, are said so in their data files, and round 8 is the newest unseen measurement).  Floors guard against
regressions; the figures themselves are in the README (plexnav evaluate DIR)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plexnav import vocabulary as V
from plexnav.evaluation import evaluate_directory
from plexnav.validation import parse_case

PUBLISHED = Path(__file__).parent / "cases" / "published"
RARE_SITES = Path(__file__).parent / "cases" / "published_rare_sites"
ROUND3 = Path(__file__).parent / "cases" / "published_round3"
ROUND4 = Path(__file__).parent / "cases" / "published_round4"
ROUND5 = Path(__file__).parent / "cases" / "published_round5"
ROUND6 = Path(__file__).parent / "cases" / "published_round6"
ROUND7 = Path(__file__).parent / "cases" / "published_round7"
ROUND8 = Path(__file__).parent / "cases" / "published_round8"
FILES = sorted(PUBLISHED.glob("*.json"))
ALL_FILES = FILES + [
    p for d in (RARE_SITES, ROUND3, ROUND4, ROUND5, ROUND6, ROUND7, ROUND8) for p in sorted(d.glob("*.json"))
]


def test_the_benchmark_is_large_and_varied():
    assert len(FILES) >= 40
    sites = {json.loads(p.read_text())["expected"]["site"] for p in FILES}
    families = {s.split(":")[0] for s in sites if s}
    assert {
        "root",
        "plexus",
        "nerve",
        "cauda_equina",
        "conus_medullaris",
        "polyradiculopathy",
        "no_neurological_lesion",
    } <= families
    mimics = [p for p in FILES if json.loads(p.read_text())["expected"]["site"] == "no_neurological_lesion"]
    assert len(mimics) >= 5


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_each_case_is_a_cited_report(path):
    data = json.loads(path.read_text())
    assert data["source_kind"] == "published_case_report"
    assert len(data["source"]) > 30 and data["teaching"]
    assert data["id"] == path.stem
    case, expected = parse_case(path.read_bytes())
    assert expected is not None and expected.triage in V.TRIAGE_LEVELS


def test_published_benchmark_floors():
    report = evaluate_directory(PUBLISHED)
    t = report["totals"]
    assert t["invalid"] == 0
    assert t["triage"] == t["triage_cases"]  # the policy is applied literally: exact
    assert t["top1"] / t["localized"] >= 0.70
    assert t["top3"] / t["localized"] >= 0.80
    assert report["reliability"]["ece"] is not None


# Floors of the later sets, each just under what the model reached (top-1, top-3):
# - rare sites: sparse records of rare sites (abstracts and case openings), 10/23 and 16/23
#   when written;
# - round 3: thirty reports transcribed blind (answers committed before the first run),
#   17/30 and 21/30 when written, 18/30 and 23/30 after the fixes they prompted;
# - rounds 4 and 5: thirty reports each the model was never tuned on (held out), 18/30 and
#   23/30, 17/30 and 21/30, so a change that loses ground on unseen reports shows;
# - round 6: thirty more held-out reports, 18/30 and 22/30 on their first run;
# - round 7: 27 held-out reports, 13/27 and 18/27 on their first run;
# - round 8: 11 held-out reports (the search corpus is nearly used up), 4/11 and 6/11 on
#   their first run, 6/11 and 7/11 after the two fixes they prompted.
LATER_SETS = [
    (RARE_SITES, 20, 0.45, 0.65),
    (ROUND3, 30, 0.55, 0.70),
    (ROUND4, 30, 0.55, 0.70),
    (ROUND5, 30, 0.50, 0.65),
    (ROUND6, 30, 0.55, 0.65),
    (ROUND7, 27, 0.45, 0.62),
    (ROUND8, 11, 0.5, 0.6),
]


@pytest.mark.parametrize(("folder", "cases", "top1", "top3"), LATER_SETS, ids=lambda v: getattr(v, "name", None))
def test_later_benchmark_floors(folder, cases, top1, top3):
    report = evaluate_directory(folder)
    t = report["totals"]
    assert t["cases"] >= cases and t["invalid"] == 0
    assert t["triage"] == t["triage_cases"]
    assert t["top1"] / t["localized"] >= top1
    assert t["top3"] / t["localized"] >= top3

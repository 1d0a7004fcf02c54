"""Textbook vignettes (tests/cases/vignettes): common presentations must lead with the right site.

Each vignette follows a cited textbook or review picture; the published-case benchmark
(tests/test_published_cases.py) measures real, often sparse, records separately.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plexnav.engine.assess import assess
from plexnav.evaluation import evaluate_directory
from plexnav.validation import parse_case

VIGNETTES = sorted((Path(__file__).parent / "cases" / "vignettes").glob("*.json"))


def test_the_vignettes_cover_the_messy_categories():
    sites = [json.loads(p.read_text())["expected"]["site"] for p in VIGNETTES]
    assert len(VIGNETTES) >= 15
    assert sites.count("no_neurological_lesion") >= 3
    assert {"root:L5", "root:S1", "root:L4", "nerve:pudendal", "plexus:lumbar", "plexus:sacral"} <= set(sites)


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_each_vignette_leads_with_its_site(path, model):
    data = json.loads(path.read_text())
    assert data["id"] == path.stem and data["teaching"] and "Textbook vignette" in data["source"]
    case, expected = parse_case(path.read_bytes())
    leader = assess(case, model).localization[0]
    assert (leader.site, leader.side) == (expected.site, expected.side)


# the clinic set and its held-out third round (written blind and never tuned on; 30/30 when
# first run), each required to lead
CLINIC = sorted((Path(__file__).parent / "cases" / "clinic").glob("*.json")) + sorted(
    (Path(__file__).parent / "cases" / "clinic_heldout").glob("*.json")
)


@pytest.mark.parametrize("path", CLINIC, ids=lambda p: p.stem)
def test_each_clinic_case_leads_with_its_site_triage_and_cause(path, model):
    """The clinic set (tests/cases/clinic, written blind to the model): the expected site and
    side lead, triage is exact, and an accepted cause is among the leading three."""
    data = json.loads(path.read_text())
    assert data["id"] == path.stem and data["teaching"] and data["source"]
    case, expected = parse_case(path.read_bytes())
    result = assess(case, model)
    leader = result.localization[0]
    assert (leader.site, leader.side) == (expected.site, expected.side)
    assert result.triage.level == expected.triage
    assert {e.cause for e in result.etiology[:3]} & set(expected.etiology)


def test_the_clinic_set_is_there():
    assert len(CLINIC) >= 90


# The second held-out clinic round (tests/cases/clinic_heldout2, k01-k30, written blind by
# three writers from textbook reasoning and committed with plexnav's first answers): 26/30
# leading and 29/30 in the leading three on that first run, triage 30/30.  Floors just under
# it, so a change that loses ground on messy clinic records shows; its misses are listed in
# the folder's README.
HELDOUT2 = Path(__file__).parent / "cases" / "clinic_heldout2"


def test_the_second_held_out_clinic_round_keeps_its_first_run():
    t = evaluate_directory(HELDOUT2)["totals"]
    assert t["cases"] == 30 and t["invalid"] == 0
    assert t["triage"] == t["triage_cases"]
    assert t["top1"] >= 25 and t["top3"] >= 28


# The third held-out clinic round (tests/cases/clinic_heldout3, m01-m30, written blind the
# same way): 28/30 leading and 29/30 in the leading three on its first run, triage 30/30, a
# right cause among the leading three 30/30.  Floors just under it.
HELDOUT3 = Path(__file__).parent / "cases" / "clinic_heldout3"


def test_the_third_held_out_clinic_round_keeps_its_first_run():
    t = evaluate_directory(HELDOUT3)["totals"]
    assert t["cases"] == 30 and t["invalid"] == 0
    assert t["triage"] == t["triage_cases"]
    assert t["top1"] >= 27 and t["top3"] >= 28

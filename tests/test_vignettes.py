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


# The held-out clinic rounds (tests/cases/clinic_heldout2 to -33: k, m, q, u, w, y, z, v, t,
# s, g, e, d, b, a, f, j, l, i, o, n, r, x, p, aa, ab, ac, ad, ae, af, ag and ah cases, thirty each,
# written blind by three writers from textbook reasoning and committed with plexnav's first
# answers).  First runs, top-1 and top-3 of 30, triage 30/30 each: round 2 26 and 29; round
# 3 28 and 29; round 4 26 and 28; round 5 26 and 29; round 6 28 and 30; round 7 25 and 30;
# round 8 27 and 29; round 9 29 and 30; round 10 27 and 29; round 11 29 and 30; round 12 29
# and 29; round 13 26 and 29; round 14 24 and 26; round 15 29 and 29; round 16 27 and 29;
# round 17 26 and 29; round 18 30 and 30; round 19 27 and 30; round 20 27 and 29; round 21 28
# and 30; round 22 28 and 30; round 23 28 and 29; round 24 27 and 30; round 25 28 and 29;
# round 26 28 and 28; round 27 28 and 30; round 28 29 and 29; round 29 26 and 28; round 30 29
# and 30; round 31 29 and 30; round 32 29 and 30; round 33 27 and 29.  Floors just under
# each first run, so a change that loses ground on messy clinic records shows; the misses are
# listed in each folder's README.
HELDOUT_FLOORS = {
    "clinic_heldout2": (25, 28),
    "clinic_heldout3": (27, 28),
    "clinic_heldout4": (25, 27),
    "clinic_heldout5": (25, 28),
    "clinic_heldout6": (27, 29),
    "clinic_heldout7": (24, 29),
    "clinic_heldout8": (26, 28),
    "clinic_heldout9": (28, 29),
    "clinic_heldout10": (26, 28),
    "clinic_heldout11": (28, 29),
    "clinic_heldout12": (28, 28),
    "clinic_heldout13": (25, 28),
    "clinic_heldout14": (23, 25),
    "clinic_heldout15": (28, 28),
    "clinic_heldout16": (26, 28),
    "clinic_heldout17": (25, 28),
    "clinic_heldout18": (29, 29),
    "clinic_heldout19": (26, 29),
    "clinic_heldout20": (26, 28),
    "clinic_heldout21": (27, 29),
    "clinic_heldout22": (27, 29),
    "clinic_heldout23": (27, 28),
    "clinic_heldout24": (26, 29),
    "clinic_heldout25": (27, 28),
    "clinic_heldout26": (27, 27),
    "clinic_heldout27": (27, 29),
    "clinic_heldout28": (28, 28),
    "clinic_heldout29": (25, 27),
    "clinic_heldout30": (28, 29),
    "clinic_heldout31": (28, 29),
    "clinic_heldout32": (28, 29),
    "clinic_heldout33": (26, 28),
    "clinic_heldout34": (27, 29),
    "clinic_heldout35": (28, 29),
    "clinic_heldout36": (28, 29),
    "clinic_heldout37": (27, 29),
    "clinic_heldout38": (27, 29),
    "clinic_heldout39": (27, 29),
    "clinic_heldout40": (28, 29),
    "clinic_heldout41": (26, 28),
    "clinic_heldout42": (28, 29),
    "clinic_heldout43": (27, 29),
    "clinic_heldout44": (28, 28),
    "clinic_heldout45": (28, 28),
    "clinic_heldout46": (23, 25),
}


@pytest.mark.parametrize("folder", sorted(HELDOUT_FLOORS))
def test_each_held_out_clinic_round_keeps_its_first_run(folder):
    t = evaluate_directory(Path(__file__).parent / "cases" / folder)["totals"]
    top1, top3 = HELDOUT_FLOORS[folder]
    assert t["cases"] == 30 and t["invalid"] == 0
    assert t["triage"] == t["triage_cases"]
    assert t["top1"] >= top1 and t["top3"] >= top3

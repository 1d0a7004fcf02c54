"""The speed work computes the same things a shorter way (issue 11): each shortcut is
checked here against the plain computation it replaced, on every shared and published case.
(The golden test compares whole assessments; these pin the pieces.)"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_case_files
from plexnav.engine import explain
from plexnav.engine.etiology import CauseTable, by_site, rank_causes
from plexnav.engine.localize import group_sites, score_case
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.validation import parse_case

PUBLISHED = Path(__file__).resolve().parent / "cases" / "published"


@pytest.fixture(scope="module")
def cases():
    files = [*shared_case_files(), *sorted(PUBLISHED.glob("*.json"))]
    return [parse_case(f.read_bytes())[0] for f in files]


def test_group_members_are_each_groups_own_stable_sort(cases, model):
    for case in cases:
        scored = score_case(model, case)
        for group in group_sites(model, scored):
            members = np.array(sorted(group.members))
            reference = members[np.argsort(-scored.posterior[members], kind="stable")].tolist()
            assert list(group.members) == reference


def test_the_leading_causes_are_the_head_of_the_full_list(cases, model):
    guidance = load_guidance_knowledge()
    for case in cases:
        sites = group_sites(model, score_case(model, case), limit=8)
        full = rank_causes(case, sites, guidance)
        assert rank_causes(case, sites, guidance, limit=3) == full[:3]
        assert rank_causes(case, sites, guidance, limit=len(full) + 5) == full


def test_the_cause_table_holds_the_numbers_worked_out_per_site():
    guidance = load_guidance_knowledge()
    table = CauseTable(guidance)
    for site, group in guidance.site_groups.items():
        base, items = table.site_row(site, group)
        causes = guidance.causes["causes"].values()
        assert base.tolist() == [
            math.log(max(c["prior"], 1e-12)) + math.log(max(by_site(c["sites"], site, group), 1e-12)) for c in causes
        ]
        assert items.tolist() == [
            math.log(max(by_site(item["lr"], site, group), 1e-12)) for c in causes for item in c.get("evidence", ())
        ]


def test_the_entropy_table_covers_every_candidate_finding(model):
    table = explain._finding_entropy(model)
    examinable = model.examinable
    assert np.array_equal(table[:, examinable], explain._entropy(model.p_abnormal[:, examinable]))
    assert not table[:, ~examinable].any()


def test_entropy_clips_as_np_clip_did():
    values = np.array([0.0, -0.0, 1e-13, 1e-12, 0.3, 1 - 1e-13, 1.0, np.nan])
    reference = np.clip(values, 1e-12, 1 - 1e-12)
    expected = -(reference * np.log2(reference) + (1 - reference) * np.log2(1 - reference))
    assert np.array_equal(explain._entropy(values), expected, equal_nan=True)


def _diverse_with_numpy(ranked, P, weights, n):
    """What _diverse stands for: one weighted distance per pair of candidates, its products
    added in order (numpy's dot on most CPUs; see the test below)."""
    chosen: list[int] = []
    for c in ranked.tolist():
        column = P[:, c]
        if all(np.add.accumulate(weights * np.abs(column - P[:, o]))[-1] >= explain.SAME_QUESTION for o in chosen):
            chosen.append(c)
            if len(chosen) == n:
                break
    return np.array(chosen, dtype=np.intp)


def test_diverse_next_findings_are_the_numpy_expressions(cases, model, monkeypatch):
    plain = explain._diverse
    calls = []

    def both(ranked, P, weights, n):
        chosen = plain(ranked, P, weights, n)
        assert chosen.tolist() == _diverse_with_numpy(ranked, P, weights, n).tolist()
        calls.append(len(chosen))
        return chosen

    monkeypatch.setattr(explain, "_diverse", both)
    for case in cases:
        scored = score_case(model, case)
        explain.next_best_findings(model, scored, group_sites(model, scored, limit=8))
    assert calls


def test_a_short_dot_product_adds_in_order_in_plain_floats():
    """_diverse's and _history_steps' short weighted sums, added in order in plain floats, are
    the running sum numpy's accumulate gives (what _diverse's array branch uses), bit for bit.
    numpy's dot (OpenBLAS ddot) gives the same sum within a few units in the last place: on
    most CPUs exactly, but on some (seen on an AVX-512 machine) its kernel adds even short
    vectors in several lanes, which is why the engine keeps the in-order sum."""
    rng = np.random.default_rng(11)
    for _ in range(3000):
        k = int(rng.integers(1, explain._DOT_IN_ORDER))
        weights = rng.random(k)
        weights /= weights.sum()
        a, b = rng.random(k), rng.random(k)
        total = 0.0
        for w, x, y in zip(weights.tolist(), a.tolist(), b.tolist(), strict=True):
            total += w * abs(x - y)
        assert total == float(np.add.accumulate(weights * np.abs(a - b))[-1])
        assert math.isclose(total, float(weights @ np.abs(a - b)), rel_tol=1e-14, abs_tol=1e-300)


def test_numpy_sums_fewer_than_eight_numbers_in_order():
    """explain._rivals adds the rivals' probabilities (at most RIVAL_GROUPS) in plain floats."""
    assert explain.RIVAL_GROUPS < 8
    rng = np.random.default_rng(5)
    for _ in range(3000):
        values = rng.random(int(rng.integers(1, 8))) * 10.0 ** rng.integers(-8, 1)
        total = 0.0
        for v in values.tolist():
            total += v
        assert total == float(values.sum())


def _log_scores_with_numpy(table, fired, sites):
    """CauseTable.log_scores as fancy-indexed numpy updates (what the plain floats stand for):
    the missing exposures, then the k-th fired item of every cause in the k-th step."""
    rows = [table.site_row(site, group) for site, group in sites]
    scores = np.array([base for base, _ in rows]).reshape(len(rows), len(table.names))
    item_logs = np.array([items for _, items in rows]).reshape(len(rows), int(table._first[-1]))
    if fired.missing:
        scores[:, fired.missing] += table._otherwise[fired.missing]
    rounds: list[tuple[list[int], list[int]]] = []
    for c, (_, items) in enumerate(fired.per_cause):
        for k, item in enumerate(items):
            if k == len(rounds):
                rounds.append(([], []))
            rounds[k][0].append(c)
            rounds[k][1].append(table._first[c] + item)
    for causes, columns in rounds:
        scores[:, causes] += item_logs[:, columns]
    return scores


def test_cause_log_scores_are_the_numpy_updates(cases, model):
    from plexnav.engine.etiology import MIN_SITE_WEIGHT, cause_table, site_group, site_weights
    from plexnav.engine.triage import case_facts

    guidance = load_guidance_knowledge()
    table = cause_table(guidance)
    everywhere = [(site, group) for site, group in guidance.site_groups.items()]
    for case in cases:
        facts = case_facts(case, guidance)
        sites = group_sites(model, score_case(model, case), limit=8)
        weights = site_weights(facts, sites, guidance)
        chosen = [(s, site_group(s, guidance)) for s, w in sorted(weights.items()) if w >= MIN_SITE_WEIGHT]
        fired = table.fired(facts)
        unknown = [("nowhere_known", "plexus"), *chosen]  # a site in no group: its numbers from the data
        for at in (chosen, everywhere, [], unknown):
            got = table.log_scores(fired, at)
            assert got.shape == (len(at), len(table.names))
            assert got.tobytes() == _log_scores_with_numpy(table, fired, at).tobytes()


def test_diverse_on_random_candidates_is_the_numpy_expression():
    """_diverse sets each picked candidate against all the others at once (np.add.accumulate
    down the leading sites); on random tables, with pairs near the SAME_QUESTION line too."""
    rng = np.random.default_rng(17)
    for _ in range(400):
        k = int(rng.integers(2, 9))
        pool = int(rng.integers(1, 41))
        weights = rng.random(k)
        weights /= weights.sum()
        P = rng.random((k, pool + 5))
        if rng.random() < 0.5:  # near-duplicates: distances close to SAME_QUESTION
            P[:, 1::2] = P[:, ::2][:, : P[:, 1::2].shape[1]] + rng.normal(0, 0.06, (k, P[:, 1::2].shape[1]))
        ranked = rng.permutation(pool + 5)[:pool].astype(np.intp)
        n = int(rng.integers(1, 7))
        got = explain._diverse(ranked, P, weights, n)
        assert got.dtype == np.intp
        assert got.tolist() == _diverse_with_numpy(ranked, P, weights, n).tolist()


def test_one_cases_look_alike_shares_are_the_many_cases_bits(model):
    """localize.look_alike_shares adds one case's members in plain floats: the same additions
    in the same order as the column arithmetic for many cases, so the bits agree (assess,
    compact answers and the cohort give the same shares)."""
    from plexnav.engine.localize import look_alike_shares, look_alikes

    layout = look_alikes(model)
    rng = np.random.default_rng(7)
    mass = rng.dirichlet(np.full(len(layout.members), 0.3), size=200) * rng.uniform(0, 1, size=(200, 1))
    mass[0] = 0.0  # no mass at all: every share 0
    many = look_alike_shares(layout, mass)
    for i in range(len(mass)):
        one = look_alike_shares(layout, mass[i : i + 1])
        assert one.tobytes() == many[i : i + 1].tobytes()

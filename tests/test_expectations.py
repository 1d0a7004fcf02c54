"""Reviewed expectation tables (tests/expectations/*.yaml): the live forward model must give,
for every lesion hypothesis, exactly the graded involvement its table froze. A failure names
the table and the row; a deliberate change of a fact updates the table in the same commit:

    .venv/bin/python scripts/expectation_tables.py --update --reason "why"
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ET = _script("expectation_tables")
TABLES = ET.read_tables()


@pytest.fixture(scope="module")
def live(kb):
    return ET.live_tables(kb)


def test_every_hypothesis_has_a_table_and_no_table_is_stale(kb, live):
    assert set(live) == {h.id for h in kb.hypotheses}
    assert sorted(set(live) - set(TABLES)) == [], "hypotheses without an expectation table"
    assert sorted(set(TABLES) - set(live)) == [], "tables for hypotheses that no longer exist"


@pytest.mark.parametrize("hypothesis", sorted(TABLES))
def test_forward_model_matches_reviewed_table(live, hypothesis):
    if hypothesis not in live:
        pytest.fail(f"{hypothesis}.yaml: no such hypothesis in sites.yaml")
    diff = ET.differences(live[hypothesis], TABLES[hypothesis])
    assert not diff, (f"tests/expectations/{hypothesis}.yaml no longer matches the knowledge base:\n  "
                      + "\n  ".join(diff)
                      + "\nIf the change is deliberate: scripts/expectation_tables.py --update --reason '...'")


def test_tables_cover_every_lesion_node_of_every_site(kb):
    nodes = {n for h in kb.hypotheses for n in h.lesion}
    covered = {n for t in TABLES.values() for n in (t["lesion"] or {})}
    assert nodes == covered
    assert {h.site for h in kb.hypotheses} == {t["site"] for t in TABLES.values()}


def test_a_corrupted_table_row_is_named(live):
    """The comparison names the row that changed (the message a clinician editing YAML sees)."""
    import copy
    table = copy.deepcopy(TABLES["root_L5"])
    table["denervated_muscles"]["tibialis_posterior"]["involvement"] = 0.1
    del table["reflexes_reduced"]["medial_hamstring"]
    diff = ET.differences(live["root_L5"], table)
    assert "denervated_muscles.tibialis_posterior: table 0.1, live 0.7" in diff
    assert "reflexes_reduced.medial_hamstring: table 0.0, live 0.62" in diff


def test_worksheet_has_a_line_per_row():
    sheet = ET.worksheet(TABLES)
    rows = sum(len(t.get(g) or {}) for t in TABLES.values() for g in ET.GROUPS)
    assert sheet.count("\n| expectation |") == rows

"""Reviewed expectation tables (tests/expectations/*.yaml): the live forward model must give,
for every lesion hypothesis, exactly the graded involvement its table froze. A failure names
the table and the row; a deliberate change of a fact updates the table in the same commit:

    .venv/bin/python scripts/expectation_tables.py --update --reason "why"

The slow test runs the knowledge-base mutation check (scripts/kb_mutation.py) over 200
mutants; it runs only when selected with ``-m slow``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
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


def test_every_hypothesis_and_lesion_point_has_a_table_and_no_table_is_stale(kb, live):
    assert {h.id for h in kb.hypotheses} <= set(live)
    lesioned = {n for t in live.values() for n in t["lesion"]}
    assert lesioned == set(kb.graph), "every graph node is the lesion of some table"
    assert sorted(set(live) - set(TABLES)) == [], "hypotheses without an expectation table"
    assert sorted(set(TABLES) - set(live)) == [], "tables for hypotheses that no longer exist"


@pytest.mark.parametrize("hypothesis", sorted(TABLES))
def test_forward_model_matches_reviewed_table(live, hypothesis):
    if hypothesis not in live:
        pytest.fail(f"{ET.table_path(hypothesis)}: no such hypothesis or graph node")
    diff = ET.differences(live[hypothesis], TABLES[hypothesis])
    assert not diff, (
        f"{ET.table_path(hypothesis).relative_to(ROOT)} no longer matches the knowledge base:\n  "
        + "\n  ".join(diff)
        + "\nIf the change is deliberate: scripts/expectation_tables.py --update --reason '...'"
    )


def test_tables_cover_every_lesion_node_of_every_site(kb):
    nodes = {n for h in kb.hypotheses for n in h.lesion} | set(kb.graph)
    covered = {n for t in TABLES.values() for n in (t["lesion"] or {})}
    assert nodes == covered
    assert {h.site for h in kb.hypotheses} == {t["site"] for t in TABLES.values() if t["family"]}


def test_key_tables_were_reviewed():
    """The tables checked against Preston & Shapiro, Kendall, Stewart and Wilbourn say so."""
    key = [
        "root_L4",
        "root_L5",
        "root_S1",
        "plexus_lumbosacral_trunk",
        "plexus_sacral",
        "plexus_lumbar",
        "nerve_femoral_pelvis",
        "nerve_femoral_inguinal",
        "nerve_obturator",
        "nerve_sciatic_notch",
        "nerve_common_peroneal_fibular_head",
        "nerve_tibial_knee",
        "nerve_tibial_ankle",
        "nerve_superior_gluteal",
        "nerve_inferior_gluteal",
    ]
    unreviewed = [k for k in key if not TABLES[k].get("review")]
    assert not unreviewed


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


@pytest.mark.slow
def test_mutation_check_kills_most_mutants(request, tmp_path):
    if "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("slow: run with -m slow")
    out = tmp_path / "mutants.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "kb_mutation.py"), "--n", "200", "--seed", "2", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=5400,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["tested"] >= 100
    assert result["after"]["kill_rate"] >= 0.95, result["after"]["survivors"]

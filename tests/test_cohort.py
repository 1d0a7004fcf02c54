"""Cohort scoring (issue 11): the long table round-trips cases, and the vectorised scores equal
``plexnav assess`` case by case (leading site, side and levels, its probability, triage level
and the rules that set it, the leading cause and its probability) on every shared and
published case and on simulated ones."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import shared_case_files
from plexnav.cohort.score import score_frame
from plexnav.cohort.simulate import simulate_chunks
from plexnav.cohort.table import TableError, case_from_rows, case_rows
from plexnav.engine.assess import assess
from plexnav.validation import validate_case

PUBLISHED = Path(__file__).parent / "cases" / "published"


@pytest.fixture(scope="module")
def model():
    """The model the cohort scorer uses (one build per process, from the disk cache)."""
    from plexnav.modelcache import load_model

    return load_model()


def _case_files() -> list[Path]:
    return shared_case_files() + sorted(PUBLISHED.glob("*.json"))


def _expected(case: dict, model) -> tuple:
    a = assess(validate_case(case)[0], model)
    lead = a.localization[0]
    return (
        lead.site,
        lead.side,
        "-".join(lead.levels or []),
        lead.probability,
        a.triage.level,
        ";".join(a.triage.rules),
        a.etiology[0].cause,
        a.etiology[0].probability,
        a.localization[-1].probability,  # the last listed site's (see _assert_equal_to_assess)
    )


def _scored(row) -> tuple:
    return (
        row.site_1,
        row.side_1,
        row.levels_1,
        row.probability_1,
        row.triage,
        row.triage_rules,
        row.cause_1,
        row.cause_probability_1,
    )


def _assert_equal_to_assess(frame: pd.DataFrame, model) -> int:
    out = score_frame(frame)
    assert out["error"].isna().all(), out["error"].dropna().head().tolist()
    groups = dict(iter(frame.groupby("case_id", sort=False)))
    misses, tail_ties = [], []
    for row in out.itertuples():
        expected = _expected(case_from_rows(row.case_id, groups[row.case_id].to_dict("records")), model)
        got = _scored(row)
        same = expected[:3] + expected[4:7] == got[:3] + got[4:7]
        if not same or abs(expected[3] - got[3]) > 1e-4:
            misses.append((row.case_id, expected, got))
        elif abs(expected[7] - got[7]) > 2e-6:
            # the causes mix the eight listed sites; when the eighth ties another site to four
            # decimals, the column arithmetic may list the other one, which moves the leading
            # cause's probability by at most twice that site's share (never the cause itself)
            tail_ties.append((row.case_id, expected, got))
            if abs(expected[7] - got[7]) > 2 * expected[8]:
                misses.append((row.case_id, expected, got))
    assert not misses, misses[:5]
    assert len(tail_ties) <= len(out) // 1000, tail_ties[:5]
    return len(out)


def test_the_long_table_round_trips_every_case():
    files = _case_files()
    if not files:
        pytest.skip("no cases")
    for path in files:
        case = json.loads(path.read_text())
        back = case_from_rows(case["id"], case_rows(case))
        assert validate_case(back)[0] == validate_case(case)[0], path.name


def test_every_shared_and_published_case_scores_as_assess(model):
    cases = [json.loads(p.read_text()) for p in _case_files()]
    if not cases:
        pytest.skip("no cases")
    frame = pd.DataFrame([row for case in cases for row in case_rows(case)])
    assert _assert_equal_to_assess(frame, model) == len(cases)


def test_simulated_cases_score_as_assess(model):
    frame = next(simulate_chunks(model, 250, seed=11, distinct=120, chunk=250))
    assert frame["case_id"].nunique() == 250
    assert _assert_equal_to_assess(frame, model) == 250


def test_readings_across_entries_score_as_assess(model):
    """Two readings span entries and are rebuilt from per-row pieces: a weak (or paralysed)
    movement whose main muscle is normal on needle EMG (one row grades the movement, another
    the muscle),
    and the side of "no nerve lesion", which a stocking names only when nothing else does."""
    cases = []
    readings = (("left", "normal", 4), ("right", "normal", 4), ("left", "chronic_neurogenic", 4), ("left", "normal", 1))
    for side, emg, mrc in readings:
        cases.append(
            {
                "format": "plexnav-case/1",
                "id": f"weak-{side}-{emg}-{mrc}",
                "patient": {"age": 70, "sex": "female"},
                "history": {"onset": "acute", "course": "stable", "duration_days": 30, "factors": ["diabetes"]},
                "symptoms": [
                    {"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"},
                    {"kind": "weakness", "activity": "foot_drop_tripping", "side": side},
                ],
                "exam": {
                    "strength": [{"movement": "ankle_dorsiflexion", "side": side, "mrc": mrc}],
                    "sensation": [{"region": "whole_foot_stocking", "side": "bilateral", "finding": "reduced"}],
                },
                "electrodiagnosis": {"needle_emg": [{"muscle": "tibialis_anterior", "side": side, "result": emg}]},
            }
        )
    frame = pd.DataFrame([row for case in cases for row in case_rows(case)])
    assert _assert_equal_to_assess(frame, model) == len(cases)


def test_age_pairs_across_entries_score_as_assess(model):
    """An age-adjusted finding on both sides (likelihood.yaml age_pair) is read across entries
    (one row per side, or one two-sided row): both sides low, one low beside a normal one, one
    low beside a brisk one (no pair), below and past the age, as assess reads them."""
    cases = []
    grades = (("absent", "absent"), ("absent", "normal"), ("normal", "reduced"), ("absent", "brisk"))
    for age in (45, 78):
        for left, right in grades:
            reflexes = [{"reflex": "achilles", "side": "left", "grade": left}]
            reflexes.append({"reflex": "achilles", "side": "right", "grade": right})
            if left == right:
                reflexes = [{"reflex": "achilles", "side": "bilateral", "grade": left}]
            cases.append(
                {
                    "format": "plexnav-case/1",
                    "id": f"ankle-{age}-{left}-{right}",
                    "patient": {"age": age, "sex": "male"},
                    "symptoms": [{"kind": "pain", "region": "buttock", "side": "left"}],
                    "exam": {"reflexes": reflexes},
                    "electrodiagnosis": {
                        "nerve_conduction": [
                            {"study": "sural_sensory", "side": "left", "result": "absent"},
                            {"study": "sural_sensory", "side": "right", "result": "reduced"},
                        ]
                    },
                }
            )
    frame = pd.DataFrame([row for case in cases for row in case_rows(case)])
    assert _assert_equal_to_assess(frame, model) == len(cases)


def test_a_lump_on_the_side_with_nothing_wrong_scores_as_assess(model):
    """facts.offside_only is a fact of the whole case (the lump's side against the sides with
    trouble); the columns rebuild it from per-row pieces and give assess's leading cause."""
    cases = []
    for side in ("left", "right"):
        cases.append(
            {
                "format": "plexnav-case/1",
                "id": f"lump-{side}",
                "patient": {"age": 52, "sex": "male"},
                "history": {"onset": "acute", "course": "stable", "duration_days": 10},
                "symptoms": [{"kind": "numbness", "region": "posterior_thigh", "side": "left"}],
                "exam": {"sensation": [{"region": "posterior_thigh", "side": "left", "finding": "reduced"}]},
                "investigations": [
                    {"test": "mri_lumbar_spine", "finding": "mass", "level": "S2", "side": side, "site": "root:S2"}
                ],
            }
        )
    frame = pd.DataFrame([row for case in cases for row in case_rows(case)])
    assert _assert_equal_to_assess(frame, model) == 2
    causes = dict(zip(score_frame(frame)["case_id"], score_frame(frame)["cause_1"], strict=True))
    assert causes["lump-left"] == "neoplastic" and causes["lump-right"] != "neoplastic"


@pytest.mark.slow
def test_ten_thousand_simulated_cases_score_as_assess(model):
    frame = pd.concat(simulate_chunks(model, 10_000, seed=5, distinct=2_000, chunk=2_500))
    assert _assert_equal_to_assess(frame, model) == 10_000


def test_rows_of_a_case_may_come_in_any_order(model):
    frame = next(simulate_chunks(model, 40, seed=2, distinct=40, chunk=40))
    shuffled = frame.sample(frac=1.0, random_state=1)
    a = score_frame(frame).set_index("case_id").sort_index()
    b = score_frame(shuffled).set_index("case_id").sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_an_invalid_row_marks_only_its_case_and_names_the_field(model):
    frame = next(simulate_chunks(model, 5, seed=3, distinct=5, chunk=5))
    broken = pd.concat(
        [
            frame,
            pd.DataFrame(
                [
                    {
                        "case_id": "sim-2",
                        "section": "strength",
                        "id": "knee_extention",
                        "side": "left",
                        "value": "3",
                        "detail": "",
                    },
                    {"case_id": "sim-4", "section": "patient", "id": "age", "side": "", "value": "two", "detail": ""},
                    {
                        "case_id": "sim-5",
                        "section": "reflexes",
                        "id": "patellar",
                        "side": "left",
                        "value": "absent",
                        "detail": "",
                    },
                ]
            ),
        ]
    )
    out = score_frame(broken).set_index("case_id")
    assert "knee_extension" in out.loc["sim-2", "error"]  # the closest valid movement is suggested
    assert "age" in out.loc["sim-4", "error"] and "not a number" in out.loc["sim-4", "error"]
    assert "section 'reflexes'" in out.loc["sim-5", "error"]
    assert out.loc[["sim-2", "sim-4", "sim-5"], "triage"].isna().all()
    assert out.loc[["sim-1", "sim-3"], "error"].isna().all()
    assert out.loc[["sim-1", "sim-3"], "triage"].notna().all()


def _row(case_id, section, ident, side, value):
    return {"case_id": case_id, "section": section, "id": ident, "side": side, "value": value, "detail": ""}


def test_a_finding_recorded_twice_with_values_that_cannot_both_hold_marks_its_case_as_assess_refuses_it(model):
    """MRC 5 and MRC 2 for one movement (or 'bilateral' normal and a left reduced reflex, or a
    normal and an abnormal result of one study) is an entry slip: assess refuses such a case,
    and so does the cohort, naming both values; two abnormal results of a study may both hold."""
    from plexnav.validation import CaseValidationError

    frame = next(simulate_chunks(model, 6, seed=5, distinct=6, chunk=6))
    clash = [
        _row("sim-1", "strength", "knee_extension", "left", "5"),
        _row("sim-1", "strength", "knee_extension", "left", "2"),
        _row("sim-2", "reflex", "patellar", "bilateral", "normal"),
        _row("sim-2", "reflex", "patellar", "left", "reduced"),
        _row("sim-3", "nerve_conduction", "sural_sensory", "right", "normal"),
        _row("sim-3", "nerve_conduction", "sural_sensory", "right", "reduced"),
        # not contradictions: the same value twice, two abnormal results, 4 and 4.0, two sides
        _row("sim-4", "strength", "hip_flexion", "left", "4"),
        _row("sim-4", "strength", "hip_flexion", "left", "4.0"),
        _row("sim-4", "nerve_conduction", "sural_sensory", "left", "reduced"),
        _row("sim-4", "nerve_conduction", "sural_sensory", "left", "absent"),
        _row("sim-5", "strength", "hip_flexion", "left", "5"),
        _row("sim-5", "strength", "hip_flexion", "right", "3"),
    ]
    frame = frame[
        ~frame["case_id"].isin(["sim-1", "sim-2", "sim-3", "sim-4", "sim-5"])
        | ~frame["section"].isin(["strength", "reflex", "nerve_conduction"])
    ]
    out = score_frame(pd.concat([frame, pd.DataFrame(clash)])).set_index("case_id")
    assert "knee_extension" in out.loc["sim-1", "error"] and "'5' and '2'" in out.loc["sim-1", "error"]
    assert "patellar" in out.loc["sim-2", "error"]
    assert "sural_sensory" in out.loc["sim-3", "error"]
    assert out.loc[["sim-1", "sim-2", "sim-3"], "triage"].isna().all()
    assert out.loc[["sim-4", "sim-5", "sim-6"], "error"].isna().all()
    for case_id in ("sim-1", "sim-2", "sim-3"):
        rows = [r for r in clash if r["case_id"] == case_id]
        with pytest.raises(CaseValidationError):
            validate_case(case_from_rows(case_id, rows))
    for case_id in ("sim-4", "sim-5"):
        validate_case(case_from_rows(case_id, [r for r in clash if r["case_id"] == case_id]))


def test_a_missing_column_is_named():
    with pytest.raises(TableError, match="section"):
        score_frame(pd.DataFrame({"case_id": ["a"], "id": ["x"], "side": [""], "value": [""]}))


def test_cohort_on_dask_shuffles_split_cases_and_equals_the_in_process_scores(tmp_path, model):
    """Row groups that split cases (rows in random order) are shuffled by case_id first; the
    written file equals scoring the whole table at once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from plexnav.cohort.run import score_file

    frame = next(simulate_chunks(model, 60, seed=8, distinct=30, chunk=60)).sample(frac=1.0, random_state=3)
    frame = frame.astype(str)
    source = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), source, row_group_size=400)
    counts = score_file(str(source), str(tmp_path / "scored.csv"), workers=1)
    assert counts["shuffled"] and counts["cases"] == 60 and counts["errors"] == 0
    written = pd.read_csv(tmp_path / "scored.csv", keep_default_na=False).set_index("case_id").sort_index()
    direct = score_frame(frame).set_index("case_id").sort_index()
    assert list(written.index) == list(direct.index)
    for column in ("site_1", "side_1", "triage", "triage_rules"):
        assert list(written[column]) == list(direct[column]), column
    assert (written["probability_1"] - direct["probability_1"]).abs().max() < 1e-9


def test_cohort_file_errors_exit_2_in_one_line(tmp_path):
    import subprocess
    import sys

    def run(*args):
        done = subprocess.run([sys.executable, "-m", "plexnav.cli", *args], capture_output=True, timeout=300)
        text = done.stderr.decode().strip()
        assert done.returncode == 2 and len(text.splitlines()) == 1 and "Traceback" not in text, text
        return text

    assert "no such input" in run("cohort", str(tmp_path / "missing.parquet"), "-o", str(tmp_path / "o.csv"))
    (tmp_path / "rows.txt").write_text("x")
    assert ".parquet or .csv" in run("cohort", str(tmp_path / "rows.txt"), "-o", str(tmp_path / "o.csv"))
    assert "folder does not exist" in run("simulate", "5", "-o", str(tmp_path / "nowhere" / "c.parquet"))


def test_cohort_runs_on_an_existing_dask_scheduler(tmp_path, model):
    from dask.distributed import LocalCluster

    from plexnav.cohort.run import score_file, simulate

    source = tmp_path / "cohort.csv"
    simulate(30, str(source), seed=4, distinct=10)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        counts = score_file(str(source), str(tmp_path / "scored.parquet"), scheduler=cluster.scheduler_address)
    assert counts == {"cases": 30, "errors": 0, "partitions": 1, "shuffled": False}
    written = pd.read_parquet(tmp_path / "scored.parquet")
    direct = score_frame(pd.read_csv(source, dtype=str, keep_default_na=False))
    assert list(written["case_id"]) == list(direct["case_id"])
    assert list(written["triage"]) == list(direct["triage"]) and list(written["site_1"]) == list(direct["site_1"])


def _rows_by_piece(source) -> list[list[str]]:
    from plexnav.cohort.pieces import parquet_pieces, piece_rows

    pieces = parquet_pieces(str(source))
    return [piece_rows(pieces, i).column("case_id").to_pylist() for i in range(len(pieces))]


def test_row_groups_that_cut_cases_are_scored_without_a_shuffle(tmp_path, model):
    """Rows of a case together but cut by row-group ends (groups of 7 rows, smaller than a
    case): each case is read whole by the piece it starts in, once; the file equals scoring
    the table at once, with no shuffle."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from plexnav.cohort.run import score_file

    frame = next(simulate_chunks(model, 25, seed=9, distinct=25, chunk=25)).astype(str)
    source = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), source, row_group_size=7)
    pieces = _rows_by_piece(source)
    assert sum(len(p) for p in pieces) == len(frame)
    owners = [sorted(set(ids)) for ids in pieces]
    assert sorted(i for ids in owners for i in ids) == sorted(frame["case_id"].unique())  # each case once
    assert any(not ids for ids in pieces)  # some groups hold only the middle of a case
    counts = score_file(str(source), str(tmp_path / "scored.parquet"), workers=1)
    assert counts["shuffled"] is False and counts["cases"] == 25 and counts["errors"] == 0
    written = pd.read_parquet(tmp_path / "scored.parquet")
    direct = score_frame(frame)
    assert list(written["case_id"]) == list(direct["case_id"])  # input order
    pd.testing.assert_frame_equal(written.reset_index(drop=True), direct.reset_index(drop=True), check_dtype=False)


def test_a_folder_of_parquet_parts_is_read_in_name_order_across_files(tmp_path, model):
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = next(simulate_chunks(model, 12, seed=6, distinct=12, chunk=12)).astype(str)
    folder = tmp_path / "parts"
    folder.mkdir()
    half = len(frame) // 2 + 3  # the cut falls inside a case
    for name, part in (("part-0.parquet", frame.iloc[:half]), ("part-1.parquet", frame.iloc[half:])):
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False), folder / name, row_group_size=50)
    pieces = _rows_by_piece(folder)
    assert [i for ids in pieces for i in dict.fromkeys(ids)] == list(frame["case_id"].unique())
    assert sum(len(p) for p in pieces) == len(frame)


def test_a_parquet_table_scores_as_its_pandas_frame(model):
    import pyarrow as pa

    from plexnav.cohort.score import score_table

    frame = next(simulate_chunks(model, 40, seed=12, distinct=20, chunk=40))
    table = pa.Table.from_pandas(frame, preserve_index=False)  # dictionary columns, as simulate writes
    pd.testing.assert_frame_equal(score_table(table), score_frame(frame))
    plain = pa.Table.from_pandas(frame.astype(str), preserve_index=False)  # plain strings
    pd.testing.assert_frame_equal(score_table(plain), score_frame(frame))


def _cauda_mass_case(case_id: str, mass_level: str, narrowing: dict) -> dict:
    return {
        "format": "plexnav-case/1",
        "id": case_id,
        "patient": {"age": 63, "sex": "female"},
        "history": {"onset": "chronic", "course": "worsening", "duration_days": 300},
        "symptoms": [{"kind": "bladder_dysfunction"}, {"kind": "pain", "region": "posterior_thigh", "side": "right"}],
        "exam": {"sensation": [{"region": "saddle", "side": "bilateral", "finding": "reduced"}]},
        "investigations": [
            {"test": "mri_lumbar_spine", "finding": "mass", "level": mass_level, "site": "cauda_equina"},
            {
                "test": "mri_lumbar_spine",
                "finding": "cord_or_cauda_compression",
                "level": mass_level,
                "site": "cauda_equina",
            },
            {"test": "mri_lumbar_spine", **narrowing},
        ],
    }


def test_a_mass_at_the_level_of_a_narrowing_scores_as_assess(model):
    """facts.mass_at_structural_level is a fact of the whole case (a mass and a narrowing at a
    shared level, on two rows); the columns rebuild it from per-row segment pieces and give
    assess's leading cause: a growth on the cauda equina with a disc two levels lower, and a
    mass at the level of a narrowing that may be the facet cyst it comes from."""
    cases = [
        _cauda_mass_case("apart", "L3", {"finding": "disc_herniation", "level": "L5-S1", "position": "central"}),
        _cauda_mass_case("shared", "L4-L5", {"finding": "canal_stenosis", "level": "L4-L5"}),
    ]
    frame = pd.DataFrame([row for case in cases for row in case_rows(case)])
    assert _assert_equal_to_assess(frame, model) == 2
    causes = dict(zip(score_frame(frame)["case_id"], score_frame(frame)["cause_1"], strict=True))
    assert causes["apart"] == "neoplastic"

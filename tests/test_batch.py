"""``plexnav batch`` (issue 9 item 11, issue 11): it never loses data, says what is wrong with
a file in one line (exit 2), and its answers are the full assessment's content, from the
memo or not, full or compact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import shared_case_files
from plexnav.answers import parse_fields
from plexnav.cli.batch import BatchFileError, run_batch
from plexnav.engine.assess import assess_many
from plexnav.validation import parse_case

PLEXNAV = [sys.executable, "-m", "plexnav.cli"]


@pytest.fixture(scope="module")
def model():
    """The model batch uses (one build per process, from the disk cache)."""
    from plexnav.modelcache import load_model

    return load_model()


BAD_LINE = (
    '{"format": "plexnav-case/1", "exam": {"strength": [{"movement": "knee_extention", "side": "left", "mrc": 3}]}}'
)


def run(*args, cwd=None, stdin: bytes | None = None):
    return subprocess.run([*PLEXNAV, *args], input=stdin, capture_output=True, timeout=120, cwd=cwd)


def _one_line_error(out) -> str:
    assert out.returncode == 2, out.stderr
    text = out.stderr.decode().strip()
    assert len(text.splitlines()) == 1 and "Traceback" not in text, text
    return text


@pytest.fixture(scope="module")
def cases_text() -> str:
    files = shared_case_files()
    if not files:
        pytest.skip("shared cases not available")
    return "".join(json.dumps(json.loads(p.read_text())) + "\n" for p in files[:6])


@pytest.fixture
def infile(tmp_path, cases_text) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(cases_text + BAD_LINE + "\n")
    return path


# --- never loses data (subprocess: the real command, exit codes and stderr)


def test_missing_input_never_changes_an_existing_output_file(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    text = _one_line_error(run("batch", str(tmp_path / "missing.jsonl"), "-o", str(out)))
    assert "no such input file" in text and "missing.jsonl" in text
    assert out.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # no temporary file left


def test_output_equal_to_input_is_refused_and_the_input_kept(infile):
    before = infile.read_bytes()
    text = _one_line_error(run("batch", str(infile), "-o", str(infile)))
    assert "is the input" in text
    # the same file by another spelling of its path
    _one_line_error(run("batch", "in.jsonl", "-o", "./in.jsonl", cwd=infile.parent))
    assert infile.read_bytes() == before


def test_dash_output_is_standard_output(infile):
    out = run("batch", str(infile), "-o", "-", "--workers", "1", cwd=infile.parent)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.decode().splitlines()
    assert len(lines) == 7 and json.loads(lines[0])["format"] == "plexnav-assessment/1"
    assert not (infile.parent / "-").exists()


def test_dash_input_is_standard_input(infile, tmp_path):
    target = tmp_path / "from-stdin.jsonl"
    out = run("batch", "-", "-o", str(target), "--workers", "1", stdin=infile.read_bytes())
    assert out.returncode == 0, out.stderr
    assert len(target.read_text().splitlines()) == 7


@pytest.mark.parametrize(
    "output, words", [("missing-folder/out.jsonl", "folder does not exist"), (".", "is a directory")]
)
def test_bad_output_paths_exit_2_in_one_line(infile, output, words):
    assert words in _one_line_error(run("batch", str(infile), "-o", output, cwd=infile.parent))


def test_input_directory_exits_2_in_one_line(tmp_path):
    assert "is a directory" in _one_line_error(run("batch", str(tmp_path), "-o", str(tmp_path / "o.jsonl")))


def test_pretty_printed_json_says_it_wants_json_lines(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(json.loads(shared_case_files()[0].read_text()), indent=2))
    out = tmp_path / "out.jsonl"
    out.write_text("kept\n")
    text = _one_line_error(run("batch", str(case), "-o", str(out)))
    assert "JSON Lines" in text and "plexnav assess" in text
    assert out.read_text() == "kept\n"


def test_unknown_field_is_named(infile):
    text = _one_line_error(run("batch", str(infile), "-o", "-", "--fields", "site,sites"))
    assert "'sites'" in text and "site, triage, causes" in text


# --- in process: content


def test_interrupted_run_leaves_the_old_output_and_no_temporary_file(infile, tmp_path, monkeypatch):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    from plexnav.cli import batch as batch_module

    def broken(*args, **kwargs):
        yield [(True, b"{}")]
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_module, "_results", broken)
    with pytest.raises(KeyboardInterrupt):
        run_batch(str(infile), str(out), workers=1)
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_non_utf8_input_is_a_file_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"format": "plexnav-case/1", "id": "\xff"}\n')
    with pytest.raises(BatchFileError, match="not UTF-8"):
        run_batch(str(bad), str(tmp_path / "o.jsonl"), workers=1)
    assert not (tmp_path / "o.jsonl").exists()


def test_answers_are_the_full_assessment_and_errors_carry_their_line(infile, tmp_path, model, cases_text):
    # a blank line is skipped but still counted in the line numbers
    infile.write_text(cases_text + "\n" + BAD_LINE + "\n")
    out = tmp_path / "out.jsonl"
    counts = run_batch(str(infile), str(out), chunk=4, workers=1)
    assert counts == {"ok": 6, "errors": 1}
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    cases = [parse_case(line)[0] for line in cases_text.splitlines()]
    expected = [json.loads(a.to_json()) for a in assess_many(cases, model)]
    assert lines[:6] == expected
    assert lines[6]["line"] == 8 and lines[6]["error"][0]["path"] == "exam.strength[0].movement"


def test_same_findings_under_another_id_are_a_memo_hit_with_the_id_spliced(tmp_path, cases_text, model):
    first = json.loads(cases_text.splitlines()[0])
    renamed = [dict(first, id=f"copy-{i}") for i in range(5)] + [dict(first, id=None)]
    renamed[-1].pop("id")
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(c) + "\n" for c in [first, *renamed]))
    out = tmp_path / "out.jsonl"
    from plexnav.cli import batch as batch_module

    worker = batch_module._Worker(None, 64)
    assessed = []
    answer = worker._answers
    worker._answers = lambda cases: assessed.extend(cases) or answer(cases)
    answers = worker.block([(i + 1, line) for i, line in enumerate(src.read_text().splitlines())])
    assert len(assessed) == 1 and assessed[0].id is None and len(worker.memo._items) == 1
    reference = json.loads(assess_many([parse_case(json.dumps(first))[0]], model)[0].to_json())
    for (good, text), case in zip(answers, [first, *renamed], strict=True):
        data = json.loads(text)
        assert good and data["case_id"] == case.get("id")
        assert dict(data, case_id=None) == dict(reference, case_id=None)
    # a second block of the same findings is answered from the memo alone
    worker.block([(1, json.dumps(dict(first, id="again")))])
    assert worker.memo.hits == 1 and len(assessed) == 1
    run_batch(str(src), str(out), workers=1)
    assert [json.loads(x)["case_id"] for x in out.read_text().splitlines()] == [c.get("id") for c in [first, *renamed]]


def test_compact_answers_equal_the_full_assessment(infile, tmp_path, model, cases_text):
    full, compact = tmp_path / "full.jsonl", tmp_path / "compact.jsonl"
    run_batch(str(infile), str(full), workers=1)
    run_batch(str(infile), str(compact), workers=1, fields=parse_fields("site,triage,causes"))
    for f, c in zip(
        map(json.loads, full.read_text().splitlines()), map(json.loads, compact.read_text().splitlines()), strict=True
    ):
        if "error" in f:
            assert c == f
            continue
        assert c["case_id"] == f["case_id"] and c["knowledge_version"] == f["knowledge_version"]
        assert c["triage"] == {"level": f["triage"]["level"], "reasons": f["triage"]["reasons"]}
        assert [(s["site"], s["side"], s["probability"], s.get("levels")) for s in c["site"]] == [
            (s["site"], s["side"], s["probability"], s.get("levels")) for s in f["localization"][:3]
        ]
        assert c["causes"] == [{"cause": e["cause"], "probability": e["probability"]} for e in f["etiology"][:3]]
    only = tmp_path / "triage.jsonl"
    run_batch(str(infile), str(only), workers=1, fields=parse_fields("triage"))
    assert set(json.loads(only.read_text().splitlines()[0])) == {"case_id", "knowledge_version", "triage"}


def test_two_workers_keep_the_order(infile, tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_batch(str(infile), str(one), chunk=2, workers=1, fields=parse_fields("site"))
    run_batch(str(infile), str(two), chunk=2, workers=2, fields=parse_fields("site"))
    assert one.read_text() == two.read_text()

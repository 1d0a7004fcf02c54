"""`plexnav report`: PDF or HTML, with a diary in JSON or CSV, and polite failures."""

from __future__ import annotations

import subprocess
import sys

from report_support import DIARY_FIXTURE, flat, page_count, pdf_text

from plexnav.diary import from_json, to_csv
from plexnav.examples import example_path

PLEXNAV = [sys.executable, "-m", "plexnav.cli"]


def run(*args, stdin: bytes | None = None):
    return subprocess.run([*PLEXNAV, *args], input=stdin, capture_output=True, timeout=180)


def test_report_writes_a_pdf_with_a_csv_diary(tmp_path):
    diary_csv = tmp_path / "diary.csv"
    diary_csv.write_text(to_csv(from_json(DIARY_FIXTURE.read_text())))
    out = tmp_path / "report.pdf"
    result = run(
        "report",
        str(example_path("common-peroneal-fibular-head")),
        "-o",
        str(out),
        "--kind",
        "patient",
        "--diary",
        str(diary_csv),
    )
    assert result.returncode == 0, result.stderr
    assert b"wrote appointment summary" in result.stderr
    pdf = out.read_bytes()
    text = flat(pdf_text(pdf))
    assert "the peroneal nerve at the outside of the knee" in text and "My recovery diary" in text
    assert "Your pain has fallen by about a third over 6 weeks" in text
    assert "plexnav supports clinical judgement; it never replaces it" in text
    assert page_count(pdf) == 2


def test_report_html_to_stdout_from_stdin():
    result = run("report", "-", "-o", "-", "--html", stdin=example_path("l5-radiculopathy").read_bytes())
    assert result.returncode == 0, result.stderr
    html = result.stdout.decode()
    assert html.startswith("<!DOCTYPE html>") and "My appointment summary" in html
    assert 'id="patient-region-' in html


def _invoke(*args, stdin: str | None = None):
    """In process (fast) for the error paths; the two tests above run the real subprocess."""
    from typer.testing import CliRunner

    from plexnav.cli.main import app

    return CliRunner().invoke(app, list(args), input=stdin)


def test_report_rejects_bad_input_with_exit_2(tmp_path):
    target = tmp_path / "x.pdf"
    bad_case = _invoke(
        "report", "-", "-o", str(target), stdin='{"format": "plexnav-case/1", "symptoms": [{"kind": "pian"}]}'
    )
    assert bad_case.exit_code == 2 and "did you mean 'pain'" in bad_case.output
    bad_diary = tmp_path / "diary.json"
    bad_diary.write_text(
        '{"entries": [{"date": "2026-01-01", "pain": [{"region": "groin", "side": "left", "score": 12}]}]}'
    )
    result = _invoke("report", str(example_path("l5-radiculopathy")), "-o", str(target), "--diary", str(bad_diary))
    assert result.exit_code == 2 and "entries.0.pain.0.score" in result.output
    missing = _invoke(
        "report", str(example_path("l5-radiculopathy")), "-o", str(target), "--diary", str(tmp_path / "none.json")
    )
    assert missing.exit_code == 2 and "no such diary file" in missing.output
    kind = _invoke("report", str(example_path("l5-radiculopathy")), "-o", str(target), "--kind", "nurse")
    assert kind.exit_code == 2
    assert not target.exists()


def test_report_writes_html_file(tmp_path):
    target = tmp_path / "summary.html"
    result = _invoke(
        "report", str(example_path("l5-radiculopathy")), "-o", str(target), "--html", "--kind", "clinician"
    )
    assert result.exit_code == 0, result.output
    html = target.read_text()
    assert "Clinician report" in html and "left L5 root lesion" in html

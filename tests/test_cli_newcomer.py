"""The command line for a newcomer (issue 9, item 13): a starting case, the version, id lists,
topic suggestions, output formats that follow the file name, shell completion."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from plexnav.cli.main import app
from plexnav.examples import example_names, example_path


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin)


def test_example_lists_every_bundled_case_with_what_it_shows():
    result = invoke("example")
    assert result.exit_code == 0, result.output
    listed = [line.split()[0] for line in result.output.splitlines()[1:] if line.strip()]
    assert listed == example_names()
    as_json = json.loads(invoke("example", "--json").output)
    assert [e["name"] for e in as_json] == example_names() and all(e["about"] for e in as_json)


def test_example_prints_a_case_that_assess_accepts():
    printed = invoke("example", "l5-radiculopathy")
    assert printed.exit_code == 0
    assert json.loads(printed.output) == json.loads(example_path("l5-radiculopathy").read_text())
    assessed = invoke("assess", "-", "--json", stdin=printed.output)
    assert assessed.exit_code == 0 and json.loads(assessed.output)["localization"][0]["site"] == "root:L5"


def test_unknown_example_suggests_the_closest_and_exits_2():
    result = invoke("example", "l5")
    assert result.exit_code == 2 and "did you mean 'l5-radiculopathy'" in result.output


def test_version_flag_prints_the_package_version():
    from importlib.metadata import version

    result = subprocess.run([sys.executable, "-m", "plexnav.cli", "--version"], capture_output=True, timeout=60)
    assert result.returncode == 0 and result.stdout.decode().strip() == f"plexnav {version('plexnav')}"


@pytest.mark.parametrize("kind", ["muscle", "movement", "nerve", "root", "region", "study", "reflex"])
def test_kb_kind_without_an_id_lists_the_valid_ids(kind):
    result = invoke("kb", kind, "--json")
    assert result.exit_code == 0, result.output
    ids = json.loads(result.output)
    assert len(ids) > 3
    described = invoke("kb", kind, ids[0], "--json")  # every listed id is one kb describes
    assert described.exit_code == 0, described.output


def test_kb_lesion_without_a_site_lists_the_sites():
    sites = json.loads(invoke("kb", "lesion", "--json").output)
    assert "nerve:common_peroneal" in sites and "root:L5" in sites
    assert invoke("kb", "lesion", sites[0], "--json").exit_code == 0


def test_kb_lesion_in_words_shows_a_cord_lesions_tract_effects():
    """A cord lesion damages no node of the plexus graph: its table shows its cord effects,
    and a one-sided cord lesion those on the other side too."""
    result = invoke("kb", "lesion", "spinal_cord")
    assert result.exit_code == 0, result.output
    assert "upper motor neuron weakness" in result.output and "cord, other side" in result.output


def test_kb_kinds_registered_are_the_knowledge_query_kinds():
    from plexnav.cli.kb import KINDS
    from plexnav.knowledge.query import KINDS as QUERY_KINDS

    assert KINDS == QUERY_KINDS


def test_kb_listing_in_words_names_the_next_step():
    result = invoke("kb", "muscle")
    assert result.exit_code == 0 and "plexnav kb muscle ID" in result.output and "tibialis_anterior" in result.output


@pytest.mark.parametrize("typed, suggested", [("xyz", "plexus"), ("red-flgs", "red_flags"), ("treatmnt", "treatment")])
def test_learn_always_suggests_the_closest_topic(typed, suggested):
    result = invoke("learn", typed)
    assert result.exit_code == 2 and f"Did you mean '{suggested}'?" in result.output


def test_worksheet_format_follows_the_output_extension(tmp_path):
    target = tmp_path / "review.csv"
    assert invoke("kb", "worksheet", "-o", str(target)).exit_code == 0
    header = target.read_text().splitlines()[0]
    assert "," in header and not header.startswith("#")


@pytest.mark.parametrize(
    "args, words",
    [
        (
            ("kb", "worksheet", "--format", "md", "-o", "{tmp}/review.csv"),
            "is a csv file name but the format asked for is md",
        ),
        (("kb", "worksheet", "-o", "{tmp}/review.txt"), "cannot tell the format"),
        (("report", str(example_path("l5-radiculopathy")), "-o", "{tmp}/summary.pdf", "--html"), "is a pdf file name"),
        (("report", str(example_path("l5-radiculopathy")), "-o", "{tmp}/summary.docx"), "cannot tell the format"),
        (("export", "fhir", str(example_path("l5-radiculopathy")), "-o", "{tmp}/bundle.xml"), "cannot tell the format"),
    ],
)
def test_an_output_name_that_disagrees_with_the_format_is_refused_and_nothing_is_written(tmp_path, args, words):
    result = invoke(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert result.exit_code == 2 and words in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # renders a whole report (body map, plots): several seconds even on a quiet machine
def test_report_with_an_html_name_writes_html_without_the_flag(tmp_path):
    target = tmp_path / "summary.html"
    result = invoke("report", str(example_path("l5-radiculopathy")), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("<!DOCTYPE html>")


def test_shell_completion_is_offered():
    result = invoke("--help")
    assert "--install-completion" in result.output and "--show-completion" in result.output


def _complete(words: str) -> list[str]:
    """What bash completion offers after ``words`` (typer's completion protocol)."""
    import os
    from pathlib import Path

    script = Path(sys.executable).parent / "plexnav"
    env = {
        **os.environ,
        "_PLEXNAV_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    done = subprocess.run([str(script)], env=env, capture_output=True, timeout=60)
    return done.stdout.decode().split()


def test_bash_completion_offers_commands_and_example_names():
    assert {"example", "examine", "export"} <= set(_complete("plexnav ex"))
    assert _complete("plexnav example l5") == ["l5-radiculopathy"]

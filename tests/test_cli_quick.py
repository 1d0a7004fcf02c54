"""``plexnav assess CASE [--json]`` and the plain forms of ``plexnav batch`` are answered
before typer loads (plexnav.cli.quick), and say exactly what the full command table says: the
same output, error lines and exit status.

The full command table still answers every other form; ``--max-bytes`` with a limit larger
than any case sends the same call through it, which is how the two are compared here."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from plexnav.cli.quick import assess_arguments, batch_arguments
from plexnav.examples import example_names, example_path
from test_cli_startup import PROBE  # the same module-listing probe

PLEXNAV = [sys.executable, "-m", "plexnav.cli"]
FULL = ("--max-bytes", "10000000")  # an option only the full command table parses
MISSPELT = (
    b'{"format": "plexnav-case/1", "exam": {"strength": [{"movement": "knee_extention", "side": "left", "mrc": 3}]}}'
)


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PLEXNAV, *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["case.json"], ("case.json", False)),
        (["case.json", "--json"], ("case.json", True)),
        (["--json", "case.json"], ("case.json", True)),
        (["-"], ("-", False)),
        (["-", "--json"], ("-", True)),
        ([], None),
        (["--help"], None),
        (["case.json", "--help"], None),
        (["case.json", "--max-bytes", "10"], None),
        (["case.json", "--jsn"], None),
        (["a.json", "b.json"], None),
        (["case.json", "--json", "--json"], None),
        (["--", "case.json"], None),
    ],
)
def test_only_the_plain_forms_take_the_quick_path(args, expected):
    assert assess_arguments(args) == expected


@pytest.mark.parametrize("name", example_names())
@pytest.mark.parametrize("json_flag", [("--json",), ()])
def test_quick_and_full_paths_print_the_same_assessment(name, json_flag):
    path = str(example_path(name))
    quick, full = run("assess", path, *json_flag), run("assess", path, *json_flag, *FULL)
    assert quick.returncode == full.returncode == 0, quick.stderr + full.stderr
    assert quick.stdout == full.stdout and quick.stdout.strip()
    assert quick.stderr == full.stderr


@pytest.mark.parametrize("text", [b"", b"{", MISSPELT, b"[]"])
def test_quick_and_full_paths_refuse_a_bad_case_alike(text):
    quick, full = run("assess", "-", "--json", stdin=text), run("assess", "-", "--json", *FULL, stdin=text)
    assert quick.returncode == full.returncode == 2
    assert quick.stderr == full.stderr and quick.stderr.startswith(b"error: ")
    assert quick.stdout == full.stdout == b""


def test_quick_and_full_paths_refuse_a_missing_file_alike(tmp_path):
    missing = str(tmp_path / "nothing.json")
    quick, full = run("assess", missing), run("assess", missing, *FULL)
    assert quick.returncode == full.returncode == 2
    assert quick.stderr == full.stderr == f"error: no such file: {missing}\n".encode()


def test_quick_path_follows_the_api_limit_setting():
    path = str(example_path("l5-radiculopathy"))
    small = run("assess", path, "--json", env={"PLEXNAV_MAX_BODY_BYTES": "100"})
    assert small.returncode == 2 and b"limit" in small.stderr and small.stdout == b""
    bad = run("assess", path, env={"PLEXNAV_MAX_BODY_BYTES": "lots"})
    assert bad.returncode == 2 and bad.stdout == b""
    assert bad.stderr == b"error: PLEXNAV_MAX_BODY_BYTES must be a whole number of bytes, not 'lots'\n"


def test_an_unknown_option_still_gets_the_command_tables_usage_error():
    done = run("assess", str(example_path("l5-radiculopathy")), "--jsn")
    assert done.returncode == 2 and b"--jsn" in done.stderr and done.stdout == b""


def test_quick_assess_loads_neither_typer_nor_networkx_nor_yaml():
    run("assess", str(example_path("l5-radiculopathy")), "--json")  # the engine snapshot is written
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "assess", str(example_path("l5-radiculopathy")), "--json"],
        capture_output=True,
        timeout=120,
    )
    modules = set(json.loads(done.stderr.decode().rsplit("MODULES ", 1)[1]))
    assert "plexnav.engine.assess" in modules
    loaded = [m for m in ("typer", "networkx", "yaml", "plexnav.cli.commands") if m in modules]
    assert loaded == []


def test_a_reader_that_goes_away_ends_both_paths_alike():
    path = str(example_path("l5-radiculopathy"))
    outcomes = []
    for extra in ((), FULL):
        done = subprocess.Popen(
            [*PLEXNAV, "assess", path, "--json", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        done.stdout.close()  # nobody reads the answer
        outcomes.append((done.wait(timeout=120), done.stderr.read()))
        done.stderr.close()
    assert outcomes[0] == outcomes[1] == (1, b"")


# ----------------------------------------------------------------------------- batch


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["in.jsonl", "-o", "out.jsonl"], ("in.jsonl", "out.jsonl", None, 512, 0)),
        (["-o", "out.jsonl", "in.jsonl"], ("in.jsonl", "out.jsonl", None, 512, 0)),
        (["-", "--output", "-", "--fields", "site", "--workers", "2"], ("-", "-", "site", 512, 2)),
        (["in.jsonl", "-o", "o", "--chunk", "7", "--workers", "0"], ("in.jsonl", "o", None, 7, 0)),
        (["in.jsonl"], None),
        (["in.jsonl", "-o"], None),
        (["in.jsonl", "-o", "a", "-o", "b"], None),
        (["in.jsonl", "-o", "o", "--chunk", "0"], None),
        (["in.jsonl", "-o", "o", "--workers", "-1"], None),
        (["in.jsonl", "-o", "o", "--chunk", "x"], None),
        (["in.jsonl", "-o", "o", "--chunk=7"], None),
        (["in.jsonl", "-o", "o", "--help"], None),
        (["a.jsonl", "b.jsonl", "-o", "o"], None),
        (["in.jsonl", "-o", "o", "--fileds", "site"], None),
    ],
)
def test_only_the_plain_batch_forms_take_the_quick_path(args, expected):
    assert batch_arguments(args) == expected


@pytest.mark.parametrize("fields", [(), ("--fields", "site,triage,causes"), ("--fields", "sight")])
def test_quick_and_full_batch_write_the_same_answers_and_lines(tmp_path, fields):
    """The same file in, through the quick path and through the command table (which alone
    reads ``--chunk=N``): the same answers, the same line on standard error, the same status."""
    lines = [
        json.dumps({k: v for k, v in json.loads(example_path(name).read_text()).items() if k != "expected"})
        for name in example_names()[:3]
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([*lines, '{"format": "plexnav-case/1", "patient": {"age": "old"}}']) + "\n")
    outcomes = []
    for extra in (("--chunk", "2"), ("--chunk=2",)):
        out = tmp_path / f"out{len(outcomes)}.jsonl"
        done = run("batch", str(source), "-o", str(out), "--workers", "1", *fields, *extra)
        outcomes.append((done.returncode, done.stderr, out.read_bytes() if out.exists() else None))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == (2 if "sight" in fields else 0)


def test_quick_batch_loads_no_typer(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"format": "plexnav-case/1", "symptoms": [{"kind": "pain", "side": "left"}]}) + "\n")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "batch", str(source), "-o", str(tmp_path / "o.jsonl"), "--workers", "1"],
        capture_output=True,
        timeout=120,
    )
    modules = set(json.loads(done.stderr.decode().rsplit("MODULES ", 1)[1]))
    assert "plexnav.cli.batch" in modules
    assert [m for m in ("typer", "plexnav.cli.commands") if m in modules] == []


def test_the_quick_path_pauses_the_garbage_collector_only_while_it_runs(capsys):
    """quick.run and the snapshot read pause the cyclic collector (start-up speed) and leave it
    as they found it, so a caller in the same process (a test, an embedding) keeps its own."""
    import gc

    from plexnav.cli import quick

    assert gc.isenabled()
    assert quick.run(str(example_path("l5-radiculopathy")), True) == 0
    assert json.loads(capsys.readouterr().out)["localization"][0]["site"] == "root:L5"
    assert gc.isenabled()
    gc.disable()
    try:
        assert quick.run(str(example_path("l5-radiculopathy")), True) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()

"""The command line loads only what a command uses (issue 11: start in a blink).

Timing on a shared machine is noisy (benchmarks/cli_startup.py measures it); what a
command imports is not, so these tests pin it: ``--version`` loads neither typer nor the
command table, ``--help`` typer and the command table only, ``assess`` never loads the web,
storage, report or export code.  The CPU time of ``--version`` and ``--help`` (the best of
three runs, which waiting for a busy core does not inflate) is held under the 0.25 s target.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest

from plexnav.examples import example_path

PROBE = """
import json, sys
from plexnav.cli.main import run
sys.argv = ["plexnav", *sys.argv[1:]]
try:
    run()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""

NEVER_AT_START = (
    "networkx",
    "numpy",
    "pydantic",
    "yaml",
    "rich",
    "plexnav.case",
    "plexnav.validation",
    "plexnav.knowledge.base",
    "plexnav.engine.assess",
)
NEVER_FOR_ASSESS = (
    "plexnav.reports",
    "plexnav.interop",
    "plexnav.api",
    "plexnav.web",
    "plexnav.store",
    "fastapi",
    "sqlalchemy",
    "weasyprint",
    "matplotlib",
    "jinja2",
    "dask",
    "pyarrow",
    "scipy",
)


def loaded(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, timeout=120)
    text = done.stderr.decode()
    return set(json.loads(text.rsplit("MODULES ", 1)[1]))


def _under(modules: set[str], package: str) -> bool:
    return any(m == package or m.startswith(package + ".") for m in modules)


def test_version_loads_neither_typer_nor_the_command_table():
    modules = loaded("--version")
    assert not _under(modules, "typer") and "plexnav.cli.commands" not in modules
    assert [p for p in NEVER_AT_START if _under(modules, p)] == []


def test_version_is_the_installed_one():
    from importlib.metadata import version

    done = subprocess.run([sys.executable, "-m", "plexnav.cli", "--version"], capture_output=True, timeout=60)
    assert done.returncode == 0 and done.stdout.decode() == f"plexnav {version('plexnav')}\n"


def _best_cpu_seconds(*args: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "plexnav.cli", *args], capture_output=True, check=True, timeout=60)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return best


@pytest.mark.parametrize("args", [("--version",), ("--help",)])
def test_version_and_help_start_within_a_quarter_second_of_cpu(args):
    assert _best_cpu_seconds(*args) < 0.25


def test_help_loads_no_engine_knowledge_or_models():
    modules = loaded("--help")
    assert "typer" in modules
    assert [p for p in NEVER_AT_START if _under(modules, p)] == []


@pytest.mark.parametrize("args", [("kb", "--help"), ("export", "--help"), ("example",)])
def test_subcommand_help_and_examples_load_no_engine_or_knowledge(args):
    # typer itself coerces the options of a sub-command with pydantic: that one is allowed
    modules = loaded(*args)
    assert [p for p in NEVER_AT_START if p != "pydantic" and _under(modules, p)] == []


def test_assess_loads_no_web_storage_report_or_export_code():
    modules = loaded("assess", str(example_path("l5-radiculopathy")), "--json")
    assert "plexnav.engine.assess" in modules
    assert [p for p in NEVER_FOR_ASSESS if _under(modules, p)] == []
    assert not _under(modules, "rich")  # --json prints no table

"""``./run.sh`` installs only when needed (issue 9, item 14): a stamp of pyproject.toml.

The script runs in a copy of the project layout whose ``.venv`` holds stand-in ``python``
and ``plexnav`` programs that log how they were called, so the test never installs
anything and needs no network: it checks *when* run.sh would install, and that a call with
a fresh stamp reaches plexnav without pip in well under a second.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]

FAKE_PYTHON = """#!/usr/bin/env bash
echo "python $*" >> "$LOG"
if [ "$1 $2" = "-m venv" ]; then exit 0; fi
if [ "$1 $2 $3" = "-m pip install" ]; then
  [ -n "${OFFLINE:-}" ] && { echo "pip: network unreachable" >&2; exit 1; }
  cat > "$(dirname "$0")/plexnav" <<'EOF'
#!/usr/bin/env bash
echo "plexnav $*" >> "$LOG"
EOF
  chmod +x "$(dirname "$0")/plexnav"
fi
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(PROJECT / "run.sh", tmp_path / "run.sh")
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    return tmp_path


def run(project: Path, *args: str, offline: bool = False) -> tuple[subprocess.CompletedProcess, list[str], float]:
    log = project / "calls.log"
    log.write_text("")
    env = {**os.environ, "LOG": str(log)}
    if offline:
        env["OFFLINE"] = "1"
    started = time.perf_counter()
    done = subprocess.run(["bash", str(project / "run.sh"), *args], capture_output=True, env=env, timeout=60)
    return done, log.read_text().splitlines(), time.perf_counter() - started


def pip_calls(calls: list[str]) -> list[str]:
    return [c for c in calls if " -m pip " in f" {c} "]


def test_first_call_installs_and_later_calls_do_not(project):
    first, calls, _ = run(project, "--version")
    assert first.returncode == 0, first.stderr
    assert pip_calls(calls) and calls[-1] == "plexnav --version"
    second, calls, elapsed = run(project, "--version")
    assert second.returncode == 0 and calls == ["plexnav --version"]
    assert elapsed < 1.0


def test_a_changed_pyproject_installs_again(project):
    run(project, "--version")
    with (project / "pyproject.toml").open("a") as f:
        f.write("\n# a new dependency would change this file\n")
    _, calls, _ = run(project, "--version")
    assert pip_calls(calls)
    _, calls, _ = run(project, "--version")
    assert not pip_calls(calls)


def test_works_offline_after_install(project):
    run(project, "--version")
    done, calls, _ = run(project, "assess", "case.json", offline=True)
    assert done.returncode == 0, done.stderr
    assert calls == ["plexnav assess case.json"]


def test_a_failed_install_leaves_no_stamp_so_the_next_call_retries(project):
    failed, _, _ = run(project, "--version", offline=True)
    assert failed.returncode != 0 and b"network unreachable" in failed.stderr
    assert not (project / ".venv" / ".plexnav-installed").exists()
    _, calls, _ = run(project, "--version")
    assert pip_calls(calls)


def test_no_arguments_assess_the_bundled_example(project):
    run(project)
    _, calls, _ = run(project)
    assert calls == [f"plexnav assess {project}/src/plexnav/examples/l5-radiculopathy.json"]
    assert (PROJECT / "src/plexnav/examples/l5-radiculopathy.json").is_file()

"""``./run.sh`` installs only when needed (issue 9, item 14), and then from the lock (issue 14).

A stamp records the hash of what the install depends on: pyproject.toml, the lock file
requirements/runtime.txt and scripts/install.sh, which installs the locked pins with
``--require-hashes`` and then plexnav itself.

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
    for name in ("run.sh", "pyproject.toml", "requirements/runtime.txt", "scripts/install.sh"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT / name, tmp_path / name)
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


def test_the_install_is_the_locked_one(project):
    done, calls, _ = run(project, "--version")
    assert done.returncode == 0, done.stderr
    locked = [c for c in pip_calls(calls) if "-r requirements/runtime.txt" in c]
    assert locked and "--require-hashes" in locked[0]
    editable = [c for c in pip_calls(calls) if " -e ." in c]
    assert editable and calls.index(editable[0]) > calls.index(locked[0])  # plexnav after its pinned dependencies


@pytest.mark.parametrize("changed", ["pyproject.toml", "requirements/runtime.txt", "scripts/install.sh"])
def test_a_changed_pyproject_lock_or_install_script_installs_again(project, changed):
    run(project, "--version")
    with (project / changed).open("a") as f:
        f.write("\n# a new dependency or pin would change this file\n")
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

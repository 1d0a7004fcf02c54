"""`plexnav examine` driven through a pseudo-terminal, as a clinician at a terminal would."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_guided_oracle import L5_ROOT, answer_for

PLEXNAV = Path(sys.executable).with_name("plexnav")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
QUESTION = re.compile(r"\(((?:strength|reflex|sensation|sign|ncs|needle_emg):[a-z_0-9:]+): gain")


class Terminal:
    """A child process on a pseudo-terminal: send lines, read until a pattern shows."""

    def __init__(self, *args: str, cwd: Path):
        self.master, slave = pty.openpty()
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "TERM": "xterm"}
        self.process = subprocess.Popen(
            [str(PLEXNAV), *args], stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, close_fds=True
        )
        os.close(slave)
        self.seen, self.cursor = "", 0

    def read_until(self, pattern: str, timeout: float = 120.0) -> str:
        """The output since the last match, up to and including the next match of ``pattern``."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = re.search(pattern, self.seen[self.cursor :])
            if found:
                chunk = self.seen[self.cursor : self.cursor + found.end()]
                self.cursor += found.end()
                return chunk
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    break
                if not data:
                    break
                self.seen += ANSI.sub("", data.decode("utf-8", "replace").replace("\r", ""))
        raise AssertionError(f"{pattern!r} not seen; output ends:\n{self.seen[-2000:]}")

    def send(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def close(self) -> int:
        try:
            return self.process.wait(timeout=60)
        finally:
            os.close(self.master)


@pytest.mark.skipif(not PLEXNAV.exists(), reason="the plexnav entry point is not installed in this environment")
def test_examine_an_l5_root_lesion_from_an_empty_case_to_the_stop(tmp_path, model):
    out = tmp_path / "grown.json"
    term = Terminal("examine", "-o", str(out), cwd=tmp_path)
    mark, asked = 0, 0
    try:
        while asked < 40:
            chunk = term.read_until(r"\n> ")
            if "Stop:" in chunk:
                break
            key = QUESTION.findall(chunk)[-1]
            if asked == 1:  # skip once and undo the skip: the same question returns
                term.send("s")
                assert QUESTION.findall(term.read_until(r"\n> "))[-1] != key
                term.send("u")
                assert QUESTION.findall(term.read_until(r"\n> "))[-1] == key
            term.send(answer_for(model, L5_ROOT, key))
            asked += 1
            mark = asked
        assert "right L5 root lesion" in chunk.split("Stop:")[0].split("\n1 ")[1].split("\n")[0], chunk
        assert json.loads(out.read_text())["exam"]["strength"]  # written while examining
        term.send("q")
        term.read_until("Case written to")
    finally:
        code = term.close()
    assert code == 0 and mark >= 3
    grown = json.loads(out.read_text())
    from plexnav.validation import validate_case

    case, _ = validate_case(grown)
    answered = sum(len(v) for v in grown["exam"].values()) + sum(len(v) for v in grown["electrodiagnosis"].values())
    assert answered == mark


@pytest.mark.skipif(not PLEXNAV.exists(), reason="the plexnav entry point is not installed in this environment")
def test_examine_refuses_a_bad_case_file_with_its_path(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"format": "plexnav-case/1", "exam": {"strength": [{"movement": "hip", "side": "left", "mrc": 3}]}})
    )
    run = subprocess.run([str(PLEXNAV), "examine", str(bad)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "exam.strength[0].movement" in run.stderr
    run = subprocess.run([str(PLEXNAV), "examine", "--phase", "emg"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "--phase" in run.stderr

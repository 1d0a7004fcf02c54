"""An assessment never depends on the interpreter's hash seed: sets of history factors are
iterated in a fixed order wherever their floating-point sums are formed (a case with a
cancer and pelvic radiotherapy once named a different rival in one explanation line
depending on the seed)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import shared_case_files

_SCRIPT = """
import sys
from plexnav.engine.assess import assess
from plexnav.validation import parse_case
case, _ = parse_case(open(sys.argv[1], 'rb').read())
print(assess(case).model_dump_json())
"""


def test_an_assessment_is_the_same_under_every_hash_seed():
    files = [p for p in shared_case_files() if p.name.startswith("p08")]
    if not files:
        pytest.skip("shared cases not available")
    answers = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _SCRIPT, str(files[0])], env=env, capture_output=True, text=True, check=True
        )
        answers.add(out.stdout)
    assert len(answers) == 1

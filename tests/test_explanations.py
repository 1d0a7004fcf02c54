"""The teaching reasoning of the shared cases is visible in the explanation lines."""

from __future__ import annotations

import pytest

from conftest import shared_case_files
from plexnav.engine.assess import localize
from plexnav.validation import parse_case

# case file prefix -> words that must appear in the leading site's supporting lines
TEACHING = {
    "p02": ["superficial peroneal sensory response", "paraspinal"],
    "p05": ["saphenous sensory response", "adductor", "femoral nerve lesion"],
    "p06": ["gluteus medius", "sural sensory response"],
    "p07": ["superficial peroneal sensory response", "paraspinal"],
    "p10": ["iliopsoas"],
    "p13": ["biceps femoris (short head)"],
    "p14": ["fibular head"],
    "p16": ["sensory response", "length-dependent process spares proximal"],
}


@pytest.mark.parametrize("prefix", sorted(TEACHING))
def test_teaching_points_are_in_supporting_lines(model, prefix):
    files = [p for p in shared_case_files() if p.name.startswith(prefix)]
    if not files:
        pytest.skip("shared cases not available")
    case, expected = parse_case(files[0].read_bytes())
    entries, next_findings = localize(case, model)
    text = " ".join(entries[0].supporting + entries[0].against).lower()
    for words in TEACHING[prefix]:
        assert words.lower() in text, f"{prefix}: '{words}' missing from: {text[:600]}"


def test_explanation_steps_carry_keys_and_weights(model):
    files = shared_case_files()
    if not files:
        pytest.skip("shared cases not available")
    case, _ = parse_case(files[1].read_bytes())
    entries, next_findings = localize(case, model)
    steps = entries[0].explanation
    assert steps and all(s.key and s.text and s.finding for s in steps)
    assert [s.text for s in steps if s.weight > 0][:8] == entries[0].supporting[:8]
    assert all(nf.finding.count(":") >= 1 and nf.why for nf in next_findings)


def test_findings_alike_on_both_sides_make_one_line(model):
    files = [p for p in shared_case_files() if p.name.startswith("p16")]
    if not files:
        pytest.skip("shared cases not available")
    case, _ = parse_case(files[0].read_bytes())
    entries, _ = localize(case, model)
    lines = entries[0].supporting + entries[0].against
    assert any("left and right sural sensory response" in line for line in lines)
    assert not any(" left sural sensory response" in line for line in lines)

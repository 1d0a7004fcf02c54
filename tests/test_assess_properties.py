"""Invariants of the whole assessment over generated cases: it never fails on valid input,
and its output keeps the contract of case-format §4."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from guidance_support import case_dict
from plexnav import vocabulary as V
from plexnav.case import Assessment
from plexnav.engine.assess import assess
from plexnav.validation import validate_case

NCS = st.builds(
    lambda s, side, r: {"study": s, "side": side, "result": r},
    st.sampled_from(V.NCS_STUDIES),
    st.sampled_from(V.SIDES),
    st.sampled_from(V.NCS_RESULTS),
)
EMG = st.builds(
    lambda m, side, r: {"muscle": m, "side": side, "result": r},
    st.sampled_from([m for m in V.EMG_MUSCLES if m != "external_anal_sphincter"]),
    st.sampled_from(V.SIDES),
    st.sampled_from(V.EMG_RESULTS),
)


@st.composite
def full_case(draw):
    body = draw(case_dict())
    # one result per study and muscle: two different ones would be a contradiction validation refuses
    body["electrodiagnosis"] = {
        "nerve_conduction": draw(st.lists(NCS, max_size=4, unique_by=lambda x: x["study"])),
        "needle_emg": draw(st.lists(EMG, max_size=5, unique_by=lambda x: x["muscle"])),
    }
    if draw(st.booleans()):
        body["patient"] = {"age": draw(st.integers(0, 120)), "sex": draw(st.sampled_from(V.SEXES))}
    return validate_case({"format": "plexnav-case/1", **body})[0]


@settings(max_examples=150, deadline=None)
@given(full_case())
def test_assessment_contract_holds_for_any_valid_case(model, case):
    result = assess(case, model)
    Assessment.model_validate(result.model_dump())  # the output validates against its own model
    probs = [e.probability for e in result.localization]
    assert result.localization and all(0 <= p <= 1 for p in probs)
    assert sum(probs) <= 1 + 1e-6
    assert probs == sorted(probs, reverse=True)
    assert abs(sum(e.probability for e in result.etiology) - 1) < 1e-3
    assert result.triage.level in V.TRIAGE_LEVELS and result.triage.reasons
    assert result.knowledge_version == model.kb.version_label
    assert np.isfinite(probs).all()

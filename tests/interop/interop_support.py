"""Shared helpers of the interop tests: the shared cases and a generator of valid cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import strategies as st

from plexnav import vocabulary as V

# tests/interop/interop_support.py -> parents: interop, tests, main, /work  ->  /work/shared/cases
SHARED_CASES = Path(__file__).resolve().parents[3] / "shared" / "cases"
TIMESTAMP = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)


def shared_case_files() -> list[Path]:
    return sorted(SHARED_CASES.glob("*.json")) if SHARED_CASES.is_dir() else []


SHARED = shared_case_files()
needs_shared = pytest.mark.skipif(not SHARED, reason="shared cases not available")


def shared_case_json(prefix: str) -> dict | None:
    files = [p for p in shared_case_files() if p.name.startswith(prefix)]
    return json.loads(files[0].read_text()) if files else None


# ---------------------------------------------------------------- valid cases, every field of the format

SIDE = st.sampled_from(V.SIDES)
MIDLINE_SIDE = st.sampled_from([None, "bilateral"])
NUMBER = st.floats(allow_nan=False, allow_infinity=False, width=64)


def _maybe(draw, strategy, key: str, out: dict) -> None:
    value = draw(st.one_of(st.none(), strategy))
    if value is not None:
        out[key] = value


@st.composite
def symptom(draw) -> dict:
    kind = draw(st.sampled_from(V.SYMPTOM_KINDS))
    out = {"kind": kind}
    _maybe(draw, st.sampled_from(V.SKIN_REGIONS), "region", out)
    # (1.1) saddle and genital skin take any side; bladder, bowel and sexual function stay midline
    _maybe(draw, MIDLINE_SIDE if kind in V.MIDLINE_SYMPTOMS else SIDE, "side", out)
    _maybe(draw, st.sampled_from(V.PAIN_QUALITIES), "quality", out)
    _maybe(draw, st.floats(0, 10, allow_nan=False), "severity", out)
    _maybe(draw, st.sampled_from(V.WEAKNESS_ACTIVITIES), "activity", out)
    _maybe(draw, st.booleans(), "onset_sudden_severe", out)
    _maybe(draw, st.lists(st.sampled_from(V.PROVOKED_BY), max_size=3), "provoked_by", out)
    _maybe(draw, st.lists(st.sampled_from(V.RELIEVED_BY), max_size=3), "relieved_by", out)
    return out


@st.composite
def strength(draw) -> dict:
    out = {
        "movement": draw(st.sampled_from(V.MOVEMENTS)),
        "side": draw(SIDE),
        "mrc": draw(st.floats(0, 5, allow_nan=False)),
    }
    _maybe(draw, st.sampled_from(V.LIMITED_BY), "limited_by", out)
    return out


@st.composite
def reflex(draw) -> dict:
    name = draw(st.sampled_from(V.REFLEXES))
    grades = V.REFLEX_GRADES + (V.PLANTAR_GRADES if name == "plantar" else ())
    out = {"reflex": name, "grade": draw(st.sampled_from(grades))}
    if name in V.MIDLINE_REFLEXES:
        _maybe(draw, MIDLINE_SIDE, "side", out)
    else:
        out["side"] = draw(SIDE)
    return out


@st.composite
def sensation(draw) -> dict:
    region = draw(st.sampled_from(V.SKIN_REGIONS))
    out = {"region": region, "finding": draw(st.sampled_from(V.SENSORY_FINDINGS))}
    if region in V.MIDLINE_REGIONS:
        _maybe(draw, SIDE, "side", out)  # (1.1) any side or none
    else:
        out["side"] = draw(SIDE)
    return out


@st.composite
def sign(draw) -> dict:
    name = draw(st.sampled_from(V.SIGNS))
    out = {"sign": name}
    if name in V.SIGNS_WITH_REGION:
        regions = V.COMPARTMENT_REGIONS if name == "tender_tense_compartment" else V.MUSCLE_REGIONS
        out["region"] = draw(st.sampled_from(regions))
    if name in V.SIGNS_WITH_RESULT:
        _maybe(draw, st.sampled_from(V.SIGN_RESULTS), "result", out)
    _maybe(draw, MIDLINE_SIDE if name in V.MIDLINE_SIGNS else SIDE, "side", out)
    return out


@st.composite
def needle_emg(draw) -> dict:
    muscle = draw(st.sampled_from(V.EMG_MUSCLES))
    out = {"muscle": muscle, "result": draw(st.sampled_from(V.EMG_RESULTS))}
    if muscle == "external_anal_sphincter":
        _maybe(draw, SIDE, "side", out)
    else:
        out["side"] = draw(SIDE)
    return out


_VERTEBRA = r"(T([1-9]|1[0-2])|L[1-5]|S[1-5])"
LEVEL = st.from_regex(rf"\A{_VERTEBRA}(-{_VERTEBRA})?\Z")


@st.composite
def investigation(draw) -> dict:
    test = draw(st.sampled_from(V.LAB_TESTS + V.IMAGING_TESTS))
    out = {"test": test}
    if test in V.LAB_TESTS:
        out["value"] = draw(NUMBER)
        return out  # (1.1) a laboratory value takes no level, side, site or position
    out["finding"] = draw(st.sampled_from(V.IMAGING_FINDINGS))
    _maybe(draw, LEVEL, "level", out)
    _maybe(draw, SIDE, "side", out)
    _maybe(draw, st.sampled_from(V.SITES), "site", out)
    _maybe(draw, st.sampled_from(V.IMAGING_POSITIONS), "position", out)
    return out


@st.composite
def case_json(draw) -> dict:
    """A valid plexnav-case/1 object that may use any field of the format."""
    out: dict = {"format": V.CASE_FORMAT}
    _maybe(draw, st.text(max_size=20), "id", out)
    patient: dict = {}
    _maybe(draw, st.integers(0, 120), "age", patient)
    _maybe(draw, st.sampled_from(V.SEXES), "sex", patient)
    out["patient"] = patient
    history: dict = {"factors": draw(st.lists(st.sampled_from(V.HISTORY_FACTORS), max_size=4))}
    _maybe(draw, st.sampled_from(V.ONSETS), "onset", history)
    _maybe(draw, st.sampled_from(V.COURSES), "course", history)
    _maybe(draw, st.integers(0, 10**6), "duration_days", history)
    out["history"] = history
    out["symptoms"] = draw(st.lists(symptom(), max_size=4))
    out["exam"] = {
        # one entry per item: two different grades of one movement are a contradiction validation refuses
        "strength": draw(st.lists(strength(), max_size=4, unique_by=lambda x: x["movement"])),
        "reflexes": draw(st.lists(reflex(), max_size=3, unique_by=lambda x: x["reflex"])),
        "sensation": draw(st.lists(sensation(), max_size=3, unique_by=lambda x: x["region"])),
        "signs": draw(st.lists(sign(), max_size=3, unique_by=lambda x: (x["sign"], x.get("region")))),
    }
    out["electrodiagnosis"] = {
        "nerve_conduction": draw(
            st.lists(
                st.builds(
                    lambda s, side, r: {"study": s, "side": side, "result": r},
                    st.sampled_from(V.NCS_STUDIES),
                    SIDE,
                    st.sampled_from(V.NCS_RESULTS),
                ),
                max_size=3,
                unique_by=lambda x: x["study"],
            )
        ),
        "needle_emg": draw(st.lists(needle_emg(), max_size=3, unique_by=lambda x: x["muscle"])),
    }
    out["investigations"] = draw(st.lists(investigation(), max_size=3))
    return out


# the case that uses every 1.1 field, shared with the web and report tests
from revision_1_1 import revision_1_1_case, with_revision_1_1_output  # noqa: E402,F401

"""Shared helpers of the interop tests: the shared cases and a generator of valid cases."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import strategies as st

from plexnav import vocabulary as V

# tests/interop/interop_support.py -> parents: interop, tests, main, /work  ->  /work/shared/cases
SHARED_CASES = Path(__file__).resolve().parents[3] / "shared" / "cases"
TIMESTAMP = datetime(2026, 1, 31, 9, 30, tzinfo=timezone.utc)


def shared_case_files() -> list[Path]:
    return sorted(SHARED_CASES.glob("*.json")) if SHARED_CASES.is_dir() else []


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
    out = {"movement": draw(st.sampled_from(V.MOVEMENTS)), "side": draw(SIDE),
           "mrc": draw(st.floats(0, 5, allow_nan=False))}
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
        "strength": draw(st.lists(strength(), max_size=4)),
        "reflexes": draw(st.lists(reflex(), max_size=3)),
        "sensation": draw(st.lists(sensation(), max_size=3)),
        "signs": draw(st.lists(sign(), max_size=3)),
    }
    out["electrodiagnosis"] = {
        "nerve_conduction": draw(st.lists(st.builds(lambda s, side, r: {"study": s, "side": side, "result": r},
                                                    st.sampled_from(V.NCS_STUDIES), SIDE,
                                                    st.sampled_from(V.NCS_RESULTS)), max_size=3)),
        "needle_emg": draw(st.lists(needle_emg(), max_size=3)),
    }
    out["investigations"] = draw(st.lists(investigation(), max_size=3))
    return out


# ---------------------------------------------------------------- a case that uses every 1.1 field

EVALUATION_KEYS = ("expected", "teaching", "source", "source_kind")


def revision_1_1_case() -> dict | None:
    """p23 (greater trochanteric pain) and p24 (L5 root over a polyneuropathy) merged, plus every
    other field revision 1.1 added: the mimic signs (with results and a compartment region), a
    grade limited by effort, an empty and a one-sided provoked/relieved list, one-sided and
    bilateral perineal findings, the new investigations with level (T11-T12), position and site.
    None when the shared cases are not beside the project."""
    p23, p24 = shared_case_json("p23"), shared_case_json("p24")
    if p23 is None or p24 is None:
        return None
    case = {"format": V.CASE_FORMAT, "id": "revision-1.1-all-fields", "patient": p24["patient"],
            "history": p24["history"]}
    case["symptoms"] = p23["symptoms"] + p24["symptoms"] + [
        {"kind": "pain", "region": "posterior_leg", "side": "left", "quality": "aching", "severity": 5,
         "provoked_by": ["walking", "standing"], "relieved_by": ["standing_still", "sitting_or_bending_forward"]},
        {"kind": "pain", "region": "groin", "side": "right", "provoked_by": ["hip_movement"], "relieved_by": []},
        {"kind": "numbness", "region": "saddle", "side": "left"},
        {"kind": "tingling", "region": "genital", "side": "bilateral"},
        {"kind": "tingling", "region": "genital"},
    ]
    exam23, exam24 = p23["exam"], p24["exam"]
    case["exam"] = {
        "strength": exam23["strength"] + exam24["strength"] + [
            {"movement": "hip_flexion", "side": "left", "mrc": 4, "limited_by": "effort"}],
        "reflexes": exam24["reflexes"],
        "sensation": exam24["sensation"] + [
            {"region": "saddle", "side": "right", "finding": "reduced"},
            {"region": "genital", "finding": "normal"}],
        "signs": exam23["signs"] + exam24["signs"] + [
            {"sign": "sacroiliac_provocation", "side": "left", "result": "negative"},
            {"sign": "reduced_foot_pulses", "side": "left", "result": "positive"},
            {"sign": "reduced_foot_pulses", "side": "right"},
            {"sign": "tender_tense_compartment", "region": "anterior_leg", "side": "left", "result": "positive"},
            {"sign": "tender_tense_compartment", "region": "buttock", "side": "right", "result": "negative"},
            {"sign": "hoover_sign", "side": "left", "result": "negative"}],
    }
    case["electrodiagnosis"] = p24["electrodiagnosis"]
    case["investigations"] = [
        {"test": "mri_whole_spine", "finding": "cord_or_cauda_compression", "level": "T11-T12",
         "position": "central", "site": "spinal_cord"},
        {"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L3-L4", "position": "foraminal",
         "side": "left", "site": "root:L3"},
        {"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L4-L5", "position": "paracentral",
         "side": "right", "site": "root:L5"},
        {"test": "ultrasound_nerve", "finding": "mass", "side": "right", "site": "nerve:tibial"},
        {"test": "mri_pelvis", "finding": "plexus_enhancement_or_thickening", "side": "left", "site": "plexus:sacral"},
        {"test": "pet_ct", "finding": "bone_metastasis", "level": "T10"},
        {"test": "hip_imaging", "finding": "hip_osteoarthritis", "side": "right"},
        {"test": "mri_knee", "finding": "muscle_edema_or_necrosis", "side": "left"},
        {"test": "ct_abdomen_pelvis", "finding": "disc_herniation", "level": "L2-L3", "position": "extraforaminal",
         "side": "left", "site": "root:L2"},
        {"test": "ankle_brachial_index", "value": 0.62},
        {"test": "creatinine", "value": 1.4},
        {"test": "hba1c", "value": 7.9},
    ]
    return case


def with_revision_1_1_output(assessment):
    """An engine assessment with the 1.1 output fields filled in (the engine may not write them
    yet): a background polyneuropathy and a `when` on every work-up item."""
    from plexnav.case import BackgroundEntry, WorkupEntry

    whens = V.WORKUP_WHEN
    workup = [w.model_copy(update={"when": whens[i % len(whens)]}) for i, w in enumerate(assessment.workup)]
    workup.append(WorkupEntry(test="mri_whole_spine", priority="emergency", when="immediately",
                              why="Cord compression at T11-T12 on imaging."))
    background = [BackgroundEntry(site="polyneuropathy", side="bilateral", probability=0.78,
                                  why="Stocking numbness, both ankle jerks absent and low sural responses on both sides.")]
    return assessment.model_copy(update={"workup": workup, "background": background})

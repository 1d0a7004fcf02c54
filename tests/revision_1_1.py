"""A case that uses every field revision 1.1 of the case format added, and an assessment with
the 1.1 output fields (work-up ``when``, ``background``), for the interop, web and report tests."""

from __future__ import annotations

import json
from pathlib import Path

from plexnav import vocabulary as V

SHARED_CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"


def _shared(prefix: str) -> dict | None:
    files = sorted(SHARED_CASES.glob(f"{prefix}*.json")) if SHARED_CASES.is_dir() else []
    return json.loads(files[0].read_text()) if files else None


# ---------------------------------------------------------------- a case that uses every 1.1 field

EVALUATION_KEYS = ("expected", "teaching", "source", "source_kind")


def _sides(item: dict) -> set:
    side = item.get("side")
    return {"left", "right"} if side == "bilateral" else {side}


def _not_in(first: list, second: list, name: str) -> list:
    """``first``'s findings that ``second`` does not record for the same item and side: one
    patient's exam has one grade per movement and side (two would be a contradiction)."""
    taken = [(item[name], item.get("region"), _sides(item)) for item in second]
    return [
        item
        for item in first
        if not any(item[name] == n and item.get("region") == r and _sides(item) & s for n, r, s in taken)
    ]


def revision_1_1_case() -> dict | None:
    """p23 (greater trochanteric pain) and p24 (L5 root over a polyneuropathy) merged, plus every
    other field revision 1.1 added: the mimic signs (with results and a compartment region), a
    grade limited by effort, an empty and a one-sided provoked/relieved list, one-sided and
    bilateral perineal findings, the new investigations with level (T11-T12), position and site.
    None when the shared cases are not beside the project."""
    p23, p24 = _shared("p23"), _shared("p24")
    if p23 is None or p24 is None:
        return None
    case = {
        "format": V.CASE_FORMAT,
        "id": "revision-1.1-all-fields",
        "patient": p24["patient"],
        "history": p24["history"],
    }
    case["symptoms"] = (
        p23["symptoms"]
        + p24["symptoms"]
        + [
            {
                "kind": "pain",
                "region": "posterior_leg",
                "side": "left",
                "quality": "aching",
                "severity": 5,
                "provoked_by": ["walking", "standing"],
                "relieved_by": ["standing_still", "sitting_or_bending_forward"],
            },
            {"kind": "pain", "region": "groin", "side": "right", "provoked_by": ["hip_movement"], "relieved_by": []},
            {"kind": "numbness", "region": "saddle", "side": "left"},
            {"kind": "tingling", "region": "genital", "side": "bilateral"},
            {"kind": "tingling", "region": "genital"},
        ]
    )
    exam23, exam24 = p23["exam"], p24["exam"]
    limited = [s for s in exam23["strength"] if "limited_by" in s]
    graded = [s for s in exam23["strength"] if "limited_by" not in s]
    case["exam"] = {
        # p23's pain-limited grade is a 1.1 field under test: it replaces p24's grade of that movement
        "strength": limited
        + _not_in(graded, exam24["strength"], "movement")
        + _not_in(exam24["strength"], limited, "movement")
        + [{"movement": "hip_flexion", "side": "left", "mrc": 4, "limited_by": "effort"}],
        "reflexes": exam24["reflexes"],
        "sensation": exam24["sensation"]
        + [{"region": "saddle", "side": "right", "finding": "reduced"}, {"region": "genital", "finding": "normal"}],
        "signs": _not_in(exam23["signs"], exam24["signs"], "sign")
        + exam24["signs"]
        + [
            {"sign": "sacroiliac_provocation", "side": "left", "result": "negative"},
            {"sign": "reduced_foot_pulses", "side": "left", "result": "positive"},
            {"sign": "reduced_foot_pulses", "side": "right"},
            {"sign": "tender_tense_compartment", "region": "anterior_leg", "side": "left", "result": "positive"},
            {"sign": "tender_tense_compartment", "region": "buttock", "side": "right", "result": "negative"},
            {"sign": "hoover_sign", "side": "left", "result": "negative"},
        ],
    }
    case["electrodiagnosis"] = p24["electrodiagnosis"]
    case["investigations"] = [
        {
            "test": "mri_whole_spine",
            "finding": "cord_or_cauda_compression",
            "level": "T11-T12",
            "position": "central",
            "site": "spinal_cord",
        },
        {
            "test": "mri_lumbar_spine",
            "finding": "disc_herniation",
            "level": "L3-L4",
            "position": "foraminal",
            "side": "left",
            "site": "root:L3",
        },
        {
            "test": "mri_lumbar_spine",
            "finding": "disc_herniation",
            "level": "L4-L5",
            "position": "paracentral",
            "side": "right",
            "site": "root:L5",
        },
        {"test": "ultrasound_nerve", "finding": "mass", "side": "right", "site": "nerve:tibial"},
        {"test": "mri_pelvis", "finding": "plexus_enhancement_or_thickening", "side": "left", "site": "plexus:sacral"},
        {"test": "pet_ct", "finding": "bone_metastasis", "level": "T10"},
        {"test": "hip_imaging", "finding": "hip_osteoarthritis", "side": "right"},
        {"test": "mri_knee", "finding": "muscle_edema_or_necrosis", "side": "left"},
        {
            "test": "ct_abdomen_pelvis",
            "finding": "disc_herniation",
            "level": "L2-L3",
            "position": "extraforaminal",
            "side": "left",
            "site": "root:L2",
        },
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
    workup.append(
        WorkupEntry(
            test="mri_whole_spine",
            priority="emergency",
            when="immediately",
            why="Cord compression at T11-T12 on imaging.",
        )
    )
    background = [
        BackgroundEntry(
            site="polyneuropathy",
            side="bilateral",
            probability=0.78,
            why="Stocking numbness, both ankle jerks absent and low sural responses on both sides.",
        )
    ]
    return assessment.model_copy(update={"workup": workup, "background": background})

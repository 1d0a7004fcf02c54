"""Clinical safety of the advice (issue 15): each rule of docs/safety-review.md shown on a
case that triggers it.  Localizations are hand-built (with the engine's hypothesis ids where
the lesion point matters), so these tests do not depend on the localization engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from guidance_support import DOSE, all_text, make_case
from plexnav import vocabulary as V
from plexnav.case import BackgroundEntry, LocalizationEntry
from plexnav.engine.advise import advise
from plexnav.engine.etiology import rank_causes
from plexnav.engine.triage import assess_triage
from plexnav.engine.workup import context_facts
from plexnav.knowledge.guidance import load_guidance_knowledge

K = load_guidance_knowledge()
OPTION_IDS = {m["option"]: m["id"] for m in K.management["management"]}
PELVIC_OR_BODY = {"mri_pelvis_plexus", "ct_pelvis", "ct_abdomen_pelvis", "pet_ct"}


def loc(site, side="left", p=1.0, hypothesis=None) -> LocalizationEntry:
    return LocalizationEntry(site=site, side=side, probability=p, supporting=[], against=[], hypothesis=hypothesis)


def run(localization, **sections):
    return advise(make_case(**sections), localization, K)


def planned(out) -> dict:
    return {w.test: w for w in out["workup"]}


def option_ids(out) -> list[str]:
    return [OPTION_IDS[m.option] for m in out["management"][1:]]


# ----------------------------------------------------------------------------- cases

TIBIAL_AT_KNEE = dict(
    patient={"age": 67, "sex": "male"},
    history={"onset": "subacute", "course": "worsening", "duration_days": 30},
    symptoms=[
        {"kind": "numbness", "region": "sole", "side": "left"},
        {"kind": "weakness", "activity": "walking_on_toes", "side": "left"},
    ],
    exam={
        "strength": [
            {"movement": "ankle_plantarflexion", "side": "left", "mrc": 3},
            {"movement": "toe_flexion", "side": "left", "mrc": 3},
        ],
        "sensation": [{"region": "sole", "side": "left", "finding": "reduced"}],
    },
)
TIBIAL_LOC = [
    loc("nerve:tibial", "left", 0.8, "nerve_tibial_knee"),
    loc("nerve:sciatic", "left", 0.2, "nerve_sciatic_notch"),
]

MSCC = dict(  # shared case p22, with an examination
    patient={"age": 71, "sex": "female"},
    history={
        "onset": "subacute",
        "course": "worsening",
        "duration_days": 18,
        "factors": ["cancer_history", "night_pain"],
    },
    symptoms=[
        {"kind": "pain", "region": "lower_back", "quality": "aching", "severity": 8},
        {"kind": "weakness", "activity": "stairs", "side": "bilateral"},
        {"kind": "gait_difficulty"},
    ],
    exam={
        "strength": [
            {"movement": "hip_flexion", "side": "left", "mrc": 4},
            {"movement": "hip_flexion", "side": "right", "mrc": 4},
        ]
    },
)

CRUSH = dict(
    patient={"age": 34, "sex": "male"},
    history={"onset": "acute", "course": "stable", "duration_days": 1, "factors": ["prolonged_immobility"]},
    symptoms=[
        {"kind": "pain", "region": "lateral_leg", "side": "right", "severity": 9},
        {"kind": "weakness", "activity": "foot_drop_tripping", "side": "right"},
    ],
    exam={
        "strength": [{"movement": "ankle_dorsiflexion", "side": "right", "mrc": 1}],
        "signs": [{"sign": "tender_tense_compartment", "region": "anterior_leg", "side": "right"}],
    },
    investigations=[{"test": "ck", "value": 48000}, {"test": "creatinine", "value": 2.6}],
)
CRUSH_LOC = [loc("nerve:deep_peroneal", "right", 0.6), loc("nerve:common_peroneal", "right", 0.4)]

CES = dict(
    history={"onset": "acute", "duration_days": 2, "factors": ["lifting_injury"]},
    symptoms=[
        {"kind": "bladder_dysfunction"},
        {"kind": "numbness", "region": "saddle", "side": "bilateral"},
        {"kind": "pain", "region": "lower_back", "side": "bilateral", "severity": 8},
    ],
)
CES_LOC = [loc("cauda_equina", "bilateral", 0.9), loc("polyradiculopathy", "bilateral", 0.1)]

SACRAL_THICKENED = dict(
    patient={"age": 60, "sex": "female"},
    history={"onset": "subacute", "course": "worsening", "factors": ["cancer_history"]},
    symptoms=[{"kind": "pain", "region": "buttock", "side": "left", "severity": 7}],
    exam={"strength": [{"movement": "ankle_plantarflexion", "side": "left", "mrc": 4}]},
    investigations=[{"test": "mri_pelvis", "finding": "plexus_enhancement_or_thickening", "site": "plexus:sacral"}],
)

HIP = dict(
    patient={"age": 68, "sex": "female"},
    history={"onset": "chronic", "course": "worsening", "duration_days": 200},
    symptoms=[
        {
            "kind": "pain",
            "region": "groin",
            "side": "right",
            "quality": "aching",
            "severity": 6,
            "provoked_by": ["walking", "hip_movement"],
        },
        {"kind": "pain", "region": "anterior_thigh", "side": "right", "quality": "aching", "severity": 4},
    ],
    exam={
        "strength": [
            {"movement": "hip_flexion", "side": "right", "mrc": 4, "limited_by": "pain"},
            {"movement": "knee_extension", "side": "right", "mrc": 5},
        ],
        "reflexes": [{"reflex": "patellar", "side": "right", "grade": "normal"}],
        "signs": [
            {"sign": "hip_rotation_pain", "side": "right", "result": "positive"},
            {"sign": "antalgic_gait", "side": "right"},
        ],
    },
)
HIP_LOC = [
    loc("no_neurological_lesion", "right", 0.7, "mimic_hip_joint:right"),
    loc("root:L3", "right", 0.15),
    loc("nerve:femoral", "right", 0.15),
]


# ----------------------------------------------------------------------------- work-up


def test_tibial_lesion_at_the_knee_gets_knee_imaging_not_pelvic_imaging():
    out = run(TIBIAL_LOC, **TIBIAL_AT_KNEE)
    got = planned(out)
    assert not PELVIC_OR_BODY & set(got), got
    assert "mri_knee" in got or "ultrasound_nerve" in got
    assert got["mri_knee"].when == "within_2_weeks"
    assert not any("cancer team" in m.option for m in out["management"])
    # a history of cancer alone does not move imaging to the pelvis for a lesion below the knee
    history = {**TIBIAL_AT_KNEE["history"], "factors": ["cancer_history"]}
    out = run(TIBIAL_LOC, **{**TIBIAL_AT_KNEE, "history": history})
    assert not PELVIC_OR_BODY & set(planned(out))


def test_suspected_metastatic_compression_gets_whole_spine_mri_within_24h():
    for localization in ([], [loc("cauda_equina", "bilateral", 0.5), loc("polyradiculopathy", "bilateral", 0.5)]):
        out = run(localization, **MSCC)
        got = planned(out)
        assert got["mri_whole_spine"].priority == "emergency"
        assert got["mri_whole_spine"].when in ("immediately", "within_24h")
        assert out["workup"][0].test == "mri_whole_spine"
        assert "emg_ncs" not in got or got["emg_ncs"].priority == "low"
    # the shared case as written (patient answers alone)
    out = run([], **{k: v for k, v in MSCC.items() if k != "exam"})
    assert planned(out)["mri_whole_spine"].when in ("immediately", "within_24h")


def test_a_deposit_in_the_pelvis_on_a_nerve_is_not_a_suspected_cord_compression():
    """A bone deposit with a deficit is suspected metastatic compression when it is in the
    spine (NICE NG234); one a pelvic scan places on the lumbosacral trunk, outside the canal,
    presses that nerve, not the cord: no emergency whole-spine MRI on its account."""
    weak = {"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 4}]}
    pain = [{"kind": "pain", "region": "buttock", "side": "left"}]
    trunk = [loc("plexus:lumbosacral_trunk", "left", 0.9), loc("root:L5", "left", 0.1)]
    pelvic = {"test": "mri_pelvis", "finding": "bone_metastasis", "side": "left", "site": "plexus:lumbosacral_trunk"}
    out = run(trunk, symptoms=pain, exam=weak, investigations=[pelvic])
    assert "mri_whole_spine" not in planned(out)
    spinal = {"test": "mri_lumbar_spine", "finding": "bone_metastasis", "level": "L5"}
    out = run(trunk, symptoms=pain, exam=weak, investigations=[spinal])
    assert planned(out)["mri_whole_spine"].priority == "emergency"
    # found without a known cancer: the reason does not speak of a history of cancer
    assert "history of cancer" not in planned(out)["mri_whole_spine"].why


def test_a_whole_spine_mri_with_no_compression_answers_the_suspicion_of_cord_compression():
    """After cancer, a deposit in a vertebra with numb feet is suspected compression until the
    whole spine is scanned (NICE NG234); once that scan shows no pressure on the cord or the
    cauda equina and the findings point to the nerves of both feet, the teams are not asked
    to take pressure off the cord now, while a scan that shows the compression, or a cauda
    equina picture, keeps that step."""
    numb = [{"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}]
    deposit = {"test": "mri_whole_spine", "finding": "bone_metastasis", "level": "T11"}
    history = {"onset": "subacute", "course": "worsening", "duration_days": 35, "factors": ["cancer_history"]}
    feet = [loc("polyneuropathy", "bilateral", 0.9), loc("spinal_cord", "bilateral", 0.1)]
    scanned = run(feet, history=history, symptoms=numb, investigations=[deposit])
    assert "mscc_teams" not in option_ids(scanned)
    assert "mri_whole_spine" not in planned(scanned)
    pressed = {"test": "mri_whole_spine", "finding": "cord_or_cauda_compression", "level": "T11"}
    compressed = run(feet, history=history, symptoms=numb, investigations=[deposit, pressed])
    assert "mscc_teams" in option_ids(compressed)
    cauda = [loc("cauda_equina", "bilateral", 0.9), loc("polyneuropathy", "bilateral", 0.1)]
    assert "mscc_teams" in option_ids(run(cauda, history=history, symptoms=numb, investigations=[deposit]))
    lumbar_only = {"test": "mri_lumbar_spine", "finding": "bone_metastasis", "level": "L2"}
    unscanned = run(feet, history=history, symptoms=numb, investigations=[lumbar_only])
    assert planned(unscanned)["mri_whole_spine"].priority == "emergency"


def test_cord_signs_get_whole_spine_mri():
    out = run(
        [loc("spinal_cord", "bilateral", 0.7), loc("cauda_equina", "bilateral", 0.3)],
        history={"onset": "subacute", "course": "worsening"},
        exam={
            "reflexes": [{"reflex": "plantar", "side": "left", "grade": "extensor"}],
            "strength": [{"movement": "hip_flexion", "side": "left", "mrc": 4}],
        },
    )
    got = planned(out)
    assert got["mri_whole_spine"].priority in ("emergency", "high")
    assert got["mri_whole_spine"].when in ("immediately", "within_24h")


def test_emergency_pictures_get_no_emg_ahead_of_imaging():
    for localization, sections in ((CES_LOC, CES), ([], MSCC)):
        out = run(localization, **sections)
        assert out["workup"][0].priority == "emergency"
        emg = planned(out).get("emg_ncs")
        assert emg is None or emg.priority == "low"


def test_conus_picture_gets_imaging_not_a_bladder_scan_or_emg():
    out = run(
        [loc("conus_medullaris", "bilateral", 0.8), loc("cauda_equina", "bilateral", 0.2)],
        patient={"age": 62},
        history={"onset": "sudden", "duration_days": 1},
        symptoms=[
            {"kind": "weakness", "side": "bilateral", "onset_sudden_severe": True},
            {"kind": "bladder_dysfunction"},
            {"kind": "pain", "region": "lower_back", "side": "bilateral", "severity": 7},
        ],
        exam={
            "strength": [
                {"movement": "ankle_dorsiflexion", "side": "left", "mrc": 2},
                {"movement": "ankle_dorsiflexion", "side": "right", "mrc": 2},
            ]
        },
    )
    got = planned(out)
    assert got["mri_whole_spine"].priority == "emergency"
    assert "post_void_residual" not in got and "emg_ncs" not in got


def test_abnormal_pelvic_mri_is_never_read_as_negative():
    out = run([loc("plexus:sacral", "left", 0.8), loc("root:S1", "left", 0.2)], **SACRAL_THICKENED)
    assert not [w for w in out["workup"] if "missed" in w.why]
    assert "mri_pelvis_plexus" not in planned(out)
    assert "pet_ct" in planned(out)
    # every abnormal finding, on every pelvic scan: no "repeat to find what was missed"
    for finding in V.IMAGING_FINDINGS:
        if finding == "normal":
            continue
        sections = {**SACRAL_THICKENED, "investigations": [{"test": "mri_pelvis", "finding": finding}]}
        out = run([loc("plexus:sacral", "left", 0.9)], **sections)
        assert not [w for w in out["workup"] if "missed" in w.why], finding
    # a normal scan may still be repeated while a tumour stays possible
    normal = {**SACRAL_THICKENED, "investigations": [{"test": "mri_pelvis", "finding": "normal"}]}
    repeat = planned(run([loc("plexus:sacral", "left", 0.9)], **normal))["mri_pelvis_plexus"]
    assert "missed" in repeat.why and repeat.when == "routine"


def test_every_workup_item_says_when():
    for localization, sections in (
        (TIBIAL_LOC, TIBIAL_AT_KNEE),
        ([], MSCC),
        (CRUSH_LOC, CRUSH),
        (CES_LOC, CES),
        (HIP_LOC, HIP),
        ([loc("plexus:sacral")], SACRAL_THICKENED),
        ([], {}),
    ):
        for w in run(localization, **sections)["workup"]:
            assert w.when in V.WORKUP_WHEN, w
    assert all(rule["due"] in V.WORKUP_WHEN and rule["serves"] for rule in K.workup["rules"])


def test_crush_picture_gets_ck_kidney_tests_and_fasciotomy_first():
    no_labs = {**CRUSH, "investigations": []}
    out = run(CRUSH_LOC, **no_labs)
    got = planned(out)
    assert got["ck"].when == "immediately" and got["renal_function"].when == "immediately"
    assert got["ck"].priority in ("emergency", "high")
    out = run(CRUSH_LOC, **CRUSH)
    assert out["etiology"][0].cause == "compartment_syndrome_or_crush"
    # already done: not again at once; the kidneys within a day (they can fail over the next
    # days) and the CK once the muscle recovers (Bosch 2009)
    again = planned(out)
    assert again["renal_function"].when == "within_24h" and again["ck"].when == "within_2_weeks"
    assert "again" in again["ck"].why and "repeated" in again["renal_function"].why
    assert option_ids(out)[0] == "compartment_fasciotomy"
    assert "fasciotomy" in out["management"][1].option


def test_knee_mimic_gets_knee_care_not_spine_scans_or_sciatica_medicines():
    """Knee osteoarthritis read under no nerve lesion (NICE NG226: a clinical diagnosis from
    45, treated with exercise and weight advice): the knee's care, no lumbar MRI, no nerve
    tests at a routine visit, no 'medicines for a pinched nerve root'."""
    lead = loc("no_neurological_lesion", "right", 0.7, "mimic_knee_joint:right")
    lead.look_alikes = {"knee_joint": 0.7, "hip_joint": 0.1, "none": 0.2}
    out = run(
        [lead, loc("root:L3", "right", 0.3)],
        patient={"age": 74},
        history={"onset": "chronic", "duration_days": 200},
        symptoms=[{"kind": "pain", "region": "anterior_knee", "side": "right", "provoked_by": ["walking"]}],
        exam={"strength": [{"movement": "knee_extension", "side": "right", "mrc": 4, "limited_by": "pain"}]},
    )
    assert "knee_joint_care" in option_ids(out)
    assert not {"mri_lumbar_spine", "emg_ncs", "tumor_markers"} & set(planned(out))
    assert not any("pinched nerve root" in m.option for m in out["management"])
    assert "knee joint" in out["plain_summary"]


def test_joint_care_needs_pain_where_the_joint_hurts():
    """Heel pain on walking can put the knee or hip look-alike first on its provocation alone
    (plantar heel pain has no look-alike of its own): knee, hip or outer-hip care is offered
    only when the pain is where that joint or tendon hurts."""
    for mimic, option, region in (
        ("knee_joint", "knee_joint_care", "anterior_knee"),
        ("hip_joint", "hip_joint_care", "groin"),
        ("greater_trochanteric", "outer_hip_tendons", "lateral_thigh"),
    ):
        lead = loc("no_neurological_lesion", "left", 0.8, f"mimic_{mimic}:left")
        lead.look_alikes = {mimic: 0.6, "none": 0.4}
        for where, fits in ((region, True), ("heel", False)):
            pain = [{"kind": "pain", "region": where, "side": "left", "provoked_by": ["walking", "standing"]}]
            out = run([lead], patient={"age": 47}, history={"onset": "chronic", "duration_days": 130}, symptoms=pain)
            assert (option in option_ids(out)) == fits, (mimic, where)


def test_hip_mimic_gets_hip_imaging_not_spine_or_cancer_tests():
    out = run(HIP_LOC, **HIP)
    got = planned(out)
    assert "hip_imaging" in got
    assert not {
        "mri_lumbar_spine",
        "ct_abdomen_pelvis",
        "tumor_markers",
        "post_void_residual",
        "mri_pelvis_plexus",
    } & set(got)
    assert "hip_joint_care" in option_ids(out)
    assert "hip joint" in out["plain_summary"]
    vascular = run(
        [loc("no_neurological_lesion", "left", 0.7, "mimic_vascular_claudication"), loc("root:S1", "left", 0.3)],
        patient={"age": 70},
        history={"onset": "chronic", "factors": ["smoking"]},
        symptoms=[
            {
                "kind": "pain",
                "region": "posterior_leg",
                "side": "left",
                "provoked_by": ["walking"],
                "relieved_by": ["standing_still"],
            }
        ],
        exam={"signs": [{"sign": "reduced_foot_pulses", "side": "left"}]},
    )
    assert {"ankle_brachial_index", "vascular_surgery_review"} <= set(planned(vascular))


def test_back_pain_with_no_nerve_pressed_is_not_scanned_but_kept_active():
    """NICE NG59: no imaging for low back pain without a warning sign; exercise and staying
    active first.  The same localization after a cancer is a suspected spinal metastasis
    (NICE NG234): the whole spine is scanned and nothing that moves or loads the spine is
    offered before it."""
    back = [
        loc("no_neurological_lesion", "left", 0.55, "mimic_mechanical_back:symptomatic"),
        loc("root:L5", "left", 0.25),
    ]
    sections = dict(
        patient={"age": 45},
        history={"onset": "acute", "duration_days": 20},
        symptoms=[{"kind": "pain", "region": "lower_back", "side": "left"}],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 5}]},
    )
    out = run(back, **sections)
    assert not {"mri_lumbar_spine", "emg_ncs"} & set(planned(out))
    assert "back_pain_exercise" in option_ids(out)
    # NICE NG59: an anti-inflammatory when safe, not paracetamol alone; with a blood thinner
    # the bleeding-safe question instead
    assert "back_pain_medicines" in option_ids(out) and "simple_analgesics" not in option_ids(out)
    thinned = run(
        back, **dict(sections, history={"onset": "acute", "duration_days": 20, "factors": ["anticoagulation"]})
    )
    assert "simple_analgesics_bleeding" in option_ids(thinned) and "back_pain_medicines" not in option_ids(thinned)
    assert "joints, discs or muscles of the low back could be causing this" in out["plain_summary"]
    cancer = run(back, **dict(sections, history={"onset": "acute", "duration_days": 20, "factors": ["cancer_history"]}))
    assert not {"back_pain_exercise", "manual_therapy", "physio_stretch"} & set(option_ids(cancer))
    assert "mri_whole_spine" in planned(cancer)
    assert {"manual_therapy", "physio_stretch"} <= set(option_ids(out))


def test_a_worsening_weakness_is_investigated_before_manipulation_or_injection():
    """Back pain with both hips weakening over weeks (MRC 2) and no scan yet: a progressive
    neurological deficit is a red flag (NICE CKS sciatica), so no spinal manipulation or
    injection is offered before it is investigated; once a spine MRI is in the case, that
    contraindication lifts, and a spine surgeon's opinion is asked for while manipulation
    stays withheld (a weakness getting worse is not a back to manipulate)."""
    roots = [loc("polyradiculopathy", "bilateral", 0.5), loc("cauda_equina", "bilateral", 0.2)]
    sections = dict(
        patient={"age": 72},
        history={"onset": "subacute", "course": "worsening", "duration_days": 60},
        symptoms=[{"kind": "pain", "region": "lower_back"}, {"kind": "weakness", "side": "bilateral"}],
        exam={"strength": [{"movement": "hip_flexion", "side": s, "mrc": 2} for s in ("left", "right")]},
    )
    out = run(roots, **sections)
    assert "urgent.worsening_weakness" in out["triage"].rules
    assert not {"manual_therapy", "epidural_injection"} & set(option_ids(out))
    scanned = dict(
        sections, investigations=[{"test": "mri_lumbar_spine", "finding": "canal_stenosis", "level": "L3-L4"}]
    )
    ids = option_ids(run(roots, **scanned))
    assert "root_decompression" in ids and "manual_therapy" not in ids


def test_a_weakness_getting_worse_asks_the_spine_surgeon_and_is_not_manipulated():
    """An L5 root weakening over three weeks (MRC 4) with a matching disc on the MRI: a
    progressive deficit asks for a spine surgeon's opinion now, not after six weeks, and no
    spinal manipulation is offered (NICE CKS sciatica); the same picture, stable, keeps
    manipulation and waits for the surgeon."""
    l5 = [loc("root:L5", "left", 0.9)]
    sections = dict(
        history={"onset": "acute", "course": "worsening", "duration_days": 21},
        symptoms=[
            {"kind": "pain", "region": "buttock", "side": "left"},
            {"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"},
        ],
        exam={"strength": [{"movement": "great_toe_extension", "side": "left", "mrc": 4}]},
        investigations=[
            {
                "test": "mri_lumbar_spine",
                "finding": "disc_herniation",
                "level": "L4-L5",
                "side": "left",
                "position": "paracentral",
            }
        ],
    )
    out = run(l5, **sections)
    assert "urgent.progressive_weakness" in out["triage"].rules
    ids = option_ids(out)
    assert "root_decompression" in ids and "manual_therapy" not in ids
    stable = dict(sections, history={**sections["history"], "course": "stable"})
    ids = option_ids(run(l5, **stable))
    assert "manual_therapy" in ids and "root_decompression" not in ids


RUNNER_HIP = dict(
    patient={"age": 21, "sex": "female"},
    history={"onset": "subacute", "course": "worsening", "duration_days": 56},
    symptoms=[
        {"kind": "pain", "region": "groin", "side": "left", "provoked_by": ["walking", "hip_movement"]},
        {"kind": "weakness", "side": "left"},
    ],
    exam={"strength": [{"movement": "hip_abduction", "side": "left", "mrc": 4}]},
)
LOADING = {"physio_strength", "physio_stretch", "gait_balance", "hip_joint_care", "outer_hip_tendons"}


def _hip_loc(hip_share: float) -> list[LocalizationEntry]:
    lead = loc("no_neurological_lesion", "left", 0.6, "mimic_hip_joint:left")
    lead.look_alikes = {"hip_joint": hip_share, "greater_trochanteric": 0.9 - hip_share, "none": 0.1}
    return [lead, loc("root:L3", "left", 0.4)]


def test_exercise_related_hip_pain_is_imaged_before_exercise():
    """A femoral neck stress fracture is ruled out before the leg is loaded (Robertson &
    Wood 2017): radiographs miss many, and a loaded fracture can displace."""
    out = run(_hip_loc(0.5), **RUNNER_HIP)
    assert planned(out)["hip_imaging"].priority == "high"
    assert "stress fracture" in planned(out)["hip_imaging"].why
    assert "hip_protect" in option_ids(out) and not LOADING & set(option_ids(out))
    assert "stress fracture of the hip has been ruled out" in out["plain_summary"]
    assert "physiotherapy or a brace" not in out["plain_summary"]
    # after a normal hip image the MRI is asked for, and the wait holds
    imaged = run(
        _hip_loc(0.5), **RUNNER_HIP, investigations=[{"test": "hip_imaging", "finding": "normal", "side": "left"}]
    )
    assert "MRI" in planned(imaged)["hip_imaging"].why and "hip_protect" in option_ids(imaged)
    # a fracture on the image: a bone specialist, and still no exercise programme
    broken = run(
        _hip_loc(0.5), **RUNNER_HIP, investigations=[{"test": "hip_imaging", "finding": "fracture", "side": "left"}]
    )
    assert "hip_fracture_care" in option_ids(broken) and not LOADING & set(option_ids(broken))
    # ... and the summary asks about the broken bone it has, not about ruling one out
    assert "stress fracture" not in broken["plain_summary"]
    assert "while the bone at the hip is broken or weakened" in broken["plain_summary"]
    # pain that settles, years-old pain, a worn hip at 68 or a hip that is a small share: no wait
    settling = dict(RUNNER_HIP, history={"onset": "subacute", "course": "improving", "duration_days": 56})
    long_standing = dict(RUNNER_HIP, history={"onset": "chronic", "duration_days": 1000})
    # after a fall or with a broken pelvis on a scan the question is the injury's, not overuse
    fallen = dict(RUNNER_HIP, history={**RUNNER_HIP["history"], "factors": ["fall"]})
    pelvis_broken = dict(RUNNER_HIP, investigations=[{"test": "ct_pelvis", "finding": "fracture", "side": "left"}])
    # walking pain behind the ankle and in the sole (a dancer's tendon) is no hip pain, whatever
    # share of the no-lesion reading the hip joint holds
    ankle = dict(
        RUNNER_HIP,
        symptoms=[
            {"kind": "pain", "region": region, "side": "left", "provoked_by": ["walking"]}
            for region in ("heel", "sole")
        ],
        exam={"strength": [{"movement": "toe_flexion", "side": "left", "mrc": 4, "limited_by": "pain"}]},
    )
    cases = (
        (settling, 0.5),
        (long_standing, 0.5),
        (HIP, 0.5),
        (RUNNER_HIP, 0.1),
        (fallen, 0.5),
        (pelvis_broken, 0.5),
        (ankle, 0.5),
    )
    for sections, hip_share in cases:
        other = run(_hip_loc(hip_share), **sections)
        assert "hip_protect" not in option_ids(other), (sections, hip_share)
        assert "stress fracture" not in getattr(planned(other).get("hip_imaging"), "why", ""), (sections, hip_share)


def test_fever_with_new_pain_is_a_suspected_infection():
    """A febrile teenager with buttock pain and a painful sacroiliac joint (septic
    sacroiliitis: Weisz 2012) and no nerve lesion: cultures and a CRP within a day, and
    none of the treatments that an infection forbids."""
    sections = dict(
        patient={"age": 13, "sex": "male"},
        history={"onset": "acute", "factors": ["fever"]},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "right"}],
        exam={"signs": [{"sign": "sacroiliac_provocation", "side": "right", "result": "positive"}]},
    )
    si = loc("no_neurological_lesion", "right", 0.7, "mimic_sacroiliac:right")
    si.look_alikes = {"sacroiliac": 0.6, "none": 0.4}
    out = run([si, loc("root:S1", "right", 0.3)], **sections)
    got = planned(out)
    assert got["blood_cultures"].when == "within_24h" and got["crp"].when == "within_24h"
    forbidden = {"manual_therapy", "physio_stretch", "epidural_injection"}
    assert not forbidden & set(option_ids(out))
    assert "infection_abscess" in [e.cause for e in out["etiology"][:3]]
    assert "How an infection will be ruled out".lower() in out["plain_summary"].lower()
    afebrile = run([si, loc("root:S1", "right", 0.3)], **dict(sections, history={"onset": "acute"}))
    assert "blood_cultures" not in planned(afebrile)
    assert "infection_abscess" not in [e.cause for e in afebrile["etiology"][:3]]


def test_imaging_follows_the_lesion_region():
    root = planned(
        run(
            [loc("root:S1", "right", 0.9), loc("plexus:sacral", "right", 0.1)],
            history={"course": "worsening"},
            exam={"strength": [{"movement": "ankle_plantarflexion", "side": "right", "mrc": 3}]},
        )
    )
    assert "mri_lumbar_spine" in root and "mri_pelvis_plexus" not in root
    plexus = planned(
        run(
            [loc("plexus:lumbar", "left", 0.8), loc("root:L3", "left", 0.2)],
            history={"onset": "subacute"},
            exam={"strength": [{"movement": "knee_extension", "side": "left", "mrc": 3}]},
        )
    )
    assert "mri_pelvis_plexus" in plexus
    peroneal = planned(
        run(
            [loc("nerve:common_peroneal", "right", 0.9, "nerve_common_peroneal_fibular_head")],
            history={"onset": "acute", "course": "stable"},
            exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "right", "mrc": 2}]},
        )
    )
    assert "ultrasound_nerve" in peroneal and not PELVIC_OR_BODY & set(peroneal) and "mri_lumbar_spine" not in peroneal


# ----------------------------------------------------------------------------- causes


def test_no_red_flag_keeps_a_tumour_unlikely():
    case = make_case(
        patient={"age": 78},
        history={"onset": "subacute", "course": "worsening"},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "left", "severity": 8}],
    )
    out = rank_causes(case, [loc("plexus:sacral", "left", 1.0)], K)
    neo = next(e for e in out if e.cause == "neoplastic")
    assert neo.probability < 0.15 and out[0].cause != "neoplastic"
    assert not any("fifty" in r for r in neo.reasons)
    root = rank_causes(
        make_case(
            patient={"age": 70},
            history={"onset": "subacute", "course": "worsening"},
            symptoms=[{"kind": "pain", "region": "lateral_leg", "side": "left", "severity": 8}],
        ),
        [loc("root:L5", "left", 0.8), loc("nerve:common_peroneal", "left", 0.2)],
        K,
    )
    assert next(e for e in root if e.cause == "neoplastic").probability < 0.05
    flagged = rank_causes(
        make_case(
            patient={"age": 78},
            history={"onset": "subacute", "course": "worsening", "factors": ["cancer_history"]},
            symptoms=case.model_dump()["symptoms"],
        ),
        [loc("plexus:sacral", "left", 1.0)],
        K,
    )
    assert flagged[0].cause == "neoplastic"


def test_causes_read_labs_imaging_and_timing():
    crush = rank_causes(make_case(**CRUSH), CRUSH_LOC, K)
    assert crush[0].cause == "compartment_syndrome_or_crush"
    after_surgery = rank_causes(
        make_case(
            history={
                "onset": "acute",
                "course": "stable",
                "duration_days": 3,
                "factors": ["cancer_history", "recent_surgery_pelvic"],
            },
            symptoms=[{"kind": "weakness", "side": "left"}],
        ),
        [loc("nerve:obturator", "left", 0.7), loc("plexus:lumbar", "left", 0.3)],
        K,
    )
    order = [e.cause for e in after_surgery]
    assert order.index("iatrogenic_surgical") < order.index("neoplastic")
    after_birth = rank_causes(
        make_case(history={"onset": "acute", "factors": ["recent_childbirth", "cancer_history"]}),
        [loc("plexus:lumbosacral_trunk", "left", 1.0)],
        K,
    )
    assert after_birth[0].cause == "obstetric"

    def p(entries, cause):
        return next(e.probability for e in entries if e.cause == cause)

    base = dict(
        history={"onset": "subacute", "factors": ["cancer_history"]},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "left"}],
    )
    normal = rank_causes(
        make_case(**base, investigations=[{"test": "mri_pelvis", "finding": "normal"}]), [loc("plexus:sacral")], K
    )
    thick = rank_causes(
        make_case(**base, investigations=[{"test": "mri_pelvis", "finding": "plexus_enhancement_or_thickening"}]),
        [loc("plexus:sacral")],
        K,
    )
    assert p(thick, "neoplastic") > p(normal, "neoplastic")
    root = [loc("root:L5", "left", 0.6), loc("no_neurological_lesion", "left", 0.4)]
    plain = rank_causes(make_case(), root, K)
    scanned = rank_causes(make_case(investigations=[{"test": "mri_lumbar_spine", "finding": "normal"}]), root, K)
    assert p(scanned, "degenerative_spine") < 0.8 * p(plain, "degenerative_spine")
    no_lesion = [loc("no_neurological_lesion", "left", 0.6), loc("root:L5", "left", 0.4)]
    scanned = rank_causes(
        make_case(
            symptoms=[{"kind": "pain", "region": "lower_back"}],
            investigations=[{"test": "mri_lumbar_spine", "finding": "normal"}],
        ),
        no_lesion,
        K,
    )
    assert scanned[0].cause != "degenerative_spine"
    sugar = rank_causes(
        make_case(
            history={"onset": "subacute", "factors": ["weight_loss"]},
            investigations=[{"test": "hba1c", "value": 8.1}],
            symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "left", "severity": 8}],
        ),
        [loc("plexus:lumbar")],
        K,
    )
    assert sugar[0].cause == "diabetic_radiculoplexus_neuropathy"


# ----------------------------------------------------------------------------- management

# (name, localization, case sections, expected leading cause or None, options that must never appear)
NEVER_OFFERED = [
    (
        "kidney injury",
        [loc("root:L5", "left", 0.8), loc("nerve:sciatic", "left", 0.2)],
        dict(
            history={"onset": "acute"},
            symptoms=[{"kind": "pain", "region": "posterior_thigh", "side": "left", "severity": 8}],
            investigations=[{"test": "creatinine", "value": 2.5}],
        ),
        None,
        ["simple_analgesics"],
    ),
    (
        "rhabdomyolysis and overdose proxy",
        CRUSH_LOC,
        CRUSH,
        "compartment_syndrome_or_crush",
        ["simple_analgesics", "short_opioid", "physio_strength", "physio_stretch", "ankle_foot_orthosis"],
    ),
    (
        "blood thinner",
        [loc("nerve:femoral", "right", 0.8), loc("plexus:lumbar", "right", 0.2)],
        dict(
            history={"onset": "acute", "factors": ["anticoagulation"]},
            symptoms=[{"kind": "pain", "region": "groin", "side": "right", "severity": 9}],
        ),
        "retroperitoneal_hematoma",
        ["simple_analgesics", "epidural_injection", "thigh_nerve_block", "pain_specialist_block", "manual_therapy"],
    ),
    (
        "injecting drug use",
        [loc("root:S1", "left", 1.0)],
        dict(
            history={"onset": "acute", "factors": ["iv_drug_use"]},
            symptoms=[{"kind": "pain", "region": "posterior_thigh", "side": "left", "severity": 9}],
        ),
        None,
        ["short_opioid"],
    ),
    (
        "suspected metastatic compression",
        [loc("cauda_equina", "bilateral", 0.5), loc("root:L4", "left", 0.5)],
        MSCC,
        "neoplastic",
        ["epidural_injection", "manual_therapy", "physio_stretch", "root_decompression"],
    ),
    (
        "cancer with a spinal metastasis on a scan",
        [loc("root:L5", "left", 1.0)],
        dict(
            history={"onset": "subacute", "course": "stable", "duration_days": 60, "factors": ["cancer_history"]},
            symptoms=[
                {"kind": "pain", "region": "lower_back", "severity": 8},
                {"kind": "pain", "region": "lateral_leg", "side": "left", "severity": 8},
            ],
            investigations=[{"test": "mri_lumbar_spine", "finding": "bone_metastasis", "level": "L4"}],
        ),
        "neoplastic",
        ["epidural_injection", "manual_therapy", "physio_stretch"],
    ),
    (
        "spinal infection",
        [loc("root:L4", "left", 0.7), loc("plexus:lumbar", "left", 0.3)],
        dict(
            history={"onset": "acute", "factors": ["fever", "iv_drug_use"]},
            symptoms=[
                {"kind": "pain", "region": "lower_back", "severity": 9},
                {"kind": "pain", "region": "anterior_thigh", "side": "left", "severity": 8},
            ],
            investigations=[{"test": "mri_lumbar_spine", "finding": "abscess"}],
        ),
        "infection_abscess",
        ["epidural_injection", "manual_therapy", "physio_stretch", "lrpn_immunotherapy", "short_opioid"],
    ),
    (
        "cauda equina",
        CES_LOC,
        CES,
        "degenerative_spine",
        ["epidural_injection", "manual_therapy", "physio_stretch", "physio_strength"],
    ),
    (
        "pregnancy",
        [loc("root:L5", "left", 1.0)],
        dict(
            history={"onset": "acute", "factors": ["pregnancy"]},
            symptoms=[{"kind": "pain", "region": "lateral_leg", "side": "left", "quality": "burning", "severity": 9}],
        ),
        None,
        ["simple_analgesics", "short_opioid", "neuropathic_agents", "epidural_injection"],
    ),
    (
        # meralgia paresthetica in pregnancy: no advice to lose weight, no steroid block
        "meralgia in pregnancy",
        [loc("nerve:lateral_femoral_cutaneous", "left", 1.0)],
        dict(
            patient={"age": 31, "sex": "female"},
            history={"onset": "subacute", "factors": ["pregnancy"]},
            symptoms=[{"kind": "pain", "region": "lateral_thigh", "side": "left", "quality": "burning"}],
        ),
        "compressive_entrapment",
        ["relieve_pressure_outer_thigh", "thigh_nerve_block", "simple_analgesics", "neuropathic_agents"],
    ),
    (
        "pelvic fracture",
        [loc("plexus:sacral", "left", 1.0)],
        dict(
            history={"onset": "sudden", "factors": ["pelvic_fracture"]},
            symptoms=[
                {"kind": "pain", "region": "lower_back", "severity": 8},
                {"kind": "pain", "region": "buttock", "side": "left", "severity": 8},
            ],
        ),
        "trauma",
        ["manual_therapy"],
    ),
]


@pytest.mark.parametrize("name,localization,sections,cause,never", NEVER_OFFERED, ids=[row[0] for row in NEVER_OFFERED])
def test_never_offered_table(name, localization, sections, cause, never):
    out = run(localization, **sections)
    if cause:
        assert out["etiology"][0].cause == cause, [e.cause for e in out["etiology"][:3]]
    offered = set(option_ids(out))
    assert not offered & set(never), offered & set(never)
    assert not [t for t in all_text(out) if DOSE.search(t)]


def test_every_cause_has_a_row_or_no_extra_contraindication():
    """Each cause whose picture carries a contraindication is in the table above."""
    covered = {row[3] for row in NEVER_OFFERED if row[3]}
    assert {
        "neoplastic",
        "infection_abscess",
        "retroperitoneal_hematoma",
        "compartment_syndrome_or_crush",
        "trauma",
    } <= covered
    assert all(option.get("never_with") is not None for option in K.management["management"])


def test_emergency_pictures_lead_with_the_emergency_step():
    first = {
        "cauda equina": (CES_LOC, CES, "ces_decompression"),
        "metastatic compression": ([], MSCC, "mscc_teams"),
        "compartment": (CRUSH_LOC, CRUSH, "compartment_fasciotomy"),
    }
    for name, (localization, sections, option) in first.items():
        assert option_ids(run(localization, **sections))[0] == option, name
    bleed = run(
        [loc("nerve:femoral", "right", 0.9)],
        history={"onset": "acute", "factors": ["anticoagulation"]},
        symptoms=[{"kind": "pain", "region": "groin", "side": "right", "severity": 9}],
    )
    assert option_ids(bleed)[0] == "bleed_control"
    step = bleed["management"][1]
    assert "whether to pause your blood thinner and reverse" in step.option
    # a fresh coronary stent or a clot is why many take one: the person never stops it alone
    assert "Do not stop it on your own" in step.option and "heart stent" in step.why


def test_a_normal_back_scan_before_the_red_flags_is_repeated_not_operated_on():
    """GIRFT 2023: a normal MRI taken before the bladder or saddle signs began does not rule
    out a compression now.  The emergency scan is asked for again, and no decompression is
    offered on a scan that showed nothing to decompress."""
    out = run(CES_LOC, **CES, investigations=[{"test": "mri_lumbar_spine", "finding": "normal"}])
    scan = planned(out)["mri_lumbar_spine"]
    assert (scan.priority, scan.when) == ("emergency", "immediately") and "before" in scan.why
    assert "ces_decompression" not in option_ids(out)
    assert "ces_decompression" in option_ids(run(CES_LOC, **CES))


def test_numb_genitals_with_back_and_leg_pain_bring_the_cauda_equina_steps():
    """Revision 1.1 made genital numbness with back or leg symptoms an emergency of its own
    (GIRFT 2023): it brings what the saddle clause brings, an MRI of the low back now and a
    bladder scan, and the decompression question."""
    sections = dict(
        history={"onset": "acute", "course": "worsening", "duration_days": 5},
        symptoms=[
            {"kind": "pain", "region": "lower_back", "severity": 7},
            {"kind": "pain", "region": "posterior_leg", "side": "left", "quality": "shooting"},
            {"kind": "numbness", "region": "genital"},
        ],
    )
    out = run(CES_LOC, **sections)
    assert out["triage"].rules == ["emergency.genital_sensation"]
    got = planned(out)
    assert (got["mri_lumbar_spine"].priority, got["mri_lumbar_spine"].when) == ("emergency", "immediately")
    assert (got["post_void_residual"].priority, got["post_void_residual"].when) == ("emergency", "immediately")
    assert "ces_decompression" in option_ids(out)


def test_every_clause_the_emergency_screen_reads_as_cauda_equina_brings_the_emergency_mri():
    """The triage clauses that stand for a suspected cauda equina syndrome (the emergency
    screen's words name it) are each one of the emergency MRI's reasons: a clause added to the
    policy without its work-up is caught here."""
    import yaml

    screen = yaml.safe_load((Path(__file__).parents[1] / "src/plexnav/web/data/emergency_screen.yaml").read_text())
    ces = {rule for rule, spec in screen["rules"].items() if spec.get("suspect") == "cauda equina syndrome"}
    ces_mri = next(r for r in K.workup["rules"] if r["id"] == "ces_mri")
    named = {f.removeprefix("triage_rule:") for f in ces_mri["when"]["any"]}
    assert ces and ces <= named, sorted(ces - named)


def test_a_bleed_pressing_on_the_cord_stops_the_blood_thinner():
    """A spinal epidural haematoma on warfarin: pausing and reversing the blood thinner is
    asked for beside the cord decompression, as for a bleed anywhere else."""
    out = run(
        [loc("spinal_cord", "bilateral", 0.95), loc("conus_medullaris", "bilateral", 0.05)],
        history={"onset": "acute", "factors": ["anticoagulation"]},
        symptoms=[{"kind": "weakness", "side": "bilateral"}, {"kind": "bladder_dysfunction"}],
        investigations=[{"test": "mri_whole_spine", "finding": "hematoma", "level": "T8-T10", "site": "spinal_cord"}],
    )
    assert {"cord_decompression", "bleed_control"} <= set(option_ids(out))


def test_a_young_calf_that_cramps_at_rest_is_not_sent_for_an_arterial_work_up():
    """The arteries as the look-alike's leading name are not enough for ankle pressures, a
    vascular team and a walking programme: that needs pain brought on by walking, or the age
    or risks of arterial disease (Fowkes 2013), or weak pulses."""

    def arteries(age, **sections):
        lead = loc("no_neurological_lesion", "bilateral", 0.8, "mimic_vascular_claudication:symptomatic")
        lead.look_alikes = {"vascular_claudication": 0.4, "none": 0.35, "knee_joint": 0.25}
        return run([lead, loc("root:S1", "left", 0.2)], patient={"age": age, "sex": "male"}, **sections)

    cramps = [{"kind": "cramps", "region": "posterior_leg", "side": "bilateral"}]
    young = arteries(41, symptoms=cramps)
    assert not {"ankle_brachial_index", "vascular_surgery_review"} & set(planned(young))
    assert "vascular_care" not in option_ids(young)
    older = arteries(68, symptoms=cramps)
    assert "ankle_brachial_index" in planned(older)
    walking = [{"kind": "pain", "region": "posterior_leg", "side": "left", "provoked_by": ["walking"]}]
    assert "ankle_brachial_index" in planned(arteries(41, symptoms=walking))


def test_no_walking_programme_in_an_emergency():
    """Reduced foot pulses in an emergency picture: the vascular review stays in the work-up,
    the supervised walking programme waits for the emergency team."""
    out = run(CES_LOC, **dict(CES, exam={"signs": [{"sign": "reduced_foot_pulses", "side": "left"}]}))
    assert "vascular_care" not in option_ids(out)
    calm = run(
        [loc("no_neurological_lesion", "left", 0.8, "mimic_vascular_claudication")],
        symptoms=[{"kind": "pain", "region": "posterior_leg", "side": "left", "provoked_by": ["walking"]}],
        exam={"signs": [{"sign": "reduced_foot_pulses", "side": "left"}]},
    )
    assert "vascular_care" in option_ids(calm)
    buttock = run(
        [loc("no_neurological_lesion", "left", 0.9, "mimic_vascular_claudication")],
        symptoms=[{"kind": "pain", "region": "buttock", "side": "left", "provoked_by": ["walking"]}],
        exam={"signs": [{"sign": "reduced_foot_pulses", "side": "left"}]},
    )
    assert "manual_therapy" not in option_ids(buttock), "an artery's buttock pain is not treated on the spine"
    # a foot drop with new bladder trouble: the brace waits for the emergency step, as
    # physiotherapy does; the same foot drop outside an emergency keeps it
    exam = {"strength": [{"movement": "ankle_dorsiflexion", "side": "right", "mrc": 3}]}
    drop = [{"kind": "weakness", "side": "right", "activity": "foot_drop_tripping"}]
    urgent = run(
        [loc("root:L5", "right", 0.95)],
        history={"onset": "acute"},
        symptoms=[*drop, {"kind": "bladder_dysfunction"}, {"kind": "pain", "region": "lower_back"}],
        exam=exam,
    )
    assert urgent["triage"].level == "emergency" and "ankle_foot_orthosis" not in option_ids(urgent)
    slow = run(
        [loc("root:L5", "right", 0.95)], history={"onset": "chronic", "duration_days": 60}, symptoms=drop, exam=exam
    )
    assert slow["triage"].level != "emergency" and "ankle_foot_orthosis" in option_ids(slow)


def test_a_lump_without_a_sign_of_cancer_is_named_before_the_cancer_team():
    """A young woman's pelvic mass on the sacral plexus, no cancer history, weight loss or
    night pain (endometriosis in the report): what it is comes first, not 'treating the
    tumour'; with a cancer history the cancer team is asked for."""
    sections = dict(
        patient={"age": 26, "sex": "female"},
        history={"onset": "chronic", "duration_days": 180},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "right"}],
        investigations=[{"test": "mri_pelvis", "finding": "mass", "side": "right", "site": "plexus:sacral"}],
    )
    plexus = [loc("plexus:sacral", "right", 0.9), loc("nerve:sciatic", "right", 0.1)]
    ids = option_ids(run(plexus, **sections))
    assert "mass_diagnosis" in ids and "oncology" not in ids
    known = option_ids(run(plexus, **dict(sections, history={"onset": "chronic", "factors": ["cancer_history"]})))
    assert "oncology" in known and "mass_diagnosis" not in known
    # weight loss and no known cancer: an urgent referral to find out, not "treating the
    # tumour"; on a named nerve, not "most lumps on a nerve are not cancer" beside it
    nerve = dict(sections, investigations=[{**sections["investigations"][0], "site": "nerve:sciatic"}])
    thin = option_ids(
        run(plexus, **dict(nerve, history={"onset": "subacute", "duration_days": 60, "factors": ["weight_loss"]}))
    )
    assert "oncology_suspected" in thin and not {"oncology", "nerve_mass_surgery"} & set(thin)


def test_a_broken_spine_bone_is_checked_before_exercise_injection_or_surgery():
    """A sacral stress fracture on the lumbar MRI of a young athlete, read as a root: a
    specialist looks at the bone; no stretching, walking training, injection or root surgery
    (the scan shows no disc or narrowing to operate on)."""
    root = [loc("root:S1", "left", 0.5), loc("polyradiculopathy", "left", 0.5)]
    sections = dict(
        patient={"age": 18, "sex": "male"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 51},
        symptoms=[{"kind": "pain", "region": "lower_back", "side": "left", "severity": 8}],
        investigations=[{"test": "mri_lumbar_spine", "finding": "fracture", "side": "left", "level": "S1"}],
    )
    ids = set(option_ids(run(root, **sections)))
    assert "spine_fracture_review" in ids
    assert not {"physio_stretch", "gait_balance", "epidural_injection", "root_decompression", "manual_therapy"} & ids
    disc = dict(
        sections,
        investigations=[{"test": "mri_lumbar_spine", "finding": "disc_herniation", "side": "left", "level": "L5-S1"}],
    )
    assert "root_decompression" in option_ids(run(root, **disc))


def test_a_broken_pelvis_brings_the_fracture_question_without_a_scan_line():
    """An obturator palsy after a pelvic fracture recorded as a history factor (no imaging
    line): the injury emergency holds back planned treatments, and the fracture question is
    still there, so the options are not empty."""
    out = run(
        [loc("nerve:obturator", "left", 0.9), loc("plexus:lumbar", "left", 0.1)],
        history={"onset": "acute", "factors": ["pelvic_fracture", "fall"]},
        symptoms=[{"kind": "weakness", "side": "left"}],
    )
    assert "fracture_fixation" in option_ids(out)


def test_denervated_muscle_on_a_scan_is_not_read_as_a_compartment_syndrome():
    """An obturator palsy found weeks after a caesarean: the adductors look swollen on MRI
    and fibrillate on EMG (the denervation pattern: Kamath 2008).  No fasciotomy, no
    emergency CK; the same swollen muscle after a night on the floor with a raised CK is
    still a crush picture."""
    sections = dict(
        patient={"age": 33, "sex": "female"},
        history={"onset": "subacute", "factors": ["recent_childbirth", "prolonged_immobility"]},
        symptoms=[{"kind": "weakness", "side": "right"}],
        exam={"strength": [{"movement": "hip_adduction", "side": "right", "mrc": 2}]},
        electrodiagnosis={
            "needle_emg": [{"muscle": "adductor_longus", "side": "right", "result": "active_denervation"}]
        },
        investigations=[{"test": "mri_pelvis", "finding": "muscle_edema_or_necrosis", "side": "right"}],
    )
    obturator = [loc("nerve:obturator", "right", 0.9), loc("plexus:lumbar", "right", 0.1)]
    out = run(obturator, **sections)
    assert "compartment_fasciotomy" not in option_ids(out) and "ck" not in planned(out)
    crushed = dict(
        sections,
        history={"onset": "acute", "factors": ["prolonged_immobility"]},
        electrodiagnosis={},
        investigations=[*sections["investigations"], {"test": "ck", "value": 12000}],
    )
    assert "compartment_fasciotomy" in option_ids(run(obturator, **crushed))


def test_weak_legs_worsening_over_days_with_weak_reflexes_get_nerve_conduction_soon():
    """Both legs weakening over a week after a febrile illness, reflexes reduced, a scan
    already done (Lyme polyradiculopathy in the report; Guillain-Barre syndrome looks the
    same): nerve conduction within a day, after the whole-spine scan that an acute weakness of
    both legs gets first.  With bladder or saddle signs the cauda equina pathway keeps the lead
    and this rule stays out."""
    sections = dict(
        patient={"age": 70, "sex": "male"},
        history={"onset": "acute", "course": "worsening", "duration_days": 7, "factors": ["recent_infection"]},
        symptoms=[{"kind": "weakness", "side": "bilateral"}],
        exam={
            "strength": [{"movement": "ankle_dorsiflexion", "side": s, "mrc": 4} for s in ("left", "right")],
            "reflexes": [{"reflex": "achilles", "side": s, "grade": "reduced"} for s in ("left", "right")],
        },
        investigations=[{"test": "mri_lumbar_spine", "finding": "canal_stenosis", "level": "L4-L5"}],
    )
    roots = [loc("polyradiculopathy", "bilateral", 0.6), loc("cauda_equina", "bilateral", 0.4)]
    plan = planned(run(roots, **sections))
    emg = plan["emg_ncs"]
    assert emg.when == "within_24h" and "Guillain" in emg.why
    # an acute weakness of both legs (the policy's emergency, and the acute-paraparesis alert's
    # picture): the whole spine is scanned first, now; the nerve tests follow within the day
    assert (plan["mri_whole_spine"].priority, plan["mri_whole_spine"].when) == ("emergency", "immediately")
    bladder = dict(sections, symptoms=[*sections["symptoms"], {"kind": "bladder_dysfunction"}])
    assert "Guillain" not in getattr(planned(run(roots, **bladder)).get("emg_ncs"), "why", "")


@pytest.mark.parametrize(
    "lead,knee_mrc,expected",
    [
        ("root:L5", None, False),
        ("root:L5", 4, True),
        ("nerve:femoral", None, True),
        ("root:L4", None, True),
        ("spinal_cord", None, True),
        ("spinal_cord", 5, False),
        ("root:L4", 5, False),
    ],
)
def test_a_knee_brace_only_for_a_knee_that_gives_way_from_a_weak_quadriceps(lead, knee_mrc, expected):
    """A leg that gives way is offered a knee brace when the quadriceps is weak, or when the
    leading lesion weakens it (the femoral nerve, the L4 root, the cord) and the knee's
    extension was not graded full; not with an L5 root and the knee never graded weak: that
    leg gives way at the ankle (Stewart 2010, femoral nerve)."""
    strength = [{"movement": "ankle_eversion", "side": "left", "mrc": 4}]
    if knee_mrc is not None:
        strength.append({"movement": "knee_extension", "side": "left", "mrc": knee_mrc})
    out = run(
        [loc(lead, "left", 0.8), loc("no_neurological_lesion", "left", 0.2)],
        history={"onset": "chronic", "duration_days": 120},
        symptoms=[{"kind": "weakness", "side": "left", "activity": "leg_gives_way"}],
        exam={"strength": strength},
    )
    assert ("knee_support" in option_ids(out)) is expected


@pytest.mark.parametrize(
    ("factors", "days", "offered"),
    [
        ([], 42, True),
        (["recent_surgery_pelvic"], 42, False),
        (["recent_surgery_spine"], 30, False),
        (["recent_surgery_spine"], 400, True),
    ],
)
def test_no_spinal_manipulation_after_a_recent_operation_on_the_spine_or_pelvis(factors, days, offered):
    """Six weeks after a sacroiliac fusion, an L5 root reading with back and buttock pain is
    not offered spinal manipulation until the surgeon who operated agrees; an operation years
    ago does not stop it (held-out round 24, x13)."""
    out = run(
        [loc("root:L5", "right", 0.6), loc("plexus:lumbosacral_trunk", "right", 0.4)],
        patient={"age": 62},
        history={"onset": "sudden", "course": "improving", "duration_days": days, "factors": factors},
        symptoms=[
            {"kind": "pain", "region": "buttock", "side": "right"},
            {"kind": "pain", "region": "lower_back"},
        ],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "right", "mrc": 4}]},
    )
    assert ("manual_therapy" in option_ids(out)) is offered


def test_an_inflamed_nerve_web_in_diabetes_is_not_offered_an_epidural_injection():
    """A diabetic radiculoplexus neuropathy leading the causes, with the roots a quarter of
    the reading: an immune microvasculitis of roots, plexus and nerves (Dyck & Windebank
    2002) that an injection at one root does not treat."""
    sections = dict(
        patient={"age": 63},
        history={
            "onset": "subacute",
            "course": "worsening",
            "duration_days": 60,
            "factors": ["diabetes"],
        },
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "right", "severity": 8}],
        exam={"strength": [{"movement": "knee_extension", "side": "right", "mrc": 3}]},
        investigations=[
            {"test": "mri_lumbar_spine", "finding": "foraminal_stenosis", "level": "L4-L5", "side": "right"}
        ],
    )
    reading = [loc("plexus:lumbosacral", "right", 0.77), loc("polyradiculopathy", "right", 0.23)]
    out = run(reading, **sections)
    assert out["etiology"][0].cause == "diabetic_radiculoplexus_neuropathy"
    assert "epidural_injection" not in option_ids(out)


def test_functional_weakness_gets_its_own_physiotherapy_not_braces():
    """A positive Hoover sign with the functional look-alike leading (Stone 2012): a
    neurologist's explanation and physiotherapy for functional weakness (Nielsen 2015),
    not braces, walking aids or strengthening written for a damaged nerve."""
    sections = dict(
        history={"onset": "subacute", "course": "stable", "duration_days": 60},
        symptoms=[{"kind": "weakness", "side": "left", "activity": "leg_gives_way"}],
        exam={
            "strength": [{"movement": "hip_extension", "side": "left", "mrc": 2}],
            "signs": [{"sign": "hoover_sign", "side": "left", "result": "positive"}],
        },
    )
    functional = [loc("no_neurological_lesion", "left", 0.8, "mimic_functional"), loc("root:L5", "left", 0.2)]
    ids = option_ids(run(functional, **sections))
    assert ids[0] == "functional_care"
    assert not {"knee_support", "ankle_foot_orthosis", "physio_strength", "gait_balance"} & set(ids)
    out = run(functional, **sections)
    assert "Ask about functional weakness" in out["plain_summary"]
    assert "brace" not in out["plain_summary"] and "not in the nerves" not in out["plain_summary"]
    assert "functional_care" not in option_ids(run([loc("root:L5", "left", 1.0)], **sections))


def test_weight_loss_with_a_diabetic_plexopathy_is_not_sent_to_the_cancer_team():
    """Weight loss is part of a diabetic radiculoplexus neuropathy (Dyck 1999): with that
    cause leading, a tumour is ruled out by the work-up, not assumed by an option to treat
    it; a cancer history still brings the cancer team.  A lump on a nerve with no sign of
    cancer gets no tumour-marker blood test."""
    sections = dict(
        patient={"age": 64},
        history={"onset": "subacute", "factors": ["diabetes", "weight_loss"]},
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "right"}],
        exam={
            "strength": [
                {"movement": "knee_extension", "side": "right", "mrc": 3},
                {"movement": "hip_adduction", "side": "right", "mrc": 3},
            ]
        },
    )
    plexus = [loc("plexus:lumbar", "right", 0.9), loc("nerve:femoral", "right", 0.1)]
    out = run(plexus, **sections)
    assert out["etiology"][0].cause == "diabetic_radiculoplexus_neuropathy"
    assert 0.2 <= next(e.probability for e in out["etiology"] if e.cause == "neoplastic") < 0.4
    assert "oncology" not in option_ids(out) and "ct_abdomen_pelvis" in planned(out)
    history = {"onset": "subacute", "factors": ["diabetes", "weight_loss", "cancer_history"]}
    assert "oncology" in option_ids(run(plexus, **dict(sections, history=history)))
    lump = run(
        [loc("nerve:tibial", "left", 0.9), loc("root:S1", "left", 0.1)],
        patient={"age": 50},
        symptoms=[{"kind": "tingling", "region": "sole", "side": "left"}],
        investigations=[{"test": "ultrasound_nerve", "finding": "mass", "side": "left", "site": "nerve:tibial"}],
    )
    assert not {"tumor_markers", "ct_abdomen_pelvis"} & set(planned(lump))
    assert "nerve_mass_surgery" in option_ids(lump)
    # with night pain the lump is first a question of cancer, answered by a sample of it: no
    # blood marker shows a nerve-sheath tumour, benign or malignant (Kim 2005)
    night = run(
        [loc("nerve:tibial", "left", 0.9), loc("root:S1", "left", 0.1)],
        patient={"age": 50},
        history={"onset": "chronic", "factors": ["night_pain"]},
        symptoms=[{"kind": "tingling", "region": "sole", "side": "left"}],
        investigations=[{"test": "ultrasound_nerve", "finding": "mass", "side": "left", "site": "nerve:tibial"}],
    )
    assert "tumor_markers" not in planned(night)


def test_no_root_injection_while_a_look_alike_leads():
    """NICE NG59 offers epidural injections for severe sciatica: not while the reading is led
    by a look-alike with no nerve lesion, even with a third of it on the roots."""
    sections = dict(
        history={"onset": "chronic", "duration_days": 120},
        symptoms=[{"kind": "pain", "region": "lateral_thigh", "side": "right", "severity": 8}],
    )
    tendon = [loc("no_neurological_lesion", "right", 0.6, "mimic_greater_trochanteric"), loc("root:L5", "right", 0.4)]
    assert "epidural_injection" not in option_ids(run(tendon, **sections))
    root = [loc("root:L5", "right", 0.6), loc("no_neurological_lesion", "right", 0.4, "mimic_greater_trochanteric")]
    assert "epidural_injection" in option_ids(run(root, **sections))


def test_no_advice_about_habits_and_shoes_when_the_cord_leads():
    """Advice to find what presses on a nerve in daily life fits a nerve pinched at a tight
    spot that leads the reading, not a cord picture with entrapment in its tail."""
    sections = dict(
        patient={"age": 70},
        history={"onset": "sudden"},
        symptoms=[
            {"kind": "weakness", "side": "bilateral"},
            {"kind": "numbness", "region": "dorsum_foot", "side": "bilateral"},
        ],
    )
    cord = [loc("spinal_cord", "bilateral", 0.45), loc("nerve:tibial", "left", 0.3), loc("nerve:tibial", "right", 0.25)]
    out = run(cord, **sections)
    assert next(e.probability for e in out["etiology"] if e.cause == "compressive_entrapment") >= 0.2
    assert "relieve_pressure" not in option_ids(out)
    tibial = [loc("nerve:tibial", "left", 0.7), loc("spinal_cord", "bilateral", 0.3)]
    assert "relieve_pressure" in option_ids(run(tibial, **sections))
    # an injection injury of the sciatic nerve leading its causes: no shoes-and-habits advice
    # because a peroneal entrapment trails it
    injected = run(
        [loc("nerve:sciatic", "left", 0.78), loc("nerve:common_peroneal", "left", 0.21)],
        history={"onset": "sudden", "duration_days": 12, "factors": ["intramuscular_injection_buttock"]},
        symptoms=[{"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"}],
    )
    assert injected["etiology"][0].cause == "injection_injury"
    assert next(e.probability for e in injected["etiology"] if e.cause == "compressive_entrapment") >= 0.2
    assert "relieve_pressure" not in option_ids(injected)
    # the same for the peroneal nerve at the knee after a major injury (trauma leads, an
    # entrapment trails); a fall alone leaves the entrapment leading and keeps the advice
    peroneal = [loc("nerve:common_peroneal", "left", 0.9), loc("root:L5", "left", 0.1)]
    drop = [{"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"}]
    injured = run(peroneal, history={"onset": "sudden", "factors": ["major_trauma"]}, symptoms=drop)
    assert injured["etiology"][0].cause == "trauma"
    assert next(e.probability for e in injured["etiology"] if e.cause == "compressive_entrapment") >= 0.2
    assert "relieve_pressure_peroneal" not in option_ids(injected) + option_ids(injured)
    fell = run(peroneal, history={"onset": "sudden", "factors": ["fall"]}, symptoms=drop)
    assert "relieve_pressure_peroneal" in option_ids(fell)


def test_a_bleed_without_a_blood_thinner_is_not_told_to_stop_one():
    """The emergency step fits the patient: a clotting disorder is corrected; with neither,
    the team looks for the bleed's cause.  Nobody is told to stop a drug they do not take."""
    for factors, expected in ((["bleeding_disorder"], "bleed_control_clotting"), ([], "bleed_control_cause")):
        bleed = run(
            [loc("nerve:femoral", "right", 0.9)],
            history={"onset": "sudden", "factors": factors},
            symptoms=[{"kind": "pain", "region": "groin", "side": "right", "severity": 9}],
            investigations=[{"test": "mri_pelvis", "finding": "hematoma", "side": "right", "site": "nerve:femoral"}],
        )
        assert option_ids(bleed)[0] == expected, factors
        assert not any("stop the blood thinner" in m.option for m in bleed["management"]), factors
        assert "ct_pelvis" not in {w.test for w in bleed["workup"]}, "the scan already shows the haematoma"


def test_a_pelvic_scan_without_a_bleed_ends_the_bleed_steps():
    """On a blood thinner with new thigh pain (the bleeding emergency rule), a CT of the abdomen
    and pelvis that showed no bleed has answered the question: no second pelvic CT, no emergency
    clotting tests 'to stop a bleed', and nobody is asked to pause the thinner for a bleed that
    is not there.  A scan that shows the haematoma keeps every step."""
    pain = [{"kind": "pain", "region": "anterior_thigh", "side": "left", "severity": 9}]
    findings = {
        "history": {"onset": "acute", "course": "worsening", "factors": ["anticoagulation"]},
        "symptoms": pain,
    }
    for test in ("ct_abdomen_pelvis", "ct_pelvis", "mri_pelvis"):
        clear = run(
            [loc("root:L3", "left", 0.8), loc("nerve:femoral", "left", 0.1)],
            **findings,
            investigations=[{"test": test, "finding": "normal"}],
        )
        assert clear["triage"].level == "emergency", test
        assert "bleed_control" not in option_ids(clear), test
        urgent_tests = {(w.test, w.priority) for w in clear["workup"]}
        assert ("ct_pelvis", "emergency") not in urgent_tests and (
            "coagulation_profile",
            "emergency",
        ) not in urgent_tests
        assert not any(w.test == "ct_pelvis" for w in clear["workup"]), test
    bleed = run(
        [loc("nerve:femoral", "left", 0.8)],
        **findings,
        investigations=[{"test": "ct_abdomen_pelvis", "finding": "hematoma", "side": "left", "site": "nerve:femoral"}],
    )
    assert option_ids(bleed)[0] == "bleed_control"


ACUTE_AREFLEXIC_PARAPARESIS = dict(
    patient={"age": 34, "sex": "female"},
    history={"onset": "acute", "course": "worsening", "duration_days": 6, "factors": ["recent_infection"]},
    symptoms=[
        {"kind": "pain", "region": "lower_back", "severity": 8},
        {"kind": "weakness", "side": "bilateral", "activity": "stairs"},
    ],
    exam={
        "strength": [
            {"movement": "hip_flexion", "side": "bilateral", "mrc": 3},
            {"movement": "ankle_dorsiflexion", "side": "bilateral", "mrc": 4},
        ],
        "reflexes": [
            {"reflex": "patellar", "side": "bilateral", "grade": "absent"},
            {"reflex": "achilles", "side": "bilateral", "grade": "absent"},
            {"reflex": "plantar", "side": "bilateral", "grade": "flexor"},
        ],
    },
    investigations=[
        {"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L4-L5", "position": "central"},
        {"test": "mri_whole_spine", "finding": "normal"},
    ],
)


def test_weakness_of_both_legs_over_days_after_an_infection_is_read_as_guillain_barre():
    """After an infection, weakness of both legs over days with the reflexes lost and a clear
    whole-spine scan is first an inflammation of the roots (Guillain-Barre syndrome; Leonhard
    2019), not the incidental disc: the unknown (immune) cause leads, and the person is told to
    ask about hospital care and immune treatment.  With a cauda equina sign or a cord sign the
    picture is the emergency scan's and the option stands aside."""
    where = [loc("polyradiculopathy", "bilateral", 0.95)]
    gbs = run(where, **ACUTE_AREFLEXIC_PARAPARESIS)
    assert gbs["etiology"][0].cause == "idiopathic_or_unknown"
    assert "gbs_hospital_care" in option_ids(gbs)
    assert "Guillain-Barré" in questions(gbs)
    assert not any("prednisolone" in t.lower() for t in all_text(gbs))
    saddle = {
        **ACUTE_AREFLEXIC_PARAPARESIS,
        "exam": {
            **ACUTE_AREFLEXIC_PARAPARESIS["exam"],
            "sensation": [{"region": "saddle", "side": "bilateral", "finding": "reduced"}],
        },
    }
    assert "gbs_hospital_care" not in option_ids(run(where, **saddle))
    no_illness = {
        **ACUTE_AREFLEXIC_PARAPARESIS,
        "history": {"onset": "acute", "course": "worsening", "duration_days": 6},
    }
    plain = run(where, **no_illness)
    assert next(e.probability for e in plain["etiology"] if e.cause == "idiopathic_or_unknown") < next(
        e.probability for e in gbs["etiology"] if e.cause == "idiopathic_or_unknown"
    )


def test_new_weakness_just_after_a_back_operation_goes_back_to_the_spine_surgeons():
    """The day after a lumbar fusion a foot is weak and numb: a root hurt by a screw is told
    from a sciatic or sacral plexus lesion only by the scans and the EMG, so even when the roots
    do not lead the spine surgeons are asked to review, with a CT of the spine for the metal.
    A bleed on the scan soon after an operation reads as the operation's (or its anaesthetic's)
    complication, not as wear and tear."""
    after_fusion = dict(
        patient={"age": 57, "sex": "male"},
        history={"onset": "sudden", "course": "stable", "duration_days": 1, "factors": ["recent_surgery_spine"]},
        symptoms=[{"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"}],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 3}]},
    )
    where = [
        loc("nerve:sciatic", "left", 0.5),
        loc("plexus:sacral", "left", 0.3),
        loc("polyradiculopathy", "left", 0.15),
    ]
    out = run(where, **after_fusion)
    assert "spine_surgery_review" in option_ids(out)
    assert "ct_spine" in planned(out)
    bleed = dict(
        patient={"age": 74, "sex": "female"},
        history={
            "onset": "sudden",
            "course": "worsening",
            "duration_days": 1,
            "factors": ["recent_surgery_hip", "anticoagulation"],
        },
        symptoms=[{"kind": "pain", "region": "lower_back", "severity": 9}, {"kind": "bladder_dysfunction"}],
        investigations=[{"test": "mri_lumbar_spine", "finding": "hematoma", "level": "L3", "site": "cauda_equina"}],
    )
    assert run([loc("cauda_equina", "bilateral", 0.95)], **bleed)["etiology"][0].cause == "iatrogenic_surgical"


def test_a_lump_on_the_other_side_is_incidental():
    """All the trouble is in the left buttock and thigh; the scan shows a cyst on the right S2
    root.  A lump on the side with nothing wrong is not the lesion: no cancer reading, no
    emergency spinal or lump questions.  The same lump on the left keeps them."""
    trouble = dict(
        patient={"age": 52, "sex": "male"},
        history={"onset": "acute", "course": "stable", "duration_days": 10},
        symptoms=[{"kind": "numbness", "region": "posterior_thigh", "side": "left"}],
        exam={"sensation": [{"region": "posterior_thigh", "side": "left", "finding": "reduced"}]},
    )
    where = [loc("nerve:posterior_femoral_cutaneous", "left", 0.8), loc("root:S2", "left", 0.1)]
    for side, incidental in (("right", True), ("left", False)):
        scan = [{"test": "mri_lumbar_spine", "finding": "mass", "level": "S2", "side": side, "site": "root:S2"}]
        out = run(where, **trouble, investigations=scan)
        lump_questions = [m for m in out["management"] if "lump" in m.option]
        if incidental:
            assert out["etiology"][0].cause != "neoplastic"
            assert lump_questions == []
        else:
            assert lump_questions


def test_a_numb_saddle_from_a_pudendal_nerve_gets_a_nerve_s_outlook():
    """One side of the saddle and genitals numb after a pelvic floor operation, read as the
    pudendal nerve: the emergency rules fire (one-sided saddle loss counts), but the outlook
    given is the nerve's, not that of the nerves at the base of the spine, which stays for a
    cauda equina reading."""
    numb = dict(
        patient={"age": 61, "sex": "female"},
        history={"onset": "acute", "course": "stable", "duration_days": 5, "factors": ["recent_surgery_pelvic"]},
        symptoms=[
            {"kind": "numbness", "region": "saddle", "side": "right"},
            {"kind": "numbness", "region": "genital", "side": "right"},
        ],
        exam={"sensation": [{"region": "saddle", "side": "right", "finding": "reduced"}]},
    )
    spine_outlook = "Nerves at the base of the spine"
    pudendal = run([loc("nerve:pudendal", "right", 0.86), loc("cauda_equina", "right", 0.02)], **numb)
    assert pudendal["triage"].level == "emergency"
    assert spine_outlook not in [g.topic for g in pudendal["recovery"]]
    cauda = run([loc("cauda_equina", "right", 0.7), loc("nerve:pudendal", "right", 0.2)], **numb)
    assert spine_outlook in [g.topic for g in cauda["recovery"]]


def test_a_fracture_through_the_root_s_foramen_is_its_cause_and_a_disc_opposite_is_incidental():
    """A 79-year-old on steroids with a left S1 root lesion; the pelvic MRI shows a fracture
    line through the left S1 foramen, the lumbar MRI an old disc on the right.  The fracture is
    an injury of its own (an insufficiency fracture, no fall recorded) and the root's cause;
    the right-sided disc, with nothing wrong on the right but an age-reduced ankle jerk, is not
    evidence for wear and tear at the left root."""
    old_woman = dict(
        patient={"age": 79, "sex": "female"},
        history={"onset": "acute", "course": "stable", "duration_days": 26, "factors": ["immunosuppression"]},
        symptoms=[
            {"kind": "pain", "region": "buttock", "side": "left"},
            {"kind": "numbness", "region": "lateral_foot", "side": "left"},
        ],
        exam={
            "strength": [{"movement": "ankle_plantarflexion", "side": "left", "mrc": 4}],
            "reflexes": [
                {"reflex": "achilles", "side": "left", "grade": "absent"},
                {"reflex": "achilles", "side": "right", "grade": "reduced"},
            ],
        },
    )
    disc_opposite = {
        "test": "mri_lumbar_spine",
        "finding": "disc_herniation",
        "level": "L4-L5",
        "side": "right",
        "position": "paracentral",
    }
    fracture = {"test": "mri_pelvis", "finding": "fracture", "level": "S1", "side": "left", "site": "root:S1"}
    where = [loc("root:S1", "left", 0.95)]
    out = run(where, **old_woman, investigations=[disc_opposite, fracture])
    assert "trauma" in [e.cause for e in out["etiology"][:2]]
    # no injury recorded: the bone specialist's question (what caused it, what load is safe),
    # not whether to fix it with an operation
    assert "spine_fracture_review" in option_ids(out) and "fracture_fixation" not in option_ids(out)
    reasons = " ".join(r for e in out["etiology"] if e.cause == "degenerative_spine" for r in e.reasons)
    assert "disc bulge or narrowing" not in reasons
    same_side = {**disc_opposite, "side": "left"}
    reasons = " ".join(
        r
        for e in run(where, **old_woman, investigations=[same_side])["etiology"]
        if e.cause == "degenerative_spine"
        for r in e.reasons
    )
    assert "disc bulge or narrowing" in reasons


def test_a_pressed_thoracic_cord_gets_the_cord_s_outlook():
    """A bleed pressing the thoracic cord on a blood thinner, the bladder and saddle affected:
    the outlook given is the pressed cord's (how weak before, how soon relieved), not that of
    the nerves at the base of the spine."""
    out = run(
        [loc("spinal_cord", "bilateral", 0.95)],
        patient={"age": 72, "sex": "female"},
        history={"onset": "sudden", "course": "worsening", "duration_days": 1, "factors": ["anticoagulation"]},
        symptoms=[{"kind": "bladder_dysfunction"}, {"kind": "numbness", "region": "saddle", "side": "bilateral"}],
        exam={"reflexes": [{"reflex": "plantar", "side": "bilateral", "grade": "extensor"}]},
        investigations=[{"test": "mri_whole_spine", "finding": "hematoma", "level": "T10", "site": "spinal_cord"}],
    )
    topics = [g.topic for g in out["recovery"]]
    assert "Pressure on the spinal cord" in topics
    assert "Nerves at the base of the spine" not in topics


def test_a_conus_is_not_decompressed_for_a_narrowing_below_it():
    """Bladder failure and saddle tingling read as the conus, the only scan finding a canal
    narrowing at L4-L5, below the conus: no decompression 'of the nerves at the base of the
    spine' is offered (the narrowing cannot press the conus; a fistula or a tumour of the
    conus must be looked for).  A disc at T12-L1 pressing the conus keeps the option."""
    conus = dict(
        patient={"age": 67, "sex": "male"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 270},
        symptoms=[{"kind": "bladder_dysfunction"}, {"kind": "tingling", "region": "saddle", "side": "bilateral"}],
    )
    where = [loc("conus_medullaris", "bilateral", 0.95)]
    low = [{"test": "mri_lumbar_spine", "finding": "canal_stenosis", "level": "L4-L5", "position": "central"}]
    assert "ces_decompression" not in option_ids(run(where, **conus, investigations=low))
    at_conus = [{"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "T12-L1", "position": "central"}]
    assert "ces_decompression" in option_ids(run(where, **conus, investigations=at_conus))


def test_a_muscle_disease_is_not_told_it_is_functional_weakness():
    """A raised CK or myopathic EMG is objective damage: functional weakness is never put to
    the person then (it is diagnosed on positive signs with the tests normal, Stone 2010).  A
    muscle disease leading gets the neuromuscular question (and a statin reviewed by its
    prescriber, never stopped alone), the myositis antibodies, its own outlook, and no drip
    for a CK that rose over weeks."""
    weak = dict(
        patient={"age": 68, "sex": "male"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 56},
        symptoms=[{"kind": "weakness", "side": "bilateral", "activity": "stairs"}],
        investigations=[{"test": "ck", "value": 7800}],
    )
    functional = loc("no_neurological_lesion", "bilateral", 0.9, "mimic_functional:bilateral")
    functional.look_alikes = {"functional": 0.6, "none": 0.4}
    out = run([functional], **weak)
    assert "functional_care" not in option_ids(out)
    assert "Functional weakness" not in [g.topic for g in out["recovery"]]
    muscle = loc("no_neurological_lesion", "bilateral", 0.9, "mimic_myopathy:bilateral")
    muscle.look_alikes = {"myopathy": 0.8, "none": 0.2}
    out = run([muscle], **weak)
    assert "myopathy_care" in option_ids(out) and "rhabdo_fluids" not in option_ids(out)
    assert "Do not stop a medicine on your own" in next(
        m.option for m in out["management"] if "muscle diseases" in m.option
    )
    assert "autoimmune_panel" in planned(out)
    # weakness worsening over weeks is seen urgently: kidneys within a day, not 'now, at an
    # emergency department'; the same CK in a slow, steady weakness goes with the muscle tests
    assert out["triage"].level == "urgent"
    assert planned(out)["renal_function"].when == "within_24h"
    steady = run([muscle], **{**weak, "history": {"onset": "chronic", "course": "stable", "duration_days": 400}})
    assert steady["triage"].level in ("soon", "routine")
    assert (planned(steady)["renal_function"].priority, planned(steady)["renal_function"].when) == (
        "medium",
        "within_2_weeks",
    )
    assert "Muscle disease" in [g.topic for g in out["recovery"]]
    assert "muscles themselves" in questions(out)


def test_a_possible_tumour_is_not_told_as_found():
    """Thigh pain and weakness in a diabetic who has lost weight: diabetic amyotrophy leads and
    a tumour is possible (a quarter of the causes), so its outlook is worded for a tumour that
    may be found, never as if one had been."""
    out = run(
        [loc("plexus:lumbar", "right", 0.8), loc("root:L3", "right", 0.2)],
        patient={"age": 61, "sex": "male"},
        history={
            "onset": "subacute",
            "course": "worsening",
            "factors": ["diabetes", "weight_loss", "night_pain", "smoking"],
        },
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "right", "severity": 8}],
        exam={"strength": [{"movement": "knee_extension", "side": "right", "mrc": 4}]},
    )
    neoplastic = next(e.probability for e in out["etiology"] if e.cause == "neoplastic")
    assert 0.25 <= neoplastic < out["etiology"][0].probability
    texts = [g.text for g in out["recovery"] if "tumour" in g.text]
    assert texts and all(t.startswith("If a tumour") for t in texts)


# ----------------------------------------------------------------------------- questions and words


def questions(out) -> str:
    summary = out["plain_summary"]
    return (
        summary[summary.index(K.words["summary"]["ask_intro"]) :] if K.words["summary"]["ask_intro"] in summary else ""
    )


def test_questions_follow_the_leading_site():
    s1 = run(
        [loc("root:S1", "right", 0.85), loc("nerve:sciatic", "right", 0.15)],
        exam={"strength": [{"movement": "ankle_plantarflexion", "side": "right", "mrc": 4}]},
        investigations=[{"test": "mri_lumbar_spine", "finding": "disc_herniation"}],
    )
    assert "nerve root" in questions(s1) and "plexus" not in questions(s1)
    cauda = run(CES_LOC, **CES)
    assert "plexus" not in questions(cauda) and "base of the spine" in questions(cauda)
    femoral = run(
        [loc("nerve:femoral", "right", 0.8, "nerve_femoral_pelvis"), loc("root:L4", "right", 0.2)],
        history={"onset": "acute", "factors": ["anticoagulation"]},
        symptoms=[{"kind": "pain", "region": "groin", "side": "right"}],
    )
    assert "femoral nerve inside the pelvis" in femoral["plain_summary"]
    assert "front of the thigh" not in femoral["plain_summary"]
    assert "plexus" not in questions(femoral)
    plexus_second = run(
        [loc("root:L4", "left", 0.6), loc("plexus:lumbar", "left", 0.4)],
        exam={"strength": [{"movement": "knee_extension", "side": "left", "mrc": 4}]},
    )
    assert "plexus" in questions(plexus_second)
    uncertain = run(
        [loc("root:L5", "left", 0.3), loc("nerve:common_peroneal", "left", 0.3), loc("nerve:sciatic", "left", 0.2)],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 4}]},
    )
    assert "plexus" in questions(uncertain)


def test_context_exposes_hypotheses_regions_and_background():
    case = make_case()
    entries = [
        loc("no_neurological_lesion", "right", 0.6, "mimic_hip_joint:right"),
        loc("root:L4", "right", 0.3, "root_L4"),
        loc("nerve:tibial", "right", 0.1, "nerve_tibial_knee"),
    ]
    triage = assess_triage(case, K)
    facts = context_facts(
        case,
        entries,
        rank_causes(case, entries, K),
        triage,
        K,
        background=[BackgroundEntry(site="polyneuropathy", side="bilateral", probability=0.4)],
    )
    assert {
        "hypothesis_top:mimic_hip_joint",
        "hypothesis:root_L4",
        "hypothesis:nerve_tibial_knee",
        "background:polyneuropathy",
        "group_top:none",
        "group_top3:root",
        "region_top:none",
        "localized",
    } <= facts.features
    assert facts.values["background_p:polyneuropathy"] == 0.4
    assert abs(facts.values["region_p:knee_and_below"] - 0.1) < 1e-9
    femoral = context_facts(case, [loc("nerve:femoral", "right", 1.0, "nerve_femoral_inguinal")], [], triage, K)
    assert "region_top:groin" in femoral.features


# ----------------------------------------------------------------------------- the review file


def test_committed_safety_review_is_the_generated_one():
    from plexnav.knowledge.query import safety_review

    committed = Path(__file__).resolve().parents[1] / "docs" / "safety-review.md"
    assert committed.read_text(encoding="utf-8") == safety_review(K), (
        "run: plexnav kb safety-review -o docs/safety-review.md"
    )


def test_every_safety_rule_names_an_existing_test():
    root = Path(__file__).resolve().parents[1]
    for rule in K.safety["rules"]:
        path, _, name = rule["test"].partition("::")
        assert f"def {name}(" in (root / path).read_text(encoding="utf-8"), rule["id"]
        assert rule["sources"] and rule["enforced_by"]


def test_a_lump_in_the_spinal_canal_is_named_before_any_cancer_test():
    """A mass in the spinal canal with no sign of cancer (an ependymoma, a nerve-sheath tumour,
    a cyst): the spine's own question, not the pelvic one, and neither tumour markers nor a
    CT searching the belly and pelvis for the tumour the scan already shows; with a cancer
    history both come back."""
    conus = [loc("conus_medullaris", "bilateral", 0.95), loc("cauda_equina", "bilateral", 0.05)]
    sections = dict(
        patient={"age": 45},
        history={"onset": "subacute", "course": "worsening"},
        symptoms=[{"kind": "bladder_dysfunction"}, {"kind": "numbness", "region": "saddle"}],
        investigations=[{"test": "mri_lumbar_spine", "finding": "mass", "level": "T12-L1", "site": "conus_medullaris"}],
    )
    out = run(conus, **sections)
    assert "spine_mass_diagnosis" in option_ids(out) and "mass_diagnosis" not in option_ids(out)
    assert not {"tumor_markers", "ct_abdomen_pelvis"} & set(planned(out))
    known = run(conus, **dict(sections, history={"onset": "subacute", "factors": ["cancer_history"]}))
    assert {"tumor_markers", "pet_ct"} <= set(planned(known)) and "spine_mass_diagnosis" not in option_ids(known)


def test_meralgia_in_pregnancy_gets_advice_for_pregnancy():
    """A pinched outer-thigh nerve in pregnancy: how to take the pressure off in pregnancy
    and how long it lasts (it usually settles after the birth), not weight loss."""
    out = run(
        [loc("nerve:lateral_femoral_cutaneous", "left", 1.0)],
        patient={"age": 31, "sex": "female"},
        history={"onset": "subacute", "factors": ["pregnancy"]},
        symptoms=[{"kind": "pain", "region": "lateral_thigh", "side": "left", "quality": "burning"}],
    )
    assert "relieve_pressure_outer_thigh_pregnancy" in option_ids(out)
    assert not any("losing weight" in m.option for m in out["management"])


def test_sciatica_gets_the_sciatica_medicine_advice_and_no_gabapentinoids():
    """NICE NG59: gabapentinoids and other anti-seizure medicines are not offered for
    sciatica. A disc-type root reading that leads below half still counts as sciatica; a
    cauda equina pressed by a growth is not 'a pinched nerve root (sciatica)'."""
    sections = dict(
        patient={"age": 45},
        history={"onset": "acute", "duration_days": 20},
        symptoms=[
            {"kind": "pain", "region": "lateral_leg", "side": "left", "quality": "burning"},
            {"kind": "pain", "region": "lower_back"},
        ],
        investigations=[{"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L4-L5", "side": "left"}],
    )
    root = [
        loc("root:L5", "left", 0.45),
        loc("plexus:lumbosacral_trunk", "left", 0.3),
        loc("nerve:sciatic", "left", 0.25),
    ]
    ids = option_ids(run(root, **sections))
    assert "sciatica_medicines" in ids and "neuropathic_agents" not in ids
    growth = dict(sections, history={"onset": "subacute", "factors": ["cancer_history"]})
    growth["investigations"] = [
        {"test": "mri_lumbar_spine", "finding": "mass", "level": "L3-L4", "site": "cauda_equina"}
    ]
    ids = option_ids(run([loc("cauda_equina", "bilateral", 0.9)], **growth))
    assert "sciatica_medicines" not in ids


def test_antibiotics_wait_for_a_sign_of_infection():
    """An acute cord picture days after a cold, with no fever and no abscess on a scan, is
    more often a post-infectious inflammation (Frohman & Wingerchuk 2010): the emergency scan
    comes first and antibiotics are not talked of; with a fever, or an abscess on a scan,
    they are."""
    cord = [loc("spinal_cord", "bilateral", 0.95), loc("conus_medullaris", "bilateral", 0.05)]
    picture = dict(
        history={"onset": "acute", "course": "worsening", "duration_days": 4, "factors": ["recent_infection"]},
        symptoms=[{"kind": "weakness", "side": "bilateral"}, {"kind": "bladder_dysfunction"}],
    )
    quiet = run(cord, **picture)
    assert rank_causes(make_case(**picture), cord, K)[0].cause == "infection_abscess"
    assert "infection_treatment" not in option_ids(quiet)
    assert planned(quiet)["mri_whole_spine"].priority == "emergency"
    febrile = dict(picture, history={**picture["history"], "factors": ["recent_infection", "fever"]})
    assert "infection_treatment" in option_ids(run(cord, **febrile))
    # a virus inflaming the roots (CMV, shingles) is treated with antiviral medicine: the
    # option names both, never a drug or a dose
    step = next(m for m in run(cord, **febrile)["management"][1:] if OPTION_IDS[m.option] == "infection_treatment")
    assert "antibiotics" in step.option and "antiviral" in step.option
    scanned = dict(picture, investigations=[{"test": "mri_whole_spine", "finding": "abscess", "level": "T8-T9"}])
    assert "infection_treatment" in option_ids(run(cord, **scanned))


def test_an_operation_s_nerve_injury_is_reviewed_where_it_lies():
    """New cauda equina signs days after a laminectomy are the spine surgeons' to scan for a
    bleed, a fragment or a screw (Kou 2002), not a peripheral nerve to 'explore, free or
    repair'; a sciatic nerve hurt in a hip operation keeps the nerve review and exploration."""
    spine = run(
        CES_LOC,
        history={"onset": "acute", "duration_days": 2, "factors": ["recent_surgery_spine"]},
        symptoms=[{"kind": "weakness", "side": "bilateral"}, {"kind": "bladder_dysfunction"}],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": side, "mrc": 2} for side in ("left", "right")]},
    )
    ids = option_ids(spine)
    assert "spine_surgery_review" in ids
    assert not {"surgical_review", "nerve_exploration"} & set(ids)
    hip = run(
        [loc("nerve:sciatic", "left", 0.9)],
        history={"onset": "acute", "duration_days": 2, "factors": ["recent_surgery_hip"]},
        symptoms=[{"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"}],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 1}]},
    )
    ids = option_ids(hip)
    assert {"surgical_review", "nerve_exploration"} <= set(ids) and "spine_surgery_review" not in ids


def test_a_plain_lump_on_a_nerve_is_the_surgeon_s_question_not_a_habit_or_a_blood_test():
    """A lump on the tibial nerve with no sign of cancer (a nerve-sheath tumour or a ganglion):
    it is the pressure itself, so no advice about habits that press the nerve, no release
    operation and no inflammation markers; the nerve surgeon is asked about the lump. With
    weight loss, the markers come back."""
    lump = dict(
        history={"onset": "chronic", "course": "worsening", "duration_days": 300},
        symptoms=[{"kind": "tingling", "region": "sole", "side": "left"}],
        exam={"strength": [{"movement": "toe_flexion", "side": "left", "mrc": 4}]},
        investigations=[{"test": "ultrasound_nerve", "finding": "mass", "side": "left", "site": "nerve:tibial"}],
    )
    tibial = [loc("nerve:tibial", "left", 0.95)]
    out = run(tibial, **lump)
    ids = option_ids(out)
    assert "nerve_mass_surgery" in ids
    assert not {"relieve_pressure", "entrapment_release"} & set(ids)
    assert not {"crp", "esr"} & set(planned(out))
    thin = dict(lump, history={**lump["history"], "factors": ["weight_loss"]})
    assert {"crp", "esr"} <= set(planned(run(tibial, **thin)))


def test_no_nerve_pain_medicines_when_no_nerve_lesion_holds_the_reading():
    """Medicines for nerve pain (NICE CG173) are not offered when 'no nerve lesion' holds most
    of the reading (a functional weakness with an aching thigh and a stocking of numbness: the
    nerves are not damaged); the same complaints read as a nerve lesion keep them."""
    sections = dict(
        symptoms=[
            {"kind": "pain", "region": "posterior_thigh", "side": "right", "quality": "aching"},
            {"kind": "numbness", "region": "whole_foot_stocking", "side": "right"},
        ],
        exam={"signs": [{"sign": "hoover_sign", "side": "right", "result": "positive"}]},
    )
    functional = [loc("no_neurological_lesion", "right", 0.9, hypothesis="mimic_functional:symptomatic")]
    assert "neuropathic_agents" not in option_ids(run(functional, **sections))
    assert "neuropathic_agents" in option_ids(run([loc("polyneuropathy", "bilateral", 0.9)], **sections))


def test_a_root_a_cancer_may_be_pressing_is_not_read_as_sciatica():
    """With a cancer holding a fifth of the causes, root pain is not 'sciatica' (whose
    medicines NICE NG59 limits): medicines for nerve pain stay on offer. The same root and
    disc without a cancer is sciatica."""
    root = [loc("root:L3", "left", 0.6), loc("plexus:lumbar", "left", 0.4)]
    sections = dict(
        patient={"age": 56, "sex": "female"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 20},
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "left", "quality": "shooting"}],
        investigations=[
            {
                "test": "mri_lumbar_spine",
                "finding": "disc_herniation",
                "level": "L2-L3",
                "side": "left",
                "position": "paracentral",
            }
        ],
    )
    plain = option_ids(run(root, **sections))
    assert "sciatica_medicines" in plain and "neuropathic_agents" not in plain
    cancer = dict(sections, history={**sections["history"], "factors": ["cancer_history"]})
    out = run(root, **cancer)
    assert next(c.probability for c in out["etiology"] if c.cause == "neoplastic") >= 0.2
    assert "neuropathic_agents" in option_ids(out) and "sciatica_medicines" not in option_ids(out)


def test_after_a_cancer_new_root_weakness_scans_the_whole_spine_within_a_day():
    """A cancer survivor with new, worsening root pain and weakness and no back pain: NICE
    NG234 counts radicular pain and limb weakness among the symptoms of a spinal metastasis,
    and a spread to the roots' lining needs no back pain (Chamberlain 2005), so the whole
    spine is scanned within a day. Without the cancer, no whole-spine scan."""
    roots = [loc("root:L3", "left", 0.6), loc("polyradiculopathy", "bilateral", 0.3)]
    sections = dict(
        history={"onset": "subacute", "course": "worsening", "duration_days": 20, "factors": ["cancer_history"]},
        symptoms=[
            {"kind": "pain", "region": "anterior_thigh", "side": "left", "quality": "shooting"},
            {"kind": "weakness", "side": "left", "activity": "stairs"},
        ],
    )
    scan = planned(run(roots, **sections))["mri_whole_spine"]
    assert (scan.priority, scan.when) == ("high", "within_24h") and "lining around the nerve roots" in scan.why
    plain = dict(sections, history={**sections["history"], "factors": []})
    assert "mri_whole_spine" not in planned(run(roots, **plain))


def test_after_a_birth_the_opioid_question_asks_about_breastfeeding():
    """Severe new sciatica days after a birth: the mother may be breastfeeding, and codeine
    and tramadol are not used then (MHRA 2013; FDA 2017), so the opioid question asks about
    it; without a recent birth the plain question stays."""
    s1 = [loc("root:S1", "left", 1.0)]
    pain = [{"kind": "pain", "region": "posterior_thigh", "side": "left", "severity": 9}]
    birth = run(s1, history={"onset": "acute", "factors": ["recent_childbirth"]}, symptoms=pain)
    ids = option_ids(birth)
    assert "short_opioid_after_birth" in ids and "short_opioid" not in ids
    step = next(m for m in birth["management"] if OPTION_IDS.get(m.option) == "short_opioid_after_birth")
    assert "breastfeeding" in step.option and "Codeine and tramadol" in step.why
    plain = option_ids(run(s1, history={"onset": "acute"}, symptoms=pain))
    assert "short_opioid" in plain and "short_opioid_after_birth" not in plain


def test_fever_with_buttock_pain_scans_the_pelvis_within_a_day():
    """Fever with buttock pain and a painful sacroiliac joint: an infected sacroiliac joint,
    hip or psoas is looked for with an MRI of the pelvis within a day (Hermet 2012), beside the
    cultures; the same pain without fever brings no such scan."""
    look_alike = [loc("no_neurological_lesion", "right", 0.5), loc("root:S1", "right", 0.2)]
    sections = dict(
        patient={"age": 13, "sex": "male"},
        history={"factors": ["fever"]},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "right"}],
        exam={"signs": [{"sign": "sacroiliac_provocation", "side": "right", "result": "positive"}]},
    )
    scan = planned(run(look_alike, **sections))["mri_pelvis_plexus"]
    assert (scan.priority, scan.when) == ("high", "within_24h") and "sacroiliac joint" in scan.why
    afebrile = dict(sections, history={})
    assert "mri_pelvis_plexus" not in planned(run(look_alike, **afebrile))


def test_weak_pulses_beside_an_urgent_deficit_see_the_vascular_team_the_same_day():
    """Weak foot pulses on both sides with bladder trouble and a lost knee jerk (an aortic
    occlusion can starve the plexus: an ischaemic plexopathy, Wilbourn 2007): the vascular team
    the same day; weak pulses with walking pain alone keep the review within two weeks."""
    pulses = {"signs": [{"sign": "reduced_foot_pulses", "side": side} for side in ("left", "right")]}
    deficit = run(
        [loc("cauda_equina", "bilateral", 0.4), loc("plexus:lumbosacral", "right", 0.3)],
        history={"onset": "subacute", "course": "worsening", "duration_days": 60},
        symptoms=[{"kind": "bladder_dysfunction"}, {"kind": "numbness", "side": "right"}],
        exam={**pulses, "reflexes": [{"reflex": "patellar", "side": "right", "grade": "absent"}]},
    )
    review = planned(deficit)["vascular_surgery_review"]
    assert (review.priority, review.when) == ("high", "within_24h")
    walking = run(
        [loc("no_neurological_lesion", "bilateral", 0.8)],
        patient={"age": 66},
        history={"onset": "chronic", "duration_days": 200},
        symptoms=[{"kind": "pain", "region": "posterior_leg", "side": "bilateral", "provoked_by": ["walking"]}],
        exam=pulses,
    )
    assert planned(walking)["vascular_surgery_review"].when == "within_2_weeks"


def test_a_growth_in_the_spinal_canal_in_an_emergency_calls_the_teams_now():
    """Bladder and bowel failure with both legs paralysed and a mass a PET scan places on the
    cauda equina, with no known cancer: the first step is the spinal surgeons now and the
    acute oncology team if it may be a cancer (NICE NG234 covers a cancer not yet known),
    and the lump is asked about once, as a lump in the spine."""
    sections = dict(
        history={"onset": "subacute", "course": "worsening", "duration_days": 60},
        symptoms=[
            {"kind": "pain", "region": "lower_back"},
            {"kind": "weakness", "side": "bilateral"},
            {"kind": "bladder_dysfunction"},
            {"kind": "bowel_dysfunction"},
        ],
        exam={"strength": [{"movement": "hip_flexion", "side": side, "mrc": 0} for side in ("left", "right")]},
        investigations=[{"test": "pet_ct", "finding": "mass", "site": "cauda_equina"}],
    )
    out = run([loc("polyradiculopathy", "bilateral", 0.9), loc("cauda_equina", "bilateral", 0.1)], **sections)
    assert out["triage"].level == "emergency"
    ids = option_ids(out)
    assert ids[0] == "spine_mass_teams"
    assert "spine_mass_diagnosis" in ids and "mass_diagnosis" not in ids


def test_a_dislocated_hip_is_put_back_first():
    """Weakness after a hip dislocation (an emergency): the first step asks whether the hip is
    back in its socket, since a dislocated hip is reduced within hours to protect the nerves
    beside it and the femoral head (Sahin 2003; Stewart 2010)."""
    out = run(
        [loc("nerve:sciatic", "right", 0.5), loc("nerve:femoral", "right", 0.3)],
        history={"factors": ["hip_dislocation"]},
        symptoms=[{"kind": "weakness", "side": "right"}],
        exam={"strength": [{"movement": "knee_extension", "side": "right", "mrc": 2}]},
    )
    assert out["triage"].level == "emergency"
    assert option_ids(out)[0] == "hip_reduction"


def test_a_hip_fracture_dislocation_fixed_weeks_ago_is_not_asked_to_be_put_back_or_fixed():
    """Weakness ten weeks after a fracture-dislocation of the hip that was fixed at an
    operation: the hip was put back and the fracture fixed then, so neither question is asked
    again (held-out round 45); a fresh dislocation with no operation still asks both."""
    sites = [loc("nerve:inferior_gluteal", "right", 0.9), loc("nerve:sciatic", "right", 0.1)]
    sections = dict(
        symptoms=[{"kind": "weakness", "side": "right"}],
        exam={"strength": [{"movement": "hip_extension", "side": "right", "mrc": 3}]},
    )
    fixed = run(
        sites,
        history={
            "onset": "acute",
            "duration_days": 70,
            "factors": ["major_trauma", "pelvic_fracture", "hip_dislocation", "recent_surgery_hip"],
        },
        **sections,
    )
    fresh = run(
        sites,
        history={
            "onset": "sudden",
            "duration_days": 1,
            "factors": ["major_trauma", "pelvic_fracture", "hip_dislocation"],
        },
        **sections,
    )
    assert not {"hip_reduction", "fracture_fixation"} & set(option_ids(fixed))
    assert {"hip_reduction", "fracture_fixation"} <= set(option_ids(fresh))


def test_cord_signs_after_an_injury_scan_the_whole_spine_now():
    """A fall, sudden back pain, weak legs and spasticity: a suspected spinal cord injury is
    scanned at once, the whole spine (NICE NG41); the same cord signs with no injury keep the
    whole-spine scan within a day."""
    cord = [loc("spinal_cord", "bilateral", 0.5), loc("conus_medullaris", "bilateral", 0.3)]
    sections = dict(
        patient={"age": 48, "sex": "male"},
        history={"onset": "sudden", "factors": ["fall"]},
        symptoms=[{"kind": "pain", "region": "lower_back"}, {"kind": "weakness", "side": "bilateral"}],
        exam={"signs": [{"sign": "spasticity"}]},
    )
    scan = planned(run(cord, **sections))["mri_whole_spine"]
    assert (scan.priority, scan.when) == ("emergency", "immediately") and "after an injury" in scan.why
    no_injury = dict(sections, history={"onset": "subacute"})
    assert planned(run(cord, **no_injury))["mri_whole_spine"].when == "within_24h"


def test_a_torn_tendon_is_not_stretched_or_strengthened():
    """A torn Achilles tendon leading: no stretching or strengthening of the weak movement and
    no 'physiotherapy or a brace' question (stretching can pull the ends apart), but a bone
    and joint surgeon's check, imaging of the tendon within a day of a fresh tear, and the
    tendon's outlook (AAOS 2010).  An S1 root leading the same findings keeps its exercise."""
    tear = dict(
        history={"onset": "sudden", "duration_days": 3},
        symptoms=[
            {"kind": "pain", "region": "posterior_leg", "side": "left"},
            {"kind": "weakness", "side": "left", "activity": "walking_on_toes"},
        ],
        exam={"strength": [{"movement": "ankle_plantarflexion", "side": "left", "mrc": 4}]},
    )
    tendon = loc("no_neurological_lesion", "left", 0.7, "mimic_tendon_achilles_left:symptomatic")
    tendon.look_alikes = {"tendon_achilles": 0.9, "none": 0.1}
    out = run([tendon, loc("root:S1", "left", 0.3)], **tear)
    ids = option_ids(out)
    assert "torn_tendon_care" in ids and not {"physio_strength", "physio_stretch"} & set(ids)
    assert "physiotherapy or a brace" not in questions(out)
    assert (planned(out)["tendon_imaging"].priority, planned(out)["tendon_imaging"].when) == ("high", "within_24h")
    assert "Torn tendon" in [g.topic for g in out["recovery"]]
    old = run([tendon, loc("root:S1", "left", 0.3)], **{**tear, "history": {"onset": "sudden", "duration_days": 60}})
    assert planned(old)["tendon_imaging"].when == "within_2_weeks"
    root = run([loc("root:S1", "left", 0.8, "root_S1:left")], **tear)
    assert "physio_strength" in option_ids(root) and "tendon_imaging" not in planned(root)


def test_a_diabetic_muscle_infarction_gets_its_own_care_and_outlook():
    """A diabetic muscle infarction leading (Horton 2015; Trujillo-Santos 2003): rest, pain
    relief safe for the kidneys and glucose control asked of the diabetes team, infection, a
    clot and compartment pressure ruled out, no medicine named; its own outlook (it often
    comes back), not "back and hip pain gets better"."""
    thigh = dict(
        history={"onset": "acute", "duration_days": 10, "factors": ["diabetes"]},
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "right", "severity": 8}],
        exam={"strength": [{"movement": "knee_extension", "side": "right", "mrc": 3, "limited_by": "pain"}]},
    )
    infarct = loc("no_neurological_lesion", "right", 0.9, "mimic_muscle_infarction_right:symptomatic")
    infarct.look_alikes = {"muscle_infarction": 0.95, "none": 0.05}
    out = run([infarct, loc("nerve:femoral", "right", 0.1)], **thigh)
    care = next(m for m in out["management"][1:] if OPTION_IDS[m.option] == "muscle_infarction_care")
    assert "kidneys" in care.option and "infection" in care.option
    topics = [g.topic for g in out["recovery"]]
    assert "Diabetic muscle infarction" in topics and "Muscle and joint pain" not in topics
    femoral = run([loc("nerve:femoral", "right", 0.9, "nerve_femoral_pelvis:right")], **thigh)
    assert "muscle_infarction_care" not in option_ids(femoral)


def test_a_regional_pain_syndrome_keeps_the_foot_moving_and_names_no_medicine():
    """A complex regional pain syndrome leading (Goebel 2018, RCP): physiotherapy that keeps
    the foot used and a pain team if it does not settle, a question before a longer cast or
    brace, no medicine named; its own outlook, not "back and hip pain gets better"."""
    foot = dict(
        history={"onset": "subacute", "duration_days": 35, "factors": ["fall"]},
        symptoms=[{"kind": "pain", "region": "dorsum_foot", "side": "left", "quality": "burning", "severity": 8}],
        exam={"sensation": [{"region": "dorsum_foot", "side": "left", "finding": "increased"}]},
    )
    crps = loc("no_neurological_lesion", "left", 0.9, "mimic_crps_left:symptomatic")
    crps.look_alikes = {"crps": 0.95, "none": 0.05}
    out = run([crps, loc("root:L5", "left", 0.1)], **foot)
    care = next(m for m in out["management"][1:] if OPTION_IDS[m.option] == "crps_care")
    assert "physiotherapy" in care.option and "cast" in care.option
    topics = [g.topic for g in out["recovery"]]
    assert "Complex regional pain syndrome" in topics and "Muscle and joint pain" not in topics
    root = run([loc("root:L5", "left", 0.9, "root_L5:left")], **foot)
    assert "crps_care" not in option_ids(root)


def test_a_distal_myopathy_gets_the_neuromuscular_question_and_no_nerve_words():
    """A distal myopathy leading: a neuromuscular specialist's tests (genetic ones among them)
    and its own outlook, never functional weakness; the foot brace is offered without
    promising a nerve's recovery."""
    drop = dict(
        history={"onset": "chronic", "course": "worsening", "duration_days": 1400},
        symptoms=[{"kind": "weakness", "side": "bilateral", "activity": "foot_drop_tripping"}],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "bilateral", "mrc": 4}]},
        electrodiagnosis={"needle_emg": [{"muscle": "tibialis_anterior", "side": "bilateral", "result": "myopathic"}]},
    )
    distal = loc("no_neurological_lesion", "bilateral", 0.9, "mimic_distal_myopathy:symptomatic")
    distal.look_alikes = {"distal_myopathy": 0.9, "none": 0.1}
    out = run([distal], **drop)
    ids = option_ids(out)
    assert "distal_myopathy_care" in ids and "functional_care" not in ids and "ankle_foot_orthosis" in ids
    assert "genetic tests" in next(
        m.option for m in out["management"] if OPTION_IDS.get(m.option) == "distal_myopathy_care"
    )
    assert "nerve recovers" not in next(
        m.why for m in out["management"] if OPTION_IDS.get(m.option) == "ankle_foot_orthosis"
    )
    assert "Muscle disease of the lower legs" in [g.topic for g in out["recovery"]]


def test_a_blocked_artery_reading_brings_the_vascular_team_even_without_a_recorded_pulse():
    """A suddenly blocked leg artery leading the reading: the vascular team the same day (Bjorck
    2020), though no weak pulse was recorded to fire the limb-ischaemia alert."""
    sections = dict(
        history={"onset": "acute", "duration_days": 1},
        symptoms=[{"kind": "pain", "region": "posterior_leg", "side": "right", "severity": 8}],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "right", "mrc": 4}]},
    )
    ischaemia = loc("no_neurological_lesion", "right", 0.7, "mimic_acute_limb_ischaemia_right:symptomatic")
    ischaemia.look_alikes = {"acute_limb_ischaemia": 0.9, "none": 0.1}
    review = planned(run([ischaemia, loc("nerve:sciatic", "right", 0.3)], **sections))["vascular_surgery_review"]
    assert (review.priority, review.when) == ("high", "within_24h") and "pulses" in review.why
    nerve = run([loc("nerve:sciatic", "right", 0.9, "nerve_sciatic_notch:right")], **sections)
    assert "vascular_surgery_review" not in planned(nerve)


def test_a_bleed_pressing_the_cord_is_not_worked_up_as_an_unknown_cancer():
    """A haematoma on the cord names what presses it: no search for an unknown primary
    cancer (myeloma protein, a body CT) and no 'what is pressing on the cord' question,
    which stand for a compression nothing on the scan explains (Kreppel 2003)."""
    compression = {
        "test": "mri_whole_spine",
        "finding": "cord_or_cauda_compression",
        "level": "T9-T10",
        "site": "spinal_cord",
    }
    bleed = {"test": "mri_whole_spine", "finding": "hematoma", "level": "T9-T10", "site": "spinal_cord"}
    sections = dict(
        patient={"age": 74, "sex": "male"},
        history={"onset": "sudden", "duration_days": 0, "factors": ["anticoagulation"]},
        symptoms=[
            {"kind": "weakness", "side": "bilateral", "onset_sudden_severe": True},
            {"kind": "bladder_dysfunction"},
        ],
    )
    unexplained = run([loc("spinal_cord", "bilateral")], investigations=[compression], **sections)
    bled = run([loc("spinal_cord", "bilateral")], investigations=[compression, bleed], **sections)
    assert {"serum_protein_electrophoresis", "ct_abdomen_pelvis"} <= set(planned(unexplained))
    assert not {"serum_protein_electrophoresis", "ct_abdomen_pelvis"} & set(planned(bled))
    assert "coagulation_profile" in planned(bled)


def test_plantar_fasciitis_gets_foot_care_not_spine_care():
    """Plantar fasciitis leading: stretching, support and less standing from a physiotherapist
    or podiatrist (ACFAS 2010; DiGiovanni 2003), its own outlook, and no spinal manipulation
    even with some back pain beside it."""
    lead = loc("no_neurological_lesion", "right", 0.9, hypothesis="mimic_plantar_fasciitis:symptomatic")
    lead.look_alikes = {"plantar_fasciitis": 0.7, "none": 0.3}
    out = run(
        [lead, loc("nerve:tibial", "right", 0.1)],
        history={"onset": "chronic", "duration_days": 150},
        symptoms=[
            {"kind": "pain", "region": "heel", "side": "right", "provoked_by": ["walking"]},
            {"kind": "pain", "region": "lower_back"},
        ],
    )
    ids = option_ids(out)
    assert "plantar_fasciitis_care" in ids and "manual_therapy" not in ids
    assert any("plantar fasciitis" in r.text for r in out["recovery"])


def test_a_worn_knee_is_given_the_joints_outlook_not_the_backs():
    """Knee osteoarthritis read under no nerve lesion: its outlook is the joint's (exercise,
    weight, pain that comes and goes, a replacement for pain that stays severe: NICE NG226),
    not that of back and hip pain that settles with time."""
    lead = loc("no_neurological_lesion", "right", 0.8, "mimic_knee_joint:right")
    lead.look_alikes = {"knee_joint": 0.8, "none": 0.2}
    out = run(
        [lead, loc("root:L3", "right", 0.2)],
        patient={"age": 71},
        history={"onset": "chronic", "duration_days": 300},
        symptoms=[{"kind": "pain", "region": "anterior_knee", "side": "right", "provoked_by": ["walking"]}],
    )
    texts = [r.text for r in out["recovery"]]
    assert any("worn hip or knee joint" in t for t in texts)
    assert not any(t.startswith("Most pain from the back") for t in texts)


def test_a_calf_pain_is_not_given_knee_joint_care_and_a_seen_bleed_is_not_scanned_for_again():
    """A knee look-alike that leads on a calf pain (a torn calf muscle) gets no knee-joint
    exercise advice or joint outlook, which fit pain at the front and inside of the knee
    (NICE NG226); a bleed already seen on the peroneal nerve at the knee is not looked for with
    a knee MRI, and its step is asked of the doctors who see the patient that day, as the
    policy reads it urgent, not of an emergency team."""
    lead = loc("no_neurological_lesion", "right", 0.85, "mimic_knee_joint:right")
    lead.look_alikes = {"knee_joint": 0.5, "none": 0.5}
    calf = run(
        [lead, loc("root:S1", "right", 0.15)],
        history={"onset": "sudden", "duration_days": 10},
        symptoms=[{"kind": "pain", "region": "posterior_leg", "side": "right", "provoked_by": ["walking"]}],
    )
    assert "knee_joint_care" not in option_ids(calf)
    assert not any("worn hip or knee joint" in r.text for r in calf["recovery"])
    bleed = {"test": "ultrasound_nerve", "finding": "hematoma", "side": "left", "site": "nerve:common_peroneal"}
    out = run(
        [
            loc("nerve:common_peroneal", "left", 0.95, "nerve_common_peroneal_fibular_head"),
            loc("root:L5", "left", 0.05),
        ],
        history={"onset": "acute", "course": "worsening", "duration_days": 3, "factors": ["anticoagulation"]},
        symptoms=[{"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"}],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 2}]},
        investigations=[bleed],
    )
    assert "mri_knee" not in planned(out)
    step = next(m.option for m in out["management"] if "blood thinner and reverse" in m.option)
    assert "doctors who see you today" in step

"""Work-up planning: emergency steps lead, tests follow the site and the causes, done tests
are skipped unless a repeat is justified, and the rules are data over valid ids."""

from __future__ import annotations

import re

import pytest

from guidance_support import entry, hand_localization, make_case, shared_cases
from plexnav import vocabulary as V
from plexnav.engine.advise import advise
from plexnav.engine.etiology import rank_causes
from plexnav.engine.triage import assess_triage
from plexnav.engine.workup import plan_workup
from plexnav.knowledge.files import read_yaml
from plexnav.knowledge.guidance import load_guidance_knowledge

K = load_guidance_knowledge()
CASES = shared_cases()


def plan(case, loc):
    triage = assess_triage(case, K)
    return plan_workup(case, loc, rank_causes(case, loc, K), triage, K)


def plan_for(loc, **sections):
    return plan(make_case(**sections), loc)


def names_of(entries) -> list[str]:
    return [w.test for w in entries]


def check_shape(entries):
    assert len(set(names_of(entries))) == len(entries)
    ranks = [V.WORKUP_PRIORITIES.index(w.priority) for w in entries]
    assert ranks == sorted(ranks)
    assert all(w.why.endswith(".") and "_" not in w.why for w in entries)


@pytest.mark.skipif(not CASES, reason="shared cases not present")
@pytest.mark.parametrize("path,case,expected", CASES, ids=[p.stem for p, *_ in CASES])
def test_shared_cases_emergency_steps_lead_only_in_emergencies(path, case, expected):
    entries = plan(case, hand_localization(expected))
    check_shape(entries)
    has_emergency = any(w.priority == "emergency" for w in entries)
    assert has_emergency is (expected.triage == "emergency")
    if has_emergency:
        assert entries[0].priority == "emergency"


CES = dict(
    history={"onset": "acute", "duration_days": 2},
    symptoms=[{"kind": "bladder_dysfunction"}, {"kind": "pain", "region": "lower_back", "side": "bilateral"}],
)


def test_suspected_cauda_equina_starts_with_urgent_mri_and_bladder_scan():
    entries = plan_for([], **CES)
    assert {w.test for w in entries[:2]} == {"mri_lumbar_spine", "post_void_residual"}
    assert all(w.priority == "emergency" for w in entries[:2])
    emg = [w for w in entries if w.test == "emg_ncs"]
    assert not emg or emg[0].priority == "low"


def test_cauda_equina_with_mri_already_done_still_leads_with_bladder_scan():
    entries = plan_for(
        [entry("cauda_equina", "bilateral", 0.9)],
        investigations=[{"test": "mri_lumbar_spine", "finding": "disc_herniation"}],
        **CES,
    )
    assert "mri_lumbar_spine" not in names_of(entries)
    assert entries[0].test == "post_void_residual" and entries[0].priority == "emergency"


def test_suspected_haematoma_on_anticoagulants_starts_with_ct_and_clotting():
    entries = plan_for(
        [entry("nerve:femoral", "right", 0.8)],
        history={"onset": "acute", "factors": ["anticoagulation"]},
        symptoms=[{"kind": "pain", "region": "groin", "side": "right", "severity": 9}],
    )
    assert {w.test for w in entries[:2]} == {"ct_pelvis", "coagulation_profile"}
    assert entries[0].priority == entries[1].priority == "emergency"


@pytest.mark.parametrize(
    "factors,expected",
    [([], True), (["anticoagulation"], False), (["major_trauma"], False), (["recent_surgery_hip"], False)],
)
def test_a_haematoma_nothing_explains_brings_clotting_tests(factors, expected):
    """A spontaneous iliacus haematoma (no blood thinner, injury or operation) can be the first
    sign of a clotting disorder such as haemophilia: clotting tests look for one."""
    entries = plan_for(
        [entry("nerve:femoral", "left", 0.8)],
        history={"onset": "subacute", "factors": factors},
        symptoms=[{"kind": "weakness", "side": "left"}],
        investigations=[{"test": "mri_pelvis", "finding": "hematoma", "side": "left", "site": "nerve:femoral"}],
    )
    unexplained = [w for w in entries if w.test == "coagulation_profile" and "clotting disorder" in w.why]
    assert bool(unexplained) is expected
    if expected:
        assert unexplained[0].when == "within_24h"


def test_a_haematoma_seen_on_a_blood_thinner_brings_clotting_tests_within_a_day_whatever_its_cause():
    """A buttock haematoma pressing the sciatic nerve after a fall on warfarin: its cause reads
    as the injury, not a retroperitoneal bleed, yet the team decides on reversing the blood
    thinner today, so the clotting tests are not left to 'before any procedure' (Tomaselli
    2020)."""
    entries = plan_for(
        [entry("nerve:sciatic", "left", 0.95)],
        history={"onset": "acute", "course": "worsening", "factors": ["anticoagulation", "fall"]},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "left"}],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 3}]},
        investigations=[{"test": "ct_pelvis", "finding": "hematoma", "side": "left", "site": "nerve:sciatic"}],
    )
    clotting = [w for w in entries if w.test == "coagulation_profile"]
    assert clotting and clotting[0].priority in ("emergency", "high")
    assert clotting[0].when in ("immediately", "within_24h")


def test_a_hip_xray_asked_for_a_hip_reading_does_not_claim_a_painful_hip_rotation():
    """The hip X-ray's reason holds whether the hip joint leads or turning the hip hurts; it no
    longer tells someone whose hip was never turned that it hurt to turn it."""
    entries = plan_for(
        [
            entry(
                "no_neurological_lesion",
                "right",
                0.8,
                hypothesis="mimic_hip_joint:symptomatic",
                look_alikes={"hip_joint": 0.6, "none": 0.4},
            )
        ],
        history={"onset": "chronic", "duration_days": 300},
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "right", "provoked_by": ["walking"]}],
    )
    xray = next(w for w in entries if w.test == "hip_imaging")
    assert not xray.why.startswith("Groin pain when the hip is turned")


@pytest.mark.parametrize(
    "scan,expected",
    [
        ({"test": "mri_whole_spine", "finding": "normal"}, True),
        ({"test": "mri_whole_spine", "finding": "disc_herniation", "level": "T8-T9"}, False),
    ],
)
def test_a_cord_reading_with_a_normal_whole_spine_scan_asks_for_b12_soon(scan, expected):
    """Stiff legs over months with a normal whole-spine MRI: a lack of B12 or copper is a
    treatable cause of the myelopathy (Hemmer 1998; Kumar 2006), so B12 is checked within two
    weeks, not only as a routine test for numb feet; a disc on the cord explains it instead."""
    entries = plan_for(
        [entry("spinal_cord", "bilateral", 0.9)],
        history={"onset": "chronic", "course": "worsening", "duration_days": 300},
        symptoms=[{"kind": "gait_difficulty"}],
        exam={"signs": [{"sign": "spasticity", "side": "bilateral"}]},
        investigations=[scan],
    )
    b12 = [w for w in entries if w.test == "vitamin_b12" and w.priority == "high"]
    assert bool(b12) is expected


def test_infection_emergency_brings_imaging_and_cultures():
    entries = plan_for(
        [],
        history={"factors": ["fever", "iv_drug_use"]},
        symptoms=[{"kind": "pain", "region": "lower_back", "side": "left"}],
    )
    first = {w.test for w in entries if w.priority == "emergency"}
    assert {"mri_lumbar_spine", "blood_cultures"} <= first


def test_plexus_lesion_gets_pelvic_mri_nerve_tests_and_sugar():
    entries = plan_for(
        [entry("plexus:lumbar", "left", 0.8), entry("root:L3", "left", 0.2)],
        history={"onset": "subacute", "factors": ["weight_loss"]},
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "left", "severity": 8}],
    )
    by_test = {w.test: w.priority for w in entries}
    assert by_test["mri_pelvis_plexus"] == "high" and by_test["emg_ncs"] == "high"
    assert "hba1c" in by_test and "esr" in by_test
    order = names_of(entries)
    assert order.index("mri_pelvis_plexus") < order.index("hba1c")


def test_root_lesion_gets_lumbar_mri():
    entries = plan_for(
        [entry("root:L5", "left", 0.8)],
        history={"course": "worsening"},
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 3}]},
    )
    assert {w.test: w.priority for w in entries}["mri_lumbar_spine"] == "high"


def test_done_tests_are_skipped():
    loc = [entry("plexus:lumbar", "left", 0.9)]
    entries = plan_for(
        loc,
        history={"factors": ["diabetes"]},
        electrodiagnosis={"needle_emg": [{"muscle": "iliopsoas", "side": "left", "result": "active_denervation"}]},
        investigations=[
            {"test": "mri_pelvis", "finding": "normal"},
            {"test": "hba1c", "value": 8.0},
            {"test": "esr", "value": 10},
        ],
    )
    assert not {"mri_pelvis_plexus", "emg_ncs", "hba1c", "esr"} & set(names_of(entries))


def test_repeat_pelvic_mri_when_tumour_still_possible():
    entries = plan_for(
        [entry("plexus:sacral", "left", 0.9)],
        history={"onset": "subacute", "course": "worsening", "factors": ["cancer_history"]},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "left", "severity": 8}],
        investigations=[{"test": "mri_pelvis", "finding": "normal"}],
    )
    mri = [w for w in entries if w.test == "mri_pelvis_plexus"]
    assert mri and mri[0].priority == "medium" and "repeat" in mri[0].why.lower()


def test_suspected_tumour_gets_body_imaging_and_markers():
    entries = plan_for(
        [entry("plexus:sacral", "left", 0.9)],
        history={"onset": "subacute", "factors": ["cancer_history", "night_pain"]},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "left", "severity": 8}],
    )
    got = set(names_of(entries))
    assert {"ct_abdomen_pelvis", "tumor_markers", "mri_pelvis_plexus"} <= got


def test_pet_ct_names_radiation_damage_only_after_radiotherapy():
    """After cancer a PET-CT looks for active tumour; telling it from radiation damage is the
    question only when the pelvis was irradiated (Thomas 1985)."""
    sections = dict(
        symptoms=[{"kind": "pain", "region": "buttock", "side": "left", "severity": 8}],
        exam={"strength": [{"movement": "hip_extension", "side": "left", "mrc": 4}]},
    )
    whys = {}
    for factors in (["cancer_history"], ["cancer_history", "pelvic_radiation"]):
        entries = plan_for(
            [entry("plexus:sacral", "left", 0.9)],
            history={"onset": "subacute", "course": "worsening", "factors": factors},
            **sections,
        )
        whys[len(factors)] = next(w.why for w in entries if w.test == "pet_ct")
    assert "radiation" not in whys[1] and "radiation damage" in whys[2]


def test_fracture_after_injury_gets_ct():
    entries = plan_for(
        [entry("plexus:sacral", "left", 0.9)],
        history={"onset": "sudden", "factors": ["pelvic_fracture"]},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "left"}],
    )
    assert "ct_pelvis" in names_of(entries)


def test_rules_are_data_over_valid_ids():
    doc = read_yaml("workup.yaml")
    assert {r["test"] for r in doc["rules"]} <= set(V.WORKUP_TESTS)
    assert set(doc["done_by"]) <= set(V.WORKUP_TESTS)
    triage_ids = {r["id"] for lvl in K.triage for r in lvl["rules"]} | {a["id"] for a in K.alerts}
    for name in ("workup.yaml", "management.yaml", "plain_words.yaml"):
        text = str(read_yaml(name))
        for ref in re.findall(r"triage_rule:([a-z_]+\.[a-z_0-9]+)", text):
            assert ref in triage_ids, (name, ref)


def test_routine_patient_answers_wait_for_an_examination_before_scans():
    loc = [entry("plexus:lumbar", "left", 0.3), entry("nerve:lateral_femoral_cutaneous", "left", 0.3)]
    entries = plan_for(
        loc,
        history={"onset": "subacute", "course": "improving", "factors": ["pregnancy"]},
        symptoms=[{"kind": "tingling", "region": "lateral_thigh", "side": "left"}],
    )
    assert not {"mri_pelvis_plexus", "mri_lumbar_spine", "ct_pelvis", "ct_abdomen_pelvis", "pet_ct"} & set(
        names_of(entries)
    )
    examined = plan_for(
        loc,
        history={"onset": "subacute", "factors": ["pregnancy"]},
        exam={"strength": [{"movement": "hip_flexion", "side": "left", "mrc": 4}]},
        symptoms=[{"kind": "tingling", "region": "lateral_thigh", "side": "left"}],
    )
    assert "mri_pelvis_plexus" in names_of(examined)


def test_data_checks_catch_typos_unknown_sources_and_forward_references():
    from plexnav.knowledge.files import read_sources
    from plexnav.knowledge.guidance import FILES, check_documents

    docs = {name: read_yaml(file) for name, file in FILES.items()}
    assert check_documents(docs, read_sources()) == []
    broken = {
        **docs,
        "workup": {
            **docs["workup"],
            "rules": [
                {
                    **docs["workup"]["rules"][0],
                    "when": "symptom:bladder_dysfuntion",
                    "sources": [{"key": "nobody_2099"}],
                }
            ],
        },
    }
    problems = check_documents(broken, read_sources())
    assert any("bladder_dysfuntion" in p for p in problems) and any("nobody_2099" in p for p in problems)
    derived = dict(docs["definitions"]["derived"])
    first, *rest = derived
    reordered = {**docs, "definitions": {"derived": {**{k: derived[k] for k in rest}, first: derived[first]}}}
    assert any("definitions." in p for p in check_documents(reordered, read_sources()))


def test_data_checks_refuse_the_engines_context_where_only_the_case_is_known():
    """A derived definition, a triage clause and a cause are read on the case's own facts,
    before the triage, the localization and the causes exist: a condition there that names
    that context ('hypothesis_top:', 'group_p:') would silently never hold, so loading
    refuses it; a work-up rule may name it."""
    from plexnav.knowledge.files import read_sources
    from plexnav.knowledge.guidance import FILES, check_documents

    docs = {name: read_yaml(file) for name, file in FILES.items()}
    reading = {"all": ["hypothesis_top:mimic_vascular_claudication", {"value": "group_p:none", "ge": 0.5}]}
    definitions = {"derived": {**docs["definitions_guidance"]["derived"], "late_reading": {"when": reading}}}
    problems = check_documents({**docs, "definitions_guidance": definitions}, read_sources())
    assert any("late_reading" in p and "hypothesis_top" in p for p in problems), problems
    assert any("late_reading" in p and "group_p:none" in p for p in problems), problems
    cause = {
        **docs["causes"]["causes"]["trauma"],
        "evidence": [{"when": "site_top:cauda_equina", "lr": 2, "reason": "x"}],
    }
    causes = {**docs["causes"], "causes": {**docs["causes"]["causes"], "trauma": cause}}
    assert any("site_top:cauda_equina" in p for p in check_documents({**docs, "causes": causes}, read_sources()))
    rule = {**docs["workup"]["rules"][0], "when": reading}
    workup = {**docs["workup"], "rules": [rule, *docs["workup"]["rules"][1:]]}
    assert check_documents({**docs, "workup": workup}, read_sources()) == []


def test_sudden_weakness_of_both_legs_images_the_whole_spine():
    """The thoracic cord is still possible: a low-back MRI alone would miss it."""
    entries = plan_for(
        [entry("spinal_cord", "bilateral", 0.12), entry("cauda_equina", "bilateral", 0.1)],
        history={"onset": "sudden", "duration_days": 0},
        symptoms=[{"kind": "weakness", "side": "bilateral", "onset_sudden_severe": True}],
    )
    assert entries[0].test == "mri_whole_spine" and entries[0].priority == "emergency"
    assert "mri_lumbar_spine" not in names_of(entries)


def test_within_a_priority_the_sooner_due_test_comes_first():
    """A spontaneous iliacus haematoma: clotting tests within 24 hours come before nerve tests
    wanted within two weeks, though both are 'high'."""
    entries = plan_for(
        [entry("nerve:femoral", "left", 0.8)],
        history={"onset": "subacute"},
        symptoms=[{"kind": "weakness", "side": "left"}],
        investigations=[{"test": "mri_pelvis", "finding": "hematoma", "side": "left", "site": "nerve:femoral"}],
    )
    order = names_of(entries)
    assert order.index("coagulation_profile") < order.index("emg_ncs")
    due = V.WORKUP_WHEN.index
    keys = [(V.WORKUP_PRIORITIES.index(w.priority), due(w.when)) for w in entries]
    assert keys == sorted(keys)


def test_a_hip_picture_after_a_normal_hip_x_ray_asks_for_an_mri_not_nothing():
    """The hip joint leads and the hip image was normal: radiographs miss femoral neck stress
    fractures and early avascular necrosis (ACR), so the hip is imaged again, soon, as an MRI.
    No image yet: the plain X-ray.  Osteoarthritis already seen, or improving: no repeat."""
    hip = [
        entry("no_neurological_lesion", "left", 0.8).model_copy(
            update={"hypothesis": "mimic_hip_joint:symptomatic", "look_alikes": {"hip_joint": 0.9, "none": 0.1}}
        )
    ]
    pain = [{"kind": "pain", "region": "groin", "side": "left", "provoked_by": ["walking", "hip_movement"]}]
    normal = [{"test": "hip_imaging", "finding": "normal", "side": "left"}]
    first = next(w for w in plan_for(hip, symptoms=pain) if w.test == "hip_imaging")
    assert "X-ray" in first.why and "MRI" not in first.why
    again = next(w for w in plan_for(hip, symptoms=pain, investigations=normal) if w.test == "hip_imaging")
    assert "MRI" in again.why and again.priority == "high"
    arthritic = [{"test": "hip_imaging", "finding": "hip_osteoarthritis", "side": "left"}]
    assert "hip_imaging" not in names_of(plan_for(hip, symptoms=pain, investigations=arthritic))
    settling = plan_for(hip, symptoms=pain, investigations=normal, history={"course": "improving"})
    assert "hip_imaging" not in names_of(settling)


def test_no_hip_x_ray_when_no_nerve_lesion_only_tilts_towards_the_hip():
    """A hip X-ray when the hip joint is a real reading (it leads and holds 15% or more of the
    case): not for a numb foot dorsum whose 'no nerve lesion' reading leans on the hip at 12%,
    while a hip picture keeps it."""
    from pathlib import Path

    from plexnav.engine.assess import assess
    from plexnav.validation import parse_case

    here = Path(__file__).resolve().parent / "cases"
    foot = parse_case(
        (here / "published_round6" / "n-deep-peroneal-anterior-tarsal-aneskey-english.json").read_bytes()
    )[0]
    result = assess(foot, guidance=K)
    top = result.localization[0]
    assert top.hypothesis.startswith("mimic_hip_joint") and top.probability * top.look_alikes["hip_joint"] < 0.15
    assert "hip_imaging" not in names_of(result.workup)
    hip = parse_case((here / "vignettes" / "v-hip-oa.json").read_bytes())[0]
    assert "hip_imaging" in names_of(assess(hip, guidance=K).workup)


def test_a_polyneuropathy_gets_the_high_yield_screen():
    """England 2009 (AAN): besides glucose, vitamin B12 and serum protein immunofixation have
    the highest yield in a length-dependent polyneuropathy; a known B12 deficiency needs no
    B12 test, and a focal lesion far from the feet with no polyneuropathy gets neither."""
    feet = {"symptoms": [{"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}]}
    tests = names_of(plan_for([entry("polyneuropathy", "bilateral", 0.8)], **feet))
    assert {"vitamin_b12", "serum_protein_electrophoresis"} <= set(tests)
    known = names_of(
        plan_for([entry("polyneuropathy", "bilateral", 0.8)], history={"factors": ["b12_deficiency"]}, **feet)
    )
    assert "vitamin_b12" not in known and "serum_protein_electrophoresis" in known
    thigh = names_of(plan_for([entry("nerve:femoral", "left", 0.9)], symptoms=[{"kind": "pain", "side": "left"}]))
    assert not {"vitamin_b12", "serum_protein_electrophoresis"} & set(thigh)


def test_a_small_fibre_neuropathy_gets_a_skin_biopsy_not_a_second_nerve_test():
    """Lauria 2010 (EFNS/PNS): routine conduction studies test only the large fibres, so a
    small-fibre neuropathy is shown by a skin biopsy; once conduction studies were done and a
    polyneuropathy leads, EMG/NCS is not asked for again.  The mixed form gets no biopsy."""
    from plexnav.case import LocalizationEntry

    def reading(hypothesis: str) -> list[LocalizationEntry]:
        return [
            LocalizationEntry(
                site="polyneuropathy",
                side="bilateral",
                probability=0.9,
                supporting=[],
                against=[],
                hypothesis=hypothesis,
            )
        ]

    sections = dict(
        history={"onset": "chronic", "course": "worsening", "duration_days": 200},
        symptoms=[{"kind": "pain", "region": "sole", "side": "bilateral", "quality": "burning"}],
        exam={"sensation": [{"region": "whole_foot_stocking", "side": "bilateral", "finding": "reduced"}]},
        electrodiagnosis={"nerve_conduction": [{"study": "sural_sensory", "side": "bilateral", "result": "normal"}]},
    )
    small = names_of(plan_for(reading("polyneuropathy_small_fibre:bilateral"), **sections))
    assert "skin_biopsy" in small and "emg_ncs" not in small
    mixed = names_of(plan_for(reading("polyneuropathy:bilateral"), **sections))
    assert "skin_biopsy" not in mixed
    # conduction studies done and a polyneuropathy leading: the study that names it is done;
    # with none done yet it is the first test
    assert "emg_ncs" not in mixed
    unstudied = {k: v for k, v in sections.items() if k != "electrodiagnosis"}
    assert "emg_ncs" in names_of(plan_for(reading("polyneuropathy:bilateral"), **unstudied))


def test_glycaemia_below_the_diabetes_range_asks_for_a_glucose_tolerance_test():
    """England 2009 (AAN): a fasting glucose or HbA1c below the diabetes range does not rule
    out impaired glucose tolerance, and the two-hour test has the highest yield; with
    diabetes known, kidney failure to explain it, or no polyneuropathy, it is not asked for."""
    feet = {"symptoms": [{"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}]}
    loc = [entry("polyneuropathy", "bilateral", 0.8)]
    assert "glucose_tolerance_test" in names_of(plan_for(loc, investigations=[{"test": "hba1c", "value": 5.9}], **feet))
    assert "glucose_tolerance_test" not in names_of(
        plan_for(loc, investigations=[{"test": "hba1c", "value": 7.2}], **feet)
    )
    assert "glucose_tolerance_test" not in names_of(plan_for(loc, **feet))
    # kidney failure already explains it (uraemic neuropathy: Krishnan & Kiernan 2007)
    dialysis = [{"test": "hba1c", "value": 5.2}, {"test": "creatinine", "value": 7.9}]
    assert "glucose_tolerance_test" not in names_of(plan_for(loc, investigations=dialysis, **feet))
    thigh = [entry("nerve:femoral", "left", 0.9)]
    assert "glucose_tolerance_test" not in names_of(
        plan_for(thigh, investigations=[{"test": "hba1c", "value": 5.9}], symptoms=[{"kind": "pain", "side": "left"}])
    )


def test_an_injury_that_harmed_no_nerve_gets_no_fracture_scan_for_the_nerves():
    """The fracture CTs look for a broken bone pressing on the nerves (NICE NG41): asked when a
    nerve lesion after an injury is the likelier reading, not when no nerve lesion is (a sprain,
    a torn tendon, a regional pain syndrome after the same injury)."""
    sections = dict(
        history={"onset": "sudden", "factors": ["major_trauma"]},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "left"}],
        exam={"sensation": [{"region": "posterior_thigh", "side": "left", "finding": "reduced"}]},
    )
    nerve = names_of(plan_for([entry("plexus:sacral", "left", 0.8), entry("root:S1", "left", 0.2)], **sections))
    assert "ct_pelvis" in nerve
    none = names_of(
        plan_for([entry("no_neurological_lesion", "left", 0.8), entry("plexus:sacral", "left", 0.2)], **sections)
    )
    assert "ct_pelvis" not in none and "ct_spine" not in none


def test_a_groin_skin_nerve_gets_a_block_not_a_nerve_test():
    """Groin pain after a hernia repair read as the ilioinguinal nerve: no conduction study
    reaches it, so no EMG/NCS is planned and a diagnostic nerve block is the question
    (Stewart 2010); the femoral nerve beside it keeps its nerve test."""
    sections = dict(
        history={"onset": "acute", "course": "stable", "duration_days": 150, "factors": ["recent_surgery_abdominal"]},
        symptoms=[{"kind": "pain", "region": "groin", "side": "right"}],
        exam={"sensation": [{"region": "groin", "side": "right", "finding": "reduced"}]},
    )
    groin = [entry("nerve:ilioinguinal", "right", 0.9), entry("nerve:genitofemoral", "right", 0.1)]
    assert "emg_ncs" not in names_of(plan_for(groin, **sections))
    advice = advise(make_case(**sections), groin, K)
    assert any("numbing injection near the nerve in the groin" in m.option for m in advice["management"])
    femoral = [entry("nerve:femoral", "right", 0.9), entry("plexus:lumbar", "right", 0.1)]
    assert "emg_ncs" in names_of(plan_for(femoral, **sections))


def test_leg_pain_on_walking_after_fifty_gets_an_ankle_brachial_index():
    """NICE CG147: exercise-related leg pain is checked for peripheral arterial disease with
    an ankle-brachial index, even when a nerve reading leads, if narrowed arteries hold a real
    share of the case; not when the foot pulses were recorded normal, nor at 35."""
    no_lesion = entry("no_neurological_lesion", "bilateral", 0.35).model_copy(
        update={"look_alikes": {"vascular_claudication": 0.25, "hip_joint": 0.25, "none": 0.5}}
    )
    loc = [no_lesion, entry("polyneuropathy", "bilateral", 0.3)]
    pain = [{"kind": "pain", "side": "bilateral", "provoked_by": ["walking"]}]
    assert "ankle_brachial_index" in names_of(plan_for(loc, patient={"age": 78}, symptoms=pain))
    assert "ankle_brachial_index" not in names_of(plan_for(loc, patient={"age": 35}, symptoms=pain))
    pulses = {"signs": [{"sign": "reduced_foot_pulses", "side": s, "result": "negative"} for s in ("left", "right")]}
    assert "ankle_brachial_index" not in names_of(plan_for(loc, patient={"age": 78}, symptoms=pain, exam=pulses))


def test_an_unexplained_cord_compression_gets_the_search_for_a_primary():
    """The cord pressed at T7 with no disc or narrowing named and no known cancer: NICE CG104's
    search for a primary (a CT of the body and a myeloma screen; a plasmacytoma in the
    report); a thoracic disc named on the scan explains the compression and brings neither."""
    cord = [entry("spinal_cord", "bilateral", 0.95)]
    sections = dict(
        patient={"age": 56},
        history={"onset": "chronic", "course": "worsening"},
        symptoms=[{"kind": "weakness", "side": "bilateral"}],
        exam={"reflexes": [{"reflex": "plantar", "side": s, "grade": "extensor"} for s in ("left", "right")]},
    )
    pressed = [
        {"test": "mri_whole_spine", "finding": "cord_or_cauda_compression", "level": "T7", "site": "spinal_cord"}
    ]
    tests = names_of(plan_for(cord, **sections, investigations=pressed))
    assert {"ct_abdomen_pelvis", "serum_protein_electrophoresis"} <= set(tests)
    disc = [
        *pressed,
        {"test": "mri_whole_spine", "finding": "disc_herniation", "level": "T7-T8", "position": "central"},
    ]
    tests = names_of(plan_for(cord, **sections, investigations=disc))
    assert not {"ct_abdomen_pelvis", "serum_protein_electrophoresis"} & set(tests)


def test_an_injured_spine_is_scanned_by_spine_ct_not_only_pelvic_ct():
    """After a fall, a cauda equina or root picture needs the spine itself scanned for a
    fracture (NICE NG41: CT first for a suspected thoracic or lumbosacral spine injury); a
    pelvic CT stops at the sacrum.  A fracture already seen needs no second CT, and a pelvic
    plexus injury keeps its pelvic CT without a spine CT, and a root after a fall that reads as
    a disc gets neither."""
    fall = dict(
        history={"onset": "sudden", "factors": ["fall"]},
        symptoms=[
            {"kind": "pain", "region": "lower_back", "side": "bilateral"},
            {"kind": "numbness", "region": "saddle", "side": "bilateral"},
        ],
    )
    cauda = [entry("cauda_equina", "bilateral", 0.75), entry("conus_medullaris", "bilateral", 0.2)]
    planned = {w.test: w for w in plan_for(cauda, **fall)}
    assert planned["ct_spine"].priority == "emergency" and planned["ct_spine"].when == "immediately"
    assert planned["mri_lumbar_spine"].priority == "emergency"
    seen = dict(fall, investigations=[{"test": "mri_lumbar_spine", "finding": "fracture", "level": "L1"}])
    assert "ct_spine" not in names_of(plan_for(cauda, **seen))
    root = dict(
        history={"onset": "acute", "factors": ["fall"]},
        symptoms=[{"kind": "pain", "region": "lateral_leg", "side": "left"}, {"kind": "weakness", "side": "left"}],
    )
    planned_root = {w.test: w for w in plan_for([entry("root:L5", "left", 0.8)], **root)}
    assert not {"ct_pelvis", "ct_spine"} & set(planned_root)  # a root read as a disc, not a fracture
    pelvis = dict(
        history={"onset": "sudden", "factors": ["major_trauma", "pelvic_fracture"]},
        symptoms=[{"kind": "weakness", "side": "left"}],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 2}]},
    )
    planned_pelvis = names_of(plan_for([entry("plexus:sacral", "left", 0.8)], **pelvis))
    assert "ct_pelvis" in planned_pelvis and "ct_spine" not in planned_pelvis


def test_a_tibial_nerve_trapped_at_the_ankle_is_not_scanned_at_the_knee():
    """Burning sole pain and a numb great toe read as the tibial nerve at the ankle (tarsal
    tunnel or the medial plantar nerve, a jogger's foot): a knee MRI looks in the wrong place;
    the nerve ultrasound at the lesion stays.  The tibial nerve behind the knee keeps its
    knee MRI."""
    sections = dict(
        history={"onset": "subacute", "course": "stable", "duration_days": 35},
        symptoms=[
            {"kind": "pain", "region": "sole", "side": "left"},
            {"kind": "numbness", "region": "great_toe", "side": "left"},
        ],
        exam={"sensation": [{"region": "sole", "side": "left", "finding": "reduced"}]},
    )

    def tibial(hypothesis: str):
        e = entry("nerve:tibial", "left", 0.95)
        e.hypothesis = hypothesis
        return [e]

    at_ankle = names_of(plan_for(tibial("nerve_tibial_ankle:left"), **sections))
    assert "mri_knee" not in at_ankle and "ultrasound_nerve" in at_ankle
    assert "mri_knee" in names_of(plan_for(tibial("nerve_tibial_knee:left"), **sections))


def test_an_alert_at_the_policys_own_level_still_brings_its_steps():
    """A sudden foot drop with no foot pulse is an emergency by the policy itself (sudden
    marked weakness), so the limb-ischaemia alert is not shown beside it; its picture still
    asks for the vascular team now (Bjorck 2020), not the same-day review a weak pulse with a
    slower weakness gets."""
    case = make_case(
        history={"onset": "sudden", "duration_days": 0},
        symptoms=[
            {"kind": "pain", "region": "posterior_leg", "side": "right", "severity": 9},
            {"kind": "weakness", "side": "right", "onset_sudden_severe": True},
        ],
        exam={
            "strength": [{"movement": "ankle_dorsiflexion", "side": "right", "mrc": 2}],
            "signs": [{"sign": "reduced_foot_pulses", "side": "right", "result": "positive"}],
        },
    )
    triage = assess_triage(case, K)
    assert triage.level == "emergency" and not triage.alerts
    loc = [entry("nerve:sciatic", "right", 0.6), entry("no_neurological_lesion", "right", 0.4)]
    review = next(w for w in plan(case, loc) if w.test == "vascular_surgery_review")
    assert (review.priority, review.when) == ("emergency", "immediately")


def test_a_scan_misses_the_leading_roots_only_when_nothing_on_their_side_presses_one():
    """scan_misses_top reads anatomy, not the explanation's weights against rivals (which made a
    range of roots look unmatched by foraminal narrowings named on each of its roots): a root
    or range leads, the spine was scanned, and no disc or narrowing on the lesion's side
    presses one of its roots head-on (Fardon 2014)."""
    from plexnav.case import Case, LocalizationEntry
    from plexnav.engine.workup import _scan_misses

    def entry(site, side, levels=None):
        return LocalizationEntry(site=site, side=side, probability=0.9, supporting=[], against=[], levels=levels)

    def case(*scans):
        return Case.model_validate({"format": "plexnav-case/1", "investigations": list(scans)})

    foraminal_l3 = {
        "test": "mri_lumbar_spine",
        "finding": "foraminal_stenosis",
        "level": "L3-L4",
        "side": "left",
        "site": "root:L3",
    }
    central_l4 = {"test": "mri_lumbar_spine", "finding": "canal_stenosis", "level": "L4-L5", "position": "central"}
    range_l3_l4 = entry("polyradiculopathy", "left", ["L3", "L4"])
    assert not _scan_misses(case(foraminal_l3, central_l4), range_l3_l4)
    # a central L4-L5 narrowing presses the traversing L5 roots, not the exiting L4
    assert _scan_misses(case(central_l4), entry("root:L4", "left"))
    assert not _scan_misses(case(central_l4), entry("root:L5", "left"))
    # a disc on the other side only, or no structural finding on a scan, misses
    right_disc = {"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L4-L5", "side": "right"}
    assert _scan_misses(case(right_disc), entry("root:L5", "left"))
    assert _scan_misses(case({"test": "mri_lumbar_spine", "finding": "normal"}), entry("root:L5", "left"))
    # no spine scan, a disc given no level, or no root leading: nothing to say
    assert not _scan_misses(case(), entry("root:L5", "left"))
    assert not _scan_misses(case({"test": "mri_lumbar_spine", "finding": "disc_herniation"}), entry("root:L3", "left"))
    assert not _scan_misses(case(central_l4), entry("plexus:lumbar", "left"))


@pytest.mark.parametrize(
    "history,factors,expected",
    [
        ({"onset": "subacute", "course": "worsening", "duration_days": 60}, [], True),
        ({"onset": "chronic", "course": "worsening", "duration_days": 1100}, [], False),
        ({"onset": "chronic", "course": "worsening", "duration_days": 1100}, ["weight_loss"], True),
        ({"onset": "chronic", "course": "worsening"}, [], True),
    ],
)
def test_a_body_scan_for_an_unknown_primary_needs_a_compression_of_a_cancers_pace(history, factors, expected):
    """A cord pressed by something no disc or narrowing explains, with no cancer known, brings
    the search for a primary (NICE CG104) while it could be a deposit: a malignant compression
    declares itself over weeks to months (pain a median of 90 days, weakness 20 days before the
    diagnosis: Levack 2002), so one worsening slowly for years with no sign of cancer (weight
    loss, pain at night) is a benign tumour, a cyst or a herniated cord to characterise first."""
    entries = plan_for(
        [entry("spinal_cord", "right", 0.9)],
        patient={"age": 52, "sex": "female"},
        history={**history, "factors": factors},
        symptoms=[{"kind": "gait_difficulty"}],
        exam={"signs": [{"sign": "spasticity", "side": "right"}]},
        investigations=[
            {
                "test": "mri_whole_spine",
                "finding": "cord_or_cauda_compression",
                "level": "T4-T5",
                "side": "right",
                "site": "spinal_cord",
            }
        ],
    )
    tests = names_of(entries)
    assert ("ct_abdomen_pelvis" in tests) is expected
    assert ("serum_protein_electrophoresis" in tests) is expected


def test_a_nerve_lesion_getting_better_on_its_own_is_not_screened_for_vasculitis():
    """A young person's saphenous neuropathy that came on over days and is getting better, with
    no sign of an immune disease: a vasculitis of the nerves goes on or returns until treated
    (Collins 2010), so no inflammation markers and immune panel are asked for; the same
    lesion getting worse keeps them."""

    def tests(course):
        return names_of(
            plan_for(
                [entry("nerve:saphenous", "right", 0.95)],
                patient={"age": 27, "sex": "female"},
                history={"onset": "acute", "course": course, "duration_days": 120},
                symptoms=[
                    {"kind": "numbness", "region": "medial_leg", "side": "right"},
                    {"kind": "pain", "region": "medial_leg", "side": "right"},
                ],
            )
        )

    assert "autoimmune_panel" not in tests("improving") and "esr" not in tests("improving")
    assert "autoimmune_panel" in tests("worsening")


def test_a_pelvic_ct_for_broken_bones_is_for_an_injury_of_the_last_weeks():
    """A femoral nerve cut by a stab wound in the groin: a pelvic CT for broken bones in the
    first days, not seven weeks on, when the injury was imaged at the time."""

    def tests(days):
        return names_of(
            plan_for(
                [entry("nerve:femoral", "left", 0.95)],
                patient={"age": 30, "sex": "male"},
                history={"onset": "sudden", "course": "stable", "duration_days": days, "factors": ["major_trauma"]},
                symptoms=[{"kind": "weakness", "side": "left", "activity": "leg_gives_way"}],
            )
        )

    assert "ct_pelvis" in tests(3)
    assert "ct_pelvis" not in tests(49)


def test_a_tense_compartment_on_a_blood_thinner_brings_clotting_tests_now():
    """A tense, painful calf compartment on warfarin: the fasciotomy it may need now cannot wait
    for routine clotting tests (BOAST 10), so they are an emergency step; the same calf off a
    blood thinner brings none."""
    sections = dict(
        patient={"age": 66},
        history={"onset": "sudden", "course": "worsening", "duration_days": 2, "factors": ["anticoagulation"]},
        symptoms=[{"kind": "pain", "region": "posterior_leg", "side": "left", "severity": 9}],
        exam={"signs": [{"sign": "tender_tense_compartment", "side": "left", "region": "calf"}]},
    )
    loc = [entry("nerve:tibial", "left", 0.8)]
    clotting = [w for w in plan_for(loc, **sections) if w.test == "coagulation_profile"]
    assert clotting and clotting[0].priority == "emergency"
    off = dict(sections, history={**sections["history"], "factors": []})
    assert not [w for w in plan_for(loc, **off) if w.test == "coagulation_profile"]


def test_enhancing_roots_with_nothing_pressing_bring_a_lumbar_puncture():
    """Thickened, enhancing cauda equina roots with no disc, mass or collection on the MRI are
    inflamed or infiltrated (lymphoma, a cancer in the spinal fluid, an infection): the spinal
    fluid is examined, within a day in an emergency (Ross & Moore 2015; Le Rhun 2017).  The
    same roots pressed by a disc do not bring it."""
    sections = dict(
        patient={"age": 66, "sex": "male"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 120, "factors": ["weight_loss"]},
        symptoms=[
            {"kind": "bladder_dysfunction"},
            {"kind": "pain", "region": "posterior_thigh", "side": "left", "severity": 7},
        ],
        investigations=[
            {"test": "mri_lumbar_spine", "finding": "plexus_enhancement_or_thickening", "site": "cauda_equina"}
        ],
    )
    loc = [entry("cauda_equina", "bilateral", 0.95)]
    csf = [w for w in plan_for(loc, **sections) if w.test == "csf_analysis"]
    assert csf and csf[0].priority == "high" and csf[0].when == "within_24h"
    pressed = dict(
        sections,
        investigations=[
            *sections["investigations"],
            {"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L4-L5", "position": "central"},
        ],
    )
    assert "csf_analysis" not in names_of(plan_for(loc, **pressed))


def test_guillain_barre_picture_brings_a_lumbar_puncture():
    """Both legs weak over days with the reflexes lost and nothing pressing: the spinal fluid
    supports Guillain-Barre syndrome or points to an infection or lymphoma (Leonhard 2019)."""
    sections = dict(
        patient={"age": 40},
        history={"onset": "acute", "course": "worsening", "duration_days": 5},
        symptoms=[{"kind": "weakness", "side": "bilateral", "activity": "stairs"}],
        exam={
            "strength": [
                {"movement": "hip_flexion", "side": "bilateral", "mrc": 3},
                {"movement": "ankle_dorsiflexion", "side": "bilateral", "mrc": 4},
            ],
            "reflexes": [
                {"reflex": "patellar", "side": "bilateral", "grade": "absent"},
                {"reflex": "achilles", "side": "bilateral", "grade": "absent"},
            ],
        },
        investigations=[{"test": "mri_lumbar_spine", "finding": "normal"}],
    )
    assert "csf_analysis" in names_of(plan_for([entry("polyradiculopathy", "bilateral", 0.9)], **sections))


def test_a_nerve_ultrasound_is_not_asked_for_once_a_scan_has_found_the_abscess_on_it():
    """A femoral nerve under an iliacus abscess on the pelvic MRI: the scan has shown what
    presses; an ultrasound of the nerve adds nothing (as after a bleed or a lump)."""
    sections = dict(
        patient={"age": 58},
        history={"onset": "acute", "course": "worsening", "duration_days": 6, "factors": ["fever", "diabetes"]},
        symptoms=[{"kind": "pain", "region": "groin", "side": "right", "severity": 8}],
        exam={"strength": [{"movement": "knee_extension", "side": "right", "mrc": 3}]},
        investigations=[{"test": "mri_pelvis", "finding": "abscess", "side": "right", "site": "nerve:femoral"}],
    )
    assert "ultrasound_nerve" not in names_of(plan_for([entry("nerve:femoral", "right", 0.95)], **sections))


def test_every_lumbar_puncture_says_the_blood_thinners_and_platelets_are_checked_first():
    """A needle in the spine on a blood thinner or with few platelets risks a spinal bleed:
    every work-up text that proposes a lumbar puncture says these are checked first."""
    rules = [r for r in read_yaml("workup.yaml")["rules"] if r["test"] == "csf_analysis"]
    assert rules
    for rule in rules:
        assert "Blood thinners and the platelet count are checked first." in rule["why"], rule["id"]


def test_after_a_muscle_breakdown_the_kidneys_and_the_ck_are_checked_again_before_any_myositis_tests():
    """Exertional rhabdomyolysis three days on (CK 68,400, creatinine still 1.2): the kidneys can
    fail over the next days, so their tests are repeated within a day; the CK is measured
    again as the muscle recovers, and the myositis antibodies wait for a CK that stays high or
    a breakdown that comes back (Bosch 2009)."""
    sections = dict(
        patient={"age": 31, "sex": "female"},
        history={"onset": "acute", "course": "stable", "duration_days": 3},
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "bilateral", "severity": 9}],
        investigations=[
            {"test": "ck", "value": 68400},
            {"test": "creatinine", "value": 1.2},
            {"test": "mri_pelvis", "finding": "muscle_edema_or_necrosis", "side": "bilateral"},
        ],
    )
    plan = plan_for(
        [entry("no_neurological_lesion", "bilateral", 0.9, hypothesis="mimic_myopathy:symptomatic")], **sections
    )
    kidneys = [w for w in plan if w.test == "renal_function"]
    assert kidneys and kidneys[0].priority == "high" and kidneys[0].when == "within_24h"
    assert "ck" in names_of(plan)
    assert "autoimmune_panel" not in names_of(plan)


def test_no_nerve_conduction_study_when_a_groin_skin_nerve_leads():
    """The iliohypogastric nerve leading after a Pfannenstiel incision, an L1 root behind it: no
    reliable conduction study reaches the groin skin nerves, so EMG is not proposed while one
    of them leads, whatever its share; a nerve block is the test (Stewart 2010)."""
    sections = dict(
        patient={"age": 33, "sex": "female"},
        history={"onset": "acute", "course": "stable", "duration_days": 120, "factors": ["recent_surgery_abdominal"]},
        symptoms=[{"kind": "pain", "region": "groin", "side": "right", "severity": 6}],
        exam={"sensation": [{"region": "groin", "side": "right", "finding": "reduced"}]},
    )
    loc = [entry("nerve:iliohypogastric", "right", 0.5), entry("root:L1", "right", 0.3)]
    assert "emg_ncs" not in names_of(plan_for(loc, **sections))


def test_no_cancer_markers_for_a_swollen_nerve_and_no_crush_ck_weeks_after_lying_still():
    """A tibial nerve seen swollen at the tarsal tunnel with no cancer known: its scan answers
    the question, not a cancer marker (as for a lump on a nerve: Kim 2005); and a peroneal palsy
    three weeks after lying still is not asked about as a crush (the CK rises within days)."""
    swollen = dict(
        patient={"age": 67},
        history={"onset": "chronic", "course": "worsening", "duration_days": 300},
        symptoms=[{"kind": "pain", "region": "sole", "side": "right", "severity": 6}],
        investigations=[
            {
                "test": "ultrasound_nerve",
                "finding": "plexus_enhancement_or_thickening",
                "site": "nerve:tibial",
                "side": "right",
            }
        ],
    )
    assert "tumor_markers" not in names_of(plan_for([entry("nerve:tibial", "right", 0.95)], **swollen))
    lying = dict(
        patient={"age": 71},
        history={"onset": "sudden", "course": "stable", "duration_days": 20, "factors": ["prolonged_immobility"]},
        symptoms=[{"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"}],
    )
    loc = [entry("nerve:common_peroneal", "left", 0.95)]
    assert "ck" not in names_of(plan_for(loc, **lying))
    early = dict(lying, history={**lying["history"], "duration_days": 2})
    assert "ck" in names_of(plan_for(loc, **early))


def test_a_conus_bleed_already_on_the_lumbar_mri_is_not_sent_for_a_second_emergency_scan():
    """A bleed in the conus after a spinal needle, on the lumbar MRI (which images the conus, at
    L1), with nothing pointing above it: the emergency is the team's answer to that bleed, not a
    whole-spine MRI now; with no such lesion seen, the whole spine is scanned now."""
    sections = dict(
        patient={"age": 31, "sex": "female"},
        history={"onset": "sudden", "course": "stable", "duration_days": 2},
        symptoms=[{"kind": "bladder_dysfunction"}, {"kind": "numbness", "region": "saddle", "side": "left"}],
        investigations=[
            {
                "test": "mri_lumbar_spine",
                "finding": "hematoma",
                "level": "L1",
                "side": "left",
                "site": "conus_medullaris",
            }
        ],
    )
    loc = [entry("conus_medullaris", "bilateral", 0.9), entry("cauda_equina", "bilateral", 0.1)]
    assert "mri_whole_spine" not in names_of(plan_for(loc, **sections))
    unseen = dict(sections, investigations=[])
    assert "mri_whole_spine" in names_of(plan_for(loc, **unseen))


def _cultures(entries):
    return [(w.priority, w.when) for w in entries if w.test == "blood_cultures"]


def test_blood_cultures_keep_the_pace_of_the_picture_an_abscess_belongs_to():
    """A pocket of pus read as the cause of a nerve problem the policy calls urgent (a cold
    abscess on the tibial nerve, no fever): cultures within a day, not as an emergency step.
    A liver abscess under treatment, far from the nerves, beside a drug neuropathy: no
    cultures.  An abscess the scan places on a root in the spinal canal: cultures now, with
    an alert (Darouiche 2006)."""
    tibial = dict(
        patient={"age": 41},
        history={"onset": "subacute", "course": "worsening", "duration_days": 30, "factors": ["immunosuppression"]},
        symptoms=[{"kind": "pain", "region": "sole", "side": "left", "severity": 6}],
        exam={"strength": [{"movement": "toe_flexion", "side": "left", "mrc": 3}]},
        investigations=[{"test": "ultrasound_nerve", "finding": "abscess", "side": "left", "site": "nerve:tibial"}],
    )
    case = make_case(**tibial)
    assert assess_triage(case, K).level == "urgent"
    assert _cultures(plan(case, [entry("nerve:tibial", "left", 0.95)])) == [("high", "within_24h")]
    liver = dict(
        patient={"age": 69},
        history={"onset": "subacute", "course": "worsening", "duration_days": 24, "factors": ["diabetes"]},
        symptoms=[{"kind": "pain", "region": "sole", "side": "bilateral", "quality": "burning"}],
        exam={"reflexes": [{"reflex": "achilles", "side": "bilateral", "grade": "absent"}]},
        investigations=[{"test": "ct_abdomen_pelvis", "finding": "abscess"}, {"test": "hba1c", "value": 7.2}],
    )
    assert _cultures(plan_for([entry("polyneuropathy", "bilateral", 0.9)], **liver)) == []
    root = dict(
        patient={"age": 77},
        history={"onset": "subacute", "course": "worsening", "duration_days": 20, "factors": ["diabetes"]},
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "left", "severity": 8}],
        exam={"strength": [{"movement": "knee_extension", "side": "left", "mrc": 4}]},
        investigations=[
            {"test": "mri_lumbar_spine", "finding": "abscess", "side": "left", "level": "L3-L4", "site": "root:L3"}
        ],
    )
    case = make_case(**root)
    triage = assess_triage(case, K)
    assert triage.level != "emergency" and [a.id for a in triage.alerts] == ["alert.spinal_abscess"]
    entries = plan(case, [entry("root:L3", "left", 0.9)])
    assert entries[0].test == "blood_cultures" and entries[0].priority == "emergency"


def test_the_screening_tests_of_a_polyneuropathy_are_an_adults():
    """A paraprotein, a raised blood sugar and impaired glucose tolerance are the screening
    tests of an adult's polyneuropathy (England 2009): an 11-year-old on vincristine with a
    pressure palsy at the knee is not sent for a protein electrophoresis or an HbA1c; a
    63-year-old with the same picture is, and an age not given counts as an adult's."""

    def tests_at(age):
        sections = dict(
            history={"onset": "subacute", "course": "worsening", "duration_days": 30},
            symptoms=[{"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}],
            exam={"reflexes": [{"reflex": "achilles", "side": "bilateral", "grade": "absent"}]},
            investigations=[{"test": "hba1c", "value": 5.4}] if age is None else [],
        )
        if age is not None:
            sections["patient"] = {"age": age}
        return names_of(plan_for([entry("polyneuropathy", "bilateral", 0.9)], **sections))

    child, adult = tests_at(11), tests_at(63)
    assert not {"serum_protein_electrophoresis", "hba1c", "glucose_tolerance_test"} & set(child)
    assert {"serum_protein_electrophoresis", "hba1c"} <= set(adult)
    assert "serum_protein_electrophoresis" in tests_at(None)

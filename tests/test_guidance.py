"""Advice: management options, recovery, self-care, prevention and the plain summary.
Chosen for the case, framed as options to discuss, never a dose, readable by a patient."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidance_support import (
    DOSE,
    all_text,
    case_dict,
    entry,
    hand_localization,
    make_case,
    patch_textstat,
    shared_cases,
)
from plexnav import vocabulary as V
from plexnav.case import Assessment, GuidanceEntry, ManagementEntry
from plexnav.engine.advise import advise
from plexnav.knowledge.files import read_sources, read_yaml
from plexnav.knowledge.guidance import load_guidance_knowledge

K = load_guidance_knowledge()
CASES = shared_cases()
KEYS = {"triage", "etiology", "workup", "management", "recovery", "self_care", "prevention", "plain_summary"}
CLOSING = K.words["summary"]["closing"]


@pytest.fixture
def fk_grade(monkeypatch):
    """textstat's Flesch-Kincaid grade, working offline (see guidance_support.cmu_words)."""
    textstat = pytest.importorskip("textstat")
    patch_textstat(monkeypatch)
    return textstat.flesch_kincaid_grade


def run(loc, **sections):
    return advise(make_case(**sections), loc, K)


def options(out) -> list[str]:
    return [m.option for m in out["management"]]


def topics(out, key) -> list[str]:
    return [g.topic for g in out[key]]


# ----------------------------------------------------------------------------- shared cases


@pytest.mark.skipif(not CASES, reason="shared cases not present")
@pytest.mark.parametrize("path,case,expected", CASES, ids=[p.stem for p, *_ in CASES])
def test_shared_case_advice_is_complete_readable_and_dose_free(path, case, expected, fk_grade):
    out = advise(case, hand_localization(expected), K)
    assert set(out) == KEYS
    assert out["triage"].level == expected.triage
    assert not expected.etiology or set(e.cause for e in out["etiology"][:3]) & set(expected.etiology)
    summary = out["plain_summary"]
    assert summary.endswith(CLOSING)
    assert fk_grade(summary) <= 8.5, summary
    assert not [t for t in all_text(out) if DOSE.search(t)]
    assert out["management"][0].category == "about_these_options"
    assert all("ask" in m.option.lower() for m in out["management"][1:])
    Assessment(case_id=case.id, knowledge_version="test", localization=hand_localization(expected), **out)


@pytest.mark.skipif(not CASES, reason="shared cases not present")
def test_advice_is_chosen_not_dumped():
    spec = K.management
    for _, case, expected in CASES:
        out = advise(case, hand_localization(expected), K)
        assert len(out["management"]) < len(spec["management"]) / 2
        assert len(out["prevention"]) < len(spec["prevention"]) / 2
        assert len(out["recovery"]) <= 4


# ----------------------------------------------------------------------------- selection

FOOT_DROP = dict(
    history={"onset": "acute", "factors": ["habitual_leg_crossing"]},
    symptoms=[
        {"kind": "weakness", "activity": "foot_drop_tripping", "side": "right"},
        {"kind": "numbness", "region": "dorsum_foot", "side": "right"},
    ],
    exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "right", "mrc": 2}]},
)


def test_peroneal_foot_drop_gets_brace_pressure_advice_and_recovery_in_weeks():
    out = run([entry("nerve:common_peroneal", "right", 0.9)], **FOOT_DROP)
    assert any("ankle-foot orthosis" in o for o in options(out))
    assert any("crossing your legs" in o for o in options(out))
    assert any("weeks" in g.text for g in out["recovery"])
    assert "Pressure at the knee" in topics(out, "prevention")
    assert "Using a brace" in topics(out, "self_care")
    assert not any("opioid" in o for o in options(out))


def test_no_foot_drop_no_brace():
    out = run(
        [entry("nerve:lateral_femoral_cutaneous", "left", 0.9)],
        symptoms=[{"kind": "numbness", "region": "lateral_thigh", "side": "left"}],
    )
    assert not any("orthosis" in o or "brace" in o for o in options(out))
    assert "Preventing falls" not in topics(out, "self_care")


DLRPN = dict(
    history={"onset": "subacute", "course": "worsening", "duration_days": 30, "factors": ["diabetes", "weight_loss"]},
    symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "right", "quality": "burning", "severity": 9}],
    exam={"strength": [{"movement": "knee_extension", "side": "right", "mrc": 3}]},
)


def test_diabetic_plexopathy_options_and_recovery():
    out = run([entry("plexus:lumbar", "right", 0.9)], **DLRPN)
    cats = {m.category for m in out["management"]}
    assert {"immunotherapy", "neuropathic_pain", "disease_specific", "aids_and_braces"} <= cats
    assert any("blood sugar" in o for o in options(out))
    assert any("opioid" in o for o in options(out))  # severe, recent pain
    assert any("6 to 18 months" in g.text for g in out["recovery"])
    assert "Blood sugar" in topics(out, "prevention")


def test_long_standing_pain_gets_no_opioid_option():
    out = run(
        [entry("plexus:lumbar", "right", 0.9)], **{**DLRPN, "history": {**DLRPN["history"], "duration_days": 120}}
    )
    assert not any("opioid" in o for o in options(out))


def test_root_pain_gets_sciatica_guidance_not_nerve_pain_medicines():
    out = run(
        [entry("root:S1", "left", 0.9)],
        history={"onset": "acute", "duration_days": 60, "course": "stable"},
        symptoms=[{"kind": "pain", "region": "posterior_thigh", "side": "left", "quality": "shooting", "severity": 8}],
        investigations=[{"test": "mri_lumbar_spine", "finding": "disc_herniation"}],
    )
    text = " ".join(options(out))
    assert "sciatica" in text and "pregabalin" not in text
    assert any(m.category == "interventional" for m in out["management"])
    assert any(m.category == "surgery" for m in out["management"])


def test_blood_thinner_changes_pain_relief_advice():
    out = run(
        [entry("nerve:femoral", "right", 0.9)],
        history={"onset": "acute", "factors": ["anticoagulation"]},
        symptoms=[{"kind": "pain", "region": "groin", "side": "right", "severity": 9}],
    )
    text = " ".join(options(out))
    assert "blood thinner" in text and "anti-inflammatory medicine" not in text
    assert "Blood thinners" in topics(out, "prevention")


def test_cauda_equina_emergency_offers_decompression_first():
    out = run(
        [entry("cauda_equina", "bilateral", 0.9)],
        history={"onset": "acute"},
        symptoms=[{"kind": "bladder_dysfunction"}, {"kind": "pain", "region": "lower_back", "side": "bilateral"}],
    )
    assert out["management"][1].category == "surgery" and "decompression" in out["management"][1].option
    assert any("two years" in g.text for g in out["recovery"])


def test_injury_gets_protective_gear_and_radiation_gets_realistic_recovery():
    out = run(
        [entry("plexus:sacral", "left", 0.9)],
        history={"onset": "sudden", "factors": ["pelvic_fracture"]},
        symptoms=[{"kind": "weakness", "activity": "walking_on_toes", "side": "left"}],
    )
    assert "Preventing injury" in topics(out, "prevention")
    out = run(
        [entry("plexus:lumbosacral", "bilateral", 0.9)],
        history={"onset": "chronic", "course": "worsening", "factors": ["pelvic_radiation"]},
        symptoms=[{"kind": "weakness", "activity": "stairs", "side": "bilateral"}],
    )
    assert any("rarely reverses" in g.text for g in out["recovery"])


def test_safety_net_always_present_and_numb_skin_advice_when_numb():
    out = run([])
    assert topics(out, "self_care") == ["When to get help now"]
    out = run([], symptoms=[{"kind": "numbness", "region": "sole", "side": "left"}])
    assert {"Numb skin", "Foot care"} <= set(topics(out, "self_care"))


def test_patient_only_summary_asks_for_an_examination(fk_grade):
    out = run([], symptoms=[{"kind": "pain", "region": "buttock", "side": "left", "severity": 6}])
    assert "strength, reflexes and feeling" in out["plain_summary"]
    assert fk_grade(out["plain_summary"]) <= 8.5


def test_plexus_summary_asks_about_the_plexus_and_a_plan():
    out = run(
        [entry("plexus:sacral", "left", 0.8), entry("root:S1", "left", 0.2)],
        history={"onset": "subacute", "factors": ["cancer_history"]},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "left", "severity": 7}],
    )
    s = out["plain_summary"]
    # the plexus that leads is named in the question, not asked about as if it did not
    assert "Ask what might be harming the sacral plexus" in s and "plan of tests" in s
    assert "could be involved" not in s
    assert s.startswith("This is urgent.") and s.endswith(CLOSING)


def test_a_neuropathy_of_weeks_getting_worse_is_not_promised_the_slow_course_of_an_idiopathic_one():
    """The outlook of a chronic idiopathic axonal polyneuropathy (years of slow creep) fits a
    neuropathy of months or more; a neuropathy of six weeks getting worse, or one beside a
    warning sign such as weight loss, needs its cause found first."""
    chronic = {"onset": "chronic", "course": "worsening", "duration_days": 900}
    weeks = {"onset": "subacute", "course": "worsening", "duration_days": 42}
    feet = [{"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}]
    loc = [entry("polyneuropathy", "bilateral", 0.95), entry("root:S1", "left", 0.05)]
    slow = "gets worse only slowly"

    def outlook(history):
        return " ".join(g.text for g in run(loc, history=history, symptoms=feet)["recovery"])

    assert slow in outlook(chronic)
    assert slow not in outlook(weeks)
    assert slow not in outlook({**chronic, "factors": ["weight_loss"]})
    # nor is the outlook of a diabetic neuropathy given to someone not known to have diabetes
    diabetic = "Nerve damage from diabetes"
    assert diabetic not in outlook(chronic) and diabetic in outlook({**chronic, "factors": ["diabetes"]})


def test_a_cord_infection_no_scan_has_shown_pressing_is_not_asked_about_relieving_pressure():
    """An infection of the cord (a zoster or other myelitis) presses on nothing; only a scan
    showing an abscess or a compression makes pressure the question.  Without one, the
    question is what is damaging the cord and how it will be treated."""
    sections = dict(
        history={
            "onset": "acute",
            "course": "worsening",
            "duration_days": 10,
            "factors": ["recent_infection", "immunosuppression"],
        },
        symptoms=[{"kind": "weakness", "side": "left"}],
        exam={"reflexes": [{"reflex": "plantar", "side": "left", "grade": "extensor"}]},
    )
    loc = [entry("spinal_cord", "left", 0.95), entry("root:L4", "left", 0.05)]
    out = run(loc, **sections)
    assert out["etiology"][0].cause == "infection_abscess"
    s = out["plain_summary"]
    assert "pressure on the spinal cord can be relieved" not in s
    assert "what is damaging the spinal cord" in s
    scan = {"test": "mri_whole_spine", "finding": "abscess", "level": "T9"}
    assert "pressure on the spinal cord can be relieved" in run(loc, **sections, investigations=[scan])["plain_summary"]


def test_output_types_are_ready_for_an_assessment():
    out = run([entry("root:L5", "left", 1.0)])
    assert all(isinstance(m, ManagementEntry) for m in out["management"])
    assert all(isinstance(g, GuidanceEntry) for k in ("recovery", "self_care", "prevention") for g in out[k])
    assert isinstance(out["plain_summary"], str)


# ----------------------------------------------------------------------------- data files


@pytest.mark.parametrize(
    "name", ["management.yaml", "education.yaml", "plain_words.yaml", "triage_rules.yaml", "causes.yaml", "workup.yaml"]
)
def test_no_dose_anywhere_in_patient_facing_data(name):
    hits = [t for t in all_text(read_yaml(name)) if DOSE.search(t)]
    assert not hits


def test_dose_pattern_catches_doses():
    for text in ("take 300 mg", "10mg", "0.5 mL", "100 units", "2 g", "25 mcg", "1,5 mg"):
        assert DOSE.search(text), text
    for text in ("6 to 18 months", "about an inch a month", "L5-S1", "HbA1c 6.5 %", "2 groups"):
        assert not DOSE.search(text), text


def test_bibliography_merges_without_collisions_and_every_cited_key_exists():
    sources = read_sources()
    own = read_yaml("sources_guidance.yaml")
    assert not set(own) & set(read_yaml("sources.yaml"))
    assert all(entry["citation"] and entry["kind"] for entry in own.values())
    assert set(own) <= set(sources)
    cited = {
        ref["key"]
        for name in (
            "triage_rules.yaml",
            "causes.yaml",
            "workup.yaml",
            "management.yaml",
            "education.yaml",
            "definitions.yaml",
            "definitions_guidance.yaml",
            "plain_words.yaml",
        )
        for ref in _refs(read_yaml(name))
    }
    assert cited <= set(sources)
    assert set(own) <= cited | {"plexnav_case_format_v1"}


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and isinstance(value, list):
                yield from value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_management_item_has_sources_and_a_category():
    spec = read_yaml("management.yaml")
    for section in ("management", "recovery", "self_care", "prevention"):
        for item in spec[section]:
            assert item["sources"], item["id"]
    assert all(item["category"] for item in spec["management"])


def test_uncertain_localization_is_said_plainly():
    loc = [entry("plexus:lumbar", "left", 0.12), entry("nerve:lateral_femoral_cutaneous", "left", 0.12)]
    out = run(loc, symptoms=[{"kind": "tingling", "region": "lateral_thigh", "side": "left"}])
    assert "not clear yet where the problem is" in out["plain_summary"]
    buttock = [{"kind": "pain", "region": "buttock", "side": "right"}]
    # a no-lesion reading that leads weakly is not said as a finding
    out = run([entry("no_neurological_lesion", "right", 0.36)], symptoms=buttock)
    assert "not clear yet whether a nerve is damaged" in out["plain_summary"]
    assert "do not point to a damaged nerve" not in out["plain_summary"]
    out = run([entry("no_neurological_lesion", "right", 0.6)], symptoms=buttock)
    assert "do not point to a damaged nerve" in out["plain_summary"]
    # an even split is not said as "no damaged nerve": that needs a clear lead
    out = run([entry("no_neurological_lesion", "right", 0.53), entry("nerve:tibial", "right", 0.1)], symptoms=buttock)
    assert "not clear yet whether a nerve is damaged" in out["plain_summary"]
    # an uncertain picture led by the cord or the cauda equina asks what is still open
    out = run([entry("spinal_cord", "bilateral", 0.2), entry("cauda_equina", "bilateral", 0.15)], symptoms=buttock)
    assert "which places are still possible" in out["plain_summary"]
    assert "lumbosacral plexus" not in out["plain_summary"]


def test_the_plexus_question_needs_a_plexus_worth_asking_about():
    """A peroneal nerve leading a root, with the plexus a distant third at a few per cent: the
    patient is not sent to ask about the pelvis; at a tenth of the reading or more the
    plexus is the look-alike between the two and the question comes back."""
    symptoms = [{"kind": "numbness", "region": "dorsum_foot", "side": "left"}]
    question = "nerve web in the pelvis (lumbosacral plexus) could be involved"
    far = [entry("nerve:common_peroneal", "left", 0.58), entry("root:L5", "left", 0.34)]
    far.append(entry("plexus:lumbosacral_trunk", "left", 0.04))
    assert question not in run(far, symptoms=symptoms)["plain_summary"]
    near = [entry("nerve:common_peroneal", "left", 0.5), entry("root:L5", "left", 0.3)]
    near.append(entry("plexus:lumbosacral_trunk", "left", 0.15))
    assert question in run(near, symptoms=symptoms)["plain_summary"]


def test_an_emergency_is_not_told_to_come_back_sooner():
    """Someone sent to an emergency department now gets no question about when to come back
    sooner; the same picture without the emergency keeps it."""
    loc = [entry("nerve:common_peroneal", "left", 0.9), entry("root:L5", "left", 0.1)]
    weak = {"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 2}]}
    symptoms = [{"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"}]
    sudden = run(loc, history={"onset": "sudden", "duration_days": 0}, symptoms=symptoms, exam=weak)
    assert sudden["triage"].level == "emergency"
    assert "come back sooner" not in sudden["plain_summary"]
    slow = run(loc, history={"onset": "chronic", "duration_days": 90, "course": "stable"}, symptoms=symptoms, exam=weak)
    assert slow["triage"].level != "emergency" and "come back sooner" in slow["plain_summary"]


def test_the_cord_question_asks_about_pressure_only_when_something_presses():
    """A cord picture of sudden onset with a blocked artery the leading cause is not asked
    about 'pressure' to relieve; a scan showing the cord compressed brings that question."""
    loc = [entry("spinal_cord", "bilateral", 0.9), entry("cauda_equina", "bilateral", 0.1)]
    sections = dict(
        patient={"age": 80},
        history={"onset": "sudden", "duration_days": 0},
        symptoms=[
            {"kind": "weakness", "side": "bilateral", "onset_sudden_severe": True},
            {"kind": "bladder_dysfunction"},
        ],
        exam={"signs": [{"sign": "reduced_foot_pulses", "side": "right", "result": "positive"}]},
    )
    infarct = run(loc, **sections)
    assert infarct["etiology"][0].cause == "ischemic_vascular"
    assert "what is damaging the spinal cord" in infarct["plain_summary"]
    assert "pressure on the spinal cord" not in infarct["plain_summary"]
    scan = [{"test": "mri_whole_spine", "finding": "cord_or_cauda_compression", "level": "T8-T9"}]
    pressed = run(loc, **dict(sections, investigations=scan))
    assert "pressure on the spinal cord can be relieved" in pressed["plain_summary"]


def test_a_lump_on_a_nerve_goes_to_a_nerve_surgeon_not_the_cancer_team():
    """A mass on the tibial nerve behind the knee with no history of cancer (a popliteal cyst,
    a nerve-sheath tumour): a nerve surgeon's question; with a cancer history, the cancer team."""
    sections = dict(
        history={"onset": "subacute", "course": "worsening"},
        symptoms=[{"kind": "numbness", "region": "sole", "side": "left"}],
        investigations=[{"test": "mri_knee", "finding": "mass", "side": "left", "site": "nerve:tibial"}],
    )
    loc = [entry("nerve:tibial", "left", 0.9)]
    plain = " ".join(options(run(loc, **sections)))
    assert "nerve surgeon" in plain and "cancer team" not in plain
    with_cancer = {**sections, "history": {"onset": "subacute", "factors": ["cancer_history"]}}
    assert "cancer team" in " ".join(options(run(loc, **with_cancer)))
    # a lump on the femoral nerve in the pelvis: the nerve surgeon's question, not "remove or
    # shrink the lump" as for a pelvic mass pressing from outside
    femoral = dict(
        history={"onset": "chronic", "course": "worsening"},
        symptoms=[{"kind": "numbness", "region": "medial_leg", "side": "right"}],
        investigations=[{"test": "mri_pelvis", "finding": "mass", "side": "right", "site": "nerve:femoral"}],
    )
    femoral_options = " ".join(options(run([entry("nerve:femoral", "right", 0.9)], **femoral)))
    assert "nerve surgeon" in femoral_options and "removing or shrinking" not in femoral_options


def test_a_spinal_cord_short_of_blood_is_offered_rescue_not_decompression():
    """A conus infarct two days after aortic surgery (sudden paraparesis, bladder and bowel
    loss, a normal lumbar MRI): the emergency step asks whether the cord's blood flow can be
    helped (blood pressure, a spinal drain after aortic repair; Awad 2017), and the outlook
    is the cord infarct's (Robertson 2012), not a nerve stretched in surgery or 'pressure'
    on the cauda equina.  The same conus read as a tumour, a bleed on the scan or a slow
    (chronic) course gets neither: those are relieved or closed off, not perfused."""
    sections = dict(
        patient={"age": 68},
        history={"onset": "sudden", "duration_days": 2, "factors": ["recent_surgery_abdominal", "smoking"]},
        symptoms=[
            {"kind": "weakness", "side": "bilateral", "onset_sudden_severe": True},
            {"kind": "bladder_dysfunction"},
            {"kind": "bowel_dysfunction"},
        ],
        investigations=[{"test": "mri_lumbar_spine", "finding": "normal"}],
    )
    loc = [entry("conus_medullaris", "bilateral", 0.9)]
    out = run(loc, **sections)
    assert "blood flow to the spinal cord" in " ".join(options(out))
    assert "Spinal cord short of blood" in topics(out, "recovery")
    assert not {"Nerve injury from surgery", "Nerves at the base of the spine"} & set(topics(out, "recovery"))
    tumour = dict(
        sections,
        history={"onset": "subacute", "course": "worsening", "factors": ["cancer_history"]},
        investigations=[{"test": "mri_lumbar_spine", "finding": "mass", "level": "L1", "site": "conus_medullaris"}],
    )
    out_tumour = run(loc, **tumour)
    assert "blood flow to the spinal cord" not in " ".join(options(out_tumour))
    assert "Spinal cord short of blood" not in topics(out_tumour, "recovery")
    bleed = dict(
        sections,
        investigations=[{"test": "mri_whole_spine", "finding": "hematoma", "level": "T10", "site": "spinal_cord"}],
    )
    assert "blood flow to the spinal cord" not in " ".join(options(run(loc, **bleed)))
    slow = dict(
        sections,
        history={"onset": "chronic", "course": "worsening", "factors": ["recent_surgery_abdominal", "smoking"]},
    )
    assert "blood flow to the spinal cord" not in " ".join(options(run(loc, **slow)))


def test_a_known_cancers_tumour_is_the_cancer_teams_to_treat_not_asked_twice():
    """A psoas mass infiltrating the lumbar plexus after cervical cancer: the cancer team
    option names surgery among the treatments, so no separate 'remove the mass' question;
    the same mass with weight loss and no known cancer keeps the removal question."""
    sections = dict(
        history={"onset": "subacute", "course": "worsening", "factors": ["cancer_history", "weight_loss"]},
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "right"}, {"kind": "weakness", "side": "right"}],
        investigations=[{"test": "ct_abdomen_pelvis", "finding": "mass", "side": "right"}],
    )
    loc = [entry("plexus:lumbar", "right", 0.9)]
    plain = " ".join(options(run(loc, **sections)))
    assert "cancer team about treating the tumour" in plain and "remove the mass" not in plain
    unknown = dict(sections, history={"onset": "subacute", "course": "worsening", "factors": ["weight_loss"]})
    assert "remove the mass" in " ".join(options(run(loc, **unknown)))


def test_dead_muscle_on_a_scan_weeks_later_is_not_a_fasciotomy_emergency():
    """Swollen or dying buttock muscle on a CT with a CK of 1,450 three weeks after an aortic
    stent blocked the internal iliac artery: muscle already lost to the artery, which opening
    the compartment does not save (a compartment syndrome builds within hours to two days,
    BOAST 10), so no emergency fasciotomy or drip; on the first day the same findings bring
    both, and a tense compartment brings the surgeon whenever it is found."""

    def sections(days, signs=()):
        return dict(
            history={"onset": "sudden", "duration_days": days, "factors": ["recent_surgery_abdominal"]},
            symptoms=[{"kind": "pain", "region": "buttock", "side": "left"}, {"kind": "weakness", "side": "left"}],
            exam={"signs": list(signs)},
            investigations=[
                {"test": "ck", "value": 1450},
                {"test": "ct_abdomen_pelvis", "finding": "muscle_edema_or_necrosis", "side": "left"},
            ],
        )

    loc = [entry("plexus:sacral", "left", 0.9)]
    late = " ".join(options(run(loc, **sections(23))))
    assert "fasciotomy" not in late and "fluids through a drip" not in late
    early = " ".join(options(run(loc, **sections(1))))
    assert "fasciotomy" in early and "fluids through a drip" in early
    tense = [{"sign": "tender_tense_compartment", "region": "buttock", "side": "left", "result": "positive"}]
    assert "fasciotomy" in " ".join(options(run(loc, **sections(23, tense))))


def test_a_lump_on_a_nerve_root_is_asked_about_before_it_is_removed():
    """A lump a pelvic MRI places on the S2 root, with no sign of cancer: most are perineural
    (Tarlov) cysts or nerve-sheath tumours (Chamberlain & Tredway 2011), so the question is
    what it is and which team treats it; no offer to remove it, no tumour markers, no
    inflammation markers and no lump-in-the-pelvis wording.  With a cancer history the
    tumour work-up and the removal question come back."""
    sections = dict(
        history={"onset": "chronic", "course": "worsening", "duration_days": 400},
        symptoms=[
            {"kind": "pain", "region": "saddle", "side": "left"},
            {"kind": "numbness", "region": "saddle", "side": "left"},
        ],
        investigations=[{"test": "mri_pelvis", "finding": "mass", "level": "S2", "side": "left", "site": "root:S2"}],
    )
    loc = [entry("root:S2", "left", 0.6), entry("cauda_equina", "left", 0.3)]
    out = run(loc, **sections)
    plain = " ".join(options(out))
    tests = {w.test for w in out["workup"]}
    assert "lump seen in the spine" in plain
    assert "remove the mass" not in plain and "lump seen on the scan" not in plain
    assert not {"tumor_markers", "crp", "esr"} & tests
    with_cancer = run(
        loc, **{**sections, "history": {"onset": "chronic", "course": "worsening", "factors": ["cancer_history"]}}
    )
    assert "lump seen in the spine" not in " ".join(options(with_cancer))
    assert {"tumor_markers", "crp"} <= {w.test for w in with_cancer["workup"]}


@pytest.mark.parametrize(
    ("site", "words", "not_words"),
    [
        ("nerve:common_peroneal", "crossing your legs", "cushion"),
        ("nerve:lateral_femoral_cutaneous", "looser belts", "crossing your legs"),
        ("nerve:pudendal", "cushion", "crossing your legs"),
        ("nerve:tibial", "in daily life", "crossing your legs"),
    ],
)
def test_pressure_advice_fits_where_the_nerve_is_pinched(site, words, not_words):
    out = run(
        [entry(site, "left", 0.9)],
        history={"onset": "chronic", "factors": ["habitual_leg_crossing"]},
        symptoms=[{"kind": "pain", "side": "left"}],
    )
    pressure = [o for o in options(out) if "pressure off" in o or "presses on" in o]
    assert pressure and words in pressure[0] and not_words not in pressure[0], (site, pressure)


def test_decompression_is_offered_for_the_level_of_the_lesion():
    """A thoracic epidural abscess on the cord with bladder trouble: surgery to relieve the
    spinal cord, never 'the nerves at the base of the spine'; the same picture read as a
    cauda equina lesion keeps the cauda equina wording."""
    sections = dict(
        history={"onset": "subacute", "course": "worsening", "factors": ["diabetes"]},
        symptoms=[{"kind": "weakness", "side": "bilateral"}, {"kind": "bladder_dysfunction"}],
        investigations=[{"test": "mri_whole_spine", "finding": "abscess", "level": "T6-T9", "site": "spinal_cord"}],
    )
    cord = " ".join(options(run([entry("spinal_cord", "bilateral", 0.95)], **sections)))
    assert "pressure off the spinal cord" in cord and "base of the spine" not in cord
    cauda = " ".join(options(run([entry("cauda_equina", "bilateral", 0.9)], **sections)))
    assert "base of the spine" in cauda and "pressure off the spinal cord" not in cauda
    # a thoracic cord picture (cord signs) whose only disc is an incidental lumbar one at
    # L4-L5, below the end of the cord: no decompression of the cord for it
    lumbar_disc = dict(
        history={"onset": "chronic", "course": "worsening"},
        symptoms=[{"kind": "weakness", "side": "bilateral"}],
        exam={"reflexes": [{"reflex": "plantar", "side": s, "grade": "extensor"} for s in ("left", "right")]},
        investigations=[
            {"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L4-L5", "position": "central"}
        ],
    )
    below = " ".join(options(run([entry("spinal_cord", "bilateral", 0.95)], **lumbar_disc)))
    assert "pressure off the spinal cord" not in below


def test_an_alert_beyond_the_policy_opens_the_summary_and_blocks_contraindicated_questions():
    """A tense, tender calf compartment: the summary starts with the emergency, never with the
    policy's 'book a routine visit', and asks nothing about physiotherapy or braces."""
    out = run(
        [entry("no_neurological_lesion", "left", 0.5)],
        history={"onset": "acute", "duration_days": 1},
        symptoms=[{"kind": "pain", "region": "posterior_leg", "side": "left"}, {"kind": "gait_difficulty"}],
        exam={"signs": [{"sign": "tender_tense_compartment", "side": "left", "region": "anterior_leg"}]},
    )
    assert out["triage"].level == "routine" and out["triage"].alerts
    summary = out["plain_summary"]
    assert summary.startswith(out["triage"].alerts[0].text)
    assert K.words["levels"]["routine"] not in summary
    assert "physiotherapy or a brace" not in summary
    assert not any("walking and balance" in o or "occupational therapist" in o for o in options(out))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_dict(), st.lists(st.tuples(st.sampled_from(V.SITES), st.floats(0.05, 1.0)), max_size=3))
def test_any_case_gets_dose_free_framed_advice(d, sites):
    total = max(1.0, sum(p for _, p in sites))
    loc = [entry(s, "left", p / total) for s, p in sites]
    out = advise(make_case(**d), loc, K)
    assert not [t for t in all_text(out) if DOSE.search(t)]
    assert out["plain_summary"].endswith(CLOSING)
    assert out["management"][0].category == "about_these_options"
    assert out["self_care"][0].topic == "When to get help now"
    assert len({w.test for w in out["workup"]}) == len(out["workup"])


def test_pregnancy_changes_medicine_options():
    out = run(
        [entry("nerve:lateral_femoral_cutaneous", "left", 0.9)],
        history={"factors": ["pregnancy"], "onset": "acute"},
        symptoms=[{"kind": "pain", "region": "lateral_thigh", "side": "left", "quality": "burning", "severity": 8}],
    )
    text = " ".join(options(out))
    assert "pregnancy" in text
    assert "anti-inflammatory medicine, if" not in text and "pregabalin" not in text and "opioid" not in text


def test_summary_never_says_nothing_more_is_needed_beside_findings_to_examine():
    from pathlib import Path

    from plexnav.engine.assess import assess
    from plexnav.reports.context import patient_context
    from plexnav.validation import parse_case

    words = load_guidance_knowledge().words["summary"]
    seen = emergencies = 0
    root = Path(__file__).resolve().parents[1]
    files = [*(root.parent / "shared" / "cases").glob("*.json"), *(root / "tests" / "cases").glob("*/*.json")]
    for path in sorted(files):
        case = parse_case(path.read_bytes())[0]
        answer = assess(case)
        if not answer.workup and (answer.triage.level == "emergency" or answer.triage.alerts):
            # an emergency never hears 'examine more' or 'no tests needed': the team decides,
            # in the summary and in the appointment summary's tests section alike
            emergencies += 1
            assert words["emergency_no_tests"] in answer.plain_summary
            assert words["more_exam"] not in answer.plain_summary and words["no_tests"] not in answer.plain_summary
            assert patient_context(case, answer)["no_tests"] == words["emergency_no_tests"], path.name
            continue
        if answer.next_best_findings and not answer.workup:
            seen += 1
            assert words["no_tests"] not in answer.plain_summary
            assert words["more_exam"] in answer.plain_summary
        if not answer.next_best_findings and not answer.workup:
            assert words["more_exam"] not in answer.plain_summary
    assert seen, "no case without tests but with findings to examine: the check saw nothing"
    assert emergencies, "no emergency without tests: the emergency check saw nothing"


def test_an_emergency_gets_no_advice_for_living_with_pain():
    """Back pain with saddle numbness (an emergency): the safety net stays, while heat packs,
    pacing and sleep advice wait for the emergency team; the same pain without the red flag
    gets them."""
    back = {"kind": "pain", "region": "lower_back", "severity": 7}
    saddle = {"kind": "numbness", "region": "saddle"}
    loc = [entry("cauda_equina", "bilateral", 0.8)]
    emergency = topics(run(loc, symptoms=[back, saddle]), "self_care")
    routine = topics(run(loc, symptoms=[back]), "self_care")
    assert "When to get help now" in emergency
    assert not {"Heat and cold", "Pacing", "Sleep and stress"} & set(emergency)
    assert {"Heat and cold", "Pacing", "Sleep and stress"} <= set(routine)


def test_ischaemic_cause_of_a_cord_infarction_is_not_worded_as_leg_arteries():
    """A sudden weakness of both legs with the bladder and bowel, led by the spinal cord with a
    blocked artery the leading cause: the plain words name no leg artery, and the ankle-pressure
    test asked for the weak foot pulses does not claim calf pain on walking the case never had."""
    out = run(
        [entry("spinal_cord", "bilateral", 0.8), entry("cauda_equina", "bilateral", 0.2)],
        patient={"age": 86},
        history={"onset": "sudden"},
        symptoms=[
            {"kind": "weakness", "side": "bilateral", "onset_sudden_severe": True},
            {"kind": "bladder_dysfunction"},
            {"kind": "bowel_dysfunction"},
        ],
        exam={"signs": [{"sign": "reduced_foot_pulses", "side": "right", "result": "positive"}]},
    )
    assert out["etiology"][0].cause == "ischemic_vascular"
    assert "to the legs" not in out["plain_summary"]
    ankle = [w for w in out["workup"] if w.test == "ankle_brachial_index"]
    assert ankle and not ankle[0].why.startswith("Calf pain")


def test_an_unexplained_cord_compression_asks_what_it_is():
    """No known cancer, the cord pressed with no disc to explain it: ask what it is and who
    treats it; with a cancer history the metastatic pathway speaks instead."""
    pressed = {
        "patient": {"age": 56},
        "history": {"onset": "chronic", "course": "worsening"},
        "symptoms": [{"kind": "weakness", "side": "bilateral"}],
        "investigations": [{"test": "mri_whole_spine", "finding": "cord_or_cauda_compression", "level": "T7"}],
    }
    loc = [entry("spinal_cord", "bilateral", 0.95), entry("conus_medullaris", "bilateral", 0.05)]
    asked = "what is pressing on the spinal cord"
    assert any(asked in o for o in options(run(loc, **pressed)))
    known = {**pressed, "history": {**pressed["history"], "factors": ["cancer_history"]}}
    assert not any(asked in o for o in options(run(loc, **known)))


@pytest.mark.parametrize(
    "factor,said,never",
    [
        ("alcohol_excess", "drinking alcohol", "cancer team"),
        ("chemotherapy_neurotoxic", "cancer team", "drinking"),
        ("b12_deficiency", "vitamin B12 treatment", "cancer team"),
    ],
)
def test_stopping_a_nerve_toxin_speaks_of_the_patients_own_exposure(factor, said, never):
    """Heavy drinking is not told to see a cancer team; a neurotoxic chemotherapy is."""
    loc = [entry("polyneuropathy", "bilateral", 0.95), entry("root:S1", "left", 0.05)]
    out = run(
        loc,
        patient={"age": 55},
        history={"onset": "chronic", "factors": [factor]},
        symptoms=[{"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}],
    )
    text = " ".join(options(out))
    assert said in text and never not in text


def test_a_functional_weakness_gets_its_own_course_not_back_pain_recovery():
    """With functional weakness leading, the recovery line is its own (Gelauff 2014), not
    'most back and hip pain without nerve damage gets better'."""
    out = run(
        [
            entry("no_neurological_lesion", "left", 0.9).model_copy(
                update={"hypothesis": "mimic_functional:symptomatic"}
            )
        ],
        symptoms=[{"kind": "weakness", "side": "left"}, {"kind": "pain", "region": "lower_back", "quality": "aching"}],
        exam={"signs": [{"sign": "hoover_sign", "side": "left", "result": "positive"}]},
    )
    topics = [g.topic for g in out["recovery"]]
    assert "Functional weakness" in topics and "Muscle and joint pain" not in topics


def test_an_emergency_is_not_asked_whether_a_scan_would_change_the_care():
    """A root reading in an emergency (new bladder trouble): the emergency scan is happening
    now, so the root question asks what it will show; outside an emergency it keeps asking
    whether a scan would change the care."""
    loc = [entry("root:L5", "left", 0.6), entry("cauda_equina", "bilateral", 0.2)]
    pain = [{"kind": "pain", "region": "lateral_leg", "side": "left"}]
    urgent = run(loc, symptoms=[*pain, {"kind": "bladder_dysfunction"}])
    assert urgent["triage"].level == "emergency"
    assert "whether a scan would change your care" not in urgent["plain_summary"]
    assert "what the scan will show" in urgent["plain_summary"]
    calm = run(loc, history={"onset": "chronic", "duration_days": 90, "course": "stable"}, symptoms=pain)
    assert "whether a scan would change your care" in calm["plain_summary"]


def test_no_heat_pack_for_a_leg_with_narrowed_arteries():
    """Impaired circulation is a contraindication to heat and cold packs (Cameron 2018): calf
    pain on walking with weak foot pulses gets no heat-pack advice; the same pain with normal
    pulses does."""
    calf = {"kind": "pain", "region": "posterior_leg", "side": "left", "severity": 6}
    loc = [entry("no_neurological_lesion", "left", 0.8), entry("root:S1", "left", 0.2)]
    pulses = {"signs": [{"sign": "reduced_foot_pulses", "side": "left"}]}
    assert "Heat and cold" not in topics(run(loc, symptoms=[calf], exam=pulses), "self_care")
    assert "Heat and cold" in topics(run(loc, symptoms=[calf]), "self_care")


def test_a_leg_at_risk_is_sent_to_open_the_artery_not_to_walk():
    """Night pain in the foot with an ankle-brachial index of 0.38 is chronic limb-threatening
    ischaemia (Conte 2019): the vascular review is high priority and the option is opening the
    artery, not a supervised walking programme; calf pain on walking with an index of 0.7
    keeps the walking programme and the routine review."""
    loc = [entry("no_neurological_lesion", "right", 0.8)]
    critical = dict(
        patient={"age": 74},
        history={"onset": "subacute", "course": "worsening", "duration_days": 42, "factors": ["smoking", "night_pain"]},
        symptoms=[{"kind": "pain", "region": "dorsum_foot", "side": "right", "provoked_by": ["lying_flat"]}],
        investigations=[{"test": "ankle_brachial_index", "value": 0.38}],
    )
    out = run(loc, **critical)
    plain = " ".join(options(out))
    assert "opened up" in plain and "supervised walking" not in plain
    assert {w.test: w.priority for w in out["workup"]}["vascular_surgery_review"] == "high"
    # rest pain with an index of 0.55 is the guideline's moderate ischaemia (WIfI grade 2):
    # the leg is at risk too
    moderate = dict(critical, investigations=[{"test": "ankle_brachial_index", "value": 0.55}])
    out_m = run(loc, **moderate)
    assert "opened up" in " ".join(options(out_m))
    assert {w.test: w.priority for w in out_m["workup"]}["vascular_surgery_review"] == "high"
    claudication = dict(
        patient={"age": 74},
        history={"onset": "chronic", "course": "stable", "factors": ["smoking"]},
        symptoms=[
            {
                "kind": "pain",
                "region": "posterior_leg",
                "side": "right",
                "provoked_by": ["walking"],
                "relieved_by": ["standing_still"],
            }
        ],
        investigations=[{"test": "ankle_brachial_index", "value": 0.7}],
    )
    out_c = run(loc, **claudication)
    assert "supervised walking" in " ".join(options(out_c)) and "opened up" not in " ".join(options(out_c))
    assert {w.test: w.priority for w in out_c["workup"]}["vascular_surgery_review"] == "medium"


def test_a_named_look_alike_is_the_cause_not_a_joint_or_muscle():
    """After "they fit a pain syndrome of the foot", the summary must not go on to name "a joint
    or muscle" as the cause: the look-alike it just named is the cause."""
    from plexnav.case import EtiologyEntry
    from plexnav.engine.guidance import cause_sentences, where_sentences

    words = load_guidance_knowledge().words
    crps = entry(
        "no_neurological_lesion",
        "right",
        0.9,
        hypothesis="mimic_crps_right:symptomatic",
        detail="a complex regional pain syndrome",
    )
    causes = [
        EtiologyEntry(cause="musculoskeletal_or_non_neurological", probability=0.7, reasons=[]),
        EtiologyEntry(cause="trauma", probability=0.2, reasons=[]),
    ]
    said = " ".join(where_sentences([crps], words) + cause_sentences([crps], causes, words))
    assert "complex regional pain syndrome" in said
    assert "joint or muscle" not in said and "not a damaged nerve, is the most likely cause" in said
    assert "an injury" in said  # the other cause is still named
    # no look-alike named: the cause is said in its own words
    plain = crps.model_copy(update={"hypothesis": "no_neurological_lesion:symptomatic", "detail": None})
    assert "joint or muscle" in " ".join(cause_sentences([plain], causes, words))
    # an injury leading, the named look-alike is not listed again as "a joint or muscle"
    injury_first = [
        causes[1].model_copy(update={"probability": 0.5}),
        causes[0].model_copy(update={"probability": 0.4}),
    ]
    said = " ".join(cause_sentences([crps], injury_first, words))
    assert "The most likely cause is an injury" in said and "joint or muscle" not in said
    assert "joint or muscle" in " ".join(cause_sentences([plain], injury_first, words))


def test_enhancing_roots_ask_about_inflammation_and_spinal_fluid_not_a_pinched_root():
    numb = [{"kind": "numbness", "region": "sole", "side": "bilateral"}]
    loc = [entry("polyradiculopathy", "bilateral", 0.9)]
    pinched = "pinched nerve root"
    assert pinched in run(loc, symptoms=numb)["plain_summary"]
    enhancing = [{"test": "mri_lumbar_spine", "finding": "plexus_enhancement_or_thickening"}]
    out = run(loc, symptoms=numb, investigations=enhancing)["plain_summary"]
    assert pinched not in out and "spinal fluid test (lumbar puncture)" in out


def test_a_skin_nerve_s_pain_is_not_sent_for_stretching():
    """Meralgia paresthetica or a sural neuropathy hurts where the nerve is pressed: taking the
    pressure off eases it, a stretching programme does not; a root's pain still gets it."""
    pain = [{"kind": "pain", "region": "lateral_thigh", "side": "left", "quality": "burning"}]
    skin_nerve = run([entry("nerve:lateral_femoral_cutaneous", "left", 0.9)], symptoms=pain)
    assert "physio_stretch" not in [m.option for m in skin_nerve["management"]]
    assert not any("stretching" in m.option for m in skin_nerve["management"])
    root = run([entry("root:L2", "left", 0.9)], symptoms=pain)
    assert any("stretching" in m.option for m in root["management"])


def test_an_emergency_is_not_reassured_by_a_look_alike():
    """Weakness of both legs worsening over days is an emergency: a functional or joint
    reading leading the findings is not offered to the person before the hospital has checked
    the cord and the nerves (no look-alike, no 'not a damaged nerve', no question about it); a
    look-alike that is the emergency itself (a blocked artery) is still named."""
    from plexnav.case import LocalizationEntry

    def lead(hypothesis, detail):
        return LocalizationEntry(
            site="no_neurological_lesion",
            side="bilateral",
            probability=0.8,
            supporting=[],
            against=[],
            hypothesis=hypothesis,
            detail=detail,
        )

    sections = dict(
        history={"onset": "acute", "course": "worsening", "duration_days": 4},
        symptoms=[{"kind": "weakness", "side": "bilateral", "activity": "stairs"}],
        exam={"strength": [{"movement": "hip_flexion", "side": "bilateral", "mrc": 4}]},
    )
    functional = lead("mimic_functional:symptomatic", "a functional weakness")
    out = run([functional, entry("spinal_cord", "bilateral", 0.2)], **sections)
    s = out["plain_summary"]
    assert out["triage"].level == "emergency"
    assert "only an examination in hospital can tell" in s
    assert "functional" not in s and "not a damaged nerve" not in s and "do not point to a damaged nerve" not in s
    calm = run(
        [functional, entry("spinal_cord", "bilateral", 0.2)],
        history={"onset": "chronic"},
        symptoms=sections["symptoms"],
    )
    assert calm["triage"].level != "emergency" and "functional" in calm["plain_summary"]
    artery = lead("mimic_acute_limb_ischaemia_right:symptomatic", "a blocked leg artery")
    out = run([artery], **sections)
    assert "only an examination in hospital can tell" not in out["plain_summary"]


def test_inflamed_roots_with_nothing_pressing_are_not_asked_about_pressure_relief():
    """A cauda equina picture whose scan shows enhancing roots and nothing pressing on them (an
    infection of the roots, a spread of cancer, an immune polyradiculoneuropathy) has nothing
    to decompress: the question is what is damaging the roots (Ross & Moore 2015)."""
    loc = [entry("cauda_equina", "bilateral", 0.9)]
    sections = dict(
        history={"onset": "acute", "factors": ["fever", "immunosuppression"]},
        symptoms=[{"kind": "bladder_dysfunction"}, {"kind": "weakness", "side": "bilateral"}],
    )
    enhancing = [{"test": "mri_lumbar_spine", "finding": "plexus_enhancement_or_thickening"}]
    inflamed = run(loc, investigations=enhancing, **sections)["plain_summary"]
    assert "can be relieved" not in inflamed and "find what is damaging" in inflamed
    pressed = enhancing + [{"test": "mri_lumbar_spine", "finding": "abscess", "level": "L3-L4"}]
    assert "can be relieved" in run(loc, investigations=pressed, **sections)["plain_summary"]


def test_questions_follow_what_the_scans_already_show():
    """A root pressed by a broken vertebra on the scan is not asked about as a pinched root
    'whether a scan would change your care'; a suspected metastatic compression whose whole
    spine has been scanned asks when the teams can treat it, not when the scan can be done."""
    pain = [{"kind": "pain", "region": "anterior_thigh", "side": "left"}]
    broken = [{"test": "mri_lumbar_spine", "finding": "fracture", "level": "L3"}]
    root = [entry("root:L3", "left", 0.9)]
    assert "pinched nerve root" in run(root, symptoms=pain)["plain_summary"]
    assert "pinched nerve root" not in run(root, symptoms=pain, investigations=broken)["plain_summary"]
    mscc = dict(
        history={"onset": "subacute", "course": "worsening", "factors": ["cancer_history"]},
        symptoms=[{"kind": "pain", "region": "lower_back"}, {"kind": "weakness", "side": "bilateral"}],
    )
    cauda = [entry("cauda_equina", "bilateral", 0.9)]
    assert "whole spine can be scanned" in run(cauda, **mscc)["plain_summary"]
    scanned = run(
        cauda, investigations=[{"test": "mri_whole_spine", "finding": "bone_metastasis", "level": "L2"}], **mscc
    )
    assert "whole spine can be scanned" not in scanned["plain_summary"]
    assert "cancer and spinal teams can see you" in scanned["plain_summary"]


def test_a_very_high_ck_from_an_injury_weeks_ago_checks_the_kidneys_without_a_drip():
    """A CK of 18,500 recorded after a compartment syndrome ten weeks ago: the kidney injury
    muscle breakdown causes comes within days (KDIGO 2012), so the kidneys are checked within a
    day for what is left and no drip is offered; in the first days both come at once."""

    def sections(days):
        return dict(
            history={"onset": "sudden", "course": "stable", "duration_days": days},
            symptoms=[{"kind": "weakness", "side": "right", "activity": "foot_drop_tripping"}],
            investigations=[{"test": "ck", "value": 18500}],
        )

    loc = [entry("nerve:deep_peroneal", "right", 0.9)]
    late = run(loc, **sections(70))
    kidneys = next(w for w in late["workup"] if w.test == "renal_function")
    assert (kidneys.priority, kidneys.when) == ("high", "within_24h")
    assert "fluids through a drip" not in " ".join(options(late))
    early = run(loc, **sections(2))
    kidneys = next(w for w in early["workup"] if w.test == "renal_function")
    assert kidneys.when == "immediately" and "fluids through a drip" in " ".join(options(early))


def test_inflamed_roots_beside_a_disc_are_not_injected_or_operated_on():
    """Enhancing roots beside a disc (a neurosarcoid or infected root, a spread of cancer): the
    cause of the inflammation is found before an epidural injection or an operation on the
    disc (Ross & Moore 2015); the same disc without enhancing roots keeps both questions."""
    sections = dict(
        history={"onset": "subacute", "course": "worsening", "duration_days": 56},
        symptoms=[{"kind": "pain", "region": "posterior_leg", "side": "left", "severity": 8}],
        exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 3}]},
    )
    disc = {"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L4-L5", "position": "central"}
    enhancing = {"test": "mri_lumbar_spine", "finding": "plexus_enhancement_or_thickening"}
    loc = [entry("root:L5", "left", 0.9)]
    plain = " ".join(options(run(loc, investigations=[disc], **sections)))
    assert "epidural steroid injection" in plain and "operation to free the nerve root" in plain
    inflamed = " ".join(options(run(loc, investigations=[disc, enhancing], **sections)))
    assert "epidural steroid injection" not in inflamed and "operation to free the nerve root" not in inflamed


def test_a_new_calf_pain_with_a_clot_risk_asks_about_a_deep_vein_clot():
    """A calf that began to hurt days after a long journey or time in bed, an operation, a
    cancer or a pregnancy: a deep vein thrombosis is ruled out the same day (NICE NG158),
    whatever the nerves show; without a risk, or months old, it is not asked about."""
    calf = [{"kind": "pain", "region": "posterior_leg", "side": "right"}]
    loc = [entry("no_neurological_lesion", "right", 0.8)]
    risky = run(loc, history={"onset": "acute", "duration_days": 5, "factors": ["prolonged_immobility"]}, symptoms=calf)
    assert "blood clot in a deep vein" in risky["plain_summary"]
    plain = run(loc, history={"onset": "acute", "duration_days": 5}, symptoms=calf)
    assert "blood clot" not in plain["plain_summary"]
    old = run(loc, history={"onset": "chronic", "duration_days": 300, "factors": ["cancer_history"]}, symptoms=calf)
    assert "blood clot" not in old["plain_summary"]
    # a cauda equina syndrome the day after a spine operation, its calf pain the roots': the
    # emergency's own questions come first (held-out round 24, x05)
    ces = run(
        [entry("cauda_equina", "bilateral", 0.9)],
        history={"onset": "sudden", "duration_days": 1, "factors": ["recent_surgery_spine"]},
        symptoms=[
            *calf,
            {"kind": "bladder_dysfunction"},
            {"kind": "numbness", "region": "saddle", "side": "bilateral"},
        ],
    )
    assert ces["triage"].level == "emergency" and "blood clot" not in ces["plain_summary"]


def test_a_compartment_that_tightens_on_exercise_for_months_is_not_an_emergency_fasciotomy():
    """Chronic exertional compartment syndrome (a tense shin after running, settling with rest,
    for months) is a planned question, not an emergency fasciotomy; a tense compartment of
    recent onset still brings the surgeon at once."""
    tense = [{"sign": "tender_tense_compartment", "region": "anterior_leg", "side": "bilateral", "result": "positive"}]
    pain = [{"kind": "pain", "region": "lateral_leg", "side": "bilateral", "provoked_by": ["walking"]}]
    loc = [entry("no_neurological_lesion", "bilateral", 0.8)]
    chronic = run(loc, history={"onset": "chronic", "duration_days": 270}, symptoms=pain, exam={"signs": tense})
    assert (
        "fasciotomy" not in " ".join(options(chronic)) and "tense, painful muscle today" not in chronic["plain_summary"]
    )
    recent = run(loc, history={"onset": "acute", "duration_days": 2}, symptoms=pain, exam={"signs": tense})
    assert "fasciotomy" in " ".join(options(recent))


@pytest.mark.parametrize(("position", "offered"), [("foraminal", True), ("central", False)])
def test_an_operation_on_the_root_is_asked_about_only_when_the_scan_matches_it(position, offered):
    """NICE NG59: decompression when the scan is consistent with the symptoms.  A right L4
    root (weak knee extension, a reduced knee jerk, a numb inner shin) with a foraminal L4-L5
    disc on the right, which presses the exiting L4 root, may ask a spine surgeon; a central
    L4-L5 disc, which presses the traversing L5 roots, does not match it."""
    from plexnav.engine.assess import assess
    from plexnav.modelcache import load_model

    disc = {"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L4-L5", "position": position}
    if position == "foraminal":
        disc["side"] = "right"
    case = make_case(
        patient={"age": 55},
        history={"onset": "acute", "course": "stable", "duration_days": 70},
        symptoms=[
            {"kind": "pain", "region": "anterior_thigh", "side": "right", "quality": "shooting"},
            {"kind": "numbness", "region": "medial_leg", "side": "right"},
        ],
        exam={
            "strength": [
                {"movement": "knee_extension", "side": "right", "mrc": 4},
                {"movement": "ankle_dorsiflexion", "side": "right", "mrc": 4},
                {"movement": "hip_adduction", "side": "right", "mrc": 5},
                {"movement": "great_toe_extension", "side": "right", "mrc": 5},
            ],
            "reflexes": [
                {"reflex": "patellar", "side": "right", "grade": "reduced"},
                {"reflex": "patellar", "side": "left", "grade": "normal"},
            ],
            "sensation": [{"region": "medial_leg", "side": "right", "finding": "reduced"}],
            "signs": [{"sign": "femoral_stretch", "side": "right", "result": "positive"}],
        },
        investigations=[disc],
    )
    a = assess(case, load_model(), K)
    assert (a.localization[0].site, a.localization[0].side) == ("root:L4", "right")
    assert any("operation to free the nerve root" in m.option for m in a.management) is offered


def test_a_look_alike_is_put_as_a_question_only_when_it_leads_clearly():
    """Heel and sole pain on standing and walking with a normal examination reads as no nerve
    lesion, its joint look-alikes sharing it about evenly: the questions do not ask whether
    the knee joint causes it (held-out round 24, x28, a plantar fasciitis); the summary names
    no look-alike either."""
    from plexnav.engine.assess import assess
    from plexnav.modelcache import load_model

    both = ("left", "right")
    case = make_case(
        patient={"age": 52, "sex": "female"},
        history={"onset": "chronic", "course": "stable", "duration_days": 120},
        symptoms=[
            {
                "kind": "pain",
                "region": "heel",
                "side": "right",
                "quality": "sharp",
                "provoked_by": ["walking", "standing"],
            },
            {"kind": "pain", "region": "sole", "side": "right", "provoked_by": ["walking"]},
        ],
        exam={
            "strength": [
                {"movement": m, "side": s, "mrc": 5}
                for m in ("ankle_plantarflexion", "ankle_dorsiflexion")
                for s in both
            ],
            "reflexes": [{"reflex": "achilles", "side": s, "grade": "normal"} for s in both],
            "sensation": [
                {"region": r, "side": "right", "finding": "normal"} for r in ("heel", "sole", "lateral_foot")
            ],
        },
    )
    a = assess(case, load_model(), K)
    assert a.localization[0].site == "no_neurological_lesion"
    assert "knee joint" not in a.plain_summary


def test_an_evidence_item_written_for_each_root_is_one_item_per_root():
    """causes.yaml ``for_each``: the item is written out once per value, its slot filled in
    the condition, the lr's site keys and the reason, in order, between its neighbours."""
    from plexnav.knowledge.guidance import expand_each

    item = {
        "for_each": {"root": ["L3", "L4"]},
        "when": "scan_reaches:root:{root}",
        "lr": {"root:{root}": 2},
        "reason": "at {root}",
    }
    causes = {"causes": {"x": {"evidence": [{"when": "a", "lr": 1, "reason": "a"}, item]}}}
    out = expand_each(causes)["causes"]["x"]["evidence"]
    assert out[1:] == [
        {"when": "scan_reaches:root:L3", "lr": {"root:L3": 2}, "reason": "at L3"},
        {"when": "scan_reaches:root:L4", "lr": {"root:L4": 2}, "reason": "at L4"},
    ]
    assert expand_each(expand_each(causes)) == expand_each(causes)
    with pytest.raises(ValueError, match="one name"):
        expand_each({"causes": {"x": {"evidence": [{**item, "for_each": {"a": [1], "b": [2]}}]}}})


def test_the_root_question_follows_what_the_spine_scan_showed():
    """An L4 root picture: with no spine scan, the question is whether a pinched root explains
    it and whether a scan would help; with a disc that can press L4 (a foraminal L4-L5 disc),
    whether that disc explains it; with a disc only where it cannot reach L4 (a paracentral
    L5-S1 disc, on S1), what else harms the root, and no epidural injection at a root the scan
    leaves unexplained (Fardon 2014; NICE NG59)."""
    from plexnav.engine.assess import assess
    from plexnav.modelcache import load_model

    base = dict(
        patient={"age": 58, "sex": "male"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 50},
        symptoms=[{"kind": "pain", "region": "medial_leg", "side": "left", "severity": 8, "quality": "shooting"}],
        exam={
            "strength": [
                {"movement": "knee_extension", "side": "left", "mrc": 4},
                {"movement": "ankle_dorsiflexion", "side": "left", "mrc": 5},
                {"movement": "great_toe_extension", "side": "left", "mrc": 5},
            ],
            "reflexes": [{"reflex": "patellar", "side": "left", "grade": "absent"}],
            "sensation": [
                {"region": "medial_leg", "side": "left", "finding": "reduced"},
                {"region": "anterior_thigh", "side": "left", "finding": "normal"},
            ],
        },
        electrodiagnosis={
            "nerve_conduction": [{"study": "saphenous_sensory", "side": "left", "result": "normal"}],
            "needle_emg": [
                {"muscle": "vastus_medialis", "side": "left", "result": "active_denervation"},
                {"muscle": "tibialis_anterior", "side": "left", "result": "active_denervation"},
                {"muscle": "paraspinal_lower_lumbar", "side": "left", "result": "active_denervation"},
                {"muscle": "adductor_longus", "side": "left", "result": "normal"},
            ],
        },
    )
    model = load_model()

    def summary_and_options(*scans):
        out = assess(make_case(**base, investigations=list(scans)), model, K)
        assert out.localization[0].site == "root:L4"
        return out.plain_summary, [m.option for m in out.management]

    unscanned, _ = summary_and_options()
    assert "whether a scan would change your care" in unscanned
    disc = {"test": "mri_lumbar_spine", "finding": "disc_herniation", "side": "left"}
    fits, fits_options = summary_and_options({**disc, "level": "L4-L5", "position": "foraminal"})
    assert "the disc or narrowing the scan showed" in fits and "whether a scan would change" not in fits
    assert any("epidural" in o for o in fits_options)
    elsewhere, elsewhere_options = summary_and_options({**disc, "level": "L5-S1", "position": "paracentral"})
    assert "what else could be harming the nerve root" in elsewhere
    assert not any("epidural" in o for o in elsewhere_options)


def test_a_root_the_scan_shows_pressed_by_an_abscess_is_not_said_to_have_nothing_pressing_it():
    """An abscess in the lateral recess, or a deposit growing into the foramen, presses the
    root the findings point to although no disc does: the person is not asked what else could
    be harming a root 'since the scan shows nothing pressing on it', and a pocket of pus the
    scan found is asked about as an infection to treat (the germ, the drainage: Darouiche
    2006), not one to rule out."""
    sections = dict(
        history={"onset": "subacute", "course": "worsening", "factors": ["fever"]},
        symptoms=[{"kind": "pain", "region": "posterior_leg", "side": "left"}],
    )
    root = [entry("root:S1", "left", 0.9)]
    abscess = {
        "test": "mri_lumbar_spine",
        "finding": "abscess",
        "level": "L5-S1",
        "side": "left",
        "position": "paracentral",
        "site": "root:S1",
    }
    elsewhere = {
        "test": "mri_lumbar_spine",
        "finding": "disc_herniation",
        "level": "L2-L3",
        "side": "left",
        "position": "paracentral",
    }
    found = run(root, investigations=[abscess, elsewhere], **sections)["plain_summary"]
    assert "nothing pressing" not in found
    assert "the infection the scan found will be treated" in found and "will be ruled out" not in found
    missed = run(root, investigations=[elsewhere], **sections)["plain_summary"]
    assert "nothing pressing" in missed and "will be ruled out" in missed
    deposit = {
        "test": "mri_lumbar_spine",
        "finding": "bone_metastasis",
        "level": "L2",
        "side": "right",
        "position": "foraminal",
    }
    disc = {"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L4-L5", "position": "central"}
    l2 = run(
        [entry("root:L2", "right", 0.9)],
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "right"}],
        investigations=[deposit, disc],
    )
    assert "nothing pressing" not in l2["plain_summary"]


def test_a_plexus_abscess_the_scan_found_is_not_searched_for_again():
    """A psoas abscess on CT pressing the lumbar plexus, with a fever: the pelvic MRI that looks
    for the fever's hidden source is not asked for 'where a scan of the back does not reach',
    and the person is not asked what might be harming the plexus (the scan found it); a
    plexus lesion with no such finding keeps the question."""
    sections = dict(
        history={"onset": "subacute", "course": "worsening", "factors": ["fever", "iv_drug_use"]},
        symptoms=[{"kind": "pain", "region": "groin", "side": "right"}, {"kind": "weakness", "side": "right"}],
    )
    plexus = [entry("plexus:lumbar", "right", 0.9)]
    abscess = {"test": "ct_abdomen_pelvis", "finding": "abscess", "side": "right", "site": "plexus:lumbar"}
    found = run(plexus, investigations=[abscess], **sections)
    assert "what might be harming" not in found["plain_summary"]
    assert not any("does not reach" in w.why for w in found["workup"])
    unexplained = run(plexus, **sections)
    assert "what might be harming" in unexplained["plain_summary"]
    assert any("does not reach" in w.why for w in unexplained["workup"])


def test_weakness_of_both_legs_near_the_hip_and_in_the_foot_over_months_with_lost_reflexes_is_asked_about_as_cidp():
    """Both legs weak near the hip and in the foot, the knee and ankle jerks lost, worse over ten
    weeks: the typical CIDP of the EAN/PNS 2021 criteria, which immune treatment reverses, is
    asked about; the same picture over three weeks is the acute form's question, and one
    getting better or with a fever is not asked about as CIDP."""
    sections = dict(
        patient={"age": 52, "sex": "male"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 70},
        symptoms=[
            {"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"},
            {"kind": "weakness", "side": "bilateral"},
        ],
        exam={
            "strength": [
                {"movement": "hip_flexion", "side": "bilateral", "mrc": 4},
                {"movement": "ankle_dorsiflexion", "side": "bilateral", "mrc": 4},
            ],
            "reflexes": [
                {"reflex": "patellar", "side": "bilateral", "grade": "absent"},
                {"reflex": "achilles", "side": "bilateral", "grade": "absent"},
            ],
        },
    )
    loc = [entry("polyradiculopathy", "bilateral", 0.6), entry("plexus:lumbosacral", "bilateral", 0.4)]
    out = run(loc, **sections)
    assert "could be CIDP" in out["plain_summary"] and any("CIDP" in o for o in options(out))
    for history in (
        {"onset": "subacute", "course": "worsening", "duration_days": 21},
        {"onset": "subacute", "course": "improving", "duration_days": 70},
        {"onset": "subacute", "course": "worsening", "duration_days": 70, "factors": ["fever"]},
    ):
        other = run(loc, **dict(sections, history=history))
        assert "CIDP" not in other["plain_summary"] and not any("CIDP" in o for o in options(other)), history


def test_a_root_pressed_by_a_growth_is_not_promised_a_discs_recovery():
    """A sacral tumour on the S1 root with pain at night: a growth leads the causes, so the
    outlook of a pinched root from a disc ('much better within six to twelve weeks') is not
    given beside the tumour's; a disc on the same root keeps it."""
    sections = dict(
        patient={"age": 32, "sex": "female"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 160, "factors": ["night_pain"]},
        symptoms=[
            {"kind": "pain", "region": "lower_back", "severity": 5},
            {"kind": "pain", "region": "posterior_thigh", "side": "right", "quality": "shooting", "severity": 6},
        ],
        exam={"signs": [{"sign": "straight_leg_raise", "side": "right", "result": "positive"}]},
    )
    root = [entry("root:S1", "right", 0.9)]
    mass = {
        "test": "mri_lumbar_spine",
        "finding": "mass",
        "level": "S1-S2",
        "side": "right",
        "position": "foraminal",
        "site": "root:S1",
    }
    disc = {
        "test": "mri_lumbar_spine",
        "finding": "disc_herniation",
        "level": "L5-S1",
        "side": "right",
        "position": "paracentral",
    }
    growth = run(root, investigations=[mass], **sections)
    causes = {e.cause: e.probability for e in growth["etiology"]}
    assert causes["neoplastic"] > causes["degenerative_spine"] >= 0.25
    assert "Pinched nerve root" not in topics(growth, "recovery")
    plain = dict(sections, history={"onset": "acute", "course": "stable", "duration_days": 20})
    assert "Pinched nerve root" in topics(run(root, investigations=[disc], **plain), "recovery")


def test_a_flaccid_weakness_of_both_legs_within_days_with_nothing_numb_asks_for_the_potassium():
    """Both legs weak since waking with the reflexes low and nothing numb, no cord sign and a
    normal spine scan: an attack of periodic paralysis (a low or high potassium) weakens the
    legs within hours and upsets the heart's rhythm (Statland 2018; Lin 2005), so the blood
    salts are asked about; not when the legs are numb, nor for a weakness of months."""
    sections = dict(
        patient={"age": 26, "sex": "male"},
        history={"onset": "sudden", "course": "stable", "duration_days": 0},
        symptoms=[{"kind": "weakness", "side": "bilateral"}],
        exam={
            "strength": [{"movement": "hip_flexion", "side": "bilateral", "mrc": 2}],
            "reflexes": [{"reflex": "achilles", "side": "bilateral", "grade": "absent"}],
            "sensation": [{"region": "whole_foot_stocking", "side": "bilateral", "finding": "normal"}],
        },
        investigations=[{"test": "mri_whole_spine", "finding": "normal"}],
    )
    loc = [entry("plexus:lumbosacral", "bilateral", 0.6), entry("polyradiculopathy", "bilateral", 0.4)]
    said = "blood potassium"
    assert said in run(loc, **sections)["plain_summary"]
    numb = dict(
        sections,
        symptoms=[*sections["symptoms"], {"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}],
    )
    assert said not in run(loc, **numb)["plain_summary"]
    months = dict(sections, history={"onset": "chronic", "course": "worsening", "duration_days": 200})
    assert said not in run(loc, **months)["plain_summary"]


def test_several_single_nerves_at_once_are_tested_for_a_vasculitis_soon():
    """A mononeuritis multiplex leading the reading: a vasculitis until shown otherwise, so the
    immune blood tests (ANCA, cryoglobulins, hepatitis B and C) are high priority within two
    weeks, a nerve biopsy is named, and the person asks about it (Collins 2010)."""
    loc = [
        entry("polyneuropathy", "bilateral", 0.6, hypothesis="polyneuropathy_multifocal:bilateral"),
        entry("nerve:common_peroneal", "left", 0.4),
    ]
    out = run(loc, patient={"age": 64}, history={"onset": "subacute", "course": "worsening", "duration_days": 70})
    immune = next(w for w in out["workup"] if w.test == "autoimmune_panel")
    assert immune.priority == "high" and "biopsy" in immune.why
    assert "could be a vasculitis" in out["plain_summary"]
    assert "several single nerves" in out["plain_summary"]


def test_an_attack_of_periodic_paralysis_asks_for_the_potassium_and_a_heart_tracing_now():
    """Periodic paralysis leading the reading: the potassium, a heart tracing and the thyroid
    are asked for now (an emergency option: a low or high potassium upsets the heart's
    rhythm, Statland 2018; Lin 2005), with the attack's own outlook, not the back-and-joint
    one."""
    lead = entry("no_neurological_lesion", "bilateral", 0.9, hypothesis="mimic_periodic_paralysis:symptomatic")
    lead.look_alikes = {"periodic_paralysis": 0.95, "none": 0.05}
    out = run([lead, entry("plexus:lumbosacral", "bilateral", 0.1)], patient={"age": 26}, history={"onset": "sudden"})
    care = [m for m in out["management"] if "potassium" in m.option]
    assert care and care[0].category == "emergency" and "heart tracing" in care[0].option
    assert "Attacks of periodic paralysis" in topics(out, "recovery")
    assert "Muscle and joint pain" not in topics(out, "recovery")


def test_a_lump_on_a_nerve_is_not_called_a_cancer_in_plain_words():
    """The tumour cause covers benign nerve-sheath tumours and cysts as well as cancers (Kim
    2005: most lumps on a nerve are benign): the summary of a ganglion on the sural nerve
    names a tumour, benign or a cancer, not 'a tumour or cancer'."""
    lump = [{"test": "ultrasound_nerve", "finding": "mass", "side": "left", "site": "nerve:sural"}]
    out = run(
        [entry("nerve:sural", "left", 0.95)], patient={"age": 61}, history={"onset": "subacute"}, investigations=lump
    )
    assert "tumour (benign or a cancer)" in out["plain_summary"]
    assert "tumour or cancer" not in out["plain_summary"]


def test_an_emergency_root_already_scanned_asks_what_the_scan_showed():
    """A bleed on the L4 root on the lumbar MRI of someone on warfarin (an emergency): the
    person asks what the scan showed pressing on the root and how soon it can be relieved,
    not what a scan 'will show'; and a disc is not offered as its likeliest cause (the bleed
    named on the root is what presses it)."""
    sections = dict(
        patient={"age": 78, "sex": "female"},
        history={"onset": "acute", "course": "worsening", "duration_days": 4, "factors": ["anticoagulation"]},
        symptoms=[
            {"kind": "pain", "region": "anterior_thigh", "side": "left", "severity": 8},
            {"kind": "weakness", "side": "left"},
        ],
        exam={"strength": [{"movement": "knee_extension", "side": "left", "mrc": 3}]},
        investigations=[
            {
                "test": "mri_lumbar_spine",
                "finding": "hematoma",
                "level": "L3-L4",
                "side": "left",
                "position": "paracentral",
                "site": "root:L4",
            }
        ],
    )
    out = run([entry("root:L4", "left", 0.93)], **sections)
    assert out["triage"].level == "emergency"
    assert "what the scan showed pressing on the nerve root" in out["plain_summary"]
    assert "what the scan will show" not in out["plain_summary"]
    assert out["etiology"][0].cause != "degenerative_spine"


def test_swollen_thighs_from_exercise_with_soft_compartments_are_not_sent_to_a_surgeon():
    """Exertional rhabdomyolysis of both quadriceps (CK 68,400, swollen muscle on MRI) with the
    compartments found soft: the kidneys are the question (fluids), not a fasciotomy, and the
    thigh pain is the muscle's, not a stress fracture of the hip to rule out.  The same thighs
    found tense bring the surgeon back."""
    sections = dict(
        patient={"age": 31, "sex": "female"},
        history={"onset": "acute", "course": "stable", "duration_days": 3},
        symptoms=[
            {
                "kind": "pain",
                "region": "anterior_thigh",
                "side": "bilateral",
                "severity": 9,
                "provoked_by": ["walking"],
            },
            {"kind": "weakness", "side": "bilateral", "activity": "stairs"},
        ],
        exam={
            "signs": [
                {"sign": "tender_tense_compartment", "region": "anterior_thigh", "side": "left", "result": "negative"},
                {"sign": "tender_tense_compartment", "region": "anterior_thigh", "side": "right", "result": "negative"},
            ]
        },
        investigations=[
            {"test": "ck", "value": 68400},
            {"test": "mri_pelvis", "finding": "muscle_edema_or_necrosis", "side": "bilateral"},
        ],
    )
    loc = [entry("no_neurological_lesion", "bilateral", 0.9, hypothesis="mimic_hip_joint:symptomatic")]
    out = run(loc, **sections)
    said = " ".join(options(out)) + " " + out["plain_summary"]
    assert "fasciotomy" not in said and "surgeon to check the tense" not in said
    assert "fluids through a drip" in said
    assert "hip_imaging" not in [w.test for w in out["workup"]]
    assert "stress fracture" not in said
    tense = dict(
        sections, exam={"signs": [{"sign": "tender_tense_compartment", "region": "anterior_thigh", "side": "left"}]}
    )
    assert "fasciotomy" in " ".join(options(run(loc, **tense)))


def test_a_root_read_first_after_a_pelvic_operation_goes_back_to_the_surgical_team():
    """S1 weakness with buttock and posterior thigh pain from the day of a vaginal suspension
    operation, the lumbar MRI clear, the S1 root read first and the sacral plexus close: the
    operation is the likeliest cause, and its team is asked to review the injury (a suture on
    the S1-S2 rami is removed early: Flynn 2006), though the root leads the reading."""
    sections = dict(
        patient={"age": 64, "sex": "female"},
        history={"onset": "sudden", "course": "improving", "duration_days": 30, "factors": ["recent_surgery_pelvic"]},
        symptoms=[{"kind": "pain", "region": "posterior_thigh", "side": "right", "severity": 7}],
        exam={"strength": [{"movement": "ankle_plantarflexion", "side": "right", "mrc": 4}]},
        investigations=[{"test": "mri_lumbar_spine", "finding": "normal"}],
    )
    out = run([entry("root:S1", "right", 0.55), entry("plexus:sacral", "right", 0.4)], **sections)
    assert out["etiology"][0].cause == "iatrogenic_surgical"
    assert any("surgical team to review" in o for o in options(out))


def test_a_bleed_weeks_ago_asks_about_going_on_with_the_blood_thinner_not_reversing_it_today():
    """Three weeks after a pelvic bleed on apixaban, improving: the questions of the day of the
    bleed (pause and reverse the blood thinner today, drain it) are past; the person asks
    whether it is safe to go on with the blood thinner and whether a scan should check the bleed
    is shrinking (Tomaselli 2020).  In the first days the emergency question stands."""
    sections = dict(
        patient={"age": 78, "sex": "female"},
        history={"onset": "sudden", "course": "improving", "duration_days": 21, "factors": ["anticoagulation"]},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "right", "severity": 5}],
        investigations=[{"test": "ct_abdomen_pelvis", "finding": "hematoma", "side": "right", "site": "plexus:sacral"}],
    )
    loc = [entry("plexus:sacral", "right", 0.9)]
    said = " ".join(options(run(loc, **sections)))
    assert "safe to go on with it" in said and "today" not in said
    early = dict(sections, history={**sections["history"], "duration_days": 3, "course": "worsening"})
    assert "see you today whether to pause your blood thinner" in " ".join(options(run(loc, **early)))


def test_a_knee_bleeding_on_a_blood_thinner_is_not_given_worn_knee_advice():
    """A knee filled with blood on warfarin (a haematoma on the knee MRI), read as the knee
    joint: the advice is the bleed's (the blood thinner, the clotting tests), not exercise and
    weight advice for a worn knee; the same knee without a bleed on the scan gets the latter."""
    sections = dict(
        patient={"age": 74, "sex": "male"},
        history={"onset": "sudden", "course": "stable", "duration_days": 2, "factors": ["anticoagulation"]},
        symptoms=[{"kind": "pain", "region": "anterior_knee", "side": "left", "severity": 8}],
        investigations=[{"test": "mri_knee", "finding": "hematoma", "side": "left"}],
    )
    loc = [
        entry(
            "no_neurological_lesion",
            "left",
            0.8,
            hypothesis="mimic_knee_joint:symptomatic",
            look_alikes={"knee_joint": 0.9},
        )
    ]
    assert not any("worn knee" in m.why for m in run(loc, **sections)["management"])
    worn = dict(sections, history={"onset": "chronic", "course": "stable", "duration_days": 300}, investigations=[])
    assert any("worn knee" in m.why for m in run(loc, **worn)["management"])


def test_a_lump_is_not_offered_for_removal_when_the_long_nerves_to_both_feet_lead():
    """A sensory neuronopathy with a lung mass on PET-CT: the cancer harms the nerves from afar
    (paraneoplastic), so the mass is not offered for removal as one that squeezes nerves."""
    sections = dict(
        patient={"age": 64},
        history={"onset": "subacute", "course": "worsening", "duration_days": 90, "factors": ["weight_loss"]},
        symptoms=[{"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}],
        investigations=[{"test": "pet_ct", "finding": "mass"}],
    )
    out = run([entry("polyneuropathy", "bilateral", 0.7)], **sections)
    assert "Ask whether surgery to remove the mass is possible." not in options(out)


def test_a_muscle_disease_of_weeks_asks_about_the_cancer_checks_of_myositis():
    """Weak hips and thighs over weeks with a CK of 5,400 and weight loss, a muscle disease
    leading: an adult with an inflamed muscle disease is checked for a hidden cancer (Oldroyd
    2023); a muscle breakdown of the last days after exercise is not asked about it."""
    sections = dict(
        patient={"age": 58, "sex": "female"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 60, "factors": ["weight_loss"]},
        symptoms=[{"kind": "weakness", "side": "bilateral", "activity": "rising_from_chair"}],
        investigations=[{"test": "ck", "value": 5400}],
    )
    loc = [
        entry(
            "no_neurological_lesion",
            "bilateral",
            0.9,
            hypothesis="mimic_myopathy:symptomatic",
            look_alikes={"myopathy": 0.9},
        )
    ]
    assert any("hidden cancer" in o for o in options(run(loc, **sections)))
    breakdown = dict(
        sections,
        history={"onset": "acute", "course": "stable", "duration_days": 3},
        investigations=[{"test": "ck", "value": 68400}],
    )
    assert not any("hidden cancer" in o for o in options(run(loc, **breakdown)))


def test_the_childbirth_follow_up_offers_a_brace_only_for_a_dropped_foot():
    """A pudendal nerve hurt at a forceps delivery: the follow-up after childbirth speaks of
    exercises, and of a brace only where a foot drops (a brace does nothing for the perineum)."""
    sections = dict(
        patient={"age": 31, "sex": "female"},
        history={"onset": "sudden", "course": "improving", "duration_days": 20, "factors": ["recent_childbirth"]},
        symptoms=[{"kind": "numbness", "region": "saddle", "side": "left"}],
    )
    out = run([entry("nerve:pudendal", "left", 0.9)], **sections)
    why = next(m.why for m in out["management"] if m.option.startswith("Ask for follow-up with a nerve specialist"))
    assert "brace when a foot drops" in why and "A brace and exercises help" not in why


def test_an_unexplained_bleed_behind_the_peritoneum_asks_for_a_ct_of_the_arteries():
    """A psoas haematoma on CT in a 79-year-old smoker with no blood thinner, injury or
    operation (a leaking aneurysm in the case it was written from): the arterial CT that
    finds the bleeding vessel is asked for now, in an emergency, although a CT was done and
    although the emergency cap holds staging scans back; on a blood thinner the bleed is
    explained and the question is the blood thinner's."""
    sections = dict(
        patient={"age": 79, "sex": "male"},
        history={"onset": "sudden", "course": "worsening", "duration_days": 5, "factors": ["smoking"]},
        symptoms=[{"kind": "pain", "region": "groin", "side": "left", "severity": 9}],
        exam={"strength": [{"movement": "knee_extension", "side": "left", "mrc": 2}]},
        investigations=[{"test": "ct_abdomen_pelvis", "finding": "hematoma", "side": "left", "site": "plexus:lumbar"}],
    )
    loc = [entry("plexus:lumbar", "left", 0.9)]
    ct = [w for w in run(loc, **sections)["workup"] if w.test == "ct_abdomen_pelvis"]
    assert ct and ct[0].priority == "emergency" and "aneurysm" in ct[0].why
    thinned = dict(sections, history={**sections["history"], "factors": ["anticoagulation"]})
    assert not any(w.test == "ct_abdomen_pelvis" for w in run(loc, **thinned)["workup"])


def test_a_known_immune_disease_does_not_ask_for_immune_tests_once_a_fracture_explains_it():
    """Ankylosing spondylitis (an immune disease) with a cord pressed by a bleed over a broken
    vertebra: the fracture explains it, so no immune blood tests; the same disease with a
    nerve problem of open cause keeps them."""
    sections = dict(
        patient={"age": 71, "sex": "male"},
        history={
            "onset": "sudden",
            "course": "worsening",
            "duration_days": 3,
            "factors": ["autoimmune_disease", "fall"],
        },
        symptoms=[{"kind": "weakness", "side": "bilateral"}, {"kind": "pain", "region": "lower_back", "severity": 8}],
        investigations=[
            {"test": "mri_whole_spine", "finding": "fracture", "level": "T10"},
            {"test": "mri_whole_spine", "finding": "hematoma", "level": "T10", "site": "spinal_cord"},
        ],
    )
    loc = [entry("spinal_cord", "bilateral", 0.95)]
    out = run(loc, **sections)
    assert out["etiology"][0].cause == "trauma" and out["etiology"][0].probability >= 0.9
    assert not any(w.test == "autoimmune_panel" for w in out["workup"])
    open_cause = dict(
        patient={"age": 60},
        history={"onset": "chronic", "course": "worsening", "duration_days": 200, "factors": ["autoimmune_disease"]},
        symptoms=[{"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}],
    )
    assert any(
        w.test == "autoimmune_panel" for w in run([entry("polyneuropathy", "bilateral", 0.8)], **open_cause)["workup"]
    )


def test_an_inner_shin_that_hurts_alone_is_not_given_worn_knee_advice():
    """The knee look-alike leading on an aching inner shin alone (a stress fracture of the
    tibia in the case it was written from): no knee exercise advice, which a fracture would
    not bear; a painful knee keeps it."""
    shin = dict(
        patient={"age": 34, "sex": "female"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 35},
        symptoms=[{"kind": "pain", "region": "medial_leg", "side": "left", "provoked_by": ["walking"]}],
    )
    loc = [
        entry(
            "no_neurological_lesion",
            "left",
            0.9,
            hypothesis="mimic_knee_joint:symptomatic",
            look_alikes={"knee_joint": 0.3},
        )
    ]
    assert not any("worn knee" in m.why for m in run(loc, **shin)["management"])
    knee = dict(
        shin, symptoms=[{"kind": "pain", "region": "anterior_knee", "side": "left", "provoked_by": ["walking"]}]
    )
    assert any("worn knee" in m.why for m in run(loc, **knee)["management"])


def test_a_polyneuropathy_worse_in_one_leg_asks_for_the_immune_tests():
    """The asymmetric length-dependent polyneuropathy leading: vasculitis and late Lyme
    disease do this, so the immune blood tests are asked for, naming the Lyme test."""
    sections = dict(
        patient={"age": 69, "sex": "female"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 730},
        symptoms=[{"kind": "numbness", "region": "sole", "side": "left"}],
    )
    loc = [entry("polyneuropathy", "bilateral", 0.9, hypothesis="polyneuropathy_asymmetric_left_worse:bilateral")]
    panel = [w for w in run(loc, **sections)["workup"] if w.test == "autoimmune_panel"]
    assert panel and panel[0].priority == "medium" and "Lyme" in panel[0].why


def test_a_bleed_seen_on_the_nerve_is_not_met_with_advice_about_habits():
    """A haematoma on the common peroneal nerve at the knee on ultrasound, a pressure palsy
    still leading the causes: the bleed is the pressure, so no advice about crossing the legs
    or kneeling (its cause and drainage are asked about instead); without the scan the
    advice about habits stands."""
    sections = dict(
        patient={"age": 70, "sex": "male"},
        history={"onset": "acute", "course": "stable", "duration_days": 10},
        symptoms=[{"kind": "weakness", "activity": "foot_drop_tripping", "side": "right"}],
        exam={"signs": [{"sign": "tinel_fibular_head", "side": "right", "result": "positive"}]},
        investigations=[
            {"test": "ultrasound_nerve", "finding": "hematoma", "side": "right", "site": "nerve:common_peroneal"}
        ],
    )
    loc = [entry("nerve:common_peroneal", "right", 0.95)]
    habits = "Ask how to take pressure off the nerve at the outside of the knee"
    out = run(loc, **sections)
    assert out["etiology"][0].cause == "compressive_entrapment"
    assert not any(o.startswith(habits) for o in options(out))
    assert any(o.startswith(habits) for o in options(run(loc, **dict(sections, investigations=[]))))


def test_a_calf_that_hurts_after_a_long_journey_with_a_soft_compartment_asks_no_ck():
    """Calf pain six days after a long-haul flight (lying still ticked), the calf examined and
    soft, no weakness: not a crush, so no CK (the summary asks whether a clot in a leg vein
    has been ruled out); a weak leg after lying still keeps the CK."""
    sections = dict(
        patient={"age": 47, "sex": "male"},
        history={"onset": "acute", "course": "worsening", "duration_days": 6, "factors": ["prolonged_immobility"]},
        symptoms=[{"kind": "pain", "region": "posterior_leg", "side": "right", "severity": 6}],
        exam={"signs": [{"sign": "tender_tense_compartment", "region": "calf", "side": "right", "result": "negative"}]},
    )
    loc = [entry("no_neurological_lesion", "right", 0.9)]
    out = run(loc, **sections)
    assert not any(w.test == "ck" for w in out["workup"])
    assert "blood clot in a deep vein" in out["plain_summary"]
    weak = dict(sections, symptoms=[*sections["symptoms"], {"kind": "weakness", "side": "right"}])
    assert any(w.test == "ck" for w in run(loc, **weak)["workup"])


def test_a_fibroid_just_treated_is_not_offered_for_removal_when_the_treatment_hurt_the_nerve():
    """A sacral plexus hurt by the heat of a fibroid ablation the day before: the operation
    leads the causes, so the lump is not offered for removal or shrinking; a fibroid pressing
    the plexus with no operation keeps the option."""
    sections = dict(
        patient={"age": 41, "sex": "female"},
        history={
            "onset": "sudden",
            "course": "improving",
            "duration_days": 20,
            "factors": ["recent_surgery_pelvic", "uterine_fibroids_or_pelvic_mass"],
        },
        symptoms=[{"kind": "pain", "region": "buttock", "side": "right", "severity": 6}],
    )
    loc = [entry("plexus:sacral", "right", 0.95)]
    shrink = "Ask about removing or shrinking the lump that presses on the nerves."
    out = run(loc, **sections)
    assert out["etiology"][0].cause == "iatrogenic_surgical" and shrink not in options(out)
    untreated = dict(
        sections,
        history={
            "onset": "chronic",
            "course": "worsening",
            "duration_days": 200,
            "factors": ["uterine_fibroids_or_pelvic_mass"],
        },
    )
    assert shrink in options(run(loc, **untreated))


def test_a_bleed_in_the_pelvis_after_a_birth_is_not_sent_for_a_ct_of_the_arteries():
    """A haematoma on the lumbar plexus three weeks after a birth, improving: the delivery
    explains the bleed, so no CT of the arteries for a leaking aneurysm; the clotting tests
    still look for a clotting disorder (one can appear after a birth)."""
    sections = dict(
        patient={"age": 30, "sex": "female"},
        history={"onset": "acute", "course": "improving", "duration_days": 21, "factors": ["recent_childbirth"]},
        symptoms=[{"kind": "weakness", "activity": "leg_gives_way", "side": "left"}],
        investigations=[{"test": "mri_pelvis", "finding": "hematoma", "side": "left", "site": "plexus:lumbar"}],
    )
    tests = [w.test for w in run([entry("plexus:lumbar", "left", 0.95)], **sections)["workup"]]
    assert "ct_abdomen_pelvis" not in tests and "coagulation_profile" in tests


def test_a_broken_bone_at_the_nerve_is_not_met_with_advice_about_habits():
    """A common peroneal nerve under a fracture of the fibular neck seen on the knee MRI, a
    conduction block reading as pressure: the injury pressed it, not a crossed leg."""
    sections = dict(
        patient={"age": 68, "sex": "male"},
        history={"onset": "sudden", "course": "stable", "duration_days": 20, "factors": ["fall"]},
        symptoms=[{"kind": "weakness", "activity": "foot_drop_tripping", "side": "left"}],
        exam={"signs": [{"sign": "tinel_fibular_head", "side": "left", "result": "positive"}]},
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "peroneal_motor_ta", "side": "left", "result": "conduction_block_fibular_head"}
            ]
        },
        investigations=[{"test": "mri_knee", "finding": "fracture", "side": "left", "site": "nerve:common_peroneal"}],
    )
    loc = [entry("nerve:common_peroneal", "left", 0.95)]
    habits = "Ask how to take pressure off the nerve at the outside of the knee"
    out = run(loc, **sections)
    assert out["etiology"][0].cause == "compressive_entrapment"
    assert not any(o.startswith(habits) for o in options(out))


def test_no_cancer_markers_after_a_pet_ct_that_found_no_cancer():
    """A plexus lesion with weight loss in a diabetic, a PET-CT reported normal: the scan has
    looked further than any marker can, so no tumour markers; without the PET they stand."""
    sections = dict(
        patient={"age": 69, "sex": "male"},
        history={
            "onset": "subacute",
            "course": "worsening",
            "duration_days": 84,
            "factors": ["diabetes", "weight_loss", "night_pain", "smoking"],
        },
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "left", "severity": 8}],
        investigations=[
            {"test": "esr", "value": 34},
            {"test": "pet_ct", "finding": "normal"},
            {
                "test": "mri_pelvis",
                "finding": "plexus_enhancement_or_thickening",
                "side": "left",
                "site": "plexus:lumbosacral",
            },
        ],
    )
    loc = [entry("plexus:lumbosacral", "left", 0.9)]
    assert not any(w.test == "tumor_markers" for w in run(loc, **sections)["workup"])
    unscanned = dict(sections, investigations=[i for i in sections["investigations"] if i["test"] != "pet_ct"])
    assert any(w.test == "tumor_markers" for w in run(loc, **unscanned)["workup"])

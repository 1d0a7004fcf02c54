"""The localization engine: golden cases, self-consistency and invariants."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MECHANICAL_BACK_PAIN, shared_case_files
from plexnav import vocabulary as V
from plexnav.engine.assess import localize
from plexnav.engine.localize import group_sites, score_case
from plexnav.engine.simulate import same_site, scorable_findings, top_site_index, typical_columns
from plexnav.validation import parse_case, validate_case

LOCALIZABLE = [p for p in shared_case_files() if json.loads(p.read_text())["expected"].get("site")]


@pytest.mark.parametrize("path", LOCALIZABLE, ids=lambda p: p.name)
def test_golden_case_ranks_expected_site_first(model, path):
    case, expected = parse_case(path.read_bytes())
    groups = group_sites(model, score_case(model, case))
    assert (groups[0].site, groups[0].side) == (expected.site, expected.side)


def test_probabilities_sum_to_at_most_one(model):
    for path in shared_case_files():
        case, _ = parse_case(path.read_bytes())
        groups = group_sites(model, score_case(model, case))
        assert sum(g.probability for g in groups) <= 1 + 1e-9


# One-sided lesions whose whole clean picture is one small patch of skin (half the saddle,
# the back of the thigh): the prior of "no nerve lesion" outweighs it, as it should with no
# other finding; they lead once a second finding (a sphincter EMG, a SNAP) is added.
PRIOR_DOMINATED = ("root_S3:", "root_S4:", "nerve_pfcn:")
# Pairs whose clean pictures the format all but cannot tell apart, each checked on its own
# below: the conus's most likely findings carry no upper motor neuron sign (its share of them
# is under a half), which leaves the lower motor neuron sacral picture a cauda equina pressed
# at L5-S1 makes too; a one-sided cauda equina of the sacral roots alone is a range of sacral
# roots on one side in other words (a near tie).
NEAR_TWINS = {
    "conus_medullaris:bilateral": "cauda_equina_low:bilateral",
    "cauda_equina_sacral:left": "polyradiculopathy_S2_S3:left",
    "cauda_equina_sacral:right": "polyradiculopathy_S2_S3:right",
}


def test_self_consistency_on_clean_simulated_cases(model):
    """Every hypothesis localizes to itself from its own clean finding set, except where the
    case format cannot tell two hypotheses apart at all (identical clean finding sets) and
    the prior-dominated single-patch lesions above.  Irritative twins are left out too: their
    clean picture is pain and tingling alone, which cannot and should not name a site
    against the look-alikes; their full twin is checked instead."""
    findings = scorable_findings(model)
    misses = []
    for h in range(len(model.hypotheses)):
        hyp = model.hypotheses[h]
        if hyp.background or hyp.irritative or hyp.id.startswith(PRIOR_DOMINATED):
            continue
        own = typical_columns(model, h, findings)
        top = top_site_index(model, model.posterior(own))
        if same_site(model, h, top):
            continue
        if sorted(own.tolist()) == sorted(typical_columns(model, top, findings).tolist()):
            continue  # indistinguishable within the format
        if NEAR_TWINS.get(hyp.id) == model.hypotheses[top].id:
            continue  # checked below
        misses.append((model.hypotheses[h].id, model.hypotheses[top].id))
    assert misses == []


def test_near_twins_are_told_apart_by_what_separates_them(model):
    """The conus's clean picture with an extensor plantar on both sides (its upper motor
    neuron sign) leads as the conus; a one-sided sacral cauda equina's own picture keeps it
    within a near tie of the sacral root range."""
    findings = scorable_findings(model)
    index = {h.id: i for i, h in enumerate(model.hypotheses)}
    conus = index["conus_medullaris:bilateral"]
    own = typical_columns(model, conus, findings).tolist()
    extensor = [model.column[(f"reflex:plantar:{side}", "extensor")] for side in ("left", "right")]
    flexor = {model.column[(f"reflex:plantar:{side}", "flexor")] for side in ("left", "right")}
    own = [c for c in own if c not in flexor] + extensor
    assert same_site(model, conus, top_site_index(model, model.posterior(np.array(own))))
    for side in ("left", "right"):
        sacral = index[f"cauda_equina_sacral:{side}"]
        post = model.posterior(typical_columns(model, sacral, findings))
        assert post[sacral] > 0.9 * post.max()


def test_focal_lesion_on_a_polyneuropathy_keeps_its_site(model):
    """A focal lesion with a background polyneuropathy: its clean case ranks the focal site
    first, or the polyneuropathy alone when the focal part adds nothing the polyneuropathy
    does not already explain (a sural lesion inside a stocking)."""
    findings = scorable_findings(model)
    misses = []
    for h, hyp in enumerate(model.hypotheses):
        if hyp.background != "polyneuropathy" or hyp.id.startswith(PRIOR_DOMINATED):
            continue
        top = model.hypotheses[top_site_index(model, model.posterior(typical_columns(model, h, findings)))]
        if (top.site, top.side) != (hyp.site, hyp.side) and top.site != "polyneuropathy":
            misses.append((hyp.id, top.id))
    assert misses == []


def test_focal_lesion_beside_an_old_central_lesion_keeps_its_site(model):
    """A nerve or plexus lesion beside an old upper motor neuron lesion: its clean case ranks
    the focal site first, or the cord's long tracts when the focal part adds little the cord
    would not explain (a small sensory nerve), never another focal site; and most keep
    their own site."""
    findings = scorable_findings(model)
    kept = twins = 0
    misses = []
    for h, hyp in enumerate(model.hypotheses):
        if hyp.background != "central":
            continue
        twins += 1
        top = model.hypotheses[top_site_index(model, model.posterior(typical_columns(model, h, findings)))]
        if (top.site, top.side) == (hyp.site, hyp.side):
            kept += 1
        elif top.site != "spinal_cord":
            misses.append((hyp.id, top.id))
    assert misses == []
    assert twins and kept >= 0.75 * twins


def _case(**sections):
    return validate_case({"format": "plexnav-case/1", **sections})[0]


PERONEAL = {
    "strength": [
        {"movement": "ankle_dorsiflexion", "side": "right", "mrc": 2},
        {"movement": "ankle_eversion", "side": "right", "mrc": 3},
        {"movement": "ankle_inversion", "side": "right", "mrc": 5},
        {"movement": "hip_abduction", "side": "right", "mrc": 5},
    ],
    "sensation": [{"region": "first_web_space", "side": "right", "finding": "reduced"}],
}


def _mirror(obj):
    text = json.dumps(obj).replace('"left"', '"__L__"').replace('"right"', '"left"').replace('"__L__"', '"right"')
    return json.loads(text)


@pytest.mark.parametrize("path", LOCALIZABLE[:8], ids=lambda p: p.name)
def test_mirror_symmetry(model, path):
    data = json.loads(path.read_text())
    body = {k: v for k, v in data.items() if k not in V.EVALUATION_KEYS}
    a = group_sites(model, score_case(model, validate_case(body)[0]))
    b = group_sites(model, score_case(model, validate_case(_mirror(body))[0]))
    flip = {"left": "right", "right": "left", "bilateral": "bilateral"}
    assert [(g.site, flip[g.side]) for g in a[:5]] == [(g.site, g.side) for g in b[:5]]
    assert np.allclose([g.probability for g in a[:5]], [g.probability for g in b[:5]])


def test_fully_normal_exam_leads_with_no_lesion(model):
    exam = {
        "strength": [{"movement": m, "side": s, "mrc": 5} for m in V.MOVEMENTS for s in ("left", "right")],
        "reflexes": [
            {"reflex": r, "side": "bilateral", "grade": "normal"} for r in ("patellar", "achilles", "adductor")
        ],
        "sensation": [
            {"region": r, "side": "bilateral", "finding": "normal"}
            for r in ("dorsum_foot", "sole", "anterior_thigh", "lateral_leg")
        ],
    }
    groups = group_sites(model, score_case(model, _case(exam=exam)))
    assert groups[0].site == "no_neurological_lesion"


@settings(max_examples=60, deadline=None)
@given(st.permutations(range(5)))
def test_finding_order_never_changes_the_result(model, order):
    base = {"strength": PERONEAL["strength"] + [{"movement": "knee_extension", "side": "right", "mrc": 5}]}
    shuffled = {"strength": [base["strength"][i] for i in order]}
    a = score_case(model, _case(exam=base)).posterior
    b = score_case(model, _case(exam=shuffled)).posterior
    assert np.allclose(a, b)


ABNORMAL_FINDINGS = st.sampled_from(
    [
        ("strength", {"movement": "ankle_dorsiflexion", "mrc": 3}),
        ("strength", {"movement": "knee_extension", "mrc": 3}),
        ("strength", {"movement": "hip_adduction", "mrc": 2}),
        ("sensation", {"region": "dorsum_foot", "finding": "reduced"}),
        ("sensation", {"region": "medial_leg", "finding": "absent"}),
        ("reflexes", {"reflex": "achilles", "grade": "absent"}),
        ("reflexes", {"reflex": "patellar", "grade": "reduced"}),
    ]
)


@settings(max_examples=80, deadline=None)
@given(ABNORMAL_FINDINGS, st.sampled_from(["left", "right"]))
def test_abnormal_finding_a_site_explains_never_lowers_it_relative_to_one_that_does_not(model, finding, side):
    """Adding an abnormal finding raises the odds of every hypothesis that involves it over every one that spares it."""
    section, body = finding
    case_before = _case(exam={"strength": [{"movement": "hip_flexion", "side": side, "mrc": 4}]})
    extra = {**body, "side": side}
    exam = {"strength": [{"movement": "hip_flexion", "side": side, "mrc": 4}]}
    exam.setdefault(section, []).append(extra)
    before = score_case(model, case_before).posterior
    after_scored = score_case(model, _case(exam=exam))
    after = after_scored.posterior
    before_keys = {o.key for o in score_case(model, case_before).observations}
    (key,) = [o.key for o in after_scored.observations if o.key not in before_keys]
    f = model.finding_index[key]
    involved = model.lmn[:, f] >= 0.5
    spared = model.lmn[:, f] == 0
    if involved.any() and spared.any():
        ratio = np.log(after) - np.log(before)
        assert ratio[involved].min() >= ratio[spared].max() - 1e-9


def test_patient_only_case_is_honestly_uncertain(model):
    case = _case(symptoms=[{"kind": "tingling", "region": "lateral_thigh", "side": "left"}])
    groups = group_sites(model, score_case(model, case))
    assert groups[0].probability < 0.6


def test_single_inconsistent_finding_does_not_flip_a_supported_answer(model):
    path = [p for p in LOCALIZABLE if "common-peroneal" in p.name]
    if not path:
        pytest.skip("shared cases not available")
    data = json.loads(path[0].read_text())
    body = {k: v for k, v in data.items() if k not in V.EVALUATION_KEYS}
    # one reading that does not fit (a reduced knee jerk); a reflex is recorded once per side
    reflexes = [
        r for r in body["exam"].get("reflexes", []) if not (r["reflex"] == "patellar" and r.get("side") == "right")
    ]
    body["exam"]["reflexes"] = reflexes + [{"reflex": "patellar", "side": "right", "grade": "reduced"}]
    groups = group_sites(model, score_case(model, validate_case(body)[0]))
    assert groups[0].site == "nerve:common_peroneal"


def test_single_case_latency_under_a_millisecond(model):
    import time

    case, _ = parse_case(shared_case_files()[1].read_bytes()) if shared_case_files() else (_case(exam=PERONEAL), None)
    score_case(model, case)
    # CPU time, best of five batches: other processes on a shared machine must not fail it
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for _ in range(100):
            score_case(model, case)
        best = min(best, (time.process_time() - start) / 100)
    assert best < 1e-3


def test_vectorised_scoring_matches_single_case_scoring(model):
    from plexnav.engine.localize import score_cases

    cases = [parse_case(p.read_bytes())[0] for p in shared_case_files()] or [_case(exam=PERONEAL)]
    cases.append(_case())  # an empty case scores to the prior
    batch = score_cases(model, cases)
    for case, scored in zip(cases, batch, strict=True):
        assert np.allclose(score_case(model, case).posterior, scored.posterior, atol=1e-5)


EDX_PERONEAL = {
    "nerve_conduction": [
        {"study": "superficial_peroneal_sensory", "side": "right", "result": "absent"},
        {"study": "peroneal_motor_ta", "side": "right", "result": "conduction_block_fibular_head"},
    ],
    "needle_emg": [
        {"muscle": "tibialis_anterior", "side": "right", "result": "active_denervation"},
        {"muscle": "tibialis_posterior", "side": "right", "result": "normal"},
        {"muscle": "paraspinal_lower_lumbar", "side": "right", "result": "normal"},
        {"muscle": "biceps_femoris_short_head", "side": "right", "result": "normal"},
    ],
}


def test_a_one_sided_lesion_never_abolishes_a_bilateral_reflex(model):
    """The anal wink (and sexual function) are served by both sides' S2-S4 arcs: no
    one-sided hypothesis may make them likely abnormal, however complete its lesion (a
    painful pudendal nerve brings the complaints through pain, below even odds too).  A
    one-sided lesion held beside an old central lesion is exempt: the old lesion is two-sided
    (likelihood.yaml background_central), its effects the long tracts'."""
    for key in (
        "reflex:anal_wink",
        "symptom:sexual_dysfunction",
        "symptom:bladder_dysfunction",
        "symptom:bowel_dysfunction",
    ):
        f = model.finding_index[key]
        for h, hyp in enumerate(model.hypotheses):
            if hyp.side in ("left", "right") and hyp.background != "central":
                assert model.lmn[h, f] < 0.5, (key, hyp.id, model.lmn[h, f])


def test_one_sided_saddle_numbness_points_to_that_side():
    """Revision 1.1: half-saddle numbness with a normal other half favours a lesion on the
    numb side over the same lesion on the other side."""
    from plexnav.modelcache import load_model

    m = load_model()
    case = _case(
        exam={
            "sensation": [
                {"region": "saddle", "side": "left", "finding": "reduced"},
                {"region": "saddle", "side": "right", "finding": "normal"},
            ]
        }
    )
    groups = group_sites(m, score_case(m, case))
    sided = [g for g in groups if g.side in ("left", "right")]
    assert sided and sided[0].side == "left"


def test_imaging_informs_but_does_not_overrule_a_clear_exam(model):
    """A right L4-L5 foraminal disc (pressing the right L4 root) on a clear right peroneal
    picture with EMG: the peroneal nerve still leads; the same disc alone points to L4."""
    disc = [
        {
            "test": "mri_lumbar_spine",
            "finding": "disc_herniation",
            "level": "L4-L5",
            "position": "foraminal",
            "side": "right",
        }
    ]
    clear = _case(exam=PERONEAL, electrodiagnosis=EDX_PERONEAL, investigations=disc)
    assert group_sites(model, score_case(model, clear))[0].site == "nerve:common_peroneal"
    # a bedside L4-or-femoral picture: the disc on the right L4 root tips it to the root
    exam = {
        "strength": [{"movement": "knee_extension", "side": "right", "mrc": 4}],
        "reflexes": [{"reflex": "patellar", "side": "right", "grade": "reduced"}],
        "sensation": [{"region": "medial_leg", "side": "right", "finding": "reduced"}],
    }
    without = group_sites(model, score_case(model, _case(exam=exam)))
    with_disc = group_sites(model, score_case(model, _case(exam=exam, investigations=disc)))
    p_root = {g.site: g.probability for g in with_disc if g.side == "right"}
    assert (with_disc[0].site, with_disc[0].side) == ("root:L4", "right")
    assert p_root["root:L4"] > next(g.probability for g in without if (g.site, g.side) == ("root:L4", "right"))


def _site_probability(model, case, site, side):
    return next(g.probability for g in group_sites(model, score_case(model, case)) if (g.site, g.side) == (site, side))


def test_a_disc_with_no_level_is_weaker_evidence_than_one_at_a_level(model):
    """A report that says only 'disc herniation' still points to the roots discs press, less
    than the same disc at a named level and side (a disc somewhere is common without symptoms)."""
    exam = {
        "strength": [{"movement": "ankle_dorsiflexion", "side": "right", "mrc": 4}],
        "sensation": [{"region": "dorsum_foot", "side": "right", "finding": "reduced"}],
    }
    unlevelled = [{"test": "mri_lumbar_spine", "finding": "disc_herniation"}]
    levelled = [{**unlevelled[0], "level": "L4-L5", "position": "paracentral", "side": "right"}]
    p = {
        name: _site_probability(model, _case(exam=exam, investigations=inv), "root:L5", "right")
        for name, inv in (("none", []), ("unlevelled", unlevelled), ("levelled", levelled))
    }
    assert p["none"] < p["unlevelled"] < p["levelled"], p


def test_canal_stenosis_with_no_level_points_to_the_roots_of_the_canal(model):
    """Walking-provoked leg pain on both sides: an unlevelled canal stenosis raises a two-sided
    polyradiculopathy (lumbar stenosis) and never raises the hip-joint look-alike."""
    symptoms = [
        {"kind": "pain", "region": "posterior_leg", "side": "bilateral", "provoked_by": ["walking"]},
        {"kind": "numbness", "region": "dorsum_foot", "side": "bilateral"},
    ]
    stenosis = [{"test": "mri_lumbar_spine", "finding": "canal_stenosis"}]
    before = _site_probability(model, _case(symptoms=symptoms), "polyradiculopathy", "bilateral")
    after = _site_probability(
        model, _case(symptoms=symptoms, investigations=stenosis), "polyradiculopathy", "bilateral"
    )
    assert after > before


def test_a_lesion_at_the_l1_l2_level_lies_on_the_cauda_equina_and_sometimes_the_conus(model):
    """The conus ends at about the lower third of L1 (Saifuddin 1998): a canal finding at the
    L1-L2 disc credits the cauda equina fully and the conus partly; one at T12-L1 is the conus's."""
    from plexnav.engine.imaging import compatibility

    kb = model.kb
    cauda = next(h for h in model.hypotheses if h.id == "cauda_equina:bilateral")
    conus = next(h for h in model.hypotheses if h.id == "conus_medullaris:bilateral")
    assert 0 < compatibility(kb, conus, "canal:L1-L2", "midline") < compatibility(kb, cauda, "canal:L1-L2", "midline")
    assert compatibility(kb, conus, "canal:L2-L3", "midline") < compatibility(kb, conus, "canal:L1-L2", "midline")


def test_a_canal_finding_presses_only_the_roots_that_pass_its_level(model):
    """The cauda equina at the L4-L5 disc holds the L4 root at its foramen's mouth and the L5
    to S5 roots: the L2 and L3 roots have left the canal above it, so a central L4-L5 disc is
    no evidence for an L3 root or an L2-L3
    root range (at most the small share any look-alike of the pressed L5 root gets), while the
    L5 root and an L4-S1 range get real credit."""
    from plexnav.engine.imaging import compatibility

    kb = model.kb
    hyp = {h.id: h for h in model.hypotheses}
    look_alike = kb.imaging["relatedness"]["look_alike"]
    for upper in ("root_L3:right", "polyradiculopathy_L2_L3:right", "polyradiculopathy_L2_L3:bilateral"):
        assert compatibility(kb, hyp[upper], "canal:L4-L5", "midline") < look_alike, upper
    for lower in ("root_L5:right", "polyradiculopathy_L4_S1:bilateral", "cauda_equina:bilateral"):
        assert compatibility(kb, hyp[lower], "canal:L4-L5", "midline") >= 0.3, lower
    assert compatibility(kb, hyp["root_L3:right"], "canal:L2-L3", "midline") > 0.0


def test_a_conus_lesion_in_a_diabetic_keeps_its_site_beside_the_polyneuropathy(model):
    """Brisk knee jerks, an extensor plantar, a numb saddle with a lost anal wink and a scan
    that shows the conus pressed at T12-L1 are the conus; stocking numbness and absent ankle
    jerks in a person with diabetes are the common background polyneuropathy, not a reason to
    read the many-root cauda equina (the conus is held with a background polyneuropathy as
    roots, plexus and nerves are)."""
    case = _case(
        patient={"age": 71, "sex": "male"},
        history={"onset": "subacute", "course": "worsening", "factors": ["diabetes"]},
        symptoms=[{"kind": "numbness", "region": "saddle", "side": "bilateral"}, {"kind": "bladder_dysfunction"}],
        exam={
            "strength": [{"movement": "ankle_plantarflexion", "side": "bilateral", "mrc": 4}],
            "reflexes": [
                {"reflex": "patellar", "side": "bilateral", "grade": "brisk"},
                {"reflex": "achilles", "side": "bilateral", "grade": "absent"},
                {"reflex": "plantar", "side": "left", "grade": "extensor"},
                {"reflex": "anal_wink", "grade": "absent"},
            ],
            "sensation": [
                {"region": "saddle", "side": "bilateral", "finding": "reduced"},
                {"region": "whole_foot_stocking", "side": "bilateral", "finding": "reduced"},
            ],
        },
        investigations=[
            {
                "test": "mri_lumbar_spine",
                "finding": "cord_or_cauda_compression",
                "level": "T12-L1",
                "site": "conus_medullaris",
            }
        ],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert (top.site, top.side) == ("conus_medullaris", "bilateral")
    assert any(model.hypotheses[i].background == "polyneuropathy" for i in top.members[:1])


def test_a_many_root_process_on_a_taxane_neuropathy_stays_a_polyradiculopathy(model):
    """A cancer spread along the roots (left L4, right L5 and S1, paraspinal denervation on
    both sides, the left saphenous response spared) in someone whose taxane has also lowered
    the distal sensory responses: the
    low responses are the background polyneuropathy's, so the reading stays the roots on
    both sides rather than one sacral plexus with the other leg left unexplained."""
    emg = [
        ("vastus_medialis", "left", "active_denervation"),
        ("adductor_longus", "left", "active_denervation"),
        ("gluteus_medius", "left", "normal"),
        ("medial_gastrocnemius", "left", "normal"),
        ("tibialis_anterior", "right", "active_denervation"),
        ("gluteus_medius", "right", "active_denervation"),
        ("medial_gastrocnemius", "right", "active_denervation"),
        ("vastus_medialis", "right", "normal"),
        ("paraspinal_lower_lumbar", "left", "active_denervation"),
        ("paraspinal_sacral", "right", "active_denervation"),
    ]
    case = _case(
        patient={"age": 54, "sex": "female"},
        history={"onset": "subacute", "course": "worsening", "factors": ["cancer_history", "chemotherapy_neurotoxic"]},
        exam={
            "strength": [
                {"movement": "knee_extension", "side": "left", "mrc": 4},
                {"movement": "great_toe_extension", "side": "right", "mrc": 3},
                {"movement": "ankle_plantarflexion", "side": "right", "mrc": 4},
            ],
            "reflexes": [
                {"reflex": "patellar", "side": "left", "grade": "absent"},
                {"reflex": "achilles", "side": "right", "grade": "absent"},
            ],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": study, "side": side, "result": "reduced"}
                for study in ("sural_sensory", "superficial_peroneal_sensory")
                for side in ("left", "right")
            ]
            # the left L4 root's own skin response is spared: the lesion lies before its ganglion
            + [{"study": "saphenous_sensory", "side": "left", "result": "normal"}],
            "needle_emg": [{"muscle": m, "side": side, "result": r} for m, side, r in emg],
        },
    )
    top = group_sites(model, score_case(model, case))[0]
    assert (top.site, top.side) == ("polyradiculopathy", "bilateral")
    twins = [h for h in model.hypotheses if h.site == "polyradiculopathy" and h.background]
    assert twins and all(len(h.levels) >= 3 for h in twins)


def test_a_cauda_equina_worse_on_one_side_with_sciatica_on_both_is_two_sided(model):
    """A central disc pressing the cauda equina: saddle loss and the deficit on the left, but
    sciatica in both legs and the bladder affected.  That is a two-sided cauda equina worse on
    one side (Fraser 2009), reported two-sided; without the right-sided sciatica the same left
    picture stays a one-sided cauda equina."""
    left = {
        "strength": [
            {"movement": "great_toe_extension", "side": "left", "mrc": 4},
            *(
                {"movement": m, "side": "right", "mrc": 5}
                for m in ("great_toe_extension", "ankle_plantarflexion", "knee_extension")
            ),
        ],
        "reflexes": [
            {"reflex": "achilles", "side": "left", "grade": "reduced"},
            {"reflex": "achilles", "side": "right", "grade": "normal"},
            {"reflex": "patellar", "side": "bilateral", "grade": "normal"},
            {"reflex": "anal_wink", "grade": "normal"},
        ],
        "sensation": [
            {"region": "saddle", "side": "left", "finding": "reduced"},
            {"region": "saddle", "side": "right", "finding": "normal"},
            {"region": "dorsum_foot", "side": "left", "finding": "reduced"},
            {"region": "sole", "side": "right", "finding": "normal"},
        ],
        "signs": [{"sign": "straight_leg_raise", "side": "left", "result": "positive"}],
    }
    pains = [
        {"kind": "pain", "region": "lower_back", "severity": 8},
        {"kind": "pain", "region": "posterior_thigh", "side": "left", "quality": "shooting"},
        {"kind": "numbness", "region": "saddle", "side": "left"},
        {"kind": "bladder_dysfunction"},
    ]
    scan = [{"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L4-L5", "position": "central"}]
    both = {**left, "signs": [*left["signs"], {"sign": "straight_leg_raise", "side": "right", "result": "positive"}]}
    right_sciatica = {"kind": "pain", "region": "posterior_thigh", "side": "right", "quality": "shooting"}
    history = {"onset": "acute", "course": "worsening"}
    two = _case(history=history, symptoms=[*pains, right_sciatica], exam=both, investigations=scan)
    one = _case(history=history, symptoms=pains, exam=left, investigations=scan)
    assert (lambda g: (g.site, g.side))(group_sites(model, score_case(model, two))[0]) == ("cauda_equina", "bilateral")
    assert (lambda g: (g.site, g.side))(group_sites(model, score_case(model, one))[0]) == ("cauda_equina", "left")
    worse_left = next(h for h in model.hypotheses if h.id == "cauda_equina_asymmetric_left_worse:bilateral")
    assert worse_left.side == "bilateral"
    assert worse_left.lesion["left"]["root:S1"] > worse_left.lesion["right"]["root:S1"] > 0


def test_a_cyst_on_the_left_s2_and_s3_roots_is_a_sacral_root_range(model):
    """Buttock and back-of-thigh numbness with one side of the saddle and genitals numb, the
    leg's muscles and ankle jerk normal, a cyst on the left S2 and S3 roots: the two sacral
    roots on one side, a range far rarer than the lumbar ones (its prior a share of theirs)."""
    case = _case(
        history={"onset": "chronic", "course": "worsening"},
        symptoms=[
            {"kind": "numbness", "region": "posterior_thigh", "side": "left"},
            {"kind": "tingling", "region": "saddle", "side": "left"},
            {"kind": "pain", "region": "buttock", "side": "left", "provoked_by": ["sitting"]},
        ],
        exam={
            "strength": [{"movement": m, "side": "left", "mrc": 5} for m in ("hip_extension", "ankle_plantarflexion")],
            "reflexes": [
                {"reflex": "achilles", "side": "bilateral", "grade": "normal"},
                {"reflex": "anal_wink", "grade": "normal"},
            ],
            "sensation": [
                {"region": "saddle", "side": "left", "finding": "reduced"},
                {"region": "saddle", "side": "right", "finding": "normal"},
                {"region": "posterior_thigh", "side": "left", "finding": "reduced"},
                {"region": "sole", "side": "left", "finding": "normal"},
            ],
        },
        investigations=[
            {"test": "mri_lumbar_spine", "finding": "mass", "level": "S2", "side": "left", "site": "root:S2"},
            {"test": "mri_lumbar_spine", "finding": "mass", "level": "S2-S3", "side": "left", "site": "root:S3"},
        ],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert (top.site, top.side) == ("polyradiculopathy", "left")
    hyp = {h.id: h for h in model.hypotheses}
    assert hyp["polyradiculopathy_S2_S3:left"].prior < hyp["polyradiculopathy_L5_S1:left"].prior / 2


def test_proximal_weakness_with_a_raised_ck_and_myopathic_emg_is_a_muscle_disease(model):
    """Weakness of the hips and thighs on both sides over weeks, sensation and nerve conduction
    normal, CK 7800, myopathic units on EMG: a disease of the muscles (Preston & Shapiro,
    ch. Myopathy; Mammen 2016), not functional weakness and not the roots or plexus."""
    weak = [
        {"movement": m, "side": "bilateral", "mrc": g}
        for m, g in (("hip_flexion", 3), ("hip_abduction", 4), ("knee_extension", 4))
    ]
    case = _case(
        patient={"age": 68, "sex": "male"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 56},
        symptoms=[{"kind": "weakness", "side": "bilateral", "activity": "rising_from_chair"}],
        exam={
            "strength": [*weak, {"movement": "ankle_dorsiflexion", "side": "bilateral", "mrc": 5}],
            "reflexes": [{"reflex": "patellar", "side": "bilateral", "grade": "normal"}],
            "sensation": [{"region": "anterior_thigh", "side": "bilateral", "finding": "normal"}],
        },
        electrodiagnosis={
            "nerve_conduction": [{"study": "sural_sensory", "side": "bilateral", "result": "normal"}],
            "needle_emg": [
                {"muscle": m, "side": "left", "result": "myopathic"} for m in ("iliopsoas", "vastus_lateralis")
            ],
        },
        investigations=[{"test": "ck", "value": 7800}],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert top.site == "no_neurological_lesion"
    assert model.hypotheses[top.members[0]].mimic == "myopathy"


def test_a_myopathy_that_takes_the_quadriceps_first_is_still_a_muscle_disease(model):
    """Some myopathies take the quadriceps or the calves first (inclusion body myositis,
    Miyoshi's distal myopathy), so the muscle-disease look-alike gives the shin and calf
    muscles a share too.  The ninth held-out round's inclusion body myositis (v30: knees giving
    way, quadriceps weakest and wasted, myopathic units with paraspinal fibrillations, CK 640,
    L3-L4 stenosis), read as a root range on its first run, is a muscle disease."""
    from pathlib import Path

    from plexnav.validation import parse_case

    look_alike = model.kb.mimics["myopathy"]
    assert look_alike.movements["ankle_dorsiflexion"] >= 0.3 and look_alike.movements["ankle_plantarflexion"] >= 0.3
    path = Path(__file__).parent / "cases" / "clinic_heldout9" / "v30.json"
    case, _ = parse_case(path.read_bytes())
    top = group_sites(model, score_case(model, case))[0]
    assert top.site == "no_neurological_lesion"
    assert model.hypotheses[top.members[0]].mimic == "myopathy"


def test_a_distal_myopathy_with_wasted_calves_and_lost_ankle_jerks_is_a_muscle_disease(model):
    """Both calves weak and wasted in a 24-year-old, the ankle jerks lost, sensation and sensory
    responses normal, CK 7400 and myopathic units in the calves: a muscle disease (Miyoshi's
    distal myopathy).  A diseased muscle wastes and answers the tap less itself
    (mimics.yaml myopathy reflexes and wasting), so the wasting and the lost reflexes no
    longer count for the S1 roots alone."""
    case = _case(
        patient={"age": 24, "sex": "male"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 300},
        symptoms=[{"kind": "weakness", "side": "bilateral", "activity": "walking_on_toes"}],
        exam={
            "strength": [
                {"movement": "ankle_plantarflexion", "side": "left", "mrc": 4},
                {"movement": "ankle_plantarflexion", "side": "right", "mrc": 4.5},
                *(
                    {"movement": m, "side": "bilateral", "mrc": 5}
                    for m in ("ankle_dorsiflexion", "knee_extension", "hip_abduction")
                ),
            ],
            "reflexes": [
                {"reflex": "achilles", "side": "left", "grade": "absent"},
                {"reflex": "achilles", "side": "right", "grade": "reduced"},
                {"reflex": "patellar", "side": "bilateral", "grade": "normal"},
            ],
            "sensation": [{"region": r, "side": "bilateral", "finding": "normal"} for r in ("sole", "lateral_foot")],
            "signs": [{"sign": "atrophy", "region": "calf", "side": "bilateral"}],
        },
        electrodiagnosis={
            "nerve_conduction": [{"study": "sural_sensory", "side": "bilateral", "result": "normal"}],
            "needle_emg": [{"muscle": "medial_gastrocnemius", "side": "bilateral", "result": "myopathic"}],
        },
        investigations=[{"test": "ck", "value": 7400}],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert top.site == "no_neurological_lesion"
    # Miyoshi's is a distal myopathy: the distal look-alike (mimics.yaml distal_myopathy) fits it best
    assert model.hypotheses[top.members[0]].mimic == "distal_myopathy"


ACHILLES_TEAR = dict(
    patient={"age": 46, "sex": "male"},
    history={"onset": "sudden", "duration_days": 3},
    symptoms=[
        {"kind": "pain", "region": "posterior_leg", "side": "left", "quality": "sharp"},
        {"kind": "weakness", "side": "left", "activity": "walking_on_toes"},
    ],
    exam={
        # the other leg examined and normal: a one-sided look-alike is not weighed against it
        "strength": [{"movement": "ankle_plantarflexion", "side": s, "mrc": g} for s, g in (("left", 4), ("right", 5))]
        + [{"movement": m, "side": "bilateral", "mrc": 5} for m in ("toe_flexion", "ankle_eversion", "knee_flexion")],
        "reflexes": [
            {"reflex": "achilles", "side": "left", "grade": "absent"},
            {"reflex": "achilles", "side": "right", "grade": "normal"},
        ],
        "sensation": [{"region": r, "side": "left", "finding": "normal"} for r in ("sole", "lateral_foot")],
        "signs": [{"sign": "calf_squeeze_test", "side": "left", "result": "positive"}],
    },
)


def test_a_torn_achilles_tendon_is_a_look_alike_not_an_s1_root(model):
    """Sudden calf pain, weak push-off and a lost ankle jerk with normal feeling, and a calf
    squeeze that does not point the foot: a torn Achilles tendon (Maffulli 1998), not the S1
    root, though both lose the ankle jerk; the normal other leg does not count against it.
    A negative calf squeeze (sensitivity 0.96) takes the tendon from the lead."""
    top = group_sites(model, score_case(model, _case(**ACHILLES_TEAR)))[0]
    assert (top.site, top.side) == ("no_neurological_lesion", "left")
    assert model.hypotheses[top.members[0]].id == "mimic_tendon_achilles_left:symptomatic"
    exam = {**ACHILLES_TEAR["exam"], "signs": [{"sign": "calf_squeeze_test", "side": "left", "result": "negative"}]}
    intact = group_sites(model, score_case(model, _case(**{**ACHILLES_TEAR, "exam": exam})))
    assert intact[0].site != "no_neurological_lesion" or model.hypotheses[intact[0].members[0]].mimic is None


TIBIALIS_POSTERIOR_TENDON = dict(
    patient={"age": 61, "sex": "female"},
    history={"onset": "chronic", "course": "worsening", "duration_days": 240, "factors": ["obesity"]},
    symptoms=[
        {"kind": "pain", "region": "medial_leg", "side": "right", "quality": "aching", "provoked_by": ["walking"]},
        {"kind": "weakness", "side": "right", "activity": "walking_on_toes"},
    ],
    exam={
        "strength": [{"movement": "ankle_inversion", "side": "right", "mrc": 4}]
        + [
            {"movement": m, "side": "right", "mrc": 5}
            for m in ("ankle_dorsiflexion", "great_toe_extension", "ankle_eversion", "toe_flexion", "hip_abduction")
        ],
        "reflexes": [{"reflex": r, "side": "bilateral", "grade": "normal"} for r in ("achilles", "patellar")],
        "sensation": [
            {"region": r, "side": "right", "finding": "normal"} for r in ("dorsum_foot", "sole", "medial_leg")
        ],
    },
    electrodiagnosis={"needle_emg": [{"muscle": "tibialis_posterior", "side": "right", "result": "normal"}]},
)


def test_a_weak_inversion_with_inner_ankle_pain_and_a_normal_tibialis_posterior_is_its_tendon(model):
    """Months of aching along the inner ankle, worse walking, in an overweight woman of 61,
    inversion weak with every other movement, reflex and skin region normal and tibialis
    posterior normal on needle EMG: a failing tibialis posterior tendon (Johnson & Strom 1989;
    Kohls-Gatzoulis 2004), not an L5 root or the tibial nerve, whose weakness would show on
    the needle."""
    top = group_sites(model, score_case(model, _case(**TIBIALIS_POSTERIOR_TENDON)))[0]
    assert (top.site, top.side) == ("no_neurological_lesion", "right")
    assert model.hypotheses[top.members[0]].id == "mimic_tendon_tibialis_posterior_right:symptomatic"


def test_a_failing_tibialis_posterior_tendon_is_advised_as_a_foot_problem():
    """Its advice: the tendon scanned and a foot and ankle clinician for support and
    strengthening (Kulig 2009), not manipulation of the spine for an ache in the back."""
    from plexnav.engine.assess import assess
    from plexnav.knowledge.guidance import load_guidance_knowledge
    from plexnav.modelcache import load_model

    back_ache = {"kind": "pain", "region": "lower_back", "quality": "aching"}
    case = {**TIBIALIS_POSTERIOR_TENDON, "symptoms": [*TIBIALIS_POSTERIOR_TENDON["symptoms"], back_ache]}
    a = assess(_case(**case), load_model(), load_guidance_knowledge())
    assert a.localization[0].look_alikes is not None
    assert max(a.localization[0].look_alikes.items(), key=lambda kv: kv[1])[0] == "tendon_tibialis_posterior"
    assert any(w.test == "tendon_imaging" and "inner ankle" in w.why for w in a.workup)
    options = " ".join(m.option for m in a.management)
    assert "tendon behind the inner ankle" in options and "manipulation" not in options


HAMSTRING_AVULSION = dict(
    patient={"age": 52, "sex": "male"},
    history={"onset": "sudden", "duration_days": 10, "factors": ["fall"]},
    symptoms=[
        {"kind": "pain", "region": "buttock", "side": "left", "quality": "sharp", "provoked_by": ["sitting"]},
        {"kind": "pain", "region": "posterior_thigh", "side": "left", "quality": "aching"},
    ],
    exam={
        "strength": [
            {"movement": "knee_flexion", "side": "left", "mrc": 3},
            {"movement": "hip_extension", "side": "left", "mrc": 4, "limited_by": "pain"},
        ]
        + [
            {"movement": m, "side": "left", "mrc": 5}
            for m in ("ankle_dorsiflexion", "ankle_plantarflexion", "ankle_eversion", "hip_abduction", "knee_extension")
        ],
        "reflexes": [{"reflex": r, "side": "bilateral", "grade": "normal"} for r in ("achilles", "patellar")],
        "sensation": [
            {"region": r, "side": "left", "finding": "normal"} for r in ("posterior_thigh", "sole", "lateral_foot")
        ],
        "signs": [{"sign": "palpable_tendon_gap", "side": "left", "result": "positive"}],
    },
)


def test_a_sudden_weak_painful_back_of_the_thigh_after_a_fall_is_a_torn_hamstring(model):
    """A pop in the buttock on a slip, the back of the thigh painful and weak (knee flexion,
    hip extension) with a gap felt below the sitting bone, feeling, reflexes and the foot's
    muscles normal: the hamstring tendons
    torn from the sitting bone (Cohen & Bradley 2007), not the sciatic nerve or a root; the
    surgeon and a scan of the tendon are its advice, as early repair does better."""
    from plexnav.engine.assess import assess
    from plexnav.knowledge.guidance import load_guidance_knowledge

    top = group_sites(model, score_case(model, _case(**HAMSTRING_AVULSION)))[0]
    assert (top.site, top.side) == ("no_neurological_lesion", "left")
    assert model.hypotheses[top.members[0]].id == "mimic_tendon_hamstring_left:symptomatic"
    a = assess(_case(**HAMSTRING_AVULSION), model, load_guidance_knowledge())
    assert "tendon_imaging" in {w.test for w in a.workup}
    options = " ".join(m.option for m in a.management)
    assert "orthopaedic" in options and "manipulation" not in options


def test_stiff_legs_with_brisk_knees_lost_ankle_jerks_and_low_sural_responses_are_a_myeloneuropathy(model):
    """Tingling feet, then a stiff unsteady walk: knee jerks brisk, both plantars extensor,
    spastic knees, strength near normal, ankle jerks reduced, pin lost in a stocking and low
    sural and superficial peroneal responses, a normal whole-spine MRI: a myelopathy of the
    long tracts beside a polyneuropathy (copper or B12 deficiency: Kumar 2006; Hemmer 1998),
    not a polyneuropathy alone, which gives none of the upper motor neuron signs."""
    both = ("left", "right")
    case = _case(
        patient={"age": 58, "sex": "female"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 400},
        symptoms=[
            {"kind": "gait_difficulty"},
            {"kind": "tingling", "region": "whole_foot_stocking", "side": "bilateral"},
        ],
        exam={
            "strength": [{"movement": "hip_flexion", "side": s, "mrc": 4.5} for s in both]
            + [{"movement": m, "side": s, "mrc": 5} for m in ("knee_flexion", "ankle_dorsiflexion") for s in both],
            "reflexes": [{"reflex": "patellar", "side": s, "grade": "brisk"} for s in both]
            + [{"reflex": "achilles", "side": s, "grade": "reduced"} for s in both]
            + [{"reflex": "plantar", "side": s, "grade": "extensor"} for s in both],
            "sensation": [
                {"region": "whole_foot_stocking", "side": "bilateral", "finding": "reduced"},
                {"region": "anterior_thigh", "side": "bilateral", "finding": "normal"},
            ],
            "signs": [{"sign": "spasticity", "side": "bilateral"}],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": st, "side": s, "result": "reduced"}
                for st in ("sural_sensory", "superficial_peroneal_sensory")
                for s in both
            ]
        },
        investigations=[{"test": "mri_whole_spine", "finding": "normal"}],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert (top.site, top.side) == ("spinal_cord", "bilateral")


def test_a_burning_foot_after_a_fall_that_hurts_to_walk_on_is_a_regional_pain_syndrome(model):
    """Seven weeks after a fall, the foot burns, hurts to stand and walk on and is
    over-sensitive all over, its grades held back by pain, reflexes and nerve conduction
    normal: a complex regional pain syndrome (Harden 2010), whose weight-bearing pain is its
    own, not the neurogenic claudication of a root range."""
    case = _case(
        patient={"age": 46, "sex": "female"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 50, "factors": ["fall"]},
        symptoms=[
            {"kind": "pain", "region": "dorsum_foot", "side": "left", "quality": "burning", "severity": 8},
            {
                "kind": "pain",
                "region": "sole",
                "side": "left",
                "quality": "burning",
                "provoked_by": ["walking", "standing"],
            },
        ],
        exam={
            "strength": [
                {"movement": m, "side": "left", "mrc": 4, "limited_by": "pain"}
                for m in ("ankle_dorsiflexion", "ankle_plantarflexion", "toe_flexion")
            ],
            "reflexes": [{"reflex": "achilles", "side": "bilateral", "grade": "normal"}],
            "sensation": [
                {"region": r, "side": "left", "finding": "increased"}
                for r in ("dorsum_foot", "sole", "lateral_foot", "heel")
            ],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": s, "side": "left", "result": "normal"}
                for s in ("sural_sensory", "superficial_peroneal_sensory", "medial_plantar_sensory", "tibial_motor_ah")
            ]
        },
    )
    groups = group_sites(model, score_case(model, case))
    assert (groups[0].site, groups[0].side) == ("no_neurological_lesion", "left")
    assert model.hypotheses[groups[0].members[0]].mimic == "crps"
    assert groups[0].probability >= 0.7


def test_a_one_sided_cord_lesion_with_its_crossed_pain_loss_mapped_in_places_keeps_its_side(model):
    """One leg stiff and weak in a pyramidal pattern with brisk reflexes, clonus and an
    extensor plantar, the other leg's strength and reflexes normal and its skin numb to pin in
    a few places: a one-sided cord lesion (Brown-Sequard) on the weak side, not a two-sided
    myelopathy of the long tracts, which would stiffen both legs."""
    weak = [("hip_flexion", 4), ("knee_flexion", 4), ("ankle_dorsiflexion", 4), ("knee_extension", 5)]
    case = _case(
        patient={"age": 72, "sex": "female"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 300},
        symptoms=[
            {"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"},
            {"kind": "numbness", "region": "lateral_leg", "side": "right"},
        ],
        exam={
            "strength": [{"movement": m, "side": "left", "mrc": g} for m, g in weak]
            + [{"movement": m, "side": "right", "mrc": 5} for m, _ in weak],
            "reflexes": [
                {"reflex": "patellar", "side": "left", "grade": "brisk"},
                {"reflex": "patellar", "side": "right", "grade": "normal"},
                {"reflex": "plantar", "side": "left", "grade": "extensor"},
                {"reflex": "plantar", "side": "right", "grade": "flexor"},
            ],
            "sensation": [
                {"region": r, "side": "right", "finding": "reduced"}
                for r in ("lateral_leg", "dorsum_foot", "anterior_thigh")
            ]
            + [
                {"region": r, "side": "left", "finding": "normal"}
                for r in ("lateral_leg", "dorsum_foot", "anterior_thigh")
            ],
            "signs": [{"sign": "sustained_clonus", "side": "left"}, {"sign": "spasticity", "side": "left"}],
        },
    )
    top = group_sites(model, score_case(model, case))[0]
    assert (top.site, top.side) == ("spinal_cord", "left")


def test_a_one_sided_look_alike_acts_on_its_own_leg_only(model):
    """A torn left tendon weakens the left ankle, not the right (predict._look_alike)."""
    from plexnav.engine import predict

    kb = model.kb
    left = next(h for h in model.hypotheses if h.id == "mimic_tendon_tibialis_anterior_left:symptomatic")
    assert left.side == "symptomatic" and left.acts_on == "left"
    assert predict.movement(kb, left, "ankle_dorsiflexion", "left")[0] > 0.9
    assert predict.movement(kb, left, "ankle_dorsiflexion", "right") == (0.0, 0.0)
    achilles = next(h for h in model.hypotheses if h.id == "mimic_tendon_achilles_right:symptomatic")
    assert predict.reflex(kb, achilles, "achilles", "right")[0] > 0.8
    assert predict.reflex(kb, achilles, "achilles", "left") == (0.0, 0.0)
    assert predict.pain(kb, achilles, "posterior_leg", "left") == 0.0


def test_a_slowly_dropping_foot_on_both_sides_with_myopathic_units_is_a_distal_myopathy(model):
    """Both feet drop over years at 40, the shin and toe extensors weak and the shins wasted,
    hips strong, feeling and sensory responses normal, myopathic units in tibialis anterior
    and a normal CK: a distal myopathy (Preston & Shapiro: myotonic dystrophy, Welander's,
    Udd's), not two peroneal palsies or L5 roots; the proximal myopathy, which weakens the
    hips, does not fit it."""
    distal = {"ankle_dorsiflexion": 4, "great_toe_extension": 4, "toe_extension": 4, "ankle_eversion": 4.5}
    proximal = {"hip_flexion": 5, "hip_abduction": 5, "knee_extension": 5, "ankle_plantarflexion": 5}
    case = _case(
        patient={"age": 40, "sex": "female"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 1400},
        symptoms=[{"kind": "weakness", "side": "bilateral", "activity": "foot_drop_tripping"}],
        exam={
            "strength": [{"movement": m, "side": "bilateral", "mrc": g} for m, g in (distal | proximal).items()],
            "reflexes": [{"reflex": r, "side": "bilateral", "grade": "normal"} for r in ("patellar", "achilles")],
            "sensation": [
                {"region": r, "side": "bilateral", "finding": "normal"} for r in ("dorsum_foot", "first_web_space")
            ],
            "signs": [
                {"sign": "atrophy", "region": "anterior_leg", "side": "bilateral"},
                {"sign": "steppage_gait", "side": "bilateral"},
            ],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "superficial_peroneal_sensory", "side": "bilateral", "result": "normal"},
                {"study": "peroneal_motor_edb", "side": "bilateral", "result": "normal"},
            ],
            "needle_emg": [{"muscle": "tibialis_anterior", "side": "bilateral", "result": "myopathic"}],
        },
        investigations=[{"test": "ck", "value": 250}],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert (top.site, top.side) == ("no_neurological_lesion", "bilateral")
    assert model.hypotheses[top.members[0]].mimic == "distal_myopathy"


def test_a_conduction_block_away_from_the_fibular_head_counts_for_a_polyradiculoneuropathy(model):
    """Weak hips and ankles on both legs, reflexes gone: two-sided roots or two-sided plexuses.
    A motor conduction block away from the entrapment point is the mark of an acquired
    demyelinating polyradiculoneuropathy (EAN/PNS 2021 CIDP guideline), which a plexus lesion
    (axonal) does not give: it moves the reading from the plexuses to the roots."""
    base = dict(
        history={"onset": "chronic", "course": "worsening", "duration_days": 240},
        symptoms=[{"kind": "weakness", "side": "bilateral", "activity": "stairs"}],
        exam={
            "strength": [
                {"movement": m, "side": "bilateral", "mrc": 4}
                for m in ("hip_flexion", "knee_extension", "ankle_dorsiflexion", "ankle_plantarflexion")
            ],
            "reflexes": [{"reflex": r, "side": "bilateral", "grade": "absent"} for r in ("patellar", "achilles")],
        },
    )
    block = {"nerve_conduction": [{"study": "peroneal_motor_ta", "side": "left", "result": "conduction_block_other"}]}

    def roots_over_plexus(case):
        groups = {(g.site, g.side): g.probability for g in group_sites(model, score_case(model, case))}
        return groups[("polyradiculopathy", "bilateral")] / groups[("plexus:lumbosacral", "bilateral")]

    assert roots_over_plexus(_case(**base, electrodiagnosis=block)) > 3 * roots_over_plexus(_case(**base))


def test_a_sudden_painful_numb_weak_foot_without_a_pulse_is_a_blocked_artery(model):
    """Sudden severe calf pain with a numb, weak foot (every muscle below the knee, the thigh
    strong), no foot pulse on that side and an ankle-brachial index of 0.2: acute limb
    ischaemia (Bjorck 2020), not a sciatic nerve lesion, which would weaken the hamstrings and
    leave the pulse. A look-alike of one leg: the normal pulse of the other leg does not count
    against it (predict.evidence by side)."""
    below_knee = ("ankle_dorsiflexion", "great_toe_extension", "ankle_plantarflexion", "toe_flexion", "ankle_eversion")
    case = _case(
        patient={"age": 74, "sex": "male"},
        history={"onset": "sudden", "duration_days": 0, "factors": ["smoking"]},
        symptoms=[
            {"kind": "pain", "region": "posterior_leg", "side": "right", "severity": 9},
            {"kind": "numbness", "region": "sole", "side": "right"},
        ],
        exam={
            "strength": [{"movement": m, "side": "right", "mrc": 2} for m in below_knee]
            + [{"movement": m, "side": "right", "mrc": 5} for m in ("knee_flexion", "knee_extension", "hip_flexion")],
            "sensation": [
                {"region": r, "side": "right", "finding": "reduced"} for r in ("sole", "dorsum_foot", "heel")
            ],
            "signs": [
                {"sign": "reduced_foot_pulses", "side": "right", "result": "positive"},
                {"sign": "reduced_foot_pulses", "side": "left", "result": "negative"},
            ],
        },
        investigations=[{"test": "ankle_brachial_index", "value": 0.2}],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert (top.site, top.side) == ("no_neurological_lesion", "right")
    assert model.hypotheses[top.members[0]].id == "mimic_acute_limb_ischaemia_right:symptomatic"
    from plexnav.engine import predict

    right = model.hypotheses[top.members[0]]
    assert predict.evidence(model.kb, right, "sign:reduced_foot_pulses", "right") > 0.9
    assert (
        predict.evidence(model.kb, right, "sign:reduced_foot_pulses", "left")
        == model.kb.evidence["sign:reduced_foot_pulses"].none
    )
    assert predict.evidence(model.kb, right, "onset:sudden", "midline") == 0.75


def test_a_mimic_can_lead(model):
    """Groin pain on hip rotation, pain-limited strength, normal neurology: the hip joint."""
    case = _case(
        symptoms=[{"kind": "pain", "region": "groin", "side": "left", "provoked_by": ["walking", "hip_movement"]}],
        exam={
            "strength": [
                {"movement": "hip_flexion", "side": "left", "mrc": 4, "limited_by": "pain"},
                {"movement": "knee_extension", "side": "left", "mrc": 5},
            ],
            "reflexes": [{"reflex": "patellar", "side": "left", "grade": "normal"}],
            "sensation": [{"region": "anterior_thigh", "side": "left", "finding": "normal"}],
            "signs": [{"sign": "hip_rotation_pain", "side": "left", "result": "positive"}],
        },
        investigations=[{"test": "hip_imaging", "finding": "hip_osteoarthritis", "side": "left"}],
    )
    scored = score_case(model, case)
    top = group_sites(model, scored)[0]
    assert top.site == "no_neurological_lesion"
    assert model.hypotheses[top.members[0]].mimic == "hip_joint"


def test_a_tense_shin_compartment_is_the_compartment_look_alike_not_a_nerve(model):
    """Sudden shin pain after a long march, a tense tender anterior compartment, CK 14,500,
    dorsiflexion and toe extension 3/5 with eversion, inversion and sensation normal: the
    starved muscles of an anterior compartment syndrome, not a deep peroneal nerve lesion
    (McQueen 2000; BOAST 10).  The same weakness with a numb first web space, no tense
    compartment and a normal CK is a peroneal nerve lesion."""
    weak = [
        {"movement": m, "side": "left", "mrc": 3}
        for m in ("ankle_dorsiflexion", "great_toe_extension", "toe_extension")
    ]
    spared = [
        {"movement": m, "side": "left", "mrc": 5} for m in ("ankle_eversion", "ankle_inversion", "ankle_plantarflexion")
    ]

    def shin(onset: str, days: int, web: str, tense: str, ck: int):
        return _case(
            history={"onset": onset, "duration_days": days},
            symptoms=[
                {"kind": "pain", "region": "lateral_leg", "side": "left"},
                {"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"},
            ],
            exam={
                "strength": weak + spared,
                "sensation": [{"region": "first_web_space", "side": "left", "finding": web}],
                "signs": [
                    {"sign": "tender_tense_compartment", "region": "anterior_leg", "side": "left", "result": tense}
                ],
            },
            investigations=[{"test": "ck", "value": ck}],
        )

    top = group_sites(model, score_case(model, shin("sudden", 0, "normal", "positive", 14500)))[0]
    assert top.site == "no_neurological_lesion"
    assert model.hypotheses[top.members[0]].mimic == "compartment"
    nerve = shin("acute", 10, "reduced", "negative", 120)
    # the deep fascicles of the common peroneal nerve at the fibular head give the same picture
    assert group_sites(model, score_case(model, nerve))[0].site in ("nerve:deep_peroneal", "nerve:common_peroneal")


def test_a_sudden_cord_lesion_in_spinal_shock_is_the_cord_not_the_plexus(model):
    """A spinal cord infarct on day 1 (Ditunno 2004: spinal shock): both legs flaccid with
    absent knee jerks, yet extensor plantars, bladder retention and numbness up to the lower
    abdomen: the cord, not a plexus on both sides.  The same lost reflexes in a problem of
    months raise the shock variant far less (shock lasts days to weeks)."""

    def case(onset: str):
        weak = [
            {"movement": m, "side": s, "mrc": 2}
            for m in ("hip_flexion", "knee_extension", "ankle_dorsiflexion")
            for s in ("left", "right")
        ]
        return _case(
            history={"onset": onset, "duration_days": 1 if onset == "sudden" else 200},
            symptoms=[{"kind": "weakness", "side": "bilateral"}, {"kind": "bladder_dysfunction"}],
            exam={
                "strength": weak,
                "reflexes": [
                    {"reflex": "patellar", "side": "bilateral", "grade": "absent"},
                    {"reflex": "plantar", "side": "bilateral", "grade": "extensor"},
                ],
                "sensation": [
                    {"region": "lower_abdomen", "side": "bilateral", "finding": "reduced"},
                    {"region": "anterior_thigh", "side": "bilateral", "finding": "reduced"},
                ],
            },
        )

    shock = next(i for i, h in enumerate(model.hypotheses) if h.id.startswith("spinal_cord_shock"))
    sudden = score_case(model, case("sudden"))
    assert group_sites(model, sudden)[0].site == "spinal_cord"
    assert sudden.posterior[shock] > 0.8
    assert score_case(model, case("chronic")).posterior[shock] < sudden.posterior[shock] / 3


def test_a_cord_in_spinal_shock_is_paralysed_alike_below_the_lesion(model):
    """The day after an aortic operation both legs are paralysed, the knee and ankle as much as
    the hip, the reflexes and anal wink lost, one plantar extensor, numb to the lower abdomen
    and the saddle: a cord infarct in spinal shock, whose flaccid weakness does not follow the
    settled pyramidal pattern (Ditunno 2004), not a plexus on both sides.  Shock lasts days
    to weeks: after eight weeks its variant no longer leads."""
    moves = ("hip_flexion", "knee_extension", "ankle_dorsiflexion", "ankle_plantarflexion")

    def case(days: int):
        return _case(
            history={"onset": "sudden", "duration_days": days, "factors": ["recent_surgery_abdominal"]},
            symptoms=[
                {"kind": "weakness", "side": "bilateral"},
                {"kind": "numbness", "region": "sole", "side": "bilateral"},
            ],
            exam={
                "strength": [{"movement": m, "side": s, "mrc": 1} for m in moves for s in ("left", "right")],
                "reflexes": [
                    {"reflex": "patellar", "side": "bilateral", "grade": "absent"},
                    {"reflex": "achilles", "side": "bilateral", "grade": "absent"},
                    {"reflex": "plantar", "side": "left", "grade": "extensor"},
                    {"reflex": "anal_wink", "grade": "absent"},
                ],
                "sensation": [
                    {"region": region, "side": "bilateral", "finding": "reduced"}
                    for region in ("lower_abdomen", "anterior_thigh", "sole", "saddle")
                ],
            },
            investigations=[{"test": "mri_lumbar_spine", "finding": "normal"}],
        )

    top = group_sites(model, score_case(model, case(1)))[0]
    assert (top.site, top.side) == ("spinal_cord", "bilateral")
    assert model.hypotheses[top.members[0]].id.startswith("spinal_cord_shock")
    late = score_case(model, case(90))
    assert not model.hypotheses[int(late.posterior.argmax())].id.startswith("spinal_cord_shock")


def test_a_painful_knee_with_a_normal_neurological_exam_is_the_knee_joint(model):
    """Knee pain on walking and standing in a 74-year-old, knee extension 4/5 limited by pain,
    knee jerk and sensation normal: knee osteoarthritis (NICE NG226; quadriceps weakness,
    Slemenda 1997), not an L3 or L4 root.  A lost knee jerk and a numb front of the thigh
    point back to a nerve lesion."""
    pain = [{"kind": "pain", "region": "anterior_knee", "side": "right", "provoked_by": ["walking", "standing"]}]
    knee = _case(
        patient={"age": 74},
        history={"onset": "chronic", "duration_days": 200},
        symptoms=pain,
        exam={
            "strength": [{"movement": "knee_extension", "side": "right", "mrc": 4, "limited_by": "pain"}],
            "reflexes": [{"reflex": "patellar", "side": "right", "grade": "normal"}],
            "sensation": [{"region": "anterior_thigh", "side": "right", "finding": "normal"}],
        },
    )
    top = group_sites(model, score_case(model, knee))[0]
    assert top.site == "no_neurological_lesion"
    assert model.hypotheses[top.members[0]].mimic == "knee_joint"
    nerve = _case(
        patient={"age": 74},
        history={"onset": "chronic", "duration_days": 200},
        symptoms=pain,
        exam={
            "strength": [{"movement": "knee_extension", "side": "right", "mrc": 4}],
            "reflexes": [{"reflex": "patellar", "side": "right", "grade": "absent"}],
            "sensation": [{"region": "anterior_thigh", "side": "right", "finding": "reduced"}],
        },
    )
    assert group_sites(model, score_case(model, nerve))[0].site != "no_neurological_lesion"


def test_a_painful_hip_weakens_the_hip_muscles_without_a_nerve_lesion(model):
    """Groin pain on walking and moving the hip, hip muscles 4/5 with no grade marked
    pain-limited: the hip-joint look-alike must explain the grades (hip osteoarthritis weakens
    hip flexion, extension and abduction: Loureiro 2018), so they raise it, not only a lesion."""
    pain = [{"kind": "pain", "region": "groin", "side": "left", "provoked_by": ["walking", "hip_movement"]}]
    weak = {"strength": [{"movement": m, "side": "left", "mrc": 4} for m in ("hip_flexion", "hip_abduction")]}
    hip = next(i for i, h in enumerate(model.hypotheses) if h.mimic == "hip_joint")
    plain = next(i for i, h in enumerate(model.hypotheses) if h.id.startswith("no_neurological_lesion"))
    before, after = (score_case(model, c).posterior for c in (_case(symptoms=pain), _case(symptoms=pain, exam=weak)))
    assert after[hip] > before[hip]
    assert after[hip] / after[plain] > 2 * before[hip] / before[plain]


def test_a_hip_fracture_on_hip_imaging_points_to_the_hip_not_a_nerve(model):
    """A fracture on hip imaging is read as the hip itself (imaging.yaml hip_findings), raising
    the hip-joint look-alike; the same finding on a pelvic scan still points to the plexus."""
    symptoms = [{"kind": "pain", "region": "groin", "side": "right", "provoked_by": ["walking"]}]
    bare = _site_probability(model, _case(symptoms=symptoms), "no_neurological_lesion", "right")
    hip = [{"test": "hip_imaging", "finding": "fracture", "side": "right"}]
    with_hip = _site_probability(model, _case(symptoms=symptoms, investigations=hip), "no_neurological_lesion", "right")
    assert with_hip > bare
    keys = [o.key for o in score_case(model, _case(symptoms=symptoms, investigations=hip)).observations]
    assert "imaging:hip_bone:mimic:hip_joint:right" in keys
    pelvic = [{"test": "ct_pelvis", "finding": "fracture", "side": "right"}]
    keys = [o.key for o in score_case(model, _case(symptoms=symptoms, investigations=pelvic)).observations]
    assert not any("mimic" in k for k in keys)


def test_a_reported_weak_leg_is_not_a_tendon_look_alikes_best_feature(model):
    """Sudden weakness of both legs reported and nothing else: a neurological site leads, not
    greater trochanteric pain (a tendon weakens hip abduction on examination; people with it
    report pain, seldom a weak leg: mimics.yaml reported)."""
    case = _case(
        history={"onset": "sudden", "duration_days": 0},
        symptoms=[{"kind": "weakness", "side": "bilateral", "onset_sudden_severe": True}],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert top.site != "no_neurological_lesion"
    assert model.kb.mimics["greater_trochanteric"].reported < 1


def test_a_sign_recorded_without_a_side_is_read_not_dropped(model):
    """Spasticity recorded with no side (a paraparesis: both legs) is an upper motor neuron
    sign somewhere: it must move the picture from the cauda equina to the cord or conus, as
    the same sign recorded on both sides does, a little less strongly."""
    weak = {"symptoms": [{"kind": "weakness", "side": "bilateral"}], "history": {"onset": "sudden"}}
    bare = _case(**weak)
    sideless = _case(**weak, exam={"signs": [{"sign": "spasticity"}]})
    both = _case(**weak, exam={"signs": [{"sign": "spasticity", "side": "bilateral"}]})
    assert any(o.key == "sign:spasticity:either" for o in score_case(model, sideless).observations)

    def upper(case):
        return sum(
            _site_probability(model, case, site, "bilateral") for site in ("spinal_cord", "conus_medullaris")
        ) / _site_probability(model, case, "cauda_equina", "bilateral")

    assert upper(bare) < upper(sideless) <= upper(both)


def test_a_side_less_weakness_complaint_counts_an_upper_motor_neuron_lesion(model):
    """'My legs are weak on the stairs' with no side fits a cord lesion (weakness of upper
    motor neuron type) as well as it fits a lower motor neuron lesion of the same strength:
    the either-side likelihood reads the involvement that makes the complaint, not only the
    lower motor neuron part."""
    case = _case(symptoms=[{"kind": "weakness", "activity": "stairs"}])
    col = model.column[("symptom:weakness:stairs:either", "present")]
    cord = next(i for i, h in enumerate(model.hypotheses) if h.id == "spinal_cord:bilateral")
    none = next(i for i, h in enumerate(model.hypotheses) if h.id == "no_neurological_lesion:symptomatic")
    assert model.log_lik[cord, col] > model.log_lik[none, col] + 1.0
    assert score_case(model, case).observations


def test_regions_left_out_of_a_sensory_map_favour_the_lesion_that_fits_the_map(model):
    """Numbness mapped to the inner leg and knee only, with an absent saphenous response: the
    saphenous nerve, whose territory is that map, leads the lumbar plexus, whose territory
    would also numb the front and side of the thigh the patient left out.  Only the mapped side
    gets such evidence, and a stocking (a pattern, not a map) gets none."""
    case = _case(
        symptoms=[
            {"kind": "numbness", "region": "medial_leg", "side": "left"},
            {"kind": "numbness", "region": "anterior_knee", "side": "left"},
        ],
        electrodiagnosis={"nerve_conduction": [{"study": "saphenous_sensory", "side": "left", "result": "absent"}]},
    )
    keys = [o.key for o in score_case(model, case).observations]
    assert "unreported:sensory:anterior_thigh:left" in keys
    assert not any(k.startswith("unreported:sensory:") and k.endswith(":right") for k in keys)
    assert not any(k.startswith("unreported:sensory:medial_leg") for k in keys)
    assert _site_probability(model, case, "nerve:saphenous", "left") > _site_probability(
        model, case, "plexus:lumbar", "left"
    )
    stocking = _case(symptoms=[{"kind": "numbness", "region": "whole_foot_stocking", "side": "left"}])
    assert not any(o.key.startswith("unreported:sensory:") for o in score_case(model, stocking).observations)


def test_an_artery_that_starves_the_foot_may_make_it_tingle(model):
    """Calf pain on walking with tingling in the foot, weak foot pulses and a low ankle-brachial
    index: the arterial look-alike leads.  Foot tingling in exercise belongs to its picture
    (mimics.yaml tingling), so it is not counted as if only a nerve lesion could give it;
    thigh tingling still is."""
    case = _case(
        history={"onset": "chronic"},
        symptoms=[
            {"kind": "pain", "region": "posterior_leg", "side": "left", "provoked_by": ["walking"]},
            {"kind": "tingling", "region": "dorsum_foot", "side": "left"},
        ],
        exam={"signs": [{"sign": "reduced_foot_pulses", "side": "left"}]},
        investigations=[{"test": "ankle_brachial_index", "value": 0.6}],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert top.site == "no_neurological_lesion"
    assert model.hypotheses[top.members[0]].mimic == "vascular_claudication"
    vascular = next(i for i, h in enumerate(model.hypotheses) if h.mimic == "vascular_claudication")
    foot = model.column[("symptom:sensory:dorsum_foot:left", "present")]
    thigh = model.column[("symptom:sensory:lateral_thigh:left", "present")]
    assert model.log_lik[vascular, foot] > model.log_lik[vascular, thigh] + 1.0


def test_pudendal_neuralgia_brings_sexual_and_bowel_complaints_on_one_side(model):
    """One-sided pudendal neuralgia: people report painful or difficult sexual function and
    defecation (Labat 2008; Aoun 2021: symptoms.yaml neuralgia), so the complaint is likelier
    under it than under a one-sided sacral plexus lesion, whose bilateral outflow it barely
    touches.  The anal wink, a reflex served from both sides, stays barely touched by either,
    and a pudendal injury gets no such floor."""
    import numpy as np

    ids = [h.id for h in model.hypotheses]

    def p(hyp: str, key: str, state: str) -> float:
        return float(np.exp(model.log_lik[ids.index(hyp), model.column[(key, state)]]))

    for complaint in ("symptom:sexual_dysfunction", "symptom:bowel_dysfunction"):
        assert p("nerve_pudendal:left", complaint, "present") > 1.5 * p("plexus_sacral:left", complaint, "present")
        assert p("nerve_pudendal:left", complaint, "present") > p("nerve_pudendal_injury:left", complaint, "present")
    wink = p("nerve_pudendal:left", "reflex:anal_wink", "abnormal")
    assert wink < 0.5 * p("cauda_equina_sacral:bilateral", "reflex:anal_wink", "abnormal")


def test_complaints_without_pain_are_evidence_and_a_painless_foot_drop_favours_the_peroneal_nerve(model):
    """Complaints recorded and none of them pain (mimics.yaml complaints:no_pain): observed
    only then, and it turns a foot drop toward a compressive peroneal palsy and away from an
    L5 radiculopathy, which nearly always hurts (Preston & Shapiro)."""
    drop = [
        {"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"},
        {"kind": "numbness", "region": "dorsum_foot", "side": "left"},
    ]
    painful = [*drop, {"kind": "pain", "side": "left"}]

    def keys(case) -> set[str]:
        return {o.key for o in score_case(model, case).observations}

    assert "evidence:complaints:no_pain" in keys(_case(symptoms=drop))
    assert "evidence:complaints:no_pain" not in keys(_case(symptoms=painful))
    assert "evidence:complaints:no_pain" not in keys(
        _case(exam={"strength": [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 3}]})
    )

    def odds(case) -> float:
        return _site_probability(model, case, "nerve:common_peroneal", "left") / _site_probability(
            model, case, "root:L5", "left"
        )

    assert odds(_case(symptoms=drop)) > odds(_case(symptoms=painful))


def test_a_one_sided_cord_lesion_weakens_its_own_leg_and_numbs_the_other(model):
    """Brown-Sequard (Blumenfeld 2010): upper motor neuron weakness and signs on the side of a
    one-sided cord lesion, lost pain sense in the other leg.  Such a picture leads with the
    cord on the weak side, and its mirror on the other; a whole-cord lesion weakens both."""
    exam = {
        "strength": [
            {"movement": "hip_flexion", "side": "right", "mrc": 3},
            {"movement": "knee_flexion", "side": "right", "mrc": 3},
            {"movement": "ankle_dorsiflexion", "side": "right", "mrc": 3},
            {"movement": "hip_flexion", "side": "left", "mrc": 5},
            {"movement": "ankle_dorsiflexion", "side": "left", "mrc": 5},
        ],
        "reflexes": [
            {"reflex": "patellar", "side": "right", "grade": "brisk"},
            {"reflex": "plantar", "side": "right", "grade": "extensor"},
            {"reflex": "plantar", "side": "left", "grade": "flexor"},
        ],
        "sensation": [
            {"region": r, "side": "left", "finding": "reduced"}
            for r in ("anterior_thigh", "lateral_leg", "dorsum_foot")
        ],
    }
    for sections in ({"exam": exam}, _mirror({"exam": exam})):
        weak_side = "right" if sections["exam"] is exam else "left"
        lead = group_sites(model, score_case(model, _case(**sections)))[0]
        assert (lead.site, lead.side) == ("spinal_cord", weak_side)
    hemi = next(h for h in model.hypotheses if h.id == "spinal_cord_hemicord:right")
    whole = next(h for h in model.hypotheses if h.id == "spinal_cord:bilateral")
    assert hemi.central_on("right")["umn"] > hemi.central_on("left")["umn"]
    assert whole.central_on("left") == whole.central_on("right")


def test_aching_back_pain_with_a_normal_exam_is_the_back_look_alike(model):
    """Aching back and buttock pain, worse sitting and eased lying, with normal strength,
    reflexes and straight-leg raise: non-specific low back pain (Maher 2017; Bogduk 2009),
    not a root and not the sacroiliac joint."""
    top = group_sites(model, score_case(model, _case(**MECHANICAL_BACK_PAIN)))[0]
    assert top.site == "no_neurological_lesion" and top.probability > 0.5
    assert model.hypotheses[top.members[0]].mimic == "mechanical_back"


def test_a_spine_fracture_is_weaker_evidence_for_a_root_than_a_mass_there(model):
    """A fracture at a level hurts without harming a nerve far more often than a mass or a
    bleed there (imaging.yaml class bone: Jarvik & Deyo 2002; Denis 1988): it raises the root
    less, and back pain with a sacral fracture alone is not read as a root lesion."""
    back = {k: MECHANICAL_BACK_PAIN[k] for k in ("patient", "history")}
    back["symptoms"] = [{"kind": "pain", "region": "lower_back", "side": "left"}]
    scan = {"test": "mri_lumbar_spine", "level": "S1", "side": "left"}
    fracture = _case(**back, investigations=[{**scan, "finding": "fracture"}])
    mass = _case(**back, investigations=[{**scan, "finding": "mass"}])
    keys = [o.key for o in score_case(model, fracture).observations]
    assert any(k.startswith("imaging:bone:") for k in keys)
    assert _site_probability(model, fracture, "root:S1", "left") < _site_probability(model, mass, "root:S1", "left")
    assert group_sites(model, score_case(model, fracture))[0].site == "no_neurological_lesion"


def test_pain_only_in_the_back_weighs_against_a_single_root(model):
    """Pain recorded and all of it in the lower back (none down a leg) is evidence in its own
    right (mimics.yaml complaints:back_pain_only): radicular pain runs down the leg, while a
    cauda equina lesion often hurts in the back alone.  Leg pain as well removes it."""
    sections = dict(
        patient={"age": 50},
        history={"onset": "subacute"},
        symptoms=[{"kind": "pain", "region": "lower_back"}, {"kind": "bladder_dysfunction"}],
    )
    back = score_case(model, _case(**sections))
    assert any(o.key == "evidence:complaints:back_pain_only" for o in back.observations)
    leg = dict(sections, symptoms=[*sections["symptoms"], {"kind": "pain", "region": "posterior_leg", "side": "left"}])
    assert not any(o.key == "evidence:complaints:back_pain_only" for o in score_case(model, _case(**leg)).observations)
    hyp = {h.id: i for i, h in enumerate(model.hypotheses)}
    root, cauda = hyp["root_S1:left"], hyp["cauda_equina:bilateral"]
    column = model.column[("evidence:complaints:back_pain_only", "present")]
    assert model.log_lik[cauda, column] > model.log_lik[root, column]


def test_an_upper_lumbosacral_plexus_lesion_is_a_lumbosacral_plexopathy(model):
    """Thigh weakness with weak foot dorsiflexion and hip abduction (L5 through the lumbosacral
    trunk), the calf and gluteus maximus normal, with a normal paraspinal EMG: the upper
    lumbosacral plexus, as radiculoplexus neuropathies begin (Dyck & Windebank 2002), which
    authors call a lumbosacral plexopathy; neither the lumbar plexus alone (which spares L5)
    nor the whole plexus (which weakens the calf)."""
    weak = [
        ("hip_flexion", 3),
        ("knee_extension", 3),
        ("hip_adduction", 3),
        ("ankle_dorsiflexion", 4),
        ("hip_abduction", 4),
    ]
    normal = [("ankle_plantarflexion", 5), ("hip_extension", 5), ("knee_flexion", 5)]
    case = _case(
        history={"onset": "subacute", "factors": ["diabetes"]},
        symptoms=[{"kind": "pain", "region": "anterior_thigh", "side": "left"}],
        exam={
            "strength": [{"movement": m, "side": "left", "mrc": g} for m, g in weak + normal],
            "reflexes": [{"reflex": "patellar", "side": "left", "grade": "absent"}],
        },
        electrodiagnosis={
            "needle_emg": [
                {"muscle": "tibialis_anterior", "side": "left", "result": "active_denervation"},
                {"muscle": "gluteus_medius", "side": "left", "result": "active_denervation"},
                {"muscle": "medial_gastrocnemius", "side": "left", "result": "normal"},
                {"muscle": "gluteus_maximus", "side": "left", "result": "normal"},
                {"muscle": "paraspinal_lower_lumbar", "side": "left", "result": "normal"},
            ]
        },
    )
    scored = score_case(model, case)
    top = group_sites(model, scored)[0]
    assert (top.site, top.side) == ("plexus:lumbosacral", "left")
    assert model.hypotheses[top.members[0]].id.startswith("plexus_lumbosacral_upper")


def test_a_lower_sacral_plexus_lesion_spares_the_lumbosacral_trunk(model):
    """Calf, hamstring and gluteus maximus weak or denervated with a low sural response (the
    lesion is beyond the ganglion) and normal paraspinals, while tibialis anterior, gluteus
    medius and the dorsum of the foot (L5, through the lumbosacral trunk) are spared: the
    S1-S4 rami on the front of the sacrum, as a presacral tumour takes them (Jaeckle 1985),
    not an S1 root (the sural response) nor the whole sacral plexus (L5 spared); the saddle
    numb on that side (S3-S4) makes it the lower part rather than the S1-S2 rami alone."""
    weak = [("ankle_plantarflexion", 4), ("hip_extension", 4), ("knee_flexion", 4)]
    normal = [("ankle_dorsiflexion", 5), ("hip_abduction", 5), ("great_toe_extension", 5)]
    case = _case(
        history={"onset": "subacute", "factors": ["cancer_history"]},
        symptoms=[{"kind": "pain", "region": "buttock", "side": "right"}],
        exam={
            "strength": [{"movement": m, "side": "right", "mrc": g} for m, g in weak + normal],
            "reflexes": [{"reflex": "achilles", "side": "right", "grade": "absent"}],
            "sensation": [
                {"region": "lateral_foot", "side": "right", "finding": "reduced"},
                {"region": "dorsum_foot", "side": "right", "finding": "normal"},
                {"region": "saddle", "side": "right", "finding": "reduced"},
            ],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "sural_sensory", "side": "right", "result": "reduced"},
                {"study": "superficial_peroneal_sensory", "side": "right", "result": "normal"},
            ],
            "needle_emg": [
                {"muscle": "medial_gastrocnemius", "side": "right", "result": "active_denervation"},
                {"muscle": "gluteus_maximus", "side": "right", "result": "active_denervation"},
                {"muscle": "tibialis_anterior", "side": "right", "result": "normal"},
                {"muscle": "gluteus_medius", "side": "right", "result": "normal"},
                {"muscle": "paraspinal_sacral", "side": "right", "result": "normal"},
            ],
        },
    )
    scored = score_case(model, case)
    top = group_sites(model, scored)[0]
    assert (top.site, top.side) == ("plexus:sacral", "right")
    assert model.hypotheses[top.members[0]].id.startswith("plexus_sacral_lower")


def test_a_tibial_division_sciatic_lesion_is_the_sciatic_nerve_not_the_tibial_at_the_knee(model):
    """Calf, sole and a tibial-division hamstring (semitendinosus) denervated with a low sural
    response, the peroneal muscles (short head of biceps included), the gluteals and the
    paraspinals normal: the sciatic nerve's tibial division in the thigh, above the hamstring
    branches (Stewart 2010), not the tibial nerve at the knee (which spares the hamstrings)
    nor an S1 root (the sural response, the paraspinals)."""
    muscles = {
        "medial_gastrocnemius": "active_denervation",
        "abductor_hallucis": "active_denervation",
        "semitendinosus": "active_denervation",
        "tibialis_anterior": "normal",
        "peroneus_longus": "normal",
        "biceps_femoris_short_head": "normal",
        "gluteus_maximus": "normal",
        "gluteus_medius": "normal",
        "paraspinal_sacral": "normal",
    }
    strength = {"ankle_plantarflexion": 4, "toe_flexion": 4, "knee_flexion": 4, "ankle_dorsiflexion": 5}
    strength |= {"ankle_eversion": 5, "hip_extension": 5, "hip_abduction": 5}
    case = _case(
        history={"onset": "chronic", "course": "worsening", "duration_days": 200},
        symptoms=[
            {"kind": "pain", "region": "posterior_thigh", "side": "right"},
            {"kind": "numbness", "region": "sole", "side": "right"},
        ],
        exam={
            "strength": [{"movement": m, "side": "right", "mrc": g} for m, g in strength.items()],
            "reflexes": [{"reflex": "achilles", "side": "right", "grade": "reduced"}],
            "sensation": [
                {"region": "sole", "side": "right", "finding": "reduced"},
                {"region": "dorsum_foot", "side": "right", "finding": "normal"},
            ],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "sural_sensory", "side": "right", "result": "reduced"},
                {"study": "superficial_peroneal_sensory", "side": "right", "result": "normal"},
                {"study": "peroneal_motor_edb", "side": "right", "result": "normal"},
                {"study": "tibial_motor_ah", "side": "right", "result": "reduced"},
            ],
            "needle_emg": [{"muscle": m, "side": "right", "result": r} for m, r in muscles.items()],
        },
    )
    top = group_sites(model, score_case(model, case))[0]
    assert (top.site, top.side) == ("nerve:sciatic", "right")
    assert model.hypotheses[top.members[0]].id.startswith("nerve_sciatic_tibial_predominant")


def test_a_numb_inner_shin_after_a_knee_operation_is_the_saphenous_nerve(model):
    """A numb inner shin with a normal quadriceps and knee jerk: the saphenous nerve or the L4
    root. After an operation at the knee (arthroscopy, a hamstring graft, a vein harvest:
    Stewart 2010) the saphenous nerve is the likelier, and more so than without it."""
    base = dict(
        history={"onset": "acute", "duration_days": 40},
        symptoms=[{"kind": "numbness", "region": "medial_leg", "side": "left"}],
        exam={
            "strength": [{"movement": "knee_extension", "side": "left", "mrc": 5}],
            "reflexes": [{"reflex": "patellar", "side": "left", "grade": "normal"}],
            "sensation": [{"region": "medial_leg", "side": "left", "finding": "reduced"}],
        },
    )
    plain = _site_probability(model, _case(**base), "nerve:saphenous", "left")
    operated = _case(**{**base, "history": {**base["history"], "factors": ["recent_surgery_leg"]}})
    after = _site_probability(model, operated, "nerve:saphenous", "left")
    top = group_sites(model, score_case(model, operated))[0]
    assert after > plain and (top.site, top.side) == ("nerve:saphenous", "left")


def test_a_nerve_named_on_a_knee_scan_lies_at_the_knee(model):
    """A knee MRI sees the popliteal fossa: a mass it finds on the tibial nerve is not in the
    tarsal tunnel, so the tibial lesion is placed at the knee or in the leg; a targeted
    nerve ultrasound (no fixed field) leaves the level to the examination."""
    base = dict(
        history={"onset": "chronic", "course": "worsening", "duration_days": 300},
        symptoms=[{"kind": "tingling", "region": "sole", "side": "left"}],
        exam={"strength": [{"movement": "toe_flexion", "side": "left", "mrc": 4}]},
    )

    def leader(test):
        scan = [{"test": test, "finding": "mass", "side": "left", "site": "nerve:tibial"}]
        scored = score_case(model, _case(**base, investigations=scan))
        top = group_sites(model, scored)[0]
        assert (top.site, top.side) == ("nerve:tibial", "left")
        return model.hypotheses[top.members[0]].id

    assert leader("ultrasound_nerve").startswith("nerve_tibial_ankle")
    assert not leader("mri_knee").startswith("nerve_tibial_ankle")


def _tarsal_on_diabetic_neuropathy(left: dict[str, str], right: dict[str, str]):
    """A diabetic with stocking numbness and low sural responses on both sides, and a
    tibial study, a plantar sensory response and abductor hallucis EMG on each side."""
    sides = {"left": left, "right": right}
    return _case(
        patient={"age": 60, "sex": "female"},
        history={"onset": "chronic", "factors": ["diabetes"]},
        symptoms=[{"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}],
        exam={"reflexes": [{"reflex": "achilles", "side": "bilateral", "grade": "reduced"}]},
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "sural_sensory", "side": "bilateral", "result": "reduced"},
                *(
                    {"study": study, "side": side, "result": sides[side][study]}
                    for side in ("left", "right")
                    for study in ("tibial_motor_ah", "medial_plantar_sensory")
                ),
            ],
            "needle_emg": [
                {"muscle": "abductor_hallucis", "side": side, "result": sides[side]["abductor_hallucis"]}
                for side in ("left", "right")
            ],
        },
    )


def test_a_focal_lesion_on_a_polyneuropathy_shows_as_a_difference_between_the_sides(model):
    """A length-dependent polyneuropathy is symmetric (England 2005): a tibial study slowed
    on the left and normal on the right, a plantar response absent against reduced and
    active denervation against chronic changes weigh against it alone and for a left tibial
    lesion on top of it, where the same findings alike on both sides do not; the explanation
    says which side is worse."""
    worse = {"tibial_motor_ah": "slowed", "medial_plantar_sensory": "absent", "abductor_hallucis": "both"}
    mild = {"tibial_motor_ah": "normal", "medial_plantar_sensory": "reduced", "abductor_hallucis": "chronic_neurogenic"}
    alike = score_case(model, _tarsal_on_diabetic_neuropathy(mild, mild))
    different = score_case(model, _tarsal_on_diabetic_neuropathy(worse, mild))
    assert {o.key for o in different.observations if o.key.startswith("asymmetry:")} == {
        "asymmetry:discordant:ncs:tibial_motor_ah:left",
        "asymmetry:graded:ncs:medial_plantar_sensory:left",
        "asymmetry:graded:needle_emg:abductor_hallucis:left",
    }
    assert not any(o.key.startswith("asymmetry:") for o in alike.observations)
    index = {h.id: i for i, h in enumerate(model.hypotheses)}
    alone, twin = index["polyneuropathy:bilateral"], index["nerve_tibial_ankle:left+polyneuropathy"]
    # the difference moves the reading from the polyneuropathy alone to the focal lesion on it
    assert different.posterior[twin] / different.posterior[alone] > 3 * alike.posterior[twin] / alike.posterior[alone]
    from plexnav.engine.assess import localize

    entries, _ = localize(_tarsal_on_diabetic_neuropathy(worse, mild), model)
    lines = [s.text for e in entries for s in e.explanation]
    assert any(
        "left medial plantar sensory response (SNAP) worse than the right (absent against reduced)" in t for t in lines
    )
    assert any("(a length-dependent process is symmetric)" in t for t in lines)


def test_a_difference_the_polyneuropathy_hardly_reaches_is_chance(model):
    """Where a polyneuropathy seldom makes a finding abnormal (the hip flexors), a
    difference between the sides is mostly chance: the correction there is far smaller than
    where it usually reaches (the foot), and a hypothesis with no symmetric process gets none."""
    index = {h.id: i for i, h in enumerate(model.hypotheses)}
    alone = index["polyneuropathy:bilateral"]

    def correction(key: str, h: int) -> float:
        return float(model.log_lik[h, model.column[(key, "present")]])

    foot = correction("asymmetry:discordant:ncs:tibial_motor_ah:left", alone)
    hip = correction("asymmetry:discordant:needle_emg:iliopsoas:left", alone)
    assert foot < hip <= 0 and hip > foot / 3
    assert correction("asymmetry:discordant:ncs:tibial_motor_ah:left", index["root_S1:left"]) == 0.0


def test_the_simulator_draws_a_symmetric_process_s_sides_together(model):
    """Simulated cases follow the scoring's side-to-side model: the polyneuropathy alone
    shares every pair's state between the sides with the side_correlation chance, a focal
    lesion's twin only the pairs its focal lesion does not reach, a plain focal lesion none;
    so a simulated polyneuropathy shows far fewer one-sided pairs than independent sides."""
    from plexnav.engine.simulate import sampled_columns, shared_pairs

    index = {h.id: i for i, h in enumerate(model.hypotheses)}
    alone, twin = index["polyneuropathy:bilateral"], index["nerve_tibial_ankle:left+polyneuropathy"]
    every = shared_pairs(model, alone)
    assert every and set(shared_pairs(model, twin).values()) < set(every.values())
    assert "ncs:tibial_motor_ah" not in shared_pairs(model, twin).values()
    assert shared_pairs(model, index["root_S1:left"]) == {}
    discordant_columns = {
        model.column[(s.key, "present")] for s in model.findings if s.key.startswith("asymmetry:discordant:")
    }
    keep, n = 0.6, 300
    findings = scorable_findings(model)
    rng = np.random.default_rng(4)
    seen = sum(
        len(discordant_columns.intersection(sampled_columns(model, alone, findings, rng, keep=keep).tolist()))
        for _ in range(n)
    )
    # under independent sides: each pair kept on both sides, one side abnormal and one normal
    bases = sorted(set(every.values()))
    p = [model.p_abnormal[alone, model.finding_index[f"{b}:left"]] for b in bases]
    independent = n * keep**2 * sum(2 * q * (1 - q) for q in p)
    assert seen < 0.5 * independent


def test_burning_feet_with_normal_conduction_is_a_small_fibre_polyneuropathy(model):
    """Devigili 2008: a small-fibre neuropathy numbs pinprick in a stocking and burns, with
    strength, reflexes and routine conduction normal (they test the large fibres).  Normal
    sural responses argue against the mixed polyneuropathy, not against this one, and a
    stocking on both feet is no root's map."""
    case = _case(
        patient={"age": 50, "sex": "female"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 300},
        symptoms=[
            {"kind": "pain", "region": "sole", "side": "bilateral", "quality": "burning", "severity": 6},
            {"kind": "tingling", "region": "whole_foot_stocking", "side": "bilateral"},
        ],
        exam={
            "strength": [{"movement": m, "side": "bilateral", "mrc": 5} for m in ("ankle_dorsiflexion", "toe_flexion")],
            "reflexes": [{"reflex": r, "side": "bilateral", "grade": "normal"} for r in ("achilles", "patellar")],
            "sensation": [{"region": "whole_foot_stocking", "side": "bilateral", "finding": "reduced"}],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": s, "side": "bilateral", "result": "normal"}
                for s in ("sural_sensory", "superficial_peroneal_sensory", "peroneal_motor_edb")
            ]
        },
    )
    scored = score_case(model, case)
    groups = group_sites(model, scored)
    assert (groups[0].site, groups[0].side) == ("polyneuropathy", "bilateral")
    assert groups[0].probability > 0.8  # (0.5 with the mixed polyneuropathy alone)
    best = model.hypotheses[int(np.argmax(scored.posterior))]
    assert best.large_fibre < 1.0, best.id


def _thigh_infarct(**changes):
    """A diabetic's swollen, tense, painful right thigh, strength limited by pain, the femoral
    nerve conducting normally, numb feet from the diabetes."""
    sections = dict(
        patient={"age": 55, "sex": "female"},
        history={"onset": "acute", "course": "stable", "duration_days": 7, "factors": ["diabetes"]},
        symptoms=[
            {"kind": "pain", "region": "anterior_thigh", "side": "right", "severity": 8},
            {"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"},
        ],
        exam={
            "strength": [{"movement": "knee_extension", "side": "right", "mrc": 3, "limited_by": "pain"}],
            "reflexes": [{"reflex": "patellar", "side": "bilateral", "grade": "normal"}],
            "sensation": [
                {"region": "anterior_thigh", "side": "right", "finding": "normal"},
                {"region": "whole_foot_stocking", "side": "bilateral", "finding": "reduced"},
            ],
            "signs": [
                {"sign": "tender_tense_compartment", "side": "right", "region": "anterior_thigh", "result": "positive"}
            ],
        },
        electrodiagnosis={
            "nerve_conduction": [{"study": "femoral_motor_quadriceps", "side": "right", "result": "normal"}]
        },
        investigations=[{"test": "mri_pelvis", "finding": "muscle_edema_or_necrosis", "side": "right"}],
    )
    return _case(**{**sections, **changes})


def test_a_diabetics_swollen_painful_thigh_is_a_muscle_infarction_on_that_side(model):
    """Trujillo-Santos 2003, Jelinek 1999: in long-standing diabetes a thigh muscle can die of
    its small vessels, with abrupt pain, a swollen tender thigh and oedema on MRI, the nerves
    sound.  The numb feet are the diabetes's polyneuropathy beside it (a background twin of
    the look-alike), and the stocking does not make "no nerve lesion" two-sided."""
    from plexnav.engine.assess import assess

    result = assess(_thigh_infarct(), model)
    top = result.localization[0]
    assert (top.site, top.side) == ("no_neurological_lesion", "right")
    assert max(top.look_alikes, key=top.look_alikes.get) == "muscle_infarction"
    # without diabetes the same thigh is far less often a muscle infarction
    plain = assess(_thigh_infarct(history={"onset": "acute", "course": "stable", "duration_days": 7}), model)
    share = {e.site: e.probability * (e.look_alikes or {}).get("muscle_infarction", 0) for e in plain.localization}
    assert share.get("no_neurological_lesion", 0) < top.probability * top.look_alikes["muscle_infarction"]


def test_a_weak_muscle_normal_on_emg_counts_against_a_nerve_lesion(model):
    """Preston & Shapiro: a lower motor neuron lesion that weakens a movement shows on the
    needle EMG of its main muscle (reduced recruitment at once, denervation within weeks);
    the same weak ankle with a normal tibialis anterior on EMG is less a peroneal lesion and
    more a weakness no nerve lesion explains (a torn tendon), on that leg only."""

    def foot_drop(result: str):
        return _case(
            patient={"age": 70, "sex": "female"},
            history={"onset": "acute", "course": "stable", "duration_days": 40},
            symptoms=[{"kind": "weakness", "activity": "foot_drop_tripping", "side": "right"}],
            exam={
                "strength": [
                    {"movement": "ankle_dorsiflexion", "side": "right", "mrc": 3},
                    {"movement": "great_toe_extension", "side": "right", "mrc": 5},
                ]
            },
            electrodiagnosis={"needle_emg": [{"muscle": "tibialis_anterior", "side": "right", "result": result}]},
        )

    def no_lesion(case) -> float:
        groups = group_sites(model, score_case(model, case))
        return sum(g.probability for g in groups if g.site == "no_neurological_lesion")

    normal, denervated = foot_drop("normal"), foot_drop("chronic_neurogenic")
    keys = {o.key for o in score_case(model, normal).observations}
    assert "evidence:emg:normal_in_weak_muscle:right" in keys
    assert "evidence:emg:normal_in_weak_muscle:right" not in {o.key for o in score_case(model, denervated).observations}
    assert no_lesion(normal) > 2 * no_lesion(denervated)


def test_a_burning_foot_after_a_fracture_with_heightened_feeling_everywhere_is_a_regional_pain_syndrome(model):
    """Harden 2010 (Budapest criteria), Goebel 2018: weeks after an ankle fracture the whole
    foot burns, feeling is heightened over every nerve's territory of the foot, movements are
    limited by pain and conduction is normal: a complex regional pain syndrome, not several
    roots.  Without the injury it is a less likely reading of the same foot."""
    from plexnav.engine.assess import assess

    def foot(factors: list[str]):
        regions = ("dorsum_foot", "sole", "heel", "lateral_foot", "first_web_space")
        return _case(
            patient={"age": 40, "sex": "female"},
            history={"onset": "subacute", "course": "worsening", "duration_days": 35, "factors": factors},
            symptoms=[
                {"kind": "pain", "region": r, "side": "left", "quality": "burning", "severity": 8} for r in regions[:3]
            ],
            exam={
                "strength": [
                    {"movement": m, "side": "left", "mrc": 4, "limited_by": "pain"}
                    for m in ("ankle_dorsiflexion", "ankle_plantarflexion", "toe_flexion")
                ],
                "reflexes": [{"reflex": "achilles", "side": "bilateral", "grade": "normal"}],
                "sensation": [{"region": r, "side": "left", "finding": "increased"} for r in regions],
            },
            electrodiagnosis={
                "nerve_conduction": [
                    {"study": s, "side": "left", "result": "normal"}
                    for s in ("sural_sensory", "superficial_peroneal_sensory", "peroneal_motor_edb", "tibial_motor_ah")
                ]
            },
        )

    after_fall = assess(foot(["fall"]), model)
    top = after_fall.localization[0]
    assert (top.site, top.side) == ("no_neurological_lesion", "left")
    assert max(top.look_alikes, key=top.look_alikes.get) == "crps"
    plain = assess(foot([]), model)
    lead = plain.localization[0]
    share = lead.probability * (lead.look_alikes or {}).get("crps", 0.0)
    assert share < top.probability * top.look_alikes["crps"]


def test_a_pelvic_fracture_raises_the_sacral_roots_as_well_as_the_plexus(model):
    """Denis 1988: a fracture through the sacral foramina injures the sacral roots in them; a
    disrupted pelvic ring can avulse the L5 and S1 roots (Wilbourn 2007)."""
    risk = model.site_risk["factor:pelvic_fracture"]
    by_id = {h.id: i for i, h in enumerate(model.hypotheses)}
    for root in ("root_S1:left", "root_L5:left", "polyradiculopathy_L5_S1:left"):
        assert risk[by_id[root]] > 0.3, root
    assert risk[by_id["plexus_sacral:left"]] > risk[by_id["root_S1:left"]]


def _sensory_ataxia(**changes):
    """Numb feet, shins and knees on both sides with every reflex gone (H reflexes too), full
    strength, a normal needle EMG and normal conduction studies, sensory responses included."""
    sensory = ("sole", "dorsum_foot", "lateral_leg", "medial_leg", "anterior_knee")
    sections = dict(
        patient={"age": 60, "sex": "male"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 400},
        symptoms=[{"kind": "numbness", "region": r, "side": "bilateral"} for r in ("sole", "anterior_knee")],
        exam={
            "strength": [
                {"movement": m, "side": "bilateral", "mrc": 5}
                for m in ("hip_flexion", "knee_extension", "ankle_dorsiflexion", "ankle_plantarflexion")
            ],
            "reflexes": [{"reflex": r, "side": "bilateral", "grade": "absent"} for r in ("patellar", "achilles")],
            "sensation": [{"region": r, "side": "bilateral", "finding": "reduced"} for r in sensory],
        },
        electrodiagnosis={
            "nerve_conduction": [
                *(
                    {"study": s, "side": "bilateral", "result": "normal"}
                    for s in (
                        "sural_sensory",
                        "superficial_peroneal_sensory",
                        "saphenous_sensory",
                        "peroneal_motor_edb",
                    )
                ),
                {"study": "h_reflex", "side": "bilateral", "result": "absent"},
            ],
            "needle_emg": [
                {"muscle": m, "side": "left", "result": "normal"}
                for m in ("tibialis_anterior", "medial_gastrocnemius", "vastus_lateralis", "paraspinal_lower_lumbar")
            ],
        },
    )
    sections.update(changes)
    return _case(**sections)


def test_numbness_and_lost_reflexes_with_normal_sensory_responses_are_the_sensory_roots(model):
    """Sinnreich 2004: chronic immune sensory polyradiculopathy numbs the legs and takes the
    reflexes with strength, needle EMG and conduction studies (sensory responses included)
    normal: the lesion lies in the dorsal roots, proximal to the ganglia.  A polyneuropathy
    would lower the sural responses first; a small-fibre one keeps the knee jerks; a
    compressive root range would show on needle EMG."""
    scored = score_case(model, _sensory_ataxia())
    groups = group_sites(model, scored)
    assert (groups[0].site, groups[0].side) == ("polyradiculopathy", "bilateral"), groups[:3]
    best = model.hypotheses[int(np.argmax(scored.posterior))]
    assert best.motor < 1.0 and best.id.endswith("_sensory:bilateral"), best.id
    # the same picture with the sural responses gone is a polyneuropathy again
    low_sural = _sensory_ataxia(
        electrodiagnosis={
            "nerve_conduction": [{"study": "sural_sensory", "side": "bilateral", "result": "absent"}],
        }
    )
    assert group_sites(model, score_case(model, low_sural))[0].site == "polyneuropathy"


def test_the_sensory_roots_spare_motor_findings_by_their_nature_in_the_explanation(model):
    from plexnav.engine.assess import assess

    top = assess(_sensory_ataxia()).localization[0]
    assert "sensory roots only" in (top.detail or "")
    spared = [s.text for s in top.explanation if "needle EMG" in s.text and "spares it" in s.text]
    assert spared and all("only the sensory roots are affected" in t for t in spared), spared
    assert not any("not supplied mainly by" in t for t in spared)


def test_a_severe_polyneuropathy_drops_both_feet_and_stays_a_polyneuropathy(model):
    """When a length-dependent neuropathy is severe (advanced axonal loss, a hereditary
    neuropathy, a chemotherapy neuropathy on one) both feet drop and the knee jerks go while
    the thighs stay strong (Preston & Shapiro, ch. Polyneuropathy): one process explains it,
    not a sacral plexus or both peroneal nerves beside a background polyneuropathy."""
    both = "bilateral"
    case = _case(
        patient={"age": 50, "sex": "male"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 40},
        symptoms=[
            {"kind": "weakness", "activity": "foot_drop_tripping", "side": both},
            {"kind": "numbness", "region": "whole_foot_stocking", "side": both},
        ],
        exam={
            "strength": [
                *({"movement": m, "side": both, "mrc": 2} for m in ("ankle_dorsiflexion", "great_toe_extension")),
                {"movement": "ankle_eversion", "side": both, "mrc": 3},
                {"movement": "ankle_plantarflexion", "side": both, "mrc": 4},
                *({"movement": m, "side": both, "mrc": 5} for m in ("knee_extension", "hip_flexion")),
            ],
            "reflexes": [{"reflex": r, "side": both, "grade": "absent"} for r in ("achilles", "patellar")],
            "sensation": [{"region": "whole_foot_stocking", "side": both, "finding": "reduced"}],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "peroneal_motor_edb", "side": both, "result": "absent"},
                {"study": "sural_sensory", "side": both, "result": "absent"},
            ]
        },
    )
    scored = score_case(model, case)
    groups = group_sites(model, scored)
    assert (groups[0].site, groups[0].side) == ("polyneuropathy", "bilateral"), groups[:3]
    assert groups[0].probability > 0.8
    best = model.hypotheses[int(np.argmax(scored.posterior))]
    assert best.reach > 1.0, best.id


def test_a_perineal_region_recorded_on_both_sides_is_both_halves(model):
    """Revision 1.1 records the saddle and the genitals by side: numbness recorded on both
    sides is both halves, which a one-sided pudendal lesion explains only one of; recorded with
    no side it is the region as a whole, which says less about the side."""

    def case(side):
        entry = {"region": "genital", "finding": "reduced", **({"side": side} if side else {})}
        symptom = {"kind": "numbness", "region": "genital", **({"side": side} if side else {})}
        return _case(
            patient={"age": 40, "sex": "male"},
            history={"onset": "subacute", "duration_days": 60},
            symptoms=[symptom, {"kind": "sexual_dysfunction"}],
            exam={"sensation": [entry]},
        )

    def two_sided_share(c):
        scored = score_case(model, c)
        groups = {(g.site, g.side): g.probability for g in group_sites(model, scored)}
        both = groups.get(("nerve:pudendal", "bilateral"), 0.0)
        one = groups.get(("nerve:pudendal", "left"), 0.0) + groups.get(("nerve:pudendal", "right"), 0.0)
        return both / (both + one)

    assert two_sided_share(case("bilateral")) > 2 * two_sided_share(case(None))


def test_heel_pain_with_only_the_little_toe_abductor_denervated_is_the_first_branch_of_the_lateral_plantar_nerve(model):
    """Baxter's nerve (the inferior calcaneal nerve, the first branch of the lateral plantar
    nerve) has no skin branch and supplies the abductor digiti minimi: heel pain with that
    muscle alone denervated, the abductor hallucis, the medial plantar response and the sole's
    feeling normal, is that branch of the tibial nerve, not the tarsal tunnel (which takes the
    abductor hallucis and the medial plantar nerve too) and not a problem outside the nerves
    (Rondhuis & Huson 1986; Baxter & Pfeffer 1992)."""
    case = _case(
        patient={"age": 47, "sex": "female"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 270},
        symptoms=[
            {
                "kind": "pain",
                "region": "heel",
                "side": "left",
                "quality": "burning",
                "provoked_by": ["walking", "standing"],
            }
        ],
        exam={
            "strength": [{"movement": "toe_flexion", "side": "left", "mrc": 5}],
            "sensation": [{"region": r, "side": "left", "finding": "normal"} for r in ("heel", "sole", "little_toe")],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "medial_plantar_sensory", "side": "left", "result": "normal"},
                {"study": "tibial_motor_ah", "side": "left", "result": "normal"},
            ],
            "needle_emg": [
                {"muscle": "abductor_digiti_minimi_pedis", "side": "left", "result": "both"},
                {"muscle": "abductor_digiti_minimi_pedis", "side": "right", "result": "normal"},
                {"muscle": "abductor_hallucis", "side": "left", "result": "normal"},
                {"muscle": "medial_gastrocnemius", "side": "left", "result": "normal"},
            ],
        },
    )
    top = group_sites(model, score_case(model, case))[0]
    assert (top.site, top.side) == ("nerve:tibial", "left")
    assert model.hypotheses[top.members[0]].id.startswith("nerve_tibial_inferior_calcaneal")


def test_heel_pain_on_standing_and_walking_with_sound_nerves_is_plantar_fasciitis(model):
    """The commonest pain under the heel: worse standing and walking, with normal feeling,
    strength and reflexes and nothing on the nerve tests, in someone overweight (Buchbinder
    2004; Riddle 2003). No nerve lesion, read as the plantar fascia rather than a knee or hip
    joint, which do not hurt at the heel."""
    case = _case(
        patient={"age": 52, "sex": "female"},
        history={"onset": "chronic", "course": "stable", "duration_days": 150, "factors": ["obesity"]},
        symptoms=[
            {
                "kind": "pain",
                "region": "heel",
                "side": "right",
                "quality": "aching",
                "provoked_by": ["walking", "standing"],
            }
        ],
        exam={
            "strength": [
                {"movement": m, "side": "right", "mrc": 5}
                for m in ("ankle_plantarflexion", "toe_flexion", "ankle_inversion")
            ],
            "reflexes": [{"reflex": "achilles", "side": s, "grade": "normal"} for s in ("left", "right")],
            "sensation": [
                {"region": r, "side": "right", "finding": "normal"} for r in ("heel", "sole", "lateral_foot")
            ],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "medial_plantar_sensory", "side": "right", "result": "normal"},
                {"study": "tibial_motor_ah", "side": "right", "result": "normal"},
            ]
        },
    )
    top = group_sites(model, score_case(model, case))[0]
    assert (top.site, top.side) == ("no_neurological_lesion", "right")
    assert model.hypotheses[top.members[0]].id.startswith("mimic_plantar_fasciitis")


def test_a_look_alike_is_reported_on_the_leg_that_hurts_not_on_both_for_a_midline_back_ache(model):
    """A painful left knee with sound nerves, and a mild ache across the low back recorded on
    both sides: the look-alike is the left knee's. A midline ache (like numbness in a stocking)
    names the side only when nothing else does."""
    from plexnav.engine.localize import symptomatic_side

    knee = {"kind": "pain", "region": "anterior_knee", "side": "left", "provoked_by": ["walking"]}
    back = {"kind": "pain", "region": "lower_back", "side": "bilateral", "severity": 2}
    case = _case(
        patient={"age": 66, "sex": "female"},
        history={"onset": "chronic", "duration_days": 120},
        symptoms=[knee, back],
        exam={
            "reflexes": [
                {"reflex": r, "side": s, "grade": "normal"} for r in ("patellar", "achilles") for s in ("left", "right")
            ],
            "sensation": [{"region": "anterior_knee", "side": "left", "finding": "normal"}],
        },
    )
    assert symptomatic_side(case) == "left"
    top = group_sites(model, score_case(model, case))[0]
    assert (top.site, top.side) == ("no_neurological_lesion", "left")
    assert symptomatic_side(_case(symptoms=[back])) == "bilateral"


def _ankle_jerks(age: int, left: str | None, right: str | None):
    """A case with back pain and nothing else but the ankle jerks recorded (None: not examined)."""
    reflexes = [{"reflex": "achilles", "side": s, "grade": g} for s, g in (("left", left), ("right", right)) if g]
    return _case(
        patient={"age": age, "sex": "male"},
        history={"onset": "chronic", "course": "stable", "duration_days": 120},
        symptoms=[{"kind": "pain", "region": "lower_back"}],
        exam={"reflexes": reflexes},
    )


def _log_odds(model, case, first: str, second: str) -> float:
    index = {h.id: i for i, h in enumerate(model.hypotheses)}
    post = score_case(model, case).posterior
    return float(np.log(post[index[first]] / post[index[second]]))


def test_age_takes_both_ankle_jerks_together(model):
    """Vrancken 2006: about a quarter of healthy people over 60 have lost their ankle jerks, a
    trait of the person and so of both legs.  Past 60, the second absent jerk must add less
    against "no nerve lesion" than the first (scored as independent sides it added as much),
    and an absent jerk beside a normal one, which age alone seldom makes, must count more for
    a lesion of that side than its two halves did.  Before 60 nothing changes."""
    none, poly, s1 = "no_neurological_lesion:symptomatic", "polyneuropathy:bilateral", "root_S1:left"

    def shift(age, left, right, first, second):
        return _log_odds(model, _ankle_jerks(age, left, right), first, second) - _log_odds(
            model, _ankle_jerks(age, None, None), first, second
        )

    for age, gap in ((75, 0.5), (45, None)):
        both = shift(age, "absent", "absent", none, poly)
        halves = shift(age, "absent", None, none, poly) + shift(age, None, "absent", none, poly)
        one = shift(age, "absent", "normal", s1, none)
        one_halves = shift(age, "absent", None, s1, none) + shift(age, None, "normal", s1, none)
        if gap is None:
            assert both == pytest.approx(halves, abs=1e-9) and one == pytest.approx(one_halves, abs=1e-9)
        else:
            assert both - halves > gap  # the pair is likelier from age than two chances
            assert one - one_halves > gap  # one side alone is less likely from age


def test_an_age_pair_corrects_only_what_chance_explains(model):
    """The age_pair columns: log(q / a) for a hypothesis that explains neither side when both
    are abnormal, log((1 - q) / (1 - a)) when one is; near 0 for a lesion of both sides (a
    two-sided S1 root) or, when the abnormal side is its own, of one side."""
    index = {h.id: i for i, h in enumerate(model.hypotheses)}
    q = model.kb.parameters["age_pair"]["both_sides"]
    a = next(adj["fp"] for adj in model.kb.parameters["age_adjusted"] if adj["finding"] == "reflex:achilles")

    def column(kind_side: str, h: str) -> float:
        return float(model.log_lik[index[h], model.column[(f"age_pair:{kind_side}@60", "present")]])

    assert column("both:reflex:achilles", "no_neurological_lesion:symptomatic") == pytest.approx(np.log(q / a))
    assert column("one:reflex:achilles:left", "no_neurological_lesion:symptomatic") == pytest.approx(
        np.log((1 - q) / (1 - a))
    )
    assert abs(column("both:reflex:achilles", "root_S1:bilateral")) < 0.15
    assert abs(column("one:reflex:achilles:left", "root_S1:left")) < 0.15


def test_a_central_l5_s1_disc_with_sacral_and_s1_loss_is_the_cauda_equina_not_the_conus(model):
    """A central disc at L5-S1 presses the S1 and sacral roots in the sac (the L5 root has left
    it above: Bogduk, ch. 11), the commonest level of a cauda equina syndrome with L4-L5
    (Gardner 2011): both ankle jerks and plantar flexors, the soles and the saddle, the
    bladder, radicular pain, the knees and ankle dorsiflexors spared, the plantars flexor.
    The conus ends above L3 (Saifuddin 1998), so the scan must count for the cauda equina
    only and the cauda equina lead."""
    strength = (("ankle_plantarflexion", 4), ("toe_flexion", 4), ("ankle_dorsiflexion", 5))
    strength += (("great_toe_extension", 5), ("hip_abduction", 5), ("knee_extension", 5), ("hip_flexion", 5))
    case = _case(
        patient={"age": 44, "sex": "male"},
        history={"onset": "acute", "course": "worsening", "duration_days": 2},
        symptoms=[
            {"kind": "pain", "region": "posterior_thigh", "side": "bilateral", "quality": "electric", "severity": 8},
            {"kind": "pain", "region": "lower_back", "severity": 7},
            {"kind": "numbness", "region": "saddle", "side": "bilateral"},
            {"kind": "bladder_dysfunction"},
        ],
        exam={
            "strength": [{"movement": m, "side": "bilateral", "mrc": g} for m, g in strength],
            "reflexes": [
                {"reflex": "achilles", "side": "bilateral", "grade": "absent"},
                {"reflex": "patellar", "side": "bilateral", "grade": "normal"},
                {"reflex": "plantar", "side": "bilateral", "grade": "flexor"},
                {"reflex": "anal_wink", "side": "bilateral", "grade": "absent"},
            ],
            "sensation": [
                {"region": r, "side": "bilateral", "finding": f}
                for r, f in (("saddle", "reduced"), ("sole", "reduced"), ("lateral_foot", "reduced"))
                + (("dorsum_foot", "normal"), ("medial_leg", "normal"))
            ],
        },
        investigations=[
            {"test": "mri_lumbar_spine", "finding": "disc_herniation", "level": "L5-S1", "position": "central"}
        ],
    )
    groups = group_sites(model, score_case(model, case))
    assert (groups[0].site, groups[0].side) == ("cauda_equina", "bilateral")
    assert groups[0].probability > 0.7  # (the conus led, 0.47 against 0.45, before)


def _lateral_leg_pain_with_a_scan(finding: str, **scan):
    """A 68-year-old's lateral leg pain on walking, every examination and needle finding
    normal, and one lumbar MRI finding named on the right L5 root."""
    inv = {"test": "mri_lumbar_spine", "finding": finding, "level": "L5-S1", "side": "right", **scan}
    movements = ("ankle_dorsiflexion", "great_toe_extension", "hip_abduction", "ankle_eversion")
    return _case(
        patient={"age": 68, "sex": "female"},
        history={"onset": "subacute", "course": "stable", "duration_days": 40},
        symptoms=[{"kind": "pain", "region": "lateral_leg", "side": "right", "severity": 5}],
        exam={
            "strength": [{"movement": m, "side": "right", "mrc": 5} for m in movements],
            "sensation": [{"region": r, "side": "right", "finding": "normal"} for r in ("dorsum_foot", "lateral_leg")],
        },
        electrodiagnosis={
            "needle_emg": [
                {"muscle": m, "side": "right", "result": "normal"}
                for m in ("tibialis_anterior", "gluteus_medius", "paraspinal_lower_lumbar")
            ]
        },
        investigations=[{**inv, "site": "root:L5"}],
    )


def test_a_disc_or_narrowing_named_on_a_root_counts_less_than_a_mass_named_there(model):
    """A report that names a root as touched by a disc or a narrowing localizes a finding
    common with age (Boden 1990; Brinjikji 2015) and graded by contact, not only compression
    (Pfirrmann 2004): it counts less for that root than a mass the report places on it."""

    def l5(case):
        return _site_probability(model, case, "root:L5", "right")

    narrowing = l5(_lateral_leg_pain_with_a_scan("foraminal_stenosis", position="foraminal"))
    mass = l5(_lateral_leg_pain_with_a_scan("mass"))
    assert narrowing < mass - 0.1


def test_a_fracture_on_a_knee_mri_is_read_as_the_knee(model):
    """A subchondral insufficiency fracture (Yamamoto & Bullough 2000) on a knee MRI is the
    knee joint hurting, not a nerve: knee and inner shin pain on standing with the knee's
    strength limited by pain, sensation and the saphenous responses normal, a foraminal L3-L4
    narrowing named on the L3 root; the knee MRI's fracture makes the knee-joint look-alike
    lead."""
    sections = dict(
        patient={"age": 71, "sex": "female"},
        history={"onset": "sudden", "course": "stable", "duration_days": 21},
        symptoms=[
            {"kind": "pain", "region": "medial_leg", "side": "left", "severity": 8, "provoked_by": ["standing"]},
            {"kind": "pain", "region": "anterior_knee", "side": "left", "severity": 6},
        ],
        exam={
            "strength": [
                {"movement": "knee_extension", "side": "left", "mrc": 4, "limited_by": "pain"},
                {"movement": "hip_flexion", "side": "left", "mrc": 5},
            ],
            "sensation": [{"region": r, "side": "left", "finding": "normal"} for r in ("medial_leg", "anterior_knee")],
        },
        electrodiagnosis={"nerve_conduction": [{"study": "saphenous_sensory", "side": "left", "result": "normal"}]},
    )
    spine = {"test": "mri_lumbar_spine", "finding": "foraminal_stenosis", "level": "L3-L4", "side": "left"}
    spine |= {"position": "foraminal", "site": "root:L3"}
    knee = {"test": "mri_knee", "finding": "fracture", "side": "left"}
    without = group_sites(model, score_case(model, _case(**sections, investigations=[spine])))
    scored = score_case(model, _case(**sections, investigations=[spine, knee]))
    lead = group_sites(model, scored)[0]
    assert (lead.site, lead.side) == ("no_neurological_lesion", "left")
    assert model.hypotheses[max(lead.members, key=lambda i: scored.posterior[i])].mimic == "knee_joint"
    assert lead.probability > next(g.probability for g in without if g.site == "no_neurological_lesion")


def test_a_paralysed_muscle_normal_on_emg_argues_against_its_nerves_more_than_a_weak_one(model):
    """A lower motor neuron lesion that paralyses a muscle cannot leave its needle EMG normal
    (Preston & Shapiro, ch. Needle EMG); a torn tendon or a functional weakness can.  So the
    normal EMG of the big toe's extensor moves the odds from the L5 root towards no nerve
    lesion more when the toe's extension is MRC 0 than when it is MRC 4."""

    def shift(mrc: float) -> float:
        def case(emg: bool):
            exam = {"strength": [{"movement": "great_toe_extension", "side": "left", "mrc": mrc}]}
            tests = [{"muscle": "extensor_hallucis_longus", "side": "left", "result": "normal"}] if emg else []
            return _case(
                patient={"age": 61, "sex": "female"},
                symptoms=[{"kind": "weakness", "activity": "foot_drop_tripping", "side": "left"}],
                exam=exam,
                electrodiagnosis={"needle_emg": tests},
            )

        return _log_odds(model, case(True), "no_neurological_lesion:symptomatic", "root_L5:left") - _log_odds(
            model, case(False), "no_neurological_lesion:symptomatic", "root_L5:left"
        )

    assert shift(0) > shift(4) + 0.5


def _several_nerves(**extra):
    """A left foot drop with the peroneal skin numb, the right sole and outer foot numb with
    weak toe flexion, the ankle jerks lost unevenly: several single nerves on both legs."""
    return _case(
        patient={"age": 64, "sex": "female"},
        history={"onset": "subacute", "course": "worsening", "duration_days": 70},
        symptoms=[
            {"kind": "pain", "region": "lateral_foot", "side": "left", "quality": "burning"},
            {"kind": "numbness", "region": "sole", "side": "right"},
            {"kind": "weakness", "side": "left", "activity": "foot_drop_tripping"},
        ],
        exam={
            "strength": [
                {"movement": "ankle_dorsiflexion", "side": "left", "mrc": 3},
                {"movement": "ankle_eversion", "side": "left", "mrc": 3},
                {"movement": "toe_flexion", "side": "right", "mrc": 4},
                {"movement": "ankle_dorsiflexion", "side": "right", "mrc": 5},
                {"movement": "knee_extension", "side": "bilateral", "mrc": 5},
            ],
            "reflexes": [
                {"reflex": "achilles", "side": "left", "grade": "absent"},
                {"reflex": "achilles", "side": "right", "grade": "reduced"},
            ],
            "sensation": [
                {"region": "dorsum_foot", "side": "left", "finding": "reduced"},
                {"region": "lateral_leg", "side": "left", "finding": "reduced"},
                {"region": "sole", "side": "right", "finding": "reduced"},
                {"region": "lateral_foot", "side": "right", "finding": "reduced"},
                {"region": "dorsum_foot", "side": "right", "finding": "normal"},
                {"region": "medial_leg", "side": "bilateral", "finding": "normal"},
            ],
        },
        **extra,
    )


def test_several_single_nerves_on_both_legs_read_as_a_mononeuritis_multiplex(model):
    """A peroneal nerve on one leg and a tibial on the other, each partly, with the ankle jerks
    lost unevenly (Collins 2010): the polyneuropathy leads as several single nerves at once,
    which the side-to-side comparison does not count against; a symmetric stocking stays the
    length-dependent form."""
    entries, _ = localize(_several_nerves(), model)
    assert entries[0].site == "polyneuropathy"
    assert "mononeuritis multiplex" in (entries[0].detail or "")
    stocking = _case(
        patient={"age": 64},
        history={"onset": "chronic", "course": "worsening"},
        symptoms=[{"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}],
        exam={
            "reflexes": [{"reflex": "achilles", "side": "bilateral", "grade": "absent"}],
            "sensation": [{"region": "whole_foot_stocking", "side": "bilateral", "finding": "reduced"}],
        },
    )
    entries, _ = localize(stocking, model)
    assert entries[0].site == "polyneuropathy" and "length-dependent" in (entries[0].detail or "")


def test_a_sudden_flaccid_weakness_with_nothing_numb_reads_as_periodic_paralysis(model):
    """Both legs weak on waking, hips and thighs most, the reflexes low, nothing numb, the
    sphincters and a whole-spine MRI normal: an attack of periodic paralysis (Statland 2018;
    Lin 2005) leads as no nerve lesion; the same weakness with the feet numb is a nerve
    lesion again."""
    sections = dict(
        patient={"age": 26, "sex": "male"},
        history={"onset": "sudden", "course": "stable", "duration_days": 0},
        symptoms=[{"kind": "weakness", "side": "bilateral", "activity": "rising_from_chair"}],
        exam={
            "strength": [
                {"movement": "hip_flexion", "side": "bilateral", "mrc": 2},
                {"movement": "knee_extension", "side": "bilateral", "mrc": 2},
                {"movement": "ankle_dorsiflexion", "side": "bilateral", "mrc": 3},
            ],
            "reflexes": [
                {"reflex": "patellar", "side": "bilateral", "grade": "reduced"},
                {"reflex": "achilles", "side": "bilateral", "grade": "absent"},
                {"reflex": "plantar", "side": "bilateral", "grade": "flexor"},
            ],
            "sensation": [
                {"region": "whole_foot_stocking", "side": "bilateral", "finding": "normal"},
                {"region": "anterior_thigh", "side": "bilateral", "finding": "normal"},
            ],
        },
        investigations=[{"test": "mri_whole_spine", "finding": "normal"}],
    )
    entries, _ = localize(_case(**sections), model)
    assert entries[0].site == "no_neurological_lesion" and "periodic paralysis" in (entries[0].detail or "")
    numb = dict(
        sections,
        symptoms=[*sections["symptoms"], {"kind": "numbness", "region": "whole_foot_stocking", "side": "bilateral"}],
        exam={
            **sections["exam"],
            "sensation": [{"region": "whole_foot_stocking", "side": "bilateral", "finding": "reduced"}],
        },
    )
    entries, _ = localize(_case(**numb), model)
    assert entries[0].site != "no_neurological_lesion"


def test_the_upper_sacral_rami_are_told_from_the_s1_root_by_the_sural_response_and_the_saddle(model):
    """Buttock and posterior thigh numb, gluteus maximus, the hamstrings and the calf
    denervated with a low sural response and normal sacral paraspinals, the L5 muscles, the
    saddle and the anal sphincter normal: the S1-S2 rami on the front of the sacrum (a
    uterosacral suspension suture takes them: Flynn 2006; Siddiqui 2010), neither the S1 root
    (the sural response, the paraspinals) nor the whole lower sacral plexus (the saddle and the
    sphincter spared)."""
    case = _case(
        history={"onset": "sudden", "course": "stable", "duration_days": 30},
        symptoms=[
            {"kind": "pain", "region": "buttock", "side": "right"},
            {"kind": "numbness", "region": "posterior_thigh", "side": "right"},
        ],
        exam={
            "strength": [
                {"movement": "hip_extension", "side": "right", "mrc": 4},
                {"movement": "ankle_plantarflexion", "side": "right", "mrc": 4},
                {"movement": "ankle_dorsiflexion", "side": "right", "mrc": 5},
                {"movement": "hip_abduction", "side": "right", "mrc": 5},
            ],
            "reflexes": [
                {"reflex": "achilles", "side": "right", "grade": "reduced"},
                {"reflex": "anal_wink", "grade": "normal"},
            ],
            "sensation": [
                {"region": "posterior_thigh", "side": "right", "finding": "reduced"},
                {"region": "buttock", "side": "right", "finding": "reduced"},
                {"region": "saddle", "side": "bilateral", "finding": "normal"},
                {"region": "dorsum_foot", "side": "right", "finding": "normal"},
            ],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "sural_sensory", "side": "right", "result": "reduced"},
                {"study": "sural_sensory", "side": "left", "result": "normal"},
                {"study": "superficial_peroneal_sensory", "side": "right", "result": "normal"},
            ],
            "needle_emg": [
                {"muscle": "gluteus_maximus", "side": "right", "result": "active_denervation"},
                {"muscle": "biceps_femoris_long_head", "side": "right", "result": "active_denervation"},
                {"muscle": "medial_gastrocnemius", "side": "right", "result": "active_denervation"},
                {"muscle": "tibialis_anterior", "side": "right", "result": "normal"},
                {"muscle": "gluteus_medius", "side": "right", "result": "normal"},
                {"muscle": "external_anal_sphincter", "side": "right", "result": "normal"},
                {"muscle": "paraspinal_sacral", "side": "right", "result": "normal"},
            ],
        },
    )
    scored = score_case(model, case)
    top = group_sites(model, scored)[0]
    assert (top.site, top.side) == ("plexus:sacral", "right")
    assert model.hypotheses[top.members[0]].id.startswith("plexus_sacral_upper_rami")


def test_the_front_of_the_knee_numb_alone_is_the_infrapatellar_branch_of_the_saphenous_nerve(model):
    """A numb, burning patch at the front of the knee, the inner leg and the saphenous response
    normal, strength and reflexes normal, the knee MRI clear: the infrapatellar branch of the
    saphenous nerve, caught where it pierces sartorius (House & Ahmed 1977), not a knee that
    hurts with the nerves sound (the numbness is found on examination) nor the whole
    saphenous nerve (the inner leg and its study spared)."""
    case = _case(
        history={"onset": "subacute", "course": "stable", "duration_days": 35},
        symptoms=[
            {"kind": "pain", "region": "anterior_knee", "side": "left", "quality": "burning"},
            {"kind": "numbness", "region": "anterior_knee", "side": "left"},
        ],
        exam={
            "strength": [{"movement": "knee_extension", "side": "left", "mrc": 5}],
            "reflexes": [{"reflex": "patellar", "side": "left", "grade": "normal"}],
            "sensation": [
                {"region": "anterior_knee", "side": "left", "finding": "reduced"},
                {"region": "medial_leg", "side": "left", "finding": "normal"},
                {"region": "anterior_thigh", "side": "left", "finding": "normal"},
            ],
        },
        electrodiagnosis={"nerve_conduction": [{"study": "saphenous_sensory", "side": "left", "result": "normal"}]},
        investigations=[{"test": "mri_knee", "finding": "normal", "side": "left"}],
    )
    scored = score_case(model, case)
    top = group_sites(model, scored)[0]
    assert (top.site, top.side) == ("nerve:saphenous", "left")
    assert model.hypotheses[top.members[0]].id.startswith("nerve_saphenous_infrapatellar")


def test_a_4_plus_alone_on_the_other_leg_does_not_make_a_one_sided_complaint_two_sided():
    """A right foot drop (dorsiflexion 4) with a 4+ on the left: the complaint is on the right,
    as a look-alike reports it; a 4 on the left as well makes it two-sided; a 4+ alone still
    names its side when nothing else does."""
    from plexnav.engine.localize import symptomatic_side

    right = {"kind": "weakness", "side": "right", "activity": "foot_drop_tripping"}
    strength = [
        {"movement": "ankle_dorsiflexion", "side": "right", "mrc": 4},
        {"movement": "ankle_dorsiflexion", "side": "left", "mrc": 4.5},
    ]
    assert symptomatic_side(_case(symptoms=[right], exam={"strength": strength})) == "right"
    both = [strength[0], {"movement": "ankle_dorsiflexion", "side": "left", "mrc": 4}]
    assert symptomatic_side(_case(symptoms=[right], exam={"strength": both})) == "bilateral"
    only_slight = [{"movement": "ankle_dorsiflexion", "side": "left", "mrc": 4.5}]
    assert symptomatic_side(_case(exam={"strength": only_slight})) == "left"


def test_a_polyneuropathy_worse_in_one_leg_is_a_polyneuropathy_not_a_root(model):
    """A distal, mostly sensory axonal neuropathy clearly worse in the left leg (late Lyme
    disease, a vasculitis run together: Hopf 1975, Collins 2010), the right foot touched too:
    low sensory responses beyond the root ganglion on both sides, the proximal muscles normal.
    The asymmetric length-dependent form explains both legs; a left S1 root explains neither
    the low responses nor the right foot."""
    case = _case(
        patient={"age": 66, "sex": "male"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 500},
        symptoms=[
            {"kind": "numbness", "region": "sole", "side": "left"},
            {"kind": "tingling", "region": "dorsum_foot", "side": "left"},
            {"kind": "tingling", "region": "great_toe", "side": "right"},
        ],
        exam={
            "strength": [
                {"movement": m, "side": "bilateral", "mrc": 5}
                for m in ("ankle_dorsiflexion", "ankle_plantarflexion", "great_toe_extension", "knee_flexion")
            ],
            "reflexes": [
                {"reflex": "achilles", "side": "left", "grade": "reduced"},
                {"reflex": "achilles", "side": "right", "grade": "normal"},
            ],
            "sensation": [
                {"region": "sole", "side": "left", "finding": "reduced"},
                {"region": "dorsum_foot", "side": "left", "finding": "reduced"},
                {"region": "great_toe", "side": "right", "finding": "reduced"},
                {"region": "sole", "side": "right", "finding": "normal"},
            ],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "sural_sensory", "side": "left", "result": "reduced"},
                {"study": "sural_sensory", "side": "right", "result": "normal"},
                {"study": "superficial_peroneal_sensory", "side": "left", "result": "absent"},
                {"study": "superficial_peroneal_sensory", "side": "right", "result": "reduced"},
                {"study": "peroneal_motor_edb", "side": "left", "result": "reduced"},
                {"study": "peroneal_motor_edb", "side": "right", "result": "normal"},
            ],
            "needle_emg": [
                {"muscle": "extensor_digitorum_brevis", "side": "left", "result": "chronic_neurogenic"},
                *(
                    {"muscle": m, "side": "left", "result": "normal"}
                    for m in ("medial_gastrocnemius", "tibialis_anterior", "biceps_femoris_short_head")
                ),
            ],
        },
    )
    scored = score_case(model, case)
    groups = group_sites(model, scored)
    assert (groups[0].site, groups[0].side) == ("polyneuropathy", "bilateral"), groups[:3]
    assert model.hypotheses[groups[0].members[0]].id == "polyneuropathy_asymmetric_left_worse:bilateral"


def test_the_better_leg_of_an_asymmetric_polyneuropathy_keeps_a_share_of_the_grades(model):
    """Built from the worse leg, the asymmetric length-dependent polyneuropathy gives the other
    leg its lesser share (sites.yaml lesser_reach) of the same grades, so the two sides differ
    as the symmetric form's never do."""
    index = {h.id: i for i, h in enumerate(model.hypotheses)}
    h = index["polyneuropathy_asymmetric_left_worse:bilateral"]
    f = {spec.key: i for i, spec in enumerate(model.findings)}
    share = model.hypotheses[h].lesser_reach
    for region in ("whole_foot_stocking", "lateral_leg"):
        left, right = (model.inv_lmn[h, f[f"sensation:{region}:{side}"]] for side in ("left", "right"))
        assert left > right > 0 and right == pytest.approx(left * share, rel=1e-6)
    symmetric = index["polyneuropathy:bilateral"]
    assert model.inv_lmn[symmetric, f["sensation:sole:left"]] == model.inv_lmn[symmetric, f["sensation:sole:right"]]


def _column_lik(model, case, key_start):
    """Each hypothesis's log-likelihood of the case's one observation whose key starts so."""
    scored = score_case(model, case)
    (col,) = [c for o, c in zip(scored.observations, scored.columns, strict=True) if o.key.startswith(key_start)]
    ids = [h.id for h in model.hypotheses]
    return {h: model.log_lik_t[col, i] for i, h in enumerate(ids)}, [
        o.key for o in scored.observations if o.key.startswith(key_start)
    ]


def test_a_trigger_of_pain_where_a_look_alike_never_hurts_does_not_point_to_it(model):
    """Walking brings on the pain of a worn knee at the knee, not in the lower abdomen
    (mimics.yaml: regional): pain in the lower abdomen provoked by walking is, for the knee
    joint look-alike, what it is with no lesion at all; at the front of the knee it keeps the
    knee's own value (a joint's pain comes on with weight-bearing)."""

    def walking_pain(region):
        return _case(symptoms=[{"kind": "pain", "region": region, "side": "right", "provoked_by": ["walking"]}])

    abdomen, keys = _column_lik(model, walking_pain("lower_abdomen"), "evidence:provoked:walking")
    assert keys == ["evidence:provoked:walking:lower_abdomen"]
    assert abdomen["mimic_knee_joint:symptomatic"] == pytest.approx(abdomen["no_neurological_lesion:symptomatic"])
    knee, keys = _column_lik(model, walking_pain("anterior_knee"), "evidence:provoked:walking")
    assert keys == ["evidence:provoked:walking:anterior_knee"]
    assert knee["mimic_knee_joint:symptomatic"] > knee["no_neurological_lesion:symptomatic"] + 1.0
    # a hypothesis's own value where its pain is: spinal stenosis in the calf, not in the abdomen
    stenosis = "polyradiculopathy_L4_S1:bilateral"
    calf, _ = _column_lik(model, walking_pain("posterior_leg"), "evidence:provoked:walking")
    assert calf[stenosis] > abdomen[stenosis] + 1.0


def test_a_trigger_said_of_pain_in_two_regions_is_read_for_the_case_as_a_whole(model):
    """One trigger said of symptoms felt in two regions, or of one without a region, is one
    piece of evidence read without a region (it is not counted twice); the order of the
    symptoms does not matter."""
    back = {"kind": "pain", "region": "lower_back", "provoked_by": ["walking"]}
    calf = {"kind": "pain", "region": "posterior_leg", "side": "left", "provoked_by": ["walking"]}
    anywhere = {"kind": "pain", "side": "left", "provoked_by": ["walking"]}
    for symptoms in ([back, calf], [calf, back], [calf, anywhere]):
        _, keys = _column_lik(model, _case(symptoms=symptoms), "evidence:provoked:walking")
        assert keys == ["evidence:provoked:walking"]
    _, keys = _column_lik(model, _case(symptoms=[calf, {**calf, "kind": "tingling"}]), "evidence:provoked:walking")
    assert keys == ["evidence:provoked:walking:posterior_leg"]


def test_back_pain_worse_lying_flat_weighs_alike_for_the_conus_and_the_cord_above_it(model):
    """Pain worse lying flat comes from a tumour in the canal (a cause, not a site), and the
    conus is the cord's lowest segment, reached by the same deposits: the finding does not
    count against it where it counts for the cord (a breast cancer deposit at L1 compressing
    the conus was read as the cauda equina on it)."""
    pain = _case(symptoms=[{"kind": "pain", "region": "lower_back", "provoked_by": ["lying_flat"]}])
    lik, _ = _column_lik(model, pain, "evidence:provoked:lying_flat")
    assert lik["conus_medullaris:bilateral"] == pytest.approx(lik["spinal_cord:bilateral"])
    assert lik["conus_medullaris:bilateral"] > lik["cauda_equina:bilateral"]


def test_radicular_pain_weighs_for_the_cauda_equina_more_than_for_the_conus(model):
    """Both numb the sacral segments' skin, but radicular pain is prominent from the roots of
    the cauda equina and less so from the conus (Dawodu, the table of the two syndromes): a
    burning sole (S1) argues for the cauda equina (by 0.06 before, when the conus gave its
    territory's pain as fully as the roots)."""
    pain = _case(symptoms=[{"kind": "pain", "region": "sole", "side": "left"}])
    lik, _ = _column_lik(model, pain, "symptom:pain:sole:left")
    assert lik["cauda_equina:bilateral"] > lik["conus_medullaris:bilateral"] + 0.3


def test_radiotherapy_over_the_lumbosacral_region_counts_for_its_roots_as_for_its_plexus(model):
    """Radiotherapy whose field takes in the cauda equina (para-aortic and pelvic fields for a
    seminoma or a lymphoma) can injure its roots years later (the post-radiation lower motor
    neuron syndrome: Abraham 2013; Ducray 2008), not only the plexus: with the roots' own
    signs (paraspinal denervation on both sides), the history raises the root range against
    the sites it does not reach (a polyneuropathy), as it raises the plexus."""
    sections = dict(
        patient={"age": 52, "sex": "male"},
        history={"onset": "chronic", "course": "worsening", "duration_days": 1000, "factors": ["cancer_history"]},
        exam={
            "strength": [
                {"movement": "ankle_dorsiflexion", "side": "right", "mrc": 3},
                {"movement": "ankle_dorsiflexion", "side": "left", "mrc": 4},
            ],
            "reflexes": [{"reflex": "achilles", "side": "bilateral", "grade": "absent"}],
        },
        electrodiagnosis={
            "needle_emg": [
                {"muscle": "paraspinal_lower_lumbar", "side": "right", "result": "active_denervation"},
                {"muscle": "paraspinal_lower_lumbar", "side": "left", "result": "active_denervation"},
            ]
        },
    )
    plain = {g.site: g.probability for g in group_sites(model, score_case(model, _case(**sections)))}
    history = {**sections["history"], "factors": ["cancer_history", "pelvic_radiation"]}
    irradiated = {
        g.site: g.probability for g in group_sites(model, score_case(model, _case(**{**sections, "history": history})))
    }

    def odds(p):
        return p["polyradiculopathy"] / p["polyneuropathy"]

    assert odds(irradiated) > 1.5 * odds(plain)


def test_a_distal_motor_neuropathy_with_normal_sensory_responses_is_a_polyneuropathy(model):
    """Distal weakness and wasting of both feet climbing slowly, low motor responses and
    denervated foot and shin muscles, with feeling, the sensory responses, the paraspinal
    muscles and the lumbar MRI normal: a motor-predominant polyneuropathy (dapsone, lead, a
    distal hereditary motor neuropathy; Preston & Shapiro), not the L5-S1 roots on both sides
    that normal sensory responses alone would suggest."""
    both = "bilateral"
    case = _case(
        patient={"age": 52},
        history={"onset": "subacute", "course": "worsening", "duration_days": 70},
        symptoms=[{"kind": "weakness", "activity": "foot_drop_tripping", "side": both}],
        exam={
            "strength": [
                {"movement": "great_toe_extension", "side": both, "mrc": 3},
                {"movement": "toe_extension", "side": both, "mrc": 3},
                {"movement": "ankle_dorsiflexion", "side": both, "mrc": 4},
                {"movement": "toe_flexion", "side": both, "mrc": 4},
                {"movement": "knee_extension", "side": both, "mrc": 5},
                {"movement": "hip_flexion", "side": both, "mrc": 5},
            ],
            "reflexes": [
                {"reflex": "achilles", "side": both, "grade": "reduced"},
                {"reflex": "patellar", "side": both, "grade": "normal"},
            ],
            "sensation": [{"region": "whole_foot_stocking", "side": both, "finding": "normal"}],
            "signs": [{"sign": "atrophy", "region": "foot", "side": both}],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "peroneal_motor_edb", "side": both, "result": "reduced"},
                {"study": "tibial_motor_ah", "side": both, "result": "reduced"},
                {"study": "sural_sensory", "side": both, "result": "normal"},
                {"study": "superficial_peroneal_sensory", "side": both, "result": "normal"},
                {"study": "medial_plantar_sensory", "side": both, "result": "normal"},
            ],
            "needle_emg": [
                {"muscle": "extensor_digitorum_brevis", "side": both, "result": "active_denervation"},
                {"muscle": "abductor_hallucis", "side": both, "result": "active_denervation"},
                {"muscle": "tibialis_anterior", "side": both, "result": "active_denervation"},
                {"muscle": "medial_gastrocnemius", "side": both, "result": "normal"},
                {"muscle": "paraspinal_lower_lumbar", "side": both, "result": "normal"},
                {"muscle": "paraspinal_sacral", "side": both, "result": "normal"},
            ],
        },
        investigations=[{"test": "mri_lumbar_spine", "finding": "normal"}],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert top.site == "polyneuropathy"
    assert model.hypotheses[top.members[0]].id.startswith("polyneuropathy_motor")


def test_a_cauda_equina_pressed_low_beside_a_taxane_polyneuropathy_stays_the_cauda_equina(model):
    """Saddle anaesthesia, a lax sphincter, weak calves and numb backs of both thighs, with a
    scan naming a sacral deposit on the cauda equina, in a man whose docetaxel left numb feet
    and absent sural responses: the cauda equina with a background polyneuropathy, not the
    conus with one (the compressed cauda spares the dorsal root ganglia, so the stocking and
    the sural responses are the neuropathy's; likelihood.yaml: background_polyneuropathy)."""
    both = "bilateral"
    case = _case(
        patient={"age": 70, "sex": "male"},
        history={
            "onset": "subacute",
            "course": "worsening",
            "duration_days": 21,
            "factors": ["cancer_history", "chemotherapy_neurotoxic"],
        },
        symptoms=[
            {"kind": "pain", "region": "buttock", "side": both, "quality": "aching", "severity": 6},
            {"kind": "numbness", "region": "saddle", "side": both},
            {"kind": "bladder_dysfunction"},
            {"kind": "numbness", "region": "whole_foot_stocking", "side": both},
        ],
        exam={
            "strength": [
                {"movement": "ankle_plantarflexion", "side": both, "mrc": 4},
                {"movement": "hip_extension", "side": both, "mrc": 4.5},
                {"movement": "ankle_dorsiflexion", "side": both, "mrc": 5},
                {"movement": "knee_extension", "side": both, "mrc": 5},
            ],
            "reflexes": [
                {"reflex": "patellar", "side": both, "grade": "normal"},
                {"reflex": "achilles", "side": both, "grade": "absent"},
                {"reflex": "plantar", "side": both, "grade": "flexor"},
            ],
            "sensation": [
                {"region": "saddle", "side": both, "finding": "absent"},
                {"region": "posterior_thigh", "side": both, "finding": "reduced"},
                {"region": "whole_foot_stocking", "side": both, "finding": "reduced"},
            ],
            "signs": [{"sign": "sphincter_tone_reduced"}],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "sural_sensory", "side": both, "result": "absent"},
                {"study": "superficial_peroneal_sensory", "side": both, "result": "reduced"},
            ]
        },
        investigations=[
            {
                "test": "mri_lumbar_spine",
                "finding": "cord_or_cauda_compression",
                "level": "S1-S2",
                "position": "central",
                "site": "cauda_equina",
            },
        ],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert top.site == "cauda_equina"
    assert any(model.hypotheses[i].id.endswith("+polyneuropathy") for i in top.members)


def test_weak_legs_after_intensive_care_with_myopathic_units_and_small_motor_responses_are_a_myopathy(model):
    """Both legs weak after a stay in intensive care, hips worst but the ankles and toes too,
    reflexes low, feeling and the sensory responses normal, the motor responses small and
    myopathic units in both legs: a critical illness myopathy (its muscle membrane is
    inexcitable, so the responses are small though the nerves conduct: Allen 2008; Koch
    2011), not the roots on both sides."""
    both = "bilateral"
    case = _case(
        patient={"age": 60},
        history={"onset": "acute", "course": "stable", "duration_days": 18, "factors": ["prolonged_immobility"]},
        symptoms=[{"kind": "weakness", "activity": "rising_from_chair", "side": both}],
        exam={
            "strength": [
                {"movement": "hip_flexion", "side": both, "mrc": 2},
                {"movement": "hip_extension", "side": both, "mrc": 2},
                {"movement": "knee_extension", "side": both, "mrc": 3},
                {"movement": "ankle_dorsiflexion", "side": both, "mrc": 3},
                {"movement": "ankle_plantarflexion", "side": both, "mrc": 3},
                {"movement": "toe_flexion", "side": both, "mrc": 4},
            ],
            "reflexes": [
                {"reflex": "patellar", "side": both, "grade": "reduced"},
                {"reflex": "achilles", "side": both, "grade": "reduced"},
            ],
            "sensation": [
                {"region": "whole_foot_stocking", "side": both, "finding": "normal"},
                {"region": "anterior_thigh", "side": both, "finding": "normal"},
            ],
        },
        electrodiagnosis={
            "nerve_conduction": [
                {"study": "peroneal_motor_edb", "side": both, "result": "reduced"},
                {"study": "tibial_motor_ah", "side": both, "result": "reduced"},
                {"study": "femoral_motor_quadriceps", "side": both, "result": "reduced"},
                {"study": "sural_sensory", "side": both, "result": "normal"},
                {"study": "superficial_peroneal_sensory", "side": both, "result": "normal"},
            ],
            "needle_emg": [
                {"muscle": "vastus_lateralis", "side": both, "result": "myopathic"},
                {"muscle": "iliopsoas", "side": both, "result": "myopathic"},
                {"muscle": "tibialis_anterior", "side": both, "result": "myopathic"},
            ],
        },
        investigations=[{"test": "ck", "value": 700}],
    )
    top = group_sites(model, score_case(model, case))[0]
    assert top.site == "no_neurological_lesion"
    assert model.hypotheses[top.members[0]].mimic == "myopathy"


def test_a_nerve_lesion_on_a_leg_with_old_upper_motor_neuron_signs_stays_the_nerve(model):
    """An obturator nerve hurt on a leg an old stroke left spastic: weak hip adduction, a lost
    adductor reflex, a numb inner thigh and denervated adductors, beside brisk reflexes, an
    extensor plantar and clonus on that leg, feeling on the other leg normal (no crossed loss)
    and the spine MRI normal.  The old signs are an old central lesion's (likelihood.yaml
    background_central), reported beside the nerve, not a new cord lesion."""
    from plexnav.engine.assess import localize_with_background

    right = "right"
    case = _case(
        patient={"age": 67},
        history={"onset": "acute", "course": "stable", "duration_days": 30},
        symptoms=[{"kind": "numbness", "region": "medial_thigh", "side": right}],
        exam={
            "strength": [
                {"movement": "hip_adduction", "side": right, "mrc": 2},
                {"movement": "knee_extension", "side": right, "mrc": 4},
                {"movement": "ankle_dorsiflexion", "side": right, "mrc": 4},
            ],
            "reflexes": [
                {"reflex": "adductor", "side": right, "grade": "absent"},
                {"reflex": "patellar", "side": right, "grade": "brisk"},
                {"reflex": "plantar", "side": right, "grade": "extensor"},
                {"reflex": "plantar", "side": "left", "grade": "flexor"},
            ],
            "sensation": [
                {"region": "medial_thigh", "side": right, "finding": "reduced"},
                {"region": "whole_foot_stocking", "side": "left", "finding": "normal"},
                {"region": "anterior_thigh", "side": "left", "finding": "normal"},
            ],
            "signs": [{"sign": "spasticity", "side": right}, {"sign": "sustained_clonus", "side": right}],
        },
        electrodiagnosis={
            "needle_emg": [
                {"muscle": "adductor_longus", "side": right, "result": "active_denervation"},
                {"muscle": "vastus_medialis", "side": right, "result": "normal"},
                {"muscle": "paraspinal_lower_lumbar", "side": right, "result": "normal"},
            ]
        },
        investigations=[{"test": "mri_whole_spine", "finding": "normal"}],
    )
    entries, _, background = localize_with_background(case, model)
    assert (entries[0].site, entries[0].side) == ("nerve:obturator", right)
    assert [b.detail for b in background] == ["an old upper motor neuron lesion (in the brain or the spinal cord)"]
    # the other leg's flexor plantar tells about the old lesion, not the nerve: not said against it
    assert not any("left plantar" in step for step in entries[0].against), entries[0].against

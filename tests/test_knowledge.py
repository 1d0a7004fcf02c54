"""Facts clinicians rely on, and consistency of every record."""

from __future__ import annotations

import re

import numpy as np
import pytest

from plexnav import vocabulary as V
from plexnav.knowledge.base import spec_ids_missing
from plexnav.knowledge.forward import movement_involvement, muscle_involvement, study_involvement


def roots_of(rec):
    out = {}
    for comp in rec.supply():
        out.update(comp.roots)
    return out


def test_every_spec_id_resolves(kb):
    assert spec_ids_missing(kb) == []


def test_tibialis_posterior_is_tibial_l5_and_spared_by_peroneal_lesion(kb):
    rec = kb.muscles["tibialis_posterior"]
    assert rec.nerve == "tibial_leg" and max(rec.roots, key=rec.roots.get) == "L5"
    assert muscle_involvement(kb, {"common_peroneal_fibular_head": 1.0}, "tibialis_posterior") == 0
    # one root of a three-root muscle involves it partly, most of it when it is the main root
    assert 0.5 < muscle_involvement(kb, {"root:L5": 1.0}, "tibialis_posterior") < 1


def test_gluteus_medius_is_superior_gluteal_l4_to_s1(kb):
    rec = kb.muscles["gluteus_medius"]
    assert rec.nerve == "superior_gluteal" and set(rec.roots) == {"L4", "L5", "S1"}


def test_short_head_of_biceps_is_the_only_peroneal_division_thigh_muscle(kb):
    peroneal_thigh = [
        m
        for m, rec in kb.muscles.items()
        if rec.region in ("posterior_thigh", "anterior_thigh", "medial_thigh")
        and any(c.nerve == "sciatic_peroneal_division" for c in rec.supply())
    ]
    assert peroneal_thigh == ["biceps_femoris_short_head"]
    assert muscle_involvement(kb, {"common_peroneal_fibular_head": 1.0}, "biceps_femoris_short_head") == 0
    assert muscle_involvement(kb, {"sciatic": 1.0}, "biceps_femoris_short_head") == pytest.approx(1)


def test_saphenous_snap_tests_femoral_l4_beyond_the_ganglion(kb):
    rec = kb.studies["saphenous_sensory"]
    assert rec.fibres == "sensory" and max(rec.roots, key=rec.roots.get) == "L4"
    assert "femoral" in kb.upstream(rec.nerve)
    assert study_involvement(kb, {"root:L4": 1.0}, "saphenous_sensory") == 0  # preganglionic
    assert study_involvement(kb, {"lumbar_plexus": 1.0}, "saphenous_sensory") == pytest.approx(1)
    assert study_involvement(kb, {"femoral_inguinal": 1.0}, "saphenous_sensory") == pytest.approx(1)


def test_sural_snap_tests_s1(kb):
    roots = kb.studies["sural_sensory"].roots
    assert max(roots, key=roots.get) == "S1"
    assert study_involvement(kb, {"root:S1": 1.0}, "sural_sensory") == 0
    assert study_involvement(kb, {"sacral_plexus": 1.0}, "sural_sensory") == pytest.approx(1)


def test_hip_adduction_is_obturator_and_spared_by_femoral_lesion(kb):
    assert movement_involvement(kb, {"femoral": 1.0}, "hip_adduction") == 0
    assert movement_involvement(kb, {"obturator": 1.0}, "hip_adduction") > 0.6


def test_femoral_lesion_point_above_or_below_iliacus(kb):
    assert muscle_involvement(kb, {"femoral": 1.0}, "iliopsoas") > 0.5
    assert muscle_involvement(kb, {"femoral_inguinal": 1.0}, "iliopsoas") == 0


def test_paraspinals_spared_by_plexus_abnormal_with_root(kb):
    assert muscle_involvement(kb, {"lumbosacral_trunk": 1.0}, "paraspinal_lower_lumbar") == 0
    assert muscle_involvement(kb, {"root:L5": 1.0}, "paraspinal_lower_lumbar") > 0


def test_lumbosacral_trunk_spares_s1_and_lumbar_plexus(kb):
    lesion = {"lumbosacral_trunk": 1.0}
    assert muscle_involvement(kb, lesion, "medial_gastrocnemius") < 0.5
    assert muscle_involvement(kb, lesion, "vastus_medialis") == 0
    # the trunk carries L4 and L5: most of tibialis posterior, not its S1 share
    assert 0.8 < muscle_involvement(kb, lesion, "tibialis_posterior") < 1


def test_gastrocnemius_spared_below_its_branch(kb):
    assert muscle_involvement(kb, {"tibial": 1.0}, "medial_gastrocnemius") == pytest.approx(1)
    assert muscle_involvement(kb, {"tibial_leg": 1.0}, "medial_gastrocnemius") == 0
    assert muscle_involvement(kb, {"tibial_leg": 1.0}, "tibialis_posterior") == pytest.approx(1)


@pytest.mark.parametrize("table", ["muscles", "reflexes", "skin", "studies"])
def test_every_target_has_nerve_and_roots(kb, table):
    for rec in getattr(kb, table).values():
        supply = rec.supply()
        assert supply and all(c.roots for c in supply), rec.id
        assert all(c.nerve in kb.graph for c in supply), rec.id


def test_every_source_key_exists(kb):
    refs = []
    for table in (
        kb.muscles,
        kb.reflexes,
        kb.skin,
        kb.studies,
        kb.movements,
        kb.signs,
        kb.nodes,
        kb.activities,
        kb.visceral,
    ):
        for rec in table.values():
            refs += [s.key for s in rec.sources]
    refs += [s.key for r in kb.roots.values() for s in r.sources]
    assert refs and set(refs) <= set(kb.sources)


def test_no_orphan_nodes(kb):
    used = {c.nerve for t in (kb.muscles, kb.reflexes, kb.skin, kb.studies) for r in t.values() for c in r.supply()}
    used |= {c.nerve for r in kb.visceral.values() for c in r.components}
    for node in kb.graph:
        has_children = any(True for _ in kb.graph.successors(node))
        assert has_children or node in used, f"{node} supplies nothing"


def test_content_hash_and_version(kb):
    assert len(kb.content_hash) == 64 and kb.version_label.startswith(kb.version)


def test_graph_roots_are_consistent(kb):
    for node, data in kb.graph.nodes(data=True):
        parents = list(kb.graph.predecessors(node))
        if parents:
            assert data["roots"] <= set().union(*(kb.graph.nodes[p]["roots"] for p in parents))


def test_every_movement_and_region_of_the_spec_has_muscles_or_supply(kb):
    for mov in V.MOVEMENTS:
        assert abs(sum(kb.movements[mov].muscles.values()) - 1) < 0.02


@pytest.mark.parametrize("table", ["muscles", "reflexes", "skin", "studies"])
def test_root_shares_sum_to_one(kb, table):
    for rec in getattr(kb, table).values():
        for comp in rec.supply():
            assert sum(comp.roots.values()) == pytest.approx(1, abs=0.02), rec.id


def test_a_single_root_involves_a_multi_root_muscle_partly(kb):
    """Issue: one root of a multi-root muscle must not weaken it fully."""
    for muscle, rec in kb.muscles.items():
        if rec.coverage == "any":
            continue  # segmental paraspinals
        roots = {r for c in rec.supply() for r in c.roots}
        if len(roots) < 2:
            continue
        for root in roots:
            assert muscle_involvement(kb, {f"root:{root}": 1.0}, muscle) < 1, (muscle, root)


def _load_with_changed(monkeypatch, file_name: str, change):
    """Load the knowledge base with one data file changed by ``change(data) -> data``
    (uncached: the real one stays as it is)."""
    from plexnav.knowledge import base, files

    real = files.read_yaml
    monkeypatch.setattr(files, "read_yaml", lambda name: change(real(name)) if name == file_name else real(name))
    return base.load_knowledge.__wrapped__()


@pytest.mark.parametrize("key", ["age>=6O", "age>60", "factor:not_a_factor", "diabetes"])
def test_background_polyneuropathy_odds_keys_are_checked(monkeypatch, key):
    """A misspelt risk key would silently never apply: loading refuses it, naming the key."""

    def add_key(data):
        spec = data["background_polyneuropathy"]
        spec = {**spec, "odds_ratio": {**spec["odds_ratio"], key: 2.0}}
        return {**data, "background_polyneuropathy": spec}

    with pytest.raises(ValueError, match=re.escape(repr(key))):
        _load_with_changed(monkeypatch, "likelihood.yaml", add_key)


@pytest.mark.parametrize("record", ["spinal_cord_long_tracts", "cauda_equina_low:middle", "conus_medullaris:left"])
def test_background_polyneuropathy_records_are_checked(monkeypatch, record):
    """A misspelt hypothesis record, or a side the record does not take, would silently get
    no twin: loading refuses it, naming the entry."""

    def add_record(data):
        spec = {**data["background_polyneuropathy"], "records": [record]}
        return {**data, "background_polyneuropathy": spec}

    with pytest.raises(ValueError, match=re.escape(record)):
        _load_with_changed(monkeypatch, "likelihood.yaml", add_record)


def test_a_record_named_with_a_side_gets_its_twin_on_that_side_only(model):
    """'id:side' in background_polyneuropathy.records twins that side alone: the low cauda
    equina pressed on both sides has a background twin, its one-sided forms have none."""
    ids = {h.id for h in model.hypotheses}
    assert "cauda_equina_low:bilateral+polyneuropathy" in ids
    assert "cauda_equina_low:left+polyneuropathy" not in ids


@pytest.mark.parametrize(
    ("field", "value"), [("families", ["nerve", "nerves"]), ("central", {"umn": 1.0, "spastic": 0.5})]
)
def test_background_central_names_known_families_and_effects(monkeypatch, field, value):
    """A misspelt family would give no twin, a misspelt effect none of its signs: loading
    refuses them, naming the choices."""

    def change(data):
        return {**data, "background_central": {**data["background_central"], field: value}}

    with pytest.raises(ValueError, match="background_central"):
        _load_with_changed(monkeypatch, "likelihood.yaml", change)


def test_a_look_alikes_own_responses_must_be_motor_studies(monkeypatch):
    """A muscle disease lowers the motor responses recorded from its muscles, never a sensory
    response: a sensory study under motor_responses is refused, naming it."""

    def add(data):
        mimics = [
            {**m, "motor_responses": {"sural_sensory": 0.3}} if m["id"] == "myopathy" else m for m in data["mimics"]
        ]
        return {**data, "mimics": mimics}

    with pytest.raises(ValueError, match="sural_sensory"):
        _load_with_changed(monkeypatch, "mimics.yaml", add)


@pytest.mark.parametrize(
    ("key", "age", "holds"),
    [
        ("age>=60", 60, True),
        ("age>=60", 59, False),
        ("age<40", 39, True),
        ("age<40", 40, False),
        ("age<40", None, False),
    ],
)
def test_age_conditions(key, age, holds):
    from plexnav.knowledge.age import age_applies

    assert age_applies(key, age) is holds


def _p_abnormal(model, hypothesis_id: str, finding: str) -> float:
    index = {h.id: i for i, h in enumerate(model.hypotheses)}
    return float(model.p_abnormal[index[hypothesis_id], model.finding_index[finding]])


def test_a_cord_lesion_disturbs_the_bladder_and_weakens_the_legs_from_above():
    """A thoracic cord lesion touches no lumbosacral root, yet sphincters and a weak leg are
    among its commonest complaints (its central effects, sites.yaml)."""
    from plexnav.modelcache import load_model

    model = load_model()
    assert _p_abnormal(model, "spinal_cord:bilateral", "symptom:bladder_dysfunction") > 0.5
    assert _p_abnormal(model, "spinal_cord:bilateral", "symptom:weakness:anywhere:left") > 0.5
    assert _p_abnormal(model, "spinal_cord:bilateral", "symptom:bladder_dysfunction") > 5 * _p_abnormal(
        model, "no_neurological_lesion:symptomatic", "symptom:bladder_dysfunction"
    )


def test_a_diffuse_polyradiculopathy_takes_the_upper_lumbar_roots_a_cauda_equina_lesion_spares():
    from plexnav.modelcache import load_model

    model = load_model()
    knee = "strength:knee_extension:left"
    assert _p_abnormal(model, "polyradiculopathy_L1_S4:bilateral", knee) > _p_abnormal(
        model, "cauda_equina:bilateral", knee
    )


def test_evidence_for_a_lesion_point_must_name_a_known_hypothesis(monkeypatch):
    def name_unknown_point(data):
        evidence = {**data["evidence"]}
        evidence["provoked:walking"] = {**evidence["provoked:walking"], "hypothesis": {"nerve_tibial_tunnel": 0.5}}
        return {**data, "evidence": evidence}

    with pytest.raises(ValueError, match="nerve_tibial_tunnel"):
        _load_with_changed(monkeypatch, "mimics.yaml", name_unknown_point)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"sites": {"nerve:femorall": 2}}, "nerve:femorall"),
        ({"families": {"rooot": 2}}, "rooot"),
        ({"sites": {"nerve:femoral": 0}}, "positive"),
        ({"label": None}, "label"),
    ],
)
def test_site_risk_rules_are_checked(monkeypatch, change, words):
    """A history factor's odds name real sites and families, are positive, and carry the
    words its explanation line needs: loading refuses anything else, naming it."""

    def spoil(data):
        rule = {**data["site_risk"]["factor:recent_surgery_pelvic"], **change}
        return {**data, "site_risk": {**data["site_risk"], "factor:recent_surgery_pelvic": rule}}

    with pytest.raises(ValueError, match=re.escape(words)):
        _load_with_changed(monkeypatch, "likelihood.yaml", spoil)


def test_pelvic_radiotherapy_favours_a_two_sided_plexus_lesion(model):
    """Radiation lumbosacral plexopathy is two-sided about five times for every one-sided
    (Thomas 1985), a recurrence mostly one-sided (Jaeckle 1985): after pelvic radiotherapy the
    two-sided form must come out about 1.5:1 against both one-sided forms together."""
    risk = model.site_risk["factor:pelvic_radiation"]
    index = {h.id: i for i, h in enumerate(model.hypotheses)}
    both, left = index["plexus_lumbosacral:bilateral"], index["plexus_lumbosacral:left"]
    shift = risk[both] - risk[left]
    assert shift == pytest.approx(np.log(6))
    prior = (
        model.log_prior[both]
        + risk[both]
        - np.logaddexp(
            model.log_prior[left] + risk[left], model.log_prior[index["plexus_lumbosacral:right"]] + risk[left]
        )
    )
    assert np.exp(prior) == pytest.approx(1.5, rel=0.05)


def test_pudendal_neuralgia_hurts_and_tingles_without_sensory_loss():
    """Nantes criteria (Labat 2008): pain and paraesthesia in the pudendal territory without
    objective sensory loss; a pudendal nerve injury numbs the same skin."""
    from plexnav.modelcache import load_model

    model = load_model()
    entrapment, injury = "nerve_pudendal:left", "nerve_pudendal_injury:left"
    assert _p_abnormal(model, entrapment, "symptom:pain:saddle:left") == pytest.approx(
        _p_abnormal(model, injury, "symptom:pain:saddle:left")
    )
    assert _p_abnormal(model, entrapment, "symptom:sensory:saddle:left") == pytest.approx(
        _p_abnormal(model, injury, "symptom:sensory:saddle:left")
    )
    assert (
        _p_abnormal(model, entrapment, "sensation:saddle:left")
        < 0.25
        < _p_abnormal(model, injury, "sensation:saddle:left")
    )


def test_a_two_sided_segmental_polyradiculopathy_reaches_each_side_partly():
    """Canal stenosis is uneven (sites.yaml polyradiculopathy.bilateral_involvement): each side
    of a two-sided range is weakened less often than the one-sided range's own side, while
    the diffuse L1-S4 process stays complete."""
    from plexnav.modelcache import load_model

    model = load_model()
    finding = "strength:great_toe_extension:left"
    one, both = "polyradiculopathy_L4_L5:left", "polyradiculopathy_L4_L5:bilateral"
    assert _p_abnormal(model, both, finding) < _p_abnormal(model, one, finding)
    assert _p_abnormal(model, "polyradiculopathy_L1_S4:bilateral", finding) >= _p_abnormal(model, one, finding)

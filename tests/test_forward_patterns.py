"""Golden deficit patterns: the forward model applied to each site gives the textbook picture
the teaching notes of the shared cases describe (Preston & Shapiro; Wilbourn 2007)."""

from __future__ import annotations

import numpy as np
import pytest

from plexnav.knowledge.forward import deficit_pattern

# (lesion nodes, affected targets, spared targets) — targets as "group:id"
PATTERNS = {
    "L4 root": (
        {"root:L4": 1},
        [
            "denervated_muscles:vastus_medialis",
            "reflexes_reduced:patellar",
            "numb_regions:medial_leg",
            "denervated_muscles:paraspinal_lower_lumbar",
        ],
        ["abnormal_studies:saphenous_sensory", "denervated_muscles:tibialis_posterior"],
    ),
    "L5 root": (
        {"root:L5": 1},
        [
            "denervated_muscles:tibialis_anterior",
            "denervated_muscles:tibialis_posterior",
            "denervated_muscles:gluteus_medius",
            "weak_movements:ankle_inversion",
            "numb_regions:dorsum_foot",
            "denervated_muscles:paraspinal_lower_lumbar",
        ],
        [
            "abnormal_studies:superficial_peroneal_sensory",
            "denervated_muscles:vastus_medialis",
            "reflexes_reduced:achilles",
        ],
    ),
    "S1 root": (
        {"root:S1": 1},
        [
            "denervated_muscles:medial_gastrocnemius",
            "reflexes_reduced:achilles",
            "numb_regions:lateral_foot",
            "abnormal_studies:h_reflex",
            "denervated_muscles:gluteus_maximus",
        ],
        ["abnormal_studies:sural_sensory", "denervated_muscles:tibialis_anterior"],
    ),
    "lumbar plexus": (
        {"lumbar_plexus": 1},
        [
            "denervated_muscles:iliopsoas",
            "denervated_muscles:vastus_lateralis",
            "denervated_muscles:adductor_longus",
            "reflexes_reduced:adductor",
            "abnormal_studies:saphenous_sensory",
            "abnormal_studies:lateral_femoral_cutaneous_sensory",
        ],
        [
            "denervated_muscles:paraspinal_upper_lumbar",
            "denervated_muscles:gluteus_medius",
            "denervated_muscles:tibialis_anterior",
        ],
    ),
    "lumbosacral trunk": (
        {"lumbosacral_trunk": 1},
        [
            "denervated_muscles:tibialis_anterior",
            "denervated_muscles:tibialis_posterior",
            "denervated_muscles:gluteus_medius",
            "abnormal_studies:superficial_peroneal_sensory",
        ],
        [
            "denervated_muscles:paraspinal_lower_lumbar",
            "denervated_muscles:vastus_medialis",
            "abnormal_studies:sural_sensory",
            "reflexes_reduced:achilles",
        ],
    ),
    "sacral plexus": (
        {"sacral_plexus": 1},
        [
            "denervated_muscles:gluteus_maximus",
            "denervated_muscles:gluteus_medius",
            "denervated_muscles:biceps_femoris_short_head",
            "abnormal_studies:sural_sensory",
            "numb_regions:posterior_thigh",
            "reflexes_reduced:achilles",
        ],
        [
            "denervated_muscles:vastus_lateralis",
            "denervated_muscles:adductor_longus",
            "abnormal_studies:saphenous_sensory",
            "denervated_muscles:paraspinal_sacral",
        ],
    ),
    "femoral in pelvis": (
        {"femoral": 1},
        [
            "denervated_muscles:iliopsoas",
            "denervated_muscles:vastus_medialis",
            "reflexes_reduced:patellar",
            "abnormal_studies:saphenous_sensory",
        ],
        ["denervated_muscles:adductor_longus", "weak_movements:hip_adduction"],
    ),
    "femoral at inguinal ligament": (
        {"femoral_inguinal": 1},
        ["denervated_muscles:vastus_medialis", "abnormal_studies:femoral_motor_quadriceps"],
        ["denervated_muscles:iliopsoas", "denervated_muscles:adductor_longus"],
    ),
    "obturator": (
        {"obturator": 1},
        ["denervated_muscles:adductor_longus", "weak_movements:hip_adduction", "reflexes_reduced:adductor"],
        ["denervated_muscles:vastus_lateralis", "reflexes_reduced:patellar", "abnormal_studies:saphenous_sensory"],
    ),
    "lateral femoral cutaneous": (
        {"lateral_femoral_cutaneous_inguinal": 1},
        ["numb_regions:lateral_thigh", "abnormal_studies:lateral_femoral_cutaneous_sensory"],
        ["weak_movements:hip_flexion", "weak_movements:knee_extension", "reflexes_reduced:patellar"],
    ),
    "sciatic at the notch": (
        {"sciatic": 1},
        [
            "denervated_muscles:biceps_femoris_short_head",
            "denervated_muscles:biceps_femoris_long_head",
            "denervated_muscles:tibialis_anterior",
            "denervated_muscles:medial_gastrocnemius",
            "abnormal_studies:sural_sensory",
        ],
        ["denervated_muscles:gluteus_medius", "denervated_muscles:gluteus_maximus", "numb_regions:posterior_thigh"],
    ),
    "common peroneal at fibular head": (
        {"common_peroneal_fibular_head": 1},
        [
            "denervated_muscles:tibialis_anterior",
            "denervated_muscles:peroneus_longus",
            "abnormal_studies:superficial_peroneal_sensory",
            "numb_regions:first_web_space",
        ],
        [
            "denervated_muscles:biceps_femoris_short_head",
            "denervated_muscles:tibialis_posterior",
            "weak_movements:ankle_inversion",
            "reflexes_reduced:achilles",
        ],
    ),
    "superior gluteal": (
        {"superior_gluteal": 1},
        [
            "denervated_muscles:gluteus_medius",
            "denervated_muscles:tensor_fasciae_latae",
            "weak_movements:hip_abduction",
        ],
        ["denervated_muscles:gluteus_maximus", "numb_regions:buttock"],
    ),
    "tibial at the knee": (
        {"tibial": 1},
        [
            "denervated_muscles:medial_gastrocnemius",
            "denervated_muscles:tibialis_posterior",
            "denervated_muscles:abductor_hallucis",
            "reflexes_reduced:achilles",
            "abnormal_studies:sural_sensory",
        ],
        ["denervated_muscles:tibialis_anterior", "denervated_muscles:biceps_femoris_long_head"],
    ),
    "tarsal tunnel": (
        {"tibial_ankle": 1},
        ["denervated_muscles:abductor_hallucis", "abnormal_studies:medial_plantar_sensory", "numb_regions:sole"],
        ["denervated_muscles:medial_gastrocnemius", "reflexes_reduced:achilles", "abnormal_studies:sural_sensory"],
    ),
}


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_textbook_deficit_pattern(kb, name):
    lesion, affected, spared = PATTERNS[name]
    # a main share of the target's supply: at 0.35 needle EMG reaches its full sensitivity
    # (likelihood.yaml saturation), one root of a three-root muscle already counts
    pattern = deficit_pattern(kb, lesion, threshold=0.35)
    for item in affected:
        group, target = item.split(":")
        assert target in pattern[group], f"{name}: {target} should be affected ({group})"
    for item in spared:
        group, target = item.split(":")
        assert target not in pattern[group], f"{name}: {target} should be spared ({group})"


def test_the_reviewed_expectation_tables_hold(kb):
    """Every reviewed expectation table (tests/expectations) still matches the forward model.
    tests/test_expectations.py checks them table by table with the row named; this single
    check sits here too so the fast subset that knowledge mutation checks run (the shared
    kb_mutants tool runs this file) sees every frozen fact."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "expectation_tables.py"
    spec = importlib.util.spec_from_file_location("expectation_tables", script)
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    problems = tables.check(tables.live_tables(kb), tables.read_tables())
    assert not problems, "\n".join(problems[:20])


def test_a_background_polyneuropathy_reaches_the_silent_side(model):
    """A focal lesion with a background polyneuropathy is two-sided through its background:
    a side with no complaint and no abnormal finding argues against it as it argues against
    the polyneuropathy alone, not only against the focal lesion."""
    col = model.column[("complaint:left", "absent")]
    twin = next(i for i, h in enumerate(model.hypotheses) if h.id == "nerve_tibial_ankle:right+polyneuropathy")
    alone = int(np.flatnonzero(model.polyneuropathy_alone)[0])
    focal = int(model.focal_of[twin])
    assert model.log_lik[twin, col] == pytest.approx(model.log_lik[alone, col])
    assert model.log_lik[focal, col] > model.log_lik[twin, col] + 1.0


def test_a_polyneuropathy_weakens_the_shin_before_the_calf(model):
    """Bourque & Dyck 1990: in 86 cases of hereditary motor and sensory neuropathy type 1 the
    ankle plantar flexors were never weaker than the dorsiflexors; a polyneuropathy grades
    the peroneal-supplied leg muscles weaker than the calf.  So bilateral foot drop with
    steppage counts for a polyneuropathy more than calf weakness does, and selective calf
    weakness points away from it (towards the roots)."""
    alone = int(np.flatnonzero(model.polyneuropathy_alone)[0])

    def loglik(key: str) -> float:
        return float(model.log_lik[alone, model.column[(key, "mild")]])

    for side in ("left", "right"):
        assert loglik(f"strength:ankle_dorsiflexion:{side}") > loglik(f"strength:ankle_plantarflexion:{side}") + 0.3
        assert loglik(f"strength:great_toe_extension:{side}") > loglik(f"strength:ankle_plantarflexion:{side}")

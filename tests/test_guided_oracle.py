"""A textbook patient who answers guided questions, for the guided-examination tests.

Why a module: the engine test, the CLI test and the browser test all examine the same
simulated patients (a common peroneal lesion at the fibular head, an L5 root lesion) and
must answer the same way.  The patient answers every finding as its lesion predicts more
often than not (the model's probability of an abnormal result at least one half).
"""

from __future__ import annotations

import numpy as np

PERONEAL = "nerve_common_peroneal_fibular_head:right"
L5_ROOT = "root_L5:right"


def answer_for(model, hypothesis_id: str, key: str) -> str:
    """The key the patient's examiner presses for ``key`` (e.g. '3', 'r', 'a', 'n')."""
    h = next(i for i, hyp in enumerate(model.hypotheses) if hyp.id == hypothesis_id)
    f = model.finding_index[key]
    spec = model.findings[f]
    abnormal = model.p_abnormal[h, f] >= 0.5
    prefix = key.split(":")[0]
    if prefix == "strength":
        return ("3" if model.lmn[h, f] >= 0.6 else "4") if abnormal else "5"
    if spec.kind == "plantar":
        return "e" if abnormal else "f"
    if prefix == "reflex":
        return ("b" if model.inv_umn[h, f] > model.inv_lmn[h, f] else "r") if abnormal else "n"
    if prefix in ("sensation", "ncs"):
        return "r" if abnormal else "n"
    if prefix == "sign":
        return "p" if abnormal else "n"
    return "a" if abnormal else "n"


def test_the_patient_answers_as_the_lesion_predicts(model):
    assert answer_for(model, PERONEAL, "strength:ankle_dorsiflexion:right") in ("3", "4")
    assert answer_for(model, PERONEAL, "strength:ankle_dorsiflexion:left") == "5"
    assert answer_for(model, PERONEAL, "needle_emg:tibialis_anterior:right") == "a"
    assert answer_for(model, PERONEAL, "needle_emg:tibialis_posterior:right") == "n"
    assert answer_for(model, L5_ROOT, "needle_emg:tibialis_posterior:right") == "a"
    assert answer_for(model, L5_ROOT, "reflex:patellar:right") == "n"
    assert np.isfinite(model.p_abnormal).all()

"""Keyboard answers of guided examination written into a case, and undone."""

from __future__ import annotations

import pytest

from plexnav.engine.guided_answers import AnswerError, add_answer, choices, remove_answer
from plexnav.validation import validate_case

EMPTY = {"format": "plexnav-case/1"}


@pytest.mark.parametrize(
    "key, answer, section, entry",
    [
        ("strength:ankle_eversion:right", "3", "strength", {"movement": "ankle_eversion", "side": "right", "mrc": 3}),
        ("reflex:achilles:left", "a", "reflexes", {"reflex": "achilles", "side": "left", "grade": "absent"}),
        ("reflex:plantar:left", "e", "reflexes", {"reflex": "plantar", "side": "left", "grade": "extensor"}),
        ("reflex:anal_wink", "r", "reflexes", {"reflex": "anal_wink", "grade": "reduced"}),
        ("sensation:saddle", "n", "sensation", {"region": "saddle", "finding": "normal"}),
        (
            "sign:straight_leg_raise:right",
            "n",
            "signs",
            {"sign": "straight_leg_raise", "side": "right", "result": "negative"},
        ),
        (
            "ncs:peroneal_motor_edb:right",
            "c",
            "nerve_conduction",
            {"study": "peroneal_motor_edb", "side": "right", "result": "conduction_block_fibular_head"},
        ),
        (
            "ncs:tibial_motor_ah:right",
            "c",
            "nerve_conduction",
            {"study": "tibial_motor_ah", "side": "right", "result": "conduction_block_other"},
        ),
        (
            "needle_emg:tibialis_posterior:right",
            "b",
            "needle_emg",
            {"muscle": "tibialis_posterior", "side": "right", "result": "both"},
        ),
        (
            "needle_emg:external_anal_sphincter",
            "a",
            "needle_emg",
            {"muscle": "external_anal_sphincter", "result": "active_denervation"},
        ),
    ],
)
def test_an_answer_becomes_a_valid_case_entry(key, answer, section, entry):
    document = add_answer(EMPTY, key, answer)
    group = "exam" if section in ("strength", "reflexes", "sensation", "signs") else "electrodiagnosis"
    assert document[group][section] == [entry]
    validate_case(document)
    assert "exam" not in EMPTY  # the input is not changed


def test_undo_removes_exactly_the_last_answer_to_that_question():
    document = add_answer(EMPTY, "strength:hip_flexion:left", "5")
    document = add_answer(document, "strength:hip_flexion:right", "4")
    document = add_answer(document, "reflex:patellar:right", "r")
    undone = remove_answer(document, "strength:hip_flexion:right")
    assert undone["exam"]["strength"] == [{"movement": "hip_flexion", "side": "left", "mrc": 5}]
    assert undone["exam"]["reflexes"] == document["exam"]["reflexes"]
    assert remove_answer(undone, "reflex:patellar:right")["exam"]["reflexes"] == []


def test_a_wrong_key_is_refused_naming_the_answer_and_the_valid_keys():
    with pytest.raises(AnswerError) as caught:
        add_answer(EMPTY, "needle_emg:tibialis_anterior:left", "r")
    assert caught.value.field == "answer" and "n, a, c, b" in caught.value.message
    with pytest.raises(AnswerError):
        add_answer(EMPTY, "ncs:sural_sensory:left", "c")  # a sensory study has no conduction block
    with pytest.raises(AnswerError) as caught:
        add_answer(EMPTY, "symptom:pain:buttock:left", "p")
    assert caught.value.field == "finding"


def test_choices_name_the_keys_in_clinical_words():
    assert [k for k, _ in choices("strength:hip_flexion:left")] == ["0", "1", "2", "3", "4", "5"]
    assert [k for k, _ in choices("reflex:patellar:left")] == ["n", "r", "a", "b"]
    assert [k for k, _ in choices("needle_emg:soleus:left")] == ["n", "a", "c", "b"]
    assert dict(choices("ncs:peroneal_motor_ta:left"))["c"] == "conduction block at the fibular head"

"""Form <-> case conversion, labels, the body map and the result presentation (no server)."""

from __future__ import annotations

import json

import pytest
from web_support import example_case, shared_cases

from plexnav import vocabulary as V
from plexnav.case import Case
from plexnav.validation import validate_case
from plexnav.web import bodymap, forms, labels, present


@pytest.mark.parametrize("text, grade", [("5", 5), ("4+", 4.5), ("4-", 3.5), ("4.5", 4.5), ("0", 0), (" 3 ", 3),
                                         ("", None), ("3,5", 3.5)])
def test_parse_mrc(text, grade):
    assert forms.parse_mrc(text) == grade


@pytest.mark.parametrize("text", ["6", "5+", "-1", "x", "4++"])
def test_parse_mrc_rejects(text):
    with pytest.raises(ValueError):
        forms.parse_mrc(text)


def _exam_sections(document: dict) -> Case:
    """The sections the exam form edits, with bilateral findings split per side."""
    keep = {k: v for k, v in document.items() if k in forms.EXAM_SECTIONS or k == "format"}
    return Case.model_validate(keep)


def _normalise(case: Case) -> dict:
    def key(item):
        return json.dumps(item, sort_keys=True)
    data = case.model_dump(mode="json", exclude_none=True)
    for section in ("exam", "electrodiagnosis"):
        for name, items in (data.get(section) or {}).items():
            for item in items:  # midline findings: "bilateral" and no side mean the same
                if item.get("side") == "bilateral" and (item.get("region") in V.MIDLINE_REGIONS
                                                        or item.get("reflex") in V.MIDLINE_REFLEXES
                                                        or item.get("sign") in V.MIDLINE_SIGNS
                                                        or item.get("muscle") == "external_anal_sphincter"):
                    del item["side"]
            data[section][name] = sorted(items, key=key)
    data.get("history", {}).get("factors", []).sort()
    return data


CASES = [example_case(n) for n in ("common-peroneal-fibular-head", "l5-radiculopathy",
                                   "lumbar-plexus-diabetic-amyotrophy")]
CASES += shared_cases()


def _lateral_only(document: dict) -> bool:
    """Cases whose findings all name left or right (the exam form records sides per column)."""
    for section in ("exam", "electrodiagnosis"):
        for items in (document.get(section) or {}).values():
            for item in items:
                side = item.get("side")
                region = item.get("region")
                midline = (region in V.MIDLINE_REGIONS or item.get("muscle") == "external_anal_sphincter"
                           or item.get("reflex") in V.MIDLINE_REFLEXES or item.get("sign") in labels.MIDLINE_PRESENCE_SIGNS
                           or region == "whole_foot_stocking")
                if side not in ("left", "right") and not midline:
                    return False
    imaging = [i for i in document.get("investigations", []) if i["test"] in V.IMAGING_TESTS]
    return len(imaging) <= forms.IMAGING_ROWS


@pytest.mark.parametrize("document", [c for c in CASES if _lateral_only(c)],
                         ids=lambda d: str(d.get("id")))
def test_exam_form_round_trip(document):
    values = forms.case_to_exam(document)
    back, errors = forms.exam_to_case(forms.FormData.from_mapping(values))
    assert errors == []
    merged = forms.merge(document, back, forms.EXAM_SECTIONS)
    assert _normalise(_exam_sections(merged)) == _normalise(_exam_sections(document))
    validate_case(merged)


def test_questionnaire_round_trip():
    form = {"pain": ["lower_back:right", "posterior_thigh:right"], "pain_quality": "shooting", "pain_severity": "7",
            "numb": ["saddle", "lateral_foot:right"], "numb_kind": "both", "weak": ["walking_on_toes:right"],
            "weak_sudden": "yes", "other": ["falls"], "pelvic": ["bladder_dysfunction"], "age": "52", "sex": "male",
            "onset": "acute", "course": "worsening", "duration_value": "2", "duration_unit": "weeks",
            "factors": ["lifting_injury", "smoking"]}
    document, errors = forms.questionnaire_to_case(forms.FormData.from_mapping(form))
    assert errors == []
    case, _ = validate_case(document)
    assert case.history.duration_days == 14
    kinds = [(s.kind, s.region, s.side) for s in case.symptoms]
    assert ("numbness", "saddle", None) in kinds and ("tingling", "saddle", None) in kinds
    assert any(s.kind == "weakness" and s.onset_sudden_severe for s in case.symptoms)
    values = forms.case_to_questionnaire(document)
    for key in ("pain_quality", "pain_severity", "numb_kind", "weak_sudden", "age", "sex", "onset", "course"):
        assert values[key] == form[key], key
    assert set(values["pain"]) == set(form["pain"]) and set(values["numb"]) == set(form["numb"])
    assert values["duration_value"] == "14" and values["duration_unit"] == "days"
    again, _ = forms.questionnaire_to_case(forms.FormData.from_mapping(values))
    assert _normalise(Case.model_validate(again)) == _normalise(case)


def test_merge_keeps_sections_the_form_does_not_edit():
    stored = example_case()
    stored["symptoms"] = [{"kind": "pain", "region": "lateral_leg", "side": "right", "severity": 4}]
    edited = {"format": V.CASE_FORMAT, "exam": {"strength": [{"movement": "hip_flexion", "side": "left", "mrc": 4}]}}
    merged = forms.merge(stored, edited, forms.EXAM_SECTIONS)
    assert merged["symptoms"] == stored["symptoms"] and merged["id"] == stored["id"]
    assert merged["exam"] == edited["exam"] and "electrodiagnosis" not in merged


def test_bad_numbers_are_reported_not_raised():
    _, errors = forms.exam_to_case(forms.FormData.from_mapping({"mrc.hip_flexion.left": "7", "age": "old",
                                                                "lab.hba1c": "high"}))
    assert {e.path for e in errors} == {"mrc.hip_flexion.left", "patient.age", "lab.hba1c"}


def test_every_id_has_words():
    assert set(labels.PLAIN_REGIONS) == set(V.SKIN_REGIONS)
    assert set(labels.PLAIN_ACTIVITIES) == set(V.WEAKNESS_ACTIVITIES)
    assert set(labels.PLAIN_QUALITIES) == set(V.PAIN_QUALITIES)
    assert set(labels.PLAIN_ONSETS) == set(V.ONSETS) and set(labels.PLAIN_COURSES) == set(V.COURSES)
    assert set(labels.PLAIN_FACTORS) == set(V.HISTORY_FACTORS)
    assert set(labels.TRIAGE_HEADLINES) == set(V.TRIAGE_LEVELS)
    assert set(labels.NCS_RESULT_WORDS) == set(V.NCS_RESULTS) and set(labels.EMG_RESULT_WORDS) == set(V.EMG_RESULTS)
    signs = set(labels.SIGN_RESULT_SIGNS) | set(labels.SIDED_PRESENCE_SIGNS) | set(labels.MIDLINE_PRESENCE_SIGNS)
    assert signs | set(V.SIGNS_WITH_REGION) == set(V.SIGNS)
    for site in V.SITES:
        assert labels.plain_site(site)
    for cause in V.CAUSES:
        assert labels.cause(cause)


def test_body_map_draws_every_region_on_both_sides():
    drawn = set(bodymap.map_keys())
    for region, side in bodymap.region_keys():
        if region == "whole_foot_stocking":
            continue
        assert bodymap.key_of(region, side) in drawn, (region, side)
    assert all(bodymap.split_key(k)[0] in V.SKIN_REGIONS for k in drawn)
    front = [s for s in bodymap.shapes() if s.view == "front" and s.region == "anterior_thigh"]
    # front view faces the viewer: the person's right thigh is drawn on the viewer's left
    right_x = float(next(s for s in front if s.side == "right").d[1:].split(",")[0])
    left_x = float(next(s for s in front if s.side == "left").d[1:].split(",")[0])
    assert right_x < bodymap.FRONT_MID < left_x


def test_territory_of_a_right_common_peroneal_lesion():
    from plexnav.engine.assess import assess
    case, _ = validate_case(example_case())
    territory = present.territory(assess(case))
    assert territory.hypothesis.startswith("nerve_common_peroneal")
    assert territory.shading.get("lateral_leg:right", 0) > 0.5
    assert territory.shading.get("dorsum_foot:right", 0) > 0.5
    assert not any(k.endswith(":left") for k in territory.shading)
    assert "anterior_thigh:right" not in territory.shading


def test_summary_split_and_questions():
    from plexnav.engine.assess import assess
    case, _ = validate_case(example_case())
    result = assess(case)
    sentences, questions = present.split_summary(result)
    assert questions and all(q.startswith("Ask") for q in questions)
    assert not any(q in " ".join(sentences) for q in questions)
    assert "never replaces" not in " ".join(sentences)
    assert present.patient_questions(result)[0] == questions[0]
    assert present.education_links(result)[-1] == "faq"
    assert present.finding_label("needle_emg:paraspinal_lower_lumbar:left").startswith("Needle EMG: ")

"""Form <-> case conversion, labels, the body map and the result presentation (no server)."""

from __future__ import annotations

import json

import pytest

from plexnav import vocabulary as V
from plexnav.case import Case
from plexnav.validation import validate_case
from plexnav.web import bodymap, forms, labels, present
from revision_1_1 import revision_1_1_case, with_revision_1_1_output
from web_support import example_case, shared_cases


@pytest.mark.parametrize(
    "text, grade", [("5", 5), ("4+", 4.5), ("4-", 3.5), ("4.5", 4.5), ("0", 0), (" 3 ", 3), ("", None), ("3,5", 3.5)]
)
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
                if item.get("side") == "bilateral" and (
                    item.get("region") in V.MIDLINE_REGIONS
                    or item.get("reflex") in V.MIDLINE_REFLEXES
                    or item.get("sign") in V.MIDLINE_SIGNS
                    or item.get("muscle") == "external_anal_sphincter"
                ):
                    del item["side"]
            data[section][name] = sorted(items, key=key)
    data.get("history", {}).get("factors", []).sort()
    return data


CASES = [
    example_case(n) for n in ("common-peroneal-fibular-head", "l5-radiculopathy", "lumbar-plexus-diabetic-amyotrophy")
]
CASES += shared_cases()


def _lateral_only(document: dict) -> bool:
    """Cases whose findings all name left or right (the exam form records sides per column)."""
    for section in ("exam", "electrodiagnosis"):
        for items in (document.get(section) or {}).values():
            for item in items:
                side = item.get("side")
                region = item.get("region")
                midline = (
                    region in V.MIDLINE_REGIONS
                    or item.get("muscle") == "external_anal_sphincter"
                    or item.get("reflex") in V.MIDLINE_REFLEXES
                    or item.get("sign") in labels.MIDLINE_PRESENCE_SIGNS
                    or region == "whole_foot_stocking"
                )
                if side not in ("left", "right") and not midline:
                    return False
    imaging = [i for i in document.get("investigations", []) if i["test"] in V.IMAGING_TESTS]
    return len(imaging) <= forms.IMAGING_ROWS


@pytest.mark.parametrize("document", [c for c in CASES if _lateral_only(c)], ids=lambda d: str(d.get("id")))
def test_exam_form_round_trip(document):
    values = forms.case_to_exam(document)
    back, errors = forms.exam_to_case(forms.FormData.from_mapping(values))
    assert errors == []
    merged = forms.merge(document, back, forms.EXAM_SECTIONS)
    assert _normalise(_exam_sections(merged)) == _normalise(_exam_sections(document))
    validate_case(merged)


def test_questionnaire_round_trip():
    form = {
        "pain": ["lower_back:right", "posterior_thigh:right"],
        "pain_quality": "shooting",
        "pain_severity": "7",
        "numb": ["saddle", "lateral_foot:right"],
        "numb_kind": "both",
        "weak": ["walking_on_toes:right"],
        "weak_sudden": "yes",
        "other": ["falls"],
        "pelvic": ["bladder_dysfunction"],
        "age": "52",
        "sex": "male",
        "onset": "acute",
        "course": "worsening",
        "duration_value": "2",
        "duration_unit": "weeks",
        "factors": ["lifting_injury", "smoking"],
    }
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
    _, errors = forms.exam_to_case(
        forms.FormData.from_mapping({"mrc.hip_flexion.left": "7", "age": "old", "lab.hba1c": "high"})
    )
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
    # revision 1.1
    assert set(labels.PLAIN_PROVOKED_BY) == set(V.PROVOKED_BY) and set(labels.PLAIN_RELIEVED_BY) == set(V.RELIEVED_BY)
    assert set(labels.LIMITED_BY_WORDS) == set(V.LIMITED_BY)
    assert set(labels.WHEN_WORDS) == set(V.WORKUP_WHEN) == set(labels.PLAIN_WHEN)
    assert set(labels.POSITION_WORDS) == set(V.IMAGING_POSITIONS)
    assert set(labels.IMAGING_TEST_WORDS) == set(V.IMAGING_TESTS)
    assert set(labels.IMAGING_FINDING_WORDS) == set(V.IMAGING_FINDINGS)
    assert set(labels.LAB_LABELS) == set(V.LAB_TESTS)
    assert set(labels.MUSCLE_REGION_WORDS) >= set(V.MUSCLE_REGIONS) | set(V.COMPARTMENT_REGIONS)
    assert set(labels.MIMIC_SIGNS) <= set(labels.SIGN_RESULT_SIGNS)
    for test in V.WORKUP_TESTS:  # a plain name, from the knowledge base or labels.PLAIN_TESTS
        assert labels.test_name(test) != labels.humanize(test).capitalize(), test


def test_body_map_draws_every_region_on_both_sides():
    """Every form key (each lateral region per side, the midline regions, the stocking) has a
    region on the map, and the map draws nothing a form cannot record."""
    drawn = bodymap.map_keys()
    assert len(drawn) == len(set(drawn))
    assert set(drawn) == {bodymap.key_of(region, side) for region, side in bodymap.region_keys()}
    assert all(bodymap.split_key(k)[0] in V.SKIN_REGIONS for k in drawn)


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


# ---------------------------------------------------------------- revision 1.1

REVISION_1_1 = revision_1_1_case()
needs_1_1 = pytest.mark.skipif(REVISION_1_1 is None, reason="shared cases p23 and p24 not available")


@needs_1_1
def test_exam_form_round_trip_of_every_1_1_field():
    document = {k: v for k, v in REVISION_1_1.items() if k != "investigations"}
    imaging = [i for i in REVISION_1_1["investigations"] if i["test"] in V.IMAGING_TESTS]
    labs = [i for i in REVISION_1_1["investigations"] if i["test"] in V.LAB_TESTS]
    document["investigations"] = imaging[: forms.IMAGING_ROWS] + labs

    # the exam form has one cell per finding and side (p23 and p24 both grade the right hip abduction, for
    # one), and records a sign's result: keep the first of each and give a missing result its default
    def first_of_each(items, *keys):
        seen = {}
        for item in items:
            seen.setdefault(tuple(item.get(k) for k in keys), item)
        return list(seen.values())

    exam = document["exam"]
    document["exam"] = {
        **exam,
        "strength": first_of_each(exam["strength"], "movement", "side"),
        "reflexes": first_of_each(exam["reflexes"], "reflex", "side"),
        "sensation": first_of_each(exam["sensation"], "region", "side"),
        "signs": [
            {**s, "result": s.get("result", "positive")} if s["sign"] in V.SIGNS_WITH_RESULT else s
            for s in first_of_each(exam["signs"], "sign", "region", "side")
        ],
    }
    values = forms.case_to_exam(document)
    assert values["lim.hip_abduction.right"] == "pain" and values["lim.hip_flexion.left"] == "effort"
    assert values["sens.saddle.right"] == "reduced" and values["sens.genital"] == "normal"
    assert values["sign.tender_tense_compartment.anterior_leg.left"] == "positive"
    assert values["sign.hoover_sign.left"] == "negative"
    assert values["img.0.level"] == "T11-T12" and values["img.0.position"] == "central"
    assert values["img.0.site"] == "spinal_cord"
    back, errors = forms.exam_to_case(forms.FormData.from_mapping(values))
    assert errors == []
    merged = forms.merge(document, back, forms.EXAM_SECTIONS)

    def normal(doc):  # the form lists laboratory values before imaging
        data = _normalise(_exam_sections(doc))
        data["investigations"].sort(key=lambda i: json.dumps(i, sort_keys=True))
        return data

    assert normal(merged) == normal(document)
    validate_case(merged)


def test_exam_form_reads_1_1_fields():
    form = {
        "mrc.hip_abduction.right": "4",
        "lim.hip_abduction.right": "pain",
        "sign.greater_trochanter_tenderness.right": "positive",
        "sign.hip_rotation_pain.right": "negative",
        "sign.tender_tense_compartment.calf.left": "positive",
        "sens.saddle.left": "reduced",
        "img.0.test": "mri_whole_spine",
        "img.0.finding": "cord_or_cauda_compression",
        "img.0.level": "t11 - t12",
        "img.0.position": "central",
        "img.0.site": "spinal_cord",
        "img.1.test": "ultrasound_nerve",
        "img.1.finding": "mass",
        "img.1.side": "right",
        "img.1.site": "nerve:tibial",
        "lab.ankle_brachial_index": "0.6",
        "lab.creatinine": "1.3",
    }
    document, errors = forms.exam_to_case(forms.FormData.from_mapping(form))
    assert errors == []
    case, _ = validate_case(document)
    assert [(f.movement, f.mrc, f.limited_by) for f in case.exam.strength] == [("hip_abduction", 4, "pain")]
    assert ("tender_tense_compartment", "calf", "left", "positive") in [
        (s.sign, s.region, s.side, s.result) for s in case.exam.signs
    ]
    assert [(s.region, s.side) for s in case.exam.sensation] == [("saddle", "left")]
    spine, us, abi, creat = sorted(
        case.investigations,
        key=lambda i: i.test != "mri_whole_spine" and (i.test != "ultrasound_nerve") + (i.test == "creatinine"),
    )
    assert (spine.level, spine.position, spine.site) == ("T11-T12", "central", "spinal_cord")
    assert (us.site, us.side) == ("nerve:tibial", "right")
    assert {i.test: i.value for i in case.investigations if i.value is not None} == {
        "ankle_brachial_index": 0.6,
        "creatinine": 1.3,
    }


@pytest.mark.parametrize(
    "form, field, words, choice",
    [
        (
            {"mrc.hip_abduction.right": "4", "lim.hip_abduction.right": "laziness"},
            "lim.hip_abduction.right",
            "limited by: 'laziness' is not one of the choices",
            "effort",
        ),
        ({"lim.hip_abduction.right": "pain"}, "mrc.hip_abduction.right", "needs the MRC grade", "4+"),
        ({"sign.hoover_sign.left": "yes"}, "sign.hoover_sign.left", "Hoover's sign, left", "negative"),
        (
            {"sign.tender_tense_compartment.calf.left": "maybe"},
            "sign.tender_tense_compartment.calf.left",
            "calf, left",
            "positive",
        ),
        ({"img.0.test": "mri_lumbar_spine", "img.0.level": "L6"}, "img.0.level", "not a vertebral level", "T11-T12"),
        (
            {"img.0.test": "mri_lumbar_spine", "img.0.position": "sideways"},
            "img.0.position",
            "Imaging row 1, position",
            "foraminal",
        ),
        (
            {"img.0.test": "mri_lumbar_spine", "img.0.site": "nerve:ulnar"},
            "img.0.site",
            "Imaging row 1, site",
            "root:L3",
        ),
        ({"img.0.test": "xray_moon"}, "img.0.test", "not an imaging test", "hip_imaging"),
    ],
)
def test_exam_form_errors_name_the_field_and_the_choices(form, field, words, choice):
    _, errors = forms.exam_to_case(forms.FormData.from_mapping(form))
    assert [e.path for e in errors] == [field]
    assert words in errors[0].message and choice in errors[0].choices


def test_questionnaire_pain_triggers_and_one_sided_perineal_answers():
    form = {
        "pain": ["lateral_thigh:right", "genital:left"],
        "pain_provoked": ["lying_on_affected_side", "walking"],
        "pain_relieved": ["changing_position"],
        "numb": ["saddle:right", "saddle:left", "genital"],
    }
    document, errors = forms.questionnaire_to_case(forms.FormData.from_mapping(form))
    assert errors == []
    case, _ = validate_case(document)
    pains = [s for s in case.symptoms if s.kind == "pain"]
    assert {(s.region, s.side) for s in pains} == {("lateral_thigh", "right"), ("genital", "left")}
    assert all(
        s.provoked_by == ["lying_on_affected_side", "walking"] and s.relieved_by == ["changing_position"] for s in pains
    )
    numb = {(s.region, s.side) for s in case.symptoms if s.kind == "numbness"}
    assert numb == {("saddle", "bilateral"), ("genital", None)}
    values = forms.case_to_questionnaire(document)
    assert values["pain_provoked"] == form["pain_provoked"] and values["pain_relieved"] == form["pain_relieved"]
    assert set(values["pain"]) == set(form["pain"]) and set(values["numb"]) == set(form["numb"])
    again, _ = forms.questionnaire_to_case(forms.FormData.from_mapping(values))
    assert _normalise(Case.model_validate(again)) == _normalise(case)
    one, _ = forms.questionnaire_to_case(forms.FormData.from_mapping({"numb": ["saddle:left"]}))
    assert one["symptoms"] == [{"kind": "numbness", "region": "saddle", "side": "left"}]


def test_questionnaire_errors_name_the_field_and_the_choices():
    _, errors = forms.questionnaire_to_case(
        forms.FormData.from_mapping(
            {"pain": ["groin:left"], "pain_provoked": ["dancing"], "pain_relieved": ["aspirin"]}
        )
    )
    assert [(e.path, "nothing" in e.choices or "walking" in e.choices) for e in errors] == [
        ("pain_provoked", True),
        ("pain_relieved", True),
    ]
    assert "What brings the pain on: 'dancing'" in errors[0].message


@needs_1_1
def test_result_view_shows_workup_when_and_the_background_line():
    case, _ = validate_case(REVISION_1_1)
    from plexnav.engine.assess import assess

    assessment = with_revision_1_1_output(assess(case))
    view = present.assessment_view(assessment, case)
    (background,) = view["background"]
    assert background["line"] == "Also present: a length-dependent polyneuropathy (78%)"
    assert background["plain"].startswith(
        "The findings also point to a second, background problem in the long nerves to both feet"
    ) and background["plain"].endswith("This is likely.")
    spine = view["workup"][-1]
    assert (spine["when"], spine["when_words"], spine["plain_when"]) == (
        "immediately",
        "immediately (emergency department)",
        "Now, at an emergency department",
    )
    assert spine["label"] == "An MRI scan of the whole spine" or spine["label"].startswith("An MRI")

"""The case format: every shared case validates; bad input gets a friendly, located error."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import shared_case_files
from plexnav.validation import CaseValidationError, parse_case

GOOD = {"format": "plexnav-case/1", "exam": {"strength": [{"movement": "knee_extension", "side": "left", "mrc": 4}]}}


@pytest.mark.parametrize("path", shared_case_files(), ids=lambda p: p.name)
def test_shared_case_validates(path):
    case, expected = parse_case(path.read_bytes())
    assert expected is not None


def _errors(doc) -> list:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    with pytest.raises(CaseValidationError) as info:
        parse_case(text)
    return info.value.errors


def test_misspelled_movement_names_path_and_suggestion():
    doc = {
        "format": "plexnav-case/1",
        "exam": {
            "strength": [
                {"movement": "hip_flexion", "side": "left", "mrc": 5},
                {"movement": "hip_flexion", "side": "left", "mrc": 5},
                {"movement": "knee_extention", "side": "left", "mrc": 3},
            ]
        },
    }
    (err,) = _errors(doc)
    assert err.path == "exam.strength[2].movement"
    assert err.suggestion == "knee_extension"
    assert "knee_extension" in err.choices
    assert (
        err.render()
        == "`exam.strength[2].movement`: 'knee_extention' is not a movement; did you mean 'knee_extension'?"
    )


@pytest.mark.parametrize(
    "doc, path",
    [
        ({**GOOD, "patient": {"age": False}}, "patient.age"),
        ({**GOOD, "patient": {"age": 130}}, "patient.age"),
        (
            {
                "format": "plexnav-case/1",
                "exam": {"strength": [{"movement": "knee_extension", "side": "left", "mrc": True}]},
            },
            "exam.strength[0].mrc",
        ),
        (
            {
                "format": "plexnav-case/1",
                "exam": {"strength": [{"movement": "knee_extension", "side": "left", "mrc": 6}]},
            },
            "exam.strength[0].mrc",
        ),
        (
            {
                "format": "plexnav-case/1",
                "exam": {"strength": [{"movement": "knee_extension", "side": "left", "mrc": "4"}]},
            },
            "exam.strength[0].mrc",
        ),
        ({**GOOD, "histroy": {}}, "histroy"),
        ({**GOOD, "history": {"factors": ["diabetis"]}}, "history.factors[0]"),
        ({**GOOD, "symptoms": [{"kind": "pain", "region": "thigh"}]}, "symptoms[0].region"),
        ({"format": "plexnav-case/2"}, "format"),
        (
            {
                "format": "plexnav-case/1",
                "exam": {"reflexes": [{"reflex": "patellar", "side": "left", "grade": "extensor"}]},
            },
            "exam.reflexes[0]",
        ),
        (
            {
                "format": "plexnav-case/1",
                "electrodiagnosis": {"needle_emg": [{"muscle": "tibialis_anterior", "side": "left", "result": "fibs"}]},
            },
            "electrodiagnosis.needle_emg[0].result",
        ),
        ({"format": "plexnav-case/1", "investigations": [{"test": "hba1c"}]}, "investigations[0]"),
        ({**GOOD, "expected": {"site": "root:L6"}}, "expected.site"),
    ],
)
def test_bad_fields_are_named(doc, path):
    errors = _errors(doc)
    assert path in [e.path for e in errors]


def test_unknown_field_lists_valid_fields():
    (err,) = _errors({**GOOD, "histroy": {}})
    assert err.suggestion == "history" and "symptoms" in err.choices


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n",
        "{",
        "[1, 2]",
        "null",
        '{"format": "plexnav-case/1",}',
        '{"format": "plexnav-case/1", "patient": {"age": NaN}}',
        '{"format": "plexnav-case/1", "investigations": [{"test": "hba1c", "value": Infinity}]}',
        "[" * 100000,
    ],
)
def test_broken_documents(text):
    errors = _errors(text)
    assert errors and errors[0].message


def test_evaluation_keys_are_accepted_and_other_extras_rejected():
    parse_case(json.dumps({**GOOD, "teaching": "x", "source": "y", "source_kind": "z"}))
    _errors({**GOOD, "answer": 1})


def test_midline_findings_may_omit_side():
    case, _ = parse_case(
        json.dumps(
            {
                "format": "plexnav-case/1",
                "exam": {
                    "reflexes": [{"reflex": "anal_wink", "grade": "absent"}],
                    "sensation": [{"region": "saddle", "finding": "reduced"}],
                },
            }
        )
    )
    assert case.exam.reflexes[0].side is None
    _errors({"format": "plexnav-case/1", "exam": {"sensation": [{"region": "sole", "finding": "reduced"}]}})


@pytest.mark.parametrize(
    "exam",
    [
        {"reflexes": [{"reflex": "anal_wink", "side": "left", "grade": "absent"}]},
        {"signs": [{"sign": "sphincter_tone_reduced", "side": "left"}]},
    ],
)
def test_midline_findings_reject_one_side(exam):
    (err,) = _errors({"format": "plexnav-case/1", "exam": exam})
    assert "midline" in err.message


def test_midline_symptom_rejects_one_side():
    (err,) = _errors({"format": "plexnav-case/1", "symptoms": [{"kind": "bladder_dysfunction", "side": "left"}]})
    assert err.path == "symptoms[0]" and "midline" in err.message


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["left", "knee_extension", "pain", "saddle", "absent", "plexnav-case/1"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "format",
                    "exam",
                    "strength",
                    "movement",
                    "side",
                    "mrc",
                    "symptoms",
                    "kind",
                    "region",
                    "history",
                    "factors",
                    "patient",
                    "age",
                    "electrodiagnosis",
                    "needle_emg",
                    "muscle",
                    "result",
                    "investigations",
                    "test",
                    "value",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES)
def test_any_json_either_validates_or_fails_politely(doc):
    """Whatever JSON arrives, the only failure is a CaseValidationError with located messages."""
    if isinstance(doc, dict):
        doc = {"format": "plexnav-case/1", **doc} if doc.get("format") is None else doc
    try:
        parse_case(json.dumps(doc))
    except CaseValidationError as exc:
        assert exc.errors and all(isinstance(e.message, str) and e.message for e in exc.errors)


@pytest.mark.parametrize("region", ["saddle", "genital"])
@pytest.mark.parametrize("side", ["left", "right", "bilateral", None])
def test_perineal_skin_takes_any_side_or_none(region, side):
    """Revision 1.1: one-sided saddle and genital findings (hemi-saddle numbness)."""
    finding = {"region": region, "finding": "reduced", **({"side": side} if side else {})}
    symptom = {"kind": "numbness", "region": region, **({"side": side} if side else {})}
    case, _ = parse_case(
        json.dumps({"format": "plexnav-case/1", "exam": {"sensation": [finding]}, "symptoms": [symptom]})
    )
    assert case.exam.sensation[0].side == side

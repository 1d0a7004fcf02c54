"""FHIR R4B export: resources valid in fhir.resources, document structure, lossless case round trip."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from fhir.resources.R4B import __fhir_version__, get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings
from interop_support import (
    SHARED,
    TIMESTAMP,
    case_json,
    needs_shared,
    revision_1_1_case,
    shared_case_json,
    with_revision_1_1_output,
)

from plexnav import vocabulary as V
from plexnav.case import Assessment, Case, LocalizationEntry, Triage
from plexnav.engine.assess import assess
from plexnav.interop import terms as T
from plexnav.interop.fhir import (
    FHIR_RELEASE,
    FHIR_VERSION,
    bundle_document,
    bundle_from_case,
    bundle_json,
    case_from_bundle,
)
from plexnav.validation import CaseValidationError, validate_case

EXAMPLE = {
    "format": "plexnav-case/1",
    "id": "demo",
    "patient": {"age": 63, "sex": "female"},
    "history": {
        "onset": "subacute",
        "course": "worsening",
        "duration_days": 28,
        "factors": ["diabetes", "weight_loss"],
    },
    "symptoms": [
        {"kind": "pain", "region": "anterior_thigh", "side": "left", "quality": "burning", "severity": 8},
        {"kind": "weakness", "activity": "stairs", "side": "left"},
        {"kind": "bladder_dysfunction"},
    ],
    "exam": {
        "strength": [{"movement": "knee_extension", "side": "left", "mrc": 3}],
        "reflexes": [{"reflex": "patellar", "side": "left", "grade": "absent"}],
        "sensation": [{"region": "medial_leg", "side": "left", "finding": "reduced"}],
        "signs": [{"sign": "atrophy", "region": "anterior_thigh", "side": "left"}],
    },
    "electrodiagnosis": {
        "nerve_conduction": [{"study": "saphenous_sensory", "side": "left", "result": "absent"}],
        "needle_emg": [{"muscle": "vastus_lateralis", "side": "left", "result": "active_denervation"}],
    },
    "investigations": [{"test": "hba1c", "value": 8.4}, {"test": "mri_pelvis", "finding": "normal"}],
}


def _case(doc: dict) -> Case:
    return validate_case(doc)[0]


def _export(case: Case) -> dict:
    return json.loads(bundle_json(bundle_from_case(case, assess(case), timestamp=TIMESTAMP)))


def _minimal_assessment(case: Case) -> Assessment:
    return Assessment(
        case_id=case.id,
        knowledge_version="test",
        triage=Triage(level="routine", reasons=[]),
        localization=[
            LocalizationEntry(
                site="no_neurological_lesion", side="bilateral", probability=1.0, supporting=[], against=[]
            )
        ],
    )


def _resources(doc: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture(scope="module")
def example() -> tuple[Case, dict]:
    case = _case(EXAMPLE)
    return case, _export(case)


def test_the_release_is_the_one_fhir_resources_generates():
    assert (FHIR_RELEASE, FHIR_VERSION) == ("R4B", __fhir_version__)


def test_every_vocabulary_id_has_a_clinical_name():
    vocabularies = T.vocabularies()
    for name, ids in {
        "movement": V.MOVEMENTS,
        "reflex": V.REFLEXES,
        "skin-region": V.SKIN_REGIONS,
        "nerve-conduction-study": V.NCS_STUDIES,
        "muscle": V.EMG_MUSCLES,
        "sign": V.SIGNS,
        "history-factor": V.HISTORY_FACTORS,
        "symptom": V.SYMPTOM_KINDS,
        "site": V.SITES,
        "cause": V.CAUSES,
        "workup-test": V.WORKUP_TESTS,
        "imaging-finding": V.IMAGING_FINDINGS,
        "needle-emg-result": V.EMG_RESULTS,
        "nerve-conduction-result": V.NCS_RESULTS,
        "investigation": V.LAB_TESTS + V.IMAGING_TESTS,
        "triage-level": V.TRIAGE_LEVELS,
        "weakness-activity": V.WEAKNESS_ACTIVITIES,
        "pain-quality": V.PAIN_QUALITIES,
        "provoked-by": V.PROVOKED_BY,
        "relieved-by": V.RELIEVED_BY,
        "strength-limitation": V.LIMITED_BY,
        "imaging-position": V.IMAGING_POSITIONS,
        "workup-when": V.WORKUP_WHEN,
        "workup-priority": V.WORKUP_PRIORITIES,
        "muscle-region": V.MUSCLE_REGIONS + V.COMPARTMENT_REGIONS,
        "structure": V.SITES,
    }.items():
        assert set(vocabularies[name]) == set(ids), name
        assert all(vocabularies[name].values()), name
    assert all(T.finding_display(code) for code in T.finding_codes())


def test_every_id_has_a_name_in_the_terms_tables_not_just_its_id_in_words():
    # the code systems follow plexnav.vocabulary by themselves; this fails naming each id that a
    # table of plexnav/interop/terms.py (or the knowledge base) should name
    assert T.unnamed() == {}, f"ids with no clinical name (add them to plexnav/interop/terms.py): {T.unnamed()}"
    assert T.name("cause", "compartment_syndrome_or_crush") if "compartment_syndrome_or_crush" in V.CAUSES else True


def test_a_new_vocabulary_id_is_exported_in_words_and_reported(monkeypatch):
    monkeypatch.setattr(V, "WORKUP_TESTS", V.WORKUP_TESTS + ("brand_new_test",))
    T.vocabularies.cache_clear()
    try:
        assert T.vocabularies()["workup-test"]["brand_new_test"] == "brand new test"
        assert T.unnamed() == {"workup-test": ["brand_new_test"]}
    finally:
        monkeypatch.undo()
        T.vocabularies.cache_clear()


def test_every_resource_validates_in_its_own_fhir_resources_model(example):
    _, doc = example
    for entry in doc["entry"]:
        resource = entry["resource"]
        model = get_fhir_model_class(resource["resourceType"])
        assert json.loads(model.model_validate(resource).model_dump_json()) == resource


def test_fhir_resources_round_trip_is_exact(example):
    _, doc = example
    text = json.dumps(doc)
    again = Bundle.model_validate_json(text)
    assert json.loads(again.model_dump_json()) == doc


def _values_of(node, key: str):
    """Every value of ``key`` in the JSON ``node``, at any depth."""
    if isinstance(node, dict):
        if key in node:
            yield node[key]
        for value in node.values():
            yield from _values_of(value, key)
    elif isinstance(node, list):
        for value in node:
            yield from _values_of(value, key)


def test_document_structure(example):
    case, doc = example
    assert doc["type"] == "document" and doc["timestamp"].startswith("2026-01-31T09:30:00")
    assert doc["identifier"]["system"] == "urn:ietf:rfc:3986"
    assert doc["entry"][0]["resource"]["resourceType"] == "Composition"
    urls = [e["fullUrl"] for e in doc["entry"]]
    assert len(set(urls)) == len(urls)
    references = list(_values_of(doc, "reference"))
    assert references and set(references) <= set(urls), "every reference resolves inside the document"
    kinds = [e["resource"]["resourceType"] for e in doc["entry"]]
    assert kinds.count("Patient") == 1 and kinds.count("Device") == 1 and kinds.count("RiskAssessment") == 1
    n_findings = (
        3
        + len(case.history.factors)
        + len(case.symptoms)
        + sum(
            len(x)
            for x in (
                case.exam.strength,
                case.exam.reflexes,
                case.exam.sensation,
                case.exam.signs,
                case.electrodiagnosis.nerve_conduction,
                case.electrodiagnosis.needle_emg,
                case.investigations,
            )
        )
    )
    assert kinds.count("Observation") == n_findings


def test_patient_carries_age_and_sex_only(example):
    _, doc = example
    (patient,) = _resources(doc, "Patient")
    assert set(patient) == {"resourceType", "extension", "gender"}
    assert patient["gender"] == "female"
    assert patient["extension"] == [
        {"url": T.EXT_AGE, "valueAge": {"value": 63, "unit": "years", "system": T.UCUM, "code": "a"}}
    ]


def test_observations_speak_clinical_words_and_carry_the_side(example):
    _, doc = example
    by_code = {T.code_in_finding(o["code"]): o for o in _resources(doc, "Observation")}
    knee = by_code["strength:knee_extension"]
    assert knee["code"]["text"] == "knee extension strength (MRC grade)"
    assert knee["valueQuantity"]["value"] == 3 and knee["valueQuantity"]["unit"] == "MRC grade"
    assert knee["bodySite"]["extension"] == [{"url": T.EXT_LATERALITY, "valueCode": "left"}]
    assert knee["bodySite"]["text"] == "left lower limb"
    assert {c["coding"][0]["code"] for c in knee["category"]} == {"strength", "exam"}
    sens = by_code["sensation:medial_leg"]
    assert sens["bodySite"]["text"] == "inner side of the lower leg (left)"
    assert sens["valueCodeableConcept"]["coding"][0] == {
        "system": T.system("sensory-finding"),
        "code": "reduced",
        "display": "reduced",
    }
    assert by_code["needle_emg:vastus_lateralis"]["code"]["text"] == "needle EMG of vastus lateralis"
    assert by_code["investigation:hba1c"]["valueQuantity"] == {"value": 8.4, "unit": "%", "system": T.UCUM, "code": "%"}
    assert by_code["symptom:bladder_dysfunction"].get("bodySite") is None


def test_only_project_owned_or_certain_code_systems(example):
    _, doc = example
    systems = set(_values_of(doc, "system"))
    allowed_prefixes = (T.BASE + "/",)
    others = {s for s in systems if not s.startswith(allowed_prefixes)}
    assert others <= {
        T.UCUM,
        T.OBSERVATION_CATEGORY,
        "urn:ietf:rfc:3986",
        "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
        "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
        "http://loinc.org",
        "http://snomed.info/sct",
    }


def test_standard_codes_come_first_only_where_the_shipped_map_says_equivalent(example):
    """HbA1c is LOINC 4548-4 with the plexnav code second; a finding no map equates has only its own."""
    from plexnav.interop.concept_maps import standard_codings

    _, doc = example
    for obs in _resources(doc, "Observation"):
        coding = obs["code"]["coding"]
        own = T.code_in_finding(obs["code"])
        assert coding[-1]["system"] == T.FINDING_SYSTEM
        assert [(c["system"], c["code"], c["display"]) for c in coding[:-1]] == list(
            standard_codings(own, T.FINDING_SYSTEM)
        )
    hba1c = next(o for o in _resources(doc, "Observation") if T.code_in_finding(o["code"]) == "investigation:hba1c")
    assert hba1c["code"]["coding"][0]["code"] == "4548-4" and hba1c["code"]["coding"][0]["system"] == "http://loinc.org"


def test_assessment_resources(example):
    case, doc = example
    result = assess(case)
    (risk,) = _resources(doc, "RiskAssessment")
    assert T.code_in(risk["prediction"][0]["qualitativeRisk"], "triage-level") == result.triage.level
    impressions = {i["code"]["coding"][0]["code"]: i for i in _resources(doc, "ClinicalImpression")}
    loc = impressions["localization"]
    assert len(loc["finding"]) == len(result.localization)
    first = loc["finding"][0]
    ext = {e["url"]: e for e in first["extension"]}
    assert ext[T.EXT_RANK]["valueInteger"] == 1
    assert ext[T.EXT_PROBABILITY]["valueDecimal"] == pytest.approx(result.localization[0].probability)
    assert ext[T.EXT_LATERALITY]["valueCode"] == result.localization[0].side
    assert T.code_in(first["itemCodeableConcept"], "site") == result.localization[0].site
    for line in result.localization[0].supporting:
        assert line in first["basis"]
    if result.etiology:
        assert (
            T.code_in(impressions["etiology"]["finding"][0]["itemCodeableConcept"], "cause") == result.etiology[0].cause
        )
    requests = _resources(doc, "ServiceRequest")
    assert [T.code_in(r["code"], "workup-test") for r in requests] == [w.test for w in result.workup]
    assert all(r["status"] == "draft" and r["intent"] == "proposal" for r in requests)


def test_composition_ties_it_together_with_disclaimer_and_knowledge_version(example):
    case, doc = example
    comp = doc["entry"][0]["resource"]
    result = assess(case)
    assert comp["identifier"] == {"system": T.CASE_ID_SYSTEM, "value": "demo"}
    assert {"url": T.EXT_KNOWLEDGE_VERSION, "valueString": result.knowledge_version} in comp["extension"]
    text = json.dumps(comp)
    assert "plexnav supports clinical judgement; it never replaces it" in text
    assert result.knowledge_version in comp["text"]["div"]
    codes = [s["code"]["coding"][0]["code"] for s in comp["section"]]
    assert codes[:3] == ["findings", "triage", "localization"] and codes[-1] == "disclaimer"
    findings = comp["section"][0]
    assert len(findings["entry"]) == len(_resources(doc, "Observation")) + len(_resources(doc, "DiagnosticReport"))


def test_export_is_reproducible_for_a_fixed_timestamp(example):
    case, doc = example
    assert _export(case) == doc


@needs_shared
@pytest.mark.parametrize("path", SHARED, ids=lambda p: p.name)
def test_shared_case_round_trip_is_lossless(path):
    case, _ = validate_case(json.loads(path.read_text()))
    doc = _export(case)
    Bundle.model_validate(doc)
    back = case_from_bundle(json.dumps(doc))
    assert back == case
    assert back.model_dump_json() == case.model_dump_json()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_json())
def test_generated_case_round_trip_is_lossless(doc):
    # the assessment is built here, not by the engine: the round trip is about the case, and the
    # engine (being reworked for revision 1.1) raised KeyError 'pain' in engine/wording.py on some
    # generated cases, e.g. a region-less bilateral pain with a weak movement
    case = _case(doc)
    bundle = bundle_from_case(case, _minimal_assessment(case), timestamp=TIMESTAMP)
    back = case_from_bundle(Bundle.model_validate_json(bundle_json(bundle)))
    assert back == case
    assert back.model_dump_json() == case.model_dump_json()


@pytest.mark.parametrize("case_id", ["", " ", "a\nb", "ü-7", "\x0c", "a\x00b\x1f", "\u2028"])
def test_awkward_case_ids_survive(case_id):
    case = _case({"format": "plexnav-case/1", "id": case_id})
    assert case_from_bundle(_export(case)).id == case_id


@pytest.mark.parametrize("value", [-0.0, 0.1 + 0.2, 1e300, 5e-324, 2.0**60])
def test_lab_values_keep_every_bit(value):
    case = _case({"format": "plexnav-case/1", "investigations": [{"test": "ck", "value": value}]})
    back = case_from_bundle(bundle_json(bundle_from_case(case, assess(case), timestamp=TIMESTAMP)))
    assert back.model_dump_json() == case.model_dump_json()


def test_an_absent_case_id_stays_absent():
    case = _case({"format": "plexnav-case/1"})
    doc = _export(case)
    assert "identifier" not in doc["entry"][0]["resource"]
    assert case_from_bundle(doc).id is None


def test_non_finite_numbers_are_refused_with_a_located_error():
    case = _case({"format": "plexnav-case/1", "investigations": [{"test": "crp", "value": float("inf")}]})
    with pytest.raises(CaseValidationError) as info:
        bundle_document(case, assess(case))
    assert info.value.errors[0].path == "investigations[0].value"


def test_reading_skips_foreign_and_retracted_observations(example):
    case, doc = example
    doc = copy.deepcopy(doc)
    foreign = {"resourceType": "Observation", "status": "final", "code": {"text": "blood pressure"}}
    doc["entry"].append({"fullUrl": "urn:uuid:6f1e0e3c-0000-4000-8000-000000000001", "resource": foreign})
    retracted = copy.deepcopy(_resources(doc, "Observation")[0])
    retracted["status"] = "entered-in-error"
    doc["entry"].append({"fullUrl": "urn:uuid:6f1e0e3c-0000-4000-8000-000000000002", "resource": retracted})
    assert case_from_bundle(doc) == case


def test_reading_a_collection_without_composition(example):
    case, doc = example
    flat = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [e for e in doc["entry"] if e["resource"]["resourceType"] in ("Patient", "Observation")],
    }
    assert case_from_bundle(flat) == case.model_copy(update={"id": None})


@pytest.mark.parametrize(
    "mutate, path, words",
    [
        (
            lambda obs: obs["code"]["coding"][0].update(code="strength:knee_extention"),
            ".code",
            "not a plexnav finding code",
        ),
        (lambda obs: obs.pop("valueQuantity"), ".valueQuantity", "numeric value"),
    ],
)
def test_reading_reports_located_errors(example, mutate, path, words):
    _, doc = example
    doc = copy.deepcopy(doc)
    index, obs = next(
        (i, e["resource"])
        for i, e in enumerate(doc["entry"])
        if e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == "strength:knee_extension"
    )
    mutate(obs)
    with pytest.raises(CaseValidationError) as info:
        case_from_bundle(doc)
    error = info.value.errors[0]
    assert error.path == f"entry[{index}].resource{path}" and words in error.message


def test_reading_rejects_what_is_not_a_plexnav_bundle(example):
    with pytest.raises(CaseValidationError, match="expected a FHIR Bundle"):
        case_from_bundle({"resourceType": "Patient"})
    with pytest.raises(CaseValidationError, match="not valid FHIR R4B"):
        case_from_bundle({"resourceType": "Bundle", "type": "collection", "bogus": 1})
    with pytest.raises(CaseValidationError, match="no plexnav case"):
        case_from_bundle({"resourceType": "Bundle", "type": "collection"})
    _, doc = example
    doc = copy.deepcopy(doc)
    doc["entry"].append(
        {
            "fullUrl": "urn:uuid:6f1e0e3c-0000-4000-8000-000000000003",
            "resource": {"resourceType": "Patient", "gender": "male"},
        }
    )
    with pytest.raises(CaseValidationError, match="second Patient"):
        case_from_bundle(doc)


def test_reading_checks_the_case_format_too(example):
    _, doc = example
    doc = copy.deepcopy(doc)
    obs = next(o for o in _resources(doc, "Observation") if o["code"]["coding"][0]["code"] == "strength:knee_extension")
    obs["valueQuantity"]["value"] = 7
    with pytest.raises(CaseValidationError) as info:
        case_from_bundle(doc)
    assert info.value.errors[0].path == "exam.strength[0].mrc"


@needs_shared
def test_bundle_of_the_json_example_in_the_case_format():
    doc = shared_case_json("p05")
    if doc is None:
        pytest.skip("p05 not in the shared cases")
    case, _ = validate_case(doc)
    assert case_from_bundle(_export(case)) == case


# ---------------------------------------------------------------- revision 1.1

REVISION_1_1 = revision_1_1_case()
needs_1_1 = pytest.mark.skipif(REVISION_1_1 is None, reason="shared cases p23 and p24 not available")


@needs_1_1
def test_a_case_using_every_1_1_field_round_trips_losslessly():
    case = _case(REVISION_1_1)
    # the case really uses every 1.1 field
    assert any(s.provoked_by for s in case.symptoms) and any(s.relieved_by == [] for s in case.symptoms)
    assert {s.side for s in case.symptoms if s.region in V.MIDLINE_REGIONS} == {"left", "bilateral", None}
    assert {f.limited_by for f in case.exam.strength} == {None, "pain", "effort"}
    assert {
        "hip_rotation_pain",
        "greater_trochanter_tenderness",
        "sacroiliac_provocation",
        "reduced_foot_pulses",
        "tender_tense_compartment",
        "hoover_sign",
    } <= {s.sign for s in case.exam.signs}
    tests = {i.test for i in case.investigations}
    assert {"mri_whole_spine", "hip_imaging", "ankle_brachial_index", "creatinine"} <= tests
    assert {i.position for i in case.investigations} >= set(V.IMAGING_POSITIONS)
    assert any(i.level == "T11-T12" for i in case.investigations) and any(i.site for i in case.investigations)
    assessment = with_revision_1_1_output(assess(case))
    bundle = bundle_from_case(case, assessment, timestamp=TIMESTAMP)
    text = bundle_json(bundle)
    back = case_from_bundle(text)
    assert back == case
    assert back.model_dump_json() == case.model_dump_json()
    # and through a plain JSON round trip of the document too
    assert case_from_bundle(json.loads(text)) == case


@needs_1_1
def test_1_1_fields_are_coded_and_worded_in_the_observations():
    case = _case(REVISION_1_1)
    doc = json.loads(bundle_json(bundle_from_case(case, assess(case), timestamp=TIMESTAMP)))
    observations = _resources(doc, "Observation")

    def attribute_codes(obs, attribute):
        return [
            T.code_in(
                c.get("valueCodeableConcept"),
                {
                    "provoked_by": "provoked-by",
                    "relieved_by": "relieved-by",
                    "limited_by": "strength-limitation",
                    "position": "imaging-position",
                    "site": "site",
                }[attribute],
            )
            for c in obs.get("component", ())
            if T.code_in(c["code"], "attribute") == attribute
        ]

    provoked = [attribute_codes(o, "provoked_by") for o in observations]
    assert ["lying_on_affected_side", "walking"] in provoked and ["walking", "standing"] in provoked
    empty = [
        c
        for o in observations
        for c in o.get("component", ())
        if T.code_in(c["code"], "attribute") == "relieved_by" and "dataAbsentReason" in c
    ]
    assert len(empty) == 1 and "value" not in json.dumps(empty[0])
    limited = [o for o in observations if attribute_codes(o, "limited_by")]
    assert {attribute_codes(o, "limited_by")[0] for o in limited} == {"pain", "effort"}
    assert all(o["valueQuantity"]["unit"] == "MRC grade" for o in limited)
    spine = next(o for o in observations if o["code"]["coding"][0]["code"] == "investigation:mri_whole_spine")
    assert attribute_codes(spine, "position") == ["central"] and attribute_codes(spine, "site") == ["spinal_cord"]
    levels = [c["valueString"] for c in spine["component"] if T.code_in(c["code"], "attribute") == "level"]
    assert levels == ["T11-T12"]
    abi = next(o for o in observations if o["code"]["coding"][0]["code"] == "investigation:ankle_brachial_index")
    assert abi["valueQuantity"] == {"value": 0.62, "unit": "ratio", "system": T.UCUM, "code": "1"}
    compartment = [o for o in observations if o["code"]["coding"][0]["code"] == "sign:tender_tense_compartment"]
    assert {T.code_in(o["bodySite"], "muscle-region") for o in compartment} == {"anterior_leg", "buttock"}
    saddle = next(o for o in observations if o["code"]["coding"][0]["code"] == "sensation:saddle")
    assert saddle["bodySite"]["text"] == "saddle area (right)" or "(right)" in saddle["bodySite"]["text"]
    narrative = doc["entry"][0]["resource"]["section"][0]["text"]["div"]
    for words in (
        "MRC 4 (limited by pain)",
        "brought on by lying on the affected side, walking",
        "eased by changing position",
        "at T11-T12, central, involving the spinal cord",
        "at L3-L4, foraminal, involving the L3 root",
        "involving the tibial nerve",
        "0.62 ratio",
    ):
        assert words in narrative, words


@needs_1_1
def test_workup_when_and_background_are_exported():
    case = _case(REVISION_1_1)
    assessment = with_revision_1_1_output(assess(case))
    doc = json.loads(bundle_json(bundle_from_case(case, assessment, timestamp=TIMESTAMP)))
    requests = _resources(doc, "ServiceRequest")
    assert len(requests) == len(assessment.workup)
    for request, entry in zip(requests, assessment.workup, strict=True):
        ext = [e for e in request.get("extension", ()) if e["url"] == T.EXT_WORKUP_WHEN]
        assert ext[0]["valueCoding"]["code"] == entry.when
        assert request["note"][0]["text"] == f"When: {T.name('workup-when', entry.when)}."
        if entry.when == "immediately":
            assert request["priority"] == "stat"
        if entry.when == "within_24h":
            assert request["priority"] in ("urgent", "stat")
    spine = requests[-1]
    assert T.code_in(spine["code"], "workup-test") == "mri_whole_spine" and spine["priority"] == "stat"
    impression = next(
        r for r in _resources(doc, "ClinicalImpression") if r["code"]["coding"][0]["code"] == "localization"
    )
    background = [f for f in impression["finding"] if any(e["url"] == T.EXT_BACKGROUND for e in f.get("extension", ()))]
    assert len(background) == 1
    assert T.code_in(background[0]["itemCodeableConcept"], "site") == "polyneuropathy"
    assert background[0]["itemCodeableConcept"]["text"].startswith(
        "Also present: length-dependent polyneuropathy (78%)"
    )
    assert "Also present: length-dependent polyneuropathy (78%)." in impression["summary"]
    ranked = [f for f in impression["finding"] if f not in background]
    assert len(ranked) == len(assessment.localization)
    sections = {s["code"]["coding"][0]["code"]: s["text"]["div"] for s in doc["entry"][0]["resource"]["section"]}
    assert "Also present: length-dependent polyneuropathy (78%)" in sections["localization"]
    assert "MRI of the whole spine (emergency, immediately, in an emergency department)" in sections["workup"]
    # the whole document still validates, resource by resource
    for entry in doc["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])


def test_reading_a_bad_1_1_code_is_a_located_error():
    case = _case(
        {
            "format": "plexnav-case/1",
            "exam": {"strength": [{"movement": "hip_abduction", "side": "right", "mrc": 4, "limited_by": "pain"}]},
        }
    )
    doc = _export(case)
    obs = _resources(doc, "Observation")[0]
    obs["component"][0]["valueCodeableConcept"]["coding"][0]["system"] = "http://example.org/other"
    with pytest.raises(CaseValidationError) as info:
        case_from_bundle(doc)
    assert "component(limited_by)" in info.value.errors[0].path


# --------------------------------------------------------------------------- what integrators look for


def test_observations_carry_effective_issued_and_a_performer_when_given():
    case = _case(EXAMPLE)
    exam = datetime(2026, 1, 29, 10, 15, tzinfo=UTC)
    doc = json.loads(
        bundle_json(
            bundle_from_case(
                case,
                assess(case),
                timestamp=TIMESTAMP,
                effective=exam,
                performer={"reference": "Practitioner/prac-1", "display": "Dr A. Neurologist"},
            )
        )
    )
    for obs in _resources(doc, "Observation"):
        assert obs["effectiveDateTime"] == "2026-01-29T10:15:00Z" and obs["issued"] == "2026-01-31T09:30:00Z"
        assert obs["performer"] == [{"reference": "Practitioner/prac-1", "display": "Dr A. Neurologist"}]
    assert case_from_bundle(doc) == case


def test_observations_default_to_the_document_time_and_claim_no_performer(example):
    _, doc = example
    for obs in _resources(doc, "Observation"):
        assert obs["effectiveDateTime"] == obs["issued"] == doc["timestamp"]
        assert "performer" not in obs, "plexnav never knows who examined: no performer is invented"


def test_electrodiagnosis_is_grouped_in_a_diagnostic_report(example):
    _, doc = example
    (report,) = _resources(doc, "DiagnosticReport")
    by_url = {e["fullUrl"]: e["resource"] for e in doc["entry"]}
    codes = [by_url[r["reference"]]["code"]["coding"][0]["code"] for r in report["result"]]
    assert codes == ["ncs:saphenous_sensory", "needle_emg:vastus_lateralis"]
    assert report["status"] == "final" and report["subject"] == doc["entry"][0]["resource"]["subject"]
    no_edx = _export(_case({"format": "plexnav-case/1", "symptoms": [{"kind": "pain", "region": "lower_back"}]}))
    assert _resources(no_edx, "DiagnosticReport") == []


def test_provenance_names_plexnav_as_the_authoring_device(example):
    _, doc = example
    (prov,) = _resources(doc, "Provenance")
    by_url = {e["fullUrl"]: e["resource"] for e in doc["entry"]}
    (agent,) = prov["agent"]
    assert by_url[agent["who"]["reference"]]["resourceType"] == "Device"
    assert agent["type"]["coding"][0]["code"] == "author"
    targets = {by_url[t["reference"]]["resourceType"] for t in prov["target"]}
    assert {"Composition", "RiskAssessment", "ClinicalImpression"} <= targets
    assert "Observation" not in targets, "people made the findings; plexnav authored the assessment"
    assert prov["recorded"] == doc["timestamp"]


def test_patient_identifier_birth_date_and_id_when_the_record_system_gives_them():
    case = _case(EXAMPLE)
    mrn = {"system": "urn:oid:1.2.36.146.595.217.0.1", "value": "MRN-0042917"}
    doc = json.loads(
        bundle_json(
            bundle_from_case(
                case, assess(case), timestamp=TIMESTAMP, patient_id="pat-1", identifier=[mrn], birth_date="1962-05-02"
            )
        )
    )
    (patient,) = _resources(doc, "Patient")
    assert patient["id"] == "pat-1" and patient["identifier"] == [mrn] and patient["birthDate"] == "1962-05-02"
    assert case_from_bundle(doc) == case, "the recorded age wins over the birth date"


def test_every_new_resource_validates_in_fhir_resources(example):
    _, doc = example
    for kind in ("DiagnosticReport", "Provenance"):
        for resource in _resources(doc, kind):
            model = get_fhir_model_class(kind)
            assert json.loads(model.model_validate(resource).model_dump_json()) == resource

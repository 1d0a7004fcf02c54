"""The report as a FHIR DocumentReference (PDF) inside the exported document."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from plexnav.engine.assess import assess
from plexnav.interop.fhir import bundle_from_case, bundle_json, case_from_bundle
from plexnav.validation import validate_case

CASE = {
    "format": "plexnav-case/1",
    "id": "d1",
    "symptoms": [{"kind": "pain", "region": "lower_back"}],
    "investigations": [{"test": "hba1c", "value": 7.0}],
}


def _doc(pdf: bytes, kind: str = "clinician") -> dict:
    case, _ = validate_case(CASE)
    return json.loads(bundle_json(bundle_from_case(case, assess(case), report_pdf=(kind, pdf))))


def test_the_pdf_is_attached_whole_with_its_size_and_hash_and_referenced_by_the_composition():
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 4
    doc = _doc(pdf)
    entries = {e["fullUrl"]: e["resource"] for e in doc["entry"]}
    ((url, ref),) = [(u, r) for u, r in entries.items() if r["resourceType"] == "DocumentReference"]
    attachment = ref["content"][0]["attachment"]
    assert base64.b64decode(attachment["data"]) == pdf and attachment["size"] == len(pdf)
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(pdf).digest()).decode()
    assert attachment["contentType"] == "application/pdf" and "never replaces it" in ref["description"]
    composition = doc["entry"][0]["resource"]
    section = next(s for s in composition["section"] if s["code"]["coding"][0]["code"] == "report-pdf")
    assert section["entry"] == [{"reference": url}]
    assert composition["section"][-1]["code"]["coding"][0]["code"] == "disclaimer"  # still last
    provenance = next(r for r in entries.values() if r["resourceType"] == "Provenance")
    assert {"reference": url} in provenance["target"]


def test_the_document_still_reads_back_as_the_case():
    case, _ = validate_case(CASE)
    assert case_from_bundle(_doc(b"%PDF-1.7 x", "patient")) == case


def test_an_unknown_report_kind_is_refused():
    with pytest.raises(ValueError, match="report kind 'x'"):
        _doc(b"%PDF", "x")

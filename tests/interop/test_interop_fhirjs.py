"""The FHIR export of every shared case validates with FHIR.js (npm 'fhir', R4 profiles and value sets).

FHIR.js is installed by scripts/install-fhirjs.sh (test.sh runs it) into tests/interop/fhirjs; this
test fails, never skips, when it is missing, so CI cannot pass without the check.  One Node process
validates all bundles."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from interop_support import TIMESTAMP, shared_case_files

from plexnav.engine.assess import assess
from plexnav.interop.fhir import bundle_from_case, bundle_json
from plexnav.validation import validate_case

FHIRJS = Path(__file__).parent / "fhirjs"


def _validate(resources: list[dict]) -> list[dict]:
    node = shutil.which("node")
    assert node, "Node.js is needed for the FHIR.js check (scripts/install-fhirjs.sh)"
    assert (FHIRJS / "node_modules" / "fhir").is_dir(), "run scripts/install-fhirjs.sh (test.sh does)"
    out = subprocess.run(
        [node, str(FHIRJS / "validate.js")],
        input=json.dumps(resources),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=FHIRJS,
        check=True,
    )
    return json.loads(out.stdout)


def _export(path: Path) -> dict:
    case, _ = validate_case(json.loads(path.read_text()))
    bundle = bundle_from_case(
        case,
        assess(case),
        timestamp=TIMESTAMP,
        patient_id="pat-1",
        identifier=[{"system": "urn:oid:1.2.36.146.595.217.0.1", "value": "MRN-1"}],
        birth_date="1961-04-12",
        performer={"reference": "Practitioner/prac-1"},
    )
    return json.loads(bundle_json(bundle))


@pytest.mark.slow
def test_every_shared_case_exports_a_bundle_fhirjs_finds_valid():
    files = shared_case_files()
    assert files, "the shared cases (../shared/cases) are missing"
    bundles = [_export(p) for p in files]
    invalid = {p.name: r["messages"][:3] for p, r in zip(files, _validate(bundles), strict=True) if not r["valid"]}
    assert invalid == {}


def test_fhirjs_catches_a_broken_bundle():
    bundle = _export(shared_case_files()[0])
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    patient["gender"] = "bogus"
    (result,) = _validate([bundle])
    assert not result["valid"] and any("gender" in m["location"] for m in result["messages"])


def test_a_bundle_with_the_report_as_document_reference_is_valid():
    case, _ = validate_case(json.loads(shared_case_files()[0].read_text()))
    bundle = json.loads(
        bundle_json(
            bundle_from_case(case, assess(case), timestamp=TIMESTAMP, report_pdf=("clinician", b"%PDF-1.7 test"))
        )
    )
    (result,) = _validate([bundle])
    assert result["valid"], result["messages"][:3]

"""`plexnav export`: FHIR and CDS outputs, and exit 2 with a friendly error on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

from plexnav.cli.main import app
from plexnav.examples import example_path
from plexnav.interop.cds_hooks import CdsResponse, Discovery
from plexnav.interop.fhir import case_from_bundle
from plexnav.validation import parse_case

EXAMPLE = example_path("l5-radiculopathy")
BAD_CASE = (
    '{"format": "plexnav-case/1", "exam": {"strength": [{"movement": "knee_extention", "side": "left", "mrc": 3}]}}'
)
EMERGENCY = json.dumps(
    {
        "format": "plexnav-case/1",
        "symptoms": [{"kind": "pain", "region": "lower_back"}, {"kind": "bladder_dysfunction"}],
    }
)


def invoke(*args, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin)


def test_export_fhir_writes_a_bundle_that_reads_back(tmp_path):
    out = tmp_path / "bundle.json"
    result = invoke("export", "fhir", str(EXAMPLE), "-o", str(out), "--timestamp", "2026-01-31T09:30:00+00:00")
    assert result.exit_code == 0, result.output
    bundle = Bundle.model_validate_json(out.read_text())
    assert bundle.type == "document" and bundle.timestamp.year == 2026
    case, _ = parse_case(EXAMPLE.read_bytes())
    assert case_from_bundle(bundle) == case


def test_export_fhir_to_standard_output_from_standard_input():
    result = invoke("export", "fhir", "-", stdin=EXAMPLE.read_text())
    assert result.exit_code == 0
    assert json.loads(result.stdout)["resourceType"] == "Bundle"


def test_export_cds_card_of_an_emergency_is_critical():
    result = invoke("export", "cds-card", "-", "--patient-id", "42", stdin=EMERGENCY)
    assert result.exit_code == 0, result.output
    response = json.loads(result.stdout)
    CdsResponse.model_validate(response)
    assert response["cards"][0]["indicator"] == "critical"


def test_export_cds_card_reads_a_plexnav_bundle(tmp_path):
    out = tmp_path / "bundle.json"
    assert invoke("export", "fhir", str(EXAMPLE), "-o", str(out)).exit_code == 0
    from_bundle = invoke("export", "cds-card", str(out), "--hook-instance", "h-1")
    from_case = invoke("export", "cds-card", str(EXAMPLE), "--hook-instance", "h-1")
    assert from_bundle.exit_code == from_case.exit_code == 0
    assert json.loads(from_bundle.stdout) == json.loads(from_case.stdout)


def test_export_cds_services_prints_the_discovery_document():
    result = invoke("export", "cds-services")
    assert result.exit_code == 0
    Discovery.model_validate(json.loads(result.stdout))


@pytest.mark.parametrize(
    "args, stdin, words",
    [
        (("export", "fhir", "-"), BAD_CASE, "did you mean 'knee_extension'"),
        (("export", "cds-card", "-"), BAD_CASE, "did you mean 'knee_extension'"),
        (("export", "fhir", "-"), "{", "not valid JSON"),
        (("export", "fhir", "no-such-case.json"), None, "no such file"),
        (("export", "fhir", "-"), '{"resourceType": "Patient"}', "expected a FHIR Bundle"),
        (("export", "cds-card", "-"), '{"resourceType": "Bundle", "type": "collection"}', "no plexnav case"),
        (("export", "fhir", "-", "--timestamp", "yesterday"), EXAMPLE.read_text(), "ISO 8601"),
    ],
)
def test_bad_input_exits_2_with_the_friendly_error(args, stdin, words):
    result = invoke(*args, stdin=stdin)
    assert result.exit_code == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_installed_command_exits_2_without_traceback():
    out = subprocess.run(
        [sys.executable, "-m", "plexnav.cli", "export", "fhir", "-"],
        input=BAD_CASE.encode(),
        capture_output=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert b"did you mean 'knee_extension'" in out.stderr and b"Traceback" not in out.stderr
    assert out.stdout == b""


def test_export_fhir_with_the_pdf_report_as_document_reference(tmp_path):
    import base64

    out = tmp_path / "bundle.json"
    result = invoke("export", "fhir", str(EXAMPLE), "-o", str(out), "--with-pdf", "patient")
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    (ref,) = [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "DocumentReference"]
    assert base64.b64decode(ref["content"][0]["attachment"]["data"]).startswith(b"%PDF-")


def test_export_fhir_refuses_an_unknown_report_kind():
    result = invoke("export", "fhir", str(EXAMPLE), "--with-pdf", "summary")
    assert result.exit_code == 2 and "`--with-pdf`: 'summary' is not a report kind" in result.output

"""Property-based checks of the whole API against its own OpenAPI schema (schemathesis).

Bounded: a handful of generated requests per operation, anonymous and signed in, so the
run stays fast.  Checks: no 5xx, status codes, content types, headers and bodies as
documented, invalid data rejected.  One default check is left out: "schema-valid data must
be accepted".  The case format has rules JSON Schema cannot state (a laboratory test needs
a value, atrophy needs a region, a reflex needs a side...), so a schema-valid document can
rightly get 422 with the rule it broke.
"""

from __future__ import annotations

import os
import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from plexnav.api.app import create_app
from plexnav.settings import Settings
from web_support import PASSWORD

_data = tempfile.TemporaryDirectory(prefix="plexnav-schemathesis-")
APP = create_app(Settings(data_dir=_data.name, secret_key="schemathesis-" + "s" * 32, login_max_failures=1000))
# The coverage phase's boundary cases run too (the examples and fuzzing phases are bounded
# by EXAMPLES); PLEXNAV_SCHEMATHESIS_COVERAGE=0 skips it for a quicker local run.
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": os.environ.get("PLEXNAV_SCHEMATHESIS_COVERAGE", "1") != "0"}}}
)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP, config=CONFIG)

EXAMPLES = 12
EXCLUDED = [positive_data_acceptance]


def _session_cookie() -> str:
    from fastapi.testclient import TestClient

    with TestClient(APP) as client:
        client.post(
            "/api/v1/auth/register", json={"username": "fuzzer", "email": "fuzzer@example.org", "password": PASSWORD}
        )
        response = client.post("/api/v1/auth/login", json={"username": "fuzzer", "password": PASSWORD})
        assert response.status_code == 200
        return response.cookies["plexnav_session"]


COOKIE = _session_cookie()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_anonymous(case):
    case.call_and_validate(excluded_checks=EXCLUDED)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_signed_in(case):
    if case.path == "/api/v1/auth/logout":
        pytest.skip("would end the shared session")
    case.call_and_validate(headers={"Cookie": f"plexnav_session={COOKIE}"}, excluded_checks=EXCLUDED)

"""Fetch what a CDS Hooks client did not prefetch from its ``fhirServer``, with its ``fhirAuthorization``.

CDS Hooks 2.0 lets a client leave prefetch out and give the service a FHIR server and an access
token instead; the service then runs the same searches itself.  This module runs the discovery
templates (:data:`plexnav.interop.cds_hooks.PREFETCH_TEMPLATES`) with fhirpy's synchronous client,
following search pages, and answers with the prefetch dictionary the client could have sent.

Errors are never "no data": a refused token, a server that does not answer or an error
response raises :class:`FhirServerError` naming the search, and the service answers 412 (the
specification's status for data the service could not obtain).
"""

from __future__ import annotations

import json

import requests
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import BaseFHIRError

from plexnav.interop.cds_hooks import CdsPreconditionFailed

TIMEOUT_SECONDS = 10
MAX_RESOURCES = 1000  # per search: a record beyond this is a server plexnav should not page through live

# key -> (resource type, search parameters) of each discovery template; {patient} is context.patientId
SEARCHES = {
    "conditions": ("Condition", {}),
    "observations": ("Observation", {"category": "exam,laboratory,procedure,imaging"}),
    "reports": ("DiagnosticReport", {}),
}


class FhirServerError(CdsPreconditionFailed):
    """The FHIR server did not give the data (HTTP 412 for the CDS client)."""


def _plain(resource) -> dict:
    data = resource.serialize() if hasattr(resource, "serialize") else resource
    return json.loads(json.dumps(data))


def fetch_prefetch(server: str, access_token: str | None, patient_id: str, keys: list[str]) -> dict:
    """The prefetch for ``keys`` (``patient`` and the search keys) read from ``server`` as that patient."""
    client = SyncFHIRClient(
        server.rstrip("/"),
        authorization=f"Bearer {access_token}" if access_token else None,
        requests_config={"timeout": TIMEOUT_SECONDS},
    )
    out: dict = {}
    for key in keys:
        what = f"Patient/{patient_id}" if key == "patient" else f"{SEARCHES[key][0]}?patient={patient_id}"
        try:
            if key == "patient":
                out[key] = _plain(client.execute(f"Patient/{patient_id}", method="get"))
                continue
            kind, params = SEARCHES[key]
            found = client.resources(kind).search(patient=patient_id, **params).limit(100).fetch_all()
            if len(found) > MAX_RESOURCES:
                raise FhirServerError(f"{what} on {server} found {len(found)} resources, more than plexnav reads live")
            out[key] = {
                "resourceType": "Bundle",
                "type": "searchset",
                "total": len(found),
                "entry": [{"resource": _plain(r), "search": {"mode": "match"}} for r in found],
            }
        except FhirServerError:
            raise
        except BaseFHIRError as exc:
            raise FhirServerError(
                f"the FHIR server refused {what}: {type(exc).__name__}: {str(exc)[:200] or 'no detail'}"
            ) from None
        except requests.RequestException as exc:
            raise FhirServerError(f"the FHIR server {server} did not answer {what} ({type(exc).__name__})") from None
        except (ValueError, TypeError) as exc:
            raise FhirServerError(f"the FHIR server's answer to {what} is not FHIR JSON ({exc})") from None
    return out

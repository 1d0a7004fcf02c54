"""SMART on FHIR EHR launch: open plexnav from the EHR on the patient the EHR has open.

The EHR launch sequence of SMART App Launch 2.x, as a confidential-less public client with PKCE:

1. The EHR opens ``/smart/launch?iss={FHIR base}&launch={opaque}``.  ``iss`` must be one of the
   registered EHRs (``PLEXNAV_SMART_CLIENTS``, below): plexnav never talks to a server a link names.
2. plexnav reads ``{iss}/.well-known/smart-configuration`` (authorization and token endpoints; it
   must offer PKCE ``S256``), keeps a random ``state`` and PKCE verifier in the session, and sends
   the browser to the authorization endpoint with ``launch``, ``aud = iss`` and the S256 challenge.
3. The EHR sends the browser back to ``/smart/callback?code&state``; plexnav checks the state, swaps
   the code (with the verifier) for an access token and the ``patient`` context, and shows the
   assessment of that patient's record read with the token, through the same ConceptMaps as the CDS
   service (what it cannot read is listed, never taken as normal).  The token stays in the server-side
   request; the session keeps only the launch context.

Registration (JSON file named by ``PLEXNAV_SMART_CLIENTS``)::

    {"client_id": "plexnav", "issuers": ["https://ehr.hospital.example/fhir"]}

Without it ``/smart/launch`` answers that SMART launch is not configured.  plexnav opens in its own
window or tab; to run it inside the EHR's iframe, name the EHR's origin in
``PLEXNAV_FRAME_ANCESTORS`` (:attr:`plexnav.settings.Settings.frame_ancestors`): the pages then allow
that origin in ``frame-ancestors`` and the session cookie, which carries the launch state across the
authorization redirect, is sent ``SameSite=None; Secure; Partitioned``
(:class:`plexnav.api.middleware.SecurityHeaders`).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import urlencode

import requests
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from plexnav.server.smart_config import ENV_SMART, SmartConfig
from plexnav.validation import CaseError

SCOPE = (
    "launch openid fhirUser patient/Patient.read patient/Condition.read patient/Observation.read "
    "patient/DiagnosticReport.read"
)
SESSION_KEY = "smart_launch"
TIMEOUT_SECONDS = 10

router = APIRouter(include_in_schema=False)


class SmartError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) as RFC 7636 defines them."""
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _config(request: Request) -> SmartConfig:
    state = request.app.state
    if not hasattr(state, "smart_config"):
        state.smart_config = SmartConfig.from_env()
    if state.smart_config is None:
        raise SmartError(404, f"SMART launch is not configured on this server ({ENV_SMART})")
    return state.smart_config


def _json(method: str, url: str, **kwargs) -> dict:
    try:
        response = requests.request(method, url, timeout=TIMEOUT_SECONDS, **kwargs)
    except requests.RequestException as exc:
        raise SmartError(502, f"the EHR did not answer {url} ({type(exc).__name__})") from None
    if response.status_code != 200:
        raise SmartError(502, f"the EHR answered {response.status_code} to {url}")
    try:
        return response.json()
    except ValueError:
        raise SmartError(502, f"the EHR's answer from {url} is not JSON") from None


def _redirect_uri(request: Request) -> str:
    public = request.app.state.settings.public_url
    return f"{public.rstrip('/')}/smart/callback" if public else str(request.url_for("smart_callback"))


def _error_page(request: Request, error: SmartError) -> HTMLResponse:
    from plexnav.web.pages import render_error

    return render_error(request, error.status, [CaseError("", f"SMART launch failed: {error}")])


@router.get("/smart/launch")
def smart_launch(request: Request, iss: str = "", launch: str = ""):
    """Step 1-2: check the EHR, discover its endpoints, send the browser to authorize (PKCE S256)."""
    try:
        config = _config(request)
        if not iss or not launch:
            raise SmartError(400, "an EHR launch gives iss and launch in the address")
        if iss.rstrip("/") not in config.issuers:
            raise SmartError(403, f"the EHR {iss!r} is not registered for SMART launch ({ENV_SMART})")
        found = _json(
            "GET", f"{iss.rstrip('/')}/.well-known/smart-configuration", headers={"Accept": "application/json"}
        )
        if "S256" not in found.get("code_challenge_methods_supported", ()):
            raise SmartError(502, "the EHR does not offer PKCE S256 (code_challenge_methods_supported)")
        for key in ("authorization_endpoint", "token_endpoint"):
            if not isinstance(found.get(key), str):
                raise SmartError(502, f"the EHR's smart-configuration lacks {key}")
    except SmartError as exc:
        return _error_page(request, exc)
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "state": state,
        "verifier": verifier,
        "iss": iss.rstrip("/"),
        "token_endpoint": found["token_endpoint"],
    }
    query = urlencode(
        {
            "response_type": "code",
            "client_id": config.client_id,
            "redirect_uri": _redirect_uri(request),
            "launch": launch,
            "scope": SCOPE,
            "state": state,
            "aud": iss.rstrip("/"),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return RedirectResponse(f"{found['authorization_endpoint']}?{query}", status_code=303)


@router.get("/smart/callback", name="smart_callback")
def smart_callback(request: Request, code: str = "", state: str = "", error: str = ""):
    """Step 3: swap the code for a token and the patient context; show that patient's assessment."""
    from plexnav.interop.fhir_server import FhirServerError, fetch_prefetch

    launch = request.session.pop(SESSION_KEY, None)
    try:
        config = _config(request)
        if error:
            raise SmartError(400, f"the EHR did not authorize plexnav: {error}")
        if not launch or not state or not secrets.compare_digest(state, launch["state"]):
            raise SmartError(
                400, "this sign-in answer does not match a launch from this browser; launch again from the EHR"
            )
        token = _json(
            "POST",
            launch["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": _redirect_uri(request),
                "client_id": config.client_id,
                "code_verifier": launch["verifier"],
            },
        )
        patient_id, access = token.get("patient"), token.get("access_token")
        if not isinstance(patient_id, str) or not isinstance(access, str):
            raise SmartError(502, "the EHR's token answer has no patient context or access token")
        try:
            prefetch = fetch_prefetch(
                launch["iss"], access, patient_id, ["patient", "conditions", "observations", "reports"]
            )
        except FhirServerError as exc:
            raise SmartError(502, str(exc)) from None
    except SmartError as exc:
        return _error_page(request, exc)
    return _result_page(request, launch["iss"], patient_id, prefetch)


def _result_page(request: Request, iss: str, patient_id: str, prefetch: dict) -> HTMLResponse:
    from plexnav.engine.assess import assess
    from plexnav.engine.wording import site_label
    from plexnav.interop import terms as T
    from plexnav.interop.cds_hooks import clinician_reasons, read_record
    from plexnav.interop.concept_maps import maps_from_env
    from plexnav.web.pages import render

    state = request.app.state
    if not hasattr(state, "cds_maps"):
        state.cds_maps = maps_from_env()
    got = read_record(prefetch, state.cds_maps)
    assessment = assess(got.case) if got.case is not None else None
    sites = [
        (site_label(x.site, x.side, x.levels, x.detail), T.percent(x.probability))
        for x in (assessment.localization[:4] if assessment else ())
    ]
    return render(
        request,
        "smart_result.html",
        None,
        iss=iss,
        patient_id=patient_id,
        assessment=assessment,
        reasons=clinician_reasons(assessment) if assessment else [],
        sites=sites,
        unread=got.unread,
        incomplete=bool(got.unread),
        disclaimer=T.DISCLAIMER,
    )

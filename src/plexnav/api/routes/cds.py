"""CDS Hooks 2.0 over HTTP: the discovery document and the ``plexnav-lumbosacral`` service.

Thin: the cards come from :mod:`plexnav.interop.cds_hooks` and the JWT check from
:mod:`plexnav.interop.cds_auth`; this module maps their errors to HTTP (401 untrusted call,
400 bad request, 404 unknown service, 412 missing prefetch, 422 invalid case).  CDS Hooks
clients call from other origins (an EHR's browser app), so every answer, errors included,
carries CORS headers and an OPTIONS preflight is answered.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from plexnav.api.middleware import CDS_CORS
from plexnav.interop import cds_docs, cds_feedback, cds_hooks, cds_orders
from plexnav.interop.cds_auth import CdsAuth, CdsAuthError
from plexnav.interop.concept_maps import ConceptMapError, ConceptMaps, maps_from_env
from plexnav.interop.fhir_server import fetch_prefetch
from plexnav.server.errors import ERROR_RESPONSES, error_response
from plexnav.validation import CaseError, CaseValidationError

router = APIRouter(tags=["cds-hooks"], responses=ERROR_RESPONSES)
CORS = CDS_CORS  # also on the answers the middleware gives before a route runs (413)
PREFLIGHT = {**CORS, "Access-Control-Max-Age": "600"}


def _auth(request: Request) -> CdsAuth | None:
    """The registered CDS clients: ``app.state.cds_auth`` if set, else read once from the environment."""
    state = request.app.state
    if not hasattr(state, "cds_auth"):
        state.cds_auth = CdsAuth.from_env()
    return state.cds_auth


def _maps(request: Request) -> ConceptMaps:
    """The ConceptMaps (shipped + ``PLEXNAV_FHIR_CONCEPT_MAPS``): ``app.state.cds_maps`` if set, else read once."""
    state = request.app.state
    if not hasattr(state, "cds_maps"):
        state.cds_maps = maps_from_env()
    return state.cds_maps


def _smart_launch(request: Request) -> str | None:
    """plexnav's SMART launch URL for the cards' ``smart`` link, when SMART launch is configured."""
    from plexnav.server.smart_config import SmartConfig

    state = request.app.state
    if not hasattr(state, "smart_config"):
        state.smart_config = SmartConfig.from_env()
    if state.smart_config is None:
        return None
    public = state.settings.public_url
    return f"{public.rstrip('/')}/smart/launch" if public else str(request.url_for("smart_launch"))


def _docs(request: Request) -> cds_docs.DocLinks:
    """Where the cards' documentation pages are: under PLEXNAV_PUBLIC_URL when set, else this request's host."""
    public = request.app.state.settings.public_url
    return cds_docs.DocLinks(
        f"{public.rstrip('/')}{cds_docs.DOCS_PATH}" if public else str(request.url_for("cds_docs"))
    )


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return error_response(status, [CaseError("", message)], {**CORS, **(headers or {})})


@router.get("/cds-services", summary="CDS Hooks discovery")
def discovery() -> JSONResponse:
    """The services this server offers (CDS Hooks 2.0 discovery document)."""
    return JSONResponse(cds_hooks.discovery(), headers=CORS)


@router.get(
    "/cds-services/docs",
    name="cds_docs",
    summary="What plexnav's CDS cards mean (HTML)",
    response_class=HTMLResponse,  # documented as the HTML it is (schemathesis checks the content type)
)
def docs(request: Request) -> HTMLResponse:
    """The page each card's ``source.url`` opens: the cards, and the triage policy rule by rule."""
    return HTMLResponse(cds_docs.index_page(_docs(request)))


@router.get(
    "/cds-services/docs/rules/{rule_id}",
    summary="One triage rule: level, rationale, sources (HTML)",
    response_class=HTMLResponse,
    responses={404: {"description": "No such rule (an HTML page naming the known ones)", "content": {"text/html": {}}}},
)
def rule_docs(rule_id: str, request: Request) -> HTMLResponse:
    """The page a triage card's ``source.url`` opens when a red-flag rule fired."""
    links = _docs(request)
    page = cds_docs.rule_page(links, rule_id)
    if page is None:
        return HTMLResponse(cds_docs.not_found_page(links, rule_id), status_code=404)
    return HTMLResponse(page)


@router.options("/cds-services", include_in_schema=False)
@router.options("/cds-services/{service_id}", include_in_schema=False)
def preflight() -> Response:
    return Response(status_code=204, headers=PREFLIGHT)


@router.options("/cds-services/{service_id}/feedback", include_in_schema=False)
def feedback_preflight() -> Response:
    return Response(status_code=204, headers=PREFLIGHT)


def _verified(service_id: str, request: Request) -> dict | JSONResponse:
    """The JWT claims of a call to one of plexnav's services, or the error answer (unknown
    service 404, no registered client 401, a token that fails 401/403 with a challenge)."""
    offered = (cds_hooks.SERVICE_ID, *cds_orders.HOOK_OF_SERVICE)
    if service_id not in offered:
        return _error(404, f"no CDS service {service_id!r}; this server offers {', '.join(offered)}")
    auth = _auth(request)
    challenge = {"WWW-Authenticate": 'Bearer realm="cds-services"'}
    if auth is None:
        return _error(
            401,
            "no CDS client is registered with this server (PLEXNAV_CDS_CLIENTS), so no call can be trusted",
            challenge,
        )
    try:
        endpoint = str(request.url.replace(query=None, fragment=None))
        return auth.verify(request.headers.get("authorization"), auth.audience(endpoint, request.url.path))
    except CdsAuthError as exc:
        return _error(exc.status, str(exc), challenge)


@router.post("/cds-services/{service_id}/feedback", summary="CDS Hooks feedback on plexnav's cards")
async def feedback(service_id: str, request: Request) -> JSONResponse:
    """What the clinician did with the cards (accepted, overridden and why); send the same signed JWT."""
    claims = _verified(service_id, request)
    if isinstance(claims, JSONResponse):
        return claims
    try:
        items = cds_feedback.parse_feedback(await request.body())
    except cds_hooks.CdsRequestError as exc:
        return _error(exc.status, str(exc))
    state = request.app.state
    if not hasattr(state, "cds_feedback"):
        state.cds_feedback = cds_feedback.FeedbackLog(state.settings.data_dir)
    count = await run_in_threadpool(state.cds_feedback.record, service_id, claims["iss"], items)
    return JSONResponse({"recorded": count}, headers=CORS)


@router.post("/cds-services/{service_id}", summary="CDS Hooks service: lumbosacral cards")
async def service(service_id: str, request: Request) -> JSONResponse:
    """Cards for a patient-view call: send a signed JWT (``Authorization: Bearer``) and the prefetch
    of the discovery templates (``patient``, ``conditions``, ``observations``, ``reports``) or a
    plexnav case in ``plexnavCase``."""
    refused = _verified(service_id, request)
    if isinstance(refused, JSONResponse):
        return refused
    try:
        maps = _maps(request)
    except ConceptMapError as exc:  # the server's configuration, not the caller's request
        return _error(503, f"the hospital ConceptMap configured for plexnav cannot be used: {exc}")
    try:
        body = await request.body()
        if service_id == cds_hooks.SERVICE_ID:
            answer = await run_in_threadpool(
                cds_hooks.cds_service_response, body, maps, fetch_prefetch, _smart_launch(request), _docs(request)
            )
        else:
            answer = await run_in_threadpool(
                cds_orders.order_response, service_id, body, maps, fetch_prefetch, _docs(request)
            )
        return JSONResponse(answer, headers=CORS)
    except CaseValidationError as exc:
        return error_response(422, exc.errors, CORS)
    except cds_hooks.CdsRequestError as exc:
        return _error(exc.status, str(exc))

"""CDS Hooks 2.0 over HTTP: the discovery document and the ``plexnav-lumbosacral`` service.

Thin: the cards come from :mod:`plexnav.interop.cds_hooks`; this module only maps its
errors to HTTP (400 bad request, 412 missing prefetch, 422 invalid case).  CDS Hooks
clients call from other origins, so these two routes send CORS headers.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from plexnav.api.errors import ERROR_RESPONSES, ApiError
from plexnav.interop import cds_hooks
from plexnav.validation import CaseError, CaseValidationError

router = APIRouter(tags=["cds-hooks"], responses=ERROR_RESPONSES)
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Content-Type, Authorization"}


@router.get("/cds-services", summary="CDS Hooks discovery")
def discovery() -> JSONResponse:
    """The services this server offers (CDS Hooks 2.0 discovery document)."""
    return JSONResponse(cds_hooks.discovery(), headers=CORS)


@router.post(f"/cds-services/{cds_hooks.SERVICE_ID}", summary="CDS Hooks service: lumbosacral cards")
async def service(request: Request) -> JSONResponse:
    """Cards for a patient-view call whose prefetch ``plexnavCase`` holds a case or a plexnav Bundle."""
    try:
        return JSONResponse(cds_hooks.cds_service_response(await request.body()), headers=CORS)
    except CaseValidationError as exc:
        raise ApiError(422, exc.errors) from None
    except cds_hooks.CdsRequestError as exc:
        raise ApiError(exc.status, [CaseError("", str(exc))]) from None

"""``POST /api/v1/assess``: a case in, its assessment out; nothing is stored."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from plexnav.answers import FieldsError, parse_fields
from plexnav.case import Assessment
from plexnav.server.deps import AssessorDep
from plexnav.server.errors import ERROR_RESPONSES
from plexnav.validation import CaseError, CaseValidationError

router = APIRouter(prefix="/api/v1", tags=["assess"], responses=ERROR_RESPONSES)

CASE_BODY = {
    "requestBody": {
        "required": True,
        "description": "a case (plexnav-case/1); evaluation keys (expected, teaching, source, "
        "source_kind) are accepted and ignored, as by `plexnav assess`",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}},
    }
}


@router.post("/assess", response_model=Assessment, summary="Assess one case (no storage)", openapi_extra=CASE_BODY)
async def assess_case(
    request: Request,
    assessor: AssessorDep,
    fields: str | None = Query(
        None,
        description="a compact answer with only these, comma-separated: "
        "site (the leading three sites with probabilities), triage (level and "
        "reasons), causes (the leading three with probabilities)",
    ),
) -> Response:
    """Triage, ranked lesion sites with reasons, causes, work-up and next best findings.

    Validation is the CLI's: an invalid case gets 422 with every problem located by JSON
    path, the valid choices and the closest one.
    """
    try:
        wanted = parse_fields(fields)
    except FieldsError as exc:
        from difflib import get_close_matches

        from plexnav.engine.compact import FIELDS

        raise CaseValidationError(
            [
                CaseError(
                    "fields",
                    f"{name!r} is not a field of a compact answer",
                    choices=list(FIELDS),
                    suggestion=next(iter(get_close_matches(name, FIELDS, 1)), None),
                )
                for name in exc.unknown
            ]
        ) from None
    return Response(content=assessor.answer(await request.body(), wanted), media_type="application/json")

"""Sharing with clinicians, the clinician's patient list, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status

from plexnav.server.deps import CasebookDep
from plexnav.server.errors import ERROR_RESPONSES
from plexnav.store.schemas import AccessOverview, AuditEventPublic, ShareCreate, SharePublic, UserRef

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.get("/shares", tags=["sharing"], summary="Patients: who you share with; clinicians: who shares with you")
def list_shares(
    book: CasebookDep,
    include_ended: Annotated[
        bool, Query(description="patients: revoked and expired shares too, with when they ended")
    ] = False,
) -> list[SharePublic]:
    return book.list_shares(include_ended)


@router.post(
    "/shares",
    status_code=status.HTTP_201_CREATED,
    tags=["sharing"],
    summary="Patients: let a clinician see one case or all your cases, optionally until a set time",
    description="Sharing the same clinician and scope again sets its new end.  Only vetted clinicians "
    "(email verified, approved by an administrator) can be shared with; anyone else is 404.",
)
def create_share(data: ShareCreate, book: CasebookDep) -> SharePublic:
    return book.share_with(data.clinician, data.case_id, data.expires_at)


@router.delete(
    "/shares/{share_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["sharing"],
    summary="Patients: revoke a share at once (it stays listed as revoked)",
)
def delete_share(share_id: Annotated[str, Path(max_length=64)], book: CasebookDep) -> Response:
    book.unshare(share_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/access",
    tags=["sharing"],
    summary="Patients: who can see your records right now and until when, overall and case by case",
)
def access(
    book: CasebookDep,
    case_id: Annotated[str | None, Query(max_length=64, description="one case only")] = None,
) -> AccessOverview:
    return book.access(case_id)


@router.get("/patients", tags=["sharing"], summary="Clinicians: patients who shared their cases with you")
def list_patients(book: CasebookDep) -> list[UserRef]:
    return book.patients()


Since = Annotated[datetime | None, Query(description="only events at or after this time")]
Until = Annotated[datetime | None, Query(description="only events before this time")]
Action = Annotated[
    str | None, Query(max_length=32, description="e.g. read, denied (refused attempts), login_failed, share")
]
Actor = Annotated[str | None, Query(max_length=40, description="who did it (username)")]
OthersOnly = Annotated[bool, Query(description="only what other people did (refused attempts on your records too)")]
CaseId = Annotated[str | None, Query(max_length=64, description="only events naming this case")]
Everyone = Annotated[bool, Query(description="administrators: every account's events")]


def audit_filters(
    since: Since = None,
    until: Until = None,
    action: Action = None,
    actor: Actor = None,
    others_only: OthersOnly = False,
    case_id: CaseId = None,
    everyone: Everyone = False,
) -> dict[str, Any]:
    """The filter query parameters ``/audit`` and ``/audit.csv`` share, as keyword arguments
    of :meth:`Casebook.audit_log` (an empty text filter is no filter)."""
    return {
        "since": since,
        "until": until,
        "action": action or None,
        "actor": actor or None,
        "others_only": others_only,
        "case_id": case_id or None,
        "everyone": everyone,
    }


AuditFilters = Annotated[dict[str, Any], Depends(audit_filters)]


@router.get(
    "/audit",
    tags=["audit"],
    summary="Who read or changed your data (refused attempts on your records too), and what you did",
    description="Each event has the client address and user agent it came from.  Administrators see "
    "every account's events with everyone=true.",
)
def audit_log(
    book: CasebookDep,
    filters: AuditFilters,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEventPublic]:
    return book.audit_log(limit, **filters)


@router.get(
    "/audit.csv",
    tags=["audit"],
    summary="The same audit events as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def audit_export(
    book: CasebookDep,
    filters: AuditFilters,
    limit: Annotated[int, Query(ge=1, le=100000)] = 10000,
) -> Response:
    from plexnav.api.auditexport import audit_csv

    events = book.audit_log(limit, **filters)
    return Response(
        audit_csv(events),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="plexnav-audit.csv"'},
    )

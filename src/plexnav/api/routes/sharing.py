"""Sharing with clinicians, the clinician's patient list, and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from plexnav.server.deps import CasebookDep
from plexnav.server.errors import ERROR_RESPONSES
from plexnav.store.schemas import AuditEventPublic, ShareCreate, SharePublic, UserRef

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


@router.get("/shares", tags=["sharing"], summary="Patients: who you share with; clinicians: who shares with you")
def list_shares(book: CasebookDep) -> list[SharePublic]:
    return book.list_shares()


@router.post("/shares", status_code=status.HTTP_201_CREATED, tags=["sharing"],
             summary="Patients: let a clinician see your cases")
def create_share(data: ShareCreate, book: CasebookDep) -> SharePublic:
    return book.share_with(data.clinician)


@router.delete("/shares/{share_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["sharing"],
               summary="Patients: stop sharing")
def delete_share(share_id: Annotated[str, Path(max_length=64)], book: CasebookDep) -> Response:
    book.unshare(share_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/patients", tags=["sharing"], summary="Clinicians: patients who shared their cases with you")
def list_patients(book: CasebookDep) -> list[UserRef]:
    return book.patients()


@router.get("/audit", tags=["audit"], summary="Who read or changed your data, and what you did")
def audit_log(book: CasebookDep,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[AuditEventPublic]:
    return book.audit_log(limit)

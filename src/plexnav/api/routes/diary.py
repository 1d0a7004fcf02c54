"""The recovery diary of a stored case (signed in; see plexnav.store.diarybook for who may do what)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from plexnav.diary.models import DiaryEntry
from plexnav.server.deps import DiarybookDep
from plexnav.server.errors import ERROR_RESPONSES
from plexnav.store.schemas import DiaryEntryPublic

router = APIRouter(prefix="/api/v1/cases/{case_id}/diary", tags=["diary"], responses=ERROR_RESPONSES)

CaseId = Annotated[str, Path(max_length=64, description="case id")]


@router.get("", summary="The case's diary entries in time order, each with its red-flag check")
def list_entries(case_id: CaseId, book: DiarybookDep) -> list[DiaryEntryPublic]:
    return book.diary_entries(case_id)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a diary entry (patients: author 'patient'; shared clinicians: author 'clinician')",
)
def create_entry(case_id: CaseId, entry: DiaryEntry, book: DiarybookDep) -> DiaryEntryPublic:
    return book.add_entry(case_id, entry)


@router.post(
    "/acknowledge",
    summary="Clinicians: you reviewed the diary's red flags (the case's urgency falls back to its assessment's level)",
)
def acknowledge_alerts(case_id: CaseId, book: DiarybookDep) -> dict[str, int]:
    return {"acknowledged": book.acknowledge_alerts(case_id)}


EntryId = Annotated[str, Path(max_length=64, description="diary entry id")]


@router.put("/{entry_id}", summary="Correct a diary entry you wrote (its red-flag check is made again)")
def update_entry(case_id: CaseId, entry_id: EntryId, entry: DiaryEntry, book: DiarybookDep) -> DiaryEntryPublic:
    return book.update_entry(case_id, entry_id, entry)


@router.delete(
    "/{entry_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a diary entry you wrote (the audit log keeps the fact)",
)
def delete_entry(case_id: CaseId, entry_id: EntryId, book: DiarybookDep) -> Response:
    book.delete_entry(case_id, entry_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

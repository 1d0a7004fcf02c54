"""Stored cases and their assessments (signed in; see plexnav.store.casebook for who may do what)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from plexnav.server.deps import CasebookDep
from plexnav.server.errors import ERROR_RESPONSES
from plexnav.store.schemas import (
    AssessmentRecordPublic,
    AssessmentRecordSummary,
    CaseCreate,
    CasePublic,
    CaseSummary,
    CaseUpdate,
)

router = APIRouter(prefix="/api/v1/cases", tags=["cases"], responses=ERROR_RESPONSES)

CaseId = Annotated[str, Path(max_length=64, description="case id")]
AssessmentId = Annotated[str, Path(max_length=64, description="assessment id")]


@router.get("", summary="Cases you can see")
def list_cases(
    book: CasebookDep,
    patient_id: Annotated[str | None, Query(max_length=64, description="only this patient's")] = None,
) -> list[CaseSummary]:
    return book.list_cases(patient_id)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Store a case and assess it")
def create_case(data: CaseCreate, book: CasebookDep) -> CasePublic:
    return book.create(data)


@router.get("/{case_id}", summary="One case with its latest assessment")
def read_case(case_id: CaseId, book: CasebookDep) -> CasePublic:
    return book.read(case_id)


@router.put("/{case_id}", summary="Change a case (a new assessment is stored when the case changes)")
def update_case(case_id: CaseId, data: CaseUpdate, book: CasebookDep) -> CasePublic:
    return book.update(case_id, data)


@router.delete("/{case_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a case (owner only)")
def delete_case(case_id: CaseId, book: CasebookDep) -> Response:
    book.delete(case_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{case_id}/assessments", summary="Every stored assessment of a case, newest first")
def list_assessments(case_id: CaseId, book: CasebookDep) -> list[AssessmentRecordSummary]:
    return book.history(case_id)


@router.post(
    "/{case_id}/assessments",
    status_code=status.HTTP_201_CREATED,
    summary="Assess the stored case again (e.g. after a knowledge update)",
)
def reassess(case_id: CaseId, book: CasebookDep) -> AssessmentRecordPublic:
    return book.reassess(case_id)


@router.get("/{case_id}/assessments/{assessment_id}", summary="One stored assessment")
def read_assessment(case_id: CaseId, assessment_id: AssessmentId, book: CasebookDep) -> AssessmentRecordPublic:
    return book.assessment(case_id, assessment_id)

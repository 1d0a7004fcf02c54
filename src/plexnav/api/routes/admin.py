"""Administration: vet clinician accounts (administrators only; 404 to everyone else)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from plexnav.server.deps import AccountsDep, AdminUser
from plexnav.server.errors import ERROR_RESPONSES
from plexnav.store.schemas import UserPublic

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], responses=ERROR_RESPONSES)

UserId = Annotated[str, Path(max_length=64)]


@router.get("/clinicians", summary="Clinician accounts: pending approval, approved, or all")
def list_clinicians(
    admin: AdminUser,
    accounts: AccountsDep,
    status: Annotated[Literal["pending", "approved", "all"], Query()] = "pending",
) -> list[UserPublic]:
    return [UserPublic.model_validate(u) for u in accounts.clinicians(status)]


@router.post(
    "/clinicians/{user_id}/approve",
    summary="Approve a clinician whose email is verified (patients can then share with them)",
)
def approve_clinician(user_id: UserId, admin: AdminUser, accounts: AccountsDep) -> UserPublic:
    return UserPublic.model_validate(accounts.approve_clinician(user_id, admin))


@router.post(
    "/clinicians/{user_id}/revoke", summary="Withdraw a clinician's approval (shared records are hidden again)"
)
def revoke_clinician(user_id: UserId, admin: AdminUser, accounts: AccountsDep) -> UserPublic:
    return UserPublic.model_validate(accounts.revoke_clinician(user_id, admin))

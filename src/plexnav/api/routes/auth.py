"""Accounts: register, sign in (rate-limited), sign out, who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from plexnav.api.deps import AccountsDep, CurrentUser, SettingsDep, ThrottleDep, client_address, sign_in, sign_out
from plexnav.api.errors import ERROR_RESPONSES, ApiError
from plexnav.store.schemas import LoginRequest, UserCreate, UserPublic
from plexnav.validation import CaseError

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"], responses=ERROR_RESPONSES)


@router.post("/register", status_code=status.HTTP_201_CREATED, summary="Create an account")
def register(data: UserCreate, accounts: AccountsDep, settings: SettingsDep) -> UserPublic:
    return accounts.register(data, allow_clinician=settings.allow_clinician_signup)


def check_login(request: Request, data: LoginRequest, accounts: AccountsDep, throttle: ThrottleDep):
    """Shared by the API and the sign-in page: the user, or ApiError 401/429."""
    address = client_address(request)
    wait = throttle.retry_after(data.username, address)
    if wait is not None:
        raise ApiError(429, [CaseError("", f"too many failed sign-ins; try again in {wait} s")],
                       {"Retry-After": str(wait)})
    user = accounts.authenticate(data.username, data.password)
    if user is None:
        throttle.failed(data.username, address)
        raise ApiError(401, [CaseError("", "wrong username or password")])
    throttle.succeeded(data.username)
    sign_in(request, user)
    return user


@router.post("/login", summary="Sign in (sets an HttpOnly session cookie)")
def login(request: Request, data: LoginRequest, accounts: AccountsDep, throttle: ThrottleDep) -> UserPublic:
    return UserPublic.model_validate(check_login(request, data, accounts, throttle))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out")
def logout(request: Request) -> Response:
    sign_out(request)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", summary="The signed-in account")
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)

"""Accounts: register, verify the email address, sign in (rate-limited), sign out, who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from plexnav.api.deps import (
    AccountsDep,
    CurrentUser,
    SettingsDep,
    ThrottleDep,
    client_address,
    sign_in,
    sign_out,
)
from plexnav.api.errors import ERROR_RESPONSES, ApiError
from plexnav.api.mail import send_verification
from plexnav.store.schemas import EmailToken, LoginRequest, UserCreate, UserPublic
from plexnav.validation import CaseError

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"], responses=ERROR_RESPONSES)


def register_account(request: Request, data: UserCreate, accounts, settings) -> UserPublic:
    """Shared by the API and the sign-up page: create the account, then mail the link."""
    public = accounts.register(data, allow_clinician=settings.allow_clinician_signup)
    user = accounts.get(public.id)
    if user is not None:
        send_verification(request, settings, user)
    return public


@router.post("/register", status_code=status.HTTP_201_CREATED, summary="Create an account",
             description="Sends a link that verifies the email address.  Clinician accounts (where self sign-up "
                         "is allowed) start pending: patients can share with them only after the email is "
                         "verified and an administrator approved the account.")
def register(request: Request, data: UserCreate, accounts: AccountsDep, settings: SettingsDep) -> UserPublic:
    return register_account(request, data, accounts, settings)


@router.post("/verify-email", summary="Verify the email address with the token from the emailed link")
def verify_email(request: Request, data: EmailToken, accounts: AccountsDep, settings: SettingsDep) -> UserPublic:
    user = accounts.verify_email(data.token, request.app.state.secret_key, settings.email_token_max_age)
    return UserPublic.model_validate(user)


@router.post("/verify-email/resend", status_code=status.HTTP_204_NO_CONTENT,
             summary="Send the verification link again (signed-in, unverified accounts)")
def resend_verification(request: Request, user: CurrentUser, settings: SettingsDep) -> Response:
    if user.email_verified_at is None:
        send_verification(request, settings, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def check_login(request: Request, data: LoginRequest, accounts: AccountsDep, throttle: ThrottleDep):
    """Shared by the API and the sign-in page: the user, or ApiError 401/429."""
    attempt, wait = throttle.reserve(data.username, client_address(request))
    if attempt is None:
        raise ApiError(429, [CaseError("", f"too many failed sign-ins; try again in {wait} s")],
                       {"Retry-After": str(wait)})
    user = accounts.authenticate(data.username, data.password)
    if user is None:
        raise ApiError(401, [CaseError("", "wrong username or password")])
    throttle.succeeded(data.username, attempt)
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

"""Account actions the sign-up/sign-in API routes and the pages both perform."""

from __future__ import annotations

from fastapi import Request

from plexnav.server.deps import AccountsDep, ThrottleDep, client_address, sign_in
from plexnav.server.errors import ApiError
from plexnav.server.mail import send_verification
from plexnav.store.schemas import LoginRequest, UserCreate, UserPublic
from plexnav.validation import CaseError


def register_account(request: Request, data: UserCreate, accounts, settings) -> UserPublic:
    """Create the account, then mail the link that verifies its email address.  Registrations
    are throttled per client address (``PLEXNAV_SIGNUP_MAX_PER_ADDRESS`` per hour)."""
    wait = request.app.state.login_throttle.reserve_signup(
        client_address(request), settings.signup_max_per_address, settings.signup_window_seconds
    )
    if wait is not None:
        raise ApiError(
            429,
            [CaseError("", f"too many new accounts from your address; try again in {wait} s")],
            {"Retry-After": str(wait)},
        )
    public = accounts.register(data, allow_clinician=settings.allow_clinician_signup)
    user = accounts.get(public.id)
    if user is not None:
        send_verification(request, settings, user)
    return public


def check_login(request: Request, data: LoginRequest, accounts: AccountsDep, throttle: ThrottleDep):
    """Sign in: the user, or ApiError 401 (wrong credentials) / 429 (too many failures)."""
    attempt, wait = throttle.reserve(data.username, client_address(request))
    if attempt is None:
        raise ApiError(
            429, [CaseError("", f"too many failed sign-ins; try again in {wait} s")], {"Retry-After": str(wait)}
        )
    user = accounts.authenticate(data.username, data.password)
    if user is None:
        raise ApiError(401, [CaseError("", "wrong username or password")])
    throttle.succeeded(data.username, attempt)
    sign_in(request, user)
    return user

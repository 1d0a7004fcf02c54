"""Account actions the sign-up/sign-in API routes and the pages both perform."""

from __future__ import annotations

import time

from fastapi import Request

from plexnav.server.deps import AccountsDep, ThrottleDep, client_address, sign_in
from plexnav.server.errors import ApiError
from plexnav.server.mail import send_verification
from plexnav.store.accounts import auth_stamp
from plexnav.store.errors import SecondFactorNeeded
from plexnav.store.schemas import LoginRequest, UserCreate, UserPublic
from plexnav.store.twofactor import TwoFactor
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


PENDING_SECOND_FACTOR = "2fa"
PENDING_SECONDS = 300


def _too_many(wait: int | None) -> ApiError:
    return ApiError(
        429, [CaseError("", f"too many failed sign-ins; try again in {wait} s")], {"Retry-After": str(wait)}
    )


def check_login(request: Request, data: LoginRequest, accounts: AccountsDep, throttle: ThrottleDep):
    """Sign in: the user, or ApiError 401 (wrong credentials, or a two-factor code needed:
    path ``totp_code``) / 429 (too many failures).  When a code is needed, the session
    remembers for five minutes whose password was right, so the code can follow alone
    (:func:`complete_two_factor`)."""
    attempt, wait = throttle.reserve(data.username, client_address(request))
    if attempt is None:
        raise _too_many(wait)
    try:
        user = accounts.authenticate(data.username, data.password, data.totp_code)
    except SecondFactorNeeded as exc:
        request.session[PENDING_SECOND_FACTOR] = {
            "u": exc.user_id,
            "s": exc.stamp,
            "login": data.username,
            "at": int(time.time()),
        }
        raise ApiError(401, exc.errors()) from None
    if user is None:
        raise ApiError(401, [CaseError("", "wrong username or password" + (" or code" if data.totp_code else ""))])
    throttle.succeeded(data.username, attempt)
    sign_in(request, user)
    return user


def complete_two_factor(request: Request, code: str, accounts: AccountsDep, throttle: ThrottleDep):
    """The second step of a sign-in whose password was right: check the code, sign in."""
    pending = request.session.get(PENDING_SECOND_FACTOR)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_SECOND_FACTOR, None)
        raise ApiError(
            401, [CaseError("", "sign in with your username and password first (or again: 5 minutes passed)")]
        )
    login = str(pending.get("login", ""))
    attempt, wait = throttle.reserve(login, client_address(request))
    if attempt is None:
        raise _too_many(wait)
    user = accounts.get(str(pending.get("u")))
    if user is None or auth_stamp(user) != pending.get("s") or not user.two_factor:
        request.session.pop(PENDING_SECOND_FACTOR, None)
        raise ApiError(401, [CaseError("", "sign in with your username and password again")])
    if not TwoFactor(accounts.session).check(user.id, code):
        raise ApiError(401, [CaseError("totp_code", "that code is not right (or was used already); try the next one")])
    signed = accounts.complete_login(user.id)
    if signed is None:
        raise ApiError(401, [CaseError("", "sign in with your username and password again")])
    throttle.succeeded(login, attempt)
    sign_in(request, signed)  # a fresh session: the pending marker goes with the old one
    return signed


def qr_svg(text: str) -> str:
    """``text`` as a QR code, an inline SVG (for the otpauth link of two-factor enrolment)."""
    import segno

    return str(segno.make(text, error="m").svg_inline(scale=4, title="QR code for your authenticator app"))

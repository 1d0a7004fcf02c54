"""Accounts: register, verify the email address, sign in (rate-limited), sign out, who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from plexnav.server.accounts import check_login, complete_two_factor, qr_svg, register_account
from plexnav.server.deps import (
    SESSION_TOKEN,
    AccountsDep,
    CurrentUser,
    DbSession,
    DiarybookDep,
    SettingsDep,
    ThrottleDep,
    session_store,
    sign_in,
    sign_out,
)
from plexnav.server.errors import ERROR_RESPONSES
from plexnav.server.mail import send_verification
from plexnav.store.errors import NotFound
from plexnav.store.schemas import (
    AccountDeletion,
    EmailToken,
    LoginRequest,
    PasswordChange,
    RecoveryCodes,
    ResetConfirm,
    ResetRequest,
    SessionPublic,
    TwoFactorCode,
    TwoFactorDisable,
    TwoFactorEnrolment,
    TwoFactorStatus,
    UserCreate,
    UserPublic,
)
from plexnav.store.twofactor import TwoFactor

router = APIRouter(prefix="/api/v1/auth", tags=["accounts"], responses=ERROR_RESPONSES)


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account",
    description="Sends a link that verifies the email address.  Clinician accounts (where self sign-up "
    "is allowed) start pending: patients can share with them only after the email is "
    "verified and an administrator approved the account.",
)
def register(request: Request, data: UserCreate, accounts: AccountsDep, settings: SettingsDep) -> UserPublic:
    return register_account(request, data, accounts, settings)


@router.post("/verify-email", summary="Verify the email address with the token from the emailed link")
def verify_email(request: Request, data: EmailToken, accounts: AccountsDep, settings: SettingsDep) -> UserPublic:
    user = accounts.verify_email(data.token, request.app.state.secret_key, settings.email_token_max_age)
    return UserPublic.model_validate(user)


@router.post(
    "/verify-email/resend",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Send the verification link again (signed-in, unverified accounts)",
)
def resend_verification(request: Request, user: CurrentUser, settings: SettingsDep) -> Response:
    if user.email_verified_at is None:
        send_verification(request, settings, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/login", summary="Sign in (sets an HttpOnly session cookie)")
def login(request: Request, data: LoginRequest, accounts: AccountsDep, throttle: ThrottleDep) -> UserPublic:
    return UserPublic.model_validate(check_login(request, data, accounts, throttle))


@router.post(
    "/login/two-factor",
    summary="Second step of a sign-in: the code, after the password was accepted with a 401 totp_code",
)
def login_two_factor(request: Request, data: TwoFactorCode, accounts: AccountsDep, throttle: ThrottleDep) -> UserPublic:
    return UserPublic.model_validate(complete_two_factor(request, data.code, accounts, throttle))


@router.get("/two-factor", summary="Whether two-factor sign-in is on, and how many recovery codes are left")
def two_factor_status(user: CurrentUser, db: DbSession) -> TwoFactorStatus:
    return TwoFactorStatus(
        enabled=user.two_factor,
        enabled_at=user.totp_enabled_at,
        pending=bool(user.totp_secret) and not user.two_factor,
        recovery_codes_left=TwoFactor(db).recovery_codes_left(user) if user.two_factor else 0,
    )


@router.post(
    "/two-factor/enrol",
    summary="Start setting up two-factor sign-in: a new secret, shown once (as text and QR code)",
    description="Nothing changes at sign-in until a code from the app is sent to /two-factor/enable.",
)
def two_factor_enrol(user: CurrentUser, db: DbSession) -> TwoFactorEnrolment:
    enrolment = TwoFactor(db).enrol(user.id)
    return TwoFactorEnrolment(
        secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri, qr_svg=qr_svg(enrolment.otpauth_uri)
    )


@router.post(
    "/two-factor/enable",
    summary="Turn two-factor sign-in on with a first code; answers the recovery codes (shown once)",
)
def two_factor_enable(data: TwoFactorCode, user: CurrentUser, db: DbSession) -> RecoveryCodes:
    return RecoveryCodes(recovery_codes=TwoFactor(db).enable(user.id, data.code))


@router.post(
    "/two-factor/disable",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Turn two-factor sign-in off (your password and a code, or a recovery code)",
)
def two_factor_disable(data: TwoFactorDisable, user: CurrentUser, accounts: AccountsDep, db: DbSession) -> Response:
    TwoFactor(db).disable(user.id, accounts.check_password(user, data.password), data.code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out")
def logout(request: Request) -> Response:
    sign_out(request)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", summary="The signed-in account")
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.get("/sessions", summary="Your signed-in sessions (browsers and clients), newest use first")
def list_sessions(request: Request, user: CurrentUser, db: DbSession) -> list[SessionPublic]:
    current = getattr(request.state, "session_id", None)
    return [
        SessionPublic.model_validate(r).model_copy(update={"current": r.id == current})
        for r in session_store(request, db).active(user)
    ]


@router.post(
    "/logout-everywhere",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out everywhere: end every session of your account, this one too",
)
def logout_everywhere(request: Request, user: CurrentUser, db: DbSession) -> Response:
    session_store(request, db).end_all(user)
    request.session.clear()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT, summary="End one of your sessions")
def end_session(
    request: Request, session_id: Annotated[str, Path(max_length=64)], user: CurrentUser, db: DbSession
) -> Response:
    if not session_store(request, db).end_one(user, session_id):
        raise NotFound("no such session of yours", "session_id")
    if session_id == getattr(request.state, "session_id", None):
        request.session.pop(SESSION_TOKEN, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/password", summary="Change your password (every session ends; this one starts afresh)")
def change_password(request: Request, data: PasswordChange, user: CurrentUser, accounts: AccountsDep) -> UserPublic:
    changed = accounts.change_password(user.id, data.current_password, data.new_password)
    sign_in(request, changed)
    return UserPublic.model_validate(changed)


@router.post(
    "/delete-account",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete your account and erase all your data (cases, assessments, diary, shares)",
    description="The audit log keeps the fact that the account was deleted, not its data. Export your "
    "data first (GET /api/v1/auth/export) if you want to keep it.",
)
def delete_account(request: Request, data: AccountDeletion, user: CurrentUser, accounts: AccountsDep) -> Response:
    accounts.delete_account(user.id, data.password)
    request.session.clear()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/export",
    summary="Download all your data: JSON and PDF summaries in a zip",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def export_my_data(book: DiarybookDep, user: CurrentUser) -> Response:
    from plexnav.api.export import export_zip

    body = export_zip(book, user)
    return Response(
        body,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="plexnav-{user.username}-export.zip"'},
    )


@router.post(
    "/password-reset",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Email a password reset link (the answer is the same whether the address is known or not)",
)
def request_password_reset(
    request: Request, data: ResetRequest, accounts: AccountsDep, settings: SettingsDep, throttle: ThrottleDep
) -> Response:
    from plexnav.server.deps import client_address
    from plexnav.server.mail import send_password_reset

    wait = throttle.reserve_signup(
        f"reset:{client_address(request)}", settings.signup_max_per_address, settings.signup_window_seconds
    )
    if wait is not None:
        from plexnav.server.errors import ApiError
        from plexnav.validation import CaseError

        raise ApiError(
            429, [CaseError("", f"too many reset requests; try again in {wait} s")], {"Retry-After": str(wait)}
        )
    user = accounts.users.by_login(data.email)
    if user is not None and user.email == data.email:
        send_password_reset(request, settings, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/password-reset/confirm", summary="Set a new password with the emailed link's token")
def confirm_password_reset(
    request: Request, data: ResetConfirm, accounts: AccountsDep, settings: SettingsDep
) -> UserPublic:
    user = accounts.reset_password(
        data.token, request.app.state.secret_key, settings.reset_token_max_age, data.new_password
    )
    return UserPublic.model_validate(user)

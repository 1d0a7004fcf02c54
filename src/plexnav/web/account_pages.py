"""Account pages: the emailed verification link, the administrators' clinician vetting page,
and "My account" (who can see my records and sharing, sessions, sign out everywhere, password
change, export, deletion)."""

from __future__ import annotations

import typing
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from plexnav.server.accounts import complete_two_factor, qr_svg
from plexnav.server.deps import AccountsDep, DbSession, OptionalUser, SettingsDep, ThrottleDep, session_store, sign_in
from plexnav.store.casebook import Casebook
from plexnav.store.errors import NotFound, StoreError
from plexnav.store.models import utcnow
from plexnav.store.twofactor import TwoFactor
from plexnav.validation import CaseError
from plexnav.web.pages import CsrfForm, login_redirect, redirect, render, sign_in_step

router = APIRouter(include_in_schema=False)


@router.get("/verify-email", response_class=HTMLResponse)
def verify_email_page(
    request: Request, accounts: AccountsDep, settings: SettingsDep, user: OptionalUser, token: str = ""
) -> Response:
    try:
        verified = accounts.verify_email(token[:1000], request.app.state.secret_key, settings.email_token_max_age)
    except StoreError as exc:
        return render(request, "verify_email.html", user, status_code=exc.status, verified=None, errors=exc.errors())
    return render(request, "verify_email.html", user, verified=verified, errors=[])


def _admin_or_404(user) -> None:
    if user is not None and user.role != "admin":
        raise NotFound("not found")


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, accounts: AccountsDep, user: OptionalUser) -> Response:
    if user is None:
        return login_redirect(request)
    _admin_or_404(user)
    return render(
        request,
        "admin.html",
        user,
        pending=accounts.clinicians("pending"),
        approved=accounts.clinicians("approved"),
        errors=[],
    )


@router.post("/admin/clinicians/{user_id}/{action}")
def admin_action(
    request: Request, user_id: str, action: str, form: CsrfForm, accounts: AccountsDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    _admin_or_404(user)
    if action not in ("approve", "revoke"):
        raise NotFound("not found")
    try:
        if action == "approve":
            accounts.approve_clinician(user_id[:64], user)
        else:
            accounts.revoke_clinician(user_id[:64], user)
    except StoreError as exc:
        return render(
            request,
            "admin.html",
            user,
            status_code=exc.status,
            pending=accounts.clinicians("pending"),
            approved=accounts.clinicians("approved"),
            errors=exc.errors(),
        )
    return redirect("/admin")


SHARE_DURATIONS = (
    ("", "until I revoke it"),
    ("1", "1 day"),
    ("7", "1 week"),
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
)


def _account_page(request: Request, user, db, status_code: int = 200, errors=None, done: str | None = None, **extra):
    sharing = None
    if user.role == "patient":
        book = Casebook(db, user)
        sharing = {
            "access": book.access(),
            "history": [s for s in book.list_shares(include_ended=True) if s.status != "active"],
            "durations": SHARE_DURATIONS,
        }
    two_factor = {
        "enabled": user.two_factor,
        "enabled_at": user.totp_enabled_at,
        "codes_left": TwoFactor(db).recovery_codes_left(user) if user.two_factor else 0,
    }
    return render(
        request,
        "account.html",
        user,
        status_code=status_code,
        errors=errors or [],
        done=done,
        sessions=session_store(request, db).active(user),
        current=getattr(request.state, "session_id", None),
        sharing=sharing,
        two_factor=two_factor,
        **extra,
    )


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: OptionalUser, db: DbSession) -> Response:
    if user is None:
        return login_redirect(request)
    return _account_page(request, user, db)


@router.post("/account/shares", response_class=HTMLResponse)
def account_share(request: Request, form: CsrfForm, user: OptionalUser, db: DbSession) -> Response:
    """Share one case or all, for a chosen time (the patient's "Who can see your records")."""
    if user is None:
        return login_redirect(request)
    scope = form.get("case_id").strip()
    days = form.get("days").strip()
    if days not in {value for value, _ in SHARE_DURATIONS}:
        return _account_page(request, user, db, 422, [CaseError("days", "choose how long from the list")])
    expires_at = utcnow() + timedelta(days=int(days)) if days else None
    try:
        share = Casebook(db, user).share_with(form.get("clinician")[:254], scope[:64] or None, expires_at)
    except StoreError as exc:
        return _account_page(request, user, db, exc.status, exc.errors())
    what = f"“{share.case_title}”" if share.case_title else "all your cases"
    until = f"until {share.expires_at:%d %b %Y %H:%M} UTC" if share.expires_at else "until you revoke it"
    return _account_page(request, user, db, done=f"{share.clinician.display_name} can see {what} {until}.")


@router.post("/account/shares/{share_id}/revoke")
def account_revoke_share(
    request: Request, share_id: str, form: CsrfForm, user: OptionalUser, db: DbSession
) -> Response:
    if user is None:
        return login_redirect(request)
    Casebook(db, user).unshare(share_id[:64])
    return redirect("/account#h-access")


@router.post("/account/two-factor/enrol", response_class=HTMLResponse)
def account_two_factor_enrol(request: Request, form: CsrfForm, user: OptionalUser, db: DbSession) -> Response:
    """Show a new secret once (text and QR code) with the form for the first code."""
    if user is None:
        return login_redirect(request)
    try:
        enrolment = TwoFactor(db).enrol(user.id)
    except StoreError as exc:
        return _account_page(request, user, db, exc.status, exc.errors())
    shown = {"secret": enrolment.secret, "qr": qr_svg(enrolment.otpauth_uri), "uri": enrolment.otpauth_uri}
    page = _account_page(request, user, db, enrolment=shown)
    page.headers["Cache-Control"] = "no-store"
    return page


@router.post("/account/two-factor/enable", response_class=HTMLResponse)
def account_two_factor_enable(request: Request, form: CsrfForm, user: OptionalUser, db: DbSession) -> Response:
    if user is None:
        return login_redirect(request)
    try:
        codes = TwoFactor(db).enable(user.id, form.get("code")[:40])
    except StoreError as exc:
        return _account_page(request, user, db, exc.status, exc.errors())
    page = _account_page(request, user, db, done="Two-factor sign-in is on.", recovery_codes=codes)
    page.headers["Cache-Control"] = "no-store"
    return page


@router.post("/account/two-factor/disable", response_class=HTMLResponse)
def account_two_factor_disable(
    request: Request, form: CsrfForm, user: OptionalUser, db: DbSession, accounts: AccountsDep
) -> Response:
    if user is None:
        return login_redirect(request)
    try:
        TwoFactor(db).disable(user.id, accounts.check_password(user, form.get("password")[:200]), form.get("code")[:40])
    except StoreError as exc:
        return _account_page(request, user, db, exc.status, exc.errors())
    return _account_page(request, user, db, done="Two-factor sign-in is off.")


@router.post("/login/two-factor", response_class=HTMLResponse)
def login_two_factor(
    request: Request, form: CsrfForm, accounts: AccountsDep, throttle: ThrottleDep, user: OptionalUser
) -> Response:
    """The second step of signing in, after login.html asked for the code."""
    return sign_in_step(
        request, form, lambda: complete_two_factor(request, form.get("code")[:40], accounts, throttle), values={}
    )


@router.post("/account/sessions/{session_id}/end")
def account_end_session(
    request: Request, session_id: str, form: CsrfForm, user: OptionalUser, db: DbSession
) -> Response:
    if user is None:
        return login_redirect(request)
    session_store(request, db).end_one(user, session_id[:64])
    return redirect("/account")


@router.post("/account/sign-out-everywhere")
def account_sign_out_everywhere(request: Request, form: CsrfForm, user: OptionalUser, db: DbSession) -> Response:
    if user is None:
        return login_redirect(request)
    session_store(request, db).end_all(user)
    request.session.clear()
    return redirect("/login")


@router.post("/account/password", response_class=HTMLResponse)
def account_password(
    request: Request, form: CsrfForm, user: OptionalUser, db: DbSession, accounts: AccountsDep
) -> Response:
    from pydantic import ValidationError

    from plexnav.store.schemas import PasswordChange
    from plexnav.validation import convert_error

    if user is None:
        return login_redirect(request)
    try:
        data = PasswordChange.model_validate(
            {"current_password": form.get("current_password"), "new_password": form.get("new_password")}
        )
        changed = accounts.change_password(user.id, data.current_password, data.new_password)
    except ValidationError as exc:
        return _account_page(request, user, db, 422, [convert_error(e, PasswordChange) for e in exc.errors()])
    except StoreError as exc:
        return _account_page(request, user, db, exc.status, exc.errors())
    sign_in(request, changed)
    return _account_page(request, changed, db, done="Your password is changed; you were signed out everywhere else.")


@router.post("/account/delete", response_class=HTMLResponse)
def account_delete(
    request: Request, form: CsrfForm, user: OptionalUser, db: DbSession, accounts: AccountsDep
) -> Response:
    from plexnav.store.schemas import AccountDeletion

    if user is None:
        return login_redirect(request)
    if form.get("confirm").strip() != typing.get_args(AccountDeletion.model_fields["confirm"].annotation)[0]:
        return _account_page(
            request, user, db, 422, [StoreError("type the sentence exactly to confirm", "confirm").errors()[0]]
        )
    try:
        accounts.delete_account(user.id, form.get("password"))
    except StoreError as exc:
        return _account_page(request, user, db, exc.status, exc.errors())
    request.session.clear()
    return redirect("/")


@router.get("/forgot-password", response_class=HTMLResponse)
def forgot_password_page(request: Request, user: OptionalUser) -> Response:
    return render(request, "reset_password.html", user, errors=[], token=None, done=None)


@router.post("/forgot-password", response_class=HTMLResponse)
def forgot_password_submit(
    request: Request, form: CsrfForm, user: OptionalUser, accounts: AccountsDep, settings: SettingsDep
) -> Response:
    from plexnav.server.deps import client_address
    from plexnav.server.mail import send_password_reset

    wait = request.app.state.login_throttle.reserve_signup(
        f"reset:{client_address(request)}", settings.signup_max_per_address, settings.signup_window_seconds
    )
    if wait is not None:  # the same limit as POST /api/v1/auth/password-reset
        response = render(
            request,
            "reset_password.html",
            user,
            status_code=429,
            errors=[CaseError("", f"too many reset requests; try again in {wait} s")],
            token=None,
            done=None,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    email = form.get("email").strip().lower()[:254]
    found = accounts.users.by_login(email) if "@" in email else None
    if found is not None and found.email == email:
        send_password_reset(request, settings, found)
    return render(
        request,
        "reset_password.html",
        user,
        errors=[],
        token=None,
        done="If that address belongs to an account, a link to choose a new password is on its way.",
    )


@router.get("/reset-password", response_class=HTMLResponse)
def reset_password_page(request: Request, user: OptionalUser, token: str = "") -> Response:
    return render(request, "reset_password.html", user, errors=[], token=token[:1000] or None, done=None)


@router.post("/reset-password", response_class=HTMLResponse)
def reset_password_submit(
    request: Request, form: CsrfForm, user: OptionalUser, accounts: AccountsDep, settings: SettingsDep
) -> Response:
    from pydantic import ValidationError

    from plexnav.store.schemas import ResetConfirm
    from plexnav.validation import convert_error

    token = form.get("token")[:1000]
    try:
        data = ResetConfirm.model_validate({"token": token, "new_password": form.get("new_password")})
        accounts.reset_password(
            data.token, request.app.state.secret_key, settings.reset_token_max_age, data.new_password
        )
    except ValidationError as exc:
        return render(
            request,
            "reset_password.html",
            user,
            status_code=422,
            token=token,
            done=None,
            errors=[convert_error(e, ResetConfirm) for e in exc.errors()],
        )
    except StoreError as exc:
        return render(
            request, "reset_password.html", user, status_code=exc.status, token=None, done=None, errors=exc.errors()
        )
    return render(
        request,
        "reset_password.html",
        None,
        errors=[],
        token=None,
        done="Your password is changed and you were signed out everywhere. Sign in with the new one.",
    )

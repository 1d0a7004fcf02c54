"""Account pages: the emailed verification link, and the administrators' clinician vetting page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from plexnav.server.deps import AccountsDep, OptionalUser, SettingsDep
from plexnav.store.errors import NotFound, StoreError
from plexnav.web.pages import CsrfForm, login_redirect, redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/verify-email", response_class=HTMLResponse)
def verify_email_page(request: Request, accounts: AccountsDep, settings: SettingsDep, user: OptionalUser,
                      token: str = "") -> Response:
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
    return render(request, "admin.html", user, pending=accounts.clinicians("pending"),
                  approved=accounts.clinicians("approved"), errors=[])


@router.post("/admin/clinicians/{user_id}/{action}")
def admin_action(request: Request, user_id: str, action: str, form: CsrfForm, accounts: AccountsDep,
                 user: OptionalUser) -> Response:
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
        return render(request, "admin.html", user, status_code=exc.status, pending=accounts.clinicians("pending"),
                      approved=accounts.clinicians("approved"), errors=exc.errors())
    return redirect("/admin")

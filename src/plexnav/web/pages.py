"""Server-rendered pages: the patient questionnaire, the clinician exam, results, the
casebook, sharing, sign-in, education and the audit log.

Routes stay thin: read the form (CSRF-checked), convert it with :mod:`plexnav.web.forms`,
validate with :func:`plexnav.validation.validate_case`, then call the engine or the
casebook service, and render a template.  Every page that shows results shows the
disclaimer.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import quote, urlparse

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from plexnav import vocabulary as V
from plexnav.case import Case
from plexnav.server.deps import (
    AccountsDep,
    AssessorDep,
    DbSession,
    OptionalUser,
    SettingsDep,
    ThrottleDep,
    sign_in,
    sign_out,
)
from plexnav.server.errors import ApiError
from plexnav.store.alerts import raised_triage
from plexnav.store.casebook import Casebook
from plexnav.store.diarybook import Diarybook
from plexnav.store.errors import StoreError
from plexnav.store.models import User
from plexnav.store.schemas import CaseCreate, CaseUpdate, LoginRequest, UserCreate
from plexnav.validation import CaseError, CaseValidationError, validate_case
from plexnav.web import bodymap, edx_templates, emergency, forms, labels, present
from plexnav.web.paths import TEMPLATES_DIR

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.filters["pairs"] = lambda ids: [(i, i.replace("_", " ")) for i in ids]
templates.env.filters["capitalize"] = labels.upper_first  # names keep their capitals (Achilles)
templates.env.globals.update(
    V=V,
    labels=labels,
    bodymap=bodymap,
    disclaimer_short=present.DISCLAIMER_SHORT,
    emergency_steps=emergency.steps,
    edx_templates=edx_templates,
)
CSRF_KEY = "csrf"


# ------------------------------------------------------------------------------ helpers


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return token


async def checked_form(request: Request) -> forms.FormData:
    """The submitted form, after checking its CSRF token against the session's."""
    data = await request.form()
    sent = data.get("csrf_token")
    expected = request.session.get(CSRF_KEY)
    if not isinstance(sent, str) or not isinstance(expected, str) or not secrets.compare_digest(sent, expected):
        raise ApiError(
            403,
            [
                CaseError(
                    "",
                    "this form has expired or did not come from this site; go back, reload the page and send it again",
                )
            ],
        )
    return forms.FormData((k, v) for k, v in data.multi_items() if isinstance(v, str))


CsrfForm = Annotated[forms.FormData, Depends(checked_form)]


def render(request: Request, template: str, user: User | None, status_code: int = 200, **context) -> HTMLResponse:
    context.update(
        request=request,
        user=user,
        csrf=csrf_token(request),
        emergency_number=request.app.state.settings.emergency_number,
    )
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None, default: str = "/cases") -> str:
    """Only same-site relative paths, so ?next= cannot send anyone elsewhere."""
    if not target:
        return default
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def login_redirect(request: Request) -> RedirectResponse:
    return redirect(f"/login?next={quote(request.url.path)}")


def casebook(db, user: User, assessor) -> Casebook:
    return Casebook(db, user, assessor)


def render_error(
    request: Request, status: int, errors: list[CaseError], headers: dict[str, str] | None = None
) -> HTMLResponse:
    """The HTML face of an error (the API gets JSON from the same handlers)."""
    titles = {
        401: "Please sign in",
        403: "Not allowed",
        404: "Not found",
        409: "Changed meanwhile",
        413: "Too much data",
        422: "Please check the form",
        429: "Too many attempts",
    }
    response = templates.TemplateResponse(
        request,
        "error.html",
        {
            "request": request,
            "user": None,
            "csrf": csrf_token(request),
            "status": status,
            "emergency_number": request.app.state.settings.emergency_number,
            "title": titles.get(status, "Something went wrong"),
            "errors": errors,
        },
        status_code=status,
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _default_title(kind: str) -> str:
    return f"{kind} {datetime.now(UTC):%d %b %Y %H:%M}"


# ------------------------------------------------------------------------------ home, learn


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: OptionalUser) -> Response:
    return render(request, "home.html", user)


@router.get("/learn", response_class=HTMLResponse)
def learn_index(request: Request, user: OptionalUser) -> Response:
    from plexnav.cli.learn import topics
    from plexnav.knowledge.guidance import load_guidance_knowledge

    return render(request, "learn_index.html", user, topics=list(topics(load_guidance_knowledge()).values()))


@router.get("/learn/{topic}", response_class=HTMLResponse)
def learn_topic(request: Request, topic: str, user: OptionalUser) -> Response:
    from plexnav.server.education import find_topic

    return render(request, "learn_topic.html", user, topic=find_topic(topic))


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, user: OptionalUser) -> Response:
    spec = request.app.openapi()
    operations = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tags": op.get("tags", []),
                    "parameters": op.get("parameters", []),
                    "body": "requestBody" in op,
                    "responses": sorted(op.get("responses", {})),
                }
            )
    return render(request, "api_docs.html", user, operations=operations, spec=spec)


# ------------------------------------------------------------------------------ accounts


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    return render(request, "login.html", user, next=safe_next(next), errors=[], values={})


def sign_in_step(
    request: Request, form: forms.FormData, step: Callable[[], object], values: dict[str, str]
) -> Response:
    """Run one step of signing in (the password, or the two-factor code that follows it) and go
    on to the form's ``next``; when the step raises :class:`ApiError`, show the sign-in page
    again with its errors and headers (Retry-After).  The page asks for the code when an
    error names ``totp_code``; ``values`` fill the username field again."""
    target = safe_next(form.get("next"))
    try:
        step()
    except ApiError as exc:
        response = render(
            request, "login.html", None, status_code=exc.status, next=target, errors=exc.errors, values=values
        )
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response
    return redirect(target)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request, form: CsrfForm, accounts: AccountsDep, throttle: ThrottleDep, user: OptionalUser
) -> Response:
    from plexnav.server.accounts import check_login

    def password_step() -> None:
        data = LoginRequest(username=form.get("username") or " ", password=form.get("password") or " ")
        check_login(request, data, accounts, throttle)

    try:
        return sign_in_step(request, form, password_step, values={"username": form.get("username")})
    except ValueError:  # LoginRequest: the username or password is blank or too long
        return render(
            request,
            "login.html",
            None,
            status_code=422,
            next=safe_next(form.get("next")),
            errors=[CaseError("", "enter your username (or email) and password")],
            values={},
        )


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, user: OptionalUser, settings: SettingsDep, role: str = "patient") -> Response:
    return render(
        request,
        "register.html",
        user,
        errors=[],
        clinician_signup=settings.allow_clinician_signup,
        values={"role": role if role in ("patient", "clinician") else "patient"},
    )


@router.post("/register", response_class=HTMLResponse)
def register_submit(request: Request, form: CsrfForm, accounts: AccountsDep, settings: SettingsDep) -> Response:
    from pydantic import ValidationError

    from plexnav.server.errors import convert_pydantic_error

    values = {k: form.get(k) for k in ("username", "email", "display_name", "role")}
    try:
        data = UserCreate.model_validate(  # validated here, the role among the rest
            {
                "username": form.get("username"),
                "email": form.get("email"),
                "password": form.get("password"),
                "role": form.get("role") or "patient",
                "display_name": form.get("display_name"),
            }
        )
    except ValidationError as exc:
        errors = [convert_pydantic_error(e, UserCreate) for e in exc.errors()]
        return render(
            request,
            "register.html",
            None,
            status_code=422,
            errors=errors,
            values=values,
            clinician_signup=settings.allow_clinician_signup,
        )
    try:
        from plexnav.server.accounts import register_account

        public = register_account(request, data, accounts, settings)
    except StoreError as exc:
        return render(
            request,
            "register.html",
            None,
            status_code=exc.status,
            errors=exc.errors(),
            values=values,
            clinician_signup=settings.allow_clinician_signup,
        )
    user = accounts.get(public.id)
    if user is not None:  # the account just made (gone only if deleted in between: then sign in again)
        sign_in(request, user)
    return redirect("/cases")


@router.post("/logout")
def logout(request: Request, form: CsrfForm) -> Response:
    sign_out(request)
    return redirect("/")


# ------------------------------------------------------------------------------ forms and results


def _patients(db, user: User | None) -> list:
    if user is None or user.role != "clinician":
        return []
    return Casebook(db, user).patients()


def _form_page(
    request: Request,
    user: User | None,
    kind: str,
    values: dict,
    errors: list[forms.FormError],
    db,
    case_id: str | None = None,
    title: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    template = "check.html" if kind == "check" else "exam.html"
    return render(
        request,
        template,
        user,
        status_code=status_code,
        values=values,
        errors=errors,
        case_id=case_id,
        title=title,
        patients=_patients(db, user),
        factor_groups=labels.FACTOR_GROUPS,
        sens_states={
            bodymap.key_of(r, s): values.get(f"sens.{r}.{s}" if s else f"sens.{r}", "")
            for r, s in bodymap.region_keys()
        },
        imaging_rows=range(forms.IMAGING_ROWS),
    )


def _result_page(
    request: Request, user: User | None, case: Case, assessment, view: str, stored=None, history=None
) -> HTMLResponse:
    number = request.app.state.settings.emergency_number
    return render(
        request,
        "result.html",
        user,
        view=view,
        a=present.assessment_view(assessment, case),
        case=case,
        symptom_legend=bodymap.symptom_legend(case),
        emergency=emergency.emergency_view(assessment.triage, number),
        stored=stored,
        history=history or [],
    )


def _view_for(user: User | None, requested: str | None, default: str) -> str:
    """Patients always get the patient view: the clinician view's bare percentages need a
    clinician to read them."""
    if user is not None and user.role == "patient":
        return "patient"
    if requested in ("patient", "clinician"):
        return requested
    if user is not None:
        return user.role
    return default


async def _submit(
    request: Request, kind: str, form: forms.FormData, user: User | None, db, assessor, case_id: str | None = None
) -> Response:
    to_case = forms.questionnaire_to_case if kind == "check" else forms.exam_to_case
    sections = forms.QUESTIONNAIRE_SECTIONS if kind == "check" else forms.EXAM_SECTIONS
    document, errors = to_case(form)
    stored = None
    if case_id is not None:
        if user is None:  # editing a stored case needs its reader (the routes check too)
            return login_redirect(request)
        stored = Casebook(db, user, assessor).read(case_id)
        document = forms.merge(stored.case.model_dump(mode="json", exclude_none=True), document, sections)
    title = form.get("title")
    if not errors:
        errors = forms.nothing_to_assess(kind, document)
    if not errors:
        try:
            case, _ = validate_case(document)
        except CaseValidationError as exc:
            errors = exc.errors
    if errors:
        return _form_page(
            request,
            user,
            kind,
            form.as_values(),
            [forms.plain_error(e) for e in errors],
            db,
            case_id,
            title,
            status_code=422,
        )
    if user is None:
        return _result_page(request, None, case, assessor(case), "patient" if kind == "check" else "clinician")
    book = Casebook(db, user, assessor)
    if stored is not None:
        book.update(stored.id, CaseUpdate(title=title or None, case=case))
        return redirect(f"/cases/{stored.id}?view={'patient' if kind == 'check' else 'clinician'}")
    patient_id = form.get("patient_id") or None
    created = book.create(
        CaseCreate(
            title=title or _default_title("Check" if kind == "check" else "Exam"), case=case, patient_id=patient_id
        )
    )
    return redirect(f"/cases/{created.id}?view={'patient' if kind == 'check' else 'clinician'}")


@router.get("/check", response_class=HTMLResponse)
def check_page(request: Request, user: OptionalUser, db: DbSession) -> Response:
    return _form_page(request, user, "check", {"numb_kind": "numbness", "duration_unit": "days"}, [], db)


@router.post("/check", response_class=HTMLResponse)
async def check_submit(
    request: Request, form: CsrfForm, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    return await _submit(request, "check", form, user, db, assessor)


@router.post("/check/triage")
async def check_triage(request: Request, form: CsrfForm, settings: SettingsDep) -> Response:
    """How urgent the answers so far are.  The questionnaire asks after every answer, so that
    a red flag stops it at once with the emergency screen; the engine's triage decides, the
    answers are not stored."""
    from plexnav.engine.triage import assess_triage

    document, errors = forms.questionnaire_to_case(form)
    if not errors:
        try:
            case, _ = validate_case(document)
        except CaseValidationError as exc:
            errors = exc.errors
    if errors:
        return JSONResponse({"errors": [e.as_dict() for e in errors]}, status_code=422)
    triage = assess_triage(case)
    return JSONResponse(
        {
            "level": triage.level,
            "rules": triage.rules,
            "emergency": emergency.emergency_view(triage, settings.emergency_number),
        }
    )


@router.get("/exam", response_class=HTMLResponse)
def exam_page(request: Request, user: OptionalUser, db: DbSession) -> Response:
    return _form_page(request, user, "exam", {"duration_unit": "days"}, [], db)


@router.post("/exam", response_class=HTMLResponse)
async def exam_submit(
    request: Request, form: CsrfForm, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    return await _submit(request, "exam", form, user, db, assessor)


# ------------------------------------------------------------------------------ the casebook


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request, user: OptionalUser, db: DbSession, assessor: AssessorDep, patient: str | None = None
) -> Response:
    if user is None:
        return login_redirect(request)
    book = Casebook(db, user, assessor)
    return render(
        request,
        "cases.html",
        user,
        cases=book.list_cases(patient),
        shares=book.list_shares(),
        patients=book.patients(),
        patient_filter=patient,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: str,
    user: OptionalUser,
    db: DbSession,
    assessor: AssessorDep,
    view: str | None = None,
    assessment: str | None = None,
) -> Response:
    if user is None:
        return login_redirect(request)
    book = Casebook(db, user, assessor)
    stored = book.read(case_id)
    record = book.assessment(case_id, assessment) if assessment else stored.latest_assessment
    if record is None:
        record = book.reassess(case_id)
    shown = record.assessment
    if stored.diary_alert is not None:  # an unreviewed diary red flag leads (issue 9, item 2)
        shown = shown.model_copy(
            update={
                "triage": raised_triage(
                    shown.triage, stored.diary_alert, Diarybook(db, user, assessor).open_alert_triage(case_id)
                )
            }
        )
    return _result_page(
        request,
        user,
        stored.case,
        shown,
        _view_for(user, view, "patient"),
        stored=stored,
        history=book.history(case_id),
    )


@router.get("/cases/{case_id}/edit", response_class=HTMLResponse)
def case_edit_page(
    request: Request, case_id: str, user: OptionalUser, db: DbSession, assessor: AssessorDep, form: str | None = None
) -> Response:
    if user is None:
        return login_redirect(request)
    stored = Casebook(db, user, assessor).read(case_id)
    kind = form if form in ("check", "exam") else ("exam" if user.role == "clinician" else "check")
    document = stored.case.model_dump(mode="json", exclude_none=True)
    values = forms.case_to_questionnaire(document) if kind == "check" else forms.case_to_exam(document)
    values.setdefault("duration_unit", "days")
    return _form_page(request, user, kind, values, [], db, case_id=stored.id, title=stored.title)


@router.post("/cases/{case_id}/edit", response_class=HTMLResponse)
async def case_edit_submit(
    request: Request, case_id: str, form: CsrfForm, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    if user is None:
        return login_redirect(request)
    kind = "check" if form.get("form") == "check" else "exam"
    return await _submit(request, kind, form, user, db, assessor, case_id=case_id)


@router.post("/cases/{case_id}/reassess")
def case_reassess(
    request: Request, case_id: str, form: CsrfForm, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    if user is None:
        return login_redirect(request)
    Casebook(db, user, assessor).reassess(case_id)
    return redirect(f"/cases/{case_id}")


@router.post("/cases/{case_id}/delete")
def case_delete(
    request: Request, case_id: str, form: CsrfForm, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    if user is None:
        return login_redirect(request)
    Casebook(db, user, assessor).delete(case_id)
    return redirect("/cases")


@router.post("/shares")
def share_submit(
    request: Request, form: CsrfForm, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    if user is None:
        return login_redirect(request)
    book = Casebook(db, user, assessor)
    try:
        book.share_with(form.get("clinician"))
    except StoreError as exc:
        return render(
            request,
            "cases.html",
            user,
            status_code=exc.status,
            cases=book.list_cases(),
            shares=book.list_shares(),
            patients=book.patients(),
            patient_filter=None,
            share_errors=exc.errors(),
            share_value=form.get("clinician"),
        )
    return redirect("/cases#sharing")


@router.post("/shares/{share_id}/delete")
def share_delete(
    request: Request, share_id: str, form: CsrfForm, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    if user is None:
        return login_redirect(request)
    Casebook(db, user, assessor).unshare(share_id)
    return redirect("/cases#sharing")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    user: OptionalUser,
    db: DbSession,
    assessor: AssessorDep,
    action: str = "",
    actor: str = "",
    others: str = "",
    since: str = "",
    until: str = "",
    case: str = "",
) -> Response:
    if user is None:
        return login_redirect(request)
    start, end = _utc_midnight(since), _utc_midnight(until)
    case_id = case[:32] if re.fullmatch(r"[0-9a-f]{32}", case[:32]) else None
    events = Casebook(db, user, assessor).audit_log(
        action=action[:32] or None,
        actor=actor[:40] or None,
        others_only=others == "1",
        everyone=user.role == "admin",
        since=start,
        until=end,
        case_id=case_id,
    )
    return render(
        request,
        "audit.html",
        user,
        events=events,
        filters={
            "action": action[:32],
            "actor": actor[:40],
            "others": others == "1",
            # a date that does not parse is shown empty (no filter), never an error page
            "since": start.date().isoformat() if start else "",
            "until": end.date().isoformat() if end else "",
            "case": case_id or "",
        },
    )


def _utc_midnight(value: str) -> datetime | None:
    """A 'YYYY-MM-DD' form date as the start of that day in UTC; anything else is no date."""
    try:
        day = date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None

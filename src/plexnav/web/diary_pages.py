"""The recovery diary pages of a stored case: add entries, see them with plots and the
trend, export and import the diary, and download the PDF reports.

Thin like :mod:`plexnav.web.pages`: forms are CSRF-checked, converted by
:mod:`plexnav.web.diaryforms`, and everything stored or read goes through
:class:`plexnav.store.diarybook.Diarybook` (access rules and audit log live there).
A new emergency or urgent red flag in the entry just added shows the triage banner first.
"""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from plexnav import vocabulary as V
from plexnav.diary.analysis import nice_date, trend_sentences
from plexnav.diary.exchange import DiaryFormatError, read_diary, to_csv, to_json
from plexnav.diary.models import EVENT_KINDS, EVENT_WORDS, FUNCTION_DOMAINS, FUNCTION_WORDS, MEDICATION_CHANGES, Diary
from plexnav.diary.plots import data_uri, pain_function_plot, strength_plot, try_plot
from plexnav.server.deps import AssessorDep, DbSession, OptionalUser
from plexnav.server.errors import ApiError
from plexnav.store.alerts import raised_triage
from plexnav.store.diarybook import Diarybook
from plexnav.store.models import User
from plexnav.validation import CaseError
from plexnav.web import diaryforms, labels, present
from plexnav.web.pages import CSRF_KEY, CsrfForm, login_redirect, redirect, render

router = APIRouter(include_in_schema=False)
PLOT_DPI = 110
MAX_UPLOAD = 2_000_000
REPORT_FILES = {"patient": "appointment-summary", "clinician": "clinician-report"}


def _plots(diary: Diary) -> tuple[list[dict], list[str]]:
    """The plots as data URIs, and a sentence for each plot that could not be drawn."""
    out, problems = [], []
    pain, problem = try_plot(pain_function_plot, diary, fmt="png", dpi=PLOT_DPI)
    if pain is not None:
        out.append(
            {
                "id": "plot-pain-function",
                "src": data_uri(pain, "png"),
                "alt": "Pain (worst score per entry, 0-10) and everyday function (0-10) over time, "
                "with weekly averages",
            }
        )
    strength, problem2 = try_plot(strength_plot, diary, fmt="png", dpi=PLOT_DPI)
    if strength is not None:
        out.append(
            {
                "id": "plot-strength",
                "src": data_uri(strength, "png"),
                "alt": "Strength (MRC grades recorded by a clinician) over time",
            }
        )
    problems += [p for p in (problem, problem2) if p]
    left_out = len(diary.entries) - len(diary.in_range().entries)
    if left_out:
        problems.append(
            f"{left_out} entr{'y is' if left_out == 1 else 'ies are'} dated outside 1900 to tomorrow "
            "and left out of the trend and plots (they are listed below; check their dates)."
        )
    return out, problems


def _diary_page(
    request: Request,
    user: User,
    book: Diarybook,
    case_id: str,
    status_code: int = 200,
    errors: list[CaseError] | None = None,
    values: dict | None = None,
    added: str | None = None,
    imported: str | None = None,
) -> HTMLResponse:
    stored = book.read(case_id)
    entries = book.diary_entries(case_id)
    diary = Diary(entries=[e.entry for e in entries])
    just_added = next((e for e in entries if e.id == added), None)
    banner = present.triage_banner(just_added.triage) if just_added and just_added.new_alert else None
    plots, plot_problems = _plots(diary) if entries else ([], [])
    return render(
        request,
        "diary.html",
        user,
        status_code=status_code,
        stored=stored,
        entries=entries[::-1],
        banner=banner,
        just_added=just_added,
        trend=trend_sentences(diary) if entries else [],
        plots=plots,
        plot_problems=plot_problems,
        errors=errors or [],
        values=values or {"date": dt.date.today().isoformat()},
        imported=imported,
        where_groups=diaryforms.where_groups(),
        flag_words=diaryforms.FLAG_WORDS,
        function_domains=[(d, FUNCTION_WORDS[d]) for d in FUNCTION_DOMAINS],
        medication_changes=MEDICATION_CHANGES,
        event_kinds=[(k, EVENT_WORDS[k]) for k in EVENT_KINDS],
        movements=[(m, labels.movement(m)) for m in V.MOVEMENTS],
        nice_date=nice_date,
        pain_rows=range(diaryforms.PAIN_ROWS),
        numb_rows=range(diaryforms.NUMB_ROWS),
        mrc_rows=range(diaryforms.MRC_ROWS),
        region_words=labels.PLAIN_REGIONS,
    )


@router.get("/cases/{case_id}/diary", response_class=HTMLResponse)
def diary_page(
    request: Request,
    case_id: str,
    user: OptionalUser,
    db: DbSession,
    assessor: AssessorDep,
    added: str | None = None,
    imported: str | None = None,
) -> Response:
    if user is None:
        return login_redirect(request)
    return _diary_page(request, user, Diarybook(db, user, assessor), case_id, added=added, imported=imported)


@router.post("/cases/{case_id}/diary", response_class=HTMLResponse)
def diary_add(
    request: Request, case_id: str, form: CsrfForm, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    if user is None:
        return login_redirect(request)
    book = Diarybook(db, user, assessor)
    entry, errors = diaryforms.form_to_entry(form, user.role)
    if errors:
        return _diary_page(request, user, book, case_id, 422, errors=errors, values=form.as_values())
    added = book.add_entry(case_id, entry)
    return redirect(f"/cases/{case_id}/diary?added={added.id}" + ("#triage" if added.new_alert else "#entries"))


@router.post("/cases/{case_id}/diary/acknowledge")
def diary_acknowledge(
    request: Request, case_id: str, form: CsrfForm, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    """Clinicians: the diary's red flags were reviewed (the case's urgency falls back)."""
    if user is None:
        return login_redirect(request)
    Diarybook(db, user, assessor).acknowledge_alerts(case_id)
    return redirect(f"/cases/{case_id}/diary#entries")


@router.post("/cases/{case_id}/diary/{entry_id}/delete")
def diary_delete_entry(
    request: Request,
    case_id: str,
    entry_id: str,
    form: CsrfForm,
    user: OptionalUser,
    db: DbSession,
    assessor: AssessorDep,
) -> Response:
    """Delete a diary entry you wrote (the audit log keeps the fact)."""
    if user is None:
        return login_redirect(request)
    Diarybook(db, user, assessor).delete_entry(case_id, entry_id[:64])
    return redirect(f"/cases/{case_id}/diary#entries")


def _download(body: str | bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/cases/{case_id}/diary.{fmt}")
def diary_export(
    request: Request, case_id: str, fmt: str, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    if user is None:
        return login_redirect(request)
    if fmt not in ("csv", "json"):
        raise ApiError(404, [CaseError("format", "export the diary as csv or json", ["csv", "json"])])
    diary = Diarybook(db, user, assessor).diary(case_id)
    name = f"diary-{dt.date.today().isoformat()}.{fmt}"
    if fmt == "csv":
        return _download(to_csv(diary), "text/csv; charset=utf-8", name)
    return _download(to_json(diary), "application/json", name)


@router.post("/cases/{case_id}/diary/import", response_class=HTMLResponse)
async def diary_import(
    request: Request, case_id: str, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    if user is None:
        return login_redirect(request)
    data = await request.form()
    sent, expected = data.get("csrf_token"), request.session.get(CSRF_KEY)
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
    upload = data.get("file")
    book = Diarybook(db, user, assessor)
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _diary_page(request, user, book, case_id, 422, errors=[CaseError("file", "choose a diary file")])
    content = await upload.read(MAX_UPLOAD + 1)
    try:
        if len(content) > MAX_UPLOAD:
            raise DiaryFormatError([f"the file is larger than {MAX_UPLOAD // 1_000_000} MB"])
        diary = read_diary(content, upload.filename)
    except DiaryFormatError as exc:
        return _diary_page(request, user, book, case_id, 422, errors=[CaseError("file", p) for p in exc.problems[:20]])
    result = book.import_diary(case_id, diary)
    return redirect(f"/cases/{case_id}/diary?imported={result.added}-{result.skipped}#entries")


@router.get("/cases/{case_id}/report.pdf")
def report_pdf(
    request: Request, case_id: str, user: OptionalUser, db: DbSession, assessor: AssessorDep, kind: str = "patient"
) -> Response:
    from plexnav.reports import render_pdf

    if user is None:
        return login_redirect(request)
    if kind not in REPORT_FILES:
        raise ApiError(422, [CaseError("kind", f"{kind!r} is not a report kind", list(REPORT_FILES))])
    book = Diarybook(db, user, assessor)
    stored = book.read(case_id)
    record = stored.latest_assessment or book.reassess(case_id)
    diary = book.diary(case_id)
    assessment = record.assessment
    if stored.diary_alert is not None:  # the PDF leads with the diary's unreviewed red flag
        triage = raised_triage(assessment.triage, stored.diary_alert, book.open_alert_triage(case_id))
        assessment = assessment.model_copy(update={"triage": triage})
    pdf = render_pdf(stored.case, kind, assessment, diary if diary.entries else None)
    return _download(pdf, "application/pdf", f"{REPORT_FILES[kind]}-{dt.date.today().isoformat()}.pdf")

"""Guided examination for clinicians: one question at a time, answered from the keyboard.

Why server-rendered with a small script: each answer is saved into the stored case (the
casebook keeps every version and its assessment), so the partial case opens at once in
the normal exam and result pages, survives a reload, and the ranking beside the question
is the same engine's.  What was asked and skipped travels in the page (``log``), so undo
removes exactly the last answer and the server keeps no extra state.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from plexnav.engine.guided import PHASE_WORDS, PHASES, guided_step
from plexnav.engine.guided_answers import SKIP, UNDO, AnswerError, add_answer, choices, remove_answer
from plexnav.modelcache import load_model
from plexnav.server.deps import AssessorDep, DbSession, OptionalUser
from plexnav.server.errors import ApiError
from plexnav.store.casebook import Casebook
from plexnav.store.schemas import CaseCreate, CaseUpdate
from plexnav.validation import CaseError, CaseValidationError, validate_case
from plexnav.web import present
from plexnav.web.pages import CsrfForm, _default_title, _patients, login_redirect, redirect, render

router = APIRouter(include_in_schema=False)
DEFAULT_TARGET = 90
LOG_LIMIT = 400  # answers and skips one exam can hold


def _bad(field: str, message: str) -> ApiError:
    return ApiError(422, [CaseError(field, message)])


def parse_log(text: str | None) -> list[tuple[str, str]]:
    """'strength:hip_flexion:left=5;ncs:sural_sensory:left=s' -> [(key, answer)], checked."""
    out = []
    for item in filter(None, (text or "").split(";")):
        key, sep, answer = item.partition("=")
        if not sep:
            raise _bad("log", f"log entry {item!r} is not 'finding=answer'")
        try:
            allowed = {pressed for pressed, _ in choices(key)} | {SKIP}
        except (AnswerError, KeyError, IndexError):
            raise _bad("log", f"log entry {item!r} names no question guided examination asks") from None
        if answer not in allowed:
            raise _bad("log", f"log entry {item!r}: {answer!r} does not answer it")
        out.append((key, answer))
    if len(out) > LOG_LIMIT:
        raise _bad("log", f"a guided exam holds at most {LOG_LIMIT} answers")
    return out


def _log_text(log: list[tuple[str, str]]) -> str:
    return ";".join(f"{k}={a}" for k, a in log)


def _settings(phase: str | None, target: str | int | None) -> tuple[str, int]:
    phase = phase or "bedside"
    if phase not in PHASES:
        raise _bad("phase", f"phase must be one of {', '.join(PHASES)}")
    try:
        value = int(target) if target not in (None, "") else DEFAULT_TARGET
    except (TypeError, ValueError):
        raise _bad("target", "target must be a whole percentage from 50 to 99") from None
    if not 50 <= value <= 99:
        raise _bad("target", "target must be a whole percentage from 50 to 99")
    return phase, value


def _url(case_id: str, phase: str, target: int, log: list[tuple[str, str]]) -> str:
    return f"/exam/guided/{case_id}?" + urlencode({"phase": phase, "target": target, "log": _log_text(log)})


@router.get("/exam/guided", response_class=HTMLResponse)
def guided_start(request: Request, user: OptionalUser, db: DbSession) -> Response:
    if user is None:
        return login_redirect(request)
    return render(request, "guided_start.html", user, patients=_patients(db, user), target=DEFAULT_TARGET)


@router.post("/exam/guided")
def guided_create(
    request: Request, form: CsrfForm, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    if user is None:
        return login_redirect(request)
    phase, target = _settings(form.get("phase"), form.get("target"))
    case, _ = validate_case({"format": "plexnav-case/1"})
    created = Casebook(db, user, assessor).create(
        CaseCreate(
            title=form.get("title") or _default_title("Guided exam"),
            case=case,
            patient_id=form.get("patient_id") or None,
        )
    )
    return redirect(_url(created.id, phase, target, []))


@router.get("/exam/guided/{case_id}", response_class=HTMLResponse)
def guided_page(
    request: Request,
    case_id: str,
    user: OptionalUser,
    db: DbSession,
    assessor: AssessorDep,
    phase: str | None = None,
    target: str | None = None,
    log: str | None = None,
) -> Response:
    if user is None:
        return login_redirect(request)
    phase, percent = _settings(phase, target)
    entries = parse_log(log)
    book = Casebook(db, user, assessor)
    stored = book.read(case_id)
    record = stored.latest_assessment or book.reassess(case_id)
    skipped = [k for k, a in entries if a == SKIP]
    step = guided_step(stored.case, phase, target=percent / 100, skipped=skipped, model=load_model())
    territory = _territory(step.ranking[0].hypothesis, step.ranking[0].label)
    return render(
        request,
        "guided.html",
        user,
        stored=stored,
        step=step,
        question=step.questions[0] if step.questions else None,
        alternatives=step.questions[1:],
        phase=phase,
        phase_words=PHASE_WORDS,
        target=percent,
        log=_log_text(entries),
        answered=len(entries),
        last=entries[-1] if entries else None,
        triage=present.clinician_triage(record.assessment.triage),  # in clinicians' words, as the result page
        territory=territory,
        observed=present.observed_sensory(stored.case),
        other_phase="edx" if phase == "bedside" else "bedside",
    )


@router.post("/exam/guided/{case_id}/answer")
def guided_answer(
    request: Request, case_id: str, form: CsrfForm, user: OptionalUser, db: DbSession, assessor: AssessorDep
) -> Response:
    if user is None:
        return login_redirect(request)
    phase, target = _settings(form.get("phase"), form.get("target"))
    log = parse_log(form.get("log"))
    answer, finding = (form.get("answer") or "").strip().lower(), form.get("finding") or ""
    book = Casebook(db, user, assessor)
    stored = book.read(case_id)
    document = stored.case.model_dump(mode="json", exclude_none=True)
    if answer == UNDO:
        if not log:
            raise _bad("answer", "nothing to undo: no answer has been given in this guided exam")
        key, last = log.pop()
        if last != SKIP:
            _save(book, stored.id, remove_answer(document, key))
        return redirect(_url(stored.id, phase, target, log))
    if not finding:
        raise _bad("finding", "no question was answered (finding is empty)")
    try:
        if answer != SKIP:
            _save(book, stored.id, add_answer(document, finding, answer))
    except AnswerError as exc:
        raise _bad(exc.field, exc.message) from None
    log.append((finding, answer))
    return redirect(_url(stored.id, phase, target, log))


def _territory(hypothesis_id: str, label: str) -> present.Territory:
    """The skin the leading hypothesis would affect, as the result page and the reports shade
    it, from the model the server warmed at start-up (the ranking beside it comes from the
    same model)."""
    return present.hypothesis_territory(load_model(), hypothesis_id, label)


def _save(book: Casebook, case_id: str, document: dict) -> None:
    try:
        case, _ = validate_case(document)
    except CaseValidationError as exc:
        raise ApiError(422, exc.errors) from None
    book.update(case_id, CaseUpdate(case=case))

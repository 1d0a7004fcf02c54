"""One error shape for every failure: ``{"detail": "...", "errors": [{path, message, choices, suggestion}]}``.

It is the structure the CLI prints (``plexnav.validation.CaseError``): the JSON path, what
is wrong, the valid choices and the closest one.  FastAPI's own request validation errors
are converted to it too, so a client never sees two shapes, and nothing a client sends can
produce a 500 with internals in it.  Pages (not ``/api`` or ``/cds-services``) get an HTML error page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from plexnav.knowledge.query import UnknownId
from plexnav.store.errors import StoreError
from plexnav.validation import CaseError, CaseValidationError
from plexnav.validation import convert_error as convert_pydantic_error  # the CLI's own converter

log = logging.getLogger("plexnav.api")


class ErrorItem(BaseModel):
    path: str = Field(description="JSON path of the offending value ('' for the whole document)")
    message: str
    choices: list[str] = Field(default_factory=list, description="valid values, where there is a fixed set")
    suggestion: str | None = Field(None, description="the closest valid value")


class ErrorBody(BaseModel):
    detail: str
    errors: list[ErrorItem]


def _describe(status: int) -> str:
    return {
        400: "Bad request",
        401: "Not signed in",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict",
        413: "Request body too large",
        415: "Unsupported media type",
        422: "Invalid input",
        429: "Too many attempts",
    }.get(status, "Error")


ERROR_RESPONSES: dict[int | str, dict] = {
    status: {"model": ErrorBody, "description": _describe(status)}
    for status in (400, 401, 403, 404, 409, 413, 415, 422, 429)
}


class ApiError(Exception):
    """An HTTP failure with located errors, raised by routes (not by the store or engine)."""

    def __init__(self, status: int, errors: list[CaseError], headers: dict[str, str] | None = None):
        self.status = status
        self.errors = errors
        self.headers = headers


def body(errors: list[CaseError]) -> dict:
    detail = "; ".join(e.render() for e in errors[:5]) or "error"
    return {"detail": detail, "errors": [e.as_dict() for e in errors]}


def error_response(status: int, errors: list[CaseError], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body(errors), status_code=status, headers=headers)


def _root_model(request: Request) -> type[BaseModel] | None:
    route = request.scope.get("route")
    field = getattr(route, "body_field", None)
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def request_errors(request: Request, exc: RequestValidationError) -> list[CaseError]:
    """FastAPI's validation errors in the CLI's words, located in the request."""
    root = _root_model(request)
    out: list[CaseError] = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", "malformed document")
            out.append(CaseError("", f"not valid JSON: {reason}"))
            continue
        where, rest = (
            (loc[0], loc[1:]) if loc and loc[0] in ("body", "query", "path", "header", "cookie") else ("", loc)
        )
        err = {**err, "loc": rest}
        if where == "body" and root is not None:
            out.append(convert_pydantic_error(err, root))
        else:
            item = convert_pydantic_error(err, BaseModel)
            prefix = f"{where}." if where and where != "body" else ""
            out.append(
                CaseError(prefix + item.path if item.path else where, item.message, item.choices, item.suggestion)
            )
    return out or [CaseError("", "invalid request")]


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method any route serves at this path (Starlette names only the first route's)."""
    from starlette.routing import Match

    methods: set[str] = set()
    scope = {**request.scope, "method": "GET"}
    for route in app.router.routes:
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(scope)[0] != Match.NONE:
            methods |= set(route_methods)
    return sorted(methods)


JSON_PREFIXES = ("/api/", "/cds-services")  # machine clients: JSON errors, never a page


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(JSON_PREFIXES)


_RECORD_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def probed_record(session, request: Request) -> tuple[str | None, str | None, str | None]:
    """``(object type, id, whose data)`` of the first stored record a refused request named
    (a case, a share or an account id in the path or query), so the person whose record was
    probed sees the attempt in their own access log; Nones if it named none that exists."""
    from plexnav.store.models import Share, StoredCase, User

    candidates = _RECORD_ID.findall(request.url.path) + _RECORD_ID.findall(request.url.query or "")
    for record_id in dict.fromkeys(candidates):
        case = session.get(StoredCase, record_id)
        if case is not None:
            return "case", record_id, case.owner_id
        share = session.get(Share, record_id)
        if share is not None:
            return "share", record_id, share.patient_id
        if session.get(User, record_id) is not None:
            return "user", record_id, record_id
    return None, None, None


def record_denied(request: Request, status: int) -> None:
    """Audit a refused read or write (an id probed, a route not allowed): who, what, from
    where, and whose record it named (so that person sees it: "who looked at my records")."""
    from plexnav.store.db import begin_write
    from plexnav.store.repositories import AuditRepository

    user = getattr(request.state, "user", None)
    try:
        with request.app.state.database.session() as session:
            begin_write(session)
            object_type, object_id, subject_id = probed_record(session, request)
            AuditRepository(session).record(
                user,
                "denied",
                object_type or "request",
                object_id,
                subject_id,
                f"{request.method} {request.url.path[:300]} -> {status}",
            )
            session.commit()
    except Exception as exc:  # noqa: BLE001 - auditing a refusal must never turn it into a 500
        log.warning("could not audit a refused request: %s", exc.__class__.__name__)


def install(app: FastAPI, html_error: Callable[..., Response] | None = None) -> None:
    """Register the exception handlers; ``html_error(request, status, errors)`` renders pages."""

    def respond(
        request: Request, status: int, errors: list[CaseError], headers: dict[str, str] | None = None
    ) -> Response:
        if html_error is not None and _wants_html(request):
            return html_error(request, status, errors, headers)
        return error_response(status, errors, headers)

    @app.exception_handler(CaseValidationError)
    async def _case_invalid(request: Request, exc: CaseValidationError) -> Response:
        return respond(request, 422, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 422, request_errors(request, exc))

    @app.exception_handler(UnknownId)
    async def _unknown_id(request: Request, exc: UnknownId) -> Response:
        return respond(request, 404, [CaseError(exc.kind, str(exc), list(exc.choices), exc.suggestion)])

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> Response:
        if exc.status in (403, 404):
            from starlette.concurrency import run_in_threadpool

            await run_in_threadpool(record_denied, request, exc.status)
        return respond(request, exc.status, exc.errors())

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> Response:
        return respond(request, exc.status, exc.errors, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else _describe(exc.status_code)
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(app, request))
        return respond(request, exc.status_code, [CaseError("", message)], headers or None)

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> Response:
        from plexnav.store.db import database_problem, describe_database_error, is_locked

        if is_locked(exc):  # the write lock stayed taken through busy_timeout and the retries
            log.warning("database busy on %s %s", request.method, request.url.path)
            return respond(
                request, 503, [CaseError("", "the database is busy; try again in a moment")], {"Retry-After": "1"}
            )
        # never the driver's message: PostgreSQL's DETAIL repeats the whole row (hashes, emails, cases)
        log.error("database error on %s %s: %s", request.method, request.url.path, describe_database_error(exc))
        status, message = database_problem(exc)
        return respond(request, status, [CaseError("", message)], {"Retry-After": "30"} if status == 503 else None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, 500, [CaseError("", "internal error; it has been logged")])

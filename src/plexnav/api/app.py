"""The application factory: settings -> database (migrated) -> API routes, pages, middleware.

``create_app()`` reads ``PLEXNAV_*`` settings; tests pass their own :class:`Settings`.
Start-up migrates the database with the bundled Alembic revisions and builds the engine's
likelihood model once, so the first request is as fast as the rest.
"""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Literal

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plexnav.api.middleware import (
    BodySizeLimit,
    JsonOnlyApiWrites,
    RefuseUnstorableValues,
    RequestOrigin,
    SecurityHeaders,
    SlowBodyTimeout,
)
from plexnav.api.routes import admin, assess, auth, cases, cds, diary, guided, reference, sharing
from plexnav.api.routes.reference import Health
from plexnav.server import errors
from plexnav.server.assessor import CachedAssessor
from plexnav.server.deps import DbSession
from plexnav.server.ratelimit import LoginThrottle
from plexnav.settings import Settings, get_settings
from plexnav.store.db import Database

SESSION_COOKIE = "plexnav_session"

DESCRIPTION = """
Localize, triage and explain lumbosacral plexus problems.

**plexnav supports clinical judgement; it never replaces it.**

* `POST /api/v1/assess` takes a case (`plexnav-case/1`) and returns its assessment
  (`plexnav-assessment/1`); nothing is stored.
* A stored case has a recovery diary (`plexnav-diary/1` entries) under
  `/api/v1/cases/{case_id}/diary`; each entry comes back with its red-flag check.
* Stored cases, their assessments and sharing need an account: `POST /api/v1/auth/login`
  sets an HttpOnly session cookie.  Writes must be sent as `application/json`.
* Every error has one shape: `{"detail": ..., "errors": [{"path", "message", "choices",
  "suggestion"}]}`; invalid cases get 422 with the offending JSON path.
"""


def _version() -> str:
    try:
        return version("plexnav")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


ASSESS_PATH = "/api/v1/assess"


class AssessWithoutRouter:
    """``POST /api/v1/assess`` answered by the assessor without FastAPI's router.

    Why: routing, dependency resolution and the request object cost about a third of a
    millisecond per request, a quarter of the server's time for a case it has not seen and
    more than the answer itself for one it has (the same body, or the same findings under
    another id, from the assessor's memo).  It sits innermost, so every check of the
    middleware stack (size limit, JSON only, stored values, security headers) has run; the
    answer is the route's own call (``CachedAssessor.answer``).  Anything it does not answer,
    a ``fields`` list it does not accept or a body the assessor refuses, goes on to the route
    unchanged, which gives the errors.
    """

    def __init__(self, app: ASGIApp, assessor: CachedAssessor):
        self.app, self.assessor = app, assessor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != ASSESS_PATH:
            await self.app(scope, receive, send)
            return
        wanted = _fields(scope.get("query_string", b""))
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the route see it
                await self.app(scope, _replay(b"".join(chunks), message, receive), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        payload = None
        if wanted is not False:
            try:
                payload = self.assessor.answer(body, wanted)
            except Exception:  # noqa: BLE001 - the route answers it again and gives the error
                payload = None
        if payload is None:
            await self.app(scope, _replay(body, None, receive), send)
            return
        headers = [(b"content-length", str(len(payload)).encode()), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _fields(query: bytes) -> frozenset[str] | None | Literal[False]:
    """The ``fields`` of the query as the route reads them (its last value); False when the
    route must judge them (an unknown name)."""
    from urllib.parse import parse_qsl

    from plexnav.answers import FieldsError, parse_fields

    values = [v for k, v in parse_qsl(query.decode("latin-1"), keep_blank_values=True) if k == "fields"]
    try:
        return parse_fields(values[-1] if values else None)
    except FieldsError:
        return False


def _replay(body: bytes, extra: Message | None, receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if extra is not None:
        pending = [{"type": "http.request", "body": body, "more_body": True}, extra]

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = Database(settings.resolved_database_url(), settings.database_busy_timeout_ms)
    if settings.migrate_on_start:
        database.migrate()
    assessor = CachedAssessor(settings.assessment_cache_size)
    assessor.warm()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # the knowledge base and model live as long as the process: keep them out of the
        # garbage collector's sweeps so request-time collections stay short (p99 latency)
        gc.freeze()
        yield
        database.dispose()

    app = FastAPI(
        title="plexnav",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        separate_input_output_schemas=False,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.assessor = assessor
    app.state.secret_key = settings.resolved_secret_key()
    app.state.login_throttle = LoginThrottle(database, settings.login_max_failures, settings.login_window_seconds)

    from plexnav.web import install as install_web
    from plexnav.web.pages import render_error

    errors.install(app, html_error=render_error)

    @app.get(
        "/api/v1/health",
        tags=["meta"],
        summary="Liveness, knowledge version and database backend",
        responses=errors.ERROR_RESPONSES,
    )
    def health(db: DbSession) -> Health:
        from plexnav.knowledge.base import load_knowledge

        database.ping(db)
        return Health(status="ok", knowledge_version=load_knowledge().version_label, database=database.backend)

    for module in (assess, guided, reference, auth, admin, cases, diary, sharing, cds):
        app.include_router(module.router)
    install_web(app)

    # Added innermost first: the size limit sees every request before anything else.
    app.add_middleware(AssessWithoutRouter, assessor=assessor)
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.resolved_cookie_secure(),
    )
    app.add_middleware(RefuseUnstorableValues)
    app.add_middleware(RequestOrigin)
    app.add_middleware(JsonOnlyApiWrites)
    app.add_middleware(SecurityHeaders, hsts_max_age=settings.hsts_max_age)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(SlowBodyTimeout, seconds=settings.body_timeout_seconds)
    return app

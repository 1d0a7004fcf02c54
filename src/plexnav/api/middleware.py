"""Pure ASGI middleware: request size limit, JSON-only API writes, security headers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CSP_BASE = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)
CSP = f"{CSP_BASE}; frame-ancestors 'none'"


def csp_for(frame_ancestors: Sequence[str] = ()) -> str:
    """The Content-Security-Policy: no site may frame plexnav's pages unless the
    ``frame_ancestors`` setting names it (each entry a checked origin, see
    :func:`plexnav.settings.frame_origin`)."""
    return f"{CSP_BASE}; frame-ancestors {' '.join(frame_ancestors)}" if frame_ancestors else CSP


def iframe_cookie(header: bytes) -> bytes:
    """A ``Set-Cookie`` value made usable inside another site's iframe: ``SameSite=None; Secure;
    Partitioned``, its other attributes kept.  A Lax cookie is not sent in a cross-site frame;
    browsers drop SameSite=None without Secure; and browsers that block third-party cookies
    (Chromium does by default now, as do Firefox and Safari in their own ways) keep only a
    *partitioned* one (CHIPS), stored for this EHR's site alone, never shared with other sites
    that frame plexnav.  Browsers that do not know ``Partitioned`` ignore it."""
    name_value, *attributes = header.split(b";")
    dropped = (b"samesite", b"secure", b"partitioned")
    kept = [a.strip() for a in attributes if a.strip() and a.strip().split(b"=")[0].lower() not in dropped]
    return b"; ".join([name_value.strip(), *kept, b"SameSite=None", b"Secure", b"Partitioned"])


async def _send_json(send: Send, status: int, message: str, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    payload = json.dumps(
        {"detail": message, "errors": [{"path": "", "message": message, "choices": [], "suggestion": None}]}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _refuse_unless_started(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    error: type[Exception],
    refuse: Callable[[], Awaitable[None]],
) -> None:
    """Run ``app`` reading the body through ``receive``; when that raises ``error`` before the
    response started, ``refuse()`` answers instead (once it started, the response ends there)."""
    started = False

    async def tracking_send(msg: Message) -> None:
        nonlocal started
        if msg["type"] == "http.response.start":
            started = True
        await send(msg)

    try:
        await app(scope, receive, tracking_send)
    except error:
        if not started:
            await refuse()


class _TooLarge(Exception):
    pass


CDS_PATH = "/cds-services"
CDS_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type, Authorization",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
}


def _cors_for(scope: Scope) -> list[tuple[bytes, bytes]]:
    """CDS Hooks clients call from an EHR's browser app: without CORS headers the browser hides even
    an error answer from them, so the answers refused here carry them too."""
    if scope.get("path", "").startswith(CDS_PATH):
        return [(k.lower().encode(), v.encode()) for k, v in CDS_CORS.items()]
    return []


class BodySizeLimit:
    """Refuse bodies over ``limit`` bytes with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = f"the request body is larger than {self.limit // 1024} KiB"
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    await _send_json(send, 400, "malformed Content-Length header", _cors_for(scope))
                    return
                if too_big:
                    await _send_json(send, 413, message, [(b"connection", b"close"), *_cors_for(scope)])
                    return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return msg

        await _refuse_unless_started(
            self.app,
            scope,
            counting_receive,
            send,
            _TooLarge,
            lambda: _send_json(send, 413, message, [(b"connection", b"close"), *_cors_for(scope)]),
        )


class JsonOnlyApiWrites:
    """API writes must be JSON: a cross-site HTML form cannot send ``application/json``
    without a CORS preflight (which this app never grants), so together with SameSite
    cookies this closes cross-site request forgery on the JSON API."""

    def __init__(self, app: ASGIApp, prefix: str = "/api/"):
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE and scope["path"].startswith(self.prefix):
            headers = dict(scope.get("headers", ()))
            has_body = headers.get(b"content-length", b"0") not in (b"0", b"") or b"transfer-encoding" in headers
            ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if has_body and not (ctype == b"application/json" or ctype.endswith(b"+json")):
                await _send_json(send, 415, "send the request body as JSON (Content-Type: application/json)")
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """CSP, nosniff, referrer and opener policies, HSTS when set, ``no-store`` off ``/static``.

    Framing: by default no site may frame a page (``frame-ancestors 'none'`` and
    ``X-Frame-Options: DENY``).  With the ``frame_ancestors`` setting (an EHR that embeds
    plexnav, e.g. the SMART app in its iframe) the CSP names exactly those origins,
    X-Frame-Options is left out (it cannot name an origin, and would refuse the frame in
    browsers that read it), and every cookie the app sets gets ``SameSite=None; Secure;
    Partitioned`` (:func:`iframe_cookie`), since otherwise the browser does not keep or send it
    inside another site's iframe and the session (the SMART launch state among it) is lost.
    ``frame_ancestors`` defaults to the app's settings (``app.state.settings``), read at the
    first request."""

    def __init__(self, app: ASGIApp, hsts_max_age: int = 0, frame_ancestors: Sequence[str] | None = None):
        self.app = app
        self.hsts = f"max-age={hsts_max_age}; includeSubDomains".encode() if hsts_max_age else None
        self.frame_ancestors = None if frame_ancestors is None else tuple(frame_ancestors)

    def _ancestors(self, scope: Scope) -> tuple[str, ...]:
        if self.frame_ancestors is None:
            settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
            self.frame_ancestors = tuple(getattr(settings, "frame_ancestors", ()) or ())
        return self.frame_ancestors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ancestors = self._ancestors(scope)
        fixed = [
            (b"content-security-policy", csp_for(ancestors).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            *([] if ancestors else [(b"x-frame-options", b"DENY")]),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

        async def with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = list(msg.get("headers", ()))
                if ancestors:
                    headers = [(k, iframe_cookie(v) if k.lower() == b"set-cookie" else v) for k, v in headers]
                present = {k.lower() for k, _ in headers}
                for key, value in fixed:
                    if key not in present:
                        headers.append((key, value))
                if self.hsts is not None:
                    headers.append((b"strict-transport-security", self.hsts))
                if not scope["path"].startswith("/static/") and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                msg = {**msg, "headers": headers}
            await send(msg)

        await self.app(scope, receive, with_headers)


class RefuseUnstorableValues:
    """422 for NUL characters, NaN/Infinity and oversized numbers in any JSON or form body
    (see :mod:`plexnav.api.cleanbody`), naming the field; every route gets the same check."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from plexnav.api.cleanbody import form_problem, json_problem

        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        check = (
            json_problem
            if ctype == b"application/json" or ctype.endswith(b"+json")
            else form_problem
            if ctype == b"application/x-www-form-urlencoded"
            else None
        )
        if check is None:
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = check(body)
        if problem is not None:
            path, text = problem
            payload = json.dumps(
                {
                    "detail": f"`{path}`: {text}" if path else text,
                    "errors": [{"path": path, "message": text, "choices": [], "suggestion": None}],
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 422,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(payload)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


class RequestOrigin:
    """Remember the client address and user agent of the request being served, for the
    audit log (:data:`plexnav.store.auditchain.ORIGIN`)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from plexnav.store.auditchain import ORIGIN

        client = scope.get("client") or ("", 0)
        agent = dict(scope.get("headers", ())).get(b"user-agent", b"").decode("latin-1")
        token = ORIGIN.set((str(client[0] or "")[:64], agent[:200]))
        try:
            await self.app(scope, receive, send)
        finally:
            ORIGIN.reset(token)


class SlowBodyTimeout:
    """408 when a client sends its request body too slowly (a slow-loris holds a worker and,
    on SQLite, could hold nothing else, but still a connection): each chunk must arrive
    within ``seconds``."""

    def __init__(self, app: ASGIApp, seconds: float = 30.0):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        import asyncio

        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return

        async def timed_receive() -> Message:
            try:
                return await asyncio.wait_for(receive(), self.seconds)
            except TimeoutError:
                raise _TooSlow() from None

        await _refuse_unless_started(
            self.app,
            scope,
            timed_receive,
            send,
            _TooSlow,
            lambda: _send_json(
                send, 408, f"the request body did not arrive within {self.seconds:g} s", [(b"connection", b"close")]
            ),
        )


class _TooSlow(Exception):
    pass

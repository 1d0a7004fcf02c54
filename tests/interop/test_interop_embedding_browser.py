"""plexnav inside an EHR's iframe, in a real browser (Debian's chromium through Playwright).

A real ``plexnav serve`` on 127.0.0.1 is configured with ``PLEXNAV_FRAME_ANCESTORS`` naming one
EHR origin, ``http://localhost:<port>`` (another site than 127.0.0.1, so the frame is cross-site
and a Lax cookie would not be sent in it).  That EHR's page frames plexnav's SMART launch: the
launch runs inside the iframe (plexnav -> the local SMART launcher's authorize -> plexnav's
callback, which needs the session cookie set at launch) and lands on the patient in context.
A page of another origin framing plexnav is refused by the browser, and so is every origin when
the setting is not given.  Skipped only without /usr/bin/chromium."""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlparse

import pytest
from smart_launcher_support import SmartLauncher
from test_interop_conceptmap import HOSPITAL_MAP

from web_support import CHROMIUM, Server

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium (scripts/install-system-deps.sh)")


class SlowStartServer(Server):
    def _wait_ready(self, timeout: float = 240.0) -> None:  # a shared, loaded machine
        super()._wait_ready(timeout)


@contextmanager
def ehr_site() -> Iterator[str]:
    """An 'EHR' on http://localhost:<port>: ``/chart?src=URL`` is a chart page whose iframe shows URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            src = parse_qs(urlparse(self.path).query).get("src", ["about:blank"])[0]
            body = (
                "<!doctype html><html lang='en'><head><title>EHR chart</title></head><body><h1>EHR chart</h1>"
                f'<iframe id="app" title="plexnav" src="{html.escape(src)}" width="900" height="700"></iframe>'
                "</body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def launcher():
    with SmartLauncher() as server:
        yield server


@pytest.fixture(scope="module")
def allowed_ehr():
    with ehr_site() as origin:
        yield origin


@pytest.fixture(scope="module")
def other_site():
    with ehr_site() as origin:
        yield origin


def _plexnav(tmp_path_factory, launcher, name: str, extra: dict) -> SlowStartServer:
    data = tmp_path_factory.mktemp(name)
    clients = data / "smart-clients.json"
    clients.write_text(json.dumps({"client_id": "plexnav", "issuers": [launcher.base]}))
    env = {"PLEXNAV_SMART_CLIENTS": str(clients), "PLEXNAV_FHIR_CONCEPT_MAPS": str(HOSPITAL_MAP), **extra}
    return SlowStartServer(data, extra_env=env)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, launcher, allowed_ehr):
    server = _plexnav(tmp_path_factory, launcher, "embedded", {"PLEXNAV_FRAME_ANCESTORS": allowed_ehr})
    yield server
    server.stop()


def _chart(browser, ehr_origin: str, src: str):
    """Open the EHR's chart page framing ``src``; return (page, console messages)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(180_000)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(f"{ehr_origin}/chart?src={quote(src, safe='')}")
    return page, messages


def _frame(page, base_url: str):
    return next((f for f in page.frames if f.url.startswith(base_url)), None)


def _assert_framing_refused(page, messages: list[str], base_url: str) -> None:
    """The browser showed nothing of ``base_url``'s page in the frame and said why (CSP frame-ancestors)."""
    page.wait_for_timeout(1500)
    frame = _frame(page, base_url)
    assert frame is None or frame.locator("input[name=csrf_token]").count() == 0
    assert any("frame-ancestors" in m for m in messages), messages


def test_the_smart_launch_runs_inside_the_allowed_ehrs_iframe(browser, embedded, launcher, allowed_ehr):
    launch = f"{embedded.base_url}/smart/launch?iss={launcher.base}&launch=ehr-frame-1"
    page, _ = _chart(browser, allowed_ehr, launch)
    try:
        frame = page.frame_locator("#app")
        # the callback found the launch state in the session: the cookie crossed the redirects in the frame
        assert frame.locator("#smart-patient").inner_text() == "Patient/pat-l5"
        assert frame.locator("#smart-level").inner_text().strip() == "urgent"
        assert frame.locator("#smart-site-list li").first.inner_text().startswith("left L5")
        assert page.url.startswith(allowed_ehr)  # plexnav stayed inside the EHR's page
        cookies = page.context.cookies(embedded.base_url)
        (session,) = [c for c in cookies if c["name"] == "plexnav_session"]
        assert session["sameSite"] == "None" and session["secure"] and session["httpOnly"]
        assert session.get("partitionKey", "").startswith("http://localhost")  # kept for this EHR only
    finally:
        page.context.close()
    assert any(q["launch"] == "ehr-frame-1" for q in launcher.launches)


def test_another_site_cannot_frame_plexnav(browser, embedded, other_site):
    page, messages = _chart(browser, other_site, f"{embedded.base_url}/login")
    try:
        _assert_framing_refused(page, messages, embedded.base_url)
    finally:
        page.context.close()


def test_the_allowed_ehr_can_frame_an_ordinary_page(browser, embedded, allowed_ehr):
    page, messages = _chart(browser, allowed_ehr, f"{embedded.base_url}/login")
    try:
        assert page.frame_locator("#app").locator("input[name=csrf_token]").count() == 1
        assert not any("frame-ancestors" in m for m in messages), messages
    finally:
        page.context.close()


def test_without_the_setting_no_site_can_frame_plexnav(browser, tmp_path_factory, launcher, allowed_ehr):
    server = _plexnav(tmp_path_factory, launcher, "not-embedded", {})
    try:
        page, messages = _chart(browser, allowed_ehr, f"{server.base_url}/login")
        try:
            _assert_framing_refused(page, messages, server.base_url)
        finally:
            page.context.close()
    finally:
        server.stop()

"""Browser tests: Debian's chromium driven by Playwright against a real ``plexnav serve``.

The server runs on a free loopback port with a fresh data directory; screenshots go to
``artifacts/screenshots/`` (gitignored).  These tests skip only when /usr/bin/chromium is
missing (``scripts/install-system-deps.sh`` installs it); Playwright's own browser download
is never used.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from web_support import Server

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


class PatientServer(Server):
    """The test server, given longer to start: the machine running the suite may be shared."""

    def _wait_ready(self, timeout: float = 240.0) -> None:
        super()._wait_ready(timeout)


def warm_up(running) -> None:
    """One assessment before the first page: the model is built on first use (tens of seconds on
    a loaded machine), which would otherwise eat the first test's click timeouts."""
    import httpx

    case = {"format": "plexnav-case/1", "symptoms": [{"kind": "pain", "region": "lower_back", "side": "left"}]}
    response = httpx.post(running.base_url + "/api/v1/assess", json=case, timeout=300)
    assert response.status_code == 200, response.text


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-server")
    # clinicians may sign up here (off by default); they are approved by `plexnav admin`
    running = PatientServer(data, extra_env={"PLEXNAV_ALLOW_CLINICIAN_SIGNUP": "true"})
    running.data_dir = data
    warm_up(running)
    yield running
    running.stop()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(90_000)  # a loaded, shared machine: slow is not broken
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.on(
        "console",
        lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type in ("error", "warning") else None,
    )
    opened.problems = problems
    yield opened
    context.close()
    assert not problems, problems


@pytest.fixture(scope="session")
def shots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save

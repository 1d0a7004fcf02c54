"""Guided examination in a real browser, keyboard only (issue 10): a simulated common
peroneal lesion at the fibular head and an L5 root lesion, from an empty case to the stop."""

from __future__ import annotations

import re

import pytest

from test_guided_oracle import L5_ROOT, PERONEAL, answer_for
from web_support import CHROMIUM

from .test_browser import OVERFLOW, approve_clinician, sign_up

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (run scripts/install-system-deps.sh)"
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def press(page, key: str) -> None:
    """One key; the page posts the answer and comes back with the next question."""
    with page.expect_navigation():
        page.keyboard.press(key)


@pytest.mark.parametrize(
    "hypothesis, leader, name",
    [
        (PERONEAL, "right common peroneal nerve lesion (at the fibular head)", "peroneal"),
        (L5_ROOT, "right L5 root lesion", "l5"),
    ],
)
def test_a_keyboard_guided_exam_reaches_the_stop_with_the_right_site_leading(
    page, server, shots, model, hypothesis, leader, name
):
    approve_clinician(server, sign_up(page, "clinician"))
    page.goto("/exam/guided")
    # Chromium applies autofocus in a task after the load event: wait for it (up to 5 s)
    # instead of reading the focus at once, which a busy machine can beat
    page.wait_for_function("document.activeElement && document.activeElement.id === 'guided-start'", timeout=5000)
    press(page, "Enter")  # start from an empty case
    asked = 0
    for _ in range(60):
        if page.locator("#guided-stop").count():
            reason = page.locator("#guided-stop").get_attribute("data-reason")
            if reason == "target_reached":
                break
            assert "phase=bedside" in page.url, page.locator("#guided-stop").inner_text()
            press(page, "x")  # bedside has said what it can: on to EMG/NCS
            continue
        finding = page.locator("#question-text").get_attribute("data-finding")
        if asked == 2:
            press(page, "s")  # skip, then undo the skip: the same question comes back
            assert page.locator("#question-text").get_attribute("data-finding") != finding
            press(page, "u")
            assert page.locator("#question-text").get_attribute("data-finding") == finding
        if asked == 3:
            shots(page, f"guided-{name}-question-desktop")
        press(page, answer_for(model, hypothesis, finding))
        asked += 1
    else:
        pytest.fail("the guided exam did not stop within 60 questions")
    first = page.locator("#sites tbody tr").first
    assert leader in first.inner_text()
    assert asked <= 40
    shots(page, f"guided-{name}-stop-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate(OVERFLOW) <= 1
    shots(page, f"guided-{name}-stop-phone")
    page.set_viewport_size(DESKTOP)
    # the partial case opens in the normal result page and exam grid
    page.click("#open-result", no_wait_after=True)
    page.wait_for_url(
        re.compile(r".*/cases/[0-9a-f]{32}\?view=clinician"), timeout=180_000
    )  # first result builds tables
    assert leader.lower() in page.locator("#sites tbody tr").first.inner_text().lower()
    page.go_back()
    page.click("#open-exam")
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f]{32}/edit\?form=exam"))

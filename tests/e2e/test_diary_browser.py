"""A patient keeps a recovery diary in a real browser and takes the PDF summary away."""

from __future__ import annotations

import re
import subprocess

import pytest

from web_support import CHROMIUM

from .test_browser import OVERFLOW, UNLABELLED, sign_up, submit_pain_questionnaire

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (run scripts/install-system-deps.sh)"
)

ENTRIES = (("2026-01-05", "8", "3"), ("2026-01-13", "6", "5"), ("2026-01-26", "4", "6"))


def pdf_text(path) -> str:
    try:
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except FileNotFoundError:
        from pypdf import PdfReader

        text = "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)
    return " ".join(text.split())


def test_patient_keeps_a_diary_sees_the_trend_and_downloads_the_summary(page, shots, browser, server):
    sign_up(page, "patient")
    submit_pain_questionnaire(page, "lateral_leg:right", "Foot and shin pain")
    assert re.search(r"/cases/[0-9a-f]{32}\?view=patient", page.url)

    page.click("text=Recovery diary")
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f]{32}/diary$"))
    diary_url = page.url
    assert page.evaluate(UNLABELLED) == []
    assert page.locator("#h-trend + p").inner_text().startswith("No entries yet")

    for day, pain, walking in ENTRIES:
        page.fill("#d-date", day)
        page.select_option("#pain-0-where", "lateral_leg:right")
        page.fill("#pain-0-score", pain)
        page.fill("#fn-walking", walking)
        page.fill("#d-notes", f"diary entry of {day}")
        page.click("#add-entry")
        page.wait_for_url(re.compile(r".*/diary\?added=[0-9a-f]{32}#(entries|triage)"))
    assert page.locator("#entry-list tbody tr").count() == 3
    trend = page.locator("#trend .trend").first.inner_text()
    assert trend.startswith("Your pain has fallen by about half over 3 weeks")
    plot = page.locator("#plot-pain-function")
    assert plot.is_visible()
    assert page.evaluate("() => document.querySelector('#plot-pain-function').naturalWidth") > 100
    assert "Pain" in plot.get_attribute("alt")
    shots(page, "diary-entries-plot-trend")

    # a new red flag shows the emergency banner at once, above everything else
    page.fill("#d-date", "2026-01-27")
    page.check("input[name=flag][value=bladder_change]")
    page.click("#add-entry")
    page.wait_for_url(re.compile(r".*/diary\?added=[0-9a-f]{32}#triage"))
    banner = page.locator("#triage")
    assert "triage-emergency" in banner.get_attribute("class") and banner.get_attribute("role") == "alert"
    assert banner.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]
    shots(page, "diary-red-flag-banner")

    with page.expect_download() as caught:
        page.click("#pdf-patient")
    download = caught.value
    assert download.suggested_filename.startswith("appointment-summary") and download.suggested_filename.endswith(
        ".pdf"
    )
    path = download.path()
    assert path.read_bytes().startswith(b"%PDF-")
    text = pdf_text(path)
    assert "My recovery diary" in text
    assert "Your pain has fallen by about half" in text

    phone = browser.new_context(
        base_url=server.base_url, viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state()
    )
    small = phone.new_page()
    small.goto(diary_url)
    assert small.evaluate(OVERFLOW) <= 0
    assert small.locator("#plot-pain-function").bounding_box()["width"] <= 390
    shots(small, "diary-phone")
    phone.close()

"""A patient keeps a recovery diary in a real browser and takes the PDF summary away."""

from __future__ import annotations

import re
import subprocess

import pytest

from web_support import CHROMIUM

from .browser_support import axe_violations
from .test_browser import OVERFLOW, UNLABELLED, approve_clinician, sign_up, submit_pain_questionnaire

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


def _axe_everywhere(page) -> list[str]:
    """axe-core over the page as shown, with every folded <details> opened first."""
    for details in page.locator("details").all():
        details.evaluate("d => d.open = true")
    return axe_violations(page)


def test_every_state_of_the_diary_page_has_no_axe_violations(browser, server, shots):
    """Issue 9, item 10 (the diary was the page left out): axe-core reports nothing on the
    diary page empty, with entries and plots, after a typing error, with an unreviewed red
    flag, and as the clinician who reviews it, at 1280 and at 390 px."""
    patient_context = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 900})
    patient_context.set_default_timeout(90_000)
    patient = patient_context.new_page()
    sign_up(patient, "patient")
    submit_pain_questionnaire(patient, "lateral_leg:right", "Diary axe check")
    case_path = "/" + patient.url.split("/", 3)[3].split("?")[0]
    diary_path = case_path + "/diary"
    found: dict[str, list[str]] = {}

    def check(page, state: str) -> None:
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            found[f"{state} at {width}"] = _axe_everywhere(page)
            assert page.evaluate(OVERFLOW) <= 0, f"{state} at {width}: the page scrolls sideways"
        page.set_viewport_size({"width": 1280, "height": 900})

    patient.goto(diary_path)
    check(patient, "empty")
    for day, pain, walking in ENTRIES:
        patient.fill("#d-date", day)
        patient.select_option("#pain-0-where", "lateral_leg:right")
        patient.fill("#pain-0-score", pain)
        patient.fill("#fn-walking", walking)
        patient.click("#add-entry")
        patient.wait_for_url(re.compile(r".*/diary\?added=[0-9a-f]{32}#(entries|triage)"))
    assert patient.locator("#plot-pain-function").is_visible()
    check(patient, "entries and plots")
    patient.fill("#d-date", "2026-02-01")
    patient.fill("#pain-0-score", "15")  # out of the 0-10 scale
    patient.click("#add-entry")
    patient.wait_for_load_state()
    assert patient.locator(".errors, [role=alert]").count() > 0
    check(patient, "a typing error")
    patient.goto(diary_path)
    patient.fill("#d-date", "2026-02-02")
    patient.check("input[name=flag][value=bladder_change]")
    patient.click("#add-entry")
    patient.wait_for_url(re.compile(r".*/diary\?added=[0-9a-f]{32}#triage"))
    check(patient, "an unreviewed red flag")
    shots(patient, "issue9-10-axe-diary-red-flag")

    # the clinician the patient shares the case with sees the alert and the button to acknowledge it
    doctor_context = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 900})
    doctor_context.set_default_timeout(90_000)
    doctor = doctor_context.new_page()
    doctor_name = sign_up(doctor, "clinician")
    approve_clinician(server, doctor_name)
    patient.goto("/cases")
    patient.fill("#clinician", doctor_name)
    patient.click("button:text('Share')")
    patient.wait_for_url("**/cases#sharing")
    assert doctor.goto(diary_path).status == 200
    assert doctor.locator("#h-diary-alert").is_visible()
    check(doctor, "the clinician's review")
    shots(doctor, "issue9-10-axe-diary-clinician")
    patient_context.close()
    doctor_context.close()
    assert {state: v for state, v in found.items() if v} == {}

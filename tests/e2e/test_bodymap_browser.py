"""The one body map in a real browser (issue 9, items 16 and 7): the questionnaire's map, the
result pages and the patient's PDF, at phone and desktop widths, with their screenshots."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from web_support import CHROMIUM

from .browser_support import OVERFLOW, PHONE, axe_violations
from .conftest import SCREENSHOTS
from .test_browser import approve_clinician, enter_common_peroneal_exam, sign_up

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (run scripts/install-system-deps.sh)"
)
DESKTOP = {"width": 1280, "height": 900}
# what the map reads aloud for the regions ticked below (the renderer's words, the form's keys)
TICKED = {
    "lateral_leg:right": "Right outer side of the lower leg (front view)",
    "great_toe:right": "Right big toe (front view)",
    "buttock:right": "Right buttock (back view)",
}


def _context(browser, server, viewport, storage=None):
    context = browser.new_context(base_url=server.base_url, viewport=viewport, storage_state=storage)
    context.set_default_timeout(90_000)
    return context


def _pdf_page_png(pdf: bytes, width: int, name: str) -> None:
    """Page 1 of a PDF as a PNG as wide as a phone or a desktop screen (poppler's pdftoppm)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.fail("pdftoppm is missing: run scripts/install-system-deps.sh (poppler-utils)")
    prefix = SCREENSHOTS / name
    subprocess.run(
        [exe, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to-x", str(width), "-scale-to-y", "-1", "-", prefix],
        input=pdf,
        check=True,
        timeout=120,
    )
    assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000


def test_questionnaire_map_result_pages_and_patient_pdf_at_phone_and_desktop(browser, server, shots):
    patient_context = _context(browser, server, DESKTOP)
    patient = patient_context.new_page()
    sign_up(patient, "patient")
    patient.goto("/check")
    for key, words in TICKED.items():
        region = patient.locator(f'#map-pain .region[data-key="{key}"]')
        assert region.get_attribute("aria-label") == words
        region.click()
        assert region.get_attribute("aria-checked") == "true"
        assert patient.is_checked(f'input[name=pain][value="{key}"]')  # the list beside the map follows
    patient.locator("#map-pain").scroll_into_view_if_needed()
    shots(patient, "bodymap-questionnaire-desktop")

    # the same page on a phone: the front view fills the screen; a swipe lands on the back view
    phone_context = _context(browser, server, PHONE, patient_context.storage_state())
    phone = phone_context.new_page()
    phone.goto("/check")
    for key in TICKED:
        phone.locator(f'#map-pain .region[data-key="{key}"]').click()
    figure = phone.locator("#map-pain").locator("xpath=..")
    figure.scroll_into_view_if_needed()
    assert phone.evaluate(OVERFLOW) <= 0
    width = figure.evaluate("f => f.clientWidth")
    figure.evaluate("f => f.scrollTo({left: 0})")  # the front view (the clicks above scrolled to the back)
    phone.wait_for_function("f => f.scrollLeft === 0", arg=figure.element_handle())
    shots(phone, "bodymap-questionnaire-phone-front", full_page=False)
    figure.evaluate("f => f.scrollBy({left: f.clientWidth * 0.6})")  # a swipe of 60% of the screen
    snapped = "f => Math.abs(f.scrollLeft - f.clientWidth) < 2"
    phone.wait_for_function(snapped, arg=figure.element_handle())
    assert abs(figure.evaluate("f => f.scrollLeft") - width) < 2  # snapped to the back view
    buttock = phone.locator('#map-pain .region[data-key="buttock:right"]').bounding_box()
    assert 0 <= buttock["x"] and buttock["x"] + buttock["width"] <= PHONE["width"]  # the back view is in sight
    shots(phone, "bodymap-questionnaire-phone-back", full_page=False)

    # save the questionnaire (desktop); the patient's result, then the PDF they take away
    for _ in range(5):
        patient.click("[data-next]")
    patient.fill("#title", "Shin, toe and buttock pain")
    patient.click("[data-submit]")
    patient.wait_for_url(re.compile(r".*/cases/[0-9a-f]{32}\?view=patient"))
    case_path = "/" + patient.url.split("/", 3)[3].split("?")[0]
    # the patient's result shows where they feel it on the same map as their PDF
    symptoms = patient.locator("#map-symptoms")
    assert symptoms.is_visible() and symptoms.get_attribute("role") == "img"
    for key in TICKED:
        assert patient.get_attribute(f'#map-symptoms .region[data-key="{key}"]', "data-shade") != "0"
    shots(patient, "bodymap-result-patient-desktop")
    phone.goto(case_path)
    assert phone.evaluate(OVERFLOW) <= 0
    # on a phone the map scrolls sideways in its frame, which the keyboard can reach
    frame = phone.locator("#map-symptoms").locator("xpath=..")
    assert frame.get_attribute("tabindex") == "0" and frame.get_attribute("role") == "region"
    frame.scroll_into_view_if_needed()
    shots(phone, "bodymap-result-patient-phone", full_page=False)
    assert axe_violations(patient) == [] and axe_violations(phone) == []
    response = patient.request.get(case_path + "/report.pdf?kind=patient")
    assert response.ok and response.body().startswith(b"%PDF-")
    _pdf_page_png(response.body(), PHONE["width"], "bodymap-patient-pdf-phone")
    _pdf_page_png(response.body(), DESKTOP["width"], "bodymap-patient-pdf-desktop")

    # the clinician result: the leading site's skin territory on the same map
    doctor_context = _context(browser, server, DESKTOP)
    doctor = doctor_context.new_page()
    approve_clinician(server, sign_up(doctor, "clinician"))
    doctor.goto("/exam")
    enter_common_peroneal_exam(doctor)
    doctor.click("button[type=submit] >> text=Assess and save")
    doctor.wait_for_url(re.compile(r".*/cases/[0-9a-f]{32}\?view=clinician"))
    territory = doctor.locator("#map-territory")
    assert territory.get_attribute("role") == "img"
    assert "outer side of the lower leg (right" in territory.locator("desc").text_content()
    assert doctor.get_attribute('#map-territory .region[data-key="lateral_leg:right"]', "data-shade") != "0"
    assert doctor.locator('#map-territory .outline[data-key="dorsum_foot:right"]').count() == 1  # found reduced
    territory.scroll_into_view_if_needed()
    shots(doctor, "bodymap-result-clinician-desktop", full_page=False)
    doctor_phone_context = _context(browser, server, PHONE, doctor_context.storage_state())
    doctor_phone = doctor_phone_context.new_page()
    doctor_phone.goto(doctor.url)
    assert doctor_phone.evaluate(OVERFLOW) <= 0
    doctor_phone.locator("#map-territory").scroll_into_view_if_needed()
    shots(doctor_phone, "bodymap-result-clinician-phone", full_page=False)
    for context in (patient_context, phone_context, doctor_context, doctor_phone_context):
        context.close()

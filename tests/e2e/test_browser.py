"""A patient and a clinician use plexnav in a real browser."""

from __future__ import annotations

import re

import pytest

from web_support import CHROMIUM

from .browser_support import OVERFLOW, sign_up

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (run scripts/install-system-deps.sh)"
)

UNLABELLED = """() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name)"""


def approve_clinician(server, username: str) -> None:
    """What an administrator does once they have checked who the clinician is."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEXNAV_")}
    env["PLEXNAV_DATA_DIR"] = str(server.data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "plexnav.cli", "admin", "approve-clinician", username, "--email-verified"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def submit_pain_questionnaire(page, region_key: str, title: str) -> None:
    """Mark one painful region on the body map, step through the questionnaire and save it."""
    page.goto("/check")
    page.click(f'#map-pain .region[data-key="{region_key}"] >> nth=0')
    for _ in range(5):
        page.click("[data-next]")
    page.fill("#title", title)
    page.click("[data-submit]")
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f]{32}.*"))


def test_patient_reporting_saddle_numbness_sees_the_emergency_banner(page, shots, browser, server):
    sign_up(page, "patient")
    page.goto("/check")
    assert page.evaluate(UNLABELLED) == []
    progress = page.locator("[data-progress]")
    assert progress.inner_text().startswith("Step 1 of 6")
    # step 1: where it hurts, on the body map (front and back views)
    page.click('#map-pain .region[data-key="lower_back:right"]')
    page.click('#map-pain .region[data-key="posterior_thigh:right"] >> nth=0')
    assert page.is_checked('input[name=pain][value="lower_back:right"]')
    assert page.get_attribute('#map-pain .region[data-key="lower_back:right"]', "aria-checked") == "true"
    # the map works from the keyboard too: one tab stop, arrows move, Space toggles
    page.focus('#map-pain .region[tabindex="0"]')
    first_key = page.evaluate("() => document.activeElement.getAttribute('data-key')")
    page.keyboard.press("ArrowRight")
    second_key = page.evaluate("() => document.activeElement.getAttribute('data-key')")
    assert second_key != first_key
    page.keyboard.press("Space")
    assert page.is_checked(f'input[name=pain][value="{second_key}"]')
    page.keyboard.press("Space")
    assert not page.is_checked(f'input[name=pain][value="{second_key}"]')
    shots(page, "patient-1-where-it-hurts")
    page.click("[data-next]")
    # step 2: what it feels like
    page.check("input[name=pain_quality][value=shooting]")
    page.check("input[name=pain_severity][value='7']")
    page.click("[data-next]")
    # step 3: numbness -- the saddle region on the back view of the map
    assert progress.inner_text().startswith("Step 3 of 6")
    page.click('#map-numb .region[data-key="saddle"]')
    assert page.is_checked("input[name=numb][value=saddle]")
    # the red flag stops the questionnaire at once (item 1); the rest stays reachable after it
    screen = page.locator("#emergency-screen")
    screen.wait_for(state="visible", timeout=5000)
    assert page.locator("[data-next]").is_hidden()
    shots(page, "patient-3-numbness-saddle")
    page.click("[data-emergency-continue]")
    assert screen.is_visible() and page.locator('#emergency-screen a[href="tel:112"]').is_visible()
    page.click("[data-next]")
    page.click("[data-next]")
    page.click("[data-next]")
    # step 6: about you
    page.fill("#age", "47")
    page.check("input[name=onset][value=acute]")
    page.fill("#title", "Back pain and numbness")
    page.click("[data-submit]")
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f]{32}\?view=patient"))

    banner = page.locator("#triage")
    assert "triage-emergency" in banner.get_attribute("class")
    assert banner.get_attribute("role") == "alert"
    assert "emergency: go to an emergency department now" in banner.inner_text().lower()
    # the banner follows the page's title at once, before everything else
    assert page.locator("h1").bounding_box()["y"] < banner.bounding_box()["y"]
    assert banner.bounding_box()["y"] < page.locator("#h-mean").bounding_box()["y"]
    assert page.locator('#triage a[href="tel:112"]').is_visible()
    assert page.locator("text=What to ask your doctor").is_visible()
    assert (
        page.locator(".disclaimer")
        .inner_text()
        .startswith("plexnav supports clinical judgement; it never replaces it.")
    )
    assert page.locator('a[href="/learn/red_flags"]').count() >= 1
    shots(page, "patient-result-emergency")

    phone = browser.new_context(
        base_url=server.base_url, viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state()
    )
    small = phone.new_page()
    small.goto(page.url)
    assert small.evaluate(OVERFLOW) <= 0
    assert small.locator("#triage").bounding_box()["width"] <= 390
    shots(small, "patient-result-emergency-phone")
    small.goto("/check")
    assert small.evaluate(OVERFLOW) <= 0
    shots(small, "patient-questionnaire-phone", full_page=False)
    phone.close()


def enter_common_peroneal_exam(page):
    assert page.evaluate(UNLABELLED) == []
    page.fill("#title", "Foot drop after leg crossing")
    # strength: keyboard only -- type a grade, Enter moves down the column
    page.click('[name="mrc.ankle_dorsiflexion.right"]')
    for grade in ("2", "2", "2", "3", "5", "5"):  # dorsiflexion, EHL, toe ext, eversion, inversion, plantarflexion
        page.keyboard.type(grade)
        page.keyboard.press("Enter")
    assert page.input_value('[name="mrc.ankle_plantarflexion.right"]') == "5"
    page.fill('[name="mrc.hip_abduction.right"]', "5")
    page.fill('[name="mrc.knee_flexion.right"]', "5")
    for reflex in ("achilles", "patellar", "medial_hamstring"):
        page.select_option(f'[name="reflex.{reflex}.right"]', "normal")
    # sensation on the body map: one click = reduced; four clicks on the sole = normal
    page.click('#map-sensation .region[data-key="dorsum_foot:right"] >> nth=0')
    page.click('#map-sensation .region[data-key="lateral_leg:right"] >> nth=0')
    for _ in range(4):
        page.click('#map-sensation .region[data-key="sole:right"]')
    assert page.input_value('[name="sens.dorsum_foot.right"]') == "reduced"
    assert page.input_value('[name="sens.sole.right"]') == "normal"
    page.select_option('[name="sign.tinel_fibular_head.right"]', "positive")
    page.check('[name="sign.steppage_gait.right"]')
    page.click("text=Nerve conduction studies")
    page.select_option('[name="ncs.peroneal_motor_edb.right"]', "conduction_block_fibular_head")
    page.select_option('[name="ncs.superficial_peroneal_sensory.right"]', "reduced")
    page.select_option('[name="ncs.sural_sensory.right"]', "normal")
    page.select_option('[name="ncs.tibial_motor_ah.right"]', "normal")
    page.click("text=Needle EMG")
    page.select_option('[name="emg.tibialis_anterior.right"]', "active_denervation")
    page.select_option('[name="emg.peroneus_longus.right"]', "active_denervation")
    for muscle in ("biceps_femoris_short_head", "tibialis_posterior", "gluteus_medius", "paraspinal_lower_lumbar"):
        page.select_option(f'[name="emg.{muscle}.right"]', "normal")


def test_clinician_entering_a_common_peroneal_exam_sees_it_ranked_first(page, shots):
    sign_up(page, "clinician")
    page.goto("/exam")
    enter_common_peroneal_exam(page)
    shots(page, "clinician-exam-entry")
    page.click("button[type=submit] >> text=Assess and save")
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f]{32}\?view=clinician"))

    first = page.locator("#sites tbody tr").first
    assert first.locator("code").first.inner_text() == "nerve:common_peroneal"
    assert "right" in first.inner_text()
    assert page.locator("#triage").is_visible()
    shaded = page.locator('#map-territory .region:not([data-shade="0"])')
    assert shaded.count() > 0
    assert page.get_attribute('#map-territory .region[data-key="lateral_leg:right"]', "data-shade") != "0"
    assert page.locator('#map-territory .region[data-side="left"]:not([data-shade="0"])').count() == 0
    assert page.locator("text=For and against").is_visible()
    assert page.locator(".disclaimer").is_visible()
    shots(page, "clinician-result-common-peroneal")

    # reopen, edit, save: a new version with a new assessment
    case_url = page.url.split("?")[0]
    page.click("text=Edit examination")
    page.wait_for_url("**/edit?form=exam")
    assert page.input_value('[name="mrc.ankle_dorsiflexion.right"]') == "2"
    assert (
        page.get_attribute('#map-sensation .region[data-key="dorsum_foot:right"] >> nth=0', "data-state") == "reduced"
    )
    page.fill('[name="mrc.ankle_dorsiflexion.right"]', "4")
    page.click("button[type=submit] >> text=Assess and save")
    page.wait_for_url(case_url + "?view=clinician")
    page.click("text=Earlier results (2)")
    assert page.locator("text=Earlier results (2)").is_visible()
    page.goto(case_url + "?view=patient")
    assert page.locator("text=What it may mean").is_visible()
    shots(page, "clinician-case-patient-view")


def test_patient_shares_and_only_that_clinician_sees_the_case(browser, server, shots):
    contexts = [browser.new_context(base_url=server.base_url) for _ in range(3)]
    patient, doctor, stranger = (c.new_page() for c in contexts)
    sign_up(patient, "patient")
    doctor_name = sign_up(doctor, "clinician")
    sign_up(stranger, "clinician")
    approve_clinician(server, doctor_name)  # an administrator vetted the doctor, not the stranger
    submit_pain_questionnaire(patient, "anterior_thigh:left", "Thigh pain")
    case_path = "/" + patient.url.split("/", 3)[3].split("?")[0]
    patient.goto("/cases")
    patient.fill("#clinician", doctor_name)
    patient.click("button:text('Share')")
    patient.wait_for_url("**/cases#sharing")
    assert doctor_name in patient.locator("#sharing").inner_text()

    assert doctor.goto(case_path).status == 200
    assert "Thigh pain" in doctor.locator("h1").inner_text()
    assert stranger.goto(case_path).status == 404
    patient.goto("/audit")
    assert doctor_name in patient.locator("#audit-events").inner_text()
    shots(patient, "patient-access-log")
    for c in contexts:
        c.close()


def test_home_learn_and_api_pages(page, shots):
    page.goto("/")
    assert page.locator("h1").is_visible()
    shots(page, "home")
    page.click("text=Read the lessons")
    page.click("text=Warning signs: when to get help now")
    assert page.locator("text=Sources").is_visible()
    shots(page, "learn-red-flags")
    page.goto("/api/docs")
    assert page.get_by_text("/api/v1/assess", exact=True).first.is_visible()

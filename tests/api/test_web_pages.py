"""Server-rendered pages through the test client: CSRF, flows, disclaimers, redirects."""

from __future__ import annotations

import re

import pytest

from web_support import PASSWORD, example_case, register

from .accounts_support import register_clinician

DISCLAIMER = "plexnav supports clinical judgement; it never replaces it."


def token(client, path: str = "/check") -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


@pytest.mark.parametrize(
    "path", ["/", "/check", "/exam", "/learn", "/learn/red_flags", "/login", "/register", "/api/docs"]
)
def test_public_pages_render(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "<main" in response.text and DISCLAIMER in response.text
    assert "http://" not in response.text.split("<main", 1)[0].replace("http://www.w3.org", "")


def test_signed_in_pages_redirect_to_login(client):
    response = client.get("/cases", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/cases"


def test_forms_need_the_csrf_token(client):
    assert client.post("/check", data={"numb": "saddle"}).status_code == 403
    assert client.post("/check", data={"numb": "saddle", "csrf_token": "forged"}).status_code == 403
    assert client.post("/login", data={"username": "x", "password": "y"}).status_code == 403


def test_anonymous_saddle_numbness_shows_the_emergency_banner_first(client):
    response = client.post(
        "/check",
        data={"csrf_token": token(client), "numb": "saddle", "numb_kind": "numbness", "pain": "lower_back:right"},
    )
    assert response.status_code == 200
    html = response.text
    main = html.split('<main id="main" tabindex="-1">', 1)[1]
    # the page's h1, then at once the banner (heading order: h1 before the banner's h2)
    assert re.match(r'\s*<h1>Your result</h1>\s*<section class="triage triage-emergency" role="alert"', main)
    assert "Emergency: go to an emergency department now" in html
    # tap to call the configured emergency number, and what to tell them
    assert 'href="tel:112"' in html and "I may have cauda equina syndrome: new numbness between my legs" in html
    assert "What to ask your doctor" in html and DISCLAIMER in html
    assert "/learn/red_flags" in html


def test_invalid_form_input_is_shown_not_crashed(client):
    response = client.post(
        "/exam",
        data={"csrf_token": token(client, "/exam"), "mrc.hip_flexion.left": "9", "reflex.patellar.left": "wobbly"},
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "mrc.hip_flexion.left" in response.text
    assert 'aria-invalid="true"' in response.text


def test_register_exam_save_reopen_edit(client):
    csrf = token(client, "/register")
    response = client.post(
        "/register",
        data={
            "csrf_token": csrf,
            "username": "drw",
            "email": "drw@example.org",
            "password": PASSWORD,
            "role": "clinician",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/cases"
    from plexnav.web import forms

    values = forms.case_to_exam(example_case())
    data = {"csrf_token": token(client, "/exam"), "title": "Peroneal palsy", **values}
    response = client.post("/exam", data=data, follow_redirects=False)
    assert response.status_code == 303
    case_url = response.headers["location"].split("?")[0]
    page = client.get(case_url + "?view=clinician")
    first_row = page.text.split('<tr class="rank-1">', 1)[1].split("</tr>", 1)[0]
    # readable name first, the id after it
    assert re.search(
        r"<td>Right common peroneal nerve lesion[^<]*<br><code class=\"small\">nerve:common_peroneal</code>", first_row
    )
    # the territory map shades the peroneal skin (a non-zero shade on the right outer leg)
    assert re.search(r'data-key="lateral_leg:right" data-shade="(?:1|0\.\d+)"', page.text)
    assert DISCLAIMER in page.text

    edit = client.get(case_url + "/edit")
    assert 'name="mrc.ankle_dorsiflexion.right" value="2"' in edit.text
    data = {
        "csrf_token": token(client, "/exam"),
        "title": "Peroneal palsy (revised)",
        "form": "exam",
        **{k: v for k, v in values.items() if k != "mrc.ankle_dorsiflexion.right"},
        "mrc.ankle_dorsiflexion.right": "4",
    }
    response = client.post(case_url + "/edit", data=data, follow_redirects=False)
    assert response.status_code == 303
    stored = client.get("/api/v1/cases/" + case_url.rsplit("/", 1)[1]).json()
    assert stored["version"] == 2 and stored["title"] == "Peroneal palsy (revised)"
    grades = {(s["movement"], s["side"]): s["mrc"] for s in stored["case"]["exam"]["strength"]}
    assert grades[("ankle_dorsiflexion", "right")] == 4
    history = client.get(case_url)
    assert "Earlier results (2)" in history.text


def test_patient_check_is_saved_when_signed_in_and_shared(client, make_client):
    register(client, "pia")
    response = client.post(
        "/check", data={"csrf_token": token(client), "numb": "saddle", "title": "Tuesday"}, follow_redirects=False
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "triage-emergency" in page.text and "Tuesday" in page.text
    doctor = make_client()
    register_clinician(doctor, "docz")
    response = client.post(
        "/shares", data={"csrf_token": token(client, "/cases"), "clinician": "docz"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert "Tuesday" in doctor.get("/cases").text
    patient_log = client.get("/audit").text
    assert "docz" in patient_log and "list" in patient_log


def test_login_page_flow_and_open_redirects(client):
    register(client, "quin", login=False)
    csrf = token(client, "/login")
    wrong = client.post("/login", data={"csrf_token": csrf, "username": "quin", "password": "nope"})
    assert wrong.status_code == 401 and "wrong username or password" in wrong.text
    ok = client.post(
        "/login",
        data={"csrf_token": csrf, "username": "quin", "password": PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/cases"
    logout = client.post("/logout", data={"csrf_token": token(client, "/cases")}, follow_redirects=False)
    assert logout.status_code == 303
    assert client.get("/cases", follow_redirects=False).status_code == 303


def test_login_page_errors_keep_next_and_echo_only_a_checked_username(client):
    register(client, "quin", login=False)
    csrf = token(client, "/login")
    wrong = client.post("/login", data={"csrf_token": csrf, "username": "quin", "password": "nope", "next": "/diary"})
    assert wrong.status_code == 401
    assert 'name="username" autocomplete="username" required value="quin"' in wrong.text
    assert 'name="next" value="/diary"' in wrong.text
    for username, password in (("q" * 255, "x"), ("quin", "x" * 201)):  # over LoginRequest's lengths
        refused = client.post(
            "/login", data={"csrf_token": csrf, "username": username, "password": password, "next": "/diary"}
        )
        assert refused.status_code == 422 and "enter your username (or email) and password" in refused.text
        assert 'required value=""' in refused.text and 'name="next" value="/diary"' in refused.text


def test_static_assets_are_local(client):
    css = client.get("/static/app.css")
    js = client.get("/static/app.js")
    assert css.status_code == js.status_code == 200
    assert not re.search(r"https?://", js.text + css.text)


# ---------------------------------------------------------------- revision 1.1


def _with_1_1_output(app):
    """Have the app's assessor add the 1.1 output fields (the engine may not write them yet)."""
    from revision_1_1 import with_revision_1_1_output

    original = app.state.assessor

    class Assessor:
        def __getattr__(self, name):
            return getattr(original, name)

        def __call__(self, case, *args, **kwargs):
            return with_revision_1_1_output(original(case, *args, **kwargs))

    app.state.assessor = Assessor()


def test_exam_page_offers_the_1_1_fields(client):
    html = client.get("/exam").text
    for name in (
        'name="lim.hip_abduction.right"',
        'name="sign.hip_rotation_pain.left"',
        'name="sign.greater_trochanter_tenderness.right"',
        'name="sign.sacroiliac_provocation.right"',
        'name="sign.reduced_foot_pulses.left"',
        'name="sign.hoover_sign.right"',
        'name="sign.tender_tense_compartment.anterior_leg.left"',
        'name="sens.saddle.left"',
        'name="img.0.position"',
        'name="img.3.site"',
        'name="lab.ankle_brachial_index"',
        'name="lab.creatinine"',
        '<option value="mri_whole_spine">',
        '<option value="hip_imaging">',
        '<option value="cord_or_cauda_compression">',
        '<option value="extraforaminal">',
        '<option value="nerve:tibial">tibial nerve</option>',
        "Ankle-brachial index (ratio)",
        "poor effort (gives way)",
        "Hoover&#39;s sign",
    ):
        assert name in html, name
    assert 'name="sign.tender_tense_compartment.right"' not in html  # only by compartment
    assert 'name="sign.tender_tense_compartment.foot.left"' not in html


def test_exam_page_offers_the_torn_tendon_tests_with_their_names_capitalised(client):
    """The bedside tests of a torn tendon (ids plexnav adds) are on the exam grid with the
    other look-alike findings, and names keep their capitals (Jinja's capitalize lowered them)."""
    html = client.get("/exam").text
    assert 'name="sign.calf_squeeze_test.left"' in html and 'name="sign.palpable_tendon_gap.right"' in html
    assert "Calf squeeze test (Simmonds-Thompson;" in html and "(Achilles, tibialis anterior" in html
    assert "Joints, tendons, vessels and effort" in html


def test_check_page_asks_what_brings_pain_on_and_one_sided_saddle(client):
    html = client.get("/check").text
    assert "What brings the pain on or makes it worse?" in html and "What eases it?" in html
    assert 'value="lying_on_affected_side"' in html and 'value="sitting_or_bending_forward"' in html
    assert 'name="numb" value="saddle:left"' in html and 'name="pain" value="genital:right"' in html


def test_anonymous_1_1_exam_shows_when_and_background(client, app):
    _with_1_1_output(app)
    data = {
        "csrf_token": token(client, "/exam"),
        "mrc.hip_abduction.right": "4",
        "lim.hip_abduction.right": "pain",
        "sign.greater_trochanter_tenderness.right": "positive",
        "img.0.test": "mri_whole_spine",
        "img.0.finding": "normal",
        "img.0.level": "T11-T12",
    }
    html = client.post("/exam", data=data).text
    assert "Also present: a length-dependent polyneuropathy (78%)." in html
    assert '<th scope="col">When</th>' in html and "immediately (emergency department)" in html


def test_anonymous_1_1_check_shows_plain_background_and_tests(client, app):
    _with_1_1_output(app)
    data = {
        "csrf_token": token(client),
        "pain": "lateral_thigh:right",
        "pain_provoked": "lying_on_affected_side",
        "pain_relieved": "changing_position",
        "numb": "saddle:left",
        "numb_kind": "numbness",
    }
    html = client.post("/check", data=data).text
    assert "second, background problem in the long nerves to both feet" in html
    assert "Tests your doctor may arrange, and how soon" in html
    assert "<strong>Now, at an emergency department:</strong>" in html
    assert "Emergency: go to an emergency department now" in html  # one-sided saddle numbness is still a red flag


def test_bad_1_1_form_input_names_the_field_and_the_choices(client):
    response = client.post(
        "/exam",
        data={
            "csrf_token": token(client, "/exam"),
            "img.0.test": "mri_lumbar_spine",
            "img.0.level": "L9",
            "mrc.hip_flexion.left": "4",
            "lim.hip_flexion.left": "boredom",
        },
    )
    assert response.status_code == 422
    html = response.text
    assert "img.0.level" in html and "not a vertebral level" in html and "T11-T12" in html
    assert "lim.hip_flexion.left" in html and "valid:" in html and "effort" in html

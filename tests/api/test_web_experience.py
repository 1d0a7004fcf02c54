"""Issue 9 (web): red flags stop the questionnaire, empty forms give no result, patients do
not see clinician tools, the clinician result view, plain errors at the field."""

from __future__ import annotations

import re

import pytest

from plexnav.case import Triage
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.web import emergency, forms, labels, present
from web_support import example_case, register

from .accounts_support import register_clinician


def token(client, path: str = "/check") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


# ---------------------------------------------------------------- item 1: the emergency screen


def test_every_emergency_rule_has_words_for_the_emergency_screen_with_known_sources():
    knowledge = load_guidance_knowledge()
    emergency_rules = [r["id"] for level in knowledge.triage if level["level"] == "emergency" for r in level["rules"]]
    emergency_rules += [a["id"] for a in knowledge.alerts if a["level"] == "emergency"]
    words = emergency.screen_words()
    assert sorted(words["rules"]) == sorted(emergency_rules)
    for rule_id, entry in words["rules"].items():
        assert entry["say"] and entry["sources"], rule_id
        for ref in entry["sources"]:
            assert ref["key"] in knowledge.sources, (rule_id, ref["key"])


def test_an_emergency_alert_beyond_the_policy_brings_the_emergency_screen():
    """A tense calf compartment: the policy says routine, the alert says emergency, and the
    result page shows the emergency steps and what to tell the call-taker."""
    from plexnav.validation import validate_case

    case, _ = validate_case(
        {
            "format": "plexnav-case/1",
            "history": {"onset": "acute", "duration_days": 1},
            "symptoms": [{"kind": "pain", "region": "posterior_leg", "side": "left"}],
            "exam": {"signs": [{"sign": "tender_tense_compartment", "side": "left", "region": "anterior_leg"}]},
        }
    )
    from plexnav.engine.triage import assess_triage

    triage = assess_triage(case)
    assert triage.level == "routine"
    view = emergency.emergency_view(triage, "112")
    assert view is not None and view["rules"] == ["alert.compartment_syndrome"]
    assert "compartment syndrome" in view["tell_them"]
    assert emergency.emergency_view(triage.model_copy(update={"alerts": []}), "112") is None


def test_tell_them_names_the_condition_and_every_red_flag_once():
    line = emergency.tell_them(["emergency.saddle_numbness", "emergency.bladder_bowel"])
    assert line.startswith("I may have cauda equina syndrome: new numbness between my legs and new trouble")
    assert line.count("cauda equina") == 1
    assert emergency.tell_them(["emergency.sudden_severe_weakness"]).startswith("I need to be seen urgently:")
    assert emergency.emergency_view(Triage(level="urgent", reasons=["x"], rules=["urgent.cancer"]), "112") is None


def test_triage_endpoint_answers_at_once_with_the_configured_number(client, app):
    app.state.settings = app.state.settings.model_copy(update={"emergency_number": "999"})
    csrf = token(client)
    answer = client.post("/check/triage", data={"csrf_token": csrf, "numb": "saddle"}).json()
    assert answer["level"] == "emergency"
    screen = answer["emergency"]
    assert screen["tel"] == "tel:999" and "Call 999 now" in screen["steps"][0]
    assert screen["tell_them"].startswith("I may have cauda equina syndrome: new numbness between my legs")
    calm = client.post("/check/triage", data={"csrf_token": csrf, "pain": "lower_back:left"}).json()
    assert calm["level"] != "emergency" and calm["emergency"] is None
    assert 'href="tel:999"' in client.get("/check").text


def test_triage_endpoint_needs_the_form_token_and_names_a_bad_field(client):
    assert client.post("/check/triage", data={"numb": "saddle"}).status_code == 403
    bad = client.post("/check/triage", data={"csrf_token": token(client), "age": "old"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "patient.age"


def test_the_questionnaire_carries_the_hidden_emergency_screen(client):
    html = client.get("/check").text
    assert 'data-triage-url="/check/triage"' in html
    assert re.search(r'<section class="emergency-screen" id="emergency-screen"[^>]*hidden>', html)
    assert "Continue the questionnaire" in html


# ---------------------------------------------------------------- item 3: empty forms


@pytest.mark.parametrize(
    "path, data, words",
    [
        ("/check", {"numb_kind": "numbness", "duration_unit": "days"}, "Tell us at least one symptom"),
        ("/check", {"age": "40", "onset": "acute", "factors": "diabetes"}, "Tell us at least one symptom"),
        ("/exam", {"duration_unit": "days"}, "Enter at least one finding"),
        ("/exam", {"age": "61", "sex": "male"}, "Enter at least one finding"),
    ],
)
def test_an_empty_form_gets_no_result(client, path, data, words):
    response = client.post(path, data={"csrf_token": token(client, path), **data})
    assert response.status_code == 422
    assert words in response.text
    assert 'id="triage"' not in response.text and "wear and tear" not in response.text


def test_nothing_to_assess_counts_any_symptom_or_finding():
    assert forms.nothing_to_assess("check", {"format": "plexnav-case/1", "history": {"onset": "acute"}})
    assert not forms.nothing_to_assess("check", {"symptoms": [{"kind": "cramps"}]})
    assert not forms.nothing_to_assess("exam", {"electrodiagnosis": {"needle_emg": [{"muscle": "soleus"}]}})


# ---------------------------------------------------------------- item 6: patients and clinician tools


def test_a_patient_never_gets_the_clinician_view_or_exam_editing(client):
    register(client, "pat")
    response = client.post(
        "/check", data={"csrf_token": token(client), "pain": "lateral_leg:left", "title": "Leg"}, follow_redirects=False
    )
    case_url = response.headers["location"].split("?")[0]
    page = client.get(case_url + "?view=clinician").text
    assert "What it may mean" in page
    for clinician_only in ("Where is the lesion?", "Edit examination", "Clinician view", "Likely causes"):
        assert clinician_only not in page, clinician_only
    assert "Edit answers" in page
    assert 'href="/exam"' not in page  # no "Clinician exam" link for a patient


def test_a_clinician_sees_both_views_and_own_cases_are_not_labelled_patient(client):
    register_clinician(client, "drq")
    values = forms.case_to_exam(example_case())
    response = client.post(
        "/exam", data={"csrf_token": token(client, "/exam"), "title": "Peroneal", **values}, follow_redirects=False
    )
    page = client.get(response.headers["location"]).text
    assert "Clinician view" in page and "Edit examination" in page
    assert "Patient: Drq" not in page and "Own case of Drq" in page


# ---------------------------------------------------------------- item 9: the clinician result view


def test_clinician_view_leads_with_the_findings_and_red_flag_wording(client):
    data = {
        "csrf_token": token(client, "/exam"),
        "mrc.ankle_dorsiflexion.right": "2",
        "reflex.anal_wink": "absent",
        "sens.dorsum_foot.right": "reduced",
        "emg.tibialis_anterior.right": "active_denervation",
    }
    html = client.post("/exam", data=data).text
    main = html.split('<main id="main" tabindex="-1">', 1)[1]
    assert main.index('id="triage"') < main.index('id="findings"') < main.index('id="sites"')
    banner = main.split('id="triage"', 1)[1].split("</section>", 1)[0]
    assert "Emergency: red flag" in banner and "Red flag: A reduced or absent anal reflex" in banner
    assert "what you told us" not in banner
    findings = main.split('id="findings"', 1)[1].split("</dl>", 1)[0]
    assert "Strength (MRC), right" in findings and "ankle dorsiflexion 2" in findings
    assert "Sensation, right</dt><dd>top of the foot reduced" in findings
    assert "Needle EMG, right" in findings
    probabilities = re.findall(r'<td class="prob">.*?</td>', main, flags=re.S)
    assert probabilities and not any("100%" in cell for cell in probabilities)


@pytest.mark.parametrize(
    "p, text", [(1.0, ">99%"), (0.9996, ">99%"), (0.994, "99%"), (0.5, "50%"), (0.004, "<1%"), (0.0, "<1%")]
)
def test_percent_is_never_certain(p, text):
    assert labels.percent(p) == text


def test_explanation_lines_become_a_short_claim_and_its_comparison_once():
    line = "reduced right sural SNAP fits a right sciatic nerve lesion; a right L5 root lesion would not explain it"
    shown = present.short_lines([line, line, "plain line"])
    assert shown == [
        {
            "main": "reduced right sural SNAP fits a right sciatic nerve lesion",
            "detail": "a right L5 root lesion would not explain it",
        },
        {"main": "plain line", "detail": ""},
    ]


# ---------------------------------------------------------------- items 4, 7, 8: plain errors, targets, templates


@pytest.mark.parametrize(
    "path, message, field, text",
    [
        (
            "patient.age",
            "Input should be less than or equal to 120 (got 250)",
            "age",
            "must be 120 or less (you entered 250)",
        ),
        (
            "history.duration_days",
            "Input should be greater than or equal to 0 (got -3)",
            "duration_value",
            "must be 0 or more (you entered -3)",
        ),
        (
            "symptoms[2].severity",
            "Input should be less than or equal to 10 (got 14)",
            "pain_severity",
            "must be 10 or less (you entered 14)",
        ),
        (
            "investigations[0].level",
            "String should match pattern '^(T([1-9]|1[0-2]))$' (got \"L9\")",
            "investigations[0].level",
            'is not in the expected form (you entered "L9")',
        ),
        ("patient.age", "'forty' is not a number", "age", "'forty' is not a number: type digits only, such as 42"),
    ],
)
def test_errors_are_said_in_plain_words_at_their_field(path, message, field, text):
    from plexnav.validation import CaseError

    plain = forms.plain_error(CaseError(path, message))
    assert (plain.path, plain.message) == (field, text)


def test_the_edx_templates_name_real_studies_and_muscles_with_sources():
    from plexnav import vocabulary as V
    from plexnav.web import edx_templates

    known = load_guidance_knowledge().sources
    ids = [t["id"] for t in edx_templates.templates()]
    assert ids == ["l5", "s1", "peroneal", "femoral", "plexus"]
    for template in edx_templates.templates():
        assert set(template["studies"]) <= set(V.NCS_STUDIES), template["id"]
        assert set(template["muscles"]) <= set(V.EMG_MUSCLES) - {"external_anal_sphincter"}, template["id"]
        assert all(ref["key"] in known for ref in template["sources"]), template["id"]

"""Education content and the `plexnav learn` command."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from guidance_support import DOSE, patch_textstat
from plexnav.cli.learn import EXIT_UNKNOWN_TOPIC, register
from plexnav.knowledge.guidance import load_guidance_knowledge

K = load_guidance_knowledge()
TOPICS = {t["id"]: t for t in K.education["topics"]}
REQUIRED = [
    "plexus",
    "symptoms",
    "red_flags",
    "causes",
    "diagnosis",
    "treatment",
    "recovery",
    "prevention",
    "self_care",
    "faq",
]


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:  # keeps `learn` a sub-command, as in the real CLI
        """plexnav"""

    register(app)
    return app


APP = _app()
RUNNER = CliRunner()


def invoke(*args):
    return RUNNER.invoke(APP, ["learn", *args])


@pytest.fixture
def fk_grade(monkeypatch):
    """textstat's Flesch-Kincaid grade, working offline (see guidance_support.cmu_words)."""
    textstat = pytest.importorskip("textstat")
    patch_textstat(monkeypatch)
    return textstat.flesch_kincaid_grade


# ----------------------------------------------------------------------------- content


def test_all_required_topics_exist_in_order():
    assert list(TOPICS)[: len(REQUIRED)] == REQUIRED


@pytest.mark.parametrize("topic_id", REQUIRED)
def test_topic_is_plain_sourced_and_dose_free(topic_id, fk_grade):
    topic = TOPICS[topic_id]
    text = " ".join(topic["paragraphs"]) + " " + " ".join(f"{i['q']} {i['a']}" for i in topic.get("faq", ()))
    assert topic["title"] and topic["paragraphs"] and topic["sources"]
    assert K.cite(topic["sources"])
    assert fk_grade(text) <= 8.5, topic_id
    assert not DOSE.search(text)


def test_faq_answers_the_three_common_questions():
    questions = " ".join(item["q"].lower() for item in TOPICS["faq"]["faq"])
    assert "sciatica" in questions and "diagnosed" in questions and "heal" in questions


def test_red_flags_topic_matches_the_emergency_signs():
    text = " ".join(TOPICS["red_flags"]["paragraphs"]).lower()
    for words in ("bladder", "bowel", "numbness between your legs", "blood thinner", "fever", "emergency department"):
        assert words in text


def test_red_flags_topic_says_the_1_1_policy():
    text = " ".join(TOPICS["red_flags"]["paragraphs"]).lower()
    for words in (
        "tingling there, even on one side",
        "tingling in your genitals",
        "have had cancer, and you have new back pain",
        "trouble walking",
        "both legs weak and getting worse",
        "first two weeks",
        "last three months and keeps getting worse",
        "today or within two days",
        "within one or two weeks",
        "you have had falls",
        "you fell and a leg is weak",
        "more than six weeks",
        "new means it started in the last three months, or it is getting worse",
        "weak only because it hurts",
        "after a bad injury, with a blood thinner, or after cancer",
    ):
        assert words in text, words
    keys = {ref["key"] for ref in TOPICS["red_flags"]["sources"]}
    assert {"nice_ng234", "girft_ces_2023", "nice_cks_sciatica"} <= keys


# ----------------------------------------------------------------------------- command


def test_learn_lists_topics():
    result = invoke()
    assert result.exit_code == 0
    for topic_id in REQUIRED:
        assert topic_id in result.output


def test_learn_lists_topics_as_json():
    result = invoke("--json")
    assert result.exit_code == 0
    assert [t["id"] for t in json.loads(result.output)][: len(REQUIRED)] == REQUIRED


def test_learn_prints_a_topic_with_sources():
    result = invoke("faq")
    assert result.exit_code == 0
    assert "sciatica" in result.output and "Sources" in result.output
    assert "never replaces" in result.output


@pytest.mark.parametrize("name", ["red-flags", "RED_FLAGS", "red flags", "self-care"])
def test_learn_accepts_hyphens_spaces_and_case(name):
    assert invoke(name).exit_code == 0


def test_learn_topic_as_json():
    result = invoke("plexus", "--json")
    data = json.loads(result.output)
    assert result.exit_code == 0
    assert data["id"] == "plexus" and data["paragraphs"] and data["sources"]
    assert all(isinstance(s, str) and s for s in data["sources"])


def test_unknown_topic_is_a_friendly_error_with_choices_and_closest_match():
    result = invoke("recovry")
    assert result.exit_code == EXIT_UNKNOWN_TOPIC == 2
    message = result.stderr if hasattr(result, "stderr") else result.output
    assert "Unknown topic 'recovry'" in message and "Did you mean 'recovery'?" in message
    assert all(t in message for t in REQUIRED)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)

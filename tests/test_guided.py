"""Guided examination engine (issue 10): the next question, its gain and cost, the stop."""

from __future__ import annotations

import numpy as np
import pytest

from plexnav.case import Case
from plexnav.engine.guided import askable, guided_step
from plexnav.engine.guided_answers import add_answer, choices
from plexnav.engine.localize import score_case
from plexnav.knowledge.examination_costs import load_exam_costs, parse_costs
from plexnav.knowledge.files import read_sources, read_yaml
from test_guided_oracle import L5_ROOT, PERONEAL, answer_for

EMPTY = {"format": "plexnav-case/1"}


def case_of(document: dict) -> Case:
    return Case.model_validate(document)


def test_a_step_names_the_question_its_gain_cost_and_the_ranking(model):
    step = guided_step(case_of(EMPTY), model=model)
    assert step.phase == "bedside" and not step.stop and step.stop_reason is None
    assert len(step.questions) == 3 and len(step.ranking) == 8
    first = step.questions[0]
    assert first.expected_information_gain > 0 and first.cost > 0
    assert first.gain_per_cost == pytest.approx(first.expected_information_gain / first.cost, abs=1e-3)
    assert [q.gain_per_cost for q in step.questions] == sorted((q.gain_per_cost for q in step.questions), reverse=True)
    assert first.prompt.endswith("?") and first.answers
    assert step.expected_further_items >= 1 and step.open_items > 50
    assert sum(r.probability for r in step.ranking) <= 1.0 + 1e-6


def test_same_case_same_step(model):
    assert guided_step(case_of(EMPTY), model=model) == guided_step(case_of(EMPTY), model=model)


def test_phases_ask_only_their_items(model):
    bedside = askable(model, "bedside")
    edx = askable(model, "edx")
    assert not (bedside & edx).any()
    keys = [model.findings[f].key for f in np.flatnonzero(edx)]
    assert keys and all(k.startswith(("ncs:", "needle_emg:")) for k in keys)
    keys = [model.findings[f].key for f in np.flatnonzero(bedside)]
    assert all(k.startswith(("strength:", "reflex:", "sensation:", "sign:")) for k in keys)
    # a sign recorded only when present cannot be answered 'no': it is not asked
    assert not any(k.startswith(("sign:atrophy", "sign:spasticity")) for k in keys)
    step = guided_step(case_of(EMPTY), "edx", model=model, n=10)
    assert all(q.finding.startswith(("ncs:", "needle_emg:")) for q in step.questions)


def test_answered_and_skipped_findings_are_not_asked_again(model):
    first = guided_step(case_of(EMPTY), model=model).questions[0].finding
    answered = add_answer(EMPTY, first, choices(first)[0][0])  # its first answer, whatever it asks
    step = guided_step(case_of(answered), model=model, n=20)
    assert first not in {q.finding for q in step.questions}
    skipped = step.questions[0].finding
    again = guided_step(case_of(answered), model=model, skipped=[skipped], n=20)
    assert skipped not in {q.finding for q in again.questions}
    assert again.open_items == step.open_items - 1


def test_gain_is_the_expected_entropy_drop_of_the_site_ranking(model):
    """Checked against a brute-force answer-by-answer computation for one finding."""
    case = case_of(add_answer(EMPTY, "strength:ankle_dorsiflexion:right", "4"))
    step = guided_step(case, model=model, n=1)
    key = step.questions[0].finding
    scored = score_case(model, case)
    spec = model.findings[model.finding_index[key]]

    def site_entropy(posterior):
        mass = np.bincount(model.group_index, weights=posterior, minlength=len(model.group_keys))
        mass = mass[mass > 0] / mass.sum()
        return float(-(mass * np.log(mass)).sum())

    expected = 0.0
    for state in spec.states:
        col = model.column[(spec.key, state)]
        likely = np.exp(model.log_lik[:, [model.column[(spec.key, s)] for s in spec.states]])
        predictive = float(scored.posterior @ (likely[:, spec.states.index(state)] / likely.sum(axis=1)))
        shift = model.prior_shift(frozenset(), None)
        after = model.posterior(np.append(scored.columns, col), shift)
        expected += predictive * site_entropy(after)
    assert step.questions[0].expected_information_gain == pytest.approx(
        site_entropy(scored.posterior) - expected, abs=2e-4
    )


def test_costs_come_from_the_data_file(model):
    costs = load_exam_costs()
    assert costs.cost("needle_emg:iliopsoas:left", "needle_emg") > costs.cost(
        "needle_emg:tibialis_anterior:left", "needle_emg"
    )
    assert costs.cost("ncs:sural_sensory:left", "ncs_sensory") < costs.cost(
        "needle_emg:tibialis_anterior:left", "needle_emg"
    )
    step = guided_step(case_of(EMPTY), "edx", model=model, n=200)
    by_key = {q.finding: q for q in step.questions}
    assert by_key["needle_emg:iliopsoas:left"].cost == costs.items["needle_emg:iliopsoas"]
    assert by_key["ncs:sural_sensory:left"].cost == costs.kinds["ncs_sensory"]


def test_the_costs_file_is_checked_at_load():
    doc, sources = read_yaml("examination_costs.yaml"), read_sources()
    assert parse_costs(doc, sources).kinds["needle_emg"] > 0
    broken = {**doc, "items": {"needle_emg:iliopsoaz": {"cost": 5, "note": "x", "sources": [{"key": "aids_2010"}]}}}
    with pytest.raises(ValueError, match="iliopsoaz"):
        parse_costs(broken, sources)
    broken = {**doc, "items": {"needle_emg:iliopsoas": {"cost": 5, "note": "x", "sources": [{"key": "nobody_2099"}]}}}
    with pytest.raises(ValueError, match="nobody_2099"):
        parse_costs(broken, sources)
    broken = {**doc, "items": {"needle_emg:iliopsoas": {"cost": 0, "note": "x", "sources": [{"key": "aids_2010"}]}}}
    with pytest.raises(ValueError, match="positive"):
        parse_costs(broken, sources)


def test_stops_when_no_finding_would_change_the_ranking(model):
    doc, sources = read_yaml("examination_costs.yaml"), read_sources()
    lenient = parse_costs(
        {**doc, "stopping": {**doc["stopping"], "leader_change_below": 1.01, "gain_below": 99}}, sources
    )
    step = guided_step(case_of(EMPTY), model=model, costs=lenient)
    assert step.stop and step.stop_reason == "no_change" and step.expected_further_items == 0
    assert "EMG/NCS" in step.stop_text  # the bedside stop points to the next phase


def test_stops_when_nothing_is_left(model):
    everything = [model.findings[f].key for f in np.flatnonzero(askable(model, "edx"))]
    step = guided_step(case_of(EMPTY), "edx", model=model, skipped=everything)
    assert step.stop and step.stop_reason == "nothing_left" and not step.questions and step.open_items == 0


def test_rejects_a_bad_phase_target_or_skip(model):
    with pytest.raises(ValueError, match="phase"):
        guided_step(case_of(EMPTY), "emg", model=model)
    with pytest.raises(ValueError, match="target"):
        guided_step(case_of(EMPTY), target=1.0, model=model)
    with pytest.raises(ValueError, match="not a finding key"):
        guided_step(case_of(EMPTY), skipped=["strength:nowhere:left"], model=model)


def examine(model, hypothesis: str, target: float = 0.9, limit: int = 80):
    """Answer guided questions as the textbook patient would, bedside then EMG/NCS."""
    document, asked = dict(EMPTY), 0
    for phase in ("bedside", "edx"):
        while asked < limit:
            step = guided_step(case_of(document), phase, target=target, model=model, n=1)
            if step.stop:
                break
            key = step.questions[0].finding
            document = add_answer(document, key, answer_for(model, hypothesis, key))
            asked += 1
        if step.stop_reason == "target_reached":
            break
    return step, asked, document


@pytest.mark.parametrize("hypothesis, site", [(PERONEAL, "nerve:common_peroneal"), (L5_ROOT, "root:L5")])
def test_a_guided_exam_finds_the_site_from_an_empty_case(model, hypothesis, site):
    step, asked, document = examine(model, hypothesis)
    assert step.stop, step
    assert (step.ranking[0].site, step.ranking[0].side) == (site, "right"), step.ranking[:3]
    assert asked <= 40
    emg = len(document.get("electrodiagnosis", {}).get("needle_emg", []))
    assert emg <= 6


def test_every_askable_finding_has_a_question_in_words(model):
    """Every finding the guided examination may ask has a question in clinical words, the
    signs read per region (a tense compartment at the front of the leg) included, and the
    'next findings' of an assessment name their finding in words, never by its key."""
    from plexnav.engine.guided import prompt
    from plexnav.engine.wording import finding_name

    for phase in ("bedside", "edx"):
        for f in np.flatnonzero(askable(model, phase)):
            spec = model.findings[f]
            question = prompt(model, spec.key)
            assert question.endswith("?") and "sign:" not in question and "_" not in question, (spec.key, question)
    for spec in model.findings:
        if spec.target == "evidence" and spec.target_id.startswith("sign:"):
            name = finding_name(model.kb, spec)
            assert "sign:" not in name and "_" not in name, (spec.key, name)
    compartment = model.findings[model.finding_index["sign:tender_tense_compartment:anterior_leg:left"]]
    assert "(anterior leg)" in prompt(model, compartment.key)

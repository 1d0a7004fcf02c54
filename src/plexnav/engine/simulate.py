"""Simulated cases from the forward model, for self-consistency checks and calibration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, overload

import numpy as np

from plexnav.engine.catalogue import (
    STOCKING,
    UNMAPPED_SENSORY,
    asymmetry_key,
    one_sided_regions,
    pair_difference,
    paired_base,
)
from plexnav.engine.memo import memo_store, once_per_object
from plexnav.engine.model import LikelihoodModel
from plexnav.engine.observe import NOT_ABNORMAL

if TYPE_CHECKING:
    from plexnav.engine.catalogue import FindingSpec

# not drawn from the anatomical forward model: complaints by side, history and mimic
# evidence, imaging (their likelihoods are direct estimates, scored but not simulated)
# derived from the rest of the case (observe), or not anatomy the simulator draws
SKIP_TARGETS = ("complaint", "evidence", "imaging", "imaging_normal", "anywhere", "unmapped", "asymmetry", "age_pair")
CLEAN_THRESHOLD = 0.7  # substantially involved: at least 70% of the full effect


def scorable_findings(model: LikelihoodModel) -> list[int]:
    """Findings a full work-up would record: exam, studies, EMG and the one-sided symptoms."""
    sided = {s.key.rsplit(":", 1)[0] for s in model.findings if s.side in ("left", "right")}
    # perineal skin is recorded either for the midline or side by side: simulate side by side
    return [
        i
        for i, s in enumerate(model.findings)
        if s.base_key is None
        and s.target not in SKIP_TARGETS
        and s.side != "either"
        and not (s.side == "midline" and s.key in sided)
    ]


def _columns_for(model: LikelihoodModel, finding: int, state_index: int) -> int:
    spec = model.findings[finding]
    return model.column[(spec.key, spec.states[state_index])]


def _clean_state(spec: FindingSpec, involvement: float, p_abnormal: float, umn: bool) -> int:
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
        if spec.kind == "presence":
            if model.lmn[h, f] >= CLEAN_THRESHOLD:
                cols.append(start)  # a symptom is reported only when present
            continue
        cols.append(start + _clean_state(spec, model.lmn[h, f], model.p_abnormal[h, f], umn))
    return np.array(cols, dtype=np.intp)


def sampled_columns(
    model: LikelihoodModel, h: int, findings: list[int], rng: np.random.Generator, keep: float = 1.0, flip: float = 0.0
) -> np.ndarray:
    """A noisy case: each finding kept with probability ``keep``, its state drawn from the
    model, then with probability ``flip`` replaced by a different state at random.  Under a
    symmetric process the second side of a pair copies the first side's state with the
    chance likelihood.yaml side_correlation gives (:func:`shared_pairs`)."""
    cols = []
    shared, chance = shared_pairs(model, h), shared_chance(model)
    drawn: dict[str, int] = {}  # a paired finding's base -> the state drawn on its first side
    for f in findings:
        if rng.random() > keep:
            continue
        spec = model.findings[f]
        start = model.column[(spec.key, spec.states[0])]
        probs = np.exp(model.log_lik[h, start : start + len(spec.states)])
        if spec.kind == "presence":
            if rng.random() < probs[0]:
                cols.append(start)
            continue
        base = shared.get(f)
        if base is not None and base in drawn and rng.random() < chance:
            cols.append(start + drawn[base])
            continue
        state = _draw_state(probs, rng, flip)
        if base is not None:
            drawn.setdefault(base, state)
        cols.append(start + state)
    return np.array(cols + derived_columns(model, cols), dtype=np.intp)


def shared_chance(model: LikelihoodModel) -> float:
    """The chance a symmetric process gives both sides of a pair one state (side_correlation)."""
    return float(model.kb.parameters["side_correlation"]["discordant"])


_SHARED = memo_store("simulate.shared")


def shared_pairs(model: LikelihoodModel, h: int) -> Mapping[int, str]:
    """Finding -> its pair's base, for the pairs a hypothesis's symmetric process draws
    together: every pair for the polyneuropathy alone; for a twin, the pairs its focal lesion
    does not reach on either side (there the focal lesion makes the sides differ)."""

    def build() -> tuple[Mapping[int, str], ...]:
        sections = tuple(model.kb.parameters["side_correlation"]["sections"])
        bases = {spec.target_id for spec in model.findings if spec.target == "asymmetry"}
        pairs = {
            f: base
            for f, spec in enumerate(model.findings)
            if spec.base_key is None and (base := paired_base(spec.key, sections)) in bases
        }
        out: list[Mapping[int, str]] = []
        for i, hyp in enumerate(model.hypotheses):
            if hyp.site == "polyneuropathy":
                out.append(pairs)
            elif hyp.background == "polyneuropathy":
                focal = int(model.focal_of[i])
                untouched = set(pairs.values()) - {b for f, b in pairs.items() if model.lmn[focal, f] > 0.05}
                out.append({f: b for f, b in pairs.items() if b in untouched})
            else:
                out.append({})
        return tuple(out)

    table: tuple[Mapping[int, str], ...] = once_per_object(_SHARED, model, build)
    return table[h]


@overload
def _draw_state(probs: np.ndarray, rng: np.random.Generator, flip: float, recorded: None = None) -> int: ...
@overload
def _draw_state(
    probs: np.ndarray, rng: np.random.Generator, flip: float, recorded: tuple[float, float]
) -> int | None: ...
def _draw_state(
    probs: np.ndarray, rng: np.random.Generator, flip: float, recorded: tuple[float, float] | None = None
) -> int | None:
    """A state drawn from ``probs``; with chance ``flip`` swapped for another state.  With
    ``recorded`` (chance a normal / abnormal state is written down) it may be None."""
    state = int(rng.choice(len(probs), p=probs / probs.sum()))
    if recorded is not None and rng.random() > recorded[state != 0]:
        return None
    if rng.random() < flip:
        state = int(rng.choice([s for s in range(len(probs)) if s != state]))
    return state


_STATE_OF = memo_store("simulate.state_of")


def _state_of(model: LikelihoodModel) -> Mapping[int, tuple[str, str]]:
    """Column -> (finding key, state): model.column inverted, once per model."""
    inverse: Mapping[int, tuple[str, str]] = once_per_object(
        _STATE_OF, model, lambda: {c: key for key, c in model.column.items()}
    )
    return inverse


def derived_columns(model: LikelihoodModel, cols: list[int]) -> list[int]:
    """The columns ``observe`` derives from the whole case, for drawn columns ``cols``: the
    regions left out of a side's sensory map, then the silent side."""
    state_of = _state_of(model)
    return (
        _asymmetry_columns(model, cols, state_of)
        + _unmapped_columns(model, cols, state_of)
        + _silent_side_columns(model, cols, state_of)
    )


def _asymmetry_columns(model: LikelihoodModel, cols: list[int], state_of: Mapping[int, tuple[str, str]]) -> list[int]:
    """As ``observe`` does: a pair recorded on both sides that differs, abnormal against
    normal, or (strength, whose states are grades) both weak with one weaker."""
    sections = tuple(model.kb.parameters["side_correlation"]["sections"])
    sides: dict[str, dict[str, tuple[str, int]]] = {}
    for c in cols:
        key, state = state_of[c]
        base = paired_base(key, sections)
        if base is not None:
            spec = model.findings[model.finding_index[key]]
            sides.setdefault(base, {}).setdefault(key[len(base) + 1 :], (state, spec.states.index(state)))
    out = []
    for base, pair in sides.items():
        if len(pair) < 2:
            continue
        (ls, li), (rs, ri) = pair["left"], pair["right"]
        graded = base.startswith("strength:")  # the other findings' states carry no grade
        difference = pair_difference(
            ls not in NOT_ABNORMAL, rs not in NOT_ABNORMAL, li if graded else None, ri if graded else None
        )
        if difference is None:
            continue
        kind, worse = difference
        column = model.column.get((asymmetry_key(kind, base, worse), "present"))
        if column is not None:
            out.append(column)
    return out


def _unmapped_columns(model: LikelihoodModel, cols: list[int], state_of: Mapping[int, tuple[str, str]]) -> list[int]:
    """As ``observe`` does: on a side with numbness mapped to regions, the regions left out."""
    regions = one_sided_regions(model.kb)
    mapped: dict[str, set[str]] = {}
    for c in cols:
        parts = state_of[c][0].split(":")
        if parts[:2] == ["symptom", "sensory"] and len(parts) == 4 and (parts[2] in regions or parts[2] == STOCKING):
            mapped.setdefault(parts[3], set()).add(parts[2])
    return [
        model.column[(f"{UNMAPPED_SENSORY}:{region}:{side}", "present")]
        for side, named in sorted(mapped.items())
        if STOCKING not in named
        for region in regions
        if region not in named
    ]


def _silent_side_columns(model: LikelihoodModel, cols: list[int], state_of: Mapping[int, tuple[str, str]]) -> list[int]:
    """As ``observe`` does: with one-sided complaints, a side with nothing abnormal is evidence."""
    symptom_sides = {state_of[c][0].rsplit(":", 1)[-1] for c in cols if state_of[c][0].startswith("symptom:")}
    if not symptom_sides & {"left", "right"}:
        return []
    abnormal_sides = {state_of[c][0].rsplit(":", 1)[-1] for c in cols if state_of[c][1] not in NOT_ABNORMAL}
    return [model.column[(f"complaint:{side}", "absent")] for side in ("left", "right") if side not in abnormal_sides]


def same_site(model: LikelihoodModel, a: int, b: int) -> bool:
    ha, hb = model.hypotheses[a], model.hypotheses[b]
    return (ha.site, ha.side) == (hb.site, hb.side)


def top_site_index(model: LikelihoodModel, posterior: np.ndarray) -> int:
    """Best hypothesis after summing lesion points of the same site (as the output does)."""
    groups: dict[tuple[str, str], float] = {}
    best: dict[tuple[str, str], int] = {}
    for i, p in enumerate(posterior):
        h = model.hypotheses[i]
        key = (h.site, h.side)
        groups[key] = groups.get(key, 0.0) + p
        if key not in best or posterior[best[key]] < p:
            best[key] = i
    return best[max(groups, key=groups.__getitem__)]


def realistic_columns(
    model: LikelihoodModel, h: int, rng: np.random.Generator, flip: float = 0.03, depth: int | None = None
) -> np.ndarray:
    """A case as clinics record them, for calibration: a per-case severity (partial lesions),
    a work-up depth (0 symptoms only, 1 bedside exam, 2 exam with electrodiagnosis), abnormal
    findings recorded more often than normal ones, and occasional wrong findings.
    The case is drawn from a model that differs from the scoring model on purpose."""
    from plexnav.engine.catalogue import state_probabilities

    severity = rng.beta(4.0, 1.5)
    depth = rng.choice(3, p=[0.15, 0.35, 0.5]) if depth is None else depth
    cols = []
    for f, spec in enumerate(model.findings):
        if spec.base_key is not None or spec.target in SKIP_TARGETS or spec.side == "either":
            continue
        is_edx = spec.key.startswith(("ncs:", "needle_emg:"))
        if spec.kind != "presence" and (depth == 0 or (is_edx and depth < 2)):
            continue
        probs = state_probabilities(model.kb, spec, model.inv_lmn[h, f] * severity, model.inv_umn[h, f] * severity)
        start = model.column[(spec.key, spec.states[0])]
        if spec.kind == "presence":
            # patients report what bothers them, rarely a region the lesion spares
            chance = probs[0] * 0.8 if model.lmn[h, f] > 0 else 0.01
            if rng.random() < chance:
                cols.append(start)
            continue
        state = _draw_state(probs, rng, flip, recorded=(0.3, 0.85))
        if state is not None:
            cols.append(start + state)
    return np.array(cols + derived_columns(model, cols), dtype=np.intp)

"""Guided examination: the next question, one at a time, until the site is clear.

Why: a clinician should not fill a whole grid to learn which finding matters.  Each step
scores every finding still open in the phase (bedside: strength, reflexes, sensation,
signs; edx: conduction studies and needle EMG) by the expected information gain on the
lesion *site* over the full posterior and every answer the finding can take, divides by
what the item costs (examination_costs.yaml), and says when to stop: the leader reached
the target confidence, or no open finding would change the leading site.  Pure and
deterministic; the web page, the terminal loop, the API and the benchmark all call it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import SupportsIndex

import numpy as np

from plexnav import vocabulary as V
from plexnav.case import Case
from plexnav.engine.guided_answers import choices
from plexnav.engine.localize import SiteGroup, group_sites, score_case
from plexnav.engine.model import LikelihoodModel, get_model
from plexnav.engine.wording import entry_detail, sign_name, site_label
from plexnav.knowledge.examination_costs import ExamCosts, load_exam_costs

PHASES = {"bedside": ("strength:", "reflex:", "sensation:", "sign:"), "edx": ("ncs:", "needle_emg:")}
PHASE_WORDS = {"bedside": "bedside", "edx": "EMG/NCS"}
RANKED = 8
ESTIMATE_FROM = 5  # the expected further items use the mean gain of this many best questions


@dataclass(frozen=True)
class Question:
    finding: str  # catalogue key, e.g. 'needle_emg:tibialis_posterior:right'
    prompt: str  # 'Needle EMG of right tibialis posterior?'
    answers: tuple[tuple[str, str], ...]  # (key pressed, words)
    expected_information_gain: float  # nats on the lesion site
    cost: float
    gain_per_cost: float
    leader_change: float  # chance that the answer changes the leading site


@dataclass(frozen=True)
class RankedSite:
    site: str
    side: str
    levels: tuple[str, ...] | None
    probability: float
    hypothesis: str
    label: str


@dataclass(frozen=True)
class GuidedStep:
    phase: str
    target: float
    questions: tuple[Question, ...]
    ranking: tuple[RankedSite, ...]
    stop: bool
    stop_reason: str | None  # target_reached | no_change | nothing_left
    stop_text: str
    expected_further_items: int
    open_items: int


def item_kind(model: LikelihoodModel, f: SupportsIndex) -> str:
    """The cost class of a finding (examination_costs.yaml kinds)."""
    spec = model.findings[f]
    if spec.target == "study":
        fibres = model.kb.studies[spec.target_id].fibres
        return {"sensory": "ncs_sensory", "motor": "ncs_motor"}.get(fibres, "ncs_late")
    if spec.target == "muscle":
        return "needle_emg"
    if spec.kind == "plantar":
        return "plantar"
    return {"strength": "strength", "reflex": "reflex", "sensation": "sensation"}.get(spec.key.split(":")[0], "sign")


def askable(model: LikelihoodModel, phase: str) -> np.ndarray:
    """(F,) findings of the phase a keyboard answer can record both ways: signs that take a
    positive/negative result (a sign without a result can only be recorded present), and
    saddle and genital skin as one midline item.  Read-only, computed once per model."""
    return _tables(model)[phase]


_TABLES: dict[int, tuple[LikelihoodModel, dict[str, np.ndarray]]] = {}


def _tables(model: LikelihoodModel) -> dict[str, np.ndarray]:
    """Per model: the askable masks and each finding's first column and number of states
    (derived from the immutable model once, so a step costs a few array operations)."""
    held = _TABLES.get(id(model))
    if held is not None and held[0] is model:
        return held[1]
    out: dict[str, np.ndarray] = {}
    for phase, prefixes in PHASES.items():
        mask = model.examinable.copy()
        for f, spec in enumerate(model.findings):
            if not mask[f]:
                continue
            ok = spec.key.startswith(prefixes)
            if spec.key.startswith("sign:"):
                ok = ok and spec.key.split(":")[1] in V.SIGNS_WITH_RESULT and spec.region is None
            if spec.key.startswith("sensation:") and spec.target_id in V.MIDLINE_REGIONS:
                ok = ok and spec.side == "midline"
            mask[f] = ok
        mask.setflags(write=False)
        out[phase] = mask
    out["start"] = np.array([model.column[(s.key, s.states[0])] for s in model.findings], dtype=np.intp)
    out["states"] = np.array([len(s.states) for s in model.findings], dtype=np.intp)
    order = np.argsort(model.group_index, kind="stable")
    out["group_order"] = order
    out["group_starts"] = np.flatnonzero(np.r_[True, np.diff(model.group_index[order]) != 0])
    _TABLES.clear()  # one model at a time (a new knowledge version replaces it)
    _TABLES[id(model)] = (model, out)
    return out


def _entropy(p: np.ndarray, axis: int = 0) -> np.ndarray:
    safe = np.where(p > 0, p, 1.0)
    entropy: np.ndarray = -(p * np.log(safe)).sum(axis=axis)
    return entropy


def _group_mass(model: LikelihoodModel, weights: np.ndarray) -> np.ndarray:
    """(G, ...) sum of hypothesis weights by reported site."""
    tables = _tables(model)
    return np.add.reduceat(weights[tables["group_order"]], tables["group_starts"], axis=0)


def expected_gains(
    model: LikelihoodModel, posterior: np.ndarray, candidates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate finding: expected entropy drop of the site distribution (nats), and the
    chance its answer changes the leading site.  Predictions use the model's state
    probabilities; the update uses the tempered likelihood, as the posterior does."""
    if not len(candidates):
        return np.zeros(0), np.zeros(0)
    tables = _tables(model)
    states = tables["states"][candidates]
    owner = np.repeat(np.arange(len(candidates)), states)
    first = np.cumsum(states) - states
    cols = tables["start"][candidates][owner] + (np.arange(len(owner)) - first[owner])
    lik = model.log_lik[:, cols]
    predict = np.exp(lik)
    predict /= np.add.reduceat(predict, first, axis=1)[:, owner]
    p_state = posterior @ predict  # (J,)
    mass = _group_mass(model, posterior[:, None] * np.exp(lik / model.temperature))
    mass /= mass.sum(axis=0, keepdims=True)
    now = _group_mass(model, posterior)
    after = np.bincount(owner, weights=p_state * _entropy(mass), minlength=len(candidates))
    changed = (mass.argmax(axis=0) != int(np.argmax(now))).astype(float)
    change = np.bincount(owner, weights=p_state * changed, minlength=len(candidates))
    return _entropy(now / now.sum()) - after, change


def prompt(model: LikelihoodModel, key: str) -> str:
    """The question in clinical words: 'Ankle eversion, right: MRC?'."""
    spec = model.findings[model.finding_index[key]]
    kb, side = model.kb, spec.side if spec.side in V.LATERAL_SIDES else ""
    t, tid = spec.target, spec.target_id
    if t == "movement":
        return f"{kb.movements[tid].name.capitalize()}, {side}: MRC?"
    if t == "reflex":
        return f"{kb.reflexes[tid].name[0].upper()}{kb.reflexes[tid].name[1:]}{', ' + side if side else ''}?"
    if t == "skin":
        return f"Sensation over the {side + ' ' if side else ''}{kb.skin[tid].name}?"
    if t == "study":
        return f"{kb.studies[tid].name[0].upper()}{kb.studies[tid].name[1:]}, {side}?"
    if t == "muscle":
        return f"Needle EMG of {side + ' ' if side else ''}{kb.muscles[tid].name}?"
    name = sign_name(kb, tid, spec.region)
    return f"{name[0].upper()}{name[1:]}{', ' + side if side else ''}: positive or negative?"


def _ranking(model: LikelihoodModel, groups: Sequence[SiteGroup]) -> tuple[RankedSite, ...]:
    out = []
    for g in groups[:RANKED]:
        best = model.hypotheses[g.members[0]]
        out.append(
            RankedSite(
                g.site,
                g.side,
                g.levels,
                round(g.probability, 4),
                best.id,
                site_label(g.site, g.side, g.levels, entry_detail(best)),
            )
        )
    return tuple(out)


def _further_items(model: LikelihoodModel, posterior: np.ndarray, target: float, gains: np.ndarray) -> int:
    """Entropy still to remove before the leader can hold ``target`` (the rest in one rival),
    divided by the mean gain of the best few questions: a rough count, said as 'about'."""
    if not len(gains):
        return 0
    now = _group_mass(model, posterior)
    still = _entropy(now / now.sum()) - _entropy(np.array([target, 1 - target]))
    per_item = float(np.mean(np.sort(gains)[::-1][:ESTIMATE_FROM]))
    if per_item <= 1e-6:
        return len(gains)
    return int(min(len(gains), max(1, math.ceil(still / per_item))))


def plan(
    model: LikelihoodModel,
    posterior: np.ndarray,
    groups: Sequence[SiteGroup],
    closed: np.ndarray,
    phase: str,
    costs: ExamCosts,
    target: float,
    n: int = 3,
) -> GuidedStep:
    """The step for a posterior; ``closed`` (F,) marks findings answered or skipped."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}")
    if not 0.5 <= target < 1:
        raise ValueError("target must be at least 0.5 and below 1")
    candidates = np.flatnonzero(askable(model, phase) & ~closed)
    gain, change = expected_gains(model, posterior, candidates)
    cost = np.array([costs.cost(model.findings[f].key, item_kind(model, f)) for f in candidates])
    per_cost = gain / cost if len(candidates) else gain
    order = [i for i in np.lexsort((candidates, -per_cost)) if gain[i] > 1e-9][:n]
    questions = tuple(
        Question(
            finding=model.findings[candidates[i]].key,
            prompt=prompt(model, model.findings[candidates[i]].key),
            answers=choices(model.findings[candidates[i]].key),
            expected_information_gain=round(float(gain[i]), 4),
            cost=float(cost[i]),
            gain_per_cost=round(float(per_cost[i]), 4),
            leader_change=round(float(change[i]), 4),
        )
        for i in order
    )
    ranking = _ranking(model, groups)
    leader = ranking[0]
    words = PHASE_WORDS[phase]
    if leader.probability >= target:
        reason, text = (
            "target_reached",
            (f"Stop: {leader.label} leads with {leader.probability:.0%}, at or above the target of {target:.0%}."),
        )
    elif not len(candidates):
        reason, text = "nothing_left", f"Stop: every {words} finding has been answered or skipped."
    elif change.max() < costs.leader_change_below and gain.max() < costs.gain_below:
        reason, text = (
            "no_change",
            (
                f"Stop: no remaining {words} finding would change the ranking "
                f"(at most a {change.max():.0%} chance of a new leader)."
            ),
        )
    else:
        reason, text = None, ""
    if reason and reason != "target_reached" and phase == "bedside":
        text += " EMG/NCS may still separate the leading sites."
    further = 0 if reason else _further_items(model, posterior, target, gain)
    return GuidedStep(phase, target, questions, ranking, reason is not None, reason, text, further, len(candidates))


def guided_step(
    case: Case,
    phase: str = "bedside",
    costs: ExamCosts | None = None,
    target: float = 0.9,
    skipped: Iterable[str] = (),
    model: LikelihoodModel | None = None,
    n: int = 3,
) -> GuidedStep:
    """The next question(s) for a partial case: expected information gain, cost, gain per
    cost, the current ranking, whether to stop and why, and about how many items remain.
    ``skipped`` are finding keys the examiner chose not to answer."""
    model = model or get_model()
    costs = costs or load_exam_costs()
    scored = score_case(model, case)
    closed = np.zeros(len(model.findings), dtype=bool)
    for o in scored.observations:
        closed[model.finding_index[o.base_key]] = True
    for key in skipped:
        index = model.finding_index.get(key)
        if index is None:
            raise ValueError(f"skipped finding {key!r} is not a finding key")
        closed[index] = True
    return plan(model, scored.posterior, group_sites(model, scored), closed, phase, costs, target, n)

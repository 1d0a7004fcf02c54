"""Finding-by-finding explanation of a ranked site, and the next findings worth examining.

Each observed finding gets a weight: its log-likelihood under the site's best hypothesis
minus its log-likelihood under the competing hypotheses (posterior-weighted).  Positive
weights support the site, negative ones argue against it.  Each step carries a message key
and the rendered text, so every view shows the same trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np

from plexnav import vocabulary as V
from plexnav.case import ExplanationStep, NextFinding
from plexnav.engine.catalogue import FindingSpec
from plexnav.engine.localize import NO_LESION, Scored, SiteGroup
from plexnav.engine.memo import memo_store, once_per_object
from plexnav.engine.model import LikelihoodModel
from plexnav.engine.predict import MOTOR_FIBRES
from plexnav.engine.records import builder
from plexnav.engine.wording import finding_name, finding_phrase
from plexnav.knowledge.base import KnowledgeBase
from plexnav.knowledge.records import MuscleRecord, ReflexRecord, SkinRecord, StudyRecord

MIN_WEIGHT = 0.15  # nats: smaller contributions are not worth a line
CIRCUMSTANTIAL = ("evidence", "imaging", "imaging_normal", "anywhere", "unreported", "unmapped", "age_pair")
BACKGROUND_GAIN = 0.3  # nats: a finding the background explains this much better is its own
INVOLVED = 0.3
_STEP = builder(ExplanationStep)
_NEXT_FINDING = builder(NextFinding)


RIVAL_GROUPS = 6  # fewer than 8 (and _DOT_IN_ORDER): their sums are added in order, as numpy does
PER_RIVAL_RIVALS = 2  # leading rivals that each get their own distinguishing findings
PER_RIVAL_LINES = 2
PER_RIVAL_MIN = 0.5  # nats against that rival
# next findings: two whose chances of being abnormal differ by less than this on average over
# the leading sites (weighted by their probability) ask the same question; candidates looked
# at per finding shown
SAME_QUESTION = 0.1
DIVERSITY_POOL = 8
_DOT_IN_ORDER = 16  # leading sites up to which _diverse adds its dot products in plain floats
_MAIN_SUPPLY = 0.3  # a lesion involving at least this share of a target supplies it


def _rivals(
    model: LikelihoodModel, scored: Scored, group: SiteGroup, groups: list[SiteGroup]
) -> tuple[np.ndarray, np.ndarray]:
    """Best hypothesis of each competing site, and how much each rival counts (half by its
    probability, half evenly, so the explanation also answers the less likely rivals a
    clinician would name, e.g. why not a common peroneal lesion)."""
    background = model.hypotheses[group.members[0]].background
    chosen: list[int] = []
    for g in groups:
        if g is not group:
            if len(chosen) == RIVAL_GROUPS:
                break
            chosen.append(_representative(model, g, background))
    idx = np.array(chosen, dtype=np.intp)
    if len(idx) == 0:
        return idx, np.zeros(0)
    n = len(idx)
    # in plain floats: the same IEEE operations as on the array (numpy sums fewer than eight
    # numbers one by one, in order, from 0.0; RIVAL_GROUPS is below that)
    mass = list(map(scored.posterior_list.__getitem__, chosen))
    total = 0.0
    for p in mass:
        total += p
    shares = [p / total for p in mass] if total > 0 else [1 / n] * n
    return idx, np.array([0.5 * w + 0.5 / n for w in shares])


def _representative(model: LikelihoodModel, group: SiteGroup, background: str | None) -> int:
    """A rival site's most probable hypothesis with the same background as the site being
    explained: findings a shared background polyneuropathy explains do not tell the sites
    apart, so each rival is answered by what its own lesion would do (the background has
    its own line in the assessment)."""
    for i in group.members:
        if model.hypotheses[i].background == background:
            return i
    return group.members[0]


_LOOKALIKES = memo_store("explain.lookalikes")


def _lookalikes(model: LikelihoodModel) -> tuple[tuple[tuple[str, tuple[int, ...]], ...], ...]:
    """Per hypothesis: each look-alike site of the knowledge base's differential for its
    site, with that site's hypotheses on the same side where the look-alike has sides
    (what :func:`_differential` chooses from; it depends on the model alone)."""

    def build() -> tuple[tuple[tuple[str, tuple[int, ...]], ...], ...]:
        sides = [h.side for h in model.hypotheses]
        chosen: dict[tuple[str, str], tuple[int, ...]] = {}  # (look-alike site, side) -> its members

        def members(site: str, side: str) -> tuple[int, ...]:
            found = chosen.get((site, side))
            if found is None:
                candidates = model.site_members.get(site, ())
                lateral = any(sides[j] in ("left", "right") for j in candidates)
                found = chosen[(site, side)] = tuple(
                    i for i in candidates if not lateral or sides[i] in (side, "symptomatic")
                )
            return found

        return tuple(
            tuple((site, members(site, hyp.side)) for site in model.kb.differential.get(hyp.site, ()))
            for hyp in model.hypotheses
        )

    return once_per_object(_LOOKALIKES, model, build)


def _differential(model: LikelihoodModel, scored: Scored, h: int, exclude: set[str]) -> list[int]:
    """The most probable hypothesis of each look-alike site of the knowledge base's
    differential for this site, on the same side where the look-alike has sides."""
    posterior = scored.posterior_list
    return [
        max(members, key=posterior.__getitem__)
        for site, members in _lookalikes(model)[h]
        if members and site not in exclude
    ]


def _spared_reason(model: LikelihoodModel, h: int, spec: FindingSpec) -> str:
    kb = model.kb
    hyp = model.hypotheses[h]
    nodes = [n for side in hyp.lesion.values() for n in side]
    if spec.target == "asymmetry":
        return " (a length-dependent process is symmetric)" if hyp.symmetric_pattern else ""
    if spec.target == "age_pair":
        return ""
    if hyp.pattern == "length_dependent":
        return " (a length-dependent process spares proximal structures)"
    if (
        spec.target == "study"
        and kb.studies[spec.target_id].fibres == "sensory"
        and nodes
        and all(kb.is_preganglionic(n) for n in nodes)
    ):
        return " (the lesion lies proximal to the dorsal root ganglion, so the sensory response is preserved)"
    if not nodes:
        return ""
    if spec.target in ("muscle", "movement", "reflex", "study", "skin"):
        # a lesion that takes little away (an irritative twin, pudendal neuralgia) spares what
        # it supplies by its nature, not by its anatomy: said when the whole lesion would
        # involve the target (its involvement here is that times the lesion's deficit)
        if hyp.deficit < 1.0 and model.inv_lmn[h, model.finding_index[spec.key]] >= _MAIN_SUPPLY * hyp.deficit:
            return f" ({kb.parameters['irritative']['spared']})"
        if hyp.motor < 1.0 and _motor_target(kb, spec):
            # the sensory roots alone: their motor fibres are spared by the lesion's nature
            return f" ({kb.polyradiculopathy['sensory_roots']['spared']})"
        record: Mapping[str, MuscleRecord | ReflexRecord | StudyRecord | SkinRecord]
        if spec.target == "movement":
            mov = kb.movements[spec.target_id]
            record, key = kb.muscles, max(mov.muscles, key=lambda m: mov.muscles[m])
        elif spec.target == "muscle":
            record, key = kb.muscles, spec.target_id
        elif spec.target == "reflex":
            record, key = kb.reflexes, spec.target_id
        elif spec.target == "study":
            record, key = kb.studies, spec.target_id
        else:
            record, key = kb.skin, spec.target_id
        comps = record[key].supply()
        for comp in comps:
            if any(comp.nerve in kb.upstream(n) and comp.nerve != n for n in nodes):
                return f" (its branch leaves the {kb.nerve_name(comp.nerve)} above the lesion)"
        if all(kb.is_preganglionic(n) for n in nodes):
            main = [n for side in hyp.lesion.values() for n, w in side.items() if w >= 0.5] or nodes
            levels = sorted({n.split(":")[1] for n in main}, key=lambda level: kb.root_order[level])
            return f" (it is not supplied mainly by {'/'.join(levels)})"
    return ""


def _motor_target(kb: KnowledgeBase, spec: FindingSpec) -> bool:
    """A finding that tests motor fibres: strength, needle EMG, a motor or late-response study."""
    if spec.target in ("muscle", "movement"):
        return True
    return spec.target == "study" and kb.studies[spec.target_id].fibres in MOTOR_FIBRES


def explain_group(
    model: LikelihoodModel,
    scored: Scored,
    group: SiteGroup,
    groups: list[SiteGroup],
    limit: int = 8,
    history: Mapping[str, np.ndarray] | None = None,
) -> list[ExplanationStep]:
    """The strongest supporting and opposing findings of a site, best first (at most ``limit``
    each), with the history factors (``factor:<id>`` -> its (H,) change of this patient's log
    prior, :func:`history_risks`) that point to it or away from it."""
    h = group.members[0]
    rivals, weights = _rivals(model, scored, group, groups)
    cols = scored.columns
    if len(rivals) == 0 or len(cols) == 0:
        return []
    observations = scored.observations
    log_lik = model.log_lik
    if model.hypotheses[h].background is not None:
        # findings the background explains have their own line (background); and findings it
        # is the one to predict wrongly (the other leg's normal reflexes beside an old central
        # lesion) tell about the background, not the site, so they are not said against it
        gain = log_lik[h, cols] - log_lik[model.focal_of[h], cols]
        keep = np.abs(gain) <= BACKGROUND_GAIN
        observations = tuple(o for o, k in zip(observations, keep.tolist(), strict=True) if k)
        cols = cols[keep]
    # the findings that set this site apart from each leading rival, even when other rivals
    # share them (weak hip adduction rules out a femoral lesion, not an L3 root lesion)
    site = model.hypotheses[h].site
    rival_list = rivals.tolist()
    named = [r for r in rival_list if model.hypotheses[r].site != site][:PER_RIVAL_RIVALS]
    differential = _differential(model, scored, h, exclude={model.hypotheses[r].site for r in named} | {site})
    # one gather of every row the explanation reads: the site's own, its rivals', the look-alikes'
    n_rivals = len(rival_list)
    rows = log_lik[np.array([h, *rival_list, *differential], dtype=np.intp)[:, None], cols]
    temperature = model.temperature
    own = rows[0]
    contribution = (own - np.log(weights @ np.exp(rows[1 : 1 + n_rivals]))) / temperature
    versus = (own - rows[1:]) / temperature  # against each rival, then each look-alike
    weights_list = contribution.tolist()
    versus_rows = versus.tolist()  # in plain floats, the same numbers
    # strongest first, ties in the case's order (a stable sort, as np.argsort(kind="stable"))
    strength = [-abs(w) for w in weights_list]
    order = sorted(range(len(strength)), key=strength.__getitem__)
    rival_rows = versus_rows[:n_rivals]
    chosen: dict[int, tuple[float, int]] = {}  # observation -> (weight, rival it answers)
    n_pos = n_neg = 0
    for j in order:
        w = weights_list[j]
        if abs(w) < MIN_WEIGHT:
            break
        if (w > 0 and n_pos >= limit) or (w < 0 and n_neg >= limit):
            continue
        n_pos += w > 0
        n_neg += w < 0
        # the rival a supporting finding answers (it sets the site furthest apart from it),
        # the rival an opposing finding favours: the first such, as numpy's argmax and argmin
        against_each = [row[j] for row in rival_rows]
        chosen[j] = (w, rival_list[against_each.index(max(against_each) if w > 0 else min(against_each))])
    # the findings against each named rival and look-alike, in that order: the strongest
    # PER_RIVAL_LINES of those worth at least PER_RIVAL_MIN
    named_rows = [rival_list.index(r) for r in named] + list(range(n_rivals, n_rivals + len(differential)))
    if named_rows:
        # row by row, then column by column (np.nonzero's order)
        lines: list[list[tuple[float, int]]] = [
            [(-v, j) for j, v in enumerate(versus_rows[row]) if v >= PER_RIVAL_MIN] for row in named_rows
        ]
        if any(lines):
            for r, found in zip([*named, *differential], lines, strict=True):
                if len(found) > 1:
                    found = sorted(found)[:PER_RIVAL_LINES]  # strongest first; ties in the case's order
                for minus_v, j in found:
                    if j not in chosen:
                        chosen[j] = (-minus_v, r)
    ranked = sorted(chosen.items(), key=lambda item: -abs(item[1][0]))
    # lead with the single strongest answer to each rival, so every alternative a clinician
    # would name is addressed near the top; then the rest by weight
    lead, rest, seen = [], [], set()
    for j, (w, rival) in ranked:
        key = (w > 0, rival)
        if key in seen:
            rest.append(j)
        else:
            seen.add(key)
            lead.append(j)
    label = model.labels[h]
    memo: _StepMemo = once_per_object(_WORDS, model, dict)
    steps = []
    for j in lead + rest:
        obs = observations[j]
        w, rival = chosen[j]
        words = memo.get((h, obs.key, obs.state, obs.value, w > 0, rival))
        if words is None:
            words = _step_words(memo, model, h, label, obs.key, obs.state, obs.value, w > 0, rival)
        steps.append((words, round(w, 3)))
    if history:
        steps = _with_history(steps, _history_steps(model, h, label, rivals, weights, history), len(lead))
    return _merge_sides(steps)


def history_risks(model: LikelihoodModel, factors: Iterable[str], age: int | None) -> dict[str, np.ndarray]:
    """Per history factor with words (likelihood.yaml site_risk): its (H,) change of this
    patient's log prior, the prior with every factor against the prior without this one.
    So a factor's line weighs all it does: diabetes raises a background and a stand-alone
    polyneuropathy (background_polyneuropathy) as well as the sites it points to."""
    features = frozenset(f"factor:{f}" for f in factors)
    named = [f for f in sorted(features) if f in model.kb.site_risk]
    if not named:
        return {}
    full = model.background_shift(features, age)
    return {f: model.site_risk[f] + (full - model.background_shift(features - {f}, age)) for f in named}


def _history_steps(
    model: LikelihoodModel,
    h: int,
    label: str,
    rivals: np.ndarray,
    weights: np.ndarray,
    history: Mapping[str, np.ndarray],
) -> list[tuple[StepWords, float]]:
    """The history factors that move this site's prior against its rivals (an operation, an
    injection, radiotherapy): the event localizes before the examination does, so the
    reader should see it weighed like a finding."""
    out = []
    weights_list = weights.tolist()
    for feature, risk in history.items():
        against = risk[rivals]
        # weights @ np.exp(against) as a sum in order, in plain floats: fewer than
        # _DOT_IN_ORDER products (at most RIVAL_GROUPS), the same on every machine (see _diverse)
        spread = 0.0
        for weight, chance in zip(weights_list, np.exp(against).tolist(), strict=True):
            spread += weight * chance
        w = float(risk[h] - np.log(spread))
        if abs(w) < MIN_WEIGHT:
            continue
        rule = model.kb.site_risk[feature]
        values = against.tolist()  # the first smallest or largest, as numpy's argmin and argmax
        rival = model.labels[int(rivals[values.index(min(values) if w > 0 else max(values))])]
        if w > 0:
            key, text = "history_fits", f"{rule.label} makes a {label} likelier than a {rival}: {rule.reason}"
        else:
            key = "history_fits_less_well"
            text = f"{rule.label} points more to a {rival} than to a {label}: {rule.reason}"
        finding = "history:" + feature
        out.append((StepWords(key, text, finding, finding, None, None), round(w, 3)))
    return out


def _with_history(
    steps: list[tuple[StepWords, float]], history: list[tuple[StepWords, float]], n_lead: int
) -> list[tuple[StepWords, float]]:
    """History lines among the findings after the leading answers, by weight."""
    rest = sorted(steps[n_lead:] + history, key=lambda step: -abs(step[1]))
    return steps[:n_lead] + rest


_SIDES = ("left", "right")


def _side_of(finding: str) -> str | None:
    side = finding.rsplit(":", 1)[-1]
    return side if side in _SIDES else None


def _merge_sides(steps: list[tuple[StepWords, float]]) -> list[ExplanationStep]:
    """One line for a finding seen alike on both sides ('reduced left and right sural SNAP').
    The finding's own side word comes first in the text; a rival's side later is kept."""
    out: list[list[Any]] = []  # [finding, key, weight, text] of each line
    seen: dict[tuple[str, bool, str, str], int] = {}
    for words, weight in steps:
        if words.shape is None:
            out.append([words.finding, words.key, weight, words.text])
            continue
        shape = (words.key, weight > 0, words.finding_base, words.shape)
        at = seen.get(shape)
        if at is not None:
            first = out[at]
            first_side = _side_of(first[0])
            if first_side != words.side:
                first[3] = first[3].replace(f"{first_side} ", "left and right ", 1)
                first[0] = first[0].rsplit(":", 1)[0] + ":bilateral"
                first[2] = round(first[2] + weight, 3)
                continue
        seen[shape] = len(out)
        out.append([words.finding, words.key, weight, words.text])
    return [_STEP({"finding": f, "key": k, "weight": w, "text": t}) for f, k, w, t in out]


class StepWords(NamedTuple):
    """The words of one explanation line, with what merging left and right lines needs:
    the finding without its side, and the text with its own side word as ``{side}``
    (``shape`` is None when the line names no side of its own)."""

    key: str
    text: str
    finding: str
    finding_base: str
    side: str | None
    shape: str | None


# The words of a step depend only on the hypothesis, the finding, its state and recorded
# value, the rival and which way the finding points, never on the case's other findings:
# each is written once per model and reused (bounded, so a long-running server stays small).
_WORDS = memo_store("explain.words")
_WORDS_LIMIT = 200_000


_StepMemo = dict[tuple[int, str, str, str, bool, int], "StepWords"]


def _step_words(
    memo: _StepMemo,
    model: LikelihoodModel,
    h: int,
    label: str,
    obs_key: str,
    state: str,
    value: str,
    supports: bool,
    rival_index: int,
) -> StepWords:
    """The words of a step, from ``memo`` (the model's) or written and kept there."""
    memo_key = (h, obs_key, state, value, supports, rival_index)
    words = memo.get(memo_key)
    if words is None:
        if len(memo) >= _WORDS_LIMIT:
            memo.clear()
        key, text = _write_step(model, h, label, obs_key, state, value, supports, rival_index)
        finding = obs_key.split("@")[0]
        side = _side_of(finding)
        mergeable = side is not None and f"{side} " in text
        words = memo[memo_key] = StepWords(
            key,
            text,
            finding,
            finding.rsplit(":", 1)[0],
            side,
            text.replace(f"{side} ", "{side} ", 1) if mergeable else None,
        )
    return words


def _pain_without_a_lesion(model: LikelihoodModel, spec: FindingSpec, h: int) -> bool:
    """A pain complaint weighed for or against "no nerve lesion": its pictures hurt too, so
    the pain is said to fit a nerve lesion better, never to be unexplained by them."""
    return spec.family == "pain" and model.hypotheses[h].site == NO_LESION


def _write_step(
    model: LikelihoodModel, h: int, label: str, obs_key: str, state: str, value: str, supports: bool, rival_index: int
) -> tuple[str, str]:
    kb = model.kb
    f = model.finding_index[obs_key]
    spec = model.findings[f]
    involved = model.lmn[h, f] >= INVOLVED
    rival_involved = model.lmn[rival_index, f] >= INVOLVED
    normal = state in ("normal", "absent", "flexor")
    phrase = finding_phrase(kb, spec, state, value)
    gloss = model.gloss[f]
    what = f"{phrase} ({gloss})" if gloss else phrase
    rival = model.labels[rival_index]
    if spec.target in CIRCUMSTANTIAL or _pain_without_a_lesion(model, spec, h):
        # history, what provokes a symptom, a scan: not a deficit the anatomy must explain;
        # nor is pain for "no nerve lesion", whose pictures hurt too (it fits one less well)
        if supports:
            return "fits", f"{what} fits a {label} better than a {rival}"
        return "fits_less_well", f"{what} fits a {rival} better than a {label}"
    if not normal and supports:
        # pain is common with no nerve lesion: against that rival it fits better, no more
        explains = rival_involved or _pain_without_a_lesion(model, spec, rival_index)
        tail = f"; a {rival} would not explain it" if not explains else f", more than a {rival} does"
        return "fits", f"{what} fits a {label}{tail}"
    if not normal and involved:
        return "fits_less_well", f"{what} occurs with a {label} but is more typical of a {rival}"
    if not normal:
        # an age-adjusted finding past its age (likelihood.yaml age_adjusted) is often abnormal
        # in healthy people of that age: said, so the line does not read as a firm argument
        aged = ", though often so at this age" if spec.fp_override is not None else ""
        return "unexplained", f"{what} is not explained by a {label}{_spared_reason(model, h, spec)}{aged}"
    if supports:
        tail = f", whereas a {rival} would usually affect it" if rival_involved else ""
        return "spared_as_expected", f"{what}: a {label} spares it{_spared_reason(model, h, spec)}{tail}"
    if involved:
        return "expected_abnormal", f"{what} argues against a {label}, which would usually affect it"
    return "spared_less_typical", f"{what} is spared by a {label} but fits a {rival} better"


def split_explanation(steps: list[ExplanationStep], limit: int = 10) -> tuple[list[str], list[str]]:
    supporting = [s.text for s in steps if s.weight > 0][:limit]
    against = [s.text for s in steps if s.weight < 0][:limit]
    return supporting, against


def _entropy(p: np.ndarray) -> np.ndarray:
    q = np.minimum(np.maximum(p, 1e-12), 1 - 1e-12)  # np.clip's numbers, without its wrappers
    entropy: np.ndarray = -(q * np.log2(q) + (1 - q) * np.log2(1 - q))
    return entropy


_ENTROPY = memo_store("explain.entropy")


def _finding_entropy(model: LikelihoodModel) -> np.ndarray:
    """(H, F) entropy of every examinable finding under every hypothesis, computed once per
    model (the same elementwise numbers as computing it for the few hypotheses and findings
    a case needs); zero for the findings that are not examinable, which are never candidates."""

    def build() -> np.ndarray:
        table = np.zeros_like(model.p_abnormal)
        table[:, model.examinable] = _entropy(model.p_abnormal[:, model.examinable])
        table.setflags(write=False)
        return table

    return once_per_object(_ENTROPY, model, build)


class _SideColumns(NamedTuple):
    on_side: Mapping[str, np.ndarray]  # per leg: which findings are on it (bool over findings)
    symptomatic: np.ndarray  # which hypotheses are look-alikes of the symptomatic side
    plain: int | None  # the plain 'no nerve lesion' hypothesis of the symptomatic side


_SIDE_COLUMNS = memo_store("explain.side_columns")


def _side_columns(model: LikelihoodModel) -> _SideColumns:
    def build() -> _SideColumns:
        sides = np.array([spec.side for spec in model.findings])
        ids = [h.id for h in model.hypotheses]
        plain = f"{NO_LESION}:symptomatic"
        return _SideColumns(
            {side: sides == side for side in V.LATERAL_SIDES},
            np.array([h.side == "symptomatic" for h in model.hypotheses]),
            ids.index(plain) if plain in ids else None,
        )

    columns: _SideColumns = once_per_object(_SIDE_COLUMNS, model, build)
    return columns


def _other_leg_as_unaffected(
    model: LikelihoodModel, side: str, leaders: list[int], candidates: np.ndarray, P: np.ndarray, H: np.ndarray
) -> None:
    """A look-alike of the symptomatic leg (a painful hip, a trochanteric bursitis) is scored
    as one hypothesis for both legs; on the other leg it predicts what no lesion predicts, so
    its rows of ``P`` and ``H`` there are the plain no-lesion row's (without this a right
    foot's numbness asked for the left hip's rotation)."""
    if side not in V.LATERAL_SIDES:
        return
    columns = _side_columns(model)
    flip = columns.symptomatic[leaders]
    if columns.plain is None or not flip.any():
        return
    other = columns.on_side[V.other_side(side)][candidates]
    if not other.any():
        return
    where = np.ix_(np.flatnonzero(flip), np.flatnonzero(other))
    P[where] = model.p_abnormal[columns.plain, candidates[other]]
    H[where] = _finding_entropy(model)[columns.plain, candidates[other]]


def _diverse(ranked: np.ndarray, P: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """The best ``n`` of ``ranked`` candidates, skipping any that would tell the leading
    sites apart the same way as one already chosen (five needle muscles of one nerve answer
    one question; the reader needs the next question)."""
    pool = ranked.tolist()
    if len(weights) >= _DOT_IN_ORDER:
        chosen: list[int] = []
        for c in pool:
            column = P[:, c]
            if all(weights @ np.abs(column - P[:, o]) >= SAME_QUESTION for o in chosen):
                chosen.append(c)
                if len(chosen) == n:
                    break
        return np.array(chosen, dtype=np.intp)
    # The weighted distance of two candidates is ``weights @ np.abs(column - P[:, o])`` with
    # the products added one by one, in order, from 0.0.  That is numpy's own dot loop and
    # OpenBLAS's ddot below its 16-wide kernel on most CPUs; on some (an AVX-512 machine,
    # 2026-11-29) OpenBLAS adds even short vectors in several lanes and its last bit differs,
    # so the in-order sum is the definition here: the same numbers on every machine
    # (tests/test_speed_equivalence.py).  So each candidate picked is set against every
    # candidate at once: the products are the same elementwise IEEE operations, and
    # np.add.accumulate down the leading sites is a running sum by definition (each step adds
    # the next product to the sum so far, never pairwise), so its last row holds the same
    # numbers (its first step is the first product, which is what 0.0 plus it gives: the
    # products are never negative).  A candidate is picked when no candidate picked before it
    # asks the same question
    if not len(pool):
        return np.array(pool, dtype=np.intp)
    columns = P.take(ranked, axis=1)  # (K, pool)
    scale = weights[:, None]
    open_ = np.ones(len(pool), dtype=bool)
    picked: list[int] = []
    c = 0
    while True:
        picked.append(pool[c])
        if len(picked) == n:
            break
        terms = np.abs(columns - columns[:, c : c + 1])
        terms *= scale
        open_ &= np.add.accumulate(terms, axis=0)[-1] >= SAME_QUESTION
        later = np.flatnonzero(open_[c + 1 :])
        if not len(later):
            break
        c += 1 + int(later[0])
    return np.array(picked, dtype=np.intp)


def next_best_findings(
    model: LikelihoodModel, scored: Scored, groups: list[SiteGroup], k: int = 8, n: int = 5
) -> list[NextFinding]:
    """Unobserved findings ranked by expected information gain between the leading hypotheses."""
    leaders = [g.members[0] for g in groups[:k]]
    weights = np.array([groups[i].probability for i in range(len(leaders))])
    total = weights.sum()
    if len(leaders) < 2 or total <= 0:
        return []
    weights = weights / total
    open_ = model.examinable.copy()
    index = model.finding_index
    open_[[index[o.base_key] for o in scored.observations]] = False
    candidates = np.flatnonzero(open_)
    if not len(candidates):
        return []
    rows = np.array(leaders, dtype=np.intp)[:, None]
    P = model.p_abnormal[rows, candidates]  # (K, C)
    H = _finding_entropy(model)[rows, candidates]
    _other_leg_as_unaffected(model, scored.symptomatic_side, leaders, candidates, P, H)
    marginal = weights @ P
    gain = _entropy(marginal) - weights @ H
    order = _diverse(np.argsort(-gain)[: n * DIVERSITY_POOL], P, weights, n)
    # the few findings shown, as plain numbers: their gains, columns and finding indices
    gains = gain[order].tolist()
    columns = P[:, order].T.tolist()
    findings = candidates[order].tolist()
    out = []
    labels = [model.labels[h] for h in leaders]
    for g, col, f in zip(gains, columns, findings, strict=True):
        if g <= 0.01:
            break
        hi, lo = col.index(max(col)), col.index(min(col))  # the first, as numpy's argmax and argmin
        spec = model.findings[f]
        what = finding_name(model.kb, spec)
        gloss = model.gloss[f]
        why = (
            f"{what}{f' ({gloss})' if gloss else ''}: abnormal in about {col[hi]:.0%} with a {labels[hi]}, "
            f"in about {col[lo]:.0%} with a {labels[lo]}; it separates them"
        )
        out.append(_NEXT_FINDING({"finding": spec.key, "why": why, "expected_information_gain": round(g, 3)}))
    return out

"""Finding-by-finding explanation of a ranked site, and the next findings worth examining.

Each observed finding gets a weight: its log-likelihood under the site's best hypothesis
minus its log-likelihood under the competing hypotheses (posterior-weighted).  Positive
weights support the site, negative ones argue against it.  Each step carries a message key
and the rendered text, so every view shows the same trace.
"""

from __future__ import annotations

import numpy as np

from plexnav.case import ExplanationStep, NextFinding
from plexnav.engine.localize import Scored, SiteGroup
from plexnav.engine.model import LikelihoodModel
from plexnav.engine.wording import finding_phrase, hypothesis_label, target_gloss

MIN_WEIGHT = 0.15  # nats: smaller contributions are not worth a line
INVOLVED = 0.3


def _competitor_weights(model: LikelihoodModel, scored: Scored, exclude: set[int], k: int = 12) -> tuple[np.ndarray, np.ndarray]:
    order = [i for i in np.argsort(-scored.posterior) if i not in exclude][:k]
    idx = np.array(order, dtype=np.intp)
    w = scored.posterior[idx]
    w = w / w.sum() if w.sum() > 0 else np.full(len(idx), 1 / len(idx))
    # half posterior, half even: the explanation also answers the less likely rivals a
    # clinician would name (e.g. why not a common peroneal lesion)
    return idx, 0.5 * w + 0.5 / len(idx)


def _spared_reason(model: LikelihoodModel, h: int, spec) -> str:
    kb = model.kb
    hyp = model.hypotheses[h]
    nodes = [n for side in hyp.lesion.values() for n in side]
    if hyp.pattern == "length_dependent":
        return " (a length-dependent process spares proximal structures)"
    if spec.target == "study" and kb.studies[spec.target_id].fibres == "sensory" and nodes and all(kb.is_preganglionic(n) for n in nodes):
        return " (the lesion lies proximal to the dorsal root ganglion, so the sensory response is preserved)"
    if not nodes:
        return ""
    if spec.target in ("muscle", "movement", "reflex", "study", "skin"):
        record = {"muscle": kb.muscles, "reflex": kb.reflexes, "study": kb.studies, "skin": kb.skin}.get(spec.target)
        if spec.target == "movement":
            mov = kb.movements[spec.target_id]
            record, key = kb.muscles, max(mov.muscles, key=mov.muscles.get)
        else:
            key = spec.target_id
        comps = record[key].supply()
        for comp in comps:
            if any(comp.nerve in kb.upstream(n) and comp.nerve != n for n in nodes):
                return f" (its branch leaves the {kb.nerve_name(comp.nerve)} above the lesion)"
        if all(kb.is_preganglionic(n) for n in nodes):
            levels = sorted({n.split(':')[1] for n in nodes})
            return f" (it is not supplied mainly by {'/'.join(levels)})"
    return ""


def explain_group(model: LikelihoodModel, scored: Scored, group: SiteGroup, limit: int = 8) -> list[ExplanationStep]:
    """The strongest supporting and opposing findings of a site, best first (at most ``limit`` each)."""
    h = group.members[0]
    rivals, weights = _competitor_weights(model, scored, set(group.members))
    if len(rivals) == 0 or len(scored.columns) == 0:
        return []
    cols = scored.columns
    rival_ll = model.log_lik[np.ix_(rivals, cols)]                     # (R, n)
    other = np.log(weights @ np.exp(rival_ll))
    contribution = (model.log_lik[h, cols] - other) / model.temperature
    order = np.argsort(-np.abs(contribution), kind="stable")
    kept, n_pos, n_neg = [], 0, 0
    for j in order:
        w = contribution[j]
        if abs(w) < MIN_WEIGHT:
            break
        if (w > 0 and n_pos >= limit) or (w < 0 and n_neg >= limit):
            continue
        n_pos += w > 0
        n_neg += w < 0
        kept.append(j)
    label = hypothesis_label(model.hypotheses[h])
    return [_step(model, h, label, scored.observations[j], int(cols[j]), float(contribution[j]),
                  rivals[int(np.argmax(rival_ll[:, j]))]) for j in kept]


def _step(model: LikelihoodModel, h: int, label: str, obs, col: int, weight: float, best_rival: int) -> ExplanationStep:
    kb = model.kb
    f = model.finding_index[obs.key]
    spec = model.findings[f]
    involved = model.lmn[h, f] >= INVOLVED
    normal = obs.state in ("normal", "absent", "flexor")
    phrase = finding_phrase(kb, spec, obs.state, obs.value)
    gloss = target_gloss(kb, spec.target, spec.target_id)
    what = f"{phrase} ({gloss})" if gloss else phrase
    rival = hypothesis_label(model.hypotheses[int(best_rival)])
    if not normal and weight > 0:
        key, text = "fits", f"{what} fits a {label}"
    elif not normal and involved:
        key, text = "fits_less_well", f"{what} occurs with a {label} but is more typical of a {rival}"
    elif not normal:
        key, text = "unexplained", f"{what} is not explained by a {label}{_spared_reason(model, h, spec)}"
    elif weight > 0:
        key, text = "spared_as_expected", f"{what}: spared by a {label}{_spared_reason(model, h, spec)}, unlike the alternatives"
    elif involved:
        key, text = "expected_abnormal", f"{what} argues against a {label}, which would usually affect it"
    else:
        key, text = "spared_less_typical", f"{what} is spared by a {label} but fits a {rival} better"
    return ExplanationStep(finding=obs.key.split("@")[0], key=key, weight=round(weight, 3), text=text)


def split_explanation(steps: list[ExplanationStep], limit: int = 8) -> tuple[list[str], list[str]]:
    supporting = [s.text for s in steps if s.weight > 0][:limit]
    against = [s.text for s in steps if s.weight < 0][:limit]
    return supporting, against


def _entropy(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return -(q * np.log2(q) + (1 - q) * np.log2(1 - q))


def next_best_findings(model: LikelihoodModel, scored: Scored, groups: list[SiteGroup], k: int = 8, n: int = 5) -> list[NextFinding]:
    """Unobserved findings ranked by expected information gain between the leading hypotheses."""
    leaders = [g.members[0] for g in groups[:k]]
    weights = np.array([groups[i].probability for i in range(len(leaders))])
    if len(leaders) < 2 or weights.sum() <= 0:
        return []
    weights = weights / weights.sum()
    observed = {o.base_key for o in scored.observations}
    candidates = [i for i, spec in enumerate(model.findings)
                  if spec.kind != "presence" and spec.base_key is None and spec.key not in observed
                  and spec.target not in ("complaint",) and not spec.key.startswith("sign:conduction_block")]
    if not candidates:
        return []
    P = model.p_abnormal[np.ix_(leaders, candidates)]  # (K, C)
    marginal = weights @ P
    gain = _entropy(marginal) - weights @ _entropy(P)
    order = np.argsort(-gain)[:n]
    out = []
    labels = [hypothesis_label(model.hypotheses[h]) for h in leaders]
    for j in order:
        if gain[j] <= 0.01:
            break
        col = P[:, j]
        hi, lo = int(np.argmax(col)), int(np.argmin(col))
        spec = model.findings[candidates[j]]
        what = spec.key.replace(":", " ").replace("_", " ")
        gloss = target_gloss(model.kb, spec.target, spec.target_id)
        why = (f"{what}{f' ({gloss})' if gloss else ''}: abnormal in about {col[hi]:.0%} with a {labels[hi]}, "
               f"in about {col[lo]:.0%} with a {labels[lo]}; it separates them")
        out.append(NextFinding(finding=spec.key, why=why, expected_information_gain=round(float(gain[j]), 3)))
    return out

"""The whole assessment of one case: a pure function of the case and the knowledge.

No I/O, no globals mutated: the knowledge base and likelihood model are immutable and
built once per knowledge version.  CLI, API, web and reports all call :func:`assess`.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from plexnav import vocabulary as V
from plexnav.case import Assessment, BackgroundEntry, Case, LocalizationEntry, NextFinding
from plexnav.engine.advise import advise
from plexnav.engine.explain import (
    BACKGROUND_GAIN,
    explain_group,
    history_risks,
    next_best_findings,
    split_explanation,
)
from plexnav.engine.localize import (
    FORMS_SITE,
    NO_LESION,
    PLAIN_LOOK_ALIKE,
    LookAlikes,
    Scored,
    SiteGroup,
    cause_forms,
    group_sites,
    leading_look_alike,
    look_alike_shares,
    look_alikes,
    score_case,
    score_cases,
)
from plexnav.engine.memo import memo_store, once_per_object
from plexnav.engine.model import LikelihoodModel, get_model
from plexnav.engine.records import builder
from plexnav.engine.wording import entry_detail, finding_phrase, hypothesis_label
from plexnav.knowledge.guidance import GuidanceKnowledge, load_guidance_knowledge

DISCLAIMER = (
    "plexnav supports clinical judgement; it never replaces it. These results are a "
    "structured second look at the findings entered, not a diagnosis: a clinician who "
    "examines you decides what they mean and what to do."
)
TOP_SITES = 8
_LOCALIZATION_ENTRY = builder(LocalizationEntry)
_BACKGROUND_ENTRY = builder(BackgroundEntry)
_ASSESSMENT = builder(Assessment)
EXPLAINED_SITES = 3


def _floor4(p: float) -> float:
    """Four decimals, rounded down, so the listed probabilities never sum past 1."""
    return math.floor(p * 10_000) / 10_000


BACKGROUND_SHOWN = 0.5  # report a background process when it is likelier than not beside the leader
BACKGROUND_REASONS = 3


# each kind of background twin (hypotheses.py): the site it is reported as, and the words
# that say what it is where the site alone says too little
BACKGROUND_KINDS = {
    "polyneuropathy": ("polyneuropathy", None),
    "central": ("spinal_cord", "an old upper motor neuron lesion (in the brain or the spinal cord)"),
}


def background(model: LikelihoodModel, scored: Scored, leader: SiteGroup) -> list[BackgroundEntry]:
    """A background process held beside the leading focal site (a length-dependent
    polyneuropathy, an old upper motor neuron lesion): its probability given that site, and
    the findings it explains that the focal lesion alone does not."""
    if leader.site == "polyneuropathy":
        return []
    kinds = _twin_kinds(model)
    present = {kinds[i] for i in leader.members} - {None}
    if not present:  # no member carries a background: nothing to weigh
        return []
    members = np.array(leader.members)
    mass = scored.posterior[members]
    if mass.sum() <= 0:
        return []
    out = []
    for kind in BACKGROUND_KINDS:
        if kind not in present:
            continue
        twins = np.array([kinds[i] == kind for i in leader.members])
        share = float(mass[twins].sum() / mass.sum())
        if share >= BACKGROUND_SHOWN:
            out.append(_background_entry(model, scored, int(members[twins][np.argmax(mass[twins])]), kind, share))
    return out


def _background_entry(model: LikelihoodModel, scored: Scored, twin: int, kind: str, share: float) -> BackgroundEntry:
    """The entry for one background: the findings its twin explains better than the focal
    lesion alone, a finding alike on both legs said once."""
    focal = int(model.focal_of[twin])
    reasons: list[str] = []
    if len(scored.columns):
        gain = model.log_lik[twin, scored.columns] - model.log_lik[focal, scored.columns]
        # a finding alike on both legs is one reason ("the left and right feet"), as the
        # explanations write it, so both sides do not take two of the few places
        sided: dict[tuple[str, str, str], tuple[int, str]] = {}
        for j in np.argsort(-gain, kind="stable").tolist():
            if gain[j] <= BACKGROUND_GAIN:
                break
            obs = scored.observations[j]
            base, _, side = obs.base_key.rpartition(":")
            pair = sided.get((base, obs.state, obs.value))
            if pair is not None and side in V.LATERAL_SIDES and pair[1] != side:
                reasons[pair[0]] = reasons[pair[0]].replace(f"{pair[1]} ", "left and right ", 1)
                del sided[(base, obs.state, obs.value)]
                continue
            if len(reasons) == BACKGROUND_REASONS:
                continue  # full: later findings may still join a listed one's other side
            if side in V.LATERAL_SIDES:
                sided[(base, obs.state, obs.value)] = (len(reasons), side)
            spec = model.findings[model.finding_index[obs.key]]
            reasons.append(finding_phrase(model.kb, spec, obs.state, obs.value))
    # named, as a look-alike (a torn tendon) is no focal lesion
    alone = hypothesis_label(model.hypotheses[focal])
    why = ("It explains " + "; ".join(reasons) + f", which a {alone} alone does not.") if reasons else ""
    site, detail = BACKGROUND_KINDS[kind]
    return _BACKGROUND_ENTRY(
        {"site": site, "side": "bilateral", "probability": _floor4(share), "why": why, "detail": detail}
    )


_TWINS = memo_store("assess.twins")


def _twin_kinds(model: LikelihoodModel) -> list[str | None]:
    """Per hypothesis: the background it carries (hypotheses.py), None for none."""
    kinds: list[str | None] = once_per_object(_TWINS, model, lambda: [h.background for h in model.hypotheses])
    return kinds


def _look_alikes(model: LikelihoodModel, scored: Scored) -> dict[str, float]:
    """Each look-alike's share of "no nerve lesion" (the causes are weighed at each)."""
    return _shares(look_alikes(model), scored)


def _shares(layout: LookAlikes, scored: Scored) -> dict[str, float]:
    shares = look_alike_shares(layout, scored.posterior[layout.members][None, :])[0].tolist()
    return dict(zip(layout.keys, shares, strict=True))


def _shown(model: LikelihoodModel, groups: list[SiteGroup], alikes: dict[str, float] | None) -> list[SiteGroup]:
    """The groups as the explanations present them, as a site or as a rival: "no nerve lesion"
    is explained as a named look-alike (hip joint, trochanteric pain...) only when
    localize.leading_look_alike reads it so (half of it, or a clear lead); otherwise as no
    nerve lesion plainly (numbness of the foot, the look-alikes about even, is not "hip joint
    disease").  The probabilities, and
    the leading hypothesis each entry names for the guidance, are the groups' either way."""
    if alikes is None or leading_look_alike(alikes) not in (None, PLAIN_LOOK_ALIKE):
        return groups
    out = []
    for group in groups:
        if group.site == NO_LESION and model.hypotheses[group.members[0]].mimic is not None:
            plain = next((i for i in group.members if model.hypotheses[i].mimic is None), None)
            if plain is not None:
                group = replace(group, members=(plain, *(i for i in group.members if i != plain)))
        out.append(group)
    return out


def localize(
    case: Case, model: LikelihoodModel, scored: Scored | None = None
) -> tuple[list[LocalizationEntry], list[NextFinding]]:
    """Ranked sites with explanations, and the next best findings."""
    entries, next_findings, _ = localize_with_background(case, model, scored)
    return entries, next_findings


def localize_with_background(
    case: Case, model: LikelihoodModel, scored: Scored | None = None
) -> tuple[list[LocalizationEntry], list[NextFinding], list[BackgroundEntry]]:
    """Ranked sites with explanations, the next best findings, and any background process."""
    scored = scored or score_case(model, case)
    groups = group_sites(model, scored, limit=max(TOP_SITES, 8))
    history = history_risks(model, case.history.factors, case.patient.age)
    entries: list[LocalizationEntry] = []
    alikes = _look_alikes(model, scored) if any(g.site == NO_LESION for g in groups[:TOP_SITES]) else None
    form_layout = cause_forms(model)
    forms = (
        _shares(form_layout, scored)
        if form_layout.group >= 0 and any(g.site == FORMS_SITE for g in groups[:TOP_SITES])
        else None
    )
    shown_groups = _shown(model, groups, alikes)  # every explanation, as a site or as a rival
    for rank, (group, shown) in enumerate(zip(groups[:TOP_SITES], shown_groups, strict=False)):
        steps = explain_group(model, scored, shown, shown_groups, history=history) if rank < EXPLAINED_SITES else []
        supporting, against = split_explanation(steps)
        best = model.hypotheses[group.members[0]]  # the engine's leading hypothesis (the guidance reads it)
        # the ids come from the knowledge base's validated hypothesis records (site V.Site,
        # side V.Side or the case's symptomatic side, levels V.RootLevel), and the pydantic
        # model checks them again here
        entries.append(
            _LOCALIZATION_ENTRY(
                {
                    "site": group.site,
                    "side": group.side,
                    "probability": _floor4(group.probability),
                    "supporting": supporting,
                    "against": against,
                    "levels": list(group.levels) if group.levels else None,
                    "detail": entry_detail(model.hypotheses[shown.members[0]]),
                    "hypothesis": best.id,
                    "explanation": steps,
                    "look_alikes": alikes if group.site == NO_LESION else None,
                    "forms": forms if group.site == FORMS_SITE else None,
                }
            )
        )
    return entries, next_best_findings(model, scored, groups), background(model, scored, groups[0])


def assess(
    case: Case,
    model: LikelihoodModel | None = None,
    guidance: GuidanceKnowledge | None = None,
    scored: Scored | None = None,
) -> Assessment:
    model = model or get_model()
    guidance = guidance or load_guidance_knowledge()
    localization, next_findings, behind = localize_with_background(case, model, scored)
    advice = advise(case, localization, guidance, background=behind, more_to_examine=bool(next_findings))
    return _ASSESSMENT(
        {
            "case_id": case.id,
            "knowledge_version": model.kb.version_label,
            "localization": localization,
            "background": behind,
            "next_best_findings": next_findings,
            "disclaimer": DISCLAIMER,
            **advice,
        }
    )


def assess_many(
    cases: list[Case], model: LikelihoodModel | None = None, guidance: GuidanceKnowledge | None = None
) -> list[Assessment]:
    """Assess a chunk of cases, scoring their localization in one vectorised step."""
    model = model or get_model()
    guidance = guidance or load_guidance_knowledge()
    return [
        assess(case, model, guidance, scored) for case, scored in zip(cases, score_cases(model, cases), strict=True)
    ]

"""The precomputed likelihood model: hypothesis x (finding, state) log-probabilities.

Built once per knowledge version (cached), then every case is scored by summing columns:
that is what makes single cases sub-millisecond and batches vectorised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from plexnav import vocabulary as V
from plexnav.engine.catalogue import (
    AGE_STATES,
    PAIR_CORRECTIONS,
    FindingSpec,
    age_pairs,
    build_catalogue,
    involvement,
    state_probabilities,
)
from plexnav.engine.hypotheses import Hypothesis, build_hypotheses, focal_id
from plexnav.engine.predict import Memo
from plexnav.engine.wording import hypothesis_label, target_gloss
from plexnav.knowledge.age import age_applies
from plexnav.knowledge.base import KnowledgeBase, load_knowledge


@dataclass(frozen=True)
class LikelihoodModel:
    kb: KnowledgeBase
    hypotheses: tuple[Hypothesis, ...]
    findings: tuple[FindingSpec, ...]
    column: Mapping[tuple[str, str], int]  # (finding key, state) -> column
    finding_index: Mapping[str, int]  # finding key -> row in findings / p_abnormal
    log_prior: np.ndarray  # (H,)
    log_lik: np.ndarray  # (H, J)
    p_abnormal: np.ndarray  # (H, F): P(finding not in its normal state)
    lmn: np.ndarray  # (H, F): predicted involvement (for explanations)
    inv_lmn: np.ndarray  # (H, F): lower motor neuron / sensory involvement
    inv_umn: np.ndarray  # (H, F): upper motor neuron involvement
    log_lik_t: np.ndarray  # (J, H) float32 transpose for batch matrix products
    temperature: float
    site_sharpness: float  # exponent on the summed site probabilities (calibration)
    group_keys: tuple[tuple[str, str], ...]  # distinct (site, side) of the output
    group_index: np.ndarray  # (H,) hypothesis -> group
    group_members: tuple[np.ndarray, ...]  # group -> hypothesis indices
    age_variants: Mapping[str, int]  # base finding key -> age from which its variant applies
    site_members: Mapping[str, tuple[int, ...]]  # site id -> its hypotheses
    examinable: np.ndarray  # findings a clinician can still go and examine
    gloss: tuple[str, ...]  # per finding: the anatomy it tests, in words
    background_twin: np.ndarray  # (H,) hypothesis carries a background polyneuropathy
    background_focal: np.ndarray  # (H,) focal hypothesis that has such a twin
    polyneuropathy_alone: np.ndarray  # (H,) the stand-alone polyneuropathy hypothesis
    site_risk: Mapping[str, np.ndarray]  # history feature -> (H,) log odds ratio on the prior
    focal_of: np.ndarray  # (H,) a twin's focal hypothesis (itself for the others)
    labels: tuple[str, ...]  # per hypothesis: its name in explanations

    def prior_shift(self, features: frozenset[str], age: int | None) -> np.ndarray:
        """(H,) change of log prior for this patient: a background polyneuropathy (and a
        stand-alone one) is likelier with diabetes, alcohol, neurotoxic chemotherapy, B12
        deficiency and age, rarer in the young (likelihood.yaml: background_polyneuropathy),
        and the history factors' site risks are added, in the order of their names (the same
        bits whatever order a set of factors iterates in)."""
        shift = self.background_shift(features, age)
        for feature in sorted(features):
            risk = self.site_risk.get(feature)
            if risk is not None:
                shift += risk
        return shift

    def background_shift(self, features: frozenset[str], age: int | None) -> np.ndarray:
        """(H,) the background polyneuropathy's part of :meth:`prior_shift`."""
        spec = self.kb.parameters["background_polyneuropathy"]
        q = spec["base"]
        odds = q / (1 - q)
        for key, ratio in spec["odds_ratio"].items():
            if key in features or age_applies(key, age):
                odds *= ratio
        p = odds / (1 + odds)
        shift = np.zeros(len(self.hypotheses))
        shift[self.background_twin | self.polyneuropathy_alone] = np.log(p / q)
        shift[self.background_focal] = np.log((1 - p) / (1 - q))
        return shift

    def posterior(self, columns: np.ndarray | Sequence[int], shift: np.ndarray | None = None) -> np.ndarray:
        """Posterior over hypotheses for one case given its observed columns."""
        score = self.log_prior + self.log_lik[:, columns].sum(axis=1) / self.temperature
        if shift is not None:
            score = score + shift
        score -= score.max()
        p = np.exp(score)
        posterior: np.ndarray = p / p.sum()
        return posterior


TABLES = ("log_lik", "p_abnormal", "inv_lmn", "inv_umn")
# the modules whose code shapes the tables (these four and every plexnav module they import,
# checked by tests/test_modelcache.py): a stored copy is valid only for the same code
TABLE_CODE = (
    "plexnav.engine.catalogue",
    "plexnav.engine.predict",
    "plexnav.engine.hypotheses",
    "plexnav.engine.model",
    "plexnav.engine.imaging",
    "plexnav.engine.memo",
    "plexnav.engine.wording",
    "plexnav.knowledge.forward",
    "plexnav.knowledge.age",
    "plexnav.knowledge.base",
    "plexnav.knowledge.files",
    "plexnav.knowledge.records",
    "plexnav.case",
    "plexnav.vocabulary",
)


def fingerprint(kb: KnowledgeBase) -> str:
    """Identity of the precomputed tables: the knowledge content and the engine code."""
    import hashlib
    from importlib import resources

    digest = hashlib.sha256(kb.content_hash.encode())
    for module in TABLE_CODE:
        package, _, name = module.rpartition(".")
        digest.update((resources.files(package) / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def compute_tables(
    kb: KnowledgeBase,
    hypotheses: Sequence[Hypothesis],
    findings: Sequence[FindingSpec],
    column: Mapping[tuple[str, str], int],
) -> dict[str, np.ndarray]:
    """The expensive part: every hypothesis's prediction for every finding state."""
    H, F, J = len(hypotheses), len(findings), len(column)
    log_lik = np.zeros((H, J))
    p_abn = np.zeros((H, F))
    inv_lmn = np.zeros((H, F))
    inv_umn = np.zeros((H, F))
    memo: Memo = {}
    for h, hyp in enumerate(hypotheses):
        for f, spec in enumerate(findings):
            if spec.target in PAIR_CORRECTIONS:
                continue  # filled in below from the pair's own findings
            a, b = involvement(kb, spec, hyp, memo)
            probs = state_probabilities(kb, spec, a, b)
            start = column[(spec.key, spec.states[0])]
            log_lik[h, start : start + len(probs)] = np.log(np.clip(probs, 1e-6, 1.0))
            p_abn[h, f] = probs[0] if spec.kind == "presence" else 1 - probs[0]
            inv_lmn[h, f], inv_umn[h, f] = a, b
    _fill_asymmetry(kb, hypotheses, findings, column, log_lik, p_abn)
    _fill_age_pairs(kb, findings, column, log_lik)
    # imaging is a separate modality: its evidence is not tempered like the examination's
    # findings, which share causes (likelihood.yaml: untempered_families)
    untempered = set(kb.parameters["untempered_families"])
    cols = [column[(spec.key, state)] for spec in findings if spec.family in untempered for state in spec.states]
    log_lik[:, cols] *= float(kb.parameters["temperature"])
    return {"log_lik": log_lik, "p_abnormal": p_abn, "inv_lmn": inv_lmn, "inv_umn": inv_umn}


def _fill_asymmetry(
    kb: KnowledgeBase,
    hypotheses: Sequence[Hypothesis],
    findings: Sequence[FindingSpec],
    column: Mapping[tuple[str, str], int],
    log_lik: np.ndarray,
    p_abn: np.ndarray,
) -> None:
    """The columns of the side-to-side comparison (likelihood.yaml side_correlation).

    Why: a pair that differs, worse on one side, is scored as two independent findings,
    while a symmetric process moves both sides together.  Modelled as a mixture: with
    chance ``c`` the polyneuropathy's damage is one draw shared by both sides, else two
    independent draws; chance findings (the family's false-positive rate) and a focal
    lesion stay one-sided.  Each column holds the log ratio of the pair's chance under that
    mixture to its chance under independence, for the polyneuropathy alone and the
    polyneuropathy part of each twin: near 0 when the polyneuropathy hardly reaches the
    finding (a difference there is chance) or the focal lesion explains the worse side,
    ``log(1 - c)`` for the polyneuropathy alone where it usually reaches it.  Hypotheses
    with no symmetric process get 0."""
    spec_of = kb.parameters["side_correlation"]
    index = {h.id: i for i, h in enumerate(hypotheses)}
    # the symmetric (patterned) polyneuropathies; a multifocal one is asymmetric by nature
    # (and an asymmetric length-dependent one is built uneven)
    alone = [i for i, h in enumerate(hypotheses) if h.site == "polyneuropathy" and h.symmetric_pattern]
    twins = [(i, index[focal_id(h.id)]) for i, h in enumerate(hypotheses) if h.background == "polyneuropathy"]
    finding_index = {spec.key: f for f, spec in enumerate(findings)}
    for spec in findings:
        if spec.target != "asymmetry":
            continue
        kind = spec.key.split(":", 2)[1]
        c = float(spec_of[kind])
        other = V.other_side(spec.side)
        worse, better = finding_index[f"{spec.target_id}:{spec.side}"], finding_index[f"{spec.target_id}:{other}"]
        fp = kb.families[findings[worse].family].fp
        col = column[(spec.key, "present")]
        p = float(p_abn[alone[0], worse])  # the polyneuropathy's chance of an abnormal finding
        disease = _beyond_chance(p, fp)  # ... of it being the polyneuropathy's damage
        for h, focal in [(h, None) for h in alone] + twins:
            own = 0.0 if focal is None else _beyond_chance(float(p_abn[focal, worse]), fp)
            if kind == "graded":
                # both sides abnormal, one worse: the shared draw makes equal grades unless the
                # focal lesion adds to the worse side
                ratio = 1 - c * disease * (1 - own)
            else:
                spare = 0.0 if focal is None else _beyond_chance(float(p_abn[focal, better]), fp)
                p_worse = 1 - (1 - own) * (1 - p)
                p_better = 1 - (1 - spare) * (1 - p)
                independent = p_worse * (1 - p_better)
                shared = (1 - spare) * (1 - disease) * (1 - fp) * (1 - (1 - own) * (1 - fp))
                ratio = (1 - c) + c * shared / independent if independent > 0 else 1.0
            log_lik[h, col] = np.log(max(ratio, 1e-6))


def _fill_age_pairs(
    kb: KnowledgeBase, findings: Sequence[FindingSpec], column: Mapping[tuple[str, str], int], log_lik: np.ndarray
) -> None:
    """The columns of an age-adjusted finding recorded on both sides (likelihood.yaml age_pair).

    Why: past the age, each side's finding is scored with the age's false-positive rate ``a``
    as if the sides were independent, but age takes both sides together: two abnormal sides
    are far likelier by chance than ``a`` squared, one abnormal beside a normal one far less
    likely than ``a``.  Modelled as a shared trait: age makes a side abnormal with chance
    ``a`` and, when it does, the other side too with chance ``q`` (``both_sides``); a lesion
    adds its own damage to each side independently (beyond chance, from the side's own
    column).  Age's state is the abnormal one its variant is about (a low reflex, an abnormal
    study); the other side of a one-sided pair must be normal.  Each column holds the log
    ratio of the pair's chance under that model to the product of the two sides' chances:
    for a hypothesis that explains neither side log(q / a) when both are abnormal and
    log((1 - q) / (1 - a)) when one is, near 0 for one that explains the abnormal sides."""
    q = float(kb.parameters["age_pair"]["both_sides"])
    min_ages = age_pairs(kb)
    finding_index = {spec.key: f for f, spec in enumerate(findings)}
    for spec in findings:
        if spec.target != "age_pair":
            continue
        min_age = min_ages[spec.target_id]
        left, right = (findings[finding_index[f"{spec.target_id}:{side}@{min_age}"]] for side in ("left", "right"))
        a = left.fp_override
        assert a is not None  # an age-adjusted variant
        abnormal = next(state for state in left.states if state in AGE_STATES)  # as observe reads it
        if spec.side == "midline":  # both abnormal
            observed = {"left": abnormal, "right": abnormal}
        else:  # one abnormal (spec.side), the other normal
            observed = {spec.side: abnormal, V.other_side(spec.side): "normal"}
        # each side's chance of its observed state as scored, and when age has not taken it
        # (the lesion's own damage, or the chance of a normal finding)
        scored = [np.exp(log_lik[:, column[(v.key, observed[side])]]) for v, side in ((left, "left"), (right, "right"))]
        spared = [
            np.clip((p - a) / (1 - a), 0.0, 1.0) if observed[side] == abnormal else p / (1 - a)
            for p, side in zip(scored, ("left", "right"), strict=True)
        ]
        taken = [1.0 if observed[side] == abnormal else 0.0 for side in ("left", "right")]
        # age takes both sides (a q), the left or the right alone (a (1 - q) each), or neither
        joint = (
            a * q * taken[0] * taken[1]
            + a * (1 - q) * (taken[0] * spared[1] + spared[0] * taken[1])
            + (1 - 2 * a + a * q) * spared[0] * spared[1]
        )
        alone = scored[0] * scored[1]
        log_lik[:, column[(spec.key, "present")]] = np.log(np.clip(joint / np.maximum(alone, 1e-12), 1e-6, None))


def _beyond_chance(p: float, fp: float) -> float:
    """The share of a chance ``p`` of an abnormal finding that is damage, not the chance
    finding (false-positive rate ``fp``) every hypothesis shares."""
    return max(0.0, (p - fp) / (1 - fp))


def build_model(kb: KnowledgeBase, tables: dict[str, np.ndarray] | None = None) -> LikelihoodModel:
    """Assemble the model; ``tables`` may come from a stored copy made by :func:`compute_tables`."""
    hypotheses = build_hypotheses(kb)
    findings = build_catalogue(kb)
    column: dict[tuple[str, str], int] = {}
    for spec in findings:
        for state in spec.states:
            column[(spec.key, state)] = len(column)
    expected = {
        "log_lik": (len(hypotheses), len(column)),
        "p_abnormal": (len(hypotheses), len(findings)),
        "inv_lmn": (len(hypotheses), len(findings)),
        "inv_umn": (len(hypotheses), len(findings)),
    }
    if tables is None or any(tables.get(k) is None or tables[k].shape != shape for k, shape in expected.items()):
        tables = compute_tables(kb, hypotheses, findings, column)
    log_lik, p_abn = np.array(tables["log_lik"]), np.array(tables["p_abnormal"])
    inv_lmn, inv_umn = np.array(tables["inv_lmn"]), np.array(tables["inv_umn"])
    lmn = np.maximum(inv_lmn, inv_umn)
    log_prior = np.log(np.array([h.prior for h in hypotheses]))
    for arr in (log_lik, p_abn, lmn, inv_lmn, inv_umn, log_prior):
        arr.setflags(write=False)
    # one output entry per site and side: neighbouring root ranges of a polyradiculopathy sum
    # into one entry that reports its best range (localize.group_sites)
    keys = [(h.site, h.side) for h in hypotheses]
    group_keys = tuple(dict.fromkeys(keys))
    lookup = {k: i for i, k in enumerate(group_keys)}
    group_index = np.array([lookup[k] for k in keys], dtype=np.intp)
    group_members = tuple(np.flatnonzero(group_index == g) for g in range(len(group_keys)))
    index = {h.id: i for i, h in enumerate(hypotheses)}
    focal_of = _frozen(np.array([index[focal_id(h.id)] for h in hypotheses], dtype=np.intp))
    background_twin = _frozen(np.array([h.background == "polyneuropathy" for h in hypotheses]))
    variants = {s.base_key: int(s.key.rsplit("@", 1)[1]) for s in findings if s.base_key}
    site_members: dict[str, list[int]] = {}
    for i, hyp in enumerate(hypotheses):
        site_members.setdefault(hyp.site, []).append(i)
    examinable = np.array(
        [
            spec.kind != "presence"
            and spec.base_key is None
            and spec.side != "either"  # a side-less record is read, never asked for
            and spec.target != "complaint"
            and not spec.key.startswith("sign:conduction_block")
            for spec in findings
        ]
    )
    return LikelihoodModel(
        kb=kb,
        hypotheses=hypotheses,
        findings=findings,
        column=MappingProxyType(column),
        finding_index=MappingProxyType({s.key: i for i, s in enumerate(findings)}),
        log_prior=log_prior,
        log_lik=log_lik,
        log_lik_t=np.ascontiguousarray(log_lik.T, dtype=np.float32),
        p_abnormal=p_abn,
        lmn=lmn,
        inv_lmn=inv_lmn,
        inv_umn=inv_umn,
        temperature=float(kb.parameters["temperature"]),
        site_sharpness=float(kb.parameters["site_sharpness"]),
        group_keys=group_keys,
        group_index=group_index,
        group_members=group_members,
        age_variants=MappingProxyType(variants),
        site_members=MappingProxyType({k: tuple(v) for k, v in site_members.items()}),
        examinable=examinable,
        background_twin=background_twin,
        background_focal=_frozen(np.isin(np.arange(len(hypotheses)), focal_of[background_twin])),
        polyneuropathy_alone=_frozen(np.array([h.site == "polyneuropathy" for h in hypotheses])),
        site_risk=MappingProxyType(_site_risk(kb, hypotheses)),
        focal_of=focal_of,
        labels=tuple(hypothesis_label(h) for h in hypotheses),
        gloss=tuple(target_gloss(kb, spec.target, spec.target_id) for spec in findings),
    )


def _site_risk(kb: KnowledgeBase, hypotheses: Sequence[Hypothesis]) -> dict[str, np.ndarray]:
    """Per history factor, the log odds ratio it puts on each hypothesis's prior."""
    out: dict[str, np.ndarray] = {}
    for feature, rule in kb.site_risk.items():
        sites, families, look_alikes = rule.sites, rule.families, rule.mimics
        ratio = np.array(
            [
                (look_alikes[h.mimic] if h.mimic in look_alikes else sites.get(h.site, families.get(h.family, 1.0)))
                * (rule.bilateral if h.side == "bilateral" and h.site in sites else 1.0)
                for h in hypotheses
            ],
            dtype=float,
        )
        out[feature] = _frozen(np.log(ratio))
    return out


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


@lru_cache(maxsize=4)
def _model_for(version_label: str) -> LikelihoodModel:
    return build_model(load_knowledge())


def get_model() -> LikelihoodModel:
    """The model for the installed knowledge base (built once, then reused)."""
    return _model_for(load_knowledge().version_label)

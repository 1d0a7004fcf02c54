"""The precomputed likelihood model: hypothesis x (finding, state) log-probabilities.

Built once per knowledge version (cached), then every case is scored by summing columns:
that is what makes single cases sub-millisecond and batches vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

import numpy as np

from plexnav.engine.catalogue import FindingSpec, build_catalogue, involvement, state_probabilities
from plexnav.engine.hypotheses import Hypothesis, build_hypotheses
from plexnav.knowledge.base import KnowledgeBase, load_knowledge


@dataclass(frozen=True)
class LikelihoodModel:
    kb: KnowledgeBase
    hypotheses: tuple[Hypothesis, ...]
    findings: tuple[FindingSpec, ...]
    column: Mapping[tuple[str, str], int]      # (finding key, state) -> column
    finding_index: Mapping[str, int]           # finding key -> row in findings / p_abnormal
    log_prior: np.ndarray                      # (H,)
    log_lik: np.ndarray                        # (H, J)
    p_abnormal: np.ndarray                     # (H, F): P(finding not in its normal state)
    lmn: np.ndarray                            # (H, F): predicted involvement (for explanations)
    inv_lmn: np.ndarray                        # (H, F): lower motor neuron / sensory involvement
    inv_umn: np.ndarray                        # (H, F): upper motor neuron involvement
    log_lik_t: np.ndarray                      # (J, H) float32 transpose for batch matrix products
    temperature: float
    group_keys: tuple[tuple, ...]              # distinct (site, side, levels) of the output
    group_index: np.ndarray                    # (H,) hypothesis -> group
    group_members: tuple[np.ndarray, ...]      # group -> hypothesis indices
    age_variants: Mapping[str, int]            # base finding key -> age from which its variant applies

    def posterior(self, columns) -> np.ndarray:
        """Posterior over hypotheses for one case given its observed columns."""
        score = self.log_prior + self.log_lik[:, columns].sum(axis=1) / self.temperature
        score -= score.max()
        p = np.exp(score)
        return p / p.sum()


def build_model(kb: KnowledgeBase) -> LikelihoodModel:
    hypotheses = build_hypotheses(kb)
    findings = build_catalogue(kb)
    column: dict[tuple[str, str], int] = {}
    for spec in findings:
        for state in spec.states:
            column[(spec.key, state)] = len(column)
    H, F, J = len(hypotheses), len(findings), len(column)
    log_lik = np.zeros((H, J))
    p_abn = np.zeros((H, F))
    lmn = np.zeros((H, F))
    inv_lmn = np.zeros((H, F))
    inv_umn = np.zeros((H, F))
    memo: dict = {}
    for h, hyp in enumerate(hypotheses):
        for f, spec in enumerate(findings):
            a, b = involvement(kb, spec, hyp, memo)
            probs = state_probabilities(kb, spec, a, b)
            start = column[(spec.key, spec.states[0])]
            log_lik[h, start:start + len(probs)] = np.log(np.clip(probs, 1e-6, 1.0))
            p_abn[h, f] = probs[0] if spec.kind == "presence" else 1 - probs[0]
            lmn[h, f] = max(a, b)
            inv_lmn[h, f], inv_umn[h, f] = a, b
    log_prior = np.log(np.array([h.prior for h in hypotheses]))
    for arr in (log_lik, p_abn, lmn, inv_lmn, inv_umn, log_prior):
        arr.setflags(write=False)
    keys = [(h.site, h.side, h.levels) for h in hypotheses]
    group_keys = tuple(dict.fromkeys(keys))
    lookup = {k: i for i, k in enumerate(group_keys)}
    group_index = np.array([lookup[k] for k in keys], dtype=np.intp)
    group_members = tuple(np.flatnonzero(group_index == g) for g in range(len(group_keys)))
    variants = {s.base_key: int(s.key.rsplit("@", 1)[1]) for s in findings if s.base_key}
    return LikelihoodModel(
        kb=kb, hypotheses=hypotheses, findings=findings,
        column=MappingProxyType(column),
        finding_index=MappingProxyType({s.key: i for i, s in enumerate(findings)}),
        log_prior=log_prior, log_lik=log_lik, log_lik_t=np.ascontiguousarray(log_lik.T, dtype=np.float32), p_abnormal=p_abn, lmn=lmn, inv_lmn=inv_lmn, inv_umn=inv_umn,
        temperature=float(kb.parameters["temperature"]),
        group_keys=group_keys, group_index=group_index, group_members=group_members,
        age_variants=MappingProxyType(variants),
    )


@lru_cache(maxsize=4)
def _model_for(version_label: str) -> LikelihoodModel:
    return build_model(load_knowledge())


def get_model() -> LikelihoodModel:
    """The model for the installed knowledge base (built once, then reused)."""
    return _model_for(load_knowledge().version_label)

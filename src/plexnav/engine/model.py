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
    temperature: float

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
    for h, hyp in enumerate(hypotheses):
        for f, spec in enumerate(findings):
            a, b = involvement(kb, spec, hyp)
            probs = state_probabilities(kb, spec, a, b)
            start = column[(spec.key, spec.states[0])]
            log_lik[h, start:start + len(probs)] = np.log(np.clip(probs, 1e-6, 1.0))
            p_abn[h, f] = probs[0] if spec.kind == "presence" else 1 - probs[0]
            lmn[h, f] = max(a, b)
            inv_lmn[h, f], inv_umn[h, f] = a, b
    log_prior = np.log(np.array([h.prior for h in hypotheses]))
    for arr in (log_lik, p_abn, lmn, inv_lmn, inv_umn, log_prior):
        arr.setflags(write=False)
    return LikelihoodModel(
        kb=kb, hypotheses=hypotheses, findings=findings,
        column=MappingProxyType(column),
        finding_index=MappingProxyType({s.key: i for i, s in enumerate(findings)}),
        log_prior=log_prior, log_lik=log_lik, p_abnormal=p_abn, lmn=lmn, inv_lmn=inv_lmn, inv_umn=inv_umn,
        temperature=float(kb.parameters["temperature"]),
    )


@lru_cache(maxsize=4)
def _model_for(version_label: str) -> LikelihoodModel:
    return build_model(load_knowledge())


def get_model() -> LikelihoodModel:
    """The model for the installed knowledge base (built once, then reused)."""
    return _model_for(load_knowledge().version_label)

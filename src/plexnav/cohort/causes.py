"""The leading cause of every case of a cohort, as ``plexnav assess`` ranks causes.

``engine.etiology.rank_causes`` scores each cause at each candidate site (log prior + log
P(site | cause) + the log likelihood ratio of each of its evidence items that holds, the
log of ``otherwise`` when an exposure the cause needs is missing), turns them into shares
per site, and mixes the sites by the localization's probabilities (the eight sites an
assessment lists, floored to four decimals, as it does), the probability they leave
spread over sites the symptoms suggest.  Here the same numbers come from the engine's own
compiled cause table (``CauseTable.site_row``) and the conditions are evaluated over
columns by the cohort scorer's fact columns (the ones its triage uses), so nothing of the
causes file is restated.  The cohort tests hold the result equal to ``plexnav assess``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from plexnav.engine.cohort_scoring import CohortInput, _Columns  # the triage's fact columns
from plexnav.engine.etiology import MIN_SITE_WEIGHT, cause_table, site_group
from plexnav.knowledge.guidance import GuidanceKnowledge

LISTED_SITES = 8  # engine.assess.TOP_SITES: the sites an assessment lists, which rank_causes mixes


@dataclass(frozen=True)
class LeadingCauses:
    cause: np.ndarray  # (n,) object: the leading cause of each case
    probability: np.ndarray  # (n,) float: its probability, rounded to 6 places as the assessment does


class CauseColumns:
    """The cause table in the shapes column scoring needs, built once per guidance."""

    def __init__(self, guidance: GuidanceKnowledge):
        self.guidance = guidance
        table = cause_table(guidance)
        self.table = table
        causes = table.causes
        # causes in name order: a tie in probability goes to the first name, as rank_causes sorts
        self.names = tuple(table.names)
        self.by_name = np.argsort(np.array(self.names, dtype=object), kind="stable")
        self.items = [item for name in self.names for item in causes[name].get("evidence", ())]
        self.owner = np.array(
            [c for c, name in enumerate(self.names) for _ in causes[name].get("evidence", ())], dtype=np.intp
        )
        self.needs = [
            (c, {"any": list(causes[name]["needs_any"])})
            for c, name in enumerate(self.names)
            if causes[name].get("needs_any")
        ]
        self.otherwise = np.array([math.log(causes[name].get("otherwise", 1.0)) for name in self.names])
        self.unlocalized = guidance.causes["unlocalized"]
        self._site_tables: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def site_tables(self, site: str) -> tuple[np.ndarray, np.ndarray]:
        """At one site: (C,) log prior + log P(site | cause), and (I, C) each evidence item's
        log LR in its cause's column."""
        found = self._site_tables.get(site)
        if found is None:
            base, item_logs = self.table.site_row(site, site_group(site, self.guidance))
            by_item = np.zeros((len(self.owner), len(self.names)))
            by_item[np.arange(len(self.owner)), self.owner] = item_logs
            found = self._site_tables[site] = (base, by_item)
        return found

    def leading(
        self, data: CohortInput, sites: Sequence[np.ndarray], probabilities: np.ndarray, columns: _Columns | None = None
    ) -> LeadingCauses:
        """``sites[r]`` and ``probabilities[:, r]``: each case's r-th listed site and its
        (floored) probability, for r up to :data:`LISTED_SITES`."""
        n = data.n_cases
        cols = columns or _Columns(data, self.guidance)
        weights = self._site_weights(sites, probabilities, cols)
        # few items hold for any one case: a sparse (cases x items) matrix
        fired = sparse.csr_matrix(np.stack([cols.condition(item["when"]) for item in self.items], axis=1), dtype=float)
        missing = np.zeros((n, len(self.names)))
        for c, needs in self.needs:
            missing[:, c] = ~cols.condition(needs)
        common = missing * self.otherwise
        total = np.zeros((n, len(self.names)))
        for site, weight in weights.items():
            rows = np.flatnonzero(weight >= MIN_SITE_WEIGHT)
            if not len(rows):
                continue
            base, by_item = self.site_tables(site)
            scores = base + common[rows] + np.asarray(fired[rows] @ by_item)
            scores = np.exp(scores - scores.max(axis=1, keepdims=True))
            total[rows] += weight[rows, None] * scores / scores.sum(axis=1, keepdims=True)
        ordered = total[:, self.by_name]
        best = self.by_name[np.argmax(ordered, axis=1)]
        grand = total.sum(axis=1)
        grand[grand == 0] = 1.0
        rows = np.arange(n)
        return LeadingCauses(
            cause=np.array(self.names, dtype=object)[best],
            probability=np.round(total[rows, best] / grand, 6),
        )

    def _site_weights(
        self, sites: Sequence[np.ndarray], probabilities: np.ndarray, cols: _Columns
    ) -> Mapping[str, np.ndarray]:
        """etiology.site_weights over columns: per site, each case's weight."""
        n = probabilities.shape[0]
        weights: dict[str, np.ndarray] = {}
        for r in range(min(len(sites), LISTED_SITES)):
            for site in np.unique(sites[r]):
                rows = sites[r] == site
                weights.setdefault(str(site), np.zeros(n))[rows] += probabilities[rows, r]
        assigned = np.zeros(n)
        for weight in weights.values():
            assigned += weight
        rest = np.maximum(0.0, 1.0 - assigned)
        spread = rest > 1e-6
        if spread.any():
            spec = self.unlocalized
            cue: dict[str, np.ndarray] = {site: np.full(n, float(w)) for site, w in spec["base"].items()}
            for item in spec["cues"]:
                fires = cols.condition(item["when"])
                for site, w in item["sites"].items():
                    cue.setdefault(site, np.zeros(n))[fires] += w
            cue_total = np.zeros(n)
            for w in cue.values():
                cue_total += w
            for site, w in cue.items():
                weights.setdefault(site, np.zeros(n))[spread] += rest[spread] * w[spread] / cue_total[spread]
        return weights

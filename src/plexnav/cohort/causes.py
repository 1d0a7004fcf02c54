"""The leading cause of every case of a cohort, as ``plexnav assess`` ranks causes.

``engine.etiology.rank_causes`` scores each cause at each candidate site (log prior + log
P(site | cause) + the log likelihood ratio of each of its evidence items that holds, the
log of ``otherwise`` when an exposure the cause needs is missing), turns them into shares
per site, and mixes the sites by the localization's probabilities (the eight sites an
assessment lists, floored to four decimals, as it does), the probability they leave
spread over sites the symptoms suggest.  Here the same numbers come from the engine's own
compiled cause table (``CauseTable.site_row``) and the conditions are evaluated over
columns by the cohort scorer's fact columns (the ones its triage uses), so nothing of the
causes file is restated.  Sites are integer codes: a case's weights are one row of a
(cases x sites) array, and each (case, site) pair with weight one row of cause scores,
added up in the engine's order.  The cohort tests hold the result equal to ``plexnav
assess``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from plexnav.engine.cohort_scoring import _Columns  # the triage's fact columns
from plexnav.engine.etiology import LOOK_ALIKE, MIN_SITE_WEIGHT, cause_table, look_alike_rows, site_group, split_rows
from plexnav.engine.localize import FORMS_SITE, NO_LESION
from plexnav.knowledge.guidance import GuidanceKnowledge

LISTED_SITES = 8  # engine.assess.TOP_SITES: the sites an assessment lists, which rank_causes mixes


@dataclass(frozen=True)
class LeadingCauses:
    cause: np.ndarray  # (n,) index into CauseColumns.names: the leading cause of each case
    probability: np.ndarray  # (n,) float: its probability, rounded to 6 places as the assessment does


class CauseColumns:
    """The cause table in the shapes column scoring needs, built once per guidance;
    ``group_sites``: the site of each of the localization's groups (CohortModel.group_site)."""

    def __init__(
        self,
        guidance: GuidanceKnowledge,
        group_sites: Sequence[str],
        look_alikes: Sequence[str] = (),
        forms: Sequence[str] = (),
    ):
        self.guidance = guidance
        table = cause_table(guidance)
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
        spec = self.unlocalized
        cue_sites = [site for item in spec["cues"] for site in item["sites"]]
        # every site a case can weigh, in name order (rank_causes goes through them sorted),
        # with the look-alikes under no nerve lesion (``look_alikes``: in the order of the
        # localization's shares) that etiology.expand_look_alikes splits it into
        # ... and the polyneuropathy's forms (``forms``: in the order of its shares) that it
        # splits the polyneuropathy into when the causes file weighs them apart
        split = [f"{NO_LESION}{LOOK_ALIKE}{key}" for key in look_alikes] if look_alike_rows(guidance) else []
        weighed_forms = FORMS_SITE in split_rows(guidance) and len(forms) > 1
        form_split = [f"{FORMS_SITE}{LOOK_ALIKE}{key}" for key in forms] if weighed_forms else []
        self.sites = tuple(sorted({*map(str, group_sites), *spec["base"], *cue_sites, *split, *form_split}))
        index = {site: s for s, site in enumerate(self.sites)}
        self.no_lesion = index.get(NO_LESION)
        self.look_alike_code = np.array([index[site] for site in split], dtype=np.intp)
        self.forms_site = index.get(FORMS_SITE) if form_split else None
        self.form_code = np.array([index[site] for site in form_split], dtype=np.intp)
        self.group_code = np.array([index[str(site)] for site in group_sites], dtype=np.intp)
        self.cue_base = np.zeros(len(self.sites))
        for site, w in spec["base"].items():
            self.cue_base[index[site]] += float(w)
        self.cues = [
            (item["when"], [(index[site], float(w)) for site, w in item["sites"].items()]) for item in spec["cues"]
        ]
        self.cue_order = [index[site] for site in dict.fromkeys([*spec["base"], *cue_sites])]
        rows = [table.site_row(site, site_group(site, guidance)) for site in self.sites]
        self.bases = np.array([base for base, _ in rows]).reshape(len(self.sites), len(self.names))
        self.item_logs = np.array([items for _, items in rows]).reshape(len(self.sites), len(self.owner))
        self.same_item = (self.item_logs == self.item_logs[:1]).all(axis=0)  # the same log LR at every site

    def leading(
        self,
        cols: _Columns,
        order: np.ndarray,
        probabilities: np.ndarray,
        look_alikes: np.ndarray | None = None,
        forms: np.ndarray | None = None,
    ) -> LeadingCauses:
        """``order[:, r]`` and ``probabilities[:, r]``: each case's r-th listed group and its
        (floored) probability, for r up to :data:`LISTED_SITES`; ``look_alikes``: each case's
        shares of no nerve lesion (CohortScores.look_alikes); ``forms``: of the
        polyneuropathy's forms (CohortScores.forms).

        Every (case, site) pair with weight is one row of scores, added up in the engine's
        order (``CauseTable.log_scores``: the base, the missing exposure, then each fired
        item of a cause in file order; the sites in name order), so two causes that tie
        in exact arithmetic are ordered as the assessment orders them."""
        n = order.shape[0]
        weights = self._site_weights(order, probabilities, cols)
        if look_alikes is not None:
            self._split(weights, order, look_alikes, self.no_lesion, self.look_alike_code)
        if forms is not None:
            self._split(weights, order, forms, self.forms_site, self.form_code)
        case, site = np.nonzero(weights >= MIN_SITE_WEIGHT)  # case-major, sites in name order
        first_row = np.searchsorted(case, np.arange(n + 1))  # each case's first row of scores
        missing = np.zeros((n, len(self.names)))
        for c, needs in self.needs:
            missing[:, c] = ~cols.condition(needs)
        # the fired evidence: (case, item) in file order, each item's round within its cause
        fired_case, item = np.nonzero(np.stack([cols.condition(i["when"]) for i in self.items], axis=1))
        owner = self.owner[item]
        new_run = np.concatenate([[True], (fired_case[1:] != fired_case[:-1]) | (owner[1:] != owner[:-1])])
        run_start = np.flatnonzero(new_run)
        rounds = np.arange(len(item)) - np.repeat(run_start, np.diff(np.append(run_start, len(item))))
        # the first fired item of a cause, when it weighs the same at every site, is one
        # (cases x causes) addition (adding 0.0 where none fired changes nothing)
        first_same = np.flatnonzero((rounds == 0) & self.same_item[item])
        first = np.zeros((n, len(self.names)))
        first[fired_case[first_same], owner[first_same]] = self.item_logs[0, item[first_same]]
        scores = self.bases[site] + (missing * self.otherwise)[case]
        scores += first[case]
        # the others one by one, round by round: the k-th fired item of every cause at once
        rest = np.ones(len(item), dtype=bool)
        rest[first_same] = False
        flat, width, n_items = scores.reshape(-1), len(self.names), len(self.owner)
        logs = self.item_logs.reshape(-1)
        for k in range(int(rounds.max()) + 1 if len(item) else 0):
            at = np.flatnonzero(rest & (rounds == k))
            pairs = first_row[fired_case[at] + 1] - first_row[fired_case[at]]
            rows = np.repeat(first_row[fired_case[at]] - np.cumsum(pairs) + pairs, pairs) + np.arange(pairs.sum())
            flat[rows * width + np.repeat(owner[at], pairs)] += logs[site[rows] * n_items + np.repeat(item[at], pairs)]
        exps = np.exp(scores - scores.max(axis=1, keepdims=True))
        shares = weights[case, site][:, None] * exps / exps.sum(axis=1, keepdims=True)
        # each case's shares summed over its sites in name order: the j-th site of every case at once
        total = np.zeros((n, len(self.names)))
        count = np.diff(first_row)
        for j in range(int(count.max()) if n else 0):
            cases = np.flatnonzero(count > j)
            total[cases] += shares[first_row[cases] + j]
        ordered = total[:, self.by_name]
        best = self.by_name[np.argmax(ordered, axis=1)]
        grand = np.zeros(n)
        for c in range(len(self.names)):  # sum(total), one cause after another
            grand += total[:, c]
        grand[grand == 0] = 1.0
        share = total[np.arange(n), best] / grand
        probability = np.round(share, 6)
        # round(x, 6) as the assessment rounds (correctly, from the decimal digits) where
        # numpy's scaled rounding could differ: near a half of the sixth decimal
        near = np.flatnonzero(np.abs(share * 1e6 - np.floor(share * 1e6) - 0.5) < 1e-6)
        probability[near] = [round(x, 6) for x in share[near].tolist()]
        return LeadingCauses(cause=best, probability=probability)

    def _split(
        self, weights: np.ndarray, order: np.ndarray, shares: np.ndarray, parent: int | None, codes: np.ndarray
    ) -> None:
        """etiology.expand_look_alikes over columns: where the split site (no nerve lesion,
        the polyneuropathy) is listed, its weight moves to its parts (look-alikes, forms) by
        their shares (those with a share above 0)."""
        if parent is None or not len(codes):
            return
        listed = np.flatnonzero((self.group_code[order[:, :LISTED_SITES]] == parent).any(axis=1))
        w = weights[listed, parent]
        weights[listed, parent] = 0.0
        for k, code in enumerate(codes.tolist()):
            share = shares[listed, k]
            weights[listed, code] = np.where(share > 0, w * share, 0.0)

    def _site_weights(self, order: np.ndarray, probabilities: np.ndarray, cols: _Columns) -> np.ndarray:
        """etiology.site_weights over columns: (cases x sites) each case's weight."""
        n = probabilities.shape[0]
        weights = np.zeros((n, len(self.sites)))
        rows = np.arange(n)
        listed = self.group_code[order[:, :LISTED_SITES]] + (rows * len(self.sites))[:, None]  # flat
        flat = weights.reshape(-1)
        for r in range(listed.shape[1]):
            flat[listed[:, r]] += probabilities[:, r]
        # sum(weights.values()): each listed site once, in order of first listing
        assigned = np.zeros(n)
        for r in range(listed.shape[1]):
            first = (listed[:, :r] != listed[:, r, None]).all(axis=1)
            assigned += np.where(first, flat[listed[:, r]], 0.0)
        rest = np.maximum(0.0, 1.0 - assigned)
        spread = np.flatnonzero(rest > 1e-6)
        if len(spread):
            cue = np.tile(self.cue_base, (len(spread), 1))
            for when, sites in self.cues:
                fires = cols.condition(when)[spread]
                for s, w in sites:
                    cue[fires, s] += w
            cue_total = np.zeros(len(spread))
            for s in self.cue_order:
                cue_total += cue[:, s]
            weights[spread] += rest[spread, None] * cue / cue_total[:, None]
        return weights

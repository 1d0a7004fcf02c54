"""Rank the causes of the lesion the localization found.

Why this shape: the same history means different things at different sites (diabetes and
weight loss with a lumbar plexus lesion suggest diabetic radiculoplexus neuropathy; with
an L5 root lesion and a disc on MRI they do not).  So each cause is scored *per candidate
site* (prior × P(site | cause) × likelihood ratios, all from ``causes.yaml``), normalised
per site, then mixed by the localization's probabilities.  Probability the localization
leaves unassigned (patient answers alone) is spread over sites the symptoms suggest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import compress
from typing import Any, NamedTuple, Protocol

import numpy as np

from plexnav.case import Case, EtiologyEntry
from plexnav.engine.facts import Condition, Facts, compile_each, holds_each
from plexnav.engine.localize import NO_LESION, leading_look_alike
from plexnav.engine.memo import memo_store, once_per_object
from plexnav.engine.records import builder
from plexnav.engine.triage import case_facts
from plexnav.knowledge.guidance import GuidanceKnowledge, load_guidance_knowledge

MAX_REASONS = 5
MIN_SITE_WEIGHT = 1e-3  # sites this unlikely change no cause's probability by more than 0.1%
_TINY = 1e-12
_ETIOLOGY_ENTRY = builder(EtiologyEntry)
_SAID_LIMIT = 100_000  # reasons remembered per table (a long-running server stays small)


LOOK_ALIKE = "|"  # "no_neurological_lesion|hip_joint": a look-alike under no nerve lesion, as the causes weigh it
# ... and "polyneuropathy|multifocal": a form of a site its causes weigh apart (causes.yaml site_forms)
LEADING_FORM = 0.5  # a form the localization gives at least this share of its site is the one its causes name


def site_group(site: str, knowledge: GuidanceKnowledge) -> str:
    """The group ('root', 'plexus', 'nerve', ...) a site id (or a look-alike under no nerve
    lesion) belongs to."""
    try:
        return knowledge.site_groups[site.partition(LOOK_ALIKE)[0]]
    except KeyError:
        raise KeyError(f"site {site!r} is in no site group") from None


def _split_rows(spec: Mapping[str, Any], knowledge: GuidanceKnowledge) -> dict[str, dict[str, float]]:
    """Per cause, P(part | site, cause) of one split table (a ``base`` row, ``by_cause`` rows)."""
    by_cause = spec.get("by_cause", {})
    return {name: dict(by_cause.get(name, spec["base"])) for name in knowledge.causes["causes"]}


def look_alike_rows(knowledge: GuidanceKnowledge) -> dict[str, dict[str, float]]:
    """Per cause, P(look-alike | no nerve lesion, cause) (causes.yaml look_alikes)."""
    spec = knowledge.causes.get("look_alikes") or {}
    return _split_rows(spec, knowledge) if spec else {}


def split_rows(knowledge: GuidanceKnowledge) -> dict[str, dict[str, dict[str, float]]]:
    """Per split site (no nerve lesion by its look-alikes, a site by its forms: causes.yaml
    look_alikes, site_forms), per cause, P(part | site, cause)."""
    out = {site: _split_rows(spec, knowledge) for site, spec in (knowledge.causes.get("site_forms") or {}).items()}
    if rows := look_alike_rows(knowledge):
        out[NO_LESION] = rows
    return out


def split_bases(knowledge: GuidanceKnowledge) -> dict[str, Mapping[str, float]]:
    """Per split site, its ``base`` row: the parts most causes give."""
    out = {site: spec["base"] for site, spec in (knowledge.causes.get("site_forms") or {}).items()}
    if spec := knowledge.causes.get("look_alikes"):
        out[NO_LESION] = spec["base"]
    return out


def _splits(localization: Sequence[RankedSite]) -> dict[str, Mapping[str, float]]:
    """The shares the localization lists of the parts of its split sites: no nerve lesion's
    look-alikes, the polyneuropathy's forms."""
    out: dict[str, Mapping[str, float]] = {}
    for e in localization:
        shares = getattr(e, "look_alikes", None) if e.site == NO_LESION else getattr(e, "forms", None)
        if shares and e.site not in out:
            out[e.site] = shares
    return out


def _leading_parts(localization: Sequence[RankedSite]) -> dict[str, str | None]:
    """Per split site, the part its causes name: the look-alike "no nerve lesion" is read as
    (localize.leading_look_alike), a form given at least :data:`LEADING_FORM` of its site."""
    out: dict[str, str | None] = {}
    for site, shares in _splits(localization).items():
        if site == NO_LESION:
            out[site] = leading_look_alike(shares)
        else:
            key, share = max(shares.items(), key=lambda kv: kv[1])
            out[site] = key if share >= LEADING_FORM else None
    return out


def expand_look_alikes(weights: Mapping[str, float], localization: Sequence[RankedSite]) -> Mapping[str, float]:
    """The site weights with "no nerve lesion" split over its look-alikes, and a site with
    forms over its forms, by the shares the localization lists (unchanged when it lists
    none): the causes are then weighed at the look-alike or the form the findings point to,
    not at an average of them."""
    splits = _splits(localization)
    if not splits or not any(site in weights for site in splits):
        return weights
    out = dict(weights)
    for site, split in splits.items():
        if site not in out:
            continue
        w = out.pop(site)
        for key, share in split.items():
            if share > 0:
                out[f"{site}{LOOK_ALIKE}{key}"] = w * share
    return out


def by_site(table: float | Mapping[str, float], site: str, group: str) -> float:
    """Look up a number by exact site, then its group, then 'default' (a bare number is used as is)."""
    if isinstance(table, (int, float)):
        return float(table)
    for key in (site, group, "default"):
        if key in table:
            return float(table[key])
    return 1.0


class RankedSite(Protocol):
    """What cause ranking reads of a ranked site: a LocalizationEntry, or the compact
    answer's lighter Site."""

    @property
    def site(self) -> str: ...

    @property
    def probability(self) -> float: ...


def site_weights(
    case_facts_: Facts, localization: Sequence[RankedSite], knowledge: GuidanceKnowledge
) -> dict[str, float]:
    """Probability of each site: the localization's, plus the unassigned rest spread by symptom cues."""
    weights: dict[str, float] = defaultdict(float)
    for entry in localization:
        weights[entry.site] += entry.probability
    rest = max(0.0, 1.0 - sum(weights.values()))
    if rest > 1e-6:
        spec = knowledge.causes["unlocalized"]
        cue: dict[str, float] = defaultdict(float, spec["base"])
        for item, fires in zip(spec["cues"], holds_each(spec["cues"], case_facts_, "when"), strict=True):
            if fires:
                for site, w in item["sites"].items():
                    cue[site] += w
        total = sum(cue.values())
        for site, w in cue.items():
            weights[site] += rest * w / total
    return dict(weights)


class CauseTable:
    """The causes file compiled once: per-site log-scores, each evidence item's log-LR and
    the words of every reason.

    Why: a case scores every cause at every candidate site; the per-site numbers and
    reasons only depend on the immutable data, so they are worked out once per site and
    reused, and a case only decides which conditions fire.
    """

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the generated function, which is compiled again on loading (a
        pickled table is kept with the engine snapshot: plexnav.modelcache)."""
        return {k: v for k, v in self.__dict__.items() if k != "_conditions"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._conditions = compile_each(self._condition_list)

    def __init__(self, knowledge: GuidanceKnowledge):
        self.knowledge = knowledge
        self.causes = knowledge.causes["causes"]
        self.names = tuple(self.causes)
        # every cause's conditions in one generated function: [needs_any?] + evidence, per cause
        conditions: list[Condition | None] = []
        self._slices: list[tuple[int | None, int, int]] = []
        for cause in self.causes.values():
            needs_at = None
            if cause.get("needs_any"):
                needs_at = len(conditions)
                conditions.append({"any": list(cause["needs_any"])})
            start = len(conditions)
            conditions.extend(item["when"] for item in cause.get("evidence", ()))
            self._slices.append((needs_at, start, len(conditions)))
        self._condition_list = conditions
        self._conditions = compile_each(conditions)
        # per condition: its cause and the evidence item it is (-1: the cause's `needs_any`)
        self._where: list[tuple[int, int]] = []
        for c, (needs_at, start, stop) in enumerate(self._slices):
            if needs_at is not None:
                self._where.append((c, -1))
            self._where.extend((c, i - start) for i in range(start, stop))
        self._needs = [needs_at is not None for needs_at, _, _ in self._slices]
        self._needing = [c for c, needs in enumerate(self._needs) if needs]
        self._first_item = np.cumsum([0] + [len(c.get("evidence", ())) for c in self.causes.values()])
        self._first = self._first_item.tolist()
        self._otherwise = np.array([math.log(c.get("otherwise", 1.0)) for c in self.causes.values()])
        self._index = {name: c for c, name in enumerate(self.names)}
        # every site of the knowledge in one table: a case picks its sites' rows.  The log
        # prior of each cause, and each evidence item given as a bare number, are the same at
        # every site: worked out once (the same numbers as working them out per site)
        self._log_priors = [math.log(max(c["prior"], _TINY)) for c in self.causes.values()]
        self._item_tables = [item["lr"] for c in self.causes.values() for item in c.get("evidence", ())]
        self._constant_items = {
            i: math.log(max(float(table), _TINY))
            for i, table in enumerate(self._item_tables)
            if isinstance(table, (int, float))
        }
        self._splits = split_rows(knowledge)
        self._split_bases = split_bases(knowledge)
        groups = dict(knowledge.site_groups)
        for parent, by_cause in self._splits.items():
            keys = next(iter(by_cause.values()))
            groups.update({f"{parent}{LOOK_ALIKE}{key}": knowledge.site_groups[parent] for key in sorted(keys)})
        self._site_rows = {site: r for r, site in enumerate(groups)}
        self._row_groups = groups
        rows = [self._site_numbers(site, group) for site, group in groups.items()]
        self._bases = _frozen(np.array([base for base, _ in rows]).reshape(len(rows), len(self.names)))
        n_items = int(self._first_item[-1])
        self._items = _frozen(np.array([items for _, items in rows]).reshape(len(rows), n_items))
        # the same numbers as plain floats, for one case's few sites
        self._base_lists: list[list[float]] = self._bases.tolist()
        self._item_lists: list[list[float]] = self._items.tolist()
        self._otherwise_list: list[float] = self._otherwise.tolist()
        self.known_reasons: dict[tuple[int, str], _CauseReasons] = {}  # (cause, site): its reasons there
        # (cause, site, listed by the localization, needed exposure missing, *items that hold):
        # the reasons given (see say)
        self.said: dict[tuple[Any, ...], tuple[str, ...]] = {}

    def _site_numbers(self, site: str, group: str) -> tuple[list[float], list[float]]:
        """At one site: log prior + log P(site | cause) per cause, and every evidence item's
        log LR (items of all causes in file order).  At a look-alike under no nerve lesion,
        the base adds log P(look-alike | no nerve lesion, cause); the rest is no nerve lesion's."""
        site, _, part = site.partition(LOOK_ALIKE)
        base = [
            log_prior + math.log(max(by_site(c["sites"], site, group), _TINY))
            for log_prior, c in zip(self._log_priors, self.causes.values(), strict=True)
        ]
        if part:
            rows = self._splits[site]
            base = [b + math.log(rows[name][part]) for b, name in zip(base, self.names, strict=True)]
        constant = self._constant_items
        items = [
            constant[i] if i in constant else math.log(max(by_site(table, site, group), _TINY))
            for i, table in enumerate(self._item_tables)
        ]
        return base, items

    def site_row(self, site: str, group: str) -> tuple[np.ndarray, np.ndarray]:
        """At one site: log prior + log P(site | cause) per cause, and every evidence item's
        log LR (items of all causes in file order)."""
        r = self._site_rows.get(site)
        if r is None or self._row_groups[site] != group:
            base, items = self._site_numbers(site, group)
            return np.array(base), np.array(items)
        return self._bases[r], self._items[r]

    def cause_items(self, name: str, site: str, group: str) -> list[float]:
        """One cause's evidence log LRs at one site."""
        c = self._index[name]
        logs: list[float] = self.site_row(site, group)[1][self._first[c] : self._first[c + 1]].tolist()
        return logs

    def fired(self, facts: Facts) -> Fired:
        """Per cause: whether its needed exposure is missing, and which evidence items hold."""
        answers = self._conditions(facts)
        missing = list(self._needs)
        indices: list[list[int]] = [[] for _ in self.names]
        where = self._where
        for i in compress(range(len(answers)), answers):  # the few conditions that hold
            c, item = where[i]
            if item < 0:
                missing[c] = False
            else:
                indices[c].append(item)
        return Fired(list(zip(missing, indices, strict=True)), [c for c in self._needing if missing[c]])

    def log_scores(self, fired: Fired, sites: list[tuple[str, str]]) -> np.ndarray:
        """Unnormalised log-score of every cause (columns) at each site (rows); ``sites``:
        (site, its group).  The terms of a cause are added in file order, as a hand
        computation would: the base, the missing exposure, then each fired item, each an
        IEEE addition in plain floats (tests/test_speed_equivalence.py pins them bit for bit
        to adding the k-th fired item of every cause in one numpy step)."""
        try:
            rows = [self._site_rows[site] for site, _ in sites]
        except KeyError:  # a site the knowledge does not group: its numbers from the data
            numbers = [self.site_row(site, group) for site, group in sites]
            bases, item_logs = [b.tolist() for b, _ in numbers], [i.tolist() for _, i in numbers]
        else:
            bases, item_logs = [self._base_lists[r] for r in rows], [self._item_lists[r] for r in rows]
        otherwise = self._otherwise_list
        first = self._first
        missing = fired.missing
        fired_items = [(c, first[c] + i) for c, (_, items) in enumerate(fired.per_cause) for i in items]
        out = []
        for base, items in zip(bases, item_logs, strict=True):
            row = base[:]
            for c in missing:
                row[c] += otherwise[c]
            for c, column in fired_items:
                row[c] += items[column]
            out.append(row)
        return np.array(out, dtype=float).reshape(len(out), len(self.names))

    def reasons(self, c: int, site: str, group: str) -> _CauseReasons:
        """The reasons one cause can give at one site, worked out once."""
        key = (c, site)
        known = self.known_reasons.get(key)
        if known is None:
            name = self.names[c]
            cause = self.causes[name]
            item_logs = self.cause_items(name, site, group)
            missing = (math.log(cause["otherwise"]), cause["missing_reason"]) if cause.get("needs_any") else None
            items = []
            for i, item in enumerate(cause.get("evidence", ())):
                # lr 1 (one number) marks the exposure a `needs_any` cause depends on: worth
                # saying.  An item whose lr is 1 only at this site (a mapping) tells nothing
                # here and is not said (both legs weak argues against a tumour of the pelvic
                # plexus, not of the conus)
                marker = item.get("lr") == 1
                weight = item_logs[i] or (-math.log(cause.get("otherwise", 1.0)) if marker else 0.0)
                items.append((weight, item["reason"]) if weight else None)
            parent, _, part = site.partition(LOOK_ALIKE)
            fits = bool(part) and self._splits[parent][name][part] >= LOOK_ALIKE_FIT * self._split_bases[parent][part]
            known = _CauseReasons(_site_reason(cause, site, group, self.knowledge, fits), missing, tuple(items))
            self.known_reasons[key] = known
        return known

    def say(self, c: int, site: str, group: str, localized: bool, fired: tuple[bool, list[int]]) -> tuple[str, ...]:
        """The reasons one cause gives at one site, for what fired of it (``localized``: the
        site is one the localization lists), strongest first: worked out once and kept in
        :attr:`said` (empty: the cause has no specific reason)."""
        key = (c, site, localized, fired[0], *fired[1])
        words = self.said.get(key)
        if words is None:
            known = self.known_reasons.get((c, site)) or self.reasons(c, site, group)
            reasons = [known.site] if localized and known.site else []
            if fired[0] or fired[1]:
                moved = known.moved(fired)
                if len(moved) > 1:
                    moved.sort(key=lambda m: -abs(m[0]))
                reasons += [text for _, text in moved[: MAX_REASONS - len(reasons)]]
            if len(self.said) >= _SAID_LIMIT:
                self.said.clear()
            words = self.said[key] = tuple(reasons)
        return words


class Fired(NamedTuple):
    """What a case's facts fire in the causes file."""

    per_cause: list[tuple[bool, list[int]]]  # per cause: needed exposure missing, evidence items that hold
    missing: list[int]  # the causes whose needed exposure is missing


class _CauseReasons(NamedTuple):
    site: str | None  # how often the cause affects this site, when that is worth saying
    missing: tuple[float, str] | None  # the needed exposure is missing (a `needs_any` cause)
    items: tuple[tuple[float, str] | None, ...]  # per evidence item: its weight and reason (None: no weight)

    def moved(self, fired: tuple[bool, list[int]]) -> list[tuple[float, str]]:
        """The evidence that moved the cause, with its weight, in file order."""
        missing, indices = fired
        out = [self.missing] if missing and self.missing is not None else []
        for i in indices:
            item = self.items[i]
            if item is not None:
                out.append(item)
        return out


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


_TABLES = memo_store("etiology.tables")


def cause_table(knowledge: GuidanceKnowledge) -> CauseTable:
    """The compiled table of this (immutable) knowledge; the memo keeps the object, so ids are never reused."""
    return once_per_object(_TABLES, knowledge, lambda: CauseTable(knowledge))


LOOK_ALIKE_FIT = 3.0  # a cause this many times likelier than most to give a look-alike is named with it


def _site_reason(
    cause: Mapping[str, Any], site: str, group: str, knowledge: GuidanceKnowledge, look_alike_fits: bool
) -> str | None:
    """How well the cause fits the site; at a look-alike the cause explains
    (``look_alike_fits``), that it explains it."""
    words = knowledge.words
    site, _, part = site.partition(LOOK_ALIKE)
    if look_alike_fits and site == NO_LESION:
        return str(words["look_alike_fit"]).format(look_alike=words["look_alikes"][part])
    if look_alike_fits:
        return str(words["form_fit"]).format(form=words["forms"][part])
    fit = by_site(cause["sites"], site, group)
    spec = words["site_fit"]
    kind = "often" if fit >= spec["often_at_least"] else "rarely" if fit <= spec["rarely_at_most"] else None
    if kind is None:
        return None
    text: str = (
        spec[f"none_{kind}"]
        if group == "none"
        else spec[kind].format(site=words["sites"].get(site) or words["site_groups"][group])
    )
    return text


def rank_causes(
    case: Case,
    localization: Sequence[RankedSite],
    knowledge: GuidanceKnowledge | None = None,
    facts: Facts | None = None,
    weights: Mapping[str, float] | None = None,
    limit: int | None = None,
) -> list[EtiologyEntry]:
    """Every spec cause with a probability (summing to 1), most likely first, with plain reasons.
    ``weights``: the :func:`site_weights` of these facts and localization if the caller has them;
    ``limit``: only the leading causes (the same entries as the first of the full list)."""
    knowledge = knowledge or load_guidance_knowledge()
    facts = facts or case_facts(case, knowledge)
    table = cause_table(knowledge)
    names = table.names
    localized = {e.site for e in localization}
    fired = table.fired(facts)
    per_cause = fired.per_cause
    if weights is None:
        weights = site_weights(facts, localization, knowledge)
    weights = expand_look_alikes(weights, localization)
    sites = [
        (site, site_group(site, knowledge), weight)
        for site, weight in sorted(weights.items())
        if weight >= MIN_SITE_WEIGHT
    ]
    scores = table.log_scores(fired, [(site, group) for site, group, _ in sites])
    exps = np.exp(scores - scores.max(axis=1, keepdims=True))
    shares = np.array([w for _, _, w in sites])[:, None] * exps / exps.sum(axis=1, keepdims=True)  # (sites, causes)
    total = shares.sum(axis=0).tolist()
    # Explain each cause at the localized site where it carries most weight (first such site on a tie).
    at_localized = np.array([site.partition(LOOK_ALIKE)[0] in localized for site, _, _ in sites])
    best_row = np.argmax(np.where(at_localized[:, None], 2.0, 0.0) + shares, axis=0).tolist()
    localized_rows = at_localized.tolist()
    grand = sum(total) or 1.0
    fallback = knowledge.words["no_specific_reason"]
    entries = []
    # most likely first, then by name
    ranked = sorted(zip([-t for t in total], names, range(len(names)), strict=True))
    leading = _leading_parts(localization)
    for rank, (_, name, c) in enumerate(ranked if limit is None else ranked[:limit]):
        row = best_row[c]
        site, group, _ = sites[row]
        parent, _, part = site.partition(LOOK_ALIKE)
        if part and part != leading.get(parent):
            site = parent  # "the findings look like ..." only of the look-alike (or form) they look most like
        words = table.say(c, site, group, localized_rows[row], per_cause[c])
        reasons = list(words) if words else [fallback["leading"] if rank < 3 else fallback["other"]]
        entries.append(_ETIOLOGY_ENTRY({"cause": name, "probability": round(total[c] / grand, 6), "reasons": reasons}))
    return entries


def leading_causes_many(
    facts: Sequence[Facts], localizations: Sequence[Sequence[RankedSite]], knowledge: GuidanceKnowledge, limit: int
) -> list[list[tuple[str, float]]]:
    """Per case, the leading ``limit`` causes and their probabilities, without reasons: the
    names and numbers of the first ``limit`` entries of :func:`rank_causes` (compact answers)."""
    names = cause_table(knowledge).names
    out = []
    for total in cause_totals_many(facts, localizations, knowledge).tolist():
        grand = sum(total) or 1.0
        ranked = sorted(zip([-t for t in total], names, range(len(names)), strict=True))[:limit]
        out.append([(name, round(total[c] / grand, 6)) for _, name, c in ranked])
    return out


def cause_totals_many(
    facts: Sequence[Facts], localizations: Sequence[Sequence[RankedSite]], knowledge: GuidanceKnowledge
) -> np.ndarray:
    """(cases x causes) each cause's unnormalised total, the ``total`` :func:`rank_causes`
    ranks, for many cases at once.

    Why it gives the same numbers: what :meth:`CauseTable.fired` lists case by case (a
    missing needed exposure, the k-th evidence item that holds) is read for every case at
    once from the answers to the table's conditions; every case's (site, cause) log-scores
    are built in one array, each term added to its (site, cause) alone and in the order
    :meth:`CauseTable.log_scores` adds them (the missing exposure, then the first item that
    holds of every cause, then the second...), then normalised row by row as
    :func:`rank_causes` does, and each case's totals are summed over its own rows in the
    order numpy sums a slice.  tests/test_compact_fast.py pins it to rank_causes."""
    table = cause_table(knowledge)
    n = len(facts)
    if not n:
        return np.zeros((0, len(table.names)))
    row_site: list[int] = []  # per (case, site) row: the site's row in the table
    row_weight: list[float] = []
    bounds = [0]
    site_rows = table._site_rows
    for case_facts_, localization in zip(facts, localizations, strict=True):
        weights = expand_look_alikes(site_weights(case_facts_, localization, knowledge), localization)
        for site, weight in sorted(weights.items()):
            if weight >= MIN_SITE_WEIGHT:
                site_group(site, knowledge)  # a site in no group is refused here, as rank_causes does
                row_site.append(site_rows[site])
                row_weight.append(weight)
        bounds.append(len(row_site))
    layout = _layout(table)
    answers = np.array([table._conditions(f) for f in facts], dtype=bool).reshape(n, -1)
    sites = np.array(row_site, dtype=np.intp)
    scores = table._bases[sites]
    starts, sizes = np.array(bounds[:-1], dtype=np.intp), np.diff(bounds)
    # the causes whose needed exposure is missing: their `otherwise`, at every site row of the case
    case_of, cause_of = np.nonzero(layout.needs & ~answers[:, layout.needs_condition])
    rows, (causes,) = _at_rows(starts, sizes, case_of, cause_of)
    scores[rows, causes] += table._otherwise[causes]
    # the evidence items that hold, the k-th of each cause in the k-th step
    holds = answers[:, layout.item_condition]  # (cases, items)
    case_of, item_of = np.nonzero(holds)
    counted = np.cumsum(holds, axis=1)  # how many of the case's items hold up to this one
    before = np.hstack([np.zeros((n, 1), dtype=counted.dtype), counted])[:, layout.item_first]
    kth = (counted - before)[case_of, item_of] - 1
    rows, (items, kth) = _at_rows(starts, sizes, case_of, item_of, kth)
    causes, values = layout.item_cause[items], table._items[sites[rows], items]
    for k in range(int(kth.max(initial=-1)) + 1):  # each (row, cause) at most once per step
        at = kth == k
        scores[rows[at], causes[at]] += values[at]
    exps = np.exp(scores - scores.max(axis=1, keepdims=True))
    shares = np.array(row_weight)[:, None] * exps / exps.sum(axis=1, keepdims=True)  # (rows, causes)
    return _sum_rows(shares, bounds)


def _at_rows(
    starts: np.ndarray, sizes: np.ndarray, case_of: np.ndarray, *per_entry: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Each entry of a case (``case_of``) once at every site row of its case (``starts``,
    ``sizes``): the rows, and ``per_entry`` repeated to match."""
    repeats = sizes[case_of]
    first = np.cumsum(repeats) - repeats
    rows = np.repeat(starts[case_of] - first, repeats) + np.arange(int(repeats.sum()))
    return rows, tuple(np.repeat(values, repeats) for values in per_entry)


def _sum_rows(rows: np.ndarray, bounds: Sequence[int]) -> np.ndarray:
    """Per block of rows (``bounds``: where each begins, then the end), the sum over its rows
    as ``rows[start:stop].sum(axis=0)`` adds them: the first row, then each next one in turn
    (numpy's ``add.reduceat`` pairs them another way; tests/test_compact_fast.py holds the
    two equal bit for bit)."""
    starts = np.asarray(bounds[:-1], dtype=np.intp)
    sizes = np.diff(bounds)
    out = np.zeros((len(starts), rows.shape[1]), dtype=rows.dtype)
    has = sizes > 0
    out[has] = rows[starts[has]]
    for j in range(1, int(sizes.max(initial=0))):
        longer = np.flatnonzero(sizes > j)
        out[longer] += rows[starts[longer] + j]
    return out


class _Layout(NamedTuple):
    """Where each cause's conditions and evidence items sit in a CauseTable, as arrays."""

    needs: np.ndarray  # (causes,) the cause has a `needs_any`
    needs_condition: np.ndarray  # (causes,) its condition (0 when it has none)
    item_condition: np.ndarray  # (items,) each evidence item's condition
    item_cause: np.ndarray  # (items,) its cause
    item_first: np.ndarray  # (items,) its cause's first item


_LAYOUTS = memo_store("etiology.layouts")


def _layout(table: CauseTable) -> _Layout:
    def build() -> _Layout:
        item_condition: list[int] = []
        item_cause: list[int] = []
        item_first: list[int] = []
        for c, (_, start, stop) in enumerate(table._slices):
            item_condition.extend(range(start, stop))
            item_cause.extend([c] * (stop - start))
            item_first.extend([table._first[c]] * (stop - start))
        return _Layout(
            needs=np.array(table._needs, dtype=bool),
            needs_condition=np.array([at or 0 for at, _, _ in table._slices], dtype=np.intp),
            item_condition=np.array(item_condition, dtype=np.intp),
            item_cause=np.array(item_cause, dtype=np.intp),
            item_first=np.array(item_first, dtype=np.intp),
        )

    layout: _Layout = once_per_object(_LAYOUTS, table, build)
    return layout

"""Score one partition of the long table (a pandas frame, or an Arrow table, holding whole cases).

Each distinct entry row and each distinct patient-and-history item is turned into a
one-entry case, validated by the case format (an invalid row marks its case with an error
that names the field) and read once per process by the engine into the process's
:class:`~plexnav.engine.cohort_scoring.EntryTable`; a row is then one integer, the index of
its content there.  The partition is scored as arrays by
:mod:`plexnav.engine.cohort_scoring`, and its leading causes by :mod:`plexnav.cohort.causes`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from plexnav import vocabulary as V
from plexnav.cohort.causes import LISTED_SITES, CauseColumns
from plexnav.cohort.table import (
    CASE_SECTIONS,
    COLUMNS,
    ENTRIES,
    REQUIRED,
    TableError,
    entry_from_row,
    history_from_rows,
    place,
)
from plexnav.engine.cohort_scoring import CohortInput, CohortModel, EntryEffect, entry_effect
from plexnav.validation import CONTRADICTION_ITEMS, CaseValidationError, finding_sides, validate_case

TOP = 3
CASES_AT_ONCE = 16_384  # cases scored in one step (memory grows with them: about 10 kB each)
FIELDS = ("section", "id", "side", "value", "detail")
OUTPUT = {
    "case_id": "object",
    **{
        f"{k}_{r}": t
        for r in range(1, TOP + 1)
        for k, t in (("site", "object"), ("side", "object"), ("probability", "float64"))
    },
    "levels_1": "object",
    "triage": "object",
    "triage_rules": "object",
    "cause_1": "object",
    "cause_probability_1": "float64",
    "error": "object",
}
SIDES = np.array(["left", "right", "bilateral"], dtype=object)  # CohortScores.symptomatic codes


class Scorer:
    """The model, and every distinct row content this process has read: its entry in the
    engine's entry table, or the error that says what is wrong with it."""

    def __init__(self) -> None:
        from plexnav.modelcache import load_guidance, load_model

        self.model = load_model()
        guidance = load_guidance()  # read with the model from its snapshot (no YAML)
        self.cohort = CohortModel(self.model, guidance)
        self.causes = CauseColumns(
            guidance,
            [str(site) for site in self.cohort.group_site],
            self.cohort.look_alike_layout.keys,
            self.cohort.form_layout.keys,
        )
        self.entries = self.cohort.table_for()
        self._ids: dict[tuple, int] = {}
        # per entry: its problem (None: valid), and the age, duration and factor it gives
        self._problem: list[str | None] = []
        self._history: list[tuple[float, float, int]] = []
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def entry(self, key: tuple) -> EntryEffect | str:
        """The effect of one row's content, or the error that says what is wrong with it."""
        i = self.entry_id(key)
        problem = self._problem[i]
        return problem if problem is not None else self.entries.effects[i]

    def entry_id(self, key: tuple) -> int:
        """The index in the entry table of one row's content (section, id, side, value, detail)."""
        found = self._ids.get(key)
        if found is None:
            effect = self._read(key)
            history = (np.nan, np.nan, -1)
            if isinstance(effect, str):
                problem: str | None = effect
                effect = self.stand_in()
            else:
                problem = None
                section, ident, _, value, _ = key
                if (section, ident) == ("patient", "age"):
                    history = (float(value), np.nan, -1)
                elif (section, ident) == ("history", "duration_days"):
                    history = (np.nan, float(value), -1)
                elif (section, ident) == ("history", "factor"):
                    history = (np.nan, np.nan, V.HISTORY_FACTORS.index(value))
            found = self._ids[key] = self.entries.add(effect)
            self._problem.append(problem)
            self._history.append(history)
        return found

    def _read(self, key: tuple) -> EntryEffect | str:
        section, ident, side, value, detail = key
        try:
            case: dict = {"format": "plexnav-case/1"}
            if section in CASE_SECTIONS:
                patient, history = history_from_rows([(section, ident, value)])
                case.update({k: v for k, v in (("patient", patient), ("history", history)) if v})
            else:
                place(case, section, entry_from_row(section, ident, side, value, detail))
            return entry_effect(self.model, validate_case(case)[0])
        except TableError as exc:
            return f"{section} {ident!r}: {exc}"
        except CaseValidationError as exc:
            return f"{section} {ident!r}: " + "; ".join(e.render() for e in exc.errors)

    def stand_in(self) -> EntryEffect:
        """The effect scored in place of a row with an error (its case is reported as the error)."""
        found = self.entry(("symptom", "pain", "", "", ""))
        if isinstance(found, str):  # a pain symptom is a valid entry of every case-format revision
            raise RuntimeError(f"the stand-in entry is refused: {found}")
        return found

    def entry_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per entry: its problem (object, None when valid), age, duration and factor bit (-1)."""
        found = self._arrays
        if found is None or len(found[0]) != len(self._problem):
            history = np.array(self._history, dtype=float).reshape(-1, 3)
            problems = np.array(self._problem, dtype=object)
            found = self._arrays = (problems, history[:, 0], history[:, 1], history[:, 2].astype(np.int64))
        return found[0], found[1], found[2], found[3]


@lru_cache(maxsize=1)
def scorer() -> Scorer:
    return Scorer()


def check_columns(columns) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise TableError(
            f"the findings table lacks the column(s) {', '.join(missing)}; "
            f"expected {', '.join(COLUMNS)} (detail optional)"
        )


def _plain(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _codes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a column and its distinct values as plain text (missing is '')."""
    if column not in frame:
        return np.zeros(len(frame), dtype=np.int64), [""]
    series = frame[column]
    if isinstance(series.dtype, pd.CategoricalDtype):  # Parquet dictionary columns: codes for free
        codes, uniques = series.cat.codes.to_numpy(), series.cat.categories
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    codes = codes.astype(np.int64)
    words = [_plain(u) for u in uniques] + [""]
    codes[codes < 0] = len(words) - 1
    return codes, words


def score_frame(frame: pd.DataFrame, scorer_: Scorer | None = None) -> pd.DataFrame:
    """One output row per case of ``frame`` (cases in order of first appearance)."""
    check_columns(frame.columns)
    if frame["case_id"].isna().any():
        raise TableError(f"{int(frame['case_id'].isna().sum())} row(s) have no case_id")
    case_code, case_ids = pd.factorize(frame["case_id"], sort=False)
    parts = [_codes(frame, c) for c in FIELDS]
    return _score(case_code.astype(np.intp), np.asarray(case_ids, dtype=object), parts, scorer_ or scorer())


def score_table(table, scorer_: Scorer | None = None) -> pd.DataFrame:
    """:func:`score_frame` of a pyarrow Table, read through Arrow's dictionary codes (no
    conversion of the rows to pandas objects): what a worker does with a Parquet row group."""
    check_columns(table.column_names)
    ids = table.column("case_id")
    if ids.null_count:
        raise TableError(f"{ids.null_count} row(s) have no case_id")
    case_code, case_ids = _arrow_case_codes(ids)
    parts = [_arrow_codes(table, c) for c in FIELDS]
    return _score(case_code, case_ids, parts, scorer_ or scorer())


def _dictionary(values) -> tuple[Any, Any]:
    """(indices, dictionary) of an Arrow column, dictionary-encoded if it is not already."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(values.type):
        values = pc.dictionary_encode(values)
    values = values.unify_dictionaries() if isinstance(values, pa.ChunkedArray) else values
    if isinstance(values, pa.ChunkedArray):
        dictionary = values.chunk(0).dictionary if values.num_chunks else pa.array([], values.type.value_type)
        indices = pa.chunked_array([c.indices for c in values.chunks], values.type.index_type).combine_chunks()
    else:
        dictionary, indices = values.dictionary, values.indices
    return indices, dictionary


def _arrow_case_codes(ids) -> tuple[np.ndarray, np.ndarray]:
    """Each row's case as 0, 1, ... in order of first appearance, and the case ids."""
    indices, dictionary = _dictionary(ids)
    codes = indices.to_numpy(zero_copy_only=False).astype(np.intp)
    n_rows = len(codes)
    if not n_rows:
        return codes, np.zeros(0, dtype=object)
    steps = np.diff(codes)
    if codes[0] == 0 and ((steps == 0) | (steps == 1)).all():  # already numbered as they come
        return codes, dictionary.slice(0, int(codes[-1]) + 1).to_numpy(zero_copy_only=False).astype(object)
    first = np.full(len(dictionary), n_rows, dtype=np.intp)
    first[codes[::-1]] = np.arange(n_rows - 1, -1, -1)
    present = np.flatnonzero(first < n_rows)
    present = present[np.argsort(first[present], kind="stable")]
    renumber = np.full(len(dictionary), -1, dtype=np.intp)
    renumber[present] = np.arange(len(present))
    return renumber[codes], dictionary.take(present).to_numpy(zero_copy_only=False).astype(object)


def _arrow_codes(table, column: str) -> tuple[np.ndarray, list[str]]:
    """Integer codes of an Arrow column and its distinct values as plain text (missing is '')."""
    if column not in table.column_names:
        return np.zeros(table.num_rows, dtype=np.int64), [""]
    import pyarrow as pa

    indices, dictionary = _dictionary(table.column(column))
    if pa.types.is_string(dictionary.type) or pa.types.is_large_string(dictionary.type):
        words = [u or "" for u in dictionary.to_pylist()] + [""]  # text is its own plain form
    else:
        words = [_plain(u) for u in dictionary.to_pylist()] + [""]
    codes = indices.fill_null(len(words) - 1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, words


def _row_content(parts: list[tuple[np.ndarray, list[str]]], n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """One integer per row for its (section, id, side, value, detail), and the first row of
    each distinct content."""
    combined = np.zeros(n_rows, dtype=np.int64)
    span = 1
    for codes, words in parts:
        if span * len(words) >= 2**62:  # keep the mixed code inside int64: renumber what we have
            combined = pd.factorize(combined)[0].astype(np.int64)
            span = int(combined.max()) + 1 if n_rows else 1
        combined = combined * len(words) + codes
        span *= len(words)
    row_entry, distinct = pd.factorize(combined)
    first = np.empty(len(distinct), dtype=np.intp)
    first[row_entry[::-1]] = np.arange(len(row_entry) - 1, -1, -1)
    return row_entry, first


# Findings recorded twice for one item and side that cannot both hold, as `assess` refuses
# them (plexnav.validation.contradictions): section -> (the detail is part of the item: a
# sign's region; only a normal result against an abnormal one clashes: two abnormal
# conduction or needle results may both hold).
def _contradiction_rules() -> dict[str, tuple[bool, bool]]:
    rules = {}
    for section, (path, _, _) in ENTRIES.items():
        rule = CONTRADICTION_ITEMS.get(".".join(path))
        if rule is not None:
            keys, normal_only = rule
            rules[section] = (len(keys) > 1, normal_only)
    return rules


CONTRADICTIONS = _contradiction_rules()


def _comparable(value: str) -> str:
    """A value as the case format compares it: numbers by value ('4' and '4.0' agree)."""
    try:
        return repr(float(value))
    except ValueError:
        return value


def _mark_contradictions(
    case_code: np.ndarray,
    row_local: np.ndarray,
    first: np.ndarray,
    parts: list[tuple[np.ndarray, list[str]]],
    errors: np.ndarray,
) -> None:
    """Mark the cases that record one item twice on one side with values that cannot both
    hold (MRC 5 and MRC 2 for one movement), naming both values, unless an earlier problem
    already marks them: the engine would weigh both and the answer would rest on a slip.

    Why per distinct content first: a piece holds millions of rows but a few thousand
    distinct contents; each content's item and value are worked out once, then the rows are
    compared as integers."""
    words = [[w[codes[row]] for codes, w in parts] for row in first]  # per content: its fields
    items: dict[tuple, int] = {}
    values: dict[str, int] = {}
    item_of = np.full((len(first), 2), -1, dtype=np.int64)
    value_of = np.zeros(len(first), dtype=np.int64)
    normal_of = np.zeros(len(first), dtype=bool)
    for k, (section, ident, side, value, detail) in enumerate(words):
        rule = CONTRADICTIONS.get(section)
        if rule is None:
            continue
        with_detail, _ = rule
        for j, one_side in enumerate(finding_sides(side)):  # bilateral speaks for both sides
            item_of[k, j] = items.setdefault((section, ident, one_side, detail if with_detail else ""), len(items))
        value_of[k] = values.setdefault(_comparable(value), len(values))
        normal_of[k] = value == "normal"
    if not items:
        return
    rows = [np.flatnonzero(item_of[:, j][row_local] >= 0) for j in (0, 1)]  # column 1: bilateral rows
    content = np.concatenate([row_local[r] for r in rows])
    item = np.concatenate([item_of[row_local[r], j] for j, r in enumerate(rows)])
    key = np.concatenate([case_code[r] for r in rows]).astype(np.int64) * len(items) + item
    # most items are recorded once: keep only the rows of the others (a hash, not a sort)
    repeated = np.flatnonzero(pd.Series(key).duplicated(keep=False).to_numpy())
    key, content = key[repeated], content[repeated]
    # one row per (case, item, value); an item left with two rows has two values
    distinct, at = np.unique(key * len(values) + value_of[content], return_index=True)
    key, content = distinct // len(values), content[at]
    twice = np.flatnonzero(key[1:] == key[:-1])
    if not len(twice):
        return
    sections = [words[c][0] for c in content[twice]]
    for i, section in zip(twice, sections, strict=True):
        a, b = content[i], content[i + 1]
        case = int(key[i] // len(items))
        if errors[case] is not None:
            continue
        if CONTRADICTIONS[section][1] and not (normal_of[a] or normal_of[b]):
            # two abnormal results of one study: both may hold (a third, normal, row clashes
            # with them in its own pair)
            continue
        _, ident, side, _, _ = words[a]
        errors[case] = (
            f"{section} {ident!r}: recorded twice for the {side or 'same'} side with values that cannot both "
            f"hold ({words[a][3]!r} and {words[b][3]!r}); keep the one that is right"
        )


def _score(
    case_code: np.ndarray, case_ids: np.ndarray, parts: list[tuple[np.ndarray, list[str]]], s: Scorer
) -> pd.DataFrame:
    """The output rows of the cases whose rows are coded by ``parts`` (see :func:`score_frame`),
    scored :data:`CASES_AT_ONCE` at a time so memory stays bounded whatever a piece holds."""
    n = len(case_ids)
    if not n:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in OUTPUT.items()})
    # the distinct contents of rows, as one integer per row, then their entries
    row_local, first = _row_content(parts, len(case_code))
    known = np.array([s.entry_id(tuple(words[codes[row]] for codes, words in parts)) for row in first], dtype=np.intp)
    row_entry = known[row_local]
    problems, entry_age, entry_days, entry_factor = s.entry_arrays()
    errors = np.full(n, None, dtype=object)
    bad = problems != None  # noqa: E711 (element-wise)
    bad_rows = np.flatnonzero(bad[row_entry])
    if len(bad_rows):  # the first problem of each case is the one reported
        cases, at = np.unique(case_code[bad_rows], return_index=True)
        errors[cases] = problems[row_entry[bad_rows[at]]]

    _mark_contradictions(case_code, row_local, first, parts, errors)

    # age and duration as numbers, risk factors as one bit mask per case
    age, duration = np.full(n, np.nan), np.full(n, np.nan)
    for per_entry, target in ((entry_age, age), (entry_days, duration)):
        rows = np.flatnonzero(~np.isnan(per_entry[row_entry]))
        target[case_code[rows]] = per_entry[row_entry[rows]]
    row_factor = entry_factor[row_entry]
    has = np.flatnonzero(row_factor >= 0)
    factors = np.zeros(n, dtype=np.int64)  # one bit per valid factor (other values are errors)
    np.bitwise_or.at(factors, case_code[has], np.left_shift(1, row_factor[has]))

    bad_case = errors != None  # noqa: E711 (element-wise)
    keep = np.flatnonzero(~bad[row_entry] & ~bad_case[case_code])
    row_case, row_entry = case_code[keep], row_entry[keep]
    if len(row_case) > 1 and (row_case[1:] < row_case[:-1]).any():  # rows of a case apart
        order = np.argsort(row_case, kind="stable")
        row_case, row_entry = row_case[order], row_entry[order]
    out = _Output(n, s)
    bounds = np.searchsorted(row_case, np.arange(0, n + CASES_AT_ONCE, CASES_AT_ONCE).clip(max=n))
    for k in range(len(bounds) - 1):
        lo, hi = k * CASES_AT_ONCE, min(n, (k + 1) * CASES_AT_ONCE)
        span = slice(bounds[k], bounds[k + 1])
        data = CohortInput(
            n_cases=hi - lo,
            row_case=row_case[span] - lo,
            row_entry=row_entry[span],
            entries=s.entries,
            factors=factors[lo:hi],
            age=age[lo:hi],
            duration=duration[lo:hi],
        )
        scores = s.cohort.score(data, top=LISTED_SITES)
        causes = s.causes.leading(scores.columns, scores.order, scores.probabilities, scores.look_alikes, scores.forms)
        out.fill(slice(lo, hi), s, scores, causes)
    return out.frame(case_ids, errors)


class _Output:
    """The output columns of one piece, filled step by step."""

    def __init__(self, n: int, s: Scorer):
        self.n, self.group_site = n, s.cohort.group_site
        self.group = np.zeros((n, TOP), dtype=np.intp)
        self.side = np.zeros((n, TOP), dtype=object)
        self.probability = np.full((n, TOP), np.nan)
        self.ranks = TOP
        self.levels = np.full(n, None, dtype=object)
        self.triage = np.full(n, None, dtype=object)
        self.rules = np.full(n, None, dtype=object)
        self.cause = np.full(n, None, dtype=object)
        self.cause_probability = np.full(n, np.nan)

    def fill(self, at: slice, s: Scorer, scores, causes) -> None:
        cm = s.cohort
        order = scores.order[:, :TOP]
        self.ranks = min(self.ranks, order.shape[1])
        symptomatic = SIDES[scores.symptomatic]
        for r in range(order.shape[1]):
            g = order[:, r]
            self.group[at, r] = g
            self.side[at, r] = np.where(cm.symptomatic_group[g], symptomatic, cm.group_side[g])
            self.probability[at, r] = scores.probabilities[:, r]
        self.levels[at] = scores.levels
        self.triage[at] = np.array(cm.levels, dtype=object)[scores.triage]
        self.rules[at] = np.array(scores.rule_words, dtype=object)[scores.rules]
        self.cause[at] = np.array(s.causes.names, dtype=object)[causes.cause]
        self.cause_probability[at] = causes.probability

    def frame(self, case_ids: np.ndarray, errors: np.ndarray) -> pd.DataFrame:
        failed = errors != None  # noqa: E711
        out: dict[str, np.ndarray] = {"case_id": np.asarray(case_ids, dtype=object)}
        for r in range(TOP):
            if r < self.ranks:
                site = self.group_site[self.group[:, r]]
                side = self.side[:, r].copy()
                prob = np.where(failed, np.nan, self.probability[:, r])
            else:
                site, side, prob = np.full(self.n, None, object), np.full(self.n, None, object), np.full(self.n, np.nan)
            site[failed], side[failed] = None, None
            out[f"site_{r + 1}"], out[f"side_{r + 1}"], out[f"probability_{r + 1}"] = site, side, prob
        for column in (self.levels, self.triage, self.rules, self.cause):
            column[failed] = None
        out.update(
            {
                "levels_1": self.levels,
                "triage": self.triage,
                "triage_rules": self.rules,
                "cause_1": self.cause,
                "cause_probability_1": np.where(failed, np.nan, self.cause_probability),
                "error": errors,
            }
        )
        return pd.DataFrame({c: pd.Series(out[c], dtype=t, copy=False) for c, t in OUTPUT.items()})

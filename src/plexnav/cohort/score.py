"""Score one partition of the long table (a pandas frame, or an Arrow table, holding whole cases).

Each distinct entry row and each distinct patient-and-history combination is turned into a
one-entry case, validated by the case format (an invalid row marks its case with an error
that names the field) and read once by the engine; the partition is then scored as arrays
by :mod:`plexnav.engine.cohort_scoring`, and its leading causes by
:mod:`plexnav.cohort.causes`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from plexnav import vocabulary as V
from plexnav.cohort.causes import LISTED_SITES, CauseColumns
from plexnav.cohort.table import CASE_SECTIONS, COLUMNS, REQUIRED, TableError, entry_from_row, history_from_rows, place
from plexnav.engine.cohort_scoring import CohortInput, CohortModel, EntryEffect, entry_effect
from plexnav.validation import CaseValidationError, validate_case

TOP = 3
CASES_AT_ONCE = 8192  # cases scored in one step by score_table (memory grows with them)
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


class Scorer:
    """The model and the memo of rows already read, for one process."""

    def __init__(self) -> None:
        from plexnav.knowledge.guidance import load_guidance_knowledge
        from plexnav.modelcache import load_model

        self.model = load_model()
        self.cohort = CohortModel(self.model, load_guidance_knowledge())
        self.causes = CauseColumns(load_guidance_knowledge())
        self._entries: dict[tuple, EntryEffect | str] = {}
        self._shifts: dict[int, np.ndarray] = {}

    def entry(self, key: tuple) -> EntryEffect | str:
        """The effect of one row's content, or the error that says what is wrong with it."""
        found = self._entries.get(key)
        if found is None:
            section, ident, side, value, detail = key
            try:
                case: dict = {"format": "plexnav-case/1"}
                if section in CASE_SECTIONS:
                    patient, history = history_from_rows([(section, ident, value)])
                    case.update({k: v for k, v in (("patient", patient), ("history", history)) if v})
                else:
                    place(case, section, entry_from_row(section, ident, side, value, detail))
                found = entry_effect(self.model, validate_case(case)[0])
            except TableError as exc:
                found = f"{section} {ident!r}: {exc}"
            except CaseValidationError as exc:
                found = f"{section} {ident!r}: " + "; ".join(e.render() for e in exc.errors)
            self._entries[key] = found
        return found

    def stand_in(self) -> EntryEffect:
        """The effect scored in place of a row with an error (its case is reported as the error)."""
        found = self.entry(("symptom", "pain", "", "", ""))
        if isinstance(found, str):  # a pain symptom is a valid entry of every case-format revision
            raise RuntimeError(f"the stand-in entry is refused: {found}")
        return found

    def factor_bit(self, factor: str) -> int:
        """The bit of a (valid) history factor in a case's factor mask."""
        return V.HISTORY_FACTORS.index(factor)

    def shift_of_mask(self, mask: int) -> np.ndarray:
        """The prior shift of the factors whose bits are set (see :meth:`factor_bit`)."""
        found = self._shifts.get(mask)
        if found is None:
            factors = frozenset(f for b, f in enumerate(V.HISTORY_FACTORS) if mask >> b & 1)
            found = self._shifts[mask] = self.cohort.factor_shift(factors)
        return found


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
    return _output(*_score(case_code, np.asarray(case_ids, dtype=object), parts, scorer_ or scorer()))


def score_table(table, scorer_: Scorer | None = None) -> pd.DataFrame:
    """:func:`score_frame` of a pyarrow Table, read through Arrow's dictionary codes (no
    conversion of the rows to pandas objects): what a worker does with a Parquet row group."""
    import pyarrow.compute as pc

    check_columns(table.column_names)
    ids = table.column("case_id")
    if ids.null_count:
        raise TableError(f"{ids.null_count} row(s) have no case_id")
    encoded = pc.dictionary_encode(ids).combine_chunks()
    case_code = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    case_ids = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    parts = [_arrow_codes(table, c) for c in FIELDS]
    s = scorer_ or scorer()
    if len(case_ids) <= CASES_AT_ONCE:
        return _output(*_score(case_code, case_ids, parts, s))
    # a large row group in slices of whole cases (in order of first appearance): the arrays
    # of one scoring step grow with its cases, so memory stays bounded whatever the file holds
    order = np.argsort(case_code, kind="stable")
    bounds = np.searchsorted(case_code[order], np.arange(0, len(case_ids) + CASES_AT_ONCE, CASES_AT_ONCE))
    out = []
    for k in range(len(bounds) - 1):
        rows = np.sort(order[bounds[k] : bounds[k + 1]])
        first = k * CASES_AT_ONCE
        piece = [(codes[rows], words) for codes, words in parts]
        out.append(_output(*_score(case_code[rows] - first, case_ids[first : first + CASES_AT_ONCE], piece, s)))
    return pd.concat(out, ignore_index=True)


def _arrow_codes(table, column: str) -> tuple[np.ndarray, list[str]]:
    """Integer codes of an Arrow column and its distinct values as plain text (missing is '')."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column not in table.column_names:
        return np.zeros(table.num_rows, dtype=np.int64), [""]
    values = table.column(column)
    if not pa.types.is_dictionary(values.type):
        values = pc.dictionary_encode(values)
    values = values.unify_dictionaries() if isinstance(values, pa.ChunkedArray) else values
    if isinstance(values, pa.ChunkedArray):
        dictionary = values.chunk(0).dictionary if values.num_chunks else pa.array([], pa.string())
        indices = pa.chunked_array([c.indices for c in values.chunks], values.type.index_type).combine_chunks()
    else:
        dictionary, indices = values.dictionary, values.indices
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


def _score(case_code: np.ndarray, case_ids: np.ndarray, parts: list[tuple[np.ndarray, list[str]]], s: Scorer):
    """The scores of the cases whose rows are coded by ``parts`` (see :func:`score_frame`)."""
    n = len(case_ids)
    case_code = case_code.astype(np.intp)
    errors = np.full(n, None, dtype=object)
    if not n:
        return case_ids, None, errors

    # the distinct contents of rows, as one integer per row
    row_entry, first = _row_content(parts, len(case_code))
    effects: list[EntryEffect] = []
    problems = np.full(len(first), None, dtype=object)
    keys = []
    for j, row in enumerate(first):
        key = tuple(words[codes[row]] for codes, words in parts)
        keys.append(key)
        found = s.entry(key)
        if isinstance(found, str):
            problems[j] = found
            found = s.stand_in()
        effects.append(found)
    bad = problems != None  # noqa: E711 (element-wise)
    bad_rows = np.flatnonzero(bad[row_entry])
    for row in bad_rows[::-1]:  # the first problem of each case is the one reported
        errors[case_code[row]] = problems[row_entry[row]]

    # age and duration as numbers, risk factors as one set per case
    entry_age, entry_days = np.full(len(first), np.nan), np.full(len(first), np.nan)
    entry_factor = np.full(len(first), -1, dtype=np.int64)
    for j, (section, ident, _, value, _) in enumerate(keys):
        if bad[j]:
            continue
        if (section, ident) == ("patient", "age"):
            entry_age[j] = float(value)
        elif (section, ident) == ("history", "duration_days"):
            entry_days[j] = float(value)
        elif (section, ident) == ("history", "factor"):
            entry_factor[j] = s.factor_bit(value)
    age, duration = np.full(n, np.nan), np.full(n, np.nan)
    for per_entry, target in ((entry_age, age), (entry_days, duration)):
        rows = ~np.isnan(per_entry[row_entry])
        target[case_code[rows]] = per_entry[row_entry[rows]]
    row_factor = entry_factor[row_entry]
    has = row_factor >= 0
    masks = np.zeros(n, dtype=np.int64)  # one bit per valid factor (other values are errors)
    np.bitwise_or.at(masks, case_code[has], np.left_shift(1, row_factor[has]))
    mask_values, case_shift = np.unique(masks, return_inverse=True)
    shifts = np.stack([s.shift_of_mask(int(m)) for m in mask_values])

    bad_case = errors != None  # noqa: E711 (element-wise)
    keep = ~bad[row_entry] & ~bad_case[case_code]
    data = CohortInput(
        n_cases=n,
        row_case=case_code[keep],
        row_entry=row_entry[keep].astype(np.intp),
        entries=effects,
        case_shift=case_shift.reshape(-1).astype(np.intp),
        shifts=shifts,
        age=age,
        duration=duration,
    )
    scores = s.cohort.score(data, top=LISTED_SITES)
    causes = s.causes.leading(data, scores.sites, scores.probabilities)
    return case_ids, (scores, causes), errors


def _output(case_ids: np.ndarray, scored, errors: np.ndarray) -> pd.DataFrame:
    if scored is None:  # no rows, no cases
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in OUTPUT.items()})
    scores, causes = scored
    out = {"case_id": np.asarray(case_ids, dtype=object)}
    failed = errors != None  # noqa: E711
    for r in range(TOP):
        site = (
            np.array(scores.sites[r], dtype=object, copy=True)
            if r < len(scores.sites)
            else np.full(len(case_ids), None, object)
        )
        side = (
            np.array(scores.sides[r], dtype=object, copy=True)
            if r < len(scores.sides)
            else np.full(len(case_ids), None, object)
        )
        prob = scores.probabilities[:, r] if r < scores.probabilities.shape[1] else np.full(len(case_ids), np.nan)
        site[failed], side[failed] = None, None
        prob = np.where(failed, np.nan, prob)
        out[f"site_{r + 1}"], out[f"side_{r + 1}"], out[f"probability_{r + 1}"] = site, side, prob
    levels = np.asarray(scores.extra["levels"], dtype=object).copy()
    triage = np.asarray(scores.levels, dtype=object).copy()
    rules = np.array(scores.rules, dtype=object)
    cause = causes.cause.copy()
    levels[failed], triage[failed], rules[failed], cause[failed] = None, None, None, None
    out.update(
        {
            "levels_1": levels,
            "triage": triage,
            "triage_rules": rules,
            "cause_1": cause,
            "cause_probability_1": np.where(failed, np.nan, causes.probability),
            "error": errors,
        }
    )
    return pd.DataFrame(out).astype(OUTPUT)

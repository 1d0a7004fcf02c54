"""Score one partition of the long table (a pandas frame holding whole cases).

Each distinct entry row and each distinct patient-and-history combination is turned into a
one-entry case, validated by the case format (an invalid row marks its case with an error
that names the field) and read once by the engine; the partition is then scored as arrays
by :mod:`plexnav.engine.cohort_scoring`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from plexnav.cohort.table import CASE_SECTIONS, COLUMNS, REQUIRED, TableError, entry_from_row, history_from_rows, place
from plexnav.engine.cohort_scoring import CohortInput, CohortModel, EntryEffect, entry_effect
from plexnav.validation import CaseValidationError, validate_case

TOP = 3
OUTPUT = {"case_id": "object", **{f"{k}_{r}": t for r in range(1, TOP + 1)
                                  for k, t in (("site", "object"), ("side", "object"), ("probability", "float64"))},
          "levels_1": "object", "triage": "object", "triage_rules": "object", "error": "object"}


class Scorer:
    """The model and the memo of entries already read, for one process."""

    def __init__(self):
        from plexnav.knowledge.guidance import load_guidance_knowledge
        from plexnav.modelcache import load_model

        self.model = load_model()
        self.cohort = CohortModel(self.model, load_guidance_knowledge())
        self._entries: dict[tuple, EntryEffect | str] = {}
        self._histories: dict[tuple, tuple[EntryEffect, np.ndarray] | str] = {}

    def entry(self, key: tuple) -> EntryEffect | str:
        """The effect of one entry row, or the error that says what is wrong with it."""
        found = self._entries.get(key)
        if found is None:
            section, ident, side, value, detail = key
            try:
                case: dict = {"format": "plexnav-case/1"}
                place(case, section, entry_from_row(section, ident, side, value, detail))
                found = entry_effect(self.model, validate_case(case)[0])
            except TableError as exc:
                found = f"{section} {ident!r}: {exc}"
            except CaseValidationError as exc:
                found = f"{section} {ident!r}: " + "; ".join(e.render() for e in exc.errors)
            self._entries[key] = found
        return found

    def history(self, key: tuple) -> tuple[EntryEffect, np.ndarray] | str:
        found = self._histories.get(key)
        if found is None:
            try:
                patient, history = history_from_rows(key)
                case = {"format": "plexnav-case/1", "patient": patient, "history": history}
                effect = entry_effect(self.model, validate_case(case)[0])
                found = (effect, self.cohort.history_shift(frozenset(history.get("factors", ()))))
            except TableError as exc:
                found = str(exc)
            except CaseValidationError as exc:
                found = "; ".join(e.render() for e in exc.errors)
            self._histories[key] = found
        return found


@lru_cache(maxsize=1)
def scorer() -> Scorer:
    return Scorer()


def check_columns(columns) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise TableError(f"the findings table lacks the column(s) {', '.join(missing)}; "
                         f"expected {', '.join(COLUMNS)} (detail optional)")


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: frame[c] if c in frame else "" for c in COLUMNS})
    for c in COLUMNS:
        column = out[c]
        if column.dtype != object and not pd.api.types.is_string_dtype(column):
            column = column.astype(object).where(column.notna(), None)
        out[c] = column.astype(object).where(column.notna(), "").map(_plain)
    return out


def _plain(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def score_frame(frame: pd.DataFrame, scorer_: Scorer | None = None) -> pd.DataFrame:
    """One output row per case of ``frame`` (cases in order of first appearance)."""
    check_columns(frame.columns)
    s = scorer_ or scorer()
    rows = _text_frame(frame)
    case_code, case_ids = pd.factorize(rows["case_id"], sort=False)
    n = len(case_ids)
    errors = np.full(n, None, dtype=object)
    is_case = rows["section"].isin(CASE_SECTIONS).to_numpy()

    # patient and history: one key per case
    hist_rows = rows[is_case]
    per_case: list[list[tuple]] = [[] for _ in range(n)]
    for code, section, ident, value in zip(case_code[is_case], hist_rows["section"], hist_rows["id"], hist_rows["value"]):
        per_case[code].append((section, ident, value))
    age = np.full(n, np.nan)
    duration = np.full(n, np.nan)
    hist_keys: dict[tuple, int] = {}
    case_history = np.empty(n, dtype=np.intp)
    for i, items in enumerate(per_case):
        numbers = {ident: value for section, ident, value in items if ident in ("age", "duration_days")}
        for name, target in (("age", age), ("duration_days", duration)):
            if name in numbers:
                try:
                    target[i] = float(numbers[name])
                except ValueError:
                    errors[i] = f"{name} {numbers[name]!r} is not a number"
        key = tuple(sorted(x for x in items if x[1] not in ("age", "duration_days")))
        case_history[i] = hist_keys.setdefault(key, len(hist_keys))
    histories, shifts = [], []
    for key, index in hist_keys.items():
        found = s.history(key)
        if isinstance(found, str):
            errors[case_history == index] = found
            found = s.history(())
        histories.append(found[0])
        shifts.append(found[1])
    # numbers are validated with the rest of the history: age 0-120, duration >= 0
    for i in np.flatnonzero((age < 0) | (age > 120) | (duration < 0)):
        errors[i] = errors[i] or "patient.age must be 0-120 and history.duration_days at least 0"

    # entries: one effect per distinct row
    entry_rows = rows[~is_case]
    keys = pd.MultiIndex.from_frame(entry_rows[["section", "id", "side", "value", "detail"]])
    entry_code, entry_keys = pd.factorize(keys)
    effects: list[EntryEffect] = []
    bad_entry = np.zeros(len(entry_keys), dtype=bool)
    entry_case = case_code[~is_case]
    for j, key in enumerate(entry_keys):
        found = s.entry(tuple(key))
        if isinstance(found, str):
            bad_entry[j] = True
            first = entry_case[np.flatnonzero(entry_code == j)]
            errors[first] = [e or found for e in errors[first]]
            found = s.entry(("symptom", "pain", "", "", ""))  # placeholder effect; its case is dropped below
        effects.append(found)
    bad_case = errors != None  # noqa: E711 (element-wise)
    keep = ~bad_entry[entry_code] & ~bad_case[entry_case]
    data = CohortInput(
        n_cases=n, row_case=entry_case[keep].astype(np.intp), row_entry=entry_code[keep].astype(np.intp),
        entries=effects, case_history=case_history, histories=histories,
        history_shift=np.stack(shifts), age=age, duration=duration)
    scores = s.cohort.score(data, top=TOP)
    return _output(case_ids, scores, errors)


def _output(case_ids, scores, errors) -> pd.DataFrame:
    out = {"case_id": np.asarray(case_ids, dtype=object)}
    failed = errors != None  # noqa: E711
    for r in range(TOP):
        site = np.array(scores.sites[r], dtype=object) if r < len(scores.sites) else np.full(len(case_ids), None, object)
        side = np.array(scores.sides[r], dtype=object) if r < len(scores.sides) else np.full(len(case_ids), None, object)
        prob = scores.probabilities[:, r] if r < scores.probabilities.shape[1] else np.full(len(case_ids), np.nan)
        site[failed], side[failed] = None, None
        prob = np.where(failed, np.nan, prob)
        out[f"site_{r + 1}"], out[f"side_{r + 1}"], out[f"probability_{r + 1}"] = site, side, prob
    levels = np.array(["-".join(x) if x else "" for x in scores.extra["levels"]], dtype=object)
    triage = np.asarray(scores.levels, dtype=object).copy()
    rules = np.array(scores.rules, dtype=object)
    levels[failed], triage[failed], rules[failed] = None, None, None
    out.update({"levels_1": levels, "triage": triage, "triage_rules": rules, "error": errors})
    return pd.DataFrame(out).astype(OUTPUT)

"""Simulated cohorts as long tables, for anyone to try ``plexnav cohort``.

Finding sets are drawn by the engine's simulator (``engine.simulate.sampled_columns``: a
hypothesis drawn uniformly, each scorable finding kept with probability ``keep``, its
state drawn from the model, a few flipped) and written as case-format rows.  Drawing a
finding set costs milliseconds, so a large cohort reuses ``distinct`` of them, each case
with its own patient and history (age, sex, onset, course, duration, risk factors): the
scoring work per case is the same as for wholly distinct cases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from plexnav import vocabulary as V
from plexnav.engine.model import LikelihoodModel
from plexnav.engine.simulate import sampled_columns, scorable_findings

# state of a simulated finding -> the value a clinician would record
_VALUES = {
    "strength": {"normal": "5", "slight": "4.5", "mild": "4", "severe": "2"},
    "reflex": {"normal": "normal", "low": "reduced", "brisk": "brisk"},
    "plantar": {"flexor": "flexor", "extensor": "extensor", "absent": "absent"},
    "midline_reflex": {"normal": "normal", "abnormal": "absent"},
    "sensation": {"normal": "normal", "abnormal": "reduced"},
    "nerve_conduction": {"normal": "normal", "abnormal": "reduced"},
    "needle_emg": {"normal": "normal", "abnormal": "active_denervation"},
}


def _side(spec) -> str:
    return spec.side if spec.side in ("left", "right") else ""


def column_row(model: LikelihoodModel, key: str, state: str) -> tuple | None:
    """(section, id, side, value, detail) for one simulated (finding, state), or None when
    the case format cannot record it (a sign's absence where the sign takes no result, the
    silent side, which plexnav derives itself)."""
    spec = model.findings[model.finding_index[key]]
    side = _side(spec)
    if spec.target == "movement":
        return ("strength", spec.target_id, side, _VALUES["strength"][state], "")
    if spec.target == "reflex":
        table = "plantar" if spec.kind == "plantar" else "midline_reflex" if spec.kind == "binary" else "reflex"
        return ("reflex", spec.target_id, side, _VALUES[table][state], "")
    if spec.target == "skin" and spec.kind == "binary":
        return ("sensation", spec.target_id, side, _VALUES["sensation"][state], "")
    if spec.target in ("skin", "pain"):
        return ("symptom", "numbness" if spec.target == "skin" else "pain", side, spec.target_id, "")
    if spec.target == "activity":
        return ("symptom", "weakness", side, "", f"activity={spec.target_id}")
    if spec.target == "visceral":
        return ("symptom", spec.target_id, "", "", "")
    if spec.target == "study":
        return ("nerve_conduction", spec.target_id, side, _VALUES["nerve_conduction"][state], "")
    if spec.target == "muscle":
        return ("needle_emg", spec.target_id, side, _VALUES["needle_emg"][state], "")
    if spec.target == "sign" and spec.target_id in V.SIGNS:  # (a conduction block is read from the study)
        detail = f"region={spec.region}" if spec.region else ""
        if state == "present":
            return ("sign", spec.target_id, side, "positive" if spec.target_id in V.SIGNS_WITH_RESULT else "", detail)
        return ("sign", spec.target_id, side, "negative", detail) if spec.target_id in V.SIGNS_WITH_RESULT else None
    return None


def finding_sets(
    model: LikelihoodModel, count: int, rng: np.random.Generator, keep: float = 0.35, flip: float = 0.02
) -> list[list[tuple]]:
    """``count`` simulated finding sets, each as entry rows."""
    findings = scorable_findings(model)
    key_of = {c: key for key, c in model.column.items()}
    rows_of: dict[int, tuple | None] = {}
    sets = []
    for _ in range(count):
        h = int(rng.integers(len(model.hypotheses)))
        rows = []
        for column in map(int, sampled_columns(model, h, findings, rng, keep=keep, flip=flip)):
            if column not in rows_of:
                rows_of[column] = column_row(model, *key_of[column])
            row = rows_of[column]
            if row is not None:
                rows.append(row)
        sets.append(rows)
    return sets


FIELDS = ("section", "id", "side", "value", "detail")
MAX_DAYS = 400  # simulated durations: 1 day to about 13 months


def simulate_chunks(
    model: LikelihoodModel,
    n: int,
    seed: int = 0,
    distinct: int = 2000,
    keep: float = 0.35,
    flip: float = 0.02,
    chunk: int = 100_000,
):
    """Long tables of ``n`` simulated cases (``sim-0000001``…) in chunks of whole cases, rows
    of a case together; memory stays flat however large ``n`` is."""
    rng = np.random.default_rng(seed)
    sets = finding_sets(model, max(1, min(n, distinct)), rng, keep, flip)
    # every distinct value gets a code: the chunks are built by integer indexing
    vocab = sorted(
        {x for rows in sets for row in rows for x in row}
        | set(V.ONSETS)
        | set(V.COURSES)
        | set(V.HISTORY_FACTORS)
        | set(V.SEXES)
        | {"", "patient", "history", "age", "sex", "onset", "course", "duration_days", "factor"}
        | {str(i) for i in range(MAX_DAYS)}
    )
    code = {x: i for i, x in enumerate(vocab)}
    words = pd.Index(vocab, dtype=object)
    set_rows = [np.array([[code[x] for x in row] for row in rows], dtype=np.int32).reshape(-1, 5) for rows in sets]
    lengths = np.array([len(r) for r in set_rows])
    flat = np.concatenate(set_rows) if len(set_rows) else np.zeros((0, 5), np.int32)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    width = len(str(n))
    for first in range(0, n, chunk):
        m = min(chunk, n - first)
        pick = rng.integers(len(sets), size=m)
        history = _history_rows(rng, m, code)
        counts = lengths[pick]
        owner = np.repeat(np.arange(m), counts)
        offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        entries = flat[starts[pick][owner] + offset]
        case = np.concatenate([history[0], owner])
        fields = np.concatenate([history[1], entries])
        order = np.argsort(case, kind="stable")
        case, fields = case[order], fields[order]
        ids = np.array([f"sim-{first + i + 1:0{width}d}" for i in range(m)], dtype=object)
        frame = {"case_id": ids[case]}
        for j, name in enumerate(FIELDS):  # categorical: Parquet dictionary-encodes, scoring reads the codes
            frame[name] = pd.Categorical.from_codes(fields[:, j], categories=words)
        yield pd.DataFrame(frame)


def _history_rows(rng: np.random.Generator, m: int, code: dict) -> tuple[np.ndarray, np.ndarray]:
    """(case index, coded fields) of the patient and history rows of ``m`` cases."""
    empty = code[""]
    ages = rng.integers(18, 91, size=m)
    durations = rng.integers(1, MAX_DAYS, size=m)
    cases, rows = [], []

    def block(section, ident, values):
        cases.append(np.arange(m))
        rows.append(
            np.stack(
                [
                    np.full(m, code[section]),
                    np.full(m, code[ident]),
                    np.full(m, empty),
                    np.array([code[v] for v in values]),
                    np.full(m, empty),
                ],
                axis=1,
            )
        )

    block("patient", "age", [str(a) for a in ages])
    block("patient", "sex", rng.choice(("female", "male"), size=m))
    block("history", "onset", rng.choice(V.ONSETS, size=m))
    block("history", "course", rng.choice(V.COURSES, size=m))
    block("history", "duration_days", [str(d) for d in durations])
    has = rng.random((m, len(V.HISTORY_FACTORS))) < 0.03
    who, which = np.nonzero(has)
    cases.append(who)
    rows.append(
        np.stack(
            [
                np.full(len(who), code["history"]),
                np.full(len(who), code["factor"]),
                np.full(len(who), empty),
                np.array([code[V.HISTORY_FACTORS[f]] for f in which], dtype=np.int64).reshape(-1),
                np.full(len(who), empty),
            ],
            axis=1,
        )
    )
    return np.concatenate(cases), np.concatenate(rows).astype(np.int32)

"""Pieces of a Parquet cohort table: its row groups, each read and scored by one worker.

Why: handing Dask a DataFrame moves every row through the scheduler's graph and, when a
row group ends inside a case, shuffles the whole table by ``case_id``.  A row group read
where it is scored costs neither.  A case belongs to the row group its first row is in;
rows of it that run on into the next group(s) are read from there by the same worker, and
the worker scoring the next group skips them.  Cases whose rows lie apart (not in one run)
are found by the caller from the case-id hashes each piece returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from plexnav.cohort.table import COLUMNS


@dataclass(frozen=True)
class Piece:
    """One row group of one Parquet file, with its case_id range when the file records it."""

    path: str
    group: int
    rows: int
    low: str | None = None
    high: str | None = None


def parquet_pieces(source: str) -> list[Piece]:
    """Every non-empty row group of a Parquet file, or of the ``*.parquet`` files of a
    folder in name order."""
    import pyarrow.parquet as pq

    root = Path(source)
    files = sorted(p for p in root.rglob("*.parquet") if p.is_file()) if root.is_dir() else [root]
    if not files:
        raise ValueError(f"no .parquet files in the folder {source}")
    pieces = []
    for file in files:
        try:
            meta = pq.ParquetFile(file).metadata
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise ValueError(f"cannot read {file} as Parquet: {exc}") from None
        names = [meta.schema.column(i).name for i in range(meta.num_columns)]
        column = names.index("case_id") if "case_id" in names else None
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            if not group.num_rows:
                continue
            low = high = None
            if column is not None:
                stats = group.column(column).statistics
                if stats is not None and stats.has_min_max and isinstance(stats.min, str):
                    low, high = stats.min, stats.max
            pieces.append(Piece(str(file), g, group.num_rows, low, high))
    return pieces


@lru_cache(maxsize=8)
def _file(path: str):
    """The Parquet file, its case ids read as dictionary codes (Parquet stores them so): no
    string per row is made."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = pq.ParquetFile(path).schema_arrow
    wanted = "case_id" in names.names and (
        pa.types.is_string(names.field("case_id").type) or pa.types.is_large_string(names.field("case_id").type)
    )
    return pq.ParquetFile(path, read_dictionary=["case_id"] if wanted else None)


def _read(piece: Piece, columns: list[str] | None = None):
    handle = _file(piece.path)
    present = [c for c in COLUMNS if c in handle.schema_arrow.names]
    return handle.read_row_group(piece.group, columns=columns or present)


def _last_id(piece: Piece) -> str | None:
    ids = _read(piece, ["case_id"]).column("case_id")
    return ids[len(ids) - 1].as_py() if len(ids) else None


def _run_length(ids, case_id: str) -> int:
    """How many rows at the start of ``ids`` (an Arrow array, chunked or not, plain or
    dictionary-encoded) belong to ``case_id``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids]
    run = 0
    for chunk in chunks:
        if pa.types.is_dictionary(chunk.type):
            code = pc.index(chunk.dictionary, case_id).as_py()
            if code < 0:
                return run
            differs = pc.not_equal(chunk.indices, code).fill_null(True)
        else:
            differs = pc.not_equal(chunk, case_id).fill_null(True)
        found = pc.index(differs, True).as_py()
        if found >= 0:
            return run + found
        run += len(chunk)
    return run


def _leading_rows(piece: Piece, case_id: str, columns: list[str]) -> tuple[list, bool]:
    """The rows at the start of ``piece`` that belong to ``case_id`` (Arrow tables), and
    whether that was the whole piece; only the first batches of the group are decoded."""
    import pyarrow as pa

    found = []
    for batch in _file(piece.path).iter_batches(batch_size=4096, row_groups=[piece.group], columns=columns):
        run = _run_length(batch.column("case_id"), case_id)
        if run:
            found.append(pa.Table.from_batches([batch.slice(0, run)]))
        if run < batch.num_rows:
            return found, False
    return found, True


def piece_rows(pieces: list[Piece], i: int):
    """The rows of the cases that start in piece ``i`` (an Arrow table)."""
    import pyarrow as pa

    table = _read(pieces[i])
    ids = table.column("case_id")
    if not len(ids):
        return table
    first = ids[0].as_py()
    if i > 0 and first is not None:
        before = pieces[i - 1]
        # the previous group cannot end with this case when its case_id range excludes it
        possible = before.low is None or before.high is None or before.low <= first <= before.high
        if possible and _last_id(before) == first:
            table = table.slice(_run_length(ids, first))
            if not table.num_rows:
                return table
    last = table.column("case_id")[table.num_rows - 1].as_py()
    extra = []
    for after in pieces[i + 1 :]:
        rows, whole = _leading_rows(after, last, table.column_names)
        extra.extend(rows)
        if not whole:
            break
    if extra:
        table = pa.concat_tables([table, *extra], promote_options="permissive")
    return table


def score_piece(pieces: list[Piece], i: int):
    """Score the cases that start in piece ``i``: (the output rows as an Arrow table, which
    travels to the writer as buffers, the 64-bit hashes of their case ids)."""
    import pandas as pd
    import pyarrow as pa

    from plexnav.cohort.score import score_table

    scored = score_table(piece_rows(pieces, i))
    hashes = pd.util.hash_array(scored["case_id"].to_numpy(dtype=object, na_value=""), categorize=False)
    return pa.Table.from_pandas(scored, preserve_index=False), np.asarray(hashes, dtype=np.uint64)

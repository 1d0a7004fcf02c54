"""``plexnav cohort`` and ``plexnav simulate``: files in and out, pieces on Dask.

A Parquet long table is scored row group by row group (:mod:`plexnav.cohort.pieces`): each
worker reads its own row group and scores it with :func:`plexnav.cohort.score.score_table`,
so rows never travel through this process or the scheduler, and a case cut by a row-group
end is completed from the next group instead of shuffling the table.  A CSV table, or a
Parquet one whose cases' rows lie apart, is read with ``dask.dataframe`` and shuffled by
``case_id`` when its partitions do not hold whole cases.  The one-row-per-case result is
written as Parquet or CSV in input order.  By default a local cluster of one
single-threaded worker process per core runs it; ``scheduler`` names an existing Dask
cluster instead, so an archive is scored where it already lives (its workers must be able
to read the input path).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    import pyarrow.parquet as pq

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


class CohortFileError(Exception):
    """A file problem, said in one line (the commands exit 2)."""


def file_format(path: str, what: str) -> str:
    """parquet or csv from the extension (a directory of Parquet parts counts as Parquet)."""
    p = Path(path)
    if p.is_dir():
        return "parquet"
    found = FORMATS.get(p.suffix.lower())
    if found is None:
        raise CohortFileError(f"{what} {path}: give a .parquet or .csv file")
    return found


def check_output(path: str, source: str | None = None) -> str:
    out = Path(path)
    if out.is_dir():
        raise CohortFileError(f"the output is a directory; give a file name: {path}")
    if not out.parent.is_dir():
        raise CohortFileError(f"the output folder does not exist: {out.parent}")
    if source is not None and Path(source).resolve() == out.resolve():
        raise CohortFileError(f"the output is the input file ({path}); choose another output file")
    return file_format(path, "output")


def _replace(tmp: Path, target: Path) -> None:
    os.replace(tmp, target)


def simulate(n: int, output: str, seed: int = 0, distinct: int = 2000, chunk: int = 25_000) -> int:
    """Write ``n`` simulated cases; the file appears only when complete.  Rows written.

    A Parquet file gets one row group per ``chunk`` cases (about 80 rows each), so no case
    is split between row groups and each is a piece ``plexnav cohort`` scores as it is
    (25,000 cases: about 2 million rows, 10 MB, per piece, as benchmarks/bench_cohort.py
    writes them; smaller pieces pay the per-piece costs more often)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from plexnav.cohort.simulate import simulate_chunks
    from plexnav.modelcache import load_model

    kind = check_output(output)
    target = Path(output)
    tmp = target.with_name(f".{target.name}.partial")
    written = 0
    try:
        writer = None
        with open(tmp, "wb") as handle:
            for frame in simulate_chunks(load_model(), n, seed=seed, distinct=distinct, chunk=chunk):
                written += len(frame)
                if kind == "csv":
                    frame.to_csv(handle, index=False, header=written == len(frame))
                    continue
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(handle, table.schema, compression="zstd")
                writer.write_table(table, row_group_size=len(table))  # one row group per chunk of whole cases
            if writer is not None:
                writer.close()
        _replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written


def _read(source: str, kind: str):
    import dask.dataframe as dd

    columns = {c: "string" for c in ("case_id", "section", "id", "side", "value", "detail")}
    if kind == "csv":
        frame = dd.read_csv(source, dtype=columns, keep_default_na=False, blocksize="64MB")
    else:
        frame = dd.read_parquet(source, split_row_groups=True)
    from plexnav.cohort.score import check_columns
    from plexnav.cohort.table import TableError

    try:
        check_columns(frame.columns)
    except TableError as exc:
        raise CohortFileError(str(exc)) from None
    return frame


def _whole_cases(frame) -> bool:
    """True when no case_id appears in two partitions (no shuffle needed)."""
    import pandas as pd

    firsts = frame["case_id"].map_partitions(lambda s: pd.Series(s.unique()), meta=("case_id", "object")).compute()
    return not firsts.duplicated().any()


def _score_partition(part):
    from plexnav.cohort.score import score_frame

    return score_frame(part)


def _client(scheduler: str | None, workers: int | None):
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise CohortFileError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    import dask

    # Dask starts workers with a fixed 64 kB malloc trim threshold, which also fixes glibc's
    # mmap threshold at 128 kB: every large array a scoring step makes is then mapped and
    # unmapped afresh (a sixth to a third more CPU per piece, measured in one process).
    # Arrays below 256 MB come from the heap instead; the heap stays about one scoring
    # step's size, as CASES_AT_ONCE bounds it.
    # The statistical profiler (samples every worker thread every 10 ms) feeds only the
    # dashboard, which this cluster does not serve.
    with dask.config.set(
        {
            "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": str(2**28),
            "distributed.worker.profile.enabled": False,
        }
    ):
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None
        )
    return Client(cluster), cluster


def score_file(source: str, output: str, scheduler: str | None = None, workers: int | None = None) -> dict:
    """Score every case of ``source`` into one ``output`` file, written in input order as the
    pieces finish (a bounded window in flight, so memory stays flat); the file appears only
    when complete.

    A Parquet input is scored row group by row group, each read by the worker that scores it
    (the rows never pass through this process): a case whose rows run on from one row group
    into the next is scored with the group it starts in.  Should a case's rows lie apart in
    the file, the run is redone with the rows shuffled by case_id (Dask DataFrame), as a CSV
    input always is."""
    if not Path(source).exists():
        raise CohortFileError(f"no such input: {source}")
    kind = file_format(source, "input")
    out_kind = check_output(output, source)
    client, cluster = _client(scheduler, workers)
    target = Path(output)
    tmp = target.with_name(f".{target.name}.partial")
    try:
        counts = None
        if kind == "parquet":
            from plexnav.cohort.pieces import parquet_pieces

            try:
                pieces = parquet_pieces(source)
            except ValueError as exc:
                raise CohortFileError(str(exc)) from None
            counts = _score_pieces(client, pieces, tmp, out_kind)
        if counts is None:
            counts = _score_dataframe(client, source, kind, tmp, out_kind)
        _replace(tmp, target)
        return counts
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _in_order(client: Any, futures: Iterable[Any]) -> Iterator[Any]:
    """Results of a stream of futures in order, with at most a few in flight."""
    from collections import deque

    window: deque = deque()
    limit = 2 * max(1, len(client.scheduler_info()["workers"])) + 1
    for future in futures:
        window.append(future)
        if len(window) >= limit:
            yield window.popleft().result()
    while window:
        yield window.popleft().result()


def _score_pieces(client, pieces: list, tmp: Path, out_kind: str) -> dict | None:
    """Score Parquet row groups where they are read; None when a case's rows lie apart (the
    caller then shuffles), found from the 64-bit hashes of the case ids each piece scored."""
    import numpy as np

    from plexnav.cohort.pieces import score_piece
    from plexnav.cohort.table import TableError

    counts = {"cases": 0, "errors": 0, "partitions": 0, "shuffled": False}
    hashes = []
    futures = (client.submit(score_piece, pieces, i, pure=False) for i in range(len(pieces)))
    with open(tmp, "wb") as handle, _Writer(handle, out_kind) as writer:
        try:
            for scored, ids in _in_order(client, futures):
                hashes.append(ids)
                writer.write(scored, counts)
        except TableError as exc:
            raise CohortFileError(str(exc)) from None
    every = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
    if len(np.unique(every)) != len(every):
        return None
    return counts


def _score_dataframe(client, source: str, kind: str, tmp: Path, out_kind: str) -> dict:
    import pandas as pd

    from plexnav.cohort.score import OUTPUT

    counts = {"cases": 0, "errors": 0, "partitions": 0}
    frame = _read(source, kind)
    counts["shuffled"] = not _whole_cases(frame)
    if counts["shuffled"]:
        frame = frame.shuffle("case_id")
    meta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in OUTPUT.items()})
    scored = frame.map_partitions(_score_partition, meta=meta)
    # one partition's own graph each (to_delayed() shares the whole graph with every
    # partition, which made each one cost far more)
    futures = (client.compute(scored.partitions[i]) for i in range(scored.npartitions))
    with open(tmp, "wb") as handle, _Writer(handle, out_kind) as writer:
        for part in _in_order(client, futures):
            writer.write(part, counts)
    return counts


class _Writer:
    """Appends scored partitions to one CSV or Parquet file."""

    def __init__(self, handle: BinaryIO, kind: str):
        self.handle, self.kind = handle, kind
        self.parquet: pq.ParquetWriter | None = None

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if error is None:
            self.close()
        elif self.parquet is not None:  # the partial file is deleted: just release the writer
            with contextlib.suppress(Exception):
                self.parquet.close()

    def write(self, part, counts: dict) -> None:
        """Append a scored piece: a pandas frame, or the Arrow table of one (see score_piece)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        counts["cases"] += len(part)
        counts["partitions"] += 1
        if isinstance(part, pa.Table):
            counts["errors"] += len(part) - part.column("error").null_count
            if self.kind == "csv":
                part = part.to_pandas()
        else:
            counts["errors"] += int(part["error"].notna().sum())
        if self.kind == "csv":
            part.to_csv(self.handle, index=False, header=counts["partitions"] == 1)
            return
        table = part if isinstance(part, pa.Table) else pa.Table.from_pandas(part, preserve_index=False)
        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.handle, table.schema, compression="zstd")
        self.parquet.write_table(table.cast(self.parquet.schema))

    def close(self) -> None:
        """Finish the file; an input without cases still gives a readable file with the columns."""
        if self.parquet is None:
            import pandas as pd

            from plexnav.cohort.score import OUTPUT

            empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in OUTPUT.items()})
            if self.kind == "csv":
                if not self.handle.tell():
                    empty.to_csv(self.handle, index=False)
                return
            import pyarrow as pa
            import pyarrow.parquet as pq

            self.parquet = pq.ParquetWriter(self.handle, pa.Table.from_pandas(empty, preserve_index=False).schema)
        self.parquet.close()

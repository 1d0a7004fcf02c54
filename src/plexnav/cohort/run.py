"""``plexnav cohort`` and ``plexnav simulate``: files in and out, partitions on Dask.

The long table is read with ``dask.dataframe`` (CSV or Parquet), each partition scored by
:func:`plexnav.cohort.score.score_frame` in a worker process that loads the model once,
and the one-row-per-case result written as Parquet or CSV.  A case's rows must sit in one
partition: when the input's partitions already hold whole cases (as ``plexnav simulate``
writes them, and as a table sorted by case usually is) they are used as they are,
otherwise the rows are shuffled by ``case_id`` first.  By default a local cluster of one
single-threaded worker process per core runs it; ``scheduler`` names an existing Dask
cluster instead, so an archive is scored where it already lives.
"""

from __future__ import annotations

import os
from pathlib import Path

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


def simulate(n: int, output: str, seed: int = 0, distinct: int = 2000, chunk: int = 100_000) -> int:
    """Write ``n`` simulated cases; the file appears only when complete.  Rows written."""
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
                writer.write_table(table)  # one row group per chunk of whole cases
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


def score_file(source: str, output: str, scheduler: str | None = None, workers: int | None = None) -> dict:
    """Score every case of ``source`` into one ``output`` file, written in input order as the
    partitions finish (a bounded window in flight, so memory stays flat); the file
    appears only when complete."""
    if not Path(source).exists():
        raise CohortFileError(f"no such input: {source}")
    kind = file_format(source, "input")
    out_kind = check_output(output, source)
    from collections import deque

    import pandas as pd
    from dask.distributed import Client, LocalCluster

    from plexnav.cohort.score import OUTPUT

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise CohortFileError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    else:
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client = Client(cluster)
    target = Path(output)
    tmp = target.with_name(f".{target.name}.partial")
    counts = {"cases": 0, "errors": 0, "partitions": 0}
    try:
        frame = _read(source, kind)
        counts["shuffled"] = not _whole_cases(frame)
        if counts["shuffled"]:
            frame = frame.shuffle("case_id")
        meta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in OUTPUT.items()})
        scored = frame.map_partitions(_score_partition, meta=meta)
        window: deque = deque()
        with open(tmp, "wb") as handle:
            writer = _Writer(handle, out_kind)
            # one partition's own graph each (to_delayed() shares the whole graph with every
            # partition, which made each one cost far more)
            for i in range(scored.npartitions):
                window.append(client.compute(scored.partitions[i]))
                if len(window) >= 2 * len(client.scheduler_info()["workers"]) + 1:
                    writer.write(window.popleft().result(), counts)
            while window:
                writer.write(window.popleft().result(), counts)
            writer.close()
        _replace(tmp, target)
        return counts
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Writer:
    """Appends scored partitions to one CSV or Parquet file."""

    def __init__(self, handle, kind: str):
        self.handle, self.kind, self.parquet = handle, kind, None

    def write(self, part, counts: dict) -> None:
        counts["cases"] += len(part)
        counts["errors"] += int(part["error"].notna().sum())
        counts["partitions"] += 1
        if self.kind == "csv":
            part.to_csv(self.handle, index=False, header=counts["partitions"] == 1)
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(part, preserve_index=False)
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

"""``plexnav batch``: stream JSON lines in, assessments out, in order, in constant memory.

It never loses data: the paths are checked before anything is written, the answers go to a
temporary file beside the output that replaces it only when every line is done (a missing
input, a crash or Ctrl-C leave an existing output as it was), the input is never the
output, and ``-`` is standard input / standard output.  The same finding set under another
id is answered from a per-worker memo with the id spliced in.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import orjson

from plexnav.answers import AnswerMemo, assessment_bytes, compact_bytes, finding_key, splice_case_id
from plexnav.case import Case
from plexnav.caseline import read_valid_case
from plexnav.gcpause import gc_paused
from plexnav.validation import CaseError, CaseValidationError, load_json, validate_case

STDIO = "-"


class BatchFileError(Exception):
    """A file problem, said in one line (the command exits 2)."""


def check_paths(source: str, output: str) -> None:
    """Refuse before anything is written: a missing or unreadable input, an output that is a
    directory or lies in a missing folder, and an output that is the input."""
    if source != STDIO:
        src = Path(source)
        if not src.exists():
            raise BatchFileError(f"no such input file: {source}")
        if src.is_dir():
            raise BatchFileError(f"the input is a directory, not a JSON Lines file: {source}")
        if not os.access(src, os.R_OK):
            raise BatchFileError(f"cannot read the input file: {source}")
    if output == STDIO:
        return
    out = Path(output)
    if out.is_dir():
        raise BatchFileError(f"the output is a directory; give a file name: {output}")
    folder = out.parent
    if not folder.is_dir():
        raise BatchFileError(f"the output folder does not exist: {folder}")
    if not os.access(folder, os.W_OK):
        raise BatchFileError(f"cannot write in the output folder: {folder}")
    if source != STDIO and (
        Path(source).resolve() == out.resolve() or (out.exists() and os.path.samefile(source, out))
    ):
        raise BatchFileError(f"the output is the input file ({output}); choose another output file")


def _error_line(number: int, case_id, errors: list[CaseError]) -> bytes:
    return orjson.dumps({"case_id": case_id, "line": number, "error": [e.as_dict() for e in errors]})


class _Worker:
    """The model, guidance, memo and output mode of one process."""

    def __init__(self, fields: frozenset[str] | None, memo_size: int):
        from plexnav.modelcache import load_guidance, load_model

        # from the engine snapshot when there is one: a worker starts without reading YAML
        self.model, self.guidance = load_model(), load_guidance()
        self.fields = fields
        self.memo = AnswerMemo(memo_size)
        # the model and knowledge live as long as the process: keep the collector off them
        gc.collect()
        gc.freeze()

    def block(self, lines: list[tuple[int, str]]) -> list[tuple[bool, bytes]]:
        """Answers for one chunk, in order: (True, answer) or (False, error object).

        The cyclic garbage collector waits until the chunk is done: a chunk makes tens of
        thousands of short-lived objects and no cycles to speak of, and collecting while they
        are alive costs about 5% of a compact answer; it runs as usual between chunks."""
        with gc_paused():
            return self._block(lines)

    def _block(self, lines: list[tuple[int, str]]) -> list[tuple[bool, bytes]]:
        out: list = [None] * len(lines)
        # keyed by the findings (bytes), or by (line,) for a case that cannot be keyed
        todo: dict[bytes | tuple[int], list[int]] = {}
        cases: dict[bytes | tuple[int], Case] = {}
        ids = {}
        for i, (number, line) in enumerate(lines):
            found = read_valid_case(line)  # a valid line, read fast; None: the ordinary path decides
            data: object
            if found is not None:
                data, case = found
            else:
                data = None
                try:
                    data = load_json(line)
                    case = validate_case(data)[0]
                except CaseValidationError as exc:
                    case_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
                    out[i] = (False, _error_line(number, case_id, exc.errors))
                    continue
            key = finding_key(data, self.fields) if isinstance(data, dict) else None
            ids[i] = case.id
            stored = self.memo.get(key)
            if stored is not None:
                out[i] = (True, splice_case_id(stored, case.id))
            elif key is None:
                todo[(i,)] = [i]  # not keyable: assessed on its own
                cases[(i,)] = case
            else:
                todo.setdefault(key, []).append(i)
                cases.setdefault(key, case)
        keys = list(todo)
        # a full assessment names its case, so it is made without the id; a compact answer
        # never reads the case's id (compact_bytes writes it), so the case goes as it is
        unnamed = [cases[k] if self.fields else cases[k].model_copy(update={"id": None}) for k in keys]
        for group, answer in zip(keys, self._answers(unnamed), strict=True):
            if isinstance(group, bytes):
                self.memo.put(group, answer)
            for i in todo[group]:
                out[i] = (True, splice_case_id(answer, ids[i]))
        return out

    def _answers(self, cases: list) -> list[bytes]:
        if self.fields is None:
            from plexnav.engine.assess import assess_many

            return [assessment_bytes(a) for a in assess_many(cases, self.model, self.guidance)]
        from plexnav.engine.compact import compact_many

        version = self.model.kb.version_label
        return [
            compact_bytes(a, None, version, self.fields)
            for a in compact_many(cases, self.model, self.guidance, self.fields)
        ]


def _numbered_lines(source: str) -> Iterator[tuple[int, str]]:
    handle = sys.stdin if source == STDIO else open(source, encoding="utf-8")
    try:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line
    finally:
        if handle is not sys.stdin:
            handle.close()


def _check_first(first: tuple[int, str], source: str) -> None:
    """A pretty-printed JSON document (or an array of cases) is not JSON Lines: say so."""
    number, line = first
    text = line.strip()
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        if text[:1] in ("{", "["):
            raise BatchFileError(
                f"{source} line {number} is not a whole JSON value: batch reads JSON Lines, one case per "
                f"line; for one pretty-printed case use `plexnav assess {source}`"
            ) from None
        return
    if isinstance(data, list):
        raise BatchFileError(
            f"{source} line {number} is a JSON array: batch reads JSON Lines, one case object per line"
        )


_STATE: dict = {}


def _init_worker(fields, memo_size) -> None:
    _STATE["worker"] = _Worker(fields, memo_size)


def _work(block):
    return _STATE["worker"].block(block)


def _blocks(lines: Iterator[tuple[int, str]], chunk: int):
    while block := list(islice(lines, chunk)):
        yield block


def _results(lines, chunk: int, workers: int, fields, memo_size: int):
    """Answered blocks in input order; with several workers a bounded window of blocks is
    in flight, so memory stays constant whatever the file size."""
    if workers <= 1:
        worker = _Worker(fields, memo_size)
        yield from map(worker.block, _blocks(lines, chunk))
        return
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(fields, memo_size)) as pool:
        window: deque = deque()
        for block in _blocks(lines, chunk):
            window.append(pool.submit(_work, block))
            if len(window) >= 2 * workers:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def _write_all(out, lines, chunk, workers, fields, memo_size, counts) -> None:
    progress = task = None
    if sys.stderr.isatty():
        from rich.progress import Progress

        progress = Progress(transient=True)
        task = progress.add_task("assessing", total=None)
        progress.start()
    try:
        for results in _results(lines, chunk, workers, fields, memo_size):
            ok = sum(good for good, _ in results)
            counts["ok"] += ok
            counts["errors"] += len(results) - ok
            out.write(b"\n".join(text for _, text in results) + b"\n")
            if progress is not None and task is not None:
                progress.advance(task, len(results))
    finally:
        if progress:
            progress.stop()


def run_batch(
    source: str,
    output: str,
    chunk: int = 512,
    workers: int = 1,
    fields: frozenset[str] | None = None,
    memo_size: int = 4096,
) -> dict[str, int]:
    """Answer every line of ``source`` into ``output``; BatchFileError for a file problem
    (an existing output is then unchanged)."""
    check_paths(source, output)
    counts = {"ok": 0, "errors": 0}
    try:
        lines = _numbered_lines(source)
        first = next(lines, None)
        if first is not None:
            _check_first(first, source)
            lines = _chain(first, lines)
        if output == STDIO:
            _write_all(sys.stdout.buffer, lines, chunk, workers, fields, memo_size, counts)
            sys.stdout.buffer.flush()
            return counts
        target = Path(output)
        handle = tempfile.NamedTemporaryFile(
            "wb", dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
        )
        try:
            with handle:
                _write_all(handle, lines, chunk, workers, fields, memo_size, counts)
            os.chmod(handle.name, _mode_for(target))
            os.replace(handle.name, target)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
    except UnicodeDecodeError as exc:
        raise BatchFileError(f"{source} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise BatchFileError(f"{exc.strerror or exc}: {exc.filename or output}") from None
    return counts


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, or the usual ones for a new file (the temporary
    file is created private)."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _chain(first, rest):
    yield first
    yield from rest


def batch_command(source: str, output: str, fields: str | None, chunk: int, workers: int) -> int:
    """``plexnav batch`` as the command line runs it, for the command table and its quick path
    alike: the counts or the one-line error on standard error, and the exit status."""
    from plexnav.answers import FieldsError, parse_fields

    try:
        counts = run_batch(source, output, chunk, workers or os.cpu_count() or 1, parse_fields(fields))
    except (BatchFileError, FieldsError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stderr.write(f"{counts['ok']} assessed, {counts['errors']} errors\n")
    return 0

"""``plexnav assess CASE [--json]`` and ``plexnav batch`` answered before typer and the
command table load.

The plain forms of the most common command (one case file or ``-``, with or without
``--json``) skip typer, whose parameter parsing builds pydantic validators, and read the
engine from its snapshot (:mod:`plexnav.modelcache`).  Anything else (``--help``,
``--max-bytes``, a misspelt option, a second argument) goes to the full command table,
which answers it exactly as before.  The output, the error lines and the exit status are
those of :func:`plexnav.cli.commands.assess`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def assess_arguments(args: list[str]) -> tuple[str, bool] | None:
    """(case path, JSON wanted) for ``assess PATH [--json]`` in either order, else None."""
    paths = [a for a in args if a != "--json"]
    if len(paths) != 1 or args.count("--json") > 1:
        return None
    path = paths[0]
    if path.startswith("-") and path != "-":
        return None  # an option: the command table knows it or says it does not
    return path, "--json" in args


_BATCH_OPTIONS = {
    "-o": "output",
    "--output": "output",
    "--fields": "fields",
    "--chunk": "chunk",
    "--workers": "workers",
}


def batch_arguments(args: list[str]) -> tuple[str, str, str | None, int, int] | None:
    """(source, output, fields, chunk, workers) for ``batch SOURCE -o OUT [--fields F]
    [--chunk N] [--workers N]`` with each option once, as separate words and with valid
    numbers, else None: the command table parses (and refuses) every other form."""
    values: dict[str, str] = {}
    sources: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        name = _BATCH_OPTIONS.get(word)
        if name is not None:
            if name in values or i + 1 == len(args):
                return None
            values[name] = args[i + 1]
            i += 2
            continue
        if word.startswith("-") and word != "-":
            return None  # --help, --opt=value, a misspelt option: the command table says
        sources.append(word)
        i += 1
    if len(sources) != 1 or "output" not in values:
        return None
    numbers = {"chunk": 512, "workers": 0}
    for name, lowest in (("chunk", 1), ("workers", 0)):
        text = values.get(name)
        if text is not None:
            if not text.isdigit() or int(text) < lowest:
                return None
            numbers[name] = int(text)
    return sources[0], values["output"], values.get("fields"), numbers["chunk"], numbers["workers"]


def run_batch(arguments: tuple[str, str, str | None, int, int]) -> int:
    """``plexnav batch`` without typer: the same files, lines and exit status."""
    from plexnav.cli.batch import batch_command

    return _until_the_reader_goes(lambda: batch_command(*arguments))


def run(path: str, as_json: bool) -> int:
    """:func:`assess` without typer, with the cyclic garbage collector paused: one case in a
    process that ends with it makes few cycles, and the imports and the model snapshot make
    many objects that set off collections finding nothing (about 15 ms of 230 CPU ms)."""
    from plexnav.gcpause import gc_paused

    with gc_paused():
        return _until_the_reader_goes(lambda: assess(path, as_json))


def _until_the_reader_goes(command: Callable[[], int]) -> int:
    """The command's exit status, and what the command table (click) does when the reader of
    standard output goes away: nothing more is printed, the exit status is 1."""
    try:
        status = command()
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return status
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail again
        return 1


def assess(path: str, as_json: bool) -> int:
    """Assess one case and print it; the exit status (2 for a case that cannot be used)."""
    # one case is a few small matrix products: OpenBLAS's worker threads only cost start-up time
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from plexnav.cli.caseinput import LimitSettingError, read_case_text
    from plexnav.validation import CaseValidationError, parse_case

    try:
        case, _ = parse_case(read_case_text(path))
    except LimitSettingError as exc:
        return _error(f"error: {exc}")
    except CaseValidationError as exc:
        return _error("\n".join(f"error: {e.render()}" for e in exc.errors))
    from plexnav.engine.assess import assess as run_assess
    from plexnav.modelcache import load_guidance, load_model

    model = load_model()
    guidance = load_guidance()
    result = run_assess(case, model, guidance)
    if as_json:
        sys.stdout.write(result.to_json(indent=2) + "\n")
    else:
        from plexnav.cli.render import print_assessment

        print_assessment(result, guidance=guidance)
    return 0


def _error(text: str) -> int:
    """What ``typer.echo(text, err=True)`` and exit 2 do."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
    return 2

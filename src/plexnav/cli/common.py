"""Helpers shared by the CLI commands: reading input, choosing an output format, failing politely (exit 2).

Kept free of pydantic and the engine (imported only when a command runs) so that
``plexnav --help`` and ``--version`` start fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from plexnav.validation import CaseValidationError

LIMIT_ENV = "PLEXNAV_MAX_BODY_BYTES"  # the API's body limit; the CLI follows it when it is set
LIMIT_FLAG = "--max-bytes"

MaxBytes = Annotated[
    int | None,
    typer.Option(
        LIMIT_FLAG,
        min=1,
        help="refuse a case file larger than this many bytes "
        "(default: the API's limit, PLEXNAV_MAX_BODY_BYTES or 262144)",
    ),
]


def case_limit(flag: int | None) -> int:
    """The largest case accepted: the flag, else the API's configured limit, else its default."""
    from plexnav.validation import MAX_CASE_BYTES

    if flag is not None:
        return flag
    configured = os.environ.get(LIMIT_ENV, "").strip()
    if configured:
        if not configured.isdigit():
            refuse(f"{LIMIT_ENV} must be a whole number of bytes, not {configured!r}")
        return int(configured)
    return MAX_CASE_BYTES


def read_case_text(path: str, limit: int | None = None) -> bytes:
    """The bytes of a case file (``-``: standard input), refused past ``limit`` as the API would."""
    from plexnav.validation import CaseError, CaseValidationError, check_size

    hint = f" ({LIMIT_FLAG} N raises it)" if limit is not None else f" (the API's limit; {LIMIT_FLAG} N raises it)"
    limit = case_limit(limit)
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)  # never more than one byte past the limit in memory
        if len(data) > limit:
            too_big = f"standard input holds more than the limit of {limit:,} bytes{hint}"
            raise CaseValidationError([CaseError("", too_big)])
        return data
    file = Path(path)
    if not file.is_file():
        raise CaseValidationError([CaseError("", f"no such file: {path}")])
    check_size(file.stat().st_size, limit, hint)
    return file.read_bytes()


def fail(exc: CaseValidationError, message: str | None = None) -> NoReturn:
    text = message or "\n".join(f"error: {e.render()}" for e in exc.errors)
    typer.echo(text, err=True)
    raise typer.Exit(code=2)


def refuse(message: str) -> NoReturn:
    """One line on standard error, exit 2: the CLI's answer to any input it cannot use."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def output_format(output: str | None, chosen: str | None, extensions: dict[str, str], default: str) -> str:
    """The format to write: the ``-o`` file's extension decides, and a ``--format`` that
    disagrees with it is refused rather than writing, say, Markdown into ``review.csv``.

    ``extensions`` maps a lower-case suffix ('.csv') to its format; standard output (``-``)
    and no ``-o`` take ``chosen`` or ``default``.
    """
    if output in (None, "-"):
        return chosen or default
    suffix = Path(output).suffix.lower()
    by_name = extensions.get(suffix)
    if by_name is None:
        known = ", ".join(sorted(extensions))
        refuse(f"cannot tell the format of {output!r} from its extension; name it with one of: {known}")
    if chosen is not None and chosen != by_name:
        refuse(
            f"{output!r} is a {by_name} file name but the format asked for is {chosen}; "
            f"change the extension or the format"
        )
    return by_name

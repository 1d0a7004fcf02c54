"""Helpers shared by the CLI commands: reading input, choosing an output format, failing politely (exit 2).

Kept free of pydantic and the engine (imported only when a command runs) so that
``plexnav --help`` and ``--version`` start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from plexnav.cli import caseinput
from plexnav.cli.caseinput import LIMIT_FLAG

if TYPE_CHECKING:
    from plexnav.validation import CaseValidationError

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
    try:
        return caseinput.case_limit(flag)
    except caseinput.LimitSettingError as exc:
        refuse(str(exc))


def read_case_text(path: str, limit: int | None = None) -> bytes:
    """The bytes of a case file (``-``: standard input), refused past ``limit`` as the API would."""
    try:
        return caseinput.read_case_text(path, limit)
    except caseinput.LimitSettingError as exc:
        refuse(str(exc))


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

"""Reading one case file for the CLI, as the API reads a body: the size limit and its setting.

Free of typer, pydantic and the engine, so :mod:`plexnav.cli.quick` can read a case before
anything else loads; :mod:`plexnav.cli.common` turns its errors into the CLI's exit 2.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

LIMIT_ENV = "PLEXNAV_MAX_BODY_BYTES"  # the API's body limit; the CLI follows it when it is set
LIMIT_FLAG = "--max-bytes"


class LimitSettingError(ValueError):
    """PLEXNAV_MAX_BODY_BYTES is set to something that is not a whole number of bytes."""


def case_limit(flag: int | None) -> int:
    """The largest case accepted: the flag, else the API's configured limit, else its default."""
    from plexnav.validation import MAX_CASE_BYTES

    if flag is not None:
        return flag
    configured = os.environ.get(LIMIT_ENV, "").strip()
    if configured:
        if not configured.isdigit():
            raise LimitSettingError(f"{LIMIT_ENV} must be a whole number of bytes, not {configured!r}")
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

"""One check of every request body's values, before any route sees them.

Some values are valid JSON (or form data) yet no field of plexnav may hold them, and they
once gave 500s: a NUL character (PostgreSQL refuses it in text and the error log printed the
row), ``NaN``/``Infinity`` (stored as ``NaN`` on SQLite, exported as ``null``), a number too
large for a double (``1e400``) or with thousands of digits (a 4,000-digit ``duration_days``).
They are refused here with 422 naming the field, for every route at once: the JSON API, CDS
Hooks and the HTML forms.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from urllib.parse import parse_qsl

MAX_DIGITS = 15  # every whole number plexnav reads is far smaller; 10**15 is still exact in a double
NUL = "\x00"


@dataclass(frozen=True)
class BadValue:
    """A parsed number no field accepts (kept as a marker so its JSON path can be named)."""

    message: str


def _parse_int(text: str):
    digits = len(text.lstrip("-"))
    return (
        BadValue(f"a number with {digits} digits is too large (at most {MAX_DIGITS})")
        if digits > MAX_DIGITS
        else int(text)
    )


def _parse_float(text: str):
    value = float(text)
    return value if math.isfinite(value) else BadValue(f"{text[:20]} is too large to be a number here")


def _parse_constant(name: str):
    return BadValue(f"{name} is not a number here: give a finite number")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _walk(value, path: str) -> tuple[str, str] | None:
    if isinstance(value, BadValue):
        return path, value.message
    if isinstance(value, str):
        return (path, "text may not contain the NUL character (\\u0000)") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                return path, "a field name may not contain the NUL character (\\u0000)"
            found = _walk(item, _join(path, key))
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _walk(item, _join(path, i))
            if found:
                return found
    return None


# Every value refused above shows in the raw text: a NUL is written ``\u0000`` (JSON text
# cannot hold it raw), NaN and Infinity are spelt out, a number too long or too large has a
# run of more than MAX_DIGITS digits or a three-digit exponent.  A body with none of these
# (nearly every body) needs no parse here; one with any of them, even inside a string where
# it is harmless, is parsed and walked.  (Plain substring searches on a copy with every digit
# made 0 and E made e: a regular expression spent longer than the walk it saved.)
_FOLD = bytes.maketrans(b"123456789E", b"000000000e")
_FOLDED_SUSPECTS = (b"0" * (MAX_DIGITS + 1), b"e000", b"e+000", b"e-000")


def _suspect(body: bytes) -> bool:
    if b"\\u0000" in body or b"NaN" in body or b"Infinity" in body:
        return True
    folded = body.translate(_FOLD)
    return any(s in folded for s in _FOLDED_SUSPECTS)


def json_problem(body: bytes) -> tuple[str, str] | None:
    """``(path, message)`` of the first value no field accepts, or None (malformed JSON is
    left to the route's own parser, which names the syntax error)."""
    if not _suspect(body):
        return None
    try:
        data = json.loads(body, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except (ValueError, RecursionError):
        return None
    return _walk(data, "")


def form_problem(body: bytes) -> tuple[str, str] | None:
    """The same for an HTML form (``application/x-www-form-urlencoded``): NUL in a field."""
    try:
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    except ValueError:
        return None
    for key, value in pairs:
        if NUL in key or NUL in value:
            return key.replace(NUL, ""), "text may not contain the NUL character (\\u0000)"
    return None

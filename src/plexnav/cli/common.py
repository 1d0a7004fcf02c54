"""Helpers shared by the CLI commands: reading input and failing politely (exit 2)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer

from plexnav.validation import CaseError, CaseValidationError


def read_case_text(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    file = Path(path)
    if not file.is_file():
        raise CaseValidationError([CaseError("", f"no such file: {path}")])
    return file.read_bytes()


def fail(exc: CaseValidationError, message: str | None = None) -> NoReturn:
    text = message or "\n".join(f"error: {e.render()}" for e in exc.errors)
    typer.echo(text, err=True)
    raise typer.Exit(code=2)

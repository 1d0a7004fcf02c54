"""Helpers for the report tests: read a PDF back as text and count its pages."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

DIARY_FIXTURE = Path(__file__).resolve().parents[1] / "diary" / "data" / "recovery-diary.json"


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in reading order (poppler's pdftotext; installed by scripts/install-system-deps.sh)."""
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail("pdftotext is missing: run scripts/install-system-deps.sh (poppler-utils)")
    out = subprocess.run([exe, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60)
    return out.stdout.decode("utf-8")


def flat(text: str) -> str:
    """Whitespace collapsed, so phrases that wrap across lines still match."""
    return " ".join(text.split())


def html_text(html: str) -> str:
    """A rendered report's text: tags dropped, whitespace collapsed."""
    return flat(re.sub(r"<[^>]+>", " ", html))


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)

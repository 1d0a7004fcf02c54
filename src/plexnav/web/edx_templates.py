"""Nerve conduction and EMG templates for the exam page (``web/data/edx_templates.yaml``).

Why: a full study took dozens of selects; a template sets a standard study's cells of one
side to "normal" where still blank, and the examiner changes only the abnormal ones.
Which studies a protocol covers is data with sources, not code.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

DATA_FILE = "edx_templates.yaml"


@lru_cache(maxsize=1)
def templates() -> list[dict]:
    text = resources.files("plexnav.web").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)["templates"]


def field_names(template: dict) -> list[str]:
    """The exam form's field stems the template fills (a side is appended per button)."""
    return [f"ncs.{s}" for s in template["studies"]] + [f"emg.{m}" for m in template["muscles"]]

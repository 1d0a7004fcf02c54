"""Diary plots: real PNG and SVG bytes, deterministic, no display needed."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from plexnav.diary import Diary, DiaryEntry, from_json
from plexnav.diary.plots import data_uri, pain_function_plot, strength_plot

FIXTURE = Path(__file__).parent / "data" / "recovery-diary.json"


@pytest.fixture(scope="module")
def diary():
    return from_json(FIXTURE.read_text())


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_pain_function_plot_png(diary):
    png = pain_function_plot(diary, "png", dpi=80)
    width, height = _png_size(png)
    assert 400 < width < 1000 and 250 < height < 800


def test_plots_are_svg_and_deterministic(diary):
    svg = pain_function_plot(diary, "svg")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    assert pain_function_plot(diary, "svg") == svg
    assert strength_plot(diary, "svg") == strength_plot(diary, "svg")


def test_strength_plot_only_with_grades(diary):
    assert _png_size(strength_plot(diary, "png", dpi=80))[0] > 300
    no_grades = Diary(entries=[e for e in diary.entries if not e.strength])
    assert strength_plot(no_grades) is None
    assert pain_function_plot(Diary(entries=[DiaryEntry(date="2026-01-01", notes="nothing rated")])) is None


def test_single_entry_and_function_only_diaries_plot():
    one = Diary(entries=[DiaryEntry(date="2026-01-01", pain=[{"region": "groin", "side": "left", "score": 3}])])
    _png_size(pain_function_plot(one, dpi=60))
    func = Diary(
        entries=[
            DiaryEntry(date="2026-01-01", function={"sleep": 3}),
            DiaryEntry(date="2026-01-20", function={"sleep": 5}, falls=1),
        ]
    )
    _png_size(pain_function_plot(func, dpi=60))


def test_data_uri_and_unknown_format(diary):
    assert data_uri(b"abc", "png") == "data:image/png;base64,YWJj"
    with pytest.raises(ValueError, match="png or svg"):
        pain_function_plot(diary, "gif")


def test_typed_text_is_never_parsed_as_mathematics():
    """Issue 12, item 3: ``$\\frac{1}{$`` in an event once made every plot raise."""
    import datetime as dt

    from plexnav.diary.models import Diary, DiaryEntry
    from plexnav.diary.plots import pain_function_plot, strength_plot

    day = dt.date(2026, 1, 5)
    diary = Diary(
        entries=[
            DiaryEntry(
                date=day,
                author="clinician",
                pain=[{"region": "lateral_leg", "side": "right", "score": 3}],
                events=[{"kind": "other", "description": "costs $\\frac{1}{$ a day"}],
                strength=[{"movement": "ankle_dorsiflexion", "side": "right", "mrc": 4}],
            ),
            DiaryEntry(
                date=day + dt.timedelta(days=9),
                pain=[{"region": "lateral_leg", "side": "right", "score": 2}],
                medication_changes=[{"medication": "$x^{$", "change": "started"}],
            ),
        ]
    )
    for fmt in ("png", "svg"):
        assert pain_function_plot(diary, fmt=fmt) and strength_plot(diary, fmt=fmt)


def test_red_flags_and_falls_are_marked_on_the_plot():
    """Issue 9, item 7: falls and red flags are marked on diary plots (in the legend of the SVG)."""
    import datetime as dt

    from plexnav.diary.models import Diary, DiaryEntry
    from plexnav.diary.plots import pain_function_plot

    day = dt.date(2026, 1, 5)
    pain = [{"region": "lateral_leg", "side": "right", "score": 3}]
    plain = Diary(entries=[DiaryEntry(date=day, pain=pain), DiaryEntry(date=day + dt.timedelta(days=8), pain=pain)])
    flagged = Diary(
        entries=[
            DiaryEntry(date=day, pain=pain, falls=2),
            DiaryEntry(date=day + dt.timedelta(days=8), pain=pain, bladder_change=True),
        ]
    )
    svg_plain = pain_function_plot(plain, fmt="svg").decode()
    svg_flagged = pain_function_plot(flagged, fmt="svg").decode()
    # text is drawn as paths; matplotlib keeps each text as an SVG comment
    assert "<!-- red flag recorded -->" not in svg_plain and "<!-- fall -->" not in svg_plain
    assert "<!-- red flag recorded -->" in svg_flagged and "<!-- fall -->" in svg_flagged

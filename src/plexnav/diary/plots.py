"""Diary plots as PNG or SVG bytes, for embedding in HTML and PDF.

Matplotlib's object API with the Agg canvas only: no pyplot, no global backend switch, no
display, nothing left open, safe to call from a web worker.  Output is deterministic for
the same diary (fixed SVG hash salt, no date stamp).

What people type (event descriptions, medicine names) is drawn as plain text, never parsed
as mathematics (``text.parse_math`` off: ``costs $\\frac{1}{$ a day`` once broke every later
page and PDF).  Entries dated outside 1900..tomorrow are not plotted, and :func:`try_plot`
turns any other drawing failure into a sentence for the page instead of an error.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
from collections.abc import Callable
from typing import Any

from matplotlib import dates as mdates
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.typing import RcKeyType

from plexnav.diary.analysis import weekly_summaries
from plexnav.diary.models import EVENT_WORDS, FUNCTION_DOMAINS, FUNCTION_WORDS, Diary

log = logging.getLogger("plexnav.diary.plots")

FORMATS = ("png", "svg")
PLOT_FAILED = "This plot could not be drawn from the diary entries; the entries themselves are listed in full."
RC: dict[RcKeyType, Any] = {
    "text.parse_math": False,
    "text.usetex": False,
    "svg.hashsalt": "plexnav",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
PAIN_COLOR = "#b91c1c"
DOMAIN_COLORS = {"walking": "#1d4ed8", "stairs": "#047857", "rising_from_chair": "#7c3aed", "sleep": "#b45309"}
EVENT_COLOR = "#57534e"
MEDICATION_COLOR = "#0e7490"
SIDE_STYLES: dict[str, Any] = {"left": "-", "right": "--", "bilateral": ":"}
MARKERS = "osD^v<>pPXh*d"


def _save(fig: Figure, fmt: str, dpi: int) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; choose png or svg")
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, bbox_inches="tight", pad_inches=0.05)
    return buffer.getvalue()


def data_uri(image: bytes, fmt: str) -> str:
    """``data:`` URI for an <img src> (HTML and WeasyPrint both accept it)."""
    mime = {"png": "image/png", "svg": "image/svg+xml"}[fmt]
    return f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"


def _date_axis(ax, first: dt.datetime, last: dt.datetime) -> None:
    pad = max((last - first) * 0.04, dt.timedelta(days=1))
    ax.set_xlim(first - pad, last + pad)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _events(diary: Diary) -> list[tuple[dt.datetime, str, str]]:
    """(moment, label, colour) of each event and medication change."""
    out = []
    for e in diary.sorted_entries():
        for ev in e.events:
            label = EVENT_WORDS[ev.kind] + (f": {ev.description}" if ev.description else "")
            out.append((e.moment, label, EVENT_COLOR))
        for m in e.medication_changes:
            out.append((e.moment, f"{m.medication} {m.change}", MEDICATION_COLOR))
    return out


def _mark_events(axes, events, label_axis) -> None:
    for i, (when, label, color) in enumerate(events):
        for ax in axes:
            ax.axvline(when, color=color, linestyle=(0, (4, 3)), linewidth=0.9, zorder=1)
        short = label if len(label) <= 32 else label[:31] + "\u2026"
        label_axis.annotate(
            short,
            xy=(when, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(2, -2 - 10 * (i % 3)),
            textcoords="offset points",
            fontsize=7,
            color=color,
            va="top",
            ha="left",
            zorder=6,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )


def _weekly_steps(ax, values, color: str, width: float, label: str | None = None) -> None:
    """Each week's average as a level segment across that week."""
    for i, (week, value) in enumerate(values):
        start = dt.datetime.combine(week.start, dt.time(0))
        ax.hlines(
            value,
            start,
            start + dt.timedelta(days=7),
            colors=color,
            linewidth=width,
            zorder=4,
            label=label if i == 0 else None,
        )


def _range(diary: Diary) -> tuple[dt.datetime, dt.datetime]:
    moments = [e.moment for e in diary.entries]
    return min(moments), max(moments)


RED_FLAG_COLOR = "#991b1b"


def _mark_flags_and_falls(ax, entries, falls_elsewhere: bool) -> None:
    """Entries that recorded a red flag (bladder, bowel, saddle numbness, sudden weakness) as
    triangles along the top; falls as crosses along the bottom when no function panel shows them."""
    flagged = [e.moment for e in entries if e.red_flags]
    if flagged:
        ax.plot(
            flagged,
            [10.0] * len(flagged),
            "v",
            color=RED_FLAG_COLOR,
            markersize=7,
            zorder=6,
            clip_on=False,
            label="red flag recorded",
        )
    falls = [e.moment for e in entries if e.falls]
    if falls and not falls_elsewhere:
        ax.plot(falls, [0.2] * len(falls), "X", color="#111827", markersize=6, zorder=5, label="fall")
    if flagged or (falls and not falls_elsewhere):
        ax.legend(loc="upper right", fontsize=7, frameon=False, ncol=4, bbox_to_anchor=(1.0, 1.18))


def pain_function_plot(
    diary: Diary, fmt: str = "png", dpi: int = 150, width: float = 7.0, panel_height: float = 2.1
) -> bytes | None:
    """Pain (worst per entry, weekly average) above, everyday function below; events marked.

    None when the diary has no pain or function scores.
    """
    diary = diary.in_range()
    entries = diary.sorted_entries()
    has_pain = any(e.pain for e in entries)
    has_function = any(e.function.recorded() for e in entries)
    if not (has_pain or has_function):
        return None
    weeks = weekly_summaries(diary)
    events = _events(diary)
    first, last = _range(diary)
    last = max(last, dt.datetime.combine(weeks[-1].end, dt.time(0)) + dt.timedelta(days=1))
    with rc_context(RC):
        rows = [name for name, present in (("pain", has_pain), ("function", has_function)) if present]
        fig = Figure(figsize=(width, panel_height * len(rows) + 0.3))
        axes = fig.subplots(len(rows), 1, sharex=True, squeeze=False)[:, 0]
        by_name = dict(zip(rows, axes, strict=True))
        if has_pain:
            ax = by_name["pain"]
            pts = [(e.moment, e.worst_pain) for e in entries if e.worst_pain is not None]
            ax.plot(
                [p[0] for p in pts],
                [p[1] for p in pts],
                "o",
                color=PAIN_COLOR,
                alpha=0.45,
                markersize=3.5,
                label="worst pain of the day",
                zorder=3,
            )
            _weekly_steps(ax, [(w, w.pain) for w in weeks if w.pain is not None], PAIN_COLOR, 2.2, "weekly average")
            ax.set_ylim(-0.3, 10.3)
            ax.set_yticks([0, 2, 4, 6, 8, 10])
            ax.set_ylabel("Pain (0\u201310)\nhigher is worse")
            ax.grid(axis="y", color="#e7e5e4", linewidth=0.6)
            ax.legend(loc="upper right", fontsize=7, frameon=False, ncol=2, bbox_to_anchor=(1.0, 1.18))
        if has_function:
            ax = by_name["function"]
            for domain in FUNCTION_DOMAINS:
                pts = [
                    (e.moment, getattr(e.function, domain)) for e in entries if getattr(e.function, domain) is not None
                ]
                if pts:
                    ax.plot(
                        [p[0] for p in pts],
                        [p[1] for p in pts],
                        "o",
                        markersize=3,
                        alpha=0.5,
                        color=DOMAIN_COLORS[domain],
                        label=FUNCTION_WORDS[domain],
                        zorder=3,
                    )
                    _weekly_steps(
                        ax,
                        [(w, w.function_by_domain[domain]) for w in weeks if domain in w.function_by_domain],
                        DOMAIN_COLORS[domain],
                        1.6,
                    )
            falls = [(e.moment, e.falls) for e in entries if e.falls]
            if falls:
                ax.plot(
                    [f[0] for f in falls],
                    [0.2] * len(falls),
                    "X",
                    color="#111827",
                    markersize=6,
                    label="fall",
                    zorder=5,
                )
            ax.set_ylim(-0.3, 10.3)
            ax.set_yticks([0, 2, 4, 6, 8, 10])
            ax.set_ylabel("Function (0\u201310)\nhigher is better")
            ax.grid(axis="y", color="#e7e5e4", linewidth=0.6)
            ax.legend(loc="upper right", fontsize=7, frameon=False, ncol=5, bbox_to_anchor=(1.0, 1.18))
        _mark_flags_and_falls(axes[0], entries, falls_elsewhere=has_function)
        _date_axis(axes[-1], first, last)
        if events:
            _mark_events(axes, events, axes[0])
        fig.align_ylabels(axes)
        fig.subplots_adjust(hspace=0.35)
        return _save(fig, fmt, dpi)


def strength_plot(diary: Diary, fmt: str = "png", dpi: int = 150, width: float = 7.0) -> bytes | None:
    """Clinician MRC grades per movement and side over time (None when no grades were recorded)."""
    from plexnav.knowledge.base import load_knowledge

    diary = diary.in_range()
    series: dict[tuple[str, str], list[tuple[dt.datetime, float]]] = {}
    for e in diary.sorted_entries():
        for g in e.strength:
            series.setdefault((g.movement, g.side), []).append((e.moment, g.mrc))
    if not series:
        return None
    kb = load_knowledge()
    movements = list(dict.fromkeys(m for m, _ in series))
    first, last = _range(diary)
    with rc_context(RC):
        fig = Figure(figsize=(width, 2.6))
        ax = fig.subplots()
        colors = [
            "#1d4ed8",
            "#b91c1c",
            "#047857",
            "#7c3aed",
            "#b45309",
            "#0e7490",
            "#be185d",
            "#4d7c0f",
            "#1e3a8a",
            "#9a3412",
            "#065f46",
            "#5b21b6",
            "#854d0e",
        ]
        sides = {side for _, side in series}
        for (movement, side), pts in series.items():
            i = movements.index(movement)
            # datetimes: matplotlib converts them through its unit registry, which its stubs do not know
            moments: Any = [p[0] for p in pts]
            ax.plot(
                moments,
                [p[1] for p in pts],
                linestyle=SIDE_STYLES[side] if len(sides) > 1 else "-",
                marker=MARKERS[i % len(MARKERS)],
                color=colors[i % len(colors)],
                markersize=4,
                linewidth=1.3,
                label=f"{kb.movements[movement].name} ({side})",
            )
        ax.set_ylim(-0.2, 5.3)
        ax.set_yticks([0, 1, 2, 3, 4, 5])
        ax.set_ylabel("MRC grade\n(5 normal)")
        ax.grid(axis="y", color="#e7e5e4", linewidth=0.6)
        _date_axis(ax, first, last)
        events = _events(diary)
        if events:
            _mark_events([ax], events, ax)
        handles, labels = ax.get_legend_handles_labels()
        if len(sides) > 1:
            handles += [
                Line2D([], [], color="#444", linestyle=SIDE_STYLES[s], label=f"{s} side")
                for s in ("left", "right", "bilateral")
                if s in sides
            ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
        return _save(fig, fmt, dpi)


def try_plot(plot: Callable[..., bytes | None], diary: Diary, *args, **kwargs) -> tuple[bytes | None, str | None]:
    """``(image or None, None)``, or ``(None, PLOT_FAILED)`` when drawing failed: a page or
    PDF then says so in words instead of failing (the cause goes to the log, no entry text)."""
    try:
        return plot(diary, *args, **kwargs), None
    except Exception as exc:  # noqa: BLE001 - any drawing failure must degrade, never break the page
        log.warning("diary plot %s failed: %s", getattr(plot, "__name__", "plot"), exc.__class__.__name__)
        return None, PLOT_FAILED

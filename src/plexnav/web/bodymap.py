"""The web pages' side of the body map: form keys and the call to the one renderer.

The geometry and the drawing are :mod:`plexnav.reports.bodymap` (one geometry file, one
renderer, the same as in the printed reports); this module only translates between the map
and the forms.  A form key is ``region:side`` for a lateral region (``anterior_thigh:right``),
the region alone for a midline region (``saddle``), and ``whole_foot_stocking:bilateral``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Literal, TypeVar

from markupsafe import Markup

from plexnav import vocabulary as V
from plexnav.case import Case
from plexnav.reports import bodymap as geometry
from plexnav.web import labels

WebMode = Literal["toggle", "cycle", "shade", "symptoms"]
T = TypeVar("T")

# What an outline on the territory map stands for (present.observed_sensory's values).
OUTLINE_WORDS = {
    "reduced": "sensation found reduced",
    "absent": "sensation found absent",
    "increased": "sensation found increased",
    "numbness": "numbness reported",
    "tingling": "tingling reported",
}


def key_of(region: str, side: str | None) -> str:
    return f"{region}:{side}" if side else region


def split_key(key: str) -> tuple[str, str | None]:
    region, _, side = key.partition(":")
    return region, side or None


def map_keys() -> list[str]:
    """Every distinct form key the map draws, in the geometry file's order."""
    return geometry.form_keys()


def region_keys() -> list[tuple[str, str | None]]:
    """Every (region, side) a sensation or symptom can be entered for, map or not, in
    vocabulary order: lateral regions per side, midline regions once, the stocking pattern
    as bilateral."""
    out: list[tuple[str, str | None]] = []
    for region in V.SKIN_REGIONS:
        if region in V.MIDLINE_REGIONS:
            out.append((region, None))
        elif region == "whole_foot_stocking":
            out.append((region, "bilateral"))
        else:
            out += [(region, "right"), (region, "left")]
    return out


def _shape_keys(values: Mapping[str, T]) -> dict[geometry.Key, T]:
    """Form-keyed values as the renderer's (region, side) keys; keys the map does not draw
    (a one-sided saddle, say) are left to the lists beside the map."""
    drawn = set(geometry.region_keys())
    out: dict[geometry.Key, T] = {}
    for key, value in values.items():
        region, side = split_key(key)
        if region not in V.SKIN_REGIONS or side not in (None, *V.SIDES):
            continue
        shapes = geometry.expand_key(region, side)
        if all(shape in drawn for shape in shapes):
            out[geometry.key_of(region, side)] = value
    return out


def symptom_legend(case: Case | None) -> dict | None:
    """What the symptoms map of a case shows, for its legend (None when it shows nothing):
    whether pain is shaded, and the letters used with their words, as on the patient's PDF."""
    if case is None:
        return None
    shading, marks = geometry.symptom_map(case)
    used = {m for text in marks.values() for m in text.split(" ")}
    if not (shading or used):
        return None
    letters = [(m, geometry.SYMPTOM_MARK_WORDS[m]) for m in geometry.SYMPTOM_MARK_WORDS if m in used]
    return {"shaded": bool(shading), "letters": letters}


def svg(
    svg_id: str,
    mode: WebMode,
    label: str,
    *,
    input_name: str = "",
    selected: Collection[str] = (),
    states: Mapping[str, str] | None = None,
    shading: Mapping[str, float] | None = None,
    observed: Mapping[str, str] | None = None,
    case: Case | None = None,
) -> Markup:
    """One body map of a page: ``toggle`` (the questionnaire's checkboxes named
    ``input_name``), ``cycle`` (the examination's sensation selects), ``shade`` (a
    read-only territory, with the regions where something was found outlined) or
    ``symptoms`` (the case's symptoms, shaded and lettered as on the patient's PDF)."""
    drawn = set(geometry.form_keys())
    if mode == "symptoms":
        if case is None:
            raise ValueError("a symptoms map needs the case")
        shading_, marks = geometry.symptom_map(case)
        return Markup(
            geometry.render_body_map(
                shading_,
                marks,
                title=label,
                id_prefix=f"{svg_id}-",
                svg_id=svg_id,
                mark_words=geometry.SYMPTOM_MARK_WORDS,
            )
        )
    if mode == "shade":
        shades = {k: float(v) for k, v in _shape_keys(shading or {}).items()}
        outlines = {k: OUTLINE_WORDS.get(str(v), str(v)) for k, v in _shape_keys(observed or {}).items()}
        return Markup(
            geometry.render_body_map(
                shades, title=label, id_prefix=f"{svg_id}-", svg_id=svg_id, outlined=outlines, mode="image"
            )
        )
    if mode == "toggle":
        names = labels.PLAIN_REGIONS
    elif mode == "cycle":
        names = {region: labels.region(region) for region in V.SKIN_REGIONS}
    else:
        raise ValueError(f"unknown body map mode {mode!r}; choose toggle, cycle, shade or symptoms")
    picked = [key for key in selected if key in drawn]
    known = {key: value for key, value in (states or {}).items() if key in drawn and value in geometry.CYCLE_STATES}
    return Markup(
        geometry.render_body_map(
            title=label,
            id_prefix=f"{svg_id}-",
            svg_id=svg_id,
            mode=mode,
            names=names,
            selected=picked,
            states=known,
            input_name=input_name or None,
        )
    )

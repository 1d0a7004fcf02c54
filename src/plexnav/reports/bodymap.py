"""The one body map: front and back of both legs, pelvis, saddle, soles and the stocking.

One geometry (``data/bodymap.yaml``, versioned, with its sources) and one renderer
(:func:`render_body_map`) serve every map plexnav draws: the printed reports (shaded
territory, symptom marks), the result and guided pages (shaded territory) and the clickable
maps of the questionnaire (``mode="toggle"``) and the examination page (``mode="cycle"``).

Every region carries ``data-region``, ``data-side`` and ``data-key`` (the form value:
``region:side``, ``region`` for a midline region, ``whole_foot_stocking:bilateral``) and words
that say what the colour and marks show, so nothing is conveyed by colour alone.  On the
clickable maps each region is a focusable group of its drawn polygon and, for a small
region, an invisible hit area of at least the target size (WCAG 2.5.8).

Keys are ``(region, side)`` pairs.  Midline regions (``saddle``, ``genital``) are drawn once
with side ``bilateral``; a lateral region given with side ``bilateral`` (or ``None``) means
both the left and the right shape.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib import resources
from itertools import pairwise
from typing import Any, Literal

import yaml

from plexnav import vocabulary as V

Key = tuple[str, str]
Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1
Mode = Literal["image", "toggle", "cycle"]
MODES: tuple[Mode, ...] = ("image", "toggle", "cycle")

GEOMETRY_FILE = "bodymap.yaml"

# Sequential colour scale (light to dark, ColorBrewer OrRd): readable in grey print too.
SCALE = (
    (0.0, (254, 240, 217)),
    (0.25, (253, 204, 138)),
    (0.5, (252, 141, 89)),
    (0.75, (227, 74, 51)),
    (1.0, (179, 0, 0)),
)
UNSHADED = "#ffffff"
SILHOUETTE = "#e7e5e4"
STROKE = "#57534e"
FONT = "DejaVu Sans, sans-serif"
# Sensation states of the examination map; each has its own texture, not colour alone.
CYCLE_STATES = ("reduced", "absent", "increased", "normal")
_PATTERNS = (
    '<defs aria-hidden="true">'
    '<pattern id="pat-reduced" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#f4c430"></rect><rect width="2.5" height="6" fill="#5c4400"></rect></pattern>'
    '<pattern id="pat-absent" width="7" height="7" patternUnits="userSpaceOnUse">'
    '<rect width="7" height="7" fill="#b00020"></rect>'
    '<path d="M0 0L7 7M7 0L0 7" stroke="#fff" stroke-width="1.3"></path></pattern>'
    '<pattern id="pat-increased" width="7" height="7" patternUnits="userSpaceOnUse">'
    '<rect width="7" height="7" fill="#7b3fe4"></rect><circle cx="3.5" cy="3.5" r="1.6" fill="#fff"></circle></pattern>'
    "</defs>"
)


@dataclass(frozen=True)
class RegionShape:
    """One region's polygon on the map, in SVG user units, with its hit area if it has one."""

    region: str
    side: str  # left, right, or bilateral for midline regions
    view: str  # front, back, soles, stocking
    points: tuple[Point, ...]
    hit: Rect | None = None
    recorded_once: bool = False  # a form records it once for both sides (the stocking)
    order: int = 0  # position in the geometry file (keyboard order on the clickable maps)

    @property
    def dom_id(self) -> str:
        return f"region-{self.region}-{self.side}"

    @property
    def key(self) -> str:
        """The form value of the region: ``region:side``, ``region`` for a midline region."""
        if self.side == "bilateral" and not self.recorded_once:
            return self.region
        return f"{self.region}:{'bilateral' if self.recorded_once else self.side}"

    @property
    def box(self) -> Rect:
        xs = [x for x, _ in self.points]
        ys = [y for _, y in self.points]
        return (min(xs), min(ys), max(xs), max(ys))

    @property
    def anchor(self) -> Point:
        """Area centroid (where a mark is drawn)."""
        pts = self.points
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if abs(area) < 1e-9:
            return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
        return (cx / (3 * area), cy / (3 * area))

    def contains(self, x: float, y: float) -> bool:
        """Whether (x, y) is inside the drawn polygon (even-odd rule)."""
        inside = False
        pts = self.points
        for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
            if (y0 > y) != (y1 > y) and x < (x1 - x0) * (y - y0) / (y1 - y0) + x0:
                inside = not inside
        return inside


@dataclass(frozen=True)
class View:
    id: str
    title: str
    origin: Point
    right_on: str
    outlines: tuple[tuple[Point, ...], ...]  # silhouette polygons (screen units)
    side_labels: tuple[tuple[str, float, float], ...]  # ("Right", x, y)


@dataclass(frozen=True)
class BodyMapGeometry:
    version: int
    width: float
    height: float
    column: float  # the width of one view column (a phone shows one across the screen)
    min_target: float  # the smallest square, in units, every region owns on the clickable maps
    sources: tuple[dict[str, str], ...]
    views: tuple[View, ...]
    shapes: tuple[RegionShape, ...]

    def shape(self, region: str, side: str) -> RegionShape:
        for s in self.shapes:
            if s.region == region and s.side == side:
                return s
        raise KeyError((region, side))

    def view(self, view_id: str) -> View:
        return next(v for v in self.views if v.id == view_id)


def _place(points: Iterable[Iterable[float]], origin: Point, direction: float) -> tuple[Point, ...]:
    ox, oy = origin
    out = []
    for point in points:
        x, y = (float(c) for c in point)
        out.append((round(ox + direction * x, 2), round(oy + y, 2)))
    return tuple(out)


def _place_rect(rect: Iterable[float], origin: Point, direction: float) -> Rect:
    x0, y0, x1, y1 = (float(c) for c in rect)
    (ax, ay), (bx, by) = _place([(x0, y0), (x1, y1)], origin, direction)
    return (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


class GeometryError(ValueError):
    """The geometry file is not what the renderer can draw (a packaging or editing fault)."""


def _region_shape(view_id: str, region: str, spec: Any, side: str, origin: Point, d: float, order: int) -> RegionShape:
    if region not in V.SKIN_REGIONS:
        raise GeometryError(f"view {view_id}: {region!r} is not a skin region of the case format")
    if not isinstance(spec, dict) or set(spec) - {"points", "hit", "recorded_once"} or "points" not in spec:
        raise GeometryError(f"view {view_id}, {region}: give `points` (and optionally `hit`, `recorded_once`)")
    if len(spec["points"]) < 3:
        raise GeometryError(f"view {view_id}, {region}: a polygon needs at least 3 points")
    hit = spec.get("hit")
    if hit is not None and (len(hit) != 4 or hit[0] >= hit[2] or hit[1] >= hit[3]):
        raise GeometryError(f"view {view_id}, {region}: `hit` is [x0, y0, x1, y1] with x0 < x1 and y0 < y1")
    return RegionShape(
        region,
        side,
        view_id,
        _place(spec["points"], origin, d),
        _place_rect(hit, origin, d) if hit is not None else None,
        bool(spec.get("recorded_once", False)),
        order,
    )


@lru_cache(maxsize=1)
def load_geometry() -> BodyMapGeometry:
    """Resolve the YAML geometry into screen polygons (cached: it is package data)."""
    doc = yaml.safe_load((resources.files("plexnav.reports") / "data" / GEOMETRY_FILE).read_bytes())
    views: list[View] = []
    shapes: list[RegionShape] = []
    for v in doc["views"]:
        origin = (float(v["origin"][0]), float(v["origin"][1]))
        if v["right_on"] not in ("viewer_left", "viewer_right"):
            raise GeometryError(f"view {v['id']}: right_on is viewer_left or viewer_right")
        # x grows toward the patient's right: on the viewer's left when facing the person
        right_dir = -1.0 if v["right_on"] == "viewer_left" else 1.0
        sides = (("right", right_dir), ("left", -right_dir))
        outlines = tuple(_place(v["outline"], origin, d) for _, d in sides)
        bottom = max(y for _, y in v["outline"]) + origin[1]
        spread = max(x for x, _ in v["outline"]) / 2
        labels = tuple((name.capitalize(), origin[0] + d * spread, bottom + 16) for name, d in sides)
        views.append(View(v["id"], v["title"], origin, v["right_on"], outlines, labels))
        for region, spec in (v.get("regions") or {}).items():
            for side, d in sides:
                shapes.append(_region_shape(v["id"], region, spec, side, origin, d, len(shapes)))
        for region, spec in (v.get("midline") or {}).items():
            if region not in V.MIDLINE_REGIONS:
                raise GeometryError(f"view {v['id']}: {region!r} is not a midline region")
            shapes.append(_region_shape(v["id"], region, spec, "bilateral", origin, 1.0, len(shapes)))
    return BodyMapGeometry(
        int(doc["version"]),
        float(doc["width"]),
        float(doc["height"]),
        float(doc["column"]),
        float(doc["min_target"]),
        tuple(doc.get("sources") or ()),
        tuple(views),
        tuple(shapes),
    )


def region_keys() -> list[Key]:
    """Every (region, side) the map draws, in drawing order."""
    return [(s.region, s.side) for s in load_geometry().shapes]


def form_keys() -> list[str]:
    """Every distinct form value (``region:side``, ``region``) the map draws, in file order."""
    return list(dict.fromkeys(s.key for s in load_geometry().shapes))


def key_of(region: str, side: str | None) -> Key:
    """The drawn shape's (region, side) for a form key's parts (a midline region has side bilateral)."""
    return (region, "bilateral") if region in V.MIDLINE_REGIONS or side is None else (region, side)


def expand_key(region: str, side: str | None) -> list[Key]:
    """The drawn shapes a (region, side) refers to; ValueError for an unknown region or side."""
    if region not in V.SKIN_REGIONS:
        raise ValueError(f"unknown skin region {region!r}")
    if side not in (None, *V.SIDES):
        raise ValueError(f"unknown side {side!r}; choose left, right or bilateral")
    if region in V.MIDLINE_REGIONS:
        return [(region, "bilateral")]
    if side in (None, "bilateral"):
        return [(region, "left"), (region, "right")]
    return [(region, side)]


def expand_form_key(key: str) -> list[Key]:
    """The drawn shapes of a form value (``region:side`` or ``region``)."""
    region, _, side = key.partition(":")
    return expand_key(region, side or None)


def normalise_shading(shading: Mapping[Key, float] | None) -> dict[Key, float]:
    """Expand sides, clamp to 0..1 and keep the strongest value per drawn shape."""
    out: dict[Key, float] = {}
    for (region, side), value in (shading or {}).items():
        value = min(max(float(value), 0.0), 1.0)
        for key in expand_key(region, side):
            out[key] = max(out.get(key, 0.0), value)
    return out


def normalise_marks(marks: Mapping[Key, str] | None) -> dict[Key, str]:
    """Expand sides; several marks on one shape are joined with a space."""
    out: dict[Key, str] = {}
    for (region, side), text in (marks or {}).items():
        text = str(text).strip()
        if not text:
            continue
        for key in expand_key(region, side):
            if key in out and text not in out[key].split(" "):
                out[key] = f"{out[key]} {text}"
            else:
                out.setdefault(key, text)
    return out


def shade_color(value: float) -> str:
    """Fill colour for an involvement or severity 0..1 (white for 0)."""
    if value <= 0:
        return UNSHADED
    value = min(value, 1.0)
    for (t0, c0), (t1, c1) in pairwise(SCALE):
        if value <= t1:
            f = (value - t0) / (t1 - t0)
            rgb = [round(a + (b - a) * f) for a, b in zip(c0, c1, strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#{:02x}{:02x}{:02x}".format(*SCALE[-1][1])


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    from plexnav.knowledge.base import load_knowledge

    kb = load_knowledge()
    return {r: kb.skin[r].name for r in V.SKIN_REGIONS}


def region_name(region: str) -> str:
    """Plain name of a skin region ('front of the thigh')."""
    return _region_names()[region]


def _side_words(side: str) -> str:
    return "both sides" if side == "bilateral" else side


def shape_label(
    region: str,
    side: str,
    shade: float | None = None,
    mark: str | None = None,
    mark_words: Mapping[str, str] | None = None,
    outline: str | None = None,
) -> str:
    where = region_name(region)
    label = f"{where}, {_side_words(side)}"
    if shade:
        label += f": shaded {round(shade * 100)}%"
    if mark:
        words = [mark_words.get(m, m) if mark_words else m for m in mark.split(" ")]
        label += f"; marked {', '.join(words)}"
    if outline:
        label += f"; outlined: {outline}"
    return label


def _points(points: Iterable[Point]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _pick_label(shape: RegionShape, names: Mapping[str, str], view_title: str) -> str:
    """A clickable region's name: 'Right front of the thigh (front view)'."""
    where = names.get(shape.region) or region_name(shape.region)
    if shape.side == "bilateral" or shape.recorded_once:
        text = where[:1].upper() + where[1:]
    else:
        text = f"{shape.side.capitalize()} {where}"
    return f"{text} ({view_title.lower()} view)"


def _check_keys(keys: Iterable[str], what: str) -> None:
    drawn = set(form_keys())
    unknown = sorted(set(keys) - drawn)
    if unknown:
        raise ValueError(f"{what}: no region is drawn for {unknown}")


def render_body_map(
    shading: Mapping[Key, float] | None = None,
    marks: Mapping[Key, str] | None = None,
    *,
    title: str = "Body map of the lower body and legs",
    description: str | None = None,
    id_prefix: str = "",
    mark_words: Mapping[str, str] | None = None,
    mode: Mode = "image",
    width: str | None = None,
    svg_id: str | None = None,
    names: Mapping[str, str] | None = None,
    selected: Collection[str] = (),
    states: Mapping[str, str] | None = None,
    input_name: str | None = None,
    outlined: Mapping[Key, str] | None = None,
) -> str:
    """An SVG document fragment (inline-able in HTML) of the body map.

    ``mode="image"`` (reports, result pages): ``shading`` maps (region, side) to 0..1 (the
    fill runs from white to dark red); ``marks`` maps (region, side) to a short text drawn
    on the region (e.g. "P" for pain), spelt out for screen readers by ``mark_words``
    ({"P": "pain"}); ``outlined`` maps (region, side) to what was found there (a dashed
    outline).  ``id_prefix`` keeps ids unique when several maps share one page.

    ``mode="toggle"`` (a checkbox per region; ``selected`` holds the ticked form values and
    ``input_name`` the name of the form's checkboxes) and ``mode="cycle"`` (a button per
    region cycling the sensation states; ``states`` maps form values to a state) are the
    clickable maps: each region is a focusable group with its hit area, and ``names`` gives
    the region words ({"anterior_thigh": "front of the thigh"}; the knowledge base's names
    by default).
    """
    if mode not in MODES:
        raise ValueError(f"unknown body map mode {mode!r}; choose {', '.join(MODES)}")
    geo = load_geometry()
    shades = normalise_shading(shading)
    mark_map = normalise_marks(marks)
    outline_map: dict[Key, str] = {}
    for (region, side), what in (outlined or {}).items():
        for key in expand_key(region, side):
            outline_map.setdefault(key, what)
    drawn = {(s.region, s.side) for s in geo.shapes}
    unknown = (set(shades) | set(mark_map) | set(outline_map)) - drawn
    if unknown:
        raise ValueError(f"no shape for {sorted(unknown)}")
    _check_keys(selected, "selected")
    _check_keys(states or {}, "states")
    bad_states = sorted({s for s in (states or {}).values() if s and s not in CYCLE_STATES})
    if bad_states:
        raise ValueError(f"unknown sensation state {bad_states}; choose {', '.join(CYCLE_STATES)}")
    pid = escape(id_prefix, quote=True)
    interactive = mode != "image"
    if description is None:
        description = describe(shades, mark_map, mark_words, outline_map)
    size = f' width="{escape(width, quote=True)}"' if width else ""
    ident = f' id="{escape(svg_id, quote=True)}"' if svg_id else ""
    if interactive:
        head = f' role="group" aria-label="{escape(title, quote=True)}" data-bodymap="{mode}"' + (
            f' data-input="{escape(input_name, quote=True)}"' if input_name else ""
        )
    else:
        head = f' role="img" aria-labelledby="{pid}bodymap-title {pid}bodymap-desc"'
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg"{ident} class="bodymap bodymap-{mode}" '
        f'viewBox="0 0 {geo.width:g} {geo.height:g}"{size}{head} data-version="{geo.version}">',
        f'<title id="{pid}bodymap-title">{escape(title)}</title>',
    ]
    if not interactive:
        out.append(f'<desc id="{pid}bodymap-desc">{escape(description)}</desc>')
    if mode == "cycle":
        out.append(_PATTERNS)
    for view in geo.views:
        ox, oy = view.origin
        hidden = ' aria-hidden="true"' if interactive else ""
        out.append(f'<g class="bodymap-view" data-view="{view.id}">')
        out.append(
            f'<text class="view-title" x="{ox:g}" y="{oy + 18:g}" text-anchor="middle" font-family="{FONT}" '
            f'font-size="16" font-weight="bold" fill="#292524"{hidden}>{escape(view.title)}</text>'
        )
        for outline in view.outlines:
            out.append(
                f'<polygon class="silhouette" aria-hidden="true" points="{_points(outline)}" fill="{SILHOUETTE}"/>'
            )
        for text, x, y in view.side_labels:
            out.append(
                f'<text class="leg-label" x="{x:g}" y="{y:g}" text-anchor="middle" font-family="{FONT}" '
                f'font-size="14" fill="#44403c" aria-hidden="true">{text}</text>'
            )
        in_view = [s for s in geo.shapes if s.view == view.id]
        if interactive:
            # regions with a hit area last, so that their hit areas lie above their neighbours
            in_view.sort(key=lambda s: s.hit is not None)
        for shape in in_view:
            if interactive:
                out.append(_clickable(shape, mode, pid, names or {}, view.title, selected, states or {}))
            else:
                key = (shape.region, shape.side)
                shade = shades.get(key, 0.0)
                label = shape_label(
                    shape.region, shape.side, shade, mark_map.get(key), mark_words, outline_map.get(key)
                )
                out.append(
                    f'<polygon id="{pid}{shape.dom_id}" class="region" data-region="{shape.region}" '
                    f'data-side="{shape.side}" data-key="{shape.key}" data-shade="{_fmt(shade)}" '
                    f'aria-label="{escape(label, quote=True)}" points="{_points(shape.points)}" '
                    f'fill="{shade_color(shade)}" stroke="{STROKE}" stroke-width="0.8" stroke-linejoin="round">'
                    f"<title>{escape(label)}</title></polygon>"
                )
        out.append("</g>")
    for shape in geo.shapes:
        if (shape.region, shape.side) in outline_map:
            out.append(
                f'<polygon class="outline" data-key="{shape.key}" aria-hidden="true" pointer-events="none" '
                f'points="{_points(shape.points)}" fill="none" stroke="#000000" stroke-width="2.5" '
                f'stroke-dasharray="5 3" stroke-linejoin="round"/>'
            )
    for shape in geo.shapes:
        mark = mark_map.get((shape.region, shape.side))
        if mark:
            out.append(_mark(shape, mark))
    out.append("</svg>")
    return "\n".join(out)


def _clickable(
    shape: RegionShape,
    mode: Mode,
    pid: str,
    names: Mapping[str, str],
    view_title: str,
    selected: Collection[str],
    states: Mapping[str, str],
) -> str:
    """A region of a clickable map: a focusable group of its polygon and its hit area."""
    name = _pick_label(shape, names, view_title)
    if mode == "toggle":
        state = f'role="checkbox" aria-checked="{"true" if shape.key in selected else "false"}"'
        label = name
    else:
        value = states.get(shape.key, "")
        state = f'role="button" data-state="{value}" data-name="{escape(name, quote=True)}"'
        label = f"{name}: {value or 'not tested'}"
    hit = ""
    if shape.hit:
        x0, y0, x1, y1 = shape.hit
        hit = f'<rect class="hit" x="{x0:g}" y="{y0:g}" width="{x1 - x0:g}" height="{y1 - y0:g}"/>'
    return (
        f'<g id="{pid}{shape.dom_id}" class="region" data-region="{shape.region}" data-side="{shape.side}" '
        f'data-key="{shape.key}" data-order="{shape.order}" {state} tabindex="-1" '
        f'aria-label="{escape(label, quote=True)}"><title>{escape(name)}</title>'
        f'<polygon class="shape" points="{_points(shape.points)}" stroke="{STROKE}" stroke-linejoin="round"/>'
        f"{hit}</g>"
    )


def _mark(shape: RegionShape, text: str) -> str:
    x, y = shape.anchor
    w = max(14.0, 7.5 * len(text) + 6)
    return (
        f'<g class="mark" aria-hidden="true" pointer-events="none"><rect x="{x - w / 2:.1f}" y="{y - 7.5:.1f}" '
        f'width="{w:.1f}" height="15" rx="7.5" fill="#ffffff" fill-opacity="0.92" stroke="#1c1917" '
        f'stroke-width="0.8"/><text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-family="{FONT}" '
        f'font-size="10.5" font-weight="bold" fill="#1c1917">{escape(text)}</text></g>'
    )


def describe(
    shades: Mapping[Key, float],
    marks: Mapping[Key, str],
    mark_words: Mapping[str, str] | None = None,
    outlined: Mapping[Key, str] | None = None,
) -> str:
    """Plain-text summary of what the map shows (the SVG <desc>)."""
    parts = []
    shaded = sorted(((v, k) for k, v in shades.items() if v > 0), key=lambda t: (-t[0], t[1]))
    if shaded:
        parts.append(
            "Shaded: "
            + "; ".join(f"{region_name(r)} ({_side_words(s)}, {round(v * 100)}%)" for v, (r, s) in shaded)
            + "."
        )
    if marks:
        parts.append(
            "Marked: "
            + "; ".join(
                f"{region_name(r)} ({_side_words(s)}): "
                + ", ".join(mark_words.get(m, m) if mark_words else m for m in t.split(" "))
                for (r, s), t in sorted(marks.items())
            )
            + "."
        )
    if outlined:
        parts.append(
            "Outlined: "
            + "; ".join(f"{region_name(r)} ({_side_words(s)}): {what}" for (r, s), what in sorted(outlined.items()))
            + "."
        )
    return " ".join(parts) or "Front and back of both legs, pelvis, saddle area and soles; nothing is shaded or marked."


# ----------------------------------------------------------------------------- shading sources


def _hypothesis_for(model, entry):
    by_id = {h.id: h for h in model.hypotheses}
    if entry.hypothesis and entry.hypothesis in by_id:
        return by_id[entry.hypothesis]
    for hyp in model.hypotheses:
        if (
            hyp.site == entry.site
            and hyp.side == entry.side
            and (not entry.levels or list(hyp.levels or ()) == entry.levels)
        ):
            return hyp
    return None


SHADE_MIN = 0.05  # involvement below this is not shaded


def territory_shading(assessment, model=None, threshold: float = SHADE_MIN) -> dict[Key, float]:
    """The skin territory of the assessment's leading site, from the knowledge graph
    (:func:`hypothesis_shading` of its leading hypothesis).  An empty dict when nothing is
    localized."""
    from plexnav.modelcache import load_model  # the model the assessor uses: built once per process

    if not assessment.localization:
        return {}
    model = model or load_model()
    hyp = _hypothesis_for(model, assessment.localization[0])
    if hyp is None:
        return {}
    return hypothesis_shading(model, hyp, threshold)


def hypothesis_shading(model, hyp, threshold: float = SHADE_MIN) -> dict[Key, float]:
    """The skin a hypothesis's lesion would affect: the one shading of every territory map
    (reports, result page, guided examination).

    Each region's value is the forward model's predicted sensory involvement (0..1) under
    the hypothesis (its graph lesion through ``knowledge.forward.skin_involvement``, or the
    length-dependent / central pattern for polyneuropathy and cord-level sites).  Midline
    regions combine both sides as the knowledge base says (mean, or both).  Values below
    ``threshold`` are left out.
    """
    from plexnav.engine import predict

    kb = model.kb
    out: dict[Key, float] = {}
    for region in V.SKIN_REGIONS:
        left = predict.skin(kb, hyp, region, "left")
        right = predict.skin(kb, hyp, region, "right")
        if region in V.MIDLINE_REGIONS:
            value = left * right if kb.skin[region].combine == "both" else (left + right) / 2
            if value >= threshold:
                out[(region, "bilateral")] = round(value, 3)
            continue
        for side, value in (("left", left), ("right", right)):
            if value >= threshold:
                out[(region, side)] = round(value, 3)
    return out


SYMPTOM_MARKS = {"pain": "P", "numbness": "N", "tingling": "T"}
SYMPTOM_MARK_WORDS = {"P": "pain", "N": "numbness", "T": "tingling"}
SENSATION_MARKS = {"absent": "0", "reduced": "\u2193", "increased": "\u2191", "normal": "="}
SENSATION_MARK_WORDS = {
    "0": "sensation absent",
    "\u2193": "sensation reduced",
    "\u2191": "sensation increased",
    "=": "sensation normal",
}
DEFAULT_PAIN_SHADE = 0.5


def symptom_map(case) -> tuple[dict[Key, float], dict[Key, str]]:
    """Shading by pain severity (severity/10; 0.5 when not rated) and P/N/T marks from the symptoms."""
    shading: dict[Key, float] = {}
    marks: dict[Key, str] = {}
    for sym in case.symptoms:
        if sym.region is None or sym.kind not in SYMPTOM_MARKS:
            continue
        key = (sym.region, sym.side or "bilateral")
        if sym.kind == "pain":
            value = sym.severity / 10 if sym.severity is not None else DEFAULT_PAIN_SHADE
            shading[key] = max(shading.get(key, 0.0), value)
        mark = SYMPTOM_MARKS[sym.kind]
        if mark not in marks.get(key, "").split(" "):
            marks[key] = f"{marks[key]} {mark}" if key in marks else mark
    return shading, marks


def sensation_marks(case) -> dict[Key, str]:
    """Examination sensation findings as marks (0 absent, down-arrow reduced, up-arrow increased, = normal)."""
    marks: dict[Key, str] = {}
    for finding in case.exam.sensation:
        key = (finding.region, finding.side or "bilateral")
        mark = SENSATION_MARKS[finding.finding]
        marks[key] = f"{marks[key]} {mark}" if key in marks and mark not in marks[key] else mark
    return marks

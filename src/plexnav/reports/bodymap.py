"""An accessible SVG body map: front and back of both legs, pelvis, saddle and soles.

One polygon per skin region id of the case format (section 3) and side, so the same picture
serves the printed reports (shaded territory, symptom marks) and the web page's clickable
map.  The geometry is data (``data/bodymap.yaml``); this module only places it, colours it
and labels it.  Every region carries ``id="region-<region>-<side>"``, ``data-region``,
``data-side`` and an ``aria-label`` that says in words what the colour and marks show, so
nothing is conveyed by colour alone.

Keys are ``(region, side)`` pairs.  Midline regions (``saddle``, ``genital``) are drawn once
with side ``bilateral``; a lateral region given with side ``bilateral`` (or ``None``) means
both the left and the right shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib import resources
from itertools import pairwise

import yaml

from plexnav import vocabulary as V

Key = tuple[str, str]

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


@dataclass(frozen=True)
class RegionShape:
    """One region's polygon on the map, in SVG user units."""

    region: str
    side: str  # left, right, or bilateral for midline regions
    view: str  # front, back, soles, stocking
    points: tuple[tuple[float, float], ...]

    @property
    def dom_id(self) -> str:
        return f"region-{self.region}-{self.side}"

    @property
    def anchor(self) -> tuple[float, float]:
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


@dataclass(frozen=True)
class View:
    id: str
    title: str
    origin: tuple[float, float]
    right_on: str
    outlines: tuple[tuple[tuple[float, float], ...], ...]  # silhouette polygons (screen units)
    side_labels: tuple[tuple[str, float, float], ...]  # ("Right", x, y)


@dataclass(frozen=True)
class BodyMapGeometry:
    width: float
    height: float
    views: tuple[View, ...]
    shapes: tuple[RegionShape, ...]

    def shape(self, region: str, side: str) -> RegionShape:
        for s in self.shapes:
            if s.region == region and s.side == side:
                return s
        raise KeyError((region, side))


def _place(points, origin, direction: float) -> tuple[tuple[float, float], ...]:
    ox, oy = origin
    return tuple((round(ox + direction * x, 2), round(oy + y, 2)) for x, y in points)


@lru_cache(maxsize=1)
def load_geometry() -> BodyMapGeometry:
    """Resolve the YAML geometry into screen polygons (cached: it is package data)."""
    doc = yaml.safe_load((resources.files("plexnav.reports") / "data" / GEOMETRY_FILE).read_bytes())
    views, shapes = [], []
    for v in doc["views"]:
        origin = tuple(v["origin"])
        # x grows toward the patient's right: on the viewer's left when facing the person
        right_dir = -1.0 if v["right_on"] == "viewer_left" else 1.0
        sides = (("right", right_dir), ("left", -right_dir))
        outlines = tuple(_place(v["outline"], origin, d) for _, d in sides)
        bottom = max(y for _, y in v["outline"]) + origin[1]
        spread = max(x for x, _ in v["outline"]) / 2
        labels = tuple((name.capitalize(), origin[0] + d * spread, bottom + 14) for name, d in sides)
        views.append(View(v["id"], v["title"], origin, v["right_on"], outlines, labels))
        for region, pts in v["regions"].items():
            for side, d in sides:
                shapes.append(RegionShape(region, side, v["id"], _place(pts, origin, d)))
        for region, pts in (v.get("midline") or {}).items():
            shapes.append(RegionShape(region, "bilateral", v["id"], _place(pts, origin, 1.0)))
    return BodyMapGeometry(float(doc["width"]), float(doc["height"]), tuple(views), tuple(shapes))


def region_keys() -> list[Key]:
    """Every (region, side) the map draws, in drawing order."""
    return [(s.region, s.side) for s in load_geometry().shapes]


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


def shape_label(
    region: str,
    side: str,
    shade: float | None = None,
    mark: str | None = None,
    mark_words: Mapping[str, str] | None = None,
) -> str:
    where = region_name(region)
    label = f"{where}, {'both sides' if side == 'bilateral' else side}"
    if shade:
        label += f": shaded {round(shade * 100)}%"
    if mark:
        words = [mark_words.get(m, m) if mark_words else m for m in mark.split(" ")]
        label += f"; marked {', '.join(words)}"
    return label


def _points(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def render_body_map(
    shading: Mapping[Key, float] | None = None,
    marks: Mapping[Key, str] | None = None,
    *,
    title: str = "Body map of the lower body and legs",
    description: str | None = None,
    id_prefix: str = "",
    mark_words: Mapping[str, str] | None = None,
    interactive: bool = False,
    width: str | None = None,
) -> str:
    """An SVG document fragment (inline-able in HTML) of the body map.

    ``shading`` maps (region, side) to 0..1 (the fill runs from white to dark red);
    ``marks`` maps (region, side) to a short text drawn on the region (e.g. "P" for pain).
    ``mark_words`` spells out mark texts for screen readers ({"P": "pain"}).
    ``id_prefix`` keeps ids unique when several maps share one page (the default gives
    ``region-<region>-<side>``).  ``interactive`` makes each region focusable
    (``tabindex="0"``, ``role="button"``) for a clickable map.
    """
    geo = load_geometry()
    shades = normalise_shading(shading)
    mark_map = normalise_marks(marks)
    drawn = {(s.region, s.side) for s in geo.shapes}
    unknown = (set(shades) | set(mark_map)) - drawn
    if unknown:
        raise ValueError(f"no shape for {sorted(unknown)}")
    pid = escape(id_prefix, quote=True)
    if description is None:
        description = describe(shades, mark_map, mark_words)
    size = f' width="{escape(width, quote=True)}"' if width else ""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bodymap" viewBox="0 0 {geo.width:g} {geo.height:g}"{size}'
        f' role="{"group" if interactive else "img"}" aria-labelledby="{pid}bodymap-title {pid}bodymap-desc">',
        f'<title id="{pid}bodymap-title">{escape(title)}</title>',
        f'<desc id="{pid}bodymap-desc">{escape(description)}</desc>',
    ]
    for view in geo.views:
        ox, oy = view.origin
        out.append(f'<g class="bodymap-view" data-view="{view.id}">')
        out.append(
            f'<text x="{ox:g}" y="{oy + 16:g}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" '
            f'font-size="13" font-weight="bold" fill="#292524">{escape(view.title)}</text>'
        )
        for outline in view.outlines:
            out.append(
                f'<polygon class="silhouette" aria-hidden="true" points="{_points(outline)}" fill="{SILHOUETTE}"/>'
            )
        for text, x, y in view.side_labels:
            out.append(
                f'<text x="{x:g}" y="{y:g}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" '
                f'font-size="11" fill="#44403c" aria-hidden="true">{text}</text>'
            )
        for shape in (s for s in geo.shapes if s.view == view.id):
            key = (shape.region, shape.side)
            shade = shades.get(key, 0.0)
            label = shape_label(shape.region, shape.side, shade, mark_map.get(key), mark_words)
            extra = ' tabindex="0" role="button"' if interactive else ""
            out.append(
                f'<polygon id="{pid}{shape.dom_id}" class="region" data-region="{shape.region}" '
                f'data-side="{shape.side}" data-shade="{_fmt(shade)}" aria-label="{escape(label, quote=True)}"{extra} '
                f'points="{_points(shape.points)}" fill="{shade_color(shade)}" stroke="{STROKE}" '
                f'stroke-width="0.8" stroke-linejoin="round"><title>{escape(label)}</title></polygon>'
            )
        out.append("</g>")
    for shape in geo.shapes:
        mark = mark_map.get((shape.region, shape.side))
        if mark:
            out.append(_mark(shape, mark))
    out.append("</svg>")
    return "\n".join(out)


def _mark(shape: RegionShape, text: str) -> str:
    x, y = shape.anchor
    w = max(14.0, 7.5 * len(text) + 6)
    return (
        f'<g class="mark" aria-hidden="true"><rect x="{x - w / 2:.1f}" y="{y - 7.5:.1f}" width="{w:.1f}" '
        f'height="15" rx="7.5" fill="#ffffff" fill-opacity="0.92" stroke="#1c1917" stroke-width="0.8"/>'
        f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" '
        f'font-size="10.5" font-weight="bold" fill="#1c1917">{escape(text)}</text></g>'
    )


def describe(shades: Mapping[Key, float], marks: Mapping[Key, str], mark_words: Mapping[str, str] | None = None) -> str:
    """Plain-text summary of what the map shows (the SVG <desc>)."""
    parts = []
    shaded = sorted(((v, k) for k, v in shades.items() if v > 0), key=lambda t: (-t[0], t[1]))
    if shaded:
        parts.append(
            "Shaded: "
            + "; ".join(
                f"{region_name(r)} ({'both sides' if s == 'bilateral' else s}, {round(v * 100)}%)"
                for v, (r, s) in shaded
            )
            + "."
        )
    if marks:
        parts.append(
            "Marked: "
            + "; ".join(
                f"{region_name(r)} ({'both sides' if s == 'bilateral' else s}): "
                + ", ".join(mark_words.get(m, m) if mark_words else m for m in t.split(" "))
                for (r, s), t in sorted(marks.items())
            )
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


def territory_shading(assessment, model=None, threshold: float = 0.05) -> dict[Key, float]:
    """The skin territory of the assessment's leading site, from the knowledge graph.

    Each region's value is the forward model's predicted sensory involvement (0..1) under
    the leading hypothesis (its graph lesion through ``knowledge.forward.skin_involvement``,
    or the length-dependent / central pattern for polyneuropathy and cord-level sites).
    Midline regions combine both sides as the knowledge base says (mean, or both).
    Values below ``threshold`` are left out.  An empty dict when nothing is localized.
    """
    from plexnav.engine import predict
    from plexnav.modelcache import load_model  # the model the assessor uses: built once per process

    if not assessment.localization:
        return {}
    model = model or load_model()
    hyp = _hypothesis_for(model, assessment.localization[0])
    if hyp is None:
        return {}
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

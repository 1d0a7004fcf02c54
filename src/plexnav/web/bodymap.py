"""The body map: front and back of both legs, the pelvis and the saddle, as SVG shapes.

Every shape carries a skin-region id of the exchange format (``anterior_thigh``...) and a
side; the same region may appear in both views (the outer thigh is seen from the front and
from the back), and both shapes stand for one form input.  Geometry is generated once
from a few outline stations per leg, so the two legs and two views stay consistent.

Views: the front view faces you (the person's right leg is on your left), the back view
shows their back (their right leg is on your right); each leg is labelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from plexnav import vocabulary as V
from plexnav.web import labels

VIEW_WIDTH = 240
GAP = 20
HEIGHT = 640
FRONT_MID = VIEW_WIDTH / 2
BACK_MID = VIEW_WIDTH + GAP + VIEW_WIDTH / 2

# Leg outline: (y, distance of the outer edge from the midline, distance of the inner edge).
STATIONS = (
    (120, 80, 14),
    (200, 74, 10),
    (300, 62, 17),
    (345, 62, 18),
    (390, 64, 20),
    (500, 50, 26),
    (520, 54, 22),
    (570, 58, 18),
    (600, 56, 20),
)

# (region, y0, y1, f0, f1): f is the fraction across the leg from its outer (0) to inner (1) edge.
FRONT_LEG = (
    ("lateral_thigh", 120, 300, 0.0, 0.24),
    ("anterior_thigh", 120, 300, 0.24, 0.74),
    ("medial_thigh", 120, 300, 0.74, 1.0),
    ("anterior_knee", 300, 345, 0.0, 1.0),
    ("lateral_leg", 345, 500, 0.0, 0.5),
    ("medial_leg", 345, 500, 0.5, 1.0),
    ("dorsum_foot", 500, 568, 0.0, 1.0),
    ("little_toe", 568, 600, 0.0, 0.2),
    ("dorsum_foot", 568, 600, 0.2, 0.56),
    ("first_web_space", 568, 600, 0.56, 0.7),
    ("great_toe", 568, 600, 0.7, 1.0),
)
BACK_LEG = (
    ("lateral_thigh", 165, 330, 0.0, 0.24),
    ("posterior_thigh", 165, 330, 0.24, 0.76),
    ("medial_thigh", 165, 330, 0.76, 1.0),
    ("lateral_leg", 330, 500, 0.0, 0.24),
    ("posterior_leg", 330, 500, 0.24, 0.78),
    ("medial_leg", 330, 500, 0.78, 1.0),
    ("lateral_foot", 500, 600, 0.0, 0.2),
    ("heel", 500, 535, 0.2, 1.0),
    ("sole", 535, 600, 0.2, 1.0),
)


@dataclass(frozen=True)
class Shape:
    region: str
    side: str | None  # None for midline regions (saddle, genital)
    view: str  # "front" or "back"
    d: str  # SVG path data

    @property
    def key(self) -> str:
        """The form value / map key: ``region:side``, or ``region`` for midline regions."""
        return f"{self.region}:{self.side}" if self.side else self.region

    @property
    def plain(self) -> str:
        where = labels.PLAIN_REGIONS[self.region]
        return f"{'Right' if self.side == 'right' else 'Left'} {where}" if self.side else where[:1].upper() + where[1:]

    @property
    def clinical(self) -> str:
        name = labels.region(self.region)
        return f"{self.side} {name}" if self.side else name


def _edge(y: float) -> tuple[float, float]:
    """Outer and inner distances from the midline at height y (linear between stations)."""
    for (y0, o0, i0), (y1, o1, i1) in pairwise(STATIONS):
        if y0 <= y <= y1:
            t = (y - y0) / (y1 - y0)
            return o0 + t * (o1 - o0), i0 + t * (i1 - i0)
    raise ValueError(y)


def _x(mid: float, direction: int, y: float, f: float) -> float:
    outer, inner = _edge(y)
    return mid + direction * (outer + f * (inner - outer))


def _strip(mid: float, direction: int, y0: float, y1: float, f0: float, f1: float) -> str:
    ys = [y0, *[s[0] for s in STATIONS if y0 < s[0] < y1], y1]
    down = [(_x(mid, direction, y, f0), y) for y in ys]
    up = [(_x(mid, direction, y, f1), y) for y in reversed(ys)]
    return _path(down + up)


def _path(points) -> str:
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z"


def _pelvis(mid: float, side_sign: int, view: str, side: str) -> list[Shape]:
    s = side_sign
    if view == "front":
        return [
            Shape(
                "lower_abdomen",
                side,
                view,
                _path([(mid + s * 2, 40), (mid + s * 70, 40), (mid + s * 78, 86), (mid + s * 2, 86)]),
            ),
            Shape(
                "groin",
                side,
                view,
                _path([(mid + s * 13, 90), (mid + s * 79, 90), (mid + s * 80, 118), (mid + s * 13, 118)]),
            ),
        ]
    outer_165, _ = _edge(165)
    return [
        Shape(
            "lower_back",
            side,
            view,
            _path([(mid + s * 2, 40), (mid + s * 70, 40), (mid + s * 78, 86), (mid + s * 2, 86)]),
        ),
        Shape(
            "buttock",
            side,
            view,
            _path(
                [
                    (mid + s * 14, 90),
                    (mid + s * 79, 90),
                    (mid + s * 80, 120),
                    (mid + s * outer_165, 165),
                    (mid + s * 14, 165),
                ]
            ),
        ),
    ]


@lru_cache(maxsize=1)
def shapes() -> tuple[Shape, ...]:
    out: list[Shape] = []
    # Front view: the person's right leg is on the viewer's left (direction -1 from the midline).
    for side, direction in (("right", -1), ("left", 1)):
        out += _pelvis(FRONT_MID, direction, "front", side)
        out += [
            Shape(r, side, "front", _strip(FRONT_MID, direction, y0, y1, f0, f1)) for r, y0, y1, f0, f1 in FRONT_LEG
        ]
    out.append(
        Shape(
            "genital",
            None,
            "front",
            _path(
                [
                    (FRONT_MID - 12, 90),
                    (FRONT_MID + 12, 90),
                    (FRONT_MID + 12, 124),
                    (FRONT_MID, 140),
                    (FRONT_MID - 12, 124),
                ]
            ),
        )
    )
    # Back view: the person's right leg is on the viewer's right.
    for side, direction in (("right", 1), ("left", -1)):
        out += _pelvis(BACK_MID, direction, "back", side)
        out += [Shape(r, side, "back", _strip(BACK_MID, direction, y0, y1, f0, f1)) for r, y0, y1, f0, f1 in BACK_LEG]
    out.append(
        Shape(
            "saddle",
            None,
            "back",
            _path(
                [
                    (BACK_MID, 96),
                    (BACK_MID + 13, 118),
                    (BACK_MID + 13, 178),
                    (BACK_MID, 198),
                    (BACK_MID - 13, 178),
                    (BACK_MID - 13, 118),
                ]
            ),
        )
    )
    return tuple(out)


def silhouettes() -> list[str]:
    """Non-interactive outlines for context: the lower trunk above each view's regions."""
    out = []
    for mid in (FRONT_MID, BACK_MID):
        out.append(
            _path(
                [
                    (mid - 60, 24),
                    (mid + 60, 24),
                    (mid + 72, 40),
                    (mid + 80, 88),
                    (mid + 82, 120),
                    (mid - 82, 120),
                    (mid - 80, 88),
                    (mid - 72, 40),
                ]
            )
        )
    return out


def view_labels() -> list[dict]:
    """Captions drawn in the SVG: view titles and which leg is which."""
    return [
        {"x": FRONT_MID, "y": 16, "text": "Front", "cls": "view-title"},
        {"x": BACK_MID, "y": 16, "text": "Back", "cls": "view-title"},
        {"x": FRONT_MID - 52, "y": 628, "text": "Right", "cls": "leg-label"},
        {"x": FRONT_MID + 52, "y": 628, "text": "Left", "cls": "leg-label"},
        {"x": BACK_MID - 52, "y": 628, "text": "Left", "cls": "leg-label"},
        {"x": BACK_MID + 52, "y": 628, "text": "Right", "cls": "leg-label"},
    ]


VIEWBOX = f"0 0 {2 * VIEW_WIDTH + GAP} {HEIGHT}"
# WCAG 2.5.8: 24 CSS px targets.  The map is drawn ~370 px wide on a 390 px phone (0.74 px a
# unit), so a region narrower than this many units gets a larger, invisible hit area.
MIN_TARGET_UNITS = 34


def _points(d: str) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in d.replace("M", "").replace("Z", "").split(" L")]


@lru_cache(maxsize=1)
def hit_areas() -> tuple[dict, ...]:
    """Invisible rectangles behind small regions, so a tap near them still counts: centred on
    the region, at least MIN_TARGET_UNITS wide and high.  Drawn under every region, they only
    take taps that land on no region (outside the leg outline, between shapes)."""
    out = []
    for shape in shapes():
        xs, ys = zip(*_points(shape.d), strict=True)
        width, height = max(xs) - min(xs), max(ys) - min(ys)
        if min(width, height) >= MIN_TARGET_UNITS:
            continue
        w, h = max(width, MIN_TARGET_UNITS), max(height, MIN_TARGET_UNITS)
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        out.append(
            {
                "key": shape.key,
                "view": shape.view,
                "x": round(cx - w / 2, 1),
                "y": round(cy - h / 2, 1),
                "width": round(w, 1),
                "height": round(h, 1),
            }
        )
    return tuple(out)


def map_keys() -> list[str]:
    """Every distinct region:side key drawn on the map, in drawing order."""
    seen: dict[str, None] = {}
    for shape in shapes():
        seen.setdefault(shape.key, None)
    return list(seen)


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


def key_of(region: str, side: str | None) -> str:
    return f"{region}:{side}" if side else region


def split_key(key: str) -> tuple[str, str | None]:
    region, _, side = key.partition(":")
    return region, side or None

"""The body map: one accessible shape per skin region and side, shaded from data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from conftest import load_shared
from plexnav import vocabulary as V
from plexnav.engine.assess import assess
from plexnav.examples import example_path
from plexnav.reports.bodymap import (
    expand_key,
    load_geometry,
    region_keys,
    region_name,
    render_body_map,
    shade_color,
    symptom_map,
    territory_shading,
)
from plexnav.validation import parse_case, validate_case

SVG = "http://www.w3.org/2000/svg"
NS = {"svg": SVG}


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def _regions(root: ET.Element) -> dict[str, ET.Element]:
    return {p.get("id"): p for p in root.iter("{http://www.w3.org/2000/svg}polygon") if p.get("class") == "region"}


def test_every_skin_region_is_drawn_once_per_side():
    expected = {
        (r, "bilateral") if r in V.MIDLINE_REGIONS else (r, s) for r in V.SKIN_REGIONS for s in ("left", "right")
    }
    keys = region_keys()
    assert len(keys) == len(set(keys)) == len(expected)
    assert set(keys) == expected


def test_geometry_is_sane():
    geo = load_geometry()
    for shape in geo.shapes:
        xs = [x for x, _ in shape.points]
        ys = [y for _, y in shape.points]
        assert len(shape.points) >= 3
        assert 0 <= min(xs) and max(xs) <= geo.width and 0 <= min(ys) and max(ys) <= geo.height, shape.dom_id
        ax, ay = shape.anchor
        assert min(xs) <= ax <= max(xs) and min(ys) <= ay <= max(ys), shape.dom_id
    # the patient's right is on the viewer's left from the front, on the viewer's right from behind
    front_right = geo.shape("anterior_thigh", "right").anchor[0]
    front_left = geo.shape("anterior_thigh", "left").anchor[0]
    back_right = geo.shape("posterior_thigh", "right").anchor[0]
    back_left = geo.shape("posterior_thigh", "left").anchor[0]
    assert front_right < front_left and back_right > back_left


def test_svg_is_accessible_and_carries_the_data_attributes():
    markup = render_body_map({("anterior_thigh", "right"): 0.8}, {("groin", "right"): "P"}, mark_words={"P": "pain"})
    root = _svg(markup)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "bodymap-title bodymap-desc"
    assert root.find("svg:title", NS).get("id") == "bodymap-title"
    desc = root.find("svg:desc", NS).text
    assert "front of the thigh (right, 80%)" in desc and "groin (inguinal region) (right): pain" in desc
    regions = _regions(root)
    assert len(regions) == len(region_keys())
    thigh = regions["region-anterior_thigh-right"]
    assert thigh.get("data-region") == "anterior_thigh" and thigh.get("data-side") == "right"
    assert thigh.get("data-shade") == "0.8"
    assert thigh.get("aria-label") == "front of the thigh, right: shaded 80%"
    assert thigh.get("fill") == shade_color(0.8) != "#ffffff"
    assert regions["region-anterior_thigh-left"].get("fill") == "#ffffff"
    assert "marked pain" in regions["region-groin-right"].get("aria-label")
    assert regions["region-saddle-bilateral"].get("data-side") == "bilateral"
    assert any(t.text == "P" for t in root.iter("{http://www.w3.org/2000/svg}text"))


def test_bilateral_and_midline_keys_expand_and_bad_keys_fail():
    assert expand_key("medial_leg", "bilateral") == [("medial_leg", "left"), ("medial_leg", "right")]
    assert expand_key("saddle", "left") == [("saddle", "bilateral")]
    regions = _regions(_svg(render_body_map({("whole_foot_stocking", "bilateral"): 1.0})))
    assert regions["region-whole_foot_stocking-left"].get("data-shade") == "1"
    assert regions["region-whole_foot_stocking-right"].get("data-shade") == "1"
    with pytest.raises(ValueError, match="unknown skin region"):
        render_body_map({("knee", "left"): 1})
    with pytest.raises(ValueError, match="unknown side"):
        render_body_map({("groin", "middle"): 1})


def test_id_prefix_and_nothing_shaded():
    root = _svg(render_body_map(id_prefix="map2-"))
    assert "map2-region-sole-left" in _regions(root)
    assert root.find("svg:title", NS).get("id") == "map2-bodymap-title"
    assert "nothing is shaded" in root.find("svg:desc", NS).text


def _groups(root: ET.Element) -> dict[str, ET.Element]:
    return {
        g.get("data-key") + "/" + g.get("data-side"): g for g in root.iter(f"{{{SVG}}}g") if g.get("class") == "region"
    }


def test_clickable_maps_are_focusable_groups_of_the_same_polygons_with_hit_areas():
    geo = load_geometry()
    image = {i.removeprefix("a-"): p.get("points") for i, p in _regions(_svg(render_body_map(id_prefix="a-"))).items()}
    toggle = _svg(
        render_body_map(mode="toggle", id_prefix="b-", svg_id="m", input_name="pain", selected=["groin:left"])
    )
    assert (
        toggle.get("role") == "group" and toggle.get("data-bodymap") == "toggle" and toggle.get("data-input") == "pain"
    )
    groups = _groups(toggle)
    assert len(groups) == len(geo.shapes)
    for shape in geo.shapes:
        group = groups[f"{shape.key}/{shape.side}"]
        assert group.get("id") == f"b-{shape.dom_id}" and group.get("role") == "checkbox"
        assert group.find("svg:polygon", NS).get("points") == image[shape.dom_id]  # the same shape as printed
        hit = group.find("svg:rect", NS)
        assert (hit is not None) == (shape.hit is not None), shape.dom_id
        if hit is not None:
            x, y, w, h = (float(hit.get(a)) for a in ("x", "y", "width", "height"))
            assert (x, y, x + w, y + h) == pytest.approx(shape.hit)
    assert groups["groin:left/left"].get("aria-checked") == "true"
    assert groups["groin:right/right"].get("aria-checked") == "false"
    assert groups["saddle/bilateral"].get("aria-label") == f"{region_name('saddle').capitalize()} (back view)"
    assert groups["groin:left/left"].get("aria-label") == f"Left {region_name('groin')} (front view)"
    # the stocking is recorded once for both legs: both of its shapes are one form key
    assert groups["whole_foot_stocking:bilateral/left"] is not None
    assert groups["whole_foot_stocking:bilateral/right"] is not None
    cycle = _groups(_svg(render_body_map(mode="cycle", states={"sole:left": "reduced"})))
    assert cycle["sole:left/left"].get("data-state") == "reduced"
    assert cycle["sole:left/left"].get("aria-label").endswith(": reduced")
    assert cycle["sole:right/right"].get("aria-label").endswith(": not tested")
    with pytest.raises(ValueError, match="no region is drawn"):
        render_body_map(mode="toggle", selected=["saddle:left"])
    with pytest.raises(ValueError, match="unknown sensation state"):
        render_body_map(mode="cycle", states={"sole:left": "tickly"})
    with pytest.raises(ValueError, match="unknown body map mode"):
        render_body_map(mode="sketch")  # type: ignore[arg-type]


def test_the_geometry_file_is_versioned_and_cites_known_sources():
    from plexnav.knowledge.files import read_sources

    geo = load_geometry()
    known = read_sources()
    assert geo.version >= 2
    assert geo.sources and all(ref["key"] in known and ref.get("locator") for ref in geo.sources)
    assert geo.column * 2 < geo.width <= geo.column * 3  # three view columns: front, back, soles and stocking


STEP = 0.5  # raster resolution of the target-size check, in map units


def _window(rect, shape: tuple[int, int]) -> tuple[slice, slice]:
    """The raster rows and columns covering a rectangle (x0, y0, x1, y1) of the map."""
    x0, y0, x1, y1 = rect
    rows = slice(max(int(y0 / STEP) - 1, 0), min(int(y1 / STEP) + 2, shape[0]))
    cols = slice(max(int(x0 / STEP) - 1, 0), min(int(x1 / STEP) + 2, shape[1]))
    return rows, cols


def _raster_owner() -> tuple[np.ndarray, list]:
    """Which shape takes a tap at each point of the map, painted in the clickable maps'
    drawing order (each view's regions without a hit area first, then the others, each
    group's polygon then its hit area): -1 where no region does."""
    geo = load_geometry()
    ys, xs = np.mgrid[0 : geo.height : STEP, 0 : geo.width : STEP] + STEP / 2
    owner = np.full(xs.shape, -1)
    shapes = []
    for view in geo.views:
        in_view = sorted((s for s in geo.shapes if s.view == view.id), key=lambda s: s.hit is not None)
        for shape in in_view:
            index = len(shapes)
            shapes.append(shape)
            win = _window(shape.box, xs.shape)
            wx, wy = xs[win], ys[win]
            inside = np.zeros(wx.shape, dtype=bool)
            pts = shape.points
            for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
                if y0 != y1:
                    inside ^= ((y0 > wy) != (y1 > wy)) & (wx < (x1 - x0) * (wy - y0) / (y1 - y0) + x0)
            owner[win][inside] = index
            if shape.hit:
                hx0, hy0, hx1, hy1 = shape.hit
                win = _window(shape.hit, xs.shape)
                wx, wy = xs[win], ys[win]
                owner[win][(wx >= hx0) & (wx <= hx1) & (wy >= hy0) & (wy <= hy1)] = index
    return owner, shapes


def _largest_square(mask: np.ndarray) -> float:
    """Side, in map units, of the largest axis-aligned square of True cells (summed-area table)."""
    table = np.pad(mask.astype(np.int32).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    lo, hi = 0, min(mask.shape)
    while lo < hi:  # binary search on the side, in cells
        k = (lo + hi + 1) // 2
        window = table[k:, k:] - table[:-k, k:] - table[k:, :-k] + table[:-k, :-k]
        lo, hi = (k, hi) if (window == k * k).any() else (lo, k - 1)
    return lo * STEP


def _owned_squares() -> dict[str, float]:
    """Each form key's largest square of taps it takes, in map units."""
    owner, shapes = _raster_owner()
    out: dict[str, float] = {}
    for index, shape in enumerate(shapes):
        box = shape.box
        if shape.hit:
            box = (
                min(box[0], shape.hit[0]),
                min(box[1], shape.hit[1]),
                max(box[2], shape.hit[2]),
                max(box[3], shape.hit[3]),
            )
        win = _window(box, owner.shape)
        out[shape.key] = max(out.get(shape.key, 0.0), _largest_square(owner[win] == index))
    return out


def test_every_region_owns_a_square_of_the_target_size_on_the_clickable_maps():
    """WCAG 2.5.8 in map units: with the hit areas drawn above their neighbours, every form key
    still takes every tap in a square of at least `min_target` units somewhere on the map
    (the browser test measures the same in CSS px on a phone)."""
    geo = load_geometry()
    squares = _owned_squares()
    assert set(squares) == {s.key for s in geo.shapes}
    assert {key: side for key, side in squares.items() if side < geo.min_target} == {}
    assert {s.region for s in geo.shapes if s.hit} >= {"great_toe", "little_toe", "first_web_space", "lateral_foot"}


def test_hit_areas_never_overlap_nor_cover_another_region_s_middle():
    geo = load_geometry()
    hits = [s for s in geo.shapes if s.hit]
    for i, a in enumerate(hits):
        for b in hits[i + 1 :]:
            overlap = (
                min(a.hit[2], b.hit[2]) - max(a.hit[0], b.hit[0]),
                min(a.hit[3], b.hit[3]) - max(a.hit[1], b.hit[1]),
            )
            assert min(overlap) <= 0, (a.dom_id, b.dom_id)
        assert a.contains(*a.anchor) or a.hit[0] <= a.anchor[0] <= a.hit[2]
        for other in geo.shapes:
            if other.key == a.key:
                continue
            x, y = other.anchor
            if other.contains(x, y):  # a region's middle (where a click lands) still taps that region
                assert not (a.hit[0] <= x <= a.hit[2] and a.hit[1] <= y <= a.hit[3]), (a.dom_id, other.dom_id)
            # and so does the middle of its box, where a test robot clicks
            bx = (other.box[0] + other.box[2]) / 2
            by = (other.box[1] + other.box[3]) / 2
            if other.contains(bx, by) and not other.hit:
                assert not (a.hit[0] <= bx <= a.hit[2] and a.hit[1] <= by <= a.hit[3]), (a.dom_id, other.dom_id)


def test_shade_color_scale_runs_light_to_dark():
    assert shade_color(0) == "#ffffff"
    lum = [sum(int(shade_color(v)[i : i + 2], 16) for i in (1, 3, 5)) for v in (0.1, 0.4, 0.7, 1.0)]
    assert lum == sorted(lum, reverse=True)


def _territory(name: str):
    case, _ = parse_case(example_path(name).read_bytes())
    return territory_shading(assess(case))


def test_territory_of_common_peroneal_nerve():
    shade = _territory("common-peroneal-fibular-head")
    assert shade[("lateral_leg", "right")] > 0.5 and shade[("dorsum_foot", "right")] > 0.5
    assert shade[("first_web_space", "right")] > 0.5
    assert ("anterior_thigh", "right") not in shade
    assert not any(side == "left" for _, side in shade)


def test_territory_of_lumbar_plexus_and_l5_root():
    plexus = _territory("lumbar-plexus-diabetic-amyotrophy")
    assert plexus[("anterior_thigh", "right")] == 1.0 and plexus[("medial_leg", "right")] == 1.0
    assert ("sole", "right") not in plexus
    root = _territory("l5-radiculopathy")
    assert root[("first_web_space", "left")] > 0.5 and ("anterior_thigh", "left") not in root


def test_territory_of_polyneuropathy_is_a_stocking():
    case, _ = validate_case(load_shared("p16-"))
    shade = territory_shading(assess(case))
    assert shade[("whole_foot_stocking", "left")] > 0.5 and shade[("whole_foot_stocking", "right")] > 0.5
    assert shade.get(("anterior_thigh", "left"), 0) < shade[("sole", "left")]


def test_symptom_map_shades_pain_by_severity_and_marks_kinds():
    case, _ = parse_case(example_path("lumbar-plexus-diabetic-amyotrophy").read_bytes())
    shading, marks = symptom_map(case)
    assert shading == {("anterior_thigh", "right"): 0.9, ("groin", "right"): 0.6}
    assert marks == {("anterior_thigh", "right"): "P", ("groin", "right"): "P"}


def test_a_geometry_entry_that_cannot_be_drawn_is_refused_with_its_place():
    from plexnav.reports.bodymap import GeometryError, _region_shape

    good = {"points": [[0, 0], [10, 0], [10, 10]]}
    assert _region_shape("front", "heel", good, "left", (100.0, 0.0), 1.0, 0).points[1] == (110.0, 0.0)
    with pytest.raises(GeometryError, match="view front: 'knee' is not a skin region"):
        _region_shape("front", "knee", good, "left", (0.0, 0.0), 1.0, 0)
    with pytest.raises(GeometryError, match="at least 3 points"):
        _region_shape("front", "heel", {"points": [[0, 0], [1, 1]]}, "left", (0.0, 0.0), 1.0, 0)
    with pytest.raises(GeometryError, match="x0 < x1"):
        _region_shape("front", "heel", {**good, "hit": [5, 0, 1, 9]}, "left", (0.0, 0.0), 1.0, 0)
    with pytest.raises(GeometryError, match="give `points`"):
        _region_shape("front", "heel", {"polygon": good["points"]}, "left", (0.0, 0.0), 1.0, 0)

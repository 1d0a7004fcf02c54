"""The body map: one accessible shape per skin region and side, shaded from data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conftest import load_shared
from plexnav import vocabulary as V
from plexnav.engine.assess import assess
from plexnav.examples import example_path
from plexnav.reports.bodymap import (
    expand_key,
    load_geometry,
    region_keys,
    render_body_map,
    shade_color,
    symptom_map,
    territory_shading,
)
from plexnav.validation import parse_case, validate_case

NS = {"svg": "http://www.w3.org/2000/svg"}


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


def test_id_prefix_and_interactive_mode():
    root = _svg(render_body_map(id_prefix="map2-", interactive=True))
    regions = _regions(root)
    assert "map2-region-sole-left" in regions
    assert regions["map2-region-sole-left"].get("tabindex") == "0"
    assert root.get("role") == "group"
    assert "nothing is shaded" in root.find("svg:desc", NS).text


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

"""One body map (issue 9, item 16): the web pages and the printed reports draw the same
regions with the same shapes, from one geometry file through one renderer."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from plexnav.reports import bodymap as geometry
from plexnav.reports import render_html
from plexnav.validation import validate_case
from plexnav.web import bodymap
from web_support import example_case

SVG = "{http://www.w3.org/2000/svg}"


def _svg_in(html: str, svg_id: str | None = None) -> ET.Element:
    """The SVG element of a page (the one with that id, or the first), parsed as XML."""
    start = html.index(f'id="{svg_id}"' if svg_id else "<svg")
    start = html.rindex("<svg", 0, start + 4)
    return ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])


def _polygons(root: ET.Element) -> set[tuple[str, str, str, str]]:
    """(region, side, form key, points) of every region drawn, whatever the map's mode."""
    out = set()
    for element in root.iter():
        if element.get("class") != "region":
            continue
        polygon = element if element.tag == f"{SVG}polygon" else element.find(f"{SVG}polygon")
        assert polygon is not None
        out.add((element.get("data-region"), element.get("data-side"), element.get("data-key"), polygon.get("points")))
    return out


def _expected() -> set[tuple[str, str, str, str]]:
    shapes = geometry.load_geometry().shapes
    return {(s.region, s.side, s.key, " ".join(f"{x:g},{y:g}" for x, y in s.points)) for s in shapes}


def test_questionnaire_maps_and_reports_draw_the_same_regions_and_shapes(client):
    page = client.get("/check").text
    expected = _expected()
    # 19 lateral regions x 2 sides, 2 midline regions, the stocking x 2
    assert len(expected) == len(geometry.load_geometry().shapes) == 42
    for svg_id in ("map-pain", "map-numb"):
        root = _svg_in(page, svg_id)
        assert root.get("data-bodymap") == "toggle" and root.get("data-version") == "2"
        assert _polygons(root) == expected, svg_id
    case, _ = validate_case(example_case())
    for kind in ("patient", "clinician"):
        report = _svg_in(render_html(case, kind))
        assert "bodymap" in report.get("class") and report.get("role") == "img"
        assert _polygons(report) == expected, kind


def test_every_questionnaire_region_ticks_a_box_of_the_list_beside_it(client):
    """A region of the map stands for a checkbox of the list (the map is a second way in)."""
    page = client.get("/check").text
    boxes = set(re.findall(r'<input type="checkbox" name="pain" value="([^"]+)"', page))
    keys = {element.get("data-key") for element in _svg_in(page, "map-pain").iter() if element.get("class") == "region"}
    assert keys == set(bodymap.map_keys()) and keys <= boxes


def test_territory_map_shades_and_outlines_through_the_same_renderer():
    markup = str(
        bodymap.svg(
            "map-territory",
            "shade",
            "Body map shading the skin a right common peroneal nerve lesion would affect",
            shading={"lateral_leg:right": 0.9, "saddle": 0.3, "nonsense": 1.0},
            observed={"dorsum_foot:right": "reduced", "saddle:left": "numbness"},
        )
    )
    root = ET.fromstring(markup)
    assert _polygons(root) == _expected()
    regions = {e.get("id"): e for e in root.iter(f"{SVG}polygon") if e.get("class") == "region"}
    assert regions["map-territory-region-lateral_leg-right"].get("fill") == geometry.shade_color(0.9)
    assert regions["map-territory-region-saddle-bilateral"].get("data-shade") == "0.3"
    outlined = {e.get("data-key") for e in root.iter(f"{SVG}polygon") if e.get("class") == "outline"}
    assert outlined == {"dorsum_foot:right", "saddle"}
    desc = root.find(f"{SVG}desc").text
    assert "outer side of the lower leg (right, 90%)" in desc and "sensation found reduced" in desc


def test_the_phone_layout_shows_one_view_column_of_the_geometry():
    """app.css draws a map on a phone as wide as the geometry over one view column (one view
    across the screen); the numbers there must be the geometry file's."""
    from plexnav.web.paths import STATIC_DIR

    css = (STATIC_DIR / "app.css").read_text()
    geo = geometry.load_geometry()
    assert f"width: calc(100% * {geo.width:g} / {geo.column:g})" in css
    snaps = re.findall(r"\.snap-(\d) \{ left: (\d+)%; \}", css)
    columns = int(-(-geo.width // geo.column))  # a snap point at the start of every column
    assert [(int(i), int(left)) for i, left in snaps] == [(i, 100 * i) for i in range(columns)]


def test_the_result_page_shades_the_territory_the_reports_shade():
    """One shading too: the web's territory of the leading site is the reports' (a polyneuropathy's
    stocking included, which the web used to leave blank)."""
    from conftest import load_shared
    from plexnav.engine.assess import assess
    from plexnav.examples import example_path
    from plexnav.validation import parse_case
    from plexnav.web import present

    cases = [
        parse_case(example_path(name).read_bytes())[0] for name in ("common-peroneal-fibular-head", "l5-radiculopathy")
    ]
    cases.append(validate_case(load_shared("p16-"))[0])
    for case in cases:
        assessment = assess(case)
        printed = geometry.territory_shading(assessment)
        shown = present.territory(assessment).shading
        assert printed and {geometry.expand_form_key(k)[0]: v for k, v in shown.items()} == {
            k: round(v, 2) for k, v in printed.items()
        }
    assert shown["whole_foot_stocking:left"] > 0.5 and shown["whole_foot_stocking:right"] > 0.5


def test_the_patient_result_shows_where_they_feel_it_as_their_pdf_does(client):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/check").text).group(1)
    data = {
        "csrf_token": token,
        "pain": ["lateral_leg:right", "great_toe:right"],
        "pain_severity": "8",
        "numb": ["dorsum_foot:right"],
        "numb_kind": "both",
    }
    page = client.post("/check", data=data).text
    root = _svg_in(page, "map-symptoms")
    assert root.get("role") == "img" and _polygons(root) == _expected()
    shades = {e.get("data-key"): e.get("data-shade") for e in root.iter() if e.get("class") == "region"}
    assert shades["lateral_leg:right"] == shades["great_toe:right"] == "0.8"
    assert shades["dorsum_foot:right"] == "0"  # numbness is lettered, not shaded
    desc = root.find(f"{SVG}desc").text
    assert "top of the foot (right): numbness, tingling" in desc
    assert [t.text for t in root.iter(f"{SVG}text") if t.text in ("P", "N T")] == ["P", "N T", "P"]
    legend = page.split('id="h-where"', 1)[1].split("</ul>", 1)[0]
    assert "light = mild, dark = severe" in legend and legend.count('class="key"') == 3
    assert "map-symptoms" not in client.post("/check", data={"csrf_token": token, "weak": "stairs:left"}).text


def test_the_result_page_heads_a_look_alike_s_map_as_where_it_is_felt():
    """The result page's map heading follows the leading reading, as the reports' does."""
    from conftest import MECHANICAL_BACK_PAIN
    from plexnav.engine.assess import assess
    from plexnav.examples import example_path
    from plexnav.validation import parse_case
    from plexnav.web import present

    look_alike = validate_case({"format": "plexnav-case/1", **MECHANICAL_BACK_PAIN})[0]
    view = present.assessment_view(assess(look_alike), look_alike)
    assert view["territory_title"] == "Where the leading reading (no nerve lesion) is felt"
    nerve = parse_case(example_path("common-peroneal-fibular-head").read_bytes())[0]
    assert present.assessment_view(assess(nerve), nerve)["territory_title"] == "Skin territory of the leading site"

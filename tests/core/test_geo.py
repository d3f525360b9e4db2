"""Ward geometry: reading GeoJSON, adjacency, SVG paths and colour scales.

Synthetic shapes cover the rules, so the tests run anywhere. The real Stoke-on-Trent
boundaries (2011-2023 wards) are checked when the shared dataset is present.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point, Polygon, shape

from cohesion.core.colour import (
    NO_DATA_FILL,
    PALETTE_ANCHORS,
    contrast_ratio,
    palette,
    sequential_scale,
)
from cohesion.core.geo import (
    SvgMap,
    WardShape,
    centroid,
    compute_adjacency,
    read_wards,
    svg_paths,
)

STOKE_GEOJSON = Path("/work/shared/datasets/geo/stoke_wards_2011_WD13.geojson")

# Degrees of longitude/latitude near Stoke (53 N): 0.01 deg lat ~ 1.1 km, lon ~ 0.67 km.
LON0, LAT0, SIZE = -2.2, 53.0, 0.01


def square(col: float, row: float, size: float = SIZE, shrink_m: float = 0.0) -> list[list[float]]:
    """A closed ring for grid square (col, row), optionally shrunk by some metres."""
    dx = shrink_m / 67_000  # metres to degrees of longitude at 53 N (about)
    dy = shrink_m / 111_132
    x0, y0 = LON0 + col * size + dx, LAT0 + row * size + dy
    x1, y1 = LON0 + (col + 1) * size - dx, LAT0 + (row + 1) * size - dy
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def feature(code: str, name: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"WD13CD": code, "WD13NM": name},
        "geometry": geometry,
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def grid(shrink_m: float = 0.0) -> dict[str, Any]:
    """A 2x2 grid: A B on the bottom row, C D on the top row.

    A-B, C-D, A-C and B-D share an edge. A-D and B-C meet only at the centre point.
    """
    cells = {"A": (0, 0), "B": (1, 0), "C": (0, 1), "D": (1, 1)}
    return collection(
        *(
            feature(
                code,
                f"Ward {code}",
                {"type": "Polygon", "coordinates": [square(*pos, shrink_m=shrink_m)]},
            )
            for code, pos in cells.items()
        )
    )


def pairs(adjacency: dict[str, set[str]]) -> set[frozenset[str]]:
    return {frozenset((a, b)) for a, ns in adjacency.items() for b in ns}


def path_points(d: str) -> list[tuple[float, float]]:
    assert re.fullmatch(r"(M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)*Z)+", d), d[:80]
    return [(float(x), float(y)) for x, y in re.findall(r"([\d.]+),([\d.]+)", d)]


def path_polygon(d: str) -> Any:
    """The shapely shape of an SVG path made of M/L/Z rings (even-odd fill)."""
    result: Any = Polygon()
    for ring in d.split("Z"):
        if ring:
            points = [(float(x), float(y)) for x, y in re.findall(r"([\d.]+),([\d.]+)", ring)]
            result = result.symmetric_difference(Polygon(points).buffer(0))
    return result


# ----------------------------------------------------------------------------- read_wards


def test_read_wards_from_dict_text_and_bytes() -> None:
    data = grid()
    for source in (data, json.dumps(data), json.dumps(data).encode()):
        wards = read_wards(geojson=source)
        assert [w.code for w in wards] == ["A", "B", "C", "D"]
        assert wards[0].name == "Ward A"
        assert wards[0].geometry["type"] == "Polygon"


def test_read_wards_with_other_property_names() -> None:
    data = grid()
    for f in data["features"]:
        props = f["properties"]
        f["properties"] = {"WD24CD": props["WD13CD"], "WD24NM": props["WD13NM"]}
    wards = read_wards(geojson=data, code_property="WD24CD", name_property="WD24NM")
    assert len(wards) == 4


def test_read_wards_not_a_feature_collection() -> None:
    with pytest.raises(ValueError, match="must be a FeatureCollection, got 'Feature'"):
        read_wards(geojson=grid()["features"][0])
    with pytest.raises(ValueError, match="not valid JSON"):
        read_wards(geojson="{nope")
    with pytest.raises(ValueError, match="no features"):
        read_wards(geojson=collection())


def test_read_wards_missing_property_names_the_feature() -> None:
    data = grid()
    del data["features"][2]["properties"]["WD13NM"]
    with pytest.raises(
        ValueError, match=r"feature 3 \(features\[2\]\) is missing property 'WD13NM'"
    ):
        read_wards(geojson=data)


def test_read_wards_rejects_non_polygons() -> None:
    data = grid()
    data["features"][1]["geometry"] = {"type": "Point", "coordinates": [LON0, LAT0]}
    with pytest.raises(ValueError, match=r"feature 2 .*B Ward B.* geometry type 'Point'"):
        read_wards(geojson=data)
    data["features"][1]["geometry"] = None
    with pytest.raises(ValueError, match=r"feature 2 .*geometry type None"):
        read_wards(geojson=data)


def test_read_wards_repairs_a_self_intersecting_polygon() -> None:
    bowtie = [
        [LON0, LAT0],
        [LON0 + SIZE, LAT0 + SIZE],
        [LON0 + SIZE, LAT0],
        [LON0, LAT0 + SIZE],
        [LON0, LAT0],
    ]
    assert not Polygon(bowtie).is_valid
    wards = read_wards(
        geojson=collection(feature("X", "Bowtie", {"type": "Polygon", "coordinates": [bowtie]}))
    )
    repaired = shape(wards[0].geometry)
    assert repaired.is_valid
    assert repaired.geom_type == "MultiPolygon"
    assert repaired.area == pytest.approx(SIZE * SIZE / 2)


def test_read_wards_unrepairable_geometry_names_the_feature() -> None:
    flat = [[LON0, LAT0], [LON0 + SIZE, LAT0], [LON0 + 2 * SIZE, LAT0], [LON0, LAT0]]
    data = grid()
    data["features"].append(feature("E", "Flat", {"type": "Polygon", "coordinates": [flat]}))
    with pytest.raises(ValueError, match=r"feature 5 \(features\[4\]\) \(E Flat\) has an invalid"):
        read_wards(geojson=data)


def test_read_wards_rejects_malformed_coordinates() -> None:
    data = grid()
    data["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [[[1, 2], [3]]]}
    with pytest.raises(ValueError, match=r"feature 1 .*malformed coordinates"):
        read_wards(geojson=data)


def test_read_wards_rejects_duplicate_codes() -> None:
    data = grid()
    data["features"][3]["properties"]["WD13CD"] = "A"
    with pytest.raises(ValueError, match=r"feature 4 .* code 'A', which feature 1 already uses"):
        read_wards(geojson=data)


def test_read_wards_rejects_projected_coordinates() -> None:
    bng = [[386000, 346000], [387000, 346000], [387000, 347000], [386000, 347000], [386000, 346000]]
    data = collection(feature("X", "Grid", {"type": "Polygon", "coordinates": [bng]}))
    with pytest.raises(ValueError, match="probably projected"):
        read_wards(geojson=data)
    data = grid()
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    with pytest.raises(ValueError, match="EPSG::27700"):
        read_wards(geojson=data)
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    assert len(read_wards(geojson=data)) == 4


# ----------------------------------------------------------------------------- adjacency


def test_grid_edges_are_neighbours_and_corners_are_not() -> None:
    adjacency = compute_adjacency(wards=read_wards(geojson=grid()))
    assert adjacency == {
        "A": {"B", "C"},
        "B": {"A", "D"},
        "C": {"A", "D"},
        "D": {"B", "C"},
    }


def test_grid_with_small_gaps_uses_the_tolerance() -> None:
    # Each square shrunk by 4 m on every side: 8 m gaps between neighbours.
    wards = read_wards(geojson=grid(shrink_m=4))
    assert pairs(compute_adjacency(wards=wards)) == {
        frozenset("AB"),
        frozenset("AC"),
        frozenset("BD"),
        frozenset("CD"),
    }
    assert pairs(compute_adjacency(wards=wards, tolerance_m=0)) == set()
    assert pairs(compute_adjacency(wards=wards, tolerance_m=3)) == set()


def test_overlapping_wards_are_neighbours() -> None:
    left = square(0, 0)
    right = square(1, 0)
    for point in right:  # push the right square 5 m into the left one
        point[0] -= 5 / 67_000
    data = collection(
        feature("L", "Left", {"type": "Polygon", "coordinates": [left]}),
        feature("R", "Right", {"type": "Polygon", "coordinates": [right]}),
    )
    assert compute_adjacency(wards=read_wards(geojson=data)) == {"L": {"R"}, "R": {"L"}}


def test_multipolygon_ward_and_isolated_ward() -> None:
    multi = {"type": "MultiPolygon", "coordinates": [[square(0, 0)], [square(5, 5)]]}
    data = collection(
        feature("M", "Two parts", multi),
        feature("N", "Next to part 2", {"type": "Polygon", "coordinates": [square(6, 5)]}),
        feature("F", "Far away", {"type": "Polygon", "coordinates": [square(20, 20)]}),
    )
    adjacency = compute_adjacency(wards=read_wards(geojson=data))
    assert adjacency == {"M": {"N"}, "N": {"M"}, "F": set()}


def test_adjacency_rejects_bad_arguments() -> None:
    wards = read_wards(geojson=grid())
    with pytest.raises(ValueError, match="tolerance_m"):
        compute_adjacency(wards=wards, tolerance_m=-1)
    with pytest.raises(ValueError, match="unique"):
        compute_adjacency(wards=[wards[0], wards[0]])
    assert compute_adjacency(wards=[]) == {}
    assert compute_adjacency(wards=wards[:1]) == {"A": set()}


# ----------------------------------------------------------------------------- svg and centroid


def check_svg(svg: SvgMap, wards: list[WardShape]) -> None:
    numbers = [float(v) for v in svg.view_box.split()]
    assert numbers[:2] == [0, 0]
    assert numbers[2] == pytest.approx(svg.width)
    assert numbers[3] == pytest.approx(svg.height)
    assert [s.code for s in svg.shapes] == [w.code for w in wards]
    for shape_ in svg.shapes:
        points = path_points(shape_.d)
        assert points
        for x, y in points:
            assert 0 <= x <= svg.width and 0 <= y <= svg.height
            assert re.fullmatch(r"\d+\.\d", f"{x:.1f}")
        assert 0 <= shape_.label_x <= svg.width and 0 <= shape_.label_y <= svg.height
        outline = path_polygon(shape_.d)
        assert outline.buffer(0.2).contains(Point(shape_.label_x, shape_.label_y))


def test_svg_paths_for_the_grid() -> None:
    wards = read_wards(geojson=grid())
    svg = svg_paths(wards=wards, width=200, padding=10)
    check_svg(svg, wards)
    # Squares in degrees are narrower than tall at 53 N (cos 53 ~ 0.6).
    assert svg.height == pytest.approx(10 + 180 / 0.6018 + 10, abs=0.5)
    a, b, c = (path_points(s.d) for s in svg.shapes[:3])
    assert min(x for x, _ in a) == pytest.approx(10)
    assert max(x for x, _ in b) == pytest.approx(190)
    # North is up: C (top row) has smaller y than A.
    assert max(y for _, y in c) <= min(y for _, y in a) + 0.1


def test_svg_paths_with_fixed_height_are_centred() -> None:
    wards = read_wards(geojson=grid())
    svg = svg_paths(wards=wards, width=600, height=200, padding=4)
    check_svg(svg, wards)
    assert svg.view_box == "0 0 600 200"
    xs = [x for s in svg.shapes for x, _ in path_points(s.d)]
    assert (min(xs) + max(xs)) / 2 == pytest.approx(300, abs=0.2)


def test_svg_paths_draw_holes() -> None:
    outer = square(0, 0, size=0.04)
    hole = square(1, 1, size=0.01)
    data = collection(
        feature("H", "With a hole", {"type": "Polygon", "coordinates": [outer, hole]})
    )
    wards = read_wards(geojson=data)
    svg = svg_paths(wards=wards)
    assert svg.shapes[0].d.count("M") == 2
    drawn = path_polygon(svg.shapes[0].d)
    assert len(drawn.interiors) == 1


def test_svg_paths_bad_input() -> None:
    wards = read_wards(geojson=grid())
    with pytest.raises(ValueError, match="at least one ward"):
        svg_paths(wards=[])
    with pytest.raises(ValueError, match="padding"):
        svg_paths(wards=wards, width=10, padding=5)
    with pytest.raises(ValueError, match="width"):
        svg_paths(wards=wards, width=0)
    with pytest.raises(ValueError, match="height"):
        svg_paths(wards=wards, height=5, padding=4)


def test_centroid() -> None:
    lon, lat = centroid(geometry={"type": "Polygon", "coordinates": [square(0, 0)]})
    assert lon == pytest.approx(LON0 + SIZE / 2)
    assert lat == pytest.approx(LAT0 + SIZE / 2)
    with pytest.raises(ValueError, match="not a valid GeoJSON geometry"):
        centroid(geometry={"type": "Blob"})


# ----------------------------------------------------------------------------- Stoke-on-Trent


@pytest.fixture(scope="module")
def stoke() -> list[WardShape]:
    if not STOKE_GEOJSON.exists():
        pytest.skip(f"shared Stoke-on-Trent ward boundaries not available at {STOKE_GEOJSON}")
    return read_wards(geojson=STOKE_GEOJSON.read_bytes())


@pytest.fixture(scope="module")
def stoke_adjacency(stoke: list[WardShape]) -> dict[str, set[str]]:
    return compute_adjacency(wards=stoke)


def by_name(wards: list[WardShape]) -> dict[str, str]:
    return {w.name: w.code for w in wards}


def test_stoke_has_37_wards(stoke: list[WardShape]) -> None:
    assert len(stoke) == 37
    codes = sorted(w.code for w in stoke)
    assert codes[0] == "E05008714" and codes[-1] == "E05008750"
    assert by_name(stoke)["Abbey Hulton and Townsend"] == "E05008714"


def test_stoke_adjacency_is_symmetric_and_connected(
    stoke: list[WardShape], stoke_adjacency: dict[str, set[str]]
) -> None:
    assert set(stoke_adjacency) == {w.code for w in stoke}
    for code, neighbours in stoke_adjacency.items():
        assert neighbours, f"{code} has no neighbours"
        assert code not in neighbours
        for other in neighbours:
            assert code in stoke_adjacency[other]
    # One contiguous city: every ward reachable from the first.
    seen, todo = set(), [stoke[0].code]
    while todo:
        code = todo.pop()
        if code not in seen:
            seen.add(code)
            todo.extend(stoke_adjacency[code] - seen)
    assert seen == set(stoke_adjacency)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Burslem Central", "Tunstall"),
        ("Goldenhill and Sandyford", "Tunstall"),
        ("Meir North", "Meir Park"),
        ("Blurton East", "Blurton West and Newstead"),
        ("Hartshill and Basford", "Penkhull and Stoke"),
        ("Fenton East", "Fenton West and Mount Pleasant"),
    ],
)
def test_stoke_known_neighbours(
    stoke: list[WardShape], stoke_adjacency: dict[str, set[str]], first: str, second: str
) -> None:
    codes = by_name(stoke)
    assert codes[second] in stoke_adjacency[codes[first]]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # These two pairs touch at a single corner point in the data (checked below).
        ("Boothen and Oak Hill", "Hollybush and Longton West"),
        ("Fenton West and Mount Pleasant", "Hanford and Trentham"),
        # Opposite ends of the city.
        ("Tunstall", "Meir Park"),
    ],
)
def test_stoke_not_neighbours(
    stoke: list[WardShape], stoke_adjacency: dict[str, set[str]], first: str, second: str
) -> None:
    codes = by_name(stoke)
    assert codes[second] not in stoke_adjacency[codes[first]]


def test_stoke_corner_pairs_really_touch_at_a_point(stoke: list[WardShape]) -> None:
    shapes = {w.name: shape(w.geometry) for w in stoke}
    for first, second in [
        ("Boothen and Oak Hill", "Hollybush and Longton West"),
        ("Fenton West and Mount Pleasant", "Hanford and Trentham"),
    ]:
        assert shapes[first].intersection(shapes[second]).geom_type == "Point"


def test_stoke_svg(stoke: list[WardShape]) -> None:
    svg = svg_paths(wards=stoke)
    assert svg.width == 600
    assert 800 < svg.height < 1000  # the city is taller than wide
    check_svg(svg, stoke)


def test_stoke_input_is_not_modified(stoke: list[WardShape]) -> None:
    before = copy.deepcopy([w.geometry for w in stoke])
    compute_adjacency(wards=stoke)
    svg_paths(wards=stoke)
    assert [w.geometry for w in stoke] == before


# ----------------------------------------------------------------------------- colour


def test_palette_contrast_against_white_strokes() -> None:
    for anchor in PALETTE_ANCHORS:
        assert contrast_ratio(anchor, "#ffffff") >= 3
    for count in range(1, 8):
        colours = palette(count)
        assert len(set(colours)) == count
        for colour in colours:
            assert contrast_ratio(colour, "#ffffff") >= 3, colour
        # light to dark
        ratios = [contrast_ratio(c, "#ffffff") for c in colours]
        assert ratios == sorted(ratios)
    # The no-data grey is light, not a palette colour.
    assert contrast_ratio(NO_DATA_FILL, "#ffffff") < 1.5


def test_sequential_scale_quantiles() -> None:
    values: dict[str, float | None] = {
        "a": 1.0,
        "b": 2.0,
        "c": 3.0,
        "d": 4.0,
        "e": 5.0,
        "x": None,
    }
    fills, legend = sequential_scale(values=values)
    assert "x" not in fills
    assert len(legend) == 5
    assert [label for _, label in legend] == [
        "1.0 to 1.8",
        "1.8 to 2.6",
        "2.6 to 3.4",
        "3.4 to 4.2",
        "4.2 to 5.0",
    ]
    colours = [colour for colour, _ in legend]
    assert [fills[k] for k in "abcde"] == colours
    assert colours == palette(5)  # higher is better: highest value darkest


def test_sequential_scale_lower_is_better_reverses_colours() -> None:
    values: dict[str, float | None] = {"a": 1, "b": 2, "c": 3}
    fills, legend = sequential_scale(values=values, bins=3, higher_is_better=False)
    assert [c for c, _ in legend] == list(reversed(palette(3)))
    assert fills["a"] == palette(3)[-1]  # lowest value, darkest


def test_sequential_scale_equal_interval_and_labels() -> None:
    values: dict[str, float | None] = {"a": 0.0, "b": 2.0, "c": 10.0}
    fills, legend = sequential_scale(values=values, bins=2, method="equal")
    assert legend == [(palette(2)[0], "0.0 to 5.0"), (palette(2)[1], "5.0 to 10.0")]
    assert fills == {"a": palette(2)[0], "b": palette(2)[0], "c": palette(2)[1]}
    # Extra decimals appear only when needed to tell edges apart.
    _, legend = sequential_scale(values={"a": 0.01, "b": 0.03}, bins=2, method="equal")
    assert [label for _, label in legend] == ["0.01 to 0.02", "0.02 to 0.03"]


def test_sequential_scale_edge_cases() -> None:
    assert sequential_scale(values={}) == ({}, [])
    assert sequential_scale(values={"a": None}) == ({}, [])
    fills, legend = sequential_scale(values={"a": 3, "b": 3})
    assert len(legend) == 1 and legend[0][1] == "3.0"
    assert fills["a"] == fills["b"] == legend[0][0]
    # Ties collapse quantile bins rather than producing empty duplicates.
    _, legend = sequential_scale(values={"a": 1, "b": 1, "c": 1, "d": 1, "e": 5})
    assert len(legend) == 2
    with pytest.raises(ValueError, match="bins"):
        sequential_scale(values={"a": 1}, bins=0)
    with pytest.raises(ValueError, match="use None for missing"):
        sequential_scale(values={"a": float("nan")})


# ----------------------------------------------------------------------------- template filters


def test_get_item_and_any_missing_filters() -> None:
    from cohesion.core.templatetags.cohesion_tags import any_missing, get_item

    assert get_item({"a": 1}, "a") == 1
    assert get_item({"a": 1}, "b") is None
    assert get_item(None, "a") is None
    assert get_item(["x"], 5) is None
    wards = read_wards(geojson=grid())
    shapes = svg_paths(wards=wards).shapes
    assert any_missing(shapes, {"A": "#000000"})
    assert not any_missing(shapes, dict.fromkeys("ABCD", "#000000"))
    assert any_missing(shapes, None)

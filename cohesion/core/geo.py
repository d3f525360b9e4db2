"""Ward geometry: read GeoJSON, find neighbouring wards, and draw wards as SVG paths.

Input is GeoJSON in WGS84 longitude/latitude (CRS84), the format ONS boundary files
use. The module is pure Python with shapely and does not import Django.

For distances we project to a local flat plane in metres (equirectangular, with
longitude scaled by the cosine of the data's mean latitude). At the scale of one
council area the error is well under 1%.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.strtree import STRtree
from shapely.validation import explain_validity, make_valid

__all__ = [
    "SvgMap",
    "SvgShape",
    "WardShape",
    "centroid",
    "compute_adjacency",
    "read_wards",
    "svg_paths",
]

#: Metres per degree of latitude (mean value). Good enough for ward-scale work.
METRES_PER_DEGREE_LAT = 111_132.0
#: Metres per degree of longitude at the equator.
METRES_PER_DEGREE_LON_EQUATOR = 111_320.0

_POLYGONAL = ("Polygon", "MultiPolygon")
_LONLAT_CRS_MARKERS = ("CRS84", "EPSG::4326", "EPSG:4326", "4326")


@dataclass(frozen=True)
class WardShape:
    """One ward: its code, its name and a valid GeoJSON Polygon/MultiPolygon geometry."""

    code: str
    name: str
    geometry: dict[str, Any]


@dataclass(frozen=True)
class SvgShape:
    code: str
    name: str
    d: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class SvgMap:
    width: float
    height: float
    view_box: str
    shapes: list[SvgShape]


# --------------------------------------------------------------------------- reading


def _load(geojson: dict[str, Any] | str | bytes) -> Any:
    if isinstance(geojson, dict):
        return geojson
    if isinstance(geojson, str | bytes | bytearray):
        try:
            return json.loads(geojson)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"GeoJSON is not valid JSON: {exc}") from exc
    raise TypeError(f"geojson must be a dict, str or bytes, not {type(geojson).__name__}")


def _check_crs(data: Mapping[str, Any]) -> None:
    crs = data.get("crs")
    if crs is None:
        return
    name = ""
    if isinstance(crs, Mapping):
        properties = crs.get("properties")
        if isinstance(properties, Mapping):
            name = str(properties.get("name", ""))
    if not any(marker in name.upper() for marker in _LONLAT_CRS_MARKERS):
        raise ValueError(
            f"GeoJSON uses coordinate reference system {name or crs!r}; convert it to "
            "WGS84 longitude/latitude (CRS84 / EPSG:4326) first, e.g. with "
            "ogr2ogr -t_srs EPSG:4326"
        )


def _polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    """Keep only the polygon parts (make_valid can return a GeometryCollection)."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    polygons: list[Polygon] = []
    for part in getattr(geometry, "geoms", []):
        if isinstance(part, Polygon):
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(part.geoms)
    if not polygons:
        return Polygon()
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _as_geojson_geometry(geometry: BaseGeometry) -> dict[str, Any]:
    # Round-trip through JSON so the dict holds plain lists, as parsed GeoJSON would.
    result: dict[str, Any] = json.loads(json.dumps(mapping(geometry)))
    return result


def read_wards(
    *,
    geojson: dict[str, Any] | str | bytes,
    code_property: str = "WD13CD",
    name_property: str = "WD13NM",
) -> list[WardShape]:
    """Read ward shapes from a GeoJSON FeatureCollection in WGS84 lon/lat.

    ``geojson`` is a parsed dict or the JSON text (str/bytes), not a file path.
    Invalid geometries are repaired with shapely's ``make_valid`` when possible.
    Errors are ``ValueError`` messages that name the feature number (counting from 1)
    and its index in ``features``.
    """
    data = _load(geojson)
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, Mapping) else type(data).__name__
        raise ValueError(f"GeoJSON must be a FeatureCollection, got {found!r}")
    _check_crs(data)
    features = data.get("features")
    if not isinstance(features, list):
        raise ValueError("GeoJSON FeatureCollection has no 'features' list")
    if not features:
        raise ValueError("GeoJSON FeatureCollection has no features")

    wards: list[WardShape] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        where = f"feature {index + 1} (features[{index}])"
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            raise ValueError(f"{where} is not a GeoJSON Feature")
        properties = feature.get("properties") or {}
        if not isinstance(properties, Mapping):
            raise ValueError(f"{where} has properties that are not an object")
        values: dict[str, str] = {}
        for prop in (code_property, name_property):
            value = properties.get(prop)
            if value is None or (isinstance(value, str) and not value.strip()):
                available = ", ".join(sorted(map(str, properties))) or "none"
                raise ValueError(
                    f"{where} is missing property {prop!r} (properties available: {available})"
                )
            if not isinstance(value, str | int):
                raise ValueError(f"{where} has a {prop!r} that is not text: {value!r}")
            values[prop] = str(value).strip()
        code, name = values[code_property], values[name_property]
        if code in seen:
            raise ValueError(
                f"{where} has ward code {code!r}, which feature {seen[code] + 1} already uses"
            )
        seen[code] = index

        raw = feature.get("geometry")
        geometry_type = raw.get("type") if isinstance(raw, Mapping) else None
        if geometry_type not in _POLYGONAL:
            raise ValueError(
                f"{where} ({code} {name}) has geometry type {geometry_type!r}; "
                "expected Polygon or MultiPolygon"
            )
        try:
            geometry = shape(raw)
        except Exception as exc:  # shapely raises several types on malformed coordinates
            raise ValueError(f"{where} ({code} {name}) has malformed coordinates: {exc}") from exc
        if geometry.is_empty:
            raise ValueError(f"{where} ({code} {name}) has an empty geometry")
        min_x, min_y, max_x, max_y = geometry.bounds
        if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
            raise ValueError(
                f"{where} ({code} {name}) has coordinates outside longitude/latitude range "
                f"(bounds {min_x:.0f}, {min_y:.0f}, {max_x:.0f}, {max_y:.0f}); the file is "
                "probably projected (e.g. British National Grid). Convert it to EPSG:4326"
            )
        geometry_dict: dict[str, Any] = dict(raw)  # type: ignore[arg-type]
        if not geometry.is_valid:
            reason = explain_validity(geometry)
            repaired = _polygonal_part(make_valid(geometry))
            if repaired.is_empty or not repaired.is_valid or repaired.area == 0:
                raise ValueError(
                    f"{where} ({code} {name}) has an invalid geometry that could not be "
                    f"repaired: {reason}"
                )
            geometry_dict = _as_geojson_geometry(repaired)
        wards.append(WardShape(code=code, name=name, geometry=geometry_dict))
    return wards


# --------------------------------------------------------------------------- geometry


def _geometry(geometry: Mapping[str, Any]) -> BaseGeometry:
    try:
        geom = shape(geometry)
    except Exception as exc:
        raise ValueError(f"not a valid GeoJSON geometry: {exc}") from exc
    if geom.is_empty:
        raise ValueError("geometry is empty")
    return geom


def centroid(*, geometry: Mapping[str, Any]) -> tuple[float, float]:
    """The centroid ``(lon, lat)`` of a GeoJSON geometry.

    It is computed in lon/lat, which is fine at ward scale. For concave shapes the
    centroid can fall outside the shape. Use ``SvgShape.label_x/label_y`` (a point
    inside the shape) to place labels.
    """
    point = _geometry(geometry).centroid
    return (float(point.x), float(point.y))


def _shapes(wards: Sequence[WardShape]) -> list[BaseGeometry]:
    geometries = []
    for ward in wards:
        geom = _geometry(ward.geometry)
        if not geom.is_valid:
            geom = _polygonal_part(make_valid(geom))
        geometries.append(geom)
    return geometries


def _check_unique_codes(wards: Sequence[WardShape]) -> None:
    codes = [ward.code for ward in wards]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"ward codes must be unique; repeated: {', '.join(duplicates)}")


def _to_metres(geometries: Sequence[BaseGeometry]) -> list[BaseGeometry]:
    """Project lon/lat to a local plane in metres, centred on the data."""
    min_y = min(g.bounds[1] for g in geometries)
    max_y = max(g.bounds[3] for g in geometries)
    mean_lat = (min_y + max_y) / 2
    scale = np.array(
        [
            METRES_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(mean_lat)),
            METRES_PER_DEGREE_LAT,
        ]
    )
    return [shapely.transform(g, lambda coords: coords * scale) for g in geometries]


def compute_adjacency(
    *,
    wards: Sequence[WardShape],
    tolerance_m: float = 20.0,
    min_shared_m: float | None = None,
) -> dict[str, set[str]]:
    """Which wards share a boundary with which. The result is symmetric.

    Generalised (simplified) boundaries leave small gaps and overlaps between wards,
    so each ward is widened by ``tolerance_m`` metres. Two wards are neighbours if at
    least ``min_shared_m`` metres of boundary lie within the tolerance of each other
    in both directions. The default ``min_shared_m`` is ``4 * tolerance_m``. Wards
    that meet only at a corner point share about ``2 * tolerance_m`` and so are not
    neighbours. With ``tolerance_m=0`` any shared boundary of positive length
    counts. Every ward appears as a key, with an empty set if it has no neighbours.
    """
    if tolerance_m < 0 or not math.isfinite(tolerance_m):
        raise ValueError(f"tolerance_m must be a finite number >= 0, got {tolerance_m}")
    minimum = 4 * tolerance_m if min_shared_m is None else min_shared_m
    if minimum < 0:
        raise ValueError(f"min_shared_m must be >= 0, got {min_shared_m}")
    _check_unique_codes(wards)
    adjacency: dict[str, set[str]] = {ward.code: set() for ward in wards}
    if len(wards) < 2:
        return adjacency

    projected = _to_metres(_shapes(wards))
    # A zero buffer still turns each shape into a valid polygon (fixes tiny slivers).
    widened = [g.buffer(tolerance_m) if tolerance_m > 0 else g.buffer(0) for g in projected]
    boundaries = [g.boundary for g in projected]
    tree = STRtree(projected)
    for i, area in enumerate(widened):
        for j in tree.query(area, predicate="intersects"):
            j = int(j)
            if j <= i:
                continue
            shared = min(
                boundaries[i].intersection(widened[j]).length,
                boundaries[j].intersection(widened[i]).length,
            )
            if shared > minimum:
                adjacency[wards[i].code].add(wards[j].code)
                adjacency[wards[j].code].add(wards[i].code)
    return adjacency


# --------------------------------------------------------------------------- SVG


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def svg_paths(
    *,
    wards: Sequence[WardShape],
    width: float = 600,
    height: float | None = None,
    padding: float = 4,
) -> SvgMap:
    """Project wards to SVG path data that fits a ``0 0 width height`` viewBox.

    The projection is equirectangular: x = longitude x cos(mean latitude), and
    y = -latitude (north is up). The map is scaled to fit inside ``padding`` and
    centred. With ``height=None`` the height follows the map's aspect ratio, rounded
    up to 1 decimal place. Coordinates are rounded to 1 decimal place, and repeated
    points left after rounding are dropped. Exterior rings are drawn in one winding
    direction and holes in the other, so holes render with either fill rule.
    """
    if not wards:
        raise ValueError("svg_paths needs at least one ward")
    if not (math.isfinite(width) and width > 0):
        raise ValueError(f"width must be a positive number, got {width}")
    if not (math.isfinite(padding) and padding >= 0) or 2 * padding >= width:
        raise ValueError(f"padding must be >= 0 and less than half the width, got {padding}")
    if height is not None and not (math.isfinite(height) and height > 2 * padding):
        raise ValueError(f"height must be a number greater than twice the padding, got {height}")
    _check_unique_codes(wards)

    geometries = _shapes(wards)
    bounds = np.array([g.bounds for g in geometries])
    min_lon, min_lat = bounds[:, 0].min(), bounds[:, 1].min()
    max_lon, max_lat = bounds[:, 2].max(), bounds[:, 3].max()
    x_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    geo_width = max((max_lon - min_lon) * x_scale, 1e-12)
    geo_height = max(max_lat - min_lat, 1e-12)

    inner_width = width - 2 * padding
    if height is None:
        height = math.ceil((inner_width * geo_height / geo_width + 2 * padding) * 10) / 10
    inner_height = height - 2 * padding
    scale = min(inner_width / geo_width, inner_height / geo_height)
    offset_x = padding + (inner_width - geo_width * scale) / 2
    offset_y = padding + (inner_height - geo_height * scale) / 2
    final_width, final_height = width, height

    def project(coords: np.ndarray) -> np.ndarray:
        x = offset_x + (coords[:, 0] - min_lon) * x_scale * scale
        y = offset_y + (max_lat - coords[:, 1]) * scale
        return np.column_stack(
            [np.clip(np.round(x, 1), 0, final_width), np.clip(np.round(y, 1), 0, final_height)]
        )

    def ring_path(ring: Any) -> str:
        points = project(np.asarray(ring.coords)[:, :2])
        parts: list[str] = []
        last: tuple[float, float] | None = None
        for x, y in points.tolist():
            if (x, y) == last:
                continue
            parts.append(f"{_fmt(x)},{_fmt(y)}")
            last = (x, y)
        if len(parts) > 1 and parts[-1] == parts[0]:
            parts.pop()  # Z closes the ring
        if len(parts) < 3:
            return ""
        return "M" + "L".join(parts) + "Z"

    shapes: list[SvgShape] = []
    for ward, geometry in zip(wards, geometries, strict=True):
        polygons = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
        rings: list[str] = []
        for polygon in polygons:
            polygon = orient(polygon, sign=1.0)
            rings.append(ring_path(polygon.exterior))
            rings.extend(ring_path(interior) for interior in polygon.interiors)
        d = "".join(r for r in rings if r)
        label = project(np.asarray(geometry.representative_point().coords)[:, :2])[0]
        if not d:  # too small to see at this size: draw a tiny square so it stays hoverable
            x0 = min(float(label[0]), width - 0.1)
            y0 = min(float(label[1]), height - 0.1)
            x1, y1 = _fmt(x0 + 0.1), _fmt(y0 + 0.1)
            d = f"M{_fmt(x0)},{_fmt(y0)}L{x1},{_fmt(y0)}L{x1},{y1}L{_fmt(x0)},{y1}Z"
        shapes.append(
            SvgShape(
                code=ward.code,
                name=ward.name,
                d=d,
                label_x=float(label[0]),
                label_y=float(label[1]),
            )
        )
    return SvgMap(
        width=width,
        height=height,
        view_box=f"0 0 {_fmt_dimension(width)} {_fmt_dimension(height)}",
        shapes=shapes,
    )


def _fmt_dimension(value: float) -> str:
    """``600`` rather than ``600.0``. Never rounds up past the real size."""
    return f"{value:.10g}"

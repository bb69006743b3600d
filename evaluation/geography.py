"""Shapes of crime areas: GeoJSON boundaries in longitude and latitude (WGS 84), rings
generated around them, and which map points fall inside.

Distances and areas are measured on the British National Grid (EPSG:27700, metres),
through pyproj; shapes are shapely's. A boundary is stored as GeoJSON so it can be drawn
in any web map tool and pasted in.
"""

import json
import math
import re
from functools import cache

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

WGS84, BRITISH_NATIONAL_GRID = "EPSG:4326", "EPSG:27700"
# England and Wales with a margin, in longitude and latitude.
BOUNDS = (-9.0, 49.0, 2.5, 56.5)
MAX_RING_METRES = 5000


class BoundaryProblem(ValueError):
    """Why a boundary cannot be used, in words for the form."""


@cache
def _to_grid():
    return Transformer.from_crs(WGS84, BRITISH_NATIONAL_GRID, always_xy=True)


@cache
def _from_grid():
    return Transformer.from_crs(BRITISH_NATIONAL_GRID, WGS84, always_xy=True)


def to_grid(geometry):
    return shapely.transform(geometry, _to_grid().transform, interleaved=False)


def from_grid(geometry):
    return shapely.transform(geometry, _from_grid().transform, interleaved=False)


def _polygons(data) -> list:
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "FeatureCollection":
        return [p for feature in data.get("features", []) for p in _polygons(feature)]
    if kind == "Feature":
        return _polygons(data.get("geometry") or {})
    if kind == "GeometryCollection":
        return [p for g in data.get("geometries", []) for p in _polygons(g)]
    if kind in ("Polygon", "MultiPolygon"):
        try:
            return [shape(data)]
        except (ValueError, TypeError, AttributeError, IndexError) as error:
            raise BoundaryProblem(f"The {kind} cannot be read: {error}.") from None
    raise BoundaryProblem(
        "A boundary is a GeoJSON Polygon or MultiPolygon (or a Feature or "
        f"FeatureCollection of them), not {kind or 'this'}."
    )


# GeoJSON nests a MultiPolygon's coordinates four deep, inside a Feature in a
# FeatureCollection; anything far deeper is not a boundary (and would exhaust recursion).
MAX_NESTING = 32
_JSON_STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def _nesting(text: str) -> int:
    deepest = depth = 0
    for char in _JSON_STRING.sub('""', text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BoundaryProblem(f"The coordinate {text[:20]} is not a number on the map.")
    return value


def _not_a_number(constant: str):
    raise BoundaryProblem(f"The GeoJSON holds {constant}, which is not a coordinate.")


def boundary_parse(text: str):
    """The boundary's shape in longitude and latitude, or a ``BoundaryProblem``."""
    if _nesting(text) > MAX_NESTING:
        raise BoundaryProblem(
            f"The GeoJSON is nested more than {MAX_NESTING} deep: it is not a boundary."
        )
    try:
        data = json.loads(
            text, parse_float=_finite, parse_int=_finite, parse_constant=_not_a_number
        )
    except json.JSONDecodeError as error:
        raise BoundaryProblem(f"This is not GeoJSON: {error.msg} (line {error.lineno}).") from None
    polygons = _polygons(data)
    if not polygons:
        raise BoundaryProblem("The GeoJSON holds no polygon.")
    for polygon in polygons:
        if not shapely.is_valid(polygon):
            raise BoundaryProblem(
                f"The boundary is not a valid shape ({shapely.is_valid_reason(polygon)}): "
                "check that its edges do not cross."
            )
    geometry = unary_union(polygons)
    if geometry.is_empty or geometry.area == 0:
        raise BoundaryProblem("The boundary encloses no area.")
    west, south, east, north = geometry.bounds
    if west < BOUNDS[0] or south < BOUNDS[1] or east > BOUNDS[2] or north > BOUNDS[3]:
        raise BoundaryProblem(
            "The boundary lies outside England and Wales: GeoJSON gives longitude first, "
            "then latitude."
        )
    return geometry


def boundary_dump(geometry) -> str:
    """GeoJSON for a shape in longitude and latitude, coordinates to 6 decimals (10 cm)."""
    rounded = shapely.set_precision(geometry, 1e-6)
    return json.dumps({"type": "Feature", "properties": {}, "geometry": mapping(rounded)})


def ring_around(geometry, width_m: float):
    """The ring of ``width_m`` metres around a shape, the shape itself left out (a buffer
    zone for displacement), in longitude and latitude."""
    if not 0 < width_m <= MAX_RING_METRES:
        raise BoundaryProblem(f"A ring is from 1 to {MAX_RING_METRES:,} metres wide.")
    grid = to_grid(geometry)
    return from_grid(grid.buffer(width_m, quad_segs=16).difference(grid))


def area_km2(geometry) -> float:
    return to_grid(geometry).area / 1_000_000


def points_inside(geometry, longitudes, latitudes) -> np.ndarray:
    """For each point, whether it lies in the shape (on the edge counts as inside)."""
    x = np.asarray(longitudes, dtype=float)
    y = np.asarray(latitudes, dtype=float)
    if geometry is None or not len(x):
        return np.zeros(len(x), dtype=bool)
    shapely.prepare(geometry)
    return shapely.intersects_xy(geometry, x, y)


def to_grid_point(longitude: float, latitude: float) -> tuple[float, float]:
    return _to_grid().transform(longitude, latitude)

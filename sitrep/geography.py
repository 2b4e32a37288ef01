"""Governorate outlines (OCHA COD-AB, simplified) and the point-in-governorate test."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.prepared import prep

from sitrep.reference import REFERENCE_DIR

BOUNDARIES = REFERENCE_DIR / "admin1_boundaries.geojson"
TOLERANCE_DEGREES = 0.02  # ~2 km: simplified outlines and points on a border


@lru_cache(maxsize=2)
def governorate_shapes(path: Path = BOUNDARIES) -> dict:
    features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    return {f["properties"]["admin1"]: shape(f["geometry"]) for f in features}


def point_in_governorate(admin1: str, latitude: float, longitude: float) -> bool:
    """Whether a point lies inside (or within ~2 km of) its governorate's outline."""
    outline = governorate_shapes().get(admin1)
    if outline is None:
        return False
    point = Point(longitude, latitude)
    return prep(outline).contains(point) or outline.distance(point) <= TOLERANCE_DEGREES


@lru_cache(maxsize=100_000)
def distance_to_governorate(admin1: str, latitude: float, longitude: float) -> float:
    """Distance in degrees from a point to a governorate's outline (0 inside; inf if unknown)."""
    outline = governorate_shapes().get(admin1)
    return float("inf") if outline is None else outline.distance(Point(longitude, latitude))

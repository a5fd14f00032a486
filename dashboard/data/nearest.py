"""Geodesic distance from a point to shapes, and the nearest point of each. Pure.

Each shape is clipped to a box around the point that must hold its nearest point (see
`search_box`), the clipped part is projected into an azimuthal equidistant CRS centred on the
point (WGS84 ellipsoid) and the planar distance from the centre is taken: in that projection every
point's distance from the centre is its geodesic distance. The nearest point is found in the same
projection and projected back, so the map's line and the panel's figure come from one measure.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyproj
import shapely

# km per degree: the longest meridian degree (at the poles) and the shortest (at the equator).
_KM_PER_DEG_MAX, _KM_PER_DEG_MIN = 111.7, 110.5


def search_box(lon: float, lat: float, deg: float) -> tuple[float, float, float, float]:
    """A box sure to hold the nearest point of a shape whose nearest point in plain degrees is
    `deg` away: that point is at most deg * 111.7 km off, so the truly nearest one is no farther,
    which bounds its latitude offset (110.5 km a degree at least) and, through the cosine of the
    box's poleward edge, its longitude offset. 10 % on top covers geodesics bulging poleward."""
    half_lat = deg * _KM_PER_DEG_MAX / _KM_PER_DEG_MIN * 1.1
    edge = min(abs(lat) + half_lat, 89.0)
    half_lon = min(half_lat / math.cos(math.radians(edge)) * 1.1, 180.0)
    return lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat


def distances(geoms: np.ndarray, lon: float, lat: float, *, nearest: bool = False
              ) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic km from (lon, lat) to each geometry (0 inside or on it, nan for an empty one) and,
    with `nearest`, each one's nearest point as (lon, lat) rows (the point itself when inside,
    nan for an empty one); without it, the second array is empty."""
    plain = shapely.distance(shapely.Point(lon, lat), geoms)  # degrees: only to bound the search
    out = np.where(np.isnan(plain), np.nan, 0.0)
    near = np.full((len(geoms) if nearest else 0, 2), np.nan)
    if nearest:
        near[~np.isnan(plain)] = (lon, lat)
    outside = np.flatnonzero(plain > 0)
    if not len(outside):
        return out, near
    clipped = np.array([shapely.clip_by_rect(geoms[i], *search_box(lon, lat, plain[i])) for i in outside])
    # Days share most vertices (the front moves in a few places at a time), so each distinct
    # point is projected once: the projection is the costly step (a geodesic per point).
    xy = shapely.get_coordinates(clipped)
    codes, points = pd.factorize(np.ascontiguousarray(xy).view(np.complex128).ravel())
    local_crs = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m"
    to_local = pyproj.Transformer.from_crs("+proj=longlat +ellps=WGS84", local_crs, always_xy=True)
    x, y = to_local.transform(points.real, points.imag)
    local = shapely.set_coordinates(clipped, np.column_stack((x, y))[codes])
    centre = shapely.Point(0, 0)
    out[outside] = shapely.distance(centre, local) / 1000
    if nearest:
        ends = shapely.get_coordinates(shapely.get_point(shapely.shortest_line(centre, local), 1))
        back = pyproj.Transformer.from_crs(local_crs, "+proj=longlat +ellps=WGS84", always_xy=True)
        near[outside] = np.column_stack(back.transform(ends[:, 0], ends[:, 1]))
    return out, near

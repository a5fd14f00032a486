"""The frame's ground: a local conformal projection fitted to the chosen area, the projected
extent the frame shows (the area widened to the frame's shape), and geometry clipped and
projected into it.

A Lambert conformal conic with standard parallels inside the area keeps the scale within about
half a per cent across a Kursk-to-Zaporizhzhia frame, so one scale bar is true for the whole map
(Web Mercator would stretch the north of that frame by 13 % against the south)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from dashboard.animation.window import BBox

#: Clip a little outside the frame, so outlines cut by the clip lie off-screen, not on its edge.
MARGIN_DEG = 0.3


@dataclass(frozen=True)
class Area:
    crs: pyproj.CRS
    #: x0, y0, x1, y1 in metres: what the frame shows, with the frame's aspect ratio.
    extent: tuple[float, float, float, float]
    #: lon/lat rectangle (W, S, E, N) holding the whole frame plus a margin: the clip.
    clip: tuple[float, float, float, float]
    #: metres per pixel (also half of the simplification tolerance: half a pixel).
    metres_per_px: float

    def scale_factor(self, x: float, y: float) -> float:
        """Projected metres per ground metre at a projected point (conformal: one number)."""
        lon, lat = pyproj.Transformer.from_crs(self.crs, 4326, always_xy=True).transform(x, y)
        return float(pyproj.Proj(self.crs).get_factors(lon, lat).meridional_scale)


def local_crs(box: BBox) -> pyproj.CRS:
    span = box.north - box.south
    return pyproj.CRS.from_proj4(
        f"+proj=lcc +lat_1={box.south + span / 6:.4f} +lat_2={box.north - span / 6:.4f} "
        f"+lat_0={(box.south + box.north) / 2:.4f} +lon_0={(box.west + box.east) / 2:.4f} "
        "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs")


def area_for(box: BBox, size: tuple[int, int]) -> Area:
    """The projected area showing all of `box`, widened on its short side to the frame's shape."""
    crs = local_crs(box)
    x0, y0, x1, y1 = _outline(box, crs).bounds
    width, height = size
    per_px = max((x1 - x0) / width, (y1 - y0) / height)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    extent = (cx - per_px * width / 2, cy - per_px * height / 2, cx + per_px * width / 2, cy + per_px * height / 2)
    frame = shapely.segmentize(shapely.box(*extent), per_px * 20)
    lon0, lat0, lon1, lat1 = gpd.GeoSeries([frame], crs=crs).to_crs(4326).total_bounds
    clip = (lon0 - MARGIN_DEG, lat0 - MARGIN_DEG, lon1 + MARGIN_DEG, lat1 + MARGIN_DEG)
    return Area(crs, extent, clip, per_px)


def _outline(box: BBox, crs: pyproj.CRS) -> shapely.Geometry:
    """The bbox's outline in the projection: its edges curve there, so sample them densely."""
    rect = shapely.segmentize(shapely.box(box.west, box.south, box.east, box.north), 0.05)
    return gpd.GeoSeries([rect], crs=4326).to_crs(crs).iloc[0]


def project(gdf: gpd.GeoDataFrame, area: Area) -> gpd.GeoDataFrame:
    """Features clipped to the frame (plus margin), projected, simplified to half a pixel;
    features left empty are dropped."""
    if gdf.empty:
        return gdf.to_crs(area.crs) if gdf.crs else gdf
    clipped = gdf.copy()
    clipped["geometry"] = shapely.clip_by_rect(np.asarray(gdf.geometry.values), *area.clip)
    clipped = clipped[~clipped.geometry.is_empty]
    if clipped.empty:
        return clipped.set_crs(area.crs, allow_override=True)
    out = clipped.to_crs(area.crs)
    polygonal = out.geom_type.isin(["Polygon", "MultiPolygon", "LineString", "MultiLineString"])
    out.loc[polygonal, "geometry"] = out.geometry[polygonal].simplify(area.metres_per_px / 2)
    return out[~out.geometry.is_empty]

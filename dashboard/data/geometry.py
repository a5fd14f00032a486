"""Geometry shared by the app and the build scripts: the snapping grid, areal parts, measured
areas and the difference between two dates' areas."""

from __future__ import annotations

import geopandas as gpd
import shapely

#: The grid the build snaps every DeepStateMap snapshot to (1e-4 degree, at most about 6 m);
#: running every overlay on it makes replaying the daily changes exact.
GRID = 1e-4
#: Equal-area CRS used when a catalog does not name one.
DEFAULT_EQUAL_AREA = "EPSG:6933"


def polygonal(geom: shapely.Geometry | None) -> shapely.Geometry:
    """Only the areal parts: overlays can leave slivers of lines or points behind."""
    if geom is None:
        return shapely.MultiPolygon()
    polys = [q for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")
             for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polys) if polys else shapely.MultiPolygon()


def measured_km2(geom: shapely.Geometry | None, crs: str = DEFAULT_EQUAL_AREA) -> float:
    """Area in km² measured in an equal-area CRS (0 for nothing)."""
    if geom is None or geom.is_empty:
        return 0.0
    return float(gpd.GeoSeries([geom], crs=4326).to_crs(crs).area.iloc[0] / 1e6)


def gained_and_lost(before: shapely.Geometry, after: shapely.Geometry,
                    grid: float | None = GRID) -> tuple[shapely.Geometry, shapely.Geometry]:
    """What `after` adds to `before` and what it drops, areal parts only."""
    gained = shapely.difference(after, before, grid_size=grid)
    lost = shapely.difference(before, after, grid_size=grid)
    return polygonal(gained), polygonal(lost)

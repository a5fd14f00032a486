"""Shared helpers for the geodata build scripts.

The scripts read public sources (npm/PyPI packages and ../shared/reference) and write the
compact files under geodata/ that the app and tests read. They are re-runnable: every output
is rebuilt from its inputs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parents[1]
GEODATA = ROOT / "geodata"
INPUTS = ROOT / "scripts" / "inputs"
REFERENCE = ROOT.parent / "shared" / "reference"
CACHE = ROOT / ".cache" / "sources"
# Scripts run from scripts/; the repo root on the path lets them share the app's own code
# (dashboard.data), so a build and the app cannot drift apart.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Equal-area CRS for every measured area (also used by the app).
EQUAL_AREA = "EPSG:6933"
#: A metric CRS close to true scale over the map window, for simplification tolerances.
LOCAL_METRIC = "EPSG:32637"
#: The map window (lon/lat) that basemap data is clipped to.
WINDOW = (26.0, 43.5, 46.0, 56.0)


def npm_package(spec: str) -> Path:
    """Return the unpacked folder of an npm package, fetching it with `npm pack` once."""
    name = spec.replace("@", "-").replace("/", "-")
    dest = CACHE / name
    if (dest / "package").is_dir():
        return dest / "package"
    CACHE.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        ["npm", "pack", spec, "--silent", "--pack-destination", str(CACHE)],
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(CACHE / out) as tar:
        tar.extractall(dest, filter="data")
    return dest / "package"


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the areal parts: overlays can leave slivers of lines or points behind."""
    polys = [q for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")
             for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polys) if polys else shapely.MultiPolygon()


def round_geometry(geom: shapely.Geometry, decimals: int) -> shapely.Geometry:
    """Round coordinates (a display file needs no sub-metre digits) and repair the result."""
    areal = geom.geom_type in ("Polygon", "MultiPolygon", "GeometryCollection")
    rounded = shapely.set_precision(geom, 10.0 ** -decimals)
    if not rounded.is_valid:
        rounded = shapely.make_valid(rounded)
    if areal and rounded.geom_type not in ("Polygon", "MultiPolygon"):
        rounded = polygonal(rounded)
    return rounded


def simplify_metric(gdf: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Douglas-Peucker in a metric CRS, so the tolerance is a distance on the ground."""
    out = gdf.to_crs(LOCAL_METRIC)
    out["geometry"] = out.geometry.simplify(tolerance_m, preserve_topology=True)
    return out.to_crs(4326)


def write_geojson(gdf: gpd.GeoDataFrame, path: Path, decimals: int = 4,
                  keep_empty: bool = False) -> None:
    """Write compact GeoJSON (no whitespace, rounded coordinates) in WGS84."""
    gdf = gdf.to_crs(4326).copy()
    gdf["geometry"] = [round_geometry(g, decimals) for g in gdf.geometry]
    if not keep_empty:
        gdf = gdf[~gdf.geometry.is_empty]
    data = json.loads(gdf.to_json(drop_id=True))
    data.pop("bbox", None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {path.relative_to(ROOT)}: {len(gdf)} features, {path.stat().st_size / 1024:.0f} KiB")

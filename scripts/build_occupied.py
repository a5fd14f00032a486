"""Build the dated `occupied` layer and its area table from the DeepStateMap snapshots.

Input: ../shared/reference/deepstate/deepstatemap_data_YYYYMMDD.geojson (one MultiPolygon a day,
WGS84; 2024-08-18 and 2024-08-19 are missing upstream and stay missing here).

Outputs:
- geodata/layers/occupied_daily.geojson: the first day's area (`kind = "base"`) followed, for
  every later snapshot, by what it added (`kind = "gained"`, taken by Russian forces) and what
  it removed (`kind = "lost"`, regained by Ukraine or corrected) against the snapshot before.
  The first snapshot of each month is also stored whole (`kind = "base"`, a keyframe): the app
  replays at most a month of changes to rebuild any day (about 0.1 s instead of 0.8 s for the
  whole series), for about 55 KB per keyframe.
  Coordinates are snapped to a 1e-4 degree grid (at most about 6 m off) and every overlay runs
  on that grid, so replaying the changes rebuilds each day exactly: no simplification, nothing
  clipped, and about 0.3 MB for the whole series instead of 14 MB.
- geodata/tables/occupied_areas.csv: areas in km² measured on the full-resolution snapshots in
  EPSG:6933 (equal-area), for all of Ukraine and per oblast, so that figures never depend on
  display simplification.
"""

from __future__ import annotations

import re
from datetime import date

import geopandas as gpd
import pandas as pd
import shapely
from common import CACHE, EQUAL_AREA, GEODATA, REFERENCE, polygonal, write_geojson

GRID = 1e-4
SOURCE = "DeepStateMap (deepstatemap.live) via cyterat/deepstate-map-data (GPL-3.0)"
SOURCE_URL = "https://github.com/cyterat/deepstate-map-data"
#: Oblasts with their own column in the area table (ISO 3166-2); the rest sums into `other_km2`.
AREA_COLUMNS = {"UA-14": "donetsk_km2", "UA-09": "luhansk_km2", "UA-63": "kharkiv_km2",
                "UA-23": "zaporizhzhia_km2", "UA-65": "kherson_km2", "UA-43": "crimea_km2",
                "UA-40": "sevastopol_km2"}


def snapshots() -> list[tuple[date, object]]:
    out = []
    for path in sorted((REFERENCE / "deepstate").glob("deepstatemap_data_*.geojson")):
        day = re.search(r"(\d{8})", path.name).group(1)
        out.append((date(int(day[:4]), int(day[4:6]), int(day[6:])), path))
    return out


def feature(day: date, kind: str, geom: shapely.Geometry) -> dict[str, object]:
    label = {"base": "Russian-occupied Ukraine", "gained": "Newly occupied since previous snapshot",
             "lost": "No longer occupied since previous snapshot"}[kind]
    return {"date": day.isoformat(), "kind": kind, "name": f"{label}, {day.isoformat()}",
            "source": SOURCE, "source_url": SOURCE_URL, "status": "assessed", "geometry": polygonal(geom)}


def main() -> None:
    # Written by build_basemap.py (full-resolution Natural Earth admin-1; not shipped).
    oblasts = gpd.read_file(CACHE / "ukraine_oblasts_full.fgb").to_crs(EQUAL_AREA)
    rows, shapes = [], []
    previous, previous_day = None, None
    for day, path in snapshots():
        geom = gpd.read_file(path).geometry.make_valid().union_all()
        full = gpd.GeoSeries([geom], crs=4326).to_crs(EQUAL_AREA)
        row: dict[str, object] = {"date": day.isoformat(), "total_km2": full.area.iloc[0] / 1e6}
        inside = 0.0
        for iso, col in AREA_COLUMNS.items():
            part = full.intersection(oblasts.loc[oblasts.iso == iso, "geometry"].union_all())
            row[col] = part.area.iloc[0] / 1e6
            inside += row[col]
        row["other_km2"] = row["total_km2"] - inside
        rows.append(row)
        snapped = shapely.set_precision(geom, GRID)
        if previous_day is None or day.month != previous_day.month:
            shapes.append(feature(day, "base", snapped))
        if previous is not None:
            shapes.append(feature(day, "gained", shapely.difference(snapped, previous, grid_size=GRID)))
            shapes.append(feature(day, "lost", shapely.difference(previous, snapped, grid_size=GRID)))
        previous, previous_day = snapped, day
        print(day, f"{row['total_km2']:.0f} km2")
    table = pd.DataFrame(rows).round(2)
    table.to_csv(GEODATA / "tables" / "occupied_areas.csv", index=False)
    gdf = gpd.GeoDataFrame(shapes, crs=4326)
    # Empty change records stay: they say "snapshot present, nothing changed".
    write_geojson(gdf, GEODATA / "layers" / "occupied_daily.geojson", 4, keep_empty=True)


if __name__ == "__main__":
    main()

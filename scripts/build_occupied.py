"""Build the dated `occupied` layer and its measures table from the DeepStateMap snapshots.

Input: ../shared/reference/deepstate/deepstatemap_data_YYYYMMDD.geojson (one MultiPolygon a day,
WGS84, 2024-07-08 .. 2026-08-22). Days missing upstream (2024-08-18, 2024-08-19, 2025-01-01,
2025-03-31, 2025-04-01, 2025-11-26, 2026-07-09) stay missing here: no record, no row.

Outputs:
- geodata/layers/occupied_daily.geojson: the first day's area (`kind = "base"`) followed, for
  every later snapshot, by what it added (`kind = "gained"`, taken by Russian forces) and what
  it removed (`kind = "lost"`, regained by Ukraine or corrected) against the snapshot before.
  A snapshot is also stored whole (`kind = "base"`, a keyframe, about 70 KB) at least every
  KEYFRAME_DAYS days, so the app replays at most 30 days of changes to rebuild any day, and on
  the rare day where snap rounding would leave a sliver (see Encoder).
  Coordinates are snapped to a 1e-4 degree grid (at most about 6 m off) and every overlay runs
  on that grid, so replaying the changes rebuilds each day exactly: no simplification, nothing
  clipped. The build replays the written file as the app does and stops if any day differs.
- geodata/tables/occupied_areas.csv: one row per snapshot, measured on the full-resolution
  snapshot (not the snapped one): areas in km² in EPSG:6933 (equal-area), for all of Ukraine and
  per oblast (`other_km2` is the rest), and `front_km`, the length of the line of contact (see
  FrontLine).
- geodata/tables/ukraine_oblasts.geojson: the oblast boundaries those areas are measured against
  (Natural Earth full-resolution admin-1 from .cache/, written by build_basemap.py, coordinates
  rounded to 1e-5 degree, about 1 m). The build measures against this shipped file, not the
  cache, so `python -m dashboard.update` measures new days exactly as the build measured old ones.

Reading, measuring and encoding a day live in dashboard/data/series.py, shared with the update.
"""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry
from common import CACHE, GEODATA, REFERENCE, write_geojson

from dashboard.data.geometry import GRID, polygonal
from dashboard.data.series import (
    BOUNDARIES,
    DECIMALS,
    Boundaries,
    Encoder,
    measure_day,
    parse_snapshot,
    replay,
    same_on_grid,
    snap,
    table_frame,
)

PROVENANCE = {"source": "DeepStateMap (deepstatemap.live) via cyterat/deepstate-map-data (GPL-3.0)",
              "source_url": "https://github.com/cyterat/deepstate-map-data", "status": "assessed"}
#: Boundaries are shipped at 1e-5 degree (about 1 m): 0.4 MB, and areas within 0.01 km² of the
#: full-precision ones on most days.
BOUNDARY_DECIMALS = 5


def snapshots() -> list[tuple[date, Path]]:
    out = []
    for path in sorted((REFERENCE / "deepstate").glob("deepstatemap_data_*.geojson")):
        day = re.search(r"(\d{8})", path.name).group(1)
        out.append((date(int(day[:4]), int(day[4:6]), int(day[6:])), path))
    return out


def ship_boundaries() -> None:
    """Write the shipped oblast boundaries from the full-resolution cache, if the cache is there
    (without it, the build measures against the boundaries already shipped)."""
    source = CACHE / "ukraine_oblasts_full.fgb"  # written by build_basemap.py; not shipped
    if not source.exists():
        print(f"{source} not found: measuring against the shipped {BOUNDARIES}")
        return
    oblasts = gpd.read_file(source)[["iso", "name", "geometry"]]
    write_geojson(oblasts, GEODATA / BOUNDARIES, BOUNDARY_DECIMALS)


def replay_check(path: Path, snapped: dict[date, shapely.Geometry]) -> None:
    """Replay the written file as the app does (a keyframe's day is the keyframe; any other day
    is the day before plus gained minus lost) and stop if any day differs from its snapshot."""
    features = json.loads(path.read_text())["features"]
    records = {(f["properties"]["date"], f["properties"]["kind"]):
               polygonal(shapely.geometry.shape(f["geometry"])) if f["geometry"] else shapely.MultiPolygon()
               for f in features}
    if {d.isoformat() for d in snapped} != {k[0] for k in records}:
        sys.exit("the written days are not the snapshot days")
    geom, longest, run = None, 0, 0
    for day, want in snapped.items():
        key = day.isoformat()
        if (key, "base") in records:
            geom, run = shapely.set_precision(records[(key, "base")], GRID), 0
        else:
            geom, run = replay(geom, records[(key, "gained")], records[(key, "lost")]), run + 1
        longest = max(longest, run)
        if not same_on_grid(geom, want):
            sys.exit(f"replay of {key} differs from the snapshot")
    print(f"replay check: all {len(snapped)} days rebuild exactly; at most {longest} days replayed")


def main() -> None:
    started = time.monotonic()
    ship_boundaries()
    bounds = Boundaries.read(GEODATA)
    rows, snapped_days, encoder = [], {}, Encoder(PROVENANCE)
    for day, path in snapshots():
        geom = parse_snapshot(path.read_bytes())
        row = measure_day(day, geom, bounds)
        rows.append(row)
        snapped_days[day] = snap(geom)
        encoder.add(day, snapped_days[day])
        if day.day == 1 or day in (date(2024, 11, 10), date(2025, 6, 1)):
            print(day, f"{row['total_km2']:.0f} km2, front {row['front_km']:.0f} km", flush=True)
    table = table_frame(rows)
    table.to_csv(GEODATA / "tables" / "occupied_areas.csv", index=False)
    gdf = gpd.GeoDataFrame(encoder.records, crs=4326)
    keyframes = gdf.loc[gdf["kind"] == "base", "date"].tolist()
    print(f"{len(keyframes)} keyframes; {len(encoder.repairs)} of them for a snap-rounding sliver:",
          ", ".join(d.isoformat() for d in encoder.repairs))
    # Empty change records stay: they say "snapshot present, nothing changed".
    out = GEODATA / "layers" / "occupied_daily.geojson"
    write_geojson(gdf, out, DECIMALS, keep_empty=True)
    replay_check(out, snapped_days)
    sanity(table)
    print(f"built in {time.monotonic() - started:.0f} s")


def sanity(table: pd.DataFrame) -> None:
    cols = ["date", "total_km2", "donetsk_km2", "sumy_km2", "dnipropetrovsk_km2", "mykolaiv_km2", "front_km"]
    for day in ("2024-07-08", "2024-11-10", "2025-06-01", "2025-12-01", "2026-08-22"):
        print(table.loc[table["date"] == day, cols].to_string(header=day == "2024-07-08", index=False))
    y2025 = table[table["date"].str.startswith("2025")]
    for col in ("sumy_km2", "dnipropetrovsk_km2"):
        first = y2025.loc[y2025[col] > 1, "date"]
        print(f"{col}: > 1 km2 from {first.iloc[0] if len(first) else 'never'} in 2025,"
              f" 2025 max {y2025[col].max():.0f}")
    print(f"front_km: min {table['front_km'].min():.0f}, max {table['front_km'].max():.0f}")


if __name__ == "__main__":
    main()

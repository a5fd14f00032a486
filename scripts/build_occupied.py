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
import pyproj
import shapely
import shapely.geometry
from common import CACHE, EQUAL_AREA, GEODATA, REFERENCE, polygonal, round_geometry, write_geojson

GRID = 1e-4
DECIMALS = 4  # coordinates written: exactly the grid
#: A keyframe at least this often, so the app replays at most KEYFRAME_DAYS - 1 days of changes.
KEYFRAME_DAYS = 31
SOURCE = "DeepStateMap (deepstatemap.live) via cyterat/deepstate-map-data (GPL-3.0)"
SOURCE_URL = "https://github.com/cyterat/deepstate-map-data"
#: Oblasts with their own column in the area table (ISO 3166-2); the rest sums into `other_km2`.
AREA_COLUMNS = {"UA-14": "donetsk_km2", "UA-09": "luhansk_km2", "UA-63": "kharkiv_km2",
                "UA-23": "zaporizhzhia_km2", "UA-65": "kherson_km2", "UA-43": "crimea_km2",
                "UA-40": "sevastopol_km2", "UA-59": "sumy_km2", "UA-12": "dnipropetrovsk_km2",
                "UA-48": "mykolaiv_km2"}
#: Conformal (Lambert conic) CRS centred on Ukraine: true distances within about 0.3 %, so a
#: buffer in metres is the same on the ground everywhere in the country.
FRONT_CRS = "+proj=lcc +lat_0=48.5 +lon_0=34 +lat_1=45.5 +lat_2=51.5 +ellps=WGS84 +units=m +no_defs"
#: Occupied boundary closer than this to Ukraine's outline (state border + coast) is not front.
#: Natural Earth's outline and DeepState's own border and coast disagree by a few hundred metres
#: to about 1 km along most of their length; 1.5 km drops those stretches while keeping the
#: front where it runs a few km inside the border (Sumy and Kharkiv border villages).
#: front_km is 1-3 % lower with 2 km than with 1 km. Wider disagreements (parts of the Luhansk
#: border) leave separate strips of "held" area, which FrontLine ignores.
OUTLINE_TOLERANCE_M = 1500.0
GEOD = pyproj.Geod(ellps="WGS84")


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


class FrontLine:
    """The line of contact: the occupied area's boundary with the rest of Ukraine.

    Counted: boundary that touches the main Ukrainian-held area (Ukraine's outline minus the
    occupied area, largest part), including the Dnipro in Kherson and Zaporizhzhia oblasts, and
    farther than OUTLINE_TOLERANCE_M from Ukraine's outline. Not counted: the state border with
    Russia, the coasts, and the thin slivers between DeepState's border/coast and Natural
    Earth's (they are separate small parts of the held area, each touching the outline).
    """

    def __init__(self, ukraine: shapely.Geometry) -> None:
        self.to_metric = pyproj.Transformer.from_crs(4326, FRONT_CRS, always_xy=True).transform
        self.to_lonlat = pyproj.Transformer.from_crs(FRONT_CRS, 4326, always_xy=True).transform
        self.ukraine = shapely.transform(ukraine, self.to_metric, interleaved=False)
        self.near_outline = self.ukraine.boundary.buffer(OUTLINE_TOLERANCE_M)
        shapely.prepare(self.near_outline)

    def line(self, occupied: shapely.Geometry) -> shapely.Geometry:
        occ = shapely.transform(occupied, self.to_metric, interleaved=False)
        held = shapely.get_parts(shapely.difference(self.ukraine, occ))
        main = max(held, key=shapely.area)
        front = shapely.intersection(occ.boundary, main.buffer(10))
        front = shapely.difference(front, self.near_outline)
        return shapely.transform(front, self.to_lonlat, interleaved=False)

    def length_km(self, occupied: shapely.Geometry) -> float:
        return GEOD.geometry_length(self.line(occupied)) / 1000


def as_shipped(geom: shapely.Geometry) -> shapely.Geometry:
    """A record's geometry as the app will read it back from the written file."""
    return polygonal(round_geometry(polygonal(geom), DECIMALS))


def replay(geom: shapely.Geometry, gained: shapely.Geometry, lost: shapely.Geometry) -> shapely.Geometry:
    """One day of the app's replay (dashboard OccupiedHistory): add gained, subtract lost, on the grid."""
    if not gained.is_empty:
        geom = polygonal(shapely.union(geom, gained, grid_size=GRID))
    if not lost.is_empty:
        geom = polygonal(shapely.difference(geom, lost, grid_size=GRID))
    return geom


def same_on_grid(a: shapely.Geometry, b: shapely.Geometry) -> bool:
    return polygonal(shapely.symmetric_difference(a, b, grid_size=GRID)).is_empty


class Encoder:
    """Turns the snapped daily snapshots into base/gained/lost records that the app's replay
    rebuilds exactly. Snap rounding on the grid can, rarely, leave a sliver of a few hundred m²
    that no later change removes; on such a day the snapshot is stored whole (a keyframe)
    instead of carrying the sliver forward. Keyframes also come at least every KEYFRAME_DAYS."""

    def __init__(self) -> None:
        self.records: list[dict[str, object]] = []
        self.chain: shapely.Geometry | None = None  # what the app holds after replaying so far
        self.last_key: date | None = None
        self.repairs: list[date] = []

    def add(self, day: date, snapped: shapely.Geometry) -> None:
        if self.chain is not None:
            gained = as_shipped(shapely.difference(snapped, self.chain, grid_size=GRID))
            lost = as_shipped(shapely.difference(self.chain, snapped, grid_size=GRID))
            self.records += [feature(day, "gained", gained), feature(day, "lost", lost)]
            self.chain = replay(self.chain, gained, lost)
            exact = same_on_grid(self.chain, snapped)
            if not exact:
                self.repairs.append(day)
        if self.chain is None or not exact or (day - self.last_key).days >= KEYFRAME_DAYS:
            base = as_shipped(snapped)
            self.records.append(feature(day, "base", base))
            self.chain, self.last_key = shapely.set_precision(base, GRID), day


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
    # Written by build_basemap.py (full-resolution Natural Earth admin-1; not shipped).
    oblasts = gpd.read_file(CACHE / "ukraine_oblasts_full.fgb")
    front = FrontLine(oblasts.geometry.union_all())
    oblasts = oblasts.to_crs(EQUAL_AREA)
    oblast_shapes = [oblasts.loc[oblasts.iso == iso, "geometry"].union_all() for iso in AREA_COLUMNS]
    for shape in oblast_shapes:
        shapely.prepare(shape)
    rows, snapped_days, encoder = [], {}, Encoder()
    for day, path in snapshots():
        geom = gpd.read_file(path).geometry.make_valid().union_all()
        full = gpd.GeoSeries([geom], crs=4326).to_crs(EQUAL_AREA).iloc[0]
        row: dict[str, object] = {"date": day.isoformat(), "total_km2": full.area / 1e6}
        parts = shapely.area(shapely.intersection(full, oblast_shapes)) / 1e6
        row.update(zip(AREA_COLUMNS.values(), parts, strict=True))
        row["other_km2"] = row["total_km2"] - parts.sum()
        row["front_km"] = front.length_km(geom)
        rows.append(row)
        snapped_days[day] = shapely.set_precision(geom, GRID)
        encoder.add(day, snapped_days[day])
        if day.day == 1 or day in (date(2024, 11, 10), date(2025, 6, 1)):
            print(day, f"{row['total_km2']:.0f} km2, front {row['front_km']:.0f} km", flush=True)
    table = pd.DataFrame(rows).round(2)
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

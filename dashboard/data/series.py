"""One day of the occupied-area series: read a DeepStateMap snapshot, measure it, and turn it into
the layer's base/gained/lost records.

Shared by the full build (scripts/build_occupied.py) and the daily update (dashboard.update), so a
day added by the update is measured and encoded exactly as the build would have done it. Both
measure against the same shipped boundaries, geodata/tables/ukraine_oblasts.geojson.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj
import shapely
import shapely.geometry

from dashboard.data.geometry import DEFAULT_EQUAL_AREA, GRID, polygonal

DECIMALS = 4  # coordinates written: exactly the grid
#: A keyframe at least this often, so the app replays at most KEYFRAME_DAYS - 1 days of changes.
KEYFRAME_DAYS = 31
BOUNDARIES = "tables/ukraine_oblasts.geojson"
#: Oblasts with their own column in the area table (ISO 3166-2); the rest sums into `other_km2`.
AREA_COLUMNS = {"UA-14": "donetsk_km2", "UA-09": "luhansk_km2", "UA-63": "kharkiv_km2",
                "UA-23": "zaporizhzhia_km2", "UA-65": "kherson_km2", "UA-43": "crimea_km2",
                "UA-40": "sevastopol_km2", "UA-59": "sumy_km2", "UA-12": "dnipropetrovsk_km2",
                "UA-48": "mykolaiv_km2"}
TABLE_COLUMNS = ["date", "total_km2", *AREA_COLUMNS.values(), "other_km2", "front_km"]
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
_WGS84 = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326",
          "urn:ogc:def:crs:EPSG::4326")


def parse_snapshot(raw: bytes) -> shapely.Geometry:
    """A snapshot file's occupied area (full resolution, repaired, areal parts only).

    Raises ValueError saying what is wrong, so the update can reject the day with a reason.
    """
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc}); truncated or damaged file?") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError("not a GeoJSON FeatureCollection")
    crs = ((data.get("crs") or {}).get("properties") or {}).get("name")
    if crs and crs not in _WGS84:
        raise ValueError(f"unexpected CRS {crs!r}")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ValueError("no features")
    try:
        shapes = [shapely.geometry.shape(f["geometry"]) for f in features if f.get("geometry")]
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError) as exc:
        raise ValueError(f"malformed geometry ({exc})") from None
    # Upstream outlines now and then self-touch; make_valid keeps all of their area.
    geom = polygonal(shapely.union_all(shapely.make_valid(shapes)))
    if geom.is_empty:
        raise ValueError("no polygonal area")
    return geom


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


class Boundaries:
    """Ukraine's oblasts as the measurements need them: per-column shapes in the equal-area CRS
    and the country's outline for the front line. Built once, used for every day."""

    def __init__(self, oblasts: gpd.GeoDataFrame, crs: str = DEFAULT_EQUAL_AREA) -> None:
        self.crs = crs
        self.front = FrontLine(oblasts.geometry.union_all())
        metric = oblasts.to_crs(crs)
        self.shapes = [metric.loc[metric["iso"] == iso, "geometry"].union_all() for iso in AREA_COLUMNS]
        for shape in self.shapes:
            shapely.prepare(shape)

    @classmethod
    def read(cls, data_dir: Path) -> Boundaries:
        return cls(gpd.read_file(data_dir / BOUNDARIES))


def measure_day(day: date, geom: shapely.Geometry, bounds: Boundaries) -> dict[str, object]:
    """The area table's row for one full-resolution snapshot (km², unrounded: see table_frame)."""
    full = gpd.GeoSeries([geom], crs=4326).to_crs(bounds.crs).iloc[0]
    row: dict[str, object] = {"date": day.isoformat(), "total_km2": full.area / 1e6}
    parts = shapely.area(shapely.intersection(full, bounds.shapes)) / 1e6
    row.update(zip(AREA_COLUMNS.values(), parts, strict=True))
    row["other_km2"] = row["total_km2"] - parts.sum()
    row["front_km"] = bounds.front.length_km(geom)
    return row


def table_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Rows as the area table stores them: its columns, 0.01 km² (the build and the update both
    round here, so a day's row is the same text whichever wrote it)."""
    return pd.DataFrame(rows, columns=TABLE_COLUMNS).round(2)


def feature(day: date, kind: str, geom: shapely.Geometry, provenance: dict[str, str]) -> dict[str, object]:
    """One record; `provenance` gives `source`, `source_url` and `status` (the build states them,
    the update copies them from the records already shipped, so they stay the same)."""
    label = {"base": "Russian-occupied Ukraine", "gained": "Newly occupied since previous snapshot",
             "lost": "No longer occupied since previous snapshot"}[kind]
    return {"date": day.isoformat(), "kind": kind, "name": f"{label}, {day.isoformat()}",
            **provenance, "geometry": polygonal(geom)}


def as_shipped(geom: shapely.Geometry) -> shapely.Geometry:
    """A record's geometry as the app will read it back from the written file (on the grid)."""
    rounded = shapely.set_precision(polygonal(geom), 10.0 ** -DECIMALS)
    if not rounded.is_valid:
        rounded = shapely.make_valid(rounded)
    return polygonal(rounded)


def replay(geom: shapely.Geometry, gained: shapely.Geometry, lost: shapely.Geometry) -> shapely.Geometry:
    """One day of the app's replay (OccupiedHistory): add gained, subtract lost, on the grid."""
    if not gained.is_empty:
        geom = polygonal(shapely.union(geom, gained, grid_size=GRID))
    if not lost.is_empty:
        geom = polygonal(shapely.difference(geom, lost, grid_size=GRID))
    return geom


def same_on_grid(a: shapely.Geometry, b: shapely.Geometry) -> bool:
    return polygonal(shapely.symmetric_difference(a, b, grid_size=GRID)).is_empty


def snap(geom: shapely.Geometry) -> shapely.Geometry:
    """A full-resolution snapshot on the grid every record and replay uses."""
    return shapely.set_precision(geom, GRID)


class Encoder:
    """Turns the snapped daily snapshots into base/gained/lost records that the app's replay
    rebuilds exactly. Snap rounding on the grid can, rarely, leave a sliver of a few hundred m²
    that no later change removes; on such a day the snapshot is stored whole (a keyframe)
    instead of carrying the sliver forward. Keyframes also come at least every KEYFRAME_DAYS.

    The build starts empty; the update resumes from what the app holds on the last shipped day
    (`chain`) and the day of the last keyframe, so its records follow on as the build's would.
    """

    def __init__(self, provenance: dict[str, str], chain: shapely.Geometry | None = None,
                 last_key: date | None = None) -> None:
        self.provenance = provenance
        self.records: list[dict[str, object]] = []
        self.chain = chain  # what the app holds after replaying so far
        self.last_key = last_key
        self.repairs: list[date] = []

    def add(self, day: date, snapped: shapely.Geometry) -> None:
        self.records += self.next_records(day, snapped)

    def next_records(self, day: date, snapped: shapely.Geometry) -> list[dict[str, object]]:
        """The day's records, and the encoder moved on to that day."""
        out, exact = [], False
        if self.chain is not None:
            gained = as_shipped(shapely.difference(snapped, self.chain, grid_size=GRID))
            lost = as_shipped(shapely.difference(self.chain, snapped, grid_size=GRID))
            out += [feature(day, "gained", gained, self.provenance), feature(day, "lost", lost, self.provenance)]
            self.chain = replay(self.chain, gained, lost)
            exact = same_on_grid(self.chain, snapped)
            if not exact:
                self.repairs.append(day)
        if not exact or (day - self.last_key).days >= KEYFRAME_DAYS:
            base = as_shipped(snapped)
            out.append(feature(day, "base", base, self.provenance))
            self.chain, self.last_key = shapely.set_precision(base, GRID), day
        return out

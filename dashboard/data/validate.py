"""Check one parsed GeoJSON layer feature by feature and turn it into a GeoDataFrame.

A bad feature (no geometry, an empty one, NaN or out-of-range coordinates, a missing provenance
property, a date that is not YYYY-MM-DD) is named by its index in the file and left out; the
rest of the layer is kept. Whole-layer faults (not a FeatureCollection, a projected CRS, too many
features) refuse the layer. The daily-changes layer is all or nothing: a replay missing one
day's record would draw every later day wrong.

Limits (named when exceeded): MAX_FEATURES per layer, MAX_TOWNS for the towns layer (each town
is a marker plus a permanent label); WARN_MARKERS and WARN_VERTICES only warn that the map will
be slow to draw (the page shows errors, the checker shows both).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
import shapely.geometry

from dashboard.data.specs import STATUSES, Problem

MAX_FEATURES = 20_000
MAX_TOWNS = 2_000
WARN_MARKERS = 5_000
WARN_VERTICES = 200_000
#: Properties every feature of an overlay layer must carry (its provenance).
REQUIRED_PROPERTIES = ("name", "source", "source_url", "date", "status")
DATED_FORMATS = ("daily-changes", "dated-extents", "dated-events")
HISTORY_KINDS = ("base", "gained", "lost")
#: Features named per layer and kind of problem; the rest are counted in one line.
MAX_NAMED = 5
_WGS84_NAMES = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326",
                "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:EPSG:6.6:4326")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Report:
    """Problems of one file: whole-layer ones, and per-feature ones capped per kind."""

    def __init__(self, rel: str, problems: list[Problem]) -> None:
        self.rel, self.problems, self.counts = rel, problems, Counter()

    def layer(self, location: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.rel, location, message, severity))

    def feature(self, i: int, kind: str, message: str) -> None:
        self.counts[kind] += 1
        if self.counts[kind] <= MAX_NAMED:
            self.layer(f"features[{i}]", message)

    def finish(self) -> None:
        for kind, n in self.counts.items():
            if n > MAX_NAMED:
                self.layer("features", f"{n - MAX_NAMED} more features with {kind}; left out")


def check_features(rel: str, raw: Any, problems: list[Problem], fmt: str = "plain", role: str = "",
                   overlay: bool = True) -> gpd.GeoDataFrame | None:
    """The usable features of a parsed GeoJSON document (WGS84), or None if none is usable."""
    report = Report(rel, problems)
    features = _collection(raw, report, role)
    if features is None:
        return None
    allow_empty = fmt == "daily-changes"  # a day with nothing gained or lost has no geometry
    kept = _geometries(features, report, allow_empty)
    gdf = None
    if kept is not None:
        index, rows, geoms = kept
        gdf = _repaired(gpd.GeoDataFrame(rows, geometry=geoms, crs=4326, index=index), report)
    if gdf is not None and overlay:
        gdf = _properties(gdf, report, fmt)
    report.finish()
    if gdf is not None and fmt == "daily-changes" and len(gdf) < len(features):
        report.layer("features", "daily replay refused: it needs every record (see the problems above)")
        return None
    if gdf is None or gdf.empty:
        return None
    _warn_if_slow(gdf, report, fmt)
    return gdf.reset_index(drop=True)  # consumers pair rows by position


def _collection(raw: Any, report: Report, role: str) -> list[Any] | None:
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        report.layer("0", "not a GeoJSON FeatureCollection")
        return None
    crs = raw.get("crs")
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if crs is not None and name not in _WGS84_NAMES:
        report.layer("crs", f"unexpected CRS {str(name)[:80]!r}: GeoJSON here must be WGS84 longitude/latitude")
        return None
    features = raw.get("features")
    if not isinstance(features, list) or not features:
        report.layer("features", "no features (empty layer)")
        return None
    if len(features) > MAX_FEATURES:
        report.layer("features", f"{len(features):,} features, more than the limit of {MAX_FEATURES:,} per layer; "
                                 "layer not drawn")
        return None
    if role == "towns" and len(features) > MAX_TOWNS:
        report.layer("features", f"{len(features):,} towns, more than the limit of {MAX_TOWNS:,} drawn as named "
                                 "markers; layer not drawn")
        return None
    return features


def _geometry(feature: Any) -> tuple[shapely.Geometry | None, str]:
    """The feature's geometry and '' , or None and what is wrong with it."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, "not a GeoJSON Feature"
    raw = feature.get("geometry")
    if raw is None:
        return None, "no geometry (null)"
    try:
        geom = shapely.geometry.shape(raw)
        coords = shapely.get_coordinates(geom)
    except Exception as exc:  # noqa: BLE001 - any malformed geometry is this feature's problem only
        return None, f"geometry is not valid GeoJSON ({type(exc).__name__})"
    if not np.isfinite(coords).all():
        return None, "coordinates are not finite numbers (NaN or infinity)"
    if geom.is_empty:
        return geom, "empty geometry"
    return geom, ""


def _geometries(features: list[Any], report: Report, allow_empty: bool) -> tuple[list, list, list] | None:
    index, rows, geoms, faults, empties = [], [], [], [], 0
    for i, feature in enumerate(features):
        geom, fault = _geometry(feature)
        if fault == "empty geometry":
            empties += 1
        if fault and not (allow_empty and fault in ("empty geometry", "no geometry (null)")):
            faults.append((i, fault))
            continue
        index.append(i)
        rows.append(_properties_of(feature))
        geoms.append(geom)
    if empties == len(features) and not allow_empty:
        report.layer("geometry", "all geometries are empty")
        return None
    outside = [i for i, g in zip(index, geoms, strict=True) if g is not None and not _in_lon_lat(g)]
    present = [g for g in geoms if g is not None and not g.is_empty]
    if present and len(outside) == len(present):
        report.layer("geometry", "coordinates are not longitude/latitude (projected data in a GeoJSON?)")
        return None
    faults += [(i, "coordinates outside longitude/latitude") for i in outside]
    for i, fault in sorted(faults):
        report.feature(i, fault, f"{fault}; feature left out")
    dropped = set(outside)
    keep = [n for n, i in enumerate(index) if i not in dropped]
    if not keep:
        return None
    return [index[n] for n in keep], [rows[n] for n in keep], [geoms[n] for n in keep]


def _in_lon_lat(geom: shapely.Geometry) -> bool:
    if geom.is_empty:
        return True
    minx, miny, maxx, maxy = geom.bounds
    return -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90


def _properties_of(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature.get("properties")
    if not isinstance(props, dict):
        return {}
    # 'geometry' would clash with the geometry column; NaN/Infinity would break the browser's
    # JSON.parse of a published layer: both become absent values.
    return {str(k): (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in props.items() if k != "geometry"}


def _repaired(gdf: gpd.GeoDataFrame, report: Report) -> gpd.GeoDataFrame | None:
    present = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    invalid = present[~present.is_valid]
    if invalid.empty:
        return gdf
    fixed = invalid.make_valid()
    broken = fixed.index[fixed.is_empty]
    for i in broken:
        report.feature(int(i), "invalid geometry", "invalid geometry that cannot be repaired; feature left out")
    repaired = fixed.drop(broken)
    gdf.loc[repaired.index, "geometry"] = repaired
    if len(repaired):
        n = len(repaired)
        report.layer(f"features[{int(repaired.index[0])}]",
                     f"{n} invalid geometr{'y' if n == 1 else 'ies'} repaired", "warning")
    return gdf.drop(broken)


def _properties(gdf: gpd.GeoDataFrame, report: Report, fmt: str) -> gpd.GeoDataFrame | None:
    """Only the features with their provenance (and, for dated layers, a YYYY-MM-DD date)."""
    missing = [c for c in REQUIRED_PROPERTIES if c not in gdf.columns]
    if fmt == "daily-changes" and "kind" not in gdf.columns:
        missing.append("kind")
    for column in missing:
        report.layer("properties", f"features lack required property '{column}'")
    if missing:
        return None
    columns = [c for c in (*REQUIRED_PROPERTIES, "kind") if c in gdf.columns]
    records = gdf[columns].to_dict("index")
    bad = [i for i, values in records.items() if not _row_ok(int(i), values, report, fmt)]
    return gdf.drop(bad) if bad else gdf


def _row_ok(i: int, values: dict[str, Any], report: Report, fmt: str) -> bool:
    for column in REQUIRED_PROPERTIES:
        value = values[column]
        if column == "date" and fmt in DATED_FORMATS:
            if not is_day(value):
                report.feature(i, "a bad 'date'", f"'date' is not a YYYY-MM-DD date: {_short(value)}; "
                                                  "feature left out")
                return False
        elif not isinstance(value, str) or not value.strip():
            report.feature(i, f"no '{column}'", f"empty required property '{column}'")
            return False
    if values["status"] not in STATUSES:
        report.feature(i, "a bad 'status'", f"status must be one of {', '.join(STATUSES)}")
        return False
    if fmt == "daily-changes" and values.get("kind") not in HISTORY_KINDS:
        report.feature(i, "a bad 'kind'", f"'kind' must be one of {', '.join(HISTORY_KINDS)}")
        return False
    return True


def is_day(value: Any) -> bool:
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _warn_if_slow(gdf: gpd.GeoDataFrame, report: Report, fmt: str) -> None:
    geoms = gdf.geometry.values
    counts = shapely.get_num_coordinates(geoms)
    if fmt in ("dated-extents", "daily-changes") and "date" in gdf.columns:
        vertices = int(gdf.assign(n=counts).groupby("date")["n"].sum().max())  # one day is drawn at a time
    else:
        vertices = int(counts.sum())
    points = gdf.geometry.notna() & gdf.geometry.geom_type.isin(["Point", "MultiPoint"])
    markers = int(shapely.get_num_geometries(geoms[points.to_numpy()]).sum())
    if markers > WARN_MARKERS:
        report.layer("features", f"{markers:,} point markers; the map will be slow to draw "
                                 f"(more than {WARN_MARKERS:,})", "warning")
    if vertices > WARN_VERTICES:
        report.layer("geometry", f"{vertices:,} vertices drawn at once; the map will be slow to draw "
                                 f"(more than {WARN_VERTICES:,}): simplify the geometry", "warning")

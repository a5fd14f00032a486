"""Load and validate `geodata/` into GeoDataFrames: the only module that reads data files.

`load_dataset()` is cached once per process. A broken file costs only its own layer: the
problem is recorded (file, location, what is wrong) and every other layer still loads.
"""

from __future__ import annotations

import functools
import json
import math
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from dashboard.data.catalog import load_catalog
from dashboard.data.history import OccupiedHistory
from dashboard.data.specs import COMPUTED_FORMATS, STATUSES, BasemapPart, Catalog, LayerSpec, Problem

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "geodata"
#: Properties every feature of an overlay layer must carry (its provenance).
REQUIRED_PROPERTIES = ("name", "source", "source_url", "date", "status")
_WGS84_NAMES = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326",
                "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:EPSG:6.6:4326")


@dataclass
class LayerData:
    spec: LayerSpec
    gdf: gpd.GeoDataFrame


@dataclass(eq=False)  # compared and hashed by identity: per-process caches key on it
class Dataset:
    root: Path
    catalog: Catalog
    layers: dict[str, LayerData] = field(default_factory=dict)
    basemap: dict[str, list[tuple[BasemapPart, gpd.GeoDataFrame]]] = field(default_factory=dict)
    history: OccupiedHistory | None = None
    problems: list[Problem] = field(default_factory=list)

    def errors_for(self, layer_id: str) -> list[Problem]:
        spec = self.catalog.layers.get(layer_id)
        files = {spec.file, spec.table} - {""} if spec else set()
        return [p for p in self.problems if p.file in files and p.severity == "error"]


def data_dir() -> Path:
    """The data folder: `$SITUATION_MAP_DATA` if set (tests use it), else the shipped geodata/."""
    return Path(os.environ.get("SITUATION_MAP_DATA") or DEFAULT_DATA).resolve()


_LOAD_LOCK = threading.Lock()


def load_dataset(root: Path | None = None) -> Dataset:
    """The dataset for `root` (default: `data_dir()`), read once per process. The server's
    warm-up and the first session may ask at the same time: the lock makes them share one read."""
    with _LOAD_LOCK:
        return _cached((root or data_dir()).resolve())


@functools.lru_cache(maxsize=4)
def _cached(root: Path) -> Dataset:
    return read_dataset(root)


def read_dataset(root: Path) -> Dataset:
    """Load catalog and every file it names, afresh (no cache). Never raises on bad data."""
    catalog = load_catalog(root / "catalog.toml")
    ds = Dataset(root=root, catalog=catalog, problems=list(catalog.problems))
    crs = catalog.meta.equal_area_crs if catalog.meta else "EPSG:6933"
    for spec in catalog.layers.values():
        if spec.format in COMPUTED_FORMATS:
            continue
        gdf = read_layer_file(root, spec.file, ds.problems, allow_null=spec.format == "daily-changes")
        if gdf is None:
            continue
        if not _check_properties(spec, gdf, ds.problems):
            continue
        if spec.format == "dated-extents":
            gdf = _with_measured_area(gdf, crs)
        if spec.format == "daily-changes":
            history = _history(root, spec, gdf, ds.problems)
            if history is None:
                continue
            ds.history = history
        ds.layers[spec.id] = LayerData(spec, gdf)
    for spec in catalog.layers.values():
        if spec.format in COMPUTED_FORMATS and ds.history is not None:
            ds.layers[spec.id] = LayerData(spec, gpd.GeoDataFrame(geometry=[], crs=4326))
    for bm in catalog.basemaps.values():
        parts = []
        for part in bm.parts:
            gdf = read_layer_file(root, part.file, ds.problems)
            if gdf is not None:
                parts.append((part, gdf))
        ds.basemap[bm.id] = parts
    return ds


def read_layer_file(root: Path, rel: str, problems: list[Problem],
                    allow_null: bool = False) -> gpd.GeoDataFrame | None:
    """Read one GeoJSON file in WGS84; record what is wrong and return None if unusable."""
    path = root / rel

    def fail(location: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(rel, location, message, severity))

    if not path.is_file():
        fail("0", "file not found")
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        fail("0", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    except json.JSONDecodeError as exc:
        fail(f"{exc.lineno}:{exc.colno}", f"not valid JSON ({exc.msg}); truncated or damaged file?")
        return None
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        fail("0", "not a GeoJSON FeatureCollection")
        return None
    crs_name = ((raw.get("crs") or {}).get("properties") or {}).get("name")
    if crs_name and crs_name not in _WGS84_NAMES:
        fail("crs", f"unexpected CRS {crs_name!r}: GeoJSON here must be WGS84 longitude/latitude")
        return None
    features = raw.get("features")
    if not isinstance(features, list) or not features:
        fail("features", "no features (empty layer)")
        return None
    try:
        gdf = gpd.GeoDataFrame.from_features(features, crs=4326)
    except Exception as exc:  # noqa: BLE001 - any malformed feature; report, don't crash the page
        fail("features", f"malformed feature: {exc}")
        return None
    if "geometry" not in gdf:
        fail("features", "features have no geometry")
        return None
    return _check_geometry(rel, gdf, fail, allow_null)


def _check_geometry(rel: str, gdf: gpd.GeoDataFrame, fail: Any, allow_null: bool) -> gpd.GeoDataFrame | None:
    missing = gdf.geometry.isna()
    if missing.any() and not allow_null:
        fail(f"features[{int(missing.idxmax())}]", "feature without geometry")
        return None
    present = gdf.geometry[~missing]
    if len(present):
        minx, miny, maxx, maxy = present.total_bounds
        if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)) or \
                minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            fail("geometry", "coordinates are not longitude/latitude (projected data in a GeoJSON?)")
            return None
    invalid = ~present.is_valid
    if invalid.any():
        idx = [int(i) for i in present.index[invalid]]
        fixed = present[invalid].make_valid()
        if fixed.is_empty.any():
            fail(f"features[{idx[0]}]", "invalid geometry that cannot be repaired")
            return None
        gdf.loc[fixed.index, "geometry"] = fixed
        fail(f"features[{idx[0]}]", f"{len(idx)} invalid geometr{'y' if len(idx) == 1 else 'ies'} repaired",
             "warning")
    return gdf


def _check_properties(spec: LayerSpec, gdf: gpd.GeoDataFrame, problems: list[Problem]) -> bool:
    ok = True
    for column in REQUIRED_PROPERTIES:
        if column not in gdf.columns:
            problems.append(Problem(spec.file, "properties", f"features lack required property '{column}'"))
            ok = False
            continue
        blank = gdf[column].isna() | (gdf[column].astype(str).str.strip() == "")
        if blank.any():
            problems.append(Problem(spec.file, f"features[{int(blank.idxmax())}]",
                                    f"empty required property '{column}'"))
            ok = False
    if "status" in gdf.columns:
        bad = ~gdf["status"].isin(STATUSES)
        if bad.any():
            problems.append(Problem(spec.file, f"features[{int(bad.idxmax())}]",
                                    f"status must be one of {', '.join(STATUSES)}"))
            ok = False
    return ok


def _with_measured_area(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out["measured_area_km2"] = (gdf.to_crs(crs).area / 1e6).round(0)
    return out.sort_values("date").reset_index(drop=True)


def _history(root: Path, spec: LayerSpec, gdf: gpd.GeoDataFrame,
             problems: list[Problem]) -> OccupiedHistory | None:
    areas = None
    if spec.table:
        try:
            areas = pd.read_csv(root / spec.table)
            if "date" not in areas or "total_km2" not in areas:
                raise ValueError("needs columns 'date' and 'total_km2'")
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            problems.append(Problem(spec.table, "0", f"area table unusable: {exc}"))
            areas = None
    if "kind" not in gdf.columns:
        problems.append(Problem(spec.file, "properties", "daily-changes layer needs a 'kind' property"))
        return None
    try:
        return OccupiedHistory(gdf, areas)
    except (ValueError, KeyError) as exc:
        problems.append(Problem(spec.file, "features", str(exc)))
        return None

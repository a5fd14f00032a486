"""Load and validate `geodata/` into GeoDataFrames: the only entry point that reads data files
(through `files.py`, `validate.py` and `area_table.py`).

`load_dataset()` is cached once per process. A broken file costs only its own layer, a broken
feature or table row only itself: the problem is recorded (file, line or feature, what is wrong)
and everything else still loads. Nothing here raises on bad data; an unexpected exception while
reading one file becomes the problem "internal error reading FILE: TYPE".

Limits, chosen for a map a browser can draw (the shipped data is far below each):
- files.MAX_FILE_BYTES = 50 MB per file (layer, basemap part, area table; the biggest shipped
  file is ~3 MB), refused before it is read;
- validate.MAX_FEATURES = 20,000 features per layer, validate.MAX_TOWNS = 2,000 towns (each one
  a marker plus a permanent label; 16 shipped);
- only warnings: more than validate.WARN_MARKERS = 5,000 point markers in a layer, or more
  than validate.WARN_VERTICES = 200,000 vertices drawn at once (one day of a dated layer).
Files must resolve inside the data folder ('..', absolute paths and symlinks out are refused).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd

from dashboard.data import files, validate
from dashboard.data.area_table import read_area_table
from dashboard.data.catalog import load_catalog, with_drafts
from dashboard.data.history import OccupiedHistory
from dashboard.data.specs import COMPUTED_FORMATS, BasemapPart, Catalog, LayerSpec, Problem
from dashboard.data.validate import REQUIRED_PROPERTIES

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "geodata"
__all__ = ["DEFAULT_DATA", "REQUIRED_PROPERTIES", "Dataset", "LayerData", "data_dir", "load_dataset",
           "read_dataset", "read_layer_file"]


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


def forget_loaded() -> None:
    """Drop the cached datasets: the next reader gets the folder as it is now (an editor saved a
    draft). Readers already on the page keep the dataset they have."""
    with _LOAD_LOCK:
        _cached.cache_clear()


@functools.lru_cache(maxsize=4)
def _cached(root: Path) -> Dataset:
    return read_dataset(root)


def read_dataset(root: Path) -> Dataset:
    """Load catalog and every file it names, afresh (no cache). Never raises on bad data."""
    failed: list[Problem] = []  # the catalog reader itself raised: an empty catalog, named
    catalog = _guarded("catalog.toml", failed, lambda: with_drafts(load_catalog(root / "catalog.toml"), root)) \
        or Catalog(meta=None, problems=failed)
    ds = Dataset(root=root, catalog=catalog, problems=list(catalog.problems))
    for spec in catalog.layers.values():
        if spec.format not in COMPUTED_FORMATS:
            _guarded(spec.file, ds.problems, lambda spec=spec: _read_layer(ds, spec))
    for spec in catalog.layers.values():
        if spec.format in COMPUTED_FORMATS and ds.history is not None:
            ds.layers[spec.id] = LayerData(spec, gpd.GeoDataFrame(geometry=[], crs=4326))
    for bm in catalog.basemaps.values():
        parts: list[tuple[BasemapPart, gpd.GeoDataFrame]] = []
        for part in bm.parts:
            gdf = _guarded(part.file, ds.problems, lambda part=part: read_layer_file(root, part.file, ds.problems))
            if gdf is not None:
                parts.append((part, gdf))
        ds.basemap[bm.id] = parts
    return ds


def _guarded(rel: str, problems: list[Problem], work: Callable[[], Any]) -> Any:
    """`work()`, or None with the problem named if it raised: a bug met by one odd file costs
    that file, never the page (and the checker still lists every other problem)."""
    try:
        return work()
    except Exception as exc:  # noqa: BLE001 - the last line of defence, named not hidden
        problems.append(Problem(rel, "0", f"internal error reading {rel}: {type(exc).__name__}"))
        return None


def _read_layer(ds: Dataset, spec: LayerSpec) -> None:
    raw = files.read_json(ds.root, spec.file, ds.problems)
    if raw is None:
        return
    gdf = validate.check_features(spec.file, raw, ds.problems, fmt=spec.format, role=spec.role)
    if gdf is None:
        return
    if spec.format == "dated-extents":
        crs = ds.catalog.meta.equal_area_crs if ds.catalog.meta else "EPSG:6933"
        gdf = _with_measured_area(gdf, crs)
    if spec.format == "daily-changes":
        ds.history = _history(ds.root, spec, gdf, ds.problems)
        if ds.history is None:
            return
    ds.layers[spec.id] = LayerData(spec, gdf)


def read_layer_file(root: Path, rel: str, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    """One GeoJSON file's usable features in WGS84 (geometry checked, properties not: basemap
    parts and drafts), or None with what is wrong recorded."""
    raw = files.read_json(root, rel, problems)
    return None if raw is None else validate.check_features(rel, raw, problems, overlay=False)


def _with_measured_area(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out["measured_area_km2"] = (gdf.to_crs(crs).area / 1e6).round(0)
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def _history(root: Path, spec: LayerSpec, gdf: gpd.GeoDataFrame,
             problems: list[Problem]) -> OccupiedHistory | None:
    areas = read_area_table(root, spec.table, problems) if spec.table else None
    try:
        return OccupiedHistory(gdf, areas)
    except ValueError as exc:  # the records cannot make a replay: named, the layer left out
        problems.append(Problem(spec.file, "features", f"daily replay refused: {exc}"))
        return None

"""What the data folder holds now: the occupied-area layer and table the catalog names, the last
shipped day, and what the app's replay holds on that day (where the new days continue from)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from dashboard.data.catalog import load_catalog
from dashboard.data.files import read_text
from dashboard.data.history import OccupiedHistory
from dashboard.data.series import TABLE_COLUMNS


class DataProblem(Exception):
    """The data folder cannot be updated as it is (the update writes nothing)."""


@dataclass
class Current:
    root: Path
    layer_file: str  # paths inside root, as the catalog names them
    table_file: str
    layer: dict  # the layer's GeoJSON, parsed: new records are appended to its features
    table_text: str  # the table's rows up to the last shipped day, as text: kept byte for byte
    last: date
    last_key: date  # the latest whole snapshot (keyframe)
    chain: shapely.Geometry  # the app's replay of the last day
    provenance: dict[str, str]  # source, source_url, status of the shipped records, for the new ones
    history: OccupiedHistory  # the app's replay of the shipped days (a re-asked day goes between them)
    base_days: set[date]  # days with a whole snapshot (keyframe)


def read_current(root: Path) -> Current:
    catalog = load_catalog(root / "catalog.toml")
    specs = [s for s in catalog.layers.values() if s.format == "daily-changes" and s.table]
    if len(specs) != 1:
        raise DataProblem(f"{root}: the catalog must name one daily-changes layer with a table")
    spec = specs[0]
    # Read as the app reads them (inside the folder, a regular file, size-capped): a symlink out of
    # the folder or to /dev/zero was read here (and the folder published) though the app refuses it.
    problems: list = []
    raw, table = read_text(root, spec.file, problems), read_text(root, spec.table, problems)
    if raw is None or table is None:
        raise DataProblem("; ".join(f"{p.file}: {p.message}" for p in problems))
    try:
        layer = json.loads(raw)
        records = gpd.GeoDataFrame.from_features(layer["features"], crs=4326)
        history = OccupiedHistory(records)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataProblem(f"{root}: cannot read the occupied-area layer or table: {exc}") from None
    last = history.last
    keys = pd.to_datetime(records.loc[records["kind"] == "base", "date"]).dt.date
    latest = layer["features"][-1]["properties"]
    missing = [k for k in ("source", "source_url", "status") if k not in latest]
    if missing:  # the new records copy their provenance from the last one (was a KeyError traceback)
        raise DataProblem(f"{spec.file}: the last record has no {', '.join(missing)}")
    provenance = {k: latest[k] for k in ("source", "source_url", "status")}
    return Current(root, spec.file, spec.table, layer, _table_through(table, last, spec.table),
                   last, max(keys), history.snapshot(last).geometry, provenance, history, set(keys))


def _table_through(text: str, last: date, name: str) -> str:
    """The table's text up to the layer's last day. Rows after it can only come from an update
    interrupted between writing the table and the layer (when the folder could not be switched
    whole, see swap.py): they are dropped here and measured again."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip().split(",") != TABLE_COLUMNS:
        raise DataProblem(f"{name}: the header is not {','.join(TABLE_COLUMNS)}")
    # Dates as text: a column pandas reads as numbers cannot be compared with a day (TypeError).
    frame = pd.read_csv(io.StringIO(text), dtype={"date": str})
    keep = int((frame["date"] <= last.isoformat()).sum())
    if keep == 0 or frame["date"].iloc[keep - 1] != last.isoformat():
        raise DataProblem(f"{name}: no row for the layer's last day {last}")
    kept = "".join(lines[: keep + 1])
    return kept if kept.endswith("\n") else kept + "\n"

"""Measured change over a date window, from the full-resolution area table. Pure, and memoised
per dataset (results are shared between sessions: callers must not modify them)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from dashboard.data import Dataset
from dashboard.history import extent_for

#: Area-table columns with their labels; the table is measured in the catalog's equal-area CRS.
REGIONS = (("All Ukraine", "total_km2"), ("Donetsk", "donetsk_km2"), ("Luhansk", "luhansk_km2"),
           ("Kharkiv", "kharkiv_km2"), ("Zaporizhzhia", "zaporizhzhia_km2"))
DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class WindowFigure:
    label: str
    value_km2: float
    change_km2: float
    start_shown: str
    end_shown: str
    help: str


def _source_name(ds: Dataset, layer_id: str) -> str:
    spec = ds.catalog.layers.get(layer_id)
    source = ds.catalog.sources.get(spec.source) if spec else None
    return source.name if source else "unknown source"


def window_start(day: date, compare: date | None, first: date) -> date:
    """The comparison date if set, else DEFAULT_WINDOW_DAYS earlier (not before the series)."""
    return compare if compare is not None else max(first, day - timedelta(days=DEFAULT_WINDOW_DAYS))


@functools.lru_cache(maxsize=256)
def occupied_changes(ds: Dataset, start: date, end: date) -> list[WindowFigure]:
    """Occupied area at `end` and its net change since `start` (positive: more occupied)."""
    hist = ds.history
    if hist is None or hist.areas is None:
        return []
    a, b = hist.area_row(start), hist.area_row(end)
    if a is None or b is None:
        return []
    crs = ds.catalog.meta.equal_area_crs if ds.catalog.meta else "EPSG:6933"
    out = []
    for label, col in REGIONS:
        if col not in b:
            continue
        out.append(WindowFigure(
            label=label, value_km2=float(b[col]), change_km2=float(b[col] - a[col]),
            start_shown=str(a["date"]), end_shown=str(b["date"]),
            help=(f"Russian-occupied area on {b['date']} and its net change since {a['date']} "
                  f"(positive = more occupied). Source: {_source_name(ds, 'occupied')} snapshots, "
                  f"measured at full resolution in {crs}. Status: assessed."),
        ))
    return out


@functools.lru_cache(maxsize=256)
def salient_change(ds: Dataset, start: date, end: date) -> WindowFigure | None:
    """Measured area of the Kursk outline shown at `end`, and its change since `start`."""
    layer = ds.layers.get("kursk-salient")
    if layer is None:
        return None
    a, b = extent_for(layer.gdf, start), extent_for(layer.gdf, end)
    area_a = float(a["measured_area_km2"].sum()) if not a.empty else 0.0
    area_b = float(b["measured_area_km2"].sum()) if not b.empty else 0.0
    shown_a = a["date"].iloc[0] if not a.empty else "none yet"
    shown_b = b["date"].iloc[0] if not b.empty else "none yet"
    return WindowFigure(
        label="Kursk (UA-held)", value_km2=area_b, change_km2=area_b - area_a,
        start_shown=shown_a, end_shown=shown_b,
        help=(f"Measured area of the hand-drawn outline dated {shown_b} (approximate), change since the "
              f"outline dated {shown_a}. Source: {_source_name(ds, 'kursk-salient')}; claimed areas are on "
              "Sources & method. Status: claimed."),
    )


@functools.lru_cache(maxsize=256)
def weekly_net_change(ds: Dataset) -> pd.DataFrame:
    """Net change of the occupied area of Ukraine per week (Mon-Sun), km²."""
    if ds.history is None or ds.history.areas is None:
        return pd.DataFrame(columns=["week", "net_km2"])
    table = ds.history.areas[["date", "total_km2"]].copy()
    table["date"] = pd.to_datetime(table["date"])
    weekly = table.set_index("date")["total_km2"].resample("W-SUN").last()
    out = weekly.diff().dropna().reset_index()
    out.columns = ["week", "net_km2"]
    out["week"] = out["week"] - pd.Timedelta(days=6)  # label each week by its Monday
    return out

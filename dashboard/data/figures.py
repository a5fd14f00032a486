"""Key figures and measured change over a window: catalog values plus measures computed from the
data. Pure, and memoised per dataset (results are shared between sessions: do not modify them)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from dashboard.data.history import extent_for
from dashboard.data.layers import equal_area, shown_record_day
from dashboard.data.load import Dataset
from dashboard.data.specs import FigureSpec

INCURSION_START = date(2024, 8, 6)
DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Figure:
    spec: FigureSpec
    value: str
    delta: str | None
    help: str
    data_date: str


@dataclass(frozen=True)
class WindowFigure:
    label: str
    value_km2: float
    change_km2: float
    start_shown: str
    end_shown: str
    help: str
    status: str
    source: str
    source_url: str


def _km2(value: float) -> str:
    return f"{value:,.0f} km²"


def _computed(ds: Dataset, spec: FigureSpec, day: date) -> tuple[str, str]:
    """Value and the date of the data actually used, for a `computed` figure."""
    row = ds.history.area_row(day) if ds.history is not None else None
    if row is None:
        return "unavailable", ""
    shown = str(row["date"])
    if spec.computed == "occupied_total_km2":
        return _km2(row["total_km2"]), shown
    if spec.computed == "front_length_km":  # the area table may lack the column: said, not guessed
        return (f"{row['front_km']:,.0f} km", shown) if "front_km" in row else ("not available", shown)
    if spec.computed == "donetsk_change_since_incursion_km2":
        start = ds.history.area_row(INCURSION_START)
        if start is None or "donetsk_km2" not in row:
            return "unavailable", shown
        return _km2(row["donetsk_km2"] - start["donetsk_km2"]), shown
    return "unknown measure", shown


def key_figures(ds: Dataset, day: date, article: str = "") -> list[Figure]:
    """The figures of `article` (and the shared measures) for `day`; every figure when no article."""
    out = []
    for spec in ds.catalog.figures.values():
        if article and spec.article not in ("", article):
            continue
        data_date = spec.date
        if spec.computed:
            value, data_date = _computed(ds, spec, day)
            data_date = data_date or "unavailable"
        else:
            value = spec.display or f"{spec.value}"
        help_text = (f"Source: {spec.source} ({spec.source_url or 'no link'}). Status: {spec.status}. "
                     f"Dated {data_date}. Article section: {spec.article_section}.")
        if spec.note:
            help_text += f" Note: {spec.note}"
        out.append(Figure(spec, value, None, help_text, f"dated {data_date}"))
    return out


def window_start(day: date, compare: date | None, first: date) -> date:
    """The comparison date if set, else DEFAULT_WINDOW_DAYS earlier (not before the series)."""
    return compare if compare is not None else max(first, day - timedelta(days=DEFAULT_WINDOW_DAYS))


@functools.lru_cache(maxsize=256)
def occupied_changes(ds: Dataset, start: date, end: date) -> list[WindowFigure]:
    """Occupied area at `end` and its net change since `start` (positive: more occupied)."""
    spec = ds.catalog.by_role("history")
    hist = ds.history
    if spec is None or hist is None or hist.areas is None:
        return []
    a, b = hist.area_row(start), hist.area_row(end)
    if a is None or b is None:
        return []
    source = ds.catalog.sources.get(spec.source)
    out = []
    for col, label in spec.regions:
        if col not in b or col not in a:
            continue
        out.append(WindowFigure(
            label=label, value_km2=float(b[col]), change_km2=float(b[col] - a[col]),
            start_shown=str(a["date"]), end_shown=str(b["date"]),
            help=(f"Russian-occupied area on {b['date']} and its net change since {a['date']} "
                  f"(positive = more occupied). Source: {source.name if source else spec.source} snapshots, "
                  f"measured at full resolution in {equal_area(ds)}. Status: {spec.status}."),
            status=spec.status, source=f"{source.name if source else spec.source}, measured with GeoPandas",
            source_url=source.url if source else ""))
    return out


@functools.lru_cache(maxsize=256)
def salient_change(ds: Dataset, start: date, end: date) -> WindowFigure | None:
    """Measured area of the held outline shown at `end`, and its change since `start`."""
    spec = ds.catalog.by_role("salient")
    if spec is None or spec.id not in ds.layers:
        return None
    return _salient_change(ds, spec.id, shown_record_day(ds, spec.id, start), shown_record_day(ds, spec.id, end))


@functools.lru_cache(maxsize=64)  # by the outlines shown: a handful, whatever the days
def _salient_change(ds: Dataset, layer_id: str, start: date | None, end: date | None) -> WindowFigure:
    spec = ds.catalog.layers[layer_id]
    gdf = ds.layers[layer_id].gdf
    a = extent_for(gdf, start) if start else gdf.iloc[0:0]
    b = extent_for(gdf, end) if end else gdf.iloc[0:0]
    area_a = float(a["measured_area_km2"].sum()) if not a.empty else 0.0
    area_b = float(b["measured_area_km2"].sum()) if not b.empty else 0.0
    shown_a = str(a["date"].iloc[0]) if not a.empty else "none yet"
    shown_b = str(b["date"].iloc[0]) if not b.empty else "none yet"
    source = ds.catalog.sources.get(spec.source)
    return WindowFigure(
        label="Kursk (UA-held)", value_km2=area_b, change_km2=area_b - area_a,
        start_shown=shown_a, end_shown=shown_b,
        help=(f"Measured area of the hand-drawn outline dated {shown_b} (approximate), change since the "
              f"outline dated {shown_a}. Source: {source.name if source else spec.source}; claimed areas are "
              f"on Sources & method. Status: {spec.status}."),
        status=spec.status, source=source.name if source else spec.source, source_url=source.url if source else "")


@functools.lru_cache(maxsize=16)
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

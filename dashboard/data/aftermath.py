"""'What happened next': each expectation of the article, the value at the article's date next to
the value at a chosen date, from the map's own data (measured) and from dated reports."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.data.geometry import measured_km2
from dashboard.data.history import extent_for
from dashboard.data.layers import equal_area, held_outline, shown_record_day
from dashboard.data.load import Dataset
from dashboard.data.outcomes import Expectation
from dashboard.data.settlements import Change, SettlementsError, load_settlements, table_path


@dataclass(frozen=True)
class Measured:
    """A value the app measures itself at two dates, with what it is and where it comes from."""

    label: str
    at_article: str
    at_day: str
    note: str
    status: str
    source: str
    source_url: str


def measured(ds: Dataset, expectation: Expectation, article: date, day: date) -> Measured | None:
    if expectation.measure == "salient_area":
        return _salient(ds, article, day)
    if expectation.measure == "donetsk_area":
        return _donetsk(ds, article, day)
    return None


def _salient(ds: Dataset, article: date, day: date) -> Measured | None:
    spec = ds.catalog.by_role("salient")
    if spec is None or spec.id not in ds.layers:
        return None
    return _salient_between(ds, spec.id, shown_record_day(ds, spec.id, article), shown_record_day(ds, spec.id, day))


# Keyed by the outlines shown, not by the days: a handful of outlines for 769 days, so a date step
# almost never measures anything (a projection and an area each time otherwise).
@functools.lru_cache(maxsize=64)
def _salient_between(ds: Dataset, layer_id: str, at_article: date | None, at_day: date | None) -> Measured:
    spec = ds.catalog.layers[layer_id]
    crs = equal_area(ds)

    def shown(record: date | None) -> str:
        outline = extent_for(ds.layers[layer_id].gdf, record) if record else ds.layers[layer_id].gdf.iloc[0:0]
        if outline.empty:
            return "none yet"
        if not (outline.geometry.geom_type.isin(["Polygon", "MultiPolygon"])).any():
            return f"no held area drawn since {outline['date'].iloc[0]} (see the end records)"
        return f"{measured_km2(held_outline(ds, record), crs):,.0f} km² (outline of {outline['date'].iloc[0]})"

    source = ds.catalog.sources.get(spec.source)
    return Measured("Ukrainian-held area in Kursk Oblast, measured on the hand-drawn outline",
                    shown(at_article), shown(at_day), "Approximate outlines drawn from dated reports.",
                    spec.status, source.name if source else spec.source, source.url if source else "")


@functools.lru_cache(maxsize=256)
def _donetsk(ds: Dataset, article: date, day: date) -> Measured | None:
    spec = ds.catalog.by_role("history")
    hist = ds.history
    if spec is None or hist is None:
        return None
    a, b = hist.area_row(article), hist.area_row(day)
    if a is None or b is None or "donetsk_km2" not in b:
        return None
    change = float(b["donetsk_km2"] - a["donetsk_km2"])
    source = ds.catalog.sources.get(spec.source)
    return Measured("Russian-occupied area of Donetsk Oblast", f"{a['donetsk_km2']:,.0f} km² ({a['date']})",
                    f"{b['donetsk_km2']:,.0f} km² ({b['date']}), {change:+,.0f} km² since the article",
                    f"Measured on full-resolution snapshots in {equal_area(ds)}.", spec.status,
                    source.name if source else spec.source, source.url if source else "")


@functools.lru_cache(maxsize=64)
def monthly_net(ds: Dataset, column: str) -> pd.DataFrame:
    """Net change of an area-table column per calendar month (km², positive = more occupied),
    from the last snapshot of each month to the last of the next."""
    if ds.history is None or ds.history.areas is None or column not in ds.history.areas:
        return pd.DataFrame(columns=["month", "net_km2"])
    table = ds.history.areas[["date", column]].copy()
    table["date"] = pd.to_datetime(table["date"])
    monthly = table.set_index("date")[column].resample("MS").last()
    out = monthly.diff().dropna().reset_index()
    out.columns = ["month", "net_km2"]
    return out


@dataclass(frozen=True)
class TownsTaken:
    """The largest settlements whose point came under occupation after the article and was still
    inside on the chosen day, with the table's provenance and rule."""

    towns: list[Change]
    through: date  # the table's last day, when the chosen day is later
    source: str
    status: str
    rule: str


def towns_taken(ds: Dataset, article: date, day: date, limit: int = 8) -> TownsTaken | None:
    """None before the article's date or when the settlements table cannot be read."""
    if day <= article:
        return None
    try:
        found = load_settlements(ds.root, table_path(ds.root, ds.catalog))
    except SettlementsError:
        return None
    until = min(day, found.table.last)
    return TownsTaken(found.largest_taken(article, until, limit), until, found.source, found.status, found.rule)

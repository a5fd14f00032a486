"""Key figures for the panel: catalog values plus measures computed from the data. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dashboard.catalog import FigureSpec
from dashboard.data import Dataset

INCURSION_START = date(2024, 8, 6)


@dataclass(frozen=True)
class Figure:
    spec: FigureSpec
    value: str
    delta: str | None
    help: str
    data_date: str


def _km2(value: float) -> str:
    return f"{value:,.0f} km²"


def _computed(ds: Dataset, spec: FigureSpec, day: date) -> tuple[str, str | None, str]:
    """Value, delta and the date of the data actually used, for a `computed` figure."""
    if ds.history is None:
        return "unavailable", None, ""
    row = ds.history.area_row(day)
    if row is None:
        return "unavailable", None, ""
    shown = str(row["date"])
    if spec.computed == "occupied_total_km2":
        return _km2(row["total_km2"]), None, shown
    if spec.computed == "donetsk_change_since_incursion_km2":
        start = ds.history.area_row(INCURSION_START)
        if start is None or "donetsk_km2" not in row:
            return "unavailable", None, shown
        change = row["donetsk_km2"] - start["donetsk_km2"]
        return _km2(change), None, shown
    return "unknown measure", None, shown


def key_figures(ds: Dataset, day: date) -> list[Figure]:
    out = []
    for spec in ds.catalog.figures.values():
        data_date = spec.date
        if spec.computed:
            value, delta, data_date = _computed(ds, spec, day)
            data_date = data_date or "unavailable"
        else:
            value, delta = spec.display or f"{spec.value}", None
        help_text = (f"Source: {spec.source} ({spec.source_url or 'no link'}). "
                     f"Status: {spec.status}. Dated {data_date or spec.date}. "
                     f"Article section: {spec.article_section}.")
        if spec.note:
            help_text += f" Note: {spec.note}"
        out.append(Figure(spec, value, delta, help_text, f"dated {data_date or spec.date}"))
    return out

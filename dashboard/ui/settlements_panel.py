"""The map page's table of settlements that changed hands in the view's window (after the compare
date, or in the default window before the map date, up to the map date): sortable, filterable by
oblast and size, with a count, the places' total population and a CSV download. Figures come from
`dashboard.data.settlements`, the same rows as the map's layer and the CLI."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import streamlit as st

from dashboard.data.figures import window_start
from dashboard.data.load import Dataset
from dashboard.data.settlements import (
    CAME_IN,
    WENT_OUT,
    Change,
    Settlements,
    SettlementsError,
    load_settlements,
    table_path,
)
from dashboard.data.view import Bounds, ViewState
from dashboard.export import csv_cell
from dashboard.map.text import markdown_text

ALL = "All oblasts"
OBLAST_KEY, SIZE_KEY = "settlements_oblast", "settlements_min_population"
CSV_COLUMNS = ["day", "direction", "name", "oblast", "population", "geonameid", "status", "source", "rule"]


def render(ds: Dataset, view: ViewState, bounds: Bounds) -> None:
    start = window_start(view.date, view.compare, bounds.first)
    st.subheader(f"Settlements that changed hands: {start.isoformat()} → {view.date.isoformat()}")
    try:
        found = load_settlements(ds.root, table_path(ds.root, ds.catalog))
    except SettlementsError as exc:
        st.info(f"The settlements table is unavailable: {markdown_text(str(exc))}")
        return
    for file, line, what in found.problems[:3]:
        st.warning(f"Data problem — {markdown_text(f'{file}:{line}: {what}')}")
    if view.compare is None:
        st.caption("No compare date set: the window is the 30 days before the map date.")
    if view.date > found.table.last:
        st.caption(f"The table is measured through {found.table.last.isoformat()}.")
    left, right = st.columns(2)
    oblast = left.selectbox("Oblast", [ALL, *found.oblast_names()], key=OBLAST_KEY,
                            format_func=markdown_text)
    size = right.number_input("At least this many people", min_value=0, max_value=10_000_000, value=0,
                              step=1000, key=SIZE_KEY, help="GeoNames population (places of 500+ people).")
    changes = found.changes(start, view.date, None if oblast == ALL else oblast, int(size) or None)
    summary(found, changes)
    if changes:
        st.dataframe(frame(changes), hide_index=True, width="stretch", column_config={
            "population": st.column_config.NumberColumn("population", format="%d"),
            "day": st.column_config.TextColumn("day")})
        st.download_button("Settlements (CSV)", data=lambda: settlements_csv(found, changes),
                           file_name=f"situation-settlements-{start.isoformat()}-{view.date.isoformat()}.csv",
                           mime="text/csv", on_click="ignore", help="The rows above, with source, status and rule.")
    st.caption(f"{markdown_text(found.source)} · status: {markdown_text(found.status)} · "
               f"rule: {markdown_text(found.rule)}")


def summary(found: Settlements, changes: list[Change]) -> None:
    came = [c for c in changes if c.direction == CAME_IN]
    went = [c for c in changes if c.direction == WENT_OUT]
    cited = f"Source: {markdown_text(found.source)}. Status: {markdown_text(found.status)}."
    cols = st.columns(3)
    cols[0].metric("Came under occupation", f"{len(came):,}",
                   help=f"Settlements whose GeoNames point came inside the occupied area in the window. {cited}")
    cols[1].metric("No longer inside", f"{len(went):,}",
                   help=f"Settlements whose point left the occupied area (regained, or the line redrawn). {cited}")
    cols[2].metric("Population of these places", f"{sum(c.population for c in changes):,}",
                   help="GeoNames population of every place listed (pre-war figures, not people there now); "
                        f"which places: {cited}")


def frame(changes: list[Change]) -> pd.DataFrame:
    """The rows as the table shows them: numbers stay numbers (the table sorts them as numbers)."""
    return pd.DataFrame([{"day": c.day.isoformat(), "direction": c.direction, "name": c.name,
                          "oblast": c.oblast, "population": c.population} for c in changes],
                        columns=["day", "direction", "name", "oblast", "population"])


def settlements_csv(found: Settlements, changes: list[Change]) -> str:
    """The window's changes with their provenance; numbers stay numbers, text cells are quoted and
    formula-safe (dashboard.export's rules)."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(CSV_COLUMNS)
    for c in changes:
        writer.writerow([csv_cell(v) for v in (c.day.isoformat(), c.direction, c.name, c.oblast, c.population,
                                               c.geonameid, found.status, found.source, found.rule)])
    return buf.getvalue()


def window_csv(ds: Dataset, view: ViewState, bounds: Bounds) -> str:
    """Every settlement that changed hands in the view's window (no filter): the downloads'
    file. The table's header row alone when the table is unavailable."""
    try:
        found = load_settlements(ds.root, table_path(ds.root, ds.catalog))
    except SettlementsError:
        return ",".join(CSV_COLUMNS) + "\n"
    return settlements_csv(found, found.changes(window_start(view.date, view.compare, bounds.first), view.date))


def occupation_note(ds: Dataset, geonameid: int, day: date) -> str | None:
    """For the distance panel: when the town's own point came inside the occupied area, or None
    if it never did (or the table is unavailable or does not cover the town)."""
    try:
        found = load_settlements(ds.root, table_path(ds.root, ds.catalog))
    except SettlementsError:
        return None
    first = found.first_inside(geonameid)
    if first is None or not found.measured(geonameid):
        return None
    inside = geonameid in found.status_on(day)
    when = (f"was already inside on the first snapshot ({first.isoformat()})" if first == found.table.first
            else f"came under occupation on {first.isoformat()}")
    return (f"Its point {when}; on {day.isoformat()} it is {'inside' if inside else 'not inside'}. "
            f"{found.describe(geonameid)}. Rule: {found.rule}")

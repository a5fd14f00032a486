"""The reader's front tools on the Map page: a town's distance to the front over time, and the line
of contact's length and the pace of change. Figures come from `dashboard.data.front`; the chosen
town goes through `state.choose_town`, so it lands in the URL as `town=<GeoNames id>`."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date

import streamlit as st

from dashboard.data.figures import window_start
from dashboard.data.front import (
    METHOD,
    PACE_WEEKS,
    Town,
    closest_day,
    distance_km,
    distance_series,
    find_town,
    front_figures,
    front_series,
    gazetteer_unavailable,
)
from dashboard.data.load import Dataset
from dashboard.data.view import Bounds, ViewState
from dashboard.map.text import markdown_text
from dashboard.ui import state
from dashboard.ui.chart import Banded, series_chart, series_html
from dashboard.ui.private_api import RerunException, StopException
from dashboard.ui.settlements_panel import occupation_note

QUERY_KEY = "front_town_query"  # text input: what the reader typed
PICK_KEY = "front_town_pick"    # select (key prefix): one of the towns matching it
MAX_MATCHES = 25                # a short list stays quick to draw and to scan
LOG = logging.getLogger("situation_map.front_panel")


def render(ds: Dataset, view: ViewState, bounds: Bounds) -> None:
    """Both sections: the town's distance to the front, then the line of contact and pace. Each
    is drawn on its own: an unexpected error in one is logged and named there, the other stays."""
    _isolated("Distance to the front", lambda: town_section(ds, view))
    _isolated("Line of contact and pace", lambda: line_section(ds, view, bounds))


def _isolated(title: str, draw: Callable[[], None]) -> None:
    try:
        with st.container():
            draw()
    except (RerunException, StopException):
        raise
    except Exception:  # logged on the server; the reader gets one sentence
        LOG.exception("front panel section %r failed", title)
        st.error(f"{title}: this section could not be drawn because of an unexpected error; it has been logged.")


def _provenance(ds: Dataset) -> tuple[str, str]:
    """Source name and status of the occupied-area layer, as the catalog gives them."""
    spec = ds.catalog.by_role("history")
    if spec is None:
        return "unknown source", "unknown"
    return markdown_text(ds.catalog.source_name(spec.source) or spec.source), markdown_text(spec.status)


def town_search(ds: Dataset, chosen: str) -> None:
    """A text box, and a select over the towns matching it. The select's key carries the chosen
    town, so a new choice (or Clear) starts a fresh select showing it; a pick goes through
    `state.choose_town` and reruns the page, whose map then writes it to the URL."""
    query = st.text_input("Find a town", key=QUERY_KEY, placeholder="Kramatorsk, Краматорськ or a GeoNames id",
                          help="Or click a town marker on the map.")
    missing = gazetteer_unavailable(ds)
    if missing:
        st.warning(f"{markdown_text(missing[:1].upper() + missing[1:])}. Only the map's own towns can be found.")
    if not query.strip():
        return
    matches = find_town(query, ds, limit=MAX_MATCHES)
    if not matches:
        st.caption("No place of Ukraine, Russia or Belarus in the gazetteer matches that name.")
        return
    labels = {str(t.geonameid): t.label() for t in matches}
    ids = list(labels)
    picked = st.selectbox("Town", ids, index=ids.index(chosen) if chosen in labels else None,
                          key=f"{PICK_KEY}-{chosen}", format_func=lambda gid: markdown_text(labels.get(gid, gid)),
                          placeholder=f"{len(matches)} match{'es' if len(matches) > 1 else ''}: choose one")
    if picked and picked != chosen:
        state.choose_town(picked)
        st.rerun()


def town_section(ds: Dataset, view: ViewState) -> None:
    st.subheader("Distance to the front")
    if ds.history is None:
        st.info("Distances are unavailable: the occupied-area data did not load.")
        return
    town_search(ds, view.town)
    if not view.town:
        st.caption("Choose a town to see how far it is from Russian-occupied territory on the map date "
                   "and over the whole history.")
        return
    found = find_town(view.town, ds)
    if not found:
        st.warning(f"Town {markdown_text(view.town)} (a GeoNames id) is not in the gazetteer; choose another.")
        return
    town_figures(ds, view, found[0])
    st.button("Clear town", on_click=state.choose_town, args=("",))


def town_figures(ds: Dataset, view: ViewState, town: Town) -> None:
    source, status = _provenance(ds)
    shown = ds.history.shown_day(view.date)
    km = distance_km(ds, town.lon, town.lat, view.date)
    if shown is None or km is None:
        st.info(f"No occupied-area snapshot on or before {view.date.isoformat()}.")
        return
    name = markdown_text(town.name)
    st.metric(f"{name} to the front", f"{km:,.1f} km",
              help=f"Shortest distance from {name} to Russian-occupied territory of Ukraine in the {source} "
                   f"snapshot of {shown.isoformat()}: {METHOD}. 0 km = inside it. Source: {source}. Status: {status}.")
    st.caption(f"{markdown_text(town.label())} · on {shown.isoformat()} · {status} · {source} snapshot, distance "
               f"measured by this project ({METHOD}). Occupied Ukraine only: the border with Russia is not counted.")
    note = occupation_note(ds, town.geonameid, view.date)
    if note:
        st.caption(f"**{name}**: {markdown_text(note)}")
    series = distance_series(ds, town.lon, town.lat)
    closest = closest_day(series)
    if closest is None:
        return
    st.html(series_html(series, "distance_km", shown, shown, unit="km", mark=closest[0], keep="min",
                        label=f"Distance from {town.name} to the front per day, km"))
    st.caption(f"Distance per day over the whole history (km; hover for figures). Closest: "
               f"{closest[1]:,.1f} km on {closest[0].isoformat()} (the orange line); the shaded day is the map date.")


def front_chart(ds: Dataset, start: date, end: date) -> str:
    """The line of contact per day with the window shaded ("" without data)."""
    chart = _front_series_chart(ds)
    return chart.html(start, end) if chart else ""


@functools.lru_cache(maxsize=4)  # one per dataset: the band is put in per window
def _front_series_chart(ds: Dataset) -> Banded | None:
    return series_chart(front_series(ds), "front_km", unit="km", from_zero=False,
                        label="Line of contact per day, km")


def line_section(ds: Dataset, view: ViewState, bounds: Bounds) -> None:
    start = window_start(view.date, view.compare, bounds.first)
    figs = front_figures(ds, start, view.date)
    st.subheader("Line of contact and pace")
    if figs is None:
        st.info("The line of contact is unavailable: the area table did not load or lacks it.")
        return
    source, status = _provenance(ds)
    cols = st.columns(3)
    cols[0].metric(f"Line of contact on {figs.end_shown.isoformat()}", f"{figs.front_km:,.0f} km",
                   help=f"Length on {figs.end_shown.isoformat()}, measured by this project on the full-resolution "
                        f"{source} snapshot along the WGS84 ellipsoid; borders and coasts not counted. "
                        f"Source: {source}. Status: {status}.")
    cols[1].metric(f"Change since {figs.start_shown.isoformat()}", f"{figs.change_km:+,.0f} km",
                   help=f"Line of contact on {figs.end_shown.isoformat()} minus that on "
                        f"{figs.start_shown.isoformat()}. Source: {source}. Status: {status}.")
    pace = "n/a" if figs.pace_km2_week is None else f"{figs.pace_km2_week:+,.0f} km²"
    since = figs.pace_since.isoformat() if figs.pace_since else "n/a"
    cols[2].metric(f"Occupied area, net change a week (last {PACE_WEEKS} weeks)", pace,
                   help=f"Occupied area on {figs.end_shown.isoformat()} minus that on {since}, per week "
                        f"(positive = more occupied); areas measured on the full-resolution snapshots. "
                        f"Source: {source}. Status: {status}.")
    st.html(front_chart(ds, start, view.date))
    st.caption(f"Line of contact per day (km, {source}, {status}; measured by this project). "
               f"The shaded band is the window {figs.start_shown.isoformat()} → {figs.end_shown.isoformat()}.")

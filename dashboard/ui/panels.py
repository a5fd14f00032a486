"""The map page's panels: key figures, measured change over the window, downloads, sources.

Text from the catalog is shown as plain text (`st.text`, captions of escaped Markdown): no
image or link in a label can fetch anything."""

from __future__ import annotations

import functools
from datetime import date

import streamlit as st

from dashboard.data.figures import key_figures, occupied_changes, salient_change, weekly_net_change, window_start
from dashboard.data.layers import equal_area
from dashboard.data.load import Dataset
from dashboard.data.view import Bounds, ViewState
from dashboard.export import figures_csv, geojson_bytes, standalone_html
from dashboard.map.text import label_text, markdown_text
from dashboard.ui import settlements_panel, state
from dashboard.ui.chart import Banded, bars_chart


def figures_panel(ds: Dataset, view: ViewState) -> None:
    st.subheader("Key figures")
    for fig in key_figures(ds, view.date, view.article):
        st.metric(label_text(fig.spec.label), markdown_text(fig.value), delta=fig.delta,
                  help=markdown_text(fig.help))
        st.caption(f"{markdown_text(fig.spec.status)} · {markdown_text(fig.data_date)}")


def window_section(ds: Dataset, view: ViewState, bounds: Bounds) -> None:
    start = window_start(view.date, view.compare, bounds.first)
    st.subheader(f"Occupied area and change: {start.isoformat()} → {view.date.isoformat()}")
    if view.compare is None:
        st.caption("No compare date set: the window is the 30 days before the map date.")
    figures = list(occupied_changes(ds, start, view.date))  # a copy: the cached list is shared
    salient = salient_change(ds, start, view.date)
    if salient is not None:
        figures.append(salient)
    if not figures:
        st.info("Measured changes are unavailable: the occupied-area data did not load.")
        return
    # At most four figures a row: wider rows cut the values short.
    cols = [col for _row in range(0, len(figures), 4) for col in st.columns(4)][:len(figures)]
    for col, fig in zip(cols, figures, strict=True):
        col.metric(label_text(fig.label), f"{fig.value_km2:,.0f} km²", delta=f"{fig.change_km2:+,.0f} km²",
                   delta_color="off", help=markdown_text(fig.help))
    chart = weekly_chart(ds, start, view.date)
    if chart:
        st.html(chart)
        st.caption(f"Weekly net change of the Russian-occupied area of Ukraine (measured in "
                   f"{markdown_text(equal_area(ds))}; positive = more occupied; hover a bar for its figure). "
                   "The shaded band is the chosen window.")


def weekly_chart(ds: Dataset, start: date, end: date) -> str:
    """The weekly bars with the window shaded ("" without data)."""
    chart = _weekly_bars(ds)
    return chart.html(start, end) if chart else ""


@functools.lru_cache(maxsize=4)  # one per dataset: every reader's bars, the band put in per window
def _weekly_bars(ds: Dataset) -> Banded | None:
    return bars_chart(weekly_net_change(ds).rename(columns={"week": "period"}), monthly=False)


def downloads(ds: Dataset, view: ViewState, bounds: Bounds) -> None:
    """Take-away files, built only when asked for (the data arguments are callables). They read
    the view at click time: layers switched since this run (in the map fragment) count."""
    holder = state.download_holder()
    holder.setdefault("view", view)
    st.subheader("Download")
    stamp = view.date.isoformat()
    st.download_button("Visible layers (GeoJSON)", data=lambda: geojson_bytes(ds, holder["view"]),
                       file_name=f"situation-map-{stamp}.geojson", mime="application/geo+json",
                       on_click="ignore", help="Every feature on the map for this date, with source and status.")
    st.download_button("Figures (CSV)", data=lambda: figures_csv(ds, holder["view"], bounds.first),
                       file_name=f"situation-figures-{stamp}.csv", mime="text/csv", on_click="ignore")
    st.download_button("Settlements that changed hands (CSV)",
                       data=lambda: settlements_panel.window_csv(ds, holder["view"], bounds),
                       file_name=f"situation-settlements-{stamp}.csv", mime="text/csv", on_click="ignore",
                       help="The window's settlements (compare date, or 30 days before the map date), "
                            "with source, status and rule.")
    st.download_button("Map (offline HTML)", data=lambda: standalone_html(ds, holder["view"]),
                       file_name=f"situation-map-{stamp}.html", mime="text/html", on_click="ignore",
                       help="One file with Leaflet inlined: opens without internet.")


def attributions(ds: Dataset) -> None:
    st.subheader("Sources")
    for src in ds.catalog.sources.values():
        st.markdown(f"- {markdown_text(src.attribution)} — licence: {markdown_text(src.licence)}")
    st.markdown(f"Areas measured with GeoPandas in {markdown_text(equal_area(ds))} (equal-area). Full sources, "
                "dates, licences and method: **Sources & method** in the menu.")

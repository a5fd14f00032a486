"""The Map page: widgets, the map, key figures, measured change, downloads.

Thin by design: geometry lives in map_builder/measures/export, state in session.
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlencode

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import map_component
from dashboard.chart_html import weekly_html
from dashboard.data import Dataset
from dashboard.escape import markdown_text
from dashboard.export import figures_csv, geojson_bytes, standalone_html
from dashboard.figures import key_figures
from dashboard.map_builder import SYNC_MARKER, SyncedLayerControl, overlay_labels, visible_labels
from dashboard.measures import occupied_changes, salient_change, weekly_net_change, window_start
from dashboard.session import current_view, init_session, keep_view_in_url, loaded, page_header, show_problems
from dashboard.view_state import Bounds, ViewState, same_spot

MAP_HEIGHT = 600
DOWNLOAD_VIEW = "download_view"
PLAY_STEP_SECONDS = 0.8

STEPS = (("−7d", -7, "One week back"), ("−1d", -1, "One day back"), ("+1d", 1, "One day forward"),
         ("+7d", 7, "One week forward"))

def shift_date(days: int, bounds: Bounds) -> None:
    """Button callback (runs before the script, so it may set the slider's value)."""
    new = st.session_state["date"] + timedelta(days=days)
    st.session_state["date"] = min(max(new, bounds.first), bounds.last)


def reset_date(bounds: Bounds) -> None:
    st.session_state["date"] = bounds.default.date


def apply_pending(bounds: Bounds) -> None:
    """Values queued at the end of a run (play mode's next day, layers toggled in the map):
    applied here, before the widgets that own them exist."""
    pending = st.session_state.pop("pending_date", None)
    if pending is not None:
        st.session_state["date"] = pending
    if st.session_state.pop("pending_stop", False):
        st.session_state["playing"] = False
    layers = st.session_state.pop("pending_layers", None)
    if layers is not None:
        for layer_id in bounds.layer_ids:
            st.session_state[f"layer_{layer_id}"] = layer_id in layers


def keep_playing(view: ViewState, bounds: Bounds) -> None:
    if not st.session_state.get("playing"):
        return
    if view.date >= bounds.last:
        # The toggle already exists in this run: switch it off at the start of the next one.
        st.session_state["pending_stop"] = True
        st.rerun()
    time.sleep(PLAY_STEP_SECONDS)
    st.session_state["pending_date"] = view.date + timedelta(days=1)
    st.rerun()


def view_controls(bounds: Bounds) -> None:
    """Date and comparison: they change the figures too, so they rerun the whole page."""
    st.header("View")
    st.slider("Map date", min_value=bounds.first, max_value=bounds.last, step=timedelta(days=1),
              format="YYYY-MM-DD", key="date",
              help="Dated layers show the data for this day (or the nearest earlier one).")
    steps = st.columns(4, gap="small")
    for col, (label, days, tip) in zip(steps, STEPS, strict=True):
        col.button(label, key=f"step_{days}", help=tip, on_click=shift_date, args=(days, bounds),
                   width="stretch")
    st.button("Article date", key="reset_date", on_click=reset_date, args=(bounds,),
              help="Back to the article's date (about 10 November 2024)")
    st.toggle("Play (one day per step)", key="playing",
              help="Steps the map date forward until you stop it or it reaches the last day.")
    st.checkbox("Compare with an earlier date", key="compare_on")
    if st.session_state["compare_on"]:
        st.date_input("Compare date", min_value=bounds.first, max_value=bounds.last, key="compare",
                      help="Areas that changed hands between this date and the map date.")


def layer_controls(ds: Dataset, bounds: Bounds) -> None:
    st.subheader("Layers")
    for spec in ds.catalog.layers.values():
        st.checkbox(f"{spec.title} ({spec.status})", key=f"layer_{spec.id}", help=spec.description or None)
    st.radio("Basemap", options=list(bounds.basemap_ids), key="basemap",
             format_func=lambda i: ds.catalog.basemaps[i].title)


def figures_panel(ds: Dataset, view: ViewState) -> None:
    st.subheader("Key figures")
    for fig in key_figures(ds, view.date):
        st.metric(fig.spec.label, fig.value, delta=fig.delta, help=markdown_text(fig.help))
        st.caption(f"{markdown_text(fig.spec.status)} · {markdown_text(fig.data_date)}")


def share_link(query: dict[str, str]) -> str:
    """The full URL of this view, as the browser reached the app (base path included)."""
    base = (st.context.url or "").split("?")[0].split("#")[0]
    return base + ("?" + urlencode(query) if query else "")


def share_box(query: dict[str, str]) -> None:
    st.subheader("Share this view")
    st.session_state["share_link"] = share_link(query)  # rewritten each run; edits are dropped
    # A text box, not st.code: the code block's highlighter is 1.5 MB of script on first view.
    st.text_input("Link to this view (select it and copy)", key="share_link",
                  help="Opens exactly this view: date, comparison, layers, centre and zoom.")


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
    cols = st.columns(len(figures))
    for col, fig in zip(cols, figures, strict=True):
        col.metric(fig.label, f"{fig.value_km2:,.0f} km²", delta=f"{fig.change_km2:+,.0f} km²",
                   delta_color="off", help=fig.help)
    weekly = weekly_net_change(ds)
    if not weekly.empty:
        st.html(weekly_html(weekly, start, view.date))
        st.caption("Weekly net change of the Russian-occupied area of Ukraine (DeepStateMap, measured in "
                   "EPSG:6933; positive = more occupied; hover a bar for its figure). The shaded band is the "
                   "chosen window.")


def map_panel(ds: Dataset, view: ViewState, bounds: Bounds) -> ViewState:
    """Show the map and follow what the user did in it (pan, zoom, layer toggles)."""
    origin: ViewState = st.session_state["view_origin"]
    # The base map keeps the session's first centre, zoom and layers, so its code (and the
    # component key) stays the same while the user pans or toggles: moves go through
    # center/zoom, toggles through the layer control, dated layers through feature groups.
    # Only a basemap switch rebuilds it.
    base = map_component.base_for(ds, bounds, origin, view.basemap)
    groups = map_component.groups_for(ds, bounds, view.date, view.compare)
    control = map_component.render_control(SyncedLayerControl(visible_labels(ds, view), collapsed=True),
                                           base.layers + groups.layers)
    out = map_component.show(base, groups, control, key=f"map-{view.basemap}",
                             height=MAP_HEIGHT, center=st.session_state["center"],
                             zoom=st.session_state["zoom"], returned_objects=map_component.RETURNED)
    if not out:
        return view
    if out.get("center") and out.get("zoom") is not None:
        reported = (out["center"]["lat"], out["center"]["lng"])
        # Leaflet snaps the centre to whole pixels: a sub-pixel difference is not a move.
        if not same_spot(reported, st.session_state["center"], int(out["zoom"])):
            st.session_state["center"] = reported
        st.session_state["zoom"] = int(out["zoom"])
    follow_map_toggles(ds, out.get("selected_layers"), [label for label, _, _ in groups.layers], view)
    return current_view(bounds)[0]


def follow_map_toggles(ds: Dataset, selected: object, dated: list[str], view: ViewState) -> None:
    """Layers switched in the map's own control become the page's (and the URL's) layers."""
    if not isinstance(selected, list):
        return
    labels = overlay_labels(ds)
    in_control = {spec.id for spec in ds.catalog.layers.values() if not spec.dated}
    in_control |= {labels[name] for name in dated if name in labels}
    names = {item.get("name") for item in selected if isinstance(item, dict)}
    if SYNC_MARKER not in names:
        return  # not (yet) a report of the full set of visible layers
    # The component returns its last value on every run: act only on a new report, or a
    # stale one would undo a toggle just made in the sidebar.
    if names == st.session_state.get("map_reported_layers"):
        return
    st.session_state["map_reported_layers"] = names
    shown = {labels[name] for name in names if name in labels}
    wanted = (set(view.layers) - in_control) | (shown & in_control)
    if wanted != set(view.layers):
        st.session_state["pending_layers"] = wanted
        st.rerun()


def render() -> None:
    ds, bounds = loaded()
    init_session(bounds)
    apply_pending(bounds)
    page_header(ds)
    url_notices = st.session_state.pop("url_notices", [])  # said once, on the link's first view
    if url_notices:
        st.warning("This link had parts that could not be used, so the nearest valid view is shown: "
                   + "; ".join(markdown_text(n) for n in url_notices) + ".")
    show_problems(ds)
    # The view comes from the widgets' state, which Streamlit has before they are drawn.
    _, notices = current_view(bounds)
    for notice in notices:
        st.warning(markdown_text(notice))
    left, right = st.columns([7, 2])
    with st.sidebar:
        controls, layers, sharing, takeaway = st.container(), st.container(), st.container(), st.container()
    map_fragment(ds, bounds, left, layers, sharing)  # first: its message leaves before the rest
    with controls:
        view_controls(bounds)
    view = current_view(bounds)[0]
    with takeaway:
        downloads(ds, view, bounds)
    with right:
        figures_panel(ds, view)
    window_section(ds, view, bounds)
    attributions(ds)
    keep_playing(view, bounds)


@st.fragment
def map_fragment(ds: Dataset, bounds: Bounds, left: DeltaGenerator, layers: DeltaGenerator,
                 sharing: DeltaGenerator) -> None:
    """The map with what depends only on it: layer switches, basemap, share link, URL. A layer
    toggle, a pan or a zoom reruns only this, not the figures and charts."""
    view = current_view(bounds)[0]
    with left, st.spinner("Drawing the map…"):
        view = map_panel(ds, view, bounds)
    with layers:
        layer_controls(ds, bounds)
    query = keep_view_in_url(view, bounds)
    # What the downloads export; they live outside this fragment (Streamlit drops a fragment's
    # deferred download data when it reruns), so they read the view from this shared holder.
    st.session_state.setdefault(DOWNLOAD_VIEW, {})["view"] = view
    with sharing:
        share_box(query)


def downloads(ds: Dataset, view: ViewState, bounds: Bounds) -> None:
    """Take-away files, built only when asked for (the data arguments are callables). They read
    the view at click time: layers switched since this run (in the map fragment) count."""
    holder = st.session_state.setdefault(DOWNLOAD_VIEW, {"view": view})
    st.subheader("Download")
    stamp = view.date.isoformat()
    st.download_button("Visible layers (GeoJSON)", data=lambda: geojson_bytes(ds, holder["view"]),
                       file_name=f"situation-map-{stamp}.geojson", mime="application/geo+json",
                       on_click="ignore", help="Every feature on the map for this date, with source and status.")
    st.download_button("Figures (CSV)", data=lambda: figures_csv(ds, holder["view"], bounds.first),
                       file_name=f"situation-figures-{stamp}.csv", mime="text/csv", on_click="ignore")
    st.download_button("Map (offline HTML)", data=lambda: standalone_html(ds, holder["view"]),
                       file_name=f"situation-map-{stamp}.html", mime="text/html", on_click="ignore",
                       help="One file with Leaflet inlined: opens without internet.")


def attributions(ds: Dataset) -> None:
    st.subheader("Sources")
    for src in ds.catalog.sources.values():
        st.markdown(f"- {markdown_text(src.attribution)} — licence: {markdown_text(src.licence)}")
    if ds.catalog.meta:
        st.markdown(f"Areas measured with GeoPandas in {markdown_text(ds.catalog.meta.equal_area_crs)} "
                    "(equal-area). Full sources, dates, licences and method: **Sources & method** in the menu.")

"""The Map page: the map in a fragment, the controls around it, the figures below.

Thin by design: features come from `dashboard.data.layers`, the map from `dashboard.map`,
state from `dashboard.ui.state`."""

from __future__ import annotations

import re
import time
from datetime import date

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.data.front import find_town, town_line
from dashboard.data.load import Dataset
from dashboard.data.view import Bounds, ViewState, step
from dashboard.map.build import overlay_labels, visible_labels
from dashboard.map.elements import SYNC_MARKER
from dashboard.map.text import markdown_text
from dashboard.map.timeline import DATE_MARKER, PAINTED_MARKER
from dashboard.ui import aftermath, animation_panel, front_panel, map_widget, panels, settlements_panel, state
from dashboard.ui import first_view as first
from dashboard.ui.chrome import loaded, page_header, show_problems, show_url_notices
from dashboard.ui.controls import layer_controls, share_box, view_controls

MAP_HEIGHT = 600
MOVE_NUMBER = re.compile(r"[0-9]{1,9}")
PLAY_STEP_SECONDS = 0.8


def render() -> None:
    ds, bounds = loaded()
    state.init_session(bounds)
    state.apply_pending(bounds)
    state.hold_page_controls()  # after the callbacks: the date and comparison this run shows
    page_header(ds)
    # A browser's first view draws its panels in a second run, after the map's paint.
    waiting = state.first_view().wait(bool(st.context.headers.get("User-Agent")), time.monotonic())
    # Notices come and go between runs: one container holds them all, so the map below keeps its
    # place in the page (the browser keys elements by position: a shifted map would be re-created).
    with st.container():
        show_url_notices(state.take_url_notices(keep=waiting))  # said on the link's first view
        show_problems(ds)
        # The view comes from the widgets' state, which Streamlit has before they are drawn.
        for notice in state.current_view(bounds)[1]:
            st.warning(markdown_text(notice))
    left, right = st.columns([7, 2])
    with st.sidebar:
        controls, layers, sharing, takeaway = st.container(), st.container(), st.container(), st.container()
    map_fragment(ds, bounds, left, layers, sharing)  # first: its message leaves before the rest
    with controls:
        view_controls(ds, bounds)
    view = state.current_view(bounds)[0]
    if waiting:
        with right:
            st.caption(first.NOTE)
        wait_for_map()
        return
    with takeaway:
        panels.downloads(ds, view, bounds)
        animation_panel.render(ds, view, bounds)
    with right:
        panels.figures_panel(ds, view)
    panels.window_section(ds, view, bounds)
    settlements_panel.render(ds, view, bounds)
    front_panel.render(ds, view, bounds)
    aftermath.render(ds, view.date, view.article)
    panels.attributions(ds)
    keep_playing(view, bounds)


@st.fragment(run_every=first.WAIT_S)
def wait_for_map() -> None:
    """A browser's first view: should the map not report its paint, the panels come anyway."""
    if state.first_view().go(time.monotonic(), after=first.WAIT_S):
        st.rerun(scope="app")


@st.fragment
def map_fragment(ds: Dataset, bounds: Bounds, left: DeltaGenerator, layers: DeltaGenerator,
                 sharing: DeltaGenerator) -> None:
    """The map with what depends only on it: layer switches, basemap, share link, URL. A layer
    toggle, a pan or a zoom reruns only this, not the figures and charts."""
    state.keep_page_controls()  # a fragment-only run must not take stale date or comparison values
    view = state.current_view(bounds)[0]
    with left, st.spinner("Drawing the map…"):
        view = map_panel(ds, view, bounds)
    with layers:
        layer_controls(ds, bounds, view.article)
    query = state.keep_view_in_url(view, bounds)
    # Downloads live outside this fragment (Streamlit drops a fragment's deferred download data
    # when it reruns), so they read the view from this shared holder.
    state.download_holder(view)
    with sharing:
        share_box(query)


def map_panel(ds: Dataset, view: ViewState, bounds: Bounds) -> ViewState:
    """Show the map and follow what the reader did in it (pan, zoom, layer toggles)."""
    # The base map keeps the session's first centre, zoom and layers, so its code (and the
    # component key) stays the same while the reader pans or toggles: moves go through
    # center/zoom, toggles through the layer control, dated layers through feature groups.
    # Only a basemap switch rebuilds it.
    base = map_widget.base_for(ds, bounds, state.origin(), view.basemap, view.article)
    key = f"map-{view.basemap}"
    instance = map_widget.instance_id(base, key)
    center, zoom = state.map_start(instance)
    # A date the reader chose in the map reruns the whole page (panels, sidebar, URL): follow it
    # before drawing the map again in this fragment run, which the page's run would redo anyway.
    early = state.map_report(instance)
    if early is not None:
        follow_map_date(bounds, early.get("selected_layers"), instance)
        if painted(early.get("selected_layers")) and state.first_view().go(time.monotonic()):
            st.rerun(scope="app")  # the panels were waiting for the map's first paint
    # The map draws its own date from its history file; the server's dated groups are the first
    # paint of the day last commanded (they change only with a command, so a date the reader
    # chose in the map costs the server no map work). A comparison is drawn by the server.
    seq, commanded, applied, sidebar_step = state.map_command(view.date, instance)
    # The history file holds every settlement change too (the browser picks a day's window), so
    # only a comparison needs the server to draw the reported day.
    by_server = view.compare is not None
    drawn = view.date if by_server else commanded
    groups = map_widget.groups_for(ds, bounds, drawn, view.compare, view.article, view.mode)
    groups = map_widget.with_time(groups, seq, commanded, drawn, view.compare is not None, chosen_town(ds, view),
                                  applied, sidebar_step)
    listed = base.layers + groups.layers
    control = map_widget.control_for(tuple(visible_labels(ds, view)), tuple(listed))
    in_control = {label for label, _, overlay in listed if overlay}
    sent = frozenset(set(visible_labels(ds, view)) & in_control)
    state.layer_sync().send(sent)  # before any report: the map's first one may echo it late
    out = map_widget.show(base, groups, control, key=key, height=MAP_HEIGHT,
                          center=center, zoom=zoom, returned_objects=map_widget.RETURNED)
    if not out:
        return view
    if out.get("center") and out.get("zoom") is not None:
        state.follow_map_move((out["center"]["lat"], out["center"]["lng"]), int(out["zoom"]))
    follow_map_date(bounds, out.get("selected_layers"), instance)
    follow_map_toggles(ds, out.get("selected_layers"), [label for label, _, _ in groups.layers], view)
    follow_town_click(ds, out.get("last_object_clicked_tooltip"), instance, out.get("last_object_clicked_count"))
    return state.current_view(bounds)[0]


def painted(selected: object) -> bool:
    """Whether the map's report says its first paint is done."""
    return isinstance(selected, list) and any(isinstance(item, dict) and item.get("name") == PAINTED_MARKER
                                              for item in selected)


def chosen_town(ds: Dataset, view: ViewState) -> dict[str, object] | None:
    """The town chosen for 'distance to the front', for the map's line (None when none is, or it
    is not in the gazetteer)."""
    found = find_town(view.town, ds) if view.town else []
    return town_line(ds, found[0]) if found else None


def follow_map_date(bounds: Bounds, selected: object, instance: str) -> None:
    """A date the reader chose in the map (its report: `sm:date=<day>`, `<count>@<command>`)
    becomes the page's date: the whole page follows (figures, panels, URL, downloads)."""
    for item in selected if isinstance(selected, list) else []:
        name, tag = (item.get("name"), item.get("url")) if isinstance(item, dict) else (None, None)
        if not isinstance(name, str) or not name.startswith(DATE_MARKER) or not isinstance(tag, str):
            continue
        count, _, seq = tag.partition("@")
        if not (MOVE_NUMBER.fullmatch(count) and MOVE_NUMBER.fullmatch(seq)):
            return  # the browser's word: ASCII digits only ('²', '+5' and '1_0' pass int())
        try:
            day = min(max(date.fromisoformat(name[len(DATE_MARKER):]), bounds.first), bounds.last)
            command = int(seq)
        except ValueError:
            return
        if state.map_reported_date(instance, day, count, command):
            st.rerun(scope="app")


def follow_town_click(ds: Dataset, tooltip: object, instance: str, count: object) -> None:
    """A click on a town marker picks that town for 'distance to the front' (the marker's
    tooltip is the town's name, or the name then " · " and its status on the map date, which
    the map writes (static/map/time.js); the component returns the last object clicked, and
    counts clicks so that the same town clicked again after a Clear counts)."""
    if not isinstance(tooltip, str) or not isinstance(count, int) or not state.new_click(instance, count):
        return
    spec = ds.catalog.by_role("towns")
    if spec is None or spec.id not in ds.layers or "geonameid" not in ds.layers[spec.id].gdf:
        return
    towns = ds.layers[spec.id].gdf
    text, names = tooltip.strip(), towns["name"].astype(str)
    # Only a name of the layer can match, whatever the text says after it; a name that itself
    # holds " · " must not lose to a shorter name it starts with, so the longest match wins.
    fits = [(-len(n), i) for i, n in enumerate(names) if n and (text == n or text.startswith(n + " · "))]
    gid = str(towns["geonameid"].iloc[min(fits)[1]]) if fits else ""
    if gid.isdigit():
        state.choose_town(gid)
        st.rerun(scope="app")  # the distance panel is outside the map's fragment


def follow_map_toggles(ds: Dataset, selected: object, dated: list[str], view: ViewState) -> None:
    """Layers switched in the map's own control become the page's (and the URL's) layers."""
    if not isinstance(selected, list):
        return
    labels = overlay_labels(ds)
    in_control = {spec.id for spec in ds.catalog.layers.values() if not spec.dated}
    in_control |= {labels[name] for name in dated if name in labels}
    names = {item.get("name") for item in selected if isinstance(item, dict)}
    if SYNC_MARKER not in names:
        return  # not a report of the full set of visible layers
    shown = frozenset(name for name in names if name in labels)
    before = state.layer_sync().toggled_from(shown)
    if before is None:
        return  # the last report again, or the map drawing a set the page sent
    # Apply what the reader switched, not the whole reported set: the page may have moved on.
    switched_on = {labels[name] for name in shown - before} & in_control
    switched_off = {labels[name] for name in before - shown if name in labels} & in_control
    wanted = (set(view.layers) - switched_off) | switched_on
    if wanted != set(view.layers):
        state.queue_layers(wanted)
        st.rerun()


def keep_playing(view: ViewState, bounds: Bounds) -> None:
    if not state.playing():
        return
    if view.date >= bounds.last:
        # The toggle already exists in this run: switch it off at the start of the next one.
        state.queue_stop()
        st.rerun()
    time.sleep(PLAY_STEP_SECONDS)
    state.queue_next_date(min(step(view.date, state.play_unit(), 1), bounds.last))
    st.rerun()

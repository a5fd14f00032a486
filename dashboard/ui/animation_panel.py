"""The sidebar's animation export: a window, a step and a format in; a GIF or MP4 of the current
map area out, with a progress bar. Rendering and its cache live in `dashboard.animation`."""

from __future__ import annotations

import math
from datetime import date, timedelta

import streamlit as st

from dashboard.animation import AnimationError, AnimationRequest, BBox, render_animation
from dashboard.animation.window import MIN_SPAN_DEG
from dashboard.data.load import Dataset
from dashboard.data.specs import MapBounds
from dashboard.data.view import Bounds, ViewState
from dashboard.map.text import markdown_text

#: The map's drawing area in pixels (the page's map is about this size on a desktop), used to
#: turn the view's centre and zoom into the area an animation shows.
MAP_PIXELS = (960, 600)
STEP_LABELS = {"day": "a day", "week": "a week", "month": "a month"}


def view_bbox(view: ViewState, limits: MapBounds) -> BBox:
    """The lon/lat box the map shows at the view's centre and zoom (Web Mercator, 256 px tiles),
    widened to the smallest area an animation draws and kept inside the map's limits: the
    reader sets it by moving the map, so it must never be refused."""
    half_w = max(360.0 / (256 * 2 ** view.zoom) * MAP_PIXELS[0] / 2, MIN_SPAN_DEG)
    half_h = max(half_w * MAP_PIXELS[1] / MAP_PIXELS[0] * math.cos(math.radians(view.lat)), MIN_SPAN_DEG)
    half_w = min(half_w, (limits.max_lon - limits.min_lon) / 2)
    half_h = min(half_h, (limits.max_lat - limits.min_lat) / 2)
    lon = min(max(view.lon, limits.min_lon + half_w), limits.max_lon - half_w)
    lat = min(max(view.lat, limits.min_lat + half_h), limits.max_lat - half_h)
    return BBox(round(lon - half_w, 3), round(lat - half_h, 3), round(lon + half_w, 3), round(lat + half_h, 3))


def render(ds: Dataset, view: ViewState, bounds: Bounds) -> None:
    with st.expander("Animation (GIF or MP4)"):
        start = st.date_input("From", value=max(bounds.first, view.date - timedelta(days=365)),
                              min_value=bounds.first, max_value=bounds.last, key="anim_start", format="YYYY-MM-DD")
        end = st.date_input("To", value=view.date, min_value=bounds.first, max_value=bounds.last,
                            key="anim_end", format="YYYY-MM-DD")
        step = st.selectbox("One frame per", options=list(STEP_LABELS), index=1, format_func=STEP_LABELS.get,
                            key="anim_step")
        fmt = st.radio("Format", options=["gif", "mp4"], horizontal=True, key="anim_format",
                       format_func=str.upper, help="MP4 is far smaller for long windows.")
        st.caption("The current map area, with dates, legend, scale bar and sources on every frame; "
                   "at most 400 frames.")
        if st.button("Render animation", key="anim_go", width="stretch"):
            limits = ds.catalog.meta.bounds if ds.catalog.meta else MapBounds()
            _render(ds, AnimationRequest(start=_day(start), end=_day(end), step=step, bbox=view_bbox(view, limits),
                                         fmt=fmt))


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.today()


def _render(ds: Dataset, request: AnimationRequest) -> None:
    bar = st.progress(0.0, text="Drawing frames…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"Frame {min(done, total)} of {total}")

    try:
        result = render_animation(ds, request, progress=progress)
    except AnimationError as exc:
        bar.empty()
        st.error(markdown_text(exc))
        return
    bar.empty()
    st.download_button(f"Download {result.filename}", data=result.data, file_name=result.filename,
                       mime=result.mime, key="anim_download", on_click="ignore", width="stretch")
    st.caption(f"{result.frames} frames, {len(result.data) / 1e6:.1f} MB"
               + (" (already rendered)" if result.cached else ""))

"""The sidebar's animation export (a window, a step and a format in; a GIF or MP4 of the current
map area out, with a progress bar) and the still picture of the current view (PNG, two sizes).

Both are drawn only when the reader asks (a button), in a watched child process (the server's
interpreter stays free for other readers, and the child's memory is capped), one at a time per
server: a reader whose job has to wait is told so. Rendering and its cache live in
`dashboard.animation`."""

from __future__ import annotations

import math
from datetime import date, timedelta

import streamlit as st

from dashboard.animation import (
    STILL_SIZES,
    AnimationError,
    AnimationRequest,
    BBox,
    StillRequest,
    render_animation,
    render_still,
)
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
    with st.expander("Download picture (PNG)"):
        size = st.radio("Size", options=list(STILL_SIZES), format_func=lambda s: f"{s[0]}×{s[1]}",
                        horizontal=True, key="still_size", help="1200×675 for an article's column; "
                                                                "2400×1350 for print or sharp screens.")
        st.caption("The map as shown: its date, the compare date if any, the layers that are on (with "
                   "legend and statuses), the map area, a scale bar and the sources. Drawn on the server, offline.")
        if st.button("Draw picture", key="still_go", width="stretch"):
            limits = ds.catalog.meta.bounds if ds.catalog.meta else MapBounds()
            _still(ds, StillRequest(view, size, view_bbox(view, limits)))


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.today()


def _render(ds: Dataset, request: AnimationRequest) -> None:
    notice = st.empty()
    bar = st.progress(0.0, text="Drawing frames…")

    def progress(done: int, total: int) -> None:
        notice.empty()
        bar.progress(min(done / max(total, 1), 1.0), text=f"Frame {min(done, total)} of {total}")

    try:
        result = render_animation(ds, request, progress=progress, waiting=lambda m: notice.info(markdown_text(m)),
                                  isolated=True)
    except AnimationError as exc:
        bar.empty()
        notice.error(markdown_text(exc))
        return
    bar.empty()
    notice.empty()
    st.download_button(f"Download {result.filename}", data=result.data, file_name=result.filename,
                       mime=result.mime, key="anim_download", on_click="ignore", width="stretch")
    st.caption(f"{result.frames} frames, {len(result.data) / 1e6:.1f} MB"
               + (" (already rendered)" if result.cached else ""))


def _still(ds: Dataset, request: StillRequest) -> None:
    notice = st.empty()
    try:
        with st.spinner("Drawing the picture…"):
            still = render_still(ds, request, waiting=lambda m: notice.info(markdown_text(m)), isolated=True)
    except AnimationError as exc:
        notice.error(markdown_text(exc))
        return
    notice.empty()
    st.download_button("Download picture (PNG)", data=still.data, file_name=still.filename, mime="image/png",
                       key="still_download", on_click="ignore", width="stretch", type="primary")
    width, height = request.size
    st.caption(f"{still.filename}: {width}×{height}, {len(still.data) / 1e6:.1f} MB")

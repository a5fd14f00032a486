"""Session and URL state shared by every page (Streamlit-specific, no geometry).

The view lives in three places that must agree: the URL (what a link carries), the widgets
(what the reader changes) and `view_current` in the session (what survives a visit to another
page, when Streamlit drops the state of widgets it did not draw).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import streamlit as st

from dashboard.data import Dataset, data_dir, load_dataset
from dashboard.escape import markdown_text
from dashboard.view_state import Bounds, ViewState, bounds_from, normalise, parse_query, to_query

PAGE_CSS = """<style>
.block-container { padding-top: 1.2rem; padding-bottom: 1rem; max-width: 100%; }
h1 { font-size: 1.7rem !important; padding-bottom: 0 !important; }
[data-testid="stMetricValue"] { font-size: 1.45rem; }
[data-testid="stMetric"] { padding: 0; }
[data-testid="stColumn"] [data-testid="stCaptionContainer"] { margin-top: -0.9rem; }
</style>"""


@st.cache_resource(show_spinner="Loading map data…")
def dataset(root: str) -> Dataset:
    return load_dataset(Path(root))


def loaded() -> tuple[Dataset, Bounds]:
    ds = dataset(str(data_dir()))
    return ds, bounds_from(ds.catalog)


def init_session(bounds: Bounds) -> None:
    """First run: the URL seeds the view. After a visit to another page (whose run dropped the
    widgets' state) the view is seeded again from `view_current`."""
    if "view_origin" not in st.session_state:
        params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
        view, notices = parse_query(params, bounds)
        st.session_state.update({"view_origin": view, "view_current": view, "url_notices": notices,
                                 "center": (view.lat, view.lon), "zoom": view.zoom})
        seed_widgets(view, bounds)
    elif "date" not in st.session_state:
        seed_widgets(st.session_state["view_current"], bounds)


def seed_widgets(view: ViewState, bounds: Bounds) -> None:
    st.session_state.update({
        "date": view.date, "compare_on": view.compare is not None,
        "compare": view.compare or max(bounds.first, view.date - timedelta(days=30)),
        "basemap": view.basemap,
    })
    for layer_id in bounds.layer_ids:
        st.session_state[f"layer_{layer_id}"] = layer_id in view.layers


def current_view(bounds: Bounds) -> tuple[ViewState, list[str]]:
    s = st.session_state
    notices: list[str] = []
    day: date = s["date"]
    compare: date | None = s["compare"] if s["compare_on"] else None
    if compare is not None and compare >= day:
        notices.append("The comparison date must be earlier than the map date; comparison is off.")
        compare = None
    view = ViewState(date=day, compare=compare,
                     layers=tuple(i for i in bounds.layer_ids if s.get(f"layer_{i}")),
                     lat=s["center"][0], lon=s["center"][1], zoom=s["zoom"], basemap=s["basemap"])
    return normalise(view, bounds), notices


def keep_view_in_url(view: ViewState, bounds: Bounds) -> dict[str, str]:
    """Write the view to the URL (every page, so a link from any page carries it)."""
    st.session_state["view_current"] = view
    query = to_query(view, bounds)
    st.query_params.from_dict(query)
    return query


def page_header(ds: Dataset) -> None:
    st.html(PAGE_CSS)  # constant CSS only, never data; st.html needs no raw-markdown parser
    st.title("Kursk & Donbass situation map")
    if ds.catalog.meta:
        st.caption(f"Built from the article “{markdown_text(ds.catalog.meta.article_title)}” "
                   f"(about {ds.catalog.meta.article_date:%d %B %Y}) and dated public data. "
                   "Every feature names its source and whether it is reported, assessed or claimed.")


def show_problems(ds: Dataset) -> None:
    errors = [p for p in ds.problems if p.severity == "error"]
    for problem in errors[:8]:
        st.error(f"Data problem — {markdown_text(problem)}. This part is left out; the rest of the map works.")
    if len(errors) > 8:
        st.error(f"{len(errors) - 8} more data problems; run `python -m dashboard.check` for the full list.")

"""What every page shares: the data it shows, the title, the data problems, the page CSS."""

from __future__ import annotations

import streamlit as st

from dashboard.data.layers import view_bounds
from dashboard.data.load import Dataset, load_dataset
from dashboard.data.view import Bounds
from dashboard.map.text import markdown_text

PAGE_CSS = """<style>
.block-container { padding-top: 1.2rem; padding-bottom: 1rem; max-width: 100%; }
h1 { font-size: 1.7rem !important; padding-bottom: 0 !important; }
[data-testid="stMetricValue"] { font-size: 1.45rem; }
[data-testid="stMetric"] { padding: 0; }
[data-testid="stColumn"] [data-testid="stCaptionContainer"] { margin-top: -0.9rem; }
/* Streamlit's caption grey is 3.9:1 on white (WCAG AA asks 4.5:1): the theme's text colour,
   faded, keeps captions quieter than text at about 6:1 in the light and the dark theme. */
[data-testid="stCaptionContainer"] { color: inherit; opacity: 0.78; }
/* The map takes the window's height less the title (never less than its 600 px box); Leaflet
   follows its frame's size. */
iframe[title="streamlit_folium.st_folium"] { height: max(600px, calc(100vh - 190px)) !important; }
/* Embedded in an article (?embed=true, Streamlit marks the app): the map, its date controls
   and the key figures, without the sidebar. */
.streamlit-embedded [data-testid="stSidebar"], .streamlit-embedded [data-testid="stSidebarCollapsedControl"],
.streamlit-embedded [data-testid="stExpandSidebarButton"] { display: none !important; }
/* Chart tips (ui/chart.py): shown on hover and on a tap; every figure is also in the table below. */
.sm-chart [data-tip]:hover { outline: 2px solid currentColor; z-index: 4; }
.sm-chart [data-tip]:hover::after { content: attr(data-tip); position: absolute; bottom: calc(100% + 6px);
  left: 50%; transform: translateX(-50%); white-space: nowrap; background: #1f1f1f; color: #fff;
  padding: 2px 6px; border-radius: 3px; font-size: 12px; pointer-events: none; z-index: 5; }
.sm-figs summary { cursor: pointer; font-size: 0.85rem; }
.sm-figs table { font-size: 0.8rem; border-collapse: collapse; }
.sm-figs td, .sm-figs th { padding: 1px 10px 1px 0; text-align: left; }
/* The slider's value is drawn in the accent red, 3.5:1 on the dark theme's sidebar: text colour. */
[data-testid="stSliderThumbValue"] { color: inherit; }
/* A phone: Streamlit's header bar (the sidebar button) sits over the page's first 3.5rem. */
@media (max-width: 640px) {
  .block-container { padding-top: 3.75rem; padding-left: 0.75rem; padding-right: 0.75rem; }
  h1 { font-size: 1.35rem !important; }
}
</style>"""
MAX_PROBLEMS_SHOWN = 8


def loaded() -> tuple[Dataset, Bounds]:
    """The dataset (read once per process by `load_dataset`) and the view's limits."""
    ds = load_dataset()
    return ds, view_bounds(ds)


def page_header(ds: Dataset) -> None:
    st.html(PAGE_CSS)  # constant CSS only, never data
    st.title("Kursk & Donbass situation map")
    if ds.catalog.meta:
        st.caption(f"Built from the article “{markdown_text(ds.catalog.meta.article_title)}” "
                   f"(about {ds.catalog.meta.article_date:%d %B %Y}) and dated public data. "
                   "Every feature names its source and whether it is reported, assessed or claimed.")


def show_url_notices(notices: list[str]) -> None:
    """What the opening link had wrong (said once, on its first view), on any page."""
    if notices:
        st.warning("This link had parts that could not be used, so the nearest valid view is shown: "
                   + "; ".join(markdown_text(n) for n in notices) + ".")


def show_problems(ds: Dataset) -> None:
    errors = [p for p in ds.problems if p.severity == "error"]
    for problem in errors[:MAX_PROBLEMS_SHOWN]:
        st.error(f"Data problem — {markdown_text(problem)}. This part is left out; the rest of the map works.")
    if len(errors) > MAX_PROBLEMS_SHOWN:
        st.error(f"{len(errors) - MAX_PROBLEMS_SHOWN} more data problems; run `python -m dashboard.check` "
                 "for the full list.")

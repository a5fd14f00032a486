"""The sidebar's controls: date, comparison, layers, basemap, share link."""

from __future__ import annotations

import html
from datetime import timedelta
from urllib.parse import urlencode

import streamlit as st

from dashboard.data.load import Dataset
from dashboard.data.view import MODES, Bounds
from dashboard.map.text import label_text, layer_label, markdown_text
from dashboard.ui import state
from dashboard.ui.page_relay import page_relay
from dashboard.ui.state import Key

#: (label, unit, count, tip): two rows of three buttons.
STEPS = (("−1m", "month", -1, "One month back"), ("−7d", "week", -1, "One week back"),
         ("−1d", "day", -1, "One day back"), ("+1d", "day", 1, "One day forward"),
         ("+7d", "week", 1, "One week forward"), ("+1m", "month", 1, "One month forward"))
PLAY_UNITS = {"day": "a day", "week": "a week", "month": "a month"}
#: The comparison shown as one layer of changes, or both dates side by side (view.MODES order).
COMPARE_MODES = dict(zip(MODES, ("Changes", "Side by side"), strict=True))


def view_controls(ds: Dataset, bounds: Bounds) -> None:
    """Article, date and comparison: they change the figures too, so they rerun the whole page."""
    st.header("View")
    if len(bounds.article_ids) > 1:
        st.selectbox("Article", options=list(bounds.article_ids), key=Key.ARTICLE,
                     format_func=lambda i: _article_label(ds, i),
                     help="The article whose layers and figures the map shows; the daily history is shared.")
    key, day = state.date_widget("slider")
    st.slider("Map date", min_value=bounds.first, max_value=bounds.last, value=day, step=timedelta(days=1),
              format="YYYY-MM-DD", key=key, on_change=state.date_chosen, args=("slider", key, bounds),
              help="Dated layers show the data for this day (or the nearest earlier one).")
    steps = [col for _row in range(2) for col in st.columns(3, gap="small")]
    for col, (label, unit, count, tip) in zip(steps, STEPS, strict=True):
        col.button(label, key=f"step_{unit}_{count}", help=tip, on_click=state.shift_date,
                   args=(unit, count, bounds), width="stretch")
    pick, reset = st.columns([3, 2], vertical_alignment="bottom")
    key, day = state.date_widget("pick")
    pick.date_input("Go to date", value=day, min_value=bounds.first, max_value=bounds.last, key=key,
                    on_change=state.date_chosen, args=("pick", key, bounds), format="YYYY-MM-DD",
                    help="Type or pick a day; the map and the link follow.")
    reset.button("Article", key="reset_date", on_click=state.set_date, args=(bounds.default.date, bounds),
                 help=f"Back to the article's date, {bounds.default.date.isoformat()}", width="stretch")
    play, unit = st.columns([3, 2], vertical_alignment="center")
    play.toggle("Play", key=Key.PLAYING, help="Steps the map date forward until you stop it or it reaches the end.")
    unit.selectbox("Step", options=list(PLAY_UNITS), key=Key.PLAY_UNIT, format_func=PLAY_UNITS.get,
                   label_visibility="collapsed", help="How far each Play step moves the map date.")
    st.checkbox("Compare with an earlier date", key=Key.COMPARE_ON)
    if state.compare_on():
        st.date_input("Compare date", min_value=bounds.first, max_value=bounds.last, key=Key.COMPARE,
                      help="Areas that changed hands between this date and the map date.")
        st.radio("Show the comparison as", options=list(COMPARE_MODES), key=Key.MODE, horizontal=True,
                 format_func=COMPARE_MODES.get,
                 help="Changes: one layer of the areas that changed hands. Side by side: the compare "
                      "date's occupied area and salient on the left, the map date's on the right, "
                      "with a divider to drag.")


def _article_label(ds: Dataset, article_id: str) -> str:
    # A select box shows its options as plain text (no Markdown): nothing to escape here.
    article = ds.catalog.articles.get(article_id)
    if article is None:
        return article_id
    draft = " (draft)" if article.status == "draft" else ""
    return f"{article.date} · {article.title}{draft}"


def layer_controls(ds: Dataset, bounds: Bounds, article: str) -> None:
    st.subheader("Layers")
    # Labels, help and option names are Markdown to Streamlit: catalog text goes in escaped.
    specs = ds.catalog.for_article(article)
    for spec in specs:
        key, shown = state.layer_box(spec.id)
        st.checkbox(label_text(f"{spec.title} ({spec.status})"), value=shown, key=key,
                    on_change=state.switch_layer, args=(spec.id, key),
                    help=markdown_text(spec.description) if spec.description else None)
    key, chosen = state.basemap_box()
    options = list(bounds.basemap_ids)
    st.radio("Basemap", options=options, index=options.index(chosen) if chosen in options else 0, key=key,
             on_change=state.switch_basemap, args=(key,),
             format_func=lambda i: label_text(ds.catalog.basemaps[i].title))
    page_relay({spec.id: layer_label(spec) for spec in specs})  # the map hears a switch at once


def share_link(query: dict[str, str]) -> str:
    """The full URL of this view, as the browser reached the app (base path included)."""
    base = (st.context.url or "").split("?")[0].split("#")[0]
    return base + ("?" + urlencode(query) if query else "")


def embed_code(query: dict[str, str]) -> str:
    """An <iframe> of this view for an article: the share link with Streamlit's `embed=true`
    (no header or toolbar; the view's parameters keep their meaning), escaped for an attribute."""
    link = share_link({**query, "embed": "true"})
    return (f'<iframe src="{html.escape(link, quote=True)}" title="Kursk &amp; Donbass situation map" '
            'width="100%" height="720" style="border:0" loading="lazy" allow="fullscreen"></iframe>')


def share_box(query: dict[str, str]) -> None:
    st.subheader("Share this view")
    state.show_share_link(share_link(query), embed_code(query))
    # A text box, not st.code: the code block's highlighter is 1.5 MB of script on first view.
    st.text_input("Link to this view (select it and copy)", key=Key.SHARE_LINK,
                  help="Opens exactly this view: date, comparison, layers, centre and zoom.")
    st.text_area("Embed this view in an article (HTML)", key=Key.EMBED_CODE, height=90,
                 help="An iframe of this view for a newsroom page: the map with its date controls and the "
                      "key figures, without the app's header. The host site must be allowed to frame it "
                      "(FRAME_ANCESTORS in the proxy).")

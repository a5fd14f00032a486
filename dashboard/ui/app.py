"""The app's pages and navigation (run on every rerun by `dashboard/app.py`)."""

from __future__ import annotations

import streamlit as st

from dashboard.ui.editor import editing_enabled
from dashboard.ui.pages import about, map, sources


def run() -> None:
    st.set_page_config(page_title="Kursk & Donbass situation map", page_icon="🗺️", layout="wide")
    st.navigation([
        st.Page(map.render, title="Map", icon=":material/map:", url_path="map", default=True),
        st.Page(sources.render, title="Sources & method", icon=":material/menu_book:", url_path="sources"),
        st.Page(about.render, title="About", icon=":material/info:", url_path="about"),
        # Editors only: in the menu when the operator turns editing on; otherwise reachable by URL
        # and saying that editing is off, so an old link explains itself.
        st.Page(_add_article, title="Add an article", icon=":material/edit_note:", url_path="add-article",
                visibility="visible" if editing_enabled() else "hidden"),
    ]).run()


def _add_article() -> None:
    from dashboard.ui.pages import add_article  # imports the ingest (spaCy): only when an editor opens it

    add_article.render()

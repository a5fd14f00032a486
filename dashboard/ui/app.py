"""The app's pages and navigation (run on every rerun by `dashboard/app.py`)."""

from __future__ import annotations

import streamlit as st

from dashboard.ui.pages import about, map, sources


def run() -> None:
    st.set_page_config(page_title="Kursk & Donbass situation map", page_icon="🗺️", layout="wide")
    st.navigation([
        st.Page(map.render, title="Map", icon=":material/map:", url_path="map", default=True),
        st.Page(sources.render, title="Sources & method", icon=":material/menu_book:", url_path="sources"),
        st.Page(about.render, title="About", icon=":material/info:", url_path="about"),
    ]).run()

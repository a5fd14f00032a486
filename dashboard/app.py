"""Streamlit entry point: `streamlit run dashboard/app.py`. Only the navigation lives here."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:  # `streamlit run` adds only dashboard/; this file runs on every rerun
    sys.path.insert(0, ROOT)

from dashboard import page_info, page_map  # noqa: E402  (needs the path above)

st.set_page_config(page_title="Kursk & Donbass situation map", page_icon="🗺️", layout="wide")
st.navigation([
    st.Page(page_map.render, title="Map", icon=":material/map:", url_path="map", default=True),
    st.Page(page_info.render_sources, title="Sources & method", icon=":material/menu_book:", url_path="sources"),
    st.Page(page_info.render_about, title="About", icon=":material/info:", url_path="about"),
]).run()

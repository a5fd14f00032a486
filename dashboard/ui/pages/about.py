"""About: what the map is and how to use it."""

from __future__ import annotations

import streamlit as st

from dashboard.ui import state
from dashboard.ui.chrome import loaded, page_header


def render() -> None:
    ds, bounds = loaded()
    state.init_session(bounds)
    page_header(ds)
    state.keep_view_in_url(state.current_view(bounds)[0], bounds)
    st.markdown("""
This dashboard turns one news article of early November 2024 about the war in Ukraine into a
situation map: Ukraine's August 2024 incursion into Kursk Oblast, the Russian and North Korean
build-up for a counter-offensive, Russian losses, and Russian advances in Donbass.

- Pick a **date** (8 July to 31 December 2024) and, optionally, a **compare date** to see what
  changed hands; press **Play** to step through the days.
- Switch **layers** in the sidebar or in the map's layer control.
- **Share**: the address bar (and the box in the sidebar) always holds the whole view; a colleague
  who opens it sees the same date, layers, centre and zoom.
- **Download** the visible layers (GeoJSON), the figures (CSV) or the map as an offline HTML file.

Everything is served by the app itself: it works with no internet connection.
The article's facts are paraphrased and cited by section; its text is not reproduced.
""")

"""About: what the map is and how to use it."""

from __future__ import annotations

import streamlit as st

from dashboard.ui import state
from dashboard.ui.chrome import loaded, page_header, show_url_notices


def render() -> None:
    ds, bounds = loaded()
    state.init_session(bounds, draws_view_widgets=False)
    page_header(ds)
    show_url_notices(state.take_url_notices())
    state.keep_view_in_url(state.last_view(), bounds)
    st.markdown("""
This dashboard turns a news article of early November 2024 about the war in Ukraine into a
situation map: Ukraine's August 2024 incursion into Kursk Oblast, the Russian and North Korean
build-up for a counter-offensive, Russian losses, and Russian advances in Donbass. The daily data
runs on to the latest snapshot, so **What happened next** (below the map) sets each of the article's
expectations beside what the data and later reports say.

- Pick a **date** (from July 2024 to the latest snapshot: slider, steps of a day, week or month, or
  type it) and, optionally, a **compare date** to see what changed hands, as a layer or side by side;
  press **Play** to step through the days, weeks or months.
- **Distance to the front**: find a town (any spelling) or click a town marker for its distance to the nearest
  occupied territory on that day and over the whole history.
- **Animation**: render the current map area over a window of days as a GIF or MP4.
- Switch **layers** in the sidebar or in the map's layer control.
- **Share**: the address bar (and the box in the sidebar) always holds the whole view; a colleague
  who opens it sees the same date, comparison, layers, centre, zoom, article and town.
- **Download** the visible layers (GeoJSON), the figures (CSV) or the map as an offline HTML file.

Everything is served by the app itself: it works with no internet connection.
Articles' facts are paraphrased and cited; their text is not reproduced.
""")

"""The app's pages and navigation (run on every rerun by `dashboard/app.py`)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import streamlit as st

from dashboard.ui.editor import editing_enabled
from dashboard.ui.pages import about, map, sources
from dashboard.ui.private_api import RerunException, StopException

LOG = logging.getLogger("situation_map.pages")


def guarded(render: Callable[[], None]) -> Callable[[], None]:
    """A page that never shows a reader a traceback: an unexpected error is logged on the server
    and the reader gets one plain sentence. Streamlit's own control flow (rerun, stop) passes."""

    @functools.wraps(render)
    def page() -> None:
        try:
            render()
        except (RerunException, StopException):
            raise
        except Exception:
            LOG.exception("page %s failed", render.__module__)
            st.error("Part of this page could not be drawn because of an unexpected error; it has been "
                     "logged. Reload the page, or open the link again.")

    return page


def run() -> None:
    st.set_page_config(page_title="Kursk & Donbass situation map", page_icon="🗺️", layout="wide")
    st.navigation([
        st.Page(guarded(map.render), title="Map", icon=":material/map:", url_path="map", default=True),
        st.Page(guarded(sources.render), title="Sources & method", icon=":material/menu_book:", url_path="sources"),
        st.Page(guarded(about.render), title="About", icon=":material/info:", url_path="about"),
        # Editors only: in the menu when the operator turns editing on; otherwise reachable by URL
        # and saying that editing is off, so an old link explains itself.
        st.Page(guarded(_add_article), title="Add an article", icon=":material/edit_note:", url_path="add-article",
                visibility="visible" if editing_enabled() else "hidden"),
    ]).run()


def _add_article() -> None:
    from dashboard.ui.pages import add_article  # imports the ingest (spaCy): only when an editor opens it

    add_article.render()

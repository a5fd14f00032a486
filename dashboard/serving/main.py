"""The serving process: what `st.App` wraps around the pages (`streamlit run dashboard/server.py`):
a warm-up at start, request guards (uploads, deep paths, over-long links) and compressed static files.

The warm-up (imports, data load, history replay, the default view's map) runs in a thread so the
server answers at once and the first reader does not pay for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from dashboard.serving.guards import RequestGuards
from dashboard.serving.gzip_static import GzipStaticBundles, precompress_entry_bundles

LOG = logging.getLogger("situation_map.server")
BACKGROUND_DELAY_S = 6.0
PAGE_SCRIPT = Path(__file__).resolve().parents[1] / "app.py"


def warm_up() -> None:
    """Everything the first reader would otherwise wait for, done once per process; then, once
    that reader's page has had time to paint, every other day's map layers."""
    from dashboard.serving import warm

    for step, delay in ((warm.warm, 0.0), (warm.prerender, BACKGROUND_DELAY_S)):
        time.sleep(delay)
        started = time.perf_counter()
        try:
            step()
        except Exception:  # a failed warm-up only means a reader waits; the page reports errors
            LOG.exception("warm-up step %s failed", step.__name__)
            return
        LOG.warning("warm-up: %s done in %.2f s", step.__name__, time.perf_counter() - started)


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    threading.Thread(target=precompress_entry_bundles, name="situation-map-gzip", daemon=True).start()
    threading.Thread(target=warm_up, name="situation-map-warm-up", daemon=True).start()
    yield None


#: What `st.App` wraps around the pages (Streamlit finds the `st.App(...)` call itself by reading
#: the entry file, so the call lives in `dashboard/server.py`). The guards come first (outermost):
#: a refused upload or a moved page costs nothing further.
MIDDLEWARE = [Middleware(RequestGuards), Middleware(GzipStaticBundles)]

"""What a new server process does before its first reader arrives (see main.py)."""

from __future__ import annotations

import time

from dashboard.data.figures import occupied_changes, salient_change, weekly_net_change, window_start
from dashboard.data.layers import view_bounds
from dashboard.data.load import load_dataset
from dashboard.ui import map_widget


def warm() -> None:
    """Import the pages, read the data and render the default view's map pieces and figures:
    into the same per-process caches the pages use."""
    from dashboard.ui import app  # noqa: F401  (the pages' imports are a second of a cold start)

    ds = load_dataset()
    bounds = view_bounds(ds)
    view = bounds.default
    map_widget.base_for(ds, bounds, view, view.basemap)
    map_widget.groups_for(ds, bounds, view.date, None)
    start = window_start(view.date, None, bounds.first)
    occupied_changes(ds, start, view.date)
    salient_change(ds, start, view.date)
    weekly_net_change(ds)


def prerender() -> None:
    """Replay the whole history and render every day's dated layers. Started after a delay:
    this would compete with serving the first reader's page for the same CPU (one interpreter
    lock), and the first reader needs only the default day, which `warm` has ready."""
    ds = load_dataset()
    if ds.history is None:
        return
    bounds = view_bounds(ds)
    ds.history.replay_all()
    # Every day's dated layers, so scrubbing and Play never wait for a render. Paced: the
    # server keeps answering readers in between (one day is ~40 ms of CPU).
    for day in ds.history.days:
        map_widget.groups_for(ds, bounds, day, None)
        time.sleep(0.02)

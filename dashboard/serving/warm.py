"""What a new server process does before its first reader arrives (see main.py)."""

from __future__ import annotations

import time
from datetime import date

from dashboard.data.figures import occupied_changes, salient_change, weekly_net_change, window_start
from dashboard.data.layers import view_bounds
from dashboard.data.load import load_dataset
from dashboard.ui import map_widget
from dashboard.ui.private_api import readers_running, warm_emoji_table

PAGE_ICON = "🗺️"  # any non-ASCII text: `is_emoji` then loads Streamlit's emoji table


def warm() -> None:
    """Fill the per-process caches the pages use, in the order the first reader's page needs
    them: Streamlit's emoji table (its first `set_page_config` compiles it: 0.2-0.3 s), the
    data, the default view's map pieces; then the pages' imports and figures. The reader's own
    run imports the pages meanwhile and finds the map ready; were it first to the map, it would
    render the same base map alongside this thread (an unlocked cache), doubling that work."""
    warm_emoji_table(PAGE_ICON)
    ds = load_dataset()
    bounds = view_bounds(ds)
    view = bounds.default
    map_widget.base_for(ds, bounds, view, view.basemap, view.article)
    map_widget.groups_for(ds, bounds, view.date, None, view.article)
    from dashboard.ui import app  # noqa: F401  (the pages' imports are a second of a cold start)

    start = window_start(view.date, None, bounds.first)
    occupied_changes(ds, start, view.date)
    salient_change(ds, start, view.date)
    weekly_net_change(ds)


def likely_days(days: list[date], article: date) -> list[date]:
    """The days readers most often ask for: the article's fortnight either side (links and
    stepping from the default view), the latest month of data, and the first day of every month
    (Play by month, month steps). Not every day: at ~45 ms and ~190 KB each, the 769 days of
    2024-2026 would cost ~35 s of CPU and ~150 MB."""
    near = [d for d in days if abs((d - article).days) <= 14]
    latest = days[-31:]
    monthly = [d for i, d in enumerate(days) if i == 0 or d.month != days[i - 1].month]
    return list(dict.fromkeys([*near, *reversed(latest), *monthly]))


def prerender() -> None:
    """Render the dated layers of the days readers are likely to ask for, then replay the rest of
    the history (cheap, and no layers kept). Started after a delay, and paced: this competes
    with serving readers for the same CPU (one interpreter lock), and the first reader needs
    only the default day, which `warm` has ready."""
    ds = load_dataset()
    if ds.history is None:
        return
    bounds = view_bounds(ds)
    article = bounds.default
    for day in likely_days(ds.history.days, article.date):
        started = time.perf_counter()
        map_widget.groups_for(ds, bounds, day, None, article.article)
        pace(started)
    # Then the rest of the daily history (~3 ms a day, ~40 MB for two years): a jump to any day
    # then replays nothing, only renders that day's layers.
    days = ds.history.days
    for i in range(0, len(days), REPLAY_CHUNK):
        started = time.perf_counter()
        for day in days[i : i + REPLAY_CHUNK]:
            ds.history.snapshot(day)
        pace(started)


#: The pre-render holds the interpreter at most half the time: after each day it sleeps as long
#: as that day took (at least PACE_S), then while a reader's run is in progress (up to
#: YIELD_MAX_S), so readers' reruns wait for one day's render at most.
PACE_S = 0.02
YIELD_MAX_S = 1.0
REPLAY_CHUNK = 10


def pace(started: float) -> None:
    time.sleep(max(PACE_S, time.perf_counter() - started))
    deadline = time.monotonic() + YIELD_MAX_S
    while readers_running() and time.monotonic() < deadline:
        time.sleep(PACE_S)

"""What a new server process does before its first reader arrives (see main.py)."""

from __future__ import annotations

import time
from datetime import date

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
    map_widget.base_for(ds, bounds, view, view.basemap, view.article)
    map_widget.groups_for(ds, bounds, view.date, None, view.article)
    start = window_start(view.date, None, bounds.first)
    occupied_changes(ds, start, view.date)
    salient_change(ds, start, view.date)
    weekly_net_change(ds)


def likely_days(days: list[date], article: date) -> list[date]:
    """The days readers most often ask for: the article's fortnight either side (links and
    stepping from the default view), the latest month of data, and the first day of every month
    (Play by month, month steps). Not every day: two years of days would cost minutes of CPU."""
    near = [d for d in days if abs((d - article).days) <= 14]
    latest = days[-31:]
    monthly = [d for i, d in enumerate(days) if i == 0 or d.month != days[i - 1].month]
    return list(dict.fromkeys([*near, *reversed(latest), *monthly]))


def prerender() -> None:
    """Render the dated layers of the days readers are likely to ask for. Started after a delay:
    this would compete with serving the first reader's page for the same CPU (one interpreter
    lock), and the first reader needs only the default day, which `warm` has ready."""
    ds = load_dataset()
    if ds.history is None:
        return
    bounds = view_bounds(ds)
    article = bounds.default
    # Paced: the server keeps answering readers in between.
    for day in likely_days(ds.history.days, article.date):
        map_widget.groups_for(ds, bounds, day, None, article.article)
        time.sleep(0.02)

"""Measures across the whole history (2024-07-08 .. 2026-08-22): date jumps through the page's
"Go to date" box, ±1 day steps at several points of the range, a jump from 2024 to 2026, the
warm-up's CPU time, a new reader's first paint on a warm server next to the one-polygon page on a
warm server, and the dates sessions visit for the memory figure."""

from __future__ import annotations

import os
import random
import re
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page

from bench.common import MAP_FRAME, in_page_ms, install_clocks, map_frame, painted, timed
from tests.harness import ROOT, AppServer, wait_idle

WARM_DONE = "warm-up: prerender done"
FLOOR = ROOT / "bench" / "floor_polygon.py"


def history_days() -> tuple[list[date], list[date]]:
    """Every day of the history, and the days the server's warm-up pre-renders."""
    from dashboard.data.layers import view_bounds
    from dashboard.data.load import load_dataset
    from dashboard.serving.warm import likely_days

    ds = load_dataset()
    days = ds.history.days
    return days, likely_days(days, view_bounds(ds).default.date)


def spread(days: list[date], n: int) -> list[date]:
    """n days evenly spread over the range, first and last included."""
    return [days[round(i * (len(days) - 1) / (n - 1))] for i in range(n)]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class WarmWatch:
    """Watches a server's log for the warm-up's last line; notes when it came (monotonic clock)
    and the process's CPU time then (polled every 20 ms, so late by at most that much)."""

    def __init__(self, server: AppServer, launched: float) -> None:
        self.server, self.launched = server, launched
        self.done_at: float | None = None
        self.cpu = self.step_s = float("nan")
        self._stop = threading.Event()
        threading.Thread(target=self._poll, daemon=True).start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                cpu = cpu_seconds(self.server.proc.pid)
                found = re.search(rf"{WARM_DONE} in ([\d.]+) s", self.server.log.read_text(errors="replace"))
            except OSError:  # the server has stopped
                return
            if found:
                self.done_at, self.cpu, self.step_s = time.monotonic(), cpu, float(found.group(1))
                return
            self._stop.wait(0.02)

    def wait(self, timeout: float = 180) -> bool:
        deadline = time.monotonic() + timeout
        while self.done_at is None and time.monotonic() < deadline:
            time.sleep(0.05)
        self._stop.set()
        return self.done_at is not None


def started(**kwargs) -> tuple[AppServer, WarmWatch]:
    launched = time.monotonic()
    server = AppServer(**kwargs)
    return server, WarmWatch(server, launched)


def warm_up_cpu(runs: int) -> dict[str, list[float]]:
    """Per fresh server: CPU seconds from launch to the warm-up's last line, the wall time to it,
    and the pre-render step's own wall time (from its log line)."""
    out: dict[str, list[float]] = {"cpu": [], "wall": [], "step": []}
    for _ in range(runs):
        server, watch = started()
        try:
            if not watch.wait():
                raise TimeoutError("the warm-up never logged its end")
            out["cpu"].append(watch.cpu)
            out["wall"].append(watch.done_at - watch.launched)
            out["step"].append(watch.step_s)
        finally:
            server.stop()
    return out


#: In the page, once the map is painted: seconds from the page's navigation to the map's paint,
#: as the browser saw it (not delayed by Playwright's polls of a busy page). The dashboard's map
#: stamps its first-paint report (static/map/time.js); the one-polygon page has no such report, so
#: its frame's first contentful paint stands in (no later than its polygon: a conservative floor).
IN_PAGE_PAINT = """(frameTimes) => (frameTimes.at - performance.timeOrigin) / 1000"""
FRAME_PAINT = """() => { const t = window.map && window.map._smTime && window.map._smTime.paintedAt;
  if (t) { return {at: t}; }
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {at: performance.timeOrigin + (fcp ? fcp.startTime : performance.now())}; }"""


def in_page_paint(page: Page) -> float:
    frame = map_frame(page)
    frame.wait_for_function("() => (window.map && window.map._smTime) ? !!window.map._smTime.paintedAt : true")
    return page.evaluate(IN_PAGE_PAINT, frame.evaluate(FRAME_PAINT))


def warm_first_paint(browser: Browser, app: AppServer, floor: AppServer, runs: int,
                     in_page: dict[str, list[float]] | None = None) -> tuple[list[float], list[float]]:
    """A new reader (fresh browser context) on each warm server, interleaved: the dashboard's
    default view against the one-polygon st_folium page. One untimed visit each first. With
    `in_page`, also the browser's own navigation → paint times ('app', 'floor')."""
    app_times: list[float] = []
    floor_times: list[float] = []
    for i in range(runs + 1):
        for server, paths, out, name in ((app, 100, app_times, "app"), (floor, 1, floor_times, "floor")):
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            page = ctx.new_page()
            t0 = time.perf_counter()
            page.goto(server.url)
            painted(page, paths)
            if i:
                out.append(time.perf_counter() - t0)
                if in_page is not None:
                    in_page.setdefault(name, []).append(in_page_paint(page))
            wait_idle(page)
            ctx.close()
    return app_times, floor_times


def asof_text(page: Page) -> str:
    return page.frame_locator(MAP_FRAME).locator(".sm-asof").inner_text()


def go_to(page: Page, day: date) -> tuple[float, float]:
    """Type a day into "Go to date" and close its calendar with Escape: closing it commits the
    typed day (leaving the box also would). Timed from the Escape: by the harness's poll, and in
    the page from the key press to the painted frame showing the day."""
    want = f"Map date {day.isoformat()}"
    if want in asof_text(page):
        return float("nan"), float("nan")  # already there (an untimed move between samples)
    page.get_by_role("spinbutton", name="year, Go to date").click()
    page.keyboard.type(day.strftime("%Y%m%d"))
    if want in asof_text(page):
        raise RuntimeError(f"the map showed {day} before the calendar was closed")
    map_frame(page).evaluate("() => window.__smLog.splice(0)")
    seen = timed(lambda: page.keyboard.press("Escape"), lambda: want in asof_text(page))
    own = in_page_ms(page, lambda s: want in s.split("|", 1)[1])
    wait_idle(page)
    return seen, own


def step(page: Page, label: str, day: date) -> tuple[float, float]:
    want = f"Map date {day.isoformat()}"
    map_frame(page).evaluate("() => window.__smLog.splice(0)")
    button = page.get_by_role("button", name=label)
    seen = timed(button.click, lambda: want in asof_text(page))
    own = in_page_ms(page, lambda s: want in s.split("|", 1)[1])
    wait_idle(page)
    return seen, own


def across(browser: Browser, server: AppServer, days: list[date], runs: int, jumps: int = 10,
           points: int = 4) -> dict[str, list[float]]:
    """On one reader's page: `jumps` random days over the whole range per run (a new sample each
    run), `runs` jumps from a 2024 day to a 2026 day, and +1d / −1d at `points` spread days."""
    out: dict[str, list[float]] = {k: [] for k in (
        "jump_seen", "jump", "y24_26_seen", "y24_26", "step_seen", "step")}
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.goto(server.url)
    painted(page, 100)
    time.sleep(1.0)
    wait_idle(page)
    install_clocks(page)
    shown = date.fromisoformat(asof_text(page).split()[2])
    for run in range(runs):
        for day in random.Random(run).sample([d for d in days if d != shown], jumps):
            seen, own = go_to(page, day)
            out["jump_seen"].append(seen)
            out["jump"].append(own)
            shown = day
        early = [d for d in days if d.year == 2024]
        late = [d for d in days if d.year == 2026]
        go_to(page, early[(run * 37) % len(early)])
        seen, own = go_to(page, late[-1 - (run * 41) % len(late)])
        out["y24_26_seen"].append(seen)
        out["y24_26"].append(own)
        for point in spread(days[1:-1], points):
            go_to(page, point)
            for label, day in (("+1d", point + timedelta(days=1)), ("−1d", point)):
                seen, own = step(page, label, day)
                out["step_seen"].append(seen)
                out["step"].append(own)
        shown = point
    ctx.close()
    return out

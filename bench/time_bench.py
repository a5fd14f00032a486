"""Issue 22's targets: the map's own date steps, Play and toggles, beside the one-polygon page.

Run: `.venv/bin/python -m bench.time_bench [--runs N] [--root PATH]`. With `--root` naming an
older tree (a worktree of a commit before the map owned its date) only the sidebar measures run:
the 'before' figures of the same machine and day. Prints table rows as it measures."""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bench.across import FLOOR, cpu_seconds, history_days, spread, warm_first_paint
from bench.common import MAP_FRAME, ByteCounter, in_page_ms, install_clocks, painted, row, timed
from bench.measures import cold_start, concurrent, rss_after_sessions
from tests.harness import CHROMIUM_ARGS, ROOT, AppServer, chromium_path, wait_idle

START = date(2024, 9, 20)


def _asof(page: Page) -> str:
    return page.frame_locator(MAP_FRAME).locator(".sm-asof").inner_text()


def _open(browser, server: AppServer, day: date, in_map: bool) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(server.url + f"?date={day}")
    painted(page, 100)
    wait_idle(page)
    if in_map:
        page.frame_locator(MAP_FRAME).locator(".sm-time-ready").wait_for(timeout=60_000)
    install_clocks(page)
    return page


def steps(browser, server: AppServer, runs: int, in_map: bool) -> dict[str, list[float]]:
    """+1 day, `runs` times: click → the map showing it (Playwright-seen and in the page), →
    the panels showing it (the window heading), websocket bytes and server CPU per step."""
    page = _open(browser, server, START, in_map)
    counter = ByteCounter(page)
    where = page.frame_locator(MAP_FRAME) if in_map else page
    button = where.get_by_role("button", name="+1d")
    out: dict[str, list[float]] = {"seen": [], "page": [], "panels": [], "ws": [], "cpu": []}
    day = START
    for _ in range(runs):
        day += timedelta(days=1)
        want = f"Map date {day}"
        wait_idle(page)
        counter.take()
        cpu0 = cpu_seconds(server.proc.pid)
        heading = page.get_by_text(f"→ {day}", exact=False)
        t0 = time.perf_counter()
        out["seen"].append(timed(button.click, lambda w=want: w in _asof(page)))
        out["page"].append(in_page_ms(page, lambda s, w=want: w in s))
        heading.first.wait_for(timeout=30_000)
        out["panels"].append((time.perf_counter() - t0) * 1000)
        wait_idle(page)
        time.sleep(0.3)  # the map's report (debounced) and the run it starts have finished
        wait_idle(page)
        out["cpu"].append((cpu_seconds(server.proc.pid) - cpu0) * 1000)
        out["ws"].append(counter.parts.get("websocket messages (page and map)", 0) / 1024)
    page.context.close()
    return out


def play(browser, server: AppServer, days: int = 60) -> tuple[float, int]:
    """Play by day at the fastest speed over `days` days: days drawn a second, days skipped."""
    page = _open(browser, server, START, True)
    frame = next(f for f in page.frames if "streamlit_folium.st_folium" in f.url)
    frame.evaluate("""() => { window.__smPlay = []; const el = document.querySelector('.sm-asof');
      new MutationObserver(() => window.__smPlay.push([performance.now(), el.textContent]))
        .observe(el, {childList: true, characterData: true, subtree: true}); }""")
    speed = frame.locator(".sm-time-speed")
    speed.select_option(speed.locator("option").last.get_attribute("value"))
    frame.get_by_role("button", name="Play").click()
    end = f"Map date {START + timedelta(days=days)}"
    frame.wait_for_function(f"() => window.__smPlay.some(e => e[1].includes({end!r}))", timeout=60_000)
    frame.get_by_role("button", name="Play").click()
    log = frame.evaluate("window.__smPlay")
    shown = {}
    for t, text in log:
        day = text.split("Map date ", 1)[1][:10]
        shown.setdefault(day, t)
    wanted = [(START + timedelta(days=k)).isoformat() for k in range(1, days + 1)]
    skipped = sum(1 for d in wanted if d not in shown)
    span = (shown[wanted[-1]] - shown[wanted[0]]) / 1000
    page.context.close()
    return (days - 1) / span, skipped


def toggles(browser, server: AppServer, runs: int, in_map: bool) -> list[float]:
    """Towns off and on: click → the labels gone or back, in the page (painted frame)."""
    page = _open(browser, server, START, False)
    out = []
    frame = page.frame_locator(MAP_FRAME)
    for i in range(runs * 2):
        before = frame.locator(".sm-place").count()
        if in_map:
            frame.locator(".leaflet-control-layers").hover()
            frame.locator(".leaflet-control-layers-overlays label", has_text="Towns in the story").click()
        else:
            page.get_by_text("Towns in the story (reported)").click()
        ms = in_page_ms(page, lambda s, b=before: (int(s.split("|", 1)[0]) == 0) == (b > 0))
        if i >= 2:
            out.append(ms)
        wait_idle(page)
    page.context.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--concurrent-seconds", type=float, default=30)
    args = parser.parse_args()
    mine = args.root.resolve() == ROOT.resolve()
    entry = args.root / "dashboard" / "server.py"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        cold, floor = [], []
        for _ in range(max(3, args.runs // 3)):
            cold += cold_start(browser, entry, 100, 1, root=args.root)
            floor += cold_start(browser, FLOOR, 1, 1)
        row("cold start: launch → map painted", cold, "s")
        row("  one-polygon page, same run", floor, "s")
        print(f"cold start / one-polygon page: {statistics.median(cold) / statistics.median(floor):.2f}")
        server = AppServer(root=args.root, entry=entry)
        floor_server = AppServer(entry=FLOOR)
        try:
            time.sleep(20)  # the warm-up
            seen: dict[str, list[float]] = {}
            app_t, floor_t = warm_first_paint(browser, server, floor_server, args.runs, seen)
            floor_server.stop()
            row("warm first paint", app_t, "s")
            row("  one-polygon page, same run", floor_t, "s")
            print(f"warm first paint / one-polygon page: {statistics.median(app_t) / statistics.median(floor_t):.2f}")
            row("warm first paint, in the page (navigation → map painted)", seen["app"], "s")
            row("  one-polygon page, same run (navigation → frame's first paint)", seen["floor"], "s")
            print("warm first paint in the page / one-polygon page: "
                  f"{statistics.median(seen['app']) / statistics.median(seen['floor']):.2f}")
            kinds = (("sidebar", False), ("map", True)) if mine else (("sidebar", False),)
            for name, in_map in kinds:
                got = steps(browser, server, args.runs, in_map)
                row(f"+1 day ({name}): click → map showing it, Playwright-seen", got["seen"], "ms", 0)
                row("  same, in the page (click → painted frame)", got["page"], "ms", 0)
                row("  click → the panels showing it", got["panels"], "ms", 0)
                row("  websocket bytes received per step", got["ws"], "KB", 0)
                row("  server CPU per step", got["cpu"], "ms", 0)
                row(f"layer toggle ({name}) → map, in the page", toggles(browser, server, args.runs, in_map), "ms", 0)
            if mine:
                rate, skipped = play(browser, server)
                print(f"| Play by day over 60 days: days drawn a second | {rate:.1f} | | | 1/s | 1 |")
                print(f"| Play by day over 60 days: days skipped | {skipped} | | | count | 1 |")
            repaint, errors = concurrent(browser, server, 10, args.concurrent_seconds, in_map=mine)
            print(f"| 10 concurrent sessions stepping ({'map' if mine else 'sidebar'}): p50 / p95 click → map | "
                  f"{statistics.median(repaint):.3f} | | {statistics.quantiles(repaint, n=20)[18]:.3f} (p95) "
                  f"| s | {len(repaint)} |; errors {errors}")
            days, _ = history_days()
            hwm, rss = rss_after_sessions(browser, server, spread(days, 20))
            print(f"| server peak RSS / RSS after 20 sessions | {hwm:.0f} | | {rss:.0f} | MB | 1 |")
        finally:
            server.stop()
            floor_server.stop()
        browser.close()


if __name__ == "__main__":
    main()

"""The bench's measures of one page: cold start, first paint, interactions, memory, concurrency,
and the explore() baseline."""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from playwright.sync_api import Browser

from bench.common import (
    MAP_FRAME,
    ByteCounter,
    WireProxy,
    in_page_ms,
    install_clocks,
    map_frame,
    painted,
    timed,
)
from tests.harness import ARTIFACTS, ROOT, AppServer, app_command, free_port, wait_idle


def cold_start(browser: Browser, entry: Path, min_paths: int, runs: int, bare: bool = False,
               root: Path = ROOT) -> list[float]:
    out = []
    for _ in range(runs):
        port = free_port()
        t0 = time.perf_counter()
        proc = subprocess.Popen(app_command(entry, port), cwd=root, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            deadline = time.monotonic() + 90
            while True:  # the browser retries until the server listens, as a reader's would
                try:
                    page.goto(f"http://localhost:{port}/", timeout=5_000)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            if bare:
                page.get_by_text("hello").wait_for(timeout=60_000)
            else:
                painted(page, min_paths)
            out.append(time.perf_counter() - t0)
            page.close()
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    return out


def first_paint(browser: Browser, url: str, runs: int, proxy: WireProxy | None = None,
                parts: dict[str, list[int]] | None = None) -> tuple[list[float], list[int], list[int]]:
    """Time to paint, bytes received (HTTP bodies as sent, websocket payloads decompressed),
    and bytes on the wire (through the proxy). `parts` collects the received bytes by kind."""
    times, sizes, wire = [], [], []
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        counter = ByteCounter(page)
        if proxy:
            proxy.take()
        t0 = time.perf_counter()
        page.goto(url)
        painted(page, 100)
        times.append(time.perf_counter() - t0)
        time.sleep(1.5)
        wait_idle(page)
        sizes.append(counter.take())
        for kind, n in counter.last_parts.items():
            if parts is not None:
                parts.setdefault(kind, []).append(n)
        wire.append(proxy.take() if proxy else 0)
        ctx.close()
    return times, sizes, wire



def interactions(browser: Browser, url: str, runs: int, proxy: WireProxy) -> dict[str, list[float]]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    counter = ByteCounter(page)
    page.goto(url)
    painted(page, 100)
    time.sleep(1.5)
    wait_idle(page)
    install_clocks(page)
    frame = page.frame_locator(MAP_FRAME)
    places = frame.locator(".sm-place")
    asof = frame.locator(".sm-asof")
    result: dict[str, list[float]] = {key: [] for key in (
        "toggle_sidebar", "toggle_map", "date", "toggle_sidebar_seen", "toggle_map_seen", "date_seen",
        "date_bytes", "date_wire")}

    def toggle(kind: str, click: Callable[[], None], prepare: Callable[[], None] = lambda: None) -> None:
        """A click that shows/hides the towns, until the towns' labels change."""
        prepare()
        visible = places.count() > 0
        map_frame(page).evaluate("() => window.__smLog.splice(0)")
        result[f"{kind}_seen"].append(timed(click, lambda: (places.count() > 0) != visible))
        result[kind].append(in_page_ms(page, lambda s: (int(s.split("|")[0]) > 0) != visible))
        time.sleep(0.8)
        wait_idle(page)

    box = page.get_by_text("Towns in the story (reported)")
    for _ in range(runs):
        toggle("toggle_sidebar", box.click)
    label = frame.locator(".leaflet-control-layers-overlays label", has_text="Towns in the story")
    control = frame.locator(".leaflet-control-layers")
    for _ in range(runs):
        toggle("toggle_map", label.click, control.hover)
    step = page.get_by_role("button", name="+1d")
    for _ in range(runs):
        before = asof.inner_text()
        time.sleep(0.3)
        counter.take()
        proxy.take()
        map_frame(page).evaluate("() => window.__smLog.splice(0)")
        result["date_seen"].append(timed(step.click, lambda b=before: asof.inner_text() != b))
        result["date"].append(in_page_ms(page, lambda s, b=before: s.split("|", 1)[1] != b))
        time.sleep(1.0)
        wait_idle(page)
        result["date_bytes"].append(counter.take())
        result["date_wire"].append(proxy.take())
    ctx.close()
    return result


def rss_after_sessions(browser: Browser, server: AppServer, days: list[date]) -> tuple[float, float]:
    """One new session per day (a link to it), each waited on until its page is idle."""
    for day in days:
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        page.goto(server.url + f"?date={day.isoformat()}")
        painted(page, 100)
        wait_idle(page)
        ctx.close()
    status = Path(f"/proc/{server.proc.pid}/status").read_text()
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    return hwm, rss


def concurrent(browser: Browser, server: AppServer, sessions: int, seconds: float,
               stamps: list[float] | None = None, in_map: bool = False) -> tuple[list[float], int]:
    """Sessions share one browser process (Playwright's sync API is single-threaded). Each round
    every session's date step is clicked (a JavaScript click, a few ms apart), then all are
    waited on; each repaint is timed inside its own page, click to painted frame, so the
    harness's polling of ten pages does not count against the app. `stamps` collects when each
    repaint was seen (monotonic clock), to tell samples taken during the server's warm-up.
    `in_map`: the map's own step buttons instead of the sidebar's."""
    pages, errors, repaint = [], [0], []
    for _ in range(sessions):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        page.on("pageerror", lambda _e: errors.__setitem__(0, errors[0] + 1))
        page.on("response", lambda r: errors.__setitem__(0, errors[0] + 1) if r.status >= 500 else None)
        page.goto(server.url)
        pages.append(page)
    for page in pages:
        painted(page, 100)
        wait_idle(page)
        if in_map:  # the map's history file (fetched after the first paint) is in
            page.frame_locator(MAP_FRAME).locator(".sm-time-ready").wait_for(timeout=60_000)
        install_clocks(page)
    end = time.monotonic() + seconds
    direction = 1
    while time.monotonic() < end:
        direction = -direction
        starts = []
        for page in pages:
            asof = page.frame_locator(MAP_FRAME).locator(".sm-asof")
            before = asof.inner_text()
            map_frame(page).evaluate("() => window.__smLog.splice(0)")
            where = page.frame_locator(MAP_FRAME) if in_map else page
            where.get_by_role("button", name="+1d" if direction > 0 else "−1d").evaluate("b => b.click()")
            starts.append((page, asof, before))
        pending = list(starts)
        deadline = time.perf_counter() + 30
        while pending and time.perf_counter() < deadline:
            for item in list(pending):
                page, asof, before = item
                if asof.inner_text() != before:
                    repaint.append(in_page_ms(page, lambda s, b=before: s.split("|", 1)[1] != b) / 1000)
                    if stamps is not None:
                        stamps.append(time.monotonic())
                    pending.remove(item)
            time.sleep(0.01)
        errors[0] += len(pending)  # a session that never repainted counts as an error
        errors[0] += sum(p.locator("[data-testid='stException']").count() for p in pages)
        for page in pages:
            wait_idle(page)  # the next round starts when every session's run has finished
    for page in pages:
        page.context.close()
    return repaint, errors[0]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # the table is the output
        pass


def explore_baseline(browser: Browser, runs: int) -> tuple[list[float], int]:
    """The same layers for the same date written by GeoDataFrame.explore() into one HTML file,
    with its CDN scripts pointed at the same local Leaflet (no internet here)."""
    from dashboard.data.layers import visible_features
    from dashboard.data.load import load_dataset
    from dashboard.data.view import bounds_from, parse_query

    ds = load_dataset()
    view = parse_query({}, bounds_from(ds.catalog))[0]
    gdf = visible_features(ds, view)
    out_dir = ARTIFACTS / "explore"
    shutil.rmtree(out_dir, ignore_errors=True)
    (out_dir / "leaflet").mkdir(parents=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy(ROOT / "dashboard" / "static" / "vendor" / "leaflet" / name, out_dir / "leaflet" / name)
    html = gdf.explore(column="layer", tiles=None).get_root().render()
    local_js = '<script src="leaflet/leaflet.js"></script>'
    local_css = '<link rel="stylesheet" href="leaflet/leaflet.css"/>'
    html = re.sub(r'<script src="https?://[^"]*leaflet[^"]*\.js"></script>', local_js, html, count=1)
    html = re.sub(r'<link rel="stylesheet" href="https?://[^"]*leaflet[^"]*\.css"/>', local_css, html, count=1)
    html = re.sub(r'<(script|link)[^>]*(src|href)="https?://[^"]*"[^>]*>(</script>)?', "", html)
    (out_dir / "index.html").write_text(html)
    size = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())

    handler = lambda *a: QuietHandler(*a, directory=str(out_dir))  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    times = []
    try:
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            t0 = time.perf_counter()
            page.goto(f"http://127.0.0.1:{httpd.server_port}/index.html")
            page.locator("path").nth(20).wait_for(state="attached", timeout=60_000)
            times.append(time.perf_counter() - t0)
            page.close()
    finally:
        httpd.shutdown()
    return times, size

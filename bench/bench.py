"""Speed benchmark: what readers feel, next to what they would use instead.

Run: `bash scripts/bench.sh` (or `.venv/bin/python -m bench.bench [--runs N] [--quick]`).
Prints one table (median, min, max over the runs) and the ratios against the baselines. Every
server runs on loopback; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.server
import re
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.harness import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    ROOT,
    AppServer,
    app_command,
    chromium_path,
    free_port,
    wait_idle,
)

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SHARED_LINK = "?date=2024-09-01&zoom=9&lat=51.2&lon=35.3"


def stats(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def row(name: str, values: list[float], unit: str, digits: int = 2) -> str:
    med, lo, hi = stats(values)
    line = f"| {name} | {med:.{digits}f} | {lo:.{digits}f} | {hi:.{digits}f} | {unit} | {len(values)} |"
    print(line, flush=True)  # as measured, so a later failure loses nothing
    return line


class ByteCounter:
    """Bytes the page receives: HTTP bodies (CDP encodedDataLength) and websocket frames."""

    def __init__(self, page: Page) -> None:
        self.total = 0
        self.parts: dict[str, int] = {}
        self._urls: dict[str, str] = {}
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.responseReceived", lambda e: self._urls.__setitem__(e["requestId"], e["response"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: self._add(
            e.get("encodedDataLength", 0), self._kind(self._urls.get(e["requestId"], ""))))
        cdp.on("Network.webSocketFrameReceived", lambda e: self._add(
            len(e["response"].get("payloadData", "")), "websocket messages (page and map)"))
        self.cdp = cdp

    @staticmethod
    def _kind(url: str) -> str:
        """Streamlit's own page shell (its fonts, scripts, styles, root document) or the map's
        files (the component, Leaflet, the fetched basemap and layers)."""
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
        if path.startswith(("/component/", "/app/static/")):
            return "map files (component, Leaflet, basemap)"
        if "/media/" in path and ".woff" in path:
            return "Streamlit fonts"
        return "Streamlit scripts, styles, document"

    def _add(self, n: float, kind: str) -> None:
        self.total += int(n)
        self.parts[kind] = self.parts.get(kind, 0) + int(n)

    def take(self) -> int:
        value, self.total, self.last_parts, self.parts = self.total, 0, self.parts, {}
        return value


class WireProxy:
    """A loopback TCP proxy in front of the app that counts the bytes the server sends: what
    really crosses the network, after HTTP gzip and websocket permessage-deflate."""

    def __init__(self, target_port: int) -> None:
        import socket

        self.target_port, self.sent = target_port, 0
        self._lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket

        while not self._closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("localhost", self.target_port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()  # the browser retries, as it would against the server itself
                continue
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, src, dst, count: bool) -> None:
        try:
            while data := src.recv(65536):
                if count:
                    with self._lock:
                        self.sent += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass

    def take(self) -> int:
        with self._lock:
            value, self.sent = self.sent, 0
        return value

    def close(self) -> None:
        self._closed = True
        self.sock.close()


def painted(page: Page, min_paths: int = 1, timeout: float = 120_000) -> None:
    """The map is painted: with min_paths > 1 (the dashboard), its basemap (fetched), the
    occupied area and at least that many paths in all."""
    frame = page.frame_locator(MAP_FRAME)
    if min_paths > 1:
        frame.locator("path[fill='#fbfaf6']").first.wait_for(state="attached", timeout=timeout)
        frame.locator("path[fill='#D55E00']").first.wait_for(state="attached", timeout=timeout)
    frame.locator("path").nth(min_paths - 1).wait_for(state="attached", timeout=timeout)


def cold_start(browser: Browser, entry: Path, min_paths: int, runs: int, bare: bool = False) -> list[float]:
    out = []
    for _ in range(runs):
        port = free_port()
        t0 = time.perf_counter()
        proc = subprocess.Popen(app_command(entry, port), cwd=ROOT, stdout=subprocess.DEVNULL,
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


def timed(action: Callable[[], None], done: Callable[[], bool], timeout: float = 20.0) -> float:
    """Harness-observed time: from before the action to Playwright seeing the change (includes
    Playwright's own latency for the click and for each poll, some 30-80 ms here)."""
    t0 = time.perf_counter()
    action()
    while not done():
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError("no repaint")
        time.sleep(0.005)
    return (time.perf_counter() - t0) * 1000


#: In the page: the time of every click (capture phase, before any handler). In the map's frame:
#: after each DOM change, the map's state and the time of the next animation frame (when the
#: browser paints the change). Both clocks are epoch milliseconds, so they compare across frames.
PAGE_CLOCK = """() => { document.addEventListener('click', () => {
  window.__smClick = performance.timeOrigin + performance.now(); }, true); }"""
FRAME_CLOCK = """() => {
  window.__smLog = [];
  document.addEventListener('click', () => { window.__smClick = performance.timeOrigin + performance.now(); }, true);
  const state = () => document.querySelectorAll('.sm-place').length + '|' +
    ((document.querySelector('.sm-asof') || {}).textContent || '');
  new MutationObserver(() => {
    const s = state();
    requestAnimationFrame(() => window.__smLog.push([performance.timeOrigin + performance.now(), s]));
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def install_clocks(page: Page) -> None:
    page.evaluate(PAGE_CLOCK)
    map_frame(page).evaluate(FRAME_CLOCK)


def map_frame(page: Page):
    return next(f for f in page.frames if "streamlit_folium.st_folium" in f.url)


def in_page_ms(page: Page, changed: Callable[[str], bool], timeout: float = 5.0) -> float:
    """Click → first painted frame whose map state satisfies `changed`, measured in the browser.
    The frame's entry is written in an animation-frame callback, so it may lag the DOM: wait."""
    frame = map_frame(page)
    click = max(page.evaluate("() => window.__smClick || 0"), frame.evaluate("() => window.__smClick || 0"))
    log: list = []
    deadline = time.monotonic() + timeout
    while True:
        log += frame.evaluate("() => window.__smLog.splice(0)")
        hit = next((t for t, s in log if t >= click and changed(s)), None)
        if hit is not None:
            return hit - click
        if time.monotonic() > deadline:
            raise TimeoutError(f"no painted change after the click in {timeout} s")
        time.sleep(0.01)


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


def rss_after_sessions(browser: Browser, server: AppServer, sessions: int) -> tuple[float, float]:
    for i in range(sessions):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        page.goto(server.url + f"?date=2024-{8 + i % 5:02d}-15")
        painted(page, 100)
        wait_idle(page)
        ctx.close()
    status = Path(f"/proc/{server.proc.pid}/status").read_text()
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    return hwm, rss


def concurrent(browser: Browser, server: AppServer, sessions: int, seconds: float) -> tuple[list[float], int]:
    """Sessions share one browser process (Playwright's sync API is single-threaded). Each round
    every session's date step is clicked (a JavaScript click, a few ms apart), then all are
    waited on; each repaint is timed inside its own page, click to painted frame, so the
    harness's polling of ten pages does not count against the app."""
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
            page.get_by_role("button", name="+1d" if direction > 0 else "−1d").evaluate("b => b.click()")
            starts.append((page, asof, before))
        pending = list(starts)
        deadline = time.perf_counter() + 30
        while pending and time.perf_counter() < deadline:
            for item in list(pending):
                page, asof, before = item
                if asof.inner_text() != before:
                    repaint.append(in_page_ms(page, lambda s, b=before: s.split("|", 1)[1] != b) / 1000)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrent-seconds", type=float, default=60)
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    runs = args.runs
    lines = ["| measure | median | min | max | unit | n |", "|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        cold, floor, bare = [], [], []
        for _ in range(runs):  # interleaved, so drift in the machine's load hits all three alike
            cold += cold_start(browser, ROOT / "dashboard" / "server.py", 100, 1)
            floor += cold_start(browser, ROOT / "bench" / "floor_polygon.py", 1, 1)
            bare += cold_start(browser, ROOT / "bench" / "floor_bare.py", 1, 1, bare=True)
        lines += [row("cold start: launch → map painted", cold, "s"),
                  row("floor: one-polygon st_folium page", floor, "s"),
                  row("reference: bare Streamlit page", bare, "s")]
        server = AppServer()
        try:
            proxy = WireProxy(server.port)
            via = f"http://localhost:{proxy.port}/"
            shared, _, _ = first_paint(browser, server.url + SHARED_LINK, runs)
            first_parts: dict[str, list[int]] = {}
            _, first_bytes, first_wire = first_paint(browser, via, runs, proxy, first_parts)
            inter = interactions(browser, via, runs, proxy)
            proxy.close()
            lines += [row("first paint of a shared link (date + zoom)", shared, "s"),
                      row("first view received (HTTP bodies + websocket payloads)",
                          [b / 1024 for b in first_bytes], "KB", 0),
                      row("first view received on the wire", [b / 1024 for b in first_wire], "KB", 0),
                      *(row(f"  of which {kind}", [b / 1024 for b in values], "KB", 0)
                        for kind, values in sorted(first_parts.items())),
                      row("layer toggle → repaint (sidebar)", inter["toggle_sidebar"], "ms", 0),
                      row("layer toggle → repaint (map control)", inter["toggle_map"], "ms", 0),
                      row("date change (+1 day) → repaint", inter["date"], "ms", 0),
                      row("  same, as Playwright sees it: sidebar toggle", inter["toggle_sidebar_seen"], "ms", 0),
                      row("  same, as Playwright sees it: map-control toggle", inter["toggle_map_seen"], "ms", 0),
                      row("  same, as Playwright sees it: date change", inter["date_seen"], "ms", 0),
                      row("one date change received, decompressed", [b / 1024 for b in inter["date_bytes"]], "KB", 0),
                      row("one date change received on the wire", [b / 1024 for b in inter["date_wire"]], "KB", 0)]
            hwm, rss = rss_after_sessions(browser, server, args.sessions)
            lines.append(f"| server peak RSS after {args.sessions} sequential sessions | {hwm:.0f} | | | MB | 1 |")
            lines.append(f"| server RSS after those sessions | {rss:.0f} | | | MB | 1 |")
        finally:
            server.stop()
        server = AppServer()
        try:
            repaint, errors = concurrent(browser, server, 10, args.concurrent_seconds)
        finally:
            server.stop()
        q = statistics.quantiles(repaint, n=20) if len(repaint) >= 2 else [float("nan")] * 19
        lines.append(f"| 10 concurrent sessions, {args.concurrent_seconds:.0f} s: repaint p50 / p95 | "
                     f"{statistics.median(repaint):.2f} | | {q[18]:.2f} (p95) | s | {len(repaint)} |")
        lines.append(f"| 10 concurrent sessions: errors | {errors} | | | count | |")
        explore_times, explore_bytes = explore_baseline(browser, runs)
        lines.append(row("baseline: explore() HTML, time to paint", explore_times, "s"))
        lines.append(f"| baseline: explore() HTML bytes (file + Leaflet) | {explore_bytes / 1024:.0f} | | | KB | 1 |")
        browser.close()
    print("\nSummary\n" + "\n".join(lines))
    first_kb = statistics.median(first_wire) / 1024
    print("\nRatios and targets")
    print(f"- cold start / one-polygon floor: {statistics.median(cold) / statistics.median(floor):.2f} (target ≤ 1.25)")
    print(f"- one-polygon floor / bare page: {statistics.median(floor) / statistics.median(bare):.2f}")
    print(f"- first view bytes on the wire / explore() bytes: {first_kb / (explore_bytes / 1024):.2f} "
          "(target ≤ 1.00)")
    shell = sum(statistics.median(v) for k, v in first_parts.items() if k.startswith("Streamlit")) / 1024
    own = sum(statistics.median(v) for k, v in first_parts.items() if not k.startswith("Streamlit")) / 1024
    print(f"  of the first view, Streamlit's page shell (fonts, scripts) is {shell:.0f} KB and the map's "
          f"own files and all messages {own:.0f} KB: {own / (explore_bytes / 1024):.2f} × explore()")
    print(f"- first paint / explore() paint: {statistics.median(shared) / statistics.median(explore_times):.2f}")
    print(f"- layer toggle median: sidebar {statistics.median(inter['toggle_sidebar']):.0f} ms, "
          f"map control {statistics.median(inter['toggle_map']):.0f} ms (target ≤ 150)")
    print(f"- date change median: {statistics.median(inter['date']):.0f} ms (target ≤ 400); "
          f"received {statistics.median(inter['date_wire']) / 1024:.0f} KB on the wire, "
          f"{statistics.median(inter['date_bytes']) / 1024:.0f} KB decompressed (target ≤ 150)")
    print(f"- concurrent p95: {q[18]:.2f} s (target ≤ 1.5), errors {errors} (target 0)")
    print(f"- peak RSS: {hwm:.0f} MB (target ≤ 400)")


if __name__ == "__main__":
    main()

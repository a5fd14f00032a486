"""Shared by the benches: the table rows, byte counters, the map's paint and the in-page clocks."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable

from playwright.sync_api import Page

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


#: In the page: the time of every click or key press (capture phase on the window, before any handler, the
#: page's own relay included: it may keep a press from the rest of the page). In the map's frame:
#: after each DOM change, the map's state and the time of the next animation frame (when the
#: browser paints the change). Both clocks are epoch milliseconds, so they compare across frames.
PAGE_CLOCK = """() => { const mark = () => { window.__smClick = performance.timeOrigin + performance.now(); };
  window.addEventListener('click', mark, true); window.addEventListener('keydown', mark, true); }"""
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


"""Browser-test fixtures: one app server per module, one Chromium per session; waits on what
the page shows (Playwright's auto-waiting), never on the clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Frame, sync_playwright

from tests.harness import ARTIFACTS, CHROMIUM_ARGS, AppServer, Watched, chromium_path, wait_idle

__all__ = ["ARTIFACTS", "AppServer", "Watched", "map_frame", "map_reported", "wait_idle"]

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'

#: True once the component's last report to the page (center, zoom and the full set of visible
#: layers, marked by the layer control) is what the map shows now: nothing left to report.
REPORTED = """() => {
  const m = window.map, ctl = window.map && window.map._smControl;
  const d = window.__GLOBAL_DATA__ && window.__GLOBAL_DATA__.previous_data;
  if (!m || !ctl || !d || !d.center || !Array.isArray(d.selected_layers)) { return false; }
  // (the map's own markers ride along with the layers: 'sm:synced', its date, its first paint)
  const names = d.selected_layers.map(l => l && l.name);
  if (!names.includes('sm:synced')) { return false; }
  const reported = names.filter(n => !String(n).startsWith('sm:'));
  const shown = [];
  ctl._layers.forEach(e => { if (e.overlay && m.hasLayer(e.layer)) { shown.push(e.name); } });
  const c = m.getCenter();
  return d.zoom === m.getZoom() && Math.abs(d.center.lat - c.lat) < 1e-9 && Math.abs(d.center.lng - c.lng) < 1e-9
    && shown.length === reported.length && shown.every(n => reported.includes(n));
}"""


def map_frame(w: Watched, timeout: float = 60_000) -> Frame:
    frame = w.page.locator(MAP_IFRAME).element_handle(timeout=timeout).content_frame()
    assert frame is not None
    return frame


def map_reported(w: Watched, timeout: float = 60_000) -> None:
    """Wait until the map has painted, has told the page its current view (the component
    reports after a 250 ms debounce) and the page has finished the run that follows."""
    w.map().locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=timeout)
    map_frame(w, timeout).wait_for_function(REPORTED, timeout=timeout)
    wait_idle(w.page)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_server() -> Iterator[AppServer]:
    server = AppServer()
    yield server
    server.stop()


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    yield Watched(ctx.new_page())
    ctx.close()

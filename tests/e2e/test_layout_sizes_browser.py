"""The map fills the window and no control covers another, at the newsroom's screen sizes and on
a phone; a screenshot of each is kept in test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, MAP_IFRAME, Watched, map_reported

pytestmark = pytest.mark.browser

#: The map's controls, each a box in the map's document.
CONTROLS = """() => [...document.querySelectorAll('.leaflet-control')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().width > 0)
  .map(e => { const r = e.getBoundingClientRect();
              return {name: e.className.split(' ').filter(c => c !== 'leaflet-control').join('.') || e.tagName,
                      l: r.left, t: r.top, r: r.right, b: r.bottom}; })"""


def overlaps(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] - 1 and b["l"] < a["r"] - 1 and a["t"] < b["b"] - 1 and b["t"] < a["b"] - 1


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1440, 900), (1920, 1080), (390, 844)])
def test_the_map_fills_the_window_and_no_control_covers_another(app_server, browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        w = Watched(context.new_page())
        w.open(app_server.url + "?date=2025-11-10")
        map_reported(w)
        frame = w.page.locator(MAP_IFRAME)
        box = frame.bounding_box()
        assert box is not None
        assert box["height"] >= 600 and box["height"] >= height - 240, box  # the window less the title
        inner = frame.element_handle().content_frame()
        map_h = inner.evaluate("() => document.querySelector('.leaflet-container').getBoundingClientRect().height")
        assert map_h >= box["height"] - 12, "the map fills its frame"
        controls = inner.evaluate(CONTROLS)
        assert len(controls) >= 5
        clashes = [(a["name"], b["name"]) for i, a in enumerate(controls) for b in controls[i + 1:] if overlaps(a, b)]
        assert clashes == []
        ARTIFACTS.mkdir(exist_ok=True)
        w.page.screenshot(path=str(ARTIFACTS / f"map-{width}x{height}.png"))
    finally:
        context.close()

"""Share: a view set by interacting is in the URL, and the URL reopens exactly that view."""

import time

import pytest

from tests.e2e.conftest import ARTIFACTS, Watched, wait_idle

pytestmark = pytest.mark.browser

MAP_STATE = """() => {
  const m = window.map, c = m.getCenter(), shown = [];
  window.layer_control._layers.forEach(e => { if (e.overlay && m.hasLayer(e.layer)) shown.push(e.name); });
  return {lat: c.lat, lng: c.lng, zoom: m.getZoom(), shown: shown.sort(),
          asof: document.querySelector('.sm-asof').textContent};
}"""


def settle(w: Watched) -> None:
    time.sleep(1.2)  # the component reports moves after a 250 ms debounce, then the app reruns
    wait_idle(w.page)
    time.sleep(0.5)


def map_state(w: Watched) -> dict:
    return w.map().locator("body").evaluate(MAP_STATE)


def test_link_reproduces_an_interactive_view(app_server, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    w = Watched(ctx.new_page())
    w.open(app_server.url)
    frame = w.map()
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=60_000)
    settle(w)
    assert "?" not in w.page.url, "the default view writes nothing"
    # hide a layer in the map's own control
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers-overlays label", has_text="Towns in the story").click()
    settle(w)
    # zoom in and pan
    frame.locator(".leaflet-control-zoom-in").click()
    settle(w)
    box = w.page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    w.page.mouse.move(box["x"] + 450, box["y"] + 200)  # clear of the legend and controls
    w.page.mouse.down()
    w.page.mouse.move(box["x"] + 330, box["y"] + 140, steps=6)
    w.page.mouse.up()
    settle(w)
    # pick a date
    w.page.get_by_role("button", name="-1d".replace("-", "−")).click()
    settle(w)
    before = map_state(w)
    url = w.page.url
    assert "date=2024-11-09" in url and "zoom=8" in url and "lat=" in url and "lon=" in url
    assert "places" not in url.split("layers=")[1].split("&")[0]
    assert not w.page.get_by_role("checkbox", name="Towns in the story (reported)").is_checked()
    assert w.external == [] and w.errors == []
    ctx.close()

    fresh = browser.new_context(viewport={"width": 1280, "height": 800})
    w2 = Watched(fresh.new_page())
    w2.open(url)
    w2.map().locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=60_000)
    settle(w2)
    after = map_state(w2)
    assert after["lat"] == pytest.approx(before["lat"], abs=5e-4)
    assert after["lng"] == pytest.approx(before["lng"], abs=5e-4)
    assert after["zoom"] == before["zoom"] == 8
    assert after["shown"] == before["shown"] and not any("Towns" in n for n in after["shown"])
    assert "Map date 2024-11-09" in after["asof"]
    assert w2.page.get_by_role("slider").first.get_attribute("aria-valuetext") == "2024-11-09"
    assert w2.page.url == url, "reopening writes the same link back"
    code = w2.page.get_by_role("textbox", name="Link to this view (select it and copy)").input_value()
    assert url.split("?")[1] in code
    w2.page.screenshot(path=str(ARTIFACTS / "shared-link.png"))
    fresh.close()

"""Share: a view set by interacting is in the URL, and the URL reopens exactly that view."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, Watched, map_reported

pytestmark = pytest.mark.browser

MAP_STATE = """() => {
  const m = window.map, c = m.getCenter(), shown = [];
  window.layer_control._layers.forEach(e => { if (e.overlay && m.hasLayer(e.layer)) shown.push(e.name); });
  return {lat: c.lat, lng: c.lng, zoom: m.getZoom(), shown: shown.sort(),
          asof: document.querySelector('.sm-asof').textContent};
}"""


def in_url(w: Watched, pattern: str) -> None:
    """Wait until the URL's query matches `pattern` (the app writes it once the map reported)."""
    expect(w.page).to_have_url(re.compile(r"\?(.*&)?" + pattern))


def map_state(w: Watched) -> dict:
    return w.map().locator("body").evaluate(MAP_STATE)


def test_link_reproduces_an_interactive_view(app_server, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    w = Watched(ctx.new_page())
    w.open(app_server.url)
    frame = w.map()
    map_reported(w)
    assert "?" not in w.page.url, "the default view writes nothing"
    # hide a layer in the map's own control
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers-overlays label", has_text="Towns in the story").click()
    in_url(w, r"layers=[^&]*occupied")
    # zoom in and pan
    frame.locator(".leaflet-control-zoom-in").click()
    in_url(w, r"zoom=8(&|$)")
    box = w.page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    zoomed = w.page.url
    w.page.mouse.move(box["x"] + 450, box["y"] + 200)  # clear of the legend and controls
    w.page.mouse.down()
    w.page.mouse.move(box["x"] + 330, box["y"] + 140, steps=6)
    w.page.mouse.up()
    expect(w.page).not_to_have_url(zoomed)
    in_url(w, r"lat=")
    in_url(w, r"lon=")
    # pick a date
    w.page.get_by_role("button", name="-1d".replace("-", "−")).click()
    in_url(w, r"date=2024-11-09(&|$)")
    expect(w.map().locator(".sm-asof")).to_contain_text("Map date 2024-11-09")
    map_reported(w)
    before = map_state(w)
    url = w.page.url
    assert "date=2024-11-09" in url and "zoom=8" in url and "lat=" in url and "lon=" in url
    assert "places" not in url.split("layers=")[1].split("&")[0]
    # (the checkbox's accessible name carries Markdown escapes: match it by its title)
    expect(w.page.get_by_role("checkbox", name="Towns in the story")).not_to_be_checked()
    assert w.external == [] and w.errors == []
    ctx.close()

    fresh = browser.new_context(viewport={"width": 1280, "height": 800})
    w2 = Watched(fresh.new_page())
    w2.open(url)
    map_reported(w2)
    expect(w2.map().locator(".sm-asof")).to_contain_text("Map date 2024-11-09")
    after = map_state(w2)
    assert after["lat"] == pytest.approx(before["lat"], abs=5e-4)
    assert after["lng"] == pytest.approx(before["lng"], abs=5e-4)
    assert after["zoom"] == before["zoom"] == 8
    assert after["shown"] == before["shown"] and not any("Towns" in n for n in after["shown"])
    assert "Map date 2024-11-09" in after["asof"]
    expect(w2.page.get_by_role("slider").first).to_have_attribute("aria-valuetext", "2024-11-09")
    expect(w2.page, "reopening writes the same link back").to_have_url(url)
    code = w2.page.get_by_role("textbox", name="Link to this view (select it and copy)").input_value()
    assert url.split("?")[1] in code
    w2.page.screenshot(path=str(ARTIFACTS / "shared-link.png"))
    fresh.close()

"""The real app in headless Chromium: Leaflet paints every layer, offline, and markup stays text."""

import json

import pytest
from playwright.sync_api import expect

from dashboard.data.catalog import load_catalog
from tests.conftest import ROOT
from tests.e2e.conftest import ARTIFACTS, AppServer, Watched, map_reported, wait_idle

pytestmark = pytest.mark.browser


def test_map_paints_every_layer_offline(app_server, watched: Watched):
    watched.open(app_server.url)
    frame = watched.map()
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=60_000)
    # the basemap is fetched from the app's static files after the map starts
    frame.locator("path[fill='#fbfaf6']").first.wait_for(state="attached", timeout=30_000)
    # polygons and lines are SVG paths: basemap + oblasts + occupied + salient + annotations + places
    assert frame.locator("path").count() > 150  # basemap paths are not interactive
    assert frame.locator("path.leaflet-interactive").count() >= 20
    assert frame.locator("path[fill='#D55E00']").count() >= 1, "occupied area painted"
    assert frame.locator("path[fill='#56B4E9']").count() == 1, "one Kursk salient outline for the date"
    labels = frame.locator(".sm-place").all_inner_texts()
    assert {"Sudzha", "Korenevo", "Pokrovsk", "Kurakhove", "Luhansk"} <= set(labels)
    # the app's map is narrower than 800 px here: the legend starts folded, one click opens it
    expect(frame.locator(".sm-legend details")).not_to_have_attribute("open", "")
    frame.locator(".sm-legend summary").click()
    expect(frame.locator(".sm-legend details")).to_have_attribute("open", "")
    legend = frame.locator(".sm-legend").inner_text()
    for spec in load_catalog(ROOT / "geodata" / "catalog.toml").layers.values():
        assert spec.title in legend and spec.status in legend
    assert "Map date 2024-11-10" in frame.locator(".sm-asof").inner_text()
    # readable on one line, not squeezed to a column of word fragments (it once was 16 px wide)
    assert frame.locator(".sm-asof").evaluate("e => e.getBoundingClientRect().width") >= 120
    control = frame.locator(".leaflet-control-layers").text_content()
    assert "Towns in the story" in control and "Offline map" not in control  # basemap: sidebar only
    assert frame.locator("path[fill='#fbfaf6']").count() >= 1, "offline basemap (Ukraine's land) painted"
    assert "GeoNames" in frame.locator(".leaflet-control-attribution").inner_text()
    assert watched.page.locator("[data-testid='stMetric']").count() >= 7
    # the weekly chart survives Streamlit's HTML sanitiser (it once did not: SVG is stripped)
    assert watched.page.locator(".sm-chart .bar").count() >= 20
    assert watched.page.locator(".sm-chart .bar").first.get_attribute("data-tip").startswith("Week of")
    ARTIFACTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(ARTIFACTS / "map-1280x800.png"))
    assert watched.external == [], f"requests left localhost: {watched.external}"
    assert watched.errors == []


def test_markup_in_a_feature_name_shows_as_text(browser, data_copy):
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>${alert(3)}'
    path = data_copy / "layers" / "places.geojson"
    data = json.loads(path.read_text())
    data["features"][0]["properties"]["name"] = payload
    path.write_text(json.dumps(data))
    server = AppServer(data=data_copy)
    try:
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        w = Watched(ctx.new_page())
        w.open(server.url)
        frame = w.map()
        frame.locator(".sm-place").first.wait_for(state="attached", timeout=60_000)
        assert payload in frame.locator(".sm-place").all_inner_texts()
        assert frame.locator("img[src='x']").count() == 0
        # the label's markup ran (or not) as it was drawn: once the map has reported its view
        # and the page is idle, every label is drawn and any dialog would have opened
        map_reported(w)
        assert w.dialogs == [] and w.external == []
        ctx.close()
    finally:
        server.stop()


def test_a_sidebar_toggle_redraws_only_what_it_toggles(app_server, watched: Watched):
    """Switching towns off and on keeps the occupied area's drawn path (same DOM node, not
    re-created), and a date change keeps the Kursk outline while it does not change."""
    watched.open(app_server.url + "?date=2024-10-01")
    frame = watched.map()
    occupied = frame.locator("path[fill='#D55E00']").first
    salient = frame.locator("path[fill='#56B4E9']").first
    occupied.wait_for(state="attached", timeout=60_000)
    wait_idle(watched.page)
    occupied.evaluate("p => { p.dataset.smMark = 'kept'; }")
    salient.evaluate("p => { p.dataset.smMark = 'kept'; }")
    box = watched.page.get_by_text("Towns in the story (reported)")
    for state in ("detached", "attached"):
        box.click()
        frame.locator(".sm-place").first.wait_for(state=state, timeout=30_000)
        wait_idle(watched.page)
    assert frame.locator("path[data-sm-mark='kept'][fill='#D55E00']").count() == 1, "occupied area redrawn"
    watched.page.get_by_role("button", name="+1d").click()
    frame.locator(".sm-asof", has_text="Map date 2024-10-02").wait_for(timeout=30_000)
    wait_idle(watched.page)
    assert frame.locator("path[fill='#D55E00']").count() >= 1
    assert frame.locator("path[data-sm-mark='kept'][fill='#D55E00']").count() == 0, "new day, new area"
    assert frame.locator("path[data-sm-mark='kept'][fill='#56B4E9']").count() == 1, "same outline kept"
    assert frame.locator("path[fill='#56B4E9']").count() == 1, "the old outline was not left behind"
    assert watched.errors == []

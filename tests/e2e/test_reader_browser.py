"""Ready for readers: pages keep the view, downloads match the map, phones, base paths."""

import csv
import io
import json
import re
from datetime import timedelta

import geopandas as gpd
import pytest
from playwright.sync_api import expect

from dashboard.data.layers import visible_features
from dashboard.data.load import load_dataset
from dashboard.data.view import bounds_from, parse_query
from tests.e2e.conftest import ARTIFACTS, AppServer, Watched, map_frame, map_reported, wait_idle

pytestmark = pytest.mark.browser
LINK = "?date=2024-11-01&compare=2024-10-01&layers=occupied%2Ckursk-salient%2Cchanges%2Cplaces&zoom=8"


def painted(w: Watched) -> None:
    map_reported(w)  # painted, its first view reported, and the run that follows finished


def test_view_survives_moving_between_pages(app_server, watched: Watched):
    watched.open(app_server.url + LINK)
    painted(watched)
    query = watched.page.url.split("?")[1]
    for page, path in (("Sources & method", "sources"), ("Map", "(map)?"), ("About", "about"),
                       ("Sources & method", "sources"), ("Map", "(map)?")):
        watched.page.get_by_role("link", name=page).click()
        # the page's own address, with the view's query kept
        expect(watched.page, page).to_have_url(re.compile(rf"/{path}\?{re.escape(query)}$"))
        wait_idle(watched.page)
        expect(watched.page, page).to_have_url(re.compile(rf"/{path}\?{re.escape(query)}$"))
        if page != "Map":
            continue
        painted(watched)
        # and still once the map has reported back and the page has answered (the widgets'
        # values once came back here as their defaults: no layers, the first day)
        expect(watched.page).to_have_url(re.compile(rf"/(map)?\?{re.escape(query)}$"))
        expect(watched.page.get_by_role("slider").first).to_have_attribute("aria-valuetext", "2024-11-01")
        expect(watched.map().locator(".sm-asof")).to_contain_text("changes since 2024-10-01")
        expect(watched.map().locator(".sm-place").first).to_be_attached()
    assert watched.external == [] and watched.errors == []


def test_downloads_match_what_the_map_shows(app_server, watched: Watched, tmp_path):
    watched.open(app_server.url + LINK)
    painted(watched)
    with watched.page.expect_download() as info:
        watched.page.get_by_role("button", name="Visible layers (GeoJSON)").click()
    path = tmp_path / "layers.geojson"
    info.value.save_as(path)
    got = gpd.read_file(path)
    ds = load_dataset()
    view = parse_query({"date": "2024-11-01", "compare": "2024-10-01", "zoom": "8",
                        "layers": "occupied,kursk-salient,changes,places"}, bounds_from(ds.catalog))[0]
    expected = visible_features(ds, view)
    assert got.groupby("layer").size().to_dict() == expected.groupby("layer").size().to_dict()
    assert {"source", "source_url", "status", "date"} <= set(got.columns)
    area = got[got.layer == "occupied"].to_crs(6933).area.sum() / 1e6
    assert area == pytest.approx(110_759, rel=0.001)
    assert json.loads(path.read_text())["view"]["date"] == "2024-11-01"

    with watched.page.expect_download() as info:
        watched.page.get_by_role("button", name="Figures (CSV)").click()
    rows = {row["figure"]: row for row in csv.DictReader(io.StringIO(info.value.path().read_text()))}
    assert "Troops massed (Kursk)" in rows
    window = rows["All Ukraine (2024-10-01 to 2024-11-01)"]
    assert (window["value"], window["unit"], window["change"]) == ("110759", "km²", "503")

    # A layer switched off in the sidebar (a map-only rerun) is gone from the next download too.
    watched.page.get_by_text("Towns in the story (reported)").click()
    expect(watched.map().locator(".sm-place")).to_have_count(0, timeout=30_000)
    expect(watched.page).not_to_have_url(re.compile(r"layers=[^&]*places"))
    wait_idle(watched.page)
    with watched.page.expect_download() as info:
        watched.page.get_by_role("button", name="Visible layers (GeoJSON)").click()
    info.value.save_as(tmp_path / "after.geojson")
    after = gpd.read_file(tmp_path / "after.geojson")
    assert "places" in set(got.layer) and "places" not in set(after.layer)
    assert set(after.layer) == set(got.layer) - {"places"}

    with watched.page.expect_download() as info:
        watched.page.get_by_role("button", name="Map (offline HTML)").click()
    html_path = tmp_path / "map.html"
    info.value.save_as(html_path)
    offline = watched.page.context.browser.new_context()
    page = offline.new_page()
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_())
    page.goto(html_path.as_uri())
    page.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
    assert "Map date 2024-11-01" in page.locator(".sm-asof").inner_text()
    offline.close()


def test_phone_layout(app_server, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                              device_scale_factor=2)
    w = Watched(ctx.new_page())
    w.open(app_server.url)
    painted(w)
    frame_box = w.page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert frame_box["x"] >= 0 and frame_box["x"] + frame_box["width"] <= 390
    assert frame_box["width"] >= 300, "the map fills the width"
    overflow = w.page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]');"
                               " return [m.scrollWidth, m.clientWidth, document.documentElement.scrollWidth]; }")
    assert overflow[0] <= overflow[1] and overflow[2] <= 390, f"horizontal scrolling: {overflow}"
    metric = w.page.locator("[data-testid='stMetric']").first
    metric.scroll_into_view_if_needed()
    box = metric.bounding_box()
    frame_now = w.page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert box["y"] > frame_now["y"] + frame_now["height"] - 5, "figures stack below the map"
    assert box["x"] + box["width"] <= 390
    # the legend starts folded on a phone; the layer control opens by touch
    assert w.map().locator(".sm-legend details").get_attribute("open") is None
    w.map().locator(".leaflet-control-layers-toggle").tap()
    assert w.map().locator(".leaflet-control-layers-overlays label").first.is_visible()
    w.page.locator("[data-testid='stMain']").evaluate("m => m.scrollTop = 0")
    w.page.wait_for_function("() => document.querySelector('[data-testid=stMain]').scrollTop === 0")
    w.page.screenshot(path=str(ARTIFACTS / "phone-390x844.png"))
    assert w.external == [] and w.errors == []
    ctx.close()


def test_works_under_a_base_path(browser):
    server = AppServer(base_path="situation")
    try:
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        w = Watched(ctx.new_page())
        w.open(server.url + "?zoom=8")
        painted(w)
        assert w.map().locator(".sm-place").count() >= 12
        code = w.page.get_by_role("textbox", name="Link to this view (select it and copy)").input_value()
        assert f"localhost:{server.port}/situation" in code and "zoom=8" in code
        assert w.external == [] and w.errors == []
        ctx.close()
    finally:
        server.stop()


def test_the_container_file_set_serves_the_app_offline(browser, tmp_path):
    """Only what the Dockerfile copies (no scripts, no ../shared, no tests) is enough."""
    import shutil

    from tests.conftest import ROOT

    for name in (".streamlit", "dashboard", "geodata"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    server = AppServer(root=tmp_path)
    try:
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        w = Watched(ctx.new_page())
        w.open(server.url)
        painted(w)
        assert w.page.locator("[data-testid='stMetric']").count() >= 7
        assert w.external == [] and w.errors == []
        ctx.close()
    finally:
        server.stop()


def test_dark_theme_keeps_map_text_legible(app_server, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme="dark")
    w = Watched(ctx.new_page())
    w.open(app_server.url)
    painted(w)
    app = w.page.locator("[data-testid='stApp']")
    background = app.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background != "rgb(255, 255, 255)", "the page follows the dark system theme"
    for selector in (".sm-legend", ".sm-asof"):
        color = w.map().locator(selector).evaluate("e => getComputedStyle(e).color")
        assert color == "rgb(31, 31, 31)", (selector, color)  # dark text on the light map boxes
    w.page.screenshot(path=str(ARTIFACTS / "map-dark-1280x800.png"))
    ctx.close()


#: Records every text the map's as-of box shows (Play may show a day for less than a poll).
WATCH_ASOF = """() => {
  window.__smSeen = [];
  const note = () => document.querySelectorAll('.sm-asof').forEach(e => window.__smSeen.push(e.textContent));
  new MutationObserver(note).observe(document.body, {childList: true, subtree: true, characterData: true});
  note();
}"""


def test_play_steps_through_the_days_and_stops_at_the_end(app_server, watched: Watched):
    last = bounds_from(load_dataset().catalog).last
    days = [(last - timedelta(days=n)).isoformat() for n in (3, 2, 1, 0)]
    watched.open(app_server.url + f"?date={days[0]}")
    painted(watched)
    asof = watched.map().locator(".sm-asof")
    map_frame(watched).evaluate(WATCH_ASOF)
    salient = watched.map().locator("path[fill='#56B4E9']")
    drawn = salient.count()  # the salient's last records, the same on all four days
    play = watched.page.get_by_role("switch", name="Play")
    expect(watched.page.get_by_role("combobox", name="Step")).to_have_value("a day")
    watched.page.get_by_text("Play", exact=True).click()
    expect(play).to_be_checked()
    # Play stops itself on the last day
    expect(play).not_to_be_checked(timeout=30_000)
    expect(asof).to_contain_text(f"Map date {days[-1]}")
    expect(watched.page).to_have_url(re.compile(rf"date={days[-1]}(&|$)"))
    wait_idle(watched.page)
    seen = {text.split()[2] for text in map_frame(watched).evaluate("() => window.__smSeen") if "Map date" in text}
    assert set(days) <= seen, seen
    expect(play).not_to_be_checked()
    expect(asof).to_contain_text(f"Map date {days[-1]}")
    # the component keeps only the live feature groups, however long it played
    assert watched.map().locator("body").evaluate("() => Object.keys(window.__smGroups).length") <= 4
    assert salient.count() == drawn, "past days' salient records left on the map"
    assert watched.errors == [] and watched.external == []

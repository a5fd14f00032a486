"""The reader's tools in the real app, in headless Chromium, offline: the swipe divider, measuring,
the town search, labels that never overlap, and all of it on a phone."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Frame, expect

from tests.e2e.conftest import ARTIFACTS, Watched, map_reported, wait_idle

pytestmark = pytest.mark.browser

DESKTOP, PHONE = (1400, 1000), (390, 844)
SUDZHA, POKROVSK, KRAMATORSK = (51.191, 35.271), (48.2801, 37.1771), (48.7311, 37.5678)
SALIENT = "path[fill='#56B4E9']"
#: Visible label boxes that intersect (the labels of the towns layer and of the basemap).
OVERLAPS = """() => {
  const els = [...document.querySelectorAll('.sm-place, .sm-label')].filter(e =>
    getComputedStyle(e).visibility !== 'hidden' && e.getBoundingClientRect().width > 0);
  const r = els.map(e => [e.textContent, e.getBoundingClientRect()]);
  const bad = [];
  for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++) {
    const a = r[i][1], b = r[j][1];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) bad.push([r[i][0], r[j][0]]);
  }
  return {shown: r.map(x => x[0]), bad: bad};
}"""


#: The map is neither zooming nor panning (Leaflet's own flags).
SETTLED = "() => !map_div._animatingZoom && !(map_div._panAnim && map_div._panAnim._inProgress)"


@pytest.fixture
def opened(browser: Browser, request) -> Iterator[callable]:
    contexts = []

    def open_at(url: str, size: tuple[int, int] = DESKTOP) -> tuple[Watched, Frame]:
        ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
        contexts.append(ctx)
        w = Watched(ctx.new_page())
        w.open(url)
        w.map().locator(".sm-place").first.wait_for(state="attached", timeout=60_000)
        frame = w.page.locator('iframe[title="streamlit_folium.st_folium"]').element_handle().content_frame()
        return w, frame

    yield open_at
    for ctx in contexts:
        ctx.close()


def _center(frame: Frame) -> tuple[float, float, int]:
    return frame.evaluate("() => [map_div.getCenter().lat, map_div.getCenter().lng, map_div.getZoom()]")


def _visible_at(frame: Frame, selector: str) -> bool:
    """Is the element the topmost thing at the centre of its own box (not clipped away)?"""
    return frame.evaluate("""(sel) => {
      const el = document.querySelector(sel), r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return hit === el;
    }""", selector)


def test_swipe_divider_drag_changes_which_date_shows(app_server, opened):
    w, frame = opened(app_server.url + "?date=2024-11-10&compare=2024-08-01&mode=swipe")
    maps = w.map()
    expect(maps.locator(".leaflet-sbs-range")).to_be_attached(timeout=30_000)
    expect(maps.locator(".sm-swipe-left")).to_have_text(re.compile("2024-08-01"))
    expect(maps.locator(".sm-swipe-right")).to_have_text(re.compile("2024-11-10"))
    expect(maps.locator(".sm-asof")).to_contain_text("left 2024-08-01, right 2024-11-10")
    # The map date's salient (right side) exists; the compare date (before the incursion) has none.
    salient = maps.locator(f".leaflet-sm-right-pane {SALIENT}")
    expect(salient).to_have_count(1)
    assert maps.locator(f".leaflet-sm-left-pane {SALIENT}").count() == 0
    assert maps.locator(".leaflet-sm-left-pane path[fill='#D55E00']").count() >= 1, "compare date's occupied area"
    # The salient lies left of the map's middle: the left side (the compare date) hides it.
    sal_box, map_box = salient.bounding_box(), maps.locator(".leaflet-container").bounding_box()
    assert sal_box["x"] + sal_box["width"] < map_box["x"] + map_box["width"] / 2
    assert not _visible_at(frame, f".leaflet-sm-right-pane {SALIENT}")
    # Drag the divider to the map's left edge: the map date now shows over the salient.
    rng = maps.locator(".leaflet-sbs-range").bounding_box()
    w.page.mouse.move(rng["x"] + rng["width"] / 2, rng["y"] + rng["height"] / 2)
    w.page.mouse.down()
    w.page.mouse.move(map_box["x"] + 30, rng["y"] + rng["height"] / 2, steps=8)
    w.page.mouse.up()
    divider = maps.locator(".leaflet-sbs-divider")
    expect(divider).to_have_attribute("style", re.compile(r"left: [0-9]\d?(\.\d+)?px"))
    assert _visible_at(frame, f".leaflet-sm-right-pane {SALIENT}")
    # Back to the changes layer: the divider goes, the left pane empties, the URL follows.
    w.page.get_by_text("Changes", exact=True).click()
    expect(maps.locator(".leaflet-sbs")).to_have_count(0)
    expect(maps.locator(f".leaflet-sm-left-pane {SALIENT}, .leaflet-sm-left-pane path")).to_have_count(0)
    expect(w.page).not_to_have_url(re.compile("mode=swipe"))
    assert w.external == [] and w.errors == []


def test_measuring_a_line_and_an_area_shows_km(app_server, opened):
    w, _frame = opened(app_server.url)
    maps = w.map()
    maps.locator(".leaflet-control-measure").hover()  # it opens on hover (a tap on a phone)
    maps.locator(".leaflet-control-measure .js-start").click()
    box = maps.locator(".leaflet-container").bounding_box()
    x, y = box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55
    for dx, dy in ((0, 0), (120, 0)):
        w.page.mouse.click(x + dx, y + dy)
    results = maps.locator(".leaflet-control-measure .js-results")
    expect(results).to_contain_text(re.compile(r"\d+(\.\d)? km\b"))
    w.page.mouse.click(x + 120, y + 90)
    expect(results).to_contain_text("km²")
    maps.locator(".leaflet-control-measure .js-finish").click()
    expect(maps.locator(".leaflet-popup-content")).to_contain_text("km²")
    assert w.external == [] and w.errors == []


def test_search_centres_the_map_on_a_town(app_server, opened):
    w, frame = opened(app_server.url)
    fetched: list[str] = []
    w.page.on("request", lambda r: fetched.append(r.url) if "search-towns" in r.url else None)
    maps = w.map()
    box = maps.locator(".sm-search input")
    w.page.wait_for_timeout(0)
    assert fetched == [], "the town list is fetched only when the search box is used"
    box.click()
    box.press_sequentially("kramat")
    expect(maps.locator(".sm-search li").first).to_have_text(re.compile("^Kramatorsk"))
    box.press("Enter")
    expect(maps.locator(".sm-search li")).to_have_count(0)
    # the map pans there (animated): wait for it to arrive rather than read it mid-flight
    frame.wait_for_function("([lat, lon]) => Math.abs(map_div.getCenter().lat - lat) < 0.01 && "
                            "Math.abs(map_div.getCenter().lng - lon) < 0.01 && map_div.getZoom() >= 10",
                            arg=list(KRAMATORSK), timeout=30_000)
    expect(w.page).to_have_url(re.compile(r"lat=48\.73"), timeout=30_000)  # the link follows
    assert len(fetched) == 1 and fetched[0].startswith("http://localhost")
    assert w.external == [] and w.errors == []


@pytest.mark.parametrize(("typed", "town"), [("Kostiantynivka", "Kostyantynivka"), ("Kramators'k", "Kramatorsk"),
                                             ("Краматорськ", "Kramatorsk"), ("Konstantinovka", "Kostyantynivka")])
def test_search_knows_the_spelling_variants(app_server, opened, typed, town):
    """The box folds spellings as the gazetteer does (transliterations, apostrophes, Cyrillic)."""
    w, _frame = opened(app_server.url)
    box = w.map().locator(".sm-search input")
    box.click()
    box.fill(typed)
    expect(w.map().locator(".sm-search li").first).to_have_text(re.compile(f"^{town}"))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_two_visible_labels_overlap_at_zooms_6_to_10(app_server, opened, size):
    w, frame = opened(app_server.url, size)
    w.map().locator(".sm-label").first.wait_for(state="attached", timeout=30_000)  # basemap labels fetched
    for spot in (POKROVSK, (50.2, 36.9)):
        for zoom in range(6, 11):
            frame.evaluate("([lat, lon, z]) => map_div.setView([lat, lon], z, {animate: false})", [*spot, zoom])
            map_reported(w)  # the map told the page its new view and the page's rerun is over
            # Labels are placed after each move and layer change (a tick later): wait for the pass.
            frame.wait_for_function(f"() => ({OVERLAPS})().bad.length === 0", timeout=30_000)
            # and the pass over the settled view gives the same: no overlap, the story's towns named
            frame.wait_for_function(SETTLED)
            runs = int(frame.evaluate("() => map_div.getContainer().dataset.smDeclutter"))
            frame.evaluate("() => map_div._smDeclutter()")
            frame.wait_for_function(f"() => +map_div.getContainer().dataset.smDeclutter > {runs}")
            found = frame.evaluate(OVERLAPS)
            assert found["bad"] == [], (spot, zoom, found["bad"])
            if spot == POKROVSK and zoom >= 9:
                assert {"Pokrovsk", "Myrnohrad"} <= set(found["shown"]), (zoom, found["shown"])
            assert len(found["shown"]) >= 3, (spot, zoom, found["shown"])
    assert w.external == [] and w.errors == []


def test_phone_shows_title_story_tools_and_folded_sources(app_server, opened):
    w, frame = opened(app_server.url, PHONE)
    page, maps = w.page, w.map()
    header = page.locator("header[data-testid='stHeader']").bounding_box()
    title = page.get_by_role("heading", name="Kursk & Donbass situation map").bounding_box()
    assert header is None or title["y"] >= header["y"] + header["height"] - 1, (header, title)
    # The first view holds both the Kursk salient and the Donbass front.
    frame.wait_for_function(
        f"() => map_div.getBounds().contains([{SUDZHA[0]}, {SUDZHA[1]}]) && "
        f"map_div.getBounds().contains([{POKROVSK[0]}, {POKROVSK[1]}])", timeout=15_000)
    # Sources fold behind a button that opens them.
    attribution = maps.locator(".leaflet-control-attribution")
    expect(attribution).to_be_hidden()
    maps.get_by_role("button", name="Sources").click()
    expect(attribution).to_be_visible()
    expect(attribution).to_contain_text("GeoNames")
    expect(maps.locator(".sm-legend details")).not_to_have_attribute("open", "")
    for tool in (".leaflet-control-zoom", ".leaflet-control-measure", ".sm-search input", ".leaflet-control-layers"):
        expect(maps.locator(tool)).to_be_in_viewport()
    maps.locator(".sm-search input").fill("Kramatorsk")
    maps.locator(".sm-search li").first.click()
    # the map pans there (animated): wait for it to arrive rather than read it mid-flight
    frame.wait_for_function("([lat, lon]) => Math.abs(map_div.getCenter().lat - lat) < 0.01 && "
                            "Math.abs(map_div.getCenter().lng - lon) < 0.01", arg=list(KRAMATORSK), timeout=30_000)
    wait_idle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tools-phone-390x844.png"))
    assert w.external == [] and w.errors == []


def test_a_report_answered_late_does_not_move_the_map_back(app_server, opened):
    """The reader moves on while the page is still answering the map's report of the last
    move: the answer must not take the map back there."""
    w, frame = opened(app_server.url)
    map_reported(w)
    frame.evaluate("([lat, lon]) => map_div.setView([lat, lon], 9, {animate: false})", list(POKROVSK))
    # the map has told the page about zoom 9 (the page is now working on it): move again
    frame.wait_for_function("() => window.__GLOBAL_DATA__.previous_data.zoom === 9", timeout=30_000)
    frame.evaluate("([lat, lon]) => map_div.setView([lat, lon], 11, {animate: false})", list(KRAMATORSK))
    map_reported(w)
    frame.wait_for_function(SETTLED)
    lat, lon, zoom = _center(frame)
    assert zoom == 11 and abs(lat - KRAMATORSK[0]) < 0.01 and abs(lon - KRAMATORSK[1]) < 0.01, (lat, lon, zoom)
    expect(w.page).to_have_url(re.compile(r"zoom=11"), timeout=30_000)
    assert w.errors == []


def test_a_notice_above_the_map_keeps_the_map_where_the_reader_left_it(app_server, opened):
    """A warning that appears above the map (a compare date no longer earlier than the map date)
    must neither re-create the map nor move it back to where it started."""
    w, frame = opened(app_server.url + "?date=2024-11-10&compare=2024-11-01")
    map_reported(w)
    frame.evaluate("([lat, lon]) => { window.__smKept = true; map_div.setView([lat, lon], 10, {animate: false}); }",
                   list(KRAMATORSK))
    map_reported(w)
    w.page.get_by_role("button", name="−1m").click()
    expect(w.page.get_by_text("The comparison date must be earlier")).to_be_visible(timeout=30_000)
    expect(w.page).to_have_url(re.compile(r"date=2024-10-10"), timeout=30_000)
    wait_idle(w.page)
    frame = w.page.locator('iframe[title="streamlit_folium.st_folium"]').element_handle().content_frame()
    frame.wait_for_function("() => window.map_div && window.map_div._loaded", timeout=30_000)
    frame.wait_for_function(SETTLED)
    assert frame.evaluate("() => window.__smKept === true"), "the map was re-created"
    lat, lon, zoom = _center(frame)
    assert zoom == 10 and abs(lat - KRAMATORSK[0]) < 0.01 and abs(lon - KRAMATORSK[1]) < 0.01, (lat, lon, zoom)
    assert w.errors == []


def test_phone_swipe_and_desktop_screenshots(app_server, opened):
    w, _ = opened(app_server.url + "?compare=2024-08-01&mode=swipe", PHONE)
    expect(w.map().locator(".leaflet-sbs-range")).to_be_attached(timeout=30_000)
    expect(w.map().locator(".sm-swipe-dates")).to_be_in_viewport()
    wait_idle(w.page)
    w.page.screenshot(path=str(ARTIFACTS / "tools-phone-swipe-390x844.png"))
    d, _ = opened(app_server.url + "?compare=2024-08-01&mode=swipe", DESKTOP)
    expect(d.map().locator(".leaflet-sbs-range")).to_be_attached(timeout=30_000)
    wait_idle(d.page)
    d.page.screenshot(path=str(ARTIFACTS / "tools-desktop-swipe-1400x1000.png"))
    assert w.external == [] and d.external == [] and w.errors == [] and d.errors == []

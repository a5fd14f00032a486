"""A click on a town marker picks it for 'distance to the front': the town lands in the URL and
the distance panel shows it, the rest of the view unchanged."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Watched, map_frame, map_reported

pytestmark = pytest.mark.browser

CLICK_TOWN = """(name) => {
  let found = false;
  window.map.eachLayer(l => {
    // a marker of the towns layer: its click bubbles up to the group, as a reader's click does
    if (!found && l.feature && l.feature.properties && l.feature.properties.label === name) {
      l.fire("click", {latlng: l.getLatLng()}, true); found = true;
    }
  });
  return found;
}"""


MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def test_clicking_a_town_marker_picks_it_for_distance_to_the_front(app_server, watched: Watched):
    watched.open(app_server.url + "?date=2026-08-22")
    map_reported(watched)
    assert map_frame(watched).evaluate(CLICK_TOWN, "Kramatorsk")
    expect(watched.page).to_have_url(re.compile(r"[?&]town=704508\b"), timeout=30_000)
    expect(watched.page).to_have_url(re.compile(r"[?&]date=2026-08-22\b"))  # the rest of the view kept
    expect(watched.page.get_by_text("Kramatorsk to the front").first).to_be_visible(timeout=60_000)
    # Back from another page the map is a new component whose clicks count from 1 again: its
    # first click must count although the old map's last click had the same number.
    watched.page.get_by_role("link", name="Sources & method").click()
    expect(watched.page.get_by_role("heading", name="Key figures and their sources")).to_be_visible(timeout=30_000)
    watched.page.get_by_role("link", name="Map").click()
    expect(watched.page.locator(MAP_IFRAME)).to_have_count(1, timeout=30_000)
    map_reported(watched)
    assert map_frame(watched).evaluate(CLICK_TOWN, "Pokrovsk")
    expect(watched.page).to_have_url(re.compile(r"[?&]town=704422\b"), timeout=30_000)
    expect(watched.page.get_by_text("Pokrovsk to the front").first).to_be_visible(timeout=60_000)
    # another click, another town
    assert map_frame(watched).evaluate(CLICK_TOWN, "Donetsk")
    expect(watched.page).to_have_url(re.compile(r"[?&]town=709717\b"), timeout=30_000)
    assert watched.external == [] and watched.dialogs == []


#: Marks a town's marker (its SVG path) for the locators, and says what it shows.
MARK_TOWN = """(name) => {
  let out = null;
  window.map.eachLayer(l => {
    const p = l.feature && l.feature.properties;
    if (!out && p && p.label === name && l._path) {
      l._path.dataset.smTown = name;
      out = {fill: l._path.getAttribute("fill"), tip: p.tip};
    }
  });
  return out;
}"""


def test_a_town_marker_shows_its_status_on_the_maps_date(app_server, watched: Watched):
    """Pokrovsk's point came inside the occupied area on 2025-11-03 (geodata/tables/settlements.csv):
    the map's own steps refill its marker and reword its tooltip, and a click still picks it."""
    watched.open(app_server.url + "?date=2025-11-02&lat=48.3&lon=37.2&zoom=10")
    map_reported(watched)
    frame, fl = map_frame(watched), watched.map()
    fl.locator(".sm-time-ready").wait_for(timeout=60_000)
    frame.wait_for_function("() => window.map._smTime.markersDay === '2025-11-02'")
    assert frame.evaluate(MARK_TOWN, "Pokrovsk")["fill"] == "#ffffff"
    marker, tip = fl.locator("path[data-sm-town='Pokrovsk']"), fl.locator(".leaflet-tooltip")
    marker.hover()
    expect(tip).to_have_text("Pokrovsk · not inside on 2025-11-02 (assessed)")
    # a town the table did not measure (in Russia) keeps its plain name
    assert frame.evaluate(MARK_TOWN, "Sudzha")["tip"] == "Sudzha"
    watched.page.mouse.move(1, 1)
    fl.get_by_role("button", name="+1d").click()
    expect(marker).to_have_attribute("fill", "#D55E00")  # the occupied area's fill
    marker.hover()  # over the occupied area the map redrew: the town's own tooltip, not the area's
    expect(tip).to_have_text("Pokrovsk · inside the occupied area on 2025-11-03 (assessed)")
    fl.get_by_role("button", name="+7d").click()
    expect(marker).to_have_attribute("fill", "#D55E00")
    marker.hover()
    expect(tip).to_have_text("Pokrovsk · inside the occupied area on 2025-11-10 (assessed)")
    fl.get_by_role("button", name="−1m").click()
    expect(marker).to_have_attribute("fill", "#ffffff")
    expect(watched.page).to_have_url(re.compile(r"[?&]date=2025-10-10\b"), timeout=30_000)
    map_reported(watched)
    fl.get_by_role("button", name="+1m").click()
    expect(marker).to_have_attribute("fill", "#D55E00")
    expect(watched.page).to_have_url(re.compile(r"[?&]date=2025-11-10\b"), timeout=30_000)
    map_reported(watched)
    marker.click()  # the reader's click: the tooltip "Pokrovsk · inside ..." picks Pokrovsk
    expect(watched.page).to_have_url(re.compile(r"[?&]town=704422\b"), timeout=30_000)
    expect(watched.page.get_by_text("Pokrovsk to the front").first).to_be_visible(timeout=60_000)
    assert watched.external == [] and watched.dialogs == [] and watched.errors == []

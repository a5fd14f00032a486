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

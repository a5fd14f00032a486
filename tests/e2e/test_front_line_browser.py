"""Distance on the map: with a town chosen, the map marks it and draws a line to the nearest
occupied point of the day shown, labelled with the distance the panel prints; the line follows
the map's date in the browser."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Watched

pytestmark = pytest.mark.browser
KRAMATORSK = 704508
START = date(2025, 6, 1)


def panel_km(page) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text="Kramatorsk to the front")
    value = metric.get_by_test_id("stMetricValue")
    expect(value).to_have_text(re.compile(r"^[\d,]+\.\d km$"))
    return value.inner_text().strip()


def test_the_line_to_the_front_shows_the_panels_distance_and_follows_the_date(app_server, watched: Watched):
    watched.open(app_server.url + f"?date={START}&town={KRAMATORSK}")
    frame = watched.map()
    label = frame.locator(".sm-front-label")
    expect(label).to_contain_text(f"to the front on {START}", timeout=60_000)
    expect(frame.locator("path.sm-front-line")).to_have_count(1)
    expect(frame.locator("path.sm-front-town")).to_have_count(1)
    assert f"Kramatorsk: {panel_km(watched.page)} to the front" in label.inner_text()

    frame.locator(".sm-time-ready").wait_for(timeout=60_000)
    frame.get_by_role("button", name="+1m").click()
    later = date(2025, 7, 1)
    expect(label).to_contain_text(f"to the front on {later}")  # at once, in the browser
    expect(label).to_have_count(1)  # moved, not drawn again (a removed tooltip fades for 200 ms)
    expect(watched.page).to_have_url(re.compile(rf"[?&]date={later}(&|$)"), timeout=30_000)
    expect(watched.page.get_by_test_id("stCaptionContainer").filter(has_text=f"on {later}").first).to_be_visible(
        timeout=30_000)
    assert f"Kramatorsk: {panel_km(watched.page)} to the front" in label.inner_text()
    assert watched.errors == []


def test_no_town_no_line(app_server, watched: Watched):
    watched.open(app_server.url + f"?date={START - timedelta(days=1)}")
    frame = watched.map()
    frame.locator(".sm-time").wait_for(timeout=60_000)
    expect(frame.locator(".sm-front-label")).to_have_count(0)


def test_the_settlements_layer_follows_a_date_chosen_in_the_map(app_server, watched: Watched):
    """Its window ends at the map date: the map draws it from the history file for the day it
    shows, and the page's rerun after the report keeps it (Pokrovsk's point came inside on
    2025-11-03)."""
    watched.open(app_server.url + "?date=2025-11-01")
    frame = watched.map()
    frame.locator(".sm-time-ready").wait_for(timeout=60_000)
    markers = frame.locator("path[fill='#CC79A7']")
    expect(markers.first).to_be_attached(timeout=60_000)
    before = markers.count()
    frame.get_by_role("button", name="+7d").click()
    expect(watched.page).to_have_url(re.compile(r"[?&]date=2025-11-08(&|$)"), timeout=30_000)
    expect(markers).not_to_have_count(before, timeout=30_000)
